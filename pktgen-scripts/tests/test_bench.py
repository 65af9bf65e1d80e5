#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the L2 benchmark's own logic, without DPDK, OVS or root: pcap
contents, the hugepage bookkeeping, counter parsing, statistics and
verdicts, process cleanup, and the Pktgen Lua scripts against a simulated
Pktgen (needs lua5.4; skipped without it).

    /usr/bin/python3 pktgen-scripts/tests/test_bench.py

Ends with the line 'RESULT: N passed, M failed, K skipped'."""

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, TOP)

import bench_l2  # noqa: E402
import gen_pcap  # noqa: E402
from peers import common  # noqa: E402
from peers.ovs import parse_pmd_stats, parse_tx_packets  # noqa: E402
from peers.vsw import config_text, vsw_tx_packets, vsw_worker_report  # noqa: E402

LUA = shutil.which("lua5.4") or shutil.which("lua5.3")


def read_pcap(path):
    """(linktype, [frame bytes]) from a classic little-endian pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xa1b2c3d4, hex(magic)
    off, frames = 24, []
    while off < len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        assert incl == orig
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return linktype, frames


class GenPcapTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_64B_frames_to_1000_macs_cycle_over_the_macs(self):
        p = os.path.join(self.tmp, "a.pcap")
        gen_pcap.make_pcap(p, 64, 1000, count=2000, use_scapy=False)
        linktype, frames = read_pcap(p)
        self.assertEqual(linktype, 1)
        self.assertEqual(len(frames), 2000)
        self.assertTrue(all(len(f) == 60 for f in frames))  # 64 B less the FCS
        dsts = [f[:6] for f in frames]
        self.assertEqual(len(set(dsts)), 1000)
        self.assertEqual(dsts[0], dsts[1000])
        self.assertEqual(dsts[999], bytes.fromhex("0200000103e7"))
        self.assertTrue(all(f[6:12] == bytes.fromhex("020000000001") for f in frames))

    def test_one_mac_and_1518B(self):
        p = os.path.join(self.tmp, "b.pcap")
        gen_pcap.make_pcap(p, 1518, 1, count=10, use_scapy=False)
        _, frames = read_pcap(p)
        self.assertEqual({len(f) for f in frames}, {1514})
        self.assertEqual(len({f[:6] for f in frames}), 1)

    def test_ip_and_udp_checksums_verify(self):
        f = gen_pcap.frame_bytes(64, "02:00:00:01:00:00")
        ip = f[14:34]
        self.assertEqual(gen_pcap._csum(ip), 0)
        udp = f[34:]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
        self.assertEqual(gen_pcap._csum(pseudo + udp), 0)

    def test_bad_arguments_are_refused(self):
        for size, macs, count in ((63, 1, 10), (1519, 1, 10), (64, 0, 10), (64, 20, 10)):
            with self.assertRaises(ValueError):
                gen_pcap.frames(size, macs, count)
        self.assertEqual(gen_pcap.main(["--size", "10", "-o", os.path.join(self.tmp, "x")]), 2)

    def test_scapy_and_builtin_writers_agree(self):
        if importlib.util.find_spec("scapy") is None:
            self.skipTest("python3-scapy not installed")
        a, b = os.path.join(self.tmp, "s.pcap"), os.path.join(self.tmp, "b.pcap")
        self.assertEqual(gen_pcap.make_pcap(a, 64, 7, count=14, use_scapy=True), "scapy")
        gen_pcap.make_pcap(b, 64, 7, count=14, use_scapy=False)
        self.assertEqual(read_pcap(a)[1], read_pcap(b)[1])


class FakeMounter:
    def __init__(self, fail=False):
        self.mounted, self.fail = [], fail

    def mount(self, path):
        if self.fail:
            raise RuntimeError("mount: permission denied")
        self.mounted.append(path)

    def umount(self, path):
        self.mounted.remove(path)


class StingyMemoryMode(common.MemoryMode):
    """A kernel that grants at most `limit` pages in all."""
    limit = 10 ** 9

    def _write(self, n):
        super()._write(min(n, self.limit))


class MemoryModeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.sysfs = os.path.join(self.tmp, "nr_hugepages")
        with open(self.sysfs, "w") as f:
            f.write("7\n")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def pages(self):
        with open(self.sysfs) as f:
            return int(f.read())

    def test_takes_then_gives_back_exactly_what_it_took(self):
        m = FakeMounter()
        mem = common.MemoryMode(True, self.tmp, 1024, pages=100, sysfs=self.sysfs, mounter=m)
        mem.open()
        self.assertEqual(self.pages(), 107)
        self.assertEqual(m.mounted, [mem.huge_dir])
        self.assertIn("--huge-dir", mem.eal_args())
        self.assertEqual(mem.close(), [])
        self.assertEqual(self.pages(), 7)
        self.assertEqual(m.mounted, [])

    def test_pages_someone_else_added_meanwhile_stay(self):
        mem = common.MemoryMode(True, self.tmp, 1024, pages=100, sysfs=self.sysfs,
                                mounter=FakeMounter())
        mem.open()
        with open(self.sysfs, "w") as f:
            f.write("117\n")  # another user took 10 more
        self.assertEqual(mem.close(), [])
        self.assertEqual(self.pages(), 17)

    def test_short_grant_is_given_back_and_reported(self):
        StingyMemoryMode.limit = 50
        mem = StingyMemoryMode(True, self.tmp, 1024, pages=100, sysfs=self.sysfs,
                               mounter=FakeMounter())
        with self.assertRaises(common.PeerUnavailable) as cm:
            mem.open()
        self.assertIn("only 43 of 100", str(cm.exception))
        self.assertEqual(self.pages(), 7)

    def test_failed_mount_gives_pages_back(self):
        mem = common.MemoryMode(True, self.tmp, 1024, pages=100, sysfs=self.sysfs,
                                mounter=FakeMounter(fail=True))
        with self.assertRaises(common.PeerUnavailable):
            mem.open()
        self.assertEqual(self.pages(), 7)

    def test_no_huge_touches_nothing(self):
        mem = common.MemoryMode(False, self.tmp, 512, pages=100, sysfs=self.sysfs)
        mem.open()
        self.assertEqual(self.pages(), 7)
        self.assertEqual(mem.eal_args(), ["-m", "512", "--no-huge"])
        self.assertEqual(mem.close(), [])


class CounterParsingTest(unittest.TestCase):
    def test_ovs_dump_ports(self):
        out = ("OFPST_PORT reply (xid=0x2): 1 ports\n"
               "  port  out: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, crc=0\n"
               "           tx pkts=18336320, bytes=1100179200, drop=0, errs=0, coll=0\n")
        self.assertEqual(parse_tx_packets(out), 18336320)
        with self.assertRaises(RuntimeError):
            parse_tx_packets("nothing here")

    def test_ovs_pmd_stats_of_the_forwarding_core_only(self):
        out = ("pmd thread numa_id 0 core_id 1:\n"
               "  packets received: 33706464\n"
               "  idle cycles: 0 (0.00%)\n"
               "  processing cycles: 13094115826 (100.00%)\n"
               "  avg cycles per packet: 388.47 (13094115826/33706464)\n"
               "  avg processing cycles per packet: 388.47 (13094115826/33706464)\n"
               "main thread:\n"
               "  processing cycles: 5 (50.00%)\n"
               "  avg processing cycles per packet: 9.00 (5/1)\n")
        self.assertEqual(parse_pmd_stats(out, 1), {"busy_pct": 100.0,
                                                   "cycles_per_packet": 388.47})
        self.assertEqual(parse_pmd_stats(out, 3), {})

    def test_vsw_stats(self):
        stats = {"vnics": [{"name": "in", "tx_packets": 0},
                           {"name": "out", "tx_packets": 1234}],
                 "workers": [{"busy_pct": 99.5, "cycles_per_packet": 80.25}]}
        self.assertEqual(vsw_tx_packets(stats, "out"), 1234)
        with self.assertRaises(KeyError):
            vsw_tx_packets(stats, "nope")
        self.assertEqual(vsw_worker_report(stats),
                         {"busy_pct": 99.5, "cycles_per_packet": 80.25})
        self.assertEqual(vsw_worker_report({}), {})

    def test_vswd_config_per_memory_mode(self):
        huge = common.MemoryMode(True, "/tmp/x", 1024)
        txt = config_text("/tmp/x/vsw", huge, "pfx", 0, 1)
        self.assertIn("hugepages = true;", txt)
        self.assertIn('extra_args = "--huge-dir=/tmp/x/hugetlbfs";', txt)
        self.assertIn('workers = "1";', txt)
        txt = config_text("/tmp/x/vsw", common.MemoryMode(False, "/tmp/x", 512), "pfx", 0, 1)
        self.assertIn("hugepages = false;", txt)
        self.assertIn("memory_mb = 512;", txt)


class StatsTest(unittest.TestCase):
    def ok(self, mpps, **kw):
        s = {"status": "ok", "mpps": mpps, "packets": int(mpps * 1e7), "seconds": 10.0,
             "perf_cycles": None, "self_reported": {}}
        s.update(kw)
        return s

    def test_median_min_max_and_tsc_cycles(self):
        out = bench_l2.summarize([self.ok(10.0), self.ok(30.0), self.ok(20.0)], 2.6e9)
        self.assertEqual(out["median_mpps"], 20.0)
        self.assertEqual((out["min_mpps"], out["max_mpps"]), (10.0, 30.0))
        self.assertEqual(out["tsc_cycles_per_packet"], 130.0)

    def test_failed_rounds_do_not_count_and_zero_is_zero(self):
        out = bench_l2.summarize([{"status": "failed", "reason": "x"}], 2.6e9)
        self.assertNotIn("median_mpps", out)
        out = bench_l2.summarize([{"status": "not forwarding", "mpps": 0.0}], 2.6e9)
        self.assertEqual(out["median_mpps"], 0.0)
        self.assertNotIn("tsc_cycles_per_packet", out)

    def test_ratio_and_status(self):
        self.assertEqual(bench_l2.ratio({"median_mpps": 15.0}, {"median_mpps": 10.0}), 1.5)
        self.assertIsNone(bench_l2.ratio({"median_mpps": 15.0}, {}))
        self.assertIsNone(bench_l2.ratio({"median_mpps": 15.0}, {"median_mpps": 0.0}))
        self.assertEqual(bench_l2.peer_status([self.ok(1.0)]), ("ok", ""))
        self.assertEqual(bench_l2.peer_status([self.ok(1.0), {"status": "failed",
                                                                "reason": "boom\nlog"}]),
                         ("ok", "1 of 2 rounds failed: boom"))
        self.assertEqual(bench_l2.peer_status([{"status": "failed", "reason": "boom"}]),
                         ("failed", "boom"))
        self.assertEqual(bench_l2.peer_status([{"status": "not forwarding", "mpps": 0.0,
                                                "reason": "none in 20 s"}]),
                         ("not forwarding", "none in 20 s"))

    def test_scenario_alternates_and_judges_goals(self):
        order = []
        rates = {"vsw": 16.0, "testpmd": 19.0, "ovs": 10.0}

        def fake_run(name, scenario, args, ctx, pcaps):
            order.append(name)
            return self.ok(rates[name])

        class Ctx:
            class mem:
                name = "no-huge"
        args = bench_l2.parse_args(["--rounds", "3", "--peers", "vsw,testpmd,ovs"])
        saved = bench_l2.one_run
        bench_l2.one_run = fake_run
        try:
            res = bench_l2.run_scenario("pcap-1mac", args, Ctx, {}, 2.6e9, lambda m: None)
        finally:
            bench_l2.one_run = saved
        self.assertEqual(order, ["vsw", "testpmd", "ovs", "testpmd", "ovs", "vsw",
                                 "ovs", "vsw", "testpmd"])
        vsw = res["peers"]["vsw"]
        self.assertEqual((vsw["ratio_vs_ovs"], vsw["ratio_vs_testpmd"]), (1.6, 0.842))
        self.assertEqual([(g["goal"], g["met"]) for g in res["goals"]],
                         [("vsw >= 1.5x ovs", True), ("vsw >= 0.8x testpmd", True)])

    def test_a_peer_that_fails_is_skipped_in_later_rounds(self):
        calls = []

        def fake_run(name, scenario, args, ctx, pcaps):
            calls.append(name)
            if name == "vsw":
                return {"status": "not available", "reason": "vswd not built"}
            return self.ok(5.0)

        class Ctx:
            class mem:
                name = "no-huge"
        args = bench_l2.parse_args(["--rounds", "3", "--peers", "vsw,ovs"])
        saved = bench_l2.one_run
        bench_l2.one_run = fake_run
        try:
            res = bench_l2.run_scenario("vhost-64", args, Ctx, {}, 2.6e9, lambda m: None)
        finally:
            bench_l2.one_run = saved
        self.assertEqual(calls.count("vsw"), 1)
        self.assertEqual(calls.count("ovs"), 3)
        self.assertEqual(res["peers"]["vsw"]["status"], "not available")
        self.assertEqual(res["goals"][0]["met"], None)
        doc = {"date": "d", "command": "c", "settings": {"rounds": 3},
               "host": {"cpu_model": "cpu", "cpus": 2, "kernel": "k", "tsc_hz": 2.6e9,
                        "tsc_source": "s", "perf": "no", "packages": {"dpdk": "1"}},
               "runs": [{"memory_mode": "no-huge", "scenarios": [res]}]}
        md = bench_l2.markdown(doc)
        self.assertIn("| vsw | - |", md)
        self.assertIn("not available: vswd not built", md)

    def test_a_failing_peer_gets_a_second_chance_then_is_skipped(self):
        calls = []

        def fake_run(name, scenario, args, ctx, pcaps):
            calls.append(name)
            if name == "ovs":
                return {"status": "failed", "reason": "did not start"}
            return self.ok(5.0)

        class Ctx:
            class mem:
                name = "no-huge"
        args = bench_l2.parse_args(["--rounds", "5", "--peers", "testpmd,ovs"])
        saved = bench_l2.one_run
        bench_l2.one_run = fake_run
        try:
            res = bench_l2.run_scenario("pcap-1mac", args, Ctx, {}, 2.6e9, lambda m: None)
        finally:
            bench_l2.one_run = saved
        self.assertEqual((calls.count("ovs"), calls.count("testpmd")), (2, 5))
        self.assertEqual(res["peers"]["ovs"]["status"], "failed")
        self.assertIsNone(res["peers"]["testpmd"]["ratio_vs_ovs"])

    def test_argument_checks(self):
        a = bench_l2.parse_args(["--quick", "--duration", "4"])
        self.assertEqual((a.rounds, a.duration, a.warmup), (1, 4.0, 1.0))
        a = bench_l2.parse_args([])
        self.assertEqual((a.rounds, a.duration, a.warmup, a.mem), (5, 10.0, 3.0, "huge"))
        self.assertEqual(bench_l2.parse_args(["--no-huge"]).mem, "no-huge")
        for bad in (["--peers", "vpp"], ["--scenarios", "x"], ["--fwd-core", "0"]):
            with open(os.devnull, "w") as null:
                saved, sys.stderr = sys.stderr, null
                try:
                    with self.assertRaises(SystemExit):
                        bench_l2.parse_args(bad)
                finally:
                    sys.stderr = saved


class ProcTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def alive(self, pid):
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False

    def test_stop_ends_the_child_and_its_group(self):
        log = os.path.join(self.tmp, "p.log")
        # A child that ignores SIGINT and leaves a grandchild behind.
        p = common.Proc("stubborn", ["sh", "-c", "trap '' INT; sleep 60 & echo $!; wait"], log)
        common.wait_for(lambda: open(log).read().count("\n") >= 2, 10)
        grandchild = int(open(log).read().splitlines()[-1])
        t0 = time.monotonic()
        p.stop(timeout=1.0)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertFalse(self.alive(p.pid))
        common.wait_for(lambda: not self.alive(grandchild), 5, what="grandchild gone")
        self.assertNotIn(p, common.REGISTRY.procs)

    def test_wait_log_reports_an_early_exit(self):
        p = common.Proc("quick", ["sh", "-c", "echo starting; exit 3"],
                        os.path.join(self.tmp, "q.log"))
        with self.assertRaises(RuntimeError) as cm:
            p.wait_log("ready", 10)
        self.assertIn("exited", str(cm.exception))
        p.stop()

    def test_wait_for_times_out_with_the_last_error(self):
        def boom():
            raise OSError("no socket")
        with self.assertRaises(TimeoutError) as cm:
            common.wait_for(boom, 0.3, interval=0.1, what="socket")
        self.assertIn("no socket", str(cm.exception))


@unittest.skipIf(LUA is None, "lua5.4 not installed (apt-get install lua5.4)")
class PktgenLuaTest(unittest.TestCase):
    def run_lua(self, script, env):
        tmp = tempfile.mkdtemp()
        try:
            e = dict(os.environ, RFC_CSV=os.path.join(tmp, "r.csv"),
                     PVP_CSV=os.path.join(tmp, "p.csv"), **env)
            r = subprocess.run([LUA, os.path.join(HERE, "fake_pktgen.lua"),
                                os.path.join(TOP, script)], capture_output=True, text=True,
                               env=e, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(tmp, script.startswith("rfc") and
                                                        "r.csv" or "p.csv")))
        finally:
            shutil.rmtree(tmp)
        rows = []
        for line in r.stdout.splitlines():
            if line.startswith("FAKE_RESULT "):
                rows.append(dict(kv.split("=") for kv in line.split()[1:]))
        return rows, r.stdout

    def test_rfc2544_finds_the_zero_loss_rate_with_both_api_versions(self):
        # 10 Gbit/s at 64 B is 14.88 Mpps; a DUT forwarding 8.9 Mpps per
        # direction passes up to 59.8% of line rate.
        for api in ("old", "new"):
            rows, out = self.run_lua("rfc2544-zero-loss.lua", {
                "FAKE_API": api, "FAKE_CAP_MPPS": "8.9", "RFC_SIZES": "64,1518"})
            self.assertEqual(len(rows), 2, out)
            rate64 = float(rows[0]["rate_pct"])
            self.assertLessEqual(rate64, 59.81)
            self.assertGreaterEqual(rate64, 59.81 - 0.5)
            self.assertEqual(float(rows[1]["rate_pct"]), 100.0)  # 0.81 Mpps fits
            self.assertIn("FAIL", out)  # it did overshoot on the way

    def test_rfc2544_reports_zero_when_nothing_passes(self):
        rows, _ = self.run_lua("rfc2544-zero-loss.lua", {
            "FAKE_CAP_MPPS": "0", "RFC_SIZES": "64", "RFC_MAX_TRIALS": "6"})
        self.assertEqual(float(rows[0]["rate_pct"]), 0.0)

    def test_pvp_measures_rx_and_loss_and_walks_1000_macs(self):
        for api in ("old", "new"):
            rows, out = self.run_lua("pvp-throughput.lua", {
                "FAKE_API": api, "FAKE_CAP_MPPS": "5", "PVP_SIZES": "64,1518",
                "PVP_MACS": "1000"})
            self.assertAlmostEqual(float(rows[0]["rx_mpps"]), 10.0, places=2)  # 2 x 5
            self.assertAlmostEqual(float(rows[0]["tx_mpps"]), 29.76, places=1)
            self.assertAlmostEqual(float(rows[1]["loss_pct"]), 0.0, places=3)
            self.assertIn("FAKE_CALL range.dst_mac 0 max 02:00:00:00:13:e7", out)
            self.assertIn("FAKE_CALL set_range 1 on", out)


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
