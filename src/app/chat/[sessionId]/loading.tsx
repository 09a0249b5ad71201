import { ThreadSkeleton } from "@/components/chat/thread/ThreadSkeleton";

export default function ThreadLoading() {
  return <ThreadSkeleton />;
}
