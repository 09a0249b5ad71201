"use client";

import { lazy, memo, startTransition, Suspense, useContext, useEffect, useState, useSyncExternalStore } from "react";
import type { MessageStatus } from "@/shared";
import { Avatar } from "@/components/ui/Avatar";
import { AlertIcon, CheckIcon, ClockIcon, CopyIcon, DoubleCheckIcon, RefreshIcon, ReplyIcon } from "@/components/ui/icons";
import { fullDateTime, messageTime, plainPreview } from "../format";
import { DeferMarkdown } from "./defer-markdown";
import type { ThreadMessage } from "./message-store";

/**
 * The markdown renderer (react-markdown, remark-gfm) is a chunk of its own, fetched as soon as this
 * module loads; until it is there a message shows as plain text. It keeps the chat page's first-load
 * JavaScript inside its budget (BUDGETS.md). It resolves once the parser has run on a few small
 * documents (`ready`), so the first message does not pay for that inside the thread's render.
 */
const loadMarkdown = () => import("./Markdown").then((m) => m.ready.then(() => ({ default: m.Markdown })));
if (typeof window !== "undefined") void loadMarkdown();
const Markdown = lazy(loadMarkdown);

/**
 * A message's time as its row shows it, formatted once per message (per day, as "today" changes the
 * short form): a row mounts again each time it scrolls into view, and Intl formatting is a good part
 * of mounting one.
 */
const timeLabelCache = new WeakMap<Date, { today: string; iso: string; full: string; short: string }>();
function timeLabels(date: Date) {
  const now = new Date();
  const today = now.toDateString();
  let labels = timeLabelCache.get(date);
  if (!labels || labels.today !== today) {
    labels = { today, iso: date.toISOString(), full: fullDateTime(date), short: messageTime(date, now) };
    timeLabelCache.set(date, labels);
  }
  return labels;
}

/**
 * Whether the screen has no hover (a touch screen): the message's actions then show under it, else
 * beside it on hover. One set is rendered, not both with one hidden by CSS: a row mounts each time
 * it scrolls into view, and the other set's buttons and icons were a good part of its elements.
 */
let noHover: MediaQueryList | undefined;
const hoverNone = () => (noHover ??= window.matchMedia("(hover: none)"));
function subscribeHoverNone(onChange: () => void) {
  hoverNone().addEventListener("change", onChange);
  return () => hoverNone().removeEventListener("change", onChange);
}
export function useTouchScreen(): boolean {
  return useSyncExternalStore(subscribeHoverNone, () => hoverNone().matches, () => false);
}

export type ReplyTarget = { senderName: string; content: string } | null;

const STATUS_LABEL: Record<MessageStatus, string> = {
  sending: "Sending",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Failed",
};

/**
 * One message. `continued` folds the avatar and name into the previous message of the same sender,
 * as chat apps do; the name stays in the text for screen readers.
 */
export const MessageRow = memo(function MessageRow({
  message,
  continued,
  avatar,
  replyTarget,
  onReply,
  onRetry,
  onRegenerate,
  touch,
}: {
  message: ThreadMessage;
  continued: boolean;
  /** A touch screen (no hover): the actions show under the message instead of beside it. */
  touch: boolean;
  avatar: string | null;
  replyTarget: ReplyTarget | undefined;
  onReply: (message: ThreadMessage) => void;
  onRetry: (message: ThreadMessage) => void;
  /** Only for the last reply, while another may be asked for. */
  onRegenerate?: () => void;
}) {
  const mine = message.senderType === "user";
  const { iso, full, short } = timeLabels(message.createdAt);
  const time = (
    <time dateTime={iso} title={full}>
      {short}
    </time>
  );
  const plain = (markdownPending: boolean) => (
    <p className="break-words whitespace-pre-wrap" data-markdown-pending={markdownPending ? "" : undefined}>
      {message.content}
    </p>
  );
  const body =
    message.contentType === "text" ? (
      plain(false)
    ) : (
      <Suspense fallback={plain(true)}>
        <Markdown content={message.content} fallback={plain(true)} />
      </Suspense>
    );
  const quote = message.replyTo && replyTarget !== undefined ? <Quote target={replyTarget} mine={mine} /> : null;
  // Beside the bubble where there is hover; under it on touch screens, where nothing can be hovered.
  const replyButton = (touch: boolean) =>
    message.local ? null : (
      <button
        type="button"
        onClick={() => onReply(message)}
        aria-label={`Reply to ${message.senderType === "user" ? "your message" : message.senderName}`}
        title="Reply"
        className={
          touch
            ? "inline-flex items-center gap-1 rounded-md px-1 py-0.5 text-xs text-zinc-500 dark:text-zinc-400"
            : "shrink-0 self-center rounded-full p-1.5 text-zinc-400 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100 hover:bg-zinc-100 hover:text-zinc-700 focus-visible:opacity-100 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
        }
      >
        <ReplyIcon className={touch ? "size-3.5" : "size-4"} />
        {touch ? <span aria-hidden="true">Reply</span> : null}
      </button>
    );
  const actions = message.local ? null : (
    <>
      {replyButton(touch)}
      <CopyButton text={message.content} touch={touch} />
    </>
  );
  // A row that mounts while the reader scrolls (with a mouse) takes its hover actions once the
  // scrolling stops, in their place beside the bubble, kept meanwhile so the text does not reflow:
  // they were nearly half of a row's elements (two buttons, their icons), and fast wheeling mounts
  // a screenful of rows every frame. Nothing could use them sooner: the rows take no pointer while
  // the list scrolls (MessageList), and a keyboard user reaches them once it stops.
  const scrolling = useContext(DeferMarkdown);
  const [actionsDeferred, setActionsDeferred] = useState(() => scrolling && !touch);
  useEffect(() => {
    if (actionsDeferred && !scrolling) startTransition(() => setActionsDeferred(false));
  }, [actionsDeferred, scrolling]);

  return (
    <div
      data-testid="message"
      data-seq={message.local ? undefined : message.seq}
      data-message-id={message.local ? undefined : message.id}
      data-sender={message.senderType}
      data-status={message.status}
      data-reply-status={message.replyStatus ?? undefined}
      className={`group flex gap-3 px-4 ${continued ? "pt-0.5" : "pt-3"} pb-0.5 ${mine ? "justify-end" : ""}`}
    >
      {mine ? null : continued ? (
        <span className="w-8 shrink-0" aria-hidden="true" />
      ) : (
        <Avatar src={avatar} name={message.senderName} size="sm" />
      )}
      <div className={`flex min-w-0 max-w-[85%] flex-col sm:max-w-[75%] ${mine ? "items-end" : "items-start"}`}>
        <p className={continued ? "sr-only" : "mb-1 flex items-baseline gap-2 text-xs text-zinc-500 dark:text-zinc-400"}>
          <span className="font-medium text-zinc-800 dark:text-zinc-200">{mine ? "You" : message.senderName}</span>
          {mine ? null : time}
        </p>
        <div className={`flex max-w-full min-w-0 items-end gap-1 ${mine ? "flex-row-reverse" : ""}`}>
          <div
            className={`max-w-full min-w-0 rounded-2xl px-3.5 py-2 text-[15px] leading-relaxed ${
              mine
                ? `bubble-mine bg-accent text-white ${message.status === "failed" ? "opacity-70" : ""}`
                : "bg-zinc-100 text-zinc-900 dark:bg-zinc-800/80 dark:text-zinc-100"
            } ${mine && !continued ? "rounded-tr-md" : ""} ${!mine && !continued ? "rounded-tl-md" : ""}`}
          >
            {quote}
            {body}
            {message.replyStatus === "streaming" ? (
              <span aria-hidden="true" data-testid="streaming-caret" className="ml-0.5 inline-block h-4 w-1.5 translate-y-0.5 animate-pulse rounded-sm bg-zinc-500 dark:bg-zinc-400" />
            ) : null}
          </div>
          {touch ? null : actionsDeferred && actions ? (
            <div className="w-14 shrink-0" data-actions-deferred="" />
          ) : (
            <div className={`flex shrink-0 items-center self-center ${mine ? "flex-row-reverse" : ""}`}>{actions}</div>
          )}
        </div>
        {mine ? (
          <div className="mt-1 flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
            {touch ? <span className="flex items-center gap-1.5">{actions}</span> : null}
            {time}
            <StatusMark status={message.status} />
          </div>
        ) : (
          <div className="mt-0.5 flex items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">
            {message.replyStatus === "stopped" ? <span data-testid="reply-note">Stopped</span> : null}
            {message.replyStatus === "failed" ? <span data-testid="reply-note">Interrupted: the reply is incomplete</span> : null}
            {touch ? <span className="flex items-center gap-2">{actions}</span> : null}
            {onRegenerate ? (
              <button
                type="button"
                onClick={onRegenerate}
                title="Ask for another reply to your last message"
                className="inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
              >
                <RefreshIcon className="size-3.5" />
                Regenerate
              </button>
            ) : null}
          </div>
        )}
        {mine && message.status === "failed" ? (
          <div className="mt-1 flex items-center gap-2 text-xs text-red-600 dark:text-red-400">
            <span data-testid="message-error">{message.error ?? "Not sent."}</span>
            <button
              type="button"
              onClick={() => onRetry(message)}
              className="rounded-md px-1.5 py-0.5 font-semibold text-accent hover:bg-accent/10 dark:text-indigo-300"
            >
              Retry
            </button>
          </div>
        ) : null}
      </div>
    </div>
  );
});

/**
 * "Copy message": the message's text (its markdown source) to the clipboard, then "Copied" for a
 * moment, shown and announced (the button's name changes too, as the code block's does).
 */
function CopyButton({ text, touch }: { text: string; touch: boolean }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setCopied(true),
          // Clipboard refused (no permission, insecure context): nothing to show.
          () => {},
        );
      }}
      aria-label={copied ? "Copied" : "Copy message"}
      title="Copy"
      className={
        touch
          ? "inline-flex items-center gap-1 rounded-md px-1 py-0.5 text-xs text-zinc-500 dark:text-zinc-400"
          : `inline-flex shrink-0 items-center gap-1 rounded-full p-1.5 text-zinc-400 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100 hover:bg-zinc-100 hover:text-zinc-700 focus-visible:opacity-100 dark:hover:bg-zinc-800 dark:hover:text-zinc-200 ${copied ? "opacity-100" : "opacity-0"}`
      }
    >
      {copied ? <CheckIcon className={touch ? "size-3.5" : "size-4"} /> : <CopyIcon className={touch ? "size-3.5" : "size-4"} />}
      {copied ? <span className="text-xs font-medium">Copied</span> : touch ? <span aria-hidden="true">Copy</span> : null}
    </button>
  );
}

function StatusMark({ status }: { status: MessageStatus }) {
  const label = STATUS_LABEL[status];
  const icon =
    status === "sending" ? (
      <ClockIcon className="size-3.5" />
    ) : status === "sent" ? (
      <CheckIcon className="size-3.5" />
    ) : status === "failed" ? (
      <AlertIcon className="size-3.5 text-red-600 dark:text-red-400" />
    ) : (
      <DoubleCheckIcon className={`size-3.5 ${status === "read" ? "text-accent dark:text-indigo-300" : ""}`} />
    );
  return (
    <span data-testid="message-status" title={label} className="inline-flex items-center gap-1">
      {icon}
      <span className={status === "failed" ? "font-medium text-red-600 dark:text-red-400" : "sr-only"}>{label}</span>
    </span>
  );
}

function Quote({ target, mine }: { target: ReplyTarget | undefined; mine: boolean }) {
  return (
    <div
      data-testid="reply-quote"
      className={`mb-1.5 rounded-lg border-l-2 px-2 py-1 text-[13px] ${
        mine ? "border-white/60 bg-white/15 text-white/90" : "border-accent/60 bg-white/70 text-zinc-600 dark:bg-zinc-900/60 dark:text-zinc-300"
      }`}
    >
      <span className="sr-only">In reply to </span>
      {target ? (
        <>
          <span className="font-semibold">{target.senderName}</span>
          <span className="line-clamp-2">{plainPreview(target.content)}</span>
        </>
      ) : (
        <span className="italic">An earlier message</span>
      )}
    </div>
  );
}
