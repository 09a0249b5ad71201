"use client";

import { lazy, Suspense, type ComponentProps } from "react";
import type { Thread as ThreadComponent } from "./Thread";
import { ThreadSkeleton } from "./ThreadSkeleton";

/**
 * The thread (header, message list, markdown, composer) is a chunk of its own, requested as soon
 * as this module runs. The server renders it in full, so the page shows at once; only hydration
 * waits for the chunk. That keeps the page's first-load JavaScript within BUDGETS.md while the
 * thread's code arrives in parallel with it.
 */
const loadThread = () => import("./Thread").then((m) => ({ default: m.Thread }));
if (typeof window !== "undefined") void loadThread();
const Thread = lazy(loadThread);

export function LazyThread(props: ComponentProps<typeof ThreadComponent>) {
  return (
    <Suspense fallback={<ThreadSkeleton />}>
      <Thread {...props} />
    </Suspense>
  );
}
