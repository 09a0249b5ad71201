/**
 * tRPC errors in words a person can act on. The codes are the contract's (API.md "Errors");
 * anything without a code is the network.
 */
type ErrorShape = {
  message?: string;
  data?: { code?: string; retryAfter?: number; zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null } | null;
};

export function errorCode(error: unknown): string | undefined {
  return (error as ErrorShape | null)?.data?.code ?? undefined;
}

export function describeError(error: unknown, what: "send" | "create" | "load" | "close" = "load"): string {
  const shape = (error ?? {}) as ErrorShape;
  const code = shape.data?.code;
  switch (code) {
    case "TOO_MANY_REQUESTS": {
      const wait = shape.data?.retryAfter;
      return wait ? `Too many requests. Try again in ${wait} s.` : "Too many requests. Try again in a moment.";
    }
    case "UNAUTHORIZED":
      return "Your session has ended. Sign in again.";
    case "FORBIDDEN":
      if (what === "create") return "You don’t have access to this bot.";
      if (what === "send") return "You no longer have access to this bot, so it can’t take new messages.";
      return "You don’t have permission to do that.";
    case "NOT_FOUND":
      return what === "create" ? "This bot is no longer available." : "This conversation no longer exists.";
    case "PRECONDITION_FAILED":
      if (/agent/i.test(shape.message ?? "")) return "This bot isn’t connected to an agent yet, so it can’t chat. Try another bot.";
      if (/closed/i.test(shape.message ?? "")) return "This session is closed, so it can’t take new messages.";
      return shape.message || "That can’t be done right now.";
    case "BAD_REQUEST": {
      const fields = shape.data?.zodError?.fieldErrors ?? {};
      const first = Object.values(fields).find((messages) => messages?.length)?.[0];
      return first ?? shape.data?.zodError?.formErrors?.[0] ?? "That request wasn’t valid.";
    }
    case "PAYLOAD_TOO_LARGE":
      return "That message is too large.";
    case undefined:
      return "Can’t reach Pit Chat. Check your connection and try again.";
    default:
      return "Something went wrong on our side. Try again.";
  }
}
