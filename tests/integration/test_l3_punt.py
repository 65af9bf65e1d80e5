# SPDX-License-Identifier: BSD-3-Clause
"""Bad input and floods toward the appliance.

Malformed IPv4 from a VM to the router and malformed outer headers on a
VXLAN underlay are dropped and counted by reason; fragments are handled;
an ARP storm at the router's address is rate limited on the punt path
while the control thread keeps answering the API (< 100 ms) and, after
the storm, ARP.
"""
import time

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, fragment
from scapy.layers.vxlan import VXLAN

import l3util
import vswtest

A_IP, B_IP, GW_A, GW_B = "10.1.0.10", "10.2.0.20", "10.1.0.1", "10.2.0.1"
VTEP, UL_IP = "192.0.2.1", "192.0.2.9"


def router_drops(stats):
    """Every drop counted on router interfaces. (b's reply to the routed
    fragments comes back fragmented, and af_packet's defrag hands it to vsw
    whole, over the MTU: a drop on b's VNIC that is not the router's.)"""
    return sum(sum(v["drops"].values()) for v in stats["vports"] if v.get("kind") == "router")


class BadInputTest(l3util.L3Case):
    def topology(self):
        r = self.rig
        na, nb = r.network("net-a"), r.network("net-b")
        self.sa = r.subnet(na, "10.1.0.0/24", gateway_ip=GW_A)
        self.sb = r.subnet(nb, "10.2.0.0/24", gateway_ip=GW_B)
        self.router = r.router("r1")
        r.add_interface(self.router, self.sa)
        r.add_interface(self.router, self.sb)
        self.a = r.vm(na, "a", ip=A_IP)
        self.b = r.vm(nb, "b", ip=B_IP)
        self.rmac = l3util.router_mac(r, self.router, self.sa)
        self.reach(self.a, B_IP)

    def to_router(self, ip_bytes):
        return bytes(Ether(src=self.a.mac, dst=self.rmac, type=0x0800)) + bytes(ip_bytes)

    def test_malformed_ipv4_to_the_router_dropped_by_reason(self):
        self.topology()
        good = bytes(IP(src=A_IP, dst=B_IP, ttl=64) / UDP(sport=1000, dport=2000) /
                     Raw(b"payload of a routed datagram"))
        bad_ihl = bytearray(good)
        bad_ihl[0] = 0x44                           # IHL 4: shorter than a header
        bad_version = bytearray(good)
        bad_version[0] = 0x65                       # version 6 in an IPv4 frame
        long_total = bytes(IP(src=A_IP, dst=B_IP, len=400) / UDP() / Raw(b"short"))
        bad_cksum = bytes(IP(src=A_IP, dst=B_IP, chksum=0x1234) / UDP(sport=1, dport=2) /
                          Raw(b"checksum is wrong"))
        malformed = [self.to_router(good[:10]),      # truncated IPv4 header
                     self.to_router(bad_ihl), self.to_router(bad_version),
                     self.to_router(long_total)]
        checksum = [self.to_router(bad_cksum)]
        base = self.rig.stats()
        sniff = self.b.sniff()
        self.a.send(malformed + checksum, repeat=5)
        self.assertDropsGrew(base, {"malformed": 20, "ip_checksum": 5})
        leaked = l3util.frames_matching(sniff.stop(), lambda p: p.haslayer(UDP))
        self.assertEqual([p.summary() for p in leaked], [], "malformed packets routed")
        # The good one still goes through, and ping still works.
        sniff = self.b.sniff()
        self.a.send([self.to_router(good)])
        got = l3util.wait_until(lambda: l3util.frames_matching(
            sniff.frames(), lambda p: p.haslayer(UDP) and p[UDP].dport == 2000), 5,
            "the well-formed datagram at b")
        sniff.stop(settle=0)
        self.assertEqual(got[0][IP].ttl, 63)
        self.assertEqual(self.a.ping(B_IP, count=2), 2, self.diag())

    def test_fragments_routed_and_to_the_router_counted(self):
        # Fragments come from a net_pcap VNIC: through af_packet the kernel
        # would reassemble them first (the PMD's fanout has the defrag flag).
        self.topology()
        p_ip, p_mac = "10.1.0.40", "02:00:00:00:0f:40"
        port = self.rig.port(self.rig.call("network.show", id=self.sa["network_id"]), "p",
                             ip=p_ip, mac_address=p_mac)
        eth = Ether(src=p_mac, dst=self.rmac)
        routed = fragment(IP(src=p_ip, dst=B_IP, id=0x4242) / ICMP(id=9, seq=1) /
                          Raw(b"r" * 2000), fragsize=1000)
        local = fragment(IP(src=p_ip, dst=GW_A, id=0x4343) / ICMP(id=10, seq=1) /
                         Raw(b"g" * 1200), fragsize=512)
        self.assertEqual((len(routed), len(local)), (3, 3))
        base = self.rig.stats()
        sniff = self.b.sniff()
        self.rig.pcap_vnic(port, "p", [eth / f for f in routed + local])
        l3util.wait_until(lambda: self.rig.vnic_counters("p")["rx_packets"] == 6, 10,
                          "the pcap VNIC to send its 6 frames")

        # Forwarded one by one, TTL decremented, offsets and MF kept.
        got = l3util.wait_until(lambda: l3util.frames_matching(
            sniff.frames(), lambda q: q.haslayer(IP) and q[IP].id == 0x4242), 5,
            "b to get the routed fragments")
        time.sleep(0.3)
        got = l3util.frames_matching(sniff.stop(settle=0),
                                     lambda q: q.haslayer(IP) and q[IP].id == 0x4242)
        self.assertEqual([(q[IP].frag, q[IP].flags.MF, q[IP].ttl, len(q[IP])) for q in got],
                         [(f.frag, f.flags.MF, 63, len(f)) for f in routed], self.diag())

        # To the router itself: each fragment counted once (dropped or
        # punted), unless it reassembles and answers the echo.
        def handled():
            st = self.rig.stats()
            dropped = router_drops(st) - router_drops(base)
            frag = st["punt"]["local_fragment"] - base["punt"]["local_fragment"]
            echo = st["punt"]["echo_replies"] - base["punt"]["echo_replies"]
            return (dropped, frag, echo) if dropped + frag >= 3 or echo else None
        try:
            dropped, frag, echo = l3util.wait_until(handled, 5, "the fragments handled")
        except AssertionError as e:
            self.fail("%s; %s" % (e, self.diag()))
        if not echo:
            self.assertEqual(dropped + frag, 3, "dropped %d, punted %d; %s" % (
                dropped, frag, self.diag()))
        self.assertEqual(self.a.ping(GW_A, count=2), 2, self.diag())


class UnderlayBadInputTest(l3util.L3Case):
    def setUp(self):
        super().setUp()
        self.ul = self.env.host("ul")
        self.ul.configure(mac="02:00:5e:00:c0:09", ip=UL_IP, prefixlen=24)
        self.rig.uplink("underlay", self.ul.peer, "vxlan", local_ip=VTEP, local_prefixlen=24)
        net = self.rig.provider_network("vx", "underlay", "vxlan", 5000)
        self.rig.call("network.add_remote_vtep", id=net["id"], ip_address=UL_IP)
        self.vtep_mac = l3util.iface_mac(self.ul.peer)

    def test_vtep_answers_arp_and_ping(self):
        self.reach(self.ul, VTEP)
        neigh = self.ul.run(["ip", "-4", "neigh", "show", VTEP, "dev", "eth0"]).stdout
        self.assertIn(self.vtep_mac, neigh.lower())

    def test_malformed_underlay_frames_dropped_by_reason(self):
        eth = Ether(src=self.ul.mac, dst=self.vtep_mac, type=0x0800)
        inner = Ether(src="02:00:00:00:0e:01", dst="02:00:00:00:0e:02") / IP() / \
            UDP() / Raw(b"z" * 18)
        good = IP(src=UL_IP, dst=VTEP) / UDP(sport=50001, dport=4789) / VXLAN(vni=5000) / inner
        good_b = bytes(good)
        truncated_vxlan = bytes(IP(src=UL_IP, dst=VTEP) / UDP(sport=50001, dport=4789) /
                                Raw(b"\x08\x00\x00\x00"))          # 4 of 8 VXLAN bytes
        truncated_udp = bytes(IP(src=UL_IP, dst=VTEP, proto=17) / Raw(b"\xc3\x51\x12"))
        no_i_flag = bytes(IP(src=UL_IP, dst=VTEP) / UDP(sport=50001, dport=4789) /
                          VXLAN(vni=5000, flags=0) / inner)
        bad_ihl = bytearray(good_b)
        bad_ihl[0] = 0x43
        bad_cksum = bytes(IP(src=UL_IP, dst=VTEP, chksum=0xbad) / UDP(sport=50001, dport=4789) /
                          VXLAN(vni=5000) / inner)
        other_udp = bytes(IP(src=UL_IP, dst=VTEP) / UDP(sport=1, dport=5555) / Raw(b"no"))
        other_tcp = bytes(IP(src=UL_IP, dst=VTEP) / TCP(sport=1, dport=22))
        want = {"vxlan_malformed": 4 * 5, "ip_checksum": 5, "underlay_other": 2 * 5}
        frames = [bytes(eth) + x for x in (truncated_vxlan, truncated_udp, no_i_flag,
                                           bytes(bad_ihl), bad_cksum, other_udp,
                                           other_tcp)]
        base = self.rig.stats()
        self.ul.send(frames, repeat=5)

        self.assertDropsGrew(base, want)
        up = self.rig.uplink_counters("underlay")
        self.assertGreaterEqual(up["drops"]["vxlan_malformed"], 20,
                                "counted on the uplink: %s" % up["drops"])
        self.reach(self.ul, VTEP)


class UnderlayFragmentTest(l3util.L3Case):
    def test_vxlan_fragments_dropped_as_malformed(self):
        # A net_pcap uplink: through af_packet the kernel would hold
        # fragments for reassembly instead of passing them on.
        inner = Ether(src="02:00:00:00:0e:01", dst="02:00:00:00:0e:02") / IP() / \
            UDP() / Raw(b"q" * 1000)
        outer = IP(src=UL_IP, dst=VTEP, id=7) / UDP(sport=50001, dport=4789) / \
            VXLAN(vni=5000) / inner
        frags = fragment(outer, fragsize=512)
        self.assertEqual(len(frags), 3)
        # Broadcast: the pcap device's MAC is not known here (and the
        # underlay takes broadcast frames too).
        eth = Ether(src="02:00:5e:00:c0:09", dst="ff:ff:ff:ff:ff:ff")
        up, _ = self.rig.pcap_uplink("underlay", "vxlan", [eth / f for f in frags],
                                     local_ip=VTEP, local_prefixlen=24)
        self.assertEqual(up["role"], "vxlan")

        def counted():
            c = self.rig.uplink_counters("underlay")
            return c if c["rx_packets"] >= 3 else None
        c = l3util.wait_until(counted, 10, "the pcap uplink to receive 3 frames")
        self.assertEqual(c["drops"]["vxlan_malformed"], 3, self.diag())


class ArpStormTest(l3util.L3Case):
    def test_arp_storm_rate_limited_and_api_stays_responsive(self):
        r = self.rig
        na = r.network("net-a")
        sa = r.subnet(na, "10.1.0.0/24", gateway_ip=GW_A)
        router = r.router("r1")
        r.add_interface(router, sa)
        a = r.vm(na, "a", ip=A_IP)
        self.reach(a, GW_A)
        storm = [Ether(src=a.mac, dst="ff:ff:ff:ff:ff:ff") /
                 ARP(op=1, hwsrc=a.mac, psrc=A_IP, pdst=GW_A)]
        base = r.stats()
        rx0 = r.vnic_counters("a", base)["rx_packets"]
        sender = a.send_bg(storm, repeat=100000, pps=50000)
        latencies = []
        deadline = time.monotonic() + 30
        while sender.proc.poll() is None and time.monotonic() < deadline:
            for method in ("system.info", "network.list"):
                t0 = time.monotonic()
                r.call(method)
                latencies.append(time.monotonic() - t0)
            time.sleep(0.01)
        result = sender.result(timeout=30)
        st = r.stats()
        rx = r.vnic_counters("a", st)["rx_packets"] - rx0
        punted = st["punt"]["received"]["arp"] - base["punt"]["received"]["arp"]
        limited = (l3util.drops(st, "punt_ratelimit") - l3util.drops(base, "punt_ratelimit") +
                   l3util.drops(st, "punt_full") - l3util.drops(base, "punt_full"))
        info = ("sent %d in %.2fs, vsw received %d, punted %d, rate-limited/full %d, "
                "API max %.1f ms over %d calls" % (
                    result["sent"], result["seconds"], rx, punted, limited,
                    1000 * max(latencies or [0]), len(latencies)))
        print("\n  arp storm: " + info)
        self.assertGreaterEqual(len(latencies), 10, info)
        self.assertLess(max(latencies), 0.100, info)
        self.assertGreaterEqual(rx, result["sent"] // 2, "the storm did not reach vsw: " + info)
        self.assertGreater(limited, 0, info)
        # Each ARP frame either punted or counted as limited (a's kernel may
        # have sent a frame of its own meanwhile)...
        self.assertLessEqual(abs(rx - punted - limited), 2, info)
        # ... and no more punted than the default rate (10000/s per worker)
        # and burst (512) allow.
        self.assertLessEqual(punted, 10000 * (result["seconds"] + 0.5) + 512, info)
        # After the storm: ARP answered again.
        a.neigh_flush()
        self.reach(a, GW_A, timeout=10)
        neigh = a.run(["ip", "-4", "neigh", "show", GW_A, "dev", "eth0"]).stdout
        self.assertIn(l3util.router_mac(r, router, sa), neigh.lower())


if __name__ == "__main__":
    vswtest.main()
