#!/usr/bin/env bash
# Publishes the API for linux-arm64 (Graviton), self-contained, and packs it the way the fleet's instances
# install a release (deploy/: FleetStack, docs/deploy.md): FoodCommunity.Api and everything beside it at the
# root of artifacts/api/linux-arm64/foodcommunity-api-linux-arm64.tar.gz.
#
#   scripts/package-api.sh [--verify]
#
# --verify then runs the published arm64 executable (under qemu-aarch64 on an x64 machine) in Production
# against the local services, waits for /health/live, sends SIGTERM and expects a clean exit. It needs the
# services' settings in the environment: eval "$(bash scripts/services.sh up)".
#
# Self-contained, because that is what the instances run (no .NET on the AMI) and because an arm64 `dotnet`
# host is not available here to run a framework-dependent build under qemu.
# Prints the tarball's path and size on stdout; everything else goes to stderr.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly PROJECT="$REPO_ROOT/src/FoodCommunity.Api"
readonly OUT="$REPO_ROOT/artifacts/api/linux-arm64"
readonly TARBALL="$OUT/foodcommunity-api-linux-arm64.tar.gz"

log() { printf '[package-api] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

verify=false
for arg in "$@"; do
  case "$arg" in
    --verify) verify=true ;;
    -h | --help) sed -n '2,13p' "$0" >&2; exit 0 ;;
    *) die "unknown argument '$arg' (use --verify)" ;;
  esac
done

cross=false
[[ $(uname -m) != aarch64 ]] && cross=true

# Running the arm64 build here: qemu, and Debian's arm64 glibc, libstdc++, OpenSSL and ICU (multiarch;
# the API normalises text through ICU, as the instances' libicu does).
ensure_emulation() {
  local -a wanted=()
  local icu
  command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null || wanted+=(qemu-user-static)
  [[ -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]] || wanted+=(libc6:arm64 libstdc++6:arm64)
  [[ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ]] || wanted+=(libssl3:arm64)
  # The ICU package's name carries its version (libicu72 on Debian 12): take the one the host has.
  icu=$(dpkg-query -W -f='${Package}\n' 'libicu[0-9]*' 2>/dev/null | grep -E '^libicu[0-9]+$' | head -n 1)
  compgen -G '/usr/lib/aarch64-linux-gnu/libicuuc.so.*' >/dev/null || wanted+=("${icu:-libicu72}:arm64")
  ((${#wanted[@]} == 0)) && return 0
  ((EUID == 0)) || die "missing ${wanted[*]}: install them with apt-get (root needed)"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture to dpkg"
    dpkg --add-architecture arm64
  fi
  log "installing ${wanted[*]} (apt)"
  apt-get -q update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${wanted[@]}" >&2
}

$verify && $cross && ensure_emulation

publish="$OUT/publish"
rm -rf "$publish" "$TARBALL"
mkdir -p "$OUT"
log "publishing self-contained for linux-arm64"
start=$(date +%s.%N)
dotnet publish "$PROJECT" -c Release -r linux-arm64 --self-contained -p:DebugType=none -o "$publish" -nologo -v quiet >&2
[[ -x $publish/FoodCommunity.Api ]] || die "publish produced no $publish/FoodCommunity.Api"
tar -C "$publish" -czf "$TARBALL" .
published=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
size=$(stat -c %s "$TARBALL")
printf '%s %s bytes (%s MiB), published and packed in %s s\n' "$TARBALL" "$size" \
  "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')" "$published"

$verify || exit 0

[[ -n ${ConnectionStrings__MySql:-} && -n ${ConnectionStrings__Redis:-} ]] ||
  die "no services in the environment: eval \"\$(bash scripts/services.sh up)\" first"

launcher=()
if $cross; then
  launcher=("$(command -v qemu-aarch64-static || command -v qemu-aarch64)")
fi
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
key=$(mktemp)
logfile="$OUT/verify.log"
trap 'rm -f "$key"' EXIT
openssl genrsa -out "$key" 2048 2>/dev/null

log "starting the arm64 API${launcher:+ under ${launcher[0]##*/}} on port $port"
start=$(date +%s.%N)
(
  cd "$publish"
  export ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port"
  # Production refuses to start without trusted proxies; here the "proxy" is loopback.
  export Http__TrustedProxyNetworks__0=127.0.0.0/8
  export Auth__Issuer=https://api.foodcommunity.test Auth__SigningKeyPath="$key"
  export Storage__BucketName=arm64-check Storage__PublicBaseUrl=http://127.0.0.1/ Redis__KeyPrefix="arm64check:$port:"
  # qemu-user cannot run .NET's W^X double mapping of JIT code (the process segfaults); Graviton keeps W^X on.
  $cross && export DOTNET_EnableWriteXorExecute=0
  exec "${launcher[@]}" ./FoodCommunity.Api
) >"$logfile" 2>&1 &
api_pid=$!

live=""
for _ in $(seq 1 360); do
  if live=$(curl -sf "http://127.0.0.1:$port/health/live" 2>/dev/null); then break; fi
  kill -0 "$api_pid" 2>/dev/null || { tail -n 20 "$logfile" >&2; die "the arm64 API exited before answering"; }
  live=""
  sleep 0.5
done
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [[ -z $live ]]; then
  kill -KILL "$api_pid" 2>/dev/null || true
  tail -n 20 "$logfile" >&2
  die "the arm64 API did not answer /health/live within 180 s"
fi
log "/health/live answered after ${elapsed} s: $live"

kill -TERM "$api_pid"
status=0
wait "$api_pid" || status=$?
((status == 0)) || { tail -n 20 "$logfile" >&2; die "the arm64 API exited $status on SIGTERM"; }
log "stopped cleanly on SIGTERM"
printf 'linux-arm64 API: /health/live after %s s%s\n' "$elapsed" "${launcher:+ under qemu}"
