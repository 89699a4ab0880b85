#!/usr/bin/env bash
# Runs every test of the solution against real services: brings up MariaDB, Redis and
# s3rver (scripts/services.sh, installing what is missing), then `dotnet test` with TRX
# results, and ends with one line "N passed, N failed, N skipped" counted from those files.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Health").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# Captured first: inside eval "$(...)" a failing `up` would go unnoticed.
service_env="$(bash scripts/services.sh up)"
eval "$service_env"

results_dir="$REPO_ROOT/TestResults"
rm -rf "$results_dir"

status=0
dotnet test FoodCommunity.sln \
  --configuration Release \
  --logger "trx" \
  --logger "console;verbosity=normal" \
  --results-directory "$results_dir" \
  "$@" || status=$?

# One <Counters .../> element per test project; sum them.
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$results_dir"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { local v; v=$(grep -o " $1=\"[0-9]*\"" <<<"$counters" | grep -o '[0-9]*'); echo "${v:-0}"; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
done

if [[ $status -ne 0 && $failed -eq 0 ]]; then
  # The run failed before any test could fail (a build error, a crashed test host): count it.
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
