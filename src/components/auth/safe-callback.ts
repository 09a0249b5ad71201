/** Only same-site paths are followed after sign-in: `//evil.example` or `https://…` fall back to /chat. */
export function safeCallbackUrl(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/chat";
  return raw;
}
