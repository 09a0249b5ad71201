"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Bot } from "@/shared";
import { Avatar } from "@/components/ui/Avatar";
import { Button } from "@/components/ui/Button";
import { CloseIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/Spinner";
import { api } from "@/trpc/react";
import { describeError } from "./errors";
import { SkeletonRow } from "@/components/ui/Skeleton";

export function NewChatDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 backdrop-blur-[2px] data-[state=open]:animate-[fade-in_150ms_ease-out]" />
        <Dialog.Content
          aria-describedby="new-chat-description"
          className="fixed inset-x-0 bottom-0 z-50 flex max-h-[85dvh] flex-col rounded-t-2xl border border-zinc-200 bg-white shadow-2xl outline-none data-[state=open]:animate-[dialog-in_180ms_ease-out] sm:inset-auto sm:top-1/2 sm:left-1/2 sm:w-[min(32rem,calc(100vw-2rem))] sm:-translate-x-1/2 sm:-translate-y-1/2 sm:rounded-2xl dark:border-zinc-800 dark:bg-zinc-900"
        >
          <div className="flex items-start justify-between gap-4 px-5 pt-5 pb-3">
            <div>
              <Dialog.Title className="text-lg font-semibold">New chat</Dialog.Title>
              <Dialog.Description id="new-chat-description" className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">
                Pick a bot to start a conversation with.
              </Dialog.Description>
            </div>
            <Dialog.Close asChild>
              <Button variant="ghost" size="icon" aria-label="Close">
                <CloseIcon className="size-5" />
              </Button>
            </Dialog.Close>
          </div>
          {open ? <BotPicker onStarted={() => onOpenChange(false)} /> : null}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function BotPicker({ onStarted }: { onStarted: () => void }) {
  const router = useRouter();
  const utils = api.useUtils();
  const bots = api.bot.list.useQuery(undefined, { staleTime: 5 * 60_000 });
  const [startingId, setStartingId] = useState<string | null>(null);
  const create = api.chat.createSession.useMutation({
    onSuccess: ({ session }) => {
      // Starting it just proved the caller may use the bot.
      utils.chat.getSession.setData({ sessionId: session.id }, { session: { ...session, botAccess: true } });
      void utils.chat.listSessions.invalidate();
      router.push(`/chat/${session.id}`);
      onStarted();
    },
    onSettled: () => setStartingId(null),
  });

  function start(bot: Bot) {
    if (create.isPending) return;
    setStartingId(bot.id);
    create.mutate({ botId: bot.id });
  }

  return (
    <div className="min-h-0 flex-1 overflow-y-auto px-3 pb-4">
      {create.isError ? (
        <p role="alert" className="mx-2 mb-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950/60 dark:text-red-200">
          {describeError(create.error, "create")}
        </p>
      ) : null}
      {bots.isPending ? (
        <ul aria-label="Loading bots" className="flex flex-col gap-1">
          {Array.from({ length: 4 }, (_, i) => (
            <li key={i} className="flex items-center gap-3 rounded-xl p-3">
              <SkeletonRow avatar="size-12" widths={["w-1/3", "w-3/4"]} />
            </li>
          ))}
        </ul>
      ) : bots.isError ? (
        <div role="alert" className="mx-2 rounded-lg bg-red-50 p-4 text-sm text-red-800 dark:bg-red-950/60 dark:text-red-200">
          <p>Couldn’t load the bots. {describeError(bots.error)}</p>
          <Button variant="secondary" size="sm" className="mt-3" onClick={() => void bots.refetch()}>
            Try again
          </Button>
        </div>
      ) : bots.data.bots.length === 0 ? (
        <p className="px-2 py-8 text-center text-sm text-zinc-500 dark:text-zinc-400">No bots are available to you yet.</p>
      ) : (
        <ul aria-label="Bots" className="flex flex-col gap-1">
          {bots.data.bots.map((bot) => (
            <li key={bot.id}>
              <button
                type="button"
                data-testid="bot-option"
                aria-label={bot.displayName}
                aria-describedby={`bot-${bot.id}-details`}
                aria-busy={startingId === bot.id || undefined}
                onClick={() => start(bot)}
                className="flex w-full items-center gap-3 rounded-xl p-3 text-left transition-colors hover:bg-zinc-100 aria-busy:cursor-wait dark:hover:bg-zinc-800"
              >
                <Avatar src={bot.avatar} name={bot.displayName} size="lg" status={bot.status} />
                <span className="min-w-0 flex-1">
                  <span className="flex items-center gap-2">
                    <span className="truncate font-medium">{bot.displayName}</span>
                    {bot.visibility === "private" ? (
                      <span className="rounded-full bg-amber-100 px-1.5 text-[11px] font-medium text-amber-800 dark:bg-amber-950 dark:text-amber-300">
                        Private
                      </span>
                    ) : null}
                  </span>
                  <span id={`bot-${bot.id}-details`} className="mt-0.5 block text-sm text-zinc-500 dark:text-zinc-400">
                    <span className={bot.status === "online" ? "text-emerald-700 dark:text-emerald-400" : ""}>
                      {bot.status === "online" ? "Online" : "Offline"}
                    </span>
                    {bot.description ? <> · {bot.description}</> : null}
                  </span>
                </span>
                {startingId === bot.id ? <Spinner className="size-5 text-accent" /> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
