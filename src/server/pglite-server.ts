import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * A PostgreSQL wire-protocol server for one PGlite, safe under concurrency: many client connections
 * are multiplexed onto PGlite's single session the way PostgreSQL would serve them one backend each.
 *
 * PGlite is one backend: one session, one transaction at a time, one unnamed statement. So:
 * - Each connection's frontend messages are grouped into **units** ending at Sync, Query,
 *   FunctionCall, Flush, CopyDone or CopyFail, and a unit runs whole, alone (`runExclusive`), with its
 *   response written back to its own connection only. The unnamed statement and portal, and the
 *   skip-until-Sync after an error, never cross connections.
 * - The transaction status of the unit's last ReadyForQuery decides who runs next. At 'I' (idle) the
 *   next unit in arrival order runs, from whatever connection. At 'T' or 'E' (in a transaction, or a
 *   failed one), or when the unit ended without a ReadyForQuery (a Flush in the middle of an
 *   extended query), the connection **owns** PGlite: only its units run, the others wait in order.
 * - A connection that goes away (client gone, Terminate, request aborted) while it owns PGlite is
 *   rolled back (ROLLBACK, Sync, ROLLBACK: whatever state it left) before anyone else runs; so is an
 *   owner idle for `idleInTransactionTimeoutMs` while others wait (PostgreSQL's
 *   idle_in_transaction_session_timeout), which is then closed with FATAL 25P03. A process that holds
 *   a transaction on one connection and waits for a query on another gets an error, not a hang.
 * - Named prepared statements are per connection, as in PostgreSQL: their names are prefixed with
 *   the connection's id on the wire, and deallocated when it closes.
 * - A failure inside one unit (PGlite throwing) fails that connection only; the queue goes on.
 * - Beyond `maxConnections` a client gets PostgreSQL's FATAL 53300 "sorry, too many clients already".
 *
 * Still shared by all connections, because PGlite has one session: session settings (`SET` without
 * LOCAL), session-level advisory locks, LISTEN/NOTIFY, temporary tables, and SQL-level PREPARE.
 * Pit Chat's clients use none of these across connections (see README, "Databases").
 */

export type PGliteServerOptions = {
  db: PGlite;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  maxConnections?: number;
  /** An owner idle this long inside a transaction while others wait is rolled back and closed; 0 = never. */
  idleInTransactionTimeoutMs?: number;
  /** Called with one line per connection closed by the server for a reason worth knowing. */
  log?: (line: string) => void;
};

export type PGliteServerStats = {
  /** Connections open now (started or starting). */
  connections: number;
  peakConnections: number;
  /** Units run (each a Sync-, Query- or Flush-terminated batch of messages, or a startup). */
  units: number;
  /** The most connections that had a unit queued (sent, not yet run) at the same moment. */
  peakWaiting: number;
  /** Connections that closed while owning a transaction, rolled back for them. */
  rolledBack: number;
  /** Owners closed by the idle-in-transaction timeout. */
  idleTimeouts: number;
  /** Connections refused beyond maxConnections. */
  refused: number;
  /** Units during which PGlite threw (their connection was closed). */
  failedUnits: number;
};

export const DEFAULT_MAX_CONNECTIONS = 100;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const MAX_STARTUP_LENGTH = 10_000;
/** Message types after which a unit runs: Sync, Query, FunctionCall, Flush, CopyDone, CopyFail. */
const UNIT_END = new Set(["S", "Q", "F", "H", "c", "f"].map((c) => c.charCodeAt(0)));
const CHAR = (c: string) => c.charCodeAt(0);

type Unit = { conn: Connection; kind: "startup" | "messages" | "cleanup"; bytes: Buffer };

class Connection {
  /** Bytes received and not yet framed into messages. */
  buffer: Buffer = Buffer.alloc(0);
  /** Messages of the unit being assembled. */
  messages: Buffer[] = [];
  started = false;
  refused = false;
  closed = false;
  /** Named prepared statements this connection created (names as sent to PGlite). */
  readonly statements = new Set<string>();
  /** When its last unit finished (for the idle-in-transaction timeout). */
  idleSince = Date.now();
  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}
  get prefix() {
    return `pc${this.id}_`;
  }
}

/** Follows the backend messages of a response across chunks; remembers the status of a final ReadyForQuery. */
class ResponseWalker {
  private header = Buffer.alloc(5);
  private headerFill = 0;
  private remaining = 0;
  private type = 0;
  /** Transaction status of the last message if it was a complete ReadyForQuery, else null. */
  status: string | null = null;

  feed(chunk: Uint8Array) {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining === 0 && this.headerFill < 5) {
        const take = Math.min(5 - this.headerFill, chunk.length - i);
        this.header.set(chunk.subarray(i, i + take), this.headerFill);
        this.headerFill += take;
        i += take;
        if (this.headerFill === 5) {
          this.type = this.header[0]!;
          this.remaining = this.header.readInt32BE(1) - 4;
          this.status = null;
          if (this.remaining <= 0) this.headerFill = 0;
        }
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - i);
      if (this.type === CHAR("Z") && take > 0) this.status = String.fromCharCode(chunk[i]!);
      this.remaining -= take;
      i += take;
      if (this.remaining === 0) this.headerFill = 0;
    }
  }
}

function errorResponse(severity: "FATAL" | "ERROR", code: string, message: string): Buffer {
  const fields = Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${message}\0\0`, "utf8");
  const head = Buffer.alloc(5);
  head[0] = CHAR("E");
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = CHAR(type);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

const SYNC = message("S", Buffer.alloc(0));
const query = (sql: string) => message("Q", Buffer.from(`${sql}\0`, "utf8"));
/** Ends whatever a connection left behind: an explicit or implicit transaction, failed or not. */
const ROLLBACK_ANY = Buffer.concat([query("ROLLBACK"), SYNC, query("ROLLBACK")]);

/** A C string at `offset`: its text and the offset after its terminator, or null if unterminated. */
function cstring(buf: Buffer, offset: number): { text: string; end: number } | null {
  const nul = buf.indexOf(0, offset);
  if (nul < 0) return null;
  return { text: buf.toString("utf8", offset, nul), end: nul + 1 };
}

/** `msg` with the C string at [start, end) replaced by `text` (the length field adjusted). */
function replaceCString(msg: Buffer, start: number, end: number, text: string): Buffer {
  const body = Buffer.concat([msg.subarray(5, start), Buffer.from(`${text}\0`, "utf8"), msg.subarray(end)]);
  return message(String.fromCharCode(msg[0]!), body);
}

/** Startup parameters, or null if the packet is malformed. */
function startupParams(packet: Buffer): Map<string, string> | null {
  const params = new Map<string, string>();
  let offset = 8;
  while (offset < packet.length - 1) {
    const key = cstring(packet, offset);
    if (!key) return null;
    const value = cstring(packet, key.end);
    if (!value) return null;
    params.set(key.text, value.text);
    offset = value.end;
  }
  if (packet[packet.length - 1] !== 0) return null;
  return params;
}

export class PGliteServer {
  private readonly db: PGlite;
  private readonly maxConnections: number;
  private readonly idleTimeoutMs: number;
  private readonly log: (line: string) => void;
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  /** Every socket, refused ones too: stop() must end them all for the listener to close. */
  private readonly sockets = new Set<Socket>();
  private nextId = 1;
  private queue: Unit[] = [];
  private owner: Connection | null = null;
  private running: Unit | null = null;
  private scheduled = false;
  private stopped = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private readonly counters: Omit<PGliteServerStats, "connections"> = {
    peakConnections: 0, units: 0, peakWaiting: 0, rolledBack: 0, idleTimeouts: 0, refused: 0, failedUnits: 0,
  };

  constructor(private readonly options: PGliteServerOptions) {
    this.db = options.db;
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.idleTimeoutMs = options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS;
    this.log = options.log ?? (() => {});
  }

  async start(): Promise<{ host: string; port: number }> {
    await this.db.waitReady;
    const host = this.options.host ?? "127.0.0.1";
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address !== "object") throw new Error("PGlite server: no address");
    return { host, port: address.port };
  }

  stats(): PGliteServerStats {
    return { connections: this.connections.size, ...this.counters };
  }

  /** Starts the peaks over from now (tests measure the overlap of one scenario at a time). */
  resetPeaks(): void {
    this.counters.peakConnections = this.connections.size;
    this.counters.peakWaiting = new Set(this.queue.map((u) => u.conn)).size;
  }

  /** Stops accepting, closes every connection and waits for the unit running, if any. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.stopped = true;
    const closing = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const conn of [...this.connections]) this.drop(conn);
    for (const socket of this.sockets) socket.destroy();
    this.queue = [];
    this.owner = null;
    this.clearIdleTimer();
    await this.idle;
    await closing;
  }

  // ---- connections ----

  private accept(socket: Socket) {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    const conn = new Connection(this.nextId++, socket);
    if (!this.server || this.connections.size >= this.maxConnections) {
      conn.refused = true;
      this.counters.refused++;
    } else {
      this.connections.add(conn);
      this.counters.peakConnections = Math.max(this.counters.peakConnections, this.connections.size);
    }
    socket.on("data", (data) => this.receive(conn, data));
    socket.on("error", () => this.close(conn));
    socket.on("close", () => this.close(conn));
  }

  private receive(conn: Connection, data: Buffer) {
    if (conn.closed) return;
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, data]) : data;
    try {
      while (!conn.closed) {
        const consumed = conn.started ? this.frame(conn) : this.startup(conn);
        if (!consumed) break;
      }
    } catch (error) {
      this.fatal(conn, "08P01", `protocol violation: ${(error as Error).message}`);
    }
  }

  /** Handles SSL/GSS negotiation, CancelRequest and the StartupMessage; true if it consumed a packet. */
  private startup(conn: Connection): boolean {
    const buf = conn.buffer;
    if (buf.length < 8) return false;
    const length = buf.readInt32BE(0);
    if (length < 8 || length > MAX_STARTUP_LENGTH) throw new Error("invalid startup packet length");
    if (buf.length < length) return false;
    const packet = buf.subarray(0, length);
    conn.buffer = buf.subarray(length);
    const code = packet.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      conn.socket.write("N");
      return true;
    }
    if (code === CANCEL_REQUEST) {
      // No backend to signal: PostgreSQL answers nothing and closes, so do we.
      this.drop(conn);
      return true;
    }
    if (code >> 16 !== 3) {
      this.fatal(conn, "0A000", `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: server supports 3.0`);
      return true;
    }
    if (conn.refused) {
      this.fatal(conn, "53300", "sorry, too many clients already");
      return true;
    }
    const params = startupParams(packet);
    if (!params || !params.get("user")) {
      this.fatal(conn, "08P01", "invalid startup packet");
      return true;
    }
    conn.started = true;
    this.enqueue({ conn, kind: "startup", bytes: Buffer.from(packet) });
    return true;
  }

  /** Frames one message into the unit being assembled; true if a whole message was there. */
  private frame(conn: Connection): boolean {
    const buf = conn.buffer;
    if (buf.length < 5) return false;
    const length = buf.readInt32BE(1);
    if (length < 4) throw new Error(`invalid message length ${length}`);
    if (buf.length < 1 + length) return false;
    let msg = buf.subarray(0, 1 + length);
    conn.buffer = buf.subarray(1 + length);
    const type = msg[0]!;
    if (type === CHAR("X")) {
      this.close(conn);
      return true;
    }
    msg = this.ownStatementNames(conn, msg);
    conn.messages.push(Buffer.from(msg));
    if (UNIT_END.has(type)) {
      const bytes = conn.messages.length === 1 ? conn.messages[0]! : Buffer.concat(conn.messages);
      conn.messages = [];
      this.enqueue({ conn, kind: "messages", bytes });
    }
    return true;
  }

  /**
   * Named prepared statements live in PGlite's one session, so two connections preparing "s1" would
   * collide: Parse, Bind, Describe and Close name them `pc<id>_<name>` instead. The unnamed statement
   * needs no renaming: it never outlives a unit.
   */
  private ownStatementNames(conn: Connection, msg: Buffer): Buffer {
    const type = msg[0]!;
    if (type === CHAR("P")) {
      const name = cstring(msg, 5);
      if (!name || name.text === "") return msg;
      conn.statements.add(conn.prefix + name.text);
      return replaceCString(msg, 5, name.end, conn.prefix + name.text);
    }
    if (type === CHAR("B")) {
      const portal = cstring(msg, 5);
      const statement = portal && cstring(msg, portal.end);
      if (!portal || !statement || statement.text === "") return msg;
      return replaceCString(msg, portal.end, statement.end, conn.prefix + statement.text);
    }
    if (type === CHAR("D") || type === CHAR("C")) {
      if (msg[5] !== CHAR("S")) return msg;
      const name = cstring(msg, 6);
      if (!name || name.text === "") return msg;
      if (type === CHAR("C")) conn.statements.delete(conn.prefix + name.text);
      return replaceCString(msg, 6, name.end, conn.prefix + name.text);
    }
    return msg;
  }

  /** Sends a FATAL error and closes the connection. */
  private fatal(conn: Connection, code: string, text: string) {
    if (!conn.socket.destroyed) conn.socket.end(errorResponse("FATAL", code, text));
    this.close(conn);
  }

  /** Closes a connection; if it owns PGlite, its transaction is rolled back before anything else runs. */
  private close(conn: Connection) {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    if (!conn.socket.destroyed) {
      // Let a FATAL already written go out, then make sure the socket goes.
      conn.socket.end();
      setTimeout(() => conn.socket.destroy(), 1_000).unref();
    }
    this.queue = this.queue.filter((u) => u.conn !== conn);
    if (this.running?.conn === conn) return; // the unit's end sees `closed` and cleans up
    this.cleanUp(conn);
  }

  /** Closes without a goodbye (server stopping, CancelRequest). */
  private drop(conn: Connection) {
    conn.socket.destroy();
    this.close(conn);
  }

  private cleanUp(conn: Connection) {
    const owns = this.owner === conn;
    if (!owns && conn.statements.size === 0) return;
    const parts: Buffer[] = [];
    if (owns) parts.push(ROLLBACK_ANY);
    if (conn.statements.size) {
      for (const name of conn.statements) parts.push(message("C", Buffer.from(`S${name}\0`, "utf8")));
      parts.push(SYNC);
    }
    const unit: Unit = { conn, kind: "cleanup", bytes: Buffer.concat(parts) };
    // The owner's cleanup runs next (only its units may run anyway); another's waits its turn.
    if (owns) this.queue.unshift(unit);
    else this.queue.push(unit);
    this.schedule();
  }

  // ---- the scheduler ----

  private enqueue(unit: Unit) {
    this.queue.push(unit);
    if (this.queue.length > this.counters.peakWaiting) {
      const waiting = new Set(this.queue.map((u) => u.conn)).size;
      this.counters.peakWaiting = Math.max(this.counters.peakWaiting, waiting);
    }
    if (unit.conn === this.owner) this.clearIdleTimer();
    this.schedule();
  }

  /** Runs the next unit on a later turn of the event loop, so data from every socket is in first. */
  private schedule() {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runNext();
    });
  }

  private async runNext() {
    // Once stopped, nothing more runs: the caller closes PGlite next.
    if (this.running || this.stopped) return;
    const owner = this.owner;
    const index = owner ? this.queue.findIndex((u) => u.conn === owner) : this.queue.length ? 0 : -1;
    if (index < 0) {
      if (owner && this.queue.length) this.armIdleTimer(owner);
      return;
    }
    const unit = this.queue.splice(index, 1)[0]!;
    this.clearIdleTimer();
    this.counters.units++;
    this.running = unit;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    try {
      await this.execute(unit);
    } finally {
      this.running = null;
      this.markIdle();
      if (unit.conn.closed && unit.kind !== "cleanup") this.cleanUp(unit.conn);
      this.schedule();
    }
  }

  private async execute(unit: Unit) {
    const { conn } = unit;
    const walker = new ResponseWalker();
    const forward = unit.kind !== "cleanup";
    // One write per unit, however many chunks PGlite hands over.
    conn.socket.cork();
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(unit.bytes, {
          onRawData: (chunk) => {
            walker.feed(chunk);
            if (forward && !conn.closed && !conn.socket.destroyed) conn.socket.write(Buffer.from(chunk));
          },
        }),
      );
    } catch (error) {
      this.counters.failedUnits++;
      this.log(`embedded database: connection ${conn.id} failed: ${(error as Error).message}`);
      if (unit.kind === "cleanup") {
        this.owner = null;
        return;
      }
      // PGlite may have stopped mid-unit: the connection goes, and whatever it left open is rolled
      // back before anyone else runs (the cleanup is harmless if nothing was open).
      this.owner = conn;
      this.fatal(conn, "XX000", `internal error in the embedded database: ${(error as Error).message}`);
      return;
    } finally {
      conn.socket.uncork();
    }
    conn.idleSince = Date.now();
    if (unit.kind === "cleanup") {
      if (this.owner === conn) {
        this.counters.rolledBack++;
        this.owner = null;
      }
      conn.statements.clear();
      return;
    }
    if (walker.status === "I") {
      if (this.owner === conn) this.owner = null;
    } else {
      // In a transaction ('T' or 'E'), or between a Flush and its Sync: only this connection runs.
      this.owner = conn;
    }
  }

  private armIdleTimer(owner: Connection) {
    if (this.idleTimer || this.idleTimeoutMs <= 0) return;
    const wait = Math.max(0, owner.idleSince + this.idleTimeoutMs - Date.now());
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.owner !== owner || this.running || this.queue.some((u) => u.conn === owner)) return;
      if (!this.queue.length) return; // nobody waits any more: the next unit re-arms
      this.counters.idleTimeouts++;
      this.log(
        `embedded database: connection ${owner.id} idle in transaction for ${this.idleTimeoutMs} ms while others waited: rolled back and closed`,
      );
      this.fatal(owner, "25P03", "terminating connection due to idle-in-transaction timeout");
    }, wait);
    this.idleTimer.unref();
  }

  private clearIdleTimer() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
