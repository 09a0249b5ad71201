import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { inputStrings, withValueAt } from "@/test/input-strings";
import { routerInputs } from "@/test/trpc";
import { SafeString, SignInInput, TEXT_ERRORS, isStorableText } from "@/shared";

describe("SafeString", () => {
  it.each([
    ["NUL alone", "\u0000", TEXT_ERRORS.nul],
    ["NUL inside text", "hello\u0000world", TEXT_ERRORS.nul],
    ["a high surrogate alone", "\ud83d", TEXT_ERRORS.surrogate],
    ["a low surrogate alone", "x\ude00", TEXT_ERRORS.surrogate],
    ["a pair in the wrong order", "\ude00\ud83d", TEXT_ERRORS.surrogate],
    ["a high surrogate at the end", "smile \ud83d", TEXT_ERRORS.surrogate],
  ])("refuses %s with a message that says why", (_, text, message) => {
    const result = SafeString.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message)).toContain(message);
    expect(isStorableText(text)).toBe(false);
  });

  it.each([
    ["empty text", ""],
    ["accents", "héllo wörld"],
    ["a surrogate pair (emoji)", "smile 😀"],
    ["a family emoji", "\u{1f469}\u200d\u{1f469}\u200d\u{1f467}"],
    ["an RTL override", "\u202eevil\u202c"],
    ["other control characters", "\u0001\u001b\u007f"],
    ["the escaped text \\u0000", "\\u0000"],
    ["%00", "%00"],
  ])("keeps %s as it is", (_, text) => {
    expect(SafeString.parse(text)).toBe(text);
    expect(isStorableText(text)).toBe(true);
  });
});

/**
 * The guard that makes the rule impossible to forget: every string that any procedure's input takes
 * (and NextAuth's sign-in form) refuses NUL and a lone surrogate with the rule's own message. A new
 * procedure, or a new field, built on `z.string()` instead of SafeString fails here.
 */
const inputs: [string, z.ZodType][] = [
  ...[...routerInputs()].flatMap(([path, { input }]) => (input ? [[path, input] as [string, z.ZodType]] : [])),
  ["NextAuth sign-in (SignInInput)", SignInInput],
];
const cases = inputs.flatMap(([name, schema]) =>
  inputStrings(schema).map(({ path, free }) => [`${name}: ${path.join(".") || "(the input)"}`, schema, path, free] as const),
);

describe("every string of every input", () => {
  it("has strings to check in every procedure that takes any", () => {
    // Guards the walk itself: if it found nothing, every case below would pass for nothing.
    const named = new Set(cases.map(([name]) => name.split(":")[0]));
    for (const path of ["auth.register", "bot.list", "chat.listSessions", "chat.createSession", "chat.getSession", "chat.listMessages", "chat.sendMessage", "chat.markRead", "chat.closeSession", "chat.renameSession", "chat.deleteSession", "chat.regenerate", "chat.search"]) {
      expect(named).toContain(path);
    }
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.flatMap(([name, schema, path, free]) => [
    [`${name} refuses NUL`, schema, path, free, "pit\u0000chat", TEXT_ERRORS.nul] as const,
    [`${name} refuses a lone surrogate`, schema, path, free, "pit\ud800chat", TEXT_ERRORS.surrogate] as const,
  ]))("%s", (_, schema, path, free, text, message) => {
    const result = schema.safeParse(withValueAt({}, path, text));
    expect(result.success).toBe(false);
    const atPath = result.error!.issues.filter((issue) => JSON.stringify(issue.path) === JSON.stringify(path));
    // Free text says why; an enum refuses anything outside its set in its own words.
    if (free) expect(atPath.map((issue) => issue.message)).toContain(message);
    else expect(atPath.length).toBeGreaterThan(0);
  });
});
