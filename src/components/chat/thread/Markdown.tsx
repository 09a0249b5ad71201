"use client";

import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
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
 * A message's markdown: GFM (tables, lists, strikethrough, autolinks), no raw HTML (react-markdown
 * shows it as text; there is no rehype-raw), unsafe URLs dropped.
 */
export const Markdown = memo(function Markdown({ content }: { content: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={remarkPlugins} components={components}>
        {content}
      </ReactMarkdown>
    </div>
  );
});
