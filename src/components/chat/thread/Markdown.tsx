"use client";

import { memo, type ReactElement } from "react";
import renderMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { CodeBlock } from "./CodeBlock";

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
 * A message's markdown: GFM (tables, lists, strikethrough, autolinks), no raw HTML (react-markdown
 * shows it as text; there is no rehype-raw), unsafe URLs dropped.
 */
export const Markdown = memo(function Markdown({ content }: { content: string }) {
  return <div className="markdown">{render(content)}</div>;
});
