# SPDX-License-Identifier: BSD-3-Clause
"""Open vSwitch-DPDK doing what vsw's router and VXLAN networks do, for the
L3 benchmark: its own ovsdb and run dirs (peers/ovs.py), userspace datapath,
DPDK vdev ports.

Routed: one netdev bridge, the pcap port and the null port, and the
OpenFlow rule of a router: packets to the router's MAC for subnet B get
their TTL decremented and their MACs rewritten, and go out of B's port.

VXLAN: Open vSwitch's documented userspace tunnelling (Documentation/howto/
userspace-tunneling.rst): br-int holds the VM's port and a vxlan port
(remote_ip, key = VNI); br-phy holds the underlay dpdk port, has the local
VTEP address on its internal port (inside OVS's own network namespace) and
a static tunnel neighbour (tnl/arp/set) for the remote VTEP."""

from .common import PeerUnavailable, run, wait_for
from .l3_frames import (DST_MAC, LOCAL_VM_MAC, LOCAL_VTEP, LOCAL_VTEP_MAC, NET_B,
                        REMOTE_VM_MAC, REMOTE_VTEP, REMOTE_VTEP_MAC, ROUTER_MAC_A,
                        ROUTER_MAC_B, UNDERLAY_PLEN, VNI)
from .ovs import OvsDpdk, parse_tx_packets


def routed_flow(in_port, out_port, router_mac_in, router_mac_out, dst_mac, dst_net):
    """The OpenFlow rule of one routed hop."""
    return ("priority=100,in_port=%s,dl_dst=%s,ip,nw_dst=%s,"
            "actions=dec_ttl,mod_dl_src:%s,mod_dl_dst:%s,output:%s"
            % (in_port, router_mac_in, dst_net, router_mac_out, dst_mac, out_port))


def encap_flow(in_port, dst_mac, tunnel_port):
    return "priority=100,in_port=%s,dl_dst=%s,actions=output:%s" % (in_port, dst_mac,
                                                                     tunnel_port)


class OvsL3(OvsDpdk):
    """OVS-DPDK as the L3/VXLAN peer; one instance per run."""

    name = "ovs"
    label = "Open vSwitch-DPDK (OpenFlow L3 / userspace VXLAN)"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.phy = None          # the underlay bridge (VXLAN)
        self.out_bridge = None

    # ------------------------------------------------------------ helpers
    def netns_run(self, *argv):
        """A command in OVS's network namespace (where its tap ports are)."""
        return run(["nsenter", "--net=/proc/%d/ns/net" % self.vswitchd.pid] + list(argv),
                   timeout=15)

    def add_flows(self, bridge, flows):
        self.ofctl("del-flows", bridge)
        for f in flows:
            self.ofctl("add-flow", bridge, f)

    def _underlay(self, devargs):
        """br-phy with the underlay port and the local VTEP address."""
        if not self.netns:
            raise PeerUnavailable("the VXLAN setup puts an address on OVS's br-phy: "
                                  "needs its own network namespace (root, unshare)")
        self.phy = "br-phy"
        self.vsctl("add-br", self.phy, "--", "set", "bridge", self.phy,
                   "datapath_type=netdev", "other_config:hwaddr=%s" % LOCAL_VTEP_MAC)
        self.vsctl("add-port", self.phy, "phy", "--", "set", "Interface", "phy", "type=dpdk",
                   "options:dpdk-devargs=%s" % devargs)
        self._check_ports(["phy"])
        self.netns_run("ip", "addr", "add", "%s/%d" % (LOCAL_VTEP, UNDERLAY_PLEN),
                       "dev", self.phy)
        self.netns_run("ip", "link", "set", self.phy, "up")
        self.vsctl("add-port", self.bridge, "vxlan0", "--", "set", "Interface", "vxlan0",
                   "type=vxlan", "options:remote_ip=%s" % REMOTE_VTEP,
                   "options:key=%d" % VNI)
        self._check_ports(["vxlan0"])

    def _tunnel_ready(self):
        """OVS knows a route to the remote VTEP through br-phy (read from the
        kernel's table in its namespace)."""
        out = self.appctl("ovs/route/lookup", REMOTE_VTEP)
        return self.phy in out

    # ---------------------------------------------------------- scenarios
    def start_routed(self, pcap):
        """pcap: frames to ROUTER_MAC_A for subnet B."""
        self._start_daemons("routed")
        self._add_port("in", "type=dpdk",
                       "options:dpdk-devargs=net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap)
        self._add_port("out", "type=dpdk", "options:dpdk-devargs=net_null0,no-rx=1")
        self._check_ports(["in", "out"])
        self.add_flows(self.bridge, [routed_flow("in", "out", ROUTER_MAC_A, ROUTER_MAC_B,
                                                 DST_MAC, NET_B)])
        self.out_bridge, self.out_port = self.bridge, "out"

    def start_encap(self, pcap, underlay_pcap):
        """pcap: the local VM's frames to REMOTE_VM_MAC; underlay_pcap: what
        the underlay port receives (an ARP request, once)."""
        self._start_daemons("encap")
        self._add_port("in", "type=dpdk",
                       "options:dpdk-devargs=net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap)
        self._check_ports(["in"])
        self._underlay("net_pcap1,rx_pcap=%s" % underlay_pcap)
        self.appctl("tnl/arp/set", self.phy, REMOTE_VTEP, REMOTE_VTEP_MAC)
        self.add_flows(self.bridge, [encap_flow("in", REMOTE_VM_MAC, "vxlan0")])
        # What the tunnel sends leaves br-phy from its LOCAL port: straight
        # to the underlay port, nothing flooded to the tap.
        self.add_flows(self.phy, ["priority=100,in_port=LOCAL,actions=output:phy",
                                  "priority=0,actions=NORMAL"])
        self._wait_tunnel()
        self.out_bridge, self.out_port = self.phy, "phy"

    def start_decap(self, pcap):
        """pcap: VXLAN frames from REMOTE_VTEP to LOCAL_VTEP_MAC/LOCAL_VTEP."""
        self._start_daemons("decap")
        self._add_port("out", "type=dpdk", "options:dpdk-devargs=net_null0,no-rx=1")
        self._check_ports(["out"])
        self._underlay("net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap)
        self.add_flows(self.bridge, [encap_flow("vxlan0", LOCAL_VM_MAC, "out")])
        # As the howto: br-phy switches normally; frames to its own MAC reach
        # the LOCAL port, where the tunnel terminates.
        self.add_flows(self.phy, ["priority=0,actions=NORMAL"])
        self._wait_tunnel()
        self.out_bridge, self.out_port = self.bridge, "out"

    def _wait_tunnel(self):
        try:
            wait_for(self._tunnel_ready, self.ctx.start_timeout, interval=0.5,
                     what="OVS route to the remote VTEP via br-phy")
        except TimeoutError as e:
            raise RuntimeError("%s\n%s" % (e, self._log_tail()))

    def forwarded(self):
        return parse_tx_packets(self.ofctl("dump-ports", self.out_bridge, self.out_port))

    def dump_datapath(self):
        """The datapath flows, for the log: shows what OVS actually does."""
        try:
            return self.appctl("dpctl/dump-flows")
        except RuntimeError as e:
            return str(e)

    def self_report(self):
        rep = super().self_report()
        flows = [ln for ln in self.dump_datapath().splitlines() if "actions:" in ln]
        if flows:
            # What the datapath really does, e.g. tnl_push(...),3: one
            # megaflow per direction is what this benchmark expects.
            rep["datapath_flows"] = len(flows)
            rep["datapath_actions"] = sorted({ln.split("actions:", 1)[1] for ln in flows})[:3]
        return rep
