/**
 * A backlog of replies is worked through without waiting out the workers' poll: a worker that
 * finishes a job takes the next at once, and a burst of sends wakes several workers. The poll is set
 * far longer than the test may take, so a worker that slept between jobs fails it (before the fix,
 * a chat's second message waited a whole poll whenever the worker woken for it looked while the
 * first one's job was still active).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { userWithSession } from "@/test/fixtures";
import { waitForReply } from "@/test/agents";

const POLL_SECONDS = 120;

let t: TestDatabase;
let working: Promise<unknown> | undefined;
const startWorkers = () => (working ??= t.startWorkers({ pollSeconds: POLL_SECONDS, concurrency: 3 }));
beforeAll(async () => {
  // Sends are only enqueued until a test starts the workers.
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe("a backlog of messages", () => {
  it("whose sends overlapped is answered without waiting for the bound", { timeout: 60_000 }, async () => {
    // Two sends of a chat whose transactions overlapped: the one that started first stored its
    // message second. pg-boss orders jobs by their transaction's start, so it hands out the job of
    // the chat's second message first; as if so, here, with the two jobs' times swapped.
    const { caller, session } = await userWithSession(t.db);
    const first = (await caller.chat.sendMessage({ sessionId: session.id, content: "/echo first" })).message;
    const second = (await caller.chat.sendMessage({ sessionId: session.id, content: "/echo second" })).message;
    const jobs = await t.db.$queryRaw<{ id: string }[]>`
      SELECT j.id::text FROM pgboss.job j JOIN "Dispatch" d ON d.id = j.id::text WHERE d."sessionId" = ${session.id} ORDER BY d."createdAt"`;
    expect(jobs).toHaveLength(2);
    await t.db.$executeRaw`
      UPDATE pgboss.job j SET created_on = o.created_on FROM pgboss.job o
      WHERE j.name = o.name AND j.name = 'pitchat-dispatch' AND ((j.id::text, o.id::text) IN ((${jobs[0]!.id}, ${jobs[1]!.id}), (${jobs[1]!.id}, ${jobs[0]!.id})))`;
    const started = Date.now();
    await startWorkers();
    for (const [message, text] of [[first, "first"], [second, "second"]] as const) {
      expect((await waitForReply(caller, session.id, message.id, 45_000)).reply!.content).toBe(text);
    }
    // The job taken first did not wait for the other (which needed the chat's slot it held).
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("is answered, in the chat's order, well within one poll", { timeout: 60_000 }, async () => {
    await startWorkers();
    const { caller, session } = await userWithSession(t.db);
    const started = Date.now();
    // The first reply takes a second (/slow in tests): the others queue behind it in its group, and
    // the workers woken for them find nothing they may take yet.
    const sent = [];
    for (const content of ["/slow", "/echo 2", "/echo 3", "/echo 4"]) sent.push((await caller.chat.sendMessage({ sessionId: session.id, content })).message);
    await waitForReply(caller, session.id, sent.at(-1)!.id, 45_000);
    const { messages } = await caller.chat.listMessages({ sessionId: session.id });
    const replies = messages.filter((m) => m.senderType === "bot");
    expect(replies.map((m) => m.replyTo)).toEqual(sent.map((m) => m.id));
    expect(replies.slice(1).map((m) => m.content)).toEqual(["2", "3", "4"]);
    // Every reply came while no worker's poll could have come round.
    expect(Date.now() - started).toBeLessThan((POLL_SECONDS * 1000) / 4);
  });

  it("from several chats at once is answered by several workers", { timeout: 60_000 }, async () => {
    await startWorkers();
    const chats = await Promise.all([1, 2, 3].map(() => userWithSession(t.db)));
    const started = Date.now();
    const sent = await Promise.all(
      chats.map(async ({ caller, session }) => {
        const messages = [];
        for (const n of [1, 2, 3]) messages.push((await caller.chat.sendMessage({ sessionId: session.id, content: n === 1 ? "/slow" : `/echo ${n}` })).message);
        return messages;
      }),
    );
    for (const [i, { caller, session }] of chats.entries()) {
      await waitForReply(caller, session.id, sent[i]!.at(-1)!.id, 45_000);
      const { messages } = await caller.chat.listMessages({ sessionId: session.id });
      expect(messages.filter((m) => m.senderType === "bot").map((m) => m.replyTo)).toEqual(sent[i]!.map((m) => m.id));
    }
    // Three slow replies of a second each, side by side rather than one after the other.
    expect(Date.now() - started).toBeLessThan((POLL_SECONDS * 1000) / 4);
  });
});
