/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_OVERLAY_H
#define VSW_OVERLAY_H

/*
 * Provider networks on uplinks.
 *
 * Ingress: a burst from an uplink port is demultiplexed to vports. On a
 * flat/vlan trunk the 802.1Q tag selects the network's VLAN vport (untagged:
 * the flat network's), the tag is stripped; unknown tags, untagged frames
 * with no flat network and double tags are counted drops. On a VXLAN
 * underlay, UDP/4789 to the local VTEP address is decapsulated (RFC 7348)
 * and the VNI selects the network; the outer source selects the
 * (network, VTEP) vport (or a request to create one goes to the control
 * thread); ARP and ICMP for the VTEP address are punted; anything else is
 * a counted drop. The frames then take the L2 path with the vport as their
 * ingress port (so MACs behind a VTEP or a trunk are learned against it).
 *
 * Egress to a vport: VLAN: tag pushed (no tag for the flat network);
 * VXLAN: outer Ethernet/IPv4/UDP/VXLAN headers prepended, outer UDP source
 * port from a hash of the inner flow, next hop MAC from the neighbour table
 * (scope VSW_NEIGH_SCOPE_UPLINK | slot; unknown: punted for resolution).
 * A shared mbuf (a flooded frame) is copied first; the others are edited
 * in place.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "fib.h"

struct vsw_worker;

/* A burst from uplink data-plane port `port`; counts its rx (the uplink
 * port and each vport) as classify does for VNICs. */
void vsw_uplink_rx_process(struct vsw_worker *w, const struct vsw_fib *fib,
			   uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/* Egress to a VLAN / VXLAN vport; take ownership of m. */
void vsw_vlan_output(struct vsw_worker *w, const struct vsw_fib *fib,
		     uint16_t vport, struct rte_mbuf *m);
void vsw_vxlan_output(struct vsw_worker *w, const struct vsw_fib *fib,
		      uint16_t vport, struct rte_mbuf *m);

#endif
