#!/usr/bin/env python3
"""redis-benchmark figures the shared harness does not take (MSET, and SET/GET/INCR again for
context), for real Redis (A) and snapstream (B) side by side, as a ratio B/A.

Each repetition starts a fresh server of each kind on a free 127.0.0.1 port, runs one untimed
warm-up, then `redis-benchmark -t <tests> -n N -c 50 -r 100000 -P {1,16} --csv`, alternating which
server goes first. Servers are stopped by the pid this script started. Prints a table of medians.
"""
import argparse
import csv
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TESTS = "set,get,incr,mset"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, deadline_s=20.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("server did not answer PING in time")


class Server:
    def __init__(self, argv_prefix):
        self.dir = tempfile.mkdtemp(prefix="ssbench-")
        self.port = free_port()
        argv = argv_prefix + ["--port", str(self.port), "--dir", self.dir, "--save", "",
                              "--appendonly", "no", "--bind", "127.0.0.1"]
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        wait_ready(self.port, self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def bench(port, n, pipeline):
    out = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", TESTS, "-n", str(n), "-c", "50", "-r", "100000",
         "-P", str(pipeline), "--csv"], capture_output=True, text=True, timeout=600, check=True).stdout
    rows = {}
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 2 and row[0] != "test":
            name = row[0].split(" ")[0].lower()
            rows[name] = float(row[1])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="redis-server", help="binary of server A (real Redis)")
    ap.add_argument("--b", required=True, help="binary of server B (snapstream-server)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("--quick", action="store_true", help="reps 2, -n 50000")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.n = 2, 50000
    results = {}  # (pipeline, test, server) -> [rps]
    for rep in range(args.reps):
        order = [("A", args.a), ("B", args.b)] if rep % 2 == 0 else [("B", args.b), ("A", args.a)]
        for pipeline in (1, 16):
            for label, binary in order:
                srv = Server([binary])
                try:
                    bench(srv.port, min(args.n, 20000), pipeline)  # warm-up, untimed
                    for test, rps in bench(srv.port, args.n, pipeline).items():
                        results.setdefault((pipeline, test, label), []).append(rps)
                finally:
                    srv.stop()
    print(f"\nredis-benchmark -c 50 -r 100000 -n {args.n}, {args.reps} reps, medians (req/s)")
    print(f"{'test':<12}{'P':>4}{'A redis':>14}{'B snapstream':>14}{'B/A':>8}")
    for pipeline in (1, 16):
        for test in TESTS.split(","):
            a = results.get((pipeline, test, "A"))
            b = results.get((pipeline, test, "B"))
            if not a or not b:
                print(f"{test:<12}{pipeline:>4}  missing")
                continue
            ma, mb = statistics.median(a), statistics.median(b)
            print(f"{test:<12}{pipeline:>4}{ma:>14.0f}{mb:>14.0f}{mb / ma:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
