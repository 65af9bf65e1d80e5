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
	_(MBUF_ALLOC,   "mbuf_alloc",   "no mbuf for a copy")

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
