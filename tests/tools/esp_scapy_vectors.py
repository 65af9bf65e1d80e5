#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""ESP test vectors from scapy's independent implementation (scapy.layers.ipsec).

  esp_scapy_vectors.py gen [--json OUT.json] [--pcap OUT.pcap]
      Encrypts known inner packets with scapy's SecurityAssociation for every
      algorithm vsw supports, ESN on/off, plain and UDP-encapsulated (RFC
      3948), and writes the parameters with hex packets as JSON (the cmocka
      suite test_esp decrypts them with vsw's engine) and optionally a pcap.
  esp_scapy_vectors.py check IN.json
      Decrypts packets that vsw's engine wrote (same JSON shape) with scapy
      and compares them with the expected inner packets; prints
      'RESULT: N passed, M failed'.

scapy 2.5 signs ESP without the ESN high bits (its ESN support covers AEAD
and AH only), so for CBC+HMAC with ESN the ICV is computed here with scapy's
own HMAC objects over ESP || seq_hi, as RFC 4303 §3.3.2.1 says.
"""
import json
import struct
import sys

from scapy.all import IP, UDP, Ether, Raw, raw, wrpcap
from scapy.layers.ipsec import ESP, SecurityAssociation

# vsw's algorithm name -> (scapy crypt algo, AES key bytes, scapy auth algo)
ALGOS = {
    "aes-128-gcm-16": ("AES-GCM", 16, None),
    "aes-256-gcm-16": ("AES-GCM", 32, None),
    "aes-128-cbc+hmac-sha1-96": ("AES-CBC", 16, "HMAC-SHA1-96"),
    "aes-256-cbc+hmac-sha1-96": ("AES-CBC", 32, "HMAC-SHA1-96"),
    "aes-128-cbc+hmac-sha256-128": ("AES-CBC", 16, "SHA2-256-128"),
    "aes-256-cbc+hmac-sha256-128": ("AES-CBC", 32, "SHA2-256-128"),
}
AUTH_KEY_LEN = {"HMAC-SHA1-96": 20, "SHA2-256-128": 32}
TUN_SRC, TUN_DST = "192.0.2.1", "198.51.100.2"


def keys_for(algo, index):
    crypt, klen, auth = ALGOS[algo]
    enc = bytes((7 * index + 3 * i + 1) & 0xff for i in range(klen))
    if crypt == "AES-GCM":
        enc += bytes((0xa0 + index + i) & 0xff for i in range(4))  # salt
    akey = b""
    if auth:
        akey = bytes((11 * index + 5 * i + 2) & 0xff
                     for i in range(AUTH_KEY_LEN[auth]))
    return enc, akey


def make_sa(case):
    crypt, _, auth = ALGOS[case["algo"]]
    seq = case["seq"]
    kw = dict(crypt_algo=crypt, crypt_key=bytes.fromhex(case["enc_key"]),
              tunnel_header=IP(src=case["src"], dst=case["dst"]),
              esn_en=case["esn"], esn=seq >> 32)
    if auth:
        kw.update(auth_algo=auth, auth_key=bytes.fromhex(case["auth_key"]))
    if case["udp"]:
        kw["nat_t_header"] = UDP(sport=case["sport"], dport=case["dport"])
    return SecurityAssociation(ESP, spi=case["spi"], **kw)


def esn_hmac_icv(sa, esp_bytes, seq_hi):
    mac = sa.auth_algo.new_mac(sa.auth_key)
    mac.update(esp_bytes + struct.pack("!L", seq_hi))
    return mac.finalize()[:sa.auth_algo.icv_size]


def inner_packet(index, size):
    pkt = IP(src="10.1.0.%d" % (1 + index % 200), dst="10.2.0.%d" % (1 + index % 100),
             id=index, tos=(index * 4) & 0xfc) / UDP(sport=1000 + index, dport=53)
    fill = size - len(pkt)
    return raw(pkt / Raw(bytes((index + i) & 0xff for i in range(fill))))


def encrypt_case(case):
    sa = make_sa(case)
    crypt, _, auth = ALGOS[case["algo"]]
    seq = case["seq"]
    inner = IP(bytes.fromhex(case["inner"]))
    if crypt == "AES-GCM":
        iv = struct.pack("!Q", seq)  # what vsw sends: IV = sequence number
    else:
        iv = bytes((case["spi"] + i) & 0xff for i in range(16))
    pkt = sa.encrypt(inner, seq_num=seq & 0xffffffff, iv=iv)
    if auth and case["esn"]:
        # Replace scapy's (ESN-less) ICV by the RFC 4303 one.
        esp = pkt[ESP]
        icv_len = sa.auth_algo.icv_size
        body = raw(esp)[:-icv_len]
        icv = esn_hmac_icv(sa, body, seq >> 32)
        esp.data = esp.data[:-icv_len] + icv
    return raw(pkt)


def gen(argv):
    json_out = "tests/unit/data/esp_scapy_vectors.json"
    pcap_out = None
    if "--json" in argv:
        json_out = argv[argv.index("--json") + 1]
    if "--pcap" in argv:
        pcap_out = argv[argv.index("--pcap") + 1]
    cases = []
    index = 0
    for algo in ALGOS:
        for esn in (False, True):
            for udp in (False, True):
                sizes = [28, 93, 600]
                if not esn and not udp:
                    sizes.append(1420)
                for size in sizes:
                    index += 1
                    enc, akey = keys_for(algo, index)
                    # ESN cases sit just past 2^32 so the high bits matter.
                    seq = (1 << 32) + 3 + index if esn else 1000 + index
                    case = dict(name="%s esn=%d udp=%d %dB" % (algo, esn, udp, size),
                                algo=algo, spi=0x1000 + index, enc_key=enc.hex(),
                                auth_key=akey.hex(), esn=esn, seq=seq, udp=udp,
                                sport=4500, dport=4500, src=TUN_SRC, dst=TUN_DST,
                                inner=inner_packet(index, size).hex())
                    case["packet"] = encrypt_case(case).hex()
                    cases.append(case)
    doc = {"generator": "tests/tools/esp_scapy_vectors.py (scapy.layers.ipsec)",
           "cases": cases}
    with open(json_out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    if pcap_out:
        wrpcap(pcap_out, [Ether() / IP(bytes.fromhex(c["packet"])) for c in cases])
    print("%d cases -> %s" % (len(cases), json_out))
    return 0


def decrypt_case(case):
    """Inner packet bytes scapy recovers from vsw's packet, or raises."""
    sa = make_sa(case)
    crypt, _, auth = ALGOS[case["algo"]]
    pkt = IP(bytes.fromhex(case["packet"]))
    if case["udp"]:
        # scapy's ISAKMP layer may claim UDP 4500: dissect the ESP explicitly.
        esp_bytes = raw(pkt[UDP].payload)
        pkt[UDP].remove_payload()
        pkt[UDP].add_payload(ESP(esp_bytes))
    esp = pkt[ESP]
    if esp.spi != case["spi"]:
        raise ValueError("SPI %#x != %#x" % (esp.spi, case["spi"]))
    if esp.seq != case["seq"] & 0xffffffff:
        raise ValueError("seq %d != %d" % (esp.seq, case["seq"] & 0xffffffff))
    verify = True
    if auth and case["esn"]:
        icv_len = sa.auth_algo.icv_size
        body = raw(esp)[:-icv_len]
        if esn_hmac_icv(sa, body, case["seq"] >> 32) != raw(esp)[-icv_len:]:
            raise ValueError("ESN HMAC ICV mismatch")
        verify = False
    if case["udp"] and (pkt[UDP].dport != case["dport"] or pkt[UDP].sport != case["sport"]):
        raise ValueError("UDP ports")
    if pkt[IP].src != case["src"] or pkt[IP].dst != case["dst"]:
        raise ValueError("tunnel addresses")
    out = sa.decrypt(pkt, verify=verify)
    return raw(out)


def check(argv):
    with open(argv[0]) as f:
        doc = json.load(f)
    passed = failed = 0
    for case in doc["cases"]:
        try:
            got = decrypt_case(case)
            if got != bytes.fromhex(case["inner"]):
                raise ValueError("inner differs")
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every case
            failed += 1
            print("FAIL %s: %s" % (case["name"], e))
    print("RESULT: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "gen":
        sys.exit(gen(sys.argv[2:]))
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2:]))
    print(__doc__)
    sys.exit(2)
