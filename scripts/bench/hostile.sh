#!/usr/bin/env bash
# The hostile-body benchmark (issue 10): what the worst request body an attacker can fit under the
# body limit (Http:MaxRequestBodyBytes, 64 KiB) costs the API, per endpoint, in API CPU milliseconds
# per request; and what a megabyte body over the limit costs (refused unread, 413).
#
#   bash scripts/bench/hostile.sh [--update-docs]
#
# Builds the API in Release from the committed tree, brings up the bench services (as the other
# benchmarks: their own ports and state folder), starts the API with its production configuration
# (rate limits raised so that every request reaches the handler), and for each body of
# hostile-bodies.js runs wrk -t1 -c4 for FC_BENCH_DURATION seconds (default 5) while reading the
# API process's CPU time from /proc. Every answer must be a 4xx (wrk counts them as non-2xx). Prints
# a markdown table, writes it with JSON to artifacts/bench/hostile-<time>/, and with --update-docs
# replaces the hostile block of docs/benchmarks.md. The target: the worst body under 5 ms.
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

UPDATE_DOCS=0
case "${1:-}" in
  --update-docs) UPDATE_DOCS=1 ;;
  "") ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1' (use --update-docs)" ;;
esac

DURATION="${FC_BENCH_DURATION:-5}"
RUN_DIR="${FC_BENCH_OUT_DIR:-$REPO_ROOT/artifacts/bench/hostile-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RUN_DIR"

bench_begin
make_signing_key
api_migrate
# Every request must reach its handler: no budget of the RateLimits section may answer first.
API_EXTRA_ENV=()
for rule in RegisterPerIp RegisterPerUsername LoginPerIp LoginFailuresPerAccountNetwork LoginFailuresPerAccount \
  RefreshPerIp RefreshPerSession PostsPerUser CommentsPerUser LikesPerUser FollowsPerUser ReportsPerUser ProfileEditsPerUser; do
  API_EXTRA_ENV+=("RateLimits__${rule}__PermitLimit=1000000")
done
api_start
check_kid

# A token for a user id that does not exist: every body is refused before the handler reads the database.
BENCH_SECRETS+=("$RUN_DIR/token.tsv")
printf '%s\t%s\n' "$(node -e 'console.log(require("node:crypto").randomUUID())')" hostile | mint_tokens /dev/stdin >"$RUN_DIR/token.tsv"
TOKEN=$(cut -f3 "$RUN_DIR/token.tsv" | head -n 1)
BODY_LIMIT=$(node -e 'console.log(require(process.argv[1]).Http.MaxRequestBodyBytes)' "$REPO_ROOT/src/FoodCommunity.Api/appsettings.json")
node "$BENCH_DIR/hostile-bodies.js" "$RUN_DIR/bodies" "$BODY_LIMIT" >"$RUN_DIR/manifest.tsv"

printf '| body | bytes | answer | requests | API CPU per request |\n|---|---:|---:|---:|---:|\n' >"$RUN_DIR/report.md"
echo "[" >"$RUN_DIR/results.json"
first=1
while IFS=$'\t' read -r name method path auth file; do
  token=""
  [[ $auth == auth ]] && token=$TOKEN
  # The answer a client gets. A 401 to a body that carries our token would mean it was never read
  # (the figure would be meaningless); a 401 is fine for a refresh token that is no token.
  answer=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
    ${token:+-H "Authorization: Bearer $token"} --data-binary "@$file" "http://127.0.0.1:$FC_BENCH_API_PORT$path")
  [[ $answer == 4?? && $answer != 429 && ! ($auth == auth && $answer == 401) ]] || die "$name: answered $answer, not a validation error"
  before=$(cpu_ticks "$API_PID")
  FC_BENCH_LUA_DIR="$BENCH_DIR" FC_BENCH_BODY="$file" FC_BENCH_METHOD="$method" FC_BENCH_PATH="$path" FC_BENCH_TOKEN="$token" \
    FC_BENCH_OUT="$RUN_DIR/run.json" \
    wrk -t1 -c4 -d"${DURATION}s" --timeout 10s -s "$BENCH_DIR/hostile.lua" "http://127.0.0.1:$FC_BENCH_API_PORT" >"$RUN_DIR/wrk.txt"
  after=$(cpu_ticks "$API_PID")
  read -r requests refused < <(node -e 'const r = require(process.argv[1]); console.log(r.requests, r.socket_errors.status)' "$RUN_DIR/run.json")
  ((requests > 0)) || die "$name: no request completed"
  ms=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')
  bytes=$(stat -c %s "$file")
  log "$name: $requests requests, $refused refused, $ms ms of API CPU each"
  printf '| %s | %s | %s | %s | %s ms |\n' "$name" "$bytes" "$answer" "$requests" "$ms" >>"$RUN_DIR/report.md"
  ((first == 1)) || echo "," >>"$RUN_DIR/results.json"
  first=0
  printf '{"body":"%s","bytes":%s,"answer":%s,"requests":%s,"refused":%s,"api_cpu_ms":%s}' "$name" "$bytes" "$answer" "$requests" "$refused" "$ms" >>"$RUN_DIR/results.json"
  [[ $refused == "$requests" ]] || die "$name: $((requests - refused)) answers were not 4xx"
done <"$RUN_DIR/manifest.tsv"
echo "]" >>"$RUN_DIR/results.json"

worst=$(grep -v -e '^| floor' "$RUN_DIR/report.md" | awk -F'|' 'NR > 2 { gsub(/ ms /, "", $6); print $6 + 0, $2 }' | sort -rn | head -n 1)
{
  echo
  echo "Worst: ${worst#* } at ${worst%% *} ms of API CPU per request (target: under 5 ms). Body limit $BODY_LIMIT bytes. $DATE_UTC, $BENCH_SOURCE_DESC, wrk -t1 -c4, ${DURATION} s per body, $(nproc) vCPUs shared by wrk, the API, MariaDB and Redis."
} >>"$RUN_DIR/report.md"
cat "$RUN_DIR/report.md"
if ((UPDATE_DOCS == 1)); then
  node "$BENCH_DIR/report.js" update-docs "$REPO_ROOT/docs/benchmarks.md" hostile "$RUN_DIR/report.md"
fi
log "done in $((SECONDS - STARTED)) s; results in $RUN_DIR"
