"use client";

import { memo, useContext, useEffect, useState, type ReactElement, type ReactNode } from "react";
import renderMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { CodeBlock } from "./CodeBlock";
import { DeferMarkdown } from "./defer-markdown";

/** Links that may be followed from a message; anything else (javascript:, data:, vbscript: …) is inert text. */
const SAFE_HREF = /^(https?:|mailto:|\/(?!\/)|#)/i;

type HastNode = { type: string; value?: string; tagName?: string; properties?: Record<string, unknown>; children?: HastNode[] };

function textOf(node: HastNode | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value ?? "";
  return (node.children ?? []).map(textOf).join("");
}

const components: Components = {
  a: ({ href, children }) =>
    href && SAFE_HREF.test(href) ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span data-inert-link="">{children}</span>
    ),
  // Images are not fetched from a message (tracking pixels, mixed content): they become links.
  img: ({ src, alt }) =>
    typeof src === "string" && SAFE_HREF.test(src) ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt || "image"}
      </a>
    ) : (
      <span>{alt}</span>
    ),
  pre: ({ node }) => {
    const code = (node?.children as HastNode[] | undefined)?.find((child) => child.tagName === "code");
    const className = code?.properties?.className;
    const language = (Array.isArray(className) ? className : [])
      .map(String)
      .find((name) => name.startsWith("language-"))
      ?.slice("language-".length);
    return <CodeBlock code={textOf(code).replace(/\n$/, "")} language={language} />;
  },
  table: ({ children }) => (
    <div className="markdown-table">
      <table>{children}</table>
    </div>
  ),
};

const remarkPlugins = [remarkGfm];

/**
 * Rendered messages, by content. A virtual list mounts a row again each time it scrolls back into
 * view; parsing its markdown again each time is what would make a long thread stutter. React
 * elements are immutable, so one tree serves every mount. Least recently used entries go first.
 */
const rendered = new Map<string, ReactElement>();
const RENDERED_MAX = 1_000;

function render(content: string): ReactElement {
  let tree = rendered.get(content);
  if (tree) {
    rendered.delete(content);
  } else {
    // react-markdown's synchronous renderer is a plain function (no hooks): parse, transform, build.
    tree = <>{renderMarkdown({ children: content, remarkPlugins, components })}</>;
    if (rendered.size >= RENDERED_MAX) rendered.delete(rendered.keys().next().value!);
  }
  rendered.set(content, tree);
  return tree;
}

/**
 * The parser's first run, in tasks of its own as this chunk loads. The first message parsed in a
 * page runs the parser's code for the first time (compiled then, slow until optimised): inside the
 * render that opens a thread it made one unit of React's work, which cannot be interrupted, long
 * enough to block the page. Small documents with the constructs the messages use, one a task, a
 * few milliseconds each; rows render their markdown once it is done (`ready`, see MessageRow).
 */
const WARM_UP = [
  "Hello *there*, **you**: `code` and [a link](https://example.com).",
  "- one\n- [x] two ~~not~~ https://example.com\n\n1. three\n\n> a quote\n\n## A heading",
  "| a | b |\n| - | - |\n| c | d |\n\n```ts\nconst x = 1;\n```",
];
export const ready: Promise<void> =
  typeof window === "undefined"
    ? Promise.resolve()
    : new Promise((resolve) => {
        let next = 0;
        const step = () => {
          if (next === WARM_UP.length) return resolve();
          // A warm-up that throws must not hold the rows' markdown back: the next step runs anyway.
          setTimeout(step, 0);
          renderMarkdown({ children: WARM_UP[next++], remarkPlugins, components });
        };
        setTimeout(step, 0);
      });

/**
 * Markdown waiting to be rendered: first that of mounted rows, in the order they mounted (the order
 * they scroll into view), then that of the messages about to scroll in (`renderAhead`). Each batch
 * is a task of its own, a few milliseconds of parsing, after which the rows it rendered show it; a
 * row that scrolls out of the list first leaves the queue unparsed.
 */
const waiting = new Set<{ content: string; done: () => void }>();
let ahead: string[] = [];
let draining = false;
const BATCH_MS = 6;

function drain() {
  const started = performance.now();
  while (performance.now() - started < BATCH_MS) {
    const job = waiting.values().next().value;
    if (job) {
      waiting.delete(job);
      render(job.content);
      job.done();
      continue;
    }
    const content = ahead.shift();
    if (content === undefined) break;
    if (!rendered.has(content)) render(content);
  }
  draining = waiting.size > 0 || ahead.length > 0;
  if (draining) setTimeout(drain, 0);
}

function startDraining() {
  if (draining) return;
  draining = true;
  setTimeout(drain, 0);
}

function whenRendered(content: string, done: () => void): () => void {
  const job = { content, done };
  waiting.add(job);
  startDraining();
  return () => void waiting.delete(job);
}

/**
 * The markdown of the messages next in the direction the reader scrolls, beyond the rows mounted:
 * rendered when no mounted row waits, so that they mount rendered. Replaces the previous list.
 */
export function renderAhead(contents: readonly string[]) {
  ahead = contents.filter((content) => !rendered.has(content));
  if (ahead.length) startDraining();
}

/**
 * A message's markdown: GFM (tables, lists, strikethrough, autolinks), no raw HTML (react-markdown
 * shows it as text; there is no rehype-raw), unsafe URLs dropped.
 *
 * Mounted while the reader scrolls (DeferMarkdown) and not rendered before, it shows `fallback`
 * (the plain text) and waits for its turn in the queue above: no scroll event then parses the
 * markdown of the rows it brings in, and no task parses more than a few milliseconds' worth. Rows
 * are mounted a few rows ahead of the view (the list's overscan), so the plain text is rarely seen.
 */
export const Markdown = memo(function Markdown({ content, fallback }: { content: string; fallback: ReactNode }) {
  const scrolling = useContext(DeferMarkdown);
  // Decided at mount: later renders (a message being streamed, say) render at once.
  const [deferred, setDeferred] = useState(() => scrolling && !rendered.has(content));
  const pending = deferred && !rendered.has(content);
  useEffect(() => {
    if (!pending) return;
    return whenRendered(content, () => setDeferred(false));
  }, [pending, content]);
  return pending ? fallback : <div className="markdown">{render(content)}</div>;
});
