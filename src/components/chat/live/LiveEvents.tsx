"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { api } from "@/trpc/react";
import { existingThreadStore } from "../thread/thread-registry";
import { applyEvent } from "./apply-event";

export type Connection = "connecting" | "live" | "reconnecting";
/** How long the stream may be down, the browser online, before "Reconnecting" shows. */
const RECONNECTING_AFTER_MS = 1_500;
const ConnectionContext = createContext<Connection>("connecting");

/** Whether live updates flow (for the connection indicator). */
export function useConnection(): Connection {
  return useContext(ConnectionContext);
}

/**
 * The page's one live stream (chat.onEvent over SSE, all the user's sessions), shared by the
 * sidebar and the open thread: events go into the caches they render from.
 *
 * Reconnects resume after the last event id, so stored events are replayed from the database. What
 * is never stored (the words of a reply streamed while the stream was down) is fetched again when the
 * stream starts, as are the open thread and the session list, so after a reconnect the view is what
 * a reload shows. Chromium fires `offline` but can leave an SSE response hanging, so going offline
 * shows "Reconnecting" at once, and coming back online starts a fresh stream from the last event id.
 */
export function LiveEvents({ openSessionId, children }: { openSessionId: string | null; children: React.ReactNode }) {
  const queryClient = useQueryClient();
  const utils = api.useUtils();
  const router = useRouter();
  const lastEventId = useRef<string | null>(null);
  const openSession = useRef(openSessionId);
  useEffect(() => {
    openSession.current = openSessionId;
  }, [openSessionId]);
  const online = useSyncExternalStore(subscribeToOnline, () => navigator.onLine, () => true);
  const [input, setInput] = useState<{ lastEventId?: string }>({});
  const [started, setStarted] = useState(false);

  const subscription = api.chat.onEvent.useSubscription(input, {
    enabled: online,
    onStarted: () => setStarted(true),
    onData({ id, data }) {
      lastEventId.current = id;
      applyEvent(queryClient, data);
      if (data.type === "session.deleted" && data.sessionId === openSession.current) router.replace("/chat?deleted=1");
    },
    onError(error) {
      console.warn("live updates:", error.message);
    },
  });
  const { status, reset } = subscription;

  // A fresh stream from the last event id: when the browser is back online (the old response may be
  // hanging), or after the stream gave up (e.g. the server restarted mid-handshake).
  const restart = useCallback(() => {
    const resume = lastEventId.current ?? undefined;
    if (resume !== undefined && resume !== input.lastEventId) setInput({ lastEventId: resume });
    else reset();
  }, [input.lastEventId, reset]);
  useEffect(() => {
    window.addEventListener("online", restart);
    return () => window.removeEventListener("online", restart);
  }, [restart]);
  useEffect(() => {
    if (status !== "error") return;
    const timer = setTimeout(restart, 2_000);
    return () => clearTimeout(timer);
  }, [status, restart]);

  useEffect(() => {
    if (status !== "pending") return;
    // Each time the stream (re)connects, catch up on what no replay carries: the words of a reply
    // streamed meanwhile (the open thread's newest page) and the sessions' typing state.
    if (openSession.current) existingThreadStore(openSession.current)?.refresh();
    void utils.chat.getSession.invalidate();
    void utils.chat.listSessions.invalidate();
  }, [status, utils]);

  const connected = online && status === "pending";
  // A stream that ends by design is back within about a second (the server's `retry:`), so
  // "Reconnecting" shows only once it has been down for longer, or at once when the browser is offline.
  const [downLong, setDownLong] = useState(false);
  useEffect(() => {
    if (connected) return;
    const timer = setTimeout(() => setDownLong(true), RECONNECTING_AFTER_MS);
    return () => {
      clearTimeout(timer);
      setDownLong(false);
    };
  }, [connected]);
  const connection: Connection = connected ? "live" : !online || (started && downLong) ? "reconnecting" : "connecting";
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}

function subscribeToOnline(onChange: () => void) {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
}

/**
 * A small pill while live updates are down (role="status": screen readers hear it, and suites find
 * it by its text, "Reconnecting").
 */
export function ConnectionStatus({ className = "" }: { className?: string }) {
  const connection = useConnection();
  return (
    <div role="status" aria-live="polite" data-testid="connection-status" data-connection={connection} className={className}>
      {connection === "reconnecting" ? (
        <span className="inline-flex items-center gap-1.5 rounded-full bg-amber-100 px-2.5 py-1 text-xs font-medium text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
          <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-amber-600 dark:bg-amber-300" />
          Reconnecting…
        </span>
      ) : null}
    </div>
  );
}
