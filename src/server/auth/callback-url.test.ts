import { describe, expect, it } from "vitest";
import { isAcceptedCallbackUrl, sameSiteRedirect } from "./callback-url";

const baseUrl = "http://localhost:3000";

describe("sameSiteRedirect", () => {
  it.each([
    ["a path", "/chat/abc?x=1", "http://localhost:3000/chat/abc?x=1"],
    ["a URL on this site", "http://localhost:3000/chat", "http://localhost:3000/chat"],
    ["another site", "https://evil.example/chat", baseUrl],
    ["a protocol-relative URL", "//evil.example/chat", baseUrl],
    ["a javascript: URL", "javascript:alert(1)", baseUrl],
    // NextAuth's own callback throws on these (new URL), which answered 500.
    ["text that is no URL", "%FF", baseUrl],
    ["a relative path without its slash", "chat", baseUrl],
    ["a path with NUL and a lone surrogate, percent-encoded", "/chat\u0000\ud800", "http://localhost:3000/chat%00%EF%BF%BD"],
  ])("%s → %s", (_, url, expected) => {
    expect(sameSiteRedirect({ url, baseUrl })).toBe(expected);
  });
});

describe("isAcceptedCallbackUrl (NextAuth's rule for the callbackUrl parameter and cookie)", () => {
  it.each([
    ["/chat", true],
    ["https://elsewhere.example/", true],
    ["%FF", false],
    ["chat", false],
    ["javascript:alert(1)", false],
    ["", false],
  ])("%s → %s", (url, accepted) => {
    expect(isAcceptedCallbackUrl(url, baseUrl)).toBe(accepted);
  });
});
