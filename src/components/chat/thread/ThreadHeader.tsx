"use client";

import Link from "next/link";
import { lazy, Suspense, useState } from "react";
import type { GetSessionOutput } from "@/shared";
import { Avatar } from "@/components/ui/Avatar";
import { Button, buttonClass } from "@/components/ui/Button";
import { BackIcon, MoreIcon } from "@/components/ui/icons";

/** The confirmation (Radix AlertDialog) loads when first wanted: most visits never close a session. */
const loadDialog = () => import("./CloseSessionDialog").then((m) => ({ default: m.CloseSessionDialog }));
const CloseSessionDialog = lazy(loadDialog);

/** The actions menu (Radix DropdownMenu) and its dialogs, likewise: loaded on hover, focus or first use. */
const loadActions = () => import("./ChatActions").then((m) => ({ default: m.ChatActions }));
const ChatActions = lazy(loadActions);

type Session = GetSessionOutput["session"];

export function ThreadHeader({ session }: { session: Session }) {
  const bot = session.bot;
  const closed = session.status === "closed";
  return (
    <header className="flex shrink-0 items-center gap-3 border-b border-zinc-200 px-3 py-2.5 sm:px-4 dark:border-zinc-800">
      <Link href="/chat" aria-label="Back" className={buttonClass("ghost", "icon", "-ml-1 md:hidden")}>
        <BackIcon className="size-5" />
      </Link>
      <Avatar src={bot?.avatar} name={bot?.displayName ?? session.title} status={bot?.status} />
      <div className="min-w-0 flex-1">
        <h1 className="truncate text-[15px] leading-tight font-semibold" data-testid="thread-title">
          {session.title}
        </h1>
        <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">
          {bot ? (
            <>
              {bot.displayName} · <span className={bot.status === "online" ? "text-emerald-700 dark:text-emerald-400" : ""}>{bot.status === "online" ? "Online" : bot.status === "offline" ? "Offline" : "Unavailable"}</span>
            </>
          ) : (
            "No bot"
          )}
          {closed ? " · Closed" : session.status === "paused" ? " · Paused" : ""}
        </p>
      </div>
      {closed ? (
        <span className="rounded-full border border-zinc-300 px-2.5 py-1 text-xs font-medium text-zinc-600 dark:border-zinc-700 dark:text-zinc-300">
          Closed
        </span>
      ) : (
        <CloseSession session={session} />
      )}
      <ActionsMenu session={session} />
    </header>
  );
}

/**
 * "Chat actions": rename, export, delete. Until the menu's code is wanted this is a plain button of
 * the same look; the first click loads it and opens it in its place.
 */
function ActionsMenu({ session }: { session: Session }) {
  const [wanted, setWanted] = useState(false);
  const button = (
    <Button
      variant="ghost"
      size="icon"
      aria-label="Chat actions"
      aria-haspopup="menu"
      aria-expanded={false}
      className="-mr-1"
      onPointerEnter={() => void loadActions()}
      onFocus={() => void loadActions()}
      onClick={() => setWanted(true)}
      onKeyDown={(event) => {
        if (event.key === "ArrowDown") setWanted(true);
      }}
    >
      <MoreIcon className="size-5" />
    </Button>
  );
  return wanted ? (
    <Suspense fallback={button}>
      <ChatActions session={session} />
    </Suspense>
  ) : (
    button
  );
}

function CloseSession({ session }: { session: Session }) {
  const [open, setOpen] = useState(false);
  const [wanted, setWanted] = useState(false);
  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        aria-haspopup="dialog"
        onPointerEnter={() => void loadDialog()}
        onFocus={() => void loadDialog()}
        onClick={() => {
          setWanted(true);
          setOpen(true);
        }}
      >
        Close session
      </Button>
      {wanted ? (
        <Suspense fallback={null}>
          <CloseSessionDialog session={session} open={open} onOpenChange={setOpen} />
        </Suspense>
      ) : null}
    </>
  );
}
