import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignUpForm } from "@/components/auth/SignUpForm";
import { getSessionUser } from "@/server/auth/session";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage() {
  if (await getSessionUser()) redirect("/chat");
  return (
    <AuthCard title="Create your account" footer={<>Have an account? <Link className="font-medium text-accent underline dark:text-indigo-300" href="/signin">Sign in</Link></>}>
      <SignUpForm />
    </AuthCard>
  );
}
