import { hostname } from "node:os";
import { PgBoss, type Job } from "pg-boss";
import { Prisma } from "@/generated/prisma/client";
import type { ChatDeps } from "../chat/deps";
import { queryRows, transaction } from "../db";
import { PreparedStatementsDb } from "./boss-db";
import {
  endDispatch, historyBefore, openReply, recordAttemptError, saveReplyText, startDispatch, stopRequested,
  type RunningDispatch,
} from "../chat/replies";
import type { DispatchJob, DispatchQueue, QueueTransaction } from "./queue";
import { agentFor, historyWindow, type AgentSettings } from "./registry";
import { AgentError, type Agent } from "./types";

/**
 * Drives agents from pg-boss jobs. A job is enqueued in the transaction that stores the user's
 * message (chat/messages.ts) and taken by a worker of any instance:
 * - at once by the instance that stored it: after the commit it wakes one of its idle workers (in
 *   turn, so a burst of sends wakes as many workers); a worker that finishes a job fetches the next
 *   at once, and only a worker whose fetch found nothing waits for a wake or its poll
 *   (`pollSeconds`, every worker of every instance). Not through pg-boss's LISTEN/NOTIFY: pg-boss wakes every
 *   worker of every instance on every job, so each send cost 8 fetches per instance (on 4 instances,
 *   13 ms of PostgreSQL CPU a send, more than the send itself), for one job one worker takes;
 * - one at a time per session (a pg-boss group per session), so replies come in the order asked,
 *   each agent seeing the replies before it;
 * - with a heartbeat: a job whose worker died is failed by pg-boss after `heartbeatSeconds` and
 *   retried by a live instance, where the reply's unique dispatchId makes the retry rewrite the dead
 *   attempt's reply instead of adding one;
 * - retried with back-off when the agent's failure is transient (a webhook 5xx); a job out of
 *   retries lands in the dead-letter queue, whose handler fails the user's message readably.
 */
export const QUEUES = {
  dispatch: "pitchat-dispatch",
  dead: "pitchat-dispatch-dead",
  /** Fails a message whose webhook service said it would answer later and did not. */
  deadline: "pitchat-reply-deadline",
} as const;

export type DispatcherSettings = AgentSettings & {
  /** Jobs run at once by one instance. */
  concurrency: number;
  /** Seconds without a heartbeat before a running job is given to another worker (pg-boss: ≥ 10). */
  heartbeatSeconds: number;
  /** How often each worker polls when nothing woke it. */
  pollSeconds: number;
  /** Attempts after the first, for transient agent failures and dead workers. */
  retryLimit: number;
  /** The first retry's delay; each next one doubles (with jitter), up to a minute. */
  retryDelaySeconds: number;
  /** How often the reply's text is saved (and streamed to other instances' subscribers). */
  flushMs: number;
};

export const DEFAULT_DISPATCHER_SETTINGS: DispatcherSettings = {
  concurrency: 8,
  heartbeatSeconds: 10,
  pollSeconds: 2,
  retryLimit: 3,
  retryDelaySeconds: 2,
  flushMs: 100,
  demoWordDelayMs: 30,
  demoSlowMs: 5_000,
};

/**
 * Installs pg-boss's schema and creates the queues. Run in one place at start (the launcher, holding
 * the migration lock), never by several processes at once: concurrent createQueue calls deadlock.
 */
export async function prepareQueues(boss: PgBoss, settings: Pick<DispatcherSettings, "heartbeatSeconds" | "retryLimit">): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  const create = async (name: string, options: Parameters<PgBoss["createQueue"]>[1]) => {
    if (!existing.has(name)) await boss.createQueue(name, options);
  };
  await create(QUEUES.dead, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
  await create(QUEUES.deadline, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
  await create(QUEUES.dispatch, {
    heartbeatSeconds: settings.heartbeatSeconds,
    // The agents' own time-outs bound a reply; this only catches a handler that never settles.
    expireInSeconds: 60 * 60,
    retryLimit: settings.retryLimit,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 60,
    deadLetter: QUEUES.dead,
    deleteAfterSeconds: 24 * 60 * 60,
    notify: false,
  });
  // Databases set up before the workers were woken one at a time: no NOTIFY per job (see Dispatcher).
  if ((await boss.getQueue(QUEUES.dispatch))?.notify) await boss.updateQueue(QUEUES.dispatch, { notify: false });
}

/**
 * pg-boss's client for this process: workers and maintenance (no LISTEN: see Dispatcher).
 *
 * With `asyncCommit` (PostgreSQL), its own connections commit without waiting for the WAL to reach the
 * disk (synchronous_commit off): what they write is the queue's bookkeeping (a job taken, completed,
 * retried, its heartbeat), and pg-boss recovers from losing any of it, as it recovers from a dead
 * worker: a job whose taking or completion a crash of PostgreSQL undid is taken again once its
 * heartbeat is missed, and its dispatch, which the app's own statements keep durably, either runs
 * again (rewriting its one reply) or is found finished. A job that must not be lost is never written
 * on these connections: a send's job goes in the send's own transaction, a reply deadline's on the
 * app's pool. With `prepare`, they also plan each prepared statement once for any values
 * (plan_cache_mode): PostgreSQL otherwise re-planned pg-boss's complete at every call, as its
 * generic plan's estimate (an array of ids of unknown length) never beat a custom one.
 */
export function createBoss(connectionString: string, options: { poolMax: number; supervise?: boolean; prepare?: boolean; asyncCommit?: boolean }): PgBoss {
  const settings = [
    ...(options.asyncCommit ? ["-c synchronous_commit=off"] : []),
    ...(options.prepare ? ["-c plan_cache_mode=force_generic_plan"] : []),
  ];
  const pool = { connectionString, max: options.poolMax, ...(settings.length ? { options: settings.join(" ") } : {}) };
  const boss = new PgBoss({
    // Its statements prepared once per connection (boss-db.ts) where the app's own are (db.ts).
    ...(options.prepare ? { db: new PreparedStatementsDb({ ...pool, application_name: `pgboss:pitchat-${process.pid}` }) } : pool),
    useListenNotify: false,
    supervise: options.supervise ?? true,
    // Heartbeats are checked by the supervisor: often, so a dead worker's job moves within seconds.
    superviseIntervalSeconds: 2,
    monitorIntervalSeconds: 5,
    schedule: false,
    migrate: true,
    instanceName: `pitchat-${process.pid}`,
    persistWarnings: false,
  });
  boss.on("error", (error) => console.error("pg-boss:", error));
  return boss;
}

type DispatchData = { dispatchId: string };

/** This instance, as Dispatch.runner records it. */
const RUNNER = `${hostname()}:${process.pid}`;

export class Dispatcher implements DispatchQueue {
  private workerIds: string[] = [];
  /** Workers running a job now: a wake goes to one of the others. */
  private busy = new Set<string>();
  /** Where the next wake starts looking for an idle worker. */
  private nextWake = 0;
  /** Dispatches running here, so a Stop on this instance aborts at once. */
  private running = new Map<string, AbortController>();
  private stopping = false;

  constructor(
    private readonly boss: PgBoss,
    private readonly deps: ChatDeps,
    readonly settings: DispatcherSettings,
  ) {}

  async enqueue(tx: QueueTransaction, job: DispatchJob): Promise<void> {
    const data: DispatchData = { dispatchId: job.dispatchId };
    await this.boss.send(QUEUES.dispatch, data, {
      id: job.dispatchId,
      group: { id: job.sessionId },
      retryLimit: this.settings.retryLimit,
      retryDelay: this.settings.retryDelaySeconds,
      retryBackoff: this.settings.retryDelaySeconds > 0,
      db: tx,
    });
  }

  wake(): void {
    // In turn: wakes in quick succession (sends from many users) each reach another idle worker,
    // instead of all landing on the first one, which would take one job while the rest sleep.
    const count = this.workerIds.length;
    for (let i = 0; i < count; i++) {
      const id = this.workerIds[(this.nextWake + i) % count]!;
      if (this.busy.has(id)) continue;
      this.nextWake = (this.nextWake + i + 1) % count;
      return this.boss.notifyWorker(id);
    }
  }

  /** Connects pg-boss (its schema and queues exist: see prepareQueues). Enough for enqueueing. */
  async start(): Promise<void> {
    await this.boss.start();
  }

  /** Starts this instance's workers. */
  async work(): Promise<void> {
    // NOTIFY wakes workers for new jobs; a retry (a dead instance's job, or back-off after a
    // failure) becomes due without one, so the poll stays short on PostgreSQL too.
    const poll = { pollingIntervalSeconds: this.settings.pollSeconds, notifyPollingIntervalSeconds: this.settings.pollSeconds };
    for (let i = 0; i < this.settings.concurrency; i++) {
      let id = "";
      id = await this.boss.work<DispatchData>(
        QUEUES.dispatch,
        { ...poll, includeMetadata: true, groupConcurrency: 1 },
        async ([job]) => {
          this.busy.add(id);
          try {
            return await this.run(job as Job<DispatchData> & { retryCount: number; retryLimit: number });
          } finally {
            this.busy.delete(id);
            // Straight on to the next job: pg-boss would otherwise wait out the poll after every
            // job, so a backlog drained at one job per worker per `pollSeconds` unless sends woke them.
            this.boss.notifyWorker(id);
          }
        },
      );
      this.workerIds.push(id);
    }
    await this.boss.work<DispatchData>(QUEUES.dead, poll, async ([job]) => this.giveUp(job!.data.dispatchId));
    await this.boss.work<DispatchData>(QUEUES.deadline, poll, async ([job]) => this.deadlinePassed(job!.data.dispatchId));
  }

  /** Aborts a dispatch running on this instance (others see the stop request in the database). */
  abort(dispatchId: string): void {
    this.running.get(dispatchId)?.abort(new StopRequested());
  }

  /**
   * Stops taking jobs and aborts the running ones; pg-boss hands them to another instance, where they
   * start over (the reply's text restarts, still one row).
   */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    for (const controller of this.running.values()) controller.abort(new ShuttingDown());
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }

  private async run(job: Job<DispatchData> & { retryCount: number; retryLimit: number }): Promise<void> {
    // An earlier reply of the chat that another worker took at the same moment goes first (bounded,
    // so a stuck one cannot hold this one for good).
    let d: Awaited<ReturnType<typeof startDispatch>>;
    for (const until = Date.now() + 60_000; ; ) {
      const wait = Date.now() < until && !this.stopping;
      d = await startDispatch(this.deps, job.data.dispatchId, RUNNER, wait ? this.noEarlierRunning(job.data.dispatchId) : undefined);
      if (d !== "not yet") break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    if (!d) return;
    const controller = new AbortController();
    this.running.set(d.id, controller);
    let typing = false;
    const writer = new ReplyWriter(this.deps, d, this.settings.flushMs, () => controller.abort(new StopRequested()));
    try {
      if (d.stopRequested) {
        // Stopped before this attempt began: what an earlier attempt wrote is kept as it is.
        if (d.reply) writer.adopt(d.reply);
        return void (await writer.end("stopped"));
      }
      const agent = this.agentOf(d);
      const history = await historyBefore(this.deps.db, d.sessionId, d.message.seq, historyWindow(d.agent!));
      this.typing(d, (typing = true));
      const watch = setInterval(() => {
        if (!writer.saving) void stopRequested(this.deps.db, d.id).then((stop) => stop && controller.abort(new StopRequested()));
      }, 500);
      try {
        const reply = agent.reply({
          dispatchId: d.id,
          session: { id: d.sessionId, title: d.session.title },
          bot: { id: d.bot!.id, name: d.bot!.name, displayName: d.bot!.displayName },
          message: d.message,
          history,
          signal: controller.signal,
        });
        for (;;) {
          const next = await reply.next();
          if (next.done) {
            await writer.end(next.value === "later" && !writer.hasText ? "waiting" : "done", agent);
            if (next.value === "later" && !writer.hasText) await this.scheduleDeadline(d);
            return;
          }
          writer.push(next.value, agent);
        }
      } finally {
        clearInterval(watch);
      }
    } catch (error) {
      const reason = controller.signal.reason;
      if (reason instanceof StopRequested) return void (await writer.end("stopped"));
      if (reason instanceof ShuttingDown || this.stopping) throw new Error("The server shut down mid-reply; another instance takes over.");
      const failure = error instanceof AgentError ? error : new AgentError("The agent failed unexpectedly.", { retryable: true, cause: error });
      if (!(error instanceof AgentError)) console.error(`dispatch ${d.id} failed:`, error);
      if (failure.retryable && job.retryCount < job.retryLimit) {
        // Back to the queue: pg-boss retries with back-off; the message stays acked meanwhile.
        await writer.abandon();
        await recordAttemptError(this.deps.db, d.id, failure.message).catch(() => {});
        throw failure;
      }
      await writer.end("failed", undefined, failure.message);
    } finally {
      this.running.delete(d.id);
      if (typing) this.typing(d, false);
    }
  }

  /**
   * That no job of an earlier reply of the same chat is running now (a condition for startDispatch).
   * pg-boss runs one job of a chat at a time, but two workers fetching at the same moment can both
   * pass its limit; the later reply (in the chat's order, the dispatches' createdAt) then waits for
   * the earlier one.
   *
   * Only for a job that is running: an earlier reply whose job is not (queued behind this one, or
   * waiting to be retried) needs the chat's one slot, which this job holds, so waiting for it would
   * hold both until the bound. That happens when two sends of a chat overlap: pg-boss orders jobs by
   * their transaction's start, the chat by the order the sends stored their messages in.
   */
  private noEarlierRunning(dispatchId: string): Prisma.Sql {
    return Prisma.sql`NOT EXISTS (
      SELECT 1 FROM "Dispatch" me
      JOIN pgboss.job j ON j.name = ${QUEUES.dispatch} AND j.state = 'active' AND j.group_id = me."sessionId"
      JOIN "Dispatch" o ON o.id = j.id::text
      WHERE me.id = ${dispatchId} AND o.id <> me.id AND (o."createdAt", o.id) < (me."createdAt", me.id)
    )`;
  }

  private agentOf(d: RunningDispatch): Agent {
    if (!d.bot) throw new AgentError("This chat's bot no longer exists.", { retryable: false });
    if (d.bot.status === "disabled" || d.session.status === "paused") {
      throw new AgentError(`${d.bot.displayName} is disabled for now and cannot reply. Try again when it is back.`, { retryable: false });
    }
    if (d.bot.status === "offline") {
      throw new AgentError(`${d.bot.displayName} is offline right now. Try again when it is back online.`, { retryable: false });
    }
    if (!d.agent) throw new AgentError("Bot has no agent bound", { retryable: false });
    return agentFor(d.agent, this.settings);
  }

  private typing(d: RunningDispatch, typing: boolean) {
    if (d.bot) this.deps.events.live(d.userId, { type: "bot.typing", sessionId: d.sessionId, botId: d.bot.id, typing });
  }

  private async scheduleDeadline(d: RunningDispatch) {
    const config = d.agent?.config as { replyTimeoutMs?: number } | undefined;
    const seconds = Math.ceil((config?.replyTimeoutMs ?? 300_000) / 1000);
    // On the app's pool, committed durably: pg-boss's own connections do not wait for the disk (createBoss).
    await transaction(this.deps.db, (tx) => this.boss.send(QUEUES.deadline, { dispatchId: d.id }, { startAfter: seconds, singletonKey: d.id, db: tx }));
  }

  /** A dispatch out of retries (its agent kept failing, or its workers kept dying). */
  private async giveUp(dispatchId: string): Promise<void> {
    const [d] = await queryRows<{ id: string; sessionId: string; messageId: string; error: string | null; replyId: string | null; content: string | null }>(this.deps.db, Prisma.sql`
      SELECT d.id, d."sessionId", d."messageId", d.error, r.id AS "replyId", r.content
      FROM "Dispatch" d LEFT JOIN "Message" r ON r."dispatchId" = d.id WHERE d.id = ${dispatchId}`);
    if (!d) return;
    await endDispatch(this.deps, d, {
      status: "failed",
      reply: d.replyId ? { id: d.replyId, content: d.content ?? "" } : null,
      error: d.error ?? "The agent did not answer: the servers running it stopped, several times.",
    });
  }

  private async deadlinePassed(dispatchId: string): Promise<void> {
    const [d] = await queryRows<{ id: string; sessionId: string; messageId: string; status: string }>(this.deps.db, Prisma.sql`
      SELECT id, "sessionId", "messageId", status FROM "Dispatch" WHERE id = ${dispatchId}`);
    if (d?.status !== "waiting") return;
    await endDispatch(this.deps, d, { status: "failed", reply: null, error: "The webhook service did not send its reply in time." });
  }
}

class StopRequested extends Error {
  constructor() {
    super("Stopped by the user");
  }
}

class ShuttingDown extends Error {
  constructor() {
    super("The server is shutting down");
  }
}

/**
 * The reply as it streams: the row is inserted at the first words; after that the text is saved at
 * most every `flushMs` and each save is followed by one `message.delta` with what it added, so the
 * database always holds at least what any subscriber was sent.
 */
class ReplyWriter {
  private text = "";
  private saved = 0;
  private replyId: string | null = null;
  private contentType: "markdown" | "text" = "markdown";
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private failed: unknown = null;
  /** A save is in flight: it reports stop requests, so the watcher need not ask. */
  saving = false;

  constructor(
    private readonly deps: ChatDeps,
    private readonly d: RunningDispatch,
    private readonly flushMs: number,
    private readonly onStop: () => void,
  ) {}

  get hasText(): boolean {
    return this.text.length > 0;
  }

  push(piece: string, agent: Agent): void {
    if (!piece) return;
    this.contentType = agent.contentType;
    this.text += piece;
    if (this.replyId === null && this.text.length === piece.length) {
      this.enqueue(() => this.open());
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.enqueue(() => this.save());
      }, this.flushMs);
    }
  }

  /** Ends the dispatch: the reply stored whole (or as far as it got), or the message failed. */
  async end(status: "done" | "stopped" | "failed" | "waiting", agent?: Agent, error?: string): Promise<void> {
    if (agent) this.contentType = agent.contentType;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
    if (this.failed) throw this.failed;
    const reply = this.replyId ? { id: this.replyId, content: this.text } : null;
    if (status === "waiting") {
      await endDispatch(this.deps, this.d, { status: "waiting" });
    } else if (status === "done") {
      if (!reply) {
        await endDispatch(this.deps, this.d, { status: "failed", reply: null, error: "The agent's reply was empty." });
      } else {
        // The last words since the previous save travel in the message.updated this commits.
        await endDispatch(this.deps, this.d, { status: "done", reply });
      }
    } else if (status === "stopped") {
      await endDispatch(this.deps, this.d, { status: "stopped", reply: reply ? { id: reply.id, content: this.text.slice(0, this.saved) } : null });
    } else {
      // Everything the agent sent before it failed is kept, saved or not (a stop keeps only what the
      // user had seen when they pressed it).
      await endDispatch(this.deps, this.d, { status: "failed", reply, error: error ?? "The agent failed." });
    }
  }

  /** Takes over the reply row an earlier attempt left, with the text it had saved. */
  adopt(reply: { id: string; content: string }): void {
    this.replyId = reply.id;
    this.text = reply.content;
    this.saved = reply.content.length;
  }

  /** The attempt is given up for a retry: pending saves finish, nothing more is written. */
  async abandon(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain.catch(() => {});
  }

  private enqueue(step: () => Promise<void>) {
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      this.saving = true;
      try {
        await step();
      } catch (error) {
        this.failed = error;
      } finally {
        this.saving = false;
      }
    });
  }

  private async open() {
    const first = this.text;
    const reply = await openReply(this.deps, this.d, first, this.contentType);
    if (!reply) return this.onStop();
    this.replyId = reply.id;
    this.saved = first.length;
    if (this.text.length > this.saved && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.enqueue(() => this.save());
      }, this.flushMs);
    }
  }

  private async save() {
    if (!this.replyId || this.saved >= this.text.length) return;
    const content = this.text;
    const { stopRequested } = await saveReplyText(this.deps.db, this.d.id, this.replyId, content);
    // Only what is saved is sent: a page loaded from the database never misses a word it was sent.
    const offset = this.saved;
    this.saved = content.length;
    this.deps.events.live(this.d.userId, {
      type: "message.delta", sessionId: this.d.sessionId, messageId: this.replyId, delta: content.slice(offset), offset,
    });
    if (stopRequested) this.onStop();
  }
}
