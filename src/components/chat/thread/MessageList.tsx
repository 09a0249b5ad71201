"use client";

import { useVirtualizer, type VirtualItem, type Virtualizer } from "@tanstack/react-virtual";
import { startTransition, useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/Button";
import { ArrowDownIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/Spinner";
import { DeferMarkdown } from "./defer-markdown";
import { MessageRow, useTouchScreen, type ReplyTarget } from "./MessageRow";
import type { ThreadMessage, ThreadSnapshot, ThreadStore } from "./message-store";

/** Height kept above the first message for "loading earlier messages" or "start of the conversation". */
const HEADER = 56;
/** Height kept below the last message for "loading newer messages", when opened mid-history. */
const FOOTER = 56;
/** Older messages load when the reader is this close to the top; newer ones this close to the bottom. */
const LOAD_OLDER_WITHIN = 800;
/** How long a message opened from a search result stays highlighted. */
const HIGHLIGHT_MS = 2_500;
/**
 * A row's height before it is measured, from its text: lines of about 65 characters (the bubble's
 * width at 15 px), code and table lines, the gaps between paragraphs, and the row's name, time and
 * padding. Close to the measured height, the rows the list mounts for a position are the ones it
 * keeps once they are measured: no second render of other rows, no correction of the scroll
 * position, after a row mounts (the opening of the thread, every row that scrolls in). Computed once
 * per message: the virtualiser asks for every row not yet measured each time it lays out the list.
 */
const estimates = new WeakMap<ThreadMessage, number>();
const CHARS_PER_LINE = 65;
function estimateRow(message: ThreadMessage): number {
  let height = estimates.get(message);
  if (height !== undefined) return height;
  height = 40;
  let code = false;
  for (const line of message.content.split("\n")) {
    if (line.startsWith("```")) {
      height += code ? 12 : 44;
      code = !code;
    } else if (code) height += 20;
    else if (line.trim() === "") height += 12;
    else if (line.startsWith("|")) height += 36;
    else height += 24 * Math.ceil(line.length / CHARS_PER_LINE);
  }
  estimates.set(message, height);
  return height;
}
/** Rows beyond those mounted whose markdown renders ahead while the reader scrolls towards them. */
const AHEAD = 12;
const loadMarkdown = () => import("./Markdown");

/**
 * The scroll box's size and offset before it is measured, for a thread opened on the client (from
 * the sidebar). The box is no taller than the window, and the newest rows are at the end of the
 * estimated heights: the first render mounts the rows that will be in view, in React's
 * interruptible render (a task per row or so, the markdown parsed as each row renders). Left at
 * the defaults (no height, the offset past the end), it mounted only the last row and its overscan,
 * and the rest of the view mounted in the synchronous render that follows the first measurement, one
 * task with every other row's markdown in it. Hydrating the server's HTML keeps the defaults, as the
 * server rendered with them.
 */
const subscribeNothing = () => () => {};
function useClientRender(): boolean {
  return useSyncExternalStore(subscribeNothing, () => true, () => false);
}
function windowRect() {
  return { width: Math.min(window.innerWidth, 768), height: window.innerHeight };
}

function keepRowsInView(item: VirtualItem, _delta: number, instance: Virtualizer<HTMLDivElement, Element>): boolean {
  const offset = instance.scrollOffset ?? 0;
  return instance.itemSizeCache.has(item.key) ? item.end <= offset : item.start < offset;
}

/**
 * The thread, virtualised: only the rows in and near view are in the DOM, whatever the length.
 * The list is anchored to its end (`anchorTo: "end"`): it opens at the newest message, follows new
 * ones while the reader is at the bottom, and when older pages are prepended the row under the
 * reader's eye keeps its place on screen.
 *
 * Opened at a message (a search result), it opens there, highlighted for a moment; if newer
 * messages exist than those loaded, it loads them as the reader scrolls down (the row in view
 * keeps its place as they are appended) and follows nothing until the newest is there.
 */
export function MessageList({
  store,
  snapshot,
  botName,
  botAvatar,
  onLoadOlder,
  onLoadNewer,
  onJumpToLatest,
  onReply,
  onRetry,
  onRegenerate,
  focusMessageId,
  scrollToEndSignal,
}: {
  store: ThreadStore;
  snapshot: ThreadSnapshot;
  botName: string;
  botAvatar: string | null;
  onLoadOlder: () => void;
  onLoadNewer: () => void;
  /** To the newest message, loading it first when the thread holds only older ones. */
  onJumpToLatest: () => void;
  onReply: (message: ThreadMessage) => void;
  onRetry: (message: ThreadMessage) => void;
  /** Given while the last reply may be regenerated; shown under it. */
  onRegenerate: (() => void) | null;
  /** The message to open at (a search result), instead of the newest. */
  focusMessageId: string | null;
  /** Changes when the reader sends a message: back to the bottom, wherever they were. */
  scrollToEndSignal: number;
}) {
  const { messages, hasMore, older, hasNewer, newer } = snapshot;
  const scroller = useRef<HTMLDivElement>(null);
  const [opened, setOpened] = useState(false);
  const [awayFromEnd, setAwayFromEnd] = useState(false);
  const [highlighted, setHighlighted] = useState(focusMessageId);
  const touch = useTouchScreen();
  const estimateOpening = useClientRender() && !hasNewer && !focusMessageId;

  // A new getItemKey makes the virtualiser recompute every row's position (all 10,000 of a long
  // thread): it must change only when the messages do, not on every render while scrolling.
  const getItemKey = useCallback((index: number) => messages[index]!.key, [messages]);
  const estimateSize = useCallback((index: number) => estimateRow(messages[index]!), [messages]);

  // eslint-disable-next-line react-hooks/incompatible-library -- read afresh every render; this app does not run the React Compiler
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize,
    getItemKey,
    // Rows mounted beyond the view. The thread opens with just a couple: the opening render (rows,
    // markdown, the first layout of them all) is one task, and the rows above the view mount in a
    // task of their own once it is open.
    overscan: opened ? 6 : 2,
    paddingStart: HEADER,
    paddingEnd: hasNewer ? FOOTER : 12,
    anchorTo: "end",
    // Mid-history, an appended page is more history, not the newest message to follow.
    followOnAppend: !hasNewer,
    // At the newest message it opens there: the first render already lays out the last rows, not the
    // first ones followed by a jump to the end (a second render of every row in view).
    // Opened at the newest on the client, the rows in view are known before the box is measured
    // (see windowRect); opened at a message, or hydrating, the first render is as it was.
    initialOffset: hasNewer
      ? undefined
      : estimateOpening
        ? () => Math.max(0, messages.reduce((sum, m) => sum + estimateRow(m), HEADER + 12) - window.innerHeight)
        : Number.MAX_SAFE_INTEGER,
    initialRect: estimateOpening ? windowRect() : undefined,
    // The rows' positions and the list's height are written to the DOM by the virtualiser: a scroll
    // or a row measured (a row mounted, its markdown rendered) that leaves the same rows mounted
    // re-renders nothing. Only a change of the rows mounted, or of scrolling, renders the list.
    directDomUpdates: true,
  });

  // When a row above the view changes height, move the scroll position with it, so the rows in view
  // stay where they are: at its first measurement (as the virtualiser does by default) and also when
  // it is measured again (its markdown rendered after it mounted, see DeferMarkdown), which the
  // virtualiser by default leaves uncompensated while the reader scrolls up.
  virtualizer.shouldAdjustScrollPositionOnItemSizeChange = keepRowsInView;

  // Open at the newest message (or the one asked for), once the first page is there.
  const focusIndex = focusMessageId ? messages.findIndex((m) => m.id === focusMessageId) : -1;
  useLayoutEffect(() => {
    if (opened || messages.length === 0) return;
    if (focusIndex >= 0) {
      atEnd.current = false;
      virtualizer.scrollToIndex(focusIndex, { align: "center" });
    } else {
      virtualizer.scrollToEnd();
    }
    // A transition: the rows above the view that the larger overscan brings in render in React's
    // interruptible render, not in one task with all their markdown.
    const frame = requestAnimationFrame(() => startTransition(() => setOpened(true)));
    return () => cancelAnimationFrame(frame);
  }, [opened, messages.length, virtualizer, focusIndex]);

  useEffect(() => {
    if (!highlighted) return;
    const timer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted]);

  useEffect(() => {
    if (scrollToEndSignal > 0) virtualizer.scrollToEnd();
  }, [scrollToEndSignal, virtualizer]);

  // The rows the thread opens on render their markdown at once, while the list settles at the
  // newest message; from then on, rows that scroll in show it a moment later (DeferMarkdown).
  const scrolling = virtualizer.isScrolling;
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    if (opened && !scrolling) setSettled(true);
  }, [opened, scrolling]);

  // A reader at the newest message stays there while it grows: a reply streaming in, a status or
  // error line appearing under the last message.
  const atEnd = useRef(!focusMessageId);
  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    if (opened && atEnd.current && !hasNewer) virtualizer.scrollToEnd();
  }, [opened, totalSize, virtualizer, hasNewer]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const fromEnd = el.scrollHeight - el.scrollTop - el.clientHeight;
    atEnd.current = fromEnd < 48;
    setAwayFromEnd(fromEnd > 600);
    if (opened && el.scrollTop < LOAD_OLDER_WITHIN) onLoadOlder();
    if (opened && hasNewer && fromEnd < LOAD_OLDER_WITHIN) onLoadNewer();
  }, [opened, onLoadOlder, onLoadNewer, hasNewer]);

  // A first page too short to scroll cannot be scrolled: fetch the next one straight away.
  // The virtualiser's sizes, not the DOM's: reading scrollHeight here, after a page is prepended,
  // would lay the page out again in the middle of that commit.
  useEffect(() => {
    if (!opened || virtualizer.getTotalSize() > (virtualizer.scrollRect?.height ?? 0)) return;
    if (hasMore && older === "idle") onLoadOlder();
    else if (hasNewer && newer === "idle") onLoadNewer();
  }, [opened, hasMore, older, hasNewer, newer, onLoadOlder, onLoadNewer, messages.length, virtualizer]);

  const items = virtualizer.getVirtualItems();

  // While scrolling, the markdown of the next rows in that direction renders ahead of them.
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;
  const direction = virtualizer.scrollDirection;
  useEffect(() => {
    if (!settled || !direction) return;
    const next = direction === "backward" ? messages.slice(Math.max(0, first - AHEAD), first).reverse() : messages.slice(last + 1, last + 1 + AHEAD);
    const contents = next.filter((m) => m.contentType !== "text").map((m) => m.content);
    if (contents.length) void loadMarkdown().then(({ renderAhead }) => renderAhead(contents));
  }, [settled, direction, first, last, messages]);

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
        <div
          ref={virtualizer.containerRef}
          // While the list scrolls, the rows take no pointer: the rows passing under a still mouse would
          // each be hovered in turn (their action buttons fading in and out, a style recalculation and
          // transition events for every one) for nothing anyone sees. The wheel still reaches the scroll box.
          className={`relative mx-auto w-full max-w-3xl ${scrolling ? "pointer-events-none" : ""}`}
        >
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
          <DeferMarkdown value={settled && scrolling}>
            {items.map((item) => {
              const message = messages[item.index]!;
              const previous = messages[item.index - 1];
              return (
                <div
                  key={item.key}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  // Its layout is its own: a row mounted or grown does not lay out the others again.
                  // Placed by the virtualiser (directDomUpdates): a transform of its own, written to the DOM.
                  className="absolute inset-x-0 top-0 [contain:layout_style]"
                  data-highlighted={message.id === highlighted ? "" : undefined}
                >
                  <MessageRow
                    message={message}
                    continued={!!previous && previous.senderType === message.senderType && previous.senderName === message.senderName}
                    avatar={message.senderType === "bot" ? botAvatar : null}
                    // A bot's answer to the message just above needs no quote.
                    replyTarget={message.senderType === "bot" && previous?.id === message.replyTo ? undefined : replyTargetOf(store, message)}
                    onReply={onReply}
                    onRetry={onRetry}
                    onRegenerate={item.index === messages.length - 1 ? (onRegenerate ?? undefined) : undefined}
                    touch={touch}
                  />
                </div>
              );
            })}
          </DeferMarkdown>
          {hasNewer ? (
            <div className="absolute inset-x-0 bottom-0 flex items-center justify-center px-4 text-xs text-zinc-500 dark:text-zinc-400" style={{ height: FOOTER }}>
              {newer === "loading" ? (
                <span role="status" className="flex items-center gap-2">
                  <Spinner className="size-3.5" /> Loading newer messages…
                </span>
              ) : (
                <Button variant="ghost" size="sm" onClick={onLoadNewer}>
                  {newer === "error" ? "Couldn’t load newer messages. Retry" : "Load newer messages"}
                </Button>
              )}
            </div>
          ) : null}
        </div>
      </div>
      {awayFromEnd || hasNewer ? (
        <button
          type="button"
          onClick={() => (hasNewer ? onJumpToLatest() : virtualizer.scrollToEnd({ behavior: "smooth" }))}
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
