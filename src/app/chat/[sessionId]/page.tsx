import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { LazyThread } from "@/components/chat/thread/LazyThread";
import { getServerCaller } from "@/trpc/server";

type Params = { params: Promise<{ sessionId: string }> };

/**
 * The session and its newest page, or null when the caller may not see it. Missing and someone
 * else's are the same answer (NOT_FOUND), and an id that is not even valid is no different.
 */
const loadThread = cache(async (sessionId: string) => {
  const caller = await getServerCaller();
  try {
    const [{ session }, page] = await Promise.all([caller.chat.getSession({ sessionId }), caller.chat.listMessages({ sessionId })]);
    return { session, page };
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return null;
    throw error;
  }
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const thread = await loadThread((await params).sessionId);
  return { title: thread ? thread.session.title : "Conversation not found" };
}

export default async function ThreadPage({ params }: Params) {
  const { sessionId } = await params;
  const thread = await loadThread(sessionId);
  if (!thread) notFound();
  return <LazyThread key={sessionId} sessionId={sessionId} initialSession={thread.session} initialPage={thread.page} />;
}
