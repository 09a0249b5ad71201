"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useSyncExternalStore } from "react";
import { createPortal } from "react-dom";
import { Button } from "@/components/ui/Button";
import { ChatIcon } from "@/components/ui/icons";
import { useShell } from "./ChatShell";

/** /chat on a wide screen: nothing open yet. (On a phone this screen is the session list instead.) */
export function StartScreen() {
  const { openNewChat, user } = useShell();
  return (
    <div className="flex h-full flex-col items-center justify-center gap-3 p-8 text-center">
      <span className="flex size-14 items-center justify-center rounded-2xl bg-accent/10 text-accent dark:bg-accent/20 dark:text-indigo-300">
        <ChatIcon className="size-7" />
      </span>
      <h1 className="text-xl font-semibold tracking-tight">Welcome{user.name ? `, ${user.name}` : ""}</h1>
      <p className="max-w-sm text-sm text-zinc-500 dark:text-zinc-400">Pick a conversation on the left, or browse the bots you can talk to and start a new one.</p>
      <Button variant="secondary" className="mt-2" onClick={openNewChat}>
        Browse bots
      </Button>
      <DeletedNotice />
    </div>
  );
}

/**
 * After a chat was deleted (here, or in another tab while it was open here) the page lands on
 * /chat?deleted=1, which says so until dismissed. In a portal: on a phone this screen is hidden
 * behind the session list, the notice must not be.
 */
function DeletedNotice() {
  const params = useSearchParams();
  const router = useRouter();
  // document.body, once hydrated (the server has none to portal into).
  const body = useSyncExternalStore(subscribeToNothing, () => document.body, () => null);
  if (params.get("deleted") !== "1" || !body) return null;
  return createPortal(
    <div role="status" className="fixed bottom-4 left-1/2 z-40 flex -translate-x-1/2 items-center gap-3 rounded-full bg-zinc-900 py-1.5 pr-1.5 pl-4 text-sm text-white shadow-lg dark:bg-zinc-100 dark:text-zinc-900">
      That chat was deleted.
      <button
        type="button"
        onClick={() => router.replace("/chat")}
        className="rounded-full px-2.5 py-1 text-xs font-medium hover:bg-white/15 dark:hover:bg-zinc-900/10"
      >
        Dismiss
      </button>
    </div>,
    body,
  );
}

const subscribeToNothing = () => () => {};
