#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Make the pcaps that the L2 benchmark replays (net_pcap infinite_rx=1):
Ethernet/IPv4/UDP frames of one size from one source MAC to 1 or N
destination MACs, none of which belongs to any switch port, so every switch
treats them alike (unknown unicast, flooded to the one other port).

    gen_pcap.py --size 64 --macs 1000 -o l2-64B-1000mac.pcap

Sizes are Ethernet frame sizes with the 4-byte FCS (64 = minimum frame); the
pcap holds the frames without FCS. Every pcap has --count frames (default
1000) so that replay costs the same whatever the number of MACs.

Uses scapy (python3-scapy) when it is there, else builds the same bytes
itself."""

import argparse
import importlib.util
import struct
import sys

SRC_MAC = "02:00:00:00:00:01"
SRC_IP = "10.0.0.1"
DST_IP = "10.0.0.2"
UDP_PORT = 1024
FCS = 4
MIN_FRAME, MAX_FRAME = 64, 1518


def dst_mac(i, n_macs):
    """The i-th frame's destination: 02:00:00:01:HH:LL, cycling over n_macs."""
    k = i % n_macs
    return "02:00:00:01:%02x:%02x" % (k >> 8, k & 0xff)


def _mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def _ip_bytes(ip):
    return bytes(int(x) for x in ip.split("."))


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame_bytes(size, dmac):
    """One frame of `size` bytes on the wire (FCS included) without its FCS,
    byte for byte what scapy makes of Ether/IP/UDP/zero payload."""
    payload_len = size - FCS - 14 - 20 - 8
    src, dst = _ip_bytes(SRC_IP), _ip_bytes(DST_IP)
    udp_len = 8 + payload_len
    payload = b"\0" * payload_len
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", UDP_PORT, UDP_PORT, udp_len, 0) + payload
    ucs = _csum(pseudo + udp) or 0xffff
    udp = struct.pack("!HHHH", UDP_PORT, UDP_PORT, udp_len, ucs) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 1, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    eth = _mac_bytes(dmac) + _mac_bytes(SRC_MAC) + struct.pack("!H", 0x0800)
    return eth + ip + udp


def frames(size, n_macs, count):
    if not MIN_FRAME <= size <= MAX_FRAME:
        raise ValueError("frame size %d outside %d..%d" % (size, MIN_FRAME, MAX_FRAME))
    if n_macs < 1 or n_macs > 65536:
        raise ValueError("number of MACs %d outside 1..65536" % n_macs)
    if count < n_macs:
        raise ValueError("count %d < number of MACs %d" % (count, n_macs))
    return [frame_bytes(size, dst_mac(i, n_macs)) for i in range(count)]


def write_pcap_builtin(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(p), len(p)))
            f.write(p)


def write_pcap_scapy(path, size, n_macs, count):
    from scapy.all import IP, UDP, Ether, Raw, wrpcap
    payload = b"\0" * (size - FCS - 14 - 20 - 8)
    pkts = [Ether(src=SRC_MAC, dst=dst_mac(i, n_macs)) /
            IP(src=SRC_IP, dst=DST_IP) / UDP(sport=UDP_PORT, dport=UDP_PORT) / Raw(payload)
            for i in range(count)]
    wrpcap(path, pkts)


def make_pcap(path, size, n_macs, count=1000, use_scapy=None):
    """Write the pcap; returns 'scapy' or 'builtin' (the writer used)."""
    pkts = frames(size, n_macs, count)  # validates the arguments
    if use_scapy is None:
        use_scapy = importlib.util.find_spec("scapy") is not None
    if use_scapy:
        write_pcap_scapy(path, size, n_macs, count)
        return "scapy"
    write_pcap_builtin(path, pkts)
    return "builtin"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=64, help="frame size with FCS (64..1518)")
    ap.add_argument("--macs", type=int, default=1, help="number of destination MACs")
    ap.add_argument("--count", type=int, default=1000, help="frames in the pcap")
    ap.add_argument("--builtin", action="store_true", help="do not use scapy")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    try:
        how = make_pcap(a.output, a.size, a.macs, a.count, use_scapy=False if a.builtin else None)
    except ValueError as e:
        print("gen_pcap: %s" % e, file=sys.stderr)
        return 2
    print("%s: %d frames of %d B to %d MACs (%s)" % (a.output, a.count, a.size, a.macs, how))
    return 0


if __name__ == "__main__":
    sys.exit(main())
