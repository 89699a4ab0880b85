#!/usr/bin/env bash
# The likes benchmark (issue 6): on one hot post, from the same load generator in one run, the
# write-behind like endpoint (Redis first, flushed to MySQL in batches) against the design it
# replaces (each like a MySQL transaction: insert the row, like_count + 1 on the post's row).
#
#   bash scripts/bench/likes.sh [--update-docs]
#
# What it does, start to end (about 3 minutes):
#   1. builds the API in Release from the committed tree (FC_BENCH_SOURCE=worktree: as it is now),
#      brings up MariaDB, Redis and s3rver on bench ports (23306, 26379, 24568, state in
#      /tmp/fc-bench-services), migrates, and seeds 6,000 users and four hot posts, each already
#      liked by users 0-1999;
#   2. mints tokens for the 4,000 other users, who like none of the hot posts yet;
#   3. runs the API with its production configuration plus the one switch that maps the
#      baseline endpoint (Benchmarks__EnableDirectLikeBaseline=true);
#   4. for each design, on a post of its own (the two would otherwise write the same rows): a
#      warm-up on a third post, a pause until the like backlog is 0, then the measured run with
#      wrk -t2 -c64 (likes.lua: users alternate like/unlike, so every request changes state);
#   5. after the write-behind run: the backlog left, how long it takes to drain to 0, and whether
#      MySQL's like rows and like_count equal what Redis holds, user by user;
#   6. prints a markdown table, writes it with a JSON file to artifacts/bench/likes-<time>/,
#      and with --update-docs replaces the results block of docs/benchmarks.md.
# It stops the API it started and purges the bench services, whatever happens.
#
# Settings (environment): FC_BENCH_DURATION (s, default 25), FC_BENCH_WARMUP (s, 5),
# FC_BENCH_CONNECTIONS (64), FC_BENCH_THREADS (2), FC_BENCH_SOURCE (head | worktree), the
# services' FOODCOMMUNITY_SERVICES_DIR / FC_MYSQL_PORT / FC_REDIS_PORT / FC_S3_PORT, FC_BENCH_API_PORT.
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

DURATION="${FC_BENCH_DURATION:-25}"
WARMUP="${FC_BENCH_WARMUP:-5}"
CONNECTIONS="${FC_BENCH_CONNECTIONS:-64}"
THREADS="${FC_BENCH_THREADS:-2}"
HOT_LIKES=2000      # likes each hot post starts with (users 0 .. 1999)
TOKEN_USERS=4000    # the users who like and unlike (users 2000 .. 5999)
RUN_DIR="${FC_BENCH_OUT_DIR:-$REPO_ROOT/artifacts/bench/likes-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$RUN_DIR"

bench_begin
make_signing_key
api_migrate

log "seed: $((HOT_LIKES + TOKEN_USERS)) users, 4 hot posts with $HOT_LIKES likes each"
seed_database users=$((HOT_LIKES + TOKEN_USERS)) posts=400 comments=0 tags=30 \
  hot=6 hot_likes=$HOT_LIKES hot_comments=0 like_xm=1 like_alpha=1.5 \
  follow_xm=2 follow_alpha=1.5 max_following=50 follow_skew=2
# seed.sql picks the hot posts 37 apart among the newest; the newest two are measured, the others warm up.
mapfile -t HOT < <(mysql_app -e "SELECT $(uuid_of id) FROM seed_posts WHERE hot = 1 ORDER BY idx DESC")
WB_POST=${HOT[0]} DIRECT_POST=${HOT[1]} WB_WARM_POST=${HOT[2]} DIRECT_WARM_POST=${HOT[3]}
QUIET_POST=${HOT[4]} QUIET_WARM_POST=${HOT[5]}
mysql_app -e "SELECT $(uuid_of id), CONCAT('user', LPAD(idx, 6, '0')) FROM seed_users WHERE idx >= $HOT_LIKES ORDER BY idx" >"$RUN_DIR/users.tsv"
drop_seed_helpers

API_EXTRA_ENV=(Benchmarks__EnableDirectLikeBaseline=true)
api_start
check_kid
BENCH_SECRETS+=("$RUN_DIR/tokens.tsv")
mint_tokens "$RUN_DIR/users.tsv" >"$RUN_DIR/tokens.tsv"
MYSQL_PID=$(service_pid mysql)
REDIS_PID=$(service_pid redis)
MACHINE=$(machine_json)

# like_run NAME PATH_FORMAT POST SECONDS: one wrk run of likes.lua.
like_run() {
  FC_BENCH_LUA_DIR="$BENCH_DIR" FC_BENCH_TOKENS="$RUN_DIR/tokens.tsv" FC_BENCH_PATH="$2" FC_BENCH_POST="$3" \
    FC_BENCH_THREADS="$THREADS" FC_BENCH_OUT="$RUN_DIR/$1.json" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4s" --timeout 10s --latency -s "$BENCH_DIR/likes.lua" \
    "http://127.0.0.1:$FC_BENCH_API_PORT" >"$RUN_DIR/$1.txt"
}

wait_drained() {
  local took
  took=$(wait_backlog_drained 120)
  [[ $took != timeout ]] || die "the like backlog did not drain within 120 s"
}

# Baseline first, so that the write-behind backlog drains at the end of the run without sharing
# MySQL with a measurement.
DIRECT_PATH="/benchmarks/direct-like/%s"
WB_PATH="/api/v1/posts/%s/like"
BUSY_BEFORE=$(check_quiet)
log "direct to MySQL: warm-up ${WARMUP}s, then ${DURATION}s measured (wrk -t$THREADS -c$CONNECTIONS)"
like_run direct-warmup "$DIRECT_PATH" "$DIRECT_WARM_POST" "$WARMUP"
wait_drained
run_measured direct "$API_PID $MYSQL_PID $REDIS_PID" like_run direct "$DIRECT_PATH" "$DIRECT_POST" "$DURATION"

log "write-behind: warm-up ${WARMUP}s, then ${DURATION}s measured"
like_run writebehind-warmup "$WB_PATH" "$WB_WARM_POST" "$WARMUP"
wait_drained
run_measured writebehind "$API_PID $MYSQL_PID $REDIS_PID" like_run writebehind "$WB_PATH" "$WB_POST" "$DURATION"
BACKLOG_AT_END=$(like_backlog)
OLDEST_AT_END=$(metric_value foodcommunity_likes_oldest_pending_age_seconds)
DRAIN_SECONDS=$(wait_backlog_drained 300)
log "write-behind: backlog $BACKLOG_AT_END at the end of the run, drained in ${DRAIN_SECONDS}s"

# The same write-behind run with the like notifications off (the API restarted without its
# LikeNotifier): what grouping likes into notifications costs the like endpoint.
# The report's CPU figures are the first API's (the direct and write-behind runs).
MEASURED_API_PID=$API_PID
stop_pid "$API_PID"
API_EXTRA_ENV=(Benchmarks__EnableDirectLikeBaseline=true Notifications__FromLikes=false)
api_start
log "write-behind, notifications off: warm-up ${WARMUP}s, then ${DURATION}s measured"
like_run quiet-warmup "$WB_PATH" "$QUIET_WARM_POST" "$WARMUP"
wait_drained
run_measured quiet "$API_PID $MYSQL_PID $REDIS_PID" like_run quiet "$WB_PATH" "$QUIET_POST" "$DURATION"
wait_drained
NOTIFICATION_COST=$(node -e '
  const [on, off] = process.argv.slice(1).map((f) => require(f).wrk);
  const cost = 100 * (1 - on.per_second / off.per_second);
  console.log(`Like notifications on against off (same run, the off run second on a fresh API): ${on.per_second.toFixed(0)} against ${off.per_second.toFixed(0)} requests/s, p99 ${on.latency_ms.p99.toFixed(1)} against ${off.latency_ms.p99.toFixed(1)} ms: notifications cost the like endpoint ${cost.toFixed(1)}% of its throughput (target: at most 10%).`);
' "$RUN_DIR/writebehind.json" "$RUN_DIR/quiet.json")
log "$NOTIFICATION_COST"

# Correctness under load: for each post, MySQL (rows, like_count) against Redis (count field, likers).
verify_post() {
  local name=$1 post=$2 hex key rows count redis_count redis_likers same
  hex=${post//-/}
  key=$(like_state_key "$post")
  rows=$(mysql_app -e "SELECT COUNT(*) FROM post_likes WHERE post_id = UNHEX('$hex')")
  count=$(mysql_app -e "SELECT like_count FROM posts WHERE id = UNHEX('$hex')")
  mysql_app -e "SELECT LOWER(HEX(user_id)) FROM post_likes WHERE post_id = UNHEX('$hex') ORDER BY 1" >"$RUN_DIR/$name.mysql-likers"
  if [[ $(redis_cli EXISTS "$key") == 1 ]]; then
    redis_count=$(redis_cli HGET "$key" '#')
    redis_cli HKEYS "$key" | grep -vx '#' | sort >"$RUN_DIR/$name.redis-likers"
    redis_likers=$(wc -l <"$RUN_DIR/$name.redis-likers")
    cmp -s "$RUN_DIR/$name.mysql-likers" "$RUN_DIR/$name.redis-likers" && same=true || same=false
  else
    redis_count=null redis_likers=null same=null
  fi
  printf '{"post":"%s","mysql_rows":%s,"mysql_like_count":%s,"redis_count":%s,"redis_likers":%s,"same_likers":%s}' \
    "$post" "$rows" "$count" "$redis_count" "$redis_likers" "$same"
}
{
  printf '{"writebehind":%s,' "$(verify_post writebehind "$WB_POST")"
  printf '"writebehind_warmup":%s,' "$(verify_post writebehind-warmup "$WB_WARM_POST")"
  printf '"direct":%s,' "$(verify_post direct "$DIRECT_POST")"
  printf '"direct_warmup":%s}\n' "$(verify_post direct-warmup "$DIRECT_WARM_POST")"
} >"$RUN_DIR/verify.json"

bench_cleanup
rm -f "$RUN_DIR"/*-likers
# The API log is one JSON line per request (~470 bytes): 100+ MB a run, a tenth of that gzipped.
gzip -f "$RUN_DIR/api.log"

{
  printf '{"date":"%s","source":"%s","duration_seconds":%s,"warmup_seconds":%s,"connections":%s,"threads":%s,' \
    "$DATE_UTC" "$BENCH_SOURCE_DESC" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS"
  printf '"hot_likes":%s,"token_users":%s,"backlog_at_end":%s,"oldest_pending_at_end":%s,"drain_seconds":"%s","busy_before_percent":%s,' \
    "$HOT_LIKES" "$TOKEN_USERS" "${BACKLOG_AT_END:-null}" "${OLDEST_AT_END:-null}" "$DRAIN_SECONDS" "$BUSY_BEFORE"
  printf '"machine":%s,"pids":{"api":%s,"mysql":%s,"redis":%s},"total_seconds":%s}\n' \
    "$MACHINE" "$MEASURED_API_PID" "$MYSQL_PID" "$REDIS_PID" "$((SECONDS - STARTED))"
} >"$RUN_DIR/meta.json"

node "$BENCH_DIR/report.js" likes "$RUN_DIR" >"$RUN_DIR/report.md"
printf '\n%s\n' "$NOTIFICATION_COST" >>"$RUN_DIR/report.md"
cat "$RUN_DIR/report.md"
if ((UPDATE_DOCS)); then
  node "$BENCH_DIR/report.js" update-docs "$REPO_ROOT/docs/benchmarks.md" likes "$RUN_DIR/report.md"
  log "docs/benchmarks.md: results block replaced"
fi
log "done in $((SECONDS - STARTED))s; results in $RUN_DIR"
