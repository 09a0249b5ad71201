import { describe, expect, it } from "vitest";

// npm and npx put node_modules/.bin first on PATH, where the `node` package puts Node 24: the tests,
// the server and the browser suite run on it even on a machine whose own Node is older.
describe("platform", () => {
  it("runs on Node 24 or newer", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });
});
