import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { getSessionUser } from "@/server/auth/session";

export default async function ChatPage() {
  const user = await getSessionUser();
  if (!user) redirect("/signin?callbackUrl=/chat");
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 p-8">
      <h1 className="text-2xl font-semibold">Pit Chat</h1>
      <p data-testid="signed-in-as">Signed in as {user.name ?? user.email}</p>
      <SignOutButton />
    </main>
  );
}
