# SPDX-License-Identifier: BSD-3-Clause
"""L2 data plane with net_pcap VNICs: frames built with scapy go in through
a VNIC's rx pcap, and what vsw sends each port is read back from its VNIC's
tx pcap and compared byte for byte, with the stats.get counters.
"""
from scapy.all import (ARP, BOOTP, DHCP, Dot1AD, Dot1Q, Ether, ICMPv6EchoRequest, IP, IPv6,
                       Raw, UDP)

import l2util as u
import vswtest

BCAST = "ff:ff:ff:ff:ff:ff"
# Port MACs: A, B, C... in one network; the same MACs again in another.
MA, MB, MC, MD = u.mac(0xa), u.mac(0xb), u.mac(0xc), u.mac(0xd)
UNKNOWN = u.mac(0x99)
PAIRS = [{"ip_address": "10.0.0.0/8"}]


def udp(src, dst, ip_src="10.0.0.1", ip_dst="10.0.0.2", size=None, tag=b""):
    """An Ether/IPv4/UDP frame; size: its exact length in bytes."""
    frame = Ether(src=src, dst=dst) / IP(src=ip_src, dst=ip_dst) / UDP(sport=4000, dport=5000)
    pad = max(0, size - len(frame) - len(tag)) if size else 0
    return frame / Raw(tag + b"\x5a" * pad)


def dhcp_discover(src):
    return (Ether(src=src, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) /
            BOOTP(chaddr=bytes.fromhex(src.replace(":", "")), xid=0x1234) /
            DHCP(options=[("message-type", "discover"), "end"]))


def arp(src, sha=None, psrc="10.0.0.1", pdst="10.0.0.2", dst=BCAST):
    return Ether(src=src, dst=dst) / ARP(op=1, hwsrc=sha or src, psrc=psrc, pdst=pdst)


def total_bytes(frames):
    return sum(len(bytes(f)) for f in frames)


class L2PcapTest(vswtest.VswdTestCase):
    def setUp(self):
        super().setUp()
        self.rig = u.PcapRig(self.c, self.vswd.run_dir)

    def net(self, name, **fields):
        return self.rig.network(name, **fields)

    def ports(self, net, names_macs, **fields):
        fields.setdefault("allowed_address_pairs", PAIRS)
        for name, mac in names_macs:
            self.rig.port(name, net, mac, **fields)

    def assertFrames(self, got, expected, port):
        expected = [bytes(f) for f in expected]
        self.assertEqual(len(got), len(expected),
                         "port %s: %d frames, expected %d" % (port, len(got), len(expected)))
        for i, (g, e) in enumerate(zip(got, expected)):
            self.assertEqual(g, e, "port %s frame %d differs" % (port, i))

    def assertCounters(self, st, **want):
        """want: rx, tx, rx_bytes, tx_bytes, flooded, drops={reason: n}."""
        names = {"rx": "rx_packets", "tx": "tx_packets"}
        drops = want.pop("drops", {})
        for k, v in want.items():
            self.assertEqual(st[names.get(k, k)], v, "%s of %s: %s" % (k, st["name"], st))
        self.assertEqual(u.nonzero_drops(st), drops, "drops of %s" % st["name"])
        self.assertEqual(st["dropped"], sum(drops.values()))

    # --- forwarding ---------------------------------------------------------

    def test_unicast_to_owning_port_only(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB), ("c", MC), ("d", MD)])
        to_b = [udp(MA, MB, size=s, tag=b"b%d" % s) for s in (60, 200, 1514)]
        to_c = [udp(MA, MC, size=s, tag=b"c%d" % s) for s in (64, 1000)]
        to_self = [udp(MA, MA, tag=b"self")]
        frames = [to_b[0], to_c[0], to_b[1], to_self[0], to_c[1], to_b[2]]
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], to_b, "b")
        self.assertFrames(got["c"], to_c, "c")
        self.assertFrames(got["a"], [], "a")
        self.assertFrames(got["d"], [], "d")
        self.assertCounters(st["a"], rx=6, rx_bytes=total_bytes(frames), tx=0, flooded=0,
                            drops={"self_dest": 1})
        self.assertCounters(st["b"], rx=0, tx=3, tx_bytes=total_bytes(to_b))
        self.assertCounters(st["c"], rx=0, tx=2, tx_bytes=total_bytes(to_c))
        self.assertCounters(st["d"], rx=0, tx=0)

    def test_flood_broadcast_multicast_unknown_within_network(self):
        n1, n2 = self.net("n1"), self.net("n2")
        self.ports(n1, [("a", MA), ("b", MB), ("c", MC)])
        self.ports(n2, [("x", MB), ("y", MD)])
        frames = [
            arp(MA),                                                    # broadcast
            udp(MA, BCAST, ip_dst="10.255.255.255", tag=b"bcast"),
            udp(MA, "01:00:5e:00:00:fb", ip_dst="224.0.0.251", tag=b"mdns"),
            Ether(src=MA, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1") /
            ICMPv6EchoRequest(),
            udp(MA, UNKNOWN, tag=b"unknown unicast"),
        ]
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], frames, "b")
        self.assertFrames(got["c"], frames, "c")
        self.assertFrames(got["a"], [], "a")
        self.assertFrames(got["x"], [], "x")
        self.assertFrames(got["y"], [], "y")
        self.assertCounters(st["a"], rx=5, tx=0, flooded=5)
        for p in ("b", "c"):
            self.assertCounters(st[p], rx=0, tx=5, tx_bytes=total_bytes(frames))
        for p in ("x", "y"):
            self.assertCounters(st[p], rx=0, tx=0)
        nets = u.network_stats(self.c)
        self.assertEqual(nets["n2"]["tx_packets"], 0)

    def test_networks_isolated_with_the_same_macs(self):
        n1, n2 = self.net("n1"), self.net("n2")
        self.ports(n1, [("a1", MA), ("b1", MB)])
        self.ports(n2, [("a2", MA), ("b2", MB)])
        from_a1 = [udp(MA, MB, tag=b"n1 unicast"), udp(MA, BCAST, tag=b"n1 bcast"),
                   udp(MA, UNKNOWN, tag=b"n1 unknown")]
        from_a2 = [udp(MA, MB, tag=b"n2 unicast"), udp(MA, BCAST, tag=b"n2 bcast")]
        self.rig.send("a1", from_a1)
        st1 = self.rig.stats()
        self.rig.send("a2", from_a2)
        st2 = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b1"], from_a1, "b1")
        self.assertFrames(got["b2"], from_a2, "b2")
        self.assertFrames(got["a1"], [], "a1")
        self.assertFrames(got["a2"], [], "a2")
        self.assertCounters(st1["b2"], tx=0)
        self.assertCounters(st1["a2"], tx=0)
        self.assertCounters(st2["b1"], tx=3)
        self.assertCounters(st2["a2"], rx=2, flooded=1)
        self.assertCounters(st2["b2"], tx=2, tx_bytes=total_bytes(from_a2))
        nets = u.network_stats(self.c)
        self.assertEqual(nets["n2"]["macs"], nets["n1"]["macs"])

    def test_network_counters_sum_their_vnics(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB), ("c", MC)])
        frames = [udp(MA, MB), udp(MA, BCAST), udp(MA, MB, ip_src="192.168.0.1")]
        self.rig.send("a", frames)
        vn = self.rig.stats()
        nets = u.network_stats(self.c)
        for key in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "flooded", "dropped"):
            self.assertEqual(nets["n1"][key], sum(v[key] for v in vn.values()), key)
        self.assertEqual(nets["n1"]["rx_packets"], 3)
        self.assertEqual(nets["n1"]["tx_packets"], 3)   # b: 2, c: 1 (the flood)
        self.assertEqual(nets["n1"]["drops"]["spoof_ip"], 1)
        self.rig.received()

    def test_port_without_security_learns_macs_behind_it(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("c", MC)])
        self.rig.port("b", net, MB, port_security_enabled=False)   # a VM that bridges
        behind = u.mac(0x77)
        announce = [udp(behind, BCAST, ip_src="172.16.0.7", tag=b"from behind b")]
        self.rig.send("b", announce)
        u.wait_until(lambda: self.c.call("stats.get")["mac_table"]["learned"] >= 1, 10,
                     "vsw to learn %s" % behind, interval=0.1)
        self.assertEqual(u.network_stats(self.c)["n1"]["macs"], 4)
        to_behind = [udp(MA, behind, tag=b"to the learned mac")]
        self.rig.send("a", to_behind)
        st = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], to_behind, "b")
        self.assertFrames(got["c"], announce, "c")
        self.assertFrames(got["a"], announce, "a (listening when b sent)")
        self.assertCounters(st["a"], rx=1, flooded=0)

    # --- port security ------------------------------------------------------------

    def test_port_security_drops_spoofing_by_reason(self):
        net = self.net("n1")
        self.rig.port("a", net, MA)                       # security on, no pairs
        self.rig.port("b", net, MB, port_security_enabled=False)
        spoof_mac = [udp(UNKNOWN, MB, tag=b"spoof mac"), arp(UNKNOWN)]
        spoof_ip = [udp(MA, MB, ip_src="10.0.0.1", tag=b"not a fixed ip"),
                    udp(MA, BCAST, ip_src="0.0.0.0", tag=b"0.0.0.0 but not dhcp")]
        spoof_arp = [arp(MA, psrc="10.0.0.1"),              # sender IP not the port's
                     arp(MA, sha=UNKNOWN, psrc="0.0.0.0")]  # sender MAC not the port's
        spoof_ipv6 = [Ether(src=MA, dst=MB) / IPv6(src="2001:db8::1", dst="2001:db8::2") /
                      ICMPv6EchoRequest()]
        src_mcast = [udp("01:00:5e:00:00:01", MB, tag=b"multicast source")]
        runt = [bytes.fromhex("0200000000bb02000000000a08")]       # 13 bytes
        allowed = [dhcp_discover(MA),
                   arp(MA, psrc="0.0.0.0", pdst="10.0.0.9"),        # RFC 5227 probe
                   Ether(src=MA, dst=MB, type=0x88b5) / Raw(b"non-IP ethertype"),
                   Ether(src=MA, dst="33:33:ff:00:00:01") / IPv6(src="::", dst="ff02::1:ff00:1")]
        frames = (spoof_mac + spoof_ip + allowed[:2] + spoof_arp + spoof_ipv6 +
                  src_mcast + runt + allowed[2:])
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], allowed, "b")
        self.assertCounters(st["a"], rx=len(frames), rx_bytes=total_bytes(frames),
                            flooded=3, drops={"spoof_mac": 2, "spoof_ip": 2, "spoof_arp": 2,
                                              "spoof_ipv6": 1, "src_multicast": 1,
                                              "runt": 1})
        self.assertCounters(st["b"], tx=len(allowed))

    def test_allowed_address_pairs_cidr(self):
        net = self.net("n1")
        self.rig.port("a", net, MA, allowed_address_pairs=[
            {"ip_address": "10.9.0.0/16"},
            {"ip_address": "192.0.2.7", "mac_address": MD}])
        self.rig.port("b", net, MB, port_security_enabled=False)
        ok = [udp(MA, MB, ip_src="10.9.0.1", tag=b"first of the /16"),
              udp(MA, MB, ip_src="10.9.255.254", tag=b"last of the /16"),
              arp(MA, psrc="10.9.1.1"),
              udp(MD, MB, ip_src="192.0.2.7", tag=b"pair with its own mac")]
        bad_ip = [udp(MA, MB, ip_src="10.8.255.255", tag=b"just below"),
                  udp(MA, MB, ip_src="10.10.0.0", tag=b"just above"),
                  udp(MD, MB, ip_src="192.0.2.8", tag=b"pair mac, other ip"),
                  udp(MA, MB, ip_src="192.0.2.7", tag=b"pair ip, port mac")]
        bad_arp = [arp(MA, psrc="10.10.1.1")]
        frames = [ok[0], bad_ip[0], ok[1], bad_ip[1], ok[2], bad_arp[0], bad_ip[2],
                  ok[3], bad_ip[3]]
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], ok, "b")
        self.assertCounters(st["a"], rx=len(frames), flooded=1,
                            drops={"spoof_ip": 4, "spoof_arp": 1})

    # --- frame checks -------------------------------------------------------------

    def test_mtu(self):
        net = self.net("n1", mtu=1400)
        self.ports(net, [("a", MA), ("b", MB)])
        sizes = [60, 1400, 1413, 1414, 1415, 1500, 1514, 1414]
        frames = [udp(MA, MB, size=s, tag=b"%d:" % s) for s in sizes]
        for f, s in zip(frames, sizes):
            self.assertEqual(len(bytes(f)), s)
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()

        fits = [f for f, s in zip(frames, sizes) if s <= 1414]
        self.assertFrames(got["b"], fits, "b")
        self.assertCounters(st["a"], rx=len(frames), rx_bytes=sum(sizes),
                            drops={"mtu": 3})
        self.assertCounters(st["b"], tx=len(fits), tx_bytes=total_bytes(fits))

    def test_mtu_update_in_force_at_once(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB)])
        self.c.call("network.update", {"id": net["id"], "mtu": 1000})
        frames = [udp(MA, MB, size=1014), udp(MA, MB, size=1015)]
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()
        self.assertFrames(got["b"], frames[:1], "b")
        self.assertCounters(st["a"], rx=2, drops={"mtu": 1})

    def test_vlan_tagged_frames_dropped(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB)])
        tagged = [Ether(src=MA, dst=MB) / Dot1Q(vlan=10) / IP(src="10.0.0.1", dst="10.0.0.2"),
                  Ether(src=MA, dst=BCAST) / Dot1Q(vlan=0, prio=5) / ARP(hwsrc=MA, psrc="10.0.0.1"),
                  Ether(src=MA, dst=MB) / Dot1AD(vlan=100) / Dot1Q(vlan=10) / Raw(b"qinq")]
        untagged = [udp(MA, MB, tag=b"untagged")]
        frames = tagged[:2] + untagged + tagged[2:]
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()
        self.assertFrames(got["b"], untagged, "b")
        self.assertCounters(st["a"], rx=4, drops={"vlan_tagged": 3})

    # --- admin state --------------------------------------------------------------

    def test_port_admin_down_drops_its_frames(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB)])
        self.c.call("port.update", {"id": self.rig.ports["a"]["id"], "admin_state_up": False})
        down = [udp(MA, MB, tag=b"down"), udp(MA, BCAST, tag=b"down bcast")]
        self.rig.send("a", down)
        st_down = self.rig.stats()
        self.assertEqual(self.c.call("port.show", {"id": self.rig.ports["a"]["id"]})["status"],
                         "DOWN")
        self.c.call("port.update", {"id": self.rig.ports["a"]["id"], "admin_state_up": True})
        up = [udp(MA, MB, tag=b"up again")]
        self.rig.send("a", up)
        st_up = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], up, "b")
        self.assertCounters(st_down["a"], rx=2, drops={"admin_down": 2})
        self.assertCounters(st_up["a"], rx=1, tx=0)

    def test_admin_down_port_receives_nothing(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB), ("c", MC)])
        self.c.call("port.update", {"id": self.rig.ports["b"]["id"], "admin_state_up": False})
        frames = [udp(MA, MB, tag=b"to a down port"), udp(MA, BCAST, tag=b"bcast"),
                  udp(MA, UNKNOWN, tag=b"unknown"), udp(MA, MC, tag=b"to c")]
        self.rig.send("a", frames)
        st = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["c"], frames[1:], "c")
        self.assertFrames(got["b"], [], "b (admin down)")
        self.assertCounters(st["a"], rx=4, flooded=2, drops={"admin_down": 1})
        self.assertCounters(st["b"], tx=0)

    def test_network_admin_down_drops_and_recovers(self):
        net = self.net("n1")
        self.ports(net, [("a", MA), ("b", MB)])
        self.c.call("network.update", {"id": net["id"], "admin_state_up": False})
        down = [udp(MA, MB, tag=b"net down"), arp(MA, psrc="10.0.0.1")]
        self.rig.send("a", down)
        st_down = self.rig.stats()
        self.c.call("network.update", {"id": net["id"], "admin_state_up": True})
        up = [udp(MA, MB, tag=b"net up")]
        self.rig.send("a", up)
        st_up = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], up, "b")
        self.assertCounters(st_down["a"], rx=2, drops={"admin_down": 2})
        self.assertCounters(st_down["b"], tx=0)
        self.assertCounters(st_up["a"], rx=1)
        self.assertCounters(st_up["b"], tx=1)

    # --- the model moves under the data plane -------------------------------------

    def test_unplugged_vnic_gets_nothing_and_replugs_elsewhere(self):
        n1, n2 = self.net("n1"), self.net("n2")
        self.ports(n1, [("a", MA), ("b", MB)])
        self.ports(n2, [("c", MC)])
        # b's VNIC out of its port: b's MAC is unknown, a is alone in n1.
        vnic_b = self.rig.vnics.pop("b")
        u.unplug(self.c, vnic_b["id"])
        first = [udp(MA, MB, tag=b"b unplugged"), udp(MA, BCAST, tag=b"alone")]
        self.rig.send("a", first)
        st1 = u.vnic_stats(self.c)
        # ... then into port c of the other network, in place of c's VNIC.
        self.rig.detach("c")
        u.plug(self.c, vnic_b["id"], self.rig.ports["c"]["id"])
        self.rig.vnics["c"] = vnic_b
        second = [udp(MA, MC, tag=b"c is in another network"), udp(MA, BCAST, tag=b"n1 only")]
        self.rig.send("a", second)
        st2 = self.rig.stats()
        c_from_b = [udp(MC, MA, tag=b"from c to n1's a")]
        self.rig.send("c", c_from_b)
        st3 = self.rig.stats()
        got = self.rig.received()

        self.assertFrames(got["b"], [], "b's vnic (in b, then in c)")
        self.assertFrames(got["c"], [], "c")
        self.assertFrames(got["a"], [], "a")
        self.assertCounters(st1[vnic_b["name"]], rx=0, tx=0)
        self.assertCounters(st2["a"], rx=2, drops={"no_flood": 2})
        self.assertCounters(st2["c"], rx=0, tx=0)
        self.assertCounters(st3["c"], rx=1, drops={"no_flood": 1})


if __name__ == "__main__":
    vswtest.main()
