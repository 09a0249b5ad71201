import type { DispatchQueue } from "../agents/queue";
import type { Db } from "../db";
import type { EventSink } from "../events/sink";

/**
 * What the domain's writing functions need besides the database: where committed events go (the
 * event bus), and the queue that hands user messages to agents. Reads need only the database.
 */
export type ChatDeps = { db: Db; events: EventSink; queue: DispatchQueue };
