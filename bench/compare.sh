#!/usr/bin/env bash
# Side-by-side benchmark of real Redis (A) and snapstream (B) on this machine, in one run:
#   1. the shared harness (../shared/bench/compare.py): throughput, dataset load/RSS, ...
#   2. bench/throughput.py: redis-benchmark commands the harness does not run (MSET, ...)
# Usage: bench/compare.sh [--quick] [other compare.py options, e.g. --only throughput,load]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SNAPSTREAM_BIN:-$here/build/snapstream-server}"
harness="${SNAPSTREAM_BENCH_HARNESS:-$here/../shared/bench/compare.py}"
[ -x "$bin" ] || bash "$here/tools/dev.sh" build
out="$here/bench/results"
mkdir -p "$out"

python3 "$harness" \
    --a 'redis-server --port {port} --dir {dir} --save "" --appendonly no --repl-diskless-sync-delay 0' \
    --a-name redis \
    --b "$bin --port {port} --dir {dir} --save \"\" --appendonly no" --b-name snapstream \
    --out "$out" "$@" || echo "(compare.py exited with $?: see the errors under its table)"

quick=""
for a in "$@"; do [ "$a" = "--quick" ] && quick="--quick"; done
python3 "$here/bench/throughput.py" --b "$bin" $quick
