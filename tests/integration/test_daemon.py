# SPDX-License-Identifier: BSD-3-Clause
"""vswd as a process: signals, several instances, command line and config
errors, and the system calls (system.info, stats.get, extensions.list)."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import vswtest
from vswtest import Vswd, VSWD


def run_vswd(args, timeout=20):
    """Runs vswd to completion; a daemon that keeps running is a failure."""
    try:
        return subprocess.run([VSWD] + list(args), capture_output=True, text=True,
                              timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise AssertionError("vswd %s did not exit in %ds: %s %s"
                             % (" ".join(args), timeout, e.stdout, e.stderr))


def eal_runtime_dir(prefix):
    """Where DPDK 22.11 keeps a primary process's runtime files."""
    base = "/var/run" if os.geteuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


class DaemonCase(unittest.TestCase):

    def new_vswd(self, **kw):
        v = Vswd(**kw)
        self.addCleanup(v.cleanup)
        return v

    def tmpdir(self):
        d = tempfile.mkdtemp(prefix="vswtest-d-")
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        return d


class SignalTests(DaemonCase):

    def check_signal_exit(self, sig):
        v = self.new_vswd().start()
        idle = v.client()
        self.addCleanup(idle.close)
        idle.call("network.create", {"name": "n"})
        half = v.client()
        self.addCleanup(half.close)
        half.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"netw')
        time.sleep(0.1)
        t0 = time.monotonic()
        v.proc.send_signal(sig)
        rc = v.wait_exit(10)
        took = time.monotonic() - t0
        self.assertIsNotNone(rc, "vswd ignored signal %d" % sig)
        self.assertEqual(rc, 0, "exit status %d:\n%s" % (rc, v.read_log()))
        self.assertLess(took, 2.0, "exit took %.2f s" % took)
        sys.stderr.write(" [exit after signal %d: %.0f ms] " % (sig, took * 1000))
        return took

    def test_sigterm_with_a_client_that_never_reads(self):
        v = self.new_vswd().start()
        c = v.client()
        self.addCleanup(c.close)
        for i in range(10):
            c.call("network.create", {"name": "n%d" % i})
        greedy = v.client()
        self.addCleanup(greedy.close)
        greedy.sock.setblocking(False)
        blob = b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"network.list","params":{}}\n' % i
                        for i in range(5000))
        sent = 0
        deadline = time.monotonic() + 5
        while sent < len(blob) and time.monotonic() < deadline:
            try:
                sent += greedy.sock.send(blob[sent:])
            except BlockingIOError:
                time.sleep(0.05)
        time.sleep(0.2)
        t0 = time.monotonic()
        v.proc.send_signal(signal.SIGTERM)
        rc = v.wait_exit(10)
        took = time.monotonic() - t0
        self.assertEqual(rc, 0, v.read_log())
        self.assertLess(took, 2.0, "exit took %.2f s with an unread client" % took)
        sys.stderr.write(" [exit with an unread client: %.0f ms] " % (took * 1000))

    def test_sigterm_clean_exit(self):
        self.check_signal_exit(signal.SIGTERM)

    def test_clean_exit_leaves_no_eal_runtime_files(self):
        # A unique EAL file prefix per run dir: leaving its runtime dir behind
        # leaks ~6 MB under /var/run (tmpfs, so RAM) for every run dir used.
        v = self.new_vswd().start()
        c = v.client()
        prefix = c.call("system.info").get("eal_file_prefix")
        c.close()
        if not prefix:
            self.skipTest("system.info does not report eal_file_prefix")
        rdir = eal_runtime_dir(prefix)
        self.assertTrue(os.path.isdir(rdir), rdir)
        self.assertEqual(v.stop(), 0)
        self.assertFalse(os.path.exists(rdir), "EAL runtime dir %s left behind: %s"
                         % (rdir, os.listdir(rdir) if os.path.isdir(rdir) else ""))

    def test_sigint_clean_exit(self):
        self.check_signal_exit(signal.SIGINT)


class InstanceTests(DaemonCase):

    def test_two_instances_side_by_side(self):
        a = self.new_vswd().start()
        b = self.new_vswd().start()
        ca, cb = a.client(), b.client()
        self.addCleanup(ca.close)
        self.addCleanup(cb.close)
        na = ca.call("network.create", {"name": "only-in-a"})
        nb = cb.call("network.create", {"name": "only-in-b"})
        self.assertEqual([n["id"] for n in ca.call("network.list", {"admin": True})], [na["id"]])
        self.assertEqual([n["id"] for n in cb.call("network.list", {"admin": True})], [nb["id"]])
        with self.assertRaises(vswtest.RpcError) as cm:
            cb.call("network.show", {"id": na["id"], "admin": True})
        self.assertEqual(cm.exception.code, 404)
        ca.call("network.delete", {"id": na["id"]})
        self.assertEqual(len(cb.call("network.list", {"admin": True})), 1)
        self.assertEqual(a.stop(), 0)
        self.assertEqual([n["id"] for n in cb.call("network.list", {"admin": True})], [nb["id"]])
        self.assertEqual(b.stop(), 0)

    def check_refused_beside(self, first, second):
        c = first.client()
        self.addCleanup(c.close)
        n = c.call("network.create", {"name": "keep"})
        second.start(expect_ready=False)
        rc = second.wait_exit(30)
        if rc is None:
            second.proc.kill()
            second.proc.wait(10)
            self.fail("second vswd kept running:\n" + second.read_log())
        self.assertNotEqual(rc, 0)
        # The first one is unharmed: same connection, new connections, its state.
        self.assertEqual(c.call("network.show", {"id": n["id"]})["name"], "keep")
        c2 = first.client()
        self.addCleanup(c2.close)
        self.assertEqual([x["id"] for x in c2.call("network.list")], [n["id"]])
        c2.call("network.create", {"name": "after"})
        self.assertIsNone(first.proc.poll())
        return rc

    def test_second_instance_on_same_socket_refused(self):
        first = self.new_vswd().start()
        second = self.new_vswd(args=["--socket", first.socket_path])
        self.check_refused_beside(first, second)
        self.assertIn(first.socket_path, second.read_log(),
                      "the refusal does not name the socket")
        self.assertEqual(first.stop(), 0)

    def test_second_instance_on_same_run_dir_refused(self):
        first = self.new_vswd().start()
        c = first.client()
        prefix = c.call("system.info").get("eal_file_prefix")
        c.close()
        second = self.new_vswd(run_dir=first.run_dir)
        self.check_refused_beside(first, second)
        if prefix:
            # The refused one must not take the first one's EAL files with it.
            self.assertTrue(os.path.exists(os.path.join(eal_runtime_dir(prefix), "config")))
        self.assertEqual(first.stop(), 0)
        third = self.new_vswd(run_dir=first.run_dir).start()
        c = third.client()
        self.addCleanup(c.close)
        self.assertEqual(sorted(x["name"] for x in c.call("network.list")), ["after", "keep"])
        self.assertEqual(third.stop(), 0)

    def test_max_clients_limit(self):
        d = self.tmpdir()
        conf = os.path.join(d, "vsw.conf")
        with open(conf, "w") as f:
            f.write("api = {\n  max_clients = 3;\n};\n")
        v = self.new_vswd(args=["-c", conf]).start()
        held = [v.client() for _ in range(3)]
        for c in held:
            self.addCleanup(c.close)
            c.call("system.info")
        # One over the limit: refused (closed, or a 503 first), never hung.
        extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(extra.close)
        extra.settimeout(5)
        extra.connect(v.socket_path)
        data = b""
        try:
            while True:
                chunk = extra.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        except socket.timeout:
            self.fail("a client over api.max_clients was neither refused nor closed")
        if data:
            self.assertEqual(json.loads(data.split(b"\n")[0])["error"]["code"], 503, data)
        for c in held:
            self.assertIn("version", c.call("system.info"))
        held[0].close()
        deadline = time.monotonic() + 5
        while True:
            try:
                c = v.client(timeout=2)
                self.addCleanup(c.close)
                self.assertIn("version", c.call("system.info"))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.assertEqual(v.stop(), 0)

    def test_socket_mode_default_0660(self):
        old = os.umask(0o022)
        try:
            v = self.new_vswd().start()
        finally:
            os.umask(old)
        self.assertEqual(os.stat(v.socket_path).st_mode & 0o777, 0o660)
        self.assertEqual(v.stop(), 0)


class CommandLineTests(DaemonCase):

    def test_no_arguments_runs_on_embedded_default(self):
        xdg = self.tmpdir()
        env = dict(os.environ, XDG_RUNTIME_DIR=xdg)
        log = open(os.path.join(xdg, "vswd.log"), "wb")
        self.addCleanup(log.close)
        proc = subprocess.Popen([VSWD], stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)

        def reap():
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        self.addCleanup(reap)
        sock = os.path.join(xdg, "vsw", "vsw.sock")
        deadline = time.monotonic() + 30
        info = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                c = vswtest.Client(sock, timeout=2)
                info = c.call("system.info")
                c.close()
                break
            except (OSError, vswtest.RpcError):
                time.sleep(0.05)
        self.assertIsNotNone(info, "vswd with no arguments not answering on %s (exit %r)"
                             % (sock, proc.poll()))
        self.assertTrue(os.path.exists(os.path.join(xdg, "vsw", "vsw.db")))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(10), 0)

    def test_config_file_and_flags(self):
        d = self.tmpdir()
        conf = os.path.join(d, "vsw.conf")
        with open(conf, "w") as f:
            f.write('api = {\n  socket = "%s";\n  default_project = "tenant0";\n'
                    '  socket_mode = "0600";\n};\nstate = {\n  db = "%s";\n};\n'
                    % (os.path.join(d, "file.sock"), os.path.join(d, "file.db")))
        flag_sock = os.path.join(d, "flag.sock")
        v = self.new_vswd(args=["-c", conf, "--socket", flag_sock])
        v.start(expect_ready=False)
        deadline = time.monotonic() + 30
        info = None
        while time.monotonic() < deadline and v.proc.poll() is None:
            try:
                c = vswtest.Client(flag_sock, timeout=2)
                info = c.call("system.info")
                break
            except (OSError, vswtest.RpcError):
                time.sleep(0.05)
        self.assertIsNotNone(info, "not answering on the --socket path:\n" + v.read_log())
        self.addCleanup(c.close)
        self.assertFalse(os.path.exists(os.path.join(d, "file.sock")),
                         "--socket did not override api.socket")
        self.assertFalse(os.path.exists(v.socket_path))
        self.assertEqual(os.stat(flag_sock).st_mode & 0o777, 0o600)
        self.assertEqual(c.call("network.create", {"name": "n"})["project_id"], "tenant0")
        self.assertTrue(os.path.exists(os.path.join(d, "file.db")))
        self.assertFalse(os.path.exists(v.db_path))
        self.assertEqual(v.stop(), 0)

    def config_error(self, text, line, key=None):
        d = self.tmpdir()
        conf = os.path.join(d, "vsw.conf")
        with open(conf, "w") as f:
            f.write(text)
        r = run_vswd(["--run-dir", d, "-c", conf])
        self.assertEqual(r.returncode, 2, "exit %d for:\n%s\nstderr: %s"
                         % (r.returncode, text, r.stderr))
        m = re.search(re.escape(conf) + r":(\d+): (?:(\S+): )?", r.stderr)
        self.assertIsNotNone(m, "no 'file:line: key: reason' on stderr: %r" % r.stderr)
        self.assertEqual(int(m.group(1)), line, r.stderr)
        if key is not None:
            self.assertIsNotNone(m.group(2), r.stderr)
            self.assertTrue(m.group(2).endswith(key), "key %r not named: %r"
                            % (key, r.stderr))
        self.assertFalse(os.path.exists(os.path.join(d, "vsw.db")),
                         "a config error still created the state db")
        return r

    def test_config_unknown_key(self):
        self.config_error('# vsw test config\napi = {\n  bogus = 1;\n};\n', 3, "bogus")

    def test_config_unknown_top_level_key(self):
        self.config_error('api = { };\nfrobnicate = "yes";\n', 2, "frobnicate")

    def test_config_wrong_type(self):
        self.config_error('api = {\n  max_clients = "many";\n};\n', 2, "max_clients")

    def test_config_out_of_range(self):
        self.config_error('limits = {\n  max_vnics = 0;\n};\n', 2, "max_vnics")

    def test_config_syntax_error(self):
        self.config_error('api = {\n  max_clients = 10;\n  default_project = ;\n};\n', 3)

    def test_config_unbalanced(self):
        self.config_error('api = {\n  max_clients = 10;\n\nlimits = { max_vnics = 4; };\n'
                          '};\n};\n', 6)

    def test_config_missing_file(self):
        d = self.tmpdir()
        conf = os.path.join(d, "nope.conf")
        r = run_vswd(["--run-dir", d, "-c", conf])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(conf, r.stderr)

    def test_bad_workers_list(self):
        d = self.tmpdir()
        for workers in ("abc", "3-1", "1-", "1,,2", "-1", "99999"):
            with self.subTest(workers=workers):
                r = run_vswd(["--run-dir", d, "--workers", workers])
                self.assertEqual(r.returncode, 2, "exit %d for --workers %r: %s"
                                 % (r.returncode, workers, r.stderr))
                self.assertIn("workers", r.stderr)

    def test_bad_log_level(self):
        r = run_vswd(["--run-dir", self.tmpdir(), "--log-level", "loud"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("log", r.stderr)

    def test_unknown_option(self):
        r = run_vswd(["--run-dir", self.tmpdir(), "--frobnicate"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("frobnicate", r.stderr)

    def test_version_and_help(self):
        t0 = time.monotonic()
        r = run_vswd(["--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\d+\.\d+")
        h = run_vswd(["--help"])
        self.assertEqual(h.returncode, 0, h.stderr)
        for opt in ("--run-dir", "--workers", "--socket", "--db", "--log-level", "--eal",
                    "-c"):
            self.assertIn(opt, h.stdout)
        self.assertLess(time.monotonic() - t0, 5, "--version/--help should not start EAL")
        # --version reports what system.info reports.
        v = self.new_vswd().start()
        c = v.client()
        self.addCleanup(c.close)
        self.assertIn(c.call("system.info")["version"], r.stdout)
        self.assertEqual(v.stop(), 0)


class SystemCallTests(DaemonCase):

    @classmethod
    def setUpClass(cls):
        cls.v = Vswd(workers="1")
        try:
            cls.v.start()
        except Exception:
            cls.v.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.v.stop()
        cls.v.cleanup()
        if rc != 0:
            raise AssertionError("vswd exit %r" % rc)

    def setUp(self):
        self.c = self.v.client()
        self.addCleanup(self.c.close)

    def test_system_info(self):
        i1 = self.c.call("system.info")
        self.assertIsInstance(i1["version"], str)
        self.assertTrue(i1["version"])
        workers = i1["workers"]
        if isinstance(workers, list):
            self.assertEqual(len(workers), 1, workers)
        else:
            self.assertEqual(workers, 1)
        # SPEC names "uptime"; vsw spells it with its unit (uptime_s).
        key = "uptime" if "uptime" in i1 else "uptime_s"
        self.assertIn(key, i1)
        self.assertIsInstance(i1[key], (int, float))
        self.assertGreaterEqual(i1[key], 0)
        time.sleep(1.5)
        i2 = self.c.call("system.info")
        self.assertGreaterEqual(i2[key] - i1[key], 1)
        self.assertLess(i2[key] - i1[key], 5)

    def counters(self, obj, prefix=""):
        out = {}
        if isinstance(obj, dict):
            for k, val in obj.items():
                out.update(self.counters(val, prefix + k + "."))
        elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
            out[prefix.rstrip(".")] = obj
        return out

    def test_stats_api_counters(self):
        s1 = self.c.call("stats.get")
        self.assertIsInstance(s1.get("api"), dict, s1)
        c1 = self.counters(s1["api"])
        self.assertTrue(c1, "no API counters: %r" % s1["api"])
        for _ in range(10):
            self.c.call("system.info")
        self.c.request("no.such.method", {})
        c2 = self.counters(self.c.call("stats.get")["api"])
        grown = [k for k in c1 if c2.get(k, 0) - c1[k] >= 11]
        self.assertTrue(grown, "no API counter counted 11 requests: %r -> %r" % (c1, c2))
        for k in c1:
            self.assertGreaterEqual(c2.get(k, 0), c1[k], "counter %s went down" % k)

    def test_extensions_list(self):
        res = self.c.call("extensions.list")
        if isinstance(res, dict):
            res = res["extensions"]
        self.assertIsInstance(res, list)
        aliases = {}
        for ext in res:
            for key in ("alias", "name", "description", "version"):
                self.assertIn(key, ext, ext)
            self.assertNotIn(ext["alias"], aliases, "alias listed twice")
            aliases[ext["alias"]] = ext
        for alias in ("ethernet-vnic", "vhost-user", "port-security", "subnet",
                      "uplink", "provider-net", "external-net", "router", "floating-ip"):
            self.assertIn(alias, aliases)


if __name__ == "__main__":
    vswtest.main()
