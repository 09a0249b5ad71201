import { z } from "zod";

/**
 * The server's environment, validated once at start. A bad or missing value stops the process
 * with a message naming the variable, instead of failing later inside a request.
 */
const intFrom = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ message: "DATABASE_URL is required (npm run dev / npm start set it for the embedded database)" })
    .url({ message: "DATABASE_URL must be a postgres:// URL" }),
  /** Pool size per process. The embedded database sets it to its connection limit. */
  DATABASE_POOL_MAX: intFrom(10),
  /** Prepared statements on PostgreSQL (src/server/db.ts); 0 behind a pooler in transaction mode. */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(["0", "1"], { message: "DATABASE_PREPARED_STATEMENTS must be 0 or 1" })
    .default("1")
    .transform((value) => value === "1"),
  NEXTAUTH_SECRET: z.string().min(16, { message: "NEXTAUTH_SECRET must be at least 16 characters" }),
  NEXTAUTH_URL: z.string().url().optional(),
  /**
   * How many reverse proxies sit in front and append to X-Forwarded-For: 0 takes the client's
   * address from the connection, N takes the N-th address from the right (src/server/client-ip.ts).
   */
  TRUSTED_PROXY_HOPS: intFrom(0),
  /** Set by the launcher on the embedded default: one instance (events stay in process), and the seed's demo users exist. */
  PITCHAT_EMBEDDED: z
    .enum(["", "0", "1"], { message: "PITCHAT_EMBEDDED is set by npm run dev / npm start: 1 or unset" })
    .optional()
    .transform((value) => value === "1"),
  /** Requests per window; 0 turns a limit off (for load tests against a trusted server). */
  RATE_LIMIT_WINDOW_SECONDS: intFrom(60),
  /** Sign-in attempts per IP and email: one address cannot lock a user out from everywhere. */
  RATE_LIMIT_SIGNIN: intFrom(10),
  /** Sign-in attempts per IP, whatever the email: bounds password spraying and argon2 work. */
  RATE_LIMIT_SIGNIN_IP: intFrom(50),
  RATE_LIMIT_REGISTER: intFrom(5),
  RATE_LIMIT_SEND: intFrom(60),
  /** pg-boss's own connections per instance (its workers' claims, heartbeats, maintenance). */
  QUEUE_POOL_MAX: intFrom(4),
  /** Replies one instance generates at once. */
  AGENT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Seconds without a heartbeat before a dead instance's reply moves to another (pg-boss: at least 10). */
  AGENT_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3600).default(10),
  /** The demo agent's pause between words, and the length of its /slow reply. */
  DEMO_WORD_DELAY_MS: intFrom(30),
  DEMO_SLOW_MS: intFrom(5_000),
  /** How long the event log keeps events for clients that resume (chat.onEvent's lastEventId). */
  EVENT_RETENTION_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(168),
});

export type Env = z.infer<typeof EnvSchema>;

function loadEnv(): Env {
  // `next build` imports server modules to analyse them; nothing runs, so nothing to validate.
  if (process.env.NEXT_PHASE === "phase-production-build" || process.env.SKIP_ENV_VALIDATION) {
    return EnvSchema.parse({
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://build@localhost/build",
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "build-time-placeholder-secret",
    });
  }
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

let cached: Env | undefined;

/** The validated environment; the first call validates, so importing this module has no effect. */
export function getEnv(): Env {
  return (cached ??= loadEnv());
}
