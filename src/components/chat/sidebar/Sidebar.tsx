"use client";

import { useState } from "react";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { Button } from "@/components/ui/Button";
import { PlusIcon } from "@/components/ui/icons";
import { preloadNewChatDialog, useShell } from "../ChatShell";
import { SessionFilters, type StatusFilter } from "./SessionFilters";
import { SessionList } from "./SessionList";

export function Sidebar({ openSessionId, onNewChat, className }: { openSessionId: string | null; onNewChat: () => void; className: string }) {
  const { user } = useShell();
  const [status, setStatus] = useState<StatusFilter>("all");
  const [botId, setBotId] = useState("");

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
      <SessionFilters status={status} onStatusChange={setStatus} botId={botId} onBotChange={setBotId} />
      <SessionList status={status} botId={botId} openSessionId={openSessionId} />
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
