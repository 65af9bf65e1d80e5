# SPDX-License-Identifier: BSD-3-Clause
"""vswd's state across restarts: clean stop, kill -9 mid-burst, a corrupt
state db (refused with exit 3, never modified) and the db's file mode."""
import hashlib
import json
import os
import random
import socket
import sys
import threading
import time
import unittest

import vswtest
from vswtest import Vswd


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(c):
    """Every object, as show returns it, by kind and id (admin view)."""
    out = {}
    for kind in ("network", "port", "vnic"):
        listed = c.call(kind + ".list", {"admin": True})
        shown = {}
        for obj in listed:
            shown[obj["id"]] = c.call(kind + ".show", {"id": obj["id"], "admin": True})
        out[kind] = {"list": {o["id"]: o for o in listed}, "show": shown}
    return out


class PersistenceCase(unittest.TestCase):

    def new_vswd(self, run_dir=None, **kw):
        v = Vswd(run_dir=run_dir, **kw)
        self.addCleanup(v.cleanup)
        return v

    def restart(self, old):
        """A new vswd on old's run dir (old must have exited)."""
        self.assertIsNotNone(old.proc.poll())
        return self.new_vswd(run_dir=old.run_dir).start()


class RestartTests(PersistenceCase):

    def populate(self, c, run_dir):
        nets = [c.call("network.create", {"name": "net-%d" % i, "project_id": proj,
                                          "mtu": 1400 + i})
                for i, proj in enumerate(["pa", "pa", "pb"])]
        c.call("network.create", {"name": "priv", "port_security_enabled": False})
        ports = []
        for i in range(6):
            n = nets[i % 3]
            fields = {"network_id": n["id"], "project_id": n["project_id"],
                      "name": "port-%d" % i}
            if i == 1:
                fields["mac_address"] = "fa:16:3e:01:02:03"
            if i == 2:
                fields["allowed_address_pairs"] = [{"ip_address": "10.9.0.0/24"}]
            ports.append(c.call("port.create", fields))
        vnics = []
        for i in range(4):
            proj = ports[i]["project_id"]
            vnics.append(c.call("vnic.create", {
                "type": "vhost-user", "project_id": proj, "queues": 1 + i,
                "mode": "client" if i % 2 else "server",
                "socket": os.path.join(run_dir, "vm%d.sock" % i)}))
        for i in range(3):
            c.call("vnic.plug", {"vnic_id": vnics[i]["id"], "port_id": ports[i]["id"],
                                 "project_id": ports[i]["project_id"]})
        # Changes after creation must persist too.
        c.call("vnic.unplug", {"vnic_id": vnics[2]["id"], "project_id": ports[2]["project_id"]})
        c.call("network.update", {"id": nets[0]["id"], "name": "renamed",
                                  "project_id": "pa", "admin_state_up": False})
        c.call("port.update", {"id": ports[4]["id"], "project_id": ports[4]["project_id"],
                               "admin_state_up": False})
        c.call("port.delete", {"id": ports[5]["id"], "project_id": ports[5]["project_id"]})
        return ports[5]["id"]

    def listening(self, path, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return True
            except OSError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
            finally:
                s.close()

    def check_restart(self, stop):
        v1 = self.new_vswd().start()
        c = v1.client()
        deleted = self.populate(c, v1.run_dir)
        before = snapshot(c)
        c.close()
        self.assertEqual(len(before["network"]["show"]), 4)
        self.assertEqual(len(before["port"]["show"]), 5)
        self.assertEqual(len(before["vnic"]["show"]), 4)
        stop(v1)
        v2 = self.restart(v1)
        c2 = v2.client()
        self.addCleanup(c2.close)
        after = snapshot(c2)
        for kind in ("network", "port", "vnic"):
            self.assertEqual(sorted(after[kind]["show"]), sorted(before[kind]["show"]), kind)
            for oid, obj in before[kind]["show"].items():
                self.assertEqual(after[kind]["show"][oid], obj, "%s %s changed" % (kind, oid))
            self.assertEqual(after[kind]["list"], before[kind]["list"])
        self.assertNotIn(deleted, after["port"]["show"])
        # Server-mode vhost-user VNICs listen again (a stale socket file
        # left by kill -9 must not stop them).
        for vnic in after["vnic"]["show"].values():
            if vnic["mode"] == "server":
                self.assertTrue(self.listening(vnic["socket"]),
                                "%s not listening after restart" % vnic["socket"])
        # Generated MACs stay unique across the restart.
        nid = next(iter(before["network"]["show"]))
        proj = before["network"]["show"][nid]["project_id"]
        macs = [p["mac_address"] for p in after["port"]["show"].values()]
        for _ in range(30):
            macs.append(c2.call("port.create", {"network_id": nid,
                                                "project_id": proj})["mac_address"])
        self.assertEqual(len(macs), len(set(macs)), "a MAC was handed out twice")
        self.assertEqual(v2.stop(), 0)

    def test_clean_restart_keeps_every_object(self):
        def sigterm(v):
            self.assertEqual(v.stop(), 0)
        self.check_restart(sigterm)

    def test_kill9_restart_keeps_every_object(self):
        self.check_restart(lambda v: v.kill9())


class BurstKillTests(PersistenceCase):

    N = 1000

    def test_acknowledged_network_creates_survive_kill9(self):
        self.check_burst("network", {})

    def test_acknowledged_port_creates_survive_kill9(self):
        self.check_burst("port", None)

    def check_burst(self, kind, params):
        v1 = self.new_vswd().start()
        if params is None:
            c = v1.client()
            params = {"network_id": c.call("network.create", {"name": "burst-net"})["id"]}
            c.close()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.settimeout(20)
        s.connect(v1.socket_path)
        kill_after = random.randint(300, 600)
        blob = b"".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": kind + ".create",
                                    "params": dict(params, name="burst-%d" % i)}).encode()
                        + b"\n" for i in range(self.N))
        acked = {}
        errors = []
        state = {"killed_at": None}

        def reader():
            buf = b""
            try:
                while True:
                    chunk = s.recv(1 << 16)
                    if not chunk:
                        return
                    buf += chunk
                    lines = buf.split(b"\n")
                    buf = lines.pop()
                    for line in lines:
                        r = json.loads(line)
                        if "result" in r:
                            acked[r["id"]] = r["result"]["id"]
                        else:
                            errors.append(r)
                        if state["killed_at"] is None and len(acked) >= kill_after:
                            v1.proc.kill()
                            state["killed_at"] = len(acked)
            except OSError:
                return

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            s.sendall(blob)
        except OSError:
            pass  # the daemon died before reading everything
        t.join(30)
        self.assertFalse(t.is_alive(), "reader did not finish")
        v1.proc.wait(10)
        self.assertEqual(errors, [])
        self.assertIsNotNone(state["killed_at"],
                             "only %d of %d acknowledged before the burst ended"
                             % (len(acked), self.N))
        v2 = self.restart(v1)
        c = v2.client()
        self.addCleanup(c.close)
        present = {n["id"]: n["name"] for n in c.call(kind + ".list", {"admin": True})
                   if n["name"].startswith("burst-") and n["name"] != "burst-net"}
        lost = [i for i, nid in acked.items() if present.get(nid) != "burst-%d" % i]
        in_flight = self.N - len(acked)
        extra = len(present) - len(acked)
        sys.stderr.write("\n  %s burst: %d sent, killed after %d acks, %d acked in all, "
                         "%d unacknowledged (in flight or unsent), %d of them committed\n"
                         % (kind, self.N, state["killed_at"], len(acked), in_flight, extra))
        if kind == "port":
            macs = [p["mac_address"] for p in c.call("port.list", {"admin": True})]
            self.assertEqual(len(macs), len(set(macs)))
            more = c.call("port.create", dict(params, name="after"))
            self.assertNotIn(more["mac_address"], macs)
        self.assertEqual(lost, [], "acknowledged creates lost after kill -9")
        self.assertGreaterEqual(extra, 0)
        self.assertEqual(len(set(present.values())), len(present), "duplicate objects")
        self.assertEqual(v2.stop(), 0)


class GroupCommitTests(PersistenceCase):

    def test_failed_member_of_a_pipeline_does_not_undo_the_rest(self):
        v1 = self.new_vswd().start()
        c = v1.client()
        net = c.call("network.create", {"name": "g"})["id"]
        calls = []
        for i in range(30):
            p = {"network_id": net, "name": "g-%d" % i}
            if i in (10, 11):
                p["mac_address"] = "fa:16:3e:77:77:77"
            if i == 20:
                p["mtu"] = 1500  # not a port field
            calls.append(p)
        c.send_raw(b"".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "port.create",
                                        "params": p}).encode() + b"\n"
                            for i, p in enumerate(calls)))
        resp = [c.recv_line() for _ in calls]
        ok = {r["id"]: r["result"] for r in resp if "result" in r}
        self.assertEqual(sorted(set(range(30)) - set(ok)), [11, 20])
        c.close()
        v1.kill9()
        v2 = self.restart(v1)
        c2 = v2.client()
        self.addCleanup(c2.close)
        after = {p["id"]: p for p in c2.call("port.list", {"network_id": net})}
        self.assertEqual(after, {p["id"]: p for p in ok.values()})
        self.assertEqual(v2.stop(), 0)


class CorruptDbTests(PersistenceCase):

    def expect_refused(self, v, db_files):
        before = {p: sha256(p) for p in db_files}
        log_start = os.path.getsize(v.log_path) if os.path.exists(v.log_path) else 0
        v.start(expect_ready=False)
        rc = v.wait_exit(30)
        if rc is None:
            v.proc.kill()
            v.proc.wait(10)
            self.fail("vswd kept running on a corrupt db:\n" + v.read_log())
        with open(v.log_path, "rb") as f:
            f.seek(log_start)
            log = f.read().decode(errors="replace")
        self.assertEqual(rc, 3, "exit %d on a corrupt db:\n%s" % (rc, log))
        self.assertIn(v.db_path, log, "the message does not name the db")
        for p, digest in before.items():
            self.assertEqual(sha256(p), digest, "%s was modified" % p)

    def test_random_bytes_db(self):
        v = self.new_vswd()
        with open(v.db_path, "wb") as f:
            f.write(os.urandom(16384))
        self.expect_refused(v, [v.db_path])
        # A second try refuses the same way (nothing was "repaired").
        v2 = self.new_vswd(run_dir=v.run_dir)
        self.expect_refused(v2, [v.db_path])

    def test_truncated_db(self):
        v1 = self.new_vswd().start()
        c = v1.client()
        batch = [{"jsonrpc": "2.0", "id": i, "method": "network.create",
                  "params": {"name": "n-%d-%s" % (i, "x" * 100)}} for i in range(400)]
        c.send_raw(json.dumps(batch) + "\n")
        resp = c.recv_line()
        self.assertEqual(len(resp), 400)
        self.assertTrue(all("result" in r for r in resp))
        c.close()
        self.assertEqual(v1.stop(), 0)
        size = os.path.getsize(v1.db_path)
        with open(v1.db_path, "rb") as f:
            header = f.read(100)
        self.assertEqual(header[:16], b"SQLite format 3\x00")
        page = int.from_bytes(header[16:18], "big")
        page = 65536 if page == 1 else page
        self.assertGreaterEqual(size // page, 8, "db too small to truncate mid-way")
        with open(v1.db_path, "r+b") as f:
            f.truncate((size // page // 2) * page + page // 2)
        v2 = self.new_vswd(run_dir=v1.run_dir)
        self.expect_refused(v2, [v1.db_path])


class DbModeTests(PersistenceCase):

    def test_db_file_mode_0600(self):
        old = os.umask(0)
        try:
            v = self.new_vswd().start()
        finally:
            os.umask(old)
        c = v.client()
        self.addCleanup(c.close)
        c.call("network.create", {"name": "n"})
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = v.db_path + suffix
            if os.path.exists(p) or suffix == "":
                mode = os.stat(p).st_mode & 0o777
                self.assertEqual(mode, 0o600, "%s has mode %o" % (p, mode))
        self.assertEqual(v.stop(), 0)
        mode = os.stat(v.db_path).st_mode & 0o777
        self.assertEqual(mode, 0o600)


if __name__ == "__main__":
    vswtest.main()
