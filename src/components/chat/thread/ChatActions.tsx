"use client";

import * as Dialog from "@radix-ui/react-dialog";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import type { GetSessionOutput } from "@/shared";
import { LIMITS } from "@/shared/limits";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { CloseIcon, DownloadIcon, MoreIcon, PencilIcon, TrashIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/Spinner";
import { api } from "@/trpc/react";
import { describeError } from "../errors";
import { removeSession } from "../live/apply-event";
import { usePatchListedSession } from "../session-cache";

type Session = GetSessionOutput["session"];

const itemClass =
  "flex cursor-default items-center gap-2.5 rounded-lg px-2.5 py-2 text-sm outline-none select-none data-[highlighted]:bg-zinc-100 dark:data-[highlighted]:bg-zinc-800";

/**
 * The thread's actions menu: Rename chat, Export as Markdown / JSON (downloads from the export
 * route), Delete chat. Mounted open: its plain stand-in button was just pressed (ThreadHeader).
 */
export function ChatActions({ session }: { session: Session }) {
  const [open, setOpen] = useState(true);
  const [dialog, setDialog] = useState<"rename" | "delete" | null>(null);
  // A dialog opened from the menu takes the focus; the closing menu must not take it back.
  const dialogOpening = useRef(false);
  const openDialog = (which: "rename" | "delete") => {
    dialogOpening.current = true;
    setDialog(which);
  };
  const exportUrl = (format: "md" | "json") => `/api/sessions/${encodeURIComponent(session.id)}/export?format=${format}`;

  return (
    <>
      <DropdownMenu.Root open={open} onOpenChange={setOpen}>
        <DropdownMenu.Trigger asChild>
          <Button variant="ghost" size="icon" aria-label="Chat actions" className="-mr-1">
            <MoreIcon className="size-5" />
          </Button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={6}
            onCloseAutoFocus={(event) => {
              if (dialogOpening.current) event.preventDefault();
              dialogOpening.current = false;
            }}
            className="z-40 min-w-52 rounded-xl border border-zinc-200 bg-white p-1 shadow-xl data-[state=open]:animate-[fade-in_120ms_ease-out] dark:border-zinc-800 dark:bg-zinc-900"
          >
            <DropdownMenu.Item className={itemClass} onSelect={() => openDialog("rename")}>
              <PencilIcon className="size-4 text-zinc-500" /> Rename chat
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-800" />
            <DropdownMenu.Item asChild className={itemClass}>
              <a href={exportUrl("md")} download>
                <DownloadIcon className="size-4 text-zinc-500" /> Export as Markdown
              </a>
            </DropdownMenu.Item>
            <DropdownMenu.Item asChild className={itemClass}>
              <a href={exportUrl("json")} download>
                <DownloadIcon className="size-4 text-zinc-500" /> Export as JSON
              </a>
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="my-1 h-px bg-zinc-200 dark:bg-zinc-800" />
            <DropdownMenu.Item className={`${itemClass} text-red-700 dark:text-red-400`} onSelect={() => openDialog("delete")}>
              <TrashIcon className="size-4" /> Delete chat
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <RenameDialog session={session} open={dialog === "rename"} onOpenChange={(next) => setDialog(next ? "rename" : null)} />
      <DeleteDialog session={session} open={dialog === "delete"} onOpenChange={(next) => setDialog(next ? "delete" : null)} />
    </>
  );
}

/** "Rename chat": the title, trimmed, 1 to 200 characters, as the server checks it too. */
function RenameDialog({ session, open, onOpenChange }: { session: Session; open: boolean; onOpenChange: (open: boolean) => void }) {
  const utils = api.useUtils();
  const patchListed = usePatchListedSession();
  const id = useId();
  const [title, setTitle] = useState(session.title);
  const [problem, setProblem] = useState<string | null>(null);
  const rename = api.chat.renameSession.useMutation({
    onSuccess: ({ session: renamed }) => {
      utils.chat.getSession.setData({ sessionId: session.id }, (data) => (data ? { session: { ...data.session, title: renamed.title, updatedAt: renamed.updatedAt } } : data));
      patchListed(session.id, (s) => ({ ...s, title: renamed.title }));
      onOpenChange(false);
    },
    onError: (error) => setProblem(describeError(error)),
  });

  function submit() {
    const trimmed = title.trim();
    if (!trimmed) return setProblem("Title cannot be blank");
    if (trimmed.length > LIMITS.sessionTitle) return setProblem(`At most ${LIMITS.sessionTitle} characters`);
    setProblem(null);
    rename.mutate({ sessionId: session.id, title: trimmed });
  }

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        if (next) setTitle(session.title);
        setProblem(null);
        rename.reset();
        onOpenChange(next);
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 backdrop-blur-[2px]" />
        <Dialog.Content
          aria-describedby={undefined}
          className="fixed top-1/2 left-1/2 z-50 w-[min(26rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-2xl border border-zinc-200 bg-white p-5 shadow-2xl outline-none data-[state=open]:animate-[dialog-in_180ms_ease-out] dark:border-zinc-800 dark:bg-zinc-900"
        >
          <div className="flex items-start justify-between gap-4">
            <Dialog.Title className="text-lg font-semibold">Rename chat</Dialog.Title>
            <Dialog.Close asChild>
              <Button variant="ghost" size="icon" aria-label="Close" className="-mt-1 -mr-2">
                <CloseIcon className="size-5" />
              </Button>
            </Dialog.Close>
          </div>
          <form
            className="mt-3"
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <label htmlFor={`${id}-title`} className="text-sm font-medium">
              Title
            </label>
            <input
              id={`${id}-title`}
              name="title"
              value={title}
              autoFocus
              onFocus={(event) => event.currentTarget.select()}
              onChange={(event) => setTitle(event.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? `${id}-problem` : undefined}
              className="mt-1.5 h-10 w-full rounded-lg border border-zinc-300 bg-white px-3 text-[15px] outline-none focus:border-accent focus:ring-2 focus:ring-accent/20 dark:border-zinc-700 dark:bg-zinc-950"
            />
            {problem ? (
              <p id={`${id}-problem`} role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
                {problem}
              </p>
            ) : null}
            <div className="mt-5 flex justify-end gap-2">
              <Dialog.Close asChild>
                <Button variant="secondary">Cancel</Button>
              </Dialog.Close>
              <Button type="submit" disabled={rename.isPending}>
                {rename.isPending ? <Spinner /> : null}
                Save
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** "Delete this chat?": deletes once the server has said so, then leaves the thread for /chat. */
function DeleteDialog({ session, open, onOpenChange }: { session: Session; open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const remove = api.chat.deleteSession.useMutation({
    onSuccess: () => {
      removeSession(queryClient, session.id);
      router.replace("/chat?deleted=1");
    },
  });
  const count = session.messageCount;
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) remove.reset();
      }}
      title="Delete this chat?"
      confirmLabel="Delete chat"
      pending={remove.isPending}
      error={remove.isError ? describeError(remove.error) : null}
      onConfirm={() => remove.mutate({ sessionId: session.id })}
    >
      “{session.title}” and its {count === 1 ? "one message" : `${count.toLocaleString()} messages`} will be deleted for good, in every
      tab and on every device. This can’t be undone.
    </ConfirmDialog>
  );
}
