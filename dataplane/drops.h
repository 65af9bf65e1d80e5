/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DROPS_H
#define VSW_DROPS_H

/*
 * Every dropped packet has one counted, named reason. One line per reason:
 * the enum, the stats key and the human text all come from here, so
 * `vswctl stats` prints a new reason with no extra code.
 */
#define VSW_FOREACH_DROP(_)                                                   \
	_(NO_PORT,      "no_port",      "frame from an unplugged or deleted VNIC")   \
	_(ADMIN_DOWN,   "admin_down",   "port or network administratively down")    \
	_(RUNT,         "runt",         "frame shorter than an Ethernet header")     \
	_(MTU,          "mtu",          "frame larger than the network MTU")         \
	_(VLAN_TAGGED,  "vlan_tagged",  "802.1Q-tagged frame from a VNIC port")       \
	_(SPOOF_MAC,    "spoof_mac",    "source MAC not owned by the port")          \
	_(SPOOF_IP,     "spoof_ip",     "IPv4 source not owned by the port")         \
	_(SPOOF_ARP,    "spoof_arp",    "ARP sender not owned by the port")          \
	_(SPOOF_IPV6,   "spoof_ipv6",   "IPv6 source not owned by the port")         \
	_(MALFORMED,    "malformed",    "truncated or malformed L3 header")          \
	_(SRC_MULTICAST,"src_multicast","multicast or broadcast source MAC")         \
	_(SELF_DEST,    "self_dest",    "destination is the ingress port")           \
	_(NO_FLOOD,     "no_flood",     "broadcast/unknown unicast with no other port") \
	_(TX_FULL,      "tx_full",      "egress queue full or egress port not ready") \
	_(MBUF_ALLOC,   "mbuf_alloc",   "no mbuf for a copy or a header")          \
	_(UNKNOWN_VLAN, "unknown_vlan", "uplink frame of no network (unknown tag, untagged on a VLAN-only trunk)") \
	_(DOUBLE_TAGGED,"double_tagged","802.1ad/QinQ or double 802.1Q frame on an uplink") \
	_(VXLAN_MALFORMED,"vxlan_malformed","truncated or invalid outer headers of a VXLAN frame") \
	_(UNKNOWN_VNI,  "unknown_vni",  "VXLAN frame of a VNI no network uses")       \
	_(UNDERLAY_OTHER,"underlay_other","underlay frame that is not VXLAN, ARP or ICMP for the VTEP") \
	_(IP_CHECKSUM,  "ip_checksum",  "IPv4 header checksum wrong")                 \
	_(TTL,          "ttl",          "IPv4 TTL expired in a router")               \
	_(NO_ROUTE,     "no_route",     "no route to the destination")               \
	_(NO_NEIGHBOR,  "no_neighbor",  "next hop MAC unknown (ARP sent)")            \
	_(FRAG_NEEDED,  "frag_needed",  "packet larger than the egress MTU with DF set") \
	_(L3_PROTO,     "l3_proto",     "non-IPv4 frame to a router MAC")             \
	_(NOT_OURS,     "not_ours",     "ARP/IP addressed to a router that is not for it") \
	_(ROUTE_DEPTH,  "route_depth",  "routed through too many routers in one pass") \
	_(NAT_FULL,     "nat_full",     "SNAT connection table or port range full")   \
	_(NAT_NO_SESSION,"nat_no_session","packet to a SNAT address matching no connection") \
	_(NAT_PROTO,    "nat_proto",    "SNAT of a protocol or fragment it cannot translate") \
	_(PUNT_FULL,    "punt_full",    "control-thread ring full")                    \
	_(PUNT_RATELIMIT,"punt_ratelimit","over the punt rate limit (a flood toward the appliance)") \
	_(IPSEC_OUT,    "ipsec_out",    "ESP encapsulation refused (expired SA, no room...): see the SA's counters") \
	_(IPSEC_IN,     "ipsec_in",     "ESP refused (ICV, replay, padding, expired...): see the SA's counters") \
	_(IPSEC_NO_SA,  "ipsec_no_sa",  "ESP with an SPI no inbound SA has")           \
	_(IPSEC_HANDOFF,"ipsec_handoff","ESP for an SA another worker owns: its hand-off ring was full") \
	_(IPSEC_POLICY, "ipsec_policy", "decrypted packet outside its SA's selectors, or cleartext a policy protects")

enum vsw_drop {
#define VSW_DROP_ENUM(e, key, text) VSW_DROP_##e,
	VSW_FOREACH_DROP(VSW_DROP_ENUM)
#undef VSW_DROP_ENUM
	VSW_DROP_MAX
};

/* Stats key ("spoof_mac") and human text of a drop reason. */
const char *vsw_drop_key(enum vsw_drop d);
const char *vsw_drop_text(enum vsw_drop d);

#endif
