/**
 * The hand-over of user messages to agents, as the domain sees it: a job enqueued in the very
 * transaction that stores the message (so neither exists without the other), and a nudge after the
 * commit so this instance's workers take it at once instead of at their next poll.
 */
export type DispatchJob = { dispatchId: string; sessionId: string };

/** What a transaction looks like to the queue: pg-boss's own view of a database (db.ts: SqlTransaction). */
export type QueueTransaction = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

export interface DispatchQueue {
  enqueue(tx: QueueTransaction, job: DispatchJob): Promise<void>;
  wake(): void;
  /** Aborts these dispatches if they run on this instance (others learn of the stop from the database). */
  abort(dispatchId: string): void;
}
