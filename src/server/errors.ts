/**
 * The domain's errors. The domain throws these and knows nothing of HTTP; the API layer maps
 * them to tRPC codes in one place (api/trpc.ts).
 */
export type DomainErrorCode =
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "BAD_REQUEST"
  | "PRECONDITION_FAILED"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS";

/** The mark every DomainError carries, the same in every copy of this module (a registered symbol). */
const DOMAIN_ERROR = Symbol.for("pitchat.DomainError");

/**
 * One process can hold two copies of this class: Next bundles the routes apart from
 * src/instrumentation.ts, which serves the API (api/node-handler.ts), and the process-wide services
 * (the rate limits, the dispatcher) throw the copy of whichever bundle created them. So
 * `instanceof DomainError` checks the mark, not the prototype: a limit reached is 429 whichever
 * bundle answers, never a 500.
 */
export class DomainError extends Error {
  readonly [DOMAIN_ERROR] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [DOMAIN_ERROR]?: unknown })[DOMAIN_ERROR] === true;
  }

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Extra fields for `error.data` (e.g. `retryAfter`). */
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const permissionDenied = () => new DomainError("FORBIDDEN", "Permission denied");
export const badRequest = (message: string) => new DomainError("BAD_REQUEST", message);
export const preconditionFailed = (message: string) => new DomainError("PRECONDITION_FAILED", message);
export const tooManyRequests = (retryAfter: number) =>
  new DomainError("TOO_MANY_REQUESTS", `Too many requests: retry in ${retryAfter} s`, { retryAfter });
