/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_IPAM_H
#define VSW_IPAM_H

/*
 * IPv4 address management arithmetic: CIDRs, allocation pools, first free
 * address. Pure functions on host-order addresses; no model, no JSON.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSW_IPV4_STRLEN 16        /* "255.255.255.255" + NUL */
#define VSW_IPV4_CIDR_STRLEN 19   /* "255.255.255.255/32" + NUL */

struct vsw_cidr {
	uint32_t addr;   /* network address: host bits clear */
	uint8_t plen;
};

struct vsw_ip_range {
	uint32_t start, end;  /* inclusive */
};

/* Strict dotted quad "a.b.c.d"; 0 or -EINVAL. */
int vsw_ipv4_parse(const char *s, uint32_t *addr);
void vsw_ipv4_format(uint32_t addr, char out[VSW_IPV4_STRLEN]);

/*
 * "a.b.c.d/n" (the prefix length is required). Host bits are cleared
 * (canonical form); *had_host_bits (may be NULL) tells whether any were set.
 */
int vsw_cidr_parse(const char *s, struct vsw_cidr *c, bool *had_host_bits);
void vsw_cidr_format(const struct vsw_cidr *c, char out[VSW_IPV4_CIDR_STRLEN]);

uint32_t vsw_cidr_mask(uint8_t plen);
uint32_t vsw_cidr_broadcast(const struct vsw_cidr *c);
bool vsw_cidr_contains(const struct vsw_cidr *c, uint32_t addr);
bool vsw_cidr_overlap(const struct vsw_cidr *a, const struct vsw_cidr *b);
/* Inside c and neither its network nor its broadcast address. */
bool vsw_cidr_is_host(const struct vsw_cidr *c, uint32_t addr);

enum vsw_pool_check {
	VSW_POOL_OK,
	VSW_POOL_OUTSIDE,      /* a bound outside the cidr's host addresses */
	VSW_POOL_REVERSED,     /* start > end */
	VSW_POOL_OVERLAP,      /* two pools share an address */
	VSW_POOL_GATEWAY,      /* the gateway lies inside a pool */
};

/*
 * Checks pools against c (hosts only) and the gateway (gw NULL: none).
 * *bad gets the index of the first offending pool.
 */
enum vsw_pool_check vsw_pools_check(const struct vsw_cidr *c,
				    const struct vsw_ip_range *pools, size_t n,
				    const uint32_t *gw, size_t *bad);

/* The default pools: c's host addresses minus the gateway (gw NULL: none);
 * 0, 1 or 2 ranges written to out. */
size_t vsw_pools_default(const struct vsw_cidr *c, const uint32_t *gw,
			 struct vsw_ip_range out[2]);

/*
 * The lowest address of pools (in the order given) for which taken()
 * answers false; 0 or -ENOSPC when every address is taken.
 */
int vsw_pools_first_free(const struct vsw_ip_range *pools, size_t n,
			 bool (*taken)(void *arg, uint32_t addr), void *arg,
			 uint32_t *out);

#endif
