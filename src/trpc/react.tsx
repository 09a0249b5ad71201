"use client";

import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { httpBatchLink, httpSubscriptionLink, retryLink, splitLink } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/api/root";
import { createQueryClient } from "./query-client";

let browserQueryClient: QueryClient | undefined;
function getQueryClient() {
  // On the server every request gets its own client; in the browser one lives for the page.
  if (typeof window === "undefined") return createQueryClient();
  return (browserQueryClient ??= createQueryClient());
}

export const api = createTRPCReact<AppRouter>();
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

const url = "/api/trpc";

export function TRPCReactProvider({ children }: { children: React.ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    api.createClient({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          // A dropped stream comes back on its own, resuming after the last event id it received.
          true: [
            retryLink({
              retry: ({ error }) => !["UNAUTHORIZED", "NOT_FOUND", "BAD_REQUEST", "FORBIDDEN"].includes(error.data?.code ?? ""),
              retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 5_000),
            }),
            httpSubscriptionLink({ url, transformer: superjson }),
          ],
          // The server refuses batches over 50 (MAX_BATCH_SIZE); the client never sends one.
          false: httpBatchLink({ url, transformer: superjson, maxItems: 50 }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <api.Provider client={trpcClient} queryClient={queryClient}>
        {children}
      </api.Provider>
    </QueryClientProvider>
  );
}
