import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (OWASP's recommended memory and time cost).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against a throwaway hash when the email is unknown keeps the response time the same,
// so timing does not reveal which emails are registered.
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstNothing(password: string): Promise<false> {
  await verifyPassword(await (dummyHash ??= hashPassword("not-a-real-password")), password);
  return false;
}
