import { afterEach, describe, expect, it } from "vitest";
import { clientAddress, clientIpFrom } from "./client-ip";

describe("clientAddress", () => {
  it("with no proxy declared, is the connection's address whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.7", null, 0)).toBe("203.0.113.7");
    expect(clientAddress("203.0.113.7", "198.51.100.1", 0)).toBe("203.0.113.7");
    expect(clientAddress("203.0.113.7", "1.1.1.1, 2.2.2.2, 3.3.3.3", 0)).toBe("203.0.113.7");
  });

  it("behind one proxy, is the address that proxy appended, not what the client wrote before it", () => {
    // The proxy (10.0.0.2) appends the address it saw: 203.0.113.7. Anything to its left is the client's.
    expect(clientAddress("10.0.0.2", "203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "1.1.1.1, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "1.1.1.1,2.2.2.2,  203.0.113.7", 1)).toBe("203.0.113.7");
  });

  it("behind two proxies, skips both hops", () => {
    // CDN saw the client (203.0.113.7) and appended it; the balancer saw the CDN (192.0.2.9).
    expect(clientAddress("10.0.0.2", "6.6.6.6, 203.0.113.7, 192.0.2.9", 2)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.2", "203.0.113.7, 192.0.2.9", 2)).toBe("203.0.113.7");
  });

  it("with fewer addresses than declared hops, is the furthest one there is", () => {
    expect(clientAddress("10.0.0.2", null, 1)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "203.0.113.7", 3)).toBe("203.0.113.7");
  });

  it("keeps IPv6 addresses whole", () => {
    expect(clientAddress("::1", "2001:db8::1", 0)).toBe("::1");
    expect(clientAddress("::ffff:10.0.0.2", "2001:db8::1", 1)).toBe("2001:db8::1");
  });

  it("never answers an empty key", () => {
    expect(clientAddress("", null, 0)).toBe("unknown");
    expect(clientAddress("10.0.0.2", " , ", 1)).toBe("10.0.0.2");
  });
});

describe("clientIpFrom", () => {
  const mark = Symbol.for("pitchat.peerAddressHeader");
  const globals = globalThis as Record<symbol, unknown>;
  afterEach(() => {
    delete globals[mark];
  });

  it("behind scripts/server.mjs, reads the connection's address from the header that server stamps", () => {
    globals[mark] = "x-pitchat-peer-address";
    const headers = new Headers({ "x-pitchat-peer-address": "203.0.113.7", "x-forwarded-for": "1.1.1.1" });
    expect(clientIpFrom(headers, 0)).toBe("203.0.113.7");
    expect(clientIpFrom(headers, 1)).toBe("1.1.1.1");
  });

  it("without that server, never trusts a header of that name", () => {
    const headers = new Headers({ "x-pitchat-peer-address": "1.2.3.4", "x-forwarded-for": "203.0.113.7" });
    expect(clientIpFrom(headers, 0)).toBe("203.0.113.7");
  });

  it("without that server and behind proxies, counts hops from the right of X-Forwarded-For", () => {
    // Next passes the proxy's X-Forwarded-For as sent: the client is the entry the nearest proxy appended.
    const headers = new Headers({ "x-forwarded-for": "1.1.1.1, 203.0.113.7" });
    expect(clientIpFrom(headers, 1)).toBe("203.0.113.7");
    expect(clientIpFrom(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 192.0.2.9" }), 2)).toBe("203.0.113.7");
  });
});
