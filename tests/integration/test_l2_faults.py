# SPDX-License-Identifier: BSD-3-Clause
"""Faults: "VMs" (dpdk-testpmd on net_virtio_user) killed with SIGKILL and
restarted under traffic, in both vhost-user socket modes, and vswd itself
restarted under traffic with client-mode VNICs.

Topology: GEN (testpmd txonly, UDP 198.18.0.1 -> 198.18.0.2, unicast to
the sink port's MAC) on port A, SINK (testpmd rxonly) on port B of one
network. "Frames delivered" is vsw's tx_packets of the sink VNIC: frames
rte_vhost put into the guest's rx ring. On this 2-CPU machine the sink
guest gets little CPU, so most frames are tx_full drops; that is expected
and not what these tests check.

Mempool: rte_mempool_in_use_count() counts mbufs in per-lcore caches as
available, so an idle vsw holds no mbuf at all and the tolerance is 0:
the count after the faults must equal the baseline taken in the same
state (traffic stopped) after warm-up.
"""
import os
import shutil
import tempfile
import time
import unittest

import l2util
import vswtest

MAC_GEN = "02:00:00:fa:00:01"
MAC_SINK = "02:00:00:fa:00:02"
ROUNDS = 20
FLOW_MIN = 200              # frames into the sink that prove the flow runs
TIMEOUT = 20.0
GEN_PAIRS = [{"ip_address": l2util.TXONLY_SRC_CIDR}]


@unittest.skipUnless(l2util.testpmd_available(), "dpdk-testpmd not installed")
class L2FaultsTest(vswtest.VswdTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="vsw-flt-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # --- helpers ---

    def start_vm(self, role, server):
        """role 'gen' or 'sink'; server: testpmd listens (vsw is client).
        A SIGKILLed listener leaves its socket file, and virtio-user will not
        bind over it: remove it first, as a hypervisor restarting a VM does."""
        if server and os.path.exists(self.sock[role]):
            os.unlink(self.sock[role])
        if role == "gen":
            mac, args, cpu = MAC_GEN, ["--forward-mode=txonly", "--eth-peer=0," + MAC_SINK], 0
        else:
            mac, args, cpu = MAC_SINK, ["--forward-mode=rxonly"], 1
        vm = l2util.Testpmd(role, [l2util.virtio_user_vdev(0, self.sock[role], mac, server)],
                            args=args + ["--auto-start", "--rxd=256", "--txd=256"],
                            cpu=cpu, mem_mb=64, mbufs=2048, workdir=self.tmp)
        self.addCleanup(vm.cleanup)
        vm.start(wait_ready=False)
        return vm

    def vnic_stats(self, vnic_id):
        for v in self.c.call("stats.get")["vnics"]:
            if v["id"] == vnic_id:
                return v
        self.fail("no stats for vnic %s" % vnic_id)

    def status(self, vnic_id):
        return self.c.call("vnic.show", {"id": vnic_id})["status"]

    def wait_for(self, pred, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.assert_vswd_alive()
            if pred():
                return
            time.sleep(0.05)
        self.fail("timed out after %.0fs waiting for %s\nmempool %r\nvswd log:\n%s" % (
            timeout, what, self.c.call("stats.get")["mempool"],
            self.vswd.read_log()[-3000:]))

    def assert_vswd_alive(self):
        if self.vswd.proc.poll() is not None:
            self.fail("vswd exited with %s:\n%s" % (self.vswd.proc.returncode,
                                                     self.vswd.read_log()))

    def wait_active(self, role):
        vid = self.vnic[role]
        self.wait_for(lambda: self.status(vid) == "ACTIVE", "%s vnic ACTIVE" % role)

    def wait_not_active(self, role):
        vid = self.vnic[role]
        self.wait_for(lambda: self.status(vid) != "ACTIVE", "%s vnic DOWN" % role)

    def assert_flow(self, what):
        """Frames from GEN reach SINK: both VNICs' counters move."""
        g0 = self.vnic_stats(self.vnic["gen"])["rx_packets"]
        s0 = self.vnic_stats(self.vnic["sink"])["tx_packets"]
        self.wait_for(lambda: self.vnic_stats(self.vnic["sink"])["tx_packets"] >= s0 + FLOW_MIN,
                      "%d frames into the sink (%s)" % (FLOW_MIN, what))
        self.assertGreater(self.vnic_stats(self.vnic["gen"])["rx_packets"], g0)

    def build(self, vsw_mode):
        c = self.c
        net = c.call("network.create", {"name": "faults"})
        self.port = {
            "gen": c.call("port.create", {"network_id": net["id"], "mac_address": MAC_GEN,
                                          "allowed_address_pairs": GEN_PAIRS}),
            "sink": c.call("port.create", {"network_id": net["id"],
                                           "mac_address": MAC_SINK}),
        }
        self.sock = {r: os.path.join(self.tmp, r + ".sock") for r in ("gen", "sink")}
        self.vnic = {}
        for role in ("gen", "sink"):
            v = c.call("vnic.create", {"type": "vhost-user", "mode": vsw_mode,
                                       "socket": self.sock[role], "queues": 1,
                                       "name": role})
            c.call("vnic.plug", {"vnic_id": v["id"], "port_id": self.port[role]["id"]})
            self.vnic[role] = v["id"]

    def in_use(self):
        return self.c.call("stats.get")["mempool"]["in_use"]

    def settled_in_use(self):
        """in_use once the gen VNIC is down and the worker has moved on."""
        self.wait_not_active("gen")
        time.sleep(0.3)
        return self.in_use()

    # --- tests ---

    def kill_restart_rounds(self, vsw_mode):
        testpmd_server = vsw_mode == "client"
        self.build(vsw_mode)
        vm = {"sink": self.start_vm("sink", testpmd_server),
              "gen": self.start_vm("gen", testpmd_server)}
        self.wait_active("sink")
        self.wait_active("gen")
        self.assert_flow("warm-up")

        # Baseline: traffic stopped (gen killed), sink still up.
        vm["gen"].kill()
        baseline = self.settled_in_use()
        vm["gen"] = self.start_vm("gen", testpmd_server)
        self.wait_active("gen")
        self.assert_flow("after warm-up")

        for i in range(ROUNDS):
            victim = "gen" if i % 2 == 0 else "sink"
            pid = vm[victim].proc.pid
            vm[victim].kill()
            vm[victim].cleanup()
            self.wait_not_active(victim)
            self.assert_vswd_alive()
            vm[victim] = self.start_vm(victim, testpmd_server)
            self.assertNotEqual(vm[victim].proc.pid, pid)
            self.wait_active(victim)
            self.wait_active("gen" if victim == "sink" else "sink")
            self.assert_flow("round %d, %s restarted" % (i, victim))

        for role in ("gen", "sink"):
            self.assertEqual(self.status(self.vnic[role]), "ACTIVE")
            port = self.c.call("port.show", {"id": self.port[role]["id"]})
            self.assertEqual(port["status"], "ACTIVE", port)
        self.assert_flow("after %d kills" % ROUNDS)
        vm["gen"].kill()
        after = self.settled_in_use()
        print("\n  mempool in_use: baseline %d, after %d kills %d" % (baseline, ROUNDS, after),
              end=" ", flush=True)
        self.assertEqual(after, baseline,
                         "mbufs leaked over %d VM kills: in_use %d, baseline %d" %
                         (ROUNDS, after, baseline))
        # A guest that dies mid-burst is no frame error: the only drops are
        # frames for a sink that is gone or not reading (tx_full).
        for role in ("gen", "sink"):
            st = self.vnic_stats(self.vnic[role])
            self.assertEqual(st["flooded"], 0, "%s flooded (the sink's MAC is static)" % role)
            self.assertEqual({k: v for k, v in st["drops"].items() if v and k != "tx_full"},
                             {}, "%s drops" % role)
        self.assert_vswd_alive()

    def test_kill_restart_vm_20_times_vsw_server_mode(self):
        self.kill_restart_rounds("server")

    def test_kill_restart_vm_20_times_vsw_client_mode(self):
        self.kill_restart_rounds("client")

    def test_vswd_restart_under_traffic_client_mode(self):
        """testpmd listens (server=1); vsw connects. vswd stops (SIGTERM
        twice, then SIGKILL once: the spec says state survives kill -9),
        starts again on the same run dir, reloads its state and reconnects;
        the same testpmd processes carry traffic again."""
        self.build("client")
        vm = {"sink": self.start_vm("sink", True), "gen": self.start_vm("gen", True)}
        self.wait_active("sink")
        self.wait_active("gen")
        self.assert_flow("before restart")
        pids = {r: vm[r].proc.pid for r in vm}

        for n, how in enumerate(("SIGTERM", "SIGTERM", "SIGKILL")):
            self.c.close()
            if how == "SIGTERM":
                rc = self.vswd.stop(timeout=15)
                self.assertEqual(rc, 0, "vswd exit status on SIGTERM:\n" +
                                 self.vswd.read_log())
            else:
                self.vswd.kill9()
            for r in vm:
                self.assertIsNone(vm[r].proc.poll(), "testpmd %s died with vswd:\n%s" %
                                  (r, vm[r].output()[-3000:]))
            self.vswd.start()
            self.c = self.vswd.client()
            self.addCleanup(self.c.close)
            self.assertEqual(sorted(v["id"] for v in self.c.call("vnic.list")),
                             sorted(self.vnic.values()))
            for r in ("gen", "sink"):
                v = self.c.call("vnic.show", {"id": self.vnic[r]})
                self.assertEqual(v["port_id"], self.port[r]["id"])
                self.wait_active(r)
            self.assert_flow("after vswd restart %d (%s)" % (n + 1, how))
            self.assertEqual({r: vm[r].proc.pid for r in vm}, pids)
            for r in vm:
                self.assertIsNone(vm[r].proc.poll())


if __name__ == "__main__":
    vswtest.main()
