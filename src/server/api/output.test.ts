/**
 * outputOf: outside production every answer is parsed by its output schema and must come through
 * unchanged, so a DTO that leaks a field, or sends a value the contract does not allow, fails the
 * test that reaches it (production relies on these tests and checks types only).
 */
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { createCallerFactory, createTRPCRouter, outputOf, publicProcedure, type Context } from "./trpc";

const Answer = z.object({ id: z.string(), at: z.date(), note: z.string().nullable() });
const router = createTRPCRouter({
  exact: publicProcedure.output(outputOf(Answer)).query(() => ({ id: "a", at: new Date(0), note: null })),
  leaks: publicProcedure.output(outputOf(Answer)).query(() => ({ id: "a", at: new Date(0), note: null, passwordHash: "x" })),
  wrongType: publicProcedure.output(outputOf(Answer)).query(() => ({ id: "a", at: "1970-01-01T00:00:00.000Z", note: null }) as never),
});
const caller = createCallerFactory(router)({} as Context);

describe("outputOf (tests run outside production)", () => {
  it("passes an answer that is exactly its schema", async () => {
    expect(await caller.exact()).toEqual({ id: "a", at: new Date(0), note: null });
  });

  it("fails an answer with a field the schema would strip", async () => {
    await expect(caller.leaks()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
  });

  it("fails an answer whose value the schema refuses", async () => {
    await expect(caller.wrongType()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
  });
});
