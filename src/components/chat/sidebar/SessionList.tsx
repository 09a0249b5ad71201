"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";
import type { SessionListItem } from "@/shared";
import { Avatar } from "@/components/ui/Avatar";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Spinner";
import { api } from "@/trpc/react";
import { describeError } from "../errors";
import { plainPreview, relativeTime } from "../format";
import { useNow } from "../use-now";
import type { StatusFilter } from "./SessionFilters";
import { SkeletonRow } from "@/components/ui/Skeleton";

const PAGE_SIZE = 20;

export function SessionList({ status, botId, openSessionId }: { status: StatusFilter; botId: string; openSessionId: string | null }) {
  const query = useSessionPages(status, botId);
  const now = useNow();
  const scroller = useRef<HTMLElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage, isFetchNextPageError } = query;

  // Infinite scroll: the next page loads as the end of the list comes near.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage || isFetchingNextPage || isFetchNextPageError) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void fetchNextPage();
      },
      { root: scroller.current, rootMargin: "240px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage]);

  const sessions = query.data?.pages.flatMap((page) => page.sessions) ?? [];
  const total = query.data?.pages[0]?.total;

  return (
    <nav ref={scroller} aria-label="Sessions" aria-busy={query.isPending || undefined} className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
      {query.isPending ? (
        <SessionListSkeleton />
      ) : query.isError ? (
        <div role="alert" className="m-2 rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          <p className="font-medium">Couldn’t load your conversations.</p>
          <p className="mt-1 text-red-700 dark:text-red-300">{describeError(query.error)}</p>
          <Button variant="secondary" size="sm" className="mt-3" onClick={() => void query.refetch()}>
            Try again
          </Button>
        </div>
      ) : sessions.length === 0 ? (
        <EmptyList filtered={status !== "all" || !!botId} status={status} />
      ) : (
        <>
          <p className="px-2 pb-1 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
            {total === 1 ? "1 conversation" : `${total ?? sessions.length} conversations`}
          </p>
          <ul className="flex flex-col gap-0.5">
            {sessions.map((session) => (
              <li key={session.id}>
                <SessionRow session={session} active={session.id === openSessionId} now={now} />
              </li>
            ))}
          </ul>
          <div ref={sentinel} className="flex min-h-8 items-center justify-center py-2 text-xs text-zinc-500 dark:text-zinc-400">
            {isFetchingNextPage ? (
              <span className="flex items-center gap-2">
                <Spinner className="size-3.5" /> Loading more…
              </span>
            ) : isFetchNextPageError ? (
              <Button variant="ghost" size="sm" onClick={() => void fetchNextPage()}>
                Couldn’t load more. Retry
              </Button>
            ) : null}
          </div>
        </>
      )}
    </nav>
  );
}

/** `chat.listSessions` page by page, following `nextCursor`. */
function useSessionPages(status: StatusFilter, botId: string) {
  const input = { status: status === "all" ? undefined : status, botId: botId || undefined, limit: PAGE_SIZE };
  return api.chat.listSessions.useInfiniteQuery(input, { getNextPageParam: (page) => page.nextCursor });
}

function SessionRow({ session, active, now }: { session: SessionListItem; active: boolean; now: number }) {
  const id = `session-${session.id}`;
  const unread = session.unreadCount;
  const last = session.lastMessage;
  // While the bot works on a reply the row says so, as the thread's typing mark does.
  const preview = session.replying
    ? `${session.bot?.displayName ?? "The bot"} is typing…`
    : last
      ? `${last.senderType === "user" ? "You: " : ""}${plainPreview(last.content)}`
      : "No messages yet";
  const when = last?.createdAt ?? session.lastActiveAt;
  return (
    <Link
      href={`/chat/${session.id}`}
      data-testid="session-row"
      data-session-id={session.id}
      data-status={session.status}
      aria-current={active ? "page" : undefined}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-preview ${id}-time${unread ? ` ${id}-unread` : ""}${session.status === "closed" ? ` ${id}-closed` : ""}`}
      className={`group flex items-center gap-3 rounded-xl px-2.5 py-2.5 transition-colors ${
        active ? "bg-accent/10 dark:bg-accent/20" : "hover:bg-zinc-200/60 dark:hover:bg-zinc-800/70"
      }`}
    >
      <Avatar src={session.bot?.avatar} name={session.bot?.displayName ?? session.title} />
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-2">
          <span id={`${id}-title`} className={`min-w-0 flex-1 truncate text-sm ${unread ? "font-semibold" : "font-medium"}`}>
            {session.title}
          </span>
          <time
            id={`${id}-time`}
            dateTime={when.toISOString()}
            className={`shrink-0 text-xs ${unread ? "font-medium text-accent dark:text-indigo-300" : "text-zinc-600 dark:text-zinc-400"}`}
          >
            {relativeTime(when, now)}
          </time>
        </div>
        <div className="mt-0.5 flex items-center gap-2">
          <span
            id={`${id}-preview`}
            className={`min-w-0 flex-1 truncate text-[13px] ${unread ? "text-zinc-800 dark:text-zinc-200" : "text-zinc-600 dark:text-zinc-400"}`}
          >
            {preview}
          </span>
          {session.status === "closed" ? (
            <span
              id={`${id}-closed`}
              className="shrink-0 rounded-full border border-zinc-300 px-1.5 text-[11px] leading-4 text-zinc-500 dark:border-zinc-700 dark:text-zinc-400"
            >
              Closed
            </span>
          ) : null}
          {unread ? (
            <span
              id={`${id}-unread`}
              data-testid="unread-badge"
              className="inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-accent px-1.5 text-[11px] font-semibold text-white"
            >
              {unread}
              <span className="sr-only"> unread</span>
            </span>
          ) : null}
        </div>
      </div>
    </Link>
  );
}

function EmptyList({ filtered, status }: { filtered: boolean; status: StatusFilter }) {
  return (
    <div className="px-4 py-10 text-center text-sm text-zinc-500 dark:text-zinc-400">
      {filtered ? (
        <p>No {status === "all" ? "" : `${status} `}conversations match these filters.</p>
      ) : (
        <>
          <p className="font-medium text-zinc-700 dark:text-zinc-200">No conversations yet</p>
          <p className="mt-1">Start one with “New chat” above.</p>
        </>
      )}
    </div>
  );
}

function SessionListSkeleton() {
  return (
    <div aria-label="Loading conversations" role="status" className="flex flex-col gap-1 pt-6">
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="flex items-center gap-3 px-2.5 py-2.5">
          <SkeletonRow />
        </div>
      ))}
    </div>
  );
}
