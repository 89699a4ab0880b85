# Shared helpers of the benchmark scripts (scripts/bench.sh, scripts/bench/likes.sh). Sourced, not run.
#
# Everything here works on a services instance of its own (other ports, another state folder), so a
# benchmark never touches a developer's services on the default ports or the data of their tests.
# shellcheck shell=bash

# mariadbd and friends live in sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"

# The services instance: the same variables scripts/services.sh reads, defaulted to bench ports.
export FOODCOMMUNITY_SERVICES_DIR="${FOODCOMMUNITY_SERVICES_DIR:-/tmp/fc-bench-services}"
export FC_MYSQL_PORT="${FC_MYSQL_PORT:-23306}"
export FC_REDIS_PORT="${FC_REDIS_PORT:-26379}"
export FC_S3_PORT="${FC_S3_PORT:-24568}"
export FC_MAIL_PORT="${FC_MAIL_PORT:-21025}"
export FC_MAIL_WEB_PORT="${FC_MAIL_WEB_PORT:-21080}"
FC_BENCH_API_PORT="${FC_BENCH_API_PORT:-25080}"
FC_BENCH_PLAINTEXT_PORT="${FC_BENCH_PLAINTEXT_PORT:-25081}"
# Where the API is built: a copy of the sources, never the developers' bin/ and obj/ (a concurrent
# `dotnet test` there would race our build, or overwrite the DLLs of the API we are measuring).
FC_BENCH_BUILD_DIR="${FC_BENCH_BUILD_DIR:-/tmp/fc-bench-build}"
# head: the committed tree (reproducible, and immune to files someone is half-way through editing);
# worktree: the files as they are now, to measure an uncommitted change.
FC_BENCH_SOURCE="${FC_BENCH_SOURCE:-head}"

BENCH_PIDS=()         # processes this run started (API, plaintext app), stopped by bench_cleanup
BENCH_SERVICES_UP=0   # whether this run brought the services up (then it also purges them)
BENCH_SECRETS=()      # the run's signing key and tokens: deleted by bench_cleanup, however the run ends

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------ tools

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v rsync >/dev/null || missing+=(rsync)
  [[ ${FC_BENCH_TRACE:-0} != 1 ]] || command -v perf >/dev/null || missing+=(linux-perf)
  if ((${#missing[@]} > 0)); then
    ((EUID == 0)) || die "missing ${missing[*]}; install them (apt-get install -y ${missing[*]})"
    log "installing ${missing[*]} (apt)"
    apt-get -q update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
  command -v node >/dev/null || die "node is needed (token minting, uploads, the report)"
  command -v dotnet >/dev/null || die "the .NET SDK is needed"
}

# ------------------------------------------------------------------ services

services_up() {
  local env_lines
  log "services: up in $FOODCOMMUNITY_SERVICES_DIR (mysql $FC_MYSQL_PORT, redis $FC_REDIS_PORT, s3 $FC_S3_PORT)"
  # Captured first: inside eval "$(...)" a failing `up` would go unnoticed.
  env_lines="$(bash "$REPO_ROOT/scripts/services.sh" up)"
  BENCH_SERVICES_UP=1
  eval "$env_lines"
  # One MariaDB, as the benchmarks model one box: a replica here would replay every write of the seed
  # and the run on the same two cores, for reads that production sends to another machine.
  bash "$REPO_ROOT/scripts/services.sh" stop replica >/dev/null
  export ConnectionStrings__MySqlReplica=""
  # A previous run that was killed may have left data; every run starts from an empty database
  # (unless bench.sh reuses its seed: FC_BENCH_REUSE_SEED) and an empty Redis.
  if [[ ${BENCH_KEEP_DATABASE:-0} != 1 ]]; then
    mysql_app -e "DROP DATABASE IF EXISTS foodcommunity; CREATE DATABASE foodcommunity CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  fi
  redis_cli FLUSHALL >/dev/null
}

services_down() {
  if ((BENCH_SERVICES_UP == 1)) && [[ ${FC_BENCH_KEEP_SERVICES:-0} == 1 ]]; then
    log "services: left running with their data (FC_BENCH_KEEP_SERVICES)"
  elif ((BENCH_SERVICES_UP == 1)); then
    log "services: down --purge"
    bash "$REPO_ROOT/scripts/services.sh" down --purge >/dev/null 2>&1 || log "warning: services.sh down --purge failed"
    BENCH_SERVICES_UP=0
  fi
}

# A database the size of issue 15's data set (~3 GB with indexes) wants a buffer pool that holds
# its working set, as a production server's would, and a redo log that does not force a checkpoint
# every few seconds of the bulk load: both are dynamic in MariaDB 10.11, set here as root (socket)
# for this instance only (FC_BENCH_MYSQL_BUFFER_POOL, bytes; 0 leaves services.sh's 256 MB).
mysql_size_for_data() {
  local pool=${FC_BENCH_MYSQL_BUFFER_POOL:-2147483648}
  ((pool > 0)) || return 0
  mariadb --defaults-file="$FOODCOMMUNITY_SERVICES_DIR/mysql/my.cnf" -e \
    "SET GLOBAL innodb_buffer_pool_size = $pool; SET GLOBAL innodb_log_file_size = 1073741824;" ||
    die "could not size MariaDB's buffer pool"
  log "mysql: buffer pool $((pool / 1048576)) MiB, redo log 1024 MiB"
}

mysql_app() {
  mariadb -h 127.0.0.1 -P "$FC_MYSQL_PORT" -u foodcommunity -pfoodcommunity \
    --default-character-set=utf8mb4 --batch --skip-column-names foodcommunity "$@"
}
redis_cli() { redis-cli -h 127.0.0.1 -p "$FC_REDIS_PORT" "$@"; }

# The pid of a service started by services.sh in our state folder (for its CPU figures).
service_pid() { cat "$FOODCOMMUNITY_SERVICES_DIR/$1/run/$1.pid"; }

# ------------------------------------------------------------------ build

# Stages the API's sources (and the plaintext app) into FC_BENCH_BUILD_DIR and builds them in
# Release. rsync --checksum without -t keeps unchanged files' times, so a rerun builds incrementally.
build_all() {
  local stage="$FC_BENCH_BUILD_DIR.stage" paths=(Directory.Build.props Directory.Packages.props global.json src/FoodCommunity.Api src/FoodCommunity.Domain src/FoodCommunity.Images.Lambda)
  rm -rf "$stage" && mkdir -p "$stage" "$FC_BENCH_BUILD_DIR"
  if [[ $FC_BENCH_SOURCE != worktree ]]; then
    # head, or any commit (to measure a change against the one before it, side by side).
    local rev=$FC_BENCH_SOURCE
    [[ $rev != head ]] || rev=HEAD
    git -C "$REPO_ROOT" archive "$rev" "${paths[@]}" | tar -x -C "$stage"
    BENCH_SOURCE_DESC="commit $(git -C "$REPO_ROOT" rev-parse --short "$rev")"
  else
    (cd "$REPO_ROOT" && rsync -a --relative --exclude bin/ --exclude obj/ --exclude .keys/ "${paths[@]}" "$stage/")
    BENCH_SOURCE_DESC="working tree on $(git -C "$REPO_ROOT" rev-parse --short HEAD) ($(git -C "$REPO_ROOT" status --porcelain -- src | wc -l) changed files under src/)"
  fi
  mkdir -p "$stage/scripts/bench"
  rsync -a --exclude bin/ --exclude obj/ "$BENCH_DIR/Plaintext" "$stage/scripts/bench/"
  rsync -r --checksum --delete --exclude bin/ --exclude obj/ "$stage/" "$FC_BENCH_BUILD_DIR/"
  rm -rf "$stage"
  log "build: API ($BENCH_SOURCE_DESC) and plaintext app, Release, in $FC_BENCH_BUILD_DIR"
  if ! (cd "$FC_BENCH_BUILD_DIR" &&
    dotnet build src/FoodCommunity.Api -c Release -nologo -v quiet &&
    dotnet build src/FoodCommunity.Images.Lambda -c Release -nologo -v quiet &&
    dotnet build scripts/bench/Plaintext -c Release -nologo -v quiet) >"$RUN_DIR/build.log" 2>&1; then
    grep -E 'error|Error' "$RUN_DIR/build.log" | head -20 >&2
    die "build failed (log: $RUN_DIR/build.log)"
  fi
  API_DLL="$FC_BENCH_BUILD_DIR/src/FoodCommunity.Api/bin/Release/net10.0/FoodCommunity.Api.dll"
  PLAINTEXT_DLL="$FC_BENCH_BUILD_DIR/scripts/bench/Plaintext/bin/Release/net10.0/Plaintext.dll"
  IMAGES_DLL="$FC_BENCH_BUILD_DIR/src/FoodCommunity.Images.Lambda/bin/Release/net10.0/FoodCommunity.Images.Lambda.dll"
}

# ------------------------------------------------------------------ the API

# A fresh 2048-bit signing key per run, kept in the run folder (never in the repository).
make_signing_key() {
  SIGNING_KEY_FILE="$RUN_DIR/signing-key.pem"
  BENCH_SECRETS+=("$SIGNING_KEY_FILE")
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$SIGNING_KEY_FILE" 2>/dev/null)
}

# NAME=value settings a benchmark adds to the API's environment (the likes benchmark: the baseline switch).
API_EXTRA_ENV=()

# Replaces the calling (sub)shell with the API: production configuration, the services' environment,
# our signing key. The working directory is the build output, so the API finds its appsettings.json
# there (the content root is the current directory). Always call it in a subshell.
api_exec() {
  cd "$(dirname "$API_DLL")" || exit
  exec env ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
    "Auth__Issuer=http://127.0.0.1:$FC_BENCH_API_PORT" \
    "Auth__SigningKeyPem=$(<"$SIGNING_KEY_FILE")" \
    "Http__TrustedProxyNetworks__0=127.0.0.0/8" \
    "${API_EXTRA_ENV[@]}" \
    dotnet "$API_DLL" "$@"
}

api_migrate() {
  log "migrate"
  (api_exec migrate) >"$RUN_DIR/migrate.log" 2>&1 || { tail -20 "$RUN_DIR/migrate.log" >&2; die "migration failed"; }
}

# Starts the API in the background, logging to RUN_DIR/api.log; sets API_PID (the dotnet process itself).
api_start() {
  log "API: starting on 127.0.0.1:$FC_BENCH_API_PORT (Release, Production)"
  (api_exec --urls "http://127.0.0.1:$FC_BENCH_API_PORT") </dev/null >"$RUN_DIR/api.log" 2>&1 &
  API_PID=$!
  BENCH_PIDS+=("$API_PID")
  wait_http "http://127.0.0.1:$FC_BENCH_API_PORT/health/ready" "$API_PID" || { tail -30 "$RUN_DIR/api.log" >&2; die "the API did not become ready"; }
  log "API: ready (pid $API_PID)"
}

# The image function's local host on the bench bucket: uploads are processed as on AWS, so that
# posts can take them (the API answers 409 until an image's renditions exist).
images_start() {
  log "image host: processing uploads of the bench bucket"
  env Processing__PollIntervalMilliseconds=250 dotnet "$IMAGES_DLL" </dev/null >"$RUN_DIR/images.log" 2>&1 &
  IMAGES_PID=$!
  BENCH_PIDS+=("$IMAGES_PID")
}

# wait_processed FILE...: until every upload key in the files (column 2) has its manifest, 180 s at most.
wait_processed() {
  cut -f2 "$@" | node -e '
    const base = process.argv[1];
    const keys = require("node:fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
    // uploads/{owner}/{yyyy}/{MM}/{id}.{ext} -> images/{owner}/{yyyy}/{MM}/{id}/manifest.json
    const manifests = keys.map((k) => "images/" + k.slice("uploads/".length).replace(/\.[a-z]+$/, "") + "/manifest.json");
    const deadline = Date.now() + 180_000;
    (async () => {
      let left = manifests;
      while (left.length > 0) {
        const answers = await Promise.all(left.map((m) => fetch(`${base}/${m}`, { method: "HEAD" }).then((r) => r.ok, () => false)));
        left = left.filter((_, i) => !answers[i]);
        if (left.length === 0) break;
        if (Date.now() > deadline) { console.error(`${left.length} uploads not processed within 180 s`); process.exit(1); }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();' "${Storage__PublicBaseUrl:?}" || die "the image host did not process the uploads"
}

plaintext_start() {
  log "plaintext app: starting on 127.0.0.1:$FC_BENCH_PLAINTEXT_PORT"
  env ASPNETCORE_ENVIRONMENT=Production dotnet "$PLAINTEXT_DLL" --urls "http://127.0.0.1:$FC_BENCH_PLAINTEXT_PORT" \
    </dev/null >"$RUN_DIR/plaintext.log" 2>&1 &
  PLAINTEXT_PID=$!
  BENCH_PIDS+=("$PLAINTEXT_PID")
  wait_http "http://127.0.0.1:$FC_BENCH_PLAINTEXT_PORT/plaintext" "$PLAINTEXT_PID" || die "the plaintext app did not start"
}

# Polls URL until it answers 200; fails if PID exits or after 60 s.
wait_http() {
  local url=$1 pid=$2 deadline=$((SECONDS + 60))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url") == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

# Stops one process we started: SIGTERM (the API drains and flushes), SIGKILL after 40 s.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 400; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "warning: pid $pid ignored SIGTERM for 40 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  BENCH_PIDS=()
  services_down
  # The key and the tokens are good only for this run; don't leave them lying around.
  ((${#BENCH_SECRETS[@]} == 0)) || rm -f -- "${BENCH_SECRETS[@]}"
  BENCH_SECRETS=()
}

# How both benchmarks begin: clean up whatever happens, note the start, build, bring the services up.
bench_begin() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  STARTED=$SECONDS
  DATE_UTC=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ensure_tools
  build_all
  services_up
}

# ------------------------------------------------------------------ measuring

CLK_TCK=$(getconf CLK_TCK)

# utime + stime of a process, all threads, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# Busy and total jiffies of the whole machine (all cores), from the first line of /proc/stat.
machine_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; print busy, total }' /proc/stat; }

# kB of a /proc/PID/status field (VmHWM = peak resident set, VmRSS = now).
proc_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Prometheus text: the value of a metric's first sample (the exporter adds an otel_scope_name label).
# Read whole before awk: awk stops at the first match, and a curl cut short by that would fail the
# pipeline (pipefail).
metric_value() {
  local text
  text=$(curl -s "http://127.0.0.1:$FC_BENCH_API_PORT/metrics") || return 0
  awk -v m="$1" '$1 == m || index($1, m "{") == 1 { print $2; exit }' <<<"$text"
}

# The like backlog as the API reports it (updated by the flusher after every round, ~250 ms).
like_backlog() { metric_value foodcommunity_likes_backlog; }

# Polls the backlog every 100 ms until it is 0; prints the seconds it took (or "timeout" after $1 s).
wait_backlog_drained() {
  local limit=$1 start now value
  start=$(date +%s.%N)
  while true; do
    value=$(like_backlog)
    now=$(date +%s.%N)
    if [[ $value == 0 ]]; then
      awk -v a="$start" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
      return 0
    fi
    if awk -v a="$start" -v b="$now" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
      echo timeout
      return 0
    fi
    sleep 0.1
  done
}

# What else the machine was doing: the benchmark shares its cores with whatever runs meanwhile.
# Busy share of all cores over the next $1 seconds, in percent (the load average would also count
# the benchmark's own threads of the minute before).
machine_busy_now() {
  local before after
  before=$(machine_ticks)
  sleep "$1"
  after=$(machine_ticks)
  awk -v a="$before" -v b="$after" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}

# Warns when the machine is already busy: the figures would be low for reasons of someone else's.
# With FC_BENCH_WAIT_QUIET=SECONDS it first waits up to that long for the machine to calm down
# (useful on a machine shared with builds and test runs).
check_quiet() {
  local busy deadline=$((SECONDS + ${FC_BENCH_WAIT_QUIET:-0}))
  busy=$(machine_busy_now 3)
  while ((busy > 15 && SECONDS < deadline)); do
    log "the machine is ${busy}% busy with other work; waiting (FC_BENCH_WAIT_QUIET)"
    sleep 5
    busy=$(machine_busy_now 3)
  done
  if ((busy > 15)); then
    log "warning: the machine was ${busy}% busy before the run (other work on it); the figures will be low"
  fi
  echo "$busy"
}

# CPU seconds (user + system) in a file written by the `times` builtin: its last line is what the
# shell's finished children used. `times` itself must run in the measuring shell, not in $(...) or
# a pipe, whose subshell has no children of its own.
times_seconds() {
  awk 'END { s = 0; for (i = 1; i <= NF; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] } print s }' "$1"
}

# run_measured NAME "PID..." COMMAND...: runs the load generator (in the foreground, as a child so
# that `times` accounts its CPU) and writes RUN_DIR/NAME.resources.json: wall time, CPU seconds and
# % of one core of each listed process and of the load generator, and the machine's busy share.
run_measured() {
  local name=$1 pids=$2 pid
  shift 2
  local -A ticks_before=()
  for pid in $pids; do ticks_before[$pid]=$(cpu_ticks "$pid"); done
  local machine_before children_before wall_before
  machine_before=$(machine_ticks)
  times >"$RUN_DIR/.times-before"
  wall_before=$(date +%s.%N)
  "$@"
  local wall_after children_after machine_after
  wall_after=$(date +%s.%N)
  times >"$RUN_DIR/.times-after"
  machine_after=$(machine_ticks)
  children_before=$(times_seconds "$RUN_DIR/.times-before")
  children_after=$(times_seconds "$RUN_DIR/.times-after")
  rm -f "$RUN_DIR/.times-before" "$RUN_DIR/.times-after"
  {
    printf '{"wall_seconds":%s,' "$(awk -v a="$wall_before" -v b="$wall_after" 'BEGIN { printf "%.3f", b - a }')"
    printf '"load_generator_cpu_seconds":%s,' "$(awk -v a="$children_before" -v b="$children_after" 'BEGIN { printf "%.2f", b - a }')"
    # Busy share of all cores (100% = every core busy), whoever used them: other work on the
    # machine shows up here and not in the processes below.
    printf '"machine_busy_percent":%s,' "$(awk -v a="$machine_before" -v b="$machine_after" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.1f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }')"
    printf '"processes":{'
    local first=1
    for pid in $pids; do
      ((first)) || printf ','
      first=0
      printf '"%s":{"cpu_seconds":%s,"rss_kb":%s,"peak_rss_kb":%s}' "$pid" \
        "$(awk -v a="${ticks_before[$pid]}" -v b="$(cpu_ticks "$pid")" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')" \
        "$(proc_kb "$pid" VmRSS)" "$(proc_kb "$pid" VmHWM)"
    done
    printf '}}\n'
  } >"$RUN_DIR/$name.resources.json"
}

# One JSON object of counters that report.js turns into per-request figures: MariaDB's statements
# (SHOW GLOBAL STATUS: Questions = every statement a client sent, and the Com_ counters by kind),
# Redis's total_commands_processed, and the API's cache lookups by level and result
# (foodcommunity_cache_lookups_total{level="memory|redis",result="hit|miss"} on /metrics, summed
# over any other labels; absent keys mean the API has no such metric).
counters_snapshot() {
  {
    mysql_app -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_select', 'Com_insert', 'Com_update', 'Com_delete', 'Com_insert_select')"
    redis_cli INFO stats | tr -d '\r' | awk -F: '$1 == "total_commands_processed" { print "redis_commands\t" $2 }'
    { curl -s "http://127.0.0.1:$FC_BENCH_API_PORT/metrics" || true; } | awk '
      index($0, "foodcommunity_cache_lookups_total{") == 1 {
        level = $0; sub(/.*level="/, "", level); sub(/".*/, "", level)
        result = $0; sub(/.*result="/, "", result); sub(/".*/, "", result)
        value = $0; sub(/^[^}]*}[ \t]*/, "", value); split(value, v, /[ \t]/)
        printf "cache_%s_%s\t%s\n", level, result, v[1]
      }'
  } | awk -F'\t' '{ sum[$1] += $2 } END { printf "{"; sep = ""; for (k in sum) { printf "%s\"%s\":%.0f", sep, k, sum[k]; sep = "," } printf "}\n" }'
}

# ------------------------------------------------------------------ seeding

# Every seeded user can log in with this password (the benchmarks mint tokens instead, but a
# human poking at a bench database can use it).
BENCH_PASSWORD="bench password"

# An ASP.NET Core Identity v3 hash of BENCH_PASSWORD (PBKDF2-HMAC-SHA512, 100,000 iterations, as
# PasswordHasher<T> writes it), so that a login as a seeded user works.
password_hash() {
  node -e '
    const crypto = require("node:crypto");
    const salt = crypto.randomBytes(16);
    const subkey = crypto.pbkdf2Sync(process.argv[1], salt, 100000, 32, "sha512");
    const hash = Buffer.alloc(13 + 16 + 32);
    hash[0] = 1;                        // format marker: v3
    hash.writeUInt32BE(2, 1);           // KeyDerivationPrf.HMACSHA512
    hash.writeUInt32BE(100000, 5);      // iterations
    hash.writeUInt32BE(16, 9);          // salt length
    salt.copy(hash, 13);
    subkey.copy(hash, 29);
    console.log(hash.toString("base64"));' "$BENCH_PASSWORD"
}

# seed_database NAME=VALUE...: runs seed.sql with those @variables (see its header); logs to RUN_DIR/seed.log.
seed_database() {
  local assignments=() pair
  for pair in "$@"; do assignments+=("@${pair%%=*} = ${pair#*=}"); done
  {
    printf 'SET %s;\n' "$(IFS=,; echo "${assignments[*]}")"
    printf "SET @password_hash = '%s';\n" "$(password_hash)"
    cat "$BENCH_DIR/seed.sql"
  } | mysql_app -vvv >"$RUN_DIR/seed.log" 2>&1 || { tail -20 "$RUN_DIR/seed.log" >&2; die "seeding failed"; }
}

# seed_settings: the data set, from the environment; sets SEED_USERS, SEED (seed.sql's @variables),
# TOKEN_USERS, and whether an earlier run's database is reused (REUSED_SEED).
seed_settings() {
  # The data set, scaled toward the product (issue 15): 100,000 users, 1,000,000 posts, 5,000,000
  # likes (Pareto weights per post, see seed.sql's header), follows Pareto per user (25 at least,
  # ~80 on average, at most 5,000: below the API's cap of 7,500) towards a few celebrities.
  # FC_BENCH_USERS scales it all down for a quick check of the scripts (posts, likes and comments
  # follow it unless set themselves).
  SEED_USERS="${FC_BENCH_USERS:-100000}"
  SEED_POSTS="${FC_BENCH_POSTS:-$((SEED_USERS * 10))}"
  SEED_LIKES="${FC_BENCH_LIKES:-$((SEED_POSTS * 5))}"
  SEED_COMMENTS="${FC_BENCH_COMMENTS:-$((SEED_POSTS / 2))}"
  SEED=(users="$SEED_USERS" posts="$SEED_POSTS" likes="$SEED_LIKES" comments="$SEED_COMMENTS" tags=300 hot=5
    hot_likes=$((SEED_USERS < 5000 ? SEED_USERS / 2 : 5000)) hot_comments=300
    like_xm=2.2 like_alpha=1.2 follow_xm=25 follow_alpha=1.4 max_following=5000 follow_skew=2.5)
  # The signed-in users the load acts as (the design's concurrent peak: 10,000), spread evenly over
  # the user indexes so that light and heavy followers, old and new accounts all appear.
  TOKEN_USERS="${FC_BENCH_TOKEN_USERS:-10000}"
  ((TOKEN_USERS <= SEED_USERS)) || TOKEN_USERS=$SEED_USERS
  # FC_BENCH_REUSE_SEED=1 (for profiling, not for recorded figures): keep the services and their data
  # after the run, and the next run with the same data set skips the seed (the previous runs' writes
  # stay in it; Redis starts empty as always).
  SEED_CACHE="$FOODCOMMUNITY_SERVICES_DIR/bench-seed"
  REUSED_SEED=0
  if [[ ${FC_BENCH_REUSE_SEED:-0} == 1 ]]; then
    export FC_BENCH_KEEP_SERVICES=1
    if [[ -f $SEED_CACHE/args && $(cat "$SEED_CACHE/args") == "${SEED[*]} tokens=$TOKEN_USERS" ]]; then
      REUSED_SEED=1
      BENCH_KEEP_DATABASE=1
    fi
  fi
}

# seed_and_export: seeds (RUN_DIR/seed.json: row counts and seconds; or reuses an earlier run's
# database, REUSED_SEED), picks the users the load acts as (RUN_DIR/users.tsv) and what the mix reads
# (DATA_DIR: hot.txt, posts.txt, celebs.txt, tags.txt), and loads the last 24 hours of likes into the
# popular ranking. Sets SEED_SECONDS.
seed_and_export() {
  UUID_ID=$(uuid_of id)
  if ((${REUSED_SEED:-0})); then
    # FC_BENCH_REUSE_SEED (bench.sh): the database of an earlier run with the same data set.
    log "seed: reused from $SEED_CACHE (FC_BENCH_REUSE_SEED)"
    cp "$SEED_CACHE/users.tsv" "$SEED_CACHE/seed.json" "$RUN_DIR/"
    cp "$SEED_CACHE/hot.txt" "$DATA_DIR/hot.txt"
    SEED_SECONDS=0
  else
    seed_fresh
  fi
  # Posts people open: the newest 5,000 (what feeds show) and 5,000 from the whole history.
  mysql_app -e "(SELECT $UUID_ID FROM posts ORDER BY id DESC LIMIT 5000) UNION (SELECT $UUID_ID FROM posts ORDER BY RAND(7) LIMIT 5000)" >"$DATA_DIR/posts.txt"
  mysql_app -e "SELECT $UUID_ID, username FROM users ORDER BY follower_count DESC LIMIT 50" >"$DATA_DIR/celebs.txt"
  mysql_app -e "SELECT t.name FROM tags t JOIN post_tags pt ON pt.tag_id = t.id GROUP BY t.id ORDER BY COUNT(*) DESC LIMIT 30" >"$DATA_DIR/tags.txt"
  load_popular_ranking
}

seed_fresh() {
  log "seed: ${SEED[*]}"
  SEED_STARTED=$SECONDS
  seed_database "${SEED[@]}"
  SEED_SECONDS=$((SECONDS - SEED_STARTED))
  # The users the load acts as: every (users / TOKEN_USERS)th.
  mysql_app -e "SELECT uuid, CONCAT('user', LPAD(idx, 6, '0')) FROM seed_users WHERE idx % $((SEED_USERS / TOKEN_USERS)) = 0
    ORDER BY idx LIMIT $TOKEN_USERS" >"$RUN_DIR/users.tsv"
  mysql_app -e "SELECT $UUID_ID FROM seed_posts WHERE hot = 1" >"$DATA_DIR/hot.txt"
  mysql_app -e "SELECT 'users', COUNT(*) FROM users UNION ALL SELECT 'posts', COUNT(*) FROM posts
    UNION ALL SELECT 'tags', COUNT(*) FROM tags UNION ALL SELECT 'post_tags', COUNT(*) FROM post_tags
    UNION ALL SELECT 'likes', COUNT(*) FROM post_likes UNION ALL SELECT 'follows', COUNT(*) FROM follows
    UNION ALL SELECT 'comments', COUNT(*) FROM comments UNION ALL SELECT 'max_followers', MAX(follower_count) FROM users
    UNION ALL SELECT 'max_following', MAX(following_count) FROM users
    UNION ALL SELECT 'avg_following', ROUND(AVG(following_count), 1) FROM users UNION ALL SELECT 'max_post_likes', MAX(like_count) FROM posts
    UNION ALL SELECT 'counters_ok', (SELECT SUM(like_count) FROM posts) = (SELECT COUNT(*) FROM post_likes)
      AND (SELECT SUM(comment_count) FROM posts) = (SELECT COUNT(*) FROM comments)
      AND (SELECT SUM(follower_count) FROM users) = (SELECT COUNT(*) FROM follows)
      AND (SELECT SUM(following_count) FROM users) = (SELECT COUNT(*) FROM follows)
      AND (SELECT SUM(post_count) FROM users) = (SELECT COUNT(*) FROM posts)" |
    awk -v s="$SEED_SECONDS" 'BEGIN { printf "{" } { v = $2; sub(/\.0+$/, "", v); printf "\"%s\":%s,", $1, v } END { printf "\"seconds\":%s}\n", s }' >"$RUN_DIR/seed.json"
  drop_seed_helpers
  log "seed: done in ${SEED_SECONDS}s ($(cat "$RUN_DIR/seed.json"))"
  if [[ ${FC_BENCH_REUSE_SEED:-0} == 1 ]]; then
    mkdir -p "$SEED_CACHE"
    cp "$RUN_DIR/users.tsv" "$RUN_DIR/seed.json" "$DATA_DIR/hot.txt" "$SEED_CACHE/"
    echo "${SEED[*]} tokens=$TOKEN_USERS" >"$SEED_CACHE/args"
  fi
}

load_popular_ranking() {
  # The popular feed ranks likes of the last 24 hours from Redis, where the like script counts them
  # per shard and hour; the seeded likes are put there the same way (ZINCRBY per post and hour),
  # sent as one RESP pipeline.
  mysql_app -e "SET time_zone = '+00:00';
    SELECT CONCAT('fc:{likes:', CONV(HEX(SUBSTRING(post_id, 13, 4)), 16, 10) % 16, '}:popular:', DATE_FORMAT(created_at, '%Y%m%d%H')),
      COUNT(*), LOWER(HEX(post_id))
    FROM post_likes WHERE created_at >= UTC_TIMESTAMP() - INTERVAL 24 HOUR
    GROUP BY post_id, DATE_FORMAT(created_at, '%Y%m%d%H')" |
    LC_ALL=C awk -F'\t' '
      function resp(n, a, b, c, d) { printf "*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", n, length(a), a, length(b), b
                                     if (n > 2) printf "$%d\r\n%s\r\n", length(c), c
                                     if (n > 3) printf "$%d\r\n%s\r\n", length(d), d }
      { resp(4, "ZINCRBY", $1, $2, $3); keys[$1] = 1 }
      END { for (k in keys) resp(3, "EXPIRE", k, "90000") }' |
    redis_cli --pipe >"$RUN_DIR/popular-seed.log"
}

drop_seed_helpers() {
  mysql_app -e "DROP TABLE IF EXISTS seed_users, seed_posts, seed_tags; DROP FUNCTION IF EXISTS seed_rand; DROP FUNCTION IF EXISTS seed_uuid7;"
}

# SQL for an id column as the API writes ids in JSON and tokens: a lower-case UUID string.
uuid_of() { echo "LOWER(INSERT(INSERT(INSERT(INSERT(HEX($1), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-'))"; }

# mint_tokens FILE [SECONDS]: tokens for the users in FILE (uuid TAB username), living SECONDS (default an
# hour, far more than a benchmark run; the soak asks for its own length).
mint_tokens() {
  node "$BENCH_DIR/tokens.js" "$SIGNING_KEY_FILE" "http://127.0.0.1:$FC_BENCH_API_PORT" "${2:-3600}" <"$1"
}

# The key id the API publishes must be the one our tokens name, or every request would be a 401.
check_kid() {
  local ours theirs
  ours=$(node "$BENCH_DIR/tokens.js" "$SIGNING_KEY_FILE" --kid)
  theirs=$(curl -s "http://127.0.0.1:$FC_BENCH_API_PORT/.well-known/jwks.json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).keys[0].kid))')
  [[ $ours == "$theirs" ]] || die "the API publishes kid $theirs, our tokens say $ours"
}

# Redis key of a post's like state (RedisKeys.LikeState): shard = last 4 bytes of the id, big-endian, mod 16.
like_state_key() {
  local hex=${1//-/}
  echo "fc:{likes:$((16#${hex:24:8} % 16))}:post:$hex"
}

# The machine and the software the figures came from, as JSON.
machine_json() {
  local cpu mem dotnet mariadb redis
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
  dotnet=$(dotnet --version 2>/dev/null || echo unknown)
  mariadb=$(mysql_app -e 'SELECT VERSION()' 2>/dev/null || echo unknown)
  redis=$(redis_cli INFO server 2>/dev/null | awk -F: '/^redis_version/ { sub("\r", "", $2); print $2 }')
  printf '{"vcpus":%s,"cpu":"%s","memory_gib":%s,"kernel":"%s","dotnet_sdk":"%s","mariadb":"%s","redis":"%s","wrk":"%s"}' \
    "$(nproc)" "$cpu" "$mem" "$(uname -r)" "$dotnet" "$mariadb" "${redis:-unknown}" "$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')"
}
