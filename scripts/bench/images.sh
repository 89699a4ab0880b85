#!/usr/bin/env bash
# Benchmark of the image function's processing step: for each photo (a 12 MP and a 48 MP phone JPEG, a
# 5 MP PNG, a 4 MP WebP, generated with libvips), the milliseconds to decode, orient, resize and encode
# its whole rendition set, and the peak resident memory of a process that does it, on ONE core
# (taskset -c ${FC_BENCH_CPU:-0}), the share a 1,769 MB Lambda gets. No services needed.
#
#   bash scripts/bench/images.sh [REPEAT]     # default 10 runs per photo after one warm-up
#
# Prints a Markdown table for docs/benchmarks.md. HEIC is not measured: it is not accepted (docs/images.md).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
repeat="${1:-10}"
cpu="${FC_BENCH_CPU:-0}"
out="${FC_BENCH_IMAGES_DIR:-/tmp/fc-bench-images}"

log() { printf '[bench images %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

command -v taskset >/dev/null || { log "taskset (util-linux) is needed"; exit 1; }
log "building scripts/bench/ImagesBench (Release)"
dotnet build "$BENCH_DIR/ImagesBench" -c Release -o "$out/bin" -nologo -v q >&2
log "generating photos in $out/photos"
dotnet "$out/bin/ImagesBench.dll" generate "$out/photos" >&2

printf '| photo | upload | upright size | ms per set (median) | min | max | peak RSS | renditions |\n'
printf '|---|---:|---|---:|---:|---:|---:|---|\n'
for photo in phone-12mp.jpg phone-48mp.jpg export-5mp.png web-4mp.webp; do
  log "processing $photo $repeat times on cpu $cpu"
  IFS=$'\t' read -r name bytes size median min max peak output sizes < <(
    taskset -c "$cpu" dotnet "$out/bin/ImagesBench.dll" process "$out/photos/$photo" "$repeat")
  printf '| %s | %s | %s | %s | %s | %s | %s MiB | %s (%s KiB in all) |\n' \
    "$name" "$(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')" "$size" "$median" "$min" "$max" "$peak" \
    "$sizes" "$((output / 1024))"
done
log "cores: $(nproc), cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%FT%TZ), commit $(git -C "$REPO_ROOT" rev-parse --short HEAD)"
