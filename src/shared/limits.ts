/** Bounds shared by the server's validation and the UI's hints (character counters, forms). */
export const LIMITS = {
  messageContent: 10_000,
  sessionTitle: 200,
  clientId: 64,
  id: 64,
  password: { min: 8, max: 200 },
  name: 80,
  email: 254,
  botQuery: 100,
  listSessions: { default: 20, max: 100 },
  listMessages: { default: 50, max: 100 },
  lastMessagePreview: 100,
  searchQuery: 200,
  search: { default: 20, max: 50 },
} as const;
