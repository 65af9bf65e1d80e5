# SPDX-License-Identifier: BSD-3-Clause
"""Harness for integration tests: a real vswd per test, driven over its socket.

Every daemon runs in its own temporary run dir (so its EAL file prefix,
socket and state db are its own), is stopped by PID, and the run dir is
removed afterwards. Nothing is killed by name.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("VSW_BUILD", os.path.join(TOP, "build"))
VSWD = os.path.join(BUILD, "control", "vswd")
VSWCTL = os.path.join(BUILD, "control", "vswctl")


class RpcError(Exception):
    def __init__(self, error):
        self.error = error
        self.code = error.get("code")
        data = error.get("data") or {}
        self.type = data.get("type")
        self.field = data.get("field")
        super().__init__("%s %s %s: %s" % (self.code, self.type, self.field,
                                           error.get("message")))


class Client:
    """A JSON-RPC client on a vswd socket: one JSON object per response line."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def recv_line(self):
        """Returns one response (parsed), or None when the server closed."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, method, params=None, **extra):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        msg.update(extra)
        self.send_raw(json.dumps(msg) + "\n")
        resp = self.recv_line()
        if resp is None:
            raise ConnectionError("vswd closed the connection")
        return resp

    def call(self, method, params=None):
        resp = self.request(method, params if params is not None else {})
        if "error" in resp:
            raise RpcError(resp["error"])
        return resp["result"]


class Vswd:
    """One vswd process in its own run dir."""

    def __init__(self, run_dir=None, args=(), workers=None, env=None):
        self.own_dir = run_dir is None
        self.run_dir = run_dir or tempfile.mkdtemp(prefix="vswtest-")
        self.args = list(args)
        self.workers = workers
        self.env = env
        self.proc = None
        self.eal_prefix = None
        self.log_path = os.path.join(self.run_dir, "vswd.log")

    @property
    def socket_path(self):
        return os.path.join(self.run_dir, "vsw.sock")

    @property
    def db_path(self):
        return os.path.join(self.run_dir, "vsw.db")

    def command(self):
        cmd = [VSWD, "--run-dir", self.run_dir]
        if self.workers is not None:
            cmd += ["--workers", self.workers]
        return cmd + self.args

    def start(self, timeout=30.0, expect_ready=True):
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        if expect_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("vswd exited with %d:\n%s" %
                                   (self.proc.returncode, self.read_log()))
            c = None
            try:
                c = Client(self.socket_path, timeout=2.0)
                info = c.call("system.info")
                self.eal_prefix = info.get("eal_file_prefix")
                return
            except (OSError, RpcError):
                time.sleep(0.05)
            finally:
                if c is not None:
                    c.close()
        raise RuntimeError("vswd not ready in %.0fs:\n%s" % (timeout, self.read_log()))

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-8000:]
        except OSError:
            return ""

    def client(self, timeout=10.0):
        return Client(self.socket_path, timeout)

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after timeout. Returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        rc = self.wait_exit(timeout)
        if rc is None:
            self.proc.kill()
            rc = self.proc.wait(10)
        return rc

    def kill9(self):
        self.proc.kill()
        return self.proc.wait(10)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc is not None:
            self.log.close()
        # A killed vswd cannot remove its EAL runtime dir (MBs of tmpfs).
        if self.eal_prefix:
            base = "/var/run/dpdk" if os.getuid() == 0 else os.path.join(
                os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
            shutil.rmtree(os.path.join(base, self.eal_prefix), ignore_errors=True)
        if self.own_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def vswctl(args, socket_path, check=False, timeout=30, env=None):
    """Runs vswctl; returns CompletedProcess (text)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([VSWCTL, "--socket", socket_path] + list(args),
                          capture_output=True, text=True, timeout=timeout,
                          env=e, check=check)


class VswdTestCase(unittest.TestCase):
    """Starts one vswd per test (self.vswd, self.c) and cleans up after."""

    vswd_args = ()

    def setUp(self):
        self.vswd = Vswd(args=self.vswd_args)
        self.addCleanup(self.vswd.cleanup)
        self.vswd.start()
        self.c = self.vswd.client()
        self.addCleanup(self.c.close)


def main():
    """unittest main that ends with the line run_all sums: 'RESULT: N passed, M failed'."""
    prog = unittest.main(exit=False, verbosity=2)
    res = prog.result
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    passed = res.testsRun - failed - len(res.skipped)
    print("RESULT: %d passed, %d failed, %d skipped" % (passed, failed, len(res.skipped)))
    sys.stdout.flush()
    sys.exit(1 if failed else 0)
