"use client";

import { keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState, type KeyboardEvent, type ReactNode } from "react";
import type { SearchResult } from "@/shared";
import { SEARCH_MARK } from "@/shared/search-mark";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Spinner";
import { api } from "@/trpc/react";
import { describeError } from "../errors";
import { relativeTime } from "../format";
import { useNow } from "../use-now";

/** Typing pauses this long before a search is sent. */
const DEBOUNCE_MS = 250;

/**
 * The sidebar while searching: chat.search page by page, best first, each result a link to the
 * thread at the message that matched (or the thread, for a title), its snippet highlighted.
 */
export function SearchResults({ query }: { query: string }) {
  const [debounced, setDebounced] = useState(query);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(query), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);
  const search = api.chat.search.useInfiniteQuery(
    { query: debounced, limit: 20 },
    // The previous results stay while the next ones come: no flash of "no results" between keystrokes.
    { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData, staleTime: 10_000 },
  );
  const now = useNow();
  const results = search.data?.pages.flatMap((page) => page.results) ?? [];
  const pending = search.isPending || debounced !== query || search.isPlaceholderData;

  return (
    <section aria-label="Search results" aria-busy={pending || undefined} className="min-h-0 flex-1 overflow-y-auto px-2 pb-2" onKeyDown={moveFocus}>
      <p role="status" className="flex items-center gap-2 px-2 pb-1 text-xs text-zinc-500 dark:text-zinc-400">
        {search.isError ? null : pending && results.length === 0 ? (
          <>
            <Spinner className="size-3.5" /> Searching…
          </>
        ) : results.length === 0 ? (
          `No chats match “${debounced}”.`
        ) : (
          `${results.length}${search.hasNextPage ? "+" : ""} ${results.length === 1 ? "match" : "matches"}`
        )}
      </p>
      {search.isError ? (
        <div role="alert" className="m-2 rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          <p className="font-medium">Couldn’t search.</p>
          <p className="mt-1 text-red-700 dark:text-red-300">{describeError(search.error)}</p>
          <Button variant="secondary" size="sm" className="mt-3" onClick={() => void search.refetch()}>
            Try again
          </Button>
        </div>
      ) : (
        <ul className={`flex flex-col gap-0.5 ${search.isPlaceholderData ? "opacity-60" : ""}`}>
          {results.map((result) => (
            <li key={`${result.sessionId}:${result.messageId ?? ""}`}>
              <ResultRow result={result} now={now} />
            </li>
          ))}
        </ul>
      )}
      {search.hasNextPage ? (
        <div className="flex justify-center py-2">
          <Button variant="ghost" size="sm" disabled={search.isFetchingNextPage} onClick={() => void search.fetchNextPage()}>
            {search.isFetchingNextPage ? <Spinner className="size-3.5" /> : null}
            More results
          </Button>
        </div>
      ) : null}
    </section>
  );
}

function ResultRow({ result, now }: { result: SearchResult; now: number }) {
  const id = `result-${result.sessionId}-${result.messageId ?? "title"}`;
  const href = result.messageId ? `/chat/${result.sessionId}?m=${encodeURIComponent(result.messageId)}` : `/chat/${result.sessionId}`;
  return (
    <Link
      href={href}
      data-search-result=""
      data-testid="search-result"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-snippet`}
      className="block rounded-xl px-2.5 py-2 hover:bg-zinc-200/60 focus-visible:outline-offset-[-2px] dark:hover:bg-zinc-800/70"
    >
      <span className="flex items-baseline gap-2">
        <span id={`${id}-title`} className="min-w-0 flex-1 truncate text-sm font-medium">
          {result.sessionTitle}
        </span>
        <time dateTime={result.createdAt.toISOString()} className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">
          {relativeTime(result.createdAt, now)}
        </time>
      </span>
      <span id={`${id}-snippet`} className="mt-0.5 line-clamp-2 text-[13px] text-zinc-600 dark:text-zinc-400">
        {result.messageId ? null : <span className="text-zinc-500">Title: </span>}
        <Highlighted text={result.snippet} />
      </span>
    </Link>
  );
}

/** The snippet's text with its marked runs as <mark>: the server's marks are split on, never parsed as markup. */
export function Highlighted({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let rest = text;
  for (let key = 0; ; key++) {
    const start = rest.indexOf(SEARCH_MARK.start);
    if (start < 0) {
      parts.push(rest.replaceAll(SEARCH_MARK.end, ""));
      break;
    }
    parts.push(rest.slice(0, start).replaceAll(SEARCH_MARK.end, ""));
    const end = rest.indexOf(SEARCH_MARK.end, start + 1);
    const word = rest.slice(start + 1, end < 0 ? undefined : end).replaceAll(SEARCH_MARK.start, "");
    parts.push(
      <mark key={key} className="rounded-sm bg-amber-200/80 px-0.5 text-inherit dark:bg-amber-400/30">
        {word}
      </mark>,
    );
    rest = end < 0 ? "" : rest.slice(end + 1);
  }
  return <>{parts}</>;
}

/** Up and down move between the results; up from the first goes back to the search field. */
function moveFocus(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const links = [...event.currentTarget.querySelectorAll<HTMLElement>("[data-search-result]")];
  const at = links.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  event.preventDefault();
  const next = event.key === "ArrowDown" ? links[at + 1] : links[at - 1];
  if (next) next.focus();
  else if (event.key === "ArrowUp") event.currentTarget.closest("aside")?.querySelector<HTMLElement>('input[type="search"]')?.focus();
}
