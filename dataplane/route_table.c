/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-router IPv4 route tables.
 *
 * A table is built whole and never edited, so it is compiled rather than
 * inserted into:
 *   - up to VSW_ROUTE_SMALL_MAX routes (a router's connected subnets and a
 *     default route, the common case): a linear list, longest prefix
 *     first. No LPM: an rte_lpm costs 64 MiB of tbl24 whatever its size.
 *   - more: an rte_lpm whose tbl24/tbl8 arrays are painted directly, in
 *     ascending prefix length (a longer prefix overwrites the shorter one it
 *     refines). rte_lpm_add() scans every rule of the same depth for a
 *     duplicate, which makes a 1M-route build quadratic (minutes); painting
 *     costs at most 25 writes per tbl24 entry. Lookups are rte_lpm's own
 *     (rte_lpm_lookup, rte_lpm_lookup_bulk), which read only the public
 *     tbl24/tbl8 layout of rte_lpm.h; the LPM's rule list stays empty, so
 *     rte_lpm_add/delete must never be used on these tables.
 * The LPM next hop (24 bits) indexes an array of distinct next hops.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <rte_malloc.h>

#include "route_table.h"

#define VSW_ROUTE_SMALL_MAX 8
#define LPM_NH_MAX (1u << 24)
#define TBL8_ENTRIES RTE_LPM_TBL8_GROUP_NUM_ENTRIES
#define BULK_CHUNK 64

/* One route of the linear table, host order. */
struct small_route {
	uint32_t prefix;
	uint32_t mask;
	uint32_t nh;
};

struct vsw_route_table {
	struct rte_lpm *lpm;             /* NULL: the linear table */
	const struct vsw_nexthop *nh;    /* [n_nh], after this struct */
	uint32_t n_routes;
	uint32_t n_nh;
	uint32_t n_small;
	struct small_route small[VSW_ROUTE_SMALL_MAX];  /* longest first */
} __rte_cache_aligned;

/* A route while the table is built: host order, position in the input. */
struct build_route {
	uint32_t prefix;
	uint32_t pos;
	uint32_t nh;
	uint8_t plen;
};

static uint32_t
plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : UINT32_MAX << (32 - plen);
}

static uint64_t
nh_key(uint16_t rif, rte_be32_t gw)
{
	return (uint64_t)rif << 32 | rte_be_to_cpu_32(gw);
}

/* Shorter prefixes first (painting order), then by address, then input
 * order so that the last duplicate is the last of its run. */
static int
cmp_build_route(const void *a, const void *b)
{
	const struct build_route *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Checks and sorts the routes, keeping the last of each prefix. Returns
 * the number kept, or -EINVAL. */
static int64_t
normalise(const struct vsw_route *routes, uint32_t n, struct build_route *out)
{
	uint32_t i, kept = 0;

	for (i = 0; i < n; i++) {
		uint32_t prefix = rte_be_to_cpu_32(routes[i].prefix);

		if (routes[i].plen > 32 || (prefix & ~plen_mask(routes[i].plen)) != 0)
			return -EINVAL;
		out[i] = (struct build_route){ .prefix = prefix, .pos = i,
					       .plen = routes[i].plen };
	}
	qsort(out, n, sizeof(*out), cmp_build_route);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && out[i + 1].plen == out[i].plen &&
		    out[i + 1].prefix == out[i].prefix)
			continue;
		out[kept++] = out[i];
	}
	return kept;
}

/* The distinct next hops of the kept routes, sorted: keys[0..*n_keys). */
static int
collect_next_hops(const struct vsw_route *routes, const struct build_route *br,
		  uint32_t n, uint64_t *keys, uint32_t *n_keys)
{
	uint32_t i, k = 0;

	for (i = 0; i < n; i++)
		keys[i] = nh_key(routes[br[i].pos].rif, routes[br[i].pos].gw);
	qsort(keys, n, sizeof(*keys), cmp_u64);
	for (i = 0; i < n; i++)
		if (k == 0 || keys[k - 1] != keys[i])
			keys[k++] = keys[i];
	if (k > LPM_NH_MAX)
		return -EINVAL;
	*n_keys = k;
	return 0;
}

static void
assign_next_hops(const struct vsw_route *routes, struct build_route *br,
		 uint32_t n, const uint64_t *keys, uint32_t n_keys)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t key = nh_key(routes[br[i].pos].rif, routes[br[i].pos].gw);
		const uint64_t *hit = bsearch(&key, keys, n_keys, sizeof(*keys), cmp_u64);

		br[i].nh = (uint32_t)(hit - keys);
	}
}

static void
build_small(struct vsw_route_table *rt, const struct build_route *br, uint32_t n)
{
	uint32_t i;

	/* br is in ascending length: reversed, the first match is the longest. */
	for (i = 0; i < n; i++) {
		const struct build_route *r = &br[n - 1 - i];

		rt->small[i] = (struct small_route){
			.prefix = r->prefix, .mask = plen_mask(r->plen), .nh = r->nh };
	}
	rt->n_small = n;
}

/* tbl8 groups needed: one per /24 holding a route longer than /24. */
static int64_t
count_tbl8_groups(const struct build_route *br, uint32_t n)
{
	uint8_t *seen = calloc((1u << 24) / 8, 1);
	uint32_t i, groups = 0;

	if (seen == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t block = br[i].prefix >> 8;

		if (br[i].plen <= 24 || (seen[block / 8] & (1u << (block % 8))) != 0)
			continue;
		seen[block / 8] |= (uint8_t)(1u << (block % 8));
		groups++;
	}
	free(seen);
	return groups;
}

static struct rte_lpm_tbl_entry
lpm_entry(uint32_t next_hop, bool valid, bool group, uint8_t depth)
{
	struct rte_lpm_tbl_entry e = {
		.next_hop = next_hop,
		.valid = valid,
		.valid_group = group,
		.depth = depth,
	};

	return e;
}

/* The tbl8 group refining tbl24 entry block: made on first use, filled
 * with what the block's tbl24 entry said (a covering route, or nothing). */
static struct rte_lpm_tbl_entry *
tbl8_group(struct rte_lpm *lpm, uint32_t block, uint32_t *next_group)
{
	struct rte_lpm_tbl_entry *t24 = &lpm->tbl24[block], *g;
	uint32_t i;

	if (t24->valid && t24->valid_group)
		return &lpm->tbl8[t24->next_hop * TBL8_ENTRIES];
	g = &lpm->tbl8[*next_group * TBL8_ENTRIES];
	for (i = 0; i < TBL8_ENTRIES; i++)
		g[i] = lpm_entry(t24->next_hop, t24->valid, true, t24->depth);
	*t24 = lpm_entry((*next_group)++, true, true, 0);
	return g;
}

static void
paint(struct rte_lpm *lpm, const struct build_route *br, uint32_t n)
{
	uint32_t i, j, next_group = 0;

	for (i = 0; i < n; i++) {
		const struct build_route *r = &br[i];

		if (r->plen <= 24) {
			struct rte_lpm_tbl_entry e = lpm_entry(r->nh, true, false, r->plen);
			uint32_t first = r->prefix >> 8, count = 1u << (24 - r->plen);

			for (j = 0; j < count; j++)
				lpm->tbl24[first + j] = e;
		} else {
			struct rte_lpm_tbl_entry e = lpm_entry(r->nh, true, true, r->plen);
			struct rte_lpm_tbl_entry *g = tbl8_group(lpm, r->prefix >> 8,
								 &next_group);
			uint32_t first = r->prefix & 0xff, count = 1u << (32 - r->plen);

			for (j = 0; j < count; j++)
				g[first + j] = e;
		}
	}
}

static int
build_lpm(struct vsw_route_table *rt, const char *name,
	  const struct build_route *br, uint32_t n, int socket_id)
{
	struct rte_lpm_config cfg = { .max_rules = 1 };
	int64_t groups = count_tbl8_groups(br, n);

	if (groups < 0)
		return (int)groups;
	/* rte_lpm allocates no zero-sized tbl8 array. */
	cfg.number_tbl8s = (uint32_t)RTE_MAX(groups, 1);
	rt->lpm = rte_lpm_create(name, socket_id, &cfg);
	if (rt->lpm == NULL)
		return -rte_errno;
	paint(rt->lpm, br, n);
	return 0;
}

static struct vsw_route_table *
table_alloc(uint32_t n_nh, const uint64_t *keys, int socket_id)
{
	struct vsw_route_table *rt;
	struct vsw_nexthop *nh;
	uint32_t i;

	rt = rte_zmalloc_socket("vsw_route_table",
				sizeof(*rt) + (size_t)n_nh * sizeof(*nh),
				RTE_CACHE_LINE_SIZE, socket_id);
	if (rt == NULL)
		return NULL;
	nh = (struct vsw_nexthop *)(rt + 1);
	for (i = 0; i < n_nh; i++)
		nh[i] = (struct vsw_nexthop){ .rif = (uint16_t)(keys[i] >> 32),
					      .gw = rte_cpu_to_be_32((uint32_t)keys[i]) };
	rt->nh = nh;
	rt->n_nh = n_nh;
	return rt;
}

static int
build(const char *name, const struct vsw_route *routes, uint32_t n,
      int socket_id, struct vsw_route_table **out)
{
	struct build_route *br = malloc(RTE_MAX(n, 1u) * sizeof(*br));
	uint64_t *keys = malloc(RTE_MAX(n, 1u) * sizeof(*keys));
	struct vsw_route_table *rt = NULL;
	uint32_t n_keys = 0;
	int64_t kept;
	int rc = -ENOMEM;

	if (br == NULL || keys == NULL)
		goto out;
	kept = normalise(routes, n, br);
	rc = kept < 0 ? (int)kept
		      : collect_next_hops(routes, br, (uint32_t)kept, keys, &n_keys);
	if (rc < 0)
		goto out;
	assign_next_hops(routes, br, (uint32_t)kept, keys, n_keys);
	rt = table_alloc(n_keys, keys, socket_id);
	if (rt == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rt->n_routes = (uint32_t)kept;
	if (kept <= VSW_ROUTE_SMALL_MAX)
		build_small(rt, br, (uint32_t)kept);
	else
		rc = build_lpm(rt, name, br, (uint32_t)kept, socket_id);
out:
	free(br);
	free(keys);
	if (rc < 0)
		rte_free(rt);
	else
		*out = rt;
	return rc;
}

struct vsw_route_table *
vsw_route_table_create(const char *name, const struct vsw_route *routes,
		       uint32_t n, int socket_id)
{
	struct vsw_route_table *rt = NULL;
	int rc;

	if (name == NULL || strlen(name) > 24 || (routes == NULL && n != 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	rc = build(name, routes, n, socket_id, &rt);
	if (rc < 0) {
		rte_errno = -rc;
		return NULL;
	}
	return rt;
}

void
vsw_route_table_free(struct vsw_route_table *rt)
{
	if (rt == NULL)
		return;
	rte_lpm_free(rt->lpm);
	rte_free(rt);
}

uint32_t
vsw_route_table_count(const struct vsw_route_table *rt)
{
	return rt->n_routes;
}

static const struct vsw_nexthop *
small_lookup(const struct vsw_route_table *rt, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < rt->n_small; i++)
		if ((ip & rt->small[i].mask) == rt->small[i].prefix)
			return &rt->nh[rt->small[i].nh];
	return NULL;
}

const struct vsw_nexthop *
vsw_route_lookup(const struct vsw_route_table *rt, rte_be32_t dst)
{
	uint32_t ip = rte_be_to_cpu_32(dst), id;

	if (rt->lpm == NULL)
		return small_lookup(rt, ip);
	if (rte_lpm_lookup(rt->lpm, ip, &id) != 0)
		return NULL;
	return &rt->nh[id];
}

void
vsw_route_lookup_bulk(const struct vsw_route_table *rt, const rte_be32_t *dst,
		      unsigned int n, const struct vsw_nexthop **nh)
{
	uint32_t ips[BULK_CHUNK], hops[BULK_CHUNK];
	unsigned int base, i, k;

	if (rt->lpm == NULL) {
		for (i = 0; i < n; i++)
			nh[i] = small_lookup(rt, rte_be_to_cpu_32(dst[i]));
		return;
	}
	for (base = 0; base < n; base += k) {
		k = RTE_MIN(n - base, (unsigned int)BULK_CHUNK);
		for (i = 0; i < k; i++)
			ips[i] = rte_be_to_cpu_32(dst[base + i]);
		rte_lpm_lookup_bulk(rt->lpm, ips, hops, k);
		for (i = 0; i < k; i++)
			nh[base + i] = (hops[i] & RTE_LPM_LOOKUP_SUCCESS) != 0
				? &rt->nh[hops[i] & 0x00ffffff] : NULL;
	}
}
