import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignInForm } from "@/components/auth/SignInForm";
import { getSessionUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage() {
  if (await getSessionUser()) redirect("/chat");
  return (
    <AuthCard title="Sign in" footer={<>New here? <Link className="font-medium text-accent underline dark:text-indigo-300" href="/signup">Create an account</Link></>}>
      <Suspense>
        <SignInForm />
      </Suspense>
    </AuthCard>
  );
}
