import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { userWithSession } from "@/test/fixtures";
import { storeBotReply } from "./messages";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

describe("smoke", () => {
  it("sends and lists", async () => {
    const { caller, session, bot } = await userWithSession(t.db);
    const a = await caller.chat.sendMessage({ sessionId: session.id, content: " hi ", clientId: "c1" });
    const b = await caller.chat.sendMessage({ sessionId: session.id, content: "hi again", clientId: "c1" });
    expect(b.message.id).toBe(a.message.id);
    await expect(caller.chat.sendMessage({ sessionId: session.id, content: "x", replyTo: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await storeBotReply(t.db, { sessionId: session.id, bot, content: "hello", replyTo: a.message.id });
    t.statements.reset();
    const list = await caller.chat.listSessions();
    console.log(t.statements.sql);
    expect(list.sessions[0]!.unreadCount).toBe(1);
    expect(list.sessions[0]!.messageCount).toBe(2);
    const msgs = await caller.chat.listMessages({ sessionId: session.id });
    expect(msgs.messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(await caller.chat.markRead({ sessionId: session.id })).toEqual({ sessionId: session.id, markedRead: 1 });
    expect(await caller.chat.markRead({ sessionId: session.id })).toEqual({ sessionId: session.id, markedRead: 0 });
    await caller.chat.closeSession({ sessionId: session.id });
    await expect(caller.chat.sendMessage({ sessionId: session.id, content: "x" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});
