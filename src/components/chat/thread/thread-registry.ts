import type { ChatEvent } from "@/shared";

/**
 * The open threads' stores, by session, apart from the store itself: the live stream (on every
 * chat page) only hands events to the stores that exist, and the store's code comes with the
 * thread's own chunk (message-store.ts), not with the page's first load.
 */
type LiveThread = { readonly sessionId: string; applyEvent(event: ChatEvent): void; refresh(): void };

const stores = new Map<string, LiveThread>();

/** The session's store if a thread of it was opened on this page (live events only update those). */
export function existingThreadStore(sessionId: string): LiveThread | undefined {
  return stores.get(sessionId);
}

export function registerThreadStore<T extends LiveThread>(store: T): T {
  stores.set(store.sessionId, store);
  return store;
}

/** The session was deleted: its messages go with it. */
export function forgetThreadStore(sessionId: string) {
  stores.delete(sessionId);
}
