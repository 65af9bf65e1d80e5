# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for the L3 tests: VMs and external hosts are Linux network
namespaces on veth pairs whose root-namespace ends vswd opens with
net_af_packet (as VNICs or as uplinks).

- Env owns everything one test creates on the host: namespaces, veth
  pairs, processes and a temp dir; cleanup() removes them by the names it
  created and kills by PID. Register it before the daemons, so that they
  stop before their interfaces go.
- NsHost is a namespace with one interface, eth0, whose peer stays in the
  root namespace (the VNIC or uplink end). It runs commands, ping, and a
  small agent (AGENT below, plain sockets, no scapy) for TCP/UDP exchanges,
  ICMP probes with a given TTL, raw frame sending and sniffing.
- Rig drives one vswd's model (every request as admin): uplinks, provider
  networks, subnets, ports, routers, floating IPs, and VMs plugged in.

Every wait is bounded; root ends have IPv6 off, so the kernel sends nothing
on them and vswd sees only what the namespaces send.
"""
import binascii
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import l2util
import vswtest

PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
wait_until = l2util.wait_until

# Runs inside a namespace (or the root one) with nothing but the standard
# library: python starts in tens of ms, where scapy takes seconds.
AGENT = r'''
import json, os, select, socket, struct, sys, time

def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def serve(proto, port, timeout):
    """One exchange: reads the client's bytes, answers 'ECHO:<data>', and
    reports what it got and from where."""
    port, timeout = int(port), float(timeout)
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.settimeout(timeout)
    if proto == "tcp":
        s.listen(1)
    out({"ready": True})
    try:
        if proto == "tcp":
            c, peer = s.accept()
            c.settimeout(timeout)
            data = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
            c.sendall(b"ECHO:" + data)
            c.shutdown(socket.SHUT_WR)
            c.close()
        else:
            data, peer = s.recvfrom(65536)
            s.sendto(b"ECHO:" + data, peer)
        out({"peer": peer[0], "port": peer[1], "data": data.decode(errors="replace")})
    except socket.timeout:
        out({"error": "timeout"})

def client(proto, host, port, data, timeout, sport=0):
    port, timeout, sport = int(port), float(timeout), int(sport)
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(timeout)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", sport))
    try:
        if proto == "tcp":
            s.connect((host, port))
            s.sendall(data.encode())
            s.shutdown(socket.SHUT_WR)
            reply = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        else:
            s.sendto(data.encode(), (host, port))
            reply, _ = s.recvfrom(65536)
        out({"reply": reply.decode(errors="replace"), "local": s.getsockname()[0],
             "sport": s.getsockname()[1]})
    except (socket.timeout, OSError) as e:
        out({"error": repr(e)})

def icmp(dst, ttl, timeout, ident=0x5a17):
    """One ICMP echo with IP TTL ttl; reports every ICMP message that
    answers it (echo reply, or an error quoting it) within timeout."""
    ttl, timeout, ident = int(ttl), float(timeout), int(ident)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    payload = b"vsw-l3-probe"
    def csum(b):
        if len(b) % 2:
            b += b"\0"
        t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        t = (t >> 16) + (t & 0xffff)
        t += t >> 16
        return (~t) & 0xffff
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, 1) + payload
    s.sendto(pkt, (dst, 0))
    got = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.monotonic()))
        if not r:
            break
        data, addr = s.recvfrom(65536)
        ihl = (data[0] & 0xf) * 4
        typ, code = data[ihl], data[ihl + 1]
        if typ == 0:
            if struct.unpack("!H", data[ihl + 4:ihl + 6])[0] != ident:
                continue
        elif typ in (3, 11, 12):
            inner = data[ihl + 8:]
            iihl = (inner[0] & 0xf) * 4 if inner else 0
            q = inner[iihl:iihl + 8]
            if len(q) < 6 or q[0] != 8 or struct.unpack("!H", q[4:6])[0] != ident:
                continue
        else:
            continue
        got.append({"src": addr[0], "type": typ, "code": code, "ttl": data[8]})
        if typ == 0:
            break
    out({"replies": got})

def rawsock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((iface, 0))
    return s

def send(iface, path, repeat=1, pps=0):
    """Sends the frames of path (one hex frame a line) repeat times, as
    fast as possible or at about pps frames/s."""
    frames = [bytes.fromhex(l.strip()) for l in open(path) if l.strip()]
    s = rawsock(iface)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    sent = errors = 0
    gap = 1.0 / float(pps) if float(pps) > 0 else 0
    t0 = time.monotonic()
    for i in range(int(repeat)):
        for f in frames:
            try:
                s.send(f)
                sent += 1
            except OSError:
                errors += 1
                time.sleep(0.0005)
            if gap and sent % 64 == 0:
                delay = t0 + sent * gap - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
    out({"sent": sent, "errors": errors, "seconds": time.monotonic() - t0})

def sniff(iface, seconds, path):
    """Writes every frame crossing iface (VLAN tags put back from the
    aux data) as one JSON line: {hex, out}. out: sent by this host."""
    SOL_PACKET, PACKET_AUXDATA = 263, 8
    s = rawsock(iface)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
    end = time.monotonic() + float(seconds)
    with open(path, "w") as f:
        out({"ready": True})
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], max(0, min(0.2, end - time.monotonic())))
            if not r:
                continue
            data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(32))
            for lvl, typ, cd in anc:
                if lvl == SOL_PACKET and typ == PACKET_AUXDATA and len(cd) >= 20:
                    st, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", cd[:20])
                    if st & 0x10:
                        tpid = tpid if st & 0x40 and tpid else 0x8100
                        data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
            f.write(json.dumps({"hex": data.hex(), "out": addr[2] == 4}) + "\n")
            f.flush()

cmd, args = sys.argv[1], sys.argv[2:]
{"serve": serve, "client": client, "icmp": icmp, "send": send, "sniff": sniff}[cmd](*args)
'''


def _check_name(name):
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,15}", name):
        raise ValueError("bad interface name %r" % name)
    return name


class Proc:
    """A background process whose stdout (JSON lines) is read from a file."""

    def __init__(self, env, argv, label):
        self.env = env
        self.label = label
        self.out_path = os.path.join(env.tmp, "%s-%d.out" % (label, next(env.seq)))
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        env.procs.append(self)

    def text(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def lines(self):
        res = []
        for line in self.text().splitlines():
            try:
                res.append(json.loads(line))
            except ValueError:
                pass
        return res

    def wait_ready(self, timeout=10.0):
        def ready():
            if any(o.get("ready") for o in self.lines()):
                return True
            if self.proc.poll() is not None:
                raise AssertionError("%s exited before ready: %s" % (self.label, self.text()))
            return False
        wait_until(ready, timeout, "%s to be ready" % self.label, interval=0.02)
        return self

    def result(self, timeout=20.0):
        """Waits for the process to exit; its last JSON line."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s still running after %.0fs: %s" %
                                 (self.label, timeout, self.text()))
        objs = [o for o in self.lines() if not o.get("ready")]
        if not objs:
            raise AssertionError("%s gave no result: %s" % (self.label, self.text()))
        return objs[-1]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if not self.out.closed:
            self.out.close()


class Sniffer:
    """Frames seen on an interface while it runs: [(bytes, outgoing)]."""

    def __init__(self, host, iface, seconds):
        self.path = os.path.join(host.env.tmp, "sniff-%d.jsonl" % next(host.env.seq))
        self.proc = host.agent_bg("sniff", iface, seconds, self.path, label="sniff")
        self.proc.wait_ready()

    def frames(self, incoming_only=True):
        res = []
        try:
            with open(self.path) as f:
                for line in f:
                    try:
                        o = json.loads(line)
                    except ValueError:
                        continue
                    if incoming_only and o["out"]:
                        continue
                    res.append(bytes.fromhex(o["hex"]))
        except OSError:
            pass
        return res

    def stop(self, settle=0.3, incoming_only=True):
        """Stops after settle seconds; the frames it saw."""
        time.sleep(settle)
        self.proc.kill()
        return self.frames(incoming_only)


class NsHost:
    """A namespace with interface eth0; its veth peer (self.peer) is in the
    root namespace. ns=None: the root namespace itself (no eth0)."""

    def __init__(self, env, ns, peer=None, iface="eth0"):
        self.env = env
        self.ns = ns
        self.peer = peer
        self.iface = iface
        self.mac = None
        self.ip = None

    def argv(self, args):
        return (["ip", "netns", "exec", self.ns] if self.ns else []) + [str(a) for a in args]

    def run(self, args, timeout=30, check=True, input=None):
        p = subprocess.run(self.argv(args), capture_output=True, text=True,
                           timeout=timeout, input=input)
        if check and p.returncode != 0:
            raise AssertionError("%s failed (%d): %s%s" % (" ".join(self.argv(args)),
                                                           p.returncode, p.stdout, p.stderr))
        return p

    def ip_cmd(self, *args):
        return self.run(["ip"] + list(args))

    def configure(self, mac=None, ip=None, prefixlen=24, gateway=None, mtu=None):
        """MAC, address, default route of eth0 (link up)."""
        if mac:
            self.ip_cmd("link", "set", self.iface, "address", mac)
            self.mac = mac
        if mtu:
            self.ip_cmd("link", "set", self.iface, "mtu", mtu)
        self.ip_cmd("link", "set", self.iface, "up")
        if ip:
            self.ip_cmd("addr", "add", "%s/%d" % (ip, prefixlen), "dev", self.iface)
            self.ip = ip
        if gateway:
            self.ip_cmd("route", "add", "default", "via", gateway)
        return self

    def agent_argv(self, *args):
        return self.argv([PY, self.env.agent_path] + list(args))

    def agent(self, *args, timeout=20.0):
        """Runs the agent to completion; its last JSON line."""
        p = subprocess.run(self.agent_argv(*args), capture_output=True, text=True,
                           timeout=timeout)
        objs = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
        if p.returncode != 0 or not objs:
            raise AssertionError("agent %s failed (%d): %s %s" % (args, p.returncode,
                                                                  p.stdout, p.stderr))
        return objs[-1]

    def agent_bg(self, *args, label="agent"):
        return Proc(self.env, self.agent_argv(*args), label)

    def serve(self, proto, port, timeout=15.0):
        """A one-exchange TCP/UDP server (ready when returned)."""
        return self.agent_bg("serve", proto, port, timeout, label="serve").wait_ready()

    def client(self, proto, host, port, data, timeout=5.0, sport=0):
        return self.agent("client", proto, host, port, data, timeout, sport,
                          timeout=timeout + 10)

    def exchange(self, server, proto, host, port, data, timeout=5.0):
        """server (an NsHost) serves one exchange; this host is the client.
        Returns (client result, server result)."""
        srv = server.serve(proto, port, timeout + 5)
        cli = self.client(proto, host, port, data, timeout)
        if "error" in cli:
            srv.kill()
            return cli, {"error": "client failed: %s" % cli["error"]}
        return cli, srv.result(timeout + 10)

    def icmp_probe(self, dst, ttl=64, timeout=2.0):
        return self.agent("icmp", dst, ttl, timeout, timeout=timeout + 10)["replies"]

    def ping(self, dst, count=3, timeout=None, interval=0.2, size=None):
        """busybox ping; the number of replies received."""
        timeout = timeout or max(3, int(count * interval + 2))
        args = [BUSYBOX, "ping", "-c", count, "-i", interval, "-W", 1, "-w", timeout]
        if size:
            args += ["-s", size]
        p = self.run(args + [dst], timeout=timeout + 10, check=False)
        m = re.search(r"(\d+) packets received", p.stdout)
        return int(m.group(1)) if m else 0

    def wait_ping(self, dst, timeout=15.0):
        """Pings until one reply (a first ARP may take a moment)."""
        return wait_until(lambda: self.ping(dst, count=1, timeout=2), timeout,
                          "%s to answer ping from %s" % (dst, self.ns or "root"),
                          interval=0.1)

    def sniff(self, iface=None, seconds=30):
        return Sniffer(self, iface or self.iface, seconds)

    def send(self, frames, iface=None, repeat=1, pps=0, timeout=60.0):
        """Sends frames (scapy packets or bytes) out of iface raw."""
        path = os.path.join(self.env.tmp, "frames-%d.hex" % next(self.env.seq))
        with open(path, "w") as f:
            for fr in frames:
                f.write(binascii.hexlify(bytes(fr)).decode() + "\n")
        return self.agent("send", iface or self.iface, path, repeat, pps, timeout=timeout)

    def send_bg(self, frames, iface=None, repeat=1, pps=0):
        path = os.path.join(self.env.tmp, "frames-%d.hex" % next(self.env.seq))
        with open(path, "w") as f:
            for fr in frames:
                f.write(binascii.hexlify(bytes(fr)).decode() + "\n")
        return self.agent_bg("send", iface or self.iface, path, repeat, pps, label="send")

    def neigh_flush(self):
        self.run(["ip", "neigh", "flush", "dev", self.iface], check=False)

    def sysctl(self, key, value):
        self.run(["sysctl", "-q", "-w", "%s=%s" % (key, value)])


LINK_RX = re.compile(r"v([0-9a-f]+)-[0-9a-f]+[abrn]")
NETNS_RX = re.compile(r"vswt-(\d+)-[a-z]+\d+")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def purge_stale():
    """Removes namespaces and veths that an Env of a test process that no
    longer exists created (it was SIGKILLed before its cleanup): their
    names carry that process's pid."""
    p = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=20)
    for line in p.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = NETNS_RX.fullmatch(name)
        if m and not _pid_alive(int(m.group(1))):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)
    for name in os.listdir("/sys/class/net"):
        m = LINK_RX.fullmatch(name)
        if m and not _pid_alive(int(m.group(1), 16)):
            subprocess.run(["ip", "link", "del", name], capture_output=True, timeout=20)


# Daemons and Envs of the running test: removed on SIGTERM too (run_all's
# timeout), since a vswd is in its own session and outlives this process.
_live = []


def _on_sigterm(signum, frame):
    for obj in reversed(list(_live)):
        try:
            obj.cleanup()
        except Exception:   # noqa: BLE001 - best effort on the way out
            pass
    os._exit(128 + signum)


def track(testcase, obj):
    """Cleans obj up on SIGTERM while testcase runs."""
    if signal.getsignal(signal.SIGTERM) is not _on_sigterm:
        signal.signal(signal.SIGTERM, _on_sigterm)
    _live.append(obj)
    testcase.addCleanup(lambda: obj in _live and _live.remove(obj))


class Env:
    """Everything one test creates on the host, removed by name/PID."""

    def __init__(self):
        self.tag = "%x" % os.getpid()
        self.seq = itertools.count()
        self.tmp = tempfile.mkdtemp(prefix="vswt-l3-")
        self.agent_path = os.path.join(self.tmp, "agent.py")
        with open(self.agent_path, "w") as f:
            f.write(AGENT)
        self.namespaces = []
        self.fanout = {}     # af_packet fanout group -> (vswd pid, ifindex)
        self.links = []
        self.procs = []
        self.root = NsHost(self, None)

    def _name(self, side):
        return _check_name("v%s-%x%s" % (self.tag, next(self.seq), side))

    def veth(self):
        """A veth pair in the root namespace, both ends up, IPv6 off."""
        a, b = self._name("a"), self._name("b")
        subprocess.run(["ip", "link", "add", a, "type", "veth", "peer", "name", b],
                       check=True, capture_output=True, timeout=20)
        self.links.append(a)
        for end in (a, b):
            root_ipv6_off(end)
            subprocess.run(["ip", "link", "set", end, "up"], check=True, timeout=20)
        return a, b

    def host(self, label="h"):
        """A namespace whose eth0 (down, no address) pairs with a root end."""
        ns = "vswt-%d-%s%d" % (os.getpid(), label, next(self.seq))
        subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True,
                       timeout=20)
        self.namespaces.append(ns)
        h = NsHost(self, ns)
        h.sysctl("net.ipv6.conf.all.disable_ipv6", 1)
        h.sysctl("net.ipv6.conf.default.disable_ipv6", 1)
        h.ip_cmd("link", "set", "lo", "up")
        peer, inner = self._name("r"), self._name("n")
        subprocess.run(["ip", "link", "add", peer, "type", "veth", "peer", "name", inner],
                       check=True, capture_output=True, timeout=20)
        self.links.append(peer)
        root_ipv6_off(peer)
        subprocess.run(["ip", "link", "set", inner, "netns", ns], check=True, timeout=20)
        h.ip_cmd("link", "set", inner, "name", "eth0")
        h.sysctl("net.ipv6.conf.eth0.disable_ipv6", 1)
        # A real NIC gets whole frames with real checksums: no checksum
        # offload (partial checksums) nor GSO super-frames on the wire.
        h.run(["ethtool", "-K", "eth0", "tx", "off", "sg", "off", "tso", "off",
               "gso", "off"], check=False)
        subprocess.run(["ip", "link", "set", peer, "up"], check=True, timeout=20)
        h.peer = peer
        return h

    # DPDK's af_packet PMD joins each device's socket to PACKET_FANOUT group
    # (pid ^ ifindex) & 0xffff; groups are per network namespace, and a
    # second daemon whose device maps to a group already bound to another
    # device gets EINVAL ("could not set PACKET_FANOUT"). With two vswd,
    # interfaces are chosen so that their groups never collide.
    def fanout_ok(self, pid, iface):
        idx = ifindex(iface)
        return self.fanout.get((pid ^ idx) & 0xffff, (pid, idx)) == (pid, idx)

    def fanout_claim(self, pid, iface):
        if not self.fanout_ok(pid, iface):
            raise AssertionError("af_packet fanout group of %s in vswd %d taken" %
                                 (iface, pid))
        idx = ifindex(iface)
        self.fanout[(pid ^ idx) & 0xffff] = (pid, idx)

    def drop_host(self, h):
        subprocess.run(["ip", "link", "del", h.peer], capture_output=True, timeout=20)
        subprocess.run(["ip", "netns", "del", h.ns], capture_output=True, timeout=20)
        self.links.remove(h.peer)
        self.namespaces.remove(h.ns)

    def drop_veth(self, a):
        subprocess.run(["ip", "link", "del", a], capture_output=True, timeout=20)
        self.links.remove(a)

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                p.kill()
            except Exception:   # noqa: BLE001 - best effort, keep cleaning
                pass
        for link in reversed(self.links):
            subprocess.run(["ip", "link", "del", link], capture_output=True, timeout=20)
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)
        shutil.rmtree(self.tmp, ignore_errors=True)


def ifindex(iface):
    with open("/sys/class/net/%s/ifindex" % iface) as f:
        return int(f.read())


def root_ipv6_off(iface):
    try:
        with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % iface, "w") as f:
            f.write("1")
    except OSError:
        pass


# --- one vswd's model -------------------------------------------------------

class Rig:
    """Model and VMs of one vswd. Every request is an admin one."""

    def __init__(self, client, env, label=""):
        self.c = client
        self.env = env
        self.label = label
        self.dev = itertools.count()
        self.vnics = {}     # vm name -> vnic
        self._pid = None

    def call(self, method, **params):
        params.setdefault("admin", True)
        return self.c.call(method, params)

    @property
    def pid(self):
        if self._pid is None:
            self._pid = self.call("system.info")["pid"]
        return self._pid

    def af_packet(self, iface):
        self.env.fanout_claim(self.pid, iface)
        return "net_af_packet%d,iface=%s" % (next(self.dev), iface)

    def uplink(self, name, iface, role, **fields):
        up = self.call("uplink.create", name=name, devargs=self.af_packet(iface),
                       role=role, **fields)
        wait_until(lambda: self.call("uplink.show", id=up["id"])["status"] == "ACTIVE",
                   20, "uplink %s ACTIVE" % name, interval=0.1)
        return up

    def network(self, name, **fields):
        return self.call("network.create", name=name, **fields)

    def provider_network(self, name, uplink, net_type, seg=None, **fields):
        fields["provider:network_type"] = net_type
        fields["provider:physical_network"] = uplink
        if seg is not None:
            fields["provider:segmentation_id"] = seg
        return self.network(name, **fields)

    def subnet(self, network, cidr, **fields):
        fields.setdefault("ip_version", 4)
        fields.setdefault("enable_dhcp", False)
        return self.call("subnet.create", network_id=network["id"], cidr=cidr, **fields)

    def port(self, network, name, ip=None, subnet=None, **fields):
        if ip is not None or subnet is not None:
            fixed = {}
            if ip is not None:
                fixed["ip_address"] = ip
            if subnet is not None:
                fixed["subnet_id"] = subnet["id"]
            fields["fixed_ips"] = [fixed]
        return self.call("port.create", network_id=network["id"], name=name, **fields)

    def router(self, name, **fields):
        return self.call("router.create", name=name, **fields)

    def add_interface(self, router, subnet):
        return self.call("router.add_interface", id=router["id"], subnet_id=subnet["id"])

    def remove_interface(self, router, subnet):
        return self.call("router.remove_interface", id=router["id"],
                         subnet_id=subnet["id"])

    def plug(self, port, iface, name):
        """A dpdk VNIC on iface (af_packet), plugged into port; waits ACTIVE."""
        vnic = self.call("vnic.create", name=name, type="dpdk",
                         devargs=self.af_packet(iface))
        self.call("vnic.plug", vnic_id=vnic["id"], port_id=port["id"])
        try:
            wait_until(lambda: self.call("port.show", id=port["id"])["status"] == "ACTIVE",
                       20, "port %s ACTIVE" % name, interval=0.1)
        except AssertionError as e:
            v = self.call("vnic.show", id=vnic["id"])
            raise AssertionError("%s: vnic %s status %s (%s), iface %s" % (
                e, name, v.get("status"), v.get("status_reason"), iface)) from None
        self.vnics[name] = vnic
        return vnic

    def host_for_vnic(self, label="vm"):
        """env.host() whose root end this daemon can open (see fanout_ok)."""
        for _ in range(16):
            h = self.env.host(label)
            if self.env.fanout_ok(self.pid, h.peer):
                return h
            self.env.drop_host(h)
        raise AssertionError("no interface with a free af_packet fanout group")

    def pcap_devargs(self, name, frames):
        """net_pcap devargs replaying frames (once, as soon as polled) and
        writing what the device is sent to <tmp>/<name>.out.pcap."""
        k = next(self.dev)
        inp = os.path.join(self.env.tmp, "%s-%d.in.pcap" % (name, k))
        out = os.path.join(self.env.tmp, "%s-%d.out.pcap" % (name, k))
        l2util.write_pcap(inp, frames)
        return "net_pcap%d,rx_pcap=%s,tx_pcap=%s" % (k, inp, out), out

    def pcap_vnic(self, port, name, frames):
        """A net_pcap VNIC plugged into port that sends frames once (raw, as
        built: no kernel between, so no IP defragmentation as with
        af_packet). Returns (vnic, path of its tx pcap)."""
        devargs, out = self.pcap_devargs(name, frames)
        vnic = self.call("vnic.create", name=name, type="dpdk", devargs=devargs)
        self.call("vnic.plug", vnic_id=vnic["id"], port_id=port["id"])
        self.vnics[name] = vnic
        return vnic, out

    def pcap_uplink(self, name, role, frames, **fields):
        """An uplink on a net_pcap device that receives frames once."""
        devargs, out = self.pcap_devargs(name, frames)
        return self.call("uplink.create", name=name, devargs=devargs, role=role,
                         **fields), out

    def vm(self, network, name, ip=None, subnet=None, gateway=True, configure=True,
           **port_fields):
        """A VM: a port (fixed IP ip, or allocated), a namespace with the
        port's MAC and IP, default route via the subnet's gateway, plugged
        through a VNIC named name. Returns the NsHost (with .port)."""
        port = self.port(network, name, ip=ip, subnet=subnet, **port_fields)
        h = self.host_for_vnic()
        h.port = port
        h.name = name
        fixed = port["fixed_ips"][0] if port.get("fixed_ips") else None
        if configure and fixed:
            sub = self.call("subnet.show", id=fixed["subnet_id"])
            prefixlen = int(sub["cidr"].split("/")[1])
            gw = sub.get("gateway_ip") if gateway else None
            h.configure(mac=port["mac_address"], ip=fixed["ip_address"],
                        prefixlen=prefixlen, gateway=gw, mtu=network.get("mtu"))
        else:
            h.configure(mac=port["mac_address"], mtu=network.get("mtu"))
        h.vnic = self.plug(port, h.peer, name)
        return h

    # --- counters ---------------------------------------------------------

    def stats(self):
        return self.call("stats.get")

    def vnic_counters(self, name, stats=None):
        stats = stats or self.stats()
        for v in stats["vnics"]:
            if v["name"] == name:
                return v
        raise KeyError(name)

    def uplink_counters(self, name, stats=None):
        stats = stats or self.stats()
        for v in stats.get("uplinks", []):
            if v["name"] == name:
                return v
        raise KeyError(name)


def drops(stats, reason):
    """A drop reason summed over every VNIC, uplink and vport."""
    total = 0
    for section in ("vnics", "uplinks", "vports"):
        for o in stats.get(section, []):
            total += o.get("drops", {}).get(reason, 0)
    return total


def total_drops(stats):
    """Every drop of every VNIC, uplink and vport."""
    return sum(sum(o.get("drops", {}).values()) for section in ("vnics", "uplinks", "vports")
               for o in stats.get(section, []))


def all_drops(stats):
    """{section/name-or-kind: {reason: n}} of every non-zero drop."""
    res = {}
    for section in ("vnics", "uplinks", "vports"):
        for o in stats.get(section, []):
            nz = {k: v for k, v in o.get("drops", {}).items() if v}
            if nz:
                key = "%s/%s" % (section, o.get("name") or "%s:%s" % (o.get("kind"),
                                                                       o.get("idx")))
                res[key] = nz
    return res


def wait_drops(rig, reason, at_least, timeout=10.0):
    """Waits until drops(reason) >= at_least; returns the stats."""
    def check():
        st = rig.stats()
        return st if drops(st, reason) >= at_least else None
    try:
        return wait_until(check, timeout, "drop %s >= %d" % (reason, at_least),
                          interval=0.1)
    except AssertionError:
        raise AssertionError("drop %s < %d after %.0fs; drops now: %s" % (
            reason, at_least, timeout, all_drops(rig.stats())))


def frames_matching(frames, pred):
    """Frames (bytes) parsed with scapy, those pred accepts."""
    from scapy.all import Ether
    res = []
    for f in frames:
        p = Ether(f)
        try:
            if pred(p):
                res.append(p)
        except (AttributeError, IndexError):
            pass
    return res



# --- test cases ---------------------------------------------------------------

class L3Case(vswtest.VswdTestCase):
    """One vswd (self.vswd, self.c, self.rig) and an Env (self.env) that is
    cleaned up after the daemon stops. extra_vswd() starts another one."""

    config = None   # text of a vswd -c file, or None

    def setUp(self):
        purge_stale()
        self.env = Env()
        self.addCleanup(self.env.cleanup)
        track(self, self.env)
        if self.config is not None:
            path = os.path.join(self.env.tmp, "vsw.conf")
            with open(path, "w") as f:
                f.write(self.config)
            self.vswd_args = ("-c", path)
        super().setUp()
        track(self, self.vswd)
        self.rig = Rig(self.c, self.env, "A")

    def extra_vswd(self, label="B"):
        """A second vswd (its own run dir, EAL prefix and worker) and its Rig."""
        d = vswtest.Vswd(args=self.vswd_args)
        self.addCleanup(d.cleanup)
        track(self, d)
        d.start()
        c = d.client()
        self.addCleanup(c.close)
        return d, Rig(c, self.env, label)

    def reach(self, host, dst, timeout=15.0, rigs=()):
        """host.wait_ping(dst), failing with the daemons' drop counters."""
        try:
            return host.wait_ping(dst, timeout)
        except AssertionError as e:
            raise AssertionError("%s; %s" % (e, self.diag(*rigs))) from None

    def assertDropsGrew(self, base, want, rig=None, timeout=10.0):
        """Waits until each drop reason of want grew by exactly want[reason]
        since the stats base (of rig, default self.rig)."""
        rig = rig or self.rig

        def grown():
            st = rig.stats()
            return {r: drops(st, r) - drops(base, r) for r in want}
        try:
            return wait_until(lambda: grown() == want and want, timeout, "drops %s" % want)
        except AssertionError:
            self.fail("drops grew by %s, expected %s; %s" % (grown(), want, self.diag(rig)))

    def diag(self, *rigs):
        """Non-zero drops and punt counters of each rig: for failure messages."""
        res = {}
        for r in rigs or (self.rig,):
            st = r.stats()
            res[r.label] = {"drops": all_drops(st), "punt": st.get("punt"),
                            "nat": st.get("nat")}
        return json.dumps(res, sort_keys=True)


def router_mac(rig, router, subnet):
    """MAC of the router's interface on subnet."""
    for i in rig.call("router.show", id=router["id"])["interfaces"]:
        if i["subnet_id"] == subnet["id"]:
            return i["mac_address"]
    raise KeyError(subnet["id"])


def iface_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return f.read().strip()
