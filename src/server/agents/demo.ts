import { AgentError, sleep, type Agent, type AgentReply, type AgentRequest } from "./types";

/**
 * The built-in demo agent: deterministic replies streamed word by word, with commands that show
 * every path of the UI (see HELP). What it says depends only on the message, so tests can assert it.
 */
export const HELP = `I'm the demo agent. Try:

- \`/help\`: this list
- \`/echo TEXT\`: I say TEXT back
- \`/markdown\`: a table, a code block, a list and a link
- \`/slow\`: a long reply, over about five seconds
- \`/fail\`: an agent error (then try **Retry**)

Anything else, I quote back to you.`;

export const MARKDOWN = `Here is what I can render:

| Feature | Status |
| --- | --- |
| Tables | ✅ |
| Code blocks | ✅ |
| Links | ✅ |

\`\`\`ts
function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
\`\`\`

1. An ordered list
2. with **bold** and _italic_ text
   - and a nested item

Read more at [pit.chat](https://example.com/pit-chat).`;

export const FAILURE = "The demo agent failed on purpose (/fail). Press Retry to send the message again.";

const SLOW_WORDS = 100;

/** The whole reply the demo agent gives to `content`, or the failure it raises. */
export function demoReplyText(content: string): string {
  const text = content.trim();
  const [command = "", ...rest] = text.split(/\s+/);
  switch (command.toLowerCase()) {
    case "/help":
      return HELP;
    case "/echo":
      return text.slice(command.length).trim() || "(nothing to echo)";
    case "/markdown":
      return MARKDOWN;
    case "/slow":
      return Array.from({ length: SLOW_WORDS }, (_, i) => `word${i + 1}`).join(" ") + ".";
    case "/fail":
      throw new AgentError(FAILURE, { retryable: false });
    default: {
      void rest;
      const quoted = text.split("\n").map((line) => `> ${line}`).join("\n");
      return `You said:\n\n${quoted}\n\nI'm the demo agent: I answer the same way every time. Send \`/help\` to see what I can do.`;
    }
  }
}

/** The text in pieces of one word each, whitespace kept, so the pieces join to exactly the text. */
export function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function createDemoAgent(options: { wordDelayMs: number; slowTotalMs: number }): Agent {
  return {
    contentType: "markdown",
    async *reply(request: AgentRequest): AgentReply {
      const text = demoReplyText(request.message.content);
      const pieces = words(text);
      const slow = request.message.content.trim().toLowerCase().startsWith("/slow");
      const delay = slow ? options.slowTotalMs / pieces.length : options.wordDelayMs;
      for (const piece of pieces) {
        if (delay > 0) await sleep(delay, request.signal);
        yield piece;
      }
      return "done";
    },
  };
}
