"use client";

import { useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { useCallback } from "react";
import type { ListSessionsOutput, SessionListItem } from "@/shared";
import { api } from "@/trpc/react";

/**
 * Patches one session in every cached page of the sidebar (whatever its filters), so a read or a
 * close shows at once; the refetch that follows an invalidation confirms it.
 */
export function usePatchListedSession() {
  const queryClient = useQueryClient();
  return useCallback(
    (sessionId: string, patch: (session: SessionListItem) => SessionListItem) => {
      queryClient.setQueriesData<InfiniteData<ListSessionsOutput>>(
        { queryKey: getQueryKey(api.chat.listSessions) },
        (data) =>
          data?.pages
            ? {
                ...data,
                pages: data.pages.map((page) => ({
                  ...page,
                  sessions: page.sessions.map((s) => (s.id === sessionId ? patch(s) : s)),
                })),
              }
            : data,
      );
    },
    [queryClient],
  );
}
