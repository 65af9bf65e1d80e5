/* SPDX-License-Identifier: BSD-3-Clause */
#include "ipam.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
vsw_ipv4_parse(const char *s, uint32_t *addr)
{
	struct in_addr in;

	/* inet_pton takes only the strict dotted-quad form (no octal, no
	 * short forms). */
	if (s == NULL || inet_pton(AF_INET, s, &in) != 1)
		return -EINVAL;
	*addr = ntohl(in.s_addr);
	return 0;
}

void
vsw_ipv4_format(uint32_t addr, char out[VSW_IPV4_STRLEN])
{
	snprintf(out, VSW_IPV4_STRLEN, "%u.%u.%u.%u", addr >> 24,
		 (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
}

uint32_t
vsw_cidr_mask(uint8_t plen)
{
	return plen == 0 ? 0 : ~(uint32_t)0 << (32 - plen);
}

int
vsw_cidr_parse(const char *s, struct vsw_cidr *c, bool *had_host_bits)
{
	char addr[VSW_IPV4_STRLEN];
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t alen;
	uint32_t a;
	unsigned int plen = 0;
	const char *p;

	if (slash == NULL)
		return -EINVAL;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (vsw_ipv4_parse(addr, &a) < 0)
		return -EINVAL;
	p = slash + 1;
	if (*p == '\0' || strlen(p) > 2)
		return -EINVAL;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		plen = plen * 10 + (unsigned int)(*p - '0');
	}
	if (plen > 32)
		return -EINVAL;
	c->plen = (uint8_t)plen;
	c->addr = a & vsw_cidr_mask(c->plen);
	if (had_host_bits != NULL)
		*had_host_bits = c->addr != a;
	return 0;
}

void
vsw_cidr_format(const struct vsw_cidr *c, char out[VSW_IPV4_CIDR_STRLEN])
{
	char a[VSW_IPV4_STRLEN];

	vsw_ipv4_format(c->addr, a);
	snprintf(out, VSW_IPV4_CIDR_STRLEN, "%s/%u", a, (unsigned int)(c->plen & 63));
}

uint32_t
vsw_cidr_broadcast(const struct vsw_cidr *c)
{
	return c->addr | ~vsw_cidr_mask(c->plen);
}

bool
vsw_cidr_contains(const struct vsw_cidr *c, uint32_t addr)
{
	return (addr & vsw_cidr_mask(c->plen)) == c->addr;
}

bool
vsw_cidr_overlap(const struct vsw_cidr *a, const struct vsw_cidr *b)
{
	/* Two prefixes overlap exactly when one contains the other. */
	uint8_t plen = a->plen < b->plen ? a->plen : b->plen;
	uint32_t mask = vsw_cidr_mask(plen);

	return (a->addr & mask) == (b->addr & mask);
}

bool
vsw_cidr_is_host(const struct vsw_cidr *c, uint32_t addr)
{
	/* /31 and /32 have no network or broadcast address to spare. */
	if (c->plen >= 31)
		return vsw_cidr_contains(c, addr);
	return vsw_cidr_contains(c, addr) && addr != c->addr &&
	       addr != vsw_cidr_broadcast(c);
}

static bool
ranges_overlap(const struct vsw_ip_range *a, const struct vsw_ip_range *b)
{
	return a->start <= b->end && b->start <= a->end;
}

enum vsw_pool_check
vsw_pools_check(const struct vsw_cidr *c, const struct vsw_ip_range *pools,
		size_t n, const uint32_t *gw, size_t *bad)
{
	for (size_t i = 0; i < n; i++) {
		const struct vsw_ip_range *r = &pools[i];

		*bad = i;
		if (!vsw_cidr_is_host(c, r->start) || !vsw_cidr_is_host(c, r->end))
			return VSW_POOL_OUTSIDE;
		if (r->start > r->end)
			return VSW_POOL_REVERSED;
		/* Pools per subnet are few (Neutron takes a handful). */
		for (size_t j = 0; j < i; j++)
			if (ranges_overlap(&pools[j], r))
				return VSW_POOL_OVERLAP;
		if (gw != NULL && *gw >= r->start && *gw <= r->end)
			return VSW_POOL_GATEWAY;
	}
	return VSW_POOL_OK;
}

size_t
vsw_pools_default(const struct vsw_cidr *c, const uint32_t *gw,
		  struct vsw_ip_range out[2])
{
	uint32_t first = c->plen >= 31 ? c->addr : c->addr + 1;
	uint32_t last = c->plen >= 31 ? vsw_cidr_broadcast(c)
				      : vsw_cidr_broadcast(c) - 1;
	size_t n = 0;

	if (first > last)
		return 0;
	if (gw == NULL || *gw < first || *gw > last) {
		out[0] = (struct vsw_ip_range){ first, last };
		return 1;
	}
	if (*gw > first)
		out[n++] = (struct vsw_ip_range){ first, *gw - 1 };
	if (*gw < last)
		out[n++] = (struct vsw_ip_range){ *gw + 1, last };
	return n;
}

int
vsw_pools_first_free(const struct vsw_ip_range *pools, size_t n,
		     bool (*taken)(void *arg, uint32_t addr), void *arg,
		     uint32_t *out)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t a = pools[i].start;

		for (;;) {
			if (!taken(arg, a)) {
				*out = a;
				return 0;
			}
			if (a == pools[i].end)
				break;
			a++;
		}
	}
	return -ENOSPC;
}
