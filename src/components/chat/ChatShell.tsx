"use client";

import { useSelectedLayoutSegment } from "next/navigation";
import { createContext, lazy, Suspense, useContext, useMemo, useState } from "react";
import { ConnectionStatus, LiveEvents } from "./live/LiveEvents";
import { Sidebar } from "./sidebar/Sidebar";

/** The dialog (and Radix under it) loads when first wanted; hovering or focusing "New chat" starts it early. */
const loadNewChatDialog = () => import("./NewChatDialog").then((m) => ({ default: m.NewChatDialog }));
const NewChatDialog = lazy(loadNewChatDialog);
export const preloadNewChatDialog = () => void loadNewChatDialog();

type ShellContext = { openNewChat: () => void; user: { name: string | null; email: string } };
const ShellContext = createContext<ShellContext | null>(null);

export function useShell(): ShellContext {
  const value = useContext(ShellContext);
  if (!value) throw new Error("useShell outside <ChatShell>");
  return value;
}

/**
 * The signed-in frame: sessions beside the open thread. Below 768 px they are two screens: the list
 * at /chat, the thread (with a Back link) at /chat/[sessionId].
 */
export function ChatShell({ user, children }: { user: { name: string | null; email: string }; children: React.ReactNode }) {
  const openSessionId = useSelectedLayoutSegment();
  const [newChatOpen, setNewChatOpen] = useState(false);
  const [newChatWanted, setNewChatWanted] = useState(false);
  const context = useMemo(
    () => ({
      openNewChat: () => {
        setNewChatWanted(true);
        setNewChatOpen(true);
      },
      user,
    }),
    [user],
  );

  return (
    <ShellContext.Provider value={context}>
      <LiveEvents openSessionId={openSessionId}>
      <a
        href="#main"
        className="sr-only z-50 rounded-lg bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-2 focus:left-2 dark:bg-zinc-900"
      >
        Skip to conversation
      </a>
      <div className="flex h-dvh overflow-hidden bg-white dark:bg-zinc-950">
        <Sidebar
          openSessionId={openSessionId}
          onNewChat={context.openNewChat}
          className={openSessionId ? "hidden md:flex" : "flex"}
        />
        <main id="main" tabIndex={-1} className={`min-w-0 flex-1 flex-col outline-none ${openSessionId ? "flex" : "hidden md:flex"}`}>
          {children}
        </main>
      </div>
      {newChatWanted ? (
        <Suspense fallback={null}>
          <NewChatDialog open={newChatOpen} onOpenChange={setNewChatOpen} />
        </Suspense>
      ) : null}
      <ConnectionStatus className="pointer-events-none fixed top-2 left-1/2 z-40 -translate-x-1/2" />
      </LiveEvents>
    </ShellContext.Provider>
  );
}
