/**
 * The embedded database's server under concurrency, at the wire: real pg clients (and raw sockets
 * where a test needs messages pg would never split) on loopback, many in flight at once. Each test
 * also checks the server really had several connections waiting at once (`peakWaiting`), so
 * the overlap these tests are about did happen.
 */
import { connect, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serialize } from "pg-protocol";
import { afterEach, describe, expect, it } from "vitest";
import { PGliteServer } from "./pglite-server";

type Started = { server: PGliteServer; db: PGlite; url: string; port: number };
const started: Started[] = [];
const clients: pg.Client[] = [];
const pools: pg.Pool[] = [];

async function start(options: { maxConnections?: number; idleInTransactionTimeoutMs?: number } = {}): Promise<Started> {
  const db = new PGlite();
  const server = new PGliteServer({ db, ...options, log: () => {} });
  const { port } = await server.start();
  const s = { server, db, port, url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable` };
  started.push(s);
  return s;
}

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on("error", () => {}); // errors are asserted through the queries that see them
  await c.connect();
  clients.push(c);
  return c;
}

function pool(url: string, max: number): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max });
  p.on("error", () => {});
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
  await Promise.all(pools.splice(0).map((p) => p.end().catch(() => {})));
  for (const s of started.splice(0)) {
    await s.server.stop();
    await s.db.close();
  }
});

/** A socket speaking the protocol by hand: startup done, ready for messages. */
async function rawConnection(port: number): Promise<{ socket: Socket; received: () => Buffer; waitFor: (type: string, count?: number) => Promise<Buffer> }> {
  const socket = connect(port, "127.0.0.1");
  let data = Buffer.alloc(0);
  socket.on("data", (chunk) => (data = Buffer.concat([data, chunk])));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const types = () => {
    const out: string[] = [];
    for (let o = 0; o + 5 <= data.length; ) {
      out.push(String.fromCharCode(data[o]!));
      o += 1 + data.readInt32BE(o + 1);
    }
    return out;
  };
  const waitFor = async (type: string, count = 1) => {
    for (let i = 0; i < 500; i++) {
      if (types().filter((t) => t === type).length >= count) return data;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${count} × '${type}' in ${types().join(" ")}`);
  };
  socket.write(serialize.startup({ user: "postgres", database: "postgres" }));
  await waitFor("Z");
  data = Buffer.alloc(0);
  return { socket, received: () => data, waitFor };
}

const count = async (c: pg.Client | pg.Pool, table: string) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

// The server under test is PGlite's whatever TEST_DB says: once, in the pglite project, is enough.
describe.skipIf(process.env.TEST_DB === "postgres")("the embedded database server under concurrency", () => {
  it("answers 400 concurrent statements from 16 connections, a third of them failing, each with its own result", async () => {
    const { server, url } = await start();
    const p = pool(url, 16);
    await p.query("CREATE TABLE item (id int PRIMARY KEY, parent int REFERENCES item (id), label text NOT NULL)");
    await p.query("INSERT INTO item VALUES (0, NULL, 'root')");
    type Outcome = { kind: string; ok: boolean; detail: string };
    const ops: (() => Promise<Outcome>)[] = [];
    for (let i = 1; i <= 400; i++) {
      const kind = ["insert", "duplicate", "foreign-key", "bad-input", "select", "transaction"][i % 6]!;
      ops.push(async () => {
        try {
          if (kind === "insert") await p.query("INSERT INTO item VALUES ($1, 0, $2)", [i, `item ${i}`]);
          if (kind === "duplicate") await p.query("INSERT INTO item VALUES (0, NULL, $1)", [`dup ${i}`]);
          if (kind === "foreign-key") await p.query("INSERT INTO item VALUES ($1, -1, 'orphan')", [i]);
          if (kind === "bad-input") await p.query("SELECT $1::int AS n", [`not a number ${i}`]);
          if (kind === "select") {
            // A different statement shape per caller: a Bind meeting another connection's Parse would show here.
            const { rows } = await p.query(`SELECT $1::text AS echo, ${i} AS n`, [`echo ${i}`]);
            if (rows[0].echo !== `echo ${i}` || rows[0].n !== i) throw new Error(`cross-talk: ${JSON.stringify(rows[0])}`);
          }
          if (kind === "transaction") {
            const c = await p.connect();
            try {
              await c.query("BEGIN");
              await c.query("INSERT INTO item VALUES ($1, 0, 'in a transaction')", [i]);
              if (i % 12 === 5) await c.query("INSERT INTO item VALUES (0, NULL, 'dup in a transaction')").catch(() => {});
              await c.query(i % 12 === 5 ? "ROLLBACK" : "COMMIT");
            } finally {
              c.release();
            }
          }
          return { kind, ok: true, detail: "" };
        } catch (error) {
          return { kind, ok: false, detail: `${(error as { code?: string }).code} ${(error as Error).message}` };
        }
      });
    }
    const outcomes = await Promise.all(ops.map((op) => op()));
    const unexpected = outcomes.filter((o) =>
      ["insert", "select", "transaction"].includes(o.kind)
        ? !o.ok
        : o.ok || !o.detail.startsWith({ duplicate: "23505", "foreign-key": "23503", "bad-input": "22P02" }[o.kind]!),
    );
    expect(unexpected).toEqual([]);
    const inserted = outcomes.filter((o) => o.kind === "insert").length;
    const committed = Array.from({ length: 400 }, (_, k) => k + 1).filter((i) => i % 6 === 5 && i % 12 !== 5).length;
    expect(await count(p, "item")).toBe(1 + inserted + committed);
    expect(server.stats()).toMatchObject({ failedUnits: 0, rolledBack: 0 });
    expect(server.stats().peakWaiting).toBeGreaterThanOrEqual(4);
  });

  it("runs a unit whose messages arrive in separate writes whole, never mixed with another connection's", async () => {
    const { server, port, url } = await start();
    const p = pool(url, 8);
    await p.query("CREATE TABLE t (n int)");
    const raw = await rawConnection(port);
    // Parse and Bind now, Execute and Sync later: others run meanwhile, none between them.
    raw.socket.write(serialize.parse({ text: "INSERT INTO t SELECT $1::int RETURNING n" }));
    raw.socket.write(serialize.bind({ values: ["7"] }));
    const others = Promise.all(Array.from({ length: 50 }, (_, i) => p.query("SELECT $1::int + 1 AS n", [i])));
    await new Promise((r) => setTimeout(r, 50));
    raw.socket.write(Buffer.concat([serialize.describe({ type: "P" }), serialize.execute({})]));
    await new Promise((r) => setTimeout(r, 50));
    raw.socket.write(serialize.sync());
    const results = await others;
    expect(results.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const reply = await raw.waitFor("Z");
    expect(reply.includes(Buffer.from("ERROR"))).toBe(false);
    expect((await p.query("SELECT n FROM t")).rows).toEqual([{ n: 7 }]);
    raw.socket.destroy();
    expect(server.stats().failedUnits).toBe(0);
  });

  it("serves only the connection in a transaction until it ends; the others wait, then see its commit", async () => {
    const { server, url } = await start();
    const a = await client(url);
    const b = await client(url);
    await a.query("CREATE TABLE t (n int)");
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES (1)");
    let bDone = false;
    const bCount = count(b, "t").then((n) => ((bDone = true), n));
    await new Promise((r) => setTimeout(r, 100));
    expect(bDone).toBe(false); // waiting: it would otherwise run inside a's transaction
    expect(server.stats().peakWaiting).toBeGreaterThanOrEqual(1);
    await a.query("INSERT INTO t VALUES (2)");
    await a.query("COMMIT");
    expect(await bCount).toBe(2);
  });

  it("rolls back a transaction whose client is destroyed, and the others proceed", async () => {
    const { server, url } = await start();
    const p = pool(url, 4);
    await p.query("CREATE TABLE t (n int)");
    const doomed = await client(url);
    await doomed.query("BEGIN");
    await doomed.query("INSERT INTO t VALUES (1)");
    const waiting = Promise.all(Array.from({ length: 20 }, (_, i) => p.query("INSERT INTO t VALUES ($1) RETURNING n", [100 + i])));
    await new Promise((r) => setTimeout(r, 50));
    (doomed as unknown as { connection: { stream: Socket } }).connection.stream.destroy();
    await waiting;
    expect((await p.query<{ n: number }>("SELECT n FROM t ORDER BY n")).rows.map((r) => r.n)).toEqual(
      Array.from({ length: 20 }, (_, i) => 100 + i),
    );
    expect(server.stats().rolledBack).toBe(1);
  });

  it("rolls back an extended query left between a Flush and its Sync by a client that went away", async () => {
    const { server, port, url } = await start();
    const c = await client(url);
    await c.query("CREATE TABLE t (n int)");
    const raw = await rawConnection(port);
    raw.socket.write(Buffer.concat([serialize.parse({ text: "INSERT INTO t VALUES (1)" }), serialize.bind({}), serialize.execute({}), serialize.flush()]));
    await raw.waitFor("C");
    let done = false;
    const counted = count(c, "t").then((n) => ((done = true), n));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    raw.socket.destroy();
    expect(await counted).toBe(0);
    expect(server.stats().rolledBack).toBe(1);
  });

  it("times out an owner idle in a transaction while others wait: FATAL 25P03, rolled back, the waiter proceeds", async () => {
    const { server, url } = await start({ idleInTransactionTimeoutMs: 200 });
    const owner = await client(url);
    const other = await client(url);
    await owner.query("CREATE TABLE t (n int)");
    await owner.query("BEGIN");
    await owner.query("INSERT INTO t VALUES (1)");
    // The same process holds a transaction on one connection and waits for a query on another.
    const errored = new Promise<Error>((resolve) => owner.once("error", resolve));
    const started = Date.now();
    expect(await count(other, "t")).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect((await errored).message).toMatch(/idle-in-transaction timeout/);
    await expect(owner.query("SELECT 1")).rejects.toThrow();
    expect(server.stats()).toMatchObject({ idleTimeouts: 1, rolledBack: 1 });
  });

  it("does not time out an owner nobody waits for", async () => {
    const { server, url } = await start({ idleInTransactionTimeoutMs: 50 });
    const owner = await client(url);
    await owner.query("CREATE TABLE t (n int)");
    await owner.query("BEGIN");
    await owner.query("INSERT INTO t VALUES (1)");
    await new Promise((r) => setTimeout(r, 150));
    await owner.query("COMMIT");
    expect(await count(owner, "t")).toBe(1);
    expect(server.stats().idleTimeouts).toBe(0);
  });

  it("keeps named prepared statements per connection, and deallocates them when it closes", async () => {
    const { url } = await start();
    const a = await client(url);
    const b = await client(url);
    // The same name, different statements, on two connections at once.
    const series = async (c: pg.Client, text: string, value: (i: number) => unknown) => {
      const out: unknown[] = [];
      for (let i = 0; i < 10; i++) out.push((await c.query({ name: "same", text, values: [value(i)] })).rows[0].v);
      return out;
    };
    const [fromA, fromB] = await Promise.all([
      series(a, "SELECT $1::int + 1 AS v", (i) => i),
      series(b, "SELECT $1::text || '!' AS v", (i) => String(i)),
    ]);
    expect(fromA).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(fromB).toEqual(Array.from({ length: 10 }, (_, i) => `${i}!`));
    const observer = await client(url);
    const prepared = async () => (await observer.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements")).rows[0]!.n;
    expect(await prepared()).toBe(2);
    await a.end();
    await b.end();
    await new Promise((r) => setTimeout(r, 50));
    expect(await prepared()).toBe(0);
  });

  it("refuses connections beyond its limit with PostgreSQL's FATAL 53300, and takes them again once one closes", async () => {
    const { server, url } = await start({ maxConnections: 2 });
    const a = await client(url);
    await client(url);
    const third = new pg.Client({ connectionString: url });
    third.on("error", () => {});
    await expect(third.connect()).rejects.toMatchObject({ code: "53300" });
    await a.end();
    await new Promise((r) => setTimeout(r, 50));
    const fourth = await client(url);
    expect((await fourth.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    expect(server.stats().refused).toBe(1);
  });

  it("fails only the connection whose unit threw inside PGlite; the queue goes on", async () => {
    const { server, db, url } = await start();
    const original = db.execProtocolRawStream.bind(db);
    // A throw out of PGlite itself (not an SQL error), as when its filesystem fails.
    db.execProtocolRawStream = async (message, options) => {
      if (Buffer.from(message).includes("boom")) throw new Error("simulated failure");
      return original(message, options);
    };
    const p = pool(url, 6);
    const victim = await client(url);
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => p.query("SELECT $1::int AS n", [i]).then((r) => r.rows[0].n)),
      victim.query("SELECT 'boom'").then(() => "answered", (e: Error) => `failed: ${e.message}`),
    ]);
    expect(results.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(results[30]).toMatch(/^failed: .*simulated failure/);
    expect((await p.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
    expect(server.stats().failedUnits).toBe(1);
  });

  it("stops with connections still open, refused or silent ones included, and a transaction open", async () => {
    const s = await start({ maxConnections: 1 });
    const holder = await client(s.url);
    await holder.query("BEGIN");
    const silent = connect(s.port, "127.0.0.1"); // over the limit, and never says anything
    await new Promise<void>((resolve) => silent.once("connect", () => resolve()));
    started.splice(started.indexOf(s), 1);
    await s.server.stop();
    await s.db.close();
    silent.destroy();
  });

  it("answers SSLRequest with N, ignores CancelRequest, refuses a malformed startup, and stays up", async () => {
    const { port, url } = await start();
    const ssl = connect(port, "127.0.0.1");
    const answer = await new Promise<string>((resolve) => {
      ssl.once("data", (d) => resolve(d.toString()));
      ssl.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
    });
    expect(answer).toBe("N");
    ssl.destroy();
    const cancel = connect(port, "127.0.0.1");
    const closed = new Promise<void>((resolve) => cancel.once("close", () => resolve()));
    cancel.write(Buffer.concat([Buffer.from([0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e]), Buffer.alloc(8)]));
    await closed;
    const bad = connect(port, "127.0.0.1");
    const reply = await new Promise<Buffer>((resolve) => {
      bad.once("data", resolve);
      bad.write(Buffer.from([0, 0, 0, 12, 0, 3, 0, 0, 0x78, 0, 0x78, 0x78])); // unterminated parameters
    });
    expect(String.fromCharCode(reply[0]!)).toBe("E");
    bad.destroy();
    const c = await client(url);
    expect((await c.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});
