#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""L2 benchmark runner: vsw against dpdk-testpmd io-forwarding (the
framework's ceiling) and Open vSwitch-DPDK (NORMAL action) in one run,
alternating and repeated, on one forwarding core.

Scenarios
  pcap-1mac, pcap-1000mac   pcap replay in (net_pcap, infinite_rx=1), net_null
                            out (no-rx=1), 64-byte frames to 1 or 1000
                            destination MACs. Rate: packets sent out of the
                            null port (those forwarded) over the window.
  vhost-64, vhost-1518      a vhost-user loop: testpmd on two virtio-user
                            ports (generator, mac forwarding, 'start tx_first')
                            on the main core, the switch on the forwarding
                            core. Rate: packets the generator received.

Each scenario runs --rounds rounds; a round runs every peer once, for
--warmup + --duration seconds, in an order that rotates from round to round.
Reported: the median Mpps of the rounds (min/max beside it), TSC cycles per
packet (TSC Hz / pps: assumes the forwarding core polls 100% of the time,
which every peer here does), the peers' own cycle accounting where they
have one, and the ratios against OVS and testpmd.

Run as root (hugepages, mounts, network namespace for OVS). See README.md."""

import argparse
import datetime
import json
import os
import platform
import shlex
import signal
import statistics
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen_pcap import make_pcap  # noqa: E402
from peers.common import (REGISTRY, MemoryMode, PeerUnavailable, PerfCycles,  # noqa: E402
                          cpu_model, perf_cycles_supported, run, tsc_hz, wait_for)
from peers.ovs import OvsDpdk  # noqa: E402
from peers.testpmd import Generator, TestpmdSwitch  # noqa: E402
from peers.vsw import Vsw  # noqa: E402

PEERS = {"vsw": Vsw, "testpmd": TestpmdSwitch, "ovs": OvsDpdk}
GEN_MACS = ("02:00:00:00:10:00", "02:00:00:00:10:01")

SCENARIOS = {
    "pcap-1mac": dict(kind="pcap", size=64, macs=1,
                      desc="pcap replay in, net_null out, 64 B, 1 destination MAC"),
    "pcap-1000mac": dict(kind="pcap", size=64, macs=1000,
                         desc="pcap replay in, net_null out, 64 B, 1000 destination MACs"),
    "vhost-64": dict(kind="vhost", size=64,
                     desc="vhost-user loop, testpmd generator on virtio-user, 64 B"),
    "vhost-1518": dict(kind="vhost", size=1518,
                       desc="vhost-user loop, testpmd generator on virtio-user, 1518 B"),
}

# The goals: (scenario kind, numerator, denominator, at least).
GOALS = [("pcap", "vsw", "ovs", 1.5), ("pcap", "vsw", "testpmd", 0.8),
         ("vhost", "vsw", "ovs", 1.2)]


class Context:
    """What one run shares: temp dir, memory mode, cores, timeouts, names."""

    def __init__(self, args, tmp, mem):
        # One subdir per memory mode: names never collide across modes.
        tmp = os.path.join(tmp, mem.name)
        self.tmp = tmp
        self.mem = mem
        self.build = args.build
        self.main_core = args.main_core
        self.fwd_core = args.fwd_core
        self.gen_core = args.gen_core if args.gen_core is not None else args.main_core
        self.start_timeout = args.start_timeout
        self.use_netns = args.netns
        self.logs = os.path.join(tmp, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self._n = 0

    def _next(self):
        self._n += 1
        return self._n

    def prefix(self, tag):
        """A DPDK --file-prefix no one else uses."""
        return "vswbench%d-%s" % (os.getpid(), tag)

    def new_dir(self, name):
        d = os.path.join(self.tmp, "%s-%d" % (name, self._next()))
        os.makedirs(d)
        return d

    def log_path(self, name):
        return os.path.join(self.logs, "%03d-%s.log" % (self._next(), name))


# ------------------------------------------------------------ measurement

class NotForwarding(Exception):
    pass


def wait_forwarding(counter, timeout):
    """Wait until counter() grows; NotForwarding if it does not."""
    first = counter()
    try:
        wait_for(lambda: counter() > first, timeout, interval=0.5, what="forwarding")
    except TimeoutError:
        raise NotForwarding("no packet forwarded in %.0f s" % timeout)


def measure_window(counter, args, ctx, on_begin=None):
    """Counter delta over --duration seconds: (packets, seconds, perf cycles)."""
    if on_begin:
        on_begin()
    perf = PerfCycles(ctx.fwd_core, ctx.log_path("perf")) if args.perf else None
    c0, t0 = counter(), time.monotonic()
    time.sleep(args.duration)
    c1, t1 = counter(), time.monotonic()
    cycles = perf.finish() if perf else None
    return c1 - c0, t1 - t0, cycles


def run_forwarding(peer, start, args, ctx):
    """start(), wait for the peer's forwarded() count to move, warm up,
    measure: (packets, seconds, perf cycles, the peer's self report)."""
    start()
    wait_forwarding(peer.forwarded, args.forward_timeout)
    time.sleep(args.warmup)
    pkts, secs, cycles = measure_window(peer.forwarded, args, ctx, peer.window_begin)
    return pkts, secs, cycles, peer.self_report()


def run_pcap(peer, pcap, args, ctx):
    return run_forwarding(peer, lambda: peer.start_pcap(pcap), args, ctx)


def run_vhost(peer, size, args, ctx):
    d = ctx.new_dir("vhost")
    socks = (os.path.join(d, "vhu0.sock"), os.path.join(d, "vhu1.sock"))
    gen = Generator(ctx, size, args.tx_first_bursts, retry=args.gen_retry)
    try:
        if peer.vhost_role == "client":
            # The generator listens; its vhu1 socket appears only once the
            # switch has connected to vhu0.
            gen.start(socks, GEN_MACS, server=True)
            wait_for(lambda: os.path.exists(socks[0]), ctx.start_timeout,
                     what="generator's vhost-user socket")
            peer.start_vhost(socks, GEN_MACS)
        else:
            peer.start_vhost(socks, GEN_MACS)
            wait_for(lambda: all(os.path.exists(s) for s in socks), ctx.start_timeout,
                     what="%s's vhost-user sockets" % peer.name)
            gen.start(socks, GEN_MACS, server=False)
        gen.ready(ctx.start_timeout)
        gen.wait_links(ctx.start_timeout)
        wait_for(peer.vhost_ready, ctx.start_timeout, interval=0.5,
                 what="%s's vhost-user ports ready" % peer.name)
        # A burst sent into a port the switch does not poll yet is lost, and
        # with it the loop: kick again if nothing comes round.
        for attempt in range(3):
            gen.kick(again=attempt > 0)
            try:
                wait_forwarding(gen.received, args.forward_timeout / 3)
                break
            except NotForwarding:
                if attempt == 2:
                    raise NotForwarding("no packet came round the loop after 3 kicks "
                                        "(%.0f s)" % args.forward_timeout)
        time.sleep(args.warmup)
        pkts, secs, cycles = measure_window(gen.received, args, ctx, peer.window_begin)
        return pkts, secs, cycles, peer.self_report()
    finally:
        gen.stop()


def one_run(name, scenario, args, ctx, pcaps):
    """One peer, one scenario, one round: a sample dict."""
    peer = PEERS[name](ctx)
    if scenario["kind"] == "pcap":
        return guarded_run(peer, lambda: run_pcap(peer, pcaps[scenario["macs"]], args, ctx))
    return guarded_run(peer, lambda: run_vhost(peer, scenario["size"], args, ctx))


def guarded_run(peer, body):
    """body() -> (packets, seconds, perf cycles, self report), as a sample
    dict; whatever happens becomes the sample's status, and the peer is
    stopped."""
    t_start = time.monotonic()
    try:
        peer.available()
        pkts, secs, cycles, self_rep = body()
        return {"status": "ok", "packets": pkts, "seconds": round(secs, 3),
                "mpps": pkts / secs / 1e6, "perf_cycles": cycles, "self_reported": self_rep,
                "wall_s": round(time.monotonic() - t_start, 1)}
    except PeerUnavailable as e:
        return {"status": "not available", "reason": str(e)}
    except NotForwarding as e:
        return {"status": "not forwarding", "reason": str(e), "mpps": 0.0}
    except Exception as e:  # one peer's failure must not end the run
        out = {"status": "failed", "reason": str(e).strip()[-1500:]}
        if not isinstance(e, (RuntimeError, TimeoutError, KeyError)):
            out["reason"] = "%s: %s" % (type(e).__name__, e)
            out["traceback"] = traceback.format_exc()[-3000:]
        return out
    finally:
        peer.stop()


def summarize(samples, hz):
    """Median/min/max of the rounds that measured something."""
    vals = [s["mpps"] for s in samples if s.get("status") in ("ok", "not forwarding")]
    out = {"samples_mpps": [round(v, 4) for v in vals]}
    if not vals:
        return out
    med = statistics.median(vals)
    out.update(median_mpps=round(med, 4), min_mpps=round(min(vals), 4),
               max_mpps=round(max(vals), 4))
    if med > 0 and hz:
        out["tsc_cycles_per_packet"] = round(hz / (med * 1e6), 1)
    perf = [s["perf_cycles"] / s["packets"] for s in samples
            if s.get("perf_cycles") and s.get("packets")]
    if perf:
        out["perf_cycles_per_packet"] = round(statistics.median(perf), 1)
    counters = sorted({s["self_reported"]["counter"] for s in samples
                       if s.get("self_reported", {}).get("counter")})
    if counters:
        out["counter"] = ", ".join(counters)
    for key in ("cycles_per_packet", "busy_pct"):
        v = [s["self_reported"][key] for s in samples
             if s.get("self_reported", {}).get(key) is not None]
        if v:
            out["self_" + key] = round(statistics.median(v), 1)
    return out


def peer_status(samples):
    """(status, reason): 'ok' when a round measured something (the reason
    then says how many rounds failed and why), else the worst thing that
    happened."""
    bad = [s for s in samples if s.get("status") not in ("ok", "not forwarding")]
    if any(s.get("status") in ("ok", "not forwarding") for s in samples):
        if not any(s.get("status") == "ok" for s in samples):
            nf = [s for s in samples if s.get("status") == "not forwarding"]
            return "not forwarding", nf[0].get("reason", "")
        if bad:
            reason = (bad[0].get("reason") or "").strip().splitlines()
            return "ok", "%d of %d rounds %s: %s" % (
                len(bad), len(samples), bad[0]["status"], reason[0] if reason else "")
        return "ok", ""
    for st in ("not available", "failed"):
        for s in samples:
            if s.get("status") == st:
                return st, s.get("reason", "")
    return "failed", "no round ran"


def ratio(a, b):
    if not a or not b or not a.get("median_mpps") or not b.get("median_mpps"):
        return None
    return round(a["median_mpps"] / b["median_mpps"], 3)


def run_scenario(sname, args, ctx, pcaps, hz, log):
    sc = SCENARIOS[sname]
    goals = [(num, den, goal) for kind, num, den, goal in GOALS if kind == sc["kind"]]
    return run_rounds(sname, sc["desc"], list(args.peers),
                      {p: PEERS[p].label for p in args.peers}, goals, args.rounds,
                      lambda p: one_run(p, sc, args, ctx, pcaps), ctx.mem.name, hz, log)


def run_rounds(sname, desc, peers, labels, goals, rounds, run_one, mem_name, hz, log):
    """Every peer once a round, the order rotated from round to round;
    run_one(peer) -> a sample dict. The scenario's result: each peer's
    summary, its ratios vs the peers 'ovs' and 'testpmd', and the goals
    [(numerator peer, denominator peer, least ratio)] judged."""
    samples = {p: [] for p in peers}
    skip, failures = {}, {}
    for r in range(rounds):
        k = r % len(peers)
        for p in peers[k:] + peers[:k]:
            if p in skip:
                continue
            s = run_one(p)
            samples[p].append(s)
            if s["status"] == "ok":
                log("  [%s] %s round %d/%d %-8s %8.3f Mpps" % (
                    mem_name, sname, r + 1, rounds, p, s["mpps"]))
            else:
                log("  [%s] %s round %d/%d %-8s %s: %s" % (
                    mem_name, sname, r + 1, rounds, p, s["status"],
                    s.get("reason", "").splitlines()[0] if s.get("reason") else ""))
                # A missing peer stays missing; one that failed twice will
                # fail again: spare the other rounds.
                failures[p] = failures.get(p, 0) + 1
                if s["status"] == "not available" or failures[p] >= 2:
                    skip[p] = s["status"]
    result = {"name": sname, "description": desc, "peers": {}}
    for p in peers:
        st, why = peer_status(samples[p])
        entry = {"label": labels[p], "status": st}
        if why:
            entry["reason"] = why
        entry.update(summarize(samples[p], hz))
        entry["runs"] = samples[p]
        result["peers"][p] = entry
    for p, e in result["peers"].items():
        e["ratio_vs_ovs"] = ratio(e, result["peers"].get("ovs"))
        e["ratio_vs_testpmd"] = ratio(e, result["peers"].get("testpmd"))
    result["goals"] = []
    for num, den, goal in goals:
        if num not in result["peers"] or den not in result["peers"]:
            continue
        r = ratio(result["peers"][num], result["peers"][den])
        result["goals"].append({"goal": "%s >= %gx %s" % (num, goal, den), "ratio": r,
                                "met": None if r is None else r >= goal,
                                "num": num, "den": den})
    return result


# ------------------------------------------------------------------ output

def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def peer_notes(e):
    """The notes column: status, busy %, perf cycles, where vsw counted."""
    note = ""
    if e.get("perf_cycles_per_packet") is not None:
        note += "perf %s cyc/pkt; " % e["perf_cycles_per_packet"]
    if e.get("self_busy_pct") is not None:
        note += "busy %.0f%%%s; " % (e["self_busy_pct"], " (not the bottleneck)"
                                     if e["self_busy_pct"] < 90 else "")
    if "no per-VNIC" in (e.get("counter") or ""):
        note += "counted from %s; " % e["counter"]
    reason = (e.get("reason") or "").strip().splitlines()
    if e["status"] != "ok":
        note += "%s: %s" % (e["status"], reason[0] if reason else "")
    elif reason:
        note += reason[0]
    return note.strip().rstrip(";")


def scenario_table(res, mem_name, ctx):
    lines = ["", "== %s [%s]: %s; forwarding core CPU %d" % (
        res["name"], mem_name, res["description"], ctx.fwd_core),
        "%-28s %9s %9s %9s %9s %9s %8s %8s  %s" % (
            "peer", "median", "min", "max", "TSC cyc/", "own cyc/", "vs OVS", "vs tpmd",
            "notes"),
        "%-28s %9s %9s %9s %9s %9s %8s %8s" % ("", "Mpps", "Mpps", "Mpps", "packet",
                                                "packet", "", "")]
    for p, e in res["peers"].items():
        note = peer_notes(e)
        lines.append("%-28s %9s %9s %9s %9s %9s %8s %8s  %s" % (
            e["label"], fmt(e.get("median_mpps"), ".3f"), fmt(e.get("min_mpps"), ".3f"),
            fmt(e.get("max_mpps"), ".3f"), fmt(e.get("tsc_cycles_per_packet"), ".0f"),
            fmt(e.get("self_cycles_per_packet"), ".0f"), fmt(e.get("ratio_vs_ovs"), ".2f"),
            fmt(e.get("ratio_vs_testpmd"), ".2f"), note))
    for g in res["goals"]:
        verdict = "n/a (a peer has no number)" if g["met"] is None else \
            ("MET" if g["met"] else "NOT MET")
        lines.append("   goal %-22s ratio %-6s %s" % (g["goal"], fmt(g["ratio"], ".2f"), verdict))
    return "\n".join(lines)


def markdown(doc):
    out = ["# L2 benchmark: vsw vs dpdk-testpmd io-fwd vs OVS-DPDK", "",
           "- date: %s" % doc["date"],
           "- command: `%s`" % doc["command"],
           "- host: %s, %d CPUs, kernel %s" % (doc["host"]["cpu_model"], doc["host"]["cpus"],
                                              doc["host"]["kernel"]),
           "- TSC: %.0f MHz (%s); cycles/packet = TSC Hz / pps, assuming the forwarding "
           "core is 100%% busy polling" % (doc["host"]["tsc_hz"] / 1e6, doc["host"]["tsc_source"]),
           "- perf cycles: %s" % doc["host"]["perf"],
           "- packages: %s" % ", ".join("%s %s" % kv for kv in doc["host"]["packages"].items()),
           "- settings: %s" % ", ".join("%s=%s" % kv for kv in doc["settings"].items()), ""]
    for runres in doc["runs"]:
        out.append("## Memory: %s" % runres["memory_mode"])
        if runres.get("error"):
            out += ["", "Not run: %s" % runres["error"], ""]
            continue
        for res in runres["scenarios"]:
            out += ["", "### %s: %s" % (res["name"], res["description"]), "",
                    "| peer | median Mpps | min | max | TSC cycles/pkt | own cycles/pkt "
                    "| vs OVS | vs testpmd | notes |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
            for e in res["peers"].values():
                note = peer_notes(e)
                out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    e["label"], fmt(e.get("median_mpps"), ".3f"), fmt(e.get("min_mpps"), ".3f"),
                    fmt(e.get("max_mpps"), ".3f"), fmt(e.get("tsc_cycles_per_packet"), ".0f"),
                    fmt(e.get("self_cycles_per_packet"), ".0f"),
                    fmt(e.get("ratio_vs_ovs"), ".2f"), fmt(e.get("ratio_vs_testpmd"), ".2f"),
                    note.replace("|", "/")))
            for g in res["goals"]:
                verdict = "n/a" if g["met"] is None else ("met" if g["met"] else "NOT met")
                out.append("")
                out.append("Goal %s: ratio %s, %s." % (g["goal"], fmt(g["ratio"], ".2f"), verdict))
        out.append("")
    return "\n".join(out) + "\n"


def package_versions():
    vers = {}
    for pkg in ("dpdk", "openvswitch-switch-dpdk"):
        try:
            vers[pkg] = run(["dpkg-query", "-W", "-f", "${Version}", pkg], timeout=10).strip()
        except (RuntimeError, OSError):
            vers[pkg] = "not installed"
    return vers


# -------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="L2 benchmark: vsw vs dpdk-testpmd io-fwd vs OVS-DPDK, alternating "
                    "and repeated in one run.",
        epilog="Scenarios: %s. Run as root. See pktgen-scripts/README.md." % ", ".join(SCENARIOS))
    top = os.path.dirname(HERE)
    ap.add_argument("--build", default=os.path.join(top, "build"),
                    help="vsw meson build dir holding control/vswd and control/vswctl "
                         "(default: %(default)s)")
    ap.add_argument("--peers", default="vsw,testpmd,ovs",
                    help="comma-separated peers out of vsw,testpmd,ovs (default: %(default)s)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help="comma-separated scenarios (default: all)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per scenario (default 5)")
    ap.add_argument("--duration", type=float, default=None,
                    help="measurement window per run, seconds (default 10)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds of forwarding before the window (default 3)")
    ap.add_argument("--mem", choices=("huge", "no-huge", "both"), default="huge",
                    help="memory mode of every peer: 2 MB hugepages (default), --no-huge, "
                         "or a full run in each")
    ap.add_argument("--no-huge", dest="mem", action="store_const", const="no-huge",
                    help="same as --mem no-huge")
    ap.add_argument("--memory-mb", type=int, default=1024,
                    help="DPDK memory of each process, MiB (default 1024)")
    ap.add_argument("--main-core", type=int, default=0,
                    help="CPU of main/control threads (default 0)")
    ap.add_argument("--fwd-core", type=int, default=1,
                    help="CPU of the one forwarding core (default 1)")
    ap.add_argument("--gen-core", type=int, default=None,
                    help="CPU of the vhost loop's generator (default: --main-core)")
    ap.add_argument("--tx-first-bursts", type=int, default=32,
                    help="bursts of 32 packets per port the generator puts in the vhost loop "
                         "(default 32)")
    ap.add_argument("--gen-retry", action="store_true",
                    help="generator retries on a full ring instead of dropping ('set fwd mac "
                         "retry' rather than 'set fwd mac')")
    ap.add_argument("--start-timeout", type=float, default=60.0,
                    help="seconds a peer may take to start (default 60)")
    ap.add_argument("--forward-timeout", type=float, default=20.0,
                    help="seconds to wait for the first forwarded packet (default 20)")
    ap.add_argument("--perf", choices=("auto", "on", "off"), default="auto",
                    help="count real cycles with perf stat -C FWD_CORE (default: when it works)")
    ap.add_argument("--no-netns", dest="netns", action="store_false", default=None,
                    help="do not run ovs-vswitchd in its own network namespace")
    ap.add_argument("--out", default=None,
                    help="result file (JSON); a Markdown copy is written beside it "
                         "(default: bench-l2-DATE.json in the current directory)")
    ap.add_argument("--tmpdir", default=None, help="parent of the run's temp dir")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (logs of every peer) after the run")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 round, 2 s window, 1 s warm-up (unless given)")
    a = ap.parse_args(argv)
    a.peers = [p.strip() for p in a.peers.split(",") if p.strip()]
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    for p in a.peers:
        if p not in PEERS:
            ap.error("unknown peer %r (choose from %s)" % (p, ", ".join(PEERS)))
    for s in a.scenarios:
        if s not in SCENARIOS:
            ap.error("unknown scenario %r (choose from %s)" % (s, ", ".join(SCENARIOS)))
    quick = dict(rounds=1, duration=2.0, warmup=1.0) if a.quick else {}
    for k, v in dict(rounds=5, duration=10.0, warmup=3.0).items():
        if getattr(a, k) is None:
            setattr(a, k, quick.get(k, v))
    if a.rounds < 1 or a.duration <= 0 or a.warmup < 0:
        ap.error("--rounds must be >= 1, --duration > 0, --warmup >= 0")
    if a.main_core == a.fwd_core:
        ap.error("--main-core and --fwd-core must differ")
    if a.out is None:
        a.out = "bench-l2-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return a


def netns_works():
    try:
        run(["unshare", "--net", "--", "true"], timeout=10)
        return True
    except (RuntimeError, OSError):
        return False


def install_signal_handlers():
    def stop(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    install_signal_handlers()
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    if args.netns is None:
        args.netns = os.getuid() == 0 and netns_works()
    perf_ok, perf_why = perf_cycles_supported()
    args.perf = perf_ok if args.perf == "auto" else args.perf == "on"
    hz, hz_src = tsc_hz()
    doc = {
        "command": " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"cpu_model": cpu_model(), "cpus": os.cpu_count(), "kernel": platform.release(),
                 "tsc_hz": hz, "tsc_source": hz_src,
                 "perf": ("used: " if args.perf else "not used: ") + perf_why,
                 "packages": package_versions()},
        "settings": {"peers": ",".join(args.peers), "rounds": args.rounds,
                     "duration_s": args.duration, "warmup_s": args.warmup,
                     "memory_mb": args.memory_mb, "main_core": args.main_core,
                     "fwd_core": args.fwd_core,
                     "gen_core": args.gen_core if args.gen_core is not None else args.main_core,
                     "tx_first_bursts": args.tx_first_bursts, "generator_retry": args.gen_retry,
                     "ovs_netns": args.netns},
        "runs": [],
    }
    modes = ["huge", "no-huge"] if args.mem == "both" else [args.mem]
    per_run = args.warmup + args.duration + 6
    est = len(modes) * len(args.scenarios) * args.rounds * len(args.peers) * per_run
    log("bench_l2: peers %s, scenarios %s, %d rounds x %.0f s, memory %s; about %.0f min"
        % (",".join(args.peers), ",".join(args.scenarios), args.rounds, args.duration,
           "/".join(modes), est / 60))
    log("bench_l2: %s; TSC %.0f MHz (%s); perf: %s" % (doc["host"]["cpu_model"], hz / 1e6,
                                                        hz_src, doc["host"]["perf"]))
    tmp = tempfile.mkdtemp(prefix="vswbench-", dir=args.tmpdir)
    interrupted = False
    try:
        pcaps = {}
        for n in sorted({SCENARIOS[s]["macs"] for s in args.scenarios
                         if SCENARIOS[s]["kind"] == "pcap"}):
            pcaps[n] = os.path.join(tmp, "l2-64B-%dmac.pcap" % n)
            make_pcap(pcaps[n], 64, n)
        for mode in modes:
            pages = (2 * args.memory_mb) // 2 + 64  # generator + switch at once
            mem = MemoryMode(mode == "huge", tmp, args.memory_mb, pages=pages)
            runres = {"memory_mode": mem.name, "scenarios": []}
            doc["runs"].append(runres)
            try:
                mem.open()
            except PeerUnavailable as e:
                runres["error"] = str(e)
                log("bench_l2: memory mode %s not run: %s" % (mode, e))
                continue
            try:
                ctx = Context(args, tmp, mem)
                for s in args.scenarios:
                    res = run_scenario(s, args, ctx, pcaps, hz, log)
                    runres["scenarios"].append(res)
                    log(scenario_table(res, mem.name, ctx))
            finally:
                REGISTRY.stop_all()
                problems = mem.close()
                if problems:
                    runres["cleanup_problems"] = problems
                    log("bench_l2: WARNING: %s" % "; ".join(problems))
    except KeyboardInterrupt as e:
        interrupted = True
        doc["interrupted"] = str(e) or "interrupted"
        log("bench_l2: interrupted; stopping everything")
    finally:
        REGISTRY.stop_all()
        if args.keep_tmp:
            log("bench_l2: temp dir kept: %s" % tmp)
        else:
            run(["rm", "-rf", "--one-file-system", tmp], check=False)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    md = os.path.splitext(args.out)[0] + ".md"
    with open(md, "w") as f:
        f.write(markdown(doc))
    log("bench_l2: results in %s and %s" % (args.out, md))
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
