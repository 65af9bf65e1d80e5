# SPDX-License-Identifier: BSD-3-Clause
"""vsw as the L3 benchmark's peer: vswd started as for L2 (peers/vsw.py),
then configured through `vswctl --admin call` as a Neutron client would:
networks, subnets, a router with two interfaces and static routes; a VXLAN
uplink, a vxlan provider network, a remote VTEP and a static FDB entry.

The pcaps that depend on what vsw chose are written during the setup: the
router interface's MAC is read back from the API; the uplink's MAC, which
the API does not show, is predicted and then checked through vswd's DPDK
telemetry."""

import json
import os

from .common import PeerUnavailable, Telemetry, run
from .l3_frames import (DST_IP, DST_MAC, GW_A, GW_B, LOCAL_VM_MAC, LOCAL_VTEP, NET_A, NET_B,
                        REMOTE_VM_MAC, REMOTE_VTEP, REMOTE_VTEP_MAC, SRC_IP, SRC_MAC,
                        UNDERLAY_PLEN, VNI, write_pcap)
from .vsw import Vsw, vsw_tx_packets

ROUTER_INTERFACE = "network:router_interface"
# DPDK's net_pcap names its port N's MAC 02:70:63:61:70:0N ("pcap").
PCAP_PMD_MAC = "02:70:63:61:70:00"


class ApiError(RuntimeError):
    """vswd refused a call; .text is its error."""

    def __init__(self, method, text):
        super().__init__("%s: %s" % (method, text.strip()[:400]))
        self.method, self.text = method, text


def router_interface_mac(ports, router_id, network_id):
    """The MAC of the router's interface port on network_id, from port.list."""
    for p in ports:
        if p.get("device_owner") == ROUTER_INTERFACE and p.get("device_id") == router_id \
                and p.get("network_id") == network_id:
            return p["mac_address"]
    raise KeyError("no %s port of router %s on network %s" % (ROUTER_INTERFACE, router_id,
                                                                network_id))


def uplink_tx_packets(stats, name):
    """Packets vsw sent out of the uplink named name (`stats.get` → uplinks)."""
    for u in stats.get("uplinks", []) or []:
        if u.get("name") == name:
            return int(u.get("tx_packets", 0))
    raise KeyError("no uplink %r in stats (keys: %s)" % (name, sorted(stats)))


def stats_drops(stats):
    """Non-zero drop counters of VNICs, uplinks and vports from `stats.get`:
    {"vnics:in": {"mtu": 3}, "vports:router 10.1.0.1": {...}, ...}."""
    out = {}
    for kind in ("vnics", "uplinks", "vports"):
        for o in stats.get(kind, []) or []:
            d = {k: v for k, v in (o.get("drops") or {}).items() if v}
            if not d:
                continue
            name = o.get("name")
            if not name:  # vports have none: kind and address
                name = "%s %s" % (o.get("kind", "?"),
                                  o.get("ip") or o.get("remote_ip") or o.get("idx"))
            out["%s:%s" % (kind, name)] = d
    return out


def drops_delta(before, after):
    """Non-zero differences of nested drop counters {object: {reason: n}}."""
    out = {}
    for obj, d in after.items():
        diff = {k: v - before.get(obj, {}).get(k, 0) for k, v in d.items()}
        diff = {k: v for k, v in diff.items() if v}
        if diff:
            out[obj] = diff
    return out


class VswL3(Vsw):
    """vsw with a router or a VXLAN network; one instance per run."""

    name = "vsw"
    label = "vsw"

    def __init__(self, ctx, routes=(), port_security=False):
        """routes: the router's static routes [{destination, nexthop}]."""
        super().__init__(ctx)
        self.routes = list(routes)
        self.port_security = port_security
        self.uplink = None
        self.counter_source = None
        self.facts = {}
        self._drops0 = None

    # ------------------------------------------------------------ API
    def call(self, method, params=None, timeout=60):
        argv = [self.vswctl_bin, "--socket", os.path.join(self.dir, "vsw.sock"),
                "--timeout", str(timeout), "--admin", "call", method,
                json.dumps(params or {})]
        try:
            out = run(argv, timeout=timeout + 5)
        except RuntimeError as e:
            raise ApiError(method, str(e))
        return json.loads(out) if out.strip() else None

    def _port(self, network_id, name, mac, ip):
        return self.call("port.create", {
            "network_id": network_id, "name": name, "mac_address": mac,
            "fixed_ips": [{"ip_address": ip}] if ip else [],
            "port_security_enabled": self.port_security})

    def _vnic(self, name, devargs, port_id):
        v = self.call("vnic.create", {"name": name, "type": "dpdk", "devargs": devargs})
        self.call("vnic.plug", {"vnic_id": v["id"], "port_id": port_id})

    def _network(self, name, cidr, gateway):
        net = self.call("network.create", {"name": name})
        sub = self.call("subnet.create", {"network_id": net["id"], "ip_version": 4,
                                          "cidr": cidr, "gateway_ip": gateway,
                                          "enable_dhcp": False})
        return net, sub

    # ---------------------------------------------------------- scenarios
    def start_routed(self, make_pcap, pcap_path):
        """Two subnets, a router between them, the sender on A and the
        receiver on B (a fixed IP: vsw knows its MAC, no ARP). make_pcap(
        router_mac) gives the frames, written to pcap_path once the router's
        MAC on A is known."""
        self._start("routed")
        net_a, sub_a = self._network("net-a", NET_A, GW_A)
        net_b, sub_b = self._network("net-b", NET_B, GW_B)
        router = self.call("router.create", {"name": "r1"})
        for sub in (sub_a, sub_b):
            self.call("router.add_interface", {"id": router["id"], "subnet_id": sub["id"]})
        p_in = self._port(net_a["id"], "in", SRC_MAC, SRC_IP)
        p_out = self._port(net_b["id"], "out", DST_MAC, DST_IP)
        if self.routes:
            self.set_routes(router["id"], self.routes)
        ports = self.call("port.list", {"device_owner": ROUTER_INTERFACE})
        mac_a = router_interface_mac(ports, router["id"], net_a["id"])
        self.facts["router_mac_a"] = mac_a
        write_pcap(pcap_path, make_pcap(mac_a))
        self._vnic("out", "net_null0,no-rx=1", p_out["id"])
        self._vnic("in", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap_path, p_in["id"])
        self.out_vnic = "out"

    def set_routes(self, router_id, routes):
        """Neutron's API (and vsw's) caps a router's routes: when they are
        refused, the error says so."""
        try:
            self.call("router.update", {"id": router_id, "routes": list(routes)})
        except ApiError as e:
            raise PeerUnavailable("router.update with %d routes refused: %s"
                                  % (len(routes), e.text))
        got = self.call("router.show", {"id": router_id})
        self.facts["routes"] = len(got.get("routes", []))

    def _vxlan_network(self, underlay_devargs):
        """The underlay uplink and a vxlan network on it. The remote VTEP's
        MAC: a static neighbour (uplink `neighbors`) where vswd has them,
        else learned from the ARP request the underlay pcap starts with."""
        self.uplink = "underlay"
        params = {"name": self.uplink, "devargs": underlay_devargs, "role": "vxlan",
                  "local_ip": LOCAL_VTEP, "local_prefixlen": UNDERLAY_PLEN,
                  "neighbors": [{"ip_address": REMOTE_VTEP, "mac_address": REMOTE_VTEP_MAC}]}
        try:
            self.call("uplink.create", params)
            self.facts["underlay_neighbour"] = "static (uplink neighbors)"
        except ApiError as e:
            if "neighbors" not in e.text:
                raise PeerUnavailable("uplink.create: %s" % e.text)
            del params["neighbors"]
            self.call("uplink.create", params)
            self.facts["underlay_neighbour"] = "learned from an ARP request"
        net = self.call("network.create", {"name": "vx", "provider:network_type": "vxlan",
                                           "provider:physical_network": self.uplink,
                                           "provider:segmentation_id": VNI})
        return net

    def start_encap(self, pcap, underlay_pcap):
        """The local VM's frames to a MAC behind the remote VTEP: a static FDB
        entry (MAC -> VTEP). The underlay port receives one ARP request from
        the remote VTEP for our address, from which vsw learns the remote's
        MAC (there is no static underlay neighbour in the API)."""
        self._start("encap")
        net = self._vxlan_network("net_pcap1,rx_pcap=%s" % underlay_pcap)
        self.call("network.add_remote_vtep", {"id": net["id"], "ip_address": REMOTE_VTEP})
        self.call("network.add_fdb_entry", {"id": net["id"], "mac_address": REMOTE_VM_MAC,
                                            "remote_ip": REMOTE_VTEP})
        p_in = self._port(net["id"], "in", LOCAL_VM_MAC, None)
        self._vnic("in", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, p_in["id"])
        self.out_vnic = None

    def start_decap(self, make_pcap, pcap_path):
        """VXLAN frames from the remote VTEP to the local VM (a port with its
        MAC). make_pcap(underlay_mac) gives them. The uplink's MAC is its
        device's, which the API does not show: DPDK's net_pcap gives port N
        02:70:63:61:70:0N and the uplink is vswd's first device; checked
        afterwards through vswd's DPDK telemetry."""
        self._start("decap")
        write_pcap(pcap_path, make_pcap(PCAP_PMD_MAC))
        net = self._vxlan_network("net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap_path)
        self.call("network.add_remote_vtep", {"id": net["id"], "ip_address": REMOTE_VTEP})
        p_out = self._port(net["id"], "out", LOCAL_VM_MAC, None)
        self._vnic("out", "net_null0,no-rx=1", p_out["id"])
        self.out_vnic = "out"
        mac = self.device_mac("net_pcap0")
        if mac is not None and mac.lower() != PCAP_PMD_MAC:
            raise RuntimeError("the underlay's MAC is %s, the pcap was made for %s"
                               % (mac, PCAP_PMD_MAC))
        self.facts["underlay_mac"] = mac or "not checked (no telemetry)"

    def device_mac(self, dev_name):
        """The MAC of vswd's DPDK port dev_name, from its telemetry socket;
        None when telemetry cannot tell."""
        try:
            tel = Telemetry(self.prefix)
        except OSError:
            return None
        try:
            for port in tel.query("/ethdev/list") or []:
                info = tel.query("/ethdev/info,%d" % port) or {}
                if info.get("name") == dev_name:
                    return info.get("mac_addr")
        except (OSError, ValueError):
            return None
        finally:
            tel.close()
        return None

    def forwarded(self):
        stats = self.call("stats.get")
        if self.out_vnic:
            self.counter_source = "vnics[%s].tx_packets" % self.out_vnic
            return vsw_tx_packets(stats, self.out_vnic)
        self.counter_source = "uplinks[%s].tx_packets" % self.uplink
        return uplink_tx_packets(stats, self.uplink)

    def drops(self):
        return stats_drops(self.call("stats.get"))

    def window_begin(self):
        try:
            self._drops0 = self.drops()
        except (RuntimeError, ValueError):
            self._drops0 = None

    def self_report(self):
        """vswd's worker accounting, what the setup found, and the drops
        counted during the window (not those of the setup, when frames
        arrive before the ports they go to exist)."""
        rep = super().self_report()
        rep.update(self.facts)
        try:
            d = drops_delta(self._drops0 or {}, self.drops())
            if d:
                rep["drops"] = d
        except (RuntimeError, ValueError):
            pass
        return rep

