# SPDX-License-Identifier: BSD-3-Clause
"""Scale: 256 vhost-user VNICs on one vswd (embedded default memory:
--no-huge, 512 MiB) with traffic between two of them, and 100,000 learned
MACs in one network.

Learning goes through a ring (limits.punt_ring_size, default 1024) that the
control thread drains every 100 ms; a 100k-frame burst would overflow it
(mac_table.learn_ring_full). This test raises the ring to 65536, the
largest value the config accepts (131072 is out of range), AND paces the
learning frames at 100k frames/s through a FIFO (about 10k per drain), so
no request may be lost: learn_ring_full must stay 0 and every MAC be
learned after one pass. (Replaying a plain pcap twice does not work here:
the learned MACs belong to the VNIC, and closing it to replay flushes them.)
"""
import json
import os
import shutil
import struct
import tempfile
import time
import unittest

import l2util
import test_l2_churn as churn   # FifoFeeder and the fast pcap helpers
import vswtest

N_VNICS = 256
N_MACS = 100000
MAC_FEED_FPS = 100000
PUNT_RING = 65536
N_PROBES = 2000             # frames from another port to learned MACs
FLOW_MIN = 1000
TIMEOUT = 30.0

MAC_GEN = "02:00:00:5c:00:01"
MAC_SINK = "02:00:00:5c:00:02"
MAC_L = "02:00:00:5c:01:01"     # learning port (port security off)
MAC_C = "02:00:00:5c:01:02"     # sender to learned MACs
MAC_D = "02:00:00:5c:01:03"     # witness: would see any flood
ETHERTYPE = 0x88B5


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def learned_mac(i):
    """The i-th learned MAC: locally administered unicast 06:5c:xx:xx:xx:a5."""
    return bytes((0x06, 0x5C, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF, 0xA5))


def frame(dst, src, seq):
    head = dst + src + struct.pack(">HI", ETHERTYPE, seq)
    return head + b"\x5a" * (60 - len(head))


def learning_frame(i):
    return frame(mac_bytes(MAC_D), learned_mac(i), i)


def probe_frame(j):
    return frame(learned_mac(probe_target(j)), mac_bytes(MAC_C), j)


def probe_target(j):
    return (j * 49999) % N_MACS   # spread over the whole table


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(churn.PCAP_HDR)
        for fr in frames:
            f.write(churn.pcap_record(fr))


class ScaleCase(vswtest.VswdTestCase):
    """Helpers of both scale tests."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="vsw-scale-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # --- helpers ---

    def pipelined(self, calls):
        """Sends every (method, params) at once; returns the results in
        order, or fails with the first error vswd answered."""
        c = self.c
        msgs = [{"jsonrpc": "2.0", "id": k + 1, "method": m, "params": p}
                for k, (m, p) in enumerate(calls)]
        c.send_raw("".join(json.dumps(m) + "\n" for m in msgs))
        results, errors = [], []
        for m in msgs:
            r = c.recv_line()
            self.assertIsNotNone(r, "vswd closed the connection:\n" + self.vswd.read_log())
            self.assertEqual(r.get("id"), m["id"])
            if "error" in r:
                errors.append((m["method"], m["params"], r["error"]))
            results.append(r.get("result"))
        self.assertEqual(errors[:3], [], "%d of %d calls failed; vswd log:\n%s" % (
            len(errors), len(calls), self.vswd.read_log()[-3000:]))
        return results

    def stats(self):
        return self.c.call("stats.get")

    def vnic_stats(self, vnic_id):
        for v in self.stats()["vnics"]:
            if v["id"] == vnic_id:
                return v
        self.fail("no stats for vnic %s" % vnic_id)

    def net_stats(self, net_id):
        for n in self.stats()["networks"]:
            if n["id"] == net_id:
                return n
        self.fail("no stats for network %s" % net_id)

    def wait_for(self, pred, what, timeout=TIMEOUT):
        try:
            return l2util.wait_until(pred, timeout, what, interval=0.05)
        except AssertionError as e:
            self.fail("%s\nmac_table %r\nvswd log:\n%s" % (
                e, self.stats()["mac_table"], self.vswd.read_log()[-3000:]))

    def start_vm(self, name, sock, mac, args, cpu):
        vm = l2util.Testpmd(name, [l2util.virtio_user_vdev(0, sock, mac, server=False)],
                            args=args + ["--auto-start", "--rxd=256", "--txd=256"],
                            cpu=cpu, mem_mb=64, mbufs=2048, workdir=self.tmp)
        self.addCleanup(vm.cleanup)
        vm.start(wait_ready=False)
        return vm


@unittest.skipUnless(l2util.testpmd_available(), "dpdk-testpmd not installed")
class L2ScaleVnicsTest(ScaleCase):
    """The embedded default (no config file: --no-huge, 512 MiB)."""

    def test_256_vhost_user_vnics_with_traffic_between_two(self):
        net = self.c.call("network.create", {"name": "scale"})
        socks = [os.path.join(self.tmp, "v%03d.sock" % i) for i in range(N_VNICS)]
        port_fields = [{"network_id": net["id"], "name": "p%03d" % i} for i in range(N_VNICS)]
        port_fields[0].update(mac_address=MAC_GEN,
                              allowed_address_pairs=[{"ip_address": l2util.TXONLY_SRC_CIDR}])
        port_fields[1].update(mac_address=MAC_SINK)
        t0 = time.monotonic()
        ports = self.pipelined([("port.create", f) for f in port_fields])
        vnics = self.pipelined([("vnic.create", {
            "type": "vhost-user", "mode": "server", "queues": 1, "socket": s,
            "name": "v%03d" % i}) for i, s in enumerate(socks)])
        self.pipelined([("vnic.plug", {"vnic_id": v["id"], "port_id": p["id"]})
                        for v, p in zip(vnics, ports)])
        setup_s = time.monotonic() - t0

        listed = self.c.call("vnic.list")
        self.assertEqual(len(listed), N_VNICS)
        self.assertEqual({v["id"]: v["port_id"] for v in listed},
                         {v["id"]: p["id"] for v, p in zip(vnics, ports)})
        bad = [v for v in listed if v["status"] == "ERROR"]
        self.assertEqual(bad, [], "VNICs in ERROR")
        missing = [s for s in socks if not os.path.exists(s)]
        self.assertEqual(missing, [], "vsw does not listen on %d sockets" % len(missing))

        sink = self.start_vm("sink", socks[1], MAC_SINK, ["--forward-mode=rxonly"], cpu=1)
        gen = self.start_vm("gen", socks[0], MAC_GEN,
                            ["--forward-mode=txonly", "--eth-peer=0," + MAC_SINK], cpu=0)
        for v in vnics[:2]:
            l2util.wait_status(self.c, "vnic", v["id"], "ACTIVE", TIMEOUT)
        s0 = self.vnic_stats(vnics[1]["id"])["tx_packets"]
        self.wait_for(lambda: self.vnic_stats(vnics[1]["id"])["tx_packets"] >= s0 + FLOW_MIN,
                      "%d frames gen -> sink" % FLOW_MIN)
        self.assertIsNone(gen.proc.poll())
        self.assertIsNone(sink.proc.poll())

        st = {v["id"]: v for v in self.stats()["vnics"]}
        self.assertGreater(st[vnics[0]["id"]]["rx_packets"], 0)
        self.assertEqual(st[vnics[0]["id"]]["flooded"], 0, "known unicast flooded")
        for v in vnics[2:]:
            s = st[v["id"]]
            self.assertEqual((s["status"], s["rx_packets"], s["tx_packets"], s["dropped"]),
                             ("DOWN", 0, 0, 0), "idle vnic %s" % v["name"])
        polled = self.c.call("workers.list")
        self.assertEqual(sorted(q["vnic"] for q in polled),
                         sorted(v["id"] for v in vnics[:2]),
                         "only the two connected VNICs are polled: %r" % polled)
        print("\n  %d VNICs created and plugged in %.1fs; mempool %r" % (
            N_VNICS, setup_s, self.stats()["mempool"]), end=" ", flush=True)

        # All of them go away again, sockets included.
        gen.kill()
        sink.kill()
        self.pipelined([("vnic.unplug", {"vnic_id": v["id"]}) for v in vnics])
        self.pipelined([("vnic.delete", {"id": v["id"]}) for v in vnics])
        self.pipelined([("port.delete", {"id": p["id"]}) for p in ports])
        self.assertEqual(self.c.call("vnic.list"), [])
        left = [s for s in socks if os.path.exists(s)]
        self.assertEqual(left, [], "%d vhost-user sockets left behind" % len(left))
        self.assertEqual(self.stats()["mempool"]["in_use"], 0)
        self.assertIsNone(self.vswd.proc.poll())


class L2ScaleMacsTest(ScaleCase):
    """The default but for limits.punt_ring_size (see the top of the file)."""

    @classmethod
    def setUpClass(cls):
        cls.conf_dir = tempfile.mkdtemp(prefix="vsw-scale-conf-")
        cls.conf = os.path.join(cls.conf_dir, "vsw.conf")
        with open(cls.conf, "w") as f:
            f.write("limits = { punt_ring_size = %d; };\n" % PUNT_RING)
        cls.vswd_args = ("-c", cls.conf)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.conf_dir, ignore_errors=True)

    def test_100k_learned_macs_then_unicast_not_flooded(self):
        c = self.c
        net = c.call("network.create", {"name": "macs"})
        port_l = c.call("port.create", {"network_id": net["id"], "name": "learner",
                                        "mac_address": MAC_L,
                                        "port_security_enabled": False})
        port_c = c.call("port.create", {"network_id": net["id"], "name": "sender",
                                        "mac_address": MAC_C})
        port_d = c.call("port.create", {"network_id": net["id"], "name": "witness",
                                        "mac_address": MAC_D})
        # A port's MAC is a static entry while a VNIC is plugged into it.
        n_static = 2    # learner and witness; the sender's comes later
        d_out = os.path.join(self.tmp, "d.out.pcap")
        l_out = os.path.join(self.tmp, "l.out.pcap")
        fifo = os.path.join(self.tmp, "learn.fifo")
        os.mkfifo(fifo)

        vnic_d = c.call("vnic.create", {"type": "dpdk", "name": "witness",
                                        "devargs": "net_pcap0,tx_pcap=" + d_out})
        c.call("vnic.plug", {"vnic_id": vnic_d["id"], "port_id": port_d["id"]})
        base = self.stats()["mac_table"]

        feeder = churn.FifoFeeder(fifo, learning_frame, MAC_FEED_FPS, count=N_MACS,
                                  chunk=256)
        self.addCleanup(feeder.join, 10)
        self.addCleanup(feeder.abort.set)
        feeder.start()
        vnic_l = c.call("vnic.create", {"type": "dpdk", "name": "learner",
                                        "devargs": "net_pcap1,rx_pcap=%s,tx_pcap=%s"
                                        % (fifo, l_out)})
        # Frames wait in the FIFO: a plugged worker blocks reading an empty
        # one, and the plug waits for the worker's quiescent state.
        feeder.go.set()
        c.call("vnic.plug", {"vnic_id": vnic_l["id"], "port_id": port_l["id"]})
        feeder.join(60)
        self.assertFalse(feeder.is_alive(), "feeder hung")
        self.assertIsNone(feeder.error)
        self.assertEqual(feeder.sent, N_MACS)
        self.wait_for(lambda: self.vnic_stats(vnic_l["id"])["rx_packets"] == N_MACS,
                      "%d learning frames in" % N_MACS)
        self.wait_for(lambda: self.net_stats(net["id"])["macs"] >= N_MACS + n_static,
                      "%d MACs in the network" % (N_MACS + n_static))
        time.sleep(0.3)     # a few more drains: nothing else may come
        mt = self.stats()["mac_table"]
        self.assertEqual(self.net_stats(net["id"])["macs"], N_MACS + n_static)
        self.assertEqual(mt["learn_ring_full"] - base["learn_ring_full"], 0, mt)
        self.assertEqual(mt["table_full"] - base["table_full"], 0, mt)
        self.assertEqual(mt["learned"] - base["learned"], N_MACS, mt)
        st_l = self.vnic_stats(vnic_l["id"])
        self.assertEqual(st_l["dropped"], 0, st_l["drops"])
        self.assertEqual(st_l["flooded"], 0)

        # Frames to learned MACs from another port: unicast to the learner.
        probes = [probe_frame(j) for j in range(N_PROBES)]
        c_in = os.path.join(self.tmp, "c.in.pcap")
        write_pcap(c_in, probes)
        vnic_c = c.call("vnic.create", {"type": "dpdk", "name": "sender",
                                        "devargs": "net_pcap2,rx_pcap=" + c_in})
        c.call("vnic.plug", {"vnic_id": vnic_c["id"], "port_id": port_c["id"]})
        self.wait_for(lambda: self.vnic_stats(vnic_c["id"])["rx_packets"] == N_PROBES,
                      "%d probes in" % N_PROBES)
        self.wait_for(lambda: self.vnic_stats(vnic_l["id"])["tx_packets"] >= N_PROBES,
                      "%d probes out to the learner" % N_PROBES)
        time.sleep(0.2)
        st = {v["id"]: v for v in self.stats()["vnics"]}
        self.assertEqual(st[vnic_c["id"]]["flooded"], 0, "frames to learned MACs flooded")
        self.assertEqual(st[vnic_c["id"]]["dropped"], 0, st[vnic_c["id"]]["drops"])
        self.assertEqual(st[vnic_l["id"]]["tx_packets"], N_PROBES)
        self.assertEqual(st[vnic_d["id"]]["tx_packets"], N_MACS)
        self.assertEqual(self.net_stats(net["id"])["macs"], N_MACS + n_static + 1)

        for v in (vnic_c, vnic_l, vnic_d):     # closing flushes the pcaps
            c.call("vnic.unplug", {"vnic_id": v["id"]})
            c.call("vnic.delete", {"id": v["id"]})
        self.assertEqual(churn.read_pcap(l_out), probes)
        d_frames = churn.read_pcap(d_out)
        self.assertEqual(len(d_frames), N_MACS)
        self.assertEqual(d_frames[0], learning_frame(0))
        self.assertEqual(d_frames[-1], learning_frame(N_MACS - 1))
        self.assertIsNone(self.vswd.proc.poll())


if __name__ == "__main__":
    vswtest.main()
