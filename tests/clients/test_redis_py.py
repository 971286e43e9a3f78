#!/usr/bin/python3
"""A realistic redis-py session against the real snapstream-server binary.

Usage: /usr/bin/python3 test_redis_py.py <path-to-snapstream-server>

Starts the binary itself on a free 127.0.0.1 port in a temporary directory (only its own
child, by pid), runs the checks, stops the server, and prints "N passed, N failed" as its
last line. Exit code 0 only if every check passed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import redis

READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The binary under test as a child process, stopped by its own pid."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="snapstream-redis-py-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.port = None

    def start(self):
        last_error = None
        for _ in range(3):  # a port taken between picking and binding: try another
            self.port = free_port()
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(
                    [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
                     "--save", "", "--appendonly", "no"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
            finally:
                log.close()
            deadline = time.monotonic() + READY_TIMEOUT_S
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last_error = "exited with %s before answering PING" % self.proc.returncode
                    break
                try:
                    if redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping():
                        return
                except redis.RedisError as e:
                    last_error = str(e)
                time.sleep(0.02)
            else:
                self.stop()
                raise RuntimeError("no PONG within %.0f s: %s\n%s" % (READY_TIMEOUT_S, last_error, self.log()))
        raise RuntimeError("server did not start: %s\n%s" % (last_error, self.log()))

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


# --- checks: each takes a fresh decode_responses client and a raw (bytes) client ---

def check_set_get(r, raw):
    eq(r.set("greeting", "hello"), True, "SET")
    eq(r.get("greeting"), "hello", "GET")
    eq(r.get("missing"), None, "GET missing")
    eq(r.set("greeting", "x", nx=True), None, "SET NX on existing")
    eq(r.set("greeting", "world", xx=True, get=True), "hello", "SET XX GET")
    blob = bytes(range(256)) + b"\r\n\x00end"
    eq(raw.set(b"blob\x00key", blob), True, "SET binary")
    eq(raw.get(b"blob\x00key"), blob, "GET binary")
    eq(r.strlen("greeting"), 5, "STRLEN")
    eq(r.append("greeting", "!"), 6, "APPEND")
    eq(r.getrange("greeting", 0, 2), "wor", "GETRANGE")


def check_mset_mget(r, raw):
    eq(r.mset({"m1": "1", "m2": "two", "m3": ""}), True, "MSET")
    eq(r.mget(["m1", "m2", "missing", "m3"]), ["1", "two", None, ""], "MGET")
    eq(r.msetnx({"m1": "x", "m4": "y"}), False, "MSETNX with an existing key")
    eq(r.exists("m4"), 0, "MSETNX set nothing")


def check_incr(r, raw):
    eq(r.incr("counter"), 1, "INCR new")
    eq(r.incr("counter", 41), 42, "INCRBY")
    eq(r.decr("counter", 2), 40, "DECRBY")
    eq(r.get("counter"), "40", "GET counter")
    r.set("notanumber", "abc")
    try:
        r.incr("notanumber")
        raise AssertionError("INCR on a non-integer should fail")
    except redis.ResponseError as e:
        eq(str(e), "value is not an integer or out of range", "INCR error text")
    r.set("big", "9223372036854775807")
    try:
        r.incr("big")
        raise AssertionError("INCR overflow should fail")
    except redis.ResponseError as e:
        eq(str(e), "increment or decrement would overflow", "INCR overflow text")


def check_incrbyfloat(r, raw):
    eq(r.incrbyfloat("f", 1.5), 1.5, "INCRBYFLOAT new")
    eq(r.incrbyfloat("f", 2.25), 3.75, "INCRBYFLOAT")
    eq(r.get("f"), "3.75", "stored float text")
    r.set("f2", "10.5")
    eq(r.incrbyfloat("f2", 0.1), 10.6, "INCRBYFLOAT 0.1")
    eq(r.get("f2"), "10.6", "INCRBYFLOAT formats like Redis")


def check_expire_ttl(r, raw):
    r.set("e", "v")
    eq(r.ttl("e"), -1, "TTL without expiry")
    eq(r.ttl("missing"), -2, "TTL missing")
    eq(r.expire("e", 100), True, "EXPIRE")
    ttl = r.ttl("e")
    expect(99 <= ttl <= 100, "TTL after EXPIRE 100: %r" % ttl)
    pttl = r.pttl("e")
    expect(98000 < pttl <= 100000, "PTTL after EXPIRE 100: %r" % pttl)
    eq(r.persist("e"), True, "PERSIST")
    eq(r.ttl("e"), -1, "TTL after PERSIST")
    eq(r.set("e2", "v", ex=50), True, "SET EX")
    expect(49 <= r.ttl("e2") <= 50, "TTL after SET EX 50")
    eq(r.expire("e2", -1), True, "EXPIRE negative deletes")
    eq(r.exists("e2"), 0, "key gone after EXPIRE -1")
    eq(r.set("e3", "v", px=200), True, "SET PX 200")
    deadline = time.monotonic() + 10
    while r.exists("e3") and time.monotonic() < deadline:
        time.sleep(0.05)
    eq(r.exists("e3"), 0, "key expired after PX 200")


def check_scan_iter(r, raw):
    expected = set()
    pipe = r.pipeline(transaction=False)
    for i in range(250):
        pipe.set("scan:%d" % i, i)
        expected.add("scan:%d" % i)
    pipe.execute()
    r.set("other", "x")
    got = list(r.scan_iter(match="scan:*", count=20))
    eq(set(got), expected, "SCAN MATCH set")
    eq(len(set(got)), 250, "SCAN count")
    got_typed = set(r.scan_iter(match="scan:1*", _type="string"))
    eq(got_typed, {k for k in expected if k.startswith("scan:1")}, "SCAN TYPE string")
    eq(set(r.scan_iter(match="scan:*", _type="list")), set(), "SCAN TYPE list")


def check_pipeline(r, raw):
    pipe = r.pipeline(transaction=False)
    for i in range(200):
        pipe.set("p:%d" % i, "v%d" % i)
        pipe.get("p:%d" % i)
    pipe.incr("p:counter")
    pipe.get("p:missing")
    results = pipe.execute()
    eq(len(results), 402, "pipeline result count")
    for i in range(200):
        eq(results[2 * i], True, "pipelined SET %d" % i)
        eq(results[2 * i + 1], "v%d" % i, "pipelined GET %d" % i)
    eq(results[400], 1, "pipelined INCR")
    eq(results[401], None, "pipelined GET missing")
    # Errors inside a pipeline come back in place when asked not to raise.
    pipe = r.pipeline(transaction=False)
    pipe.set("p:str", "abc")
    pipe.incr("p:str")
    pipe.get("p:str")
    res = pipe.execute(raise_on_error=False)
    eq(res[0], True, "pipeline SET")
    expect(isinstance(res[1], redis.ResponseError), "pipeline INCR error: %r" % (res[1],))
    eq(res[2], "abc", "pipeline GET after error")


def check_info(r, raw):
    info = r.info()
    for field in ("redis_version", "connected_clients", "used_memory", "total_commands_processed",
                  "keyspace_hits", "expired_keys", "instantaneous_ops_per_sec", "role"):
        expect(field in info, "INFO lacks %s" % field)
    expect(isinstance(info["connected_clients"], int) and info["connected_clients"] >= 1,
           "connected_clients %r" % info["connected_clients"])
    expect(isinstance(info["used_memory"], int) and info["used_memory"] > 0, "used_memory")
    r.set("ks1", "1")
    r.set("ks2", "2", ex=1000)
    ks = r.info("keyspace")
    expect("db0" in ks, "INFO keyspace lacks db0: %r" % ks)
    eq(ks["db0"]["keys"], r.dbsize(), "db0 keys")
    expect(ks["db0"]["expires"] >= 1, "db0 expires %r" % ks["db0"])
    expect("avg_ttl" in ks["db0"], "db0 avg_ttl")
    server = r.info("server")
    expect("redis_version" in server and "connected_clients" not in server, "INFO server section only")


def check_config(r, raw):
    eq(r.config_get("timeout"), {"timeout": "0"}, "CONFIG GET timeout")
    eq(r.config_set("timeout", 300), True, "CONFIG SET timeout")
    eq(r.config_get("timeout"), {"timeout": "300"}, "CONFIG GET after SET")
    eq(r.config_set("maxmemory", "2mb"), True, "CONFIG SET maxmemory")
    eq(r.config_get("maxmemory"), {"maxmemory": "2097152"}, "maxmemory in bytes")
    r.config_set("maxmemory", 0)
    r.config_set("timeout", 0)
    try:
        r.config_set("no-such-param", "1")
        raise AssertionError("CONFIG SET of an unknown parameter should fail")
    except redis.ResponseError as e:
        expect("no-such-param" in str(e), "error names the parameter: %s" % e)
    eq(r.config_get("no-such-param"), {}, "CONFIG GET unknown")


def check_client(r, raw):
    eq(r.client_getname(), None, "CLIENT GETNAME before SETNAME")
    eq(r.client_setname("py-client"), True, "CLIENT SETNAME")
    eq(r.client_getname(), "py-client", "CLIENT GETNAME")
    my_id = r.client_id()
    expect(isinstance(my_id, int) and my_id > 0, "CLIENT ID %r" % my_id)
    clients = r.client_list()
    mine = [c for c in clients if c.get("id") == str(my_id)]
    eq(len(mine), 1, "own entry in CLIENT LIST")
    eq(mine[0].get("name"), "py-client", "name in CLIENT LIST")
    expect(mine[0].get("addr", "").startswith("127.0.0.1:"), "addr in CLIENT LIST: %r" % mine[0])
    other = redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"],
                        client_name="second", decode_responses=True)
    other.ping()
    names = [c.get("name") for c in r.client_list()]
    expect("second" in names, "second client listed: %r" % names)
    other_id = other.client_id()
    eq(r.client_kill_filter(_id=other_id), 1, "CLIENT KILL ID")
    other.close()


def check_keys_exists_delete_rename(r, raw):
    r.mset({"k:1": "a", "k:2": "b", "k:3": "c", "other:1": "d"})
    eq(sorted(r.keys("k:*")), ["k:1", "k:2", "k:3"], "KEYS k:*")
    eq(sorted(r.keys("k:[12]")), ["k:1", "k:2"], "KEYS k:[12]")
    eq(r.exists("k:1", "k:1", "missing"), 2, "EXISTS counts repeats")
    eq(r.delete("k:1", "missing"), 1, "DEL")
    eq(r.exists("k:1"), 0, "deleted")
    eq(r.rename("k:2", "k:renamed"), True, "RENAME")
    eq(r.get("k:renamed"), "b", "value moved")
    eq(r.exists("k:2"), 0, "old name gone")
    eq(r.renamenx("k:3", "k:renamed"), False, "RENAMENX onto existing")
    try:
        r.rename("missing", "x")
        raise AssertionError("RENAME of a missing key should fail")
    except redis.ResponseError as e:
        eq(str(e), "no such key", "RENAME error text")
    eq(r.type("k:renamed"), "string", "TYPE")
    eq(r.type("missing"), "none", "TYPE missing")
    eq(r.unlink("k:3", "other:1"), 2, "UNLINK")


def check_databases(r, raw):
    port = r.connection_pool.connection_kwargs["port"]
    db1 = redis.Redis(host="127.0.0.1", port=port, db=1, decode_responses=True)
    db1.flushdb()
    db1.set("in-db1", "x")
    eq(db1.dbsize(), 1, "DBSIZE db1")
    eq(r.exists("in-db1"), 0, "db0 does not see db1")
    eq(r.move("greeting", 1) in (True, False), True, "MOVE replies a bool")
    db1.close()


# --- the five types through redis-py, the same session against Debian's redis-server as the
# oracle: every returned Python value (redis-py's parsing of the replies) must be equal ---

def session_lists(r):
    out = [r.rpush("l", "a", "b", "c"), r.lpush("l", "z"), r.lrange("l", 0, -1), r.llen("l"),
           r.lindex("l", -1), r.linsert("l", "before", "b", "x"), r.lpos("l", "b"),
           r.lset("l", 0, "first"), r.lrem("l", 0, "x"), r.ltrim("l", 0, 1), r.lrange("l", 0, -1),
           r.lpop("l"), r.rpop("l"), r.exists("l"), r.lpop("l"),
           r.rpush("src", *[str(i) for i in range(300)]), r.lmove("src", "dst", "LEFT", "RIGHT"),
           r.rpoplpush("src", "dst"), r.lrange("dst", 0, -1), r.lpop("src", 3), r.rpop("src", 2),
           r.blpop(["nothing", "src"], timeout=1), r.brpop(["src"], timeout=1),
           r.lrange("src", 0, 4), r.object("encoding", "src")]
    r.set("str", "v")
    try:
        r.lpush("str", "x")
        out.append("no error")
    except redis.ResponseError as e:
        out.append(str(e))
    return out


def session_hashes(r):
    out = [r.hset("h", mapping={"f1": "1", "f2": "two"}), r.hget("h", "f1"), r.hgetall("h"),
           r.hsetnx("h", "f1", "x"), r.hmget("h", ["f1", "nope", "f2"]), r.hincrby("h", "f1", 41),
           r.hincrbyfloat("h", "fl", 1.5), r.hexists("h", "f2"), r.hlen("h"), r.hstrlen("h", "f2"),
           sorted(r.hkeys("h")), sorted(r.hvals("h")), r.hdel("h", "f2", "nope"),
           r.object("encoding", "h")]
    r.hset("big", mapping={"f%d" % i: "v" * (i % 80) for i in range(600)})
    out += [r.object("encoding", "big"), r.hlen("big"), r.hgetall("big") == {
        "f%d" % i: "v" * (i % 80) for i in range(600)},
        sorted(dict(r.hscan_iter("big", match="f1*", count=50)).items())]
    field = r.hrandfield("h")
    out.append(field in ("f1", "fl"))
    out.append(len(r.hrandfield("h", -5)))
    return out


def session_sets(r):
    out = [r.sadd("s", "1", "2", "3"), r.object("encoding", "s"), r.sadd("s", "x"),
           r.object("encoding", "s"), r.smembers("s"), r.sismember("s", "x"),
           r.smismember("s", ["1", "nope"]), r.scard("s"), r.srem("s", "1", "nope"),
           r.sadd("t", "2", "y"), r.sinter("s", "t"), r.sunion("s", "t"), r.sdiff("s", "t"),
           r.sinterstore("st", ["s", "t"]), r.smembers("st"), r.smove("s", "t", "3"),
           r.smembers("t"), set(r.sscan_iter("t"))]
    popped = r.spop("t", 2)
    out += [len(popped), r.scard("t"), r.srandmember("missing"), len(r.srandmember("s", -7))]
    return out


def session_zsets(r):
    out = [r.zadd("z", {"a": 1, "b": 2.5, "c": float("inf")}), r.zscore("z", "b"),
           r.zrange("z", 0, -1, withscores=True), r.zrevrange("z", 0, 1), r.zrank("z", "c"),
           r.zrevrank("z", "c"), r.zincrby("z", 0.1, "a"), r.zcount("z", "(1", "+inf"),
           r.zrangebyscore("z", 2, "+inf", withscores=True), r.zmscore("z", ["a", "nope"]),
           r.zadd("z", {"b": 1}, gt=True, ch=True), r.zadd("z", {"d": 4}, nx=True),
           r.zpopmin("z"), r.zpopmax("z", 2), r.zcard("z"), r.object("encoding", "z"),
           r.zadd("lex", {m: 0 for m in "abcdef"}), r.zrangebylex("lex", "[b", "(e"),
           r.zlexcount("lex", "-", "+"), r.zremrangebylex("lex", "-", "[b"),
           r.zunionstore("u", {"z": 2, "lex": 1}, aggregate="MAX"),
           r.zrange("u", 0, -1, withscores=True), r.zinter(["z", "u"], withscores=True),
           r.zdiff(["u", "z"]), r.bzpopmin(["nothing", "lex"], timeout=1)]
    r.zadd("big", {"m%d" % i: i / 3 for i in range(1000)})
    out += [r.object("encoding", "big"), r.zrange("big", 100, 103, withscores=True),
            r.zrangebyscore("big", 10, 11), r.zrank("big", "m500"),
            sorted(r.zscan_iter("big", match="m99*"))]
    return out


def session_transaction(r):
    pipe = r.pipeline(transaction=True)
    pipe.rpush("tl", "a", "b").hset("th", "f", "v").sadd("ts", "m").zadd("tz", {"m": 1})
    pipe.lrange("tl", 0, -1).hgetall("th").smembers("ts").zrange("tz", 0, -1, withscores=True)
    return pipe.execute()


TYPE_SESSIONS = [session_lists, session_hashes, session_sets, session_zsets, session_transaction]


def check_types_match_redis(r, raw):
    """Runs every TYPE_SESSIONS function against snapstream (r) and against a redis-server
    started here, and compares the returned values."""
    oracle = Server("/usr/bin/redis-server")
    try:
        oracle.start()
        ref = redis.Redis(host="127.0.0.1", port=oracle.port, decode_responses=True, socket_timeout=10)
        for session in TYPE_SESSIONS:
            r.flushdb()
            ref.flushdb()
            eq(session(r), session(ref), session.__name__)
        ref.close()
    finally:
        oracle.cleanup()


def check_blocking_pop_woken_by_push(r, raw):
    port = r.connection_pool.connection_kwargs["port"]
    result = {}

    def waiter():
        c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=30)
        result["blpop"] = c.blpop(["q1", "q2"], timeout=20)
        c.close()

    import threading
    t = threading.Thread(target=waiter)
    t.start()
    deadline = time.monotonic() + 10
    while r.info("clients")["blocked_clients"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    eq(r.info("clients")["blocked_clients"], 1, "one client blocked")
    eq(r.rpush("q2", "job"), 1, "RPUSH to the blocked key")
    t.join(timeout=20)
    eq(result.get("blpop"), ("q2", "job"), "BLPOP served by the push")
    eq(r.exists("q2"), 0, "the served element was removed")
    eq(r.blpop(["q1"], timeout=0.05), None, "BLPOP timeout")


CHECKS = [
    check_set_get,
    check_mset_mget,
    check_incr,
    check_incrbyfloat,
    check_expire_ttl,
    check_scan_iter,
    check_pipeline,
    check_info,
    check_config,
    check_client,
    check_keys_exists_delete_rename,
    check_databases,
    check_types_match_redis,
    check_blocking_pop_woken_by_push,
]


def main():
    if len(sys.argv) != 2:
        print("usage: test_redis_py.py <path-to-snapstream-server>")
        print("0 passed, 1 failed")
        return 2
    server = Server(sys.argv[1])
    passed = failed = 0
    started = False
    try:
        server.start()
        started = True
        for check in CHECKS:
            r = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True, socket_timeout=10)
            raw = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=10)
            try:
                r.flushdb()
                check(r, raw)
                passed += 1
                print("PASS %s" % check.__name__)
            except Exception:  # noqa: BLE001 - every failure is reported and counted
                failed += 1
                print("FAIL %s\n%s" % (check.__name__, traceback.format_exc()))
            finally:
                r.close()
                raw.close()
    except Exception:  # noqa: BLE001
        failed += 1
        print("FAIL server start-up\n%s" % traceback.format_exc())
    finally:
        if started and server.proc.poll() is not None:
            # The server must still be alive after the session.
            failed += 1
            print("FAIL server exited during the session with %s" % server.proc.returncode)
        if failed:
            print("--- server log ---\n%s" % server.log())
        server.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed == len(CHECKS) else 1


if __name__ == "__main__":
    sys.exit(main())
