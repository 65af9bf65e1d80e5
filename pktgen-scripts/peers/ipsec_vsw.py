# SPDX-License-Identifier: BSD-3-Clause
"""vsw as the IPsec benchmark's peer, configured through its API as a
Neutron VPNaaS client plus manual SAs would (as in
tests/integration/test_ipsec_tunnel.py): a flat uplink carrying an external
network 198.51.100.0/24, a LAN 10.1.0.0/24, a router with its gateway on the
external network and an interface on the LAN, the VM's port (fixed IP), the
peer gateway's port on the external network (fixed IP and MAC: l3_sync makes
it a static neighbour of the router, no ARP), an IKE and an IPsec policy, a
vpnservice, and SAs.

  encap   the VM's VNIC (net_pcap replay) sends to 10.2.0.10 through the
          router: SPD -> ESP -> the gateway interface -> the uplink, whose
          device is net_null; counted: the uplink's tx packets.
  decap   the peer's ESP frames come in on the external network and leave,
          decrypted and routed, through the VM's VNIC (net_null); counted:
          that VNIC's tx packets. They enter through a VNIC on the peer's
          port, not the uplink: the frames are a one-shot pcap (anti-replay
          refuses a replayed sequence number, so a looping pcap would be
          dropped after its first pass), and an uplink's device is polled
          from uplink.create on, before the router exists, while a VNIC's is
          polled only once plugged, after everything else.
  sas     encap with N outbound SAs on the vpnservice (selectors style:
          local 10.1.0.0/24, peer CIDRs 10.128.0.0/24, 10.128.1.0/24, ...
          disjoint), the traffic matching the first created SA.

Connection SAs (connection_id) for encap/decap; selectors-style SAs
(vpnservice_id + local_cidrs + peer_cidrs + peer_address) for sas, whose
creation is O(1) in the number of SAs."""

import json
import mmap
import os
import socket
import time

from .common import PeerUnavailable
from .ipsec_frames import (ALGOS, EXT, GW_IP, LAN, LAN_GW, PEER_IP, PEER_LAN, PEER_MAC, POOL,
                           SPI_IN, SPI_OUT, VM_IP, VM_MAC, Sa, inner_frames)
from .l3_frames import write_pcap
from .l3_vsw import ApiError, VswL3

ROUTER_GATEWAY = "network:router_gateway"
ROUTER_INTERFACE = "network:router_interface"


class ApiPipe:
    """A JSON-RPC connection to vswd's socket that keeps up to `window`
    requests in flight (10,000 creates one at a time through vswctl would
    take minutes of process starts)."""

    def __init__(self, path, timeout=120.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.sock.close()

    def _send(self, method, params):
        msg = {"jsonrpc": "2.0", "id": self.next_id, "method": method,
               "params": dict(params, admin=True)}
        self.next_id += 1
        self.sock.sendall((json.dumps(msg) + "\n").encode())

    def _recv(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("vswd closed the API connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        resp = json.loads(line)
        if "error" in resp:
            raise ApiError("call", json.dumps(resp["error"]))
        return resp["result"]

    def call(self, method, params=None):
        self._send(method, params or {})
        return self._recv()

    def call_many(self, method, params_list, window=128):
        """The results, in order; ApiError at the first refusal."""
        out, sent = [], 0
        while len(out) < len(params_list):
            while sent < len(params_list) and sent - len(out) < window:
                self._send(method, params_list[sent])
                sent += 1
            out.append(self._recv())
        return out


def ports_of(ports, owner, router_id):
    return [p for p in ports if p.get("device_owner") == owner and
            p.get("device_id") == router_id]


def set_pcap_dst_mac(path, mac):
    """Rewrites the destination MAC of every frame of a pcap whose frames
    all have one length (what write_esp_pcap makes), in place: a generated
    pcap serves every run although the router's MAC differs each time."""
    mb = bytes(int(x, 16) for x in mac.split(":"))
    with open(path, "r+b") as f:
        mm = mmap.mmap(f.fileno(), 0)
        try:
            if len(mm) < 40:
                return 0
            flen = int.from_bytes(mm[32:36], "little")
            stride = 16 + flen
            n = (len(mm) - 24) // stride
            if 24 + n * stride != len(mm):
                raise ValueError("%s: frames of different lengths" % path)
            for j in range(6):
                mm[40 + j:24 + n * stride:stride] = bytes([mb[j]]) * n
            mm.flush()
            return n
        finally:
            mm.close()


class VswIpsec(VswL3):
    """vsw with a router, a vpnservice and SAs; one instance per run."""

    name = "vsw"
    label = "vsw"

    def __init__(self, ctx, algo="gcm", n_sas=1, selectors=False):
        """n_sas > 1 or selectors: selectors-style outbound SAs (sas)."""
        super().__init__(ctx)
        self.algo = algo
        self.n_sas = n_sas
        self.selectors = selectors or n_sas > 1
        self.api = None

    # ---------------------------------------------------------- topology
    def _pipe(self):
        if self.api is None:
            self.api = ApiPipe(os.path.join(self.dir, "vsw.sock"))
        return self.api

    def _site(self, uplink_devargs):
        """Everything but the SAs and the VNICs: returns (router, lan
        network, ext network, VM port, peer port, vpnservice)."""
        self.uplink = "wan"
        self.call("uplink.create", {"name": self.uplink, "devargs": uplink_devargs,
                                    "role": "flat"})
        ext = self.call("network.create", {"name": "ext", "provider:network_type": "flat",
                                           "provider:physical_network": self.uplink,
                                           "router:external": True})
        ext_sub = self.call("subnet.create", {
            "network_id": ext["id"], "cidr": EXT, "ip_version": 4, "gateway_ip": None,
            "enable_dhcp": False, "allocation_pools": [{"start": POOL[0], "end": POOL[1]}]})
        lan = self.call("network.create", {"name": "lan"})
        lan_sub = self.call("subnet.create", {"network_id": lan["id"], "cidr": LAN,
                                              "gateway_ip": LAN_GW, "ip_version": 4,
                                              "enable_dhcp": False})
        router = self.call("router.create", {"name": "r", "external_gateway_info": {
            "network_id": ext["id"], "enable_snat": False}})
        self.call("router.add_interface", {"id": router["id"], "subnet_id": lan_sub["id"]})
        vm = self.call("port.create", {"network_id": lan["id"], "name": "vm",
                                       "mac_address": VM_MAC,
                                       "fixed_ips": [{"ip_address": VM_IP}],
                                       "port_security_enabled": False})
        peer = self.call("port.create", {"network_id": ext["id"], "name": "peer",
                                         "mac_address": PEER_MAC,
                                         "fixed_ips": [{"ip_address": PEER_IP,
                                                        "subnet_id": ext_sub["id"]}],
                                         "port_security_enabled": False})
        self.ike = self.call("ikepolicy.create", {"name": "ike"})
        self.ips = self.call("ipsecpolicy.create", {"name": "ips"})
        svc = self.call("vpnservice.create", {"name": "vpn", "router_id": router["id"],
                                              "subnet_id": lan_sub["id"]})
        if svc.get("external_v4_ip") != GW_IP:
            raise RuntimeError("the vpnservice's address is %s, the frames are made for %s"
                               % (svc.get("external_v4_ip"), GW_IP))
        ports = self.call("port.list")
        self.router_lan_mac = ports_of(ports, ROUTER_INTERFACE, router["id"])[0]["mac_address"]
        self.router_ext_mac = ports_of(ports, ROUTER_GATEWAY, router["id"])[0]["mac_address"]
        self.facts.update(router_lan_mac=self.router_lan_mac,
                          router_gateway_mac=self.router_ext_mac,
                          vpn_external_ip=svc["external_v4_ip"])
        return router, lan, ext, vm, peer, svc

    def _connection_sas(self, svc):
        """A connection to the peer (peer_cidrs 10.2.0.0/24) with an outbound
        and an inbound manual SA."""
        conn = self.call("ipsec_site_connection.create", {
            "name": "to-peer", "vpnservice_id": svc["id"], "ikepolicy_id": self.ike["id"],
            "ipsecpolicy_id": self.ips["id"], "peer_address": PEER_IP, "peer_id": PEER_IP,
            "peer_cidrs": [PEER_LAN], "psk": "not-a-secret"})
        for spi, direction in ((SPI_OUT, "out"), (SPI_IN, "in")):
            self.call("ipsec_sa.create", dict(Sa(self.algo, spi).api_fields(),
                                              connection_id=conn["id"], direction=direction))
        self.wait_sas_active(2)

    def _selector_sas(self, svc, n):
        """n outbound SAs on the vpnservice: the first protects 10.2.0.0/24
        (the traffic's), the others disjoint /24s of 10.128.0.0/9."""
        if not 1 <= n <= 32768:
            raise PeerUnavailable("%d SAs: the runner makes 1..32768" % n)
        sa = Sa(self.algo, SPI_OUT)
        bodies = []
        for i in range(n):
            peer = PEER_LAN if i == 0 else "10.%d.%d.0/24" % (128 + (i - 1) // 256,
                                                               (i - 1) % 256)
            bodies.append(dict(sa.api_fields(), spi=SPI_OUT + i, direction="out",
                               vpnservice_id=svc["id"], local_cidrs=[LAN],
                               peer_cidrs=[peer], peer_address=PEER_IP))
        t0 = time.monotonic()
        self._pipe().call_many("ipsec_sa.create", bodies)
        self.facts["sa_create_s"] = round(time.monotonic() - t0, 1)
        self.wait_sas_active(n)
        self.facts["sas"] = n

    def wait_sas_active(self, n, timeout=300):
        """Until n SAs are installed in the data plane (stats.get lists the
        installed ones)."""
        deadline = time.monotonic() + timeout
        while True:
            got = len(self._pipe().call("stats.get").get("ipsec_sas", []) or [])
            if got >= n:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("%d of %d SAs installed after %d s" % (got, n, timeout))
            time.sleep(0.2)

    # ---------------------------------------------------------- scenarios
    def start_encap(self, size, pcap_path, out_pcap=None):
        """The VM's frames (to the router's LAN MAC, written once it is
        known) -> ESP out of the net_null uplink (into out_pcap instead when
        given: the runner's --verify)."""
        self._start("encap")
        _, _, _, vm, _, svc = self._site("net_pcap1,tx_pcap=%s" % out_pcap if out_pcap
                                         else "net_null1,no-rx=1")
        if self.selectors:
            self._selector_sas(svc, self.n_sas)
        else:
            self._connection_sas(svc)
        write_pcap(pcap_path, inner_frames(size, self.router_lan_mac))
        self._vnic("vm", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap_path, vm["id"])
        self.out_vnic = None

    def start_decap(self, esp_pcap, out_pcap=None):
        """One-shot ESP frames (their destination MAC set to the router's
        gateway MAC) in through the peer's VNIC; out through the VM's
        (net_null, or into out_pcap)."""
        self._start("decap")
        _, _, _, vm, peer, svc = self._site("net_null1,no-rx=1")
        self._connection_sas(svc)
        set_pcap_dst_mac(esp_pcap, self.router_ext_mac)
        self._vnic("vm", "net_pcap0,tx_pcap=%s" % out_pcap if out_pcap else "net_null0,no-rx=1",
                   vm["id"])
        # Plugged last: its device is polled from here on.
        self._vnic("peer", "net_pcap2,rx_pcap=%s" % esp_pcap, peer["id"])
        self.out_vnic = "vm"

    # ---------------------------------------------------------- counters
    def forwarded(self):
        stats = self._pipe().call("stats.get")
        if self.out_vnic:
            self.counter_source = "vnics[%s].tx_packets" % self.out_vnic
            return next(int(v.get("tx_packets", 0)) for v in stats.get("vnics", [])
                        if v.get("name") == self.out_vnic)
        self.counter_source = "uplinks[%s].tx_packets" % self.uplink
        return next(int(u.get("tx_packets", 0)) for u in stats.get("uplinks", [])
                    if u.get("name") == self.uplink)

    def sa_packets(self):
        """{spi: packets} of the installed SAs (stats.get ipsec_sas)."""
        return {s["spi"]: s["packets"]
                for s in self._pipe().call("stats.get").get("ipsec_sas", []) or []}

    def self_report(self):
        rep = super().self_report()
        rep["algorithm"] = ALGOS[self.algo]["label"]
        return rep

    def stop(self):
        if self.api is not None:
            try:
                self.api.close()
            except OSError:
                pass
            self.api = None
        super().stop()
