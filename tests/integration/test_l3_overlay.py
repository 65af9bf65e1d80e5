# SPDX-License-Identifier: BSD-3-Clause
"""Provider VLAN and VXLAN networks spanning two vswd instances.

The two daemons' uplinks are the two ends of one veth pair (the "wire"),
opened with net_af_packet. Each daemon has its own model: the same segment
is created on both sides. VMs are namespaces plugged into each side. A
sniffer on each wire end sees what the other daemon sent (af_packet's
qdisc bypass hides a daemon's own transmissions from its end), and frames
sent raw on one end arrive at the other daemon.
"""
from scapy.all import ARP, Dot1AD, Dot1Q, Ether, ICMP, IP, Raw, UDP
from scapy.layers.vxlan import VXLAN

import l3util
import vswtest

VTEP_A, VTEP_B = "192.0.2.1", "192.0.2.2"


def mac(side, n):
    return "02:00:00:%02x:00:%02x" % (side, n)


class TwoSwitches(l3util.L3Case):
    role = None

    def setUp(self):
        super().setUp()
        self.rig.label = "A"
        self.vswd_b, self.rig_b = self.extra_vswd("B")
        for _ in range(16):
            self.wire_a, self.wire_b = self.env.veth()
            ga = (self.rig.pid ^ l3util.ifindex(self.wire_a)) & 0xffff
            gb = (self.rig_b.pid ^ l3util.ifindex(self.wire_b)) & 0xffff
            if (ga != gb and self.env.fanout_ok(self.rig.pid, self.wire_a) and
                    self.env.fanout_ok(self.rig_b.pid, self.wire_b)):
                break
            self.env.drop_veth(self.wire_a)

    def diag2(self):
        return self.diag(self.rig, self.rig_b)

    def sniff_wire(self):
        """Sniffers on both ends: (frames A sent, frames B sent) at stop."""
        from_a = self.env.root.sniff(self.wire_b)
        from_b = self.env.root.sniff(self.wire_a)
        return from_a, from_b

    def inject_to_b(self, frames, repeat=1):
        """Frames onto the wire toward B (sent raw on A's end)."""
        return self.env.root.send(frames, iface=self.wire_a, repeat=repeat)


class VlanTest(TwoSwitches):
    def setUp(self):
        super().setUp()
        self.rig.uplink("trunk", self.wire_a, "vlan")
        self.rig_b.uplink("trunk", self.wire_b, "vlan")

    def segment(self, seg, vms):
        """A vlan network seg on both sides; vms: {label: (side, ip)}."""
        out = {}
        for rig, side in ((self.rig, 0xa), (self.rig_b, 0xb)):
            net = rig.provider_network("vlan%d" % seg, "trunk", "vlan", seg)
            self.assertEqual(net["provider:segmentation_id"], seg)
            rig.subnet(net, "10.100.0.0/24", gateway_ip=None)
            for label, (vm_side, ip) in vms.items():
                if vm_side == side:
                    out[label] = rig.vm(net, label, ip=ip,
                                        mac_address=mac(side, int(ip.split(".")[-1])))
        return out

    def test_vlan_segment_spans_both_switches_and_is_isolated(self):
        v100 = self.segment(100, {"a1": (0xa, "10.100.0.11"), "b1": (0xb, "10.100.0.12")})
        v200 = self.segment(200, {"a2": (0xa, "10.100.0.21"), "b2": (0xb, "10.100.0.22")})
        a1, b1, a2, b2 = v100["a1"], v100["b1"], v200["a2"], v200["b2"]
        wire_a, wire_b = self.sniff_wire()
        sniff_b2, sniff_a2 = b2.sniff(), a2.sniff()
        self.reach(a1, b1.ip, rigs=(self.rig, self.rig_b))
        self.assertEqual(a1.ping(b1.ip, count=3), 3, self.diag2())
        self.assertEqual(b1.ping(a1.ip, count=2, size=1472), 2, self.diag2())
        self.reach(b2, a2.ip, rigs=(self.rig, self.rig_b))
        # Same subnet, other segment: a1 cannot reach b2 (nor a2).
        self.assertEqual(a1.ping(b2.ip, count=2), 0)
        self.assertEqual(a1.ping(a2.ip, count=2), 0)
        seen_b2, seen_a2 = sniff_b2.stop(), sniff_a2.stop(settle=0)
        from_a, from_b = wire_a.stop(), wire_b.stop(settle=0)

        for name, frames in (("b2", seen_b2), ("a2", seen_a2)):
            leaked = l3util.frames_matching(frames, lambda p: p.src in (a1.mac, b1.mac))
            self.assertEqual([p.summary() for p in leaked], [],
                             "segment 100 frames reached %s" % name)
        # On the wire, each segment's frames carry its tag, and only it.
        for frames, side in ((from_a, "A"), (from_b, "B")):
            pkts = l3util.frames_matching(frames, lambda p: True)
            self.assertTrue(pkts, "nothing from %s on the wire" % side)
            for p in pkts:
                self.assertTrue(p.haslayer(Dot1Q), "untagged on the trunk: %s" % p.summary())
                inner = p[Dot1Q]
                vid = {a1.mac: 100, b1.mac: 100, a2.mac: 200, b2.mac: 200}.get(p.src)
                self.assertEqual(inner.vlan, vid, p.summary())
                self.assertFalse(inner.payload.haslayer(Dot1Q), "double tag: %s" % p.summary())
        tagged = l3util.frames_matching(from_a, lambda p: p.haslayer(ICMP) and
                                        p[IP].src == a1.ip and p[ICMP].type == 8)
        self.assertGreaterEqual(len(tagged), 3)
        vports = [v for v in self.rig_b.stats()["vports"]
                  if v.get("kind") == "vlan" and v.get("vid") == 100]
        self.assertEqual(len(vports), 1, vports)
        self.assertGreaterEqual(vports[0]["rx_packets"], 3)

    def test_flat_network_untagged_on_the_trunk_beside_a_vlan(self):
        vms = {}
        for rig, side in ((self.rig, 0xa), (self.rig_b, 0xb)):
            net = rig.provider_network("flat", "trunk", "flat")
            rig.subnet(net, "10.101.0.0/24", gateway_ip=None)
            n = 0x30 + side
            vms[side] = rig.vm(net, "f%x" % side, ip="10.101.0.%d" % n,
                               mac_address=mac(side, n))
        v100 = self.segment(100, {"a1": (0xa, "10.100.0.11"), "b1": (0xb, "10.100.0.12")})
        wire_a, _ = self.sniff_wire()
        self.reach(vms[0xa], vms[0xb].ip, rigs=(self.rig, self.rig_b))
        self.assertEqual(vms[0xa].ping(vms[0xb].ip, count=3), 3, self.diag2())
        self.reach(v100["a1"], v100["b1"].ip, rigs=(self.rig, self.rig_b))
        from_a = l3util.frames_matching(wire_a.stop(), lambda p: True)
        flat = [p for p in from_a if p.src == vms[0xa].mac]
        tagged = [p for p in from_a if p.src == v100["a1"].mac]
        self.assertTrue(flat and tagged, [p.summary() for p in from_a])
        self.assertFalse([p.summary() for p in flat if p.haslayer(Dot1Q)], "flat is untagged")
        self.assertTrue(all(p.haslayer(Dot1Q) and p[Dot1Q].vlan == 100 for p in tagged))

    def test_unknown_vlan_and_double_tagged_frames_dropped_and_counted(self):
        self.segment(100, {"b1": (0xb, "10.100.0.12")})
        dst = mac(0xb, 12)
        body = IP(src="10.100.0.99", dst="10.100.0.12") / UDP(sport=1, dport=2) / Raw(b"x" * 20)
        unknown = [Ether(src=mac(0xe, 1), dst=dst) / Dot1Q(vlan=300) / body,
                   Ether(src=mac(0xe, 1), dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=4000) /
                   ARP(psrc="10.100.0.99", pdst="10.100.0.12"),
                   Ether(src=mac(0xe, 1), dst=dst) / body]          # untagged, no flat net
        double = [Ether(src=mac(0xe, 1), dst=dst) / Dot1Q(vlan=100) / Dot1Q(vlan=5) / body,
                  Ether(src=mac(0xe, 1), dst=dst, type=0x88a8) / Dot1AD(vlan=100) /
                  Dot1Q(vlan=5) / body]
        base = self.rig_b.stats()
        sniff = self.env.root.sniff(self.wire_b)
        self.inject_to_b(unknown + double, repeat=3)
        self.assertEqual(len(sniff.stop()), 15, "frames did not all cross the wire")

        self.assertDropsGrew(base, {"unknown_vlan": 9, "double_tagged": 6}, self.rig_b)
        st = self.rig_b.stats()
        up = self.rig_b.uplink_counters("trunk", st)
        self.assertEqual(up["drops"]["unknown_vlan"] + up["drops"]["double_tagged"], 15,
                         "counted on the uplink they came in on: %s" % up["drops"])
        self.assertEqual(self.rig_b.vnic_counters("b1", st)["tx_packets"], 0)


class VxlanTest(TwoSwitches):
    def setUp(self):
        super().setUp()
        self.rig.uplink("underlay", self.wire_a, "vxlan", local_ip=VTEP_A,
                        local_prefixlen=24)
        self.rig_b.uplink("underlay", self.wire_b, "vxlan", local_ip=VTEP_B,
                          local_prefixlen=24)

    def vxlan_net(self, rig, side, ip, remote_vteps):
        """VNI 5000 with static remote VTEPs (network.add_remote_vtep) and
        a VM on it."""
        net = rig.provider_network("vx5000", "underlay", "vxlan", 5000)
        self.assertEqual(net["mtu"], 1450, "uplink mtu 1500 - 50")
        for vtep in remote_vteps or ():
            net = rig.call("network.add_remote_vtep", id=net["id"], ip_address=vtep)
        self.assertEqual(net["remote_vteps"], list(remote_vteps or ()))
        rig.subnet(net, "10.50.0.0/24", gateway_ip=None)
        return rig.vm(net, "vm%x" % side, ip=ip, mac_address=mac(side, int(ip.split(".")[-1])))

    def vteps(self, rig):
        return {v["remote_ip"]: v for v in rig.stats()["vports"]
                if v.get("kind") == "vxlan" and v.get("remote_ip")}

    def check_wire(self, frames, src, dst, macs):
        """Every IPv4 frame is VXLAN src->dst on 4789, VNI 5000, inner macs."""
        pkts = l3util.frames_matching(frames, lambda p: p.haslayer(IP))
        self.assertTrue(pkts, "no IPv4 on the wire from %s" % src)
        for p in pkts:
            self.assertTrue(p.haslayer(UDP) and p[UDP].dport == 4789, p.summary())
            self.assertEqual((p[IP].src, p[IP].dst), (src, dst))
            self.assertNotEqual(p[UDP].sport, 0)
            vx = VXLAN(bytes(p[UDP].payload))
            self.assertEqual(vx.vni, 5000)
            self.assertTrue(vx.flags & 0x08, "I flag")
            self.assertIn(Ether(bytes(vx.payload)).src, macs)
        return pkts

    def test_vxlan_with_static_vteps(self):
        x = self.vxlan_net(self.rig, 0xa, "10.50.0.11", [VTEP_B])
        y = self.vxlan_net(self.rig_b, 0xb, "10.50.0.12", [VTEP_A])
        wire_a, wire_b = self.sniff_wire()
        self.reach(x, y.ip, rigs=(self.rig, self.rig_b))
        self.assertEqual(x.ping(y.ip, count=3), 3, self.diag2())
        # The largest packet the network's MTU allows crosses whole.
        self.assertEqual(y.ping(x.ip, count=2, size=1450 - 28), 2, self.diag2())
        from_a, from_b = wire_a.stop(), wire_b.stop(settle=0)
        self.check_wire(from_a, VTEP_A, VTEP_B, (x.mac,))
        pkts = self.check_wire(from_b, VTEP_B, VTEP_A, (y.mac,))
        self.assertTrue(any(len(p) >= 1450 + 14 + 50 for p in pkts), "no full-size frame")
        a_vteps = self.vteps(self.rig)
        self.assertIn(VTEP_B, a_vteps)
        self.assertFalse(a_vteps[VTEP_B].get("learned"), a_vteps)
        self.assertGreaterEqual(a_vteps[VTEP_B]["rx_packets"], 5)

    def test_vxlan_learns_the_remote_vtep(self):
        # Only A knows a VTEP: its floods reach B, which learns A from them.
        x = self.vxlan_net(self.rig, 0xa, "10.50.0.11", [VTEP_B])
        y = self.vxlan_net(self.rig_b, 0xb, "10.50.0.12", None)
        self.assertNotIn(VTEP_A, self.vteps(self.rig_b))
        self.reach(x, y.ip, rigs=(self.rig, self.rig_b))
        self.assertEqual(y.ping(x.ip, count=3), 3, self.diag2())
        learned = l3util.wait_until(lambda: self.vteps(self.rig_b).get(VTEP_A), 10,
                                    "B to learn VTEP %s" % VTEP_A)
        self.assertTrue(learned.get("learned"), learned)

    def test_vxlan_static_fdb_entry_needs_no_flood(self):
        x = self.vxlan_net(self.rig, 0xa, "10.50.0.11", [VTEP_B])
        y = self.vxlan_net(self.rig_b, 0xb, "10.50.0.12", [VTEP_A])
        net_a = self.rig.call("network.show", id=x.port["network_id"])
        self.rig.call("network.add_fdb_entry", id=net_a["id"], mac_address=y.mac,
                      remote_ip=VTEP_B)
        frame = Ether(src=x.mac, dst=y.mac) / IP(src=x.ip, dst=y.ip) / \
            UDP(sport=7, dport=9) / Raw(b"first frame, to a MAC known by FDB")
        sniff = y.sniff()
        x.send([frame])
        got = l3util.wait_until(
            lambda: l3util.frames_matching(sniff.frames(), lambda p: p.haslayer(Raw) and
                                           p[Raw].load.startswith(b"first frame")),
            10, "y to receive the frame")
        sniff.stop(settle=0)
        self.assertEqual(len(got), 1)
        st = self.rig.vnic_counters("vma")
        # (x may since have answered y's ARP: its port unreachable for port 9.)
        self.assertGreaterEqual(st["rx_packets"], 1)
        self.assertEqual(st["flooded"], 0, "the frame to a static FDB MAC was flooded")

    def test_unknown_vni_dropped_and_counted(self):
        self.vxlan_net(self.rig_b, 0xb, "10.50.0.12", [VTEP_A])
        b_mac = l3util.iface_mac(self.wire_b)
        inner = Ether(src=mac(0xe, 1), dst=mac(0xb, 12)) / IP() / UDP() / Raw(b"y" * 18)
        outer = Ether(src=l3util.iface_mac(self.wire_a), dst=b_mac) / \
            IP(src=VTEP_A, dst=VTEP_B) / UDP(sport=50000, dport=4789)
        base = self.rig_b.stats()
        self.inject_to_b([outer / VXLAN(vni=7777) / inner] * 4)
        l3util.wait_drops(self.rig_b, "unknown_vni", l3util.drops(base, "unknown_vni") + 4)
        st = self.rig_b.stats()
        self.assertEqual(l3util.drops(st, "unknown_vni") - l3util.drops(base, "unknown_vni"),
                         4, self.diag2())
        self.assertEqual(self.rig_b.vnic_counters("vmb", st)["tx_packets"], 0)


if __name__ == "__main__":
    vswtest.main()
