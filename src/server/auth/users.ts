import type { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import type { RegisterInput, RegisterOutput, SignInInput } from "@/shared";
import type { Db } from "../db";
import { DomainError } from "../errors";
import { hashPassword, verifyAgainstNothing, verifyPassword } from "./password";

export async function registerUser(db: Db, input: z.output<typeof RegisterInput>): Promise<RegisterOutput> {
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.user.create({
      data: { email: input.email, name: input.name ?? null, passwordHash },
      select: { id: true, email: true, name: true },
    });
    return { user };
  } catch (error) {
    // The unique index decides, so two concurrent sign-ups with one email cannot both succeed.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new DomainError("CONFLICT", "Email already registered");
    }
    throw error;
  }
}

/** The user for these credentials, or null; as slow for an unknown email as for a wrong password. */
export async function authenticate(db: Db, input: z.output<typeof SignInInput>) {
  const user = await db.user.findUnique({ where: { email: input.email } });
  if (!user) return verifyAgainstNothing(input.password).then(() => null);
  return (await verifyPassword(user.passwordHash, input.password))
    ? { id: user.id, email: user.email, name: user.name }
    : null;
}
