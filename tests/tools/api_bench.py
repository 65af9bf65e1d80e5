#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""API benchmark: durable port.create throughput and latency, and port.list.

Starts its own vswd (a fresh one, in a temporary run dir, for every phase so
each phase starts from an empty state db), then per repetition:
  pipe : COUNT port.create on one connection, WINDOW requests outstanding
  conns: COUNT port.create over CONNS connections at once, each a plain
         request/response client (CONN_WINDOW outstanding, default 1)
and after each phase times port.list of the COUNT ports (median of 5).
Phases alternate (pipe, conns, pipe, conns, ...) and medians are printed.
Every port.create is acknowledged only once committed (SPEC.md section 2).

  tests/tools/api_bench.py --build build [--reps 3] [--count 10000] [--json]
"""
import argparse
import json
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque


class Daemon:
    def __init__(self, build, workers, base_dir):
        self.run_dir = tempfile.mkdtemp(prefix="vsw-bench-", dir=base_dir)
        self.sock = os.path.join(self.run_dir, "vsw.sock")
        self.log = open(os.path.join(self.run_dir, "vswd.log"), "wb")
        cmd = [os.path.join(build, "control", "vswd"), "--run-dir", self.run_dir,
               "--log-level", "warning"]
        if workers:
            cmd += ["--workers", workers]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("vswd exited %d: %s" % (self.proc.returncode, self.tail()))
            try:
                call(self.sock, "system.info", {})
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("vswd not ready: " + self.tail())
                time.sleep(0.05)

    def tail(self):
        with open(os.path.join(self.run_dir, "vswd.log"), "rb") as f:
            return f.read()[-2000:].decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    return s


def call(path, method, params, timing=None):
    """One request on a fresh connection. timing (a list), if given, gets
    the seconds from send to the response's last byte (before parsing)."""
    s = connect(path)
    try:
        t0 = time.perf_counter()
        s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                              "params": params}).encode() + b"\n")
        chunks = []
        while not (chunks and chunks[-1].endswith(b"\n")):
            chunk = s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            chunks.append(chunk)
        if timing is not None:
            timing.append(time.perf_counter() - t0)
    finally:
        s.close()
    resp = json.loads(b"".join(chunks))
    if "error" in resp:
        raise RuntimeError("%s failed: %r" % (method, resp["error"]))
    return resp["result"]


class Conn:
    """One client connection with its queue of outstanding send times."""

    def __init__(self, path, requests, window):
        self.sock = connect(path)
        self.sock.setblocking(False)
        self.requests = requests
        self.next = 0
        self.window = window
        self.sent_at = deque()
        self.out = b""
        self.inbuf = b""
        self.done = 0

    def fill(self, now):
        while self.next < len(self.requests) and len(self.sent_at) < self.window:
            self.out += self.requests[self.next]
            self.sent_at.append(now)
            self.next += 1

    def flush(self):
        if self.out:
            try:
                n = self.sock.send(self.out)
                self.out = self.out[n:]
            except BlockingIOError:
                pass

    def finished(self):
        return self.done == len(self.requests)


def drive(path, net_id, count, conns, window):
    """count port.create over conns connections; returns (seconds, latencies)."""
    per = [count // conns + (1 if i < count % conns else 0) for i in range(conns)]
    clients = []
    rid = 0
    for n in per:
        reqs = []
        for _ in range(n):
            rid += 1
            reqs.append(json.dumps({"jsonrpc": "2.0", "id": rid, "method": "port.create",
                                    "params": {"network_id": net_id}},
                                   separators=(",", ":")).encode() + b"\n")
        clients.append(Conn(path, reqs, window))
    sel = selectors.DefaultSelector()
    for c in clients:
        sel.register(c.sock, selectors.EVENT_READ, c)
    lat = []
    errors = 0
    t0 = time.perf_counter()
    for c in clients:
        c.fill(t0)
        c.flush()
    while not all(c.finished() for c in clients):
        events = sel.select(timeout=30)
        if not events:
            raise RuntimeError("no response in 30 s")
        for key, mask in events:
            c = key.data
            if not mask & selectors.EVENT_READ:
                continue
            try:
                chunk = c.sock.recv(1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise RuntimeError("vswd closed a connection")
            now = time.perf_counter()
            c.inbuf += chunk
            lines = c.inbuf.split(b"\n")
            c.inbuf = lines.pop()
            for line in lines:
                if b'"error"' in line and "error" in json.loads(line):
                    errors += 1
                lat.append(now - c.sent_at.popleft())
                c.done += 1
            c.fill(now)
        for c in clients:
            c.flush()
            want = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0)
            if sel.get_key(c.sock).events != want:
                sel.modify(c.sock, want, c)
    elapsed = time.perf_counter() - t0
    for c in clients:
        sel.unregister(c.sock)
        c.sock.close()
    sel.close()
    if errors:
        raise RuntimeError("%d port.create calls failed" % errors)
    return elapsed, lat


def time_list(path, net_id, count, runs=5):
    """Medians of (send -> last byte, send -> parsed by Python's json)."""
    wire, total = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        ports = call(path, "port.list", {"network_id": net_id}, timing=wire)
        total.append(time.perf_counter() - t0)
        if len(ports) != count:
            raise RuntimeError("port.list gave %d ports, expected %d" % (len(ports), count))
    return statistics.median(wire), statistics.median(total)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def proc_cpu_s(pid):
    """User+system CPU seconds of a process (all its threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase(args, name):
    d = Daemon(args.build, args.workers, args.run_dir_base)
    try:
        net = call(d.sock, "network.create", {"name": "bench"})["id"]
        s0 = call(d.sock, "stats.get", {})
        cpu0, me0 = proc_cpu_s(d.proc.pid), os.times()
        if name == "pipe":
            secs, lat = drive(d.sock, net, args.count, 1, args.window)
        else:
            secs, lat = drive(d.sock, net, args.count, args.conns, args.conn_window)
        cpu1, me1 = proc_cpu_s(d.proc.pid), os.times()
        s1 = call(d.sock, "stats.get", {})
        list_wire_s, list_s = time_list(d.sock, net, args.count)
    finally:
        d.stop()
    commits = s1["api"]["commits"] - s0["api"]["commits"]
    return {"calls_per_s": args.count / secs, "seconds": secs,
            "p50_ms": pct(lat, 50) * 1e3, "p99_ms": pct(lat, 99) * 1e3,
            "list_ms": list_s * 1e3, "list_wire_ms": list_wire_s * 1e3,
            "commits": commits,
            "creates_per_commit": args.count / commits if commits else 0.0,
            "daemon_cpu_s": cpu1 - cpu0,
            "client_cpu_s": (me1.user + me1.system) - (me0.user + me0.system)}


def main():
    top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("VSW_BUILD", os.path.join(top, "build")))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--window", type=int, default=256,
                    help="outstanding requests on the one pipelined connection")
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--conn-window", type=int, default=1,
                    help="outstanding requests per connection in the multi-connection phase")
    ap.add_argument("--workers", default=None, help="vswd --workers (default: vswd's)")
    ap.add_argument("--run-dir-base", default=None,
                    help="where run dirs (and so the state db) go; default $TMPDIR")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    load_before = open("/proc/loadavg").read().split()[:3]
    runs = {"pipe": [], "conns": []}
    for rep in range(args.reps):
        for name in ("pipe", "conns"):
            r = phase(args, name)
            runs[name].append(r)
            if not args.json:
                print("rep %d %-5s %8.0f calls/s  p50 %7.3f ms  p99 %7.3f ms  "
                      "port.list(%d) %6.1f ms wire %6.1f ms parsed  %5.1f creates/commit  "
                      "cpu vswd %.2f s client %.2f s"
                      % (rep + 1, name, r["calls_per_s"], r["p50_ms"], r["p99_ms"],
                         args.count, r["list_wire_ms"], r["list_ms"], r["creates_per_commit"],
                         r["daemon_cpu_s"], r["client_cpu_s"]), flush=True)
    summary = {}
    for name, rs in runs.items():
        summary[name] = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
    result = {
        "count": args.count, "reps": args.reps, "window": args.window,
        "conns": args.conns, "conn_window": args.conn_window,
        "median": summary, "runs": runs,
        "host": {"cpus": os.cpu_count(), "uname": " ".join(os.uname()),
                 "loadavg_before": load_before,
                 "loadavg_after": open("/proc/loadavg").read().split()[:3]},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("median of %d reps (%d port.create each); load average before %s, after %s:"
              % (args.reps, args.count, "/".join(result["host"]["loadavg_before"]),
                 "/".join(result["host"]["loadavg_after"])))
        labels = {"pipe": "1 conn, window %d" % args.window,
                  "conns": "%d conns, window %d each" % (args.conns, args.conn_window)}
        for name, m in summary.items():
            print("  %-24s %8.0f calls/s  p50 %7.3f ms  p99 %7.3f ms  "
                  "port.list %6.1f ms to the last byte, %6.1f ms parsed"
                  % (labels[name], m["calls_per_s"], m["p50_ms"], m["p99_ms"],
                     m["list_wire_ms"], m["list_ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
