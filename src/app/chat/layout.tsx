import { redirect } from "next/navigation";
import { ChatShell } from "@/components/chat/ChatShell";
import { getSessionUser } from "@/server/auth/session";

export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  // The proxy already turns signed-out visitors away; a stale cookie (user gone) lands here.
  const user = await getSessionUser();
  if (!user) redirect("/signin?callbackUrl=/chat");
  return <ChatShell user={{ name: user.name, email: user.email }}>{children}</ChatShell>;
}
