#!/usr/bin/env bash
# Local backing services for FoodCommunity development, tests and CI:
# MariaDB (a primary and a read-only replica replicating from it by GTID),
# Redis, s3rver (an S3 look-alike) and MailDev (an SMTP sink with a
# web inbox and a REST API), all on loopback, all state
# under one folder. Installs whatever is missing (Debian packages, npm deps).
#
# Diagnostics go to stderr; only `env` (and the tail of `up`) write to stdout,
# so `eval "$(scripts/services.sh up)"` works.
set -euo pipefail

# mariadbd and friends live in sbin, which a non-root PATH may lack.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly S3RVER_TOOL_DIR="$REPO_ROOT/tools/s3rver"
readonly MAILDEV_TOOL_DIR="$REPO_ROOT/tools/maildev"

readonly STATE_DIR="${FOODCOMMUNITY_SERVICES_DIR:-/tmp/foodcommunity-services}"
readonly MYSQL_PORT="${FC_MYSQL_PORT:-13306}"
readonly REPLICA_PORT="${FC_MYSQL_REPLICA_PORT:-13307}"
readonly REDIS_PORT="${FC_REDIS_PORT:-16379}"
readonly S3_PORT="${FC_S3_PORT:-14568}"
readonly MAIL_PORT="${FC_MAIL_PORT:-11025}"
readonly MAIL_WEB_PORT="${FC_MAIL_WEB_PORT:-11080}"
readonly TIMEOUT="${FC_SERVICES_TIMEOUT:-60}"
# Redis Cluster (optional): three primaries on BASE..BASE+2, their replicas on BASE+3..BASE+5, and
# each node's cluster bus on its port + 10000.
readonly REDIS_CLUSTER_PORT="${FC_REDIS_CLUSTER_PORT:-17000}"
# Redis nodes the failover tests start and kill themselves (never the Redis above): a primary and
# replica on BASE, BASE+1, a six-node cluster on BASE+2..BASE+7, buses + 10000; `env` prints it.
readonly REDIS_FAILOVER_PORT="${FC_REDIS_FAILOVER_PORT:-17010}"

readonly DB_NAME=foodcommunity
readonly DB_USER=foodcommunity
readonly DB_PASSWORD=foodcommunity
# The replica's login on the primary (replication only).
readonly REPL_USER=fc_replication
readonly REPL_PASSWORD=fc_replication
readonly S3_BUCKET=foodcommunity-uploads
readonly S3_KEY=S3RVER
readonly S3_SECRET=S3RVER

# One folder per service, each with data/, log/ and run/ (pid file).
readonly MYSQL_DIR="$STATE_DIR/mysql"
readonly MYSQL_CNF="$MYSQL_DIR/my.cnf"
readonly MYSQL_APP_CNF="$MYSQL_DIR/app-client.cnf"
readonly MYSQL_SOCKET="$MYSQL_DIR/run/mysqld.sock"
readonly MYSQL_LOG="$MYSQL_DIR/log/mariadbd.err"
# The replica: its own datadir, config and socket; see replica_seed.
readonly REPLICA_DIR="$STATE_DIR/mysql-replica"
readonly REPLICA_CNF="$REPLICA_DIR/my.cnf"
readonly REPLICA_SOCKET="$REPLICA_DIR/run/mysqld.sock"
readonly REPLICA_LOG="$REPLICA_DIR/log/mariadbd.err"
readonly REDIS_DIR="$STATE_DIR/redis"
readonly REDIS_CONF="$REDIS_DIR/redis.conf"
readonly REDIS_LOG="$REDIS_DIR/log/redis.log"
readonly S3_DIR="$STATE_DIR/s3"
readonly S3_CORS="$S3_DIR/cors.xml"
readonly S3_LOG="$S3_DIR/log/s3rver.log"
readonly MAIL_DIR="$STATE_DIR/mail"
readonly MAIL_LOG="$MAIL_DIR/log/maildev.log"
readonly REDIS_CLUSTER_DIR="$STATE_DIR/redis-cluster"
# Written once `redis-cli --cluster create` has assigned the slots; the nodes keep the layout in their nodes.conf.
readonly REDIS_CLUSTER_CREATED="$REDIS_CLUSTER_DIR/.created"
# Written on first `up`; `purge` refuses to delete a folder without it.
readonly STATE_MARKER="$STATE_DIR/.foodcommunity-services"

# The replica after the primary: it is seeded from it and replicates from it.
readonly SERVICES=(mysql replica redis s3 mail)

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  cat >&2 <<EOF
Usage: scripts/services.sh COMMAND

Local MariaDB (primary + replica), Redis, s3rver and MailDev for FoodCommunity, on 127.0.0.1.

Commands:
  up              install what is missing, start all services, wait until they
                  answer, then print the environment (as 'env' does)
  env             print 'export NAME=value' lines for the app and tests:
                    eval "\$(scripts/services.sh env)"
  status          show whether each service is running and answering
                  (exit 1 if any is not)
  down [--purge]  stop the services started here; --purge also deletes all data
  purge           same as 'down --purge'
  start NAME      start one service (NAME: mysql | replica | redis | s3 | mail)
  stop NAME       stop one service, keeping its data
  cluster-up      start a Redis Cluster (three primaries, one replica each) on
                  127.0.0.1, creating it on first use; 'env' then also prints
                  FC_REDIS_CLUSTER_CONNECTION ('up' does this too with FC_REDIS_CLUSTER=1)
  cluster-down    stop the Redis Cluster's nodes, keeping their data
  help            show this text

Settings (environment):
  FOODCOMMUNITY_SERVICES_DIR  state folder (now: $STATE_DIR)
  FC_MYSQL_PORT               MariaDB port (now: $MYSQL_PORT)
  FC_MYSQL_REPLICA_PORT       MariaDB replica port (now: $REPLICA_PORT)
  FC_REDIS_PORT               Redis port   (now: $REDIS_PORT)
  FC_S3_PORT                  s3rver port  (now: $S3_PORT)
  FC_MAIL_PORT, FC_MAIL_WEB_PORT  MailDev SMTP and inbox ports  (now: $MAIL_PORT, $MAIL_WEB_PORT)
  FC_SERVICES_TIMEOUT         seconds to wait for start/stop (now: $TIMEOUT)
  FC_REDIS_CLUSTER            1: 'up' also starts the Redis Cluster
  FC_REDIS_CLUSTER_PORT       first Redis Cluster port; the six nodes use it and the
                              five after it, their buses those + 10000 (now: $REDIS_CLUSTER_PORT)
  FC_REDIS_FAILOVER_PORT      first of eight ports (and their + 10000) for the Redis nodes the
                              failover tests start and kill themselves (now: $REDIS_FAILOVER_PORT)
EOF
}

# ---------------------------------------------------------------- helpers

svc_dir() {
  case "$1" in
    mysql) echo "$MYSQL_DIR" ;;
    replica) echo "$REPLICA_DIR" ;;
    redis) echo "$REDIS_DIR" ;;
    s3) echo "$S3_DIR" ;;
    mail) echo "$MAIL_DIR" ;;
    *) die "unknown service '$1' (use mysql, replica, redis, s3 or mail)" ;;
  esac
}
svc_pidfile() { echo "$(svc_dir "$1")/run/$1.pid"; }
svc_port() {
  case "$1" in
    mysql) echo "$MYSQL_PORT" ;;
    replica) echo "$REPLICA_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
    s3) echo "$S3_PORT" ;;
    mail) echo "$MAIL_PORT" ;;
  esac
}
svc_log() {
  case "$1" in
    mysql) echo "$MYSQL_LOG" ;;
    replica) echo "$REPLICA_LOG" ;;
    redis) echo "$REDIS_LOG" ;;
    s3) echo "$S3_LOG" ;;
    mail) echo "$MAIL_LOG" ;;
  esac
}

# The pid is alive (not a zombie) and is the program we started with this
# state dir: a recycled pid must never be killed.
pid_is_ours() {
  local svc=$1 pid=$2 comm stat cmdline want_comm want_arg
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  cmdline=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  case "$svc" in
    mysql) want_comm=mariadbd want_arg="$MYSQL_CNF" ;;
    replica) want_comm=mariadbd want_arg="$REPLICA_CNF" ;;
    redis) want_comm=redis-server want_arg="$REDIS_CONF" ;;
    s3) want_comm=node want_arg="$S3_DIR/data" ;;
    mail) want_comm=node want_arg="$MAIL_DIR/data" ;;
  esac
  [[ $comm == "$want_comm" && $cmdline == *"$want_arg"* ]]
}

# Prints the pid of the running service, or fails (dropping a stale pid file).
svc_pid() {
  local svc=$1 pidfile pid
  pidfile=$(svc_pidfile "$svc")
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  if pid_is_ours "$svc" "$pid"; then
    echo "$pid"
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_log_tail() {
  local file=$1
  [[ -f $file ]] || return 0
  log "last lines of $file:"
  tail -n 30 "$file" | sed 's/^/    /' >&2
}

# Polls CHECK until it succeeds; fails early if PID dies, or at the deadline.
wait_until() {
  local svc=$1 pid=$2 check=$3 deadline=$((SECONDS + TIMEOUT))
  until "$check"; do
    if ! pid_is_ours "$svc" "$pid"; then
      log "$svc: process $pid exited during startup"
      show_log_tail "$(svc_log "$svc")"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$svc: not answering after ${TIMEOUT}s"
      show_log_tail "$(svc_log "$svc")"
      return 1
    fi
    sleep 0.2
  done
}

# Serialises up/down/start/stop so that parallel callers don't race.
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock -w "$((TIMEOUT * 3))" 9 || die "another services.sh holds $STATE_DIR/.lock"
}

# ---------------------------------------------------------------- install

POLICY_RC=/usr/sbin/policy-rc.d
POLICY_STATE=none # none | created | moved
SUDO=""

# Debian starts a package's service on install unless policy-rc.d says 101;
# we don't want the distro's MariaDB/Redis on 3306/6379.
policy_block() {
  if [[ -e $POLICY_RC ]]; then
    local rc=0
    "$POLICY_RC" mariadb start >/dev/null 2>&1 || rc=$?
    ((rc == 101)) && return 0
    $SUDO mv "$POLICY_RC" "$POLICY_RC.foodcommunity-saved"
    POLICY_STATE=moved
  else
    POLICY_STATE=created
  fi
  printf '#!/bin/sh\n# Temporary, from FoodCommunity scripts/services.sh: no service starts.\nexit 101\n' |
    $SUDO tee "$POLICY_RC" >/dev/null
  $SUDO chmod 755 "$POLICY_RC"
}
policy_restore() {
  case "$POLICY_STATE" in
    created) $SUDO rm -f "$POLICY_RC" ;;
    moved) $SUDO mv -f "$POLICY_RC.foodcommunity-saved" "$POLICY_RC" ;;
  esac
  POLICY_STATE=none
}

ensure_packages() {
  if command -v mariadbd >/dev/null && command -v mariadb >/dev/null &&
    command -v mariadb-admin >/dev/null && command -v mariadb-install-db >/dev/null &&
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    return 0
  fi
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "MariaDB/Redis are missing and installing them needs root (or sudo)"
    SUDO=sudo
  fi
  log "installing mariadb-server mariadb-client redis-server (apt)"
  trap policy_restore EXIT
  policy_block
  $SUDO apt-get -q update >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 mariadb-server mariadb-client redis-server >&2
  policy_restore
  trap - EXIT
}

ensure_s3rver() {
  local stamp="$S3RVER_TOOL_DIR/node_modules/.foodcommunity-lock.sha256" want
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "node and npm are needed for s3rver"
  fi
  want=$(sha256sum "$S3RVER_TOOL_DIR/package-lock.json" | cut -d' ' -f1)
  # npm ci wipes node_modules, so only run it when the lockfile changed.
  if [[ -f $stamp && $(<"$stamp") == "$want" && -f $S3RVER_TOOL_DIR/node_modules/s3rver/bin/s3rver.js ]]; then
    return 0
  fi
  log "installing s3rver (npm ci in tools/s3rver)"
  (cd "$S3RVER_TOOL_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
}

ensure_maildev() {
  local stamp="$MAILDEV_TOOL_DIR/node_modules/.foodcommunity-lock.sha256" want
  command -v npm >/dev/null || die "node and npm are needed for MailDev"
  want=$(sha256sum "$MAILDEV_TOOL_DIR/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(<"$stamp") == "$want" && -f $MAILDEV_TOOL_DIR/node_modules/maildev/package.json ]]; then
    return 0
  fi
  log "installing MailDev (npm ci in tools/maildev)"
  (cd "$MAILDEV_TOOL_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" >"$stamp"
}

# ---------------------------------------------------------------- mysql

mysql_write_config() {
  mkdir -p "$MYSQL_DIR"/{data,log,run,tmp}
  # Regenerated on every start so that a changed port or setting applies.
  cat >"$MYSQL_CNF" <<EOF
# Generated by scripts/services.sh; edits are overwritten.
[mariadbd]
datadir=$MYSQL_DIR/data
tmpdir=$MYSQL_DIR/tmp
socket=$MYSQL_SOCKET
pid-file=$MYSQL_DIR/run/mariadbd.pid
log-error=$MYSQL_LOG
bind-address=127.0.0.1
port=$MYSQL_PORT
# Users are @127.0.0.1/@localhost; no DNS look-ups on connect.
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
max_connections=500
innodb_buffer_pool_size=256M
innodb_log_file_size=128M
# Dev/test data: losing the last second on a machine crash is fine, and the
# tests create and drop many databases, so don't fsync every commit.
innodb_flush_log_at_trx_commit=2
# The binlog the replica reads (GTID). Not fsynced (as above); kept a day.
server_id=1
log-bin=mariadb-bin
sync_binlog=0
binlog_expire_logs_seconds=86400

[client]
socket=$MYSQL_SOCKET
user=root
# Debian's client otherwise picks utf8mb3 from the C locale.
default-character-set=utf8mb4
EOF
  # The app's own login, over TCP as the app connects.
  cat >"$MYSQL_APP_CNF" <<EOF
[client]
host=127.0.0.1
port=$MYSQL_PORT
user=$DB_USER
password=$DB_PASSWORD
default-character-set=utf8mb4
EOF
  chmod 600 "$MYSQL_APP_CNF"
}

mysql_root() { timeout 10 mariadb --defaults-file="$MYSQL_CNF" --connect-timeout=3 "$@"; }
mysql_app() { timeout 10 mariadb --defaults-file="$MYSQL_APP_CNF" --connect-timeout=3 "$@"; }
mysql_alive() { timeout 5 mariadb-admin --defaults-file="$MYSQL_CNF" --connect-timeout=2 ping >/dev/null 2>&1; }
mysql_answers() { [[ $(mysql_app -N -B -e 'SELECT 1' 2>/dev/null) == 1 ]]; }

# Also run on the replica (replica_seed): the primary's later runs of it replicate there,
# and ALTER USER/GRANT must find the users.
provision_sql() {
  cat <<EOF
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
-- Tests create and drop a database per test class.
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
CREATE USER IF NOT EXISTS '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
ALTER USER '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'127.0.0.1';
EOF
}
mysql_provision() { provision_sql | mysql_root --batch; }

mysql_launch() {
  local user
  user=$(id -un)
  mysql_write_config
  if [[ ! -f $MYSQL_DIR/.initialized ]]; then
    # A half-done earlier init leaves junk that install-db would trip over.
    rm -rf "$MYSQL_DIR/data" && mkdir -p "$MYSQL_DIR/data"
    log "mysql: initializing a new data directory"
    if ! mariadb-install-db --defaults-file="$MYSQL_CNF" --user="$user" \
      --skip-test-db --auth-root-authentication-method=socket \
      >"$MYSQL_DIR/log/install-db.log" 2>&1; then
      show_log_tail "$MYSQL_DIR/log/install-db.log"
      die "mysql: mariadb-install-db failed"
    fi
    touch "$MYSQL_DIR/.initialized"
  fi
  # setsid + no inherited stdout: survives the caller's Ctrl-C and doesn't
  # hold a $(...) capture open. Every daemon gets '9>&-' so that it doesn't
  # keep our lock (fd 9) held for as long as it runs.
  setsid mariadbd --defaults-file="$MYSQL_CNF" --user="$user" \
    </dev/null >>"$MYSQL_LOG" 2>&1 9>&- &
  echo $! >"$(svc_pidfile mysql)"
}

mysql_ready() {
  local pid=$1
  wait_until mysql "$pid" mysql_alive || return 1
  # Cheap and idempotent; also repairs a user whose password was changed.
  mysql_provision || { log "mysql: creating database/user failed"; return 1; }
  wait_until mysql "$pid" mysql_answers
}

# ---------------------------------------------------------------- replica

# A second mariadbd replicating from the primary: GTID (slave_pos), read_only, own
# datadir. On its first start it is seeded with a dump of the primary's databases taken
# at a known GTID (the primary may hold data from before its binlog was switched on),
# then replicates from that GTID on; later starts resume replication by themselves.
replica_write_config() {
  mkdir -p "$REPLICA_DIR"/{data,log,run,tmp}
  cat >"$REPLICA_CNF" <<EOF
# Generated by scripts/services.sh; edits are overwritten.
[mariadbd]
datadir=$REPLICA_DIR/data
tmpdir=$REPLICA_DIR/tmp
socket=$REPLICA_SOCKET
pid-file=$REPLICA_DIR/run/mariadbd.pid
log-error=$REPLICA_LOG
bind-address=127.0.0.1
port=$REPLICA_PORT
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
max_connections=300
innodb_buffer_pool_size=128M
innodb_log_file_size=64M
innodb_flush_log_at_trx_commit=2
server_id=2
read_only=1
skip-log-bin
relay-log=relay-bin
# Applies what the primary committed in parallel in parallel, in the same commit order.
slave_parallel_threads=2

[client]
socket=$REPLICA_SOCKET
user=root
default-character-set=utf8mb4
EOF
}

replica_root() { timeout 10 mariadb --defaults-file="$REPLICA_CNF" --connect-timeout=3 "$@"; }
replica_alive() { timeout 5 mariadb-admin --defaults-file="$REPLICA_CNF" --connect-timeout=2 ping >/dev/null 2>&1; }
replica_answers() {
  [[ $(timeout 10 mariadb --defaults-file="$MYSQL_APP_CNF" --port="$REPLICA_PORT" --connect-timeout=3 \
    -N -B -e 'SELECT 1' 2>/dev/null) == 1 ]]
}

# "Yes Yes 0": IO thread, SQL thread, seconds behind the primary.
replica_threads() {
  replica_root -e 'SHOW SLAVE STATUS\G' 2>/dev/null |
    awk -F': ' '/ Slave_IO_Running:/ {io=$2} / Slave_SQL_Running:/ {sql=$2}
      / Seconds_Behind_Master:/ {lag=$2} END {print io, sql, lag}'
}

replica_launch() {
  local user
  user=$(id -un)
  svc_pid mysql >/dev/null || die "replica: the primary (mysql) is not running; start it first"
  replica_write_config
  if [[ ! -f $REPLICA_DIR/.replicating ]]; then
    # Not (fully) seeded: start over from an empty datadir.
    rm -rf "$REPLICA_DIR/data" && mkdir -p "$REPLICA_DIR/data"
    log "replica: initializing a new data directory"
    if ! mariadb-install-db --defaults-file="$REPLICA_CNF" --user="$user" \
      --skip-test-db --auth-root-authentication-method=socket \
      >"$REPLICA_DIR/log/install-db.log" 2>&1; then
      show_log_tail "$REPLICA_DIR/log/install-db.log"
      die "replica: mariadb-install-db failed"
    fi
  fi
  setsid mariadbd --defaults-file="$REPLICA_CNF" --user="$user" \
    </dev/null >>"$REPLICA_LOG" 2>&1 9>&- &
  echo $! >"$(svc_pidfile replica)"
}

# The primary's own databases, dumped in one transaction with the GTID they were taken at;
# loaded into the replica, which then replicates from that GTID.
replica_seed() {
  local databases gtid dump="$REPLICA_DIR/tmp/seed.sql"
  provision_sql | replica_root --batch || { log "replica: creating users failed"; return 1; }
  mapfile -t databases < <(mysql_root -N -B -e "SELECT schema_name FROM information_schema.schemata
    WHERE schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')")
  log "replica: seeding from the primary (${#databases[@]} databases)"
  if ! timeout 600 mariadb-dump --defaults-file="$MYSQL_CNF" --single-transaction --gtid --master-data=2 \
    --routines --events --triggers --databases "${databases[@]}" >"$dump" 2>"$REPLICA_DIR/log/seed.log"; then
    show_log_tail "$REPLICA_DIR/log/seed.log"
    return 1
  fi
  gtid=$(sed -nE "s/^-- SET GLOBAL gtid_slave_pos='([^']*)';/\1/p" "$dump" | head -n 1)
  grep -q "gtid_slave_pos=" "$dump" || { log "replica: the dump names no GTID position"; return 1; }
  timeout 600 mariadb --defaults-file="$REPLICA_CNF" --batch <"$dump" || { log "replica: loading the dump failed"; return 1; }
  rm -f "$dump"
  replica_root --batch <<EOF || { log "replica: starting replication failed"; return 1; }
STOP SLAVE;
SET GLOBAL gtid_slave_pos = '$gtid';
CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = $MYSQL_PORT,
  MASTER_USER = '$REPL_USER', MASTER_PASSWORD = '$REPL_PASSWORD',
  MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;
START SLAVE;
EOF
  touch "$REPLICA_DIR/.replicating"
  log "replica: replicating from 127.0.0.1:$MYSQL_PORT from GTID '$gtid'"
}

replica_ready() {
  local pid=$1
  wait_until replica "$pid" replica_alive || return 1
  if [[ ! -f $REPLICA_DIR/.replicating ]]; then
    replica_seed || return 1
  fi
  wait_until replica "$pid" replica_answers
}

# ---------------------------------------------------------------- redis

redis_write_config() {
  mkdir -p "$REDIS_DIR"/{data,log,run}
  cat >"$REDIS_CONF" <<EOF
# Generated by scripts/services.sh; edits are overwritten.
bind 127.0.0.1
port $REDIS_PORT
daemonize no
supervised no
# Keep the command line (with this file's path) so 'down' can tell it is ours.
set-proc-title no
dir $REDIS_DIR/data
logfile $REDIS_LOG
# Same durability as production.
appendonly yes
appendfsync everysec
EOF
}

redis_launch() {
  redis_write_config
  setsid redis-server "$REDIS_CONF" </dev/null >>"$REDIS_LOG" 2>&1 9>&- &
  echo $! >"$(svc_pidfile redis)"
}

redis_answers() { [[ $(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
redis_ready() { wait_until redis "$1" redis_answers; }

# ---------------------------------------------------------------- s3

s3_write_config() {
  mkdir -p "$S3_DIR"/{data,log,run}
  # Permissive CORS so that a browser can PUT to presigned URLs.
  cat >"$S3_CORS" <<'EOF'
<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>DELETE</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>
EOF
}

s3_launch() {
  s3_write_config
  # --configure-bucket takes the file names after it up to the next option,
  # so it goes last. It creates the bucket or keeps an existing one.
  # s3rver signs list continuation tokens with DES, which OpenSSL 3 (Node 17+) only
  # offers through its legacy provider: without it, listing a bucket of more objects
  # than one page answers 500.
  setsid node --openssl-legacy-provider "$S3RVER_TOOL_DIR/node_modules/s3rver/bin/s3rver.js" \
    --directory "$S3_DIR/data" --address 127.0.0.1 --port "$S3_PORT" \
    --configure-bucket "$S3_BUCKET" "$S3_CORS" \
    </dev/null >>"$S3_LOG" 2>&1 9>&- &
  echo $! >"$(svc_pidfile s3)"
}

# HEAD of the bucket: the server answers and the bucket exists. Node, not curl,
# because node is the one HTTP client we know is there.
s3_answers() {
  timeout 5 node -e '
    const [port, bucket] = process.argv.slice(1);
    const req = require("http").request(
      { host: "127.0.0.1", port, path: "/" + bucket, method: "HEAD", timeout: 3000 },
      (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("timeout", () => req.destroy());
    req.on("error", () => process.exit(1));
    req.end();' "$S3_PORT" "$S3_BUCKET" 2>/dev/null
}
s3_ready() { wait_until s3 "$1" s3_answers; }

# ---------------------------------------------------------------- mail

# MailDev: SMTP on MAIL_PORT, the inbox (web and REST: GET /api/email) on MAIL_WEB_PORT.
mail_launch() {
  mkdir -p "$MAIL_DIR"/{data,log,run}
  setsid node "$MAILDEV_TOOL_DIR/node_modules/maildev/dist/bin/maildev.js" \
    --ip 127.0.0.1 --smtp "$MAIL_PORT" --web-ip 127.0.0.1 --web "$MAIL_WEB_PORT" \
    --mail-directory "$MAIL_DIR/data" \
    </dev/null >>"$MAIL_LOG" 2>&1 9>&- &
  echo $! >"$(svc_pidfile mail)"
}

mail_answers() {
  timeout 5 node -e '
    const req = require("http").get({ host: "127.0.0.1", port: process.argv[1], path: "/api/healthz", timeout: 3000 },
      (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("timeout", () => req.destroy());
    req.on("error", () => process.exit(1));' "$MAIL_WEB_PORT" 2>/dev/null
}
mail_ready() { wait_until mail "$1" mail_answers; }

# ---------------------------------------------------------------- lifecycle

svc_answers() { "${1}_answers"; }

# Starts one service unless it already runs; waits until it answers.
svc_start() {
  local svc=$1 pid port
  port=$(svc_port "$svc")
  if pid=$(svc_pid "$svc"); then
    if svc_answers "$svc"; then
      log "$svc: already running (pid $pid) on 127.0.0.1:$port"
      return 0
    fi
    # Probably still starting (another 'up'); give it the same deadline.
    log "$svc: running (pid $pid) but not answering yet; waiting"
    "${svc}_ready" "$pid" || die "$svc: not ready"
    return 0
  fi
  if port_in_use "$port"; then
    local port_var="FC_${svc^^}_PORT"
    [[ $svc == replica ]] && port_var=FC_MYSQL_REPLICA_PORT
    die "$svc: 127.0.0.1:$port is taken by a process not started from $STATE_DIR (set $port_var, or stop it)"
  fi
  log "$svc: starting on 127.0.0.1:$port"
  "${svc}_launch"
  pid=$(<"$(svc_pidfile "$svc")")
  "${svc}_ready" "$pid" || die "$svc: failed to start (logs in $(dirname "$(svc_log "$svc")"))"
  log "$svc: ready (pid $pid)"
}

# Sends SIGTERM to our process only; the caller waits with svc_wait_exit.
svc_signal_stop() {
  local svc=$1 pid
  if pid=$(svc_pid "$svc"); then
    log "$svc: stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    echo "$pid"
  fi
}

svc_wait_exit() {
  local svc=$1 pid=$2 deadline=$((SECONDS + TIMEOUT))
  while pid_is_ours "$svc" "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$svc: still running after ${TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$(svc_pidfile "$svc")"
  log "$svc: stopped"
}

stop_services() {
  local -A pids=()
  local svc pid
  # Signal all first so that they shut down in parallel.
  for svc in "$@"; do
    if pid=$(svc_signal_stop "$svc") && [[ -n $pid ]]; then
      pids[$svc]=$pid
    fi
  done
  for svc in "$@"; do
    if [[ -n ${pids[$svc]:-} ]]; then
      svc_wait_exit "$svc" "${pids[$svc]}"
    else
      log "$svc: not running"
    fi
  done
}

ensure_for() {
  case "$1" in
    mysql | replica | redis) ensure_packages ;;
    s3) ensure_s3rver ;;
    mail) ensure_maildev ;;
  esac
}

# ---------------------------------------------------------------- redis cluster

# A Redis Cluster on loopback, apart from the single-node services above (own folder, pid files,
# commands): six redis-server processes in cluster mode, joined by `redis-cli --cluster create` into
# three primaries with one replica each. The slot layout lives in each node's nodes.conf, so a
# stopped cluster comes back as it was.

cluster_ports() { local i; for ((i = 0; i < 6; i++)); do echo $((REDIS_CLUSTER_PORT + i)); done; }
cluster_node_dir() { echo "$REDIS_CLUSTER_DIR/$1"; }
cluster_node_conf() { echo "$REDIS_CLUSTER_DIR/$1/redis.conf"; }
cluster_node_pidfile() { echo "$REDIS_CLUSTER_DIR/$1/run/redis.pid"; }
cluster_node_log() { echo "$REDIS_CLUSTER_DIR/$1/log/redis.log"; }
cluster_cli() { local port=$1; shift; timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null; }

# Like pid_is_ours: alive, redis-server, started with this node's config file.
cluster_pid_is_ours() {
  local port=$1 pid=$2 stat cmdline
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/stat ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server ]] || return 1
  cmdline=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmdline == *"$(cluster_node_conf "$port")"* ]]
}

cluster_node_pid() {
  local port=$1 pidfile pid
  pidfile=$(cluster_node_pidfile "$port")
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  if cluster_pid_is_ours "$port" "$pid"; then
    echo "$pid"
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

cluster_any_running() {
  local port
  for port in $(cluster_ports); do
    cluster_node_pid "$port" >/dev/null && return 0
  done
  return 1
}

cluster_node_launch() {
  local port=$1 dir
  dir=$(cluster_node_dir "$port")
  mkdir -p "$dir"/{data,log,run}
  cat >"$(cluster_node_conf "$port")" <<CONF
# Generated by scripts/services.sh; edits are overwritten.
bind 127.0.0.1
port $port
daemonize no
supervised no
set-proc-title no
dir $dir/data
logfile $(cluster_node_log "$port")
cluster-enabled yes
cluster-config-file nodes.conf
# A primary unreachable this long is failed over to its replica.
cluster-node-timeout 5000
appendonly yes
appendfsync everysec
save ""
CONF
  setsid redis-server "$(cluster_node_conf "$port")" </dev/null >>"$(cluster_node_log "$port")" 2>&1 9>&- &
  echo $! >"$(cluster_node_pidfile "$port")"
}

cluster_node_answers() { [[ $(cluster_cli "$1" ping) == PONG ]]; }

# Every node sees all slots served, and every replica is in sync with its primary.
cluster_healthy() {
  local port info
  for port in $(cluster_ports); do
    [[ $(cluster_cli "$port" cluster info) == *cluster_state:ok* ]] || return 1
    info=$(cluster_cli "$port" info replication) || return 1
    if [[ $info == *role:slave* && $info != *master_link_status:up* ]]; then
      return 1
    fi
  done
}

cluster_wait() {
  local what=$1 check=$2 deadline=$((SECONDS + TIMEOUT)) port
  until "$check"; do
    if ((SECONDS >= deadline)); then
      log "redis-cluster: $what not reached after ${TIMEOUT}s"
      for port in $(cluster_ports); do show_log_tail "$(cluster_node_log "$port")"; done
      return 1
    fi
    sleep 0.3
  done
}

cluster_all_answer() {
  local port
  for port in $(cluster_ports); do cluster_node_answers "$port" || return 1; done
}

cluster_start() {
  local port pid nodes=()
  if [[ ! -f $REDIS_CLUSTER_CREATED ]]; then
    # Never created, or a create that failed half-way: start from empty nodes.
    cluster_stop
    rm -rf -- "$REDIS_CLUSTER_DIR"
  fi
  for port in $(cluster_ports); do
    nodes+=("127.0.0.1:$port")
    if pid=$(cluster_node_pid "$port"); then
      continue
    fi
    if port_in_use "$port" || port_in_use $((port + 10000)); then
      die "redis-cluster: 127.0.0.1:$port or its bus port $((port + 10000)) is taken (set FC_REDIS_CLUSTER_PORT)"
    fi
    cluster_node_launch "$port"
  done
  cluster_wait "every node answering" cluster_all_answer || die "redis-cluster: nodes did not start (logs in $REDIS_CLUSTER_DIR/*/log)"
  if [[ ! -f $REDIS_CLUSTER_CREATED ]]; then
    log "redis-cluster: creating three primaries with one replica each on ${nodes[*]}"
    timeout "$TIMEOUT" redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes \
      >"$REDIS_CLUSTER_DIR/create.log" 2>&1 || {
      show_log_tail "$REDIS_CLUSTER_DIR/create.log"
      die "redis-cluster: redis-cli --cluster create failed"
    }
    touch "$REDIS_CLUSTER_CREATED"
  fi
  cluster_wait "all slots served and replicas in sync" cluster_healthy || die "redis-cluster: not healthy"
  log "redis-cluster: ready on 127.0.0.1:$REDIS_CLUSTER_PORT-$((REDIS_CLUSTER_PORT + 5))"
}

cluster_stop() {
  local -A pids=()
  local port pid deadline
  for port in $(cluster_ports); do
    if pid=$(cluster_node_pid "$port"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids[$port]=$pid
    fi
  done
  ((${#pids[@]} > 0)) || return 0
  log "redis-cluster: stopping ${#pids[@]} node(s)"
  deadline=$((SECONDS + TIMEOUT))
  for port in "${!pids[@]}"; do
    while cluster_pid_is_ours "$port" "${pids[$port]}"; do
      if ((SECONDS >= deadline)); then
        kill -KILL "${pids[$port]}" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
    rm -f "$(cluster_node_pidfile "$port")"
  done
  log "redis-cluster: stopped"
}

# Only when a created cluster has nodes running; status is quiet about a cluster never asked for.
cluster_status() {
  local port pid role all_ok=0
  [[ -f $REDIS_CLUSTER_CREATED ]] || cluster_any_running || return 0
  for port in $(cluster_ports); do
    if pid=$(cluster_node_pid "$port"); then
      role=$(cluster_cli "$port" role | head -n 1 | sed "s/master/primary/; s/slave/replica/") || role=""
      if [[ -n $role ]]; then
        log "redis-cluster: node 127.0.0.1:$port running (pid $pid), answering as $role"
      else
        log "redis-cluster: node 127.0.0.1:$port running (pid $pid), NOT answering"
        all_ok=1
      fi
    else
      log "redis-cluster: node 127.0.0.1:$port not running"
      all_ok=1
    fi
  done
  if cluster_healthy; then log "redis-cluster: all slots served, replicas in sync"; else
    log "redis-cluster: NOT healthy"
    all_ok=1
  fi
  return "$all_ok"
}

# A StackExchange.Redis configuration string naming every node; it discovers the slot map itself.
cluster_connection() {
  local port list=()
  for port in $(cluster_ports); do list+=("127.0.0.1:$port"); done
  (IFS=,; echo "${list[*]}")
}

cluster_print_env() {
  if [[ -f $REDIS_CLUSTER_CREATED ]] && cluster_any_running; then
    printf "export FC_REDIS_CLUSTER_CONNECTION='%s'\n" "$(cluster_connection)"
  fi
}

# ---------------------------------------------------------------- env

# Pomelo's ServerVersion.Parse wants e.g. '10.11.6-mariadb'.
server_version() {
  local raw="" num
  if svc_pid mysql >/dev/null; then
    raw=$(mysql_app -N -B -e 'SELECT VERSION()' 2>/dev/null) || raw=""
  fi
  if [[ -z $raw ]] && command -v mariadbd >/dev/null; then
    # Not running: the installed server binary reports the same version.
    raw=$(mariadbd --version 2>/dev/null | sed -nE 's/.*Ver ([^ ]+).*/\1/p') || raw=""
    [[ -n $raw ]] && log "mysql is not running; Database__ServerVersion is from 'mariadbd --version'"
  fi
  [[ -n $raw ]] || die "cannot tell the MariaDB version: run 'scripts/services.sh up' first"
  num=$(sed -nE 's/^([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' <<<"$raw")
  [[ -n $num ]] || die "unexpected server version '$raw'"
  if [[ ${raw,,} == *mariadb* ]]; then echo "$num-mariadb"; else echo "$num-mysql"; fi
}

print_env() {
  local version name value var
  version=$(server_version)
  local -a vars=(
    "ConnectionStrings__MySql=Server=127.0.0.1;Port=$MYSQL_PORT;Database=$DB_NAME;User ID=$DB_USER;Password=$DB_PASSWORD"
    "ConnectionStrings__MySqlReplica=Server=127.0.0.1;Port=$REPLICA_PORT;Database=$DB_NAME;User ID=$DB_USER;Password=$DB_PASSWORD"
    "Database__ServerVersion=$version"
    "ConnectionStrings__Redis=127.0.0.1:$REDIS_PORT"
    "Storage__ServiceUrl=http://127.0.0.1:$S3_PORT"
    "Storage__BucketName=$S3_BUCKET"
    "Storage__PublicBaseUrl=http://127.0.0.1:$S3_PORT/$S3_BUCKET"
    "Storage__ForcePathStyle=true"
    "AWS_ACCESS_KEY_ID=$S3_KEY"
    "AWS_SECRET_ACCESS_KEY=$S3_SECRET"
    "AWS_REGION=us-east-1"
    "Mail__SmtpHost=127.0.0.1"
    "Mail__SmtpPort=$MAIL_PORT"
    "FC_MAIL_INBOX_URL=http://127.0.0.1:$MAIL_WEB_PORT"
    "FC_REDIS_FAILOVER_PORT=$REDIS_FAILOVER_PORT"
  )
  for var in "${vars[@]}"; do
    name=${var%%=*}
    value=${var#*=}
    # Single-quoted for eval; a ' inside becomes '\''.
    printf "export %s='%s'\n" "$name" "${value//\'/\'\\\'\'}"
  done
  cluster_print_env
}

# ---------------------------------------------------------------- commands

cmd_status() {
  local svc pid port all_ok=0
  for svc in "${SERVICES[@]}"; do
    port=$(svc_port "$svc")
    if pid=$(svc_pid "$svc"); then
      if svc_answers "$svc"; then
        log "$svc: running (pid $pid), answering on 127.0.0.1:$port"
        if [[ $svc == replica ]]; then
          local io sql lag
          read -r io sql lag <<<"$(replica_threads)"
          log "replica: IO thread ${io:-?}, SQL thread ${sql:-?}, ${lag:-?}s behind the primary"
          [[ $io == Yes && $sql == Yes ]] || all_ok=1
        fi
      else
        log "$svc: running (pid $pid), NOT answering on 127.0.0.1:$port"
        all_ok=1
      fi
    else
      log "$svc: not running (port $port)"
      all_ok=1
    fi
  done
  cluster_status || all_ok=1
  return "$all_ok"
}

cmd_up() {
  local started=$SECONDS svc
  take_lock
  touch "$STATE_MARKER"
  ensure_packages
  ensure_s3rver
  ensure_maildev
  for svc in "${SERVICES[@]}"; do
    svc_start "$svc"
  done
  if [[ ${FC_REDIS_CLUSTER:-0} == 1 ]]; then
    cluster_start
  fi
  log "all services up in $((SECONDS - started))s (state in $STATE_DIR)"
  print_env
}

cmd_down() {
  local purge=${1:-}
  [[ -z $purge || $purge == --purge ]] || die "unknown option '$purge' for down"
  [[ -d $STATE_DIR ]] || { log "nothing to stop: $STATE_DIR does not exist"; return 0; }
  # Guard against a mistyped FOODCOMMUNITY_SERVICES_DIR wiping something else.
  if [[ $purge == --purge && ! -f $STATE_MARKER ]]; then
    die "$STATE_DIR has no $(basename "$STATE_MARKER"), so it is not ours; not deleting it"
  fi
  take_lock
  stop_services "${SERVICES[@]}"
  cluster_stop
  if [[ $purge == --purge ]]; then
    local svc
    for svc in "${SERVICES[@]}"; do
      ! svc_pid "$svc" >/dev/null || die "$svc is still running; not deleting $STATE_DIR"
    done
    ! cluster_any_running || die "a Redis Cluster node is still running; not deleting $STATE_DIR"
    rm -rf -- "$STATE_DIR"
    log "deleted $STATE_DIR"
  fi
}

main() {
  (($# > 0)) || { usage; exit 2; }
  local cmd=$1
  shift
  case "$cmd" in
    up) cmd_up ;;
    env) print_env ;;
    status) cmd_status ;;
    down) cmd_down "$@" ;;
    purge) cmd_down --purge ;;
    start | stop)
      (($# == 1)) || { usage; exit 2; }
      svc_dir "$1" >/dev/null
      take_lock
      touch "$STATE_MARKER"
      if [[ $cmd == start ]]; then
        ensure_for "$1"
        svc_start "$1"
      else
        stop_services "$1"
      fi
      ;;
    cluster-up)
      take_lock
      touch "$STATE_MARKER"
      ensure_packages
      cluster_start
      cluster_print_env
      ;;
    cluster-down)
      take_lock
      cluster_stop
      ;;
    help | -h | --help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
