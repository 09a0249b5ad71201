#!/usr/bin/env bash
# The whole suite: server tests on the embedded database (and on PostgreSQL too when
# TEST_DATABASE_URL names a server), then the production build and the browser suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

echo "== server tests (vitest: PGlite${TEST_DATABASE_URL:+ and PostgreSQL}) =="
npx vitest run

echo "== production build =="
npx next build
node e2e/first-load-js.mjs "/chat/[sessionId]" 180

echo "== end-to-end (Playwright, Chromium) =="
npx playwright test
