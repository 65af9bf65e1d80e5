#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the L3 benchmark runner's own logic, without DPDK, OVS, vswd or
root: the frames it replays (checksums, VXLAN and ARP layout), routes and
destinations, the OpenFlow rules given to OVS, how vsw is configured
(against a fake API) and what is read back from it, the rotation of peers
and the verdicts on the goals.

    /usr/bin/python3 pktgen-scripts/tests/test_bench_l3.py

Ends with the line 'RESULT: N passed, M failed, K skipped'."""

import ipaddress
import json
import os
import shutil
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, TOP)
sys.path.insert(0, HERE)

import bench_l3  # noqa: E402
from gen_pcap import _csum  # noqa: E402
from peers import l3_frames as fr  # noqa: E402
from peers.common import PeerUnavailable  # noqa: E402
from peers.l3_ovs import encap_flow, routed_flow  # noqa: E402
from peers.l3_vsw import (ApiError, VswL3, drops_delta, router_interface_mac,  # noqa: E402
                          stats_drops, uplink_tx_packets)
from test_bench import read_pcap  # noqa: E402


def mac(b):
    return ":".join("%02x" % x for x in b)


def ip(b):
    return str(ipaddress.IPv4Address(bytes(b)))


def udp_checksum_ok(ip_hdr, udp):
    pseudo = ip_hdr[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    return _csum(pseudo + udp) == 0


class FramesTest(unittest.TestCase):
    def test_routed_frame_goes_to_the_router_with_valid_checksums(self):
        for size in (64, 512, 1420):
            f = fr.routed_frames(size, "02:aa:00:00:00:01", count=1)[0]
            self.assertEqual(len(f), size - 4)
            self.assertEqual(mac(f[0:6]), "02:aa:00:00:00:01")
            self.assertEqual(mac(f[6:12]), fr.SRC_MAC)
            iph = f[14:34]
            self.assertEqual(_csum(iph), 0)
            self.assertEqual((ip(iph[12:16]), ip(iph[16:20]), iph[8]),
                             (fr.SRC_IP, fr.DST_IP, 64))
            self.assertEqual(struct.unpack("!H", iph[2:4])[0], size - 4 - 14)
            self.assertTrue(udp_checksum_ok(iph, f[34:]))

    def test_flows_differ_by_udp_source_port_only(self):
        frames = fr.routed_frames(64, fr.ROUTER_MAC_A, flows=1000, count=2000)
        sports = [struct.unpack("!H", f[34:36])[0] for f in frames]
        self.assertEqual(len(set(sports)), 1000)
        self.assertEqual(sports[0], sports[1000])
        self.assertEqual({f[:34] for f in frames}.__len__(), 1)

    def test_vxlan_frame_layout(self):
        inner = fr.udp_frame(64, fr.REMOTE_VM_MAC, fr.LOCAL_VM_MAC, fr.REMOTE_VM_IP,
                             fr.LOCAL_VM_IP)
        f = fr.vxlan_frame(inner, fr.REMOTE_VTEP_MAC, "02:70:63:61:70:00", fr.REMOTE_VTEP,
                           fr.LOCAL_VTEP, 5000, sport=50000)
        self.assertEqual(len(f), len(inner) + fr.VXLAN_OVERHEAD)
        self.assertEqual(mac(f[0:6]), "02:70:63:61:70:00")
        self.assertEqual(f[12:14], b"\x08\x00")
        iph = f[14:34]
        self.assertEqual(_csum(iph), 0)
        self.assertEqual(iph[9], 17)
        self.assertEqual((ip(iph[12:16]), ip(iph[16:20])), (fr.REMOTE_VTEP, fr.LOCAL_VTEP))
        sport, dport, ulen, ucs = struct.unpack("!HHHH", f[34:42])
        self.assertEqual((sport, dport, ulen, ucs), (50000, 4789, len(f) - 34, 0))
        flags, vni = struct.unpack("!II", f[42:50])
        self.assertEqual((flags, vni >> 8, vni & 0xff), (0x08000000, 5000, 0))
        self.assertEqual(f[50:], inner)
        with self.assertRaises(ValueError):
            fr.vxlan_frame(inner, fr.REMOTE_VTEP_MAC, fr.LOCAL_VTEP_MAC, fr.REMOTE_VTEP,
                           fr.LOCAL_VTEP, 1 << 24)

    def test_decap_frames_carry_one_outer_port_per_flow(self):
        frames = fr.decap_frames(64, fr.LOCAL_VTEP_MAC, flows=4, count=8)
        ports = [struct.unpack("!H", f[34:36])[0] for f in frames]
        self.assertEqual(len(set(ports)), 4)
        self.assertEqual(ports[:4], ports[4:])
        self.assertTrue(all(mac(f[50:56]) == fr.LOCAL_VM_MAC for f in frames))

    def test_underlay_arp_asks_for_the_local_vtep(self):
        (f,) = fr.underlay_arp_frames()
        self.assertEqual(len(f), 60)
        self.assertEqual(mac(f[0:6]), "ff:ff:ff:ff:ff:ff")
        self.assertEqual(f[12:14], b"\x08\x06")
        htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", f[14:22])
        self.assertEqual((htype, ptype, hlen, plen, op), (1, 0x0800, 6, 4, 1))
        self.assertEqual((mac(f[22:28]), ip(f[28:32]), ip(f[38:42])),
                         (fr.REMOTE_VTEP_MAC, fr.REMOTE_VTEP, fr.LOCAL_VTEP))
        reply = fr.arp_frame(2, fr.REMOTE_VTEP_MAC, fr.REMOTE_VTEP, fr.LOCAL_VTEP_MAC,
                             fr.LOCAL_VTEP)
        self.assertEqual(mac(reply[0:6]), fr.LOCAL_VTEP_MAC)
        with self.assertRaises(ValueError):
            fr.arp_frame(3, fr.REMOTE_VTEP_MAC, fr.REMOTE_VTEP, fr.LOCAL_VTEP_MAC,
                         fr.LOCAL_VTEP)

    def test_sizes_outside_ethernet_are_refused(self):
        for size in (63, 1519):
            with self.assertRaises(ValueError):
                fr.udp_frame(size, fr.SRC_MAC, fr.DST_MAC, fr.SRC_IP, fr.DST_IP)

    def test_pcap_round_trip(self):
        tmp = tempfile.mkdtemp()
        try:
            p = os.path.join(tmp, "x.pcap")
            frames = fr.encap_inner_frames(64, count=10)
            fr.write_pcap(p, frames)
            self.assertEqual(read_pcap(p), (1, frames))
        finally:
            shutil.rmtree(tmp)


class RoutesTest(unittest.TestCase):
    def test_ip_add_carries_over_octets(self):
        self.assertEqual(fr.ip_add("172.16.0.255", 1), "172.16.1.0")
        self.assertEqual(fr.ip_add("10.0.0.1", 256 * 256), "10.1.0.1")

    def test_every_destination_has_exactly_one_of_the_n_routes(self):
        routes = fr.static_routes(30, fr.DST_IP)
        self.assertEqual(len({r["destination"] for r in routes}), 30)
        nets = [ipaddress.ip_network(r["destination"]) for r in routes]
        supernet = ipaddress.ip_network(fr.ROUTES_SUPERNET)
        dsts = fr.route_destinations(1000, 30)
        self.assertEqual(len(set(dsts)), 1000)
        for d in dsts:
            a = ipaddress.ip_address(d)
            self.assertEqual(sum(a in n for n in nets), 1, d)
            self.assertIn(a, supernet)  # the single route of the 1-route case
            self.assertNotIn(int(a) & 0xff, (0, 255))
        # Spread evenly: each /24 gets 33 or 34 of the 1000.
        per = [sum(ipaddress.ip_address(d) in n for d in dsts) for n in nets]
        self.assertEqual((min(per), max(per)), (33, 34))

    def test_route_count_bounds(self):
        self.assertEqual(len(fr.static_routes(4096, fr.DST_IP)), 4096)
        self.assertEqual(fr.static_routes(4096, fr.DST_IP)[-1]["destination"],
                         "172.31.255.0/24")
        for n in (0, 4097):
            with self.assertRaises(ValueError):
                fr.static_routes(n, fr.DST_IP)


class OvsRulesTest(unittest.TestCase):
    def test_routed_rule_decrements_ttl_and_rewrites_both_macs(self):
        r = routed_flow("in", "out", fr.ROUTER_MAC_A, fr.ROUTER_MAC_B, fr.DST_MAC, fr.NET_B)
        match, actions = r.split(",actions=")
        self.assertIn("in_port=in", match)
        self.assertIn("dl_dst=%s" % fr.ROUTER_MAC_A, match)
        self.assertIn("nw_dst=10.2.0.0/24", match)
        self.assertEqual(actions.split(","), [
            "dec_ttl", "mod_dl_src:%s" % fr.ROUTER_MAC_B, "mod_dl_dst:%s" % fr.DST_MAC,
            "output:out"])

    def test_encap_rule(self):
        self.assertEqual(encap_flow("in", fr.REMOTE_VM_MAC, "vxlan0"),
                         "priority=100,in_port=in,dl_dst=%s,actions=output:vxlan0"
                         % fr.REMOTE_VM_MAC)


class FakeApiVsw(VswL3):
    """VswL3 against a fake vswd: records calls, answers as vswd would."""

    def __init__(self, ctx, refuse=(), **kw):
        super().__init__(ctx, **kw)
        self.calls = []
        self.refuse = dict(refuse)
        self.rif_mac = {}
        self.stats = {}
        self.routes_set = []

    def _start(self, tag):
        self.dir = "/nonexistent"

    def call(self, method, params=None, timeout=60):
        params = params or {}
        self.calls.append((method, json.loads(json.dumps(params))))
        if method in self.refuse and self.refuse[method](params):
            raise ApiError(method, "vswctl failed (1): 400 InvalidInput: refused")
        n = len(self.calls)
        if method.endswith(".create"):
            return dict(params, id="%s-%d" % (method.split(".")[0], n))
        if method == "router.add_interface":
            net = "network-%d" % (2 * (len(self.rif_mac)) + 1)
            self.rif_mac[net] = "02:ee:00:00:00:%02x" % n
            return {}
        if method == "port.list":
            ports = [{"device_owner": "network:router_interface", "device_id": "router-5",
                      "network_id": net, "mac_address": m} for net, m in self.rif_mac.items()]
            ports.append({"device_owner": "", "device_id": "", "network_id": "network-1",
                          "mac_address": "02:00:00:00:99:99"})
            return [p for p in ports if all(p.get(k) == v for k, v in params.items())]
        if method == "router.update":
            self.routes_set = params["routes"]
            return {}
        if method == "router.show":
            return {"routes": self.routes_set}
        if method == "stats.get":
            return self.stats
        return {}


class FakeCtx:
    build = "/nonexistent"

    def prefix(self, tag):
        return "fake-" + tag


class VswSetupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def methods(self, v):
        return [m for m, _ in v.calls]

    def test_routed_setup_and_pcap_made_for_the_router_mac_read_back(self):
        v = FakeApiVsw(FakeCtx(), routes=fr.static_routes(3, fr.DST_IP))
        pcap = os.path.join(self.tmp, "r.pcap")
        v.start_routed(lambda m: fr.routed_frames(64, m, count=5), pcap)
        ms = self.methods(v)
        self.assertEqual(ms.count("router.add_interface"), 2)
        self.assertLess(ms.index("router.add_interface"), ms.index("port.list"))
        # The VNIC replaying the pcap is made after the pcap, last.
        self.assertEqual(ms[-2:], ["vnic.create", "vnic.plug"])
        self.assertEqual(v.calls[-2][1]["devargs"],
                         "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap)
        _, frames = read_pcap(pcap)
        self.assertEqual({mac(f[:6]) for f in frames}, {v.rif_mac["network-1"]})
        self.assertEqual(v.facts["router_mac_a"], v.rif_mac["network-1"])
        ports = {p["name"]: p for m, p in v.calls if m == "port.create"}
        self.assertEqual(ports["in"]["fixed_ips"], [{"ip_address": fr.SRC_IP}])
        self.assertEqual(ports["out"]["fixed_ips"], [{"ip_address": fr.DST_IP}])
        self.assertFalse(ports["in"]["port_security_enabled"])
        self.assertEqual(v.facts["routes"], 3)
        subnets = [p for m, p in v.calls if m == "subnet.create"]
        self.assertEqual([(s["cidr"], s["gateway_ip"]) for s in subnets],
                         [(fr.NET_A, fr.GW_A), (fr.NET_B, fr.GW_B)])

    def test_refused_routes_make_vsw_unavailable_with_the_api_error(self):
        v = FakeApiVsw(FakeCtx(), routes=fr.static_routes(31, fr.DST_IP),
                       refuse={"router.update": lambda p: len(p["routes"]) > 30})
        with self.assertRaises(PeerUnavailable) as cm:
            v.start_routed(lambda m: fr.routed_frames(64, m, count=1),
                           os.path.join(self.tmp, "x.pcap"))
        self.assertIn("31 routes refused", str(cm.exception))
        self.assertIn("InvalidInput", str(cm.exception))

    def test_encap_setup_static_neighbour_fdb_and_fallback(self):
        v = FakeApiVsw(FakeCtx())
        v.start_encap("in.pcap", "arp.pcap")
        up = dict(v.calls)["uplink.create"]
        self.assertEqual((up["role"], up["local_ip"], up["devargs"]),
                         ("vxlan", fr.LOCAL_VTEP, "net_pcap1,rx_pcap=arp.pcap"))
        self.assertEqual(up["neighbors"], [{"ip_address": fr.REMOTE_VTEP,
                                            "mac_address": fr.REMOTE_VTEP_MAC}])
        net = dict(v.calls)["network.create"]
        self.assertEqual((net["provider:network_type"], net["provider:segmentation_id"]),
                         ("vxlan", fr.VNI))
        self.assertEqual(dict(v.calls)["network.add_fdb_entry"]["mac_address"],
                         fr.REMOTE_VM_MAC)
        self.assertEqual(v.facts["underlay_neighbour"], "static (uplink neighbors)")
        # A vswd without static neighbours: the ARP in the pcap teaches it.
        v = FakeApiVsw(FakeCtx())
        v.call = self._refusing(v, "uplink.create", "neighbors",
                                "400 UnknownField: neighbors")
        v.start_encap("in.pcap", "arp.pcap")
        self.assertEqual(v.facts["underlay_neighbour"], "learned from an ARP request")

    def _refusing(self, v, method, field, text):
        inner = FakeApiVsw.call.__get__(v)

        def call(m, params=None, timeout=60):
            if m == method and field in (params or {}):
                v.calls.append((m, params))
                raise ApiError(m, text)
            return inner(m, params, timeout)
        return call

    def test_forwarded_counts_the_output_vnic_or_the_uplink(self):
        v = FakeApiVsw(FakeCtx())
        v.stats = {"vnics": [{"name": "out", "tx_packets": 7}],
                   "uplinks": [{"name": "underlay", "tx_packets": 11}]}
        v.out_vnic = "out"
        self.assertEqual(v.forwarded(), 7)
        v.out_vnic, v.uplink = None, "underlay"
        self.assertEqual(v.forwarded(), 11)
        self.assertEqual(v.counter_source, "uplinks[underlay].tx_packets")


class ReadBackTest(unittest.TestCase):
    def test_router_interface_mac(self):
        ports = [{"device_owner": "network:router_interface", "device_id": "r2",
                  "network_id": "a", "mac_address": "02:00:00:00:00:02"},
                 {"device_owner": "network:router_interface", "device_id": "r1",
                  "network_id": "b", "mac_address": "02:00:00:00:00:0b"},
                 {"device_owner": "network:router_interface", "device_id": "r1",
                  "network_id": "a", "mac_address": "02:00:00:00:00:0a"}]
        self.assertEqual(router_interface_mac(ports, "r1", "a"), "02:00:00:00:00:0a")
        with self.assertRaises(KeyError):
            router_interface_mac(ports, "r3", "a")

    def test_uplink_counter(self):
        self.assertEqual(uplink_tx_packets({"uplinks": [{"name": "u", "tx_packets": 5}]},
                                           "u"), 5)
        with self.assertRaises(KeyError):
            uplink_tx_packets({"vnics": []}, "u")

    def test_drops_named_and_counted_in_the_window_only(self):
        before = {"vnics": [{"name": "in", "drops": {"mtu": 0}}],
                  "uplinks": [{"name": "underlay", "drops": {"unknown_vni": 100}}],
                  "vports": [{"kind": "vxlan", "remote_ip": "192.0.2.2",
                              "drops": {"no_flood": 5}}]}
        after = json.loads(json.dumps(before))
        after["uplinks"][0]["drops"]["unknown_vni"] = 100
        after["vports"][0]["drops"]["no_flood"] = 9
        after["vnics"][0]["drops"]["mtu"] = 2
        d0, d1 = stats_drops(before), stats_drops(after)
        self.assertEqual(d0, {"uplinks:underlay": {"unknown_vni": 100},
                              "vports:vxlan 192.0.2.2": {"no_flood": 5}})
        self.assertEqual(drops_delta(d0, d1), {"vports:vxlan 192.0.2.2": {"no_flood": 4},
                                               "vnics:in": {"mtu": 2}})


class RunnerTest(unittest.TestCase):
    def ok(self, mpps, rep=None):
        return {"status": "ok", "mpps": mpps, "packets": int(mpps * 1e7), "seconds": 10.0,
                "perf_cycles": None, "self_reported": rep or {}}

    class Ctx:
        class mem:
            name = "no-huge"

    def run_fake(self, sname, rates, argv=()):
        order = []

        def fake(key, sc, args, ctx, pcaps):
            order.append(key)
            r = rates[key]
            return r if isinstance(r, dict) else self.ok(r)
        args = bench_l3.parse_args(["--rounds", "3"] + list(argv))
        saved = bench_l3.one_run
        bench_l3.one_run = fake
        try:
            res = bench_l3.run_scenario(sname, args, self.Ctx, None, 2.6e9, lambda m: None)
        finally:
            bench_l3.one_run = saved
        return res, order

    def test_routed_alternates_three_peers_and_judges_vs_ovs(self):
        res, order = self.run_fake("routed-64", {"vsw": 13.0, "ovs": 10.0, "testpmd": 20.0})
        self.assertEqual(order, ["vsw", "ovs", "testpmd", "ovs", "testpmd", "vsw",
                                 "testpmd", "vsw", "ovs"])
        self.assertEqual(res["peers"]["vsw"]["ratio_vs_ovs"], 1.3)
        self.assertEqual([(g["goal"], g["met"]) for g in res["goals"]],
                         [("vsw >= 1.3x ovs", True)])
        res, _ = self.run_fake("vxlan-encap-64", {"vsw": 12.9, "ovs": 10.0, "testpmd": 20.0})
        self.assertFalse(res["goals"][0]["met"])

    def test_routes_compares_two_vsw_and_allows_15_percent(self):
        res, order = self.run_fake("routes", {"vsw-1route": 10.0, "vsw-Nroutes": 8.8},
                                   ["--routes", "30", "--peers", "vsw,ovs"])
        self.assertEqual(sorted(set(order)), ["vsw-1route", "vsw-Nroutes"])
        self.assertEqual(res["peers"]["vsw-Nroutes"]["label"], "vsw, 30 routes")
        g = res["goals"][0]
        self.assertEqual((g["goal"], g["ratio"], g["met"]),
                         ("vsw-Nroutes >= 0.87x vsw-1route", 0.88, True))
        res, _ = self.run_fake("routes", {"vsw-1route": 10.0, "vsw-Nroutes": 8.6})
        self.assertFalse(res["goals"][0]["met"])  # 1/0.86 = 16% more cycles

    def test_paired_ratios_per_round(self):
        ok = self.ok
        num = [ok(13.0), ok(6.0), {"status": "failed", "reason": "x"}, ok(20.0)]
        den = [ok(10.0), ok(5.0), ok(9.0), ok(10.0)]
        p = bench_l3.paired_ratio(num, den)
        self.assertEqual(p, {"median": 1.3, "rounds": [1.3, 1.2, 2.0]})
        self.assertIsNone(bench_l3.paired_ratio(num[:2], den))  # rounds do not line up
        self.assertIsNone(bench_l3.paired_ratio([num[2]], [den[2]]))
        # A slow round lowers both peers: the pairs see through it.
        res, _ = self.run_fake("routed-64", {"vsw": 13.0, "ovs": 10.0, "testpmd": 20.0})
        self.assertEqual(res["goals"][0]["paired"], {"median": 1.3, "rounds": [1.3] * 3})
        doc = {"date": "d", "command": "c", "settings": {},
               "host": {"cpu_model": "cpu", "cpus": 2, "kernel": "k", "tsc_hz": 2.6e9,
                        "tsc_source": "s", "packages": {}},
               "runs": [{"memory_mode": "no-huge", "scenarios": [res]}]}
        md = bench_l3.markdown(doc)
        self.assertIn("ratio of the medians 1.30, met; median of the per-round ratios 1.30 "
                      "(rounds: 1.30, 1.30, 1.30).", md)
        self.assertIn("testpmd vs OVS: median of the per-round ratios 2.00", md)
        self.assertNotIn("vsw vs OVS:", md)  # said by its goal already
        self.assertEqual(res["peers"]["testpmd"]["paired_vs_ovs"]["median"], 2.0)

    def test_routes_without_vsw_runs_nothing(self):
        res, order = self.run_fake("routes", {}, ["--peers", "ovs,testpmd"])
        self.assertEqual((order, res["peers"], res["goals"]), ([], {}, []))
        self.assertIn("no peer", res["skipped"])

    def test_details_and_markdown_say_what_happened(self):
        rep = {"datapath_flows": 1, "datapath_actions": ["tnl_push(...),3"], "busy_pct": 100}
        res, _ = self.run_fake("vxlan-encap-64", {
            "vsw": {"status": "not forwarding", "mpps": 0.0,
                    "reason": "no packet forwarded in 20 s; drops: {\"uplinks:u\": 1}"},
            "ovs": self.ok(5.0, rep), "testpmd": self.ok(20.0)})
        self.assertEqual(res["peers"]["ovs"]["details"],
                         {"datapath_flows": 1, "datapath_actions": ["tnl_push(...),3"]})
        self.assertEqual(res["peers"]["vsw"]["status"], "not forwarding")
        self.assertIsNone(res["goals"][0]["met"])  # no ratio of a zero rate
        doc = {"date": "d", "command": "c", "settings": {"rounds": 3},
               "host": {"cpu_model": "cpu", "cpus": 2, "kernel": "k", "tsc_hz": 2.6e9,
                        "tsc_source": "s", "packages": {"dpdk": "1"}},
               "runs": [{"memory_mode": "no-huge", "scenarios": [res]}]}
        md = bench_l3.markdown(doc)
        self.assertIn("Goal vsw >= 1.3x ovs: ratio of the medians -, n/a.", md)
        self.assertIn("not forwarding: no packet forwarded in 20 s; drops:", md)
        self.assertIn("tnl_push", md)

    def test_every_scenario_has_a_way_to_start_each_of_its_peers(self):
        class P:
            def start_pcap(self, *a):
                pass
            start_routed = start_encap = start_decap = start_pcap
        tmp = tempfile.mkdtemp()
        try:
            args = bench_l3.parse_args([])
            pcaps = bench_l3.Pcaps(tmp, args)
            for name, sc in bench_l3.SCENARIOS.items():
                for key in sc["peers"]:
                    bench_l3.starter(key, P(), sc, pcaps)()
            with self.assertRaises(PeerUnavailable):
                bench_l3.starter("ovs", P(), bench_l3.SCENARIOS["routes"], pcaps)
            # Pcaps are written once and shared.
            self.assertEqual(pcaps.routed(bench_l3.SCENARIOS["routed-64"]),
                             pcaps.routed(bench_l3.SCENARIOS["routed-64"]))
            _, frames = read_pcap(pcaps.routed(bench_l3.SCENARIOS["routed-64-1000flows"]))
            self.assertEqual(len(frames), 1000)
            self.assertEqual({mac(f[:6]) for f in frames}, {fr.ROUTER_MAC_A})
        finally:
            shutil.rmtree(tmp)

    def test_peers_for_the_routes_variants(self):
        args = bench_l3.parse_args(["--routes", "12"])
        one = bench_l3.make_peer("vsw-1route", FakeCtx(), args)
        many = bench_l3.make_peer("vsw-Nroutes", FakeCtx(), args)
        plain = bench_l3.make_peer("vsw", FakeCtx(), args)
        self.assertEqual(one.routes, [{"destination": fr.ROUTES_SUPERNET,
                                       "nexthop": fr.DST_IP}])
        self.assertEqual(len(many.routes), 12)
        self.assertEqual(plain.routes, [])

    def test_argument_checks(self):
        a = bench_l3.parse_args(["--quick"])
        self.assertEqual((a.rounds, a.duration, a.warmup), (1, 2.0, 1.0))
        self.assertEqual(a.scenarios, list(bench_l3.DEFAULT_SCENARIOS))
        for bad in (["--peers", "vpp"], ["--scenarios", "routed-65"], ["--routes", "0"],
                    ["--routes", "5000"], ["--fwd-core", "0"], ["--route-dsts", "0"]):
            with open(os.devnull, "w") as null:
                saved, sys.stderr = sys.stderr, null
                try:
                    with self.assertRaises(SystemExit):
                        bench_l3.parse_args(bad)
                finally:
                    sys.stderr = saved


def main():
    prog = unittest.main(exit=False, verbosity=2)
    res = prog.result
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    passed = res.testsRun - failed - len(res.skipped)
    print("RESULT: %d passed, %d failed, %d skipped" % (passed, failed, len(res.skipped)))
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
