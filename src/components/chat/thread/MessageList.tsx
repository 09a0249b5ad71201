"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/Button";
import { ArrowDownIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/Spinner";
import { MessageRow, type ReplyTarget } from "./MessageRow";
import type { ThreadMessage, ThreadSnapshot, ThreadStore } from "./message-store";

/** Height kept above the first message for "loading earlier messages" or "start of the conversation". */
const HEADER = 56;
/** Older messages load when the reader is this close to the top. */
const LOAD_OLDER_WITHIN = 800;

/**
 * The thread, virtualised: only the rows in and near view are in the DOM, whatever the length.
 * The list is anchored to its end (`anchorTo: "end"`): it opens at the newest message, follows new
 * ones while the reader is at the bottom, and when older pages are prepended the row under the
 * reader's eye keeps its place on screen.
 */
export function MessageList({
  store,
  snapshot,
  botName,
  botAvatar,
  onLoadOlder,
  onReply,
  onRetry,
  scrollToEndSignal,
}: {
  store: ThreadStore;
  snapshot: ThreadSnapshot;
  botName: string;
  botAvatar: string | null;
  onLoadOlder: () => void;
  onReply: (message: ThreadMessage) => void;
  onRetry: (message: ThreadMessage) => void;
  /** Changes when the reader sends a message: back to the bottom, wherever they were. */
  scrollToEndSignal: number;
}) {
  const { messages, hasMore, older } = snapshot;
  const scroller = useRef<HTMLDivElement>(null);
  const [opened, setOpened] = useState(false);
  const [awayFromEnd, setAwayFromEnd] = useState(false);

  // eslint-disable-next-line react-hooks/incompatible-library -- read afresh every render; this app does not run the React Compiler
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 76,
    getItemKey: (index) => messages[index]!.key,
    overscan: 6,
    paddingStart: HEADER,
    paddingEnd: 12,
    anchorTo: "end",
    followOnAppend: true,
  });

  // Open at the newest message, once the first page is there.
  useLayoutEffect(() => {
    if (opened || messages.length === 0) return;
    virtualizer.scrollToEnd();
    const frame = requestAnimationFrame(() => setOpened(true));
    return () => cancelAnimationFrame(frame);
  }, [opened, messages.length, virtualizer]);

  useEffect(() => {
    if (scrollToEndSignal > 0) virtualizer.scrollToEnd();
  }, [scrollToEndSignal, virtualizer]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setAwayFromEnd(el.scrollHeight - el.scrollTop - el.clientHeight > 600);
    if (opened && el.scrollTop < LOAD_OLDER_WITHIN) onLoadOlder();
  }, [opened, onLoadOlder]);

  // A first page too short to scroll cannot be scrolled up: fetch the next one straight away.
  useEffect(() => {
    const el = scroller.current;
    if (opened && el && hasMore && older === "idle" && el.scrollHeight <= el.clientHeight) onLoadOlder();
  }, [opened, hasMore, older, onLoadOlder, messages.length]);

  const items = virtualizer.getVirtualItems();

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scroller}
        role="log"
        aria-label="Messages"
        // Rows come and go as the reader scrolls: announcing them would be noise. New messages are
        // announced by the thread's own status region instead.
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        className="h-full overflow-y-auto overscroll-contain [overflow-anchor:none] focus-visible:outline-offset-[-2px]"
      >
        <div className="relative mx-auto w-full max-w-3xl" style={{ height: virtualizer.getTotalSize() }}>
          <div className="absolute inset-x-0 top-0 flex items-center justify-center px-4 text-xs text-zinc-500 dark:text-zinc-400" style={{ height: HEADER }}>
            {older === "loading" ? (
              <span role="status" className="flex items-center gap-2">
                <Spinner className="size-3.5" /> Loading earlier messages…
              </span>
            ) : older === "error" ? (
              <Button variant="ghost" size="sm" onClick={onLoadOlder}>
                Couldn’t load earlier messages. Retry
              </Button>
            ) : hasMore ? (
              <Button variant="ghost" size="sm" onClick={onLoadOlder}>
                Load earlier messages
              </Button>
            ) : messages.length > 0 ? (
              <span>This is the start of your conversation with {botName}.</span>
            ) : null}
          </div>
          {items.map((item) => {
            const message = messages[item.index]!;
            const previous = messages[item.index - 1];
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="absolute inset-x-0 top-0"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <MessageRow
                  message={message}
                  continued={!!previous && previous.senderType === message.senderType && previous.senderName === message.senderName}
                  avatar={message.senderType === "bot" ? botAvatar : null}
                  replyTarget={replyTargetOf(store, message)}
                  onReply={onReply}
                  onRetry={onRetry}
                />
              </div>
            );
          })}
        </div>
      </div>
      {awayFromEnd ? (
        <button
          type="button"
          onClick={() => virtualizer.scrollToEnd({ behavior: "smooth" })}
          className="absolute bottom-4 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full border border-zinc-200 bg-white px-3 py-1.5 text-xs font-medium text-zinc-700 shadow-lg hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200"
        >
          <ArrowDownIcon className="size-3.5" /> Jump to latest
        </button>
      ) : null}
    </div>
  );
}

function replyTargetOf(store: ThreadStore, message: ThreadMessage): ReplyTarget | undefined {
  if (!message.replyTo) return undefined;
  const target = store.get(message.replyTo);
  return target ? { senderName: target.senderType === "user" ? "You" : target.senderName, content: target.content } : null;
}
