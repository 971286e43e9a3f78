#!/usr/bin/env python3
"""Replication of real Redis (A) and snapstream (B) side by side (issue 7's benchmark): full sync
of the 1,000,000-key dataset of bench/rdb.py, replication lag under write load, and the primary's
throughput with replicas attached. Primary and replicas of a side are the same binary. Reports
per figure the medians of A and B and the ratio B/A, with rdb.py's result table, RESP client and
CPU ledger.

Every server runs with --save "" --appendonly no --repl-diskless-sync-delay 0 on a free 127.0.0.1
port in its own temp dir and is stopped by the pid this script started; a replica gets
--replicaof 127.0.0.1 <primary port> on its command line (repl-diskless-load stays at its
default, disabled: the replica stores the RDB it receives and loads it). Per repetition and
server (the order alternates: A,B then B,A ...):
  1. full sync  the dataset goes into a primary (--repl-diskless-sync yes) with `redis-cli --pipe`
                (load.pipe.seconds, informational; DBSIZE and TTL counts must match). Then a
                replica process is started, and from its spawn until (a) the replica's INFO
                replication shows master_link_status:up and (b) its slave_repl_offset equals the
                primary's master_repl_offset (both polled every 5 ms, deadline --sync-timeout);
                then DBSIZE of primary and replica must be equal in every db either uses.
                fork_usec = the primary's latest_fork_usec (INFO stats) after the sync. Done
                diskless (the primary's default), that replica is stopped, the primary switched
                with CONFIG SET repl-diskless-sync no and a second replica synced disk-based: the
                primary's dir must then hold dump.rdb (and must not after the diskless sync).
                transfer_s = from the first poll that sees the replica's
                master_sync_in_progress:1 (the primary answered +FULLRESYNC) until (a): without
                the process start and the handshake (no figure if the replica never shows it)
  2. lag        on that primary with the disk-synced replica attached: an untimed warm-up
                redis-benchmark, then `redis-benchmark -t set -P 16 -c 50 -r 1000000 -d 100 -n N`
                (N is set once, from the first warm-up, so that a run takes about --load-s
                seconds); while it runs, every 10 ms, the primary's INFO replication and then the
                replica's. ack lag = master_repl_offset - the replica's acked offset (`offset=`
                of the primary's slaveN line; Redis 7.0 replicas send REPLCONF ACK once a second,
                so this is mostly the traffic of that second); replica lag = the primary's
                master_repl_offset, interpolated between the samples before and after, minus the
                replica's slave_repl_offset. Samples count from the first one that sees the
                offset move until the benchmark exits. p50/p99/max in bytes. catchup_s = from the
                benchmark's exit until the offsets are equal (polled every 5 ms); then DBSIZE of
                primary and replica must be equal; the replica must still be online
  3. throughput on a fresh primary, prefilled with the 1,000,000 keys redis-benchmark -r 1000000
                uses (key:000000000000 ..., 100-byte values, so every measured SET overwrites):
                `redis-benchmark -t set -c 50 -r 1000000 -d 100` at -P 16 and at -P 1 with no
                replica (r0, the reference: this primary never had one), then two replicas are
                started and synced one after the other (offsets equal), and the same two runs
                again (r2). r2_vs_r0 = r2 / r0 requests/s: the cost of replication on that side.
                N per
                pipeline is set once from an untimed warm-up so that a run takes about --bench-s
                seconds. Afterwards both replicas' offsets must reach the primary's and their
                DBSIZE must equal its. On a 2-core host the replicas, the primary and
                redis-benchmark share the cores, so r2 includes the replicas' CPU
A step that fails on one server shows as ERR in its column and is listed under the table; the run
goes on (a failed sync skips what needs its replica). The CPU time others spend on the machine is
measured per server and rep; a cell whose reps include one with more than 0.3 cores of it gets a
"!". Results go to --out as repl-<mode>-<time>.json, .txt and .md.
"""
import argparse
import csv
import datetime
import io
import os
import subprocess
import sys
import tempfile
import time

import rdb
import aof
from benchlib import Server
from rdb import BUSY_CORES, SEED, Conn, RespError, StepError, log, parse_info, pct

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
KEYSPACE = 1_000_000  # redis-benchmark -r
VALUE_SIZE = 100  # redis-benchmark -d
SYNC_POLL_S = 0.005
LAG_POLL_S = 0.010

MODES = {
    "full": dict(keys=1_000_000, reps=3, load_s=3.0, bench_s=3.0),
    "quick": dict(keys=200_000, reps=2, load_s=1.0, bench_s=1.0),
}

G1D = "1a. full sync, diskless: replica spawn -> link up / offsets equal (poll 5 ms)"
G1F = "1b. full sync, disk-based (repl-diskless-sync no)"
G2 = "2. lag during redis-benchmark SET -P 16 -c 50 -d 100, 1 replica (sampled every 10 ms)"
G3 = "3. primary throughput, redis-benchmark SET -c 50 -r 1000000 -d 100"
# name, group, unit, want ("lo" lower / "hi" higher is better, "" informational), description
METRICS = [
    ("load.pipe.seconds", G1D, "s", "", "redis-cli --pipe of the dataset into the primary"),
]
for _kind, _g in (("diskless", G1D), ("disk", G1F)):
    METRICS += [
        (f"sync.{_kind}.link_up_s", _g, "s", "lo", "replica spawn -> master_link_status:up"),
        (f"sync.{_kind}.synced_s", _g, "s", "lo", "replica spawn -> slave_repl_offset = master's"),
        (f"sync.{_kind}.transfer_s", _g, "s", "lo", "master_sync_in_progress:1 -> link up"),
        (f"sync.{_kind}.fork_usec", _g, "us", "lo", "primary latest_fork_usec after the sync"),
    ]
METRICS += [
    ("lag.ack.p50_B", G2, "B", "lo", "master_repl_offset - acked offset (slaveN offset=)"),
    ("lag.ack.p99_B", G2, "B", "lo", ""),
    ("lag.ack.max_B", G2, "B", "lo", ""),
    ("lag.replica.p50_B", G2, "B", "lo", "master_repl_offset - replica's slave_repl_offset"),
    ("lag.replica.p99_B", G2, "B", "lo", ""),
    ("lag.catchup_s", G2, "s", "", "benchmark exit -> offsets equal (poll 5 ms)"),
    ("lag.bench_rps", G2, "req/s", "", "the benchmark's own rate"),
]
for _p in (16, 1):
    METRICS += [
        (f"tput.r0.P{_p}_rps", G3, "req/s", "hi", f"-P {_p}, no replica"),
        (f"tput.r2.P{_p}_rps", G3, "req/s", "hi", f"-P {_p}, two replicas attached"),
        (f"tput.P{_p}.r2_vs_r0", G3, "x", "hi", f"-P {_p}: r2 / r0 (cost of replication)"),
    ]
METRICS += [("tput.r2.sync_s", G3, "s", "", "first replica spawned -> second one's offset equal")]
HIDDEN = ["lag.replica.max_B", "lag.samples", "lag.master_offset_MB"]


def redis_benchmark(port, pipeline, n, wait=True):
    """`redis-benchmark -t set -c 50 -r 1000000 -d 100 -P <pipeline> -n <n> --csv`: requests/s,
    or with wait=False the running Popen (read its result with bench_result)."""
    argv = ["redis-benchmark", "-p", str(port), "-t", "set", "-c", "50", "-r", str(KEYSPACE),
            "-d", str(VALUE_SIZE), "-P", str(pipeline), "-n", str(n), "--csv"]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return bench_result(p) if wait else p


def bench_result(p, timeout=900):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise StepError(f"redis-benchmark did not end within {timeout} s")
    if p.returncode != 0:
        raise StepError(f"redis-benchmark exited with {p.returncode}: {(out + err)[-300:]}")
    for row in csv.reader(io.StringIO(out)):
        if len(row) >= 2 and row[0] == "SET":
            return float(row[1])
    raise StepError(f"no SET row in redis-benchmark's output: {(out + err)[-300:]}")


def write_prefill(path):
    """RESP SETs of the KEYSPACE keys redis-benchmark -r uses (key:%012d), VALUE_SIZE bytes each."""
    val = (b"v" * VALUE_SIZE)
    tail = b"\r\n$%d\r\n%s\r\n" % (VALUE_SIZE, val)
    with open(path, "wb", buffering=1 << 20) as f:
        for start in range(0, KEYSPACE, 10_000):
            f.write(b"".join(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d%s" % (i, tail)
                             for i in range(start, min(KEYSPACE, start + 10_000))))
    return KEYSPACE


def repl_info(conn):
    return parse_info(conn.call("INFO", "replication"))


def int_field(d, key, who):
    try:
        return int(d[key])
    except (KeyError, ValueError):
        raise StepError(f"{who} INFO replication has no integer '{key}' ({d.get(key)!r})") from None


def replica_line(d, port):
    """The primary's slaveN entry for the replica listening on `port` as a dict, or None."""
    for k, v in d.items():
        if k.startswith("slave") and k[5:].isdigit():
            f = dict(x.split("=", 1) for x in v.split(",") if "=" in x)
            if f.get("port") == str(port):
                return f
    return None


def db_sizes(conn):
    """{db: DBSIZE} for db 0, 1 and every db INFO keyspace lists."""
    ks = parse_info(conn.call("INFO", "keyspace"))
    dbs = {0, 1} | {int(k[2:]) for k in ks if k.startswith("db") and k[2:].isdigit()}
    out = {}
    for db in sorted(dbs):
        conn.call("SELECT", db)
        out[db] = conn.call("DBSIZE")
    conn.call("SELECT", 0)
    return out


class ReplBench(rdb.Bench):
    def __init__(self, args, ds, prefill):
        super().__init__(args, ds)
        self.res = rdb.Results(METRICS, HIDDEN)
        self.prefill = prefill  # (path, commands) of the throughput phase's keyspace
        self.bench_n = {}  # "lag" / "P16" / "P1" -> redis-benchmark -n, set by the first warm-up

    def start(self, label, sdir=None, wait=True, diskless="yes", replicaof=None):
        extra = ["--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0",
                 "--dbfilename", rdb.DBFILE]
        if replicaof is not None:
            extra += ["--replicaof", HOST, str(replicaof)]
        srv = Server([self.bins[label]], dir=sdir, extra=extra, wait=wait)
        self.live.append(srv)
        self.cpu.servers.append(srv)
        return srv

    # -------------------------------------------------------------- sync helpers
    def sync_replica(self, label, primary, what):
        """Spawns a replica of `primary`; returns (replica, seconds to link up, seconds to the
        first master_sync_in_progress:1 or None, seconds to equal offsets), all from the spawn."""
        rep_srv = self.start(label, wait=False, replicaof=primary.port)
        try:
            up, began, eq = self.wait_synced(primary, [rep_srv], what)
        except Exception:
            self.stop(rep_srv)
            raise
        return rep_srv, up[0], began[0], eq

    def wait_synced(self, primary, replicas, what, t0=None, timeout=None):
        """Polls (every 5 ms) each replica's INFO replication until master_link_status:up, then
        until every replica's slave_repl_offset equals the primary's master_repl_offset. Returns
        ([seconds to link up per replica], [seconds to the first master_sync_in_progress:1 seen
        per replica, or None], seconds to all offsets equal), from t0 (default: the first
        replica's spawn)."""
        t0 = replicas[0].t_spawn if t0 is None else t0
        timeout = self.a.sync_timeout if timeout is None else timeout
        conns, up, began = [None] * len(replicas), [None] * len(replicas), [None] * len(replicas)
        offs, wrong = [None] * len(replicas), [None] * len(replicas)
        d = {}
        try:
            with Conn(primary.port, timeout=60) as pc:
                for _ in range(100_000_000):
                    self.alive(primary, f"(primary) {what}")
                    if time.perf_counter() - t0 > timeout:
                        break
                    for i, r in enumerate(replicas):
                        self.alive(r, f"(replica) {what}")
                        try:
                            if conns[i] is None:
                                conns[i] = Conn(r.port, timeout=60, connect_timeout=0.5)
                            d = repl_info(conns[i])
                        except RespError:
                            continue  # e.g. -LOADING
                        except OSError:
                            if conns[i] is not None:
                                conns[i].close()
                                conns[i] = None
                            continue
                        if d.get("role") != "slave":
                            # Not a replica (yet?): an error once it has said so for 2 s.
                            wrong[i] = wrong[i] or time.perf_counter()
                            if time.perf_counter() - wrong[i] > 2.0:
                                raise StepError(f"the replica's INFO replication says role:{d.get('role')}")
                            continue
                        if began[i] is None and up[i] is None and d.get("master_sync_in_progress") == "1":
                            began[i] = time.perf_counter() - t0
                        if up[i] is None and d.get("master_link_status") == "up":
                            up[i] = time.perf_counter() - t0
                        offs[i] = int_field(d, "slave_repl_offset", "replica") if up[i] is not None else None
                    if all(u is not None for u in up):
                        m = int_field(repl_info(pc), "master_repl_offset", "primary")
                        if all(o == m for o in offs):
                            return up, began, time.perf_counter() - t0
                    time.sleep(SYNC_POLL_S)
                m = repl_info(pc).get("master_repl_offset")
        finally:
            for c in conns:
                if c is not None:
                    c.close()
        raise StepError(f"{what}: not synced within {timeout:.0f} s (link up after {up} s, replica "
                        f"offsets {offs}, primary master_repl_offset {m}; replica: "
                        f"master_link_status:{d.get('master_link_status')}, "
                        f"master_sync_in_progress:{d.get('master_sync_in_progress')})")

    def check_equal(self, primary, replicas, what):
        with Conn(primary.port, timeout=120) as pc:
            want = db_sizes(pc)
        for r in replicas:
            with Conn(r.port, timeout=120) as rc:
                got = db_sizes(rc)
            dbs = sorted(set(want) | set(got))
            if [want.get(db, 0) for db in dbs] != [got.get(db, 0) for db in dbs]:
                raise StepError(f"{what}: DBSIZE per db primary {want}, replica {got}")
        return want

    # -------------------------------------------------------------- 1. full sync
    def full_sync(self, label, rep, primary, kind):
        """Syncs a new replica (the primary is in mode `kind`); returns it, running."""
        tag = f"[{label} rep{rep}]"
        log(f"{tag} full sync, {kind}")
        dump = os.path.join(primary.dir, rdb.DBFILE)
        with Conn(primary.port) as c:
            want = "yes" if kind == "diskless" else "no"
            if kind == "disk":
                c.call("CONFIG", "SET", "repl-diskless-sync", want)
            got = c.call("CONFIG", "GET", "repl-diskless-sync")
            if not (isinstance(got, list) and len(got) == 2 and rdb.as_text(got[1]) == want):
                raise StepError(f"CONFIG GET repl-diskless-sync = {got!r}, want {want}")
        if os.path.exists(dump):
            os.unlink(dump)
        r, up, began, eq = self.sync_replica(label, primary, f"full sync ({kind})")
        try:
            with Conn(primary.port) as c:
                fork_us = parse_info(c.call("INFO", "stats")).get("latest_fork_usec")
            sizes = self.check_equal(primary, [r], f"after the {kind} sync")
        except Exception:
            self.stop(r)
            raise
        R = self.res
        R.add(label, rep, f"sync.{kind}.link_up_s", up)
        R.add(label, rep, f"sync.{kind}.synced_s", eq)
        if fork_us is not None and fork_us.isdigit():
            R.add(label, rep, f"sync.{kind}.fork_usec", int(fork_us))
        else:
            R.err(label, rep, f"sync {kind}", f"INFO stats latest_fork_usec:{fork_us}")
        if began is not None:
            R.add(label, rep, f"sync.{kind}.transfer_s", up - began)
        log(f"{tag} {kind}: link up {up:.3f} s, offsets equal {eq:.3f} s, fork {fork_us} us, "
            f"DBSIZE {sizes}")
        if kind == "disk" and not os.path.exists(dump):
            R.err(label, rep, f"sync {kind}", f"no {rdb.DBFILE} in the primary's dir after a "
                                              f"disk-based sync")
        if kind == "diskless" and os.path.exists(dump):
            R.err(label, rep, f"sync {kind}", f"the primary wrote {rdb.DBFILE} in a diskless sync")
        return r

    # -------------------------------------------------------------- 2. lag
    def lag(self, label, rep, primary, replica):
        tag = f"[{label} rep{rep}]"
        warm_n = 100_000 if self.a.quick else 300_000
        warm = redis_benchmark(primary.port, 16, warm_n)
        if "lag" not in self.bench_n:
            self.bench_n["lag"] = max(50_000, int(warm * self.a.load_s / 1000) * 1000)
            log(f"{tag} lag: warm-up {warm:,.0f} req/s -> -n {self.bench_n['lag']:,} for every run")
        self.wait_synced(primary, [replica], "after the lag warm-up", t0=time.perf_counter(),
                         timeout=120)
        n = self.bench_n["lag"]
        log(f"{tag} lag: redis-benchmark -P 16 -n {n:,}, sampling every {LAG_POLL_S * 1000:g} ms")
        samples = []  # (master_repl_offset, acked offset, replica's slave_repl_offset)
        with Conn(primary.port, timeout=60) as pc, Conn(replica.port, timeout=60) as rc:
            m0 = int_field(repl_info(pc), "master_repl_offset", "primary")
            p = redis_benchmark(primary.port, 16, n, wait=False)
            try:
                for _ in range(100_000_000):
                    t = time.perf_counter()
                    if p.poll() is not None:
                        break
                    d = repl_info(pc)
                    line = replica_line(d, replica.port)
                    if line is None or line.get("state") != "online":
                        raise StepError(f"the replica is not online on the primary during the load: {line}")
                    m = int_field(d, "master_repl_offset", "primary")
                    a = int_field(line, "offset", "primary's replica line:")
                    r = int_field(repl_info(rc), "slave_repl_offset", "replica")
                    samples.append((m, a, r))
                    time.sleep(max(0.0, LAG_POLL_S - (time.perf_counter() - t)))
                rps = bench_result(p)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
        t_end = time.perf_counter()
        _, _, catchup = self.wait_synced(primary, [replica], "after the lag benchmark", t0=t_end,
                                      timeout=300)
        sizes = self.check_equal(primary, [replica], "after the lag benchmark")
        with Conn(primary.port) as pc:
            line = replica_line(repl_info(pc), replica.port)
        if line is None or line.get("state") != "online":
            raise StepError(f"after the lag benchmark the primary lists the replica as {line}")
        first = next((i for i, s in enumerate(samples) if s[0] > m0), None)
        if first is None:
            raise StepError(f"no sample saw master_repl_offset move ({len(samples)} samples)")
        s = samples[first:]
        ack = sorted(m - a for m, a, _ in s)
        # The replica's INFO is read between two of the primary's: interpolate its offset.
        rl = sorted((s[i][0] + s[i + 1][0]) / 2 - s[i][2] for i in range(len(s) - 1)) or [s[0][0] - s[0][2]]
        R = self.res
        for name, v in (("p50", 50), ("p99", 99)):
            R.add(label, rep, f"lag.ack.{name}_B", pct(ack, v))
            R.add(label, rep, f"lag.replica.{name}_B", pct(rl, v))
        R.add(label, rep, "lag.ack.max_B", ack[-1])
        R.add(label, rep, "lag.replica.max_B", rl[-1])
        R.add(label, rep, "lag.catchup_s", catchup)
        R.add(label, rep, "lag.bench_rps", rps)
        R.add(label, rep, "lag.samples", len(s))
        R.add(label, rep, "lag.master_offset_MB", (s[-1][0] - m0) / 1e6)
        log(f"{tag} lag: {rps:,.0f} req/s, {len(s)} samples, ack lag p50 {pct(ack, 50):,} B, "
            f"replica lag p50 {pct(rl, 50):,.0f} B p99 {pct(rl, 99):,.0f} B, catch-up "
            f"{catchup:.3f} s, DBSIZE {sizes}")

    # -------------------------------------------------------------- 3. throughput
    def throughput(self, label, rep):
        tag = f"[{label} rep{rep}]"
        R = self.res
        primary = self.start(label)
        replicas = []
        try:
            path, commands = self.prefill
            log(f"{tag} throughput: prefilling {commands:,} keys")
            with open(path, "rb") as f:
                p = subprocess.run(["redis-cli", "-p", str(primary.port), "--pipe"], stdin=f,
                                   capture_output=True, text=True, timeout=1800)
            if p.returncode != 0 or f"errors: 0, replies: {commands}" not in p.stdout:
                raise StepError(f"redis-cli --pipe (prefill): {(p.stdout + p.stderr)[-300:]}")
            warm = {16: 200_000 if self.a.quick else 500_000, 1: 20_000 if self.a.quick else 50_000}
            for pl in (16, 1):
                w = redis_benchmark(primary.port, pl, warm[pl])
                if f"P{pl}" not in self.bench_n:
                    self.bench_n[f"P{pl}"] = max(10_000, int(w * self.a.bench_s / 1000) * 1000)
                    log(f"{tag} -P {pl}: warm-up {w:,.0f} req/s -> -n {self.bench_n[f'P{pl}']:,} "
                        f"for every run")
            for nrep in (0, 2):
                if nrep:
                    log(f"{tag} throughput: starting two replicas, one after the other")
                    t0 = time.perf_counter()
                    for k in range(2):
                        replicas.append(self.start(label, wait=False, replicaof=primary.port))
                        self.wait_synced(primary, replicas[-1:], f"syncing replica {k + 1} of 2")
                    _, _, eq = self.wait_synced(primary, replicas, "two replicas", t0=t0)
                    R.add(label, rep, "tput.r2.sync_s", eq)
                for pl in (16, 1):
                    n = self.bench_n[f"P{pl}"]
                    rps = redis_benchmark(primary.port, pl, n)
                    self.alive(primary, "after redis-benchmark")
                    R.add(label, rep, f"tput.r{nrep}.P{pl}_rps", rps)
                    log(f"{tag} {nrep} replicas, -P {pl} -n {n:,}: {rps:,.0f} req/s")
            for pl in (16, 1):
                a = R.vals.get((f"tput.r0.P{pl}_rps", label), {}).get(rep)
                b = R.vals.get((f"tput.r2.P{pl}_rps", label), {}).get(rep)
                if a and b:
                    R.add(label, rep, f"tput.P{pl}.r2_vs_r0", b / a)
            self.wait_synced(primary, replicas, "after the throughput runs", t0=time.perf_counter(),
                             timeout=300)
            self.check_equal(primary, replicas, "after the throughput runs")
        finally:
            for s in replicas + [primary]:
                self.stop(s)

    # -------------------------------------------------------------- one side of a rep
    def prepare(self, label, rep):
        R = self.res
        tag = f"[{label} rep{rep}]"
        try:
            primary = self.start(label)
        except RuntimeError as e:
            R.err(label, rep, "start", e)
            return
        replica = None
        try:
            def load():
                log(f"{tag} loading {self.ds.n:,} keys with redis-cli --pipe into the primary")
                R.add(label, rep, "load.pipe.seconds", self.pipe_load(primary))
                note = self.check_counts(primary, "after the pipe load")
                if note:
                    R.err(label, rep, "load", note)
            if self.step(label, rep, "load", load):
                box = {}

                def sync(kind):
                    if box.get("r") is not None:
                        self.stop(box.pop("r"))
                    box["r"] = self.full_sync(label, rep, primary, kind)
                self.step(label, rep, "sync diskless", lambda: sync("diskless"))
                if self.step(label, rep, "sync disk", lambda: sync("disk")):
                    replica = box.get("r")
                    self.step(label, rep, "lag", lambda: self.lag(label, rep, primary, replica))
                else:
                    R.err(label, rep, "lag", "skipped: no replica synced disk-based")
                    if box.get("r") is not None:
                        self.stop(box.pop("r"))
        finally:
            if replica is not None:
                self.stop(replica)
            self.stop(primary)
        self.step(label, rep, "throughput", lambda: self.throughput(label, rep))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    rdb.add_server_args(ap)
    ap.add_argument("--quick", action="store_true", help="200,000 keys, 2 reps, 1 s benchmark runs")
    ap.add_argument("--reps", type=int, help="repetitions (default 3; --quick 2)")
    ap.add_argument("--keys", type=int, help="keys in the dataset (default 1,000,000; --quick 200,000)")
    ap.add_argument("--load-s", type=float,
                    help="target seconds of the redis-benchmark run of the lag test (default 3; --quick 1)")
    ap.add_argument("--bench-s", type=float,
                    help="target seconds per throughput run (default 3; --quick 1)")
    ap.add_argument("--sync-timeout", type=float, default=600.0,
                    help="seconds a full sync may take (default 600)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="where the .json, .txt and .md go")
    args = ap.parse_args()
    mode, names = rdb.finish_args(args, MODES)

    started = datetime.datetime.now()
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="ssrepl-data-") as tmp:
        log(f"generating the dataset ({args.keys:,} keys) and the throughput prefill")
        t0 = time.perf_counter()
        ds = rdb.Dataset(os.path.join(tmp, "dataset.resp"), args.keys, args.seed)
        prefill = os.path.join(tmp, "prefill.resp")
        prefill = (prefill, write_prefill(prefill))
        log(f"generated in {time.perf_counter() - t0:.1f}s")
        print(ds.describe(), flush=True)
        bench = ReplBench(args, ds, prefill)
        try:
            for rep in range(args.reps):
                order = ("A", "B") if rep % 2 == 0 else ("B", "A")
                try:
                    for label in order:
                        m0 = bench.cpu.mark()
                        bench.prepare(label, rep)
                        other = bench.cpu.other_cores(m0)
                        bench.res.other_cores[(label, rep)] = other
                        log(f"[{label} rep{rep}] other CPU load meanwhile {other:.2f} cores")
                finally:
                    bench.stop_all()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bench.stop_all()
    elapsed = (datetime.datetime.now() - started).total_seconds()
    summary = bench.res.summary()
    head = rdb.table_head("Replication", args, names, elapsed, bench.bench_n)
    text = "\n" + head + "\n" + rdb.render(summary, names) + "\n"
    tail = rdb.report_tail(bench.res, summary, interrupted)
    text += tail
    print(text)
    return aof.write_results("repl", args, mode, names, ds, bench, summary, started, elapsed,
                             interrupted, head, text, tail, load_s=args.load_s,
                             bench_s=args.bench_s, bench_n=bench.bench_n,
                             sync_timeout=args.sync_timeout)


if __name__ == "__main__":
    sys.exit(main())
