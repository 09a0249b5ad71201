#!/usr/bin/env bash
# The whole suite: server tests on the embedded database (and on PostgreSQL too when
# TEST_DATABASE_URL names a server), then the production build, the system tests (real instances,
# killed and restarted, behind HAProxy) and the browser suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

# npm puts node_modules/.bin first on PATH, so `node` here is the project's Node 24 (the `node`
# package), whatever the machine's own Node is. Every tool below starts from this PATH.
node -e 'const major = Number(process.versions.node.split(".")[0]);
  console.log(`Node ${process.version} (${process.execPath})`);
  if (major < 24) { console.error("Node 24 or newer is required: run this through npm (npm test), which puts the Node 24 from node_modules/.bin first on PATH"); process.exit(1); }'

echo "== server tests (vitest: PGlite${TEST_DATABASE_URL:+ and PostgreSQL}) =="
npx vitest run

echo "== production build =="
npx next build
node e2e/first-load-js.mjs "/chat/[sessionId]" 180

echo "== system tests (real instances over HTTP${TEST_DATABASE_URL:+; two instances on PostgreSQL behind HAProxy}) =="
npx vitest run --config vitest.system.config.ts

# The HTTP-level specs (the API's edge, the fuzzer) also run on PostgreSQL when TEST_DATABASE_URL is set.
echo "== end-to-end (Playwright, Chromium; embedded database${TEST_DATABASE_URL:+ and PostgreSQL}) =="
npx playwright test
