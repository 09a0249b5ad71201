import { z } from "./zod";
import { LIMITS } from "./limits";
import { SafeString } from "./text";

export const Email = SafeString.trim()
  .max(LIMITS.email)
  .pipe(z.email({ message: "Enter a valid email address" }))
  .transform((email) => email.toLowerCase());

export const Password = SafeString.min(LIMITS.password.min, { message: `At least ${LIMITS.password.min} characters` })
  .max(LIMITS.password.max, { message: `At most ${LIMITS.password.max} characters` });

export const RegisterInput = z.strictObject({
  email: Email,
  password: Password,
  name: SafeString.trim().min(1, { message: "Name cannot be blank" }).max(LIMITS.name).optional(),
});
export type RegisterInput = z.input<typeof RegisterInput>;

export const SignInInput = z.object({
  email: Email,
  password: SafeString.min(1, { message: "Enter your password" }).max(LIMITS.password.max),
});
export type SignInInput = z.input<typeof SignInInput>;

export const PublicUser = z.object({ id: z.string(), email: z.string(), name: z.string().nullable() });
export type PublicUser = z.infer<typeof PublicUser>;

export const RegisterOutput = z.object({ user: PublicUser });
export type RegisterOutput = z.infer<typeof RegisterOutput>;
