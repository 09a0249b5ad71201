"use client";

import { Button } from "@/components/ui/Button";

export function SignOutButton({ className }: { className?: string }) {
  return (
    <Button
      variant="ghost"
      className={className}
      onClick={async () => {
        // Loaded on demand: the chat page's first load does not carry next-auth's client for one button.
        const { signOut } = await import("next-auth/react");
        await signOut({ callbackUrl: "/signin" });
      }}
    >
      Sign out
    </Button>
  );
}
