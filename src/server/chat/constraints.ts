import pg from "pg";
import { Prisma } from "@/generated/prisma/client";

type DriverAdapterFailure = { originalCode?: unknown; constraint?: { index?: unknown } };

/**
 * The name of the unique index or foreign key a failed raw statement violated, or null for any other
 * failure. pg raises a DatabaseError with the SQLSTATE as code and the name as constraint; Prisma 7 raises a PrismaClientKnownRequestError (P2010) whose meta.driverAdapterError.cause
 * is the pg adapter's mapped error: the SQLSTATE as originalCode (23505 unique, 23503 foreign key) and
 * the constraint's name as constraint.index. That shape is Prisma's internal one (hence the exact
 * Prisma version in package.json); constraints.test.ts fails the day it changes.
 */
export function constraintViolation(error: unknown): string | null {
  // A statement run past Prisma (db.ts: queryRows, transaction) fails with pg's own error.
  if (error instanceof pg.DatabaseError) {
    if (error.code !== "23505" && error.code !== "23503") return null;
    return error.constraint ?? null;
  }
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = (error.meta?.driverAdapterError as { cause?: DriverAdapterFailure } | undefined)?.cause;
  if (cause?.originalCode !== "23505" && cause?.originalCode !== "23503") return null;
  return typeof cause.constraint?.index === "string" ? cause.constraint.index : null;
}
