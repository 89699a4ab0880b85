#!/usr/bin/env bash
# The load benchmark (issue 7): how much traffic one API node carries, in a mix modelled on the
# product's peak, against a realistic data set; and the bare Kestrel ceiling of the same machine.
#
#   bash scripts/bench.sh [--update-docs] [--endpoints]
#
# One command, meant to take under 10 minutes on a quiet 2-vCPU machine, most of it the seed (the
# seed alone took 696 s on the 2-vCPU machine while other builds ran on it; see docs/benchmarks.md):
#   1. builds the API in Release from the committed tree (FC_BENCH_SOURCE=worktree: as it is now; or a commit)
#      and a plaintext Kestrel app (scripts/bench/Plaintext), outside the developers' bin/ and obj/;
#   2. brings up MariaDB, Redis and s3rver on bench ports (23306, 26379, 24568; state in
#      /tmp/fc-bench-services), never the developers' instance, and migrates;
#   3. seeds with bulk SQL (scripts/bench/seed.sql): 100,000 users, 1,000,000 posts with an image
#      and tags, 5,000,000 likes, ~8 M follows (~80 per user, a few celebrities followed by most),
#      500,000 comments, all long-tailed, every counter exact, and prints the seed time; loads the
#      last 24 hours of likes into the popular ranking; uploads small JPEGs for the users who will
#      create posts; mints tokens for 10,000 users (the design's concurrent peak);
#   4. measures the ceiling: the plaintext app, then the API's /health/live, with the mix's wrk settings;
#   5. runs the API with its production configuration (nothing set for the benchmark) and drives
#      it with wrk + scripts/bench/mix.lua: ~90% reads (home, latest, popular and tag feeds, post
#      views, profiles, a user's posts, comments), ~10% writes (likes, comments, follows, posts),
#      30% of post traffic on 5 hot posts; a warm-up, then the measured run;
#   6. reports requests/s next to MySQL statements and Redis commands per request and the API's
#      cache hit ratios (memory, Redis), p50/p95/p99 per endpoint class, errors, the API's peak
#      RSS and CPU, MariaDB's, Redis's and wrk's own CPU (in the mix and in the plaintext
#      ceiling), the like backlog at the end, and the mix as a fraction of the
#      ceiling: a markdown table on stdout, and report.md, summary.json and the raw files under
#      artifacts/bench/load-<time>/. With --update-docs it also replaces the results block of
#      docs/benchmarks.md. With --endpoints (about 2 more minutes) it then drives each endpoint
#      class alone for FC_BENCH_ENDPOINT_DURATION seconds (default 8) and reports what one request
#      of each costs: API, MariaDB and Redis CPU milliseconds per request.
# It stops every process it started and purges the bench services, whatever happens.
#
# Data set (environment): FC_BENCH_USERS (100000; e.g. 2000 for a quick check of the scripts),
# FC_BENCH_POSTS (10 per user), FC_BENCH_LIKES (5 per post), FC_BENCH_COMMENTS (1 per 2 posts),
# FC_BENCH_TOKEN_USERS (10000), FC_BENCH_UPLOAD_ROUNDS (32), FC_BENCH_MYSQL_BUFFER_POOL (bytes, 2 GiB).
# Settings (environment): FC_BENCH_DURATION (s, default 60), FC_BENCH_WARMUP (s, 120: every token
# user's home feed once, then the mix; see mix.lua; 60 s left the Redis level and the like states
# filling during the measured run, which then measured a cold node, as the soak's probe did),
# FC_BENCH_CEILING_DURATION (s, 10), FC_BENCH_CONNECTIONS (64; wrk runs one thread per
# connection), FC_BENCH_SOURCE (head | worktree | a commit), FC_BENCH_OUT_DIR, and the services'
# FOODCOMMUNITY_SERVICES_DIR / FC_MYSQL_PORT / FC_REDIS_PORT / FC_S3_PORT, FC_BENCH_API_PORT.
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench/lib.sh"

UPDATE_DOCS=0
ENDPOINTS=0
for arg in "$@"; do
  case "$arg" in
    --update-docs) UPDATE_DOCS=1 ;;
    --endpoints) ENDPOINTS=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (use --update-docs, --endpoints)" ;;
  esac
done

DURATION="${FC_BENCH_DURATION:-60}"
WARMUP="${FC_BENCH_WARMUP:-120}"
CEILING_DURATION="${FC_BENCH_CEILING_DURATION:-10}"
CONNECTIONS="${FC_BENCH_CONNECTIONS:-64}"
THREADS="$CONNECTIONS" # one connection per wrk thread: see mix.lua
RUN_DIR="${FC_BENCH_OUT_DIR:-$REPO_ROOT/artifacts/bench/load-$(date -u +%Y%m%dT%H%M%SZ)}"
DATA_DIR="$RUN_DIR/data"
mkdir -p "$DATA_DIR"

# The data set (FC_BENCH_USERS and friends, see the header; scripts/bench/lib.sh seed_settings).
seed_settings
# Images uploaded for POST /posts: for the users of this many rounds of wrk threads (a quarter for
# the warm-up, half for the measured run, a quarter for --endpoints); a thread that runs out reads a
# post instead. 32 rounds of 64 threads: 1,024 posts in the measured run, 0.5% of ~200,000 requests.
UPLOAD_ROUNDS="${FC_BENCH_UPLOAD_ROUNDS:-32}"


# FC_BENCH_TRACE: perf (linux-perf, which ensure_tools installs) samples the API's CPU; the runtime
# writes /tmp/perf-PID.map so that perf can name JIT-compiled methods (no cost once they are compiled),
# and keeps JIT code in anonymous memory where perf looks for it (W^X's double mapping hides it).
[[ ${FC_BENCH_TRACE:-0} != 1 ]] || API_EXTRA_ENV+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)

bench_begin
mysql_size_for_data
MACHINE=$(machine_json)
MYSQL_PID=$(service_pid mysql)
REDIS_PID=$(service_pid redis)
S3_PID=$(service_pid s3)
make_signing_key
api_migrate

# ------------------------------------------------------------------ seed
seed_and_export

# Post creation needs uploaded images: a small JPEG for a quarter of the users for the warm-up and
# for another half for the measured run (disjoint: an image can belong to one post only), picked so
# that every wrk thread has some (thread = line number mod threads, see the split below).
# Storage__PublicBaseUrl (the bucket's URL) comes from the services' environment (services_up).
BUCKET_URL="${Storage__PublicBaseUrl:?}"
images_start
awk -v n="$THREADS" -v r="$UPLOAD_ROUNDS" 'NR <= n * r && int((NR - 1) / n) % 4 == 0 { print $1 }' "$RUN_DIR/users.tsv" |
  node "$BENCH_DIR/upload-images.js" "$BUCKET_URL" 1 >"$DATA_DIR/keys-warmup.tsv"
awk -v n="$THREADS" -v r="$UPLOAD_ROUNDS" 'NR <= n * r && int((NR - 1) / n) % 2 == 1 { print $1 }' "$RUN_DIR/users.tsv" |
  node "$BENCH_DIR/upload-images.js" "$BUCKET_URL" 1 >"$DATA_DIR/keys-run.tsv"
KEY_FILES=("$DATA_DIR/keys-warmup.tsv" "$DATA_DIR/keys-run.tsv")
if ((ENDPOINTS)); then # and the last quarter for POST /posts driven alone
  awk -v n="$THREADS" -v r="$UPLOAD_ROUNDS" 'NR <= n * r && int((NR - 1) / n) % 4 == 2 { print $1 }' "$RUN_DIR/users.tsv" |
    node "$BENCH_DIR/upload-images.js" "$BUCKET_URL" 1 >"$DATA_DIR/keys-endpoint.tsv"
  KEY_FILES+=("$DATA_DIR/keys-endpoint.tsv")
fi
wait_processed "${KEY_FILES[@]}"
# Every upload the run will post is processed: the host (which lists the bucket several times a
# second) stops before anything is measured.
stop_pid "$IMAGES_PID"
log "uploads: $(wc -l <"$DATA_DIR/keys-warmup.tsv") + $(wc -l <"$DATA_DIR/keys-run.tsv") JPEGs in the bucket, processed"

# ------------------------------------------------------------------ ceiling

# ceiling_run NAME URL THREADS: plain wrk (summary.lua only collects the figures).
ceiling_run() {
  FC_BENCH_OUT="$RUN_DIR/$1.json" wrk -t"$3" -c"$CONNECTIONS" -d"${CEILING_DURATION}s" --timeout 10s --latency \
    -s "$BENCH_DIR/summary.lua" "$2" >"$RUN_DIR/$1.txt"
}

BUSY_BEFORE=$(check_quiet)
plaintext_start
PLAINTEXT_URL="http://127.0.0.1:$FC_BENCH_PLAINTEXT_PORT/plaintext"
FC_BENCH_OUT=/dev/null wrk -t2 -c"$CONNECTIONS" -d3s -s "$BENCH_DIR/summary.lua" "$PLAINTEXT_URL" >/dev/null # JIT warm-up
log "ceiling: plaintext Kestrel, wrk -t$THREADS -c$CONNECTIONS ${CEILING_DURATION}s, then -t2 -c$CONNECTIONS"
run_measured plaintext "$PLAINTEXT_PID" ceiling_run plaintext "$PLAINTEXT_URL" "$THREADS"
ceiling_run plaintext-t2 "$PLAINTEXT_URL" 2
stop_pid "$PLAINTEXT_PID"

api_start
check_kid
BENCH_SECRETS+=("$DATA_DIR/tokens.tsv")
mint_tokens "$RUN_DIR/users.tsv" >"$DATA_DIR/tokens.tsv"
# Each wrk thread reads only its own users and their images (loading everything 64 times over
# would take seconds of the machine's two cores).
awk -F'\t' -v n="$THREADS" -v dir="$DATA_DIR" '
  FILENAME ~ /tokens.tsv$/ { t = (FNR - 1) % n; owner[$1] = t; print > (dir "/tokens-" t ".tsv"); next }
  { phase = FILENAME; sub(/.*keys-/, "", phase); sub(/\.tsv$/, "", phase); print > (dir "/keys-" phase "-" owner[$1] ".tsv") }
' "$DATA_DIR/tokens.tsv" "${KEY_FILES[@]}"
for ((t = 0; t < THREADS; t++)); do touch "$DATA_DIR/keys-warmup-$t.tsv" "$DATA_DIR/keys-run-$t.tsv" "$DATA_DIR/keys-endpoint-$t.tsv"; done
BENCH_SECRETS+=("$DATA_DIR"/tokens-*.tsv)
LIVE_URL="http://127.0.0.1:$FC_BENCH_API_PORT/health/live"
FC_BENCH_OUT=/dev/null wrk -t2 -c"$CONNECTIONS" -d3s -s "$BENCH_DIR/summary.lua" "$LIVE_URL" >/dev/null
log "ceiling: the API's /health/live, wrk -t$THREADS -c$CONNECTIONS ${CEILING_DURATION}s"
run_measured live "$API_PID" ceiling_run live "$LIVE_URL" "$THREADS"

# ------------------------------------------------------------------ the mix

# mix_run PHASE SECONDS [CLASS]: one wrk run of mix.lua; PHASE picks the upload keys and names the
# output (wrk's totals in PHASE.json, one line per request in logs/PHASE-<thread>.log); CLASS sends
# only that endpoint class.
mkdir -p "$RUN_DIR/logs"
mix_run() {
  FC_BENCH_DATA="$DATA_DIR" FC_BENCH_LOG_DIR="$RUN_DIR/logs" FC_BENCH_OUT="$RUN_DIR/${3:-$1}.json" FC_BENCH_ONLY="${3:-}" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2s" --timeout 10s -s "$BENCH_DIR/mix.lua" \
    "http://127.0.0.1:$FC_BENCH_API_PORT" -- "$1" >"$RUN_DIR/${3:-$1}.txt"
}

log "mix: warm-up ${WARMUP}s (each user's home feed once, then the mix: JIT, caches, like state of the posts in play)"
mix_run warmup "$WARMUP"
took=$(wait_backlog_drained 120)
log "mix: warm-up's like backlog drained in ${took}s; measured run ${DURATION}s"
LOG_BYTES_BEFORE=$(stat -c %s "$RUN_DIR/api.log")
# MySQL statements, Redis commands and the API's cache lookups, before and after the measured run
# (report.js divides the differences by the run's requests).
counters_snapshot >"$RUN_DIR/counters-before.json"
run_measured mix "$API_PID $MYSQL_PID $REDIS_PID $S3_PID" mix_run run "$DURATION"
counters_snapshot >"$RUN_DIR/counters-after.json"
mv "$RUN_DIR/run.json" "$RUN_DIR/mix.json"
mkdir -p "$RUN_DIR/logs/mix"
mv "$RUN_DIR"/logs/run-*.log "$RUN_DIR/logs/mix/"
LOG_BYTES=$(($(stat -c %s "$RUN_DIR/api.log") - LOG_BYTES_BEFORE))
BACKLOG_AT_END=$(like_backlog)
OLDEST_AT_END=$(metric_value foodcommunity_likes_oldest_pending_age_seconds)
DRAIN_SECONDS=$(wait_backlog_drained 120)
log "mix: like backlog $BACKLOG_AT_END at the end (oldest ${OLDEST_AT_END}s), drained in ${DRAIN_SECONDS}s"

# The hot posts after the drain: MySQL's rows and counter against Redis's count.
{
  printf '{'
  first=1
  while read -r post; do
    hex=${post//-/}
    key=$(like_state_key "$post")
    ((first)) || printf ','
    first=0
    printf '"%s":{"mysql_rows":%s,"mysql_like_count":%s,"redis_count":%s}' "$post" \
      "$(mysql_app -e "SELECT COUNT(*) FROM post_likes WHERE post_id = UNHEX('$hex')")" \
      "$(mysql_app -e "SELECT like_count FROM posts WHERE id = UNHEX('$hex')")" \
      "$(redis_cli HGET "$key" '#' | grep -E '^[0-9]+$' || echo null)"
  done <"$DATA_DIR/hot.txt"
  printf '}\n'
} >"$RUN_DIR/verify.json"

# FC_BENCH_TRACE=1: where the API's CPU goes in the mix, from perf's CPU samples (~1 kHz, with call
# stacks) of one more mix run after the measured one, which the sampling must not touch: the methods
# by their own CPU (exclusive) and with what they call (inclusive) in RUN_DIR/profile/.
if [[ ${FC_BENCH_TRACE:-0} == 1 ]]; then
  mkdir -p "$RUN_DIR/profile"
  trace_seconds=${FC_BENCH_TRACE_DURATION:-20}
  log "profile: ${trace_seconds}s of the mix under perf (cpu-clock samples of the API)"
  perf record -e cpu-clock -F 997 -g -p "$API_PID" -o "$RUN_DIR/profile/perf.data" -- sleep "$trace_seconds" \
    >"$RUN_DIR/profile/record.log" 2>&1 &
  tracer=$!
  # No uploads for this run: its post creations become post reads (mix.lua).
  for ((t = 0; t < THREADS; t++)); do touch "$DATA_DIR/keys-profile-$t.tsv"; done
  mix_run profile $((trace_seconds + 2))
  wait "$tracer" || log "warning: perf record failed (see profile/record.log)"
  mv "$RUN_DIR"/logs/profile-*.log "$RUN_DIR/profile/" 2>/dev/null || true
  perf report -i "$RUN_DIR/profile/perf.data" --stdio --no-children --sort symbol --percent-limit 0.3 -g none \
    >"$RUN_DIR/profile/top-exclusive.txt" 2>/dev/null || true
  perf report -i "$RUN_DIR/profile/perf.data" --stdio --children --sort symbol --percent-limit 1 -g none \
    >"$RUN_DIR/profile/top-inclusive.txt" 2>/dev/null || true
  wait_backlog_drained 60 >/dev/null
  log "profile: $RUN_DIR/profile/top-exclusive.txt, top-inclusive.txt"
fi

# Each endpoint class alone (after the mix, so it cannot disturb it): its cost per request.
if ((ENDPOINTS)); then
  mkdir -p "$RUN_DIR/endpoints"
  for class in feed_home feed_latest feed_popular feed_tag post_view profile user_posts comments_list like comment_create follow post_create; do
    log "endpoints: $class alone, ${FC_BENCH_ENDPOINT_DURATION:-8}s"
    run_measured "endpoint-$class" "$API_PID $MYSQL_PID $REDIS_PID" mix_run endpoint "${FC_BENCH_ENDPOINT_DURATION:-8}" "$class"
    mkdir -p "$RUN_DIR/endpoints/$class"
    mv "$RUN_DIR"/logs/endpoint-*.log "$RUN_DIR/endpoints/$class/"
    mv "$RUN_DIR/$class.json" "$RUN_DIR/endpoints/$class/wrk.json"
    mv "$RUN_DIR/endpoint-$class.resources.json" "$RUN_DIR/endpoints/$class/resources.json"
    rm -f "$RUN_DIR/$class.txt"
  done
  wait_backlog_drained 60 >/dev/null
fi

bench_cleanup
# The API log is one JSON line per request (~470 bytes): 100+ MB a run, a tenth of that gzipped.
gzip -f "$RUN_DIR/api.log"

COMMAND="bash scripts/bench.sh${*:+ $*}"
{
  printf '{"date":"%s","source":"%s","command":"%s","duration_seconds":%s,"warmup_seconds":%s,"connections":%s,"threads":%s,' \
    "$DATE_UTC" "$BENCH_SOURCE_DESC" "$COMMAND" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS"
  printf '"endpoint_seconds":%s,"token_users":%s,"hot_posts":%s,"backlog_at_end":%s,"oldest_pending_at_end":%s,"drain_seconds":"%s","log_bytes":%s,' \
    "${FC_BENCH_ENDPOINT_DURATION:-8}" "$(wc -l <"$RUN_DIR/users.tsv")" "$(wc -l <"$DATA_DIR/hot.txt")" "${BACKLOG_AT_END:-null}" "${OLDEST_AT_END:-null}" "$DRAIN_SECONDS" "$LOG_BYTES"
  printf '"busy_before_percent":%s,"machine":%s,"pids":{"api":%s,"mysql":%s,"redis":%s,"s3":%s},"total_seconds":%s}\n' \
    "$BUSY_BEFORE" "$MACHINE" "$API_PID" "$MYSQL_PID" "$REDIS_PID" "$S3_PID" "$((SECONDS - STARTED))"
} >"$RUN_DIR/meta.json"

node "$BENCH_DIR/report.js" mix "$RUN_DIR" >"$RUN_DIR/report.md"
if ((ENDPOINTS)); then node "$BENCH_DIR/report.js" endpoints "$RUN_DIR" >>"$RUN_DIR/report.md"; fi
cat "$RUN_DIR/report.md"
if ((UPDATE_DOCS)); then
  node "$BENCH_DIR/report.js" update-docs "$REPO_ROOT/docs/benchmarks.md" load "$RUN_DIR/report.md"
  log "docs/benchmarks.md: results block replaced"
fi
log "done in $((SECONDS - STARTED))s; report.md and summary.json in $RUN_DIR"
