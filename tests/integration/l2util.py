# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the L2 data-plane tests with real peers.

- the model: networks, ports and VNICs created through vswtest.Client,
  waits on VNIC/port status, counters of stats.get by VNIC name;
- pcaps written and read with scapy, for net_pcap VNICs;
- dpdk-testpmd "VMs" on net_virtio_user vdevs, driven on stdin in
  interactive mode, with their port stats read back from their output.

Every wait is bounded; every process is stopped by PID; every EAL file
prefix is unique and its runtime dir is removed afterwards.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid


TESTPMD = os.environ.get("VSW_TESTPMD", "/usr/bin/dpdk-testpmd")
STDBUF = shutil.which("stdbuf")
# testpmd's txonly engine sends Ether/IPv4 198.18.0.1 -> 198.18.0.2/UDP.
TXONLY_SRC_CIDR = "198.18.0.0/15"


# --- generic --------------------------------------------------------------

def wait_until(pred, timeout, what="condition", interval=0.05):
    """Polls pred() until it returns a true value (returned) or timeout
    seconds pass (AssertionError naming what, with the last value)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.0fs waiting for %s (last: %r)"
                                 % (timeout, what, last))
        time.sleep(interval)


def dpdk_runtime_base():
    """Where EAL keeps its per-prefix runtime dirs for this user."""
    if os.getuid() == 0:
        return "/var/run/dpdk"
    return os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")


def unique_prefix(tag):
    """An EAL --file-prefix no other process on this host uses."""
    return "vswt-%s-%d-%s" % (tag, os.getpid(), uuid.uuid4().hex[:8])


def clean_prefix(prefix):
    """Removes the EAL runtime dir of prefix (MBs of tmpfs each)."""
    if prefix:
        shutil.rmtree(os.path.join(dpdk_runtime_base(), prefix), ignore_errors=True)


def mac(n, tag=0x10):
    """A locally administered unicast MAC: 02:00:00:00:<tag>:<n>."""
    return "02:00:00:00:%02x:%02x" % (tag & 0xff, n & 0xff)


# --- the model ----------------------------------------------------------------

def create_network(c, name, **fields):
    return c.call("network.create", dict(name=name, **fields))


def create_port(c, network_id, name, **fields):
    return c.call("port.create", dict(network_id=network_id, name=name, **fields))


def create_dpdk_vnic(c, name, devargs, **fields):
    return c.call("vnic.create", dict(name=name, type="dpdk", devargs=devargs, **fields))


def create_vhost_vnic(c, name, socket_path, mode, queues=1, **fields):
    return c.call("vnic.create", dict(name=name, type="vhost-user", socket=socket_path,
                                      mode=mode, queues=queues, **fields))


def plug(c, vnic_id, port_id):
    return c.call("vnic.plug", {"vnic_id": vnic_id, "port_id": port_id})


def unplug(c, vnic_id):
    return c.call("vnic.unplug", {"vnic_id": vnic_id})


def delete(c, kind, obj_id):
    return c.call(kind + ".delete", {"id": obj_id})


def vnic_stats(c):
    """stats.get's VNIC counters, by VNIC name."""
    return {v["name"]: v for v in c.call("stats.get")["vnics"]}


def network_stats(c):
    """stats.get's network counters, by network name."""
    return {n["name"]: n for n in c.call("stats.get")["networks"]}


def wait_status(c, kind, obj_id, status, timeout=20.0):
    """Waits until KIND.show's status is status; returns the object."""
    def check():
        obj = c.call(kind + ".show", {"id": obj_id})
        return obj if obj.get("status") == status else None
    return wait_until(check, timeout, "%s %s status %s" % (kind, obj_id, status),
                      interval=0.1)


def wait_vnic_counters(c, name, pred, timeout=20.0, what=None):
    """Waits until pred(counters of VNIC name) holds; returns the counters."""
    def check():
        st = vnic_stats(c).get(name)
        return st if st is not None and pred(st) else None
    return wait_until(check, timeout, what or "counters of vnic %s" % name,
                      interval=0.1)


def wait_stats_settled(c, quiet=0.5, timeout=20.0):
    """Waits until no VNIC counter moves for `quiet` seconds; returns them."""
    deadline = time.monotonic() + timeout
    last = vnic_stats(c)
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = vnic_stats(c)
        if counters_of(now) != counters_of(last):
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            return now
    raise AssertionError("vnic counters still moving after %.0fs" % timeout)


def counters_of(stats_by_name):
    keys = ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "flooded", "dropped")
    return {n: tuple(v[k] for k in keys) for n, v in stats_by_name.items()}


def nonzero_drops(counters):
    """The drop reasons of one VNIC's counters that are not 0."""
    return {k: v for k, v in counters["drops"].items() if v}


# --- pcaps ----------------------------------------------------------------------

def write_pcap(path, frames):
    """Writes frames (scapy packets or bytes), byte for byte, as an Ethernet
    pcap (bytes need not parse: a runt stays a runt)."""
    from scapy.all import RawPcapWriter
    w = RawPcapWriter(path, linktype=1)
    w._write_header(None)
    for f in frames:
        w.write(bytes(f))
    w.close()


def read_pcap(path):
    """The frames of a pcap as bytes ([] for a missing or empty file)."""
    from scapy.all import rdpcap
    try:
        if os.path.getsize(path) == 0:
            return []
    except OSError:
        return []
    return [bytes(p) for p in rdpcap(path)]


def pcap_rx_devargs(index, path):
    return "net_pcap%d,rx_pcap=%s" % (index, path)


def pcap_tx_devargs(index, path):
    return "net_pcap%d,tx_pcap=%s" % (index, path)


# --- dpdk-testpmd as a VM --------------------------------------------------------

def virtio_user_vdev(index, socket_path, mac_address, server, queues=1, extra=""):
    """A net_virtio_user vdev: the guest's virtio-net driver on socket_path.
    server=True: testpmd listens (vsw is the vhost-user client)."""
    vdev = "net_virtio_user%d,path=%s,queues=%d,server=%d,mac=%s" % (
        index, socket_path, queues, 1 if server else 0, mac_address)
    return vdev + ("," + extra if extra else "")


class Testpmd:
    """One dpdk-testpmd process in interactive mode, commands on stdin.

    Its stdout is line-buffered (stdbuf) into a log file that the helpers
    read from an offset. One forwarding lcore, pinned with the main lcore to
    one CPU (cpu), so that it busy-polls only that CPU.
    """

    def __init__(self, name, vdevs, args=(), cpu=0, mem_mb=256, mbufs=8192,
                 workdir=None):
        self.name = name
        self.vdevs = list(vdevs)
        self.args = list(args)
        self.cpu = cpu
        self.mem_mb = mem_mb
        self.mbufs = mbufs
        self.prefix = unique_prefix("pmd-" + name)
        self.own_dir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="vswt-pmd-")
        self.log_path = os.path.join(self.workdir, self.prefix + ".log")
        self.proc = None
        self.log = None

    def command(self):
        cmd = [STDBUF, "-oL", "-eL"] if STDBUF else []
        cmd += [TESTPMD, "--no-huge", "-m", str(self.mem_mb), "--no-pci",
                "--file-prefix", self.prefix,
                "--lcores", "0@%d,1@%d" % (self.cpu, self.cpu),
                "--log-level", "lib.eal:notice"]
        for v in self.vdevs:
            cmd += ["--vdev", v]
        cmd += ["--", "-i", "--nb-cores=1", "--total-num-mbufs=%d" % self.mbufs,
                "--no-mlockall"]
        return cmd + self.args

    def start(self, wait_ready=True, timeout=60.0):
        """Starts testpmd; with wait_ready, waits for its first prompt (a
        server=1 vdev blocks start-up until vsw connects)."""
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def output(self, start=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def offset(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def wait_output(self, pattern, timeout=30.0, start=0):
        """Waits for regex pattern in the output after offset start."""
        rx = re.compile(pattern, re.S)

        def check():
            m = rx.search(self.output(start))
            if m is None and self.proc.poll() is not None:
                raise AssertionError("testpmd %s exited (%s) before %r:\n%s" % (
                    self.name, self.proc.returncode, pattern, self.output()[-4000:]))
            return m
        return wait_until(check, timeout, "testpmd %s output %r" % (self.name, pattern),
                          interval=0.05)

    def wait_ready(self, timeout=60.0):
        self.wait_output(r"testpmd> ", timeout)

    def cmd(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def port_stats(self, port=0, timeout=20.0):
        """testpmd's 'show port stats': {rx_packets, rx_missed, rx_bytes,
        rx_errors, rx_nombuf, tx_packets, tx_errors, tx_bytes}."""
        start = self.offset()
        self.cmd("show port stats %d" % port)
        m = self.wait_output(
            r"NIC statistics for port %d\s+#+\s*\n(.*?)\n\s*#{20,}" % port, timeout, start)
        body = m.group(1)
        out = {}
        for key, val in re.findall(r"([A-Za-z]+-[A-Za-z]+):\s+(\d+)", body):
            out[key.lower().replace("-", "_")] = int(val)
        return out

    def xstats(self, port=0, timeout=20.0):
        """testpmd's 'show port xstats' as {name: value}."""
        start = self.offset()
        self.cmd("show port xstats %d" % port)
        m = self.wait_output(r"NIC extended statistics for port %d\s*\n(.*?)testpmd> "
                             % port, timeout, start)
        return {k: int(v) for k, v in re.findall(r"(\w+):\s+(\d+)", m.group(1))}

    def queue_packets(self, direction, port=0):
        """Per-queue packet counts from xstats ({queue: packets}): the
        names differ by driver (tx_q0_packets, tx_q0_good_packets)."""
        out = {}
        for name, value in self.xstats(port).items():
            m = re.fullmatch(r"%s_q(\d+)_(?:good_)?packets" % direction, name)
            if m:
                out[int(m.group(1))] = value
        return out

    def start_tx_first(self, bursts):
        """Sends exactly `bursts` bursts per stream with the txonly engine,
        then forwards in the current mode until stop()."""
        start = self.offset()
        self.cmd("start tx_first %d" % bursts)
        return start

    def start_fwd(self):
        self.cmd("start")

    def stop_fwd(self, timeout=20.0):
        start = self.offset()
        self.cmd("stop")
        self.wait_output(r"Done\.", timeout, start)

    def set_verbose(self, level):
        self.cmd("set verbose %d" % level)

    def quit(self, timeout=20.0):
        """quit on stdin (ports stopped and closed cleanly); SIGTERM, then
        SIGKILL, when it does not exit in time. Returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        try:
            self.cmd("quit")
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def kill(self):
        """SIGKILL: the VM disappears without closing anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def cleanup(self):
        self.kill()
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self.log is not None:
            self.log.close()
            self.log = None
        clean_prefix(self.prefix)
        if self.own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def testpmd_available():
    return os.access(TESTPMD, os.X_OK)


# --- a switch of net_pcap VNICs ------------------------------------------------

class PcapRig:
    """Ports whose VNICs are net_pcap devices in one vswd.

    Every port listens through a VNIC `net_pcapK,tx_pcap=OUT` (what vsw sends
    it). send() replaces a port's VNIC by one that also has `rx_pcap=IN`
    (the frames to send): a plugged device is polled at once, so a sender
    is plugged after every listener. received() deletes the VNICs (which
    closes the devices and so flushes their pcaps) and returns, per port,
    every frame its VNICs got, in order.
    """

    def __init__(self, client, workdir):
        self.c = client
        self.dir = workdir
        self.next_dev = 0
        self.ports = {}      # port name -> port object
        self.vnics = {}      # port name -> its VNIC object now plugged
        self.outputs = {}    # port name -> [tx pcap paths], oldest first

    def network(self, name, **fields):
        return create_network(self.c, name, **fields)

    def port(self, name, network, mac_address, listen=True, **fields):
        """A port (mac_address given) on network (an object or an id)."""
        net_id = network["id"] if isinstance(network, dict) else network
        self.ports[name] = create_port(self.c, net_id, name,
                                       mac_address=mac_address, **fields)
        self.outputs[name] = []
        if listen:
            self.attach(name)
        return self.ports[name]

    def _vnic(self, port_name, frames=None):
        k = self.next_dev
        self.next_dev += 1
        out = os.path.join(self.dir, "%s-%d.out.pcap" % (port_name, k))
        devargs = "net_pcap%d," % k
        if frames is not None:
            inp = os.path.join(self.dir, "%s-%d.in.pcap" % (port_name, k))
            write_pcap(inp, frames)
            devargs += "rx_pcap=%s," % inp
        devargs += "tx_pcap=%s" % out
        self.outputs[port_name].append(out)
        vnic = create_dpdk_vnic(self.c, "%s-v%d" % (port_name, k), devargs)
        plug(self.c, vnic["id"], self.ports[port_name]["id"])
        self.vnics[port_name] = vnic
        return vnic

    def attach(self, port_name):
        """Plugs a listen-only VNIC into the port."""
        self.detach(port_name)
        return self._vnic(port_name)

    def detach(self, port_name):
        vnic = self.vnics.pop(port_name, None)
        if vnic is not None:
            unplug(self.c, vnic["id"])
            delete(self.c, "vnic", vnic["id"])

    def send(self, port_name, frames, timeout=20.0):
        """The port sends frames (its VNIC is replaced by a sending one).
        Returns once vsw has received them all and its counters settled."""
        self.detach(port_name)
        name = self._vnic(port_name, frames)["name"]
        wait_vnic_counters(self.c, name, lambda st: st["rx_packets"] >= len(frames),
                           timeout, "vnic %s to receive %d frames" % (name, len(frames)))
        wait_stats_settled(self.c, quiet=0.3, timeout=timeout)

    def stats(self):
        """stats.get's counters of each port's current VNIC, by port name."""
        by_vnic = vnic_stats(self.c)
        return {p: by_vnic[v["name"]] for p, v in self.vnics.items()}

    def received(self):
        """Detaches every VNIC; returns {port name: [frame bytes]}."""
        for name in list(self.vnics):
            self.detach(name)
        return {name: [f for path in paths for f in read_pcap(path)]
                for name, paths in self.outputs.items()}
