# SPDX-License-Identifier: BSD-3-Clause
"""Churn: one L2 flow keeps every frame, in order, while 1,000 unrelated
ports and VNICs are created, plugged, unplugged and deleted around it.

The flow: a FIFO read by a net_pcap VNIC (rx_pcap=FIFO) into port A, known
unicast to port B, whose net_pcap VNIC writes tx_pcap=OUT. net_pcap replays
a file as fast as it can (200k frames in ~60 ms here), far shorter than the
churn (~10 ms per iteration: six durable commits), so this test feeds the
pcap stream through a FIFO at a paced rate for as long as the churn lasts.
Every frame carries a sequence number; OUT must hold exactly the frames
written, in order. The worker blocks in read() on an empty FIFO between
chunks; that only delays its quiescent state by one chunk (~1.6 ms), which
the control thread's RCU waits absorb.

Churn VNICs are vhost-user in server mode that nobody connects to (cheap:
no ethdev, Debian's DPDK has only 32 of them). Half of the churn happens on
another network, half on the flow's own network (new static MACs, flood
list and FIB recompiles of the very network the flow crosses).
"""
import json
import os
import select
import shutil
import struct
import tempfile
import threading
import time

import vswtest

MAC_A = "02:00:00:0c:00:01"
MAC_B = "02:00:00:0c:00:02"
ETHERTYPE = 0x88B5          # IEEE local experimental: no port-security rule
FRAME_LEN = 60
CHURN_ITERATIONS = 1000
CHURN_THREADS = 2
RATE_FPS = 40000            # paced feed: ~15 s of churn -> ~600k frames
CHUNK = 64                  # frames per FIFO write (two worker bursts)
TAIL_S = 0.3                # traffic after the churn ends
STATS_EVERY = 50            # churn iterations between traffic samples

PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


FRAME_HEAD = mac_bytes(MAC_B) + mac_bytes(MAC_A) + struct.pack(">H", ETHERTYPE)
# The payload after the sequence number varies with it (256 patterns).
TAILS = [bytes((k + i) & 0xFF for i in range(FRAME_LEN - len(FRAME_HEAD) - 4))
         for k in range(256)]


def seq_frame(seq):
    return FRAME_HEAD + struct.pack(">I", seq) + TAILS[seq & 0xFF]


def pcap_record(frame):
    return struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame


def read_pcap(path):
    """Frames of a classic little-endian pcap, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "not a pcap: %#x" % magic
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    assert off == len(data), "truncated pcap %s" % path
    return frames


class FifoFeeder(threading.Thread):
    """Writes a pcap stream into a FIFO that a net_pcap VNIC reads
    (rx_pcap=FIFO): the header at once (the PMD reads it while vnic.create
    runs), frames frame(0), frame(1), ... only after go is set, paced at
    rate frames/s in chunks, until count frames are written or stop is set
    (then tail_s more seconds), and then closes it (EOF: the VNIC goes
    quiet). The test module test_l2_scale uses it too."""

    def __init__(self, path, frame, rate, count=None, tail_s=0.0, chunk=64,
                 open_timeout=30.0):
        super().__init__(daemon=True)
        self.path = path
        self.frame = frame
        self.rate = rate
        self.count = count
        self.tail_s = tail_s
        self.chunk = chunk
        self.open_timeout = open_timeout
        self.go = threading.Event()
        self.stop = threading.Event()
        self.abort = threading.Event()
        self.sent = 0
        self.first_t = None
        self.last_t = None
        self.error = None

    def _open(self):
        # A non-blocking open succeeds once vsw's open for reading waits.
        deadline = time.monotonic() + self.open_timeout
        while True:
            try:
                return os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                if self.abort.is_set() or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _write_all(self, fd, buf):
        deadline = time.monotonic() + 30.0
        while buf:
            if self.abort.is_set() or time.monotonic() > deadline:
                raise TimeoutError("FIFO reader stalled")
            _, w, _ = select.select([], [fd], [], 0.1)
            if w:
                buf = buf[os.write(fd, buf):]

    def _more(self, now, end):
        if self.count is not None and self.sent >= self.count:
            return False
        return end is None or now < end

    def run(self):
        fd = None
        try:
            fd = self._open()
            self._write_all(fd, PCAP_HDR)
            while not self.go.wait(0.1):
                if self.abort.is_set():
                    return
            t0 = time.monotonic()
            end = None
            while not self.abort.is_set():
                now = time.monotonic()
                if end is None and self.stop.is_set():
                    end = now + self.tail_s
                if not self._more(now, end):
                    break
                n = self.chunk if self.count is None else min(self.chunk,
                                                              self.count - self.sent)
                self._write_all(fd, b"".join(pcap_record(self.frame(s)) for s in
                                             range(self.sent, self.sent + n)))
                self.sent += n
                self.last_t = time.monotonic()
                if self.first_t is None:
                    self.first_t = self.last_t
                ahead = self.sent / self.rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            if fd is not None:
                os.close(fd)


class Churner(threading.Thread):
    """CHURN_ITERATIONS / CHURN_THREADS times: port.create, vnic.create
    (vhost-user server, no peer), then plug, unplug, vnic.delete and
    port.delete pipelined on one connection."""

    def __init__(self, vswd, idx, network_id, sock_dir, iterations, watch_vnic):
        super().__init__(daemon=True)
        self.vswd = vswd
        self.idx = idx
        self.network_id = network_id
        self.sock_dir = sock_dir
        self.iterations = iterations
        self.watch_vnic = watch_vnic
        self.samples = []       # (time, rx_packets of the flow's input VNIC)
        self.done = 0
        self.error = None
        self.t_start = self.t_end = None
        self.started = threading.Event()    # first iteration done

    def _pipelined(self, c, calls):
        msgs = [{"jsonrpc": "2.0", "id": 100000 + k, "method": m, "params": p}
                for k, (m, p) in enumerate(calls)]
        c.send_raw("".join(json.dumps(m) + "\n" for m in msgs))
        for m in msgs:
            r = c.recv_line()
            if r is None:
                raise ConnectionError("vswd closed the connection")
            if "error" in r or r.get("id") != m["id"]:
                raise AssertionError("%s: %r" % (m["method"], r))

    def _sample(self, c):
        for v in c.call("stats.get")["vnics"]:
            if v["id"] == self.watch_vnic:
                self.samples.append((time.monotonic(), v["rx_packets"]))

    def run(self):
        c = None
        try:
            c = self.vswd.client(timeout=30.0)
            self.t_start = time.monotonic()
            for i in range(self.iterations):
                if i % STATS_EVERY == 0:
                    self._sample(c)
                port = c.call("port.create", {"network_id": self.network_id,
                                              "name": "churn-%d-%d" % (self.idx, i)})
                vnic = c.call("vnic.create", {
                    "type": "vhost-user", "mode": "server", "queues": 1,
                    "socket": os.path.join(self.sock_dir, "c%d-%d" % (self.idx, i))})
                self._pipelined(c, [
                    ("vnic.plug", {"vnic_id": vnic["id"], "port_id": port["id"]}),
                    ("vnic.unplug", {"vnic_id": vnic["id"]}),
                    ("vnic.delete", {"id": vnic["id"]}),
                    ("port.delete", {"id": port["id"]})])
                self.done += 1
                self.started.set()
            self._sample(c)
            self.t_end = time.monotonic()
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            if c is not None:
                c.close()


class L2ChurnTest(vswtest.VswdTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="vsw-churn-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def vnic_stats(self, vnic_id):
        for v in self.c.call("stats.get")["vnics"]:
            if v["id"] == vnic_id:
                return v
        self.fail("no stats for vnic %s" % vnic_id)

    def wait_settled(self, vnic_id, expected, timeout=30.0, quiet=1.0):
        """Waits until the VNIC sent `expected` frames, or its tx counter
        stopped moving for `quiet` seconds (frames lost: the comparison
        below then names them)."""
        deadline = time.monotonic() + timeout
        last, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            n = self.vnic_stats(vnic_id)["tx_packets"]
            if n >= expected:
                return
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.05)

    def assert_no_drops(self, st, name):
        self.assertEqual(st["dropped"], 0, "%s drops: %r" % (name, st["drops"]))
        self.assertEqual({k: v for k, v in st["drops"].items() if v}, {},
                         "%s drops" % name)

    def test_flow_keeps_every_frame_in_order_through_1000_churns(self):
        c = self.c
        flow_net = c.call("network.create", {"name": "flow"})
        other_net = c.call("network.create", {"name": "other"})
        port_a = c.call("port.create", {"network_id": flow_net["id"], "mac_address": MAC_A})
        port_b = c.call("port.create", {"network_id": flow_net["id"], "mac_address": MAC_B})
        fifo = os.path.join(self.tmp, "in.fifo")
        out = os.path.join(self.tmp, "out.pcap")
        sock_dir = os.path.join(self.tmp, "sock")
        os.mkfifo(fifo)
        os.mkdir(sock_dir)

        vnic_out = c.call("vnic.create", {"type": "dpdk", "name": "out",
                                          "devargs": "net_pcap1,tx_pcap=" + out})
        c.call("vnic.plug", {"vnic_id": vnic_out["id"], "port_id": port_b["id"]})
        feeder = FifoFeeder(fifo, seq_frame, RATE_FPS, tail_s=TAIL_S, chunk=CHUNK)
        self.addCleanup(feeder.join, 10)
        self.addCleanup(feeder.abort.set)
        feeder.start()
        vnic_in = c.call("vnic.create", {"type": "dpdk", "name": "in",
                                         "devargs": "net_pcap0,rx_pcap=" + fifo})
        self.assertIsNone(feeder.error)

        per = CHURN_ITERATIONS // CHURN_THREADS
        churners = [Churner(self.vswd, i, (other_net if i % 2 == 0 else flow_net)["id"],
                            sock_dir, per, vnic_in["id"])
                    for i in range(CHURN_THREADS)]
        for t in churners:
            t.start()
        for t in churners:
            t.started.wait(30)
            self.assertIsNone(t.error)
            self.assertTrue(t.started.is_set(), "churn thread %d did not start" % t.idx)
        # The churn is under way before the flow's first frame. Frames flow
        # into the FIFO before the plug: a plugged worker blocks in read()
        # on an empty FIFO, and the plug waits for its quiescent state.
        feeder.go.set()
        c.call("vnic.plug", {"vnic_id": vnic_in["id"], "port_id": port_a["id"]})
        for t in churners:
            t.join(240)
        feeder.stop.set()
        feeder.join(60)
        for t in churners:
            self.assertFalse(t.is_alive(), "churn thread %d hung (%d done)" % (t.idx, t.done))
            self.assertIsNone(t.error, "churn thread %d after %d iterations" % (t.idx, t.done))
            self.assertEqual(t.done, per)
        self.assertFalse(feeder.is_alive(), "feeder hung")
        self.assertIsNone(feeder.error)
        sent = feeder.sent
        churn_start = min(t.t_start for t in churners)
        churn_end = max(t.t_end for t in churners)
        print("\n  churn: %d iterations in %.1fs; flow: %d frames over %.1fs" % (
            CHURN_ITERATIONS, churn_end - churn_start, sent,
            feeder.last_t - feeder.first_t), end=" ", flush=True)

        # The flow ran through the churn, not before or after it.
        self.assertLess(churn_start, feeder.first_t)
        self.assertLess(feeder.first_t, churn_end - 0.8 * (churn_end - churn_start),
                        "traffic started late in the churn")
        self.assertGreater(feeder.last_t, churn_end)
        for t in churners:
            during = [n for ts, n in t.samples if feeder.first_t < ts < churn_end]
            self.assertGreaterEqual(len(during), per // STATS_EVERY - 2)
            growth = sum(1 for x, y in zip(during, during[1:]) if y > x)
            self.assertGreaterEqual(growth, len(during) - 2,
                                    "flow stalled during churn: %r" % during)

        self.wait_settled(vnic_out["id"], sent)
        st_in = self.vnic_stats(vnic_in["id"])
        st_out = self.vnic_stats(vnic_out["id"])
        mempool = c.call("stats.get")["mempool"]
        vnics_left = sorted(v["id"] for v in c.call("vnic.list"))
        other_ports = c.call("port.list", {"network_id": other_net["id"]})
        flow_ports = sorted(p["id"] for p in c.call("port.list",
                                                     {"network_id": flow_net["id"]}))

        # Closing the device flushes the dumper; then compare frame by frame
        # first, so that a loss or a swap is named by sequence number.
        c.call("vnic.unplug", {"vnic_id": vnic_out["id"]})
        c.call("vnic.delete", {"id": vnic_out["id"]})
        got = read_pcap(out)
        seqs = [struct.unpack_from(">I", f, 14)[0] if len(f) >= 18 else -1 for f in got]
        first_bad = next((i for i, s in enumerate(seqs) if s != i), None)
        if first_bad is None and len(seqs) < sent:
            first_bad = len(seqs)
        self.assertIsNone(first_bad, "%d frames sent, %d out; first wrong at %s: %r" % (
            sent, len(seqs), first_bad,
            seqs[max(0, (first_bad or 0) - 3):(first_bad or 0) + 4]))
        self.assertEqual(len(got), sent, "frames beyond those sent")
        for i, f in enumerate(got):
            if f != seq_frame(i):
                self.fail("frame %d differs: %s" % (i, f.hex()))

        self.assertEqual(st_in["rx_packets"], sent)
        self.assertEqual(st_out["tx_packets"], sent)
        self.assert_no_drops(st_in, "input vnic")
        self.assert_no_drops(st_out, "output vnic")
        self.assertEqual(st_in["flooded"], 0, "known unicast was flooded")
        self.assertEqual(mempool["in_use"], 0, mempool)

        # Nothing of the churn is left behind.
        self.assertEqual(vnics_left, sorted([vnic_in["id"], vnic_out["id"]]))
        self.assertEqual(other_ports, [])
        self.assertEqual(flow_ports, sorted([port_a["id"], port_b["id"]]))
        self.assertEqual(os.listdir(sock_dir), [], "vhost-user sockets left behind")
        self.assertIsNone(self.vswd.proc.poll(), "vswd died")

if __name__ == "__main__":
    vswtest.main()
