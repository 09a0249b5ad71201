/** Talking to the app as a client does: NextAuth sign-in, tRPC v11 over HTTP with superjson. */

/** Signs in through NextAuth's credentials flow; returns the Cookie header of the session. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  if (!csrf.ok) throw new Error(`GET /api/auth/csrf: ${csrf.status}`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(";")[0]!).find((c) => /^(__Secure-)?next-auth\.session-token=/.test(c));
  if (!session) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text().catch(() => "")}`);
  return session;
}

/** A non-batched tRPC query path: GET /api/trpc/<proc>?input=<superjson-encoded input>. */
export function trpcQueryPath(procedure: string, input: unknown): string {
  return `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
}

export function trpcMutationBody(input: unknown): string {
  return JSON.stringify({ json: input });
}

type TrpcEnvelope<T> = { result?: { data?: { json?: T } }; error?: { json?: { message?: string; code?: number } } };

export async function trpcQuery<T>(base: string, cookie: string, procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${base}${trpcQueryPath(procedure, input)}`, { headers: { cookie } });
  const body = (await res.json()) as TrpcEnvelope<T>;
  if (!res.ok || !body.result?.data) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error ?? body).slice(0, 300)}`);
  return body.result.data.json as T;
}

export async function trpcMutation<T>(base: string, cookie: string, procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${base}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: trpcMutationBody(input),
  });
  const body = (await res.json()) as TrpcEnvelope<T>;
  if (!res.ok || !body.result?.data) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error ?? body).slice(0, 300)}`);
  return body.result.data.json as T;
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

export async function status(url: string): Promise<number> {
  const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  return res.status;
}
