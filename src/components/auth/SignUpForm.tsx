"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { z } from "zod";
import { RegisterInput } from "@/shared";
import { api } from "@/trpc/react";
import { Button } from "@/components/ui/Button";
import { Field, firstErrors } from "@/components/ui/Field";

export function SignUpForm() {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const register = api.auth.register.useMutation();
  const [signingIn, setSigningIn] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const values = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const parsed = RegisterInput.safeParse({ ...values, name: values.name?.trim() ? values.name : undefined });
    if (!parsed.success) {
      setErrors(firstErrors(z.flattenError(parsed.error).fieldErrors));
      return;
    }
    setErrors({});
    try {
      await register.mutateAsync(parsed.data);
    } catch (error) {
      const data = (error as { data?: { code?: string; zodError?: { fieldErrors: Record<string, string[]> } } }).data;
      if (data?.code === "CONFLICT") setErrors({ email: "This email is already registered. Sign in instead?" });
      else if (data?.zodError) setErrors(firstErrors(data.zodError.fieldErrors));
      else setFormError((error as Error).message || "Could not sign up. Try again.");
      return;
    }
    setSigningIn(true);
    const result = await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirect: false });
    setSigningIn(false);
    if (!result || result.error) {
      router.replace("/signin");
      return;
    }
    router.replace("/chat");
    router.refresh();
  }

  const pending = register.isPending || signingIn;
  // method="post": a submit before hydration (or without JavaScript) must not put the password in the URL.
  return (
    <form onSubmit={onSubmit} method="post" noValidate className="flex flex-col gap-4" aria-label="Sign up">
      <Field label="Name" name="name" autoComplete="name" error={errors.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required error={errors.password} />
      {formError ? (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {formError}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Creating your account…" : "Sign up"}
      </Button>
    </form>
  );
}
