"use client";

import { lazy, Suspense, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { GetSessionOutput, ListMessagesOutput } from "@/shared";
import { Button } from "@/components/ui/Button";
import { api } from "@/trpc/react";
import { useShell } from "../ChatShell";
import { describeError, errorCode } from "../errors";
import { plainPreview } from "../format";
import { usePatchListedSession } from "../session-cache";
import { Composer, type ComposerHandle } from "./Composer";
import { threadStore, type ThreadMessage } from "./message-store";
import { ThreadHeader } from "./ThreadHeader";

/**
 * The message list (virtualiser, rows, and through them the markdown renderer) is a chunk of its
 * own, fetched as this module loads. It cannot paint before hydration anyway (a virtual list needs
 * its scroll box measured), so splitting it costs nothing on screen and keeps the page's first-load
 * JavaScript inside BUDGETS.md.
 */
const loadMessageList = () => import("./MessageList").then((m) => ({ default: m.MessageList }));
if (typeof window !== "undefined") void loadMessageList();
// The markdown renderer too, at the same time rather than once the message list's chunk has run
// (MessageRow asks for it): its parser's first run (Markdown.tsx, `ready`) is then done before the
// rows render.
if (typeof window !== "undefined") void import("./Markdown");
const MessageList = lazy(loadMessageList);

/** A clientId for an optimistic send; crypto.randomUUID needs a secure context, so fall back. */
function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function Thread({
  sessionId,
  initialSession,
  initialPage,
  focusMessageId = null,
}: {
  sessionId: string;
  initialSession: GetSessionOutput["session"];
  /** The newest page, or the page around `focusMessageId`. */
  initialPage: ListMessagesOutput;
  /** Opened at this message (a search result) rather than at the newest. */
  focusMessageId?: string | null;
}) {
  const utils = api.useUtils();
  const patchListed = usePatchListedSession();
  const { user } = useShell();
  const session = api.chat.getSession.useQuery({ sessionId }, { initialData: { session: initialSession } }).data.session;
  const [store] = useState(() => {
    const s = threadStore(sessionId);
    s.addPage(initialPage, focusMessageId ? "around" : "newest");
    return s;
  });
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const [replyTo, setReplyTo] = useState<ThreadMessage | null>(null);
  const [scrollToEndSignal, setScrollToEndSignal] = useState(0);
  const [announcement, setAnnouncement] = useState("");
  const composer = useRef<ComposerHandle>(null);

  useMarkRead(session);

  // On a wide screen the thread opens ready to type; on a phone the keyboard would cover it.
  useEffect(() => {
    if (window.matchMedia("(min-width: 768px)").matches) composer.current?.focus();
  }, []);

  const fetchPage = useCallback(
    (anchor?: { before: string } | { after: string }) => utils.client.chat.listMessages.query({ sessionId, ...anchor }),
    [utils, sessionId],
  );
  useEffect(() => store.attach(fetchPage), [store, fetchPage]);
  const loadOlder = useCallback(() => void store.loadOlder(fetchPage), [store, fetchPage]);
  const loadNewer = useCallback(() => void store.loadNewer(fetchPage), [store, fetchPage]);
  const jumpToLatest = useCallback(() => {
    void store.loadNewest(fetchPage).then(() => setScrollToEndSignal((n) => n + 1));
  }, [store, fetchPage]);

  const deliver = useCallback(
    async (clientId: string, content: string, replyToId: string | null) => {
      store.setPendingStatus(clientId, "sending");
      try {
        const { message } = await utils.client.chat.sendMessage.mutate({ sessionId, content, clientId, replyTo: replyToId ?? undefined });
        store.upsert([message]);
        setAnnouncement("Message sent");
        // The sidebar's preview changes at once; the refetch then moves the row to the top.
        patchListed(sessionId, (s) => ({
          ...s,
          lastActiveAt: message.createdAt,
          messageCount: Math.max(s.messageCount, message.seq),
          lastMessage: { id: message.id, content: message.content.slice(0, 100), senderType: "user", createdAt: message.createdAt },
        }));
        void utils.chat.listSessions.invalidate();
      } catch (error) {
        store.setPendingStatus(clientId, "failed", describeError(error, "send"));
        setAnnouncement("Message failed to send");
        // Closed or taken away meanwhile: the refreshed session tells the composer why it cannot send.
        const code = errorCode(error);
        if (code === "PRECONDITION_FAILED" || code === "FORBIDDEN") void utils.chat.getSession.invalidate({ sessionId });
      }
    },
    [store, utils, sessionId, patchListed],
  );

  const send = useCallback(
    (content: string) => {
      const clientId = newClientId();
      store.addPending({ clientId, content, replyTo: replyTo?.id ?? null, senderName: user.name ?? user.email });
      setReplyTo(null);
      setScrollToEndSignal((n) => n + 1);
      void deliver(clientId, content, replyTo?.id ?? null);
      // Sent while reading mid-history: the conversation goes on at its newest message.
      if (store.getSnapshot().hasNewer) jumpToLatest();
    },
    [store, replyTo, user, deliver, jumpToLatest],
  );

  const retry = useCallback(
    (message: ThreadMessage) => {
      // Not stored (the send itself failed): send it again under its clientId, so it is stored once.
      if (message.local) return void deliver(message.clientId!, message.content, message.replyTo);
      // Stored, but its agent failed: hand the same message to the agent again.
      setAnnouncement("Retrying");
      utils.client.chat.retryMessage
        .mutate({ messageId: message.id })
        .then(({ message: retried }) => store.upsert([retried]))
        .catch((error: unknown) => setAnnouncement(`Retry failed: ${describeError(error)}`));
    },
    [deliver, store, utils],
  );

  const regenerateReply = useCallback(() => {
    setAnnouncement(`Asking ${session.bot?.displayName ?? "the bot"} for another reply`);
    utils.client.chat.regenerate
      .mutate({ sessionId })
      .then(({ message }) => store.upsert([message]))
      .catch((error: unknown) => setAnnouncement(`Couldn’t regenerate: ${describeError(error)}`));
  }, [utils, sessionId, store, session.bot?.displayName]);

  const reply = useCallback((message: ThreadMessage) => {
    setReplyTo(message);
    composer.current?.focus();
    setAnnouncement(`Replying to ${message.senderType === "user" ? "your message" : message.senderName}: ${plainPreview(message.content).slice(0, 80)}`);
  }, []);

  const botName = session.bot?.displayName ?? "this bot";
  const last = snapshot.messages.at(-1);
  // Another reply to the last message: the last reply has ended, and the bot could take a message now.
  const canRegenerate =
    !snapshot.hasNewer && !session.replying && session.status !== "closed" && session.botAccess &&
    last?.senderType === "bot" && !!last.replyStatus && last.replyStatus !== "streaming";

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="thread" data-session-id={sessionId}>
      <ThreadHeader session={session} />
      {snapshot.phase === "error" ? (
        <div role="alert" className="m-auto max-w-sm p-6 text-center text-sm">
          <p className="font-medium">Couldn’t load the messages.</p>
          <p className="mt-1 text-zinc-500 dark:text-zinc-400">{describeError(snapshot.error)}</p>
          <Button variant="secondary" size="sm" className="mt-3" onClick={() => void store.loadNewest(fetchPage)}>
            Try again
          </Button>
        </div>
      ) : snapshot.messages.length === 0 ? (
        <div className="flex min-h-0 flex-1 flex-col items-center justify-center gap-2 p-6 text-center" role="log" aria-label="Messages">
          <p className="text-base font-medium">Say hello to {botName}</p>
          <p className="max-w-xs text-sm text-zinc-500 dark:text-zinc-400">{session.bot?.description ?? "Your conversation starts here."}</p>
        </div>
      ) : (
        <Suspense fallback={<MessagesPlaceholder />}>
          <MessageList
          store={store}
          snapshot={snapshot}
          botName={botName}
          botAvatar={session.bot?.avatar ?? null}
          onLoadOlder={loadOlder}
          onLoadNewer={loadNewer}
          onJumpToLatest={jumpToLatest}
          onReply={reply}
          onRetry={retry}
          onRegenerate={canRegenerate ? regenerateReply : null}
          focusMessageId={focusMessageId}
          scrollToEndSignal={scrollToEndSignal}
          />
        </Suspense>
      )}
      <p role="status" className="sr-only">
        {announcement}
      </p>
      {session.replying ? <ReplyInProgress sessionId={sessionId} botName={botName} writing={snapshot.messages.at(-1)?.replyStatus === "streaming"} /> : null}
      <Composer
        ref={composer}
        blocked={!session.botAccess ? "no-access" : session.status === "closed" ? "closed" : null}
        botName={botName}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSend={send}
      />
    </div>
  );
}

/**
 * The typing mark while the bot works on a reply, with the button that stops it. It follows
 * Session.replying, which the server keeps in the same statements that start and end a reply, so it
 * ends however the reply ends (done, failed, stopped, timed out) and is back after a reload.
 */
function ReplyInProgress({ sessionId, botName, writing }: { sessionId: string; botName: string; writing: boolean }) {
  const stop = api.chat.stopReply.useMutation();
  return (
    <div data-testid="typing-indicator" className="mx-auto flex w-full max-w-3xl shrink-0 items-center gap-3 px-4 pt-1 pb-1.5 text-xs text-zinc-500 dark:text-zinc-400">
      <span className="flex items-center gap-2">
        <span aria-hidden="true" className="flex gap-0.5">
          {[0, 150, 300].map((delay) => (
            <span key={delay} className="size-1.5 animate-bounce rounded-full bg-zinc-400 dark:bg-zinc-500" style={{ animationDelay: `${delay}ms` }} />
          ))}
        </span>
        {botName} is {writing ? "replying" : "typing"}…
      </span>
      <Button
        variant="secondary"
        size="sm"
        className="ml-auto h-7 px-2.5"
        disabled={stop.isPending}
        onClick={() => stop.mutate({ sessionId })}
      >
        <span aria-hidden="true" className="size-2.5 rounded-[2px] bg-current" />
        Stop
      </Button>
    </div>
  );
}

/**
 * A thread in view marks its unread replies read, as they arrive too: the badge goes at once, the
 * server confirms. A thread in a background tab leaves them unread until the tab is seen again.
 */
function useMarkRead(session: GetSessionOutput["session"]) {
  const utils = api.useUtils();
  const patchListed = usePatchListedSession();
  const { mutate } = api.chat.markRead.useMutation();
  const { id, unreadCount } = session;
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    update();
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);
  useEffect(() => {
    if (unreadCount === 0 || !visible) return;
    patchListed(id, (s) => ({ ...s, unreadCount: 0 }));
    utils.chat.getSession.setData({ sessionId: id }, (data) => (data ? { session: { ...data.session, unreadCount: 0 } } : data));
    mutate(
      { sessionId: id },
      {
        onSuccess: () => threadStore(id).markBotMessagesRead(),
        onSettled: () => void utils.chat.listSessions.invalidate(),
      },
    );
  }, [id, unreadCount, visible, mutate, patchListed, utils]);
}

function MessagesPlaceholder() {
  return (
    <div className="mx-auto flex min-h-0 w-full max-w-3xl flex-1 flex-col justify-end gap-4 overflow-hidden p-4" aria-busy="true">
      {[55, 35, 65].map((width, i) => (
        <div key={i} className={`flex ${i % 2 ? "justify-end" : "gap-3"}`}>
          {i % 2 ? null : <div className="size-8 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />}
          <div className="h-12 animate-pulse rounded-2xl bg-zinc-100 dark:bg-zinc-900" style={{ width: `${width}%` }} />
        </div>
      ))}
    </div>
  );
}
