#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""L3 benchmark runner: vsw's router and VXLAN networks against Open
vSwitch-DPDK doing the same (OpenFlow L3 rules; userspace VXLAN tunnel) and
dpdk-testpmd io-forwarding (the ceiling), alternating and repeated in one
run, one forwarding core. The machinery (rounds, medians, memory mode,
process cleanup) is bench_l2.py's.

Scenarios (pcap replay in with net_pcap infinite_rx=1, net_null out)
  routed-SIZE     a VNIC on subnet A sends to a VNIC with a fixed IP on
                  subnet B through a router (vsw: network/subnet/router API;
                  OVS: dec_ttl, mod_dl_src, mod_dl_dst, output). SIZE 64,
                  512, 1420; routed-64-1000flows: 1000 UDP source ports.
  routes          vsw alone: the same router with 1 static route, then with
                  --routes routes, alternating; the frames go to --route-dsts
                  destinations spread over the routes' prefixes.
  vxlan-encap-SIZE  a VNIC on a VXLAN network sends to a MAC behind a remote
                  VTEP (vsw: static FDB entry; OVS: vxlan port, tnl/arp/set);
                  the underlay port is the output.
  vxlan-decap-64  VXLAN frames from the remote VTEP into the underlay port,
                  to a VNIC on the network.

Default: routed-64, routes, vxlan-encap-64, vxlan-decap-64. Rate: packets
leaving the output port per second over the window, median of --rounds
rounds, and the median of the per-round ratios. Run as root (hugepages,
OVS's network namespace). Results and method: docs/benchmarks.md."""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_l2  # noqa: E402
from bench_l2 import (Context, NotForwarding, fmt, guarded_run, peer_notes,  # noqa: E402
                      run_forwarding, run_rounds, scenario_table)
from peers.common import (REGISTRY, MemoryMode, PeerUnavailable, cpu_model,  # noqa: E402
                          perf_cycles_supported, run, tsc_hz)
from peers import l3_frames as fr  # noqa: E402
from peers.l3_ovs import OvsL3  # noqa: E402
from peers.l3_vsw import VswL3  # noqa: E402
from peers.testpmd import TestpmdSwitch  # noqa: E402

# The goals. "1 vs 1M routes costs < 15%": cycles per packet with
# many routes at most 1.15x those with one, i.e. rate ratio >= 1/1.15.
ROUTE_COST_GOAL = 0.15
GOAL_VS_OVS = 1.3


def _scenarios():
    sc = {}
    for size in (64, 512, 1420):
        sc["routed-%d" % size] = dict(
            kind="routed", size=size, peers=("vsw", "ovs", "testpmd"),
            goals=[("vsw", "ovs", GOAL_VS_OVS)],
            desc="routed between two subnets, %d B, 1 flow" % size)
        sc["vxlan-encap-%d" % size] = dict(
            kind="encap", size=size, peers=("vsw", "ovs", "testpmd"),
            goals=[("vsw", "ovs", GOAL_VS_OVS)],
            desc="VXLAN encapsulation to a remote VTEP, %d B inner, 1 flow" % size)
    sc["routed-64-1000flows"] = dict(
        kind="routed", size=64, flows=1000, peers=("vsw", "ovs", "testpmd"),
        goals=[("vsw", "ovs", GOAL_VS_OVS)],
        desc="routed between two subnets, 64 B, 1000 UDP flows")
    sc["routes"] = dict(
        kind="routes", size=64, peers=("vsw-1route", "vsw-Nroutes"),
        goals=[("vsw-Nroutes", "vsw-1route", round(1 / (1 + ROUTE_COST_GOAL), 2))],
        desc="vsw routing with 1 static route vs --routes routes, 64 B")
    sc["vxlan-decap-64"] = dict(
        kind="decap", size=64, peers=("vsw", "ovs", "testpmd"), goals=[],
        desc="VXLAN decapsulation from a remote VTEP, 64 B inner, 1 flow")
    return sc


SCENARIOS = _scenarios()
DEFAULT_SCENARIOS = ("routed-64", "routes", "vxlan-encap-64", "vxlan-decap-64")
BASE_PEERS = ("vsw", "ovs", "testpmd")
LABELS = {"vsw": "vsw", "ovs": OvsL3.label, "testpmd": TestpmdSwitch.label,
          "vsw-1route": "vsw, 1 route", "vsw-Nroutes": "vsw, N routes"}


def scenario_peers(sc, wanted):
    """The scenario's peers that --peers asks for (vsw-* variants count as
    vsw)."""
    return [p for p in sc["peers"] if p.split("-", 1)[0] in wanted]


# ------------------------------------------------------------------ pcaps

class Pcaps:
    """The pcaps of one run, made once; those that depend on what vsw chose
    are written per vsw run (see peers/l3_vsw.py)."""

    def __init__(self, tmp, args):
        self.dir = os.path.join(tmp, "pcaps")
        os.makedirs(self.dir, exist_ok=True)
        self.args = args
        self._made = {}

    def get(self, name, frames_fn):
        if name not in self._made:
            path = os.path.join(self.dir, name + ".pcap")
            fr.write_pcap(path, frames_fn())
            self._made[name] = path
        return self._made[name]

    def fresh(self, name):
        """A path for a pcap written by the caller (one per vsw run)."""
        n = len(self._made)
        path = os.path.join(self.dir, "%s-%d.pcap" % (name, n))
        self._made[path] = path
        return path

    # The frames of each scenario, for the peers that need no feedback.
    def routed(self, sc):
        return self.get("routed-%d-%df" % (sc["size"], sc.get("flows", 1)),
                        lambda: fr.routed_frames(sc["size"], fr.ROUTER_MAC_A,
                                                 sc.get("flows", 1)))

    def encap(self, sc):
        return self.get("encap-%d" % sc["size"],
                        lambda: fr.encap_inner_frames(sc["size"], sc.get("flows", 1)))

    def underlay_arp(self):
        return self.get("underlay-arp", fr.underlay_arp_frames)

    def decap(self, sc, mac):
        return self.get("decap-%d-%s" % (sc["size"], mac.replace(":", "")),
                        lambda: fr.decap_frames(sc["size"], mac, sc.get("flows", 1)))

    def route_dsts(self):
        return fr.route_destinations(self.args.route_dsts, self.args.routes)


# ------------------------------------------------------------------ runs

def make_peer(key, ctx, args):
    if key == "ovs":
        return OvsL3(ctx)
    if key == "testpmd":
        return TestpmdSwitch(ctx)
    routes = {"vsw-1route": [{"destination": fr.ROUTES_SUPERNET, "nexthop": fr.DST_IP}],
              "vsw-Nroutes": fr.static_routes(args.routes, fr.DST_IP)}.get(key, [])
    return VswL3(ctx, routes=routes, port_security=args.port_security)


def starter(key, peer, sc, pcaps):
    """The function that starts peer for the scenario."""
    kind, size, flows = sc["kind"], sc["size"], sc.get("flows", 1)
    if key == "testpmd":
        # The ceiling: the same input frames, io-forwarded unchanged.
        pcap = {"routed": lambda: pcaps.routed(sc), "encap": lambda: pcaps.encap(sc),
                "decap": lambda: pcaps.decap(sc, fr.LOCAL_VTEP_MAC)}[kind]()
        return lambda: peer.start_pcap(pcap)
    if key == "ovs":
        if kind == "routed":
            return lambda: peer.start_routed(pcaps.routed(sc))
        if kind == "encap":
            return lambda: peer.start_encap(pcaps.encap(sc), pcaps.underlay_arp())
        if kind == "decap":
            return lambda: peer.start_decap(pcaps.decap(sc, fr.LOCAL_VTEP_MAC))
    else:
        if kind == "routed":
            return lambda: peer.start_routed(
                lambda mac: fr.routed_frames(size, mac, flows), pcaps.fresh("vsw-routed"))
        if kind == "routes":
            dsts = pcaps.route_dsts()
            return lambda: peer.start_routed(
                lambda mac: fr.routes_frames(size, mac, dsts), pcaps.fresh("vsw-routes"))
        if kind == "encap":
            return lambda: peer.start_encap(pcaps.encap(sc), pcaps.underlay_arp())
        if kind == "decap":
            return lambda: peer.start_decap(
                lambda mac: fr.decap_frames(size, mac, flows), pcaps.fresh("vsw-decap"))
    raise PeerUnavailable("%s has no %s scenario" % (key, kind))


def one_run(key, sc, args, ctx, pcaps):
    """One peer, one scenario, one round: a sample dict (bench_l2's)."""
    peer = make_peer(key, ctx, args)

    def body():
        try:
            return run_forwarding(peer, starter(key, peer, sc, pcaps), args, ctx)
        except NotForwarding as e:
            raise NotForwarding("%s%s" % (e, drops_note(peer)))
    return guarded_run(peer, body)


def drops_note(peer):
    """Where a peer that counts its drops (vsw) dropped what it did not
    forward: says why it did not."""
    if not hasattr(peer, "drops"):
        return ""
    try:
        return "; drops: %s" % json.dumps(peer.drops(), sort_keys=True)
    except (RuntimeError, ValueError, KeyError) as e:
        return "; drops unknown (%s)" % e


def run_scenario(sname, args, ctx, pcaps, hz, log):
    sc = SCENARIOS[sname]
    peers = scenario_peers(sc, args.peers)
    if not peers:
        return {"name": sname, "description": sc["desc"], "peers": {}, "goals": [],
                "skipped": "no peer of --peers runs it (%s)" % ", ".join(sc["peers"])}
    labels = dict(LABELS)
    labels["vsw-Nroutes"] = "vsw, %d routes" % args.routes
    res = run_rounds(sname, sc["desc"], peers, labels, sc["goals"], args.rounds,
                     lambda p: one_run(p, sc, args, ctx, pcaps), ctx.mem.name, hz, log)
    add_details(res)
    for g in res["goals"]:
        g["paired"] = paired_ratio(res["peers"][g["num"]]["runs"],
                                   res["peers"][g["den"]]["runs"])
    if "ovs" in res["peers"]:
        for p, e in res["peers"].items():
            if p != "ovs":
                e["paired_vs_ovs"] = paired_ratio(e["runs"], res["peers"]["ovs"]["runs"])
    return res


def paired_ratio(num_runs, den_runs):
    """The median of the per-round ratios (num/den of the same round), and
    the per-round ratios: on a noisy machine the peers of one round share
    its conditions, so this is steadier than the ratio of the medians.
    None unless both peers measured in the same rounds."""
    if len(num_runs) != len(den_runs):
        return None
    rs = [round(a["mpps"] / b["mpps"], 3) for a, b in zip(num_runs, den_runs)
          if a.get("status") == "ok" and b.get("status") == "ok" and b.get("mpps")]
    if not rs:
        return None
    return {"median": round(statistics.median(rs), 3), "rounds": rs}


def add_details(res):
    """What the peers said about themselves that the summary does not keep:
    OVS's datapath actions, vsw's setup facts and drops (first ok round)."""
    for e in res["peers"].values():
        for s in e.get("runs", []):
            rep = s.get("self_reported") or {}
            keep = {k: rep[k] for k in ("datapath_flows", "datapath_actions", "router_mac_a",
                                        "routes", "underlay_neighbour", "underlay_mac",
                                        "drops") if k in rep}
            if keep:
                e["details"] = keep
                break


# ------------------------------------------------------------------ output

def markdown(doc):
    out = ["# L3 benchmark: vsw vs OVS-DPDK vs dpdk-testpmd io-fwd", "",
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
        for res in runres["scenarios"]:
            out += ["", "### %s: %s" % (res["name"], res["description"]), ""]
            if res.get("skipped"):
                out += ["Skipped: %s." % res["skipped"]]
                continue
            out += ["| peer | median Mpps | min | max | TSC cycles/pkt | own cycles/pkt "
                    "| vs OVS | vs testpmd | notes |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
            for e in res["peers"].values():
                out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    e["label"], fmt(e.get("median_mpps"), ".3f"), fmt(e.get("min_mpps"), ".3f"),
                    fmt(e.get("max_mpps"), ".3f"), fmt(e.get("tsc_cycles_per_packet"), ".0f"),
                    fmt(e.get("self_cycles_per_packet"), ".0f"),
                    fmt(e.get("ratio_vs_ovs"), ".2f"), fmt(e.get("ratio_vs_testpmd"), ".2f"),
                    peer_notes(e).replace("|", "/")))
            for g in res["goals"]:
                verdict = "n/a" if g["met"] is None else ("met" if g["met"] else "NOT met")
                out += ["", "Goal %s: ratio of the medians %s, %s%s." % (
                    g["goal"], fmt(g["ratio"], ".2f"), verdict, paired_text(g))]
            for p, e in res["peers"].items():
                if e.get("paired_vs_ovs") and not any(g["num"] == p and g["den"] == "ovs"
                                                      for g in res["goals"]):
                    out += ["", "%s vs OVS: median of the per-round ratios %.2f (rounds: %s)."
                            % (p, e["paired_vs_ovs"]["median"],
                               ", ".join("%.2f" % r for r in e["paired_vs_ovs"]["rounds"]))]
            for p, e in res["peers"].items():
                if e.get("details"):
                    out += ["", "%s: `%s`" % (p, json.dumps(e["details"]))]
        out.append("")
    return "\n".join(out) + "\n"


def paired_text(goal):
    p = goal.get("paired")
    if not p:
        return ""
    return "; median of the per-round ratios %.2f (rounds: %s)" % (
        p["median"], ", ".join("%.2f" % r for r in p["rounds"]))


# ------------------------------------------------------------------ main

def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="L3 benchmark: vsw router/VXLAN vs OVS-DPDK vs dpdk-testpmd io-fwd, "
                    "alternating and repeated in one run.",
        epilog="Scenarios: %s (default: %s). Run as root." % (", ".join(SCENARIOS),
                                                              ",".join(DEFAULT_SCENARIOS)))
    top = os.path.dirname(HERE)
    ap.add_argument("--build", default=os.path.join(top, "build"),
                    help="vsw build dir with control/vswd and control/vswctl "
                         "(default: %(default)s)")
    ap.add_argument("--peers", default=",".join(BASE_PEERS),
                    help="comma-separated peers out of vsw,ovs,testpmd (default: all)")
    ap.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS),
                    help="comma-separated scenarios (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per scenario (default 5)")
    ap.add_argument("--duration", type=float, default=None,
                    help="measurement window per run, seconds (default 10)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds of forwarding before the window (default 3)")
    ap.add_argument("--mem", choices=("huge", "no-huge", "both"), default="huge",
                    help="memory mode of every peer (default: 2 MB hugepages)")
    ap.add_argument("--memory-mb", type=int, default=1024,
                    help="DPDK memory of each process, MiB (default 1024)")
    ap.add_argument("--main-core", type=int, default=0)
    ap.add_argument("--fwd-core", type=int, default=1)
    ap.add_argument("--routes", type=int, default=30,
                    help="static routes of the 'routes' scenario's second vsw (default 30: "
                         "the most a router takes through the API)")
    ap.add_argument("--route-dsts", type=int, default=1000,
                    help="destinations of the 'routes' scenario, spread over the routes' "
                         "/24s (default 1000)")
    ap.add_argument("--port-security", action="store_true",
                    help="vsw's ports with port security on (default off: OVS checks nothing)")
    ap.add_argument("--start-timeout", type=float, default=60.0)
    ap.add_argument("--forward-timeout", type=float, default=20.0)
    ap.add_argument("--out", default=None,
                    help="result file (JSON); a Markdown copy beside it "
                         "(default: bench-l3-DATE.json)")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temp dir (every peer's logs)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 round, 2 s window, 1 s warm-up (unless given)")
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
    for k, v in dict(rounds=5, duration=10.0, warmup=3.0).items():
        if getattr(a, k) is None:
            setattr(a, k, quick.get(k, v))
    if a.rounds < 1 or a.duration <= 0 or a.warmup < 0:
        ap.error("--rounds must be >= 1, --duration > 0, --warmup >= 0")
    if a.main_core == a.fwd_core:
        ap.error("--main-core and --fwd-core must differ")
    if not 1 <= a.routes <= 4096:
        ap.error("--routes must be 1..4096 (/24s of 172.16.0.0/12)")
    if a.route_dsts < 1:
        ap.error("--route-dsts must be >= 1")
    if a.out is None:
        a.out = "bench-l3-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    # What bench_l2's Context and measure_window read.
    a.gen_core, a.perf, a.netns = None, False, None
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    bench_l2.install_signal_handlers()
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    args.netns = os.getuid() == 0 and bench_l2.netns_works()
    perf_ok, _ = perf_cycles_supported()
    args.perf = perf_ok
    hz, hz_src = tsc_hz()
    doc = {
        "command": " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"cpu_model": cpu_model(), "cpus": os.cpu_count(), "kernel": platform.release(),
                 "tsc_hz": hz, "tsc_source": hz_src,
                 "packages": bench_l2.package_versions()},
        "settings": {"peers": ",".join(args.peers), "rounds": args.rounds,
                     "duration_s": args.duration, "warmup_s": args.warmup,
                     "memory_mb": args.memory_mb, "main_core": args.main_core,
                     "fwd_core": args.fwd_core, "routes": args.routes,
                     "route_dsts": args.route_dsts, "port_security": args.port_security,
                     "ovs_netns": args.netns},
        "runs": [],
    }
    modes = ["huge", "no-huge"] if args.mem == "both" else [args.mem]
    n_runs = sum(len(scenario_peers(SCENARIOS[s], args.peers)) for s in args.scenarios)
    est = len(modes) * args.rounds * n_runs * (args.warmup + args.duration + 8)
    log("bench_l3: peers %s, scenarios %s, %d rounds x %.0f s, memory %s; about %.0f min"
        % (",".join(args.peers), ",".join(args.scenarios), args.rounds, args.duration,
           "/".join(modes), est / 60))
    tmp = tempfile.mkdtemp(prefix="vswbench-l3-", dir=args.tmpdir)
    interrupted = False
    try:
        pcaps = Pcaps(tmp, args)
        for mode in modes:
            # One switch at a time (no generator process).
            mem = MemoryMode(mode == "huge", tmp, args.memory_mb,
                             pages=args.memory_mb // 2 + 64)
            runres = {"memory_mode": mem.name, "scenarios": []}
            doc["runs"].append(runres)
            try:
                mem.open()
            except PeerUnavailable as e:
                runres["error"] = str(e)
                log("bench_l3: memory mode %s not run: %s" % (mode, e))
                continue
            try:
                ctx = Context(args, tmp, mem)
                for s in args.scenarios:
                    res = run_scenario(s, args, ctx, pcaps, hz, log)
                    runres["scenarios"].append(res)
                    log(scenario_table(res, mem.name, ctx))
                    for g in res["goals"]:
                        if g.get("paired"):
                            log("   goal %s:%s" % (g["goal"], paired_text(g)[1:]))
            finally:
                REGISTRY.stop_all()
                problems = mem.close()
                if problems:
                    runres["cleanup_problems"] = problems
                    log("bench_l3: WARNING: %s" % "; ".join(problems))
    except KeyboardInterrupt as e:
        interrupted = True
        doc["interrupted"] = str(e) or "interrupted"
        log("bench_l3: interrupted; stopping everything")
    finally:
        REGISTRY.stop_all()
        if args.keep_tmp:
            log("bench_l3: temp dir kept: %s" % tmp)
        else:
            run(["rm", "-rf", "--one-file-system", tmp], check=False)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    md = os.path.splitext(args.out)[0] + ".md"
    with open(md, "w") as f:
        f.write(markdown(doc))
    log("bench_l3: results in %s and %s" % (args.out, md))
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
