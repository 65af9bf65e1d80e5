/* SPDX-License-Identifier: BSD-3-Clause */
#include "fib.h"

#include <rte_malloc.h>

struct vsw_fib *
vsw_fib_alloc(uint32_t n_nets, uint32_t n_flood, uint32_t n_routers)
{
	size_t sz = sizeof(struct vsw_fib) +
		    (size_t)n_routers * sizeof(struct vsw_fib_router) +
		    (size_t)n_nets * sizeof(struct vsw_fib_net) +
		    (size_t)n_flood * sizeof(uint16_t);
	struct vsw_fib *fib;
	unsigned int i, v;

	fib = rte_zmalloc("vsw_fib", sz, RTE_CACHE_LINE_SIZE);
	if (fib == NULL)
		return NULL;
	fib->n_nets = n_nets;
	fib->n_flood = n_flood;
	fib->n_routers = n_routers;
	/* Routers first: their members need the strictest alignment. */
	fib->routers = (struct vsw_fib_router *)(fib + 1);
	fib->nets = (struct vsw_fib_net *)(fib->routers + n_routers);
	fib->flood = (uint16_t *)(fib->nets + n_nets);
	for (i = 0; i < VSW_FIB_MAX_PORTS; i++)
		fib->ports[i].net = VSW_NET_NONE;
	for (i = 0; i < n_routers; i++)
		fib->routers[i].gw_rif = VSW_PORT_NONE;
	for (i = 0; i < VSW_FIB_MAX_UPLINKS; i++) {
		fib->uplinks[i].port = VSW_PORT_NONE;
		fib->uplinks[i].flat_vport = VSW_PORT_NONE;
		for (v = 0; v < RTE_DIM(fib->uplinks[i].vlan_vport); v++)
			fib->uplinks[i].vlan_vport[v] = VSW_PORT_NONE;
	}
	return fib;
}

void
vsw_fib_free(struct vsw_fib *fib)
{
	rte_free(fib);
}
