"use client";

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
    </div>
  );
}
