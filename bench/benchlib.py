"""Shared pieces of the bench/ scripts: free ports, starting and stopping a server by its pid."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


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
    """A server process on a free 127.0.0.1 port with --save "" --appendonly <appendonly> (no).

    dir: run in this existing directory (kept on stop) instead of a fresh temp dir (removed on
    stop); extra: more argv after the fixed flags; wait=False returns right after the process was
    spawned, with self.t_spawn = time.perf_counter() taken just before it."""

    def __init__(self, argv_prefix, dir=None, extra=(), wait=True, appendonly="no"):
        self.own_dir = dir is None
        self.dir = tempfile.mkdtemp(prefix="ssbench-") if dir is None else dir
        self.port = free_port()
        argv = argv_prefix + ["--port", str(self.port), "--dir", self.dir, "--save", "",
                              "--appendonly", appendonly, "--bind", "127.0.0.1"] + list(extra)
        self.log = open(os.path.join(self.dir, "log"), "a")
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            try:
                wait_ready(self.port, self.proc)
            except Exception:
                self.stop()
                raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def cpu_seconds(pid):
    """User + system CPU time of a process (all its threads) from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
