"use client";

import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import type { ChatEvent, ChatSession, GetSessionOutput, ListSessionsInput, ListSessionsOutput, Message, SearchOutput, SessionListItem } from "@/shared";
// The constant alone: "@/shared" would bring every Zod schema (and Zod) into the chat page.
import { LIMITS } from "@/shared/limits";
import { api } from "@/trpc/react";
import { existingThreadStore, forgetThreadStore } from "../thread/thread-registry";

/**
 * Applies one event from chat.onEvent to everything the page holds: the open threads' stores, the
 * thread headers' session (getSession) and every cached page of the sidebar (listSessions, whatever
 * its filters). Idempotent, and a copy never goes back in time: a session or message is replaced only
 * by one at least as new (updatedAt).
 */
export function applyEvent(queryClient: QueryClient, event: ChatEvent): void {
  switch (event.type) {
    case "message.created":
    case "message.updated":
      existingThreadStore(event.sessionId)?.applyEvent(event);
      patchLists(queryClient, (item) => (item.id === event.sessionId ? withPreview(item, event.message) : item));
      return;
    case "message.delta":
      existingThreadStore(event.sessionId)?.applyEvent(event);
      return;
    case "session.updated":
      patchSession(queryClient, event.session);
      return;
    case "session.deleted":
      removeSession(queryClient, event.sessionId);
      return;
    case "bot.typing":
      // Session.replying (kept by session.updated) drives the typing mark: it survives a reload.
      return;
  }
}

const newer = (a: { updatedAt: Date }, b: { updatedAt: Date }) => a.updatedAt.getTime() >= b.updatedAt.getTime();

function patchSession(queryClient: QueryClient, session: ChatSession) {
  queryClient.setQueryData<GetSessionOutput>(getQueryKey(api.chat.getSession, { sessionId: session.id }, "query"), (data) =>
    data && newer(session, data.session)
      ? { session: { ...data.session, ...session, bot: data.session.bot && session.bot ? { ...data.session.bot, ...session.bot } : data.session.bot } }
      : data,
  );
  let missing = false;
  for (const [key, data] of listQueries(queryClient)) {
    const filter = inputOf(key);
    const matches = (!filter.status || filter.status === session.status) && (!filter.botId || filter.botId === session.botId) && session.botId !== null;
    const held = data.pages.some((page) => page.sessions.some((s) => s.id === session.id));
    if (!held) {
      if (matches) missing = true;
      continue;
    }
    setList(queryClient, key, data, (items) =>
      items.flatMap((item) => {
        if (item.id !== session.id) return [item];
        if (!matches) return [];
        return newer(session, item) ? [{ ...item, ...session, lastMessage: item.lastMessage }] : [item];
      }),
    );
  }
  // A session this list has not loaded (new, or beyond the pages loaded): ask the server.
  if (missing) void queryClient.invalidateQueries({ queryKey: getQueryKey(api.chat.listSessions) });
  patchSearches(queryClient, (results) =>
    results.some((r) => r.sessionId === session.id && r.sessionTitle !== session.title)
      ? results.map((r) => (r.sessionId === session.id ? { ...r, sessionTitle: session.title } : r))
      : results,
  );
}

/** A deleted session leaves every list, its header's data, its messages and the search results. */
export function removeSession(queryClient: QueryClient, sessionId: string) {
  queryClient.removeQueries({ queryKey: getQueryKey(api.chat.getSession, { sessionId }, "query") });
  forgetThreadStore(sessionId);
  patchLists(queryClient, (item) => (item.id === sessionId ? null : item));
  patchSearches(queryClient, (results) => (results.some((r) => r.sessionId === sessionId) ? results.filter((r) => r.sessionId !== sessionId) : results));
}

/** Rewrites cached search results; `patch` returns its argument when it changes nothing. */
function patchSearches(queryClient: QueryClient, patch: (results: SearchOutput["results"]) => SearchOutput["results"]) {
  queryClient.setQueriesData<InfiniteData<SearchOutput>>({ queryKey: getQueryKey(api.chat.search) }, (data) => {
    if (!data?.pages) return data;
    let changed = false;
    const pages = data.pages.map((page) => {
      const results = patch(page.results);
      if (results === page.results) return page;
      changed = true;
      return { ...page, results };
    });
    return changed ? { ...data, pages } : data;
  });
}

function withPreview(item: SessionListItem, message: Message): SessionListItem {
  const last = item.lastMessage;
  const isNewest = !last || last.id === message.id || message.createdAt.getTime() > last.createdAt.getTime();
  if (!isNewest) return item;
  return {
    ...item,
    lastMessage: {
      id: message.id,
      content: message.content.slice(0, LIMITS.lastMessagePreview),
      senderType: message.senderType,
      createdAt: message.createdAt,
    },
  };
}

type ListData = InfiniteData<ListSessionsOutput>;

function listQueries(queryClient: QueryClient) {
  return queryClient
    .getQueriesData<ListData>({ queryKey: getQueryKey(api.chat.listSessions) })
    .filter((entry): entry is [readonly unknown[], ListData] => !!entry[1]?.pages);
}

/** The filters of a cached listSessions query, from its key ([path, { input, type }]). */
function inputOf(key: readonly unknown[]): Exclude<ListSessionsInput, undefined> {
  const meta = key[1] as { input?: ListSessionsInput } | undefined;
  return meta?.input ?? {};
}

function patchLists(queryClient: QueryClient, patch: (item: SessionListItem) => SessionListItem | null) {
  for (const [key, data] of listQueries(queryClient)) {
    setList(queryClient, key, data, (items) => items.flatMap((item) => {
      const next = patch(item);
      return next ? [next] : [];
    }));
  }
}

/** Rewrites a list's loaded sessions, newest activity first, back into pages of the same sizes. */
function setList(queryClient: QueryClient, key: readonly unknown[], data: ListData, change: (items: SessionListItem[]) => SessionListItem[]) {
  const before = data.pages.flatMap((page) => page.sessions);
  const after = change(before).sort(
    (a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
  const removed = before.length - after.length;
  let offset = 0;
  const pages = data.pages.map((page, i) => {
    const size = i === data.pages.length - 1 ? after.length - offset : page.sessions.length;
    const sessions = after.slice(offset, offset + Math.max(size, 0));
    offset += sessions.length;
    return { ...page, sessions, total: Math.max(0, page.total - removed) };
  });
  queryClient.setQueryData<ListData>(key, { ...data, pages });
}
