# SPDX-License-Identifier: BSD-3-Clause
"""vswd's API over its socket: framing, JSON-RPC errors, limits, fairness,
project scoping and the application errors of the core resources
(SPEC.md section 2)."""
import json
import os
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import vswtest
from vswtest import RpcError, Vswd

MIB = 1 << 20


def req(method, params=None, rid=1, version="2.0"):
    """One JSON-RPC request as compact bytes, no trailing newline."""
    msg = {"jsonrpc": version, "method": method}
    if rid is not None:
        msg["id"] = rid
    if params is not None:
        msg["params"] = params
    return json.dumps(msg, separators=(",", ":")).encode()


def recv_closed(sock, timeout=5.0):
    """True when the peer closes the connection within timeout."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False


def random_id():
    return str(uuid.uuid4())


class SharedVswdCase(unittest.TestCase):
    """One vswd for the whole class; tests keep apart by project and names."""

    vswd_args = ()

    @classmethod
    def setUpClass(cls):
        cls.vswd = Vswd(args=cls.vswd_args)
        try:
            cls.vswd.start()
        except Exception:
            cls.vswd.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.vswd.stop()
        cls.vswd.cleanup()
        if rc != 0:
            raise AssertionError("vswd exited with %r after the tests:\n%s"
                                 % (rc, cls.vswd.read_log()))

    def setUp(self):
        self.assertIsNone(self.vswd.proc.poll(),
                          "vswd died:\n" + self.vswd.read_log())
        self.c = self.vswd.client()
        self.addCleanup(self.c.close)
        self.project = "p-" + uuid.uuid4().hex[:12]

    def call(self, method, params=None, project=True):
        p = dict(params or {})
        if project and "project_id" not in p and not p.get("admin"):
            p["project_id"] = self.project
        return self.c.call(method, p)

    def assertRpcError(self, code, etype, field, method, params, project=True):
        with self.assertRaises(RpcError) as cm:
            self.call(method, params, project)
        e = cm.exception
        self.assertEqual(e.code, code, str(e))
        if etype is not None:
            self.assertEqual(e.type, etype, str(e))
        if field is not None:
            self.assertEqual(e.field, field, str(e))
        return e

    def assertUuid(self, value):
        self.assertIsInstance(value, str)
        self.assertEqual(str(uuid.UUID(value)), value, "not a canonical UUID")


class WireTests(SharedVswdCase):
    """Framing and JSON-RPC 2.0 protocol faults."""

    def read_n(self, n):
        out = []
        for _ in range(n):
            r = self.c.recv_line()
            self.assertIsNotNone(r, "connection closed after %d responses" % len(out))
            out.append(r)
        return out

    def check_pipelined(self, sep):
        names = ["pipe-%s-%d" % (self.project, i) for i in range(50)]
        blob = sep.join(req("network.create",
                            {"name": n, "project_id": self.project}, rid=i + 1)
                        for i, n in enumerate(names)) + b"\n"
        self.c.send_raw(blob)
        resps = self.read_n(50)
        for i, r in enumerate(resps):
            self.assertEqual(r.get("jsonrpc"), "2.0")
            self.assertEqual(r.get("id"), i + 1, "responses out of order")
            self.assertIn("result", r, r)
            self.assertEqual(r["result"]["name"], names[i])
        listed = self.call("network.list")
        self.assertEqual(sorted(n["name"] for n in listed), sorted(names))

    def test_pipelined_back_to_back(self):
        self.check_pipelined(b"")

    def test_pipelined_with_newlines(self):
        self.check_pipelined(b"\n")

    def test_pipelined_with_json_whitespace(self):
        # JSON whitespace between requests is not a request.
        blob = (b"  " + req("system.info", {}, rid=1) + b"\r\n\n\t" +
                req("system.info", {}, rid=2) + b" \r\n")
        self.c.send_raw(blob)
        self.assertEqual([r.get("id") for r in self.read_n(2)], [1, 2])
        self.assertIn("version", self.c.call("system.info", {}))

    def test_request_in_one_byte_sends(self):
        data = req("network.create", {"name": "bytewise", "project_id": self.project},
                   rid=77) + b"\n"
        for i in range(len(data)):
            self.c.sock.send(data[i:i + 1])
            time.sleep(0.001)
        r = self.c.recv_line()
        self.assertEqual(r.get("id"), 77)
        self.assertEqual(r["result"]["name"], "bytewise")

    def test_responses_are_one_line_each(self):
        self.c.send_raw(req("system.info", {}, rid=1) + b"\n")
        raw = b""
        self.c.sock.settimeout(5)
        while not raw.endswith(b"\n"):
            chunk = self.c.sock.recv(65536)
            self.assertTrue(chunk)
            raw += chunk
        self.assertEqual(raw.count(b"\n"), 1, "a response must be one line")
        self.assertEqual(json.loads(raw)["id"], 1)

    def test_batch_mixed(self):
        batch = [
            {"jsonrpc": "2.0", "id": "a", "method": "system.info", "params": {}},
            {"foo": "bar"},
            {"jsonrpc": "2.0", "method": "network.create",
             "params": {"name": "from-notification", "project_id": self.project}},
            {"jsonrpc": "2.0", "id": "c", "method": "no.such.method", "params": {}},
            5,
            {"jsonrpc": "2.0", "id": "d", "method": "network.create",
             "params": {"name": "in-batch", "project_id": self.project}},
        ]
        self.c.send_raw(json.dumps(batch) + "\n")
        resp = self.c.recv_line()
        self.assertIsInstance(resp, list, resp)
        # Five members need a response (the notification does not).
        self.assertEqual(len(resp), 5, resp)
        by_id = {}
        null_ids = []
        for r in resp:
            self.assertEqual(r.get("jsonrpc"), "2.0")
            if r.get("id") is None:
                null_ids.append(r)
            else:
                by_id[r["id"]] = r
        self.assertIn("result", by_id["a"])
        self.assertEqual(by_id["c"]["error"]["code"], -32601)
        self.assertEqual(by_id["d"]["result"]["name"], "in-batch")
        self.assertEqual(len(null_ids), 2)
        for r in null_ids:
            self.assertEqual(r["error"]["code"], -32600)
        names = sorted(n["name"] for n in self.call("network.list"))
        self.assertEqual(names, ["from-notification", "in-batch"])

    def test_empty_batch(self):
        self.c.send_raw(b"[]\n")
        r = self.c.recv_line()
        self.assertIsInstance(r, dict, "an empty batch gets one error object, not an array")
        self.assertEqual(r["error"]["code"], -32600)
        self.assertIsNone(r.get("id"))
        self.assertIn("result", self.c.request("system.info", {}))

    def test_all_notification_batch_gets_no_response(self):
        batch = [{"jsonrpc": "2.0", "method": "network.create",
                  "params": {"name": "n%d" % i, "project_id": self.project}}
                 for i in range(3)]
        self.c.send_raw(json.dumps(batch) + "\n")
        # The next line on the connection must be the next request's answer.
        r = self.c.request("system.info", {})
        self.assertNotIsInstance(r, list, "all-notification batch was answered")
        self.assertEqual(r.get("id"), self.c.next_id - 1)
        self.assertEqual(len(self.call("network.list")), 3)

    def test_notification_gets_no_response(self):
        self.c.send_raw(req("network.create", {"name": "quiet", "project_id": self.project},
                            rid=None) + b"\n")
        r = self.c.request("system.info", {})
        self.assertEqual(r.get("id"), self.c.next_id - 1, r)
        self.assertEqual([n["name"] for n in self.call("network.list")], ["quiet"])

    def test_parse_error_then_resync(self):
        for garbage in (b"this is not json", b'{"jsonrpc": "2.0", "id": 1, "method": ,}',
                        b"}}}", b'{"a": tru}'):
            self.c.send_raw(garbage + b"\n" + req("system.info", {}, rid=42) + b"\n")
            r1 = self.c.recv_line()
            self.assertEqual(r1["error"]["code"], -32700, (garbage, r1))
            self.assertIsNone(r1.get("id"))
            r2 = self.c.recv_line()
            self.assertEqual(r2.get("id"), 42, (garbage, r2))
            self.assertIn("result", r2)

    def test_invalid_utf8_is_parse_error(self):
        bad = (b'{"jsonrpc":"2.0","id":7,"method":"network.create","params":'
               b'{"name":"bad\xff\xfename","project_id":"' + self.project.encode() + b'"}}')
        self.c.send_raw(bad + b"\n")
        r = self.c.recv_line()
        self.assertEqual(r["error"]["code"], -32700, r)
        self.assertEqual(self.call("network.list"), [])
        # Overlong encoding of '/' and a lone surrogate are invalid too.
        for seq in (b"\xc0\xaf", b"\xed\xa0\x80"):
            self.c.send_raw(b'{"jsonrpc":"2.0","id":8,"method":"system.info","params":'
                            b'{"x":"' + seq + b'"}}\n')
            r = self.c.recv_line()
            self.assertEqual(r["error"]["code"], -32700, (seq, r))
        self.assertIn("result", self.c.request("system.info", {}))

    def test_params_must_be_object(self):
        for params in ([], ["x"], 5, "str", True):
            r = self.c.request("system.info", params)
            self.assertEqual(r.get("error", {}).get("code"), -32602, (params, r))
            self.assertEqual(r.get("id"), self.c.next_id - 1)

    def test_params_may_be_omitted(self):
        r = self.c.request("system.info")
        self.assertIn("result", r, r)

    def test_unknown_method(self):
        for method in ("no.such", "network.frobnicate", "", "network"):
            r = self.c.request(method, {})
            self.assertEqual(r.get("error", {}).get("code"), -32601, (method, r))
            self.assertEqual(r.get("id"), self.c.next_id - 1)

    def test_invalid_envelope(self):
        cases = [
            {"jsonrpc": "1.0", "id": 1, "method": "system.info", "params": {}},
            {"jsonrpc": 2.0, "id": 1, "method": "system.info", "params": {}},
            {"id": 1, "method": "system.info", "params": {}},
            {"jsonrpc": "2.0", "id": 1, "params": {}},
            {"jsonrpc": "2.0", "id": 1, "method": 5, "params": {}},
            {"jsonrpc": "2.0", "id": {"x": 1}, "method": "system.info"},
            {"jsonrpc": "2.0", "id": [1], "method": "system.info"},
        ]
        for msg in cases:
            self.c.send_raw(json.dumps(msg) + "\n")
            r = self.c.recv_line()
            self.assertIsInstance(r, dict, (msg, r))
            self.assertEqual(r.get("error", {}).get("code"), -32600, (msg, r))
        # A bare scalar cannot be framed in a stream: parse error or invalid
        # request, one answer, then the next line is served.
        for text in (b'"system.info"', b"42", b"null"):
            self.c.send_raw(text + b"\n")
            r = self.c.recv_line()
            self.assertIn(r.get("error", {}).get("code"), (-32700, -32600), (text, r))
        self.assertIn("result", self.c.request("system.info", {}))

    def test_ids_echoed(self):
        for rid in ("abc", 0, -5, 12345678901, "x" * 100):
            self.c.send_raw(req("system.info", {}, rid=rid) + b"\n")
            self.assertEqual(self.c.recv_line().get("id"), rid)

    def test_half_close_still_answered(self):
        # As with `printf '...' | socat - UNIX-CONNECT:vsw.sock`: the client
        # shuts down its sending side and then reads every answer.
        self.c.send_raw(b"".join(req("system.info", {}, rid=i) + b"\n" for i in (1, 2, 3)))
        self.c.sock.shutdown(socket.SHUT_WR)
        got = [self.c.recv_line() for _ in range(3)]
        self.assertEqual([r.get("id") for r in got if r], [1, 2, 3])
        self.assertTrue(recv_closed(self.c.sock), "not closed after the last answer")

    def test_unicode_round_trip(self):
        name = 'r\u00e9seau-\u7f51\u7edc-\U0001f642 "q" \\ \t'
        n = self.call("network.create", {"name": name})
        self.assertEqual(n["name"], name)
        self.assertEqual(self.call("network.show", {"id": n["id"]})["name"], name)
        # Raw UTF-8 on the wire (not \\u escapes) reads the same.
        msg = {"jsonrpc": "2.0", "id": 3, "method": "network.list",
               "params": {"name": name, "project_id": self.project}}
        raw = json.dumps(msg, ensure_ascii=False).encode("utf-8")
        self.assertIn("\u7f51".encode("utf-8"), raw)
        self.c.send_raw(raw + b"\n")
        r = self.c.recv_line()
        self.assertEqual([x["id"] for x in r["result"]], [n["id"]], r)

    def test_deep_nesting_refused_daemon_survives(self):
        self.c.send_raw(b"[" * 200000)
        r = self.c.recv_line()
        self.assertIsNotNone(r, "closed without an error response")
        self.assertIn("error", r)
        c2 = self.vswd.client()
        self.addCleanup(c2.close)
        self.assertIn("version", c2.call("system.info"))

    def test_oversize_batch_413(self):
        one = req("system.info", {}, rid=1)
        n = (MIB // (len(one) + 1)) + 1
        data = b"[" + b",".join([one] * n) + b"]\n"
        self.assertGreater(len(data), MIB + 1)
        try:
            self.c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = self.c.recv_line()
        self.assertIsNotNone(r)
        self.assertEqual(r.get("error", {}).get("code"), 413, r)
        self.assertTrue(recv_closed(self.c.sock))

    def test_client_vanishing_mid_pipeline(self):
        blob = b"".join(req("network.create", {"name": "gone-%d" % i,
                                               "project_id": self.project}, rid=i) + b"\n"
                        for i in range(500))
        for cut in (len(blob), len(blob) // 2 + 7):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(self.vswd.socket_path)
            s.sendall(blob[:cut])
            s.close()
        # The daemon lives on and whatever it did is consistent.
        time.sleep(0.3)
        c2 = self.vswd.client()
        self.addCleanup(c2.close)
        listed = self.call("network.list")
        self.assertLessEqual(len(listed), 1000)
        self.assertIn("version", c2.call("system.info"))
        self.assertIsNone(self.vswd.proc.poll())

    def padded_request(self, size):
        """A valid system.info request of exactly size bytes (JSON whitespace pad)."""
        head = b'{"jsonrpc":"2.0","id":9,"method":"system.info","params":{'
        tail = b"}}"
        pad = size - len(head) - len(tail)
        self.assertGreater(pad, 0)
        data = head + b" " * pad + tail
        self.assertEqual(len(data), size)
        json.loads(data)
        return data

    def test_request_just_under_limit_is_answered(self):
        self.c.send_raw(self.padded_request(MIB - 64) + b"\n")
        r = self.c.recv_line()
        self.assertEqual(r.get("id"), 9)
        self.assertIn("result", r, r)
        self.assertIn("result", self.c.request("system.info", {}))

    def test_oversize_request_413_and_closed(self):
        # First a normal call so the connection is known to work.
        self.assertIn("result", self.c.request("system.info", {}))
        data = self.padded_request(MIB + 1) + b"\n"
        try:
            self.c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close before reading the tail
        r = self.c.recv_line()
        self.assertIsNotNone(r, "no 413 response before the close")
        self.assertEqual(r.get("error", {}).get("code"), 413, r)
        self.assertTrue(recv_closed(self.c.sock), "connection not closed after 413")
        # The daemon still serves others.
        c2 = self.vswd.client()
        self.addCleanup(c2.close)
        self.assertIn("version", c2.call("system.info"))

    def test_oversize_without_newline_413(self):
        # An unterminated JSON text growing past 1 MiB is refused as it arrives.
        data = b'{"jsonrpc":"2.0","id":1,"method":"system.info","params":{"x":"' + \
            b"a" * (MIB + 10)
        try:
            self.c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = self.c.recv_line()
        self.assertIsNotNone(r, "no 413 response before the close")
        self.assertEqual(r.get("error", {}).get("code"), 413, r)
        self.assertTrue(recv_closed(self.c.sock))


class FairnessTests(unittest.TestCase):
    """Many clients, slow clients and greedy clients (one vswd per test)."""

    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        self.vswd = Vswd()
        self.addCleanup(self.vswd.cleanup)
        self.vswd.start()

    def tearDown(self):
        self.assertIsNone(self.vswd.proc.poll(), "vswd died:\n" + self.vswd.read_log())
        self.assertEqual(self.vswd.stop(), 0)

    def timed_calls(self, client, n=20):
        """n quick calls; returns the slowest answer time in seconds."""
        worst = 0.0
        for i in range(n):
            method = ("system.info", "network.list", "stats.get")[i % 3]
            t0 = time.perf_counter()
            client.call(method, {})
            worst = max(worst, time.perf_counter() - t0)
        return worst

    def test_1000_concurrent_clients(self):
        n = 1000
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            socks.append(s)
            s.settimeout(10)
            s.connect(self.vswd.socket_path)
        # All 1000 are open at once; each sends one mutating call.
        for i, s in enumerate(socks):
            s.sendall(req("network.create", {"name": "conn-%d" % i, "project_id": "many"},
                          rid=i) + b"\n")
        t0 = time.monotonic()
        sel = selectors.DefaultSelector()
        bufs = {}
        for i, s in enumerate(socks):
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, i)
            bufs[i] = b""
        answers = {}
        deadline = time.monotonic() + 60
        while len(answers) < n and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1):
                i = key.data
                try:
                    chunk = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                bufs[i] += chunk
                if b"\n" in bufs[i]:
                    answers[i] = json.loads(bufs[i].split(b"\n", 1)[0])
                    sel.unregister(key.fileobj)
        sel.close()
        self.assertEqual(len(answers), n, "only %d of %d clients answered" % (len(answers), n))
        sys.stderr.write(" [%d clients answered in %.0f ms] " % (n, (time.monotonic() - t0) * 1000))
        for i, r in answers.items():
            self.assertEqual(r.get("id"), i)
            self.assertEqual(r["result"]["name"], "conn-%d" % i, r)
        c = self.vswd.client()
        self.addCleanup(c.close)
        self.assertEqual(len(c.call("network.list", {"project_id": "many"})), n)

    def test_stalled_half_request_delays_nobody(self):
        a = self.vswd.client()
        self.addCleanup(a.close)
        full = req("network.create", {"name": "stalled", "project_id": "slow"}, rid=5) + b"\n"
        half = len(full) // 2
        a.send_raw(full[:half])
        b = self.vswd.client()
        self.addCleanup(b.close)
        time.sleep(0.2)
        worst = self.timed_calls(b, 30)
        self.assertLess(worst, 0.1, "answers took up to %.0f ms while a client stalled"
                        % (worst * 1000))
        sys.stderr.write(" [slowest answer beside a stalled client: %.1f ms] " % (worst * 1000))
        # A write from the other client is not held up either.
        t0 = time.perf_counter()
        b.call("network.create", {"name": "not-held", "project_id": "fast"})
        self.assertLess(time.perf_counter() - t0, 0.1)
        a.send_raw(full[half:])
        r = a.recv_line()
        self.assertEqual(r.get("id"), 5)
        self.assertEqual(r["result"]["name"], "stalled")

    def test_unread_pipeline_blocks_nobody(self):
        n = 10000
        c = self.vswd.client()
        self.addCleanup(c.close)
        for i in range(10):
            c.call("network.create", {"name": "greedy-%d" % i, "project_id": "greedy"})
        # ~4 KB per answer: 40 MB the greedy client leaves unread.
        blob = b"".join(req("network.list", {"project_id": "greedy"}, rid=i + 1) + b"\n"
                        for i in range(n))
        a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(a.close)
        a.settimeout(60)
        a.connect(self.vswd.socket_path)
        sent = threading.Event()
        send_err = []

        def sender():
            try:
                a.sendall(blob)
            except OSError as e:
                send_err.append(e)
            sent.set()

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        time.sleep(1.0)  # the greedy client's responses are piling up unread
        b = self.vswd.client()
        self.addCleanup(b.close)
        worst = self.timed_calls(b, 30)
        self.assertLess(worst, 0.1, "answers took up to %.0f ms behind an unread pipeline"
                        % (worst * 1000))
        sys.stderr.write(" [slowest answer beside an unread pipeline: %.1f ms; greedy sender "
                         "%s] " % (worst * 1000, "done" if sent.is_set() else "held back"))
        # The greedy client still gets every answer, in order, once it reads.
        buf = b""
        got = 0
        deadline = time.monotonic() + 60
        while got < n and time.monotonic() < deadline:
            chunk = a.recv(1 << 20)
            if not chunk:
                break
            buf += chunk
            lines = buf.split(b"\n")
            buf = lines.pop()
            for line in lines:
                r = json.loads(line)
                got += 1
                self.assertEqual(r.get("id"), got)
                self.assertEqual(len(r["result"]), 10)
        t.join(10)
        self.assertTrue(sent.is_set())
        self.assertEqual(send_err, [])
        self.assertEqual(got, n)


class ResourceTests(SharedVswdCase):
    """Core resources: defaults, validation and the errors of SPEC.md section 2."""

    def network(self, **fields):
        fields.setdefault("name", "net")
        return self.call("network.create", fields)

    def port(self, network_id, **fields):
        fields["network_id"] = network_id
        return self.call("port.create", fields)

    def vnic(self, **fields):
        fields.setdefault("type", "vhost-user")
        fields.setdefault("socket", os.path.join(self.vswd.run_dir,
                                                 "vm-%s.sock" % uuid.uuid4().hex[:8]))
        fields.setdefault("mode", "client")
        return self.call("vnic.create", fields)

    def test_network_defaults(self):
        n = self.network(name="defaults")
        self.assertUuid(n["id"])
        self.assertEqual(n["name"], "defaults")
        self.assertIs(n["admin_state_up"], True)
        self.assertIs(n["shared"], False)
        self.assertIs(n["port_security_enabled"], True)
        self.assertEqual(n["mtu"], 1500)
        self.assertEqual(n["project_id"], self.project)
        self.assertIn("status", n)
        self.assertEqual(self.call("network.show", {"id": n["id"]}), n)

    def test_default_project(self):
        n = self.c.call("network.create", {"name": "no-project"})
        self.assertEqual(n["project_id"], "default")
        self.c.call("network.delete", {"id": n["id"]})

    def test_port_defaults_and_generated_macs(self):
        n1 = self.network(name="a")
        n2 = self.network(name="b")
        macs = set()
        for i in range(40):
            p = self.port(n1["id"] if i % 2 else n2["id"])
            self.assertUuid(p["id"])
            self.assertIs(p["admin_state_up"], True)
            self.assertIs(p["port_security_enabled"], True)
            self.assertEqual(p["fixed_ips"], [])
            self.assertEqual(p["allowed_address_pairs"], [])
            self.assertIsNone(p.get("vnic_id"))
            self.assertEqual(p["project_id"], self.project)
            mac = p["mac_address"]
            octets = mac.split(":")
            self.assertEqual(len(octets), 6, mac)
            self.assertEqual(mac, mac.lower())
            first = int(octets[0], 16)
            self.assertTrue(first & 0x02, "generated MAC %s not locally administered" % mac)
            self.assertFalse(first & 0x01, "generated MAC %s is multicast" % mac)
            macs.add(mac)
        self.assertEqual(len(macs), 40, "generated MACs repeat")

    def test_port_inherits_network_port_security(self):
        n = self.network(port_security_enabled=False)
        self.assertIs(self.port(n["id"])["port_security_enabled"], False)
        self.assertIs(self.port(n["id"], port_security_enabled=True)["port_security_enabled"],
                      True)

    def test_updates(self):
        n = self.network(name="before")
        u = self.call("network.update", {"id": n["id"], "name": "after", "mtu": 1400,
                                         "admin_state_up": False})
        self.assertEqual((u["name"], u["mtu"], u["admin_state_up"]), ("after", 1400, False))
        self.assertEqual(self.call("network.show", {"id": n["id"]}), u)
        p = self.port(n["id"], mac_address="fa:16:3e:00:00:01")
        self.assertEqual(p["mac_address"], "fa:16:3e:00:00:01")
        u = self.call("port.update", {"id": p["id"], "allowed_address_pairs":
                                      [{"ip_address": "10.0.0.5"},
                                       {"ip_address": "10.1.0.0/24",
                                        "mac_address": "fa:16:3e:00:00:09"}],
                                      "admin_state_up": False})
        self.assertEqual([x["ip_address"] for x in u["allowed_address_pairs"]],
                         ["10.0.0.5", "10.1.0.0/24"])
        self.assertIs(u["admin_state_up"], False)
        self.assertEqual(self.call("port.show", {"id": p["id"]}), u)

    def test_list_filters(self):
        n1 = self.network(name="alpha")
        n2 = self.network(name="beta")
        p1 = [self.port(n1["id"])["id"] for _ in range(3)]
        p2 = [self.port(n2["id"])["id"] for _ in range(2)]
        self.assertEqual(sorted(p["id"] for p in self.call("port.list",
                                                           {"network_id": n1["id"]})),
                         sorted(p1))
        self.assertEqual(sorted(p["id"] for p in self.call("port.list",
                                                           {"network_id": n2["id"]})),
                         sorted(p2))
        self.assertEqual([n["id"] for n in self.call("network.list", {"name": "beta"})],
                         [n2["id"]])
        self.assertEqual(len(self.call("port.list")), 5)

    def test_list_refuses_unknown_filter(self):
        self.assertRpcError(400, "UnknownField", "bogus", "network.list", {"bogus": 1})
        self.assertRpcError(400, "UnknownField", "colour", "port.list", {"colour": "red"})

    def test_list_filter_on_bool(self):
        up = self.network(name="up")
        down = self.network(name="down", admin_state_up=False)
        self.assertEqual([n["id"] for n in self.call("network.list",
                                                     {"admin_state_up": False})],
                         [down["id"]])
        self.assertEqual([n["id"] for n in self.call("network.list",
                                                     {"admin_state_up": True})],
                         [up["id"]])

    def pipeline(self, calls):
        """Sends calls back to back in one write; returns the responses."""
        blob = b"".join(req(m, dict(p, project_id=self.project), rid=i + 1) + b"\n"
                        for i, (m, p) in enumerate(calls))
        self.c.send_raw(blob)
        out = [self.c.recv_line() for _ in calls]
        self.assertEqual([r.get("id") for r in out], list(range(1, len(calls) + 1)))
        return out

    def test_failures_in_a_pipeline_spare_the_rest(self):
        n = self.network()
        calls = []
        for i in range(20):
            p = {"network_id": n["id"], "name": "pp-%d" % i}
            if i in (5, 6):
                p["mac_address"] = "fa:16:3e:55:55:55"
            if i == 10:
                p["bogus"] = 1
            if i == 15:
                p["network_id"] = random_id()
            calls.append(("port.create", p))
        out = self.pipeline(calls)
        failed = {i: r["error"] for i, r in enumerate(out) if "error" in r}
        self.assertEqual(sorted(failed), [6, 10, 15], failed)
        self.assertEqual(failed[6]["data"]["type"], "MacAddressInUse")
        self.assertEqual(failed[10]["code"], 400)
        self.assertEqual(failed[15]["code"], 404)
        names = sorted(p["name"] for p in self.call("port.list", {"network_id": n["id"]}))
        self.assertEqual(names, sorted("pp-%d" % i for i in range(20)
                                       if i not in (6, 10, 15)))

    def test_pipeline_order_is_execution_order(self):
        n = self.network()
        out = self.pipeline([("network.delete", {"id": n["id"]}),
                             ("port.create", {"network_id": n["id"]})])
        self.assertEqual(out[0].get("result"), {})
        self.assertEqual(out[1]["error"]["code"], 404)
        n = self.network()
        out = self.pipeline([("port.create", {"network_id": n["id"]}),
                             ("network.delete", {"id": n["id"]}),
                             ("network.update", {"id": n["id"], "name": "renamed"})])
        self.assertIn("result", out[0])
        self.assertEqual(out[1]["error"]["code"], 409)
        self.assertEqual(out[1]["error"]["data"]["type"], "NetworkInUse")
        self.assertEqual(out[2]["result"]["name"], "renamed")

    def test_delete_returns_empty_object(self):
        n = self.network()
        p = self.port(n["id"])
        v = self.vnic()
        self.assertEqual(self.call("vnic.delete", {"id": v["id"]}), {})
        self.assertEqual(self.call("port.delete", {"id": p["id"]}), {})
        self.assertEqual(self.call("network.delete", {"id": n["id"]}), {})
        self.assertRpcError(404, "NetworkNotFound", "id", "network.show", {"id": n["id"]})
        self.assertRpcError(404, "PortNotFound", "id", "port.show", {"id": p["id"]})
        self.assertRpcError(404, "VnicNotFound", "id", "vnic.show", {"id": v["id"]})

    def test_vnic_fields(self):
        sock = os.path.join(self.vswd.run_dir, "vm-fields.sock")
        v = self.vnic(socket=sock, mode="client", queues=2, mac_address="fa:16:3e:aa:bb:cc")
        self.assertUuid(v["id"])
        self.assertEqual(v["type"], "vhost-user")
        self.assertEqual(v["socket"], sock)
        self.assertEqual(v["mode"], "client")
        self.assertEqual(v["queues"], 2)
        self.assertEqual(v["mac_address"], "fa:16:3e:aa:bb:cc")
        self.assertIsNone(v.get("port_id"))
        self.assertEqual(self.call("vnic.show", {"id": v["id"]}), v)
        self.assertIn(v["id"], [x["id"] for x in self.call("vnic.list")])
        self.assertEqual(self.vnic(queues=8)["queues"], 8)
        d = self.vnic(socket=os.path.join(self.vswd.run_dir, "vm-default.sock"))
        self.assertEqual(d["mode"], "client")
        self.assertEqual(d["queues"], 1)

    def test_server_mode_vnic_listens_when_created(self):
        # Acknowledged means in force: the socket listens when create returns.
        sock = os.path.join(self.vswd.run_dir, "srv-%s.sock" % self.project)
        v = self.vnic(socket=sock, mode="server")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.settimeout(5)
        s.connect(sock)
        s.close()
        self.call("vnic.delete", {"id": v["id"]})
        self.assertFalse(os.path.exists(sock), "socket left after vnic.delete")

    def test_plug_unplug_replug(self):
        n = self.network()
        p1 = self.port(n["id"])
        p2 = self.port(n["id"])
        v = self.vnic()
        self.call("vnic.plug", {"vnic_id": v["id"], "port_id": p1["id"]})
        self.assertEqual(self.call("vnic.show", {"id": v["id"]})["port_id"], p1["id"])
        self.assertEqual(self.call("port.show", {"id": p1["id"]})["vnic_id"], v["id"])
        self.call("vnic.unplug", {"vnic_id": v["id"]})
        self.assertIsNone(self.call("vnic.show", {"id": v["id"]}).get("port_id"))
        self.assertIsNone(self.call("port.show", {"id": p1["id"]}).get("vnic_id"))
        self.call("vnic.plug", {"vnic_id": v["id"], "port_id": p2["id"]})
        self.assertEqual(self.call("vnic.show", {"id": v["id"]})["port_id"], p2["id"])
        self.assertEqual(self.call("port.show", {"id": p2["id"]})["vnic_id"], v["id"])
        self.assertIsNone(self.call("port.show", {"id": p1["id"]}).get("vnic_id"))

    def test_network_in_use(self):
        n = self.network()
        p = self.port(n["id"])
        self.assertRpcError(409, "NetworkInUse", None, "network.delete", {"id": n["id"]})
        self.assertEqual(self.call("network.show", {"id": n["id"]})["id"], n["id"])
        self.call("port.delete", {"id": p["id"]})
        self.assertEqual(self.call("network.delete", {"id": n["id"]}), {})

    def test_port_and_vnic_in_use(self):
        n = self.network()
        p = self.port(n["id"])
        p2 = self.port(n["id"])
        v = self.vnic()
        v2 = self.vnic()
        self.assertRpcError(409, None, "vnic_id", "vnic.unplug", {"vnic_id": v["id"]})
        self.call("vnic.plug", {"vnic_id": v["id"], "port_id": p["id"]})
        self.assertRpcError(409, "PortInUse", "id", "port.delete", {"id": p["id"]})
        # A port holds one VNIC; a VNIC sits in one port.
        self.assertRpcError(409, "PortInUse", "port_id", "vnic.plug",
                            {"vnic_id": v2["id"], "port_id": p["id"]})
        self.assertRpcError(409, "VnicAlreadyPlugged", "vnic_id", "vnic.plug",
                            {"vnic_id": v["id"], "port_id": p2["id"]})
        self.assertRpcError(409, "VnicInUse", "id", "vnic.delete", {"id": v["id"]})
        self.assertEqual(self.call("port.show", {"id": p["id"]})["vnic_id"], v["id"])
        self.assertIsNone(self.call("port.show", {"id": p2["id"]}).get("vnic_id"))
        self.call("vnic.unplug", {"vnic_id": v["id"]})
        self.assertEqual(self.call("port.delete", {"id": p["id"]}), {})
        self.assertEqual(self.call("vnic.delete", {"id": v["id"]}), {})

    def test_mac_address_in_use(self):
        n = self.network()
        self.port(n["id"], mac_address="fa:16:3e:12:34:56")
        e = self.assertRpcError(409, "MacAddressInUse", "mac_address", "port.create",
                                {"network_id": n["id"], "mac_address": "fa:16:3e:12:34:56"})
        self.assertIn("message", e.error)
        # Case does not make a different MAC.
        self.assertRpcError(409, "MacAddressInUse", "mac_address", "port.create",
                            {"network_id": n["id"], "mac_address": "FA:16:3E:12:34:56"})
        p2 = self.port(n["id"])
        # vsw makes mac_address create-only (Neutron lets an admin change it):
        # either way an update must never duplicate a MAC.
        with self.assertRaises(RpcError) as cm:
            self.c.call("port.update", {"id": p2["id"], "mac_address": "fa:16:3e:12:34:56",
                                        "admin": True})
        e = cm.exception
        self.assertIn((e.code, e.type), [(400, "InvalidInput"), (409, "MacAddressInUse")],
                      str(e))
        self.assertEqual(e.field, "mac_address")
        self.assertEqual(self.call("port.show", {"id": p2["id"]})["mac_address"],
                         p2["mac_address"])
        # The same MAC on another network is no conflict (as in Neutron).
        n2 = self.network()
        self.assertEqual(self.port(n2["id"], mac_address="fa:16:3e:12:34:56")["mac_address"],
                         "fa:16:3e:12:34:56")

    def test_vnic_socket_in_use(self):
        sock = os.path.join(self.vswd.run_dir, "dup-%s.sock" % self.project)
        self.vnic(socket=sock)
        self.assertRpcError(409, None, "socket", "vnic.create",
                            {"type": "vhost-user", "socket": sock})
        self.assertEqual(len(self.call("vnic.list")), 1)

    def test_unknown_fields_refused(self):
        n = self.network()
        self.assertRpcError(400, "UnknownField", "bogus", "network.create",
                            {"name": "x", "bogus": 1})
        self.assertRpcError(400, "UnknownField", "colour", "port.create",
                            {"network_id": n["id"], "colour": "red"})
        self.assertRpcError(400, "UnknownField", "speed", "vnic.create",
                            {"type": "vhost-user", "speed": 10,
                             "socket": os.path.join(self.vswd.run_dir, "u.sock")})
        self.assertRpcError(400, "UnknownField", "bogus", "network.update",
                            {"id": n["id"], "bogus": True})
        self.assertEqual(self.call("network.list", {"name": "x"}), [])

    def test_read_only_fields_refused(self):
        n = self.network()
        n2 = self.network()
        p = self.port(n["id"])
        self.assertRpcError(400, None, "vnic_id", "port.update",
                            {"id": p["id"], "vnic_id": random_id()})
        self.assertRpcError(400, None, "network_id", "port.update",
                            {"id": p["id"], "network_id": n2["id"]})
        self.assertRpcError(400, None, "status", "network.update",
                            {"id": n["id"], "status": "DOWN"})
        self.assertRpcError(400, None, "port_id", "vnic.create",
                            {"type": "vhost-user", "port_id": p["id"],
                             "socket": os.path.join(self.vswd.run_dir, "ro.sock")})
        self.assertEqual(self.call("port.show", {"id": p["id"]})["network_id"], n["id"])

    def test_invalid_input(self):
        n = self.network()
        sock = os.path.join(self.vswd.run_dir, "inv.sock")
        cases = [
            ("network.create", {"mtu": 10}, "mtu"),
            ("network.create", {"mtu": 100000}, "mtu"),
            ("network.create", {"mtu": "1500"}, "mtu"),
            ("network.create", {"name": 5}, "name"),
            ("network.create", {"name": "n" * 256}, "name"),
            ("network.create", {"admin_state_up": "yes"}, "admin_state_up"),
            ("network.create", {"port_security_enabled": 1}, "port_security_enabled"),
            ("port.create", {}, "network_id"),
            ("port.create", {"network_id": n["id"], "mac_address": "zz:zz:zz:zz:zz:zz"},
             "mac_address"),
            ("port.create", {"network_id": n["id"], "mac_address": "fa:16:3e:00:00"},
             "mac_address"),
            ("port.create", {"network_id": n["id"],
                             "fixed_ips": [{"ip_address": "10.0.0.1"}]}, "fixed_ips"),
            ("port.create", {"network_id": n["id"], "fixed_ips": "none"}, "fixed_ips"),
            ("port.create", {"network_id": n["id"],
                             "allowed_address_pairs": [{"ip_address": "not-an-ip"}]},
             "allowed_address_pairs"),
            ("port.create", {"network_id": n["id"], "allowed_address_pairs": "x"},
             "allowed_address_pairs"),
            ("vnic.create", {"type": "tap", "socket": sock}, "type"),
            ("vnic.create", {"type": "vhost-user"}, "socket"),
            ("vnic.create", {"type": "vhost-user", "socket": sock, "mode": "both"}, "mode"),
            ("vnic.create", {"type": "vhost-user", "socket": sock, "queues": 0}, "queues"),
            ("vnic.create", {"type": "vhost-user", "socket": sock, "queues": 9}, "queues"),
            ("vnic.create", {"type": "vhost-user", "socket": sock, "queues": "2"}, "queues"),
            ("vnic.create", {"type": "vhost-user", "socket": sock,
                             "mac_address": "01:00:00:00:00:0g"}, "mac_address"),
            ("vnic.create", {"type": "dpdk"}, "devargs"),
        ]
        for method, params, field in cases:
            with self.subTest(method=method, params=params):
                self.assertRpcError(400, "InvalidInput", field, method, params)
        self.assertEqual(self.call("vnic.list"), [])
        self.assertEqual([x["id"] for x in self.call("network.list")], [n["id"]])
        self.assertEqual(self.call("port.list"), [])

    def test_not_found(self):
        n = self.network()
        p = self.port(n["id"])
        v = self.vnic()
        rid = random_id()
        cases = [
            ("network.show", {"id": rid}, "NetworkNotFound", "id"),
            ("network.update", {"id": rid, "name": "x"}, "NetworkNotFound", "id"),
            ("network.delete", {"id": rid}, "NetworkNotFound", "id"),
            ("port.show", {"id": rid}, "PortNotFound", "id"),
            ("port.update", {"id": rid, "name": "x"}, "PortNotFound", "id"),
            ("port.delete", {"id": rid}, "PortNotFound", "id"),
            ("port.create", {"network_id": rid}, "NetworkNotFound", "network_id"),
            ("vnic.show", {"id": rid}, "VnicNotFound", "id"),
            ("vnic.delete", {"id": rid}, "VnicNotFound", "id"),
            ("vnic.plug", {"vnic_id": rid, "port_id": p["id"]}, "VnicNotFound", "vnic_id"),
            ("vnic.plug", {"vnic_id": v["id"], "port_id": rid}, "PortNotFound", "port_id"),
            ("vnic.unplug", {"vnic_id": rid}, "VnicNotFound", "vnic_id"),
        ]
        for method, params, etype, field in cases:
            with self.subTest(method=method, params=params):
                self.assertRpcError(404, etype, field, method, params)
        self.assertIsNone(self.call("port.show", {"id": p["id"]}).get("vnic_id"))

    def test_cross_project_isolation(self):
        pa, pb = self.project + "-a", self.project + "-b"
        na = self.call("network.create", {"name": "net-a", "project_id": pa})
        nb = self.call("network.create", {"name": "net-b", "project_id": pb})
        self.assertEqual(na["project_id"], pa)
        porta = self.call("port.create", {"network_id": na["id"], "project_id": pa})
        va = self.call("vnic.create", {"type": "vhost-user", "project_id": pa,
                                       "socket": os.path.join(self.vswd.run_dir, "a.sock")})
        vb = self.call("vnic.create", {"type": "vhost-user", "project_id": pb,
                                       "socket": os.path.join(self.vswd.run_dir, "b.sock")})
        # B cannot see or touch A's objects: they do not exist for B.
        for method, params, etype, field in [
            ("network.show", {"id": na["id"]}, "NetworkNotFound", "id"),
            ("network.update", {"id": na["id"], "name": "stolen"}, "NetworkNotFound", "id"),
            ("network.delete", {"id": na["id"]}, "NetworkNotFound", "id"),
            ("port.create", {"network_id": na["id"]}, "NetworkNotFound", "network_id"),
            ("port.show", {"id": porta["id"]}, "PortNotFound", "id"),
            ("port.update", {"id": porta["id"], "name": "x"}, "PortNotFound", "id"),
            ("port.delete", {"id": porta["id"]}, "PortNotFound", "id"),
            ("vnic.show", {"id": va["id"]}, "VnicNotFound", "id"),
            ("vnic.delete", {"id": va["id"]}, "VnicNotFound", "id"),
            ("vnic.plug", {"vnic_id": vb["id"], "port_id": porta["id"]},
             "PortNotFound", "port_id"),
        ]:
            with self.subTest(method=method):
                p = dict(params, project_id=pb)
                self.assertRpcError(404, etype, field, method, p)
        # A request with no project acts in the default project, not in A.
        self.assertRpcError(404, "NetworkNotFound", "id", "network.show",
                            {"id": na["id"]}, project=False)
        self.assertEqual([n["id"] for n in self.call("network.list", {"project_id": pa})],
                         [na["id"]])
        self.assertEqual([n["id"] for n in self.call("network.list", {"project_id": pb})],
                         [nb["id"]])
        self.assertEqual([p["id"] for p in self.call("port.list", {"project_id": pb})], [])
        self.assertEqual([v["id"] for v in self.call("vnic.list", {"project_id": pb})],
                         [vb["id"]])
        self.assertEqual(self.call("network.show", {"id": na["id"], "project_id": pa})["name"],
                         "net-a")
        # Admin sees and reaches both projects.
        ids = {n["id"] for n in self.c.call("network.list", {"admin": True})}
        self.assertTrue({na["id"], nb["id"]} <= ids)
        self.assertEqual(self.c.call("network.show", {"id": na["id"], "admin": True})["id"],
                         na["id"])
        ports = {p["id"] for p in self.c.call("port.list", {"admin": True})}
        self.assertIn(porta["id"], ports)
        # Admin acting for a project creates there.
        nc = self.c.call("network.create", {"name": "for-c", "admin": True,
                                            "project_id": pa + "-c"})
        self.assertEqual(nc["project_id"], pa + "-c")


CHILD = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
out = []
f = s.makefile("rb")
for i, (method, params) in enumerate(json.loads(sys.argv[2])):
    s.sendall(json.dumps({"jsonrpc": "2.0", "id": i + 1, "method": method,
                          "params": params}).encode() + b"\n")
    out.append(json.loads(f.readline()))
print(json.dumps(out))
"""


class AdminCase(unittest.TestCase):
    """A vswd whose socket others may reach; calls made as uid nobody."""

    NOBODY = 65534
    CONFIG = 'api = {\n  socket_mode = "0666";\n};\n'

    def setUp(self):
        self.run_dir = tempfile.mkdtemp(prefix="vswtest-admin-")
        os.chmod(self.run_dir, 0o755)
        conf = os.path.join(self.run_dir, "vsw.conf")
        with open(conf, "w") as f:
            f.write(self.CONFIG)
        self.addCleanup(shutil.rmtree, self.run_dir, ignore_errors=True)
        self.vswd = Vswd(run_dir=self.run_dir, args=["-c", conf])
        self.addCleanup(self.vswd.cleanup)
        self.vswd.start()

    def as_nobody(self, calls):
        if os.geteuid() != 0:
            self.skipTest("needs root to switch uid")
        r = subprocess.run(["setpriv", "--reuid=%d" % self.NOBODY,
                            "--regid=%d" % self.NOBODY, "--clear-groups",
                            "/usr/bin/python3", "-c", CHILD, self.vswd.socket_path,
                            json.dumps(calls)],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)


class AdminTests(AdminCase):
    """admin: true is honoured only from the uids in api.admin_uids (SO_PEERCRED)."""

    def test_socket_mode_from_config(self):
        self.assertEqual(os.stat(self.vswd.socket_path).st_mode & 0o777, 0o666)

    def test_admin_refused_from_non_admin_uid(self):
        c = self.vswd.client()
        self.addCleanup(c.close)
        theirs = c.call("network.create", {"name": "other", "project_id": "other-proj"})
        res = self.as_nobody([
            ["network.create", {"name": "mine"}],
            ["network.create", {"name": "as-admin", "admin": True}],
            ["network.list", {"admin": True}],
            ["network.show", {"id": theirs["id"], "admin": True}],
            ["network.create", {"name": "shared", "shared": True}],
            ["network.list", {}],
        ])
        self.assertIn("result", res[0], res[0])
        for r in res[1:4]:
            self.assertEqual(r.get("error", {}).get("code"), 403, r)
            self.assertEqual(r["error"].get("data", {}).get("type"), "Forbidden", r)
        # shared is an admin-only field.
        self.assertEqual(res[4].get("error", {}).get("code"), 403, res[4])
        self.assertEqual(res[4]["error"].get("data", {}).get("field"), "shared", res[4])
        self.assertEqual([n["name"] for n in res[5]["result"]], ["mine"])
        # Nothing was created by the refused calls.
        names = sorted(n["name"] for n in c.call("network.list", {"admin": True}))
        self.assertEqual(names, ["mine", "other"])
        # The daemon's own uid (root here) may act as admin.
        self.assertIs(c.call("network.create", {"name": "s", "shared": True,
                                                "admin": True})["shared"], True)


class AdminUidsFromConfigTests(AdminCase):
    """api.admin_uids names who may act as admin, and no one else."""

    CONFIG = ('api = {\n  socket_mode = "0666";\n  admin_uids = [%d];\n};\n'
              % AdminCase.NOBODY)

    def test_unlisted_root_is_refused(self):
        c = self.vswd.client()
        self.addCleanup(c.close)
        with self.assertRaises(RpcError) as cm:
            c.call("network.list", {"admin": True})
        self.assertEqual((cm.exception.code, cm.exception.type), (403, "Forbidden"))

    def test_listed_uid_may_act_as_admin(self):
        c = self.vswd.client()
        self.addCleanup(c.close)
        theirs = c.call("network.create", {"name": "other", "project_id": "other-proj"})
        res = self.as_nobody([
            ["network.list", {"admin": True}],
            ["network.show", {"id": theirs["id"], "admin": True}],
            ["network.create", {"name": "s", "shared": True, "admin": True}],
        ])
        self.assertEqual([n["id"] for n in res[0]["result"]], [theirs["id"]], res[0])
        self.assertEqual(res[1]["result"]["id"], theirs["id"], res[1])
        self.assertIs(res[2]["result"]["shared"], True, res[2])


if __name__ == "__main__":
    vswtest.main()
