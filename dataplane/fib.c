/* SPDX-License-Identifier: BSD-3-Clause */
#include "fib.h"

#include <rte_malloc.h>

struct vsw_fib *
vsw_fib_alloc(uint32_t n_nets, uint32_t n_flood)
{
	size_t sz = sizeof(struct vsw_fib) +
		    (size_t)n_nets * sizeof(struct vsw_fib_net) +
		    (size_t)n_flood * sizeof(uint16_t);
	struct vsw_fib *fib;
	unsigned int i;

	fib = rte_zmalloc("vsw_fib", sz, RTE_CACHE_LINE_SIZE);
	if (fib == NULL)
		return NULL;
	fib->n_nets = n_nets;
	fib->n_flood = n_flood;
	fib->nets = (struct vsw_fib_net *)(fib + 1);
	fib->flood = (uint16_t *)(fib->nets + n_nets);
	for (i = 0; i < VSW_DP_MAX_PORTS; i++)
		fib->ports[i].net = VSW_NET_NONE;
	return fib;
}

void
vsw_fib_free(struct vsw_fib *fib)
{
	rte_free(fib);
}
