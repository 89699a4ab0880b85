#!/usr/bin/env bash
# Builds the web client into web/dist (npm ci first when web/package-lock.json changed).
# Used by scripts/dev.sh and scripts/web-test.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../web"
command -v npm >/dev/null || { echo "[web] node and npm are needed for the web client" >&2; exit 1; }

# npm ci wipes node_modules, so only when the lockfile changed.
stamp=node_modules/.foodcommunity-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(<"$stamp") != "$want" ]]; then
  echo "[web] installing the web client's packages (npm ci in web/)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
fi
npm run --silent build >&2
