"use client";

import { createContext } from "react";

/**
 * True while the reader scrolls the thread. A row that mounts then shows its text at once and its
 * markdown a moment later, from a background render that yields to the scrolling, unless its
 * markdown is already rendered (see Markdown.tsx). Parsing the markdown of every row that scrolls
 * in, inside the scroll event, is what blocked the main thread of a long thread.
 */
export const DeferMarkdown = createContext(false);
