#!/usr/bin/env bash
# Publishes the image function as Native AOT and zips it the way Lambda's provided.al2023 runtime
# takes it: the executable named `bootstrap` at the root of the zip, with libvips (libvips.so.42,
# from NetVips.Native.<rid>, one self-contained library) beside it, where the binary loads it from.
#
#   scripts/package-images.sh [linux-arm64|linux-x64] [--verify]
#
# linux-arm64 (the default) is what the function runs on (Graviton); linux-x64 is for local runs.
# --verify then unzips the package and runs its bootstrap (under qemu-aarch64 for arm64 on an x64
# machine) against the Runtime API emulator, on a bucket of its own on the S3 endpoint in the
# environment: the test project's PublishedBootstrapTests hand it an SQS batch with a 12 MP phone
# JPEG's S3 event, a broken event and a redelivery. It needs eval "$(bash scripts/services.sh up)".
#
# Prints the zip's path and size on stdout; everything else goes to stderr.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly PROJECT="$REPO_ROOT/src/FoodCommunity.Images.Lambda"
readonly AARCH64_SYSROOT=/usr/aarch64-linux-gnu

log() { printf '[package-images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

rid=linux-arm64
verify=false
for arg in "$@"; do
  case "$arg" in
    linux-arm64 | linux-x64) rid=$arg ;;
    --verify) verify=true ;;
    -h | --help) sed -n '2,14p' "$0" >&2; exit 0 ;;
    *) die "unknown argument '$arg' (use linux-arm64, linux-x64, --verify)" ;;
  esac
done

host_arch=$(uname -m)
cross=false
[[ $rid == linux-arm64 && $host_arch != aarch64 ]] && cross=true

# The same toolchain as scripts/package-presign.sh: clang for Native AOT, the aarch64 binutils,
# libgcc and glibc for cross-linking, and qemu plus arm64 glibc/OpenSSL to run the result here.
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

out="$REPO_ROOT/artifacts/images/$rid"
publish="$out/publish"
zip_path="$out/images-$rid.zip"
rm -rf "$publish" "$zip_path"
mkdir -p "$out"

log "publishing Native AOT for $rid"
dotnet publish "$PROJECT" -c Release -r "$rid" -o "$publish" -nologo >&2

binary="$publish/FoodCommunity.Images.Lambda"
[[ -x $binary ]] || die "publish produced no $binary"
[[ -f $publish/libvips.so.42 ]] || die "publish produced no libvips.so.42 (NetVips.Native.$rid)"

# The executable, renamed, and libvips: no .dbg symbols, no XML docs.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/bootstrap"
cp "$publish/libvips.so.42" "$stage/"
chmod 755 "$stage/bootstrap"
(cd "$stage" && zip -q -X "$zip_path" bootstrap libvips.so.42)

size=$(stat -c %s "$zip_path")
printf '%s %s bytes (%s MiB)\n' "$zip_path" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')"

$verify || exit 0

[[ -n ${Storage__ServiceUrl:-} ]] || die "--verify needs an S3 endpoint: eval \"\$(bash scripts/services.sh up)\""
unzip -q -o "$zip_path" -d "$stage/unzipped"
launcher=""
if $cross; then
  launcher=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
fi
log "verifying $rid bootstrap${launcher:+ under ${launcher##*/}}"
IMAGES_BOOTSTRAP="$stage/unzipped/bootstrap" \
  IMAGES_BOOTSTRAP_LAUNCHER="$launcher" \
  dotnet test "$REPO_ROOT/tests/FoodCommunity.Images.Lambda.Tests" --filter "FullyQualifiedName~PublishedBootstrapTests" -nologo >&2
