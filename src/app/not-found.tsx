import Link from "next/link";
import { buttonClass } from "@/components/ui/Button";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-3 p-8 text-center">
      <p className="text-sm font-semibold text-accent dark:text-indigo-300">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="max-w-sm text-sm text-zinc-500 dark:text-zinc-400">There’s nothing at this address.</p>
      <Link href="/chat" className={buttonClass("secondary", "md", "mt-2")}>
        Go to your chats
      </Link>
    </main>
  );
}
