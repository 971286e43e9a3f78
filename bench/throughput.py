#!/usr/bin/env python3
"""redis-benchmark figures for real Redis (A) and snapstream (B) side by side, as a ratio B/A:
the string commands (SET, GET, INCR, MSET) and the collection commands of issue 4 (LPUSH, RPOP,
LRANGE_100, HSET, SADD, SPOP, ZADD, ZPOPMIN).

Each repetition starts a fresh server of each kind on a free 127.0.0.1 port, runs one untimed
warm-up, then one `redis-benchmark -t <test> -n N -c 50 -r 100000 -P {1,16} --csv` per test, in
redis-benchmark's own order (so RPOP, SPOP and ZPOPMIN pop what LPUSH, SADD and ZADD added, as in
a single `-t` run), alternating which server goes first. Besides requests per second it records
the server's CPU time (user + system, /proc/<pid>/stat) per request of each run: at -P 1 the
throughput of both servers is bound by the kernel and the client and varies by +-10% between
identical runs, while CPU per request shows what the server itself spends (for LRANGE_100 it
includes redis-benchmark's LPUSH prefill of the list). Servers are stopped by the pid this script
started. Prints medians and the min-max of the per-repetition ratios.
"""
import argparse
import csv
import io
import statistics
import subprocess
import sys

from benchlib import Server, cpu_seconds

# redis-benchmark's own order of these tests.
TESTS = "set,get,incr,lpush,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset"


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


def bench_one(srv, test, n, pipeline):
    """(requests/s, server CPU microseconds per request) of one redis-benchmark run of `test`."""
    cpu0 = cpu_seconds(srv.proc.pid)
    rps = bench(srv.port, test, n, pipeline)[test]
    return rps, (cpu_seconds(srv.proc.pid) - cpu0) * 1e6 / n


def ratio_cells(a, b):
    ma, mb = statistics.median(a), statistics.median(b)
    paired = [y / x for x, y in zip(a, b)]
    return ma, mb, mb / ma, f"{min(paired):.2f}-{max(paired):.2f}"


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
    rps = {}  # (pipeline, test, server) -> [req/s], one per repetition
    cpu = {}  # (pipeline, test, server) -> [server CPU us per request]
    tests = args.tests.split(",")
    for rep in range(args.reps):
        order = [("A", args.a), ("B", args.b)] if rep % 2 == 0 else [("B", args.b), ("A", args.a)]
        for pipeline in (1, 16):
            for label, binary in order:
                srv = Server([binary])
                try:
                    bench(srv.port, args.tests, min(args.n, 20000), pipeline)  # warm-up, untimed
                    for test in tests:
                        r, c = bench_one(srv, test, args.n, pipeline)
                        rps.setdefault((pipeline, test, label), []).append(r)
                        cpu.setdefault((pipeline, test, label), []).append(c)
                finally:
                    srv.stop()
    print(f"\nredis-benchmark -c 50 -r 100000 -n {args.n}, one run per test, {args.reps} reps, "
          "alternating order; medians; B/A of req/s (higher is better) and of server CPU us per "
          "request (lower is better); paired = min-max of the per-repetition ratios")
    print(f"{'test':<11}{'P':>3}{'A req/s':>11}{'B req/s':>11}{'B/A':>6}{'paired':>11}"
          f"{'A cpu':>8}{'B cpu':>8}{'B/A':>6}{'paired':>11}")
    for pipeline in (1, 16):
        for test in tests:
            key_a, key_b = (pipeline, test, "A"), (pipeline, test, "B")
            if len(rps.get(key_a, [])) != args.reps or len(rps.get(key_b, [])) != args.reps:
                print(f"{test:<11}{pipeline:>3}  missing")
                continue
            ra, rb, rr, rp = ratio_cells(rps[key_a], rps[key_b])
            ca, cb, cr, cp = ratio_cells(cpu[key_a], cpu[key_b])
            print(f"{test:<11}{pipeline:>3}{ra:>11.0f}{rb:>11.0f}{rr:>6.2f}{rp:>11}"
                  f"{ca:>8.2f}{cb:>8.2f}{cr:>6.2f}{cp:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
