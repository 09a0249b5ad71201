import { Prisma } from "@/generated/prisma/client";

type DriverAdapterFailure = { originalCode?: unknown; constraint?: { index?: unknown } };

/**
 * The name of the unique index or foreign key a failed raw statement violated, or null for any other
 * failure. Prisma 7 raises a PrismaClientKnownRequestError (P2010) whose meta.driverAdapterError.cause
 * is the pg adapter's mapped error: the SQLSTATE as originalCode (23505 unique, 23503 foreign key) and
 * the constraint's name as constraint.index. That shape is Prisma's internal one (hence the exact
 * Prisma version in package.json); constraints.test.ts fails the day it changes.
 */
export function constraintViolation(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = (error.meta?.driverAdapterError as { cause?: DriverAdapterFailure } | undefined)?.cause;
  if (cause?.originalCode !== "23505" && cause?.originalCode !== "23503") return null;
  return typeof cause.constraint?.index === "string" ? cause.constraint.index : null;
}
