#!/usr/bin/env python3
"""AOF persistence of real Redis (A) and snapstream (B) side by side (issue 6's benchmark).
Reports per figure the medians of A and B and the ratio B/A, like bench/rdb.py, whose dataset
(1,000,000 keys of mixed types over dbs 0 and 1, fixed seed), RESP client, result table, CPU
ledger and latency test it reuses.

Every server runs with --appendonly yes --appenddirname appendonlydir
--auto-aof-rewrite-percentage 0 (no automatic rewrite interferes) --save "" on a free 127.0.0.1
port, in a temp dir, and is stopped by the pid this script started. Per repetition and server
(the order alternates: A,B then B,A ...):
  1. disk       the raw rate of this disk in the server's (still empty) dir: 100-byte appends,
                each followed by os.fdatasync, for --raw-s seconds (appends/s); then the same with
                os.fsync. Not a server figure: its B/A shows how much the disk drifted between
                the two runs
  2. bench      on a fresh server per policy: `redis-benchmark -t set,incr,lpush -c 50 -P 1
                -r 100000 -n N` with appendfsync always, then everysec (requests/s), after one
                untimed warm-up run; N is set once, from the first warm-up, so that a run takes
                about --bench-s seconds per test (at the warm-up's fastest rate); afterwards
                aof_enabled must be 1 and the INCR files must have grown by the requests.
                always_vs_raw_fsync = SET requests/s with `always` / the raw fdatasync rate of
                figure 1 (writes per fsync the server manages by grouping the clients' writes)
  3. rewrite    the dataset goes in with `redis-cli --pipe` into a server started on an empty dir
                (empty BASE + INCR, appendfsync everysec), so that all of it is in the INCR file;
                restarted on it (figure 4a), then BGREWRITEAOF with aof-use-rdb-preamble yes;
                restarted with aof-use-rdb-preamble no (figure 4b), BGREWRITEAOF again: from
                sending it until INFO persistence aof_rewrite_in_progress:0 and
                aof_rewrite_scheduled:0 (polled every 10 ms), and aof_last_rewrite_time_sec
                (whole seconds, the server's own figure); aof_last_bgrewrite_status must be ok;
                the manifest's BASE must be an RDB (REDIS...) resp. commands (*...); its size
  4. AOF load   time from spawning the server on the AOF dir until PING answers PONG, INFO
                persistence loading:0 and DBSIZE of db 0 and db 1 equal the dataset (polled
                every 2 ms): (a) the data only in the INCR file (replay of the pipe's commands),
                (b) an RDB-preamble BASE, (c) a command BASE
  5. latency    SET of a 100-byte value to random string keys, one client, appendfsync everysec,
                on the servers restarted from the command BASE (aof-use-rdb-preamble yes again):
                idle, and while BGREWRITEAOFs run back to back; p50, p99, p99.9 in ms; A and B
                interleaved so that both see the same background load (as rdb.py does for BGSAVE)
A step that fails on one server shows as ERR in its column and is listed under the table; the run
goes on. The CPU time others spend on the machine is measured per server and rep (figures 1-4)
and per rep (figure 5); a cell whose reps include one with more than 0.3 cores of it gets a "!".
Results go to --out as aof-<mode>-<time>.json, .txt and .md.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import rdb
from benchlib import Server
from rdb import BUSY_CORES, SEED, Conn, RespError, StepError, as_text, info_field, log, parse_info
from throughput import bench as redis_benchmark

HERE = os.path.dirname(os.path.abspath(__file__))
AOF_DIR = "appendonlydir"
BENCH_TESTS = ("set", "incr", "lpush")
POLICIES = ("always", "everysec")

MODES = {
    "full": dict(keys=1_000_000, reps=3, raw_s=3.0, bench_s=3.0, lat_idle_s=3.0, lat_rewrite_s=4.0),
    "quick": dict(keys=200_000, reps=2, raw_s=1.5, bench_s=1.0, lat_idle_s=1.0, lat_rewrite_s=2.0),
}

G1 = "1. disk: raw rate of 100-byte appends + sync"
G2A = "2. redis-benchmark -c 50 -P 1, appendfsync always"
G2E = "2. redis-benchmark -c 50 -P 1, appendfsync everysec"
G3 = "3. BGREWRITEAOF"
G4 = "4. AOF load: spawn -> PONG, loading:0, DBSIZE equal (poll 2 ms)"
G5 = "5. SET latency, 1 client, appendfsync everysec"
# name, group, unit, want ("lo" lower / "hi" higher is better, "" informational), description
METRICS = [
    ("disk.fdatasync_per_s", G1, "1/s", "", "os.write + os.fdatasync"),
    ("disk.fsync_per_s", G1, "1/s", "", "os.write + os.fsync"),
] + [(f"always.{t}_rps", G2A, "req/s", "hi", "") for t in BENCH_TESTS] + [
    ("always_vs_raw_fsync", G2A, "x", "hi", "SET req/s / raw fdatasync/s"),
] + [(f"everysec.{t}_rps", G2E, "req/s", "hi", "") for t in BENCH_TESTS] + [
    ("rewrite.rdb.seconds", G3, "s", "lo", "preamble yes: sent -> in_progress:0 and scheduled:0"),
    ("rewrite.rdb.time_sec", G3, "s", "", "preamble yes: aof_last_rewrite_time_sec"),
    ("rewrite.rdb.fork_usec", G3, "us", "lo", "preamble yes: latest_fork_usec"),
    ("rewrite.rdb.base_MB", G3, "MB", "lo", "preamble yes: BASE file"),
    ("rewrite.cmd.seconds", G3, "s", "lo", "preamble no: sent -> in_progress:0 and scheduled:0"),
    ("rewrite.cmd.time_sec", G3, "s", "", "preamble no: aof_last_rewrite_time_sec"),
    ("rewrite.cmd.fork_usec", G3, "us", "lo", "preamble no: latest_fork_usec"),
    ("rewrite.cmd.base_MB", G3, "MB", "lo", "preamble no: BASE file"),
    ("aofload.incr.seconds", G4, "s", "lo", "(a) data only in the INCR file"),
    ("aofload.base_rdb.seconds", G4, "s", "lo", "(b) RDB-preamble BASE"),
    ("aofload.base_cmd.seconds", G4, "s", "lo", "(c) command BASE"),
    ("load.pipe.seconds", G4, "s", "", "redis-cli --pipe into the empty AOF (everysec)"),
    ("aof.incr_MB", G4, "MB", "", "INCR files after the pipe load"),
    ("lat.idle.p50_ms", G5, "ms", "lo", ""),
    ("lat.idle.p99_ms", G5, "ms", "lo", ""),
    ("lat.idle.p99.9_ms", G5, "ms", "lo", ""),
    ("lat.rewrite.p50_ms", G5, "ms", "lo", "while BGREWRITEAOFs run back to back"),
    ("lat.rewrite.p99_ms", G5, "ms", "lo", ""),
    ("lat.rewrite.p99.9_ms", G5, "ms", "lo", ""),
    ("lat.rewrite.rewrites", G5, "", "", "BGREWRITEAOFs completed in the window"),
]
HIDDEN = ["aofload.incr.first_pong_s", "aofload.base_rdb.first_pong_s",
          "aofload.base_cmd.first_pong_s", "lat.idle.max_ms", "lat.idle.ops_per_s",
          "lat.rewrite.max_ms", "lat.rewrite.ops_per_s"]


def raw_sync_rate(dirpath, sync, seconds, size=100):
    """Appends of `size` bytes to a new file in dirpath, each followed by sync(fd), for `seconds`;
    returns appends per second. The file is removed."""
    path = os.path.join(dirpath, "sync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    try:
        record = b"x" * (size - 1) + b"\n"
        n, t0 = 0, time.perf_counter()
        t = t0
        for _ in range(100_000_000):
            os.write(fd, record)
            sync(fd)
            n += 1
            t = time.perf_counter()
            if t - t0 >= seconds:
                break
        return n / (t - t0)
    finally:
        os.close(fd)
        os.unlink(path)


def aof_files(sdir):
    """[(name, type, bytes)] of the files the manifest in <sdir>/appendonlydir lists (type b, h,
    i); the manifest's lines are `file <name> seq <n> type <t>`."""
    d = os.path.join(sdir, AOF_DIR)
    try:
        manifests = [f for f in os.listdir(d) if f.endswith(".manifest")]
    except OSError as e:
        raise StepError(f"no {AOF_DIR}: {e}")
    if len(manifests) != 1:
        raise StepError(f"{AOF_DIR} holds {len(manifests)} manifests: {sorted(os.listdir(d))}")
    out = []
    with open(os.path.join(d, manifests[0])) as f:
        for line in f:
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            kv = dict(zip(words[::2], words[1::2]))
            name = kv.get("file", "").strip('"')
            if not name or kv.get("type") not in ("b", "h", "i"):
                raise StepError(f"manifest line not understood: {line.strip()!r}")
            p = os.path.join(d, name)
            out.append((name, kv["type"], os.path.getsize(p) if os.path.isfile(p) else -1))
    return out


def first_bytes(path, n=5):
    with open(path, "rb") as f:
        return f.read(n)


class AofBench(rdb.Bench):
    BG_CMD = "BGREWRITEAOF"
    BG_FLAGS = ("aof_rewrite_in_progress", "aof_rewrite_scheduled")
    BG_STATUS = "aof_last_bgrewrite_status"
    BG_TAG = "rewrite"
    BG_COUNT = "rewrites"

    def __init__(self, args, ds):
        super().__init__(args, ds)
        self.res = rdb.Results(METRICS, HIDDEN)
        self.bench_n = {}  # policy -> redis-benchmark -n, set by the first warm-up

    def bg_window_s(self):
        return self.a.lat_rewrite_s

    def start(self, label, sdir=None, wait=True, fsync="everysec", preamble="yes"):
        """A server with appendonly yes in sdir (None: its own temp dir, removed on stop)."""
        extra = ["--appenddirname", AOF_DIR, "--appendfsync", fsync, "--aof-use-rdb-preamble",
                 preamble, "--auto-aof-rewrite-percentage", "0", "--dbfilename", rdb.DBFILE]
        srv = Server([self.bins[label]], dir=sdir, extra=extra, wait=wait, appendonly="yes")
        self.live.append(srv)
        self.cpu.servers.append(srv)
        return srv

    # -------------------------------------------------------------- 1. disk
    def disk(self, label, rep, sdir):
        for name, fn in (("fdatasync", os.fdatasync), ("fsync", os.fsync)):
            v = raw_sync_rate(sdir, fn, self.a.raw_s)
            self.res.add(label, rep, f"disk.{name}_per_s", v)
        log(f"[{label} rep{rep}] raw disk: {self.res.vals[('disk.fdatasync_per_s', label)][rep]:,.0f} "
            f"fdatasync/s, {self.res.vals[('disk.fsync_per_s', label)][rep]:,.0f} fsync/s")

    # -------------------------------------------------------------- 2. redis-benchmark
    def bench_policy(self, label, rep, policy):
        tests = ",".join(BENCH_TESTS)
        srv = self.start(label, None, fsync=policy)
        try:
            with Conn(srv.port) as c:
                r = c.call("CONFIG", "GET", "appendfsync")
                if isinstance(r, list) and len(r) == 2 and as_text(r[1]) != policy:
                    raise StepError(f"CONFIG GET appendfsync = {as_text(r[1])!r}, want {policy}")
            warm_n = 10_000 if self.a.quick else 20_000
            warm = redis_benchmark(srv.port, tests, warm_n, 1)
            if policy not in self.bench_n:
                # The warm-up's fastest test: its first test runs on a cold server.
                fastest = max(warm[t] for t in BENCH_TESTS)
                self.bench_n[policy] = max(10_000, int(fastest * self.a.bench_s / 1000) * 1000)
                log(f"[{label} rep{rep}] {policy}: warm-up {fastest:,.0f} req/s -> "
                    f"-n {self.bench_n[policy]:,} for every run")
            n = self.bench_n[policy]
            incr0 = sum(b for _, t, b in aof_files(srv.dir) if t == "i")
            log(f"[{label} rep{rep}] redis-benchmark -t {tests} -n {n:,}, appendfsync {policy}")
            rows = redis_benchmark(srv.port, tests, n, 1)
            self.alive(srv, f"after redis-benchmark ({policy})")
            with Conn(srv.port) as c:
                d = parse_info(c.call("INFO", "persistence"))
            if d.get("aof_enabled") != "1":
                raise StepError(f"INFO persistence aof_enabled:{d.get('aof_enabled')}")
            grown = sum(b for _, t, b in aof_files(srv.dir) if t == "i") - incr0
            if grown < len(BENCH_TESTS) * n * 25:
                raise StepError(f"the INCR files grew by {grown} bytes for {len(BENCH_TESTS) * n} writes")
            for t in BENCH_TESTS:
                self.res.add(label, rep, f"{policy}.{t}_rps", rows[t])
            if policy == "always":
                raw = self.res.vals.get(("disk.fdatasync_per_s", label), {}).get(rep)
                if raw:
                    self.res.add(label, rep, "always_vs_raw_fsync", rows["set"] / raw)
        finally:
            self.stop(srv)

    # -------------------------------------------------------------- 3./4. rewrite and load
    def dbsizes(self, conn):
        sizes = {}
        for db in (0, 1):
            conn.call("SELECT", db)
            sizes[db] = conn.call("DBSIZE")
        conn.call("SELECT", 0)
        return sizes

    def wait_dataset(self, srv, timeout=900.0, grace_s=5.0):
        """Seconds from spawn until PING -> PONG, loading:0 and DBSIZE of db 0/1 equal the dataset
        (polled every 2 ms over one connection, re-opened if it fails); also the first PONG's.
        Sizes that stay wrong for grace_s after loading:0 are an error."""
        t0, conn, first, wrong_since, sizes = srv.t_spawn, None, None, None, None
        try:
            for _ in range(10_000_000):
                self.alive(srv, "while loading the AOF")
                now = time.perf_counter()
                if now - t0 > timeout:
                    break
                try:
                    if conn is None:
                        conn = Conn(srv.port, timeout=30, connect_timeout=0.5)
                    if conn.call("PING") == "PONG":
                        first = first or time.perf_counter() - t0
                        if parse_info(conn.call("INFO", "persistence")).get("loading", "0") == "0":
                            sizes = self.dbsizes(conn)
                            if sizes == self.ds.keys:
                                return time.perf_counter() - t0, first
                            wrong_since = wrong_since or now
                            if now - wrong_since > grace_s:
                                break
                except RespError:
                    pass  # -LOADING
                except OSError:
                    if conn is not None:
                        conn.close()
                        conn = None
                time.sleep(0.002)
        finally:
            if conn is not None:
                conn.close()
        if sizes is not None:
            raise StepError(f"loaded, but DBSIZE db0/db1 = {sizes[0]}/{sizes[1]}, want "
                            f"{self.ds.keys[0]}/{self.ds.keys[1]}")
        raise StepError(f"not PONG, loading:0 and the dataset within {timeout:.0f}s")

    def timed_load(self, label, rep, sdir, what, preamble):
        """Starts a server on sdir's AOF, records aofload.<what>.seconds; returns the server."""
        log(f"[{label} rep{rep}] restart on the AOF ({what})")
        srv = self.start(label, sdir, wait=False, preamble=preamble)
        try:
            dt, first = self.wait_dataset(srv)
        except Exception:
            self.stop(srv)
            raise
        self.res.add(label, rep, f"aofload.{what}.seconds", dt)
        self.res.add(label, rep, f"aofload.{what}.first_pong_s", first)
        note = self.check_counts(srv, f"after loading the AOF ({what})")
        if note:
            self.res.err(label, rep, f"load {what}", note)
        return srv

    def rewrite(self, label, rep, srv, kind):
        """BGREWRITEAOF, timed until both BG_FLAGS are 0 (polled every 10 ms)."""
        log(f"[{label} rep{rep}] BGREWRITEAOF (aof-use-rdb-preamble {'yes' if kind == 'rdb' else 'no'})")
        with Conn(srv.port, timeout=600) as c:
            self.wait_bgsave_idle(c, srv)
            t0 = time.perf_counter()
            reply = as_text(c.call("BGREWRITEAOF"))
            seen = "schedul" not in reply.lower()
            for _ in range(10_000_000):
                if self.bg_running(c):
                    seen = True
                elif seen:
                    break
                if time.perf_counter() - t0 > 600:
                    raise StepError("BGREWRITEAOF did not end within 600 s")
                self.alive(srv, "during BGREWRITEAOF")
                time.sleep(0.01)
            dt = time.perf_counter() - t0
            d = parse_info(c.call("INFO", "persistence"))
            fork_us = int(info_field(c, "stats", "latest_fork_usec"))
        if d.get("aof_last_bgrewrite_status") != "ok":
            raise StepError(f"aof_last_bgrewrite_status:{d.get('aof_last_bgrewrite_status')}")
        bases = [(n, b) for n, t, b in aof_files(srv.dir) if t == "b"]
        if len(bases) != 1 or bases[0][1] < 0:
            raise StepError(f"after the rewrite the manifest lists BASE files {bases}")
        magic = first_bytes(os.path.join(srv.dir, AOF_DIR, bases[0][0]))
        want = b"REDIS" if kind == "rdb" else b"*"
        if not magic.startswith(want):
            raise StepError(f"the BASE {bases[0][0]} starts with {magic!r}, want {want!r}")
        R = self.res
        R.add(label, rep, f"rewrite.{kind}.seconds", dt)
        R.add(label, rep, f"rewrite.{kind}.time_sec", int(d.get("aof_last_rewrite_time_sec", -1)))
        R.add(label, rep, f"rewrite.{kind}.fork_usec", fork_us)
        R.add(label, rep, f"rewrite.{kind}.base_MB", bases[0][1] / 1e6)

    def aof_phase(self, label, rep, sdir):
        """Pipe load into an empty AOF, the three timed loads and two rewrites (module doc).
        Returns the running server holding the dataset for the latency test, or None."""
        tag = f"[{label} rep{rep}]"
        R = self.res
        try:
            s = self.start(label, sdir)
        except RuntimeError as e:
            R.err(label, rep, "start", e)
            return None

        def load():
            log(f"{tag} loading {self.ds.n:,} keys with redis-cli --pipe into the AOF")
            R.add(label, rep, "load.pipe.seconds", self.pipe_load(s))
            note = self.check_counts(s, "after the pipe load")
            if note:
                R.err(label, rep, "load", note)
        ok = self.step(label, rep, "load", load)
        self.stop(s)
        s = None
        if ok:
            files = aof_files(sdir)
            R.add(label, rep, "aof.incr_MB", sum(b for _, t, b in files if t == "i") / 1e6)
            base = sum(b for _, t, b in files if t == "b")
            if base > 1 << 20:
                R.err(label, rep, "load", f"the BASE has {base} bytes after the pipe load: the data "
                                          f"is not only in the INCR files")
            # (preamble of the server that loads, the figure, the rewrite on it)
            for preamble, what, kind in (("yes", "incr", "rdb"), ("no", "base_rdb", "cmd"),
                                         ("yes", "base_cmd", None)):
                def one():
                    nonlocal s
                    s = self.timed_load(label, rep, sdir, what, preamble)
                    if kind:
                        self.rewrite(label, rep, s, kind)
                if not self.step(label, rep, f"AOF {what}" + (f" + rewrite {kind}" if kind else ""), one):
                    break
                if kind:
                    self.stop(s)
                    s = None

        def reload():
            nonlocal s
            if s is not None and s.proc.poll() is None:
                try:
                    self.check_counts(s, "")
                    return
                except (StepError, RespError, OSError):
                    pass
            if s is not None:
                self.stop(s)
                s = None
            shutil.rmtree(os.path.join(sdir, AOF_DIR), ignore_errors=True)
            log(f"{tag} no dataset on an AOF-loaded server: loading it again for the latency test")
            s = self.start(label, sdir)
            self.pipe_load(s)
            self.check_counts(s, "after the reload")
        if not self.step(label, rep, "latency (reload)", reload):
            if s is not None:
                self.stop(s)
            return None
        return s

    def prepare(self, label, rep, sdir):
        for name, fn in (("disk", lambda: self.disk(label, rep, sdir)),
                         ("bench always", lambda: self.bench_policy(label, rep, "always")),
                         ("bench everysec", lambda: self.bench_policy(label, rep, "everysec"))):
            self.step(label, rep, name, fn)
        return self.aof_phase(label, rep, sdir)


def render_md(summary, names):
    out = []
    groups = []
    for e in summary.values():
        if e["group"] and e["group"] not in groups:
            groups.append(e["group"])
    for g in groups:
        out += ["", f"**{g}**", "",
                f"| metric | unit | want | A: {names['A']} | B: {names['B']} | B/A | paired B/A |",
                "|---|---|---|--:|--:|--:|--:|"]
        for name, e in summary.items():
            if e["group"] != g:
                continue
            cells = [f"`{name}`", e["unit"], e["want"]]
            for lb in ("A", "B"):
                s = e.get(lb)
                cells.append(rdb.fmt(s["median"]) + ("!" if s["busy"] else "") if s else "ERR")
            cells.append(f"{e['ratio']:.3f}" if e.get("ratio") is not None else "-")
            pr = e.get("paired") or []
            cells.append(f"{min(pr):.2f}-{max(pr):.2f}" if len(pr) > 1 else (f"{pr[0]:.2f}" if pr else "-"))
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)



def write_results(kind, args, mode, names, ds, bench, summary, started, elapsed, interrupted,
                  head, text, tail, **meta):
    """Writes <out>/<kind>-<mode>-<time>.json (everything), .txt (the table) and .md; returns the
    exit code (1 if the run was interrupted)."""
    nz, oc, errs = rdb.noise(summary), bench.res.other_cores, bench.res.errors
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, f"{kind}-{mode}-{started.strftime('%Y%m%d-%H%M%S')}")
    doc = dict(meta=dict(mode=mode, keys=args.keys, reps=args.reps, started=started.isoformat(),
                         elapsed_s=elapsed, interrupted=interrupted,
                         host=dict(nproc=os.cpu_count(), platform=platform.platform(),
                                   tmp=tempfile.gettempdir()), **meta),
               servers={lb: dict(name=names[lb], binary=b, version=rdb.version(b))
                        for lb, b in (("A", args.a), ("B", args.b))},
               dataset=ds.as_dict(), metrics=summary, noise=nz, errors=errs,
               other_cores={f"{lb}{r}": v for (lb, r), v in oc.items()})
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(base + ".txt", "w") as f:
        f.write(ds.describe() + "\n" + text)
    with open(base + ".md", "w") as f:
        f.write("```\n" + head + "\n```\n" + render_md(summary, names) + "\n\n```\n" +
                ds.describe() + "\n" + tail.strip("\n") + "\n```\n")
    log(f"wrote {base}.json, .txt and .md")
    return 1 if interrupted else 0

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    rdb.add_server_args(ap)
    ap.add_argument("--quick", action="store_true",
                    help="200,000 keys, 2 reps, shorter disk/benchmark/latency windows")
    ap.add_argument("--reps", type=int, help="repetitions (default 3; --quick 2)")
    ap.add_argument("--keys", type=int, help="keys in the dataset (default 1,000,000; --quick 200,000)")
    ap.add_argument("--raw-s", type=float, help="seconds per raw disk sync figure (default 3; --quick 1.5)")
    ap.add_argument("--bench-s", type=float,
                    help="target seconds per redis-benchmark test run (default 3; --quick 1)")
    ap.add_argument("--lat-idle-s", type=float, help="idle SET latency window (default 3; --quick 1)")
    ap.add_argument("--lat-rewrite-s", type=float,
                    help="SET latency window during BGREWRITEAOFs (default 4; --quick 2)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="where the .json, .txt and .md go")
    args = ap.parse_args()
    mode, names = rdb.finish_args(args, MODES)

    started = datetime.datetime.now()
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="ssaof-data-") as tmp:
        log(f"generating the dataset ({args.keys:,} keys)")
        t0 = time.perf_counter()
        ds = rdb.Dataset(os.path.join(tmp, "dataset.resp"), args.keys, args.seed)
        log(f"dataset generated in {time.perf_counter() - t0:.1f}s")
        print(ds.describe(), flush=True)
        bench = AofBench(args, ds)
        try:
            for rep in range(args.reps):
                order = ("A", "B") if rep % 2 == 0 else ("B", "A")
                dirs, servers = {}, {}
                try:
                    for label in order:
                        dirs[label] = tempfile.mkdtemp(prefix=f"ssaof-{label}-")
                        m0 = bench.cpu.mark()
                        srv = bench.prepare(label, rep, dirs[label])
                        if srv is not None:
                            servers[label] = srv
                        other = bench.cpu.other_cores(m0)
                        bench.res.other_cores[(label, rep)] = other
                        log(f"[{label} rep{rep}] other CPU load meanwhile {other:.2f} cores")
                    if servers:
                        m0 = bench.cpu.mark()
                        bench.latency(rep, servers, order)
                        other = bench.cpu.other_cores(m0)
                        bench.res.other_cores[("lat", rep)] = other
                        log(f"[rep{rep}] latency: other CPU load meanwhile {other:.2f} cores")
                finally:
                    bench.stop_all()
                    for d in dirs.values():
                        shutil.rmtree(d, ignore_errors=True)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bench.stop_all()
    elapsed = (datetime.datetime.now() - started).total_seconds()
    summary = bench.res.summary()
    head = rdb.table_head("AOF persistence", args, names, elapsed, bench.bench_n)
    text = "\n" + head + "\n" + rdb.render(summary, names) + "\n"
    tail = rdb.report_tail(bench.res, summary, interrupted)
    text += tail
    print(text)
    return write_results("aof", args, mode, names, ds, bench, summary, started, elapsed,
                         interrupted, head, text, tail, raw_s=args.raw_s, bench_s=args.bench_s,
                         bench_n=bench.bench_n, lat_idle_s=args.lat_idle_s,
                         lat_rewrite_s=args.lat_rewrite_s)


if __name__ == "__main__":
    sys.exit(main())
