#!/usr/bin/env python3
"""redis-benchmark figures for real Redis (A) and snapstream (B) side by side, as a ratio B/A:
the string commands (SET, GET, INCR, MSET) and the collection commands of issue 4 (LPUSH, RPOP,
LRANGE_100, HSET, SADD, SPOP, ZADD, ZPOPMIN).

Each repetition starts a fresh server of each kind on a free 127.0.0.1 port, runs one untimed
warm-up, then `redis-benchmark -t <tests> -n N -c 50 -r 100000 -P {1,16} --csv`, alternating which
server goes first. Servers are stopped by the pid this script started. Prints a table of medians
and the min-max of the per-repetition ratios.
"""
import argparse
import csv
import io
import statistics
import subprocess
import sys

from benchlib import Server

TESTS = "set,get,incr,mset,lpush,rpop,lrange_100,hset,sadd,spop,zadd,zpopmin"


def bench(port, tests, n, pipeline):
    out = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", tests, "-n", str(n), "-c", "50", "-r", "100000",
         "-P", str(pipeline), "--csv"], capture_output=True, text=True, timeout=600, check=True).stdout
    rows = {}
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 2 and row[0] != "test":
            name = row[0].split(" ")[0].lower()
            # The LRANGE tests run an extra "LPUSH (needed to benchmark LRANGE)": keep the first.
            rows.setdefault(name, float(row[1]))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="redis-server", help="binary of server A (real Redis)")
    ap.add_argument("--b", required=True, help="binary of server B (snapstream-server)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("--tests", default=TESTS, help="redis-benchmark -t list")
    ap.add_argument("--quick", action="store_true", help="reps 2, -n 50000")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.n = 2, 50000
    results = {}  # (pipeline, test, server) -> [rps], one per repetition
    for rep in range(args.reps):
        order = [("A", args.a), ("B", args.b)] if rep % 2 == 0 else [("B", args.b), ("A", args.a)]
        for pipeline in (1, 16):
            for label, binary in order:
                srv = Server([binary])
                try:
                    bench(srv.port, args.tests, min(args.n, 20000), pipeline)  # warm-up, untimed
                    for test, rps in bench(srv.port, args.tests, args.n, pipeline).items():
                        results.setdefault((pipeline, test, label), []).append(rps)
                finally:
                    srv.stop()
    print(f"\nredis-benchmark -c 50 -r 100000 -n {args.n}, {args.reps} reps, alternating order, "
          "medians (req/s)")
    print(f"{'test':<12}{'P':>4}{'A redis':>14}{'B snapstream':>14}{'B/A':>8}  paired B/A")
    for pipeline in (1, 16):
        for test in args.tests.split(","):
            a = results.get((pipeline, test, "A"))
            b = results.get((pipeline, test, "B"))
            if not a or not b or len(a) != len(b):
                print(f"{test:<12}{pipeline:>4}  missing")
                continue
            ma, mb = statistics.median(a), statistics.median(b)
            paired = [y / x for x, y in zip(a, b)]
            print(f"{test:<12}{pipeline:>4}{ma:>14.0f}{mb:>14.0f}{mb / ma:>8.2f}"
                  f"  {min(paired):.2f}-{max(paired):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
