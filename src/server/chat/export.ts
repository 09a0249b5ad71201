import { Prisma } from "@/generated/prisma/client";
import type { ChatSession, Message } from "@/shared";
import type { Db } from "../db";
import { MESSAGE_COLUMNS, SESSION_COLUMNS, toBotSummary, toMessage, toSession, type BotRow, type MessageRow, type SessionRow } from "./dto";

export type ExportFormat = "md" | "json";

export type ConversationExport = {
  filename: string;
  contentType: string;
  /** Written page by page as it is read: a session of 100,000 messages is never held whole. */
  body: ReadableStream<Uint8Array>;
};

/** Messages read per statement while an export streams. */
export const EXPORT_PAGE = 500;

type SessionWithBot = SessionRow & { bot_name: string | null; bot_displayName: string | null; bot_avatar: string | null; bot_status: BotRow["status"] | null };

/**
 * The caller's conversation as a download: JSON (`{ session, messages }` in the API's own shapes,
 * dates as ISO strings, so a script reads it back with the same schemas) or Markdown (for people).
 * Null when the session is not the caller's (or does not exist): the route answers 404 either way.
 *
 * It holds the messages that existed when it started (seq up to the session's count then), read in
 * pages of EXPORT_PAGE by seq; if the session is deleted meanwhile, the export ends where it got.
 */
export async function exportConversation(
  db: Db,
  userId: string,
  sessionId: string,
  format: ExportFormat,
  pageSize = EXPORT_PAGE,
): Promise<ConversationExport | null> {
  const [row] = await db.$queryRaw<SessionWithBot[]>`
    SELECT ${SESSION_COLUMNS}, b.name AS "bot_name", b."displayName" AS "bot_displayName", b.avatar AS "bot_avatar", b.status AS "bot_status"
    FROM "ChatSession" s LEFT JOIN "Bot" b ON b.id = s."botId"
    WHERE s.id = ${sessionId} AND s."userId" = ${userId}`;
  if (!row) return null;
  const session = toSession(
    row,
    row.botId && row.bot_name
      ? toBotSummary({ id: row.botId, name: row.bot_name, displayName: row.bot_displayName!, avatar: row.bot_avatar, status: row.bot_status! })
      : null,
  );
  const lastSeq = session.messageCount;
  const writer = format === "json" ? jsonWriter(session) : markdownWriter(session);
  const encoder = new TextEncoder();
  let after = 0;
  let done = false;

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(writer.start()));
    },
    // Called when the reader wants more: one page per pull, so a slow download reads slowly.
    async pull(controller) {
      if (done) return;
      const rows = await db.$queryRaw<MessageRow[]>(Prisma.sql`
        SELECT ${MESSAGE_COLUMNS} FROM "Message"
        WHERE "sessionId" = ${sessionId} AND seq > ${after} AND seq <= ${lastSeq}
        ORDER BY seq LIMIT ${pageSize}`);
      const messages = rows.map(toMessage);
      if (messages.length > 0) {
        after = messages.at(-1)!.seq;
        controller.enqueue(encoder.encode(messages.map((m) => writer.message(m)).join("")));
      }
      if (messages.length < pageSize || after >= lastSeq) {
        done = true;
        controller.enqueue(encoder.encode(writer.end()));
        controller.close();
      }
    },
  }, { highWaterMark: 1 });

  const extension = format === "json" ? "json" : "md";
  return {
    filename: `${fileStem(session.title)}.${extension}`,
    contentType: format === "json" ? "application/json; charset=utf-8" : "text/markdown; charset=utf-8",
    body,
  };
}

type Writer = { start(): string; message(message: Message): string; end(): string };

function jsonWriter(session: ChatSession): Writer {
  let first = true;
  return {
    // JSON.stringify writes Dates as ISO strings.
    start: () => `{"session":${JSON.stringify(session)},"messages":[`,
    message(message) {
      const text = `${first ? "" : ","}\n${JSON.stringify(message)}`;
      first = false;
      return text;
    },
    end: () => `${first ? "" : "\n"}]}\n`,
  };
}

const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

function markdownWriter(session: ChatSession): Writer {
  const bot = session.bot?.displayName ?? "a bot";
  return {
    start: () =>
      `# ${oneLine(session.title)}\n\nA conversation with ${bot}, started ${utc(session.createdAt)}` +
      `${session.status === "closed" ? " (closed)" : ""}. Exported from Pit Chat.\n`,
    message(message) {
      const who = message.senderType === "user" ? "You" : message.senderName;
      const notes = [
        message.replyStatus === "stopped" ? "stopped" : null,
        message.replyStatus === "failed" ? "interrupted" : null,
        message.status === "failed" ? `failed: ${message.error ?? "not answered"}` : null,
      ].filter(Boolean);
      return `\n---\n\n**${oneLine(who)}** · ${utc(message.createdAt)}${notes.length ? ` · _${notes.join(", ")}_` : ""}\n\n${message.content}\n`;
    },
    end: () => "",
  };
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** A file name from the title: ASCII letters, digits and dashes (the full title goes in filename*). */
export function fileStem(title: string): string {
  const stem = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "")
    .toLowerCase();
  return stem || "chat";
}
