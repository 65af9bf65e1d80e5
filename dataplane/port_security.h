/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_PORT_SECURITY_H
#define VSW_PORT_SECURITY_H

/*
 * Anti-spoofing on a port (Neutron port security): a frame's source MAC,
 * IPv4 source and ARP sender must belong to the port (its MAC, its fixed
 * IPs) or to one of its allowed address pairs. DHCP discovery from 0.0.0.0
 * and ARP probes (sender 0.0.0.0) are allowed; IPv6 only from link-local or
 * unspecified sources until ports carry IPv6 fixed IPs. Compiled once per
 * port by the control thread; checked per packet by workers.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "drops.h"

#define VSW_PS_MAX_IPS 16
#define VSW_PS_MAX_PAIRS 16

struct vsw_ps_pair {
	struct rte_ether_addr mac;
	rte_be32_t addr;   /* network order, host bits cleared */
	rte_be32_t mask;   /* network order; /32 for a single address */
};

struct vsw_port_security {
	bool enabled;
	struct rte_ether_addr mac;
	uint16_t n_ips;
	uint16_t n_pairs;
	rte_be32_t ips[VSW_PS_MAX_IPS];          /* fixed IPv4 addresses */
	struct vsw_ps_pair pairs[VSW_PS_MAX_PAIRS];
};

/* VSW_DROP_MAX when the frame may pass, else the drop reason. The frame
 * starts with an untagged Ethernet header (VLAN tags are handled before). */
enum vsw_drop vsw_port_security_check(const struct vsw_port_security *ps,
				      const struct rte_mbuf *m);

#endif
