# SPDX-License-Identifier: BSD-3-Clause
"""SNAT and floating IPs against a host on the external side.

The external network is a flat provider network on an uplink (net_af_packet
on a veth) whose other end is namespace "ext" (203.0.113.1/24, no route to
the private subnet). VMs on a private subnet reach ext through the router's
gateway address (SNAT); ext reaches a VM through its floating IP.
"""
from scapy.all import ICMP, IP, UDP

import l3util
import vswtest

EXT_IP = "203.0.113.1"
A_IP, B_IP = "10.1.0.10", "10.1.0.20"


class NatBase(l3util.L3Case):
    def topology(self):
        r = self.rig
        self.ext = self.env.host("ext")
        self.ext.configure(mac="02:00:5e:00:71:01", ip=EXT_IP, prefixlen=24)
        r.uplink("ext0", self.ext.peer, "flat")
        self.pub = r.provider_network("public", "ext0", "flat", **{"router:external": True})
        self.spub = r.subnet(self.pub, "203.0.113.0/24", gateway_ip=EXT_IP,
                             allocation_pools=[{"start": "203.0.113.10",
                                                "end": "203.0.113.99"}])
        self.priv = r.network("private")
        self.spriv = r.subnet(self.priv, "10.1.0.0/24", gateway_ip="10.1.0.1")
        self.router = r.router("r1", external_gateway_info={
            "network_id": self.pub["id"], "enable_snat": True})
        fixed = self.router["external_gateway_info"]["external_fixed_ips"]
        self.gw_ip = fixed[0]["ip_address"]
        r.add_interface(self.router, self.spriv)
        self.a = r.vm(self.priv, "a", ip=A_IP)
        self.b = r.vm(self.priv, "b", ip=B_IP)

    def seen_from(self, frames, pred=lambda p: True):
        """Source addresses of the IPv4 frames pred accepts."""
        return sorted({p[IP].src for p in l3util.frames_matching(
            frames, lambda p: p.haslayer(IP) and pred(p))})


class SnatTest(NatBase):
    def test_snat_icmp_udp_tcp_appear_from_the_gateway_ip(self):
        self.topology()
        self.assertTrue(self.gw_ip.startswith("203.0.113."), self.gw_ip)
        sniff = self.ext.sniff()
        self.reach(self.a, EXT_IP, timeout=20)
        self.assertEqual(self.a.ping(EXT_IP, count=3), 3, self.diag())
        cli, srv = self.a.exchange(self.ext, "tcp", EXT_IP, 6001, "tcp through snat")
        self.assertEqual(srv.get("peer"), self.gw_ip, (cli, srv, self.diag()))
        self.assertEqual(srv["data"], "tcp through snat")
        self.assertEqual(cli.get("reply"), "ECHO:tcp through snat")
        cli, srv = self.a.exchange(self.ext, "udp", EXT_IP, 6002, "udp through snat")
        self.assertEqual(srv.get("peer"), self.gw_ip, (cli, srv, self.diag()))
        self.assertEqual(cli.get("reply"), "ECHO:udp through snat")
        # A second VM shares the address: its connections get other ports.
        cli_b, srv_b = self.b.exchange(self.ext, "udp", EXT_IP, 6002, "b via snat")
        self.assertEqual(srv_b.get("peer"), self.gw_ip, (cli_b, srv_b, self.diag()))
        frames = sniff.stop()
        self.assertEqual(self.seen_from(frames), [self.gw_ip],
                         "ext saw private sources: %s" % self.diag())
        echoes = l3util.frames_matching(frames, lambda p: p.haslayer(ICMP) and
                                        p[ICMP].type == 8)
        self.assertGreaterEqual(len(echoes), 3)
        self.assertTrue(all(p[IP].src == self.gw_ip for p in echoes))
        nat = self.rig.stats()["nat"]
        self.assertGreaterEqual(nat["created"], 4, nat)
        self.assertGreaterEqual(nat["active"], 1, nat)

    def test_unsolicited_inbound_to_the_gateway_ip_is_dropped(self):
        self.topology()
        self.reach(self.a, EXT_IP, timeout=20)
        sniff = self.a.sniff()
        base = l3util.drops(self.rig.stats(), "nat_no_session")
        res = self.ext.client("udp", self.gw_ip, 40000, "knock knock", timeout=1)
        self.assertIn("error", res)
        frames = sniff.stop()
        self.assertEqual(l3util.frames_matching(frames, lambda p: p.haslayer(UDP)), [])
        l3util.wait_drops(self.rig, "nat_no_session", base + 1)


class FloatingIpTest(NatBase):
    def floating_ip(self, vm):
        fip = self.rig.call("floatingip.create", floating_network_id=self.pub["id"],
                            port_id=vm.port["id"])
        self.assertEqual(fip["router_id"], self.router["id"])
        self.assertEqual(fip["fixed_ip_address"], vm.ip)
        self.assertNotEqual(fip["floating_ip_address"], self.gw_ip)
        return fip

    def gateway_mac(self):
        gw_port = self.rig.call("router.show", id=self.router["id"])["gw_port_id"]
        return self.rig.call("port.show", id=gw_port)["mac_address"]

    def test_router_answers_arp_for_a_floating_ip(self):
        self.topology()
        fip_ip = self.floating_ip(self.b)["floating_ip_address"]
        self.reach(self.ext, self.gw_ip, timeout=20)
        self.reach(self.ext, fip_ip, timeout=10)
        neigh = self.ext.run(["ip", "-4", "neigh", "show", fip_ip, "dev", "eth0"]).stdout
        self.assertIn(self.gateway_mac(), neigh.lower())

    def test_floating_ip_both_ways_then_disassociated(self):
        self.topology()
        fip = self.floating_ip(self.b)
        fip_ip = fip["floating_ip_address"]
        # ARP for the floating IP is test_router_answers_arp_for_a_floating_ip's
        # concern: here ext knows the router's MAC for it, as for its gateway.
        self.ext.ip_cmd("neigh", "replace", fip_ip, "lladdr", self.gateway_mac(),
                        "dev", "eth0", "nud", "permanent")

        # ext -> floating IP reaches b, with ext's own address as source.
        sniff = self.b.sniff()
        self.reach(self.ext, fip_ip, timeout=20)
        self.assertEqual(self.ext.ping(fip_ip, count=3), 3, self.diag())
        frames = sniff.stop()
        echoes = l3util.frames_matching(frames, lambda p: p.haslayer(ICMP) and
                                        p[ICMP].type == 8)
        self.assertGreaterEqual(len(echoes), 3)
        self.assertEqual({(p[IP].src, p[IP].dst) for p in echoes}, {(EXT_IP, B_IP)})
        cli, srv = self.ext.exchange(self.b, "tcp", fip_ip, 7001, "to b's floating ip")
        self.assertEqual(srv.get("peer"), EXT_IP, (cli, srv, self.diag()))
        self.assertEqual(cli.get("reply"), "ECHO:to b's floating ip")
        self.assertEqual(cli["local"], EXT_IP)

        # b's own connections leave from the floating IP, a's from the gateway.
        cli, srv = self.b.exchange(self.ext, "tcp", EXT_IP, 7002, "from b")
        self.assertEqual(srv.get("peer"), fip_ip, (cli, srv, self.diag()))
        self.assertEqual(cli.get("reply"), "ECHO:from b")
        cli, srv = self.b.exchange(self.ext, "udp", EXT_IP, 7003, "udp from b")
        self.assertEqual(srv.get("peer"), fip_ip, (cli, srv, self.diag()))
        cli, srv = self.a.exchange(self.ext, "udp", EXT_IP, 7004, "udp from a")
        self.assertEqual(srv.get("peer"), self.gw_ip, (cli, srv, self.diag()))

        # Disassociated: ext cannot reach b through it, b is SNATed again.
        self.rig.call("floatingip.update", id=fip["id"], port_id=None)
        sniff = self.b.sniff()
        self.assertEqual(self.ext.ping(fip_ip, count=3), 0, "floating ip still mapped")
        frames = sniff.stop()
        self.assertEqual(l3util.frames_matching(
            frames, lambda p: p.haslayer(ICMP) and p[ICMP].type == 8), [])
        cli, srv = self.b.exchange(self.ext, "udp", EXT_IP, 7005, "b after")
        self.assertEqual(srv.get("peer"), self.gw_ip, (cli, srv, self.diag()))

        # Associated again at run time.
        self.rig.call("floatingip.update", id=fip["id"], port_id=self.b.port["id"])
        self.reach(self.ext, fip_ip, timeout=20)


class SnatTimeoutTest(NatBase):
    config = "nat = { udp_timeout = 2; icmp_timeout = 2; tcp_transitory_timeout = 2; };\n"

    def test_connection_evicted_on_timeout(self):
        self.topology()
        self.reach(self.a, EXT_IP, timeout=20)
        cli, srv = self.a.exchange(self.ext, "udp", EXT_IP, 6100, "first", timeout=3)
        self.assertEqual(srv.get("peer"), self.gw_ip, (cli, srv, self.diag()))
        mapped = srv["port"]
        sport = cli["sport"]
        # While the connection lives, ext reaches a through the mapping.
        sniff = self.a.sniff()
        self.ext.client("udp", self.gw_ip, mapped, "late reply 1", timeout=0.5, sport=6100)
        frames = sniff.stop()
        got = l3util.frames_matching(frames, lambda p: p.haslayer(UDP) and
                                     p[UDP].dport == sport)
        self.assertEqual(len(got), 1, "mapping %s:%d -> %s:%d not in force: %s" % (
            self.gw_ip, mapped, A_IP, sport, self.diag()))
        self.assertEqual(got[0][IP].src, EXT_IP)

        def expired():
            nat = self.rig.stats()["nat"]
            return nat if nat["active"] == 0 and nat["expired"] >= 1 else None
        l3util.wait_until(expired, 15, "SNAT connections to expire (timeouts 2 s)",
                          interval=0.25)
        base = l3util.drops(self.rig.stats(), "nat_no_session")
        sniff = self.a.sniff()
        self.ext.client("udp", self.gw_ip, mapped, "late reply 2", timeout=0.5, sport=6100)
        frames = sniff.stop()
        self.assertEqual(l3util.frames_matching(frames, lambda p: p.haslayer(UDP)), [],
                         "an expired mapping still translated")
        l3util.wait_drops(self.rig, "nat_no_session", base + 1)


if __name__ == "__main__":
    vswtest.main()
