#!/usr/bin/env bash
# Runs every test of the solution against real services: brings up MariaDB, Redis and
# s3rver (scripts/services.sh, installing what is missing), installs the pinned Redocly CLI that
# lints the OpenAPI document, packages and runs the arm64 presign and image bootstraps and the arm64
# API under qemu, synthesizes the CDK app with those zips (scripts/synth.sh), then `dotnet test` with
# TRX results, then the web client's tests (scripts/web-test.sh: vitest and the end-to-end test in
# Chromium), then the Redis-touching classes again against a three-primary Redis Cluster
# (scripts/test-redis-cluster.sh), and ends with one line "N passed, N failed, N skipped" counted from all
# of them (each failed arm64 check or synthesis counts as one).
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Health").
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# The main run is on the single Redis node; the cluster phase below sets FC_REDIS_CLUSTER_TESTS itself
# (FC_REDIS_CLUSTER_TESTS=0 skips that phase).
cluster_tests=${FC_REDIS_CLUSTER_TESTS:-1}
unset FC_REDIS_CLUSTER_TESTS

# Captured first: inside eval "$(...)" a failing `up` would go unnoticed.
service_env="$(bash scripts/services.sh up)"
eval "$service_env"

# Redocly CLI for OpenApiLintTests, pinned by its lockfile. npm ci wipes node_modules, so only
# when the lockfile changed.
redocly_dir="$REPO_ROOT/tools/redocly"
redocly_stamp="$redocly_dir/node_modules/.foodcommunity-lock.sha256"
redocly_want=$(sha256sum "$redocly_dir/package-lock.json" | cut -d' ' -f1)
if [[ ! -f $redocly_stamp || $(<"$redocly_stamp") != "$redocly_want" || ! -f $redocly_dir/node_modules/@redocly/cli/bin/cli.js ]]; then
  echo "installing Redocly CLI (npm ci in tools/redocly)" >&2
  (cd "$redocly_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$redocly_want" >"$redocly_stamp"
fi

results_dir="$REPO_ROOT/TestResults"
rm -rf "$results_dir"

# The production artifact of the presign function: Native AOT for linux-arm64, zipped as Lambda takes
# it, then run under qemu against the Runtime API emulator. This also installs the AOT toolchain
# (clang) that the linux-x64 bootstrap tests below need.
arm64_status=0
bash scripts/package-presign.sh linux-arm64 --verify || arm64_status=$?
# The API's production artifact too: self-contained linux-arm64, started under qemu until /health/live answers.
api_arm64_status=0
bash scripts/package-api.sh --verify || api_arm64_status=$?
# The image function's too: its bootstrap with libvips beside it, processing a photo under qemu.
images_arm64_status=0
bash scripts/package-images.sh linux-arm64 --verify || images_arm64_status=$?
# The CDK app synthesizes every stack offline, with the arm64 presign and image zips just packaged
# (a missing one would be synthesized as a placeholder, with a warning).
synth_status=0
bash scripts/synth.sh >/dev/null || synth_status=$?

status=0
dotnet test FoodCommunity.sln \
  --configuration Release \
  --logger "trx" \
  --logger "console;verbosity=normal" \
  --results-directory "$results_dir" \
  "$@" || status=$?

# The web client: vitest, then the end-to-end test in Chromium against the Release builds just made
# (FC_WEB_TESTS=0 skips both).
web_status=0
if [[ ${FC_WEB_TESTS:-1} != 0 ]]; then
  FC_E2E_CONFIGURATION=Release bash scripts/web-test.sh "$results_dir" || web_status=$?
fi

# The Redis-touching classes again on a three-primary Redis Cluster, with the Release build just made; its
# redis-cluster.trx is summed below with the others. A cluster that cannot start counts as one failure.
cluster_status=0
if [[ $cluster_tests != 0 ]]; then
  bash scripts/test-redis-cluster.sh "$results_dir" --no-build || cluster_status=$?
fi

# One <Counters .../> element per test project; sum them.
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$results_dir"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  count() { local v; v=$(grep -o " $1=\"[0-9]*\"" <<<"$counters" | grep -o '[0-9]*'); echo "${v:-0}"; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  # VSTest's TRX leaves skipped tests out of "executed" (and out of notExecuted).
  skipped=$((skipped + $(count total) - $(count executed)))
done

# vitest's JSON report and node's TAP summary ("# pass N", "# fail N", ...).
web_passed=0 web_failed=0 web_skipped=0
if [[ -f $results_dir/web-unit.json ]]; then
  read -r p f s < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests);' "$results_dir/web-unit.json")
  web_passed=$((web_passed + p)) web_failed=$((web_failed + f)) web_skipped=$((web_skipped + s))
fi
if [[ -f $results_dir/web-e2e.tap ]]; then
  tap() { local v; v=$(grep -E "^# $1 [0-9]+$" "$results_dir/web-e2e.tap" | tail -n 1 | grep -o '[0-9]*$'); echo "${v:-0}"; }
  web_passed=$((web_passed + $(tap pass)))
  web_failed=$((web_failed + $(tap fail) + $(tap cancelled)))
  web_skipped=$((web_skipped + $(tap skipped) + $(tap todo)))
fi
if [[ $web_status -ne 0 && $web_failed -eq 0 ]]; then
  # A failed npm ci, build or stack start before any test could count.
  echo "web client tests failed before counting (exit $web_status)" >&2
  web_failed=1
fi
passed=$((passed + web_passed)) failed=$((failed + web_failed)) skipped=$((skipped + web_skipped))
[[ $web_status -eq 0 ]] || status=$web_status

if [[ $arm64_status -ne 0 ]]; then
  echo "linux-arm64 package or its verification under qemu failed (exit $arm64_status)" >&2
  failed=$((failed + 1))
  status=$arm64_status
fi

if [[ $api_arm64_status -ne 0 ]]; then
  echo "linux-arm64 API package or its /health/live check under qemu failed (exit $api_arm64_status)" >&2
  failed=$((failed + 1))
  status=$api_arm64_status
fi

if [[ $cluster_status -ne 0 ]]; then
  if [[ ! -f $results_dir/redis-cluster.trx ]]; then
    # The cluster did not start, or the run broke before writing results: count it.
    echo "Redis Cluster test phase failed before counting (exit $cluster_status)" >&2
    failed=$((failed + 1))
  fi
  status=$cluster_status
fi

if [[ $synth_status -ne 0 ]]; then
  echo "scripts/synth.sh failed (exit $synth_status)" >&2
  failed=$((failed + 1))
  status=$synth_status
fi

if [[ $images_arm64_status -ne 0 ]]; then
  echo "linux-arm64 image function package or its verification under qemu failed (exit $images_arm64_status)" >&2
  failed=$((failed + 1))
  status=$images_arm64_status
fi

if [[ $status -ne 0 && $failed -eq 0 ]]; then
  # The run failed before any test could fail (a build error, a crashed test host): count it.
  failed=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
