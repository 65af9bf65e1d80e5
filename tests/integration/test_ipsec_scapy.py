# SPDX-License-Identifier: BSD-3-Clause
"""IPsec through a running vswd, cross-checked with scapy's independent ESP
implementation (scapy.layers.ipsec.SecurityAssociation).

One vswd is site A: a router with an external gateway on a flat uplink
(198.51.100.0/24, a veth whose other end is namespace "peer") and a LAN
10.1.0.0/24 with VM a. The peer namespace (198.51.100.20, it answers ARP)
plays site B (10.2.0.0/24): the test process encrypts and decrypts with
scapy and the peer only sends and sniffs raw frames.

  inbound:  scapy encrypts ICMP/UDP packets 10.2.0.5 -> VM a with A's
            inbound SA; VM a must receive exactly the inner packets (TTL one
            less, the router forwarded them).
  outbound: VM a sends UDP datagrams to 10.2.0.5; A encrypts them with its
            outbound SA and scapy, given the SA, must recover exactly the
            original datagrams (TTL one less).

Every supported algorithm, with ESN off and on, plain ESP and UDP-
encapsulated ESP (RFC 3948). scapy 2.5 leaves the ESN high bits out of HMAC
ICVs (its ESN covers AEAD only), so for CBC+HMAC with ESN the ICV is
computed here with scapy's own HMAC over ESP || seq_hi (RFC 4303 3.3.2.1).
"""
import struct

from scapy.all import ICMP, IP, UDP, Ether, Raw, raw
from scapy.layers.ipsec import ESP, SecurityAssociation

import l3util
import vswtest

PEER_IP = "198.51.100.20"
PEER_MAC = "02:00:5e:00:64:14"
PEER_NET = "10.2.0.0/24"
PEER_HOST = "10.2.0.5"
LAN_NET = "10.1.0.0/24"
VM_IP = "10.1.0.10"

# vsw algorithm -> (API fields, AES key bytes, scapy crypt, scapy auth, auth key bytes)
ALGOS = {
    "gcm128": ({"encryption_algorithm": "aes-128-gcm-16"}, 16, "AES-GCM", None, 0),
    "gcm256": ({"encryption_algorithm": "aes-256-gcm-16"}, 32, "AES-GCM", None, 0),
    "cbc128-sha1": ({"encryption_algorithm": "aes-128", "auth_algorithm": "sha1"}, 16,
                    "AES-CBC", "HMAC-SHA1-96", 20),
    "cbc256-sha256": ({"encryption_algorithm": "aes-256", "auth_algorithm": "sha256"}, 32,
                      "AES-CBC", "SHA2-256-128", 32),
}
MODES = [(False, False), (True, False), (False, True), (True, True)]  # (esn, udp)


SINK = """
import socket, time
esp = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
nat_t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
nat_t.bind(("0.0.0.0", 4500))
time.sleep(600)
"""


class Sa:
    """Keys of one SA, its vswd body and the matching scapy SA."""

    def __init__(self, algo, spi, seed, esn, udp, src, dst):
        fields, klen, crypt, auth, alen = ALGOS[algo]
        self.algo, self.spi, self.esn, self.udp = algo, spi, esn, udp
        self.crypt, self.auth = crypt, auth
        self.key = bytes((seed * 7 + 3 * i + 1) & 0xff for i in range(klen))
        self.salt = bytes((seed + 0xa0 + i) & 0xff for i in range(4)) if crypt == "AES-GCM" else b""
        self.auth_key = bytes((seed * 11 + 5 * i + 2) & 0xff for i in range(alen))
        self.fields = dict(fields)
        kw = dict(crypt_algo=crypt, crypt_key=self.key + self.salt,
                  tunnel_header=IP(src=src, dst=dst), esn_en=esn, esn=0)
        if auth:
            kw.update(auth_algo=auth, auth_key=self.auth_key)
        if udp:
            kw["nat_t_header"] = UDP(sport=4500, dport=4500)
        self.scapy = SecurityAssociation(ESP, spi=spi, **kw)

    def body(self, conn_id, direction):
        b = dict(self.fields, connection_id=conn_id, direction=direction, spi=self.spi,
                 encryption_key=self.key.hex(), esn=self.esn)
        if self.salt:
            b["salt"] = self.salt.hex()
        if self.auth:
            b["auth_key"] = self.auth_key.hex()
        if self.udp:
            b["udp_encap"] = {"src_port": 4500, "dst_port": 4500}
        return b

    def _esn_icv(self, body):
        mac = self.scapy.auth_algo.new_mac(self.scapy.auth_key)
        mac.update(body + struct.pack("!L", 0))      # seq_hi: 0 for a fresh SA
        return mac.finalize()[:self.scapy.auth_algo.icv_size]

    def encrypt(self, inner, seq):
        """Outer IPv4 packet (bytes) carrying inner, sequence number seq."""
        pkt = self.scapy.encrypt(inner, seq_num=seq)
        if self.auth and self.esn:
            esp = pkt[ESP]
            n = self.scapy.auth_algo.icv_size
            esp.data = esp.data[:-n] + self._esn_icv(raw(esp)[:-n])
        return raw(pkt)

    def decrypt(self, ip_bytes):
        """(spi, seq, inner bytes) of an outer IPv4 packet; AssertionError
        when scapy cannot decrypt it or the ICV does not verify."""
        try:
            return self._decrypt(ip_bytes)
        except Exception as e:  # noqa: BLE001 - scapy raises several kinds
            raise AssertionError("scapy cannot decrypt %s with SA spi %#x: %s: %s" % (
                ip_bytes.hex(), self.spi, type(e).__name__, e)) from None

    def _decrypt(self, ip_bytes):
        pkt = IP(ip_bytes)
        if self.udp:
            # scapy may dissect UDP 4500 as ISAKMP: take the ESP explicitly.
            esp_bytes = raw(pkt[UDP].payload)
            pkt[UDP].remove_payload()
            pkt[UDP].add_payload(ESP(esp_bytes))
        esp = pkt[ESP]
        verify = True
        if self.auth and self.esn:
            n = self.scapy.auth_algo.icv_size
            if self._esn_icv(raw(esp)[:-n]) != raw(esp)[-n:]:
                raise ValueError("ESN HMAC ICV mismatch")
            verify = False
        spi, seq = esp.spi, esp.seq
        return spi, seq, raw(self.scapy.decrypt(pkt, verify=verify))


def forwarded(inner):
    """inner (bytes) as a router forwards it: TTL - 1, checksum redone."""
    p = IP(inner)
    p.ttl -= 1
    del p.chksum
    return raw(p)


def ip_of(frame):
    """The IPv4 packet of an Ethernet frame (L2 padding cut), or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    return frame[14:14 + struct.unpack("!H", frame[16:18])[0]]


def outer_info(pkt):
    """(src, dst, proto, udp ports or None, spi, flags) of an outer packet."""
    ihl = (pkt[0] & 0xf) * 4
    src, dst = ".".join(map(str, pkt[12:16])), ".".join(map(str, pkt[16:20]))
    flags = pkt[6] >> 5
    if pkt[9] == 50:
        return src, dst, 50, None, struct.unpack("!I", pkt[ihl:ihl + 4])[0], flags
    if pkt[9] == 17:
        ports = struct.unpack("!HH", pkt[ihl:ihl + 4])
        spi = struct.unpack("!I", pkt[ihl + 8:ihl + 12])[0] if len(pkt) >= ihl + 12 else 0
        return src, dst, 17, ports, spi, flags
    return src, dst, pkt[9], None, None, flags


class ScapyCrossCheck(l3util.L3Case):
    def setUp(self):
        super().setUp()
        r = self.rig
        self.peer = self.env.host("peer")
        self.peer.configure(mac=PEER_MAC, ip=PEER_IP, prefixlen=24)
        r.uplink("wan", self.peer.peer, "flat")
        ext = r.provider_network("ext", "wan", "flat", **{"router:external": True})
        r.subnet(ext, "198.51.100.0/24", gateway_ip=None,
                 allocation_pools=[{"start": "198.51.100.10", "end": "198.51.100.19"}])
        lan = r.network("lan")
        self.lan_sub = r.subnet(lan, LAN_NET)
        self.router = r.router("r", external_gateway_info={"network_id": ext["id"],
                                                           "enable_snat": False})
        r.add_interface(self.router, self.lan_sub)
        self.vm = r.vm(lan, "a", ip=VM_IP)
        self.lan_mac = l3util.router_mac(r, self.router, self.lan_sub)
        ike = r.call("ikepolicy.create", name="ike")
        ips = r.call("ipsecpolicy.create", name="ips")
        svc = r.call("vpnservice.create", name="vpn", router_id=self.router["id"],
                     subnet_id=self.lan_sub["id"])
        self.gw_ip = svc["external_v4_ip"]
        self.assertTrue(self.gw_ip and self.gw_ip.startswith("198.51.100.1"), svc)
        gw = [p for p in r.call("port.list")
              if p.get("device_owner") == "network:router_gateway" and
              p.get("device_id") == self.router["id"]]
        self.assertEqual(len(gw), 1, gw)
        self.gw_mac = gw[0]["mac_address"]
        self.conn = r.call("ipsec_site_connection.create", name="to-b",
                           vpnservice_id=svc["id"], ikepolicy_id=ike["id"],
                           ipsecpolicy_id=ips["id"], peer_address=PEER_IP, peer_id=PEER_IP,
                           peer_cidrs=[PEER_NET], psk="not-a-real-secret")
        self.spi = 0x1000
        # The peer's kernel has no SA: without these sockets it would answer
        # each ESP packet with an ICMP protocol (or port) unreachable.
        l3util.Proc(self.env, self.peer.argv([l3util.PY, "-c", SINK]), "sink")

    # --- helpers ----------------------------------------------------------

    def install(self, algo, esn, udp):
        """A's inbound and outbound SAs (scapy's view: in_sa encrypts toward
        A, out_sa decrypts what A sends). Waits until both are ACTIVE."""
        self.spi += 2
        seed = self.spi & 0xff
        in_sa = Sa(algo, self.spi, seed, esn, udp, PEER_IP, self.gw_ip)
        out_sa = Sa(algo, self.spi + 1, seed + 1, esn, udp, self.gw_ip, PEER_IP)
        ids = []
        for sa, direction in ((in_sa, "in"), (out_sa, "out")):
            o = self.rig.call("ipsec_sa.create", **sa.body(self.conn["id"], direction))
            ids.append(o["id"])
            self.assertNotIn("encryption_key", o, "keys are write-only")
        for i in ids:
            l3util.wait_until(
                lambda: self.rig.call("ipsec_sa.show", id=i)["status"] == "ACTIVE", 10,
                "SA %s ACTIVE: %s" % (i, self.rig.call("ipsec_sa.show", id=i)))
        return in_sa, out_sa, ids

    def remove(self, ids):
        for i in ids:
            try:
                self.rig.call("ipsec_sa.delete", id=i)
            except vswtest.RpcError as e:
                if e.code != 404 and e.type != "NotFound":
                    raise

    def sa_stats(self, sa_id):
        for s in self.rig.stats().get("ipsec_sas", []):
            if s["id"] == sa_id:
                return s
        raise AssertionError("SA %s not in stats.get ipsec_sas" % sa_id)

    def to_gateway(self, outer):
        return Ether(src=PEER_MAC, dst=self.gw_mac) / IP(outer)

    def inner_packets(self, tag):
        """ICMP echo, small and large UDP from the peer's host to VM a."""
        return [raw(IP(src=PEER_HOST, dst=VM_IP, id=0x100 + tag, ttl=64) /
                    ICMP(type=8, id=0x5a00 + tag, seq=1) / Raw(b"ping %d " % tag * 5)),
                raw(IP(src=PEER_HOST, dst=VM_IP, id=0x200 + tag, ttl=30, tos=0x20) /
                    UDP(sport=40000 + tag, dport=7777) /
                    Raw(bytes((tag + i) & 0xff for i in range(100)))),
                raw(IP(src=PEER_HOST, dst=VM_IP, id=0x300 + tag, ttl=64, flags="DF") /
                    UDP(sport=40000 + tag, dport=7778) /
                    Raw(bytes((3 * tag + i) & 0xff for i in range(1200))))]

    def datagrams(self, tag):
        """UDP datagrams VM a sends to the peer's host."""
        res = []
        for n, (size, df) in enumerate(((16, False), (300, True), (1300, False))):
            res.append(raw(IP(src=VM_IP, dst=PEER_HOST, id=0x700 + 16 * tag + n, ttl=64,
                              flags="DF" if df else 0) /
                           UDP(sport=5000 + n, dport=9000 + tag) /
                           Raw(bytes((tag * 5 + n + i) & 0xff for i in range(size)))))
        return res

    def esp_frames(self, frames, out_sa):
        """Outer packets from A that carry out_sa's SPI."""
        res = []
        for f in frames:
            pkt = ip_of(f)
            if pkt is None:
                continue
            info = outer_info(pkt)
            if info[4] == out_sa.spi and info[2] in (17, 50):
                res.append(pkt)
        return res

    def check_outer(self, pkt, out_sa):
        src, dst, proto, ports, spi, _ = outer_info(pkt)
        self.assertEqual((src, dst), (self.gw_ip, PEER_IP))
        if out_sa.udp:
            self.assertEqual((proto, ports), (17, (4500, 4500)), "UDP-encapsulated ESP")
        else:
            self.assertEqual(proto, 50, "plain ESP")
        self.assertEqual(spi, out_sa.spi)

    # --- the cross-check --------------------------------------------------

    def cross_check(self, algo, esn, udp):
        """One SA pair: checked, then deleted (one outbound SA per policy)."""
        in_sa, out_sa, ids = self.install(algo, esn, udp)
        try:
            self.check_pair(in_sa, out_sa, ids)
        finally:
            self.remove(ids)

    def check_pair(self, in_sa, out_sa, ids):
        tag = self.spi & 0x3f
        in_id, out_id = ids
        inners = self.inner_packets(tag)
        on_vm = self.vm.sniff()
        on_peer = self.peer.sniff()

        # scapy -> vsw: VM a gets exactly the inner packets.
        frames = [self.to_gateway(in_sa.encrypt(IP(p), seq)) for seq, p in
                  enumerate(inners, 1)]
        self.peer.send(frames)
        want = [forwarded(p) for p in inners]

        def delivered():
            got = [ip_of(f) for f in on_vm.frames()]
            return all(w in got for w in want) and got
        try:
            got = l3util.wait_until(delivered, 10, "VM a to receive the inner packets")
        except AssertionError:
            got = [ip_of(f) for f in on_vm.frames()]
            self.fail("VM a got %s, wanted %s; SA in: %s; %s" % (
                [IP(g).summary() for g in got if g], [IP(w).summary() for w in want],
                self.sa_stats(in_id), self.diag()))
        mine = [g for g in got if g and IP(g).src == PEER_HOST]
        self.assertEqual(len(mine), len(want), "each inner packet once: %s" %
                         [IP(g).summary() for g in mine])
        st = self.sa_stats(in_id)
        self.assertEqual(st["packets"], len(inners), st)
        self.assertEqual(sum(st["drops"].values()), 0, st)

        # vsw -> scapy: the datagrams VM a sends come out as ESP that scapy
        # decrypts to exactly what VM a sent, forwarded once.
        dgrams = self.datagrams(tag)
        self.vm.send([Ether(src=self.vm.mac, dst=self.lan_mac) / IP(d) for d in dgrams])
        want = [forwarded(d) for d in dgrams]

        def decrypted():
            res = []
            for pkt in self.esp_frames(on_peer.frames(), out_sa):
                res.append((pkt,) + out_sa.decrypt(pkt))
            return res if all(w in [r[3] for r in res] for w in want) else None
        try:
            l3util.wait_until(decrypted, 10, "ESP of VM a's datagrams at the peer")
        except AssertionError as e:
            seen = [outer_info(ip_of(f)) for f in on_peer.frames() if ip_of(f)]
            self.fail("%s; peer saw %s (SA out spi %#x); SA out: %s; %s" % (
                e, seen, out_sa.spi, self.sa_stats(out_id), self.diag()))
        on_vm.stop(settle=0)
        frames = on_peer.stop(settle=0.3)
        res = [(pkt,) + out_sa.decrypt(pkt) for pkt in self.esp_frames(frames, out_sa)]
        seqs = [r[2] for r in res]
        self.assertEqual(seqs, list(range(1, len(res) + 1)),
                         "sequence numbers start at 1, one per packet, in order")
        for pkt, spi, seq, inner in res:
            self.check_outer(pkt, out_sa)
            self.assertEqual(IP(inner).src, VM_IP, IP(inner).summary())
            self.assertEqual(IP(inner).dst, PEER_HOST, IP(inner).summary())
            if inner in want:
                # RFC 4301 5.1.2.1 default: the outer DF is the inner DF.
                self.assertEqual(outer_info(pkt)[5] & 2, IP(inner).flags.value & 2,
                                 "outer DF copies the inner DF")
        for d, w in zip(dgrams, want):
            self.assertEqual(IP(w).ttl, IP(d).ttl - 1)
            self.assertEqual([r[3] for r in res].count(w), 1, "once: %s" % IP(w).summary())
        # VM a answered the echo request through the tunnel too.
        replies = [IP(r[3]) for r in res if IP(r[3]).haslayer(ICMP) and
                   IP(r[3])[ICMP].type == 0 and IP(r[3])[ICMP].id == 0x5a00 + tag]
        self.assertEqual(len(replies), 1, "echo reply from VM a, encrypted")
        self.assertEqual(replies[0][ICMP].load, IP(inners[0])[ICMP].load)
        st = self.sa_stats(out_id)
        self.assertEqual(st["packets"], len(res), st)
        self.assertEqual(sum(st["drops"].values()), 0, st)

    def matrix(self, algo):
        """Every (ESN, UDP) mode of algo; all run, failures reported together
        (one result per test for run_all)."""
        failures = []
        for esn, udp in MODES:
            try:
                self.cross_check(algo, esn, udp)
            except Exception as e:  # noqa: BLE001 - every mode runs, all reported
                failures.append("%s esn=%s udp=%s: %s: %s" % (algo, esn, udp,
                                                              type(e).__name__, e))
        if failures:
            self.fail("\n".join(failures))

    def test_aes_128_gcm(self):
        self.matrix("gcm128")

    def test_aes_256_gcm(self):
        self.matrix("gcm256")

    def test_aes_128_cbc_hmac_sha1(self):
        self.matrix("cbc128-sha1")

    def test_aes_256_cbc_hmac_sha256(self):
        self.matrix("cbc256-sha256")

    def test_wrong_key_or_esn_mismatch_is_refused_not_delivered(self):
        """scapy packets with the right SPI but a wrong key, or without the
        ESN high bits the SA expects, fail the ICV: counted, not delivered,
        and the replay window does not move."""
        for algo in ("gcm128", "cbc128-sha1"):
            in_sa, _, ids = self.install(algo, True, False)
            try:
                self.forged_then_genuine(algo, in_sa, ids[0])
            finally:
                self.remove(ids)

    def forged_then_genuine(self, algo, in_sa, in_id):
        wrong_key = Sa(algo, in_sa.spi, 0x77, True, False, PEER_IP, self.gw_ip)
        no_esn = Sa(algo, in_sa.spi, in_sa.spi & 0xff, False, False, PEER_IP, self.gw_ip)
        inner = self.inner_packets(1)[0]
        on_vm = self.vm.sniff()
        self.peer.send([self.to_gateway(wrong_key.encrypt(IP(inner), 1)),
                        self.to_gateway(no_esn.encrypt(IP(inner), 2))])
        try:
            l3util.wait_until(lambda: self.sa_stats(in_id)["drops"]["icv"] >= 2, 10,
                              "2 ICV drops")
        except AssertionError as e:
            self.fail("%s %s: %s; %s" % (algo, e, self.sa_stats(in_id), self.diag()))
        # The forged packets did not move the window: seq 1 still passes.
        self.peer.send([self.to_gateway(in_sa.encrypt(IP(inner), 1))])
        l3util.wait_until(lambda: forwarded(inner) in [ip_of(f) for f in on_vm.frames()],
                          10, "the genuine packet after the forged ones (%s)" % algo)
        got = [ip_of(f) for f in on_vm.stop(settle=0.3)]
        self.assertEqual(got.count(forwarded(inner)), 1, algo)
        st = self.sa_stats(in_id)
        self.assertEqual((st["packets"], st["drops"]["icv"]), (1, 2), st)
        self.assertEqual(sum(st["drops"].values()), 2, st)


if __name__ == "__main__":
    vswtest.main()
