#!/usr/bin/env bash
# Offline `prisma migrate diff` for the app's schema (Prisma 6.19.3 WASM schema engine). See README.md.
#   tools/prisma-migrate-diff/diff.sh --from-empty
#   tools/prisma-migrate-diff/diff.sh --from-url postgresql://user:pass@host:5432/db
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Dev-only dependencies live in this folder, outside the app's dependency tree. Install them on
# first use or when package.json / package-lock.json changed. npm's output goes to stderr so that
# stdout stays pure SQL. No install scripts are needed (the WASM engine ships inside the packages),
# and skipping them keeps @prisma/engines from trying to download native binaries.
stamp="$dir/node_modules/.prisma-migrate-diff-installed"
if [[ ! -f "$stamp" || "$dir/package.json" -nt "$stamp" || ( -f "$dir/package-lock.json" && "$dir/package-lock.json" -nt "$stamp" ) ]]; then
  echo "prisma-migrate-diff: installing the tool's dependencies (npm install in $dir)..." >&2
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error 1>&2)
  touch "$stamp"
fi

exec node "$dir/diff.mjs" "$@"
