# SPDX-License-Identifier: BSD-3-Clause
"""Frames, SAs and pcaps of the IPsec benchmark (no scapy: python3-
cryptography does the ESP, as in tests/integration/test_ipsec_tunnel.py).

Sizes are inner IPv4 packet lengths (what ESP encrypts): the inner Ethernet
frame is 14 bytes more, the ESP frame 14 + 20 + 8 + IV + padding + 2 + ICV
more. 1420 B inner fits a 1500-byte outer MTU with either algorithm.

Topology (every peer): site A's LAN 10.1.0.0/24 (our VM 10.1.0.10), the
remote site's LAN 10.2.0.0/24 (host 10.2.0.10), the "internet" 198.51.100.0/24
with our gateway (the VPN service's address, 198.51.100.10) and the peer's
(198.51.100.2). Encap: VM -> 10.2.0.10 in cleartext on the LAN side, ESP to
the peer out. Decap: ESP from the peer in, cleartext to the VM out."""

import hashlib
import os
import struct

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gen_pcap import _csum, _mac_bytes

from .l3_frames import ipv4_header, udp_frame

ESP_PROTO = 50
INNER_MIN, INNER_MAX = 46, 1500

LAN, LAN_GW = "10.1.0.0/24", "10.1.0.1"
VM_MAC, VM_IP = "02:00:00:00:0a:0a", "10.1.0.10"
PEER_LAN, PEER_HOST = "10.2.0.0/24", "10.2.0.10"
EXT, EXT_PLEN = "198.51.100.0/24", 24
GW_IP = "198.51.100.10"                 # the VPN service's external address
POOL = ("198.51.100.10", "198.51.100.19")
PEER_IP, PEER_MAC = "198.51.100.2", "02:00:00:00:0e:0e"
# Chosen MACs of the peers that let us choose them (ipsec-secgw).
ROUTER_LAN_MAC, ROUTER_EXT_MAC = "02:00:00:00:01:0a", "02:00:00:00:01:0e"

SPI_OUT, SPI_IN = 0x1000, 0x2000

# name -> vsw API fields (ipsec_sa.create), ipsec-secgw keywords, AES key
# bytes, HMAC key bytes, IV bytes, ICV bytes, padding block.
ALGOS = {
    "gcm": dict(api={"encryption_algorithm": "aes-128-gcm-16"},
                secgw="aead_algo aes-128-gcm aead_key {key}", imb="aes-128-gcm-16",
                key=16, auth=0, iv=8, icv=16, block=4,
                label="AES-GCM-128"),
    "cbc": dict(api={"encryption_algorithm": "aes-128", "auth_algorithm": "sha256"},
                secgw="cipher_algo aes-128-cbc cipher_key {key} "
                      "auth_algo sha256-hmac auth_key {auth}",
                imb="aes-128-cbc+sha256-128", key=16, auth=32, iv=16, icv=16, block=16,
                label="AES-CBC-128 + HMAC-SHA-256-128"),
}


def derive(what, spi, n):
    """n fixed bytes for an SA's key material: the same every run, different
    for every SPI and purpose."""
    return hashlib.sha256(("vsw-bench %s %d" % (what, spi)).encode()).digest()[:n]


class Sa:
    """The keys of one direction's SA, the same for every peer."""

    def __init__(self, algo, spi):
        a = ALGOS[algo]
        self.algo, self.spi = algo, spi
        self.gcm = algo == "gcm"
        self.key = derive("key", spi, a["key"])
        self.salt = derive("salt", spi, 4) if self.gcm else b""
        self.auth_key = derive("auth", spi, a["auth"])

    def api_fields(self):
        """ipsec_sa.create's algorithm and key fields."""
        f = dict(ALGOS[self.algo]["api"], spi=self.spi, encryption_key=self.key.hex())
        if self.gcm:
            f["salt"] = self.salt.hex()
        else:
            f["auth_key"] = self.auth_key.hex()
        return f

    def secgw_words(self):
        """ipsec-secgw's algorithm and key words (GCM: key || salt; bytes
        colon-separated)."""
        colon = lambda b: ":".join("%02x" % x for x in b)  # noqa: E731
        return ALGOS[self.algo]["secgw"].format(key=colon(self.key + self.salt),
                                                auth=colon(self.auth_key))


def check_size(size):
    if not INNER_MIN <= size <= INNER_MAX:
        raise ValueError("inner packet size %d outside %d..%d" % (size, INNER_MIN, INNER_MAX))


def inner_packet(size, src, dst, sport=1024, ttl=64):
    """An IPv4/UDP packet of size bytes (no Ethernet header)."""
    check_size(size)
    return udp_frame(size + 18, "00:00:00:00:00:00", "00:00:00:00:00:00", src, dst,
                     sport=sport, ttl=ttl)[14:]


def inner_frames(size, router_mac, count=1000):
    """The VM's frames to the remote host, to the router's LAN MAC."""
    f = udp_frame(size + 18, VM_MAC, router_mac, VM_IP, PEER_HOST)
    return [f] * count


def trailer(inner, block):
    """inner || padding 1, 2, 3... || pad length || next header 4, the total
    a multiple of block (RFC 4303 2.4)."""
    n = (-(len(inner) + 2)) % block
    return inner + bytes(range(1, n + 1)) + bytes([n, 4])


def esp_overhead(algo, size):
    """Outer IPv4 + ESP header + IV + trailer + ICV bytes around an inner
    packet of size bytes."""
    a = ALGOS[algo]
    return 20 + 8 + a["iv"] + len(trailer(b"\0" * size, a["block"])) - size + a["icv"]


class EspMaker:
    """ESP frames of one SA, sequence numbers 1, 2, ... (no ESN): by default
    from the peer's gateway to ours, inner packets from the remote host to
    the VM."""

    def __init__(self, sa, size, dst_mac, src_mac=PEER_MAC, src_ip=PEER_IP, dst_ip=GW_IP,
                 inner=(PEER_HOST, VM_IP), inner_ttl=64):
        self.sa = sa
        self.plain = trailer(inner_packet(size, *inner, ttl=inner_ttl),
                             ALGOS[sa.algo]["block"])
        self.eth = _mac_bytes(dst_mac) + _mac_bytes(src_mac) + struct.pack("!H", 0x0800)
        ip_len = 20 + 8 + ALGOS[sa.algo]["iv"] + len(self.plain) + ALGOS[sa.algo]["icv"]
        self.ip = ipv4_header(src_ip, dst_ip, ESP_PROTO, ip_len - 20)
        if sa.gcm:
            self.aead = AESGCM(sa.key)
        else:
            # One IV for every packet: the ciphertext is computed once, each
            # packet's ICV (over its sequence number) separately.
            self.iv = bytes(range(0x40, 0x50))
            enc = Cipher(algorithms.AES(sa.key), modes.CBC(self.iv)).encryptor()
            self.ct = enc.update(self.plain) + enc.finalize()
            self.mac = hmac.HMAC(sa.auth_key, hashes.SHA256())

    def frame(self, seq):
        hdr = struct.pack("!II", self.sa.spi, seq)
        if self.sa.gcm:
            iv = struct.pack("!Q", seq)
            body = iv + self.aead.encrypt(self.sa.salt + iv, self.plain, hdr)
        else:
            h = self.mac.copy()
            h.update(hdr + self.iv + self.ct)
            body = self.iv + self.ct + h.finalize()[:16]
        return self.eth + self.ip + hdr + body


def write_esp_pcap(path, sa, size, count, dst_mac):
    """count ESP frames (sequence numbers 1..count) in a pcap, written as
    they are made; returns the bytes written."""
    mk = EspMaker(sa, size, dst_mac)
    with open(path, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for seq in range(1, count + 1):
            fr = mk.frame(seq)
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)))
            f.write(fr)
        return f.tell()


def esp_decrypt(sa, frame):
    """The inner packet of an ESP frame of sa (test and check helper):
    (seq, inner IPv4 packet). ValueError when it does not verify."""
    ihl = (frame[14] & 0xf) * 4
    if frame[23] != ESP_PROTO:
        raise ValueError("not ESP (protocol %d)" % frame[23])
    esp = frame[14 + ihl:14 + struct.unpack("!H", frame[16:18])[0]]
    spi, seq = struct.unpack("!II", esp[:8])
    if spi != sa.spi:
        raise ValueError("SPI %#x, expected %#x" % (spi, sa.spi))
    if sa.gcm:
        iv = esp[8:16]
        plain = AESGCM(sa.key).decrypt(sa.salt + iv, esp[16:], esp[:8])
    else:
        iv, ct, icv = esp[8:24], esp[24:-16], esp[-16:]
        h = hmac.HMAC(sa.auth_key, hashes.SHA256())
        h.update(esp[:-16])
        if h.finalize()[:16] != icv:
            raise ValueError("ICV mismatch")
        dec = Cipher(algorithms.AES(sa.key), modes.CBC(iv)).decryptor()
        plain = dec.update(ct) + dec.finalize()
    if plain[-1] != 4:
        raise ValueError("next header %d" % plain[-1])
    return seq, plain[:len(plain) - 2 - plain[-2]]


def read_pcap(path, limit=None):
    """The frames of a pcap (little-endian, microsecond: what DPDK and this
    module write)."""
    out = []
    with open(path, "rb") as f:
        if len(f.read(24)) != 24:
            return out
        while limit is None or len(out) < limit:
            h = f.read(16)
            if len(h) < 16:
                break
            n = struct.unpack("<IIII", h)[2]
            frame = f.read(n)
            if len(frame) < n:
                break       # cut short: the writer was stopped mid-record
            out.append(frame)
    return out


def same_but_ttl(a, b):
    """Two IPv4 packets equal but for the TTL and the header checksum (a
    router decrements one and updates the other)."""
    return len(a) == len(b) and a[:8] == b[:8] and a[9:10] == b[9:10] and a[12:] == b[12:]


def parse_ipv4(frame):
    """(src, dst, proto, ttl, header ok) of an Ethernet/IPv4 frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0xf) * 4
    dotted = lambda b: ".".join(str(x) for x in b)  # noqa: E731
    return (dotted(frame[26:30]), dotted(frame[30:34]), frame[23], frame[22],
            _csum(frame[14:14 + ihl]) == 0)


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def check_encap(frames, algo, size, limit=200):
    """What a peer sent toward the peer gateway, checked: Ethernet to the
    peer's MAC, outer IPv4 ours -> peer's, ESP with the outbound SA,
    increasing sequence numbers, and the VM's packet inside (TTL aside).
    Returns {frames, checked, errors (first 5), inner_ttl, outer_ttl}."""
    sa = Sa(algo, SPI_OUT)
    want = inner_packet(size, VM_IP, PEER_HOST)
    out = {"frames": len(frames), "checked": 0, "errors": [], "inner_ttl": None,
           "outer_ttl": None, "esp_frame_bytes": len(frames[0]) if frames else None}
    last_seq = 0
    for fr in frames[:limit]:
        ip = parse_ipv4(fr)
        err = None
        if ip is None:
            err = "not IPv4"
        elif mac_str(fr[0:6]) != PEER_MAC:
            err = "Ethernet destination %s, not the peer's %s" % (mac_str(fr[0:6]), PEER_MAC)
        elif ip[:3] != (GW_IP, PEER_IP, ESP_PROTO) or not ip[4]:
            err = "outer header %s" % (ip,)
        else:
            try:
                seq, inner = esp_decrypt(sa, fr)
            except Exception as e:  # ValueError, or cryptography's InvalidTag
                err = "ESP: %s" % (str(e) or type(e).__name__)
            else:
                if seq <= last_seq:
                    err = "sequence number %d after %d" % (seq, last_seq)
                elif not same_but_ttl(inner, want):
                    err = "inner packet differs"
                last_seq = seq
                out["inner_ttl"], out["outer_ttl"] = inner[8], ip[3]
        if err and len(out["errors"]) < 5:
            out["errors"].append(err)
        out["checked"] += 1
    out["ok"] = out["checked"] > 0 and not out["errors"]
    return out


def check_decap(frames, size, limit=200):
    """What a peer delivered to the VM, checked: to the VM's MAC, the remote
    host's packet (TTL aside)."""
    want = inner_packet(size, PEER_HOST, VM_IP)
    out = {"frames": len(frames), "checked": 0, "errors": [], "inner_ttl": None}
    for fr in frames[:limit]:
        err = None
        if mac_str(fr[0:6]) != VM_MAC:
            err = "Ethernet destination %s, not the VM's %s" % (mac_str(fr[0:6]), VM_MAC)
        elif parse_ipv4(fr) is None or not parse_ipv4(fr)[4]:
            err = "not a valid IPv4 packet"
        elif not same_but_ttl(fr[14:], want):
            err = "inner packet differs"
        else:
            out["inner_ttl"] = fr[22]
        if err and len(out["errors"]) < 5:
            out["errors"].append(err)
        out["checked"] += 1
    out["ok"] = out["checked"] > 0 and not out["errors"]
    return out


def remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass
