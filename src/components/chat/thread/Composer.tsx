"use client";

import { forwardRef, useId, useImperativeHandle, useRef, useState } from "react";
// The constant alone: "@/shared" would bring every Zod schema (and Zod) into the chat page.
import { LIMITS } from "@/shared/limits";
import { CloseIcon, LockIcon, SendIcon } from "@/components/ui/icons";
import { plainPreview } from "../format";
import type { ThreadMessage } from "./message-store";

/** The counter appears from here on, so it is there before the limit is. */
const COUNTER_FROM = Math.floor(LIMITS.messageContent * 0.8);
const numberFormat = new Intl.NumberFormat();

export type ComposerHandle = { focus: () => void };

/** Why a session cannot take messages: closed by the user, or its bot no longer usable by them. */
export type ComposerBlock = "closed" | "no-access" | null;

/** Enter sends, Shift+Enter breaks the line; the limit is the server's (LIMITS.messageContent). */
export const Composer = forwardRef<
  ComposerHandle,
  {
    blocked: ComposerBlock;
    botName: string;
    replyTo: ThreadMessage | null;
    onCancelReply: () => void;
    onSend: (content: string) => void;
  }
>(function Composer({ blocked, botName, replyTo, onCancelReply, onSend }, ref) {
  const [value, setValue] = useState("");
  const textarea = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  useImperativeHandle(ref, () => ({ focus: () => textarea.current?.focus() }), []);

  const length = value.trim().length;
  const over = length > LIMITS.messageContent;
  const closed = blocked !== null;
  const canSend = !closed && length > 0 && !over;

  function submit() {
    if (!canSend) return;
    onSend(value.trim());
    setValue("");
    textarea.current?.focus();
  }

  return (
    <div className="shrink-0 border-t border-zinc-200 bg-white px-3 pt-2 pb-[max(0.75rem,env(safe-area-inset-bottom))] sm:px-4 dark:border-zinc-800 dark:bg-zinc-950">
      <div className="mx-auto w-full max-w-3xl">
        {closed ? (
          <p id={`${id}-closed`} role="status" className="mb-2 flex items-center gap-2 rounded-lg bg-zinc-100 px-3 py-2 text-sm text-zinc-600 dark:bg-zinc-900 dark:text-zinc-300">
            <LockIcon className="size-4 shrink-0" />
            {blocked === "no-access"
              ? `You no longer have access to ${botName}, so this chat can’t take new messages. Its history stays here.`
              : "This session is closed. Start a new chat to keep talking."}
          </p>
        ) : null}
        {replyTo && !closed ? (
          <div className="mb-2 flex items-start gap-2 rounded-lg border-l-2 border-accent bg-zinc-50 px-3 py-1.5 text-sm dark:bg-zinc-900" data-testid="composer-reply">
            <div className="min-w-0 flex-1">
              <p className="text-xs font-medium text-accent dark:text-indigo-300">
                Replying to {replyTo.senderType === "user" ? "yourself" : replyTo.senderName}
              </p>
              <p className="truncate text-zinc-600 dark:text-zinc-300">{plainPreview(replyTo.content)}</p>
            </div>
            <button
              type="button"
              onClick={() => {
                onCancelReply();
                textarea.current?.focus();
              }}
              aria-label="Cancel reply"
              className="rounded-md p-1 text-zinc-500 hover:bg-zinc-200 dark:hover:bg-zinc-800"
            >
              <CloseIcon className="size-4" />
            </button>
          </div>
        ) : null}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
          className={`flex items-end gap-2 rounded-2xl border bg-white py-1.5 pr-1.5 pl-3.5 shadow-sm transition-colors focus-within:border-accent focus-within:ring-2 focus-within:ring-accent/20 dark:bg-zinc-900 ${
            over ? "border-red-400" : "border-zinc-300 dark:border-zinc-700"
          } ${closed ? "opacity-60" : ""}`}
        >
          <label htmlFor={id} className="sr-only">
            Message
          </label>
          <textarea
            ref={textarea}
            id={id}
            name="content"
            rows={1}
            value={value}
            disabled={closed}
            aria-invalid={over || undefined}
            aria-describedby={closed ? `${id}-closed` : `${id}-hint${length >= COUNTER_FROM ? ` ${id}-count` : ""}`}
            placeholder={blocked === "no-access" ? `${botName} is no longer available to you` : closed ? "This session is closed" : `Message ${botName}`}
            onChange={(event) => setValue(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                submit();
              } else if (event.key === "Escape" && replyTo) {
                onCancelReply();
              }
            }}
            className="max-h-48 min-h-9 flex-1 resize-none bg-transparent py-1.5 focus-visible:outline-none text-[15px] leading-6 outline-none [field-sizing:content] placeholder:text-zinc-400 disabled:cursor-not-allowed dark:placeholder:text-zinc-500"
          />
          <button
            type="submit"
            aria-label="Send"
            disabled={!canSend}
            className="flex size-9 shrink-0 items-center justify-center rounded-xl bg-accent text-white transition-colors hover:bg-accent-strong disabled:bg-zinc-200 disabled:text-zinc-400 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-500"
          >
            <SendIcon className="size-4.5" />
          </button>
        </form>
        <div className="mt-1.5 flex items-center justify-between gap-2 px-1 text-xs text-zinc-500 dark:text-zinc-400">
          <span id={`${id}-hint`} className="hidden sm:inline">
            <kbd className="font-sans font-medium">Enter</kbd> to send, <kbd className="font-sans font-medium">Shift + Enter</kbd> for a new line
          </span>
          {length >= COUNTER_FROM ? (
            <span id={`${id}-count`} aria-live="polite" className={`ml-auto tabular-nums ${over ? "font-medium text-red-600 dark:text-red-400" : ""}`}>
              {over
                ? `${numberFormat.format(length - LIMITS.messageContent)} characters over the limit`
                : `${numberFormat.format(length)} / ${numberFormat.format(LIMITS.messageContent)}`}
            </span>
          ) : null}
        </div>
      </div>
    </div>
  );
});
