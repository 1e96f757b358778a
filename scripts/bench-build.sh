#!/usr/bin/env bash
# Benchmark: `hoist build` of a large context against what reading and hashing it costs
# (`tar -c | sha256sum`) and against tar + gzip + sha256 (a layer is gzip-compressed).
# usage: scripts/bench-build.sh [SIZE_MIB] (default 1024). Not a test; prints timings.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
hoist=${HOIST_BIN:-target/release/hoist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ctx=$work/ctx
mkdir -p "$ctx/files"
# Half the bytes in 64 KiB files, half in 16 MiB files; random data (incompressible, like images).
small=$(( size_mib * 1024 / 2 / 64 ))
big=$(( size_mib / 2 / 16 ))
for i in $(seq 1 "$small"); do head -c 65536 /dev/urandom > "$ctx/files/s$i"; done
for i in $(seq 1 "$big"); do head -c $((16 << 20)) /dev/urandom > "$ctx/files/b$i"; done
printf 'FROM scratch\nCOPY . .\nCMD ["true"]\n' > "$ctx/Kubefile"
echo "context: $(du -sh "$ctx" | cut -f1), $(find "$ctx" -type f | wc -l) files; $(nproc) CPUs;$(uptime | sed 's/.*,  *load/ load/')"
sync
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
cat "$ctx"/files/* > /dev/null  # warm the page cache for every contender alike
a=$(t bash -c "tar -C '$ctx' -cf - . | sha256sum")
b=$(t bash -c "tar -C '$ctx' -cf - . | gzip -1 | sha256sum")
c=$(t "$hoist" build --root "$work/store" --save-image=false -t bench:v1 "$ctx")
echo "tar | sha256sum:          ${a}s"
echo "tar | gzip -1 | sha256sum: ${b}s"
echo "hoist build:              ${c}s  (ratio to tar|sha256sum: $(echo "scale=2; $c / $a" | bc))"
echo "after: $(uptime | sed 's/.*,  *load/load/')"
