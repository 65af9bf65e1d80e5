# SPDX-License-Identifier: BSD-3-Clause
"""L2 data plane with real vhost-user peers: dpdk-testpmd "VMs" whose
virtio-net driver is net_virtio_user, one process per VNIC, in both socket
modes.

A VM sends with testpmd's `start tx_first N`: exactly N bursts per stream
through the txonly engine (Ether <vdev mac> -> --eth-peer / IPv4
198.18.0.1 -> 198.18.0.2 / UDP), then nothing; the other VM receives with
rxonly. Once the sender stops, every count is exact: sender's TX-packets ==
vsw rx of its VNIC == vsw tx to the receiver's VNIC == receiver's RX-packets.

CPUs: both testpmds (main and forwarding lcore) share CPU 0, vswd's worker
has CPU 1, so at most two threads busy-poll a CPU.
"""
import os
import re
import time
import unittest

import l2util as u
import vswtest

MAC_A, MAC_B = u.mac(0xa, 0x20), u.mac(0xb, 0x20)


@unittest.skipUnless(u.testpmd_available(), "dpdk-testpmd not installed")
class L2VhostTest(vswtest.VswdTestCase):
    def setUp(self):
        super().setUp()
        self.pmds = []

    def tearDown(self):
        for pmd in self.pmds:
            pmd.cleanup()

    def sock(self, name):
        return os.path.join(self.vswd.run_dir, name + ".sock")

    def topology(self, mode, queues=1, mtu=None):
        """A network, port a (security on, txonly's source allowed) and port
        b (security off), a vhost-user VNIC plugged into each."""
        fields = {"mtu": mtu} if mtu else {}
        self.net = u.create_network(self.c, "n1", **fields)
        self.port_a = u.create_port(self.c, self.net["id"], "a", mac_address=MAC_A,
                                    allowed_address_pairs=[{"ip_address": u.TXONLY_SRC_CIDR}])
        self.port_b = u.create_port(self.c, self.net["id"], "b", mac_address=MAC_B,
                                    port_security_enabled=False)
        self.vnic_a = u.create_vhost_vnic(self.c, "vm-a", self.sock("a"), mode, queues)
        self.vnic_b = u.create_vhost_vnic(self.c, "vm-b", self.sock("b"), mode, queues)
        u.plug(self.c, self.vnic_a["id"], self.port_a["id"])
        u.plug(self.c, self.vnic_b["id"], self.port_b["id"])

    def vm(self, name, sock, mac, vsw_mode, queues=1, args=(), wait_ready=True,
           vdev_extra="", **kw):
        """A testpmd VM on sock; vsw_mode is vsw's role (client: the VM listens)."""
        pmd = u.Testpmd(name, [u.virtio_user_vdev(0, sock, mac, server=vsw_mode == "client",
                                                  queues=queues, extra=vdev_extra)],
                        ["--forward-mode=rxonly", "--rxq=%d" % queues, "--txq=%d" % queues]
                        + list(args), workdir=self.vswd.run_dir, **kw)
        self.pmds.append(pmd)
        return pmd.start(wait_ready=wait_ready)

    def sender(self, vsw_mode, queues=1, args=(), **kw):
        return self.vm("a", self.sock("a"), MAC_A, vsw_mode, queues,
                       ["--eth-peer=0,%s" % MAC_B] + list(args), **kw)

    def receiver(self, vsw_mode, queues=1, args=(), **kw):
        # Room for a whole test's frames even while the receiver waits for
        # CPU 0: vsw counts a frame the guest has no buffer for as tx_full.
        return self.vm("b", self.sock("b"), MAC_B, vsw_mode, queues, args,
                       vdev_extra="queue_size=1024", **kw)

    def wait_active(self):
        for kind, obj in (("vnic", self.vnic_a), ("vnic", self.vnic_b),
                          ("port", self.port_a), ("port", self.port_b)):
            u.wait_status(self.c, kind, obj["id"], "ACTIVE", timeout=30)

    def send(self, tx, rx, bursts):
        """tx sends `bursts` bursts per stream to rx; returns (tx's port
        stats, rx's port stats, vsw's settled VNIC counters)."""
        rx.start_fwd()
        tx.start_tx_first(bursts)
        # tx_first's bursts are done once the sender counts them all.
        time.sleep(0.3)
        tx.stop_fwd()
        stats = u.wait_stats_settled(self.c, quiet=0.5, timeout=30)
        rx.stop_fwd()
        return tx.port_stats(), rx.port_stats(), stats

    def assertDelivered(self, tx_st, rx_st, vsw, expected, frame_len):
        try:
            self.checkDelivered(tx_st, rx_st, vsw, expected, frame_len)
        except AssertionError as e:
            raise AssertionError("%s\nworkers.list: %s\nvswd log:\n%s" % (
                e, self.c.call("workers.list"), self.vswd.read_log()[-3000:])) from None

    def checkDelivered(self, tx_st, rx_st, vsw, expected, frame_len):
        sent = tx_st["tx_packets"]
        self.assertEqual(sent, expected, "sender's TX-packets")
        self.assertEqual(tx_st["tx_bytes"], expected * frame_len)
        self.assertEqual(vsw["vm-a"]["rx_packets"], sent, vsw["vm-a"])
        self.assertEqual(vsw["vm-a"]["rx_bytes"], sent * frame_len)
        self.assertEqual(u.nonzero_drops(vsw["vm-a"]), {})
        self.assertEqual(vsw["vm-a"]["flooded"], 0)
        self.assertEqual(vsw["vm-b"]["tx_packets"], sent, vsw["vm-b"])
        self.assertEqual(vsw["vm-b"]["tx_bytes"], sent * frame_len)
        self.assertEqual(rx_st["rx_packets"], sent, "receiver's RX-packets")
        self.assertEqual(rx_st["rx_bytes"], sent * frame_len)
        self.assertEqual(rx_st["rx_errors"] + rx_st["rx_missed"] + rx_st["rx_nombuf"], 0)
        # Nothing goes back to the sender.
        self.assertEqual(vsw["vm-a"]["tx_packets"], 0)

    # ------------------------------------------------------------------------

    def test_server_mode_two_vms(self):
        self.topology("server")
        self.assertEqual(self.c.call("vnic.show", {"id": self.vnic_a["id"]})["status"], "DOWN")
        self.assertEqual(self.c.call("port.show", {"id": self.port_a["id"]})["status"], "DOWN")
        rx = self.receiver("server")
        tx = self.sender("server")
        self.wait_active()
        tx_st, rx_st, vsw = self.send(tx, rx, bursts=4)
        self.assertDelivered(tx_st, rx_st, vsw, 4 * 32, 64)

        # A VM that quits takes its VNIC and port DOWN; the other stays up.
        tx.quit()
        u.wait_status(self.c, "vnic", self.vnic_a["id"], "DOWN")
        u.wait_status(self.c, "port", self.port_a["id"], "DOWN")
        self.assertEqual(self.c.call("vnic.show", {"id": self.vnic_b["id"]})["status"], "ACTIVE")
        # And one that dies too.
        rx.kill()
        u.wait_status(self.c, "vnic", self.vnic_b["id"], "DOWN")
        u.wait_status(self.c, "port", self.port_b["id"], "DOWN")

        # The guest comes back on vsw's socket: up again, traffic again.
        rx = self.receiver("server")
        tx = self.sender("server")
        self.wait_active()
        tx_st, rx_st, vsw = self.send(tx, rx, bursts=2)
        self.assertEqual(rx_st["rx_packets"], 64)
        self.assertEqual(tx_st["tx_packets"], 64)

    def test_client_mode_two_vms_and_reconnect(self):
        # The VMs listen (server=1) and block until vsw connects.
        rx = self.receiver("client", wait_ready=False)
        tx = self.sender("client", wait_ready=False)
        u.wait_until(lambda: os.path.exists(self.sock("a")) and os.path.exists(self.sock("b")),
                     30, "the VMs' sockets")
        self.topology("client")
        rx.wait_ready(60)
        tx.wait_ready(30)
        self.wait_active()
        tx_st, rx_st, vsw = self.send(tx, rx, bursts=4)
        self.assertDelivered(tx_st, rx_st, vsw, 4 * 32, 64)

        # The receiving VM dies; a new one listens on the same socket: vsw
        # reconnects by itself.
        rx.kill()
        u.wait_status(self.c, "vnic", self.vnic_b["id"], "DOWN")
        u.wait_status(self.c, "port", self.port_b["id"], "DOWN")
        if os.path.exists(self.sock("b")):
            os.unlink(self.sock("b"))   # what the hypervisor does before restarting
        rx = self.receiver("client", wait_ready=False)
        rx.wait_ready(30)
        u.wait_status(self.c, "vnic", self.vnic_b["id"], "ACTIVE", timeout=30)
        u.wait_status(self.c, "port", self.port_b["id"], "ACTIVE", timeout=30)
        before = u.vnic_stats(self.c)
        tx_st2, rx_st2, vsw2 = self.send(tx, rx, bursts=2)
        self.assertEqual(rx_st2["rx_packets"], 64)
        self.assertEqual(tx_st2["tx_packets"] - tx_st["tx_packets"], 64)
        self.assertEqual(vsw2["vm-b"]["tx_packets"] - before["vm-b"]["tx_packets"], 64)
        self.assertEqual(u.nonzero_drops(vsw2["vm-b"]), {})

        # A VM that quits cleanly: DOWN too.
        tx.quit()
        u.wait_status(self.c, "vnic", self.vnic_a["id"], "DOWN")
        u.wait_status(self.c, "port", self.port_a["id"], "DOWN")

    def test_multi_queue(self):
        self.topology("server", queues=2)
        rx = self.receiver("server", queues=2)
        tx = self.sender("server", queues=2)
        self.wait_active()
        # vsw polls both queue pairs of each VNIC.
        polled = {(q["vnic"], q["queue"]) for q in self.c.call("workers.list")}
        for vnic in (self.vnic_a, self.vnic_b):
            self.assertIn((vnic["id"], 0), polled)
            self.assertIn((vnic["id"], 1), polled)
        # Two streams (one per tx queue) of 4 bursts each.
        tx_st, rx_st, vsw = self.send(tx, rx, bursts=4)
        self.assertDelivered(tx_st, rx_st, vsw, 2 * 4 * 32, 64)
        self.assertEqual(tx.queue_packets("tx"), {0: 4 * 32, 1: 4 * 32})

    def test_jumbo_frames_whole(self):
        frame = 9014                      # network mtu 9000 + Ethernet header
        self.topology("server", mtu=9000)
        # The receiver takes jumbo frames in chained 2 KiB mbufs (mergeable
        # rx buffers); the sender builds them in one 9 KiB mbuf.
        rx = self.receiver("server", args=["--max-pkt-len=%d" % frame, "--enable-scatter",
                                           "--burst=16"])
        tx = self.sender("server", args=["--mbuf-size=9300", "--txpkts=%d" % frame,
                                         "--max-pkt-len=%d" % frame, "--burst=16"],
                         mbufs=2048)
        self.wait_active()
        rx.set_verbose(1)
        start = rx.offset()
        tx_st, rx_st, vsw = self.send(tx, rx, bursts=2)
        self.assertDelivered(tx_st, rx_st, vsw, 2 * 16, frame)
        # rxonly's verbose lines: each frame arrived whole, as one packet.
        lengths = re.findall(r"length=(\d+) - nb_segs=(\d+)", rx.output(start))
        self.assertEqual(len(lengths), 32, rx.output(start)[-2000:])
        self.assertEqual({int(n) for n, _ in lengths}, {frame})
        self.assertTrue(all(int(s) > 1 for _, s in lengths), "chained in 2 KiB mbufs")

        # One byte more than the MTU allows: dropped, counted.
        rx.set_verbose(0)
        tx.cmd("set txpkts %d" % (frame + 1))
        before = u.vnic_stats(self.c)
        tx_st2, rx_st2, vsw2 = self.send(tx, rx, bursts=1)
        self.assertEqual(tx_st2["tx_packets"] - tx_st["tx_packets"], 16)
        self.assertEqual(vsw2["vm-a"]["drops"]["mtu"], 16)
        self.assertEqual(vsw2["vm-b"]["tx_packets"], before["vm-b"]["tx_packets"])
        self.assertEqual(rx_st2["rx_packets"], rx_st["rx_packets"])


if __name__ == "__main__":
    vswtest.main()
