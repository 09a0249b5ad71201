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

export class DomainError extends Error {
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
