"use client";

import type { GetSessionOutput } from "@/shared";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
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
    <ConfirmDialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next);
        if (!next) close.reset();
      }}
      title="Close this session?"
      confirmLabel="Close session"
      pending={close.isPending}
      error={close.isError ? describeError(close.error, "close") : null}
      onConfirm={() => close.mutate({ sessionId: session.id })}
    >
      You won’t be able to send messages in “{session.title}” any more. Its history stays here.
    </ConfirmDialog>
  );
}
