/**
 * The demo agent through the whole path a user's message takes: stored and enqueued by
 * chat.sendMessage, taken by a worker (pg-boss), answered by the agent, the reply stored and the
 * user's message delivered, on a real database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { userWithSession } from "@/test/fixtures";
import { FAILURE, HELP, MARKDOWN, demoReplyText, words } from "./demo";
import { waitForReply, collectDeltas } from "@/test/agents";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.startWorkers();
});
afterAll(async () => {
  await t?.close();
});

describe("the demo agent", () => {
  it.each([
    ["/help", HELP],
    ["/echo Hello   there!", "Hello   there!"],
    ["/markdown", MARKDOWN],
  ])("answers %s", async (content, expected) => {
    const { caller, session } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content });
    const { reply, source } = await waitForReply(caller, session.id, message.id);
    expect(reply).toMatchObject({ senderType: "bot", content: expected, replyTo: message.id, status: "delivered", replyStatus: "done", seq: 2 });
    expect(source).toMatchObject({ status: "delivered", ackStatus: "acked", error: null });
    const { session: after } = await caller.chat.getSession({ sessionId: session.id });
    expect(after).toMatchObject({ messageCount: 2, unreadCount: 1, replying: false });
  });

  it("quotes anything else, deterministically", async () => {
    const { caller, session } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "What is **up**?" });
    const { reply } = await waitForReply(caller, session.id, message.id);
    expect(reply!.content).toBe(demoReplyText("What is **up**?"));
    expect(reply!.content).toContain("> What is **up**?");
  });

  it("streams its reply in pieces that join to exactly the stored reply", async () => {
    const { caller, session, user } = await userWithSession(t.db);
    const deltas = collectDeltas(t, user.id);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/slow" });
    const { reply } = await waitForReply(caller, session.id, message.id, 30_000);
    deltas.stop();
    expect(reply!.content).toBe(demoReplyText("/slow"));
    expect(words(reply!.content)).toHaveLength(100);
    // The first words the row was created with, then each delta at its offset, with no gap or
    // overlap: the start of the stored reply (its last words may come with the final update).
    const streamed = deltas.text(reply!.id, reply!.content);
    expect(reply!.content.startsWith(streamed)).toBe(true);
    expect(streamed.length).toBeGreaterThan(reply!.content.length * 0.8);
    expect(deltas.count(reply!.id)).toBeGreaterThan(3);
  });

  it("fails on /fail with a readable reason, without retrying, and Retry dispatches the same message again", async () => {
    const { caller, session } = await userWithSession(t.db);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/fail" });
    const failed = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(failed.reply).toBeNull();
    expect(failed.source).toMatchObject({ status: "failed", ackStatus: "failed", error: FAILURE });
    expect(await t.db.dispatch.count({ where: { messageId: message.id } })).toBe(1);
    expect((await t.db.dispatch.findFirstOrThrow({ where: { messageId: message.id } })).attempts).toBe(1);
    const { session: afterFailure } = await caller.chat.getSession({ sessionId: session.id });
    expect(afterFailure).toMatchObject({ replying: false, messageCount: 1 });

    const { message: retried } = await caller.chat.retryMessage({ messageId: message.id });
    expect(retried).toMatchObject({ id: message.id, status: "sent", ackStatus: "pending", error: null, seq: 1 });
    const again = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(again.source).toMatchObject({ status: "failed", error: FAILURE });
    expect(await t.db.dispatch.count({ where: { messageId: message.id } })).toBe(2);
    // One user message, no second row.
    expect((await caller.chat.listMessages({ sessionId: session.id })).messages).toHaveLength(1);
  });

  it("stops during /slow: the text so far is kept, marked stopped, and the typing mark ends", async () => {
    const { caller, session, user } = await userWithSession(t.db);
    const deltas = collectDeltas(t, user.id);
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/slow" });
    await deltas.waitFor((d) => d.length >= 3, 10_000);
    expect(await caller.chat.stopReply({ sessionId: session.id })).toEqual({ sessionId: session.id, stopped: true });
    const { reply } = await waitForReply(caller, session.id, message.id, 30_000, "stopped");
    await deltas.waitFor((_, live) => {
      const last = live.at(-1);
      return last?.type === "bot.typing" && !last.typing;
    }, 5_000);
    deltas.stop();
    expect(reply).toMatchObject({ replyStatus: "stopped", status: "delivered" });
    expect(reply!.content.length).toBeGreaterThan(0);
    expect(demoReplyText("/slow").startsWith(reply!.content)).toBe(true);
    expect(reply!.content.length).toBeLessThan(demoReplyText("/slow").length);
    expect(deltas.typing().at(-1)).toBe(false);
    expect((await caller.chat.getSession({ sessionId: session.id })).session.replying).toBe(false);
    // Nothing left to stop.
    expect(await caller.chat.stopReply({ sessionId: session.id })).toEqual({ sessionId: session.id, stopped: false });
  });

  it("answers a session's messages one at a time, in order, each reply after its message", async () => {
    const { caller, session } = await userWithSession(t.db);
    const sent = [];
    for (const word of ["one", "two", "three"]) sent.push((await caller.chat.sendMessage({ sessionId: session.id, content: `/echo ${word}` })).message);
    await waitForReply(caller, session.id, sent[2]!.id);
    const { messages } = await caller.chat.listMessages({ sessionId: session.id });
    const replies = messages.filter((m) => m.senderType === "bot");
    expect(replies.map((m) => [m.content, m.replyTo])).toEqual([["one", sent[0]!.id], ["two", sent[1]!.id], ["three", sent[2]!.id]]);
    for (const [i, reply] of replies.entries()) expect(reply.seq).toBeGreaterThan(sent[i]!.seq);
    expect(messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("a bot that cannot answer now", () => {
  it("fails the message with a reason when its bot is offline, and answers after it is back", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    await t.db.bot.update({ where: { id: bot.id }, data: { status: "offline" } });
    const { message } = await caller.chat.sendMessage({ sessionId: session.id, content: "/echo anyone?" });
    const { source } = await waitForReply(caller, session.id, message.id, 30_000, "failed");
    expect(source.error).toBe(`${bot.displayName} is offline right now. Try again when it is back online.`);
    await t.db.bot.update({ where: { id: bot.id }, data: { status: "online" } });
    await caller.chat.retryMessage({ messageId: message.id });
    expect((await waitForReply(caller, session.id, message.id)).reply!.content).toBe("anyone?");
  });
});
