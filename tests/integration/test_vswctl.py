# SPDX-License-Identifier: BSD-3-Clause
"""vswctl against a real vswd: commands, names, output formats, exit codes."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import vswtest

UNKNOWN_UUID = "3f0c4c55-7a2b-4d4e-9a61-0123456789ab"


def run_vswctl(args, env, timeout=30):
    """vswctl without the harness's --socket: the socket comes from env."""
    return subprocess.run([vswtest.VSWCTL] + list(args), capture_output=True,
                          text=True, timeout=timeout, env=env)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("VSW_SOCKET", "XDG_RUNTIME_DIR")}
    env.update(extra)
    return env


def parse_table(text):
    """Rows of an aligned table as dicts keyed by the header; cells hold no spaces here."""
    lines = text.splitlines()
    header = lines[0].split()
    rows = []
    for line in lines[1:]:
        cells = line.split()
        assert len(cells) == len(header), (header, line)
        for name, cell in zip(header, cells):
            # Aligned: every cell starts under its column's header.
            assert line[lines[0].index(name):].startswith(cell), (name, line)
        rows.append(dict(zip(header, cells)))
    return header, rows


def parse_fields(text):
    """A FIELD/VALUE table as a dict of strings."""
    lines = text.splitlines()
    assert lines[0].split() == ["FIELD", "VALUE"], lines[0]
    value_col = lines[0].index("VALUE")
    return {line[:value_col].strip(): line[value_col:] for line in lines[1:]}


def cli_error_line(err):
    """The line vswctl prints for a server error."""
    if err.type and err.field:
        return "vswctl: %s (%s, field %s)" % (err.error["message"], err.type, err.field)
    if err.type:
        return "vswctl: %s (%s)" % (err.error["message"], err.type)
    return "vswctl: %s (code %d)" % (err.error["message"], err.code)


class VswctlCase(vswtest.VswdTestCase):
    def ctl(self, *args, rc=0, env=None):
        r = vswtest.vswctl(list(args), self.vswd.socket_path, env=env)
        self.assertEqual(r.returncode, rc, "vswctl %s -> %d\nstdout: %s\nstderr: %s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        if rc == 0:
            self.assertEqual(r.stderr, "")
        else:
            self.assertEqual(r.stdout, "")
        return r

    def ctl_json(self, *args):
        return json.loads(self.ctl("--json", *args).stdout)

    def api_error(self, method, params):
        with self.assertRaises(vswtest.RpcError) as cm:
            self.c.call(method, params)
        return cm.exception

    def make_network(self, name):
        return self.ctl_json("network", "create", "--name", name)

    def make_vnic(self, name):
        return self.ctl_json("vnic", "create", "--name", name, "--type", "vhost-user",
                             "--socket", os.path.join(self.vswd.run_dir, name + ".sock"),
                             "--mode", "server")


class TestCrud(VswctlCase):
    def test_network_lifecycle_by_name(self):
        out = self.ctl("network", "create", "--name", "n1", "--disable").stdout
        fields = parse_fields(out)
        self.assertEqual(fields["name"], "n1")
        self.assertEqual(fields["admin_state_up"], "false")
        net = self.c.call("network.show", {"id": fields["id"]})
        self.assertEqual(net["name"], "n1")
        self.assertIs(net["admin_state_up"], False)

        header, rows = parse_table(self.ctl("network", "list").stdout)
        self.assertEqual(header, ["ID", "NAME", "STATUS", "MTU", "PROJECT_ID"])
        self.assertEqual(rows, [{"ID": net["id"], "NAME": "n1", "STATUS": net["status"],
                                 "MTU": str(net["mtu"]), "PROJECT_ID": net["project_id"]}])

        self.assertEqual(parse_fields(self.ctl("network", "show", "n1").stdout)["id"], net["id"])
        self.assertEqual(parse_fields(self.ctl("network", "show", net["id"]).stdout)["name"], "n1")

        upd = parse_fields(self.ctl("network", "update", "n1", "--name", "n2", "--enable").stdout)
        self.assertEqual((upd["name"], upd["admin_state_up"]), ("n2", "true"))
        self.assertEqual(self.c.call("network.show", {"id": net["id"]})["name"], "n2")
        self.ctl("network", "show", "n1", rc=1)

        r = self.ctl("network", "delete", "n2")
        self.assertEqual(r.stdout, "Deleted network %s\n" % net["id"])
        self.assertEqual(self.c.call("network.list"), [])

    def test_port_on_network_by_name(self):
        n1 = self.make_network("n1")
        n2 = self.make_network("n2")
        p1 = self.ctl_json("port", "create", "--network", "n1", "--name", "p1",
                           "--mac", "fa:16:3e:00:00:11")
        self.assertEqual(p1["network_id"], n1["id"])
        self.assertEqual(p1["mac_address"], "fa:16:3e:00:00:11")
        p2 = self.ctl_json("port", "create", "--network", n2["id"], "--name", "p2")
        self.assertEqual(p2["network_id"], n2["id"])

        header, rows = parse_table(self.ctl("port", "list", "--network", "n1").stdout)
        self.assertEqual(header, ["ID", "NAME", "NETWORK_ID", "MAC_ADDRESS", "STATUS", "VNIC_ID"])
        self.assertEqual([(r["ID"], r["NAME"], r["NETWORK_ID"], r["MAC_ADDRESS"]) for r in rows],
                         [(p1["id"], "p1", n1["id"], "fa:16:3e:00:00:11")])
        self.assertEqual(len(parse_table(self.ctl("port", "list").stdout)[1]), 2)

        upd = self.ctl_json("port", "update", "p2", "--name", "p2b")
        self.assertEqual((upd["id"], upd["name"]), (p2["id"], "p2b"))
        self.assertEqual(self.ctl("port", "delete", p1["id"]).stdout,
                         "Deleted port %s\n" % p1["id"])
        self.assertEqual([p["id"] for p in self.c.call("port.list")], [p2["id"]])

    def test_vnic_create_plug_unplug(self):
        self.make_network("n1")
        port = self.ctl_json("port", "create", "--network", "n1", "--name", "p1")
        # --socket after the verb is the VNIC's field, not the global option.
        vnic = self.make_vnic("v1")
        self.assertEqual(vnic["socket"], os.path.join(self.vswd.run_dir, "v1.sock"))
        self.assertEqual(vnic["type"], "vhost-user")

        header, rows = parse_table(self.ctl("vnic", "list").stdout)
        self.assertEqual(header, ["ID", "NAME", "TYPE", "MAC_ADDRESS", "PORT_ID", "STATUS",
                                  "SOCKET/DEVARGS"])
        self.assertEqual((rows[0]["ID"], rows[0]["PORT_ID"], rows[0]["SOCKET/DEVARGS"]),
                         (vnic["id"], "-", vnic["socket"]))

        self.ctl("vnic", "plug", "v1", "p1")
        self.assertEqual(self.c.call("vnic.show", {"id": vnic["id"]})["port_id"], port["id"])
        _, rows = parse_table(self.ctl("vnic", "list").stdout)
        self.assertEqual(rows[0]["PORT_ID"], port["id"])

        self.ctl("vnic", "unplug", vnic["id"])
        self.assertIsNone(self.c.call("vnic.show", {"id": vnic["id"]})["port_id"])
        self.ctl("vnic", "plug", vnic["id"], port["id"])
        self.assertEqual(self.c.call("vnic.show", {"id": vnic["id"]})["port_id"], port["id"])
        self.ctl("vnic", "unplug", "v1")

        self.assertEqual(self.ctl("vnic", "delete", "v1").stdout,
                         "Deleted vnic %s\n" % vnic["id"])
        self.assertEqual(self.c.call("vnic.list"), [])

    def test_string_fields_stay_strings(self):
        self.assertEqual(self.ctl_json("network", "create", "--name", "123")["name"], "123")
        self.assertEqual(self.ctl_json("network", "create", "--name=true")["name"], "true")
        self.assertEqual(self.ctl_json("network", "show", "123")["name"], "123")

    def test_project_and_admin(self):
        mine = self.make_network("mine")
        theirs = self.ctl_json("--project", "alpha", "network", "create", "--name", "theirs")
        self.assertEqual(theirs["project_id"], "alpha")
        self.assertEqual([n["id"] for n in self.ctl_json("network", "list")], [mine["id"]])
        self.assertEqual([n["id"] for n in self.ctl_json("--project", "alpha", "network", "list")],
                         [theirs["id"]])
        self.assertEqual(sorted(n["id"] for n in self.ctl_json("--admin", "network", "list")),
                         sorted([mine["id"], theirs["id"]]))
        self.ctl("network", "show", "theirs", rc=1)
        self.assertEqual(self.ctl_json("--project", "alpha", "network", "show", "theirs")["id"],
                         theirs["id"])


class TestJsonOutput(VswctlCase):
    def test_json_matches_api(self):
        net = self.make_network("n1")
        self.ctl_json("port", "create", "--network", "n1", "--name", "p1")
        self.assertEqual(self.ctl_json("network", "list"), self.c.call("network.list"))
        self.assertEqual(self.ctl_json("network", "show", "n1"),
                         self.c.call("network.show", {"id": net["id"]}))
        self.assertEqual(self.ctl_json("port", "list", "--network", "n1"),
                         self.c.call("port.list", {"network_id": net["id"]}))
        self.assertEqual(self.ctl_json("extensions"), self.c.call("extensions.list"))
        self.assertIsInstance(self.ctl_json("stats"), dict)
        # --json after the verb is honoured too.
        self.assertEqual(json.loads(self.ctl("network", "list", "--json").stdout),
                         self.c.call("network.list"))

    def test_call_raw(self):
        net = self.make_network("n1")
        r = self.ctl("call", "network.show", json.dumps({"id": net["id"]}))
        self.assertEqual(json.loads(r.stdout), self.c.call("network.show", {"id": net["id"]}))
        self.assertEqual(json.loads(self.ctl("call", "network.list").stdout),
                         self.c.call("network.list"))
        err = self.api_error("no.such_method", {})
        self.assertEqual(err.code, -32601)
        r = self.ctl("call", "no.such_method", "{}", rc=1)
        self.assertEqual(r.stderr, cli_error_line(err) + "\n")
        self.ctl("call", "network.list", "{not json", rc=2)

    def test_info_stats_extensions(self):
        info = self.c.call("system.info")
        out = self.ctl("info").stdout
        self.assertIn("version: %s\n" % info["version"], out)
        self.assertTrue(out.endswith("\n"))
        self.ctl("stats")
        exts = self.c.call("extensions.list")
        out = self.ctl("extensions").stdout
        self.assertTrue(out.startswith("ALIAS"))
        for e in exts:
            self.assertIn(e["alias"], out)


class TestErrors(VswctlCase):
    def test_unknown_name(self):
        r = self.ctl("port", "create", "--network", "nope", "--name", "p1", rc=1)
        self.assertEqual(r.stderr, "vswctl: no network named nope\n")
        self.assertEqual(self.c.call("port.list"), [])
        r = self.ctl("network", "show", "nope", rc=1)
        self.assertEqual(r.stderr, "vswctl: no network named nope\n")

    def test_ambiguous_name(self):
        a = self.make_network("dup")
        b = self.make_network("dup")
        r = self.ctl("network", "delete", "dup", rc=1)
        self.assertEqual(r.stderr, "vswctl: 2 networks named dup; use the id\n")
        self.ctl("network", "delete", a["id"])
        r = self.ctl("network", "delete", "dup")
        self.assertEqual(r.stdout, "Deleted network %s\n" % b["id"])
        self.assertEqual(self.c.call("network.list"), [])

    def test_not_found(self):
        err = self.api_error("network.show", {"id": UNKNOWN_UUID})
        self.assertEqual(err.code, 404)
        r = self.ctl("network", "show", UNKNOWN_UUID, rc=1)
        self.assertEqual(r.stderr, cli_error_line(err) + "\n")

    def test_network_in_use(self):
        net = self.make_network("n1")
        self.ctl_json("port", "create", "--network", "n1")
        err = self.api_error("network.delete", {"id": net["id"]})
        self.assertEqual((err.code, err.type), (409, "NetworkInUse"))
        r = self.ctl("network", "delete", "n1", rc=1)
        self.assertEqual(r.stderr, cli_error_line(err) + "\n")
        self.assertIn("(NetworkInUse", r.stderr)

    def test_bad_value(self):
        err = self.api_error("network.create", {"name": "x", "admin_state_up": "maybe"})
        self.assertEqual((err.code, err.field), (400, "admin_state_up"))
        r = self.ctl("network", "create", "--name", "x", "--admin-state-up", "maybe", rc=1)
        self.assertEqual(r.stderr, cli_error_line(err) + "\n")
        self.assertIn("field admin_state_up)", r.stderr)
        self.assertEqual(self.c.call("network.list"), [])

    def test_unknown_field_refused(self):
        r = self.ctl("network", "create", "--no-such-field", "1", rc=1)
        self.assertIn("no_such_field", r.stderr)

    def test_usage_errors(self):
        for args in (["bogus"], ["network"], ["network", "frob"], ["network", "show"],
                     ["network", "show", "a", "b"], ["network", "delete", "--name", "x"],
                     ["network", "update", "n1"], ["network", "create", "--name"],
                     ["vnic", "plug", "v1"], ["--timeout", "0", "info"], ["--bogus", "info"],
                     ["network", "create", "--enable=yes"]):
            r = self.ctl(*args, rc=2)
            self.assertTrue(r.stderr.startswith("vswctl: "), (args, r.stderr))
            self.assertIn("usage: vswctl", r.stderr, args)
        r = vswtest.vswctl([], self.vswd.socket_path)
        self.assertEqual(r.returncode, 2)

    def test_help(self):
        r = self.ctl("--help")
        self.assertTrue(r.stdout.startswith("usage: vswctl"))
        self.assertIn("vnic plug VNIC PORT", r.stdout)
        r = self.ctl("network", "--help")
        self.assertIn("network create", r.stdout)
        self.assertIn("network delete ID|NAME", r.stdout)
        self.assertIn("vnic plug VNIC PORT", self.ctl("vnic", "--help").stdout)

    def test_dashed_kind_names_accepted(self):
        # Whether vswd serves these depends on its extensions; the CLI must
        # accept the spelling (not a usage error) either way.
        for kind in ("ipsec-site-connection", "endpoint-group", "floating-ip"):
            r = vswtest.vswctl([kind, "list"], self.vswd.socket_path)
            self.assertIn(r.returncode, (0, 1), (kind, r.stderr))


class TestSocket(VswctlCase):
    def test_vsw_socket_env(self):
        info = self.c.call("system.info")
        r = run_vswctl(["--json", "info"], clean_env(VSW_SOCKET=self.vswd.socket_path))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["version"], info["version"])
        # --socket wins over the environment.
        r = run_vswctl(["--socket", self.vswd.socket_path, "info"],
                       clean_env(VSW_SOCKET="/nonexistent/vsw.sock"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_unreachable_socket(self):
        path = os.path.join(self.vswd.run_dir, "nothing-here.sock")
        r = vswtest.vswctl(["network", "list"], path)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, "")
        self.assertTrue(r.stderr.startswith("vswctl: cannot connect to %s: " % path), r.stderr)
        self.assertIn("is vswd running?", r.stderr)
        r = run_vswctl(["info"], clean_env(VSW_SOCKET=path))
        self.assertEqual(r.returncode, 3)

    def test_stopped_daemon(self):
        self.c.close()
        self.vswd.stop()
        r = vswtest.vswctl(["info"], self.vswd.socket_path)
        self.assertEqual(r.returncode, 3, r.stderr)


class TestDefaultSocket(unittest.TestCase):
    def test_xdg_runtime_dir(self):
        xdg = tempfile.mkdtemp(prefix="vswctl-xdg-")
        self.addCleanup(shutil.rmtree, xdg, True)
        os.mkdir(os.path.join(xdg, "vsw"), 0o700)
        vswd = vswtest.Vswd(run_dir=os.path.join(xdg, "vsw"))
        self.addCleanup(vswd.cleanup)
        vswd.start()
        r = run_vswctl(["--json", "network", "list"], clean_env(XDG_RUNTIME_DIR=xdg))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), [])


class TestNoAnswer(unittest.TestCase):
    def test_timeout(self):
        d = tempfile.mkdtemp(prefix="vswctl-mute-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "mute.sock")
        mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(mute.close)
        mute.bind(path)
        mute.listen(1)  # never accepts, never answers
        t0 = time.monotonic()
        r = vswtest.vswctl(["--timeout", "0.5", "info"], path, timeout=10)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("no answer", r.stderr)
        self.assertLess(elapsed, 5)
        self.assertGreaterEqual(elapsed, 0.4)


if __name__ == "__main__":
    vswtest.main()
