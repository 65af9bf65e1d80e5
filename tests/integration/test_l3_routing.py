# SPDX-License-Identifier: BSD-3-Clause
"""Routing between two subnets, with real IP stacks: each VM is a network
namespace on a veth pair whose other end is a vswd VNIC (net_af_packet).
The router answers ARP and ping for its interface addresses, forwards with
TTL decrement and MAC rewrite, sends ICMP errors (time exceeded, unreachable),
follows static routes, and vsw answers DHCP for ports of DHCP subnets.
"""
import os

from scapy.all import BOOTP, DHCP, ICMP, IP, UDP, Ether

import l3util
import vswtest

A_IP, B_IP, C_IP = "10.1.0.10", "10.2.0.20", "10.1.0.30"
GW_A, GW_B = "10.1.0.1", "10.2.0.1"


class RoutingTest(l3util.L3Case):
    def topology(self):
        r = self.rig
        self.na = r.network("net-a")
        self.sa = r.subnet(self.na, "10.1.0.0/24", gateway_ip=GW_A)
        self.nb = r.network("net-b")
        self.sb = r.subnet(self.nb, "10.2.0.0/24", gateway_ip=GW_B)
        self.router = r.router("r1")
        r.add_interface(self.router, self.sa)
        r.add_interface(self.router, self.sb)
        self.a = r.vm(self.na, "a", ip=A_IP)
        self.b = r.vm(self.nb, "b", ip=B_IP)

    def test_ping_across_and_router_answers_arp_and_echo(self):
        self.topology()
        self.reach(self.a, GW_A)
        self.assertEqual(self.a.ping(GW_A, count=3), 3, self.diag())
        # The router answered ARP for its address with its interface MAC.
        neigh = self.a.run(["ip", "-4", "neigh", "show", GW_A, "dev", "eth0"]).stdout
        self.assertIn(l3util.router_mac(self.rig, self.router, self.sa), neigh.lower())
        self.reach(self.b, GW_B)
        self.assertEqual(self.a.ping(B_IP, count=5), 5, self.diag())
        self.assertEqual(self.b.ping(A_IP, count=5), 5, self.diag())
        # Any of the router's addresses answers, from either side.
        self.assertEqual(self.a.ping(GW_B, count=2), 2, self.diag())
        self.assertEqual(self.b.ping(GW_A, count=2), 2, self.diag())
        # Sizes up to the MTU: 1472 bytes of ICMP payload = a 1500-byte packet.
        self.assertEqual(self.a.ping(B_IP, count=2, size=1472), 2, self.diag())

    def test_forwarding_rewrites_macs_and_decrements_ttl(self):
        self.topology()
        self.reach(self.a, B_IP)
        sniff = self.b.sniff()
        replies = self.a.icmp_probe(B_IP, ttl=64)
        frames = sniff.stop()
        self.assertEqual([(r["src"], r["type"], r["ttl"]) for r in replies],
                         [(B_IP, 0, 63)], "b's reply crossed the router once")
        echoes = l3util.frames_matching(frames, lambda p: p[IP].src == A_IP and
                                        p[ICMP].type == 8)
        self.assertEqual(len(echoes), 1, [p.summary() for p in
                                          l3util.frames_matching(frames, lambda p: True)])
        e = echoes[0]
        self.assertEqual(e.src, l3util.router_mac(self.rig, self.router, self.sb))
        self.assertEqual(e.dst, self.b.port["mac_address"])
        self.assertEqual(e[IP].ttl, 63)
        raw = bytes(e[IP])
        rebuilt = IP(raw)
        del rebuilt.chksum
        self.assertEqual(IP(bytes(rebuilt)).chksum, e[IP].chksum, "IPv4 checksum updated")

    def test_ttl_expiry_sends_time_exceeded_from_the_gateway(self):
        self.topology()
        self.reach(self.a, B_IP)
        base = l3util.drops(self.rig.stats(), "ttl")
        replies = self.a.icmp_probe(B_IP, ttl=1)
        self.assertEqual([(r["src"], r["type"], r["code"]) for r in replies],
                         [(GW_A, 11, 0)], self.diag())
        replies = self.b.icmp_probe(A_IP, ttl=1)
        self.assertEqual([(r["src"], r["type"], r["code"]) for r in replies],
                         [(GW_B, 11, 0)], self.diag())
        # TTL 2 is enough for one router.
        replies = self.a.icmp_probe(B_IP, ttl=2)
        self.assertEqual([(r["src"], r["type"]) for r in replies], [(B_IP, 0)])
        self.assertEqual(l3util.drops(self.rig.stats(), "ttl") - base, 2, self.diag())

    def test_tcp_and_udp_across(self):
        self.topology()
        self.reach(self.a, B_IP)
        data = "x" * 20000 + "end of a routed TCP stream"
        cli, srv = self.a.exchange(self.b, "tcp", B_IP, 5001, data)
        self.assertEqual(srv.get("data"), data, (srv.get("error"), self.diag()))
        self.assertEqual(srv["peer"], A_IP, "no NAT between internal subnets")
        self.assertEqual(cli.get("reply"), "ECHO:" + data)
        cli, srv = self.b.exchange(self.a, "udp", A_IP, 5002, "udp from b to a")
        self.assertEqual(srv.get("data"), "udp from b to a", self.diag())
        self.assertEqual(srv["peer"], B_IP)
        self.assertEqual(cli.get("reply"), "ECHO:udp from b to a")

    def test_remove_interface_stops_routing_and_add_restores_it(self):
        self.topology()
        self.reach(self.a, B_IP)
        self.rig.remove_interface(self.router, self.sb)
        self.assertEqual(self.a.ping(B_IP, count=3), 0, "routed without the interface")
        self.assertEqual(self.b.ping(GW_B, count=2), 0, "gateway address still answers")
        # The other side is unaffected.
        self.assertEqual(self.a.ping(GW_A, count=2), 2, self.diag())
        self.rig.add_interface(self.router, self.sb)
        # The new interface port has a new MAC: forget the old one.
        self.a.neigh_flush()
        self.b.neigh_flush()
        self.reach(self.b, GW_B)
        self.reach(self.a, B_IP)
        self.assertEqual(self.b.ping(A_IP, count=3), 3, self.diag())

    def test_unreachable_then_static_route_via_a_vm(self):
        self.topology()
        # c is a host on net-a owning 10.3.0.1 behind it (its port allows it).
        c = self.rig.vm(self.na, "c", ip=C_IP,
                        allowed_address_pairs=[{"ip_address": "10.3.0.0/24"}])
        c.ip_cmd("addr", "add", "10.3.0.1/32", "dev", "lo")
        self.reach(self.b, GW_B)
        replies = self.b.icmp_probe("10.3.0.1", ttl=64)
        self.assertEqual([(r["src"], r["type"]) for r in replies], [(GW_B, 3)],
                         "no route: destination unreachable from the gateway " + self.diag())
        self.assertGreaterEqual(l3util.drops(self.rig.stats(), "no_route"), 1)

        self.rig.call("router.update", id=self.router["id"],
                      routes=[{"destination": "10.3.0.0/24", "nexthop": C_IP}])
        sniff = c.sniff()
        self.reach(self.b, "10.3.0.1")
        self.assertEqual(self.b.ping("10.3.0.1", count=3), 3, self.diag())
        frames = sniff.stop()
        to_c = l3util.frames_matching(frames, lambda p: p[IP].dst == "10.3.0.1")
        self.assertTrue(to_c, "c got the routed packets")
        self.assertTrue(all(p.dst == c.port["mac_address"] for p in to_c))
        self.assertTrue(all(p.src == l3util.router_mac(self.rig, self.router, self.sa)
                            for p in to_c))

        self.rig.call("router.update", id=self.router["id"], routes=[])
        self.assertEqual(self.b.ping("10.3.0.1", count=2), 0, "route removed")


DHCP_SCRIPT = """#!/bin/sh
echo "EVENT=$1 ip=$ip subnet=$subnet mask=$mask router=$router lease=$lease \
dns=$dns serverid=$serverid staticroutes=$staticroutes"
"""


class DhcpTest(l3util.L3Case):
    def test_dhcp_lease_is_the_port_fixed_ip_and_nobody_else_sees_it(self):
        r = self.rig
        net = r.network("net-d")
        r.subnet(net, "10.4.0.0/24", gateway_ip="10.4.0.1", enable_dhcp=True,
                 dns_nameservers=["198.51.100.53"],
                 host_routes=[{"destination": "172.16.0.0/16", "nexthop": "10.4.0.254"}])
        client = r.vm(net, "dc", ip="10.4.0.77", configure=False)
        other = r.vm(net, "do", ip="10.4.0.78")
        script = os.path.join(self.env.tmp, "udhcpc.sh")
        with open(script, "w") as f:
            f.write(DHCP_SCRIPT)
        os.chmod(script, 0o755)
        tx_before = r.vnic_counters("do")["tx_packets"]
        sniff = other.sniff()
        p = client.run(["timeout", "30", l3util.BUSYBOX, "udhcpc", "-i", "eth0", "-n", "-q",
                        "-t", "5", "-T", "1", "-s", script], timeout=40, check=False)
        frames = sniff.stop(settle=0.5)
        bound = [line for line in p.stdout.splitlines() if line.startswith("EVENT=bound")]
        self.assertEqual(len(bound), 1, "udhcpc: %s %s %s" % (p.stdout, p.stderr,
                                                              self.diag()))
        env = dict(kv.split("=", 1) for kv in bound[0].split() if "=" in kv)
        self.assertEqual(env["ip"], "10.4.0.77")
        self.assertEqual(env["router"], "10.4.0.1")
        self.assertEqual(env["subnet"], "255.255.255.0")
        self.assertIn("198.51.100.53", env["dns"])
        self.assertGreater(int(env["lease"]), 0)
        self.assertIn("172.16.0.0/16 10.4.0.254", p.stdout)
        seen = l3util.frames_matching(frames, lambda p: p.haslayer(UDP) and
                                      {p[UDP].sport, p[UDP].dport} & {67, 68} or
                                      p.haslayer(BOOTP))
        self.assertEqual([x.summary() for x in seen], [],
                         "another port saw DHCP messages")
        self.assertEqual(r.vnic_counters("do")["tx_packets"], tx_before,
                         "vsw sent something to the other port")
        st = r.stats()
        self.assertGreaterEqual(st["punt"]["received"]["dhcp"], 2, st["punt"])

    def test_dhcp_messages_built_by_scapy(self):
        r = self.rig
        net = r.network("net-d")
        r.subnet(net, "10.4.0.0/24", gateway_ip="10.4.0.1", enable_dhcp=True,
                 dns_nameservers=["198.51.100.53"])
        vm = r.vm(net, "dc", ip="10.4.0.77", configure=False)
        chaddr = bytes.fromhex(vm.mac.replace(":", "")) + b"\0" * 10

        def exchange(xid, options):
            msg = (Ether(src=vm.mac, dst="ff:ff:ff:ff:ff:ff") /
                   IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) /
                   BOOTP(chaddr=chaddr, xid=xid) / DHCP(options=options + ["end"]))
            sniff = vm.sniff()
            vm.send([msg])
            try:
                got = l3util.wait_until(lambda: l3util.frames_matching(
                    sniff.frames(), lambda p: p.haslayer(BOOTP) and p[BOOTP].op == 2 and
                    p[BOOTP].xid == xid), 5, "a DHCP reply to xid %#x" % xid)
            except AssertionError as e:
                self.fail("%s; %s" % (e, self.diag()))
            finally:
                sniff.stop(settle=0)
            self.assertEqual(len(got), 1)
            return got[0], {o[0]: o[1:] if len(o) > 2 else o[1]
                            for o in got[0][DHCP].options if isinstance(o, tuple)}

        offer, opts = exchange(0x1001, [("message-type", "discover")])
        self.assertEqual(opts["message-type"], 2)
        self.assertEqual(offer[BOOTP].yiaddr, "10.4.0.77")
        self.assertEqual(offer.dst, vm.mac, "unicast to the client (no broadcast flag)")
        self.assertEqual(opts["router"], "10.4.0.1")
        self.assertEqual(opts["subnet_mask"], "255.255.255.0")
        self.assertEqual(opts["name_server"], "198.51.100.53")
        self.assertGreater(opts["lease_time"], 0)
        server = opts["server_id"]

        nak, opts = exchange(0x1002, [("message-type", "request"), ("server_id", server),
                                      ("requested_addr", "10.4.0.99")])
        self.assertEqual(opts["message-type"], 6, "a request for another address: NAK")
        ack, opts = exchange(0x1003, [("message-type", "request"), ("server_id", server),
                                      ("requested_addr", "10.4.0.77")])
        self.assertEqual(opts["message-type"], 5)
        self.assertEqual(ack[BOOTP].yiaddr, "10.4.0.77")
        self.assertGreater(opts["lease_time"], 0)


if __name__ == "__main__":
    vswtest.main()
