import { getServerSession } from "next-auth";
import type { SessionUser } from "../api/trpc";
import { getAuthOptions } from "./options";

/** The signed-in user of the current request (route handler or server component), or null. */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(getAuthOptions());
  return session?.user?.id ? { id: session.user.id, email: session.user.email ?? "", name: session.user.name ?? null } : null;
}
