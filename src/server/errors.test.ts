import { describe, expect, it, vi } from "vitest";

describe("DomainError", () => {
  it("is recognised across two copies of its module, as the API's bundle sees the services' errors", async () => {
    vi.resetModules();
    const first = await import("./errors");
    vi.resetModules();
    const second = await import("./errors");
    expect(second.DomainError).not.toBe(first.DomainError);

    const error = second.tooManyRequests(60);
    expect(error).toBeInstanceOf(first.DomainError);
    expect(error).toBeInstanceOf(Error);
    expect({ code: "TOO_MANY_REQUESTS", message: "x" }).not.toBeInstanceOf(first.DomainError);
    expect(new Error("plain")).not.toBeInstanceOf(first.DomainError);
    expect(null).not.toBeInstanceOf(first.DomainError);
  });
});
