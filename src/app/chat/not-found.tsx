import Link from "next/link";
import { buttonClass } from "@/components/ui/Button";
import { ChatIcon } from "@/components/ui/icons";

/** Says nothing about the session asked for: not whether it exists, not whose it is. */
export default function ConversationNotFound() {
  return (
    <div className="flex h-full flex-col items-center justify-center gap-3 p-8 text-center" data-testid="not-found">
      <span className="flex size-12 items-center justify-center rounded-2xl bg-zinc-100 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
        <ChatIcon className="size-6" />
      </span>
      <h1 className="text-lg font-semibold">Conversation not found</h1>
      <p className="max-w-sm text-sm text-zinc-500 dark:text-zinc-400">
        This link doesn’t lead to one of your conversations. It may have been mistyped, or it belongs to another account.
      </p>
      <Link href="/chat" className={buttonClass("secondary", "md", "mt-2")}>
        Back to your chats
      </Link>
    </div>
  );
}
