# SPDX-License-Identifier: BSD-3-Clause
"""vsw encrypts, scapy decrypts: the ESP engine re-encrypts the inner packets
of tests/unit/data/esp_scapy_vectors.json (every algorithm, ESN on/off, plain
and UDP-encapsulated) through the unit-test binary in export mode
(VSW_ESP_EXPORT), and python3-scapy's independent ESP implementation must
recover each original inner packet exactly. (The other direction, scapy
encrypts and vsw decrypts, is test_scapy_cross_check in test_esp.)
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "tools"))

import esp_scapy_vectors  # noqa: E402


def main():
    build = os.environ.get("VSW_BUILD", os.path.join(TOP, "build"))
    exe = os.path.join(build, "tests", "unit", "test_esp")
    if not os.access(exe, os.X_OK):
        print("FAIL: %s not built" % exe)
        print("RESULT: 0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="vsw-esp-scapy-") as tmp:
        out = os.path.join(tmp, "vsw_esp.json")
        env = dict(os.environ, VSW_ESP_EXPORT=out)
        proc = subprocess.run([exe], env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        if proc.returncode != 0 or not os.path.exists(out):
            print(proc.stdout[-2000:], proc.stderr[-2000:])
            print("FAIL: export failed (rc %d)" % proc.returncode)
            print("RESULT: 0 passed, 1 failed")
            return 1
        # check() prints one FAIL line per case and the RESULT line.
        return esp_scapy_vectors.check([out])


if __name__ == "__main__":
    sys.exit(main())
