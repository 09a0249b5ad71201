"use client";

import { useEffect, useState } from "react";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";

type Highlighted = { language: string; code: string; tree: React.ReactNode };

/**
 * A fenced code block: shown as plain text at once, then highlighted when the highlighter (a
 * separate chunk, loaded on the first code block) arrives. Threads without code never load it.
 */
export function CodeBlock({ code, language }: { code: string; language?: string }) {
  const [highlighted, setHighlighted] = useState<Highlighted | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!language) return;
    let live = true;
    void import("./highlight").then(({ highlight }) => {
      const tree = highlight(code, language);
      if (live && tree) setHighlighted({ language, code, tree });
    });
    return () => {
      live = false;
    };
  }, [code, language]);

  const current = highlighted && highlighted.code === code && highlighted.language === language ? highlighted.tree : null;

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
