/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-router route tables (route_table.c) against a reference longest
 * prefix match: both table kinds (the linear one for a few routes, the
 * painted rte_lpm above), every prefix length, duplicates, 1M routes.
 *
 * VSW_ROUTE_BENCH=1 runs a lookup benchmark instead (cycles per lookup,
 * single and bulk, for 1, 9 and 1M routes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "eal_env.h"
#include "route_table.h"

#define SMALL_MAX 8          /* the linear table's limit (route_table.c) */
#define BIG_N 1000000u
#define SAMPLES 20000u

/* --- deterministic random numbers --- */

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
rng_seed(uint64_t s)
{
	rng_state = s | 1;
}

static uint32_t
mask_of(uint8_t plen)
{
	return plen == 0 ? 0 : UINT32_MAX << (32 - plen);
}

static struct vsw_route
route(uint32_t prefix_host, uint8_t plen, uint16_t rif, uint32_t gw_host)
{
	struct vsw_route r = {
		.prefix = rte_cpu_to_be_32(prefix_host & mask_of(plen)),
		.plen = plen,
		.rif = rif,
		.gw = rte_cpu_to_be_32(gw_host),
	};

	return r;
}

static uint32_t
ip_host(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

/* A realistic mix: mostly /24, some shorter, a few longer than /24. */
static uint8_t
random_plen(void)
{
	unsigned int p = (unsigned int)(rnd() % 1000);

	if (p < 600)
		return 24;
	if (p < 700)
		return 23;
	if (p < 800)
		return 22;
	if (p < 900)
		return (uint8_t)(19 + rnd() % 3);
	if (p < 970)
		return (uint8_t)(12 + rnd() % 7);
	if (p < 975)
		return (uint8_t)(rnd() % 12);
	return (uint8_t)(25 + rnd() % 8);
}

static struct vsw_route
random_route(uint32_t n_nh, uint8_t plen)
{
	uint32_t nh = (uint32_t)(rnd() % n_nh);

	return route((uint32_t)rnd(), plen, (uint16_t)(1024 + nh % 3000),
		     nh < 3000 ? 0 : ip_host(100, 64, 0, 0) + nh);
}

/* --- reference: exact match per length, last duplicate wins --- */

struct ref_route {
	uint64_t key;    /* plen << 32 | prefix */
	uint32_t pos;
	uint16_t rif;
	rte_be32_t gw;
};

struct ref {
	struct ref_route *r;
	uint32_t n;
	bool has_len[33];
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct ref_route *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
ref_build(struct ref *ref, const struct vsw_route *routes, uint32_t n)
{
	uint32_t i, k = 0;

	memset(ref, 0, sizeof(*ref));
	ref->r = calloc(RTE_MAX(n, 1u), sizeof(*ref->r));
	assert_non_null(ref->r);
	for (i = 0; i < n; i++)
		ref->r[i] = (struct ref_route){
			.key = (uint64_t)routes[i].plen << 32 |
			       rte_be_to_cpu_32(routes[i].prefix),
			.pos = i, .rif = routes[i].rif, .gw = routes[i].gw };
	qsort(ref->r, n, sizeof(*ref->r), cmp_ref);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && ref->r[i + 1].key == ref->r[i].key)
			continue;
		ref->r[k++] = ref->r[i];
		ref->has_len[ref->r[i].key >> 32] = true;
	}
	ref->n = k;
}

static const struct ref_route *
ref_lookup(const struct ref *ref, uint32_t ip)
{
	int plen;

	for (plen = 32; plen >= 0; plen--) {
		struct ref_route want = { .key = (uint64_t)plen << 32 |
						 (ip & mask_of((uint8_t)plen)) };
		size_t lo = 0, hi = ref->n;

		if (!ref->has_len[plen])
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (ref->r[mid].key < want.key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < ref->n && ref->r[lo].key == want.key)
			return &ref->r[lo];
	}
	return NULL;
}

static void
ref_free(struct ref *ref)
{
	free(ref->r);
}

/* --- checks --- */

static void
assert_nh(const struct vsw_nexthop *got, const struct ref_route *want, uint32_t ip)
{
	if (want == NULL) {
		if (got != NULL)
			fail_msg("%08x: route to rif %u, want none", ip, got->rif);
		return;
	}
	if (got == NULL)
		fail_msg("%08x: no route, want rif %u", ip, want->rif);
	if (got->rif != want->rif || got->gw != want->gw)
		fail_msg("%08x: rif %u gw %08x, want rif %u gw %08x", ip, got->rif,
			 rte_be_to_cpu_32(got->gw), want->rif, rte_be_to_cpu_32(want->gw));
}

/* Queries near the routes (inside them, at their edges) and anywhere. */
static uint32_t
sample_ip(const struct vsw_route *routes, uint32_t n)
{
	const struct vsw_route *r;
	uint32_t host;

	if (n == 0 || rnd() % 4 == 0)
		return (uint32_t)rnd();
	r = &routes[rnd() % n];
	host = (uint32_t)rnd() & ~mask_of(r->plen);
	switch (rnd() % 4) {
	case 0:
		host = 0;
		break;
	case 1:
		host = ~mask_of(r->plen);
		break;
	default:
		break;
	}
	return rte_be_to_cpu_32(r->prefix) | host;
}

/* Single and bulk lookups of samples agree with the reference. */
static void
check_against_reference(const struct vsw_route_table *rt,
			const struct vsw_route *routes, uint32_t n, uint32_t samples)
{
	enum { CHUNK = 100 };
	rte_be32_t dst[CHUNK];
	const struct vsw_nexthop *bulk[CHUNK];
	const struct ref_route *want[CHUNK];
	uint32_t ips[CHUNK];
	struct ref ref;
	uint32_t s, i;

	ref_build(&ref, routes, n);
	assert_int_equal(vsw_route_table_count(rt), ref.n);
	for (s = 0; s < samples; s += CHUNK) {
		for (i = 0; i < CHUNK; i++) {
			ips[i] = sample_ip(routes, n);
			dst[i] = rte_cpu_to_be_32(ips[i]);
			want[i] = ref_lookup(&ref, ips[i]);
			assert_nh(vsw_route_lookup(rt, dst[i]), want[i], ips[i]);
		}
		/* odd sizes cross the bulk chunking */
		vsw_route_lookup_bulk(rt, dst, CHUNK - (s / CHUNK) % 7, bulk);
		for (i = 0; i < CHUNK - (s / CHUNK) % 7; i++) {
			assert_nh(bulk[i], want[i], ips[i]);
			assert_ptr_equal(bulk[i], vsw_route_lookup(rt, dst[i]));
		}
	}
	ref_free(&ref);
}

static size_t
heap_in_use(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	unsigned int s;

	for (s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static struct vsw_route_table *
create_ok(const char *name, const struct vsw_route *routes, uint32_t n)
{
	struct vsw_route_table *rt = vsw_route_table_create(name, routes, n,
							    SOCKET_ID_ANY);

	if (rt == NULL)
		fail_msg("create %s (%u routes): %s", name, n, rte_strerror(rte_errno));
	return rt;
}

/* --- tests --- */

static void
empty_table_routes_nothing(void **state)
{
	const struct vsw_nexthop *nh[3] = { (void *)1, (void *)1, (void *)1 };
	rte_be32_t dst[3] = { 0, rte_cpu_to_be_32(ip_host(10, 0, 0, 1)), UINT32_MAX };
	struct vsw_route_table *rt = create_ok("rt_empty", NULL, 0);

	RTE_SET_USED(state);
	assert_int_equal(vsw_route_table_count(rt), 0);
	assert_null(vsw_route_lookup(rt, dst[1]));
	vsw_route_lookup_bulk(rt, dst, 3, nh);
	assert_null(nh[0]);
	assert_null(nh[1]);
	assert_null(nh[2]);
	vsw_route_table_free(rt);
	vsw_route_table_free(NULL);
}

/* 33 nested prefixes of one address, /0 to /32, each to its own next
 * hop: an address sharing exactly k leading bits with it matches /k. */
static void
check_nested(const struct vsw_route *routes, const uint8_t *lens, unsigned int n,
	     const char *name)
{
	const uint32_t a = ip_host(198, 51, 100, 77);
	struct vsw_route_table *rt = create_ok(name, routes, n);
	int k;

	assert_int_equal(vsw_route_table_count(rt), n);
	for (k = 0; k <= 32; k++) {
		/* flip bit k (from the top): k leading bits in common */
		uint32_t ip = k == 32 ? a : a ^ (1u << (31 - k));
		const struct vsw_nexthop *nh = vsw_route_lookup(rt, rte_cpu_to_be_32(ip));
		int best = -1;
		unsigned int i;

		for (i = 0; i < n; i++)
			if (lens[i] <= k && (best < 0 || lens[i] > lens[best]))
				best = (int)i;
		if (best < 0) {
			assert_null(nh);
			continue;
		}
		assert_non_null(nh);
		assert_int_equal(nh->rif, 1100 + lens[best]);
		assert_int_equal(rte_be_to_cpu_32(nh->gw), ip_host(10, 9, 0, lens[best]));
	}
	check_against_reference(rt, routes, n, 2000);
	vsw_route_table_free(rt);
}

static void
every_prefix_length_longest_match_wins(void **state)
{
	const uint32_t a = ip_host(198, 51, 100, 77);
	struct vsw_route routes[33];
	uint8_t lens[33];
	unsigned int plen;

	RTE_SET_USED(state);
	/* all 33 lengths (an rte_lpm), inserted longest first */
	for (plen = 0; plen <= 32; plen++) {
		lens[plen] = (uint8_t)(32 - plen);
		routes[plen] = route(a, lens[plen], (uint16_t)(1100 + lens[plen]),
				     ip_host(10, 9, 0, lens[plen]));
	}
	check_nested(routes, lens, 33, "rt_nested_lpm");
	/* a few of them (the linear table): /0, /8, /23, /25, /32 */
	{
		static const uint8_t few[] = { 25, 0, 32, 8, 23 };
		unsigned int i;

		for (i = 0; i < RTE_DIM(few); i++) {
			lens[i] = few[i];
			routes[i] = route(a, few[i], (uint16_t)(1100 + few[i]),
					  ip_host(10, 9, 0, few[i]));
		}
		check_nested(routes, lens, RTE_DIM(few), "rt_nested_small");
	}
}

static void
default_route_catches_everything_else(void **state)
{
	struct vsw_route routes[SMALL_MAX + 4];
	unsigned int n, i;

	RTE_SET_USED(state);
	/* small and LPM: a default plus /32s */
	for (n = 2; n <= SMALL_MAX + 4; n += SMALL_MAX + 2) {
		struct vsw_route_table *rt;
		const struct vsw_nexthop *nh;

		routes[0] = route(0, 0, 1024, ip_host(192, 0, 2, 1));
		for (i = 1; i < n; i++)
			routes[i] = route(ip_host(10, 0, 0, (uint8_t)i), 32, 1025, 0);
		rt = create_ok(n == 2 ? "rt_def_small" : "rt_def_lpm", routes, n);
		nh = vsw_route_lookup(rt, 0);
		assert_non_null(nh);
		assert_int_equal(nh->rif, 1024);
		nh = vsw_route_lookup(rt, UINT32_MAX);
		assert_non_null(nh);
		assert_int_equal(nh->rif, 1024);
		nh = vsw_route_lookup(rt, rte_cpu_to_be_32(ip_host(10, 0, 0, 1)));
		assert_non_null(nh);
		assert_int_equal(nh->rif, 1025);
		assert_int_equal(nh->gw, 0);
		nh = vsw_route_lookup(rt, rte_cpu_to_be_32(ip_host(10, 0, 0, 0)));
		assert_int_equal(nh->rif, 1024);
		check_against_reference(rt, routes, n, 2000);
		vsw_route_table_free(rt);
	}
}

static void
the_last_duplicate_wins(void **state)
{
	struct vsw_route routes[40];
	unsigned int n = 0, i;

	RTE_SET_USED(state);
	for (i = 0; i < 3; i++)
		routes[n++] = route(ip_host(10, 1, 0, 0), 16, (uint16_t)(1030 + i), 0);
	for (i = 0; i < 3; i++)
		routes[n++] = route(ip_host(10, 1, 2, 128), 25, (uint16_t)(1040 + i), 0);
	{
		struct vsw_route_table *rt = create_ok("rt_dup_small", routes, n);

		assert_int_equal(vsw_route_table_count(rt), 2);
		assert_int_equal(vsw_route_lookup(rt, rte_cpu_to_be_32(
					 ip_host(10, 1, 9, 9)))->rif, 1032);
		assert_int_equal(vsw_route_lookup(rt, rte_cpu_to_be_32(
					 ip_host(10, 1, 2, 200)))->rif, 1042);
		vsw_route_table_free(rt);
	}
	/* enough distinct others for an LPM; the duplicates interleaved */
	for (i = 0; i < 30; i++)
		routes[n++] = route(ip_host(20, (uint8_t)i, 0, 0), 16, 1050, 0);
	routes[n++] = route(ip_host(10, 1, 0, 0), 16, 1033, 0);
	{
		struct vsw_route_table *rt = create_ok("rt_dup_lpm", routes, n);

		assert_int_equal(vsw_route_table_count(rt), 32);
		assert_int_equal(vsw_route_lookup(rt, rte_cpu_to_be_32(
					 ip_host(10, 1, 9, 9)))->rif, 1033);
		assert_int_equal(vsw_route_lookup(rt, rte_cpu_to_be_32(
					 ip_host(10, 1, 2, 200)))->rif, 1042);
		check_against_reference(rt, routes, n, 2000);
		vsw_route_table_free(rt);
	}
}

/* Routes with the same (rif, gw) share one next hop. */
static void
next_hops_are_shared(void **state)
{
	struct vsw_route routes[20];
	struct vsw_route_table *rt;
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < 20; i++)
		routes[i] = route(ip_host(10, (uint8_t)i, 0, 0), 16, (uint16_t)(1024 + i % 2),
				  i % 2 ? ip_host(10, 0, 0, 1) : 0);
	rt = create_ok("rt_shared", routes, 20);
	for (i = 2; i < 20; i++)
		assert_ptr_equal(vsw_route_lookup(rt, routes[i].prefix),
				 vsw_route_lookup(rt, routes[i % 2].prefix));
	assert_ptr_not_equal(vsw_route_lookup(rt, routes[0].prefix),
			     vsw_route_lookup(rt, routes[1].prefix));
	vsw_route_table_free(rt);
}

static void
invalid_input_is_einval(void **state)
{
	struct vsw_route bad_len = route(0, 0, 1024, 0);
	struct vsw_route host_bits = route(0, 0, 1024, 0);
	size_t before = heap_in_use();

	RTE_SET_USED(state);
	bad_len.plen = 33;
	host_bits.prefix = rte_cpu_to_be_32(ip_host(10, 0, 0, 1));
	host_bits.plen = 24;
	rte_errno = 0;
	assert_null(vsw_route_table_create("rt_bad", &bad_len, 1, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(vsw_route_table_create("rt_bad", &host_bits, 1, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(vsw_route_table_create("rt_name_longer_than_24_chars", NULL, 0,
					   SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(vsw_route_table_create("rt_null", NULL, 3, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_int_equal(heap_in_use(), before);
}

/* An LPM table's name is taken while it lives, free again after. */
static void
names_are_unique_while_a_table_lives(void **state)
{
	struct vsw_route routes[SMALL_MAX + 1];
	struct vsw_route_table *a, *b;
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(routes); i++)
		routes[i] = route(ip_host(10, (uint8_t)i, 0, 0), 16, 1024, 0);
	a = create_ok("rt_name", routes, RTE_DIM(routes));
	assert_null(vsw_route_table_create("rt_name", routes, RTE_DIM(routes),
					   SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EEXIST);
	vsw_route_table_free(a);
	b = create_ok("rt_name", routes, RTE_DIM(routes));
	vsw_route_table_free(b);
}

/* Random tables of every size around the small/LPM limit and beyond. */
static void
random_tables_match_the_reference(void **state)
{
	static const uint32_t sizes[] = { 1, 2, 3, 5, 7, 8, 9, 10, 16, 33, 100,
					  1000, 20000 };
	struct vsw_route *routes = calloc(20000, sizeof(*routes));
	unsigned int s, i;

	RTE_SET_USED(state);
	assert_non_null(routes);
	rng_seed(0x5eed0001);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		uint32_t n = sizes[s];
		struct vsw_route_table *rt;
		size_t before = heap_in_use();

		for (i = 0; i < n; i++) {
			uint8_t plen = (uint8_t)(rnd() % 33);

			/* some duplicates of earlier prefixes */
			if (i > 0 && rnd() % 8 == 0) {
				routes[i] = routes[rnd() % i];
				routes[i].rif = (uint16_t)(2000 + i % 7);
			} else {
				routes[i] = random_route(n / 2 + 1, plen);
			}
		}
		rt = create_ok("rt_random", routes, n);
		check_against_reference(rt, routes, n, 5000);
		vsw_route_table_free(rt);
		assert_int_equal(heap_in_use(), before);
	}
	free(routes);
}

static double
seconds_since(uint64_t t0)
{
	return (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
}

static struct vsw_route *
big_routes(uint32_t n)
{
	struct vsw_route *routes = calloc(n, sizeof(*routes));
	uint32_t i;

	assert_non_null(routes);
	rng_seed(0x5eed1000);
	for (i = 0; i < n; i++)
		routes[i] = random_route(n, random_plen());
	routes[n / 2] = route(0, 0, 1024, ip_host(192, 0, 2, 1));
	return routes;
}

static void
a_million_routes(void **state)
{
	struct vsw_route *routes = big_routes(BIG_N);
	size_t before = heap_in_use();
	struct vsw_route_table *rt;
	uint64_t t0 = rte_rdtsc();

	RTE_SET_USED(state);
	rt = create_ok("rt_million", routes, BIG_N);
	printf("route_table: %u routes built in %.3f s, %.1f MiB\n",
	       vsw_route_table_count(rt), seconds_since(t0),
	       (double)(heap_in_use() - before) / (1 << 20));
	check_against_reference(rt, routes, BIG_N, SAMPLES);
	vsw_route_table_free(rt);
	assert_int_equal(heap_in_use(), before);
	free(routes);
}

/* --- benchmark (VSW_ROUTE_BENCH=1) --- */

#define BENCH_WS 65536u      /* distinct destinations cycled through */
#define BENCH_BURST 32u

static double
bench_single(const struct vsw_route_table *rt, const rte_be32_t *dst, uint32_t n_dst,
	     unsigned int passes, uintptr_t *sink)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned int p;
	uint32_t i;

	for (p = 0; p < passes; p++)
		for (i = 0; i < n_dst; i++)
			*sink += (uintptr_t)vsw_route_lookup(rt, dst[i]);
	return (double)(rte_rdtsc_precise() - t0) / ((double)passes * n_dst);
}

static double
bench_bulk(const struct vsw_route_table *rt, const rte_be32_t *dst, uint32_t n_dst,
	   unsigned int passes, uintptr_t *sink)
{
	const struct vsw_nexthop *nh[BENCH_BURST];
	uint64_t t0 = rte_rdtsc_precise();
	unsigned int p;
	uint32_t i;

	for (p = 0; p < passes; p++)
		for (i = 0; i < n_dst; i += BENCH_BURST) {
			vsw_route_lookup_bulk(rt, dst + i, BENCH_BURST, nh);
			*sink += (uintptr_t)nh[0] + (uintptr_t)nh[BENCH_BURST - 1];
		}
	return (double)(rte_rdtsc_precise() - t0) / ((double)passes * n_dst);
}

static void
bench_table(const char *label, const struct vsw_route *routes, uint32_t n)
{
	struct vsw_route_table *rt = create_ok("rt_bench", routes, n);
	rte_be32_t *dst = calloc(BENCH_WS, sizeof(*dst));
	double best[4] = { 1e9, 1e9, 1e9, 1e9 };
	uintptr_t sink = 0;
	unsigned int r;
	uint32_t i;

	assert_non_null(dst);
	for (i = 0; i < BENCH_WS; i++)
		dst[i] = rte_cpu_to_be_32(sample_ip(routes, n));
	for (r = 0; r < 20; r++) {
		best[0] = RTE_MIN(best[0], bench_single(rt, dst, BENCH_BURST, 2048, &sink));
		best[1] = RTE_MIN(best[1], bench_bulk(rt, dst, BENCH_BURST, 2048, &sink));
		best[2] = RTE_MIN(best[2], bench_single(rt, dst, BENCH_WS, 1, &sink));
		best[3] = RTE_MIN(best[3], bench_bulk(rt, dst, BENCH_WS, 1, &sink));
	}
	printf("route bench: %-22s single %5.1f, bulk %5.1f cycles/lookup (32 hot "
	       "destinations); single %5.1f, bulk %5.1f (64k random destinations)%s\n",
	       label, best[0], best[1], best[2], best[3], sink == 1 ? "" : " ");
	free(dst);
	vsw_route_table_free(rt);
}

static void
bench_all(void **state)
{
	struct vsw_route *routes = big_routes(BIG_N);
	struct vsw_route few[SMALL_MAX + 1];
	unsigned int i;

	RTE_SET_USED(state);
	printf("route bench: TSC %.3f GHz, min of 20 runs\n", rte_get_tsc_hz() / 1e9);
	few[0] = route(ip_host(10, 0, 0, 0), 24, 1024, 0);
	bench_table("1 route (linear)", few, 1);
	for (i = 0; i < SMALL_MAX; i++)
		few[i] = route(ip_host(10, (uint8_t)i, 0, 0), 24, (uint16_t)(1024 + i), 0);
	bench_table("8 routes (linear)", few, SMALL_MAX);
	few[SMALL_MAX] = route(0, 0, 1030, ip_host(10, 0, 0, 1));
	bench_table("9 routes (rte_lpm)", few, SMALL_MAX + 1);
	bench_table("1M routes (rte_lpm)", routes, BIG_N);
	free(routes);
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	return vsw_eal_env_start("test_route_table", "vsw-test-rt", 512,
				 "lib.*:warning") < 0 ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	RTE_SET_USED(state);
	vsw_eal_env_stop();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_table_routes_nothing),
		cmocka_unit_test(every_prefix_length_longest_match_wins),
		cmocka_unit_test(default_route_catches_everything_else),
		cmocka_unit_test(the_last_duplicate_wins),
		cmocka_unit_test(next_hops_are_shared),
		cmocka_unit_test(invalid_input_is_einval),
		cmocka_unit_test(names_are_unique_while_a_table_lives),
		cmocka_unit_test(random_tables_match_the_reference),
		cmocka_unit_test(a_million_routes),
	};
	const struct CMUnitTest bench[] = {
		cmocka_unit_test(bench_all),
	};
	const char *b = getenv("VSW_ROUTE_BENCH");

	if (b != NULL && strcmp(b, "1") == 0)
		return cmocka_run_group_tests_name("route_bench", bench, setup_eal,
						   teardown_eal);
	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
