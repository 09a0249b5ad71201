import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { LazyThread } from "@/components/chat/thread/LazyThread";
import { getServerCaller } from "@/trpc/server";

type Params = { params: Promise<{ sessionId: string }>; searchParams: Promise<{ m?: string | string[] }> };

const isMissing = (error: unknown) => error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST");

/**
 * The session and its newest page (or the page around message `m`, a search result), or null when
 * the caller may not see it. Missing and someone else's are the same answer (NOT_FOUND), and an id
 * that is not even valid is no different. A message that is not (or no longer) in the session opens
 * the thread at its newest.
 */
const loadThread = cache(async (sessionId: string, around: string | null) => {
  const caller = await getServerCaller();
  try {
    const [{ session }, page] = await Promise.all([
      caller.chat.getSession({ sessionId }),
      around
        ? caller.chat.listMessages({ sessionId, around }).catch((error: unknown) => (isMissing(error) ? null : Promise.reject(error)))
        : caller.chat.listMessages({ sessionId }),
    ]);
    if (page) return { session, page, focus: around };
    return { session, page: await caller.chat.listMessages({ sessionId }), focus: null };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
});

async function resolve({ params, searchParams }: Params) {
  const [{ sessionId }, { m }] = await Promise.all([params, searchParams]);
  return { sessionId, around: typeof m === "string" && m ? m : null };
}

export async function generateMetadata(props: Params): Promise<Metadata> {
  const { sessionId, around } = await resolve(props);
  const thread = await loadThread(sessionId, around);
  return { title: thread ? thread.session.title : "Conversation not found" };
}

export default async function ThreadPage(props: Params) {
  const { sessionId, around } = await resolve(props);
  const thread = await loadThread(sessionId, around);
  if (!thread) notFound();
  return (
    <LazyThread
      // A new thread (and store page) for each message opened from the search, even in the same session.
      key={`${sessionId}:${thread.focus ?? ""}`}
      sessionId={sessionId}
      initialSession={thread.session}
      initialPage={thread.page}
      focusMessageId={thread.focus}
    />
  );
}
