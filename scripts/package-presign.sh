#!/usr/bin/env bash
# Publishes the presign function as Native AOT and zips it the way Lambda's provided.al2023
# runtime takes it: one executable named `bootstrap` at the root of the zip.
#
#   scripts/package-presign.sh [linux-arm64|linux-x64] [--verify]
#
# linux-arm64 (the default) is what the CDK app deploys (deploy/, UploadsStack); linux-x64 is for local tests.
# --verify then starts the packaged bootstrap against the Runtime API emulator of the test project
# (under qemu-aarch64 for arm64 on an x64 machine) and prints the time from process start to the
# first invocation's response. It needs an S3 endpoint: eval "$(bash scripts/services.sh up)".
#
# Prints the zip's path and size on stdout; everything else goes to stderr.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly PROJECT="$REPO_ROOT/src/FoodCommunity.Presign.Lambda"
readonly TESTS="$REPO_ROOT/tests/FoodCommunity.Presign.Lambda.Tests"
readonly AARCH64_SYSROOT=/usr/aarch64-linux-gnu

log() { printf '[package-presign] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

rid=linux-arm64
verify=false
for arg in "$@"; do
  case "$arg" in
    linux-arm64 | linux-x64) rid=$arg ;;
    --verify) verify=true ;;
    -h | --help) sed -n '2,12p' "$0" >&2; exit 0 ;;
    *) die "unknown argument '$arg' (use linux-arm64, linux-x64, --verify)" ;;
  esac
done

host_arch=$(uname -m)
cross=false
[[ $rid == linux-arm64 && $host_arch != aarch64 ]] && cross=true

# Native AOT links with clang; cross-linking for arm64 also needs the aarch64 binutils, libgcc and
# glibc headers/libraries (the sysroot). Running the result here needs qemu and arm64 glibc and
# OpenSSL (.NET's crypto, used for SigV4, loads libssl at run time; provided.al2023 has it, the
# cross sysroot does not), which come from Debian's arm64 multiarch packages.
ensure_toolchain() {
  local -a wanted=()
  command -v clang >/dev/null || wanted+=(clang)
  command -v zip >/dev/null || wanted+=(zip)
  if $cross; then
    command -v aarch64-linux-gnu-ld >/dev/null || wanted+=(binutils-aarch64-linux-gnu)
    command -v aarch64-linux-gnu-gcc >/dev/null || wanted+=(gcc-aarch64-linux-gnu)
    [[ -f $AARCH64_SYSROOT/lib/libc.so.6 ]] || wanted+=(libc6-dev-arm64-cross)
    if $verify; then
      command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null || wanted+=(qemu-user-static)
      [[ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ]] || wanted+=(libc6:arm64 libssl3:arm64)
    fi
  fi
  ((${#wanted[@]} == 0)) && return 0
  ((EUID == 0)) || die "missing ${wanted[*]}: install them with apt-get (root needed)"
  if [[ " ${wanted[*]} " == *:arm64* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture to dpkg (for arm64 OpenSSL under qemu)"
    dpkg --add-architecture arm64
  fi
  log "installing ${wanted[*]} (apt)"
  apt-get -q update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${wanted[@]}" >&2
}

ensure_toolchain

out="$REPO_ROOT/artifacts/presign/$rid"
publish="$out/publish"
zip_path="$out/presign-$rid.zip"
rm -rf "$publish" "$zip_path"
mkdir -p "$out"

log "publishing Native AOT for $rid"
# For arm64 on x64, the SDK's clang finds the aarch64 GNU toolchain and sysroot installed above by itself.
dotnet publish "$PROJECT" -c Release -r "$rid" -o "$publish" -nologo >&2

binary="$publish/FoodCommunity.Presign.Lambda"
[[ -x $binary ]] || die "publish produced no $binary"

# The zip holds only the executable, renamed: no .dbg symbols, no XML docs.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/bootstrap"
chmod 755 "$stage/bootstrap"
(cd "$stage" && zip -q -X "$zip_path" bootstrap)

size=$(stat -c %s "$zip_path")
printf '%s %s bytes (%s MiB)\n' "$zip_path" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')"

$verify || exit 0

# The published bootstrap, unzipped as Lambda would, against the test project's Runtime API emulator.
unzip -q -o "$zip_path" -d "$stage/unzipped"
launcher=""
if $cross; then
  # No -L: the multiarch arm64 glibc puts ld-linux-aarch64.so.1 and the libraries where the binary looks.
  launcher=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
fi
timing="$out/startup-timing.txt"
rm -f "$timing"
log "verifying $rid bootstrap${launcher:+ under ${launcher%% *}}"
PRESIGN_BOOTSTRAP="$stage/unzipped/bootstrap" \
  PRESIGN_BOOTSTRAP_LAUNCHER="$launcher" \
  PRESIGN_TIMING_FILE="$timing" \
  dotnet test "$TESTS" --filter "FullyQualifiedName~PublishedBootstrapTests" -nologo >&2
[[ -f $timing ]] && cat "$timing"
