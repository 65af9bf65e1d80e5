# SPDX-License-Identifier: BSD-3-Clause
"""dpdk-testpmd as a peer (io forwarding: the framework's ceiling) and as the
traffic generator of the vhost-user loop."""

import os
import shutil
import subprocess

from .common import (PeerUnavailable, Proc, remove_dpdk_runtime_dir,
                     telemetry_connect, wait_for)

TESTPMD = "dpdk-testpmd"
MBUFS = 16384


def testpmd_path():
    p = shutil.which(TESTPMD)
    if p is None:
        raise PeerUnavailable("%s not found (apt-get install dpdk)" % TESTPMD)
    return p


# testpmd's stdout goes to a file: line-buffer it so that the markers below
# show up when they are printed.
STDBUF = ["stdbuf", "-oL"] if shutil.which("stdbuf") else []
# Printed once ports are started and forwarding runs (--auto-start) ...
FORWARDING_MARKER = "packet forwarding - ports="
# ... and the interactive prompt, once ports are started.
PROMPT_MARKER = "testpmd> "


def eal_common(ctx, prefix):
    return ["--no-pci", "--file-prefix", prefix] + ctx.mem.eal_args() + \
        ["--log-level", "lib.eal:notice"]


class TestpmdSwitch:
    """testpmd io-forwarding between two ports, forwarding core ctx.fwd_core,
    main lcore on ctx.main_core."""

    name = "testpmd"
    label = "dpdk-testpmd io-fwd"

    def __init__(self, ctx):
        self.ctx = ctx
        self.proc = None
        self.tel = None
        self.prefix = ctx.prefix("tp")

    def available(self):
        testpmd_path()

    def _start(self, vdevs, tag):
        c = self.ctx
        argv = STDBUF + [testpmd_path(), "--lcores", "0@%d,1@%d" % (c.main_core, c.fwd_core)] + \
            eal_common(c, self.prefix)
        for v in vdevs:
            argv += ["--vdev", v]
        argv += ["--", "--forward-mode=io", "--nb-cores=1", "--total-num-mbufs=%d" % MBUFS,
                 "--auto-start", "--stats-period", "3600", "--no-mlockall"]
        self.proc = Proc("testpmd", argv, c.log_path("testpmd-%s" % tag))
        # Telemetry only once the ports are started: a connection made
        # while testpmd starts vhost ports is dropped, and its listener with it.
        self.proc.wait_log(FORWARDING_MARKER, c.start_timeout, "testpmd forwarding")
        try:
            self.tel = telemetry_connect(self.prefix, c.start_timeout)
        except TimeoutError as e:
            raise RuntimeError("testpmd: %s\n%s" % (e, self.proc.log_tail()))

    def start_pcap(self, pcap):
        self._start(["net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "net_null0,no-rx=1"], "pcap")

    def forwarded(self):
        """Packets sent out of the null port (port 1): those forwarded."""
        return int(self.tel.port_stats(1).get("opackets", 0))

    def start_vhost(self, socks, macs):
        # testpmd's net_vhost is the vhost-user server; MACs do not matter to
        # io forwarding.
        del macs
        self._start(["net_vhost0,iface=%s,queues=1" % socks[0],
                     "net_vhost1,iface=%s,queues=1" % socks[1]], "vhost")

    vhost_role = "server"

    def vhost_ready(self):
        """Both vhost ports have a connected, ready guest."""
        return self.tel.link_up(0) and self.tel.link_up(1)

    def window_begin(self):
        pass

    def self_report(self):
        return {}

    def stop(self):
        if self.tel:
            self.tel.close()
            self.tel = None
        if self.proc:
            self.proc.stop()
            self.proc = None
        remove_dpdk_runtime_dir(self.prefix)
        self.ctx.mem.remove_files(self.prefix)


class Generator:
    """testpmd on two virtio-user ports: the other end of the vhost-user loop.

    Interactive testpmd fed through a pipe, so that 'start tx_first N' is
    sent only once both links are up. MAC forwarding (src := own port's MAC,
    dst := --eth-peer) keeps every frame a unicast to the other virtio port,
    which is what an L2 learning switch needs to forward it (plain io
    forwarding would send frames back with their old MACs, into the port that
    owns their destination)."""

    def __init__(self, ctx, frame_size, tx_first_bursts, retry=False):
        self.ctx = ctx
        self.retry = retry
        self.frame_size = frame_size
        self.bursts = tx_first_bursts
        self.proc = None
        self.tel = None
        self.prefix = ctx.prefix("gen")

    def start(self, socks, macs, server):
        """Launch; with server=True it listens on socks and finishes starting
        only when the switch has connected to them (see ready())."""
        c = self.ctx
        srv = ",server=1" if server else ""
        argv = STDBUF + [testpmd_path(), "--lcores", "0@%d,1@%d" % (c.gen_core, c.gen_core)] + \
            eal_common(c, self.prefix)
        for i in (0, 1):
            argv += ["--vdev", "net_virtio_user%d,path=%s,queues=1,mac=%s%s"
                     % (i, socks[i], macs[i], srv)]
        argv += ["--", "-i", "--forward-mode=mac", "--nb-cores=1",
                 "--eth-peer=0,%s" % macs[1], "--eth-peer=1,%s" % macs[0],
                 "--txpkts=%d" % (self.frame_size - 4),  # without the 4-byte FCS
                 "--total-num-mbufs=%d" % MBUFS, "--no-mlockall"]
        self.proc = Proc("generator", argv, c.log_path("generator-%d" % self.frame_size),
                         stdin=subprocess.PIPE)

    def ready(self, timeout):
        """Wait for the prompt (ports started), then open telemetry."""
        self.proc.wait_log(PROMPT_MARKER, timeout, "generator prompt")
        try:
            self.tel = telemetry_connect(self.prefix, timeout)
        except TimeoutError as e:
            raise RuntimeError("generator: %s\n%s" % (e, self.proc.log_tail()))

    def wait_links(self, timeout):
        try:
            wait_for(lambda: self.tel.link_up(0) and self.tel.link_up(1), timeout,
                     what="both virtio-user links up")
        except TimeoutError as e:
            raise RuntimeError("%s\n%s" % (e, self.proc.log_tail()))

    def kick(self, again=False):
        """Put packets in the loop. Without 'retry' the generator drops what
        a full ring does not take, so the loop settles at the packets the
        rings hold; with it, every packet stays in flight."""
        cmds = "stop\n" if again else ""
        cmds += "set fwd mac%s\nstart tx_first %d\n" % (" retry" if self.retry else "",
                                                          self.bursts)
        self.proc.write(cmds)

    def received(self):
        return sum(int(self.tel.port_stats(p).get("ipackets", 0)) for p in (0, 1))

    def stop(self):
        if self.tel:
            self.tel.close()
            self.tel = None
        if self.proc:
            self.proc.write("stop\nquit\n")
            try:
                self.proc.p.wait(10)
            except Exception:
                pass
            self.proc.stop()
            self.proc = None
        remove_dpdk_runtime_dir(self.prefix)
        self.ctx.mem.remove_files(self.prefix)


def sockets_ready(paths):
    return all(os.path.exists(p) for p in paths)
