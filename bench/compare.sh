#!/usr/bin/env bash
# Side-by-side benchmark of real Redis (A) and snapstream (B) on this machine, in one run:
#   1. the shared harness (../shared/bench/compare.py): throughput, dataset load/RSS, ...
#   2. bench/throughput.py: redis-benchmark at -P 1 and -P 16 for the string and collection
#      commands (MSET, LRANGE_100, SPOP, ZPOPMIN, ... which the harness does not run)
#   3. bench/memory.py: memory of collection datasets (100k small hashes, a 1M-member zset, ...)
#   4. bench/rdb.py: SAVE, BGSAVE (wall time, fork), RDB size, restart from the RDB and SET latency
#      during BGSAVE on 1M keys of mixed types
#   5. bench/aof.py: AOF: the disk's raw fsync rate, redis-benchmark SET/INCR/LPUSH with
#      appendfsync always and everysec, BGREWRITEAOF wall time (RDB preamble and commands), AOF
#      load time (INCR only, RDB-preamble BASE, command BASE) and SET latency during BGREWRITEAOF
#      on the same 1M keys
#   6. bench/replication.py: replication: full sync of the same 1M keys to a replica (diskless and
#      disk-based; spawn -> link up / offsets equal), replication lag in bytes during
#      redis-benchmark SET -P 16, primary SET throughput at -P 16 and -P 1 with 0 and 2 replicas
# SNAPSTREAM_BENCH_STEPS (default "harness,throughput,memory,rdb,aof,repl") picks which of the six run.
# Usage: bench/compare.sh [--quick] [other compare.py options, e.g. --only throughput,load]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${SNAPSTREAM_BIN:-$here/build/snapstream-server}"
harness="${SNAPSTREAM_BENCH_HARNESS:-$here/../shared/bench/compare.py}"
[ -x "$bin" ] || bash "$here/tools/dev.sh" build
out="$here/bench/results"
mkdir -p "$out"

steps="${SNAPSTREAM_BENCH_STEPS:-harness,throughput,memory,rdb,aof,repl}"
want() { [[ ",$steps," == *",$1,"* ]]; }

if want harness; then
  python3 "$harness" \
    --a 'redis-server --port {port} --dir {dir} --save "" --appendonly no --repl-diskless-sync-delay 0' \
    --a-name redis \
    --b "$bin --port {port} --dir {dir} --save \"\" --appendonly no --repl-diskless-sync-delay 0" --b-name snapstream \
    --out "$out" "$@" || echo "(compare.py exited with $?: see the errors under its table)"
fi

quick=""
for a in "$@"; do [ "$a" = "--quick" ] && quick="--quick"; done
if want throughput; then python3 "$here/bench/throughput.py" --b "$bin" $quick; fi
reps=2
if [ -n "$quick" ]; then reps=1; fi
if want memory; then python3 "$here/bench/memory.py" --b "$bin" --reps $reps; fi
if want rdb; then python3 "$here/bench/rdb.py" --b "$bin" --out "$out" $quick; fi
if want aof; then python3 "$here/bench/aof.py" --b "$bin" --out "$out" $quick; fi
if want repl; then python3 "$here/bench/replication.py" --b "$bin" --out "$out" $quick; fi
