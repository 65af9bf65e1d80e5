/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The punt, inject and VTEP-learn rings: the token bucket in front of the
 * punt ring, counted refusals, metadata that survives the trip, and no mbuf
 * left behind (the pool's in-use count is back to zero after every test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "eal_env.h"
#include "kvt.h"
#include "punt.h"

#define POOL_SIZE 1023
#define HZ 1000000000ull          /* a made-up TSC rate: 1 cycle = 1 ns */
#define T0 (1000 * HZ)            /* a TSC long after the bucket's creation */

static struct rte_mempool *pool;

static struct vsw_punt *
punt_new(uint32_t punt_size, uint32_t inject_size, uint32_t learn_size,
	 uint64_t rate, uint64_t burst)
{
	struct vsw_punt_params p = {
		.punt_ring_size = punt_size, .inject_ring_size = inject_size,
		.learn_ring_size = learn_size, .rate_per_worker = rate,
		.burst = burst, .socket_id = SOCKET_ID_ANY,
	};
	struct vsw_punt *pt = vsw_punt_create(&p);

	assert_non_null(pt);
	return pt;
}

static struct rte_mbuf *
pkt(const struct vsw_punt *pt, uint8_t kind, uint16_t port, uint32_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct vsw_pkt_meta *meta;
	char *data;

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 64));
	data = rte_pktmbuf_mtod(m, char *);
	memset(data, 0, 64);
	memcpy(data, &tag, sizeof(tag));
	meta = vsw_pkt_meta(m, vsw_punt_meta_offset(pt));
	memset(meta, 0, sizeof(*meta));
	meta->kind = kind;
	meta->port = port;
	return m;
}

static uint32_t
tag_of(struct rte_mbuf *m)
{
	uint32_t tag;

	memcpy(&tag, rte_pktmbuf_mtod(m, char *), sizeof(tag));
	return tag;
}

static void
check_pool_empty(void)
{
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static void
bad_params_are_refused(void **state)
{
	struct vsw_punt_params p = {
		.punt_ring_size = 100, .inject_ring_size = 64,
		.learn_ring_size = 64, .rate_per_worker = 10, .burst = 10,
		.socket_id = SOCKET_ID_ANY,
	};

	RTE_SET_USED(state);
	assert_null(vsw_punt_create(NULL));
	assert_null(vsw_punt_create(&p));
	assert_int_equal(rte_errno, EINVAL);
	p.punt_ring_size = 64;
	p.learn_ring_size = 0;
	assert_null(vsw_punt_create(&p));
	assert_int_equal(rte_errno, EINVAL);
}

static void
meta_survives_the_punt_ring(void **state)
{
	struct vsw_punt *a = punt_new(64, 64, 64, 1000, 100);
	struct vsw_punt *b = punt_new(64, 64, 64, 1000, 100);  /* same field */
	struct vsw_token_bucket tb;
	struct vsw_punt_stats st;
	struct rte_mbuf *m = pkt(a, VSW_PUNT_RESOLVE, 1500, 42), *got[4];
	struct vsw_pkt_meta *meta = vsw_pkt_meta(m, vsw_punt_meta_offset(a));

	RTE_SET_USED(state);
	assert_true(vsw_punt_meta_offset(a) >= 0);
	assert_int_equal(vsw_punt_meta_offset(a), vsw_punt_meta_offset(b));
	meta->net = 7;
	meta->scope = (VSW_NEIGH_SCOPE_UPLINK | 3);
	meta->ip = rte_cpu_to_be_32(0x0a000001);
	vsw_punt_tb_init(a, &tb, HZ);
	assert_int_equal(vsw_punt_packet(a, &tb, T0, m), VSW_DROP_MAX);
	assert_int_equal(vsw_punt_dequeue(a, got, RTE_DIM(got)), 1);
	assert_ptr_equal(got[0], m);
	meta = vsw_pkt_meta(got[0], vsw_punt_meta_offset(a));
	assert_int_equal(meta->kind, VSW_PUNT_RESOLVE);
	assert_int_equal(meta->port, 1500);
	assert_int_equal(meta->net, 7);
	assert_int_equal(meta->scope, (VSW_NEIGH_SCOPE_UPLINK | 3));
	assert_int_equal(meta->ip, rte_cpu_to_be_32(0x0a000001));
	assert_int_equal(tag_of(got[0]), 42);
	vsw_punt_stats(a, &st);
	assert_int_equal(st.punted[VSW_PUNT_RESOLVE], 1);
	assert_int_equal(st.punted[VSW_PUNT_ARP], 0);
	assert_int_equal(vsw_punt_dequeue(a, got, RTE_DIM(got)), 0);
	rte_pktmbuf_free(got[0]);
	vsw_punt_free(a);
	vsw_punt_free(b);
	check_pool_empty();
}

static void
token_bucket_takes_a_burst_then_refills_with_time(void **state)
{
	/* 1000 per second: a token per 1 ms; 8 deep. */
	struct vsw_punt *pt = punt_new(256, 64, 64, 1000, 8);
	struct vsw_token_bucket tb;
	struct rte_mbuf *m, *got[64];
	unsigned int i, n;

	RTE_SET_USED(state);
	vsw_punt_tb_init(pt, &tb, HZ);
	for (i = 0; i < 8; i++)
		assert_int_equal(vsw_punt_packet(pt, &tb, T0, pkt(pt, VSW_PUNT_ARP, 1, i)),
				 VSW_DROP_MAX);
	m = pkt(pt, VSW_PUNT_ARP, 1, 99);
	assert_int_equal(vsw_punt_packet(pt, &tb, T0, m), VSW_DROP_PUNT_RATELIMIT);
	/* Half a token's time is not a token. */
	assert_int_equal(vsw_punt_packet(pt, &tb, T0 + HZ / 2000, m),
			 VSW_DROP_PUNT_RATELIMIT);
	/* 3 ms later: three tokens. */
	for (i = 0; i < 3; i++)
		assert_int_equal(vsw_punt_packet(pt, &tb, T0 + 3 * HZ / 1000,
						 pkt(pt, VSW_PUNT_ARP, 1, 10 + i)),
				 VSW_DROP_MAX);
	assert_int_equal(vsw_punt_packet(pt, &tb, T0 + 3 * HZ / 1000, m),
			 VSW_DROP_PUNT_RATELIMIT);
	/* A long silence refills to the depth, not beyond. */
	for (i = 0; i < 8; i++)
		assert_int_equal(vsw_punt_packet(pt, &tb, T0 + 10 * HZ,
						 pkt(pt, VSW_PUNT_ARP, 1, 20 + i)),
				 VSW_DROP_MAX);
	assert_int_equal(vsw_punt_packet(pt, &tb, T0 + 10 * HZ, m),
			 VSW_DROP_PUNT_RATELIMIT);
	rte_pktmbuf_free(m);
	n = vsw_punt_dequeue(pt, got, RTE_DIM(got));
	assert_int_equal(n, 19);
	for (i = 0; i < n; i++)  /* FIFO */
		assert_int_equal(tag_of(got[i]), i < 8 ? i : i < 11 ? 10 + i - 8 : 20 + i - 11);
	rte_pktmbuf_free_bulk(got, n);
	vsw_punt_free(pt);
	check_pool_empty();
}

static void
a_full_punt_ring_is_punt_full(void **state)
{
	/* A ring of 16 holds 15; the bucket is deep enough not to matter. */
	struct vsw_punt *pt = punt_new(16, 64, 64, 1000000, 1000);
	struct vsw_token_bucket tb;
	struct rte_mbuf *m, *got[32];
	unsigned int i;

	RTE_SET_USED(state);
	vsw_punt_tb_init(pt, &tb, HZ);
	for (i = 0; i < 15; i++)
		assert_int_equal(vsw_punt_packet(pt, &tb, T0, pkt(pt, VSW_PUNT_LOCAL, 2, i)),
				 VSW_DROP_MAX);
	m = pkt(pt, VSW_PUNT_LOCAL, 2, 15);
	assert_int_equal(vsw_punt_packet(pt, &tb, T0, m), VSW_DROP_PUNT_FULL);
	/* The control thread drains; there is room again. */
	assert_int_equal(vsw_punt_dequeue(pt, got, 4), 4);
	assert_int_equal(vsw_punt_packet(pt, &tb, T0, m), VSW_DROP_MAX);
	rte_pktmbuf_free_bulk(got, 4);
	/* Packets still queued are freed with the rings. */
	vsw_punt_free(pt);
	check_pool_empty();
}

static void
injected_packets_reach_the_workers_in_order(void **state)
{
	struct vsw_punt *pt = punt_new(64, 8, 64, 1000, 10);
	struct vsw_punt_stats st;
	struct rte_mbuf *got[16];
	struct vsw_pkt_meta *meta;
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < 7; i++) {
		struct rte_mbuf *m = pkt(pt, VSW_INJECT_ROUTE, (uint16_t)(1100 + i), i);

		assert_int_equal(vsw_inject(pt, m), 0);
	}
	/* A ring of 8 holds 7: the eighth is refused and freed. */
	assert_int_equal(vsw_inject(pt, pkt(pt, VSW_INJECT_PORT, 3, 7)), -ENOBUFS);
	vsw_punt_stats(pt, &st);
	assert_int_equal(st.injected, 7);
	assert_int_equal(st.inject_full, 1);
	assert_int_equal(vsw_inject_dequeue(pt, got, 3), 3);
	assert_int_equal(vsw_inject_dequeue(pt, got + 3, RTE_DIM(got) - 3), 4);
	assert_int_equal(vsw_inject_dequeue(pt, got, RTE_DIM(got)), 0);
	for (i = 0; i < 7; i++) {
		meta = vsw_pkt_meta(got[i], vsw_punt_meta_offset(pt));
		assert_int_equal(meta->kind, VSW_INJECT_ROUTE);
		assert_int_equal(meta->port, 1100 + i);
		assert_int_equal(tag_of(got[i]), i);
	}
	rte_pktmbuf_free_bulk(got, 7);
	/* Left in the inject ring: freed by vsw_punt_free. */
	assert_int_equal(vsw_inject(pt, pkt(pt, VSW_INJECT_NET, 3, 8)), 0);
	vsw_punt_free(pt);
	check_pool_empty();
}

static void
vtep_learn_requests_carry_network_and_address(void **state)
{
	struct vsw_punt *pt = punt_new(64, 64, 4, 1000, 10);
	struct vsw_punt_stats st;
	uint16_t nets[8];
	rte_be32_t ips[8];

	RTE_SET_USED(state);
	assert_int_equal(vsw_punt_vtep_requests(pt, nets, ips, 8), 0);
	vsw_punt_vtep_learn(pt, 5, rte_cpu_to_be_32(0xc0a80101));
	vsw_punt_vtep_learn(pt, 4095, rte_cpu_to_be_32(0xffffffff));
	vsw_punt_vtep_learn(pt, 0, rte_cpu_to_be_32(0x0a000002));
	vsw_punt_vtep_learn(pt, 9, rte_cpu_to_be_32(0x0a000003));  /* full: dropped */
	assert_int_equal(vsw_punt_vtep_requests(pt, nets, ips, 2), 2);
	assert_int_equal(nets[0], 5);
	assert_int_equal(ips[0], rte_cpu_to_be_32(0xc0a80101));
	assert_int_equal(nets[1], 4095);
	assert_int_equal(ips[1], rte_cpu_to_be_32(0xffffffff));
	assert_int_equal(vsw_punt_vtep_requests(pt, nets, ips, 8), 1);
	assert_int_equal(nets[0], 0);
	assert_int_equal(ips[0], rte_cpu_to_be_32(0x0a000002));
	vsw_punt_stats(pt, &st);
	assert_int_equal(st.learn_requests, 3);
	vsw_punt_free(pt);
}

static void
many_learn_requests_come_out_in_chunks(void **state)
{
	enum { N = 200 };
	struct vsw_punt *pt = punt_new(64, 64, 256, 1000, 10);
	uint16_t nets[N];
	rte_be32_t ips[N];
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < N; i++)
		vsw_punt_vtep_learn(pt, (uint16_t)i, rte_cpu_to_be_32(0x0a000000 + i));
	assert_int_equal(vsw_punt_vtep_requests(pt, nets, ips, N), N);
	for (i = 0; i < N; i++) {
		assert_int_equal(nets[i], i);
		assert_int_equal(ips[i], rte_cpu_to_be_32(0x0a000000 + i));
	}
	vsw_punt_free(pt);
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	if (vsw_eal_env_start("test_punt", "vsw-test-punt", 128,
			      "lib.*:warning") < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("punt_t_pool", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	RTE_SET_USED(state);
	rte_mempool_free(pool);
	vsw_eal_env_stop();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_params_are_refused),
		cmocka_unit_test(meta_survives_the_punt_ring),
		cmocka_unit_test(token_bucket_takes_a_burst_then_refills_with_time),
		cmocka_unit_test(a_full_punt_ring_is_punt_full),
		cmocka_unit_test(injected_packets_reach_the_workers_in_order),
		cmocka_unit_test(vtep_learn_requests_carry_network_and_address),
		cmocka_unit_test(many_learn_requests_come_out_in_chunks),
	};

	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
