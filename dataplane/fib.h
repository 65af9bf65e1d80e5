/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FIB_H
#define VSW_FIB_H

/*
 * The forwarding view of the logical networks, compiled by the control
 * thread from the API model and published whole with RCU: workers load the
 * pointer once per loop turn and never see a half-updated table. MAC
 * entries live in the MAC table (mac_table.h), neighbours, floating IPs and
 * VNI/VTEP maps in the key-value table (kvt.h), routes in per-router LPM
 * tables (route_table.h); the fib points at the latter.
 *
 * One index space names everything a frame can enter from or leave to:
 *   [0, VSW_DP_MAX_PORTS)                 data-plane ports (VNICs, uplinks),
 *   [VSW_DP_MAX_PORTS, VSW_FIB_MAX_PORTS) virtual ports ("vports"): a VLAN
 *     segment on a trunk uplink, a (VXLAN network, remote VTEP) pair, a
 *     router interface. A vport has no device and no tx queue: egress to it
 *     is a function (tag, encapsulate, route) that ends on a real port.
 * MAC table entries, flood lists and counters use this space, so a remote
 * MAC behind a VTEP or a router's MAC is just another port to L2.
 */

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dp_port.h"
#include "port_security.h"

#define VSW_NET_NONE UINT16_MAX
#define VSW_PORT_NONE UINT16_MAX
#define VSW_DP_MAX_NETWORKS 4096
#define VSW_FIB_MAX_VPORTS 3072
#define VSW_FIB_MAX_PORTS (VSW_DP_MAX_PORTS + VSW_FIB_MAX_VPORTS)
#define VSW_FIB_MAX_UPLINKS 16
#define VSW_FIB_MAX_ROUTERS 1024
#define VSW_VXLAN_PORT 4789
#define VSW_VXLAN_OVERHEAD 50   /* outer Ethernet + IPv4 + UDP + VXLAN */

static inline int
vsw_is_vport(uint16_t idx)
{
	return idx >= VSW_DP_MAX_PORTS;
}

enum vsw_fp_kind {
	VSW_FP_NONE = 0,
	VSW_FP_VNIC,      /* a VNIC plugged into a logical port */
	VSW_FP_UPLINK,    /* an uplink device: rx demultiplexes, tx is raw */
	VSW_FP_VLAN,      /* vport: a flat/VLAN network on a trunk uplink */
	VSW_FP_VXLAN,     /* vport: a VXLAN network toward one remote VTEP */
	VSW_FP_ROUTER,    /* vport: a router interface on a network */
};

enum vsw_uplink_role {
	VSW_UPLINK_FLAT = 1,
	VSW_UPLINK_VLAN,
	VSW_UPLINK_VXLAN,
};

/* An entry of the port index space. net == VSW_NET_NONE: not in use /
 * not plugged, frames are dropped. */
struct vsw_fib_port {
	uint16_t net;
	uint8_t kind;            /* enum vsw_fp_kind */
	uint8_t admin_up;        /* port, and its network, administratively up */
	uint8_t learning;        /* learn source MACs (ports that front many MACs) */
	uint8_t tunnel;          /* VXLAN vport: split horizon among tunnels */
	uint16_t uplink;         /* VLAN/VXLAN: fib->uplinks[] slot; UPLINK: its slot */
	uint32_t max_frame;      /* network MTU + Ethernet header */
	union {
		struct {
			uint16_t vid;            /* 0: untagged (flat network) */
		} vlan;
		struct {
			uint32_t vni;
			rte_be32_t remote_ip;    /* the remote VTEP */
		} vxlan;
		struct {
			uint16_t router;         /* fib->routers[] index */
			uint8_t plen;            /* prefix length of the subnet */
			uint8_t external;        /* the router's gateway interface */
			rte_be32_t ip;           /* the interface's address */
			struct rte_ether_addr mac;
		} rif;
	};
};

/* An uplink as the workers see it (slot in fib->uplinks[]). */
struct vsw_fib_uplink {
	uint16_t port;           /* data-plane port index; VSW_PORT_NONE: unused */
	uint8_t role;            /* enum vsw_uplink_role */
	uint8_t admin_up;
	uint16_t mtu;            /* wire MTU (IP bytes past the Ethernet header) */
	uint8_t local_plen;      /* VXLAN: on-link prefix of local_ip */
	rte_be32_t local_ip;     /* VXLAN: the local VTEP address */
	rte_be32_t gateway_ip;   /* VXLAN: next hop off-link; 0: none */
	struct rte_ether_addr mac;
	uint16_t flat_vport;     /* untagged frames; VSW_PORT_NONE: dropped */
	uint16_t vlan_vport[4096];  /* by VLAN id; VSW_PORT_NONE: unknown tag */
};

struct vsw_route_table;
struct vsw_spd;

struct vsw_fib_router {
	uint8_t in_use;
	uint8_t admin_up;
	uint8_t snat;            /* enable_snat with a gateway */
	uint16_t gw_rif;         /* vport of the external interface; VSW_PORT_NONE */
	rte_be32_t gw_ip;        /* the external address (SNAT source) */
	/* LPM + next hops; owned by the control thread's router cache and
	 * freed only after a fib that no longer points at it is published. */
	const struct vsw_route_table *routes;
	/* Outbound IPsec policies (ipsec.h), owned like routes; NULL: none. */
	const struct vsw_spd *spd;
};

struct vsw_fib_net {
	uint32_t flood_off;      /* first entry in vsw_fib.flood */
	uint16_t n_flood;        /* members: local ports first, then tunnels */
	uint16_t n_local;        /* members that are not VXLAN vports */
	uint8_t admin_up;
	uint8_t dhcp;            /* a subnet has enable_dhcp: punt DHCP clients */
};

struct vsw_fib {
	uint32_t n_nets;
	uint32_t n_flood;
	uint32_t n_routers;
	struct vsw_fib_net *nets;          /* [n_nets] */
	uint16_t *flood;                   /* [n_flood]: port indexes, per network */
	struct vsw_fib_router *routers;    /* [n_routers] */
	struct vsw_fib_uplink uplinks[VSW_FIB_MAX_UPLINKS];
	struct vsw_fib_port ports[VSW_FIB_MAX_PORTS];
	struct vsw_port_security ps[VSW_DP_MAX_PORTS];  /* VNIC ports */
};

/* One allocation holding the fib and its arrays; every port unplugged,
 * every uplink slot unused, every router not in use. */
struct vsw_fib *vsw_fib_alloc(uint32_t n_nets, uint32_t n_flood, uint32_t n_routers);
void vsw_fib_free(struct vsw_fib *fib);

#endif
