import { describe, expect, it } from "vitest";
import { REDIRECT_TRICKS } from "../../../e2e/redirect-tricks";
import { safeCallbackUrl } from "./safe-callback";

const ORIGIN = "http://localhost:3000";


describe("safeCallbackUrl", () => {
  it.each(REDIRECT_TRICKS)("sends %j to /chat", (raw) => {
    expect(safeCallbackUrl(raw, ORIGIN)).toBe("/chat");
  });

  it("falls back to /chat without a callbackUrl", () => {
    expect(safeCallbackUrl(null, ORIGIN)).toBe("/chat");
    expect(safeCallbackUrl(undefined, ORIGIN)).toBe("/chat");
    expect(safeCallbackUrl("", ORIGIN)).toBe("/chat");
  });

  it("keeps paths on this site, with their query and fragment", () => {
    expect(safeCallbackUrl("/chat", ORIGIN)).toBe("/chat");
    expect(safeCallbackUrl("/chat/abc123?x=1#m", ORIGIN)).toBe("/chat/abc123?x=1#m");
    expect(safeCallbackUrl("http://localhost:3000/chat/abc", ORIGIN)).toBe("/chat/abc");
    expect(safeCallbackUrl("chat/abc", ORIGIN)).toBe("/chat/abc");
  });

  it("answers a normalised path the browser cannot read as another host", () => {
    // Encoded slashes and tabs stay encoded: a path on this site, never a host.
    expect(safeCallbackUrl("/%2F%2Fevil.example", ORIGIN)).toBe("/%2F%2Fevil.example");
    expect(safeCallbackUrl("/%09/evil.example", ORIGIN)).toBe("/%09/evil.example");
    expect(safeCallbackUrl("/chat\t/abc", ORIGIN)).toBe("/chat/abc");
    expect(safeCallbackUrl("/chat\\abc", ORIGIN)).toBe("/chat/abc");
    // Same scheme, no slashes: a relative path, not a host.
    expect(safeCallbackUrl("http:evil.example", ORIGIN)).toBe("/evil.example");
  });
});
