#!/usr/bin/env python3
"""RDB persistence of real Redis (A) and snapstream (B) side by side, on 1,000,000 keys of mixed
types (issue 5's benchmark). Reports per figure the medians of A and B and the ratio B/A.

The dataset is generated once (fixed seed, so both servers get the same bytes) as a RESP command
stream and fed with `redis-cli --pipe` (0 errors required): 50% strings (integers, short strings,
100-byte values, half of those compressible), 15% small hashes, 10% lists, 10% sets (half
integers, half strings), 10% small sorted sets, 5% small hashes / sorted sets with one long
element (so they leave the listpack encoding), plus a few hundred big collections (hash of 1000
fields, set of 2000 strings, sorted set of 1000 members, list of 10000 elements); ~20% of the keys
carry a TTL about an hour out; keys are spread over dbs 0 and 1. Every Redis 7.0 encoding appears.

Per repetition and server (the order alternates: A,B then B,A ...), in a fresh temp dir:
  1. load       time of `redis-cli --pipe` (informational); DBSIZE and INFO keyspace expires
                of db 0 and db 1 must match the dataset
  2. SAVE       seconds of the SAVE round trip
  3. BGSAVE     from sending BGSAVE until INFO persistence rdb_bgsave_in_progress:0 (polled every
                2 ms); rdb_last_bgsave_status must be ok
  4. fork       latest_fork_usec (INFO stats) of that BGSAVE
  5. RDB size   dump.rdb in MB after the BGSAVE
  6. restart    the server is stopped with SIGTERM (it runs with --save "", so dump.rdb is not
                rewritten: checked) and a new process started on the same --dir/--dbfilename;
                time from spawning it until PING answers PONG and INFO persistence shows
                loading:0 (polled every 2 ms); DBSIZE and expires must match the dataset
  7. latency    SET of a 100-byte value to random string keys of the dataset, one client (a
                tight loop over one socket), idle and while BGSAVEs run back to back; p50, p99,
                p99.9 in ms (the Python client's own overhead is part of every sample). Run on
                the restarted servers of A and B together, interleaved so that both see the same
                background load: idle in ~0.5 s slices, then one BGSAVE round at a time (SETs from
                sending BGSAVE until rdb_bgsave_in_progress:0), until each server has its window
  8. memory     used_memory and RSS after the pipe load and after the restart (informational)
A step that fails on one server (e.g. "ERR unknown command 'BGSAVE'") shows as ERR in its column
and is listed under the table; the run goes on. If the restart does not bring the dataset back,
the dataset is loaded again with redis-cli --pipe so the latency figures still run on it.

Servers run with --save "" --appendonly no --dbfilename dump.rdb on free 127.0.0.1 ports and are
stopped by the pid this script started. The CPU time others spend on the machine (all busy CPU
minus this script's, redis-cli's and our servers') is measured per server and rep (figures 1-6, 8)
and per rep (figure 7); a cell whose reps include one with more than 0.3 cores of it is marked
"!": one-client latency in particular moves with it (on a VM an idle vCPU is slow to wake).
Results go to --out as rdb-<mode>-<time>.json and .txt.
"""
import argparse
import datetime
import json
import math
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import Server

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"
DBFILE = "dump.rdb"
SEED = 20241122
BUSY_CORES = 0.3  # other load above which a rep's cells get a "!"

MODES = {
    "full": dict(keys=1_000_000, reps=3, lat_idle_s=3.0, lat_bgsave_s=4.0),
    "quick": dict(keys=200_000, reps=1, lat_idle_s=1.0, lat_bgsave_s=2.0),
}


def log(msg):
    sys.stderr.write(time.strftime("%H:%M:%S ") + msg + "\n")
    sys.stderr.flush()


class StepError(Exception):
    """A step failed on one server; recorded as ERR, the run goes on."""


# ------------------------------------------------------------------ RESP client
class RespError(Exception):
    pass


def encode(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class Conn:
    """Blocking RESP2 client on one socket."""

    def __init__(self, port, timeout=60.0, connect_timeout=2.0):
        s = socket.create_connection((HOST, port), timeout=connect_timeout)
        s.settimeout(timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _more(self):
        d = self.sock.recv(1 << 16)
        if not d:
            raise ConnectionError("connection closed by server")
        self.buf += d

    def _line(self):
        for _ in range(1 << 20):
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            if len(self.buf) > (64 << 20):
                break
            self._more()
        raise RespError("protocol error: reply line too long")

    def read(self, depth=0):
        """One reply; an error reply is returned (not raised) as a RespError."""
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode(errors="replace")
        if t == b"-":
            return RespError(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            for _ in range(1 << 20):
                if len(self.buf) >= n + 2:
                    break
                self._more()
            d, self.buf = self.buf[:n], self.buf[n + 2:]
            return d
        if t == b"*":
            n = int(rest)
            if n < 0 or depth > 8:
                return None
            return [self.read(depth + 1) for _ in range(n)]
        raise RespError(f"protocol error: unexpected reply {line[:60]!r}")

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def call(self, *args):
        self.send(*args)
        r = self.read()
        if isinstance(r, RespError):
            raise r
        return r


def as_text(r):
    return r.decode(errors="replace") if isinstance(r, bytes) else str(r)


def parse_info(raw):
    d = {}
    for line in as_text(raw).splitlines():
        if line and not line.startswith("#") and ":" in line:
            k, v = line.split(":", 1)
            d[k.strip()] = v.strip()
    return d


def info_field(conn, section, key):
    d = parse_info(conn.call("INFO", section))
    if key not in d:
        raise StepError(f"INFO {section} has no field '{key}'")
    return d[key]


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise StepError("no VmRSS in /proc/<pid>/status")


def pct(sorted_vals, p):
    k = max(0, min(len(sorted_vals) - 1, math.ceil(p / 100.0 * len(sorted_vals)) - 1))
    return sorted_vals[k]


# ------------------------------------------------------------------ dataset
# kind -> (share of the small keys, Redis 7.0 encoding it gets, description)
SMALL_KINDS = [
    ("str_int", 0.5 / 3, "int / embstr", "string: integer, 1-15 digits"),
    ("str_short", 0.5 / 3, "embstr", "string: 6-20 hex chars"),
    ("str_100_rand", 0.5 / 6, "raw", "string: 100 random hex chars"),
    ("str_100_text", 0.5 / 6, "raw", "string: 100 chars of JSON-like text (compressible)"),
    ("hash_small", 0.15, "listpack", "hash: 5-10 short fields"),
    ("list", 0.10, "quicklist", "list: 5-50 short strings and integers"),
    ("set_int", 0.05, "intset", "set: 5-20 integers"),
    ("set_str", 0.05, "hashtable", "set: 5-20 short strings"),
    ("zset_small", 0.10, "listpack", "zset: 5-20 members, integer and float scores"),
    ("hash_long", 0.025, "hashtable", "hash: 5-10 fields, one a 100-byte value"),
    ("zset_long", 0.025, "skiplist", "zset: 5-20 members, one 80 bytes long"),
]
BIG_KINDS = [
    ("big_hash", "hashtable", "hash: 1000 fields"),
    ("big_set", "hashtable", "set: 2000 strings"),
    ("big_zset", "skiplist", "zset: 1000 members, float scores"),
    ("big_list", "quicklist", "list: 10000 elements (10 RPUSH of 1000)"),
]
HASH_FIELDS = [b"name", b"email", b"age", b"city", b"visits", b"last_seen", b"plan", b"score",
               b"flags", b"ref"]
LOREM = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor " * 2


def resp_cmd(args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


class Dataset:
    """The RESP file plus what a server must hold after loading it."""

    def __init__(self, path, n, seed):
        self.path, self.n, self.seed = path, n, seed
        self.commands = 0
        self.keys = {0: 0, 1: 0}
        self.expires = {0: 0, 1: 0}
        self.mix = {}  # kind -> [keys, elements]
        self.lat_keys = []  # string keys in db 0, targets of the latency SETs
        self._generate()

    def _generate(self):
        rng = random.Random(self.seed)
        n = self.n
        n_big = max(1, round(n * 100 / 1_000_000))
        rest = n - n_big * len(BIG_KINDS)
        if rest < 100:
            raise SystemExit("--keys too small")
        counts = {k: int(rest * share) for k, share, _, _ in SMALL_KINDS}
        counts["str_short"] += rest - sum(counts.values())
        for k, _, _ in BIG_KINDS:
            counts[k] = n_big
        kinds = [k for k, c in counts.items() for _ in range(c)]
        rng.shuffle(kinds)
        self.mix = {k: [0, 0] for k in counts}
        n_db0 = int(n * 0.6)

        def short():
            return rng.randbytes(rng.randint(3, 10)).hex().encode()

        def integer():
            v = rng.randrange(10 ** rng.randint(1, 15))
            return b"%d" % (-v if rng.random() < 0.1 else v)

        def scalar():
            return integer() if rng.random() < 0.4 else short()

        def text100(i):
            u = rng.randrange(10 ** 6)
            s = (f'{{"id":{i},"user":"user{u}","mail":"user{u}@example.com","plan":"free",'
                 f'"active":true,"note":"{LOREM}')
            return (s[:99] + "}").encode()

        def score():
            return b"%d" % rng.randrange(1000) if rng.random() < 0.5 else repr(rng.random() * 1000).encode()

        out, pending = open(self.path, "wb", buffering=1 << 20), []
        db = 0
        pending.append(resp_cmd([b"SELECT", b"0"]))
        self.commands += 1
        for i, kind in enumerate(kinds):
            if i == n_db0:
                db = 1
                pending.append(resp_cmd([b"SELECT", b"1"]))
                self.commands += 1
            key = b"key:%d" % i
            ttl = b"%d" % (3600 + rng.randrange(600)) if rng.random() < 0.2 else None
            cmds = []
            if kind.startswith("str_"):
                if kind == "str_int":
                    v = integer()
                elif kind == "str_short":
                    v = short()
                elif kind == "str_100_rand":
                    v = rng.randbytes(50).hex().encode()
                else:
                    v = text100(i)
                cmds.append([b"SET", key, v] + ([b"EX", ttl] if ttl else []))
                elements = 1
                if db == 0 and len(self.lat_keys) < 200_000:
                    self.lat_keys.append(key)
            elif kind in ("hash_small", "hash_long"):
                nf = rng.randint(5, 10)
                args = [b"HSET", key]
                for f in HASH_FIELDS[:nf]:
                    args += [f, scalar()]
                if kind == "hash_long":
                    args[-1] = text100(i)
                cmds.append(args)
                elements = nf
            elif kind == "list":
                ne = rng.randint(5, 50)
                cmds.append([b"RPUSH", key] + [scalar() for _ in range(ne)])
                elements = ne
            elif kind == "set_int":
                ne = rng.randint(5, 20)
                cmds.append([b"SADD", key] + [b"%d" % rng.randrange(10 ** 6) for _ in range(ne)])
                elements = ne
            elif kind == "set_str":
                ne = rng.randint(5, 20)
                cmds.append([b"SADD", key] + [b"m:" + short() for _ in range(ne)])
                elements = ne
            elif kind in ("zset_small", "zset_long"):
                ne = rng.randint(5, 20)
                args = [b"ZADD", key]
                for j in range(ne):
                    args += [score(), b"m%d:" % j + short()]
                if kind == "zset_long":
                    args[-1] = rng.randbytes(40).hex().encode()
                cmds.append(args)
                elements = ne
            elif kind == "big_hash":
                args = [b"HSET", key]
                for j in range(1000):
                    args += [b"field:%d" % j, scalar()]
                cmds.append(args)
                elements = 1000
            elif kind == "big_set":
                cmds.append([b"SADD", key] + [b"member:%d:" % j + short() for j in range(2000)])
                elements = 2000
            elif kind == "big_zset":
                args = [b"ZADD", key]
                for j in range(1000):
                    args += [repr(rng.random() * 1e6).encode(), b"member:%d" % j]
                cmds.append(args)
                elements = 1000
            else:  # big_list
                for c in range(10):
                    cmds.append([b"RPUSH", key] + [scalar() for _ in range(1000)])
                elements = 10000
            if ttl and kind[:4] != "str_":
                cmds.append([b"EXPIRE", key, ttl])
            if ttl:
                self.expires[db] += 1
            self.keys[db] += 1
            self.mix[kind][0] += 1
            self.mix[kind][1] += elements
            for c in cmds:
                pending.append(resp_cmd(c))
            self.commands += len(cmds)
            if len(pending) >= 5000:
                out.write(b"".join(pending))
                pending = []
        out.write(b"".join(pending))
        out.close()
        self.bytes = os.path.getsize(self.path)

    def describe(self):
        enc = {k: (e, d) for k, _, e, d in SMALL_KINDS}
        enc.update({k: (e, d) for k, e, d in BIG_KINDS})
        lines = [f"dataset: {self.n:,} keys (db0 {self.keys[0]:,}, db1 {self.keys[1]:,}), "
                 f"{sum(self.expires.values()):,} with a TTL of 3600-4199 s, seed {self.seed}; "
                 f"{self.commands:,} commands, {self.bytes / 1e6:.1f} MB of RESP",
                 f"  {'kind':<13}{'keys':>10}{'share':>7}{'elements':>12}  {'encoding':<13}what"]
        for k, (nk, ne) in self.mix.items():
            lines.append(f"  {k:<13}{nk:>10,}{100 * nk / self.n:>6.1f}%{ne:>12,}  {enc[k][0]:<13}{enc[k][1]}")
        return "\n".join(lines)

    def as_dict(self):
        return dict(keys=self.n, seed=self.seed, commands=self.commands, resp_bytes=self.bytes,
                    keys_per_db=self.keys, expires_per_db=self.expires,
                    mix={k: dict(keys=v[0], elements=v[1]) for k, v in self.mix.items()})


# ------------------------------------------------------------------ metrics
# name, group, unit, want ("lo" lower is better, "" informational), description
METRICS = [
    ("load.seconds", "1. dataset load (redis-cli --pipe)", "s", "", "redis-cli --pipe wall time"),
    ("save.seconds", "2-5. SAVE / BGSAVE / RDB", "s", "lo", "SAVE round trip"),
    ("bgsave.seconds", "2-5. SAVE / BGSAVE / RDB", "s", "lo",
     "BGSAVE sent -> rdb_bgsave_in_progress:0 (poll 2 ms)"),
    ("bgsave.latest_fork_usec", "2-5. SAVE / BGSAVE / RDB", "us", "lo", "INFO stats after the BGSAVE"),
    ("rdb.MB", "2-5. SAVE / BGSAVE / RDB", "MB", "lo", "dump.rdb size after the BGSAVE"),
    ("restart.seconds", "6. restart from dump.rdb", "s", "lo",
     "spawn -> PING PONG and loading:0 (poll 2 ms)"),
    ("lat.idle.p50_ms", "7. SET latency, 1 client", "ms", "lo", ""),
    ("lat.idle.p99_ms", "7. SET latency, 1 client", "ms", "lo", ""),
    ("lat.idle.p99.9_ms", "7. SET latency, 1 client", "ms", "lo", ""),
    ("lat.bgsave.p50_ms", "7. SET latency, 1 client", "ms", "lo", "while BGSAVEs run back to back"),
    ("lat.bgsave.p99_ms", "7. SET latency, 1 client", "ms", "lo", ""),
    ("lat.bgsave.p99.9_ms", "7. SET latency, 1 client", "ms", "lo", ""),
    ("lat.bgsave.saves", "7. SET latency, 1 client", "", "", "BGSAVEs completed in the window"),
    ("mem.load.used_memory_MB", "8. memory", "MB", "", "after the pipe load"),
    ("mem.load.rss_MB", "8. memory", "MB", "", "after the pipe load"),
    ("mem.restart.used_memory_MB", "8. memory", "MB", "", "after the restart from dump.rdb"),
    ("mem.restart.rss_MB", "8. memory", "MB", "", "after the restart from dump.rdb"),
]
HIDDEN = ["save.rdb_MB", "lat.idle.max_ms", "lat.idle.ops_per_s", "lat.bgsave.max_ms",
          "lat.bgsave.ops_per_s", "restart.first_pong_s"]


class Results:
    """Per (metric, server) the value of each rep; metrics/hidden default to this file's lists."""

    def __init__(self, metrics=None, hidden=None):
        self.metrics = METRICS if metrics is None else metrics
        self.hidden = HIDDEN if hidden is None else hidden
        self.vals = {}  # (metric, label) -> {rep: value}
        self.errors = []
        self.other_cores = {}  # (label, rep) -> other CPU load during that run

    def add(self, label, rep, name, value):
        self.vals.setdefault((name, label), {})[rep] = value

    def err(self, label, rep, step, msg):
        msg = " ".join(str(msg).split())[:300]
        log(f"[{label} rep{rep}] {step} FAILED: {msg}")
        self.errors.append(dict(server=label, rep=rep, step=step, error=msg))

    def summary(self):
        out = {}
        for name, group, unit, want, desc in self.metrics + [(h, "", "", "", "") for h in self.hidden]:
            e = dict(group=group, unit=unit, want=want, desc=desc)
            for lb in ("A", "B"):
                v = self.vals.get((name, lb))
                if v:
                    vals = [v[r] for r in sorted(v)]
                    med = statistics.median(vals)
                    busy = any(self.other_cores.get(("lat" if name.startswith("lat.") else lb, r), 0)
                               > BUSY_CORES for r in v)
                    e[lb] = dict(values=dict(sorted(v.items())), median=med, busy=busy,
                                 spread=(max(vals) - min(vals)) / med if med and len(vals) > 1 else None)
            if "A" in e and "B" in e:
                a, b = e["A"]["median"], e["B"]["median"]
                e["ratio"] = b / a if a else None
                pa, pb = e["A"]["values"], e["B"]["values"]
                e["paired"] = [pb[r] / pa[r] for r in pa if r in pb and pa[r]]
            out[name] = e
        return out


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return f"{int(v):,}"
    a = abs(v)
    if a >= 10000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    if a == 0:
        return "0"
    return f"{v:.3f}"


def render(summary, names):
    cols = ["metric", "unit", "want", f"A:{names['A']}"[:14], f"B:{names['B']}"[:14], "B/A",
            "A spread", "B spread", "paired B/A"]
    out, groups = [], []
    for e in summary.values():  # in the order of the metrics list; hidden ones have no group
        g = e["group"]
        if g and g not in groups:
            groups.append(g)
    for g in groups:
        rows = []
        for name, e in summary.items():
            if e["group"] != g:
                continue
            r = [name, e["unit"], e["want"]]
            for lb in ("A", "B"):
                s = e.get(lb)
                r.append(fmt(s["median"]) + ("!" if s["busy"] else "") if s else "ERR")
            r.append(f"{e['ratio']:.3f}" if e.get("ratio") is not None else "-")
            for lb in ("A", "B"):
                s = e.get(lb)
                r.append(f"{100 * s['spread']:.1f}%" if s and s["spread"] is not None else "-")
            pr = e.get("paired") or []
            r.append(f"{min(pr):.2f}-{max(pr):.2f}" if len(pr) > 1 else (f"{pr[0]:.2f}" if pr else "-"))
            rows.append(r)
        widths = [max(len(cols[i]), *(len(x[i]) for x in rows)) for i in range(len(cols))]
        out.append("")
        out.append(f"== {g}")
        out.append("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(cols)))
        for r in rows:
            out.append("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(r)))
    return "\n".join(out)


def noise(summary):
    """How far from 1.0 the ratios are: the noise floor when A and B are the same server."""
    devs = sorted(abs(e["ratio"] - 1) for n, e in summary.items()
                  if e.get("ratio") is not None and e["group"] and e["want"] in ("lo", "hi"))
    if not devs:
        return None
    return dict(metrics=len(devs), median_abs_dev=statistics.median(devs), max_abs_dev=devs[-1])


# ------------------------------------------------------------------ CPU load of others
def busy_cpu_s():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def children_cpu_s():
    t = os.times()  # waited-for children: redis-cli and the stopped servers
    return t.children_user + t.children_system


class CpuLedger:
    """CPU time spent on the machine by others than this script, redis-cli and our servers."""

    def __init__(self):
        self.servers = []  # every server started
        self.final = {}  # id(server) -> its total CPU, taken from the wait at stop

    def server_cpu(self, srv):
        if id(srv) in self.final:
            return self.final[id(srv)]
        try:
            with open(f"/proc/{srv.proc.pid}/stat") as f:
                v = f.read().rsplit(")", 1)[1].split()
            return sum(int(x) for x in v[11:15]) / os.sysconf("SC_CLK_TCK")  # incl. waited children
        except (OSError, IndexError, ValueError):
            return 0.0

    def stop(self, srv):
        c0 = children_cpu_s()
        srv.stop()
        self.final[id(srv)] = children_cpu_s() - c0

    def mark(self):
        t = os.times()
        mine = t.user + t.system + children_cpu_s() - sum(self.final.values())
        return (time.perf_counter(), busy_cpu_s(), mine, {id(s): self.server_cpu(s) for s in self.servers})

    def other_cores(self, m0):
        t1, busy1, mine1, srv1 = self.mark()
        t0, busy0, mine0, srv0 = m0
        ours = (mine1 - mine0) + sum(srv1[k] - srv0.get(k, 0.0) for k in srv1)
        return max(0.0, (busy1 - busy0) - ours) / max(1e-6, t1 - t0)


# ------------------------------------------------------------------ the runs
class Bench:
    # The background job of the latency test: command, INFO persistence fields that are 1 while it
    # is running or pending, its status field, the tag of its metrics (lat.<tag>.*) and of the
    # count of jobs completed in the window.
    BG_CMD = "BGSAVE"
    BG_FLAGS = ("rdb_bgsave_in_progress",)
    BG_STATUS = "rdb_last_bgsave_status"
    BG_TAG = "bgsave"
    BG_COUNT = "saves"

    def bg_window_s(self):
        return self.a.lat_bgsave_s

    def bg_running(self, conn):
        d = parse_info(conn.call("INFO", "persistence"))
        for f in self.BG_FLAGS:
            if f not in d:
                raise StepError(f"INFO persistence has no field '{f}'")
        return any(d[f] != "0" for f in self.BG_FLAGS)

    def __init__(self, args, ds):
        self.a, self.ds = args, ds
        self.bins = {"A": args.a, "B": args.b}
        self.res = Results()
        self.live = []
        self.cpu = CpuLedger()

    def step(self, label, rep, name, fn):
        try:
            fn()
            return True
        except (StepError, RespError, OSError, RuntimeError, ValueError, subprocess.SubprocessError) as e:
            self.res.err(label, rep, name, f"{type(e).__name__}: {e}")
            return False

    def start(self, label, sdir, wait=True):
        srv = Server([self.bins[label]], dir=sdir, extra=["--dbfilename", DBFILE], wait=wait)
        self.live.append(srv)
        self.cpu.servers.append(srv)
        return srv

    def stop(self, srv):
        self.cpu.stop(srv)
        if srv in self.live:
            self.live.remove(srv)

    def stop_all(self):
        for srv in list(self.live):
            self.stop(srv)

    def alive(self, srv, what):
        if srv.proc.poll() is not None:
            raise StepError(f"server exited ({srv.proc.returncode}) {what}; log: {log_tail(srv)}")

    def pipe_load(self, srv):
        with open(self.ds.path, "rb") as f:
            t0 = time.perf_counter()
            p = subprocess.run(["redis-cli", "-p", str(srv.port), "--pipe"], stdin=f,
                               capture_output=True, text=True, timeout=1800)
            dt = time.perf_counter() - t0
        want = f"errors: 0, replies: {self.ds.commands}"
        if p.returncode != 0 or want not in p.stdout:
            raise StepError(f"redis-cli --pipe: {(p.stdout + p.stderr)[-300:]}")
        return dt

    def check_counts(self, srv, what):
        """DBSIZE of db 0 and 1 must match the dataset (raises); returns a note if expires differ."""
        with Conn(srv.port) as c:
            sizes = {}
            for db in (0, 1):
                c.call("SELECT", db)
                sizes[db] = c.call("DBSIZE")
            ks = parse_info(c.call("INFO", "keyspace"))
        if sizes != self.ds.keys:
            raise StepError(f"{what}: DBSIZE db0/db1 = {sizes[0]}/{sizes[1]}, "
                            f"want {self.ds.keys[0]}/{self.ds.keys[1]}")
        exp = {}
        for db in (0, 1):
            f = dict(x.split("=", 1) for x in ks.get(f"db{db}", "").split(",") if "=" in x)
            exp[db] = int(f.get("expires", -1))
        if exp != self.ds.expires:
            return (f"{what}: keys with a TTL in db0/db1 = {exp[0]}/{exp[1]}, "
                    f"want {self.ds.expires[0]}/{self.ds.expires[1]}")
        return None

    def memory(self, label, rep, srv, tag):
        with Conn(srv.port) as c:
            used = int(info_field(c, "memory", "used_memory"))
        self.res.add(label, rep, f"mem.{tag}.used_memory_MB", used / 1e6)
        self.res.add(label, rep, f"mem.{tag}.rss_MB", rss_bytes(srv.proc.pid) / 1e6)

    def wait_bgsave_idle(self, c, srv, timeout=600.0):
        """Until the background job (BG_FLAGS) is neither running nor pending."""
        t0 = time.perf_counter()
        for _ in range(1_000_000):
            if not self.bg_running(c):
                return
            self.alive(srv, f"waiting for a {self.BG_CMD} to end")
            if time.perf_counter() - t0 > timeout:
                break
            time.sleep(0.01)
        raise StepError(f"a {self.BG_CMD} did not end in time")

    def bgsave_done(self, c, reply, t0, srv, timeout=600.0):
        """After BGSAVE replied `reply`: poll every 2 ms until rdb_bgsave_in_progress:0 (after
        :1 if the reply said "scheduled"). Returns seconds since t0."""
        seen = "schedul" not in reply.lower()
        for _ in range(10_000_000):
            v = info_field(c, "persistence", "rdb_bgsave_in_progress")
            if v == "1":
                seen = True
            elif v == "0" and seen:
                return time.perf_counter() - t0
            if time.perf_counter() - t0 > timeout:
                break
            self.alive(srv, "during BGSAVE")
            time.sleep(0.002)
        raise StepError(f"rdb_bgsave_in_progress did not return to 0 within {timeout:.0f}s")

    def prepare(self, label, rep, sdir):
        """Load, SAVE, BGSAVE, stop, restart from the dump. Returns the running server holding the
        dataset (the restarted one, or a fresh one loaded again) or None."""
        dump = os.path.join(sdir, DBFILE)
        tag = f"[{label} rep{rep}]"
        R = self.res
        try:
            s1 = self.start(label, sdir)
        except RuntimeError as e:
            R.err(label, rep, "start", e)
            return None

        def load():
            log(f"{tag} loading {self.ds.n:,} keys with redis-cli --pipe")
            R.add(label, rep, "load.seconds", self.pipe_load(s1))
            note = self.check_counts(s1, "after the pipe load")
            if note:
                R.err(label, rep, "load", note)
            self.memory(label, rep, s1, "load")
        if not self.step(label, rep, "load", load):
            self.stop(s1)
            return None
        sizes = {}

        def save():
            log(f"{tag} SAVE")
            with Conn(s1.port, timeout=1800) as c:
                t0 = time.perf_counter()
                r = c.call("SAVE")
                dt = time.perf_counter() - t0
            self.alive(s1, "after SAVE")
            if as_text(r) != "OK":
                raise StepError(f"SAVE replied {r!r}")
            if not os.path.isfile(dump):
                raise StepError(f"SAVE replied OK but there is no {DBFILE}")
            R.add(label, rep, "save.seconds", dt)
            sizes["save"] = os.path.getsize(dump)
            R.add(label, rep, "save.rdb_MB", sizes["save"] / 1e6)
        self.step(label, rep, "SAVE", save)

        def bgsave():
            log(f"{tag} BGSAVE")
            with Conn(s1.port, timeout=600) as c:
                self.wait_bgsave_idle(c, s1)
                t0 = time.perf_counter()
                reply = as_text(c.call("BGSAVE"))
                dt = self.bgsave_done(c, reply, t0, s1)
                status = info_field(c, "persistence", "rdb_last_bgsave_status")
                fork_us = int(info_field(c, "stats", "latest_fork_usec"))
            if status != "ok":
                raise StepError(f"rdb_last_bgsave_status:{status}")
            if not os.path.isfile(dump):
                raise StepError(f"BGSAVE ended ok but there is no {DBFILE}")
            R.add(label, rep, "bgsave.seconds", dt)
            R.add(label, rep, "bgsave.latest_fork_usec", fork_us)
            sizes["bgsave"] = os.path.getsize(dump)
            R.add(label, rep, "rdb.MB", sizes["bgsave"] / 1e6)
        self.step(label, rep, "BGSAVE", bgsave)
        if "save" in sizes and "bgsave" in sizes and sizes["save"] != sizes["bgsave"]:
            R.err(label, rep, "BGSAVE", f"{DBFILE} of SAVE has {sizes['save']} bytes, of BGSAVE "
                                        f"{sizes['bgsave']}")

        before = os.stat(dump) if os.path.isfile(dump) else None
        self.stop(s1)
        s2 = None
        if before is None:
            R.err(label, rep, "restart", f"skipped: no {DBFILE} (SAVE and BGSAVE failed)")
        else:
            after = os.stat(dump) if os.path.isfile(dump) else None
            if after is None or (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                R.err(label, rep, "restart", f"{DBFILE} changed or vanished when the server was stopped")

            def restart():
                nonlocal s2
                log(f"{tag} restart from {DBFILE}")
                s2 = self.start(label, sdir, wait=False)
                dt, first_pong = self.wait_loaded(s2)
                note = self.check_counts(s2, f"after the restart from {DBFILE}")
                R.add(label, rep, "restart.seconds", dt)
                R.add(label, rep, "restart.first_pong_s", first_pong)
                if note:
                    R.err(label, rep, "restart", note)
                self.memory(label, rep, s2, "restart")
            self.step(label, rep, "restart", restart)

        def reload():
            nonlocal s2
            if s2 is not None and s2.proc.poll() is None:
                try:
                    self.check_counts(s2, "")
                    return
                except (StepError, RespError, OSError):
                    pass
            if s2 is not None:
                self.stop(s2)
                s2 = None
            if os.path.exists(dump):
                os.unlink(dump)
            log(f"{tag} no dataset after the restart: loading it again for the latency test")
            s2 = self.start(label, sdir)
            self.pipe_load(s2)
            self.check_counts(s2, "after the reload")
        if not self.step(label, rep, "latency (reload)", reload):
            if s2 is not None:
                self.stop(s2)
            return None
        return s2

    def wait_loaded(self, srv, timeout=900.0):
        """Seconds from spawn until PING -> PONG and INFO persistence loading:0, polled every
        2 ms over one connection (re-opened if it fails); also the time of the first PONG."""
        t0, conn, first = srv.t_spawn, None, None
        try:
            for _ in range(10_000_000):
                self.alive(srv, "while starting")
                if time.perf_counter() - t0 > timeout:
                    break
                try:
                    if conn is None:
                        conn = Conn(srv.port, timeout=30, connect_timeout=0.5)
                    if conn.call("PING") == "PONG":
                        first = first or time.perf_counter() - t0
                        if info_field(conn, "persistence", "loading") == "0":
                            return time.perf_counter() - t0, first
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
        raise StepError(f"not PONG and loading:0 within {timeout:.0f}s")

    def latency(self, rep, servers, order):
        """SET latency on both servers, interleaved so that both see the same background load:
        idle in slices of ~0.5 s, then one background job (BG_CMD: BGSAVE here) at a time (SETs
        from sending it until BG_FLAGS are all 0, then the other server), until each has its
        window."""
        rng = random.Random(SEED + rep)
        val = b"v" * 100
        keys = self.ds.lat_keys
        cmds = [resp_cmd([b"SET", keys[rng.randrange(len(keys))], val]) for _ in range(1 << 16)]
        pc = time.perf_counter_ns
        R = self.res
        order = [lb for lb in order if lb in servers]
        st = {lb: dict(i=0, idle=[], idle_s=0.0, bg=[], bg_s=0.0, saves=0) for lb in order}
        conns, ok = {}, set()

        def loop(lb, seconds, poll=None):
            """SETs for `seconds` (or until poll() says stop, asked every 10 ms); latencies in ns."""
            c, s = conns[lb][0], st[lb]
            sock, lat, i = c.sock, [], s["i"]
            t_end = pc() + int(seconds * 1e9)
            next_poll = pc() + 10_000_000
            for _ in range(100_000_000):
                cmd = cmds[i & 0xFFFF]
                i += 1
                t0 = pc()
                sock.sendall(cmd)
                r = c.read()
                t1 = pc()
                if r != "OK":
                    raise StepError(f"SET replied {r!r}")
                lat.append(t1 - t0)
                if poll is not None and t1 >= next_poll:
                    if poll():
                        break
                    next_poll = pc() + 10_000_000
                if t1 >= t_end:
                    break
            s["i"] = i
            return lat

        def bgsave_round(lb):
            """SETs from sending BG_CMD until it has finished; returns seconds."""
            ctl, srv = conns[lb][1], servers[lb]
            self.wait_bgsave_idle(ctl, srv)
            t0 = time.perf_counter()
            reply = as_text(ctl.call(self.BG_CMD))
            flag = {"running": "schedul" not in reply.lower()}

            def poll():
                if self.bg_running(ctl):
                    flag["running"] = True
                    return False
                if time.perf_counter() - t0 > 600:
                    raise StepError(f"{self.BG_CMD} did not end in 600 s")
                return flag["running"]
            lat = loop(lb, 600.0, poll)
            if info_field(ctl, "persistence", self.BG_STATUS) != "ok":
                raise StepError(f"{self.BG_STATUS} is not ok")
            st[lb]["bg"] += lat
            st[lb]["saves"] += 1
            return time.perf_counter() - t0

        try:
            for lb in order:
                try:
                    conns[lb] = (Conn(servers[lb].port), Conn(servers[lb].port, timeout=600))
                    ok.add(lb)
                except OSError as e:
                    R.err(lb, rep, "latency", f"connect: {e}")
            idle_s = self.a.lat_idle_s
            slices = max(1, round(idle_s / 0.5))
            log(f"[rep{rep}] SET latency idle, {idle_s:g}s per server in {slices} slice(s) each")
            for k in range(slices):
                for lb in (order if k % 2 == 0 else order[::-1]):
                    if lb not in ok:
                        continue
                    try:
                        t0 = time.perf_counter()
                        st[lb]["idle"] += loop(lb, idle_s / slices)
                        st[lb]["idle_s"] += time.perf_counter() - t0
                    except (StepError, RespError, OSError, ValueError) as e:
                        R.err(lb, rep, "latency idle", f"{type(e).__name__}: {e}")
                        ok.discard(lb)
            idle_ok = set(ok)
            win, bg = self.bg_window_s(), self.BG_CMD
            log(f"[rep{rep}] SET latency during {bg}s, >= {win:g}s per server, one {bg} at a time")
            t_all = time.perf_counter()
            for k in range(100_000):
                todo = [lb for lb in (order if k % 2 == 0 else order[::-1])
                        if lb in ok and st[lb]["bg_s"] < win]
                if not todo or time.perf_counter() - t_all > 1800:
                    break
                for lb in todo:
                    try:
                        st[lb]["bg_s"] += bgsave_round(lb)
                    except (StepError, RespError, OSError, ValueError) as e:
                        R.err(lb, rep, f"latency during {bg}", f"{type(e).__name__}: {e}")
                        ok.discard(lb)
        finally:
            for cs in conns.values():
                for c in cs:
                    c.close()

        def stats(lb, prefix, lat, secs):
            s = sorted(lat)
            for p in (50, 99, 99.9):
                R.add(lb, rep, f"{prefix}.p{p:g}_ms", pct(s, p) / 1e6)
            R.add(lb, rep, f"{prefix}.max_ms", s[-1] / 1e6)
            R.add(lb, rep, f"{prefix}.ops_per_s", len(s) / secs)
        for lb in order:
            if lb in idle_ok and st[lb]["idle"]:
                stats(lb, "lat.idle", st[lb]["idle"], st[lb]["idle_s"])
            if lb in ok and st[lb]["bg"]:
                stats(lb, f"lat.{self.BG_TAG}", st[lb]["bg"], st[lb]["bg_s"])
                R.add(lb, rep, f"lat.{self.BG_TAG}.{self.BG_COUNT}", st[lb]["saves"])

    def run(self):
        for rep in range(self.a.reps):
            order = ("A", "B") if rep % 2 == 0 else ("B", "A")
            dirs, servers = {}, {}
            try:
                for label in order:
                    dirs[label] = tempfile.mkdtemp(prefix=f"ssrdb-{label}-")
                    m0 = self.cpu.mark()
                    srv = self.prepare(label, rep, dirs[label])
                    if srv is not None:
                        servers[label] = srv
                    other = self.cpu.other_cores(m0)
                    self.res.other_cores[(label, rep)] = other
                    log(f"[{label} rep{rep}] other CPU load meanwhile {other:.2f} cores")
                if servers:
                    m0 = self.cpu.mark()
                    self.latency(rep, servers, order)
                    other = self.cpu.other_cores(m0)
                    self.res.other_cores[("lat", rep)] = other
                    log(f"[rep{rep}] latency: other CPU load meanwhile {other:.2f} cores")
            finally:
                self.stop_all()
                for d in dirs.values():
                    shutil.rmtree(d, ignore_errors=True)


def log_tail(srv, n=400):
    try:
        with open(os.path.join(srv.dir, "log"), "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - n))
            return f.read().decode(errors="replace").replace("\n", " | ")
    except OSError:
        return "(no log)"


def version(binary):
    try:
        p = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip()[:200]
    except (OSError, subprocess.SubprocessError) as e:
        return f"? ({e})"



def add_server_args(ap):
    """--a/--b (binaries of the two servers) and --a-name/--b-name, shared by the bench scripts."""
    ap.add_argument("--a", default="redis-server", help="binary of server A (real Redis)")
    ap.add_argument("--b", default=os.path.join(HERE, "..", "build", "snapstream-server"),
                    help="binary of server B (default: build/snapstream-server)")
    ap.add_argument("--a-name", default="redis")
    ap.add_argument("--b-name", default="snapstream")


def table_head(title, args, names, elapsed, bench_n):
    """The two lines above a result table of a script that runs redis-benchmark."""
    return (f"{title}, {args.keys:,} mixed keys, {args.reps} rep(s) alternating order, "
            f"{elapsed:.0f} s; A = {args.a} ({names['A']}), B = {args.b} ({names['B']})\n"
            f"redis-benchmark -n: {', '.join(f'{p} {n:,}' for p, n in bench_n.items()) or '-'}; "
            "values are medians over reps; want lo/hi = lower/higher is better, blank = "
            "informational;\nspread = (max-min)/median; paired B/A = min-max of per-rep ratios; "
            f"! = other CPU load above {BUSY_CORES} cores during a rep")


def finish_args(args, modes):
    """Fills unset options from modes["quick"|"full"], checks both binaries, turns SIGTERM into
    KeyboardInterrupt (so a killed run still writes its partial results); returns (mode, names)."""
    mode = "quick" if args.quick else "full"
    for k, v in modes[mode].items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    names = {"A": args.a_name, "B": args.b_name}
    for lb, b in (("A", args.a), ("B", args.b)):
        if shutil.which(b) is None:
            raise SystemExit(f"server {lb}: {b} is not an executable")

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    return mode, names


def report_tail(res, summary, interrupted=False, which="lo/hi"):
    """The lines under a result table: other CPU load per run, the B/A noise floor, errors."""
    tail = ""
    oc = res.other_cores
    if oc:
        tail += ("\nother CPU load per run (cores): " +
                 ", ".join(f"{lb}{r}={v:.2f}" for (lb, r), v in sorted(oc.items(), key=lambda x: (x[0][1], x[0][0])))
                 + "\n")
    nz = noise(summary)
    if nz:
        tail += (f"B/A over {nz['metrics']} {which} metrics: median |ratio-1| = {nz['median_abs_dev']:.3f}, "
                 f"max = {nz['max_abs_dev']:.3f} (the noise floor if A and B are the same server)\n")
    errs = getattr(res, "errors", None)
    if errs:
        tail += f"\n{len(errs)} error(s):\n" + "\n".join(
            f"  [{e['server']} rep{e['rep']} {e['step']}] {e['error']}" for e in errs) + "\n"
    if interrupted:
        tail += "\nRUN INTERRUPTED - partial results\n"
    return tail


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_args(ap)
    ap.add_argument("--quick", action="store_true", help="200,000 keys, 1 rep, shorter latency windows")
    ap.add_argument("--reps", type=int, help="repetitions (default 3; --quick 1)")
    ap.add_argument("--keys", type=int, help="keys in the dataset (default 1,000,000; --quick 200,000)")
    ap.add_argument("--lat-idle-s", type=float, help="idle SET latency window (default 3; --quick 1)")
    ap.add_argument("--lat-bgsave-s", type=float, help="SET latency window during BGSAVEs (default 4; --quick 2)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="where the .json and .txt go")
    args = ap.parse_args()
    mode, names = finish_args(args, MODES)

    started = datetime.datetime.now()
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="ssrdb-data-") as tmp:
        log(f"generating the dataset ({args.keys:,} keys)")
        t0 = time.perf_counter()
        ds = Dataset(os.path.join(tmp, "dataset.resp"), args.keys, args.seed)
        log(f"dataset generated in {time.perf_counter() - t0:.1f}s")
        print(ds.describe(), flush=True)
        bench = Bench(args, ds)
        try:
            bench.run()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bench.stop_all()
    summary = bench.res.summary()
    text = (f"\nRDB persistence, {args.keys:,} mixed keys, {args.reps} rep(s) alternating order; "
            f"A = {args.a} ({names['A']}), B = {args.b} ({names['B']})\n"
            "values are medians over reps; want lo = lower is better, blank = informational; "
            "spread = (max-min)/median; paired B/A = min-max of per-rep ratios;\n"
            f"! = other CPU load above {BUSY_CORES} cores during a rep")
    text += "\n" + render(summary, names) + "\n"
    text += report_tail(bench.res, summary, interrupted, which="'lo'")
    nz, oc, errs = noise(summary), bench.res.other_cores, bench.res.errors
    print(text)
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, f"rdb-{mode}-{started.strftime('%Y%m%d-%H%M%S')}")
    doc = dict(meta=dict(mode=mode, keys=args.keys, reps=args.reps, lat_idle_s=args.lat_idle_s,
                         lat_bgsave_s=args.lat_bgsave_s, started=started.isoformat(),
                         interrupted=interrupted,
                         host=dict(nproc=os.cpu_count(), platform=platform.platform())),
               servers={lb: dict(name=names[lb], binary=b, version=version(b))
                        for lb, b in (("A", args.a), ("B", args.b))},
               dataset=ds.as_dict(), metrics=summary, noise=nz, errors=errs,
               other_cores={f"{lb}{r}": v for (lb, r), v in oc.items()})
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(base + ".txt", "w") as f:
        f.write(ds.describe() + "\n" + text)
    log(f"wrote {base}.json and {base}.txt")
    return 1 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
