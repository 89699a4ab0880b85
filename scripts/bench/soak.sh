#!/usr/bin/env bash
# The soak run (issue 16): the benchmark mix at about 70% of what this node carries, for 30 minutes,
# to see whether anything grows that should not (API memory, Redis memory, the like backlog) and
# whether errors appear after a while. Not a CI test: the lead runs it on a quiet machine.
#
#   bash scripts/bench/soak.sh
#
#   1. builds, brings up the bench services and seeds as scripts/bench.sh does (same data set and
#      FC_BENCH_* settings, scripts/bench/lib.sh), mints the tokens, starts the API in Release with
#      its production configuration;
#   2. warms up as scripts/bench.sh does, opening every signed-in user's home feed once and then
#      running the unpaced mix (FC_BENCH_WARMUP s, 120), then, unless FC_SOAK_RATE is given,
#      probes capacity with the unpaced mix for FC_SOAK_PROBE_SECONDS (30) and targets
#      FC_SOAK_SHARE percent (70) of the requests/s it reached;
#   3. runs the mix paced to that rate (scripts/bench/soak.lua: wrk's delay() hook) as one wrk run
#      per minute for FC_SOAK_MINUTES (30), and reports per minute: requests/s, p99, errors
#      (non-2xx answers and socket errors), the API's RSS (/proc) and GC heap (/metrics:
#      dotnet_gc_last_collection_heap_size_bytes, summed over generations), Redis used_memory, and
#      the like backlog and its oldest event's age (/metrics), sampled 3 s before the minute ends;
#   4. ends with a verdict line, "VERDICT: PASS" or "VERDICT: FAIL", and exits 0 or 1. PASS when
#      no minute had an error and, over the last FC_SOAK_WINDOW minutes (10), the API's RSS and
#      Redis's used_memory never rose more than FC_SOAK_TOLERANCE percent (10) above their values in
#      minute FC_SOAK_BASELINE_MINUTE (5, the end of warm-up). A run shorter than 15 minutes takes
#      its baseline a third of the way in (FC_SOAK_MINUTES=3: minute 1, window minutes 2-3). After the
#      baseline minute and at the end it lists Redis's keys by family, and the report shows the families
#      that changed most: when Redis grew, what grew (docs/benchmarks.md: what the TTLs make grow).
#
# Post creation is left out: each post needs an image uploaded and processed beforehand and used
# once, and a 30-minute run would need thousands; mix.lua sends a post view instead (0.5% of the mix).
# Output: artifacts/bench/soak-<time>/ (minutes.jsonl, report.md, wrk's per-minute figures and
# per-request logs, the API log). FC_BENCH_USERS (e.g. 2000) shortens the seed for a check of the
# script. It stops every process it started and purges the bench services, whatever happens.
set -euo pipefail

# shellcheck source=scripts/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  "") ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument '$1'" ;;
esac

MINUTES="${FC_SOAK_MINUTES:-30}"
SHARE="${FC_SOAK_SHARE:-70}"
PROBE_SECONDS="${FC_SOAK_PROBE_SECONDS:-30}"
WINDOW_MINUTES="${FC_SOAK_WINDOW:-10}"
TOLERANCE="${FC_SOAK_TOLERANCE:-10}"
# Long enough to open the 10,000 users' home feeds on a cold node and then run the mix for a while.
WARMUP="${FC_BENCH_WARMUP:-120}"
CONNECTIONS="${FC_BENCH_CONNECTIONS:-64}"
THREADS="$CONNECTIONS" # one connection per wrk thread: see mix.lua
RUN_DIR="${FC_BENCH_OUT_DIR:-$REPO_ROOT/artifacts/bench/soak-$(date -u +%Y%m%dT%H%M%SZ)}"
DATA_DIR="$RUN_DIR/data"
mkdir -p "$DATA_DIR" "$RUN_DIR/logs"
((MINUTES >= 2)) || die "FC_SOAK_MINUTES must be 2 or more (a baseline minute and a later one)"
# The baseline minute: FC_SOAK_BASELINE_MINUTE, else 5, or a third of the way into a run shorter than 15 minutes.
if [[ -n ${FC_SOAK_BASELINE_MINUTE:-} ]]; then
  BASELINE=$FC_SOAK_BASELINE_MINUTE
elif ((MINUTES >= 15)); then
  BASELINE=5
else
  BASELINE=$((MINUTES / 3 > 1 ? MINUTES / 3 : 1))
fi
((BASELINE >= 1 && BASELINE < MINUTES)) || die "the baseline minute ($BASELINE) must be one of minutes 1..$((MINUTES - 1))"

seed_settings
bench_begin
mysql_size_for_data
MACHINE=$(machine_json)
make_signing_key
api_migrate
seed_and_export

api_start
check_kid
BENCH_SECRETS+=("$DATA_DIR/tokens.tsv")
# Tokens that outlive the run (warm-up, probe, the minutes and a margin): an expired one would be a 401.
mint_tokens "$RUN_DIR/users.tsv" $(((MINUTES + 30) * 60)) >"$DATA_DIR/tokens.tsv"
# Each wrk thread reads only its own users; no uploaded images (see the header), so empty key files.
awk -F'\t' -v n="$THREADS" -v dir="$DATA_DIR" '{ print > (dir "/tokens-" ((FNR - 1) % n) ".tsv") }' "$DATA_DIR/tokens.tsv"
for ((t = 0; t < THREADS; t++)); do : >"$DATA_DIR/keys-soak-$t.tsv"; : >"$DATA_DIR/keys-warmup-$t.tsv"; done
BENCH_SECRETS+=("$DATA_DIR"/tokens-*.tsv)

# mix_run NAME SECONDS [RATE]: one wrk run of the mix, unpaced, or paced to RATE requests/s (soak.lua);
# wrk's totals in RUN_DIR/NAME.json, one log line per request in RUN_DIR/logs/NAME/. The run named
# warmup is mix.lua's warm-up phase: it primes every user's home feed first.
mix_run() {
  local script=mix.lua phase=soak
  [[ -z ${3:-} ]] || script=soak.lua
  [[ $1 != warmup ]] || phase=warmup
  mkdir -p "$RUN_DIR/logs/$1"
  FC_BENCH_DATA="$DATA_DIR" FC_BENCH_LOG_DIR="$RUN_DIR/logs/$1" FC_BENCH_OUT="$RUN_DIR/$1.json" \
    FC_BENCH_LUA_DIR="$BENCH_DIR" FC_SOAK_RATE="${3:-}" FC_SOAK_THREADS="$THREADS" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2s" --timeout 10s -s "$BENCH_DIR/$script" \
    "http://127.0.0.1:$FC_BENCH_API_PORT" -- "$phase" >"$RUN_DIR/$1.txt"
}

log "warm-up: every user's home feed once, then the unpaced mix, for ${WARMUP}s"
mix_run warmup "$WARMUP"
PROBE_RPS=null
if [[ -n ${FC_SOAK_RATE:-} ]]; then
  RATE=$FC_SOAK_RATE
else
  wait_backlog_drained 120 >/dev/null
  log "probe: the unpaced mix for ${PROBE_SECONDS}s"
  mix_run probe "$PROBE_SECONDS"
  PROBE_RPS=$(node -e 'console.log(Math.round(require(process.argv[1]).per_second))' "$RUN_DIR/probe.json")
  RATE=$((PROBE_RPS * SHARE / 100))
  log "probe: ${PROBE_RPS} requests/s; the soak targets ${SHARE}% of it"
fi
((RATE > 0)) || die "no target rate (FC_SOAK_RATE or the probe gave $RATE)"
took=$(wait_backlog_drained 120)
log "like backlog drained in ${took}s; soak at $RATE requests/s for $MINUTES minutes"

# The GC heap after the last collection, all generations (System.Runtime's meter, which
# AddRuntimeInstrumentation exports on .NET 9+); empty when the API has no such metric.
gc_heap_bytes() {
  { curl -s "http://127.0.0.1:$FC_BENCH_API_PORT/metrics" || true; } |
    awk 'index($1, "dotnet_gc_last_collection_heap_size_bytes{") == 1 { sum += $2; seen = 1 } END { if (seen) printf "%.0f", sum }'
}

# sample_now: the resources near the end of a minute, as JSON.
sample_now() {
  local heap backlog oldest
  heap=$(gc_heap_bytes)
  backlog=$(like_backlog)
  oldest=$(metric_value foodcommunity_likes_oldest_pending_age_seconds)
  printf '{"rss_bytes":%s,"gc_heap_bytes":%s,"redis_used_bytes":%s,"backlog":%s,"oldest_pending_seconds":%s}\n' \
    "$(($(proc_kb "$API_PID" VmRSS) * 1024))" "${heap:-null}" \
    "$(redis_cli INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }')" \
    "${backlog:-null}" "${oldest:-null}"
}

# redis_families FILE: Redis's keys by family (ids, numbers and tag names folded), with each family's key count
# and bytes, as TSV, largest first: what grew, when Redis memory did. Bytes are MEMORY USAGE of up to 200 keys
# of each family, scaled to its count, so that a large data set costs seconds, not minutes.
redis_families() {
  redis_cli --scan >"$1.keys"
  sed -E 's/[0-9a-f]{32}/<id>/g; s/\{likes:[0-9]+\}/{likes:N}/; s/[0-9]{6,}/<n>/g; s/(feed:tag:v[0-9]+:).*/\1<tag>/' "$1.keys" |
    paste "$1.keys" - >"$1.families"
  awk -F'\t' 'seen[$2]++ < 200' "$1.families" >"$1.sample"
  cut -f1 "$1.sample" | awk '{ gsub(/[\\"]/, "\\\\&"); printf "MEMORY USAGE \"%s\"\n", $0 }' | redis_cli >"$1.bytes"
  cut -f2 "$1.sample" | paste - "$1.bytes" | cat - <(cut -f2 "$1.families" | sed 's/$/\t-/') |
    awk -F'\t' '$2 == "-" { count[$1]++; next } { sampled[$1]++; bytes[$1] += $2 }
      END { for (k in count) printf "%s\t%d\t%.0f\n", k, count[k], sampled[k] ? bytes[k] / sampled[k] * count[k] : 0 }' |
    sort -t$'\t' -k3,3nr >"$1"
  rm -f "$1.keys" "$1.families" "$1.sample" "$1.bytes"
}

SOAK_STARTED=$SECONDS
: >"$RUN_DIR/minutes.jsonl"
printf '%6s %8s %8s %7s %8s %8s %9s %8s %8s\n' minute req/s p99_ms errors rss_MiB heap_MiB redis_MiB backlog oldest_s >&2
for ((minute = 1; minute <= MINUTES; minute++)); do
  name=$(printf 'm%02d' "$minute")
  machine_before=$(machine_ticks)
  mix_run "$name" 60 "$RATE" &
  wrk_pid=$!
  BENCH_PIDS+=("$wrk_pid")
  sleep 57
  sample_now >"$RUN_DIR/$name.sample.json"
  wait "$wrk_pid" || die "wrk failed in minute $minute (see $RUN_DIR/$name.txt)"
  unset 'BENCH_PIDS[-1]' # ended: its pid must not be signalled later, when it may be someone else's
  # Between two minutes (no load for those seconds): the key families at the baseline minute, for the report.
  if ((minute == BASELINE)); then
    redis_families "$RUN_DIR/redis-keys-baseline.tsv"
  fi
  machine_after=$(machine_ticks)
  busy=$(awk -v a="$machine_before" -v b="$machine_after" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.1f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }')
  node "$BENCH_DIR/report.js" soak-minute "$RUN_DIR/logs/$name" "$RUN_DIR/$name.json" "$RUN_DIR/$name.sample.json" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = { minute: Number(process.argv[1]), machine_busy_percent: Number(process.argv[2]), ...JSON.parse(s) };
      console.log(JSON.stringify(m));
      const mb = (b) => (b === null ? "n/a" : (b / 1048576).toFixed(1));
      console.error(String(m.minute).padStart(6), m.per_second.toFixed(0).padStart(8), (m.p99_ms ?? 0).toFixed(1).padStart(8),
        String(m.errors).padStart(7), mb(m.rss_bytes).padStart(8), mb(m.gc_heap_bytes).padStart(8), mb(m.redis_used_bytes).padStart(9),
        String(m.backlog).padStart(8), (m.oldest_pending_seconds === null ? "n/a" : m.oldest_pending_seconds.toFixed(1)).padStart(8));
    });' "$minute" "$busy" >>"$RUN_DIR/minutes.jsonl"
done
SOAK_SECONDS=$((SECONDS - SOAK_STARTED))
redis_families "$RUN_DIR/redis-keys-end.tsv"

bench_cleanup
gzip -f "$RUN_DIR/api.log"

{
  printf '{"date":"%s","source":"%s","command":"bash scripts/bench/soak.sh","minutes":%s,"soak_seconds":%s,' \
    "$DATE_UTC" "$BENCH_SOURCE_DESC" "$MINUTES" "$SOAK_SECONDS"
  printf '"target_rps":%s,"probe_rps":%s,"probe_seconds":%s,"share_percent":%s,"connections":%s,' \
    "$RATE" "$PROBE_RPS" "$PROBE_SECONDS" "$SHARE" "$CONNECTIONS"
  printf '"baseline_minute":%s,"window_minutes":%s,"tolerance_percent":%s,"token_users":%s,"seed":%s,"machine":%s,"total_seconds":%s}\n' \
    "$BASELINE" "$WINDOW_MINUTES" "$TOLERANCE" "$(wc -l <"$RUN_DIR/users.tsv")" "$(cat "$RUN_DIR/seed.json")" "$MACHINE" "$((SECONDS - STARTED))"
} >"$RUN_DIR/meta.json"

status=0
node "$BENCH_DIR/report.js" soak "$RUN_DIR" >"$RUN_DIR/report.md" || status=$?
cat "$RUN_DIR/report.md"
log "done in $((SECONDS - STARTED))s; report.md and minutes.jsonl in $RUN_DIR"
exit "$status"
