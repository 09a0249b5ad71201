/**
 * The demo accounts the seed creates on the embedded default: what a newcomer signs in as, what the
 * sign-in page lists there, what end-to-end suites use. Documented in the README ("Demo users");
 * change both together.
 */
export const DEMO_PASSWORD = "pitchat-demo";

export const DEMO_USERS = {
  alice: { email: "alice@example.com", name: "Alice", about: "many chats, a long thread, a private bot" },
  bob: { email: "bob@example.com", name: "Bob", about: "one chat of his own" },
  carol: { email: "carol@example.com", name: "Carol", about: "a fresh start, no chats yet" },
} as const;
