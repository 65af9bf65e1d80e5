#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the IPsec benchmark runner's own logic, without DPDK, vswd,
ipsec-secgw or root: the ESP frames it replays (decrypted back, trailer,
checksums, sizes against the MTU), the pcap it patches, the checks of what
peers send, how vsw is configured (against a fake API), ipsec-secgw's rules
and source patch, imb_bench's output, the one-shot rate, the rotation of
peers and the verdicts on the goals.

    /usr/bin/python3 pktgen-scripts/tests/test_bench_ipsec.py

Ends with the line 'RESULT: N passed, M failed, K skipped'."""

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

import bench_ipsec  # noqa: E402
from bench_l2 import NotForwarding  # noqa: E402
from gen_pcap import _csum  # noqa: E402
from peers import ipsec_frames as ipf  # noqa: E402
from peers import ipsec_secgw  # noqa: E402
from peers.common import PeerUnavailable  # noqa: E402
from peers.ipsec_secgw import SecGw  # noqa: E402
from peers.ipsec_vsw import ApiError, VswIpsec, set_pcap_dst_mac  # noqa: E402


def mac(b):
    return ":".join("%02x" % x for x in b)


class FramesTest(unittest.TestCase):
    def test_esp_frames_decrypt_to_the_inner_packet_with_increasing_sequence(self):
        for algo in ("gcm", "cbc"):
            for size in (64, 512, 1420):
                sa = ipf.Sa(algo, ipf.SPI_IN)
                mk = ipf.EspMaker(sa, size, "02:aa:00:00:00:01")
                for seq in (1, 2, 77):
                    f = mk.frame(seq)
                    self.assertEqual(len(f), 14 + size + ipf.esp_overhead(algo, size))
                    self.assertEqual(mac(f[:6]), "02:aa:00:00:00:01")
                    self.assertEqual(mac(f[6:12]), ipf.PEER_MAC)
                    src, dst, proto, ttl, ok = ipf.parse_ipv4(f)
                    self.assertEqual((src, dst, proto, ok), (ipf.PEER_IP, ipf.GW_IP, 50, True))
                    self.assertEqual(struct.unpack("!H", f[16:18])[0], len(f) - 14)
                    got_seq, inner = ipf.esp_decrypt(sa, f)
                    self.assertEqual(got_seq, seq)
                    self.assertEqual(inner, ipf.inner_packet(size, ipf.PEER_HOST, ipf.VM_IP))
                    self.assertEqual(len(inner), size)

    def test_gcm_ivs_are_unique_and_the_icv_covers_the_sequence_number(self):
        sa = ipf.Sa("gcm", ipf.SPI_IN)
        mk = ipf.EspMaker(sa, 64, "02:aa:00:00:00:01")
        a, b = mk.frame(1), mk.frame(2)
        self.assertNotEqual(a[42:50], b[42:50])  # IV after ESP header
        forged = a[:38] + struct.pack("!I", 2) + a[42:]  # seq 2 on packet 1's ICV
        with self.assertRaises(Exception):
            ipf.esp_decrypt(sa, forged)
        for algo in ("gcm", "cbc"):
            f = bytearray(ipf.EspMaker(ipf.Sa(algo, 0x3000), 512, "02:aa:00:00:00:01").frame(5))
            f[-1] ^= 1
            with self.assertRaises(Exception):
                ipf.esp_decrypt(ipf.Sa(algo, 0x3000), bytes(f))
        with self.assertRaises(ValueError):  # another SA's packet
            ipf.esp_decrypt(ipf.Sa("gcm", 0x3001), a)

    def test_trailer_pads_1_2_3_to_the_block(self):
        self.assertEqual(ipf.trailer(b"\xff" * 6, 4), b"\xff" * 6 + b"\x00\x04")
        self.assertEqual(ipf.trailer(b"\xff" * 5, 4), b"\xff" * 5 + b"\x01\x01\x04")
        t = ipf.trailer(b"\xff" * 64, 16)
        self.assertEqual(len(t) % 16, 0)
        self.assertEqual(t[64:], bytes(range(1, 15)) + b"\x0e\x04")

    def test_1420_bytes_fit_a_1500_byte_outer_mtu_with_either_algorithm(self):
        for algo in ("gcm", "cbc"):
            self.assertLessEqual(1420 + ipf.esp_overhead(algo, 1420), 1500)
        self.assertEqual(ipf.esp_overhead("gcm", 64), 20 + 8 + 8 + 2 + 2 + 16)
        self.assertEqual(ipf.esp_overhead("cbc", 64), 20 + 8 + 16 + 14 + 2 + 16)

    def test_inner_frames_and_sizes(self):
        f = ipf.inner_frames(64, "02:bb:00:00:00:01", count=3)
        self.assertEqual(len(f), 3)
        self.assertEqual(len(f[0]), 14 + 64)
        self.assertEqual(mac(f[0][:6]), "02:bb:00:00:00:01")
        self.assertEqual(ipf.parse_ipv4(f[0])[:2], (ipf.VM_IP, ipf.PEER_HOST))
        self.assertTrue(ipf.parse_ipv4(f[0])[4])
        for bad in (45, 1501):
            with self.assertRaises(ValueError):
                ipf.inner_packet(bad, ipf.VM_IP, ipf.PEER_HOST)

    def test_sa_api_fields_and_key_lengths(self):
        g = ipf.Sa("gcm", 0x1000).api_fields()
        self.assertEqual((g["encryption_algorithm"], len(g["encryption_key"]), len(g["salt"])),
                         ("aes-128-gcm-16", 32, 8))
        self.assertNotIn("auth_key", g)
        c = ipf.Sa("cbc", 0x1000).api_fields()
        self.assertEqual((c["encryption_algorithm"], c["auth_algorithm"],
                          len(c["encryption_key"]), len(c["auth_key"])),
                         ("aes-128", "sha256", 32, 64))
        self.assertNotIn("salt", c)
        # Each direction its own keys: a peer that mixed them up would fail.
        for algo in ("gcm", "cbc"):
            a, b = ipf.Sa(algo, ipf.SPI_OUT), ipf.Sa(algo, ipf.SPI_IN)
            self.assertNotEqual((a.key, a.salt, a.auth_key), (b.key, b.salt, b.auth_key))
            self.assertNotEqual(a.key, b.key)
            self.assertEqual(a.key, ipf.Sa(algo, ipf.SPI_OUT).key)


class PcapTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_esp_pcap_round_trip_and_destination_mac_patch(self):
        path = os.path.join(self.tmp, "esp.pcap")
        sa = ipf.Sa("cbc", ipf.SPI_IN)
        n = ipf.write_esp_pcap(path, sa, 512, 50, "02:00:00:00:00:00")
        self.assertEqual(n, os.path.getsize(path))
        before = ipf.read_pcap(path)
        self.assertEqual(len(before), 50)
        self.assertEqual([ipf.esp_decrypt(sa, f)[0] for f in before], list(range(1, 51)))
        self.assertEqual(set_pcap_dst_mac(path, "0a:0b:0c:0d:0e:0f"), 50)
        after = ipf.read_pcap(path)
        for a, b in zip(before, after):
            self.assertEqual(mac(b[:6]), "0a:0b:0c:0d:0e:0f")
            self.assertEqual(a[6:], b[6:])
        self.assertEqual(os.path.getsize(path), n)

    def test_mac_patch_refuses_frames_of_different_lengths(self):
        path = os.path.join(self.tmp, "mixed.pcap")
        from peers.l3_frames import write_pcap
        write_pcap(path, [b"\1" * 60, b"\2" * 70])
        with self.assertRaises(ValueError):
            set_pcap_dst_mac(path, "0a:0b:0c:0d:0e:0f")

    def test_read_pcap_drops_a_record_cut_short(self):
        path = os.path.join(self.tmp, "cut.pcap")
        ipf.write_esp_pcap(path, ipf.Sa("gcm", ipf.SPI_IN), 64, 3, "02:00:00:00:00:00")
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) - 10)
        self.assertEqual(len(ipf.read_pcap(path)), 2)
        self.assertEqual(len(ipf.read_pcap(path, limit=1)), 1)


class OutputCheckTest(unittest.TestCase):
    """The --verify checks: what a correct peer sends passes, anything else
    is named."""

    def encap_frames(self, algo, size, n=5, dst_mac=ipf.PEER_MAC, ttl=63):
        """What a router sends: the VM's packet, TTL decremented, in ESP."""
        mk = ipf.EspMaker(ipf.Sa(algo, ipf.SPI_OUT), size, dst_mac, src_mac="02:00:00:00:01:0e",
                          src_ip=ipf.GW_IP, dst_ip=ipf.PEER_IP, inner=(ipf.VM_IP, ipf.PEER_HOST),
                          inner_ttl=ttl)
        return [mk.frame(s) for s in range(1, n + 1)]

    def test_correct_encap_passes_whatever_the_inner_ttl(self):
        for algo in ("gcm", "cbc"):
            for ttl in (63, 64):
                r = ipf.check_encap(self.encap_frames(algo, 512, ttl=ttl), algo, 512)
                self.assertTrue(r["ok"], r)
                self.assertEqual((r["checked"], r["inner_ttl"], r["outer_ttl"]), (5, ttl, 64))

    def test_wrong_encap_output_is_named(self):
        frames = self.encap_frames("gcm", 64)
        r = ipf.check_encap(frames[::-1], "gcm", 64)
        self.assertFalse(r["ok"])
        self.assertIn("sequence number", r["errors"][0])
        r = ipf.check_encap(self.encap_frames("gcm", 64, dst_mac="02:00:00:00:99:99"), "gcm", 64)
        self.assertIn("not the peer's", r["errors"][0])
        r = ipf.check_encap(frames, "cbc", 64)   # decrypted with the wrong algorithm
        self.assertTrue(r["errors"][0].startswith("ESP"))
        r = ipf.check_encap(self.encap_frames("gcm", 512), "gcm", 64)
        self.assertEqual(r["errors"][0], "inner packet differs")
        self.assertFalse(ipf.check_encap([], "gcm", 64)["ok"])

    def test_decap_check(self):
        pkt = ipf.inner_packet(64, ipf.PEER_HOST, ipf.VM_IP)
        eth = bytes.fromhex(ipf.VM_MAC.replace(":", "")) + b"\2" * 6 + b"\x08\x00"
        self.assertTrue(ipf.check_decap([eth + pkt] * 3, 64)["ok"])
        routed = bytearray(pkt)
        routed[8] -= 1
        routed[10:12] = b"\0\0"
        routed[10:12] = struct.pack("!H", _csum(bytes(routed[:20])))
        r = ipf.check_decap([eth + bytes(routed)], 64)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["inner_ttl"], 63)
        self.assertFalse(ipf.check_decap([b"\2" * 6 + eth[6:] + pkt], 64)["ok"])
        self.assertFalse(ipf.check_decap([eth + pkt], 512)["ok"])
        bad = bytearray(pkt)
        bad[8] = 1  # TTL changed, checksum not
        self.assertIn("not a valid IPv4", ipf.check_decap([eth + bytes(bad)], 64)["errors"][0])


class FakeApiVsw(VswIpsec):
    """VswIpsec against a fake vswd: records calls, answers as vswd would."""

    def __init__(self, ctx, **kw):
        super().__init__(ctx, **kw)
        self.calls = []
        self.ext_ip = ipf.GW_IP

    def _start(self, tag):
        self.dir = "/nonexistent"

    def _pipe(self):
        return self

    def call_many(self, method, params_list, window=128):
        return [self.call(method, p) for p in params_list]

    def call(self, method, params=None, timeout=60):
        params = params or {}
        self.calls.append((method, json.loads(json.dumps(params))))
        n = len(self.calls)
        if method == "vpnservice.create":
            return dict(params, id="vpnservice-%d" % n, external_v4_ip=self.ext_ip)
        if method.endswith(".create"):
            return dict(params, id="%s-%d" % (method.split(".")[0], n))
        if method == "port.list":
            return [{"device_owner": "network:router_interface", "device_id": "router-6",
                     "mac_address": "02:ee:00:00:00:0a"},
                    {"device_owner": "network:router_gateway", "device_id": "router-6",
                     "mac_address": "02:ee:00:00:00:0e"},
                    {"device_owner": "", "device_id": "", "mac_address": ipf.VM_MAC}]
        if method == "stats.get":
            n_sas = sum(1 for m, _ in self.calls if m == "ipsec_sa.create")
            return {"ipsec_sas": [{}] * n_sas,
                    "uplinks": [{"name": "wan", "tx_packets": 7}],
                    "vnics": [{"name": "vm", "tx_packets": 9}]}
        return {}

    def of(self, method):
        return [p for m, p in self.calls if m == method]


class FakeCtx:
    build = "/nonexistent"
    fwd_core = 1

    def prefix(self, tag):
        return "fake-" + tag


class VswSetupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_encap_topology_connection_sas_and_pcap_to_the_router_mac(self):
        v = FakeApiVsw(FakeCtx(), algo="cbc")
        pcap = os.path.join(self.tmp, "in.pcap")
        v.start_encap(512, pcap)
        up = v.of("uplink.create")[0]
        self.assertEqual((up["role"], up["devargs"]), ("flat", "net_null1,no-rx=1"))
        ext = v.of("network.create")[0]
        self.assertEqual((ext["provider:network_type"], ext["provider:physical_network"],
                          ext["router:external"]), ("flat", "wan", True))
        router = v.of("router.create")[0]
        self.assertFalse(router["external_gateway_info"]["enable_snat"])
        peer = [p for p in v.of("port.create") if p["name"] == "peer"][0]
        self.assertEqual((peer["mac_address"], peer["fixed_ips"][0]["ip_address"]),
                         (ipf.PEER_MAC, ipf.PEER_IP))
        conn = v.of("ipsec_site_connection.create")[0]
        self.assertEqual((conn["peer_address"], conn["peer_cidrs"]),
                         (ipf.PEER_IP, [ipf.PEER_LAN]))
        sas = v.of("ipsec_sa.create")
        self.assertEqual([(s["direction"], s["spi"]) for s in sas],
                         [("out", ipf.SPI_OUT), ("in", ipf.SPI_IN)])
        self.assertEqual(sas[0]["auth_key"], ipf.Sa("cbc", ipf.SPI_OUT).auth_key.hex())
        self.assertTrue(all(s["connection_id"] == "ipsec_site_connection-%d"
                            % ([m for m, _ in v.calls].index("ipsec_site_connection.create")
                               + 1) for s in sas))
        vnic = v.of("vnic.create")[0]
        self.assertEqual(vnic["devargs"], "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap)
        frames = ipf.read_pcap(pcap)
        self.assertEqual({mac(f[:6]) for f in frames}, {"02:ee:00:00:00:0a"})
        self.assertEqual(len(frames[0]), 14 + 512)
        self.assertEqual(v.forwarded(), 7)   # the uplink's tx packets
        self.assertEqual(v.facts["router_gateway_mac"], "02:ee:00:00:00:0e")

    def test_decap_patches_the_gateway_mac_and_plugs_the_peer_last(self):
        v = FakeApiVsw(FakeCtx())
        esp = os.path.join(self.tmp, "esp.pcap")
        ipf.write_esp_pcap(esp, ipf.Sa("gcm", ipf.SPI_IN), 64, 10, "02:00:00:00:00:00")
        v.start_decap(esp)
        self.assertEqual({mac(f[:6]) for f in ipf.read_pcap(esp)}, {"02:ee:00:00:00:0e"})
        methods = [m for m, _ in v.calls]
        self.assertEqual(methods[-1], "vnic.plug")
        last_vnic = v.of("vnic.create")[-1]
        self.assertEqual((last_vnic["name"], last_vnic["devargs"]),
                         ("peer", "net_pcap2,rx_pcap=%s" % esp))   # one-shot: no infinite_rx
        self.assertLess(methods.index("ipsec_sa.create"), methods.index("vnic.create"))
        self.assertEqual(v.forwarded(), 9)   # the VM VNIC's tx packets

    def test_frames_need_the_expected_vpn_address(self):
        v = FakeApiVsw(FakeCtx())
        v.ext_ip = "198.51.100.11"
        with self.assertRaises(RuntimeError):
            v.start_encap(64, os.path.join(self.tmp, "x.pcap"))

    def test_many_selector_sas_disjoint_unique_and_the_first_is_the_traffics(self):
        v = FakeApiVsw(FakeCtx(), n_sas=600)
        v.start_encap(64, os.path.join(self.tmp, "in.pcap"))
        sas = v.of("ipsec_sa.create")
        self.assertEqual(len(sas), 600)
        self.assertEqual(v.of("ipsec_site_connection.create"), [])
        self.assertEqual(sas[0]["peer_cidrs"], [ipf.PEER_LAN])
        cidrs = [s["peer_cidrs"][0] for s in sas]
        self.assertEqual(len(set(cidrs)), 600)
        self.assertEqual(cidrs[1:4], ["10.128.0.0/24", "10.128.1.0/24", "10.128.2.0/24"])
        self.assertEqual(cidrs[257], "10.129.0.0/24")
        self.assertEqual(len({s["spi"] for s in sas}), 600)
        for s in sas:
            self.assertEqual((s["direction"], s["local_cidrs"], s["peer_address"],
                              s["vpnservice_id"]),
                             ("out", [ipf.LAN], ipf.PEER_IP, sas[0]["vpnservice_id"]))
        one = FakeApiVsw(FakeCtx(), n_sas=1, selectors=True)
        one.start_encap(64, os.path.join(self.tmp, "in1.pcap"))
        self.assertEqual(len(one.of("ipsec_sa.create")), 1)
        self.assertIn("local_cidrs", one.of("ipsec_sa.create")[0])

    def test_api_error_is_raised_by_the_pipe(self):
        class Sock:
            def __init__(self, lines):
                self.data = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
                self.sent = []

            def sendall(self, b):
                self.sent.append(json.loads(b))

            def recv(self, n):
                d, self.data = self.data, b""
                return d
        from peers.ipsec_vsw import ApiPipe
        p = ApiPipe.__new__(ApiPipe)
        p.sock, p.buf, p.next_id = Sock([{"id": 1, "result": {"id": "a"}},
                                         {"id": 2, "error": {"message": "SpiInUse"}}]), b"", 1
        with self.assertRaises(ApiError):
            p.call_many("ipsec_sa.create", [{"spi": 1}, {"spi": 1}], window=4)
        self.assertEqual([m["params"]["admin"] for m in p.sock.sent], [True, True])


class SecgwTest(unittest.TestCase):
    def test_rules_for_one_tunnel_with_vsws_keys(self):
        for algo in ("gcm", "cbc"):
            cfg = ipsec_secgw.config_text(algo)
            lines = [ln for ln in cfg.splitlines() if ln and not ln.startswith("#")]
            self.assertIn("sp ipv4 out esp protect %d pri 1 dst %s sport 0:65535 dport 0:65535"
                          % (ipf.SPI_OUT, ipf.PEER_LAN), lines)
            self.assertIn("sp ipv4 in esp protect %d pri 1 dst %s sport 0:65535 dport 0:65535"
                          % (ipf.SPI_IN, ipf.LAN), lines)
            out = [ln for ln in lines if ln.startswith("sa out")][0].split()
            self.assertEqual(out[-5:], ["ipv4-tunnel", "src", ipf.GW_IP, "dst", ipf.PEER_IP])
            inn = [ln for ln in lines if ln.startswith("sa in")][0].split()
            self.assertEqual(inn[-4:], ["src", ipf.PEER_IP, "dst", ipf.GW_IP])
            sa = ipf.Sa(algo, ipf.SPI_OUT)
            if algo == "gcm":
                self.assertEqual(out[3:7], ["aead_algo", "aes-128-gcm", "aead_key",
                                            ":".join("%02x" % b for b in sa.key + sa.salt)])
            else:   # the example wants each key right after its algorithm
                self.assertEqual([out[3], out[5], out[7], out[9]],
                                 ["cipher_algo", "cipher_key", "auth_algo", "auth_key"])
                self.assertEqual(out[10], ":".join("%02x" % b for b in sa.auth_key))
            self.assertIn("rt ipv4 dst %s/32 port 1" % ipf.PEER_IP, lines)
            self.assertIn("neigh port 0 %s" % ipf.VM_MAC, lines)
            self.assertIn("neigh port 1 %s" % ipf.PEER_MAC, lines)

    def test_source_patch_applies_once_or_refuses(self):
        tmp = tempfile.mkdtemp()
        try:
            path = os.path.join(tmp, "ipsec-secgw.c")
            with open(path, "w") as f:
                f.write("static struct rte_eth_conf port_conf = {\n"
                        "\t\t.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,\n};\n")
            ipsec_secgw.patch_source(tmp)
            with open(path) as f:
                self.assertIn(".offloads = 0,", f.read())
            with self.assertRaises(PeerUnavailable):
                ipsec_secgw.patch_source(tmp)   # already patched: not there any more
        finally:
            shutil.rmtree(tmp)

    def test_missing_binary_or_sources_make_it_unavailable(self):
        with self.assertRaises(PeerUnavailable):
            SecGw(FakeCtx(), "/nonexistent/ipsec-secgw").available()
        with self.assertRaises(PeerUnavailable):
            ipsec_secgw.build("/nonexistent/dest", "/dev/null", src="/nonexistent/src")


IMB_OUT = """imb_bench: libipsec-mb 1.3.0, arch avx512, TSC 2.596 GHz, best of 7 x 300000 packets
imb_bench: aes-128-gcm-16           stream      64 B     226.1 cycles/pkt    11.48 Mpps     5.88 Gbit/s
imb_bench: aes-128-gcm-16           direct      64 B      79.7 cycles/pkt    32.56 Mpps    16.67 Gbit/s
imb_bench: aes-128-cbc+sha256-128   stream      64 B     350.1 cycles/pkt     7.41 Mpps     3.80 Gbit/s
imb_bench: aes-128-cbc+sha256-128   burst32     64 B     424.4 cycles/pkt     6.12 Mpps     3.13 Gbit/s
imb_bench: aes-128-gcm-16           direct    1420 B     351.2 cycles/pkt     7.39 Mpps    83.97 Gbit/s
"""


class RawTest(unittest.TestCase):
    def test_parse_and_the_fastest_mode_counts(self):
        got = bench_ipsec.parse_imb(IMB_OUT)
        self.assertEqual(sorted(got), [("aes-128-cbc+sha256-128", 64), ("aes-128-gcm-16", 64),
                                       ("aes-128-gcm-16", 1420)])
        self.assertEqual(bench_ipsec.best_mode(got[("aes-128-gcm-16", 64)]),
                         ("direct", 79.7, 32.56))
        self.assertEqual(bench_ipsec.best_mode(got[("aes-128-cbc+sha256-128", 64)]),
                         ("stream", 350.1, 7.41))

    def test_measure_reports_the_rate_of_the_algorithm_and_size(self):
        r = bench_ipsec.ImbRaw.__new__(bench_ipsec.ImbRaw)
        r.ctx, r.packets, r.bin = FakeCtxLog(), 1000, "/bin/true"
        saved = bench_ipsec.run
        bench_ipsec.run = lambda argv, timeout=0: IMB_OUT
        try:
            pkts, secs, _, rep = r.measure("gcm", 1420)
            self.assertAlmostEqual(pkts / secs / 1e6, 7.39)
            self.assertEqual(rep["mode"], "direct")
            with self.assertRaises(RuntimeError):
                r.measure("cbc", 512)
        finally:
            bench_ipsec.run = saved


class FakeCtxLog(FakeCtx):
    def log_path(self, name):
        return os.devnull


class OneShotTest(unittest.TestCase):
    def test_steady_rate_leaves_out_the_start_and_the_partial_end(self):
        # 1 Mpps from t=1.0 to t=2.05 (the file runs out), sampled every 0.1 s;
        # the first interval is slow (start-up).
        s = [(0.9, 0), (1.0, 0), (1.1, 20000)]
        s += [(1.1 + 0.1 * i, 20000 + 100000 * i) for i in range(1, 10)]
        s += [(2.1, s[-1][1] + 30000), (2.2, s[-1][1] + 30000), (2.3, s[-1][1] + 30000)]
        pkts, secs = bench_ipsec.steady_rate(s, skip=0.1)
        self.assertAlmostEqual(pkts / secs, 1e6)
        self.assertAlmostEqual(secs, 0.8)

    def test_steady_rate_refuses_no_motion_and_too_short(self):
        with self.assertRaises(NotForwarding):
            bench_ipsec.steady_rate([(0, 5), (1, 5), (2, 5)])
        with self.assertRaises(NotForwarding):
            bench_ipsec.steady_rate([(0, 5)])
        with self.assertRaises(ValueError):
            bench_ipsec.steady_rate([(0, 0), (0.1, 100), (0.2, 200), (0.3, 250), (0.4, 250)],
                                    skip=0.1, min_span=0.2)

    def test_sampling_stops_when_the_file_ran_out(self):
        n = {"i": 0}

        def counter():
            n["i"] += 1
            return min(n["i"], 5) * 1000
        s = bench_ipsec.sample_until_done(counter, timeout=5, interval=0.001, idle=0.02)
        self.assertEqual(s[-1][1], 5000)
        self.assertLess(len(s), 200)
        self.assertGreaterEqual(s[-1][0] - [t for t, c in s if c == 5000][0], 0.02)

    def test_pcap_size_budget(self):
        n = bench_ipsec.oneshot_packets("gcm", 64, 2.6e9, 1.5, 100000)
        self.assertEqual(n, int(2.6e9 / 330 * 1.5))
        n = bench_ipsec.oneshot_packets("gcm", 1420, 2.6e9, 1.5, 100)
        self.assertEqual(n, 100 * 1000000 // (14 + 1420 + ipf.esp_overhead("gcm", 1420) + 16))
        self.assertEqual(bench_ipsec.oneshot_packets("cbc", 64, 2.6e9, 0.0001, 10), 10000)


class RunnerTest(unittest.TestCase):
    def ok(self, mpps, rep=None):
        return {"status": "ok", "mpps": mpps, "packets": int(mpps * 1e7), "seconds": 10.0,
                "perf_cycles": None, "self_reported": rep or {}}

    class Ctx:
        class mem:
            name = "hugepages-2M"

    class Pcaps:
        dropped = 0

        def drop_esp(self):
            self.dropped += 1

    def run_fake(self, sname, rates, argv=()):
        order = []

        def fake(key, sc, args, ctx, pcaps, log):
            order.append(key)
            r = rates[key]
            return r if isinstance(r, dict) else self.ok(r)
        args = bench_ipsec.parse_args(["--rounds", "3"] + list(argv))
        saved = bench_ipsec.one_run
        bench_ipsec.one_run = fake
        pcaps = self.Pcaps()
        try:
            res = bench_ipsec.run_scenario(sname, args, self.Ctx, pcaps, 2.6e9, lambda m: None)
        finally:
            bench_ipsec.one_run = saved
        if res["peers"]:
            self.assertEqual(pcaps.dropped, 1)   # the scenario's ESP pcaps removed
        return res, order

    def test_encap_1420_alternates_and_judges_both_goals(self):
        res, order = self.run_fake("encap-gcm-1420", {"raw": 7.0, "vsw": 6.0, "secgw": 4.0})
        self.assertEqual(order, ["raw", "vsw", "secgw", "vsw", "secgw", "raw",
                                 "secgw", "raw", "vsw"])
        goals = {g["goal"]: (g["ratio"], g["met"]) for g in res["goals"]}
        self.assertEqual(goals, {"vsw >= 1.3x secgw": (1.5, True),
                                 "vsw >= 0.85x raw": (0.857, True)})
        self.assertEqual(res["peers"]["vsw"]["ratio_vs_raw"], 0.857)
        self.assertEqual(res["peers"]["secgw"]["paired_vs_raw"]["median"], 0.571)
        res, _ = self.run_fake("encap-cbc-1420", {"raw": 7.0, "vsw": 5.9, "secgw": 4.6})
        self.assertEqual([g["met"] for g in res["goals"]], [False, False])

    def test_small_sizes_and_decap_have_only_the_secgw_goal(self):
        res, _ = self.run_fake("encap-gcm-64", {"raw": 30.0, "vsw": 6.0, "secgw": 8.0})
        self.assertEqual([(g["goal"], g["met"]) for g in res["goals"]],
                         [("vsw >= 1.3x secgw", False)])
        res, order = self.run_fake("decap-cbc-512", {"vsw": 3.0, "secgw": 2.0})
        self.assertEqual(sorted(set(order)), ["secgw", "vsw"])
        self.assertTrue(res["goals"][0]["met"])

    def test_sas_allows_15_percent_more_cycles(self):
        res, order = self.run_fake("sas-gcm-64", {"vsw-1sa": 10.0, "vsw-Nsas": 8.8},
                                   ["--sas", "10000"])
        self.assertEqual(sorted(set(order)), ["vsw-1sa", "vsw-Nsas"])
        self.assertEqual(res["peers"]["vsw-Nsas"]["label"], "vsw, 10000 SAs")
        g = res["goals"][0]
        self.assertEqual((g["goal"], g["met"]), ("vsw-Nsas >= 0.87x vsw-1sa", True))
        res, _ = self.run_fake("sas-gcm-64", {"vsw-1sa": 10.0, "vsw-Nsas": 8.6})
        self.assertFalse(res["goals"][0]["met"])

    def test_peers_not_asked_for_are_not_run(self):
        res, order = self.run_fake("encap-gcm-64", {"vsw": 6.0}, ["--peers", "vsw"])
        self.assertEqual(order, ["vsw"] * 3)
        self.assertEqual(res["goals"], [])
        res, order = self.run_fake("sas-gcm-64", {}, ["--peers", "secgw"])
        self.assertEqual(order, [])
        self.assertIn("no peer", res["skipped"])

    def test_markdown_and_details(self):
        rep = {"oneshot": {"steady_s": 0.5, "packets": 10, "total": 20}, "busy_pct": 99}
        res, _ = self.run_fake("decap-gcm-64", {
            "vsw": self.ok(4.0, rep),
            "secgw": {"status": "failed", "reason": "steady part 0.15 s < 0.20 s"}})
        self.assertEqual(res["peers"]["vsw"]["details"], {"oneshot": rep["oneshot"]})
        self.assertIsNone(res["goals"][0]["met"])
        doc = {"date": "d", "command": "c", "settings": {"rounds": 3},
               "host": {"cpu_model": "cpu", "cpus": 2, "kernel": "k", "tsc_hz": 2.6e9,
                        "tsc_source": "s", "packages": {"dpdk": "1"}},
               "runs": [{"memory_mode": "hugepages-2M", "scenarios": [res],
                         "verify": [{"peer": "vsw", "kind": "encap", "algo": "gcm",
                                     "size": 64, "status": "ok", "checked": 200,
                                     "inner_ttl": 63}]}]}
        md = bench_ipsec.markdown(doc)
        self.assertIn("Goal vsw >= 1.3x secgw: ratio of the medians -, n/a.", md)
        self.assertIn("failed: steady part", md)
        self.assertIn("- vsw encap gcm 64 B: ok (200 frames; inner TTL 63)", md)
        self.assertEqual(bench_ipsec.summary_rows(doc), {"decap-gcm-64": {"vsw": 4.0,
                                                                          "secgw": None}})

    def test_every_scenario_makes_its_peers(self):
        args = bench_ipsec.parse_args(["--secgw", "/x/ipsec-secgw"])
        args._secgw = ("/x/ipsec-secgw", None)
        for name, sc in bench_ipsec.SCENARIOS.items():
            for key in sc["peers"]:
                p = bench_ipsec.make_peer(key, sc, FakeCtx(), args)
                self.assertEqual(p.name, key.split("-")[0], name)
                if key == "vsw-Nsas":
                    self.assertEqual((p.n_sas, p.selectors), (10000, True))
                elif key == "vsw-1sa":
                    self.assertEqual((p.n_sas, p.selectors), (1, True))
                elif key == "vsw":
                    self.assertEqual((p.n_sas, p.selectors), (1, False))
                if key == "secgw":
                    self.assertEqual((p.binary, p.algo), ("/x/ipsec-secgw", sc["algo"]))
        self.assertEqual(len(bench_ipsec.DEFAULT_SCENARIOS), 13)
        self.assertTrue(set(bench_ipsec.DEFAULT_SCENARIOS) <= set(bench_ipsec.SCENARIOS))

    def test_argument_checks(self):
        a = bench_ipsec.parse_args(["--quick"])
        self.assertEqual((a.rounds, a.duration, a.sas, a.oneshot_mb), (1, 2.0, 100, 300))
        a = bench_ipsec.parse_args(["--verify-only", "--verify-sizes", "64,512"])
        self.assertEqual((a.verify, a.verify_sizes), (True, [64, 512]))
        a = bench_ipsec.parse_args([])
        self.assertEqual((a.rounds, a.duration, a.warmup, a.sas), (3, 5.0, 2.0, 10000))
        null = open(os.devnull, "w")
        for bad in (["--peers", "ovs"], ["--scenarios", "encap-gcm-100"], ["--rounds", "0"],
                    ["--sas", "1"], ["--sas", "40000"], ["--main-core", "1"],
                    ["--verify-sizes", "20"], ["--oneshot-mb", "1"]):
            with self.subTest(bad=bad):
                saved, sys.stderr = sys.stderr, null
                try:
                    with self.assertRaises(SystemExit):
                        bench_ipsec.parse_args(bad)
                finally:
                    sys.stderr = saved
        null.close()


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
