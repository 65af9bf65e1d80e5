# SPDX-License-Identifier: BSD-3-Clause
"""What every peer of the L2 benchmark shares: processes started in their own
process group and stopped by PID with timeouts, the DPDK telemetry client,
the memory mode (2 MB hugepages taken and given back exactly, or --no-huge),
and facts about the CPU."""

import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import time


class PeerUnavailable(Exception):
    """The peer cannot run here; the message says why (shown as
    'not available: MESSAGE')."""


def _die_with_parent():
    """In the child before exec: get SIGKILL when the runner dies, so that
    not even a runner killed with SIGKILL leaves a peer running."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Proc:
    """One child process in its own session and process group. Stopped by its
    PID only: a polite signal, then SIGTERM, then SIGKILL to its group."""

    def __init__(self, name, argv, log_path, env=None, stdin=None, cwd=None):
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self._log.write(("$ %s\n" % " ".join(shlex_quote(a) for a in argv)).encode())
        self._log.flush()
        self.p = subprocess.Popen(
            self.argv, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            env=env, cwd=cwd, start_new_session=True, preexec_fn=_die_with_parent)
        self.pid = self.p.pid
        REGISTRY.add(self)

    def alive(self):
        return self.p.poll() is None

    def write(self, text):
        """Send a line to the child's stdin (interactive testpmd)."""
        if self.p.stdin is None or not self.alive():
            return False
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def _signal_group(self, sig):
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, first_signal=signal.SIGINT, timeout=10.0):
        """Stop the child and everything in its group; True when it exited
        before SIGKILL was needed."""
        polite = True
        if self.alive():
            for sig, wait in ((first_signal, timeout), (signal.SIGTERM, 5.0),
                              (signal.SIGKILL, 5.0)):
                if sig == signal.SIGKILL:
                    polite = False
                self._signal_group(sig)
                try:
                    self.p.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # A child that exited may have left members of its group behind.
        self._signal_group(signal.SIGKILL)
        if self.p.stdin is not None:
            try:
                self.p.stdin.close()
            except OSError:
                pass
        self._log.close()
        REGISTRY.discard(self)
        return polite

    def log_has(self, text):
        try:
            with open(self.log_path, "rb") as f:
                return text.encode() in f.read()
        except OSError:
            return False

    def wait_log(self, text, timeout, what=None):
        """Wait until the child printed text; RuntimeError with its log tail
        when it exits or times out first."""
        try:
            wait_for(lambda: self.log_has(text) or not self.alive(), timeout,
                     what=what or repr(text))
        except TimeoutError as e:
            raise RuntimeError("%s: %s\n%s" % (self.name, e, self.log_tail()))
        if not self.log_has(text):
            raise RuntimeError("%s exited (status %s)\n%s"
                               % (self.name, self.p.returncode, self.log_tail()))

    def log_tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""


class _Registry:
    """Every Proc still running, so that an interrupted run stops them all."""

    def __init__(self):
        self.procs = []

    def add(self, p):
        self.procs.append(p)

    def discard(self, p):
        if p in self.procs:
            self.procs.remove(p)

    def stop_all(self):
        for p in list(reversed(self.procs)):
            p.stop(timeout=5.0)


REGISTRY = _Registry()


def shlex_quote(s):
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", s or "x"):
        return s
    return "'" + s.replace("'", "'\"'\"'") + "'"


def run(argv, timeout=20.0, env=None, check=True):
    """Run a short command; return its stdout. Raises RuntimeError with its
    stderr when it fails and check is set."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise RuntimeError("%s: no answer in %.0f s" % (argv[0], timeout))
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (
            " ".join(argv[:4]), r.returncode, (r.stderr or r.stdout).strip()[:400]))
    return r.stdout


def wait_for(pred, timeout, interval=0.2, what="condition"):
    """Poll pred() until it returns a true value; return that value.
    Raises TimeoutError naming what."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # the thing polled may not exist yet
            last_exc = e
        if time.monotonic() >= deadline:
            msg = "timed out after %.0f s waiting for %s" % (timeout, what)
            if last_exc is not None:
                msg += " (last error: %s)" % last_exc
            raise TimeoutError(msg)
        time.sleep(interval)


# ---------------------------------------------------------------- DPDK bits

def dpdk_runtime_dir(prefix):
    """Where EAL keeps a process's runtime files (and its telemetry socket):
    /var/run/dpdk/PREFIX for root, $XDG_RUNTIME_DIR/dpdk/PREFIX otherwise."""
    base = "/var/run" if os.getuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def remove_dpdk_runtime_dir(prefix):
    """EAL leaves its runtime dir behind; remove ours (never another's)."""
    d = dpdk_runtime_dir(prefix)
    if not prefix or not os.path.isdir(d):
        return
    for name in os.listdir(d):
        try:
            os.unlink(os.path.join(d, name))
        except OSError:
            pass
    try:
        os.rmdir(d)
    except OSError:
        pass


class Telemetry:
    """Client of DPDK's telemetry socket (dpdk_telemetry.v2). Reconnects once
    when the application dropped the connection (testpmd does while its
    vhost ports start)."""

    def __init__(self, prefix, timeout=5.0):
        self.path = os.path.join(dpdk_runtime_dir(prefix), "dpdk_telemetry.v2")
        self.timeout = timeout
        self.s = None
        self._connect()

    def _connect(self):
        self.close()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(self.timeout)
        try:
            s.connect(self.path)
            hello = json.loads(s.recv(16384).decode())
        except (OSError, ValueError):
            s.close()
            raise
        self.s = s
        self.max_len = int(hello.get("max_output_len", 16384))

    def query(self, cmd):
        for attempt in (0, 1):
            try:
                if self.s is None:
                    self._connect()
                self.s.send(cmd.encode())
                reply = json.loads(self.s.recv(self.max_len + 1024).decode())
                return reply.get(cmd.split(",", 1)[0])
            except (OSError, ValueError):
                self.close()
                if attempt:
                    raise
        return None

    def port_stats(self, port):
        return self.query("/ethdev/stats,%d" % port) or {}

    def link_up(self, port):
        st = self.query("/ethdev/link_status,%d" % port) or {}
        return st.get("status") == "UP"

    def close(self):
        if self.s is not None:
            try:
                self.s.close()
            except OSError:
                pass
            self.s = None


def telemetry_connect(prefix, timeout):
    return wait_for(lambda: Telemetry(prefix), timeout,
                    what="DPDK telemetry socket of %s" % prefix)


# ------------------------------------------------------------- memory mode

HUGEPAGES_2M = "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"


class MemoryMode:
    """How every peer gets its DPDK memory in one run: the same for all.

    huge=True: take `pages` more 2 MB hugepages, mount hugetlbfs in our own
    temp dir; close() unmounts it and gives back exactly the pages taken.
    huge=False: every peer runs with --no-huge (anonymous memory)."""

    def __init__(self, huge, tmpdir, memory_mb, pages=0, sysfs=HUGEPAGES_2M,
                 mounter=None):
        self.huge = huge
        self.memory_mb = memory_mb
        self.pages_wanted = pages
        self.sysfs = sysfs
        self.huge_dir = os.path.join(tmpdir, "hugetlbfs")
        self.taken = 0
        self.prev = None
        self.mounted = False
        self._mounter = mounter or _SystemMounter()

    @property
    def name(self):
        return "hugepages-2M" if self.huge else "no-huge"

    def _read(self):
        with open(self.sysfs) as f:
            return int(f.read().strip())

    def _write(self, n):
        with open(self.sysfs, "w") as f:
            f.write("%d\n" % n)

    def open(self):
        if not self.huge:
            return
        if not os.path.exists(self.sysfs):
            raise PeerUnavailable("no 2 MB hugepage support (%s missing)" % self.sysfs)
        self.prev = self._read()
        try:
            self._write(self.prev + self.pages_wanted)
        except OSError as e:
            raise PeerUnavailable("cannot allocate hugepages (%s): run as root or use --no-huge"
                                  % e)
        now = self._read()
        self.taken = max(0, now - self.prev)
        if self.taken < self.pages_wanted:
            msg = ("the kernel gave only %d of %d 2 MB hugepages; use --no-huge"
                   % (self.taken, self.pages_wanted))
            self._give_back()
            raise PeerUnavailable(msg)
        os.makedirs(self.huge_dir, exist_ok=True)
        try:
            self._mounter.mount(self.huge_dir)
        except Exception as e:
            self._give_back()
            raise PeerUnavailable("cannot mount hugetlbfs on %s: %s" % (self.huge_dir, e))
        self.mounted = True

    def _give_back(self):
        if self.taken:
            # Give back what we took even if someone else changed the pool
            # meanwhile: their pages stay theirs.
            self._write(max(0, self._read() - self.taken))
            self.taken = 0

    def close(self):
        """Unmount what we mounted and give back exactly the pages we took.
        Returns a list of problems (empty when all was restored)."""
        problems = []
        if self.mounted:
            try:
                self._mounter.umount(self.huge_dir)
                self.mounted = False
            except Exception as e:
                problems.append("umount %s: %s" % (self.huge_dir, e))
        if self.taken and not self.mounted:
            want = self._read() - self.taken
            try:
                self._give_back()
            except OSError as e:
                problems.append("restore nr_hugepages: %s" % e)
            now = self._read()
            if now != want:
                problems.append("nr_hugepages is %d, wanted %d (pages still in use?)" % (now, want))
        return problems

    def remove_files(self, prefix):
        """Hugepage files a stopped process left behind (they hold pages)."""
        if not (self.huge and self.mounted and prefix):
            return
        for name in os.listdir(self.huge_dir):
            if name.startswith(prefix):
                try:
                    os.unlink(os.path.join(self.huge_dir, name))
                except OSError:
                    pass

    def eal_args(self):
        """EAL arguments for testpmd-like applications."""
        if self.huge:
            # One file per memseg list rather than per page: virtio-user can
            # share at most 8 memory regions with its vhost-user backend.
            return ["-m", str(self.memory_mb), "--huge-dir", self.huge_dir,
                    "--single-file-segments"]
        return ["-m", str(self.memory_mb), "--no-huge"]


class _SystemMounter:
    def mount(self, path):
        run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", path], timeout=20)

    def umount(self, path):
        run(["umount", path], timeout=20)


# -------------------------------------------------------------- CPU facts

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def tsc_hz():
    """(Hz, source): the TSC frequency from the kernel log when it is there,
    else the nominal 'cpu MHz' of /proc/cpuinfo."""
    try:
        out = run(["dmesg"], timeout=10, check=False)
        best = None
        for line in out.splitlines():
            m = re.search(r"tsc: Refined TSC clocksource calibration: ([0-9.]+) MHz", line)
            if m:
                return float(m.group(1)) * 1e6, "kernel TSC calibration (dmesg)"
            m = re.search(r"tsc: Detected ([0-9.]+) MHz", line)
            if m:
                best = float(m.group(1)) * 1e6
        if best:
            return best, "kernel TSC detection (dmesg)"
    except (RuntimeError, OSError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":", 1)[1]) * 1e6, "/proc/cpuinfo cpu MHz"
    except (OSError, ValueError):
        pass
    return 0.0, "unknown"


def perf_cycles_supported():
    """(bool, why): whether `perf stat -e cycles` counts here (often not in
    a VM)."""
    try:
        r = subprocess.run(["perf", "stat", "-e", "cycles", "-x", ",", "true"],
                           capture_output=True, text=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "perf not usable: %s" % e
    txt = r.stderr + r.stdout
    if r.returncode != 0 or "not supported" in txt or "not counted" in txt:
        return False, "perf stat -e cycles: %s" % (txt.strip().splitlines() or ["failed"])[0][:120]
    return True, "perf stat -e cycles works"


class PerfCycles:
    """`perf stat -C CPU -e cycles` over a measurement window."""

    def __init__(self, cpu, log_path):
        self.proc = Proc("perf", ["perf", "stat", "-C", str(cpu), "-e", "cycles",
                                  "-x", ",", "-o", log_path + ".csv", "--", "sleep", "3600"],
                         log_path)
        self.csv = log_path + ".csv"

    def finish(self):
        self.proc.stop(first_signal=signal.SIGINT, timeout=5)
        try:
            with open(self.csv) as f:
                for line in f:
                    parts = line.strip().split(",")
                    if len(parts) > 2 and parts[2].startswith("cycles") and parts[0].isdigit():
                        return int(parts[0])
        except OSError:
            pass
        return None
