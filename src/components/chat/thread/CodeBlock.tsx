"use client";

import { useEffect, useState } from "react";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";

type Highlighted = { language: string; code: string; tree: React.ReactNode };

/**
 * Highlighted blocks, by language and code (null: a language the highlighter does not know). A
 * virtual list mounts a block again each time it scrolls back into view: from here it shows
 * highlighted at once, without highlighting again or changing height. Oldest entries go first.
 */
const highlightedBlocks = new Map<string, React.ReactNode | null>();
const HIGHLIGHTED_MAX = 500;
const blockKey = (code: string, language: string) => `${language}\n${code}`;

function remember(key: string, tree: React.ReactNode | null) {
  if (highlightedBlocks.size >= HIGHLIGHTED_MAX) highlightedBlocks.delete(highlightedBlocks.keys().next().value!);
  highlightedBlocks.set(key, tree);
}

/**
 * A fenced code block: shown as plain text at once, then highlighted when the highlighter (a
 * separate chunk, loaded on the first code block) arrives. Threads without code never load it.
 */
export function CodeBlock({ code, language }: { code: string; language?: string }) {
  const [highlighted, setHighlighted] = useState<Highlighted | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!language || highlightedBlocks.has(blockKey(code, language))) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    void import("./highlight").then(({ highlight }) => {
      // A task of its own: the first block loads the highlighter (its grammars set up as the chunk
      // runs) and the first block of a language compiles that grammar; together they made one task
      // long enough to stall scrolling.
      timer = setTimeout(() => {
        if (!live) return;
        const tree = highlightedBlocks.has(blockKey(code, language)) ? highlightedBlocks.get(blockKey(code, language)) : highlight(code, language);
        remember(blockKey(code, language), tree ?? null);
        if (tree) setHighlighted({ language, code, tree });
      }, 0);
    });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [code, language]);

  const current =
    (language ? highlightedBlocks.get(blockKey(code, language)) : null) ??
    (highlighted && highlighted.code === code && highlighted.language === language ? highlighted.tree : null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (no permission, insecure context): nothing to do.
    }
  }

  return (
    <div className="code-block">
      <div className="code-block-bar">
        <span>{language ?? "code"}</span>
        <button type="button" onClick={() => void copy()} aria-label={copied ? "Copied" : "Copy code"}>
          {copied ? <CheckIcon className="size-3.5" /> : <CopyIcon className="size-3.5" />}
          <span aria-hidden="true">{copied ? "Copied" : "Copy"}</span>
        </button>
      </div>
      <pre>
        <code className={language ? `hljs language-${language}` : undefined}>{current ?? code}</code>
      </pre>
    </div>
  );
}
