"use client";

import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { Button } from "@/components/ui/Button";
import { CloseIcon, PlusIcon, SearchIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/Spinner";
import { preloadNewChatDialog, useShell } from "../ChatShell";
import { SessionFilters, type StatusFilter } from "./SessionFilters";
import { SessionList } from "./SessionList";

/** The results list loads when the search field is first used: most visits never search. */
const loadSearchResults = () => import("./SearchResults").then((m) => ({ default: m.SearchResults }));
const SearchResults = lazy(loadSearchResults);

export function Sidebar({ openSessionId, onNewChat, className }: { openSessionId: string | null; onNewChat: () => void; className: string }) {
  const { user } = useShell();
  const [status, setStatus] = useState<StatusFilter>("all");
  const [botId, setBotId] = useState("");
  const [query, setQuery] = useState("");
  const searching = query.trim().length > 0;

  return (
    <aside
      aria-label="Conversations"
      className={`w-full shrink-0 flex-col border-zinc-200 bg-zinc-50/60 md:w-80 md:border-r lg:w-96 dark:border-zinc-800 dark:bg-zinc-900/40 ${className}`}
    >
      <div className="flex items-center justify-between gap-2 px-4 pt-4 pb-3">
        <p className="flex items-center gap-2 text-base font-semibold tracking-tight">
          <span aria-hidden="true" className="inline-flex size-7 items-center justify-center rounded-lg bg-accent text-sm font-bold text-white">
            P
          </span>
          Pit Chat
        </p>
        <Button size="sm" onClick={onNewChat} onPointerEnter={preloadNewChatDialog} onFocus={preloadNewChatDialog}>
          <PlusIcon className="size-4" />
          New chat
        </Button>
      </div>
      <SearchField query={query} onQueryChange={setQuery} />
      {searching ? (
        <Suspense fallback={<SearchLoading />}>
          <SearchResults query={query.trim()} />
        </Suspense>
      ) : (
        <>
          <SessionFilters status={status} onStatusChange={setStatus} botId={botId} onBotChange={setBotId} />
          <SessionList status={status} botId={botId} openSessionId={openSessionId} />
        </>
      )}
      <div className="flex items-center gap-3 border-t border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <span
          aria-hidden="true"
          className="flex size-8 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-xs font-semibold text-zinc-700 dark:bg-zinc-700 dark:text-zinc-100"
        >
          {(user.name ?? user.email).charAt(0).toUpperCase()}
        </span>
        <div className="min-w-0 flex-1 text-sm">
          <p className="truncate font-medium" data-testid="signed-in-as">
            {user.name ?? user.email}
          </p>
          {user.name ? <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{user.email}</p> : null}
        </div>
        <SignOutButton className="h-8 px-3" />
      </div>
    </aside>
  );
}

/** Focus belongs to whatever the user is typing in: "/" there is a character, not a shortcut. */
function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/**
 * "Search chats": reached from anywhere with "/" or Ctrl+K (⌘K); Escape clears it, then leaves it.
 * While it holds words the sidebar lists the matches instead of the sessions.
 */
function SearchField({ query, onQueryChange }: { query: string; onQueryChange: (query: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const shortcut = (event.key === "/" && !typingIn(event.target)) || ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k");
      if (!shortcut || !input.current || input.current.offsetParent === null) return;
      event.preventDefault();
      void loadSearchResults();
      input.current.focus();
      input.current.select();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
  return (
    <div role="search" className="relative px-4 pb-2">
      <SearchIcon className="pointer-events-none absolute top-1/2 left-6.5 size-4 -translate-y-[calc(50%+4px)] text-zinc-400" />
      <input
        ref={input}
        type="search"
        aria-label="Search chats"
        aria-keyshortcuts="/ Control+K Meta+K"
        placeholder="Search chats"
        value={query}
        maxLength={200}
        onFocus={() => void loadSearchResults()}
        onChange={(event) => onQueryChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            if (query) onQueryChange("");
            else event.currentTarget.blur();
          } else if (event.key === "ArrowDown") {
            // Into the results, as in a combobox's list.
            const first = event.currentTarget.closest("aside")?.querySelector<HTMLElement>("[data-search-result]");
            if (first) {
              event.preventDefault();
              first.focus();
            }
          }
        }}
        className="h-9 w-full rounded-lg border border-zinc-300 bg-white pr-8 pl-8.5 text-sm outline-none placeholder:text-zinc-500 focus:border-accent focus:ring-2 focus:ring-accent/20 dark:border-zinc-700 dark:bg-zinc-900 dark:placeholder:text-zinc-400 [&::-webkit-search-cancel-button]:hidden"
      />
      {query ? (
        <button
          type="button"
          aria-label="Clear search"
          onClick={() => {
            onQueryChange("");
            input.current?.focus();
          }}
          className="absolute top-1/2 right-5.5 -translate-y-[calc(50%+4px)] rounded p-1 text-zinc-500 hover:bg-zinc-200 dark:hover:bg-zinc-800"
        >
          <CloseIcon className="size-3.5" />
        </button>
      ) : (
        <kbd aria-hidden="true" className="pointer-events-none absolute top-1/2 right-6 -translate-y-[calc(50%+4px)] rounded border border-zinc-300 px-1.5 font-sans text-[11px] text-zinc-500 dark:border-zinc-700">
          /
        </kbd>
      )}
    </div>
  );
}

function SearchLoading() {
  return (
    <p role="status" className="flex items-center gap-2 px-6 py-4 text-sm text-zinc-500 dark:text-zinc-400">
      <Spinner className="size-3.5" /> Searching…
    </p>
  );
}
