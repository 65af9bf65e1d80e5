/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_FIB_H
#define VSW_FIB_H

/*
 * The forwarding view of the logical networks, compiled by the control
 * thread from the API model and published whole with RCU: workers load the
 * pointer once per loop turn and never see a half-updated table. MAC
 * entries live in the MAC table (mac_table.h), not here.
 */

#include <stdint.h>

#include "dp_port.h"
#include "port_security.h"

#define VSW_NET_NONE UINT16_MAX
#define VSW_DP_MAX_NETWORKS 4096

/* A data-plane port as the tables see it: the logical port its VNIC is
 * plugged into. net == VSW_NET_NONE: not plugged, frames are dropped. */
struct vsw_fib_port {
	uint16_t net;
	uint8_t admin_up;        /* port, and its network, administratively up */
	uint8_t learning;        /* learn source MACs (ports that front many MACs) */
	uint32_t max_frame;      /* network MTU + Ethernet header */
	struct vsw_port_security ps;
};

struct vsw_fib_net {
	uint32_t flood_off;      /* first entry in vsw_fib.flood */
	uint16_t n_flood;        /* plugged ports of the network */
	uint8_t admin_up;
};

struct vsw_fib {
	uint32_t n_nets;
	uint32_t n_flood;
	struct vsw_fib_net *nets;      /* [n_nets] */
	uint16_t *flood;               /* [n_flood]: port indexes, per network */
	struct vsw_fib_port ports[VSW_DP_MAX_PORTS];
};

/* One allocation holding the fib and its arrays; every port unplugged. */
struct vsw_fib *vsw_fib_alloc(uint32_t n_nets, uint32_t n_flood);
void vsw_fib_free(struct vsw_fib *fib);

#endif
