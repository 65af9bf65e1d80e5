#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPsec benchmark runner (issue 5): on one worker core, the raw libipsec-mb
encrypt throughput (tests/tools/imb_bench: the ceiling), vsw's ESP tunnel
encapsulation and decapsulation through a router with a VPN service, and
DPDK's ipsec-secgw example doing the same, alternating and repeated in one
run. The machinery (rounds, rotation, medians, memory mode, cleanup by PID)
is bench_l2.py's and bench_l3.py's.

Scenarios (ALGO gcm = AES-GCM-128, cbc = AES-CBC-128 + HMAC-SHA-256-128;
SIZE = inner IPv4 packet bytes, 64, 512 or 1420)
  encap-ALGO-SIZE  cleartext frames replayed (net_pcap, infinite_rx=1) into
                   the LAN side, ESP out of a net_null port toward the peer;
                   peers raw (imb_bench, same size), vsw, secgw.
  decap-ALGO-SIZE  ESP frames from the peer (python3-cryptography, sequence
                   numbers 1..N) read once from a pcap (anti-replay drops a
                   looping pcap after one pass), cleartext out of net_null;
                   the rate is measured while the file lasts (sampled, the
                   first --oneshot-skip seconds and the last partial sample
                   left out). Peers vsw, secgw.
  sas-ALGO-SIZE    vsw encap with 1 outbound SA vs --sas SAs (disjoint peer
                   CIDRs, the traffic's SA created first).

Default: every encap and decap scenario and sas-gcm-64. Rate: packets
leaving the output port per second, median of --rounds rounds; also the
median of the per-round ratios. Run as root (hugepages). Results and method:
docs/benchmarks.md."""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_l2  # noqa: E402
from bench_l2 import (Context, NotForwarding, fmt, guarded_run,  # noqa: E402
                      run_forwarding, run_rounds)
from bench_l3 import drops_note, paired_ratio, paired_text  # noqa: E402
from peers.common import (REGISTRY, MemoryMode, PeerUnavailable, cpu_model,  # noqa: E402
                          perf_cycles_supported, run, tsc_hz)
from peers import ipsec_frames as ipf  # noqa: E402
from peers import ipsec_secgw  # noqa: E402
from peers.ipsec_secgw import SecGw  # noqa: E402
from peers.ipsec_vsw import VswIpsec  # noqa: E402

ALGOS = ("gcm", "cbc")
SIZES = (64, 512, 1420)
# The goals.
GOAL_VS_SECGW = 1.3
GOAL_VS_RAW_1420 = 0.85
SA_COST_GOAL = 0.15


def _scenarios():
    sc = {}
    for algo in ALGOS:
        for size in SIZES:
            goals = [("vsw", "secgw", GOAL_VS_SECGW)]
            if size == 1420:
                goals.append(("vsw", "raw", GOAL_VS_RAW_1420))
            sc["encap-%s-%d" % (algo, size)] = dict(
                kind="encap", algo=algo, size=size, peers=("raw", "vsw", "secgw"),
                goals=goals, desc="ESP tunnel encapsulation, %s, %d B inner"
                % (ipf.ALGOS[algo]["label"], size))
            sc["decap-%s-%d" % (algo, size)] = dict(
                kind="decap", algo=algo, size=size, peers=("vsw", "secgw"),
                goals=[("vsw", "secgw", GOAL_VS_SECGW)],
                desc="ESP tunnel decapsulation, %s, %d B inner, one-shot pcap"
                % (ipf.ALGOS[algo]["label"], size))
            sc["sas-%s-%d" % (algo, size)] = dict(
                kind="sas", algo=algo, size=size, peers=("vsw-1sa", "vsw-Nsas"),
                goals=[("vsw-Nsas", "vsw-1sa", round(1 / (1 + SA_COST_GOAL), 2))],
                desc="vsw encap with 1 vs N outbound SAs, %s, %d B inner"
                % (ipf.ALGOS[algo]["label"], size))
    return sc


SCENARIOS = _scenarios()
DEFAULT_SCENARIOS = tuple("%s-%s-%d" % (k, a, s) for k in ("encap", "decap")
                          for a in ALGOS for s in SIZES) + ("sas-gcm-64",)
BASE_PEERS = ("raw", "vsw", "secgw")
LABELS = {"raw": "libipsec-mb raw (imb_bench)", "vsw": "vsw", "secgw": SecGw.label,
          "vsw-1sa": "vsw, 1 SA", "vsw-Nsas": "vsw, N SAs"}


def scenario_peers(sc, wanted):
    """The scenario's peers that --peers asks for (vsw-* count as vsw)."""
    return [p for p in sc["peers"] if p.split("-", 1)[0] in wanted]


# ------------------------------------------------------------ raw library

IMB_LINE = re.compile(r"imb_bench:\s+(\S+)\s+(\S+)\s+(\d+) B\s+([0-9.]+) cycles/pkt\s+"
                      r"([0-9.]+) Mpps")


def parse_imb(text):
    """imb_bench's lines: {(algorithm, size): {mode: (cycles, Mpps)}}."""
    out = {}
    for m in IMB_LINE.finditer(text):
        algo, mode, size, cyc, mpps = m.groups()
        out.setdefault((algo, int(size)), {})[mode] = (float(cyc), float(mpps))
    return out


def best_mode(modes):
    """(mode, cycles, Mpps) of the fastest way the library offers."""
    mode = max(modes, key=lambda k: modes[k][1])
    return mode, modes[mode][0], modes[mode][1]


class ImbRaw:
    """The ceiling: imb_bench (best of 7 runs per mode inside) on the
    forwarding core; the fastest mode for the algorithm counts."""

    name = "raw"
    label = LABELS["raw"]

    def __init__(self, ctx, packets=100000):
        self.ctx = ctx
        self.bin = os.path.join(ctx.build, "tests", "imb_bench")
        self.packets = packets
        self.report = {}

    def available(self):
        if not os.access(self.bin, os.X_OK):
            raise PeerUnavailable("%s not built (ninja -C %s tests/imb_bench)"
                                  % (self.bin, self.ctx.build))

    def measure(self, algo, size):
        """(packets, seconds, None, report) as run_forwarding gives."""
        out = run(["taskset", "-c", str(self.ctx.fwd_core), self.bin, "-c",
                   str(self.ctx.fwd_core), "-n", str(self.packets), str(size)], timeout=120)
        with open(self.ctx.log_path("imb_bench"), "w") as f:
            f.write(out)
        name = ipf.ALGOS[algo]["imb"]
        modes = parse_imb(out).get((name, size))
        if not modes:
            raise RuntimeError("imb_bench printed no %s %d B line:\n%s" % (name, size, out[-800:]))
        mode, cyc, mpps = best_mode(modes)
        self.report = {"mode": mode, "cycles_per_packet": cyc,
                       "modes": {k: v[1] for k, v in modes.items()}}
        return self.packets, self.packets / (mpps * 1e6), None, self.report

    def stop(self):
        pass


# ------------------------------------------------------- one-shot input

def steady_rate(samples, skip=0.1, min_span=0.2):
    """The rate of a counter fed by a one-shot file, from (time, count)
    samples: from the first sample at least `skip` seconds after the count
    first moved to the sample before its last move (the interval in which
    the file ran out is partial). Returns (packets, seconds); NotForwarding
    when nothing moved, ValueError when the steady part is under min_span
    seconds (a bigger file is needed)."""
    if len(samples) < 2:
        raise NotForwarding("fewer than 2 samples")
    moved = [i for i in range(1, len(samples)) if samples[i][1] > samples[i - 1][1]]
    if not moved:
        raise NotForwarding("the counter never moved")
    first, last = moved[0], moved[-1]
    end = last - 1 if samples[-1][1] == samples[last][1] else last
    start = first
    while start < end and samples[start][0] < samples[first][0] + skip:
        start += 1
    span = samples[end][0] - samples[start][0] if end > start else 0.0
    if span < min_span:
        raise ValueError("steady part %.2f s < %.2f s: the pcap ran out too soon "
                         "(raise --oneshot-mb or --oneshot-seconds)" % (span, min_span))
    return samples[end][1] - samples[start][1], span


def sample_until_done(counter, timeout, interval=0.02, idle=0.3):
    """(time, count) samples until the count stood still for `idle` seconds
    after moving (the file ran out) or timeout."""
    samples, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        c = counter()
        t = (t0 + time.monotonic()) / 2
        samples.append((t, c))
        if len(samples) > 1 and c > samples[0][1]:
            still = [s for s in samples if s[1] == c]
            if t - still[0][0] >= idle:
                break
        time.sleep(interval)
    return samples


def run_oneshot(peer, start, args):
    start()
    samples = sample_until_done(peer.forwarded, args.oneshot_timeout)
    try:
        pkts, secs = steady_rate(samples, skip=args.oneshot_skip)
    except ValueError as e:
        raise RuntimeError(str(e))
    rep = peer.self_report()
    # vswd's busy share and cycles per packet cover its whole life, mostly
    # idle around a one-shot file: not this run's figures.
    rep.pop("busy_pct", None)
    rep.pop("cycles_per_packet", None)
    rep["oneshot"] = {"steady_s": round(secs, 3), "packets": pkts,
                      "total": samples[-1][1] - samples[0][1]}
    return pkts, secs, None, rep


def oneshot_packets(algo, size, hz, seconds, budget_mb):
    """How many ESP frames the one-shot pcap needs: `seconds` at an upper
    guess of the fastest peer's rate (the raw library's cycles plus 250 for
    I/O and routing), at most budget_mb of pcap."""
    raw = {("gcm", 64): 80, ("gcm", 512): 160, ("gcm", 1420): 350,
           ("cbc", 64): 350, ("cbc", 512): 800, ("cbc", 1420): 1520}
    cyc = raw.get((algo, size), 1500) + 250
    frame = 14 + size + ipf.esp_overhead(algo, size) + 16
    return max(10000, min(int(hz / cyc * seconds), budget_mb * 1000000 // frame))


class Pcaps:
    """The run's pcaps: ESP one-shot files (in /dev/shm when it has room)
    made once per algorithm and size, removed after their scenario."""

    def __init__(self, tmp, args, hz):
        self.dir = os.path.join(tmp, "pcaps")
        os.makedirs(self.dir, exist_ok=True)
        self.shm = None
        if os.path.isdir("/dev/shm") and os.statvfs("/dev/shm").f_bavail * \
                os.statvfs("/dev/shm").f_frsize > 3 * args.oneshot_mb * 1000000:
            self.shm = tempfile.mkdtemp(prefix="vswbench-ipsec-", dir="/dev/shm")
        self.args, self.hz = args, hz
        self.esp = {}
        self.n = 0

    def fresh(self, name):
        self.n += 1
        return os.path.join(self.dir, "%s-%d.pcap" % (name, self.n))

    def esp_pcap(self, algo, size, log):
        key = (algo, size)
        if key not in self.esp:
            n = self.args.oneshot_packets or oneshot_packets(
                algo, size, self.hz, self.args.oneshot_seconds, self.args.oneshot_mb)
            path = os.path.join(self.shm or self.dir, "esp-%s-%d.pcap" % key)
            t0 = time.monotonic()
            nbytes = ipf.write_esp_pcap(path, ipf.Sa(algo, ipf.SPI_IN), size, n,
                                        "02:00:00:00:00:00")
            log("  made %s: %d ESP frames, %.0f MB, %.1f s" % (
                os.path.basename(path), n, nbytes / 1e6, time.monotonic() - t0))
            self.esp[key] = (path, n)
        return self.esp[key]

    def drop_esp(self):
        for path, _ in self.esp.values():
            ipf.remove(path)
        self.esp = {}

    def close(self):
        self.drop_esp()
        if self.shm:
            run(["rm", "-rf", "--one-file-system", self.shm], check=False)


# ------------------------------------------------------------------ runs

def secgw_binary(args, log):
    """The built example, or None with the reason logged once."""
    if getattr(args, "_secgw", None) is None:
        dest = args.secgw_dir or os.path.join(args.build, "bench", "ipsec-secgw")
        try:
            args._secgw = (ipsec_secgw.build(dest, dest + ".log"), None)
        except PeerUnavailable as e:
            args._secgw = (None, str(e))
            log("bench_ipsec: ipsec-secgw not available: %s" % e)
    return args._secgw


def make_peer(key, sc, ctx, args):
    if key == "raw":
        return ImbRaw(ctx, args.imb_packets)
    if key == "secgw":
        binary, _ = args._secgw if getattr(args, "_secgw", None) else (args.secgw, None)
        return SecGw(ctx, binary or args.secgw, sc["algo"])
    n = args.sas if key == "vsw-Nsas" else 1
    return VswIpsec(ctx, sc["algo"], n_sas=n, selectors=key.startswith("vsw-"))


def one_run(key, sc, args, ctx, pcaps, log):
    """One peer, one scenario, one round: a sample dict (bench_l2's)."""
    peer = make_peer(key, sc, ctx, args)
    kind, algo, size = sc["kind"], sc["algo"], sc["size"]

    def body():
        if key == "raw":
            return peer.measure(algo, size)
        try:
            if kind == "decap":
                path, _ = pcaps.esp_pcap(algo, size, log)
                return run_oneshot(peer, lambda: peer.start_decap(path), args)
            return run_forwarding(
                peer, lambda: peer.start_encap(size, pcaps.fresh("%s-inner" % key)), args, ctx)
        except NotForwarding as e:
            raise NotForwarding("%s%s" % (e, drops_note(peer)))
    return guarded_run(peer, body)


def run_scenario(sname, args, ctx, pcaps, hz, log):
    sc = SCENARIOS[sname]
    peers = scenario_peers(sc, args.peers)
    if not peers:
        return {"name": sname, "description": sc["desc"], "peers": {}, "goals": [],
                "skipped": "no peer of --peers runs it (%s)" % ", ".join(sc["peers"])}
    labels = dict(LABELS)
    labels["vsw-Nsas"] = "vsw, %d SAs" % args.sas
    try:
        res = run_rounds(sname, sc["desc"], peers, labels, sc["goals"], args.rounds,
                         lambda p: one_run(p, sc, args, ctx, pcaps, log), ctx.mem.name, hz, log)
    finally:
        pcaps.drop_esp()
    for g in res["goals"]:
        g["paired"] = paired_ratio(res["peers"][g["num"]]["runs"],
                                   res["peers"][g["den"]]["runs"])
    for p, e in res["peers"].items():
        for other in ("secgw", "raw"):
            if p != other and other in res["peers"]:
                e["paired_vs_" + other] = paired_ratio(e["runs"], res["peers"][other]["runs"])
                e["ratio_vs_" + other] = bench_l2.ratio(e, res["peers"][other])
    add_details(res)
    return res


def add_details(res):
    """What the peers said about themselves (first ok round)."""
    for e in res["peers"].values():
        for s in e.get("runs", []):
            rep = s.get("self_reported") or {}
            keep = {k: rep[k] for k in ("mode", "modes", "router_gateway_mac", "sas",
                                        "sa_create_s", "crypto_vdev", "drops", "oneshot")
                    if k in rep}
            if keep:
                e["details"] = keep
                break


# ---------------------------------------------------------------- verify

def verify_one(key, kind, algo, size, args, ctx, pcaps, log):
    """One peer's output in a pcap instead of net_null, checked frame by
    frame (peers/ipsec_frames.py check_encap / check_decap)."""
    sc = {"algo": algo, "size": size}
    peer = make_peer(key, sc, ctx, args)
    out = pcaps.fresh("verify-%s-%s-%s-%d-out" % (key, kind, algo, size))
    try:
        peer.available()
        if kind == "encap":
            peer.start_encap(size, pcaps.fresh("verify-inner"), out_pcap=out)
            bench_l2.wait_for(lambda: peer.forwarded() >= 500, args.forward_timeout,
                              interval=0.05, what="500 packets out")
        else:
            esp = pcaps.fresh("verify-esp")
            ipf.write_esp_pcap(esp, ipf.Sa(algo, ipf.SPI_IN), size, 2000, "02:00:00:00:00:00")
            peer.start_decap(esp, out_pcap=out)
            sample_until_done(peer.forwarded, args.forward_timeout)
        sent = peer.forwarded()
    except PeerUnavailable as e:
        return {"status": "not available", "reason": str(e)}
    except Exception as e:  # a peer's failure is this check's result
        return {"status": "failed", "reason": str(e).strip()[-600:]}
    finally:
        peer.stop()     # flushes and closes the pcap
    frames = ipf.read_pcap(out, limit=2000)
    ipf.remove(out)
    res = ipf.check_encap(frames, algo, size) if kind == "encap" else \
        ipf.check_decap(frames, size)
    res["sent"] = sent
    res["status"] = "ok" if res["ok"] else "wrong output"
    return res


def verify(args, ctx, pcaps, log):
    """--verify: every peer's encap and decap output, each algorithm, the
    --verify-sizes sizes."""
    results = []
    for algo in ALGOS:
        for size in args.verify_sizes:
            for kind in ("encap", "decap"):
                for key in ("vsw", "secgw"):
                    if key not in args.peers:
                        continue
                    r = verify_one(key, kind, algo, size, args, ctx, pcaps, log)
                    r.update(peer=key, kind=kind, algo=algo, size=size)
                    results.append(r)
                    log("  verify %-5s %-5s %s %4d B: %s%s" % (
                        key, kind, algo, size, r["status"],
                        " (%d frames checked; inner TTL %s%s)" % (
                            r["checked"], r["inner_ttl"],
                            ", ESP frame %s B" % r["esp_frame_bytes"]
                            if r.get("esp_frame_bytes") else "")
                        if "checked" in r else ": " + r.get("reason", "")[:200]))
                    for err in r.get("errors", []):
                        log("      %s" % err)
    return results


# ------------------------------------------------------------------ output

def scenario_table(res, mem_name, ctx):
    lines = ["", "== %s [%s]: %s; worker core CPU %d" % (
        res["name"], mem_name, res["description"], ctx.fwd_core),
        "%-30s %9s %9s %9s %9s %9s %8s %8s  %s" % (
            "peer", "median", "min", "max", "TSC cyc/", "own cyc/", "vs secgw", "vs raw",
            "notes")]
    for e in res["peers"].values():
        lines.append("%-30s %9s %9s %9s %9s %9s %8s %8s  %s" % (
            e["label"], fmt(e.get("median_mpps"), ".3f"), fmt(e.get("min_mpps"), ".3f"),
            fmt(e.get("max_mpps"), ".3f"), fmt(e.get("tsc_cycles_per_packet"), ".0f"),
            fmt(e.get("self_cycles_per_packet"), ".0f"), fmt(e.get("ratio_vs_secgw"), ".2f"),
            fmt(e.get("ratio_vs_raw"), ".2f"), bench_l2.peer_notes(e)))
    for g in res["goals"]:
        verdict = "n/a (a peer has no number)" if g["met"] is None else \
            ("MET" if g["met"] else "NOT MET")
        lines.append("   goal %-26s ratio %-6s %s%s" % (g["goal"], fmt(g["ratio"], ".2f"),
                                                        verdict, paired_text(g)))
    return "\n".join(lines)


def markdown(doc):
    out = ["# IPsec benchmark: vsw vs DPDK ipsec-secgw vs raw libipsec-mb", "",
           "- date: %s" % doc["date"],
           "- command: `%s`" % doc["command"],
           "- host: %s, %d CPUs, kernel %s" % (doc["host"]["cpu_model"], doc["host"]["cpus"],
                                              doc["host"]["kernel"]),
           "- TSC: %.0f MHz (%s)" % (doc["host"]["tsc_hz"] / 1e6, doc["host"]["tsc_source"]),
           "- packages: %s" % ", ".join("%s %s" % kv for kv in doc["host"]["packages"].items()),
           "- settings: %s" % ", ".join("%s=%s" % kv for kv in doc["settings"].items()), ""]
    for runres in doc["runs"]:
        out.append("## Memory: %s" % runres["memory_mode"])
        if runres.get("error"):
            out += ["", "Not run: %s" % runres["error"], ""]
            continue
        if runres.get("verify"):
            out += ["", "Output checked (pcap instead of net_null, decrypted and compared):",
                    ""]
            for r in runres["verify"]:
                out.append("- %s %s %s %d B: %s%s" % (
                    r["peer"], r["kind"], r["algo"], r["size"], r["status"],
                    " (%d frames; inner TTL %s)" % (r["checked"], r["inner_ttl"])
                    if "checked" in r else ": " + r.get("reason", "")[:200]))
        for res in runres["scenarios"]:
            out += ["", "### %s: %s" % (res["name"], res["description"]), ""]
            if res.get("skipped"):
                out += ["Skipped: %s." % res["skipped"]]
                continue
            out += ["| peer | median Mpps | min | max | TSC cycles/pkt | own cycles/pkt "
                    "| vs secgw | vs raw | notes |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
            for e in res["peers"].values():
                out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    e["label"], fmt(e.get("median_mpps"), ".3f"), fmt(e.get("min_mpps"), ".3f"),
                    fmt(e.get("max_mpps"), ".3f"), fmt(e.get("tsc_cycles_per_packet"), ".0f"),
                    fmt(e.get("self_cycles_per_packet"), ".0f"),
                    fmt(e.get("ratio_vs_secgw"), ".2f"), fmt(e.get("ratio_vs_raw"), ".2f"),
                    bench_l2.peer_notes(e).replace("|", "/")))
            for g in res["goals"]:
                verdict = "n/a" if g["met"] is None else ("met" if g["met"] else "NOT met")
                out += ["", "Goal %s: ratio of the medians %s, %s%s." % (
                    g["goal"], fmt(g["ratio"], ".2f"), verdict, paired_text(g))]
            for p, e in res["peers"].items():
                if e.get("details"):
                    out += ["", "%s: `%s`" % (p, json.dumps(e["details"], sort_keys=True))]
        out.append("")
    return "\n".join(out) + "\n"


def summary_rows(doc):
    """One row per scenario: {scenario: {peer: median Mpps}} (the docs'
    table)."""
    rows = {}
    for runres in doc["runs"]:
        for res in runres.get("scenarios", []):
            rows[res["name"]] = {p: e.get("median_mpps") for p, e in res["peers"].items()}
    return rows


# ------------------------------------------------------------------ main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="IPsec benchmark: raw libipsec-mb vs vsw ESP encap/decap vs DPDK "
                    "ipsec-secgw, alternating and repeated in one run.",
        epilog="Scenarios: %s (default: %s). Run as root." % (", ".join(SCENARIOS),
                                                              ",".join(DEFAULT_SCENARIOS)))
    top = os.path.dirname(HERE)
    ap.add_argument("--build", default=os.path.join(top, "build"),
                    help="vsw build dir with control/vswd, control/vswctl and "
                         "tests/imb_bench (default: %(default)s)")
    ap.add_argument("--peers", default=",".join(BASE_PEERS),
                    help="comma-separated peers out of raw,vsw,secgw (default: all)")
    ap.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS),
                    help="comma-separated scenarios (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per scenario (default 3)")
    ap.add_argument("--duration", type=float, default=None,
                    help="measurement window of the looping (encap) runs, seconds (default 5)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds of forwarding before the window (default 2)")
    ap.add_argument("--mem", choices=("huge", "no-huge", "both"), default="huge",
                    help="memory mode of every peer (default: 2 MB hugepages)")
    ap.add_argument("--memory-mb", type=int, default=1024,
                    help="DPDK memory of each process, MiB (default 1024)")
    ap.add_argument("--main-core", type=int, default=0)
    ap.add_argument("--fwd-core", type=int, default=1)
    ap.add_argument("--sas", type=int, default=10000,
                    help="outbound SAs of the sas scenarios' second vsw (default 10000)")
    ap.add_argument("--secgw", default=None,
                    help="a built ipsec-secgw binary (default: build it from dpdk-doc's "
                         "examples into --secgw-dir)")
    ap.add_argument("--secgw-dir", default=None,
                    help="where to build ipsec-secgw (default: BUILD/bench/ipsec-secgw)")
    ap.add_argument("--imb-packets", type=int, default=100000,
                    help="packets per imb_bench trial (default 100000)")
    ap.add_argument("--oneshot-seconds", type=float, default=1.5,
                    help="decap pcaps hold this many seconds at a guessed top rate "
                         "(default 1.5)")
    ap.add_argument("--oneshot-mb", type=int, default=3000,
                    help="but at most this many MB (default 3000)")
    ap.add_argument("--oneshot-packets", type=int, default=None,
                    help="ESP frames per decap pcap (overrides the two above)")
    ap.add_argument("--oneshot-timeout", type=float, default=90.0,
                    help="seconds a one-shot run may last at most (default 90: a slow peer "
                         "takes ~15 s for a 3 GB file)")
    ap.add_argument("--oneshot-skip", type=float, default=0.1,
                    help="seconds of a one-shot run left out at its start (default 0.1)")
    ap.add_argument("--start-timeout", type=float, default=60.0)
    ap.add_argument("--forward-timeout", type=float, default=20.0)
    ap.add_argument("--out", default=None,
                    help="result file (JSON); a Markdown copy beside it "
                         "(default: bench-ipsec-DATE.json)")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (every peer's logs)")
    ap.add_argument("--verify", action="store_true",
                    help="first check each peer's output: encap and decap into a pcap "
                         "instead of net_null, decrypted and compared")
    ap.add_argument("--verify-only", action="store_true",
                    help="only --verify, no measurement")
    ap.add_argument("--verify-sizes", default="64,1420",
                    help="sizes --verify checks (default: %(default)s)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 round, 2 s window, 1 s warm-up, --sas 100, "
                         "small decap pcaps (unless given)")
    a = ap.parse_args(argv)
    a.peers = [p.strip() for p in a.peers.split(",") if p.strip()]
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    for p in a.peers:
        if p not in BASE_PEERS:
            ap.error("unknown peer %r (choose from %s)" % (p, ", ".join(BASE_PEERS)))
    for s in a.scenarios:
        if s not in SCENARIOS:
            ap.error("unknown scenario %r (choose from %s)" % (s, ", ".join(SCENARIOS)))
    quick = dict(rounds=1, duration=2.0, warmup=1.0) if a.quick else {}
    for k, v in dict(rounds=3, duration=5.0, warmup=2.0).items():
        if getattr(a, k) is None:
            setattr(a, k, quick.get(k, v))
    if a.quick and "--sas" not in argv:
        a.sas = 100
    if a.quick and "--oneshot-mb" not in argv:
        a.oneshot_mb = 300
    if a.rounds < 1 or a.duration <= 0 or a.warmup < 0:
        ap.error("--rounds must be >= 1, --duration > 0, --warmup >= 0")
    if a.main_core == a.fwd_core:
        ap.error("--main-core and --fwd-core must differ")
    if not 2 <= a.sas <= 32768:
        ap.error("--sas must be 2..32768 (/24s of 10.128.0.0/9, plus the traffic's)")
    if a.oneshot_mb < 10 or a.oneshot_seconds <= 0 or a.oneshot_skip < 0:
        ap.error("--oneshot-mb >= 10, --oneshot-seconds > 0, --oneshot-skip >= 0")
    try:
        a.verify_sizes = [int(x) for x in a.verify_sizes.split(",") if x.strip()]
        for size in a.verify_sizes:
            ipf.check_size(size)
    except ValueError as e:
        ap.error("--verify-sizes: %s" % e)
    a.verify = a.verify or a.verify_only
    if a.out is None:
        a.out = "bench-ipsec-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    # What bench_l2's Context and measure_window read.
    a.gen_core, a.perf, a.netns = None, False, False
    return a


def vswd_identity(build):
    """The measured build: vswd's mtime and the tree's commit."""
    vswd = os.path.join(build, "control", "vswd")
    out = {}
    try:
        out["vswd_mtime"] = datetime.datetime.fromtimestamp(
            os.stat(vswd).st_mtime).isoformat(timespec="seconds")
    except OSError:
        out["vswd_mtime"] = "missing"
    try:
        out["commit"] = subprocess.run(["git", "-C", os.path.dirname(HERE), "log", "-1",
                                        "--format=%h %s"], capture_output=True, text=True,
                                       timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return out


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    bench_l2.install_signal_handlers()
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    args.perf, _ = perf_cycles_supported()
    hz, hz_src = tsc_hz()
    pkgs = bench_l2.package_versions()
    pkgs["libipsec-mb1"] = (run(["dpkg-query", "-W", "-f", "${Version}", "libipsec-mb1"],
                                timeout=10, check=False).strip() or "not installed")
    doc = {
        "command": " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"cpu_model": cpu_model(), "cpus": os.cpu_count(), "kernel": platform.release(),
                 "tsc_hz": hz, "tsc_source": hz_src, "packages": pkgs,
                 "vsw": vswd_identity(args.build)},
        "settings": {"peers": ",".join(args.peers), "rounds": args.rounds,
                     "duration_s": args.duration, "warmup_s": args.warmup,
                     "memory_mb": args.memory_mb, "main_core": args.main_core,
                     "fwd_core": args.fwd_core, "sas": args.sas,
                     "oneshot_mb": args.oneshot_mb, "oneshot_seconds": args.oneshot_seconds,
                     "oneshot_skip_s": args.oneshot_skip},
        "runs": [],
    }
    modes = ["huge", "no-huge"] if args.mem == "both" else [args.mem]
    n_runs = sum(len(scenario_peers(SCENARIOS[s], args.peers)) for s in args.scenarios)
    est = len(modes) * args.rounds * n_runs * (args.warmup + args.duration + 6)
    log("bench_ipsec: peers %s, scenarios %s, %d rounds x %.0f s, memory %s; about %.0f min"
        % (",".join(args.peers), ",".join(args.scenarios), args.rounds, args.duration,
           "/".join(modes), est / 60))
    tmp = tempfile.mkdtemp(prefix="vswbench-ipsec-", dir=args.tmpdir)
    if "secgw" in args.peers and args.secgw is None:
        secgw_binary(args, log)
    elif args.secgw:
        args._secgw = (args.secgw, None)
    interrupted = False
    pcaps = None
    try:
        pcaps = Pcaps(tmp, args, hz)
        for mode in modes:
            mem = MemoryMode(mode == "huge", tmp, args.memory_mb,
                             pages=args.memory_mb // 2 + 64)
            runres = {"memory_mode": mem.name, "scenarios": []}
            doc["runs"].append(runres)
            try:
                mem.open()
            except PeerUnavailable as e:
                runres["error"] = str(e)
                log("bench_ipsec: memory mode %s not run: %s" % (mode, e))
                continue
            try:
                ctx = Context(args, tmp, mem)
                if args.verify:
                    runres["verify"] = verify(args, ctx, pcaps, log)
                for s in ([] if args.verify_only else args.scenarios):
                    res = run_scenario(s, args, ctx, pcaps, hz, log)
                    runres["scenarios"].append(res)
                    log(scenario_table(res, mem.name, ctx))
            finally:
                REGISTRY.stop_all()
                problems = mem.close()
                if problems:
                    runres["cleanup_problems"] = problems
                    log("bench_ipsec: WARNING: %s" % "; ".join(problems))
    except KeyboardInterrupt as e:
        interrupted = True
        doc["interrupted"] = str(e) or "interrupted"
        log("bench_ipsec: interrupted; stopping everything")
    finally:
        REGISTRY.stop_all()
        if pcaps is not None:
            pcaps.close()
        if args.keep_tmp:
            log("bench_ipsec: temp dir kept: %s" % tmp)
        else:
            run(["rm", "-rf", "--one-file-system", tmp], check=False)
    doc["host"]["vsw_after"] = vswd_identity(args.build)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    md = os.path.splitext(args.out)[0] + ".md"
    with open(md, "w") as f:
        f.write(markdown(doc))
    log("bench_ipsec: results in %s and %s" % (args.out, md))
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
