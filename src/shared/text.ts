import { z } from "zod";

/** Messages of the rule, exported so tests and forms can tell its refusals from other ones. */
export const TEXT_ERRORS = {
  nul: "Must not contain the NUL character (U+0000)",
  surrogate: "Must not contain an unpaired surrogate (text that is not valid Unicode)",
} as const;

// Without the u flag a regex sees UTF-16 code units, so a half of a pair standing alone is visible.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` can be stored as PostgreSQL text unchanged: no NUL, no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}

/**
 * The one building block for every string an API input takes: ids, content, titles, names,
 * emails, passwords, queries, cursors, client ids, event ids. Start every input string here
 * (`SafeString.trim().min(1).max(…)`), never at `z.string()`.
 *
 * It refuses, as BAD_REQUEST with the field named, the two things PostgreSQL cannot store as text:
 * NUL, which PostgreSQL refuses outright (a 500 if it gets that far), and a lone surrogate, which
 * has no UTF-8 form and would be stored silently as U+FFFD, so what was read back would not be
 * what was sent. `src/shared/text.test.ts` walks every procedure's input and fails on a string
 * that does not refuse them.
 */
export const SafeString = z
  .string()
  .refine((text) => !text.includes("\u0000"), { message: TEXT_ERRORS.nul })
  .refine((text) => !LONE_SURROGATE.test(text), { message: TEXT_ERRORS.surrogate });
