# SPDX-License-Identifier: BSD-3-Clause
"""Frames and pcaps of the L3 benchmark, built byte by byte (no scapy):
Ethernet/IPv4/UDP frames for routing, the same frames inside VXLAN
(RFC 7348) for decapsulation, and ARP for the underlay neighbour.

Sizes are Ethernet frame sizes with the 4-byte FCS, as in gen_pcap.py; the
pcap holds the frames without it. A VXLAN frame's size is its inner
frame's: the outer headers add 50 bytes."""

import struct

from gen_pcap import FCS, _csum, _ip_bytes, _mac_bytes, write_pcap_builtin

VXLAN_PORT = 4789
VXLAN_OVERHEAD = 14 + 20 + 8 + 8
MIN_FRAME, MAX_FRAME = 64, 1518


def ipv4_header(src, dst, proto, payload_len, ttl=64, ident=1):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, 0, ttl, proto, 0,
                     _ip_bytes(src), _ip_bytes(dst))
    return ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]


def udp_frame(size, smac, dmac, sip, dip, sport=1024, dport=1024, ttl=64):
    """An Ethernet/IPv4/UDP frame of `size` bytes on the wire (FCS included),
    without its FCS; zero payload, UDP checksum set."""
    if not MIN_FRAME <= size <= MAX_FRAME:
        raise ValueError("frame size %d outside %d..%d" % (size, MIN_FRAME, MAX_FRAME))
    payload = b"\0" * (size - FCS - 14 - 20 - 8)
    udp_len = 8 + len(payload)
    pseudo = _ip_bytes(sip) + _ip_bytes(dip) + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    ucs = _csum(pseudo + udp) or 0xffff
    udp = struct.pack("!HHHH", sport, dport, udp_len, ucs) + payload
    eth = _mac_bytes(dmac) + _mac_bytes(smac) + struct.pack("!H", 0x0800)
    return eth + ipv4_header(sip, dip, 17, udp_len, ttl) + udp


def vxlan_frame(inner, smac, dmac, sip, dip, vni, sport=49152):
    """inner (an Ethernet frame without FCS) in outer Ethernet/IPv4/UDP/VXLAN;
    outer UDP checksum 0, as RFC 7348 allows and VTEPs send."""
    if not 0 < vni < (1 << 24):
        raise ValueError("VNI %d outside 1..16777215" % vni)
    vxlan = struct.pack("!II", 0x08000000, vni << 8)
    udp_len = 8 + len(vxlan) + len(inner)
    udp = struct.pack("!HHHH", sport, VXLAN_PORT, udp_len, 0)
    eth = _mac_bytes(dmac) + _mac_bytes(smac) + struct.pack("!H", 0x0800)
    return eth + ipv4_header(sip, dip, 17, udp_len) + udp + vxlan + inner


def arp_frame(op, sha, spa, tha, tpa, dmac=None):
    """An ARP request (op 1) or reply (op 2), padded to 60 bytes."""
    if op not in (1, 2):
        raise ValueError("ARP op %d" % op)
    if dmac is None:
        dmac = "ff:ff:ff:ff:ff:ff" if op == 1 else tha
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, _mac_bytes(sha), _ip_bytes(spa),
                      _mac_bytes(tha), _ip_bytes(tpa))
    f = _mac_bytes(dmac) + _mac_bytes(sha) + struct.pack("!H", 0x0806) + arp
    return f + b"\0" * (60 - len(f))


def ip_add(ip, n):
    """The IPv4 address n after ip (dotted quads)."""
    v = struct.unpack("!I", _ip_bytes(ip))[0] + n
    return ".".join(str(b) for b in struct.pack("!I", v & 0xffffffff))


def write_pcap(path, frames):
    write_pcap_builtin(path, frames)


# ------------------------------------------------------------- topology
# The same addresses for every peer. Routed: a VNIC on subnet A sends to a
# host on subnet B through the router. VXLAN: a VNIC on a VXLAN network sends
# to a MAC behind the remote VTEP (encap), or the remote VTEP sends to a VNIC
# (decap).

NET_A, GW_A = "10.1.0.0/24", "10.1.0.1"
NET_B, GW_B = "10.2.0.0/24", "10.2.0.1"
SRC_MAC, SRC_IP = "02:00:00:00:0a:0a", "10.1.0.10"    # the sending VNIC, on A
DST_MAC, DST_IP = "02:00:00:00:0b:0b", "10.2.0.10"    # the receiving VNIC, on B
# Router MACs of the peers that let us choose them (OVS); vsw's are read
# back from its router-interface ports.
ROUTER_MAC_A, ROUTER_MAC_B = "02:00:00:00:01:0a", "02:00:00:00:01:0b"
# Destinations of the route-count scenario: behind DST_IP, in 172.16/12.
ROUTES_SUPERNET, ROUTES_BASE = "172.16.0.0/12", "172.16.0.0"

VNI = 5000
LOCAL_VTEP, REMOTE_VTEP, UNDERLAY_PLEN = "192.0.2.1", "192.0.2.2", 24
LOCAL_VTEP_MAC, REMOTE_VTEP_MAC = "02:00:00:00:02:01", "02:00:00:00:02:02"
REMOTE_VM_MAC = "02:00:00:00:0c:0c"   # behind the remote VTEP (encap destination)
REMOTE_VM_IP = "10.3.0.20"
LOCAL_VM_MAC, LOCAL_VM_IP = "02:00:00:00:0d:0d", "10.3.0.10"  # on the VXLAN network


def flows_of(n):
    """UDP source ports of n flows."""
    return [1024 + i for i in range(n)]


def routed_frames(size, router_mac, flows=1, count=1000):
    """SRC -> DST_IP through the router (dst MAC = the router on A)."""
    ports = flows_of(flows)
    return [udp_frame(size, SRC_MAC, router_mac, SRC_IP, DST_IP, sport=ports[i % flows])
            for i in range(count)]


def route_destinations(n_dsts, n_routes):
    """n_dsts destinations spread over the first n_routes /24s of
    ROUTES_BASE: destination i is host (i // n_routes) % 254 + 1 of /24
    number i % n_routes."""
    return [ip_add(ROUTES_BASE, (i % n_routes) * 256 + (i // n_routes) % 254 + 1)
            for i in range(n_dsts)]


def static_routes(n, nexthop):
    """n /24 routes from ROUTES_BASE on, all via nexthop (n <= 4096: the
    /24s of ROUTES_SUPERNET)."""
    if not 1 <= n <= 4096:
        raise ValueError("route count %d outside 1..4096" % n)
    return [{"destination": "%s/24" % ip_add(ROUTES_BASE, k * 256), "nexthop": nexthop}
            for k in range(n)]


def routes_frames(size, router_mac, dsts, count=None):
    count = count or max(1000, len(dsts))
    return [udp_frame(size, SRC_MAC, router_mac, SRC_IP, dsts[i % len(dsts)])
            for i in range(count)]


def encap_inner_frames(size, flows=1, count=1000):
    """From the local VM to the MAC behind the remote VTEP."""
    ports = flows_of(flows)
    return [udp_frame(size, LOCAL_VM_MAC, REMOTE_VM_MAC, LOCAL_VM_IP, REMOTE_VM_IP,
                      sport=ports[i % flows]) for i in range(count)]


def decap_frames(size, underlay_dst_mac, flows=1, count=1000):
    """From the remote VTEP: VXLAN frames carrying the remote VM's frames to
    the local VM; outer source port per inner flow, as VTEPs do."""
    ports = flows_of(flows)
    out = []
    for i in range(count):
        sp = ports[i % flows]
        inner = udp_frame(size, REMOTE_VM_MAC, LOCAL_VM_MAC, REMOTE_VM_IP, LOCAL_VM_IP,
                          sport=sp)
        out.append(vxlan_frame(inner, REMOTE_VTEP_MAC, underlay_dst_mac, REMOTE_VTEP,
                               LOCAL_VTEP, VNI, sport=49152 + sp % 16384))
    return out


def underlay_arp_frames():
    """The remote VTEP asks for the local VTEP's MAC: a switch that learns
    neighbours from requests for its own address then knows the remote."""
    return [arp_frame(1, REMOTE_VTEP_MAC, REMOTE_VTEP, "00:00:00:00:00:00", LOCAL_VTEP)]
