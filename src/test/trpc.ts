/**
 * Helpers for tests that drive the API through createCaller: catching the TRPCError a call throws,
 * formatting it exactly as the HTTP handler would, and reaching procedures by their dotted path.
 */
import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import { appRouter } from "@/server/api/root";
import type { Db } from "@/server/db";
import type { callerFor } from "./fixtures";

type Caller = ReturnType<typeof callerFor>;
type ProcedureType = "query" | "mutation" | "subscription";

type ProcedureDef = { _def: { type: ProcedureType; inputs: z.ZodType[] } };
const procedureDefs = () => (appRouter._def as unknown as { procedures: Record<string, ProcedureDef> }).procedures;

/** Every procedure of the app router, by dotted path ("chat.sendMessage") with its kind. */
export function routerProcedures(): Map<string, ProcedureType> {
  return new Map(Object.entries(procedureDefs()).map(([path, procedure]) => [path, procedure._def.type]));
}

/**
 * Every procedure with its kind and its input schema (undefined for one that takes no input), so
 * tests that must cover every input (the NUL rule, the HTTP fuzzer) follow the router as it grows.
 */
export function routerInputs(): Map<string, { type: ProcedureType; input: z.ZodType | undefined }> {
  return new Map(
    Object.entries(procedureDefs()).map(([path, procedure]) => {
      // tRPC keeps one schema per .input() call; this app calls it once per procedure.
      if (procedure._def.inputs.length > 1) throw new Error(`${path}: more than one .input(); merge them into one schema`);
      return [path, { type: procedure._def.type, input: procedure._def.inputs[0] }];
    }),
  );
}

/**
 * Calls the procedure at `path` with `input`. A subscription is started and its first event awaited
 * (bounded), so an error it raises on start surfaces here just like a query's.
 */
export async function callPath(caller: Caller, path: string, input: unknown): Promise<unknown> {
  let node: unknown = caller;
  for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
  const result = await (node as (input: unknown) => Promise<unknown>)(input);
  if (routerProcedures().get(path) !== "subscription") return result;
  const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      iterator.next(),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: true }), 3_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}

/** The TRPCError a call rejects with; fails the test if it resolves or rejects with anything else. */
export async function trpcError(call: Promise<unknown>): Promise<TRPCError> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw new Error(`expected a TRPCError, got ${String(error)}`, { cause: error });
  }
  throw new Error(`expected the call to fail, it returned ${JSON.stringify(result)?.slice(0, 300)}`);
}

/** The error as a client receives it over HTTP: the app's errorFormatter applied. */
export function errorShape(error: TRPCError, path: string) {
  const shape = getErrorShape({ config: appRouter._def._config, error, type: "unknown", path, input: undefined, ctx: undefined });
  return shape as typeof shape & {
    data: { code: string; zodError: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null; retryAfter?: unknown };
  };
}

/**
 * Every row of the tables the API writes, in a stable order: compare two snapshots to prove that
 * a call wrote nothing.
 */
export async function snapshotRows(db: Db) {
  const [users, bots, access, sessions, messages, dispatches, events] = await Promise.all([
    db.user.findMany({ orderBy: { id: "asc" } }),
    db.bot.findMany({ orderBy: { id: "asc" } }),
    db.botAccess.findMany({ orderBy: [{ userId: "asc" }, { botId: "asc" }] }),
    db.chatSession.findMany({ orderBy: { id: "asc" } }),
    db.message.findMany({ orderBy: { id: "asc" } }),
    db.dispatch.findMany({ orderBy: { id: "asc" } }),
    db.chatEvent.findMany({ orderBy: [{ userId: "asc" }, { seq: "asc" }] }),
  ]);
  return { users, bots, access, sessions, messages, dispatches, events };
}
