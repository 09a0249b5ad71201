"use client";

import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { useRef, useState } from "react";
import { z } from "zod";
import { SignInInput } from "@/shared";
import { Button } from "@/components/ui/Button";
import { Field, firstErrors } from "@/components/ui/Field";
import { safeCallbackUrl } from "./safe-callback";

export type DemoAccounts = { password: string; users: { email: string; name: string; about: string }[] };

export function SignInForm({ demo }: { demo: DemoAccounts | null }) {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const searchParams = useSearchParams();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const parsed = SignInInput.safeParse(Object.fromEntries(new FormData(event.currentTarget)));
    if (!parsed.success) {
      setErrors(firstErrors(z.flattenError(parsed.error).fieldErrors));
      return;
    }
    setErrors({});
    setPending(true);
    const result = await signIn("credentials", { ...parsed.data, redirect: false });
    setPending(false);
    if (!result || result.error) {
      setFormError(
        result?.error && result.error.startsWith("Too many") ? result.error : "Wrong email or password.",
      );
      return;
    }
    router.replace(safeCallbackUrl(searchParams.get("callbackUrl"), window.location.origin));
    router.refresh();
  }

  function fillIn(email: string, password: string) {
    const fields = form.current!.elements as unknown as Record<"email" | "password", HTMLInputElement>;
    fields.email.value = email;
    fields.password.value = password;
    setErrors({});
    setFormError(null);
    // Ready to go: Enter (or a click) signs in.
    form.current!.querySelector<HTMLButtonElement>("button[type=submit]")!.focus();
  }

  // method="post": a submit before hydration (or without JavaScript) must not put the password in the URL.
  return (
    <>
      <form ref={form} onSubmit={onSubmit} method="post" noValidate className="flex flex-col gap-4" aria-label="Sign in">
        <Field label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={errors.password} />
        {formError ? (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {formError}
          </p>
        ) : null}
        <Button type="submit" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {demo ? <DemoAccountList demo={demo} onPick={(email) => fillIn(email, demo.password)} /> : null}
    </>
  );
}

/** The seeded accounts of the embedded default; picking one fills the form. */
function DemoAccountList({ demo, onPick }: { demo: DemoAccounts; onPick: (email: string) => void }) {
  return (
    <section aria-labelledby="demo-accounts" className="mt-5 rounded-lg bg-zinc-50 p-3 text-sm dark:bg-zinc-950">
      <h2 id="demo-accounts" className="font-medium">
        Demo accounts
      </h2>
      <p className="mt-1 text-zinc-600 dark:text-zinc-400">
        This server runs on the embedded demo database. Every account’s password is{" "}
        <code className="rounded bg-zinc-200 px-1 font-mono text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100">{demo.password}</code>.
        Pick one to fill in the form:
      </p>
      <ul className="mt-2 flex flex-col gap-1">
        {demo.users.map((user) => (
          <li key={user.email}>
            <button
              type="button"
              onClick={() => onPick(user.email)}
              className="w-full rounded-md px-2 py-1.5 text-left hover:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-accent dark:hover:bg-zinc-800"
            >
              <span className="block font-medium">{user.email}</span>{" "}
              <span className="block text-zinc-600 dark:text-zinc-400">
                {user.name}: {user.about}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
