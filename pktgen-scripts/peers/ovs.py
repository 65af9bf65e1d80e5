# SPDX-License-Identifier: BSD-3-Clause
"""Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk) as a peer: its
own ovsdb and run dir in the runner's temp dir, a netdev bridge with the
default NORMAL flow (MAC learning, unknown unicast flooded)."""

import os
import re
import shutil
import signal

from .common import (PeerUnavailable, Proc, remove_dpdk_runtime_dir, run, wait_for)

VSWITCHD_CANDIDATES = ("/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk",
                       "ovs-vswitchd-dpdk")
SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


def find_vswitchd():
    for c in VSWITCHD_CANDIDATES:
        p = c if os.path.isabs(c) else shutil.which(c)
        if p and os.access(p, os.X_OK):
            return p
    return None


def parse_tx_packets(dump_ports_output):
    """tx packet count from `ovs-ofctl dump-ports BR PORT`."""
    m = re.search(r"tx pkts=(\d+)", dump_ports_output)
    if not m:
        raise RuntimeError("no 'tx pkts=' in ovs-ofctl output: %r" % dump_ports_output[:200])
    return int(m.group(1))


def parse_pmd_stats(text, core):
    """OVS's own accounting for the PMD thread on `core`:
    {'busy_pct', 'cycles_per_packet'} (from dpif-netdev/pmd-stats-show)."""
    out = {}
    block = None
    for line in text.splitlines():
        m = re.match(r"pmd thread numa_id \d+ core_id (\d+):", line)
        if m:
            block = int(m.group(1))
            continue
        if line and not line.startswith(" "):
            block = None
        if block != core:
            continue
        m = re.search(r"processing cycles: \d+ \(([0-9.]+)%\)", line)
        if m:
            out["busy_pct"] = float(m.group(1))
        m = re.search(r"avg processing cycles per packet: ([0-9.]+)", line)
        if m:
            out["cycles_per_packet"] = float(m.group(1))
    return out


class OvsDpdk:
    name = "ovs"
    label = "Open vSwitch-DPDK (NORMAL)"
    # dpdkvhostuserclient: OVS connects to sockets the generator listens on.
    vhost_role = "client"

    def __init__(self, ctx):
        self.ctx = ctx
        self.prefix = ctx.prefix("ovs")
        self.dir = None
        self.db = self.vswitchd = None
        self.bridge = "br0"
        self.netns = False
        self.env = None

    def available(self):
        missing = [t for t in ("ovsdb-tool", "ovsdb-server", "ovs-vsctl", "ovs-ofctl",
                               "ovs-appctl") if shutil.which(t) is None]
        if find_vswitchd() is None:
            missing.append("ovs-vswitchd-dpdk")
        if not os.path.exists(SCHEMA):
            missing.append(SCHEMA)
        if missing:
            raise PeerUnavailable("missing %s (apt-get install openvswitch-switch-dpdk)"
                                  % ", ".join(missing))

    # ------------------------------------------------------------ helpers
    def vsctl(self, *args, timeout=30):
        return run(["ovs-vsctl", "--db=unix:%s/db.sock" % self.dir,
                    "--timeout=%d" % timeout] + list(args), timeout=timeout + 5, env=self.env)

    def appctl(self, *args):
        return run(["ovs-appctl", "-t", "%s/ovs-vswitchd.ctl" % self.dir] + list(args),
                   timeout=15, env=self.env)

    def ofctl(self, *args):
        return run(["ovs-ofctl"] + list(args), timeout=15, env=self.env)

    def _dpdk_extra(self):
        m = self.ctx.mem
        extra = ["--no-pci", "--file-prefix=%s" % self.prefix, "-m", str(m.memory_mb)]
        if m.huge:
            extra += ["--huge-dir=%s" % m.huge_dir]
        else:
            # --no-huge implies legacy memory; saying so stops OVS adding
            # --in-memory, which EAL refuses together with it.
            extra += ["--no-huge", "--legacy-mem"]
        return " ".join(extra)

    def _start_daemons(self, tag):
        c = self.ctx
        self.dir = c.new_dir("ovs-%s" % tag)
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_DBDIR=self.dir, OVS_SYSCONFDIR=self.dir)
        run(["ovsdb-tool", "create", "%s/conf.db" % self.dir, SCHEMA], env=self.env)
        self.db = Proc("ovsdb-server", [
            "ovsdb-server", "%s/conf.db" % self.dir, "--remote=punix:%s/db.sock" % self.dir,
            "--pidfile=%s/ovsdb-server.pid" % self.dir,
            "--unixctl=%s/ovsdb-server.ctl" % self.dir,
            "--log-file=%s/ovsdb-server.log" % self.dir, "-vconsole:off"],
            c.log_path("ovsdb-server-%s" % tag), env=self.env)
        wait_for(lambda: os.path.exists("%s/db.sock" % self.dir), c.start_timeout,
                 what="ovsdb-server socket")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:dpdk-init=true",
                   "other_config:dpdk-lcore-mask=0x%x" % (1 << c.main_core),
                   "other_config:pmd-cpu-mask=0x%x" % (1 << c.fwd_core),
                   # Pools sized by each port's queues, as testpmd's is: the
                   # default shared pool (262144 mbufs) does not fit in the
                   # memory every peer gets.
                   "other_config:per-port-memory=true",
                   "other_config:dpdk-extra=%s" % self._dpdk_extra())
        argv = [find_vswitchd(), "unix:%s/db.sock" % self.dir,
                "--pidfile=%s/ovs-vswitchd.pid" % self.dir,
                "--unixctl=%s/ovs-vswitchd.ctl" % self.dir,
                "--log-file=%s/ovs-vswitchd.log" % self.dir, "-vconsole:off"]
        # Its own network namespace: the bridge's internal (tap) port is
        # persistent and would otherwise outlive OVS on the host.
        self.netns = c.use_netns
        if self.netns:
            argv = ["unshare", "--net", "--"] + argv
        else:
            self.bridge = "vswb%d" % (os.getpid() % 100000)
        self.vswitchd = Proc("ovs-vswitchd", argv, c.log_path("ovs-vswitchd-%s" % tag),
                             env=self.env)
        try:
            wait_for(lambda: self.vswitchd.alive() and
                     self.vsctl("get", "Open_vSwitch", ".", "dpdk_initialized",
                                timeout=5).strip() == "true",
                     c.start_timeout, what="OVS DPDK initialisation")
        except TimeoutError as e:
            raise RuntimeError("ovs-vswitchd did not start: %s\n%s" % (e, self._log_tail()))
        self.vsctl("add-br", self.bridge, "--", "set", "bridge", self.bridge,
                   "datapath_type=netdev")

    def _log_tail(self, n=15):
        try:
            with open("%s/ovs-vswitchd.log" % self.dir) as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""

    def _add_port(self, name, *settings):
        self.vsctl("add-port", self.bridge, name, "--", "set", "Interface", name, *settings)

    def _check_ports(self, names):
        for n in names:
            err = self.vsctl("get", "Interface", n, "error").strip()
            ofport = self.vsctl("get", "Interface", n, "ofport").strip()
            if err not in ("[]", '""') or ofport in ("-1", "[]"):
                raise RuntimeError("OVS port %s: ofport %s, error %s\n%s"
                                   % (n, ofport, err, self._log_tail()))

    def _no_flood_local(self):
        # The bridge's own internal port would get every flooded frame; the
        # vsw network has no such port, so take it out of flooding.
        self.ofctl("mod-port", self.bridge, self.bridge, "no-flood")

    # ---------------------------------------------------------- scenarios
    def start_pcap(self, pcap):
        self._start_daemons("pcap")
        self._add_port("in", "type=dpdk",
                       "options:dpdk-devargs=net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap)
        self._add_port("out", "type=dpdk", "options:dpdk-devargs=net_null0,no-rx=1")
        self._check_ports(["in", "out"])
        self._no_flood_local()
        self.out_port = "out"

    def forwarded(self):
        return parse_tx_packets(self.ofctl("dump-ports", self.bridge, self.out_port))

    def start_vhost(self, socks, macs):
        del macs  # NORMAL learns them
        self._start_daemons("vhost")
        for i, s in enumerate(socks):
            self._add_port("vhu%d" % i, "type=dpdkvhostuserclient",
                           "options:vhost-server-path=%s" % s)
        self._check_ports(["vhu0", "vhu1"])
        self._no_flood_local()
        self.out_port = "vhu1"

    def vhost_ready(self):
        """Both vhost ports up and polled by the PMD thread."""
        for n in ("vhu0", "vhu1"):
            if self.vsctl("get", "Interface", n, "link_state", timeout=5).strip() != "up":
                return False
        rxq = self.appctl("dpif-netdev/pmd-rxq-show")
        return all(re.search(r"port: +%s +queue-id: +0 \(enabled\)" % n, rxq)
                   for n in ("vhu0", "vhu1"))

    def window_begin(self):
        try:
            self.appctl("dpif-netdev/pmd-stats-clear")
        except RuntimeError:
            pass

    def self_report(self):
        try:
            return parse_pmd_stats(self.appctl("dpif-netdev/pmd-stats-show"), self.ctx.fwd_core)
        except RuntimeError:
            return {}

    def stop(self):
        if self.vswitchd:
            self.vswitchd.stop(first_signal=signal.SIGTERM, timeout=15)
            self.vswitchd = None
        if self.db:
            self.db.stop(first_signal=signal.SIGTERM, timeout=5)
            self.db = None
        if not self.netns and self.bridge != "br0":
            run(["ip", "link", "del", self.bridge], check=False)
        remove_dpdk_runtime_dir(self.prefix)
        self.ctx.mem.remove_files(self.prefix)
