#!/usr/bin/env bash
# The web client's tests: vitest unit tests, then the end-to-end test in Debian's Chromium against
# the API and the presign local host (web/e2e starts both on free ports, against the services in the
# environment, from the builds under src/*/bin). Writes web-unit.json (vitest) and web-e2e.tap
# (node's test runner) into RESULTS_DIR, which scripts/test.sh counts. Run by scripts/test.sh after
# the dotnet tests; alone: eval "$(bash scripts/services.sh env)"; dotnet build; bash scripts/web-test.sh.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results_dir="${1:-$REPO_ROOT/TestResults}"
mkdir -p "$results_dir"
cd "$REPO_ROOT/web"

# Chromium from Debian, never a downloaded browser; a Hangul font so Korean text renders (and is
# seen in the screenshots). Installed only when missing.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi nanum; then
  echo "[web] installing chromium and fonts-nanum (apt)" >&2
  sudo_cmd=""
  ((EUID == 0)) || sudo_cmd=sudo
  $sudo_cmd apt-get -q update >&2
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 chromium fonts-nanum >&2
fi

status=0
bash "$REPO_ROOT/scripts/web-build.sh" || status=$?
npx vitest run --reporter=default --reporter=json --outputFile.json="$results_dir/web-unit.json" || status=$?
if [[ $status -eq 0 ]]; then
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$results_dir/web-e2e.tap" e2e/ || status=$?
fi
exit "$status"
