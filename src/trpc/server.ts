import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { createRequestContext } from "@/server/api/context";
import { createCaller } from "@/server/api/root";

/** The API called directly from server components: same procedures, same checks, no HTTP hop. */
export const getServerCaller = cache(async () => {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  return createCaller(await createRequestContext({ cookies: cookieStore, headers: headerList }));
});
