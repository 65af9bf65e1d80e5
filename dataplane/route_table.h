/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_ROUTE_TABLE_H
#define VSW_ROUTE_TABLE_H

/*
 * One router's IPv4 routes: an rte_lpm whose next-hop ids index an array
 * of next hops, or, for 8 routes or fewer (the common router: connected
 * subnets and a default), a linear list that costs no 64 MiB tbl24. Built
 * whole by the control thread when the router's interfaces or routes
 * change (never edited in place: a new table is published with the next
 * fib, the old one freed after a grace period), read by workers with bulk
 * lookups. The LPM's tables are written directly from the sorted routes
 * (rte_lpm_add is quadratic in the rules of one prefix length: 1M routes
 * take 0.8 s this way instead of minutes), so rte_lpm_add/delete must
 * never be used on them.
 */

#include <stdint.h>

#include <rte_byteorder.h>

struct vsw_route {
	rte_be32_t prefix;       /* host bits cleared */
	uint8_t plen;            /* 0..32 */
	uint16_t rif;            /* egress router-interface vport */
	rte_be32_t gw;           /* next hop; 0: connected (the destination) */
};

struct vsw_nexthop {
	uint16_t rif;
	rte_be32_t gw;
};

#define VSW_ROUTE_NONE UINT32_MAX

struct vsw_route_table;

/* A table of n routes (n may be 0). Routes with the same prefix: the last
 * wins. NULL with rte_errno set (ENOMEM, EINVAL). name must be unique per
 * process while the table lives; <= 24 characters. */
struct vsw_route_table *vsw_route_table_create(const char *name,
					       const struct vsw_route *routes,
					       uint32_t n, int socket_id);
void vsw_route_table_free(struct vsw_route_table *rt);
uint32_t vsw_route_table_count(const struct vsw_route_table *rt);

/* Next hop of dst or NULL (no route). */
const struct vsw_nexthop *vsw_route_lookup(const struct vsw_route_table *rt,
					   rte_be32_t dst);
/* n lookups at once (rte_lpm_lookup_bulk); nh[i] NULL when no route. */
void vsw_route_lookup_bulk(const struct vsw_route_table *rt,
			   const rte_be32_t *dst, unsigned int n,
			   const struct vsw_nexthop **nh);

#endif
