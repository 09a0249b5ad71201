"use client";

import Link from "next/link";
import { lazy, Suspense, useState } from "react";
import type { GetSessionOutput } from "@/shared";
import { Avatar } from "@/components/ui/Avatar";
import { Button, buttonClass } from "@/components/ui/Button";
import { BackIcon } from "@/components/ui/icons";

/** The confirmation (Radix AlertDialog) loads when first wanted: most visits never close a session. */
const loadDialog = () => import("./CloseSessionDialog").then((m) => ({ default: m.CloseSessionDialog }));
const CloseSessionDialog = lazy(loadDialog);

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
    </header>
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
