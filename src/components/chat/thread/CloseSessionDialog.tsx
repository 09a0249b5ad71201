"use client";

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import type { GetSessionOutput } from "@/shared";
import { Button } from "@/components/ui/Button";
import { Spinner } from "@/components/ui/Spinner";
import { api } from "@/trpc/react";
import { describeError } from "../errors";
import { usePatchListedSession } from "../session-cache";

type Session = GetSessionOutput["session"];

/** "Close this session?": closes only once the server has said so, and shows why if it could not. */
export function CloseSessionDialog({ session, open, onOpenChange }: { session: Session; open: boolean; onOpenChange: (open: boolean) => void }) {
  const utils = api.useUtils();
  const patchListed = usePatchListedSession();
  const close = api.chat.closeSession.useMutation({
    onSuccess: () => {
      const closedAt = new Date();
      utils.chat.getSession.setData({ sessionId: session.id }, (data) =>
        data ? { session: { ...data.session, status: "closed", closedAt: data.session.closedAt ?? closedAt } } : data,
      );
      patchListed(session.id, (s) => ({ ...s, status: "closed", closedAt: s.closedAt ?? closedAt }));
      void utils.chat.listSessions.invalidate();
      onOpenChange(false);
    },
  });

  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) close.reset();
      }}
    >
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-zinc-950/40 backdrop-blur-[2px]" />
        <AlertDialog.Content className="fixed top-1/2 left-1/2 z-50 w-[min(26rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-2xl border border-zinc-200 bg-white p-5 shadow-2xl outline-none data-[state=open]:animate-[dialog-in_180ms_ease-out] dark:border-zinc-800 dark:bg-zinc-900">
          <AlertDialog.Title className="text-lg font-semibold">Close this session?</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-zinc-600 dark:text-zinc-300">
            You won’t be able to send messages in “{session.title}” any more. Its history stays here.
          </AlertDialog.Description>
          {close.isError ? (
            <p role="alert" className="mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950/60 dark:text-red-200">
              {describeError(close.error, "close")}
            </p>
          ) : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button variant="secondary">Cancel</Button>
            </AlertDialog.Cancel>
            {/* Not AlertDialog.Action: that would close the dialog before the server has answered. */}
            <Button variant="danger" disabled={close.isPending} onClick={() => close.mutate({ sessionId: session.id })}>
              {close.isPending ? <Spinner /> : null}
              Close session
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
