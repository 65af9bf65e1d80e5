# SPDX-License-Identifier: BSD-3-Clause
"""tshark reads vsw's ESP: the ESP engine encrypts the inner packets of
tests/unit/data/esp_scapy_vectors.json (the unit-test binary's export mode,
VSW_ESP_EXPORT), and Wireshark's dissector, given the SAs' keys, must see
valid ESP (SPI, sequence number), decrypt each packet to the original
inner IPv4 header, and never find an ICV bad (it verifies some). Sequence numbers
are 32-bit here: tshark's ESN support is not what is under test.
"""
import json
import os
import subprocess
import sys
import tempfile

from scapy.all import Ether, IP, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

ENCRYPTION = {
    "gcm": "AES-GCM with 16 octet ICV [RFC4106]",
    "cbc": "AES-CBC [RFC3602]",
}


def encryption(algo):
    return ENCRYPTION["gcm" if "gcm" in algo else "cbc"]


def authentication(algo):
    if "sha1" in algo:
        return "HMAC-SHA-1-96 [RFC2404]"
    if "sha256" in algo:
        return "HMAC-SHA-256-128 [RFC4868]"
    return "NULL"


def sa_option(case):
    auth_key = "0x" + case["auth_key"] if case["auth_key"] else ""
    return ["-o", 'uat:esp_sa:"IPv4","%s","%s","0x%08x","%s","0x%s","%s","%s"' % (
        case["src"], case["dst"], case["spi"], encryption(case["algo"]),
        case["enc_key"], authentication(case["algo"]), auth_key)]


def export(build, out):
    exe = os.path.join(build, "tests", "unit", "test_esp")
    env = dict(os.environ, VSW_ESP_EXPORT=out)
    proc = subprocess.run([exe], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    if proc.returncode != 0 or not os.path.exists(out):
        raise RuntimeError("export failed (rc %d): %s" % (proc.returncode, proc.stdout[-1000:]))
    with open(out) as f:
        return [c for c in json.load(f)["cases"] if not c["esn"]]


def dissect(pcap, cases):
    args = ["tshark", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE"]
    for c in cases:
        args += sa_option(c)
    args += ["-T", "fields", "-E", "separator=/t", "-e", "esp.spi", "-e", "esp.sequence",
             "-e", "ip.src", "-e", "ip.dst", "-e", "esp.icv_good", "-e", "esp.icv_bad"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    return proc.stdout.splitlines()


def check(cases, lines, verified):
    passed = failed = 0
    for case, line in zip(cases, lines):
        spi, seq, src, dst, good, bad = (line.split("\t") + [""] * 6)[:6]
        inner = IP(bytes.fromhex(case["inner"]))
        why = None
        if int(spi, 16) != case["spi"] or int(seq) != case["seq"]:
            why = "SPI/sequence %s/%s" % (spi, seq)
        elif src.split(",") != [case["src"], inner.src] or dst.split(",") != [case["dst"], inner.dst]:
            why = "not decrypted to the inner packet: %s -> %s" % (src, dst)
        elif bad == "1":
            why = "tshark finds the ICV bad"
        elif good == "1":
            verified[0] += 1
        if why:
            failed += 1
            print("FAIL: %s: %s" % (case["name"], why))
        else:
            passed += 1
    missing = len(cases) - len(lines)
    if missing > 0:
        print("FAIL: tshark printed %d lines for %d packets" % (len(lines), len(cases)))
        failed += missing
    return passed, failed


def main():
    build = os.environ.get("VSW_BUILD", os.path.join(TOP, "build"))
    with tempfile.TemporaryDirectory(prefix="vsw-esp-tshark-") as tmp:
        try:
            cases = export(build, os.path.join(tmp, "vsw_esp.json"))
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
            print("FAIL: %s" % e)
            print("RESULT: 0 passed, 1 failed")
            return 1
        passed = failed = 0
        verified = [0]
        # One tshark per SA: given several SAs at once, tshark 4.0's
        # authentication check reuses one SA's HMAC key for the others.
        for case in cases:
            group = [case]
            frames = [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                      IP(bytes.fromhex(c["packet"])) for c in group]
            pcap = os.path.join(tmp, "%08x.pcap" % case["spi"])
            wrpcap(pcap, frames)
            p, f = check(group, dissect(pcap, group), verified)
            passed += p
            failed += f
    # tshark 4.0 verifies the ICV of some packets only (it leaves the rest
    # unchecked, never "bad"); at least some must be verified good.
    print("tshark verified %d ICVs good" % verified[0])
    if passed == 0 or verified[0] == 0:
        failed += 1
    print("RESULT: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
