import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignInForm } from "@/components/auth/SignInForm";
import { getEnv } from "@/env";
import { getSessionUser } from "@/server/auth/session";
import { DEMO_PASSWORD, DEMO_USERS } from "@/server/demo-users";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage() {
  if (await getSessionUser()) redirect("/chat");
  // Only the embedded default was seeded with them; anywhere else they would be a false hint (or a real account).
  const demo = getEnv().PITCHAT_EMBEDDED ? { password: DEMO_PASSWORD, users: Object.values(DEMO_USERS) } : null;
  return (
    <AuthCard title="Sign in" footer={<>New here? <Link className="font-medium text-accent underline dark:text-indigo-300" href="/signup">Create an account</Link></>}>
      <Suspense>
        <SignInForm demo={demo} />
      </Suspense>
    </AuthCard>
  );
}
