/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "mac_table.h"

#define N_SCALE 100000
#define RCU_THREADS 2
#define MAIN_THREAD 0
#define READER_THREAD 1

static struct rte_rcu_qsbr *qsbr;

static struct rte_ether_addr
mac(uint32_t i)
{
	struct rte_ether_addr a = {{ 0x02, 0x00, i >> 24, i >> 16, i >> 8, i }};

	return a;
}

static struct vsw_mac_table *
make(const char *name, uint32_t capacity, uint32_t max_per_network,
     uint32_t ring, struct rte_rcu_qsbr *v)
{
	struct vsw_mac_table_params p = {
		.name = name,
		.capacity = capacity,
		.max_per_network = max_per_network,
		.learn_ring_size = ring,
		.qsbr = v,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_mac_table *t = vsw_mac_table_create(&p);

	assert_non_null(t);
	return t;
}

static uint16_t
lookup(const struct vsw_mac_table *t, uint16_t net, uint32_t i)
{
	struct rte_ether_addr a = mac(i);
	uint64_t key = vsw_mac_key(net, &a);
	uint16_t port = 0;

	vsw_mac_table_lookup_bulk(t, &key, 1, &port);
	return port;
}

static int
learn(struct vsw_mac_table *t, uint16_t net, uint32_t i, uint16_t port,
      uint32_t now)
{
	struct rte_ether_addr a = mac(i);

	return vsw_mac_table_learn(t, net, &a, port, now);
}

static int
add_static(struct vsw_mac_table *t, uint16_t net, uint32_t i, uint16_t port)
{
	struct rte_ether_addr a = mac(i);

	return vsw_mac_table_add_static(t, net, &a, port);
}

static int
del_static(struct vsw_mac_table *t, uint16_t net, uint32_t i)
{
	struct rte_ether_addr a = mac(i);

	return vsw_mac_table_del_static(t, net, &a);
}

static void
observe(struct vsw_mac_table *t, uint16_t net, uint32_t i, uint16_t port,
	uint32_t now)
{
	struct rte_ether_addr a = mac(i);

	vsw_mac_table_observe(t, net, &a, port, now);
}

static struct vsw_mac_table_stats
stats(const struct vsw_mac_table *t)
{
	struct vsw_mac_table_stats s;

	vsw_mac_table_stats(t, &s);
	return s;
}

static void
key_layout(void **state)
{
	const struct rte_ether_addr a = {{ 0x01, 0x23, 0x45, 0x67, 0x89, 0xab }};

	(void)state;
	assert_true(vsw_mac_key(0xbeef, &a) == UINT64_C(0xbeef0123456789ab));
}

static void
create_rejects_bad_parameters(void **state)
{
	struct vsw_mac_table_params p = {
		.name = "mt_params",
		.capacity = 64,
		.learn_ring_size = 64,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_mac_table_params bad;
	struct vsw_mac_table *t;

	(void)state;
	bad = p;
	bad.name = "a_name_of_twenty_chr";
	assert_null(vsw_mac_table_create(&bad));
	assert_int_equal(rte_errno, EINVAL);
	bad = p;
	bad.learn_ring_size = 48;
	assert_null(vsw_mac_table_create(&bad));
	bad = p;
	bad.capacity = 4;
	assert_null(vsw_mac_table_create(&bad));
	assert_null(vsw_mac_table_create(NULL));

	t = vsw_mac_table_create(&p);
	assert_non_null(t);
	/* names are unique per process */
	assert_null(vsw_mac_table_create(&p));
	vsw_mac_table_free(t);
	/* and free releases the name */
	t = vsw_mac_table_create(&p);
	assert_non_null(t);
	vsw_mac_table_free(t);
	vsw_mac_table_free(NULL);
	/* the longest name still fits the RCU defer queue's ring name */
	t = make("a_name_of_19_chars_", 64, 0, 64, qsbr);
	vsw_mac_table_free(t);
}

static void
static_add_lookup_delete(void **state)
{
	struct vsw_mac_table *t = make("mt_static", 64, 0, 64, NULL);
	struct rte_ether_addr bcast;

	(void)state;
	assert_int_equal(lookup(t, 1, 10), VSW_MAC_PORT_NONE);
	assert_int_equal(add_static(t, 1, 10, 3), 0);
	assert_int_equal(add_static(t, 1, 11, 4), 0);
	assert_int_equal(lookup(t, 1, 10), 3);
	assert_int_equal(lookup(t, 1, 11), 4);
	assert_int_equal(vsw_mac_table_count(t, 1), 2);
	/* adding it again is a no-op, with another port it moves */
	assert_int_equal(add_static(t, 1, 10, 3), 0);
	assert_int_equal(add_static(t, 1, 10, 5), 0);
	assert_int_equal(lookup(t, 1, 10), 5);
	assert_int_equal(vsw_mac_table_count(t, 1), 2);

	assert_int_equal(del_static(t, 1, 10), 0);
	assert_int_equal(lookup(t, 1, 10), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 1, 11), 4);
	assert_int_equal(del_static(t, 1, 10), -ENOENT);
	assert_int_equal(vsw_mac_table_count(t, 1), 1);

	/* a learned entry is not a static one to delete */
	assert_int_equal(learn(t, 1, 12, 6, 0), 0);
	assert_int_equal(del_static(t, 1, 12), -ENOENT);
	assert_int_equal(lookup(t, 1, 12), 6);

	memset(&bcast, 0xff, sizeof(bcast));
	assert_int_equal(vsw_mac_table_add_static(t, 1, &bcast, 1), -EINVAL);
	assert_int_equal(add_static(t, 1, 13, VSW_MAC_PORT_NONE), -EINVAL);
	vsw_mac_table_free(t);
}

static void
learned_insert_move_refresh(void **state)
{
	struct vsw_mac_table *t = make("mt_learn", 64, 0, 64, NULL);
	struct rte_ether_addr mcast = {{ 0x01, 0x00, 0x5e, 0, 0, 1 }};

	(void)state;
	assert_int_equal(learn(t, 2, 20, 7, 100), 0);
	assert_int_equal(lookup(t, 2, 20), 7);
	assert_int_equal(stats(t).learned, 1);
	/* same port: only the age is refreshed */
	assert_int_equal(learn(t, 2, 20, 7, 200), 0);
	assert_int_equal(stats(t).learned, 1);
	assert_int_equal(vsw_mac_table_age(t, 350, 200), 0);
	/* moved behind another port */
	assert_int_equal(learn(t, 2, 20, 8, 300), 0);
	assert_int_equal(lookup(t, 2, 20), 8);
	assert_int_equal(stats(t).learned, 2);
	assert_int_equal(vsw_mac_table_count(t, 2), 1);
	/* group addresses are never learned */
	assert_int_equal(vsw_mac_table_learn(t, 2, &mcast, 7, 300), -EINVAL);
	assert_int_equal(vsw_mac_table_count(t, 2), 1);
	vsw_mac_table_free(t);
}

static void
static_wins_over_learning(void **state)
{
	struct vsw_mac_table *t = make("mt_wins", 64, 0, 64, NULL);

	(void)state;
	assert_int_equal(add_static(t, 1, 30, 1), 0);
	assert_int_equal(learn(t, 1, 30, 2, 10), -EEXIST);
	assert_int_equal(lookup(t, 1, 30), 1);
	/* workers do not even ask */
	observe(t, 1, 30, 2, 10);
	assert_int_equal(vsw_mac_table_drain(t, 10), 0);
	assert_int_equal(lookup(t, 1, 30), 1);

	/* a static entry replaces a learned one and then never ages */
	assert_int_equal(learn(t, 1, 31, 2, 10), 0);
	assert_int_equal(add_static(t, 1, 31, 3), 0);
	assert_int_equal(lookup(t, 1, 31), 3);
	assert_int_equal(vsw_mac_table_count(t, 1), 2);
	assert_int_equal(vsw_mac_table_age(t, 100000, 300), 0);
	assert_int_equal(lookup(t, 1, 31), 3);
	assert_int_equal(lookup(t, 1, 30), 1);
	vsw_mac_table_free(t);
}

static void
networks_are_isolated(void **state)
{
	struct vsw_mac_table *t = make("mt_iso", 64, 0, 64, NULL);

	(void)state;
	assert_int_equal(add_static(t, 1, 40, 1), 0);
	assert_int_equal(learn(t, 2, 40, 2, 0), 0);
	assert_int_equal(lookup(t, 1, 40), 1);
	assert_int_equal(lookup(t, 2, 40), 2);
	assert_int_equal(lookup(t, 3, 40), VSW_MAC_PORT_NONE);
	assert_int_equal(vsw_mac_table_count(t, 1), 1);
	assert_int_equal(vsw_mac_table_count(t, 2), 1);
	assert_int_equal(del_static(t, 1, 40), 0);
	assert_int_equal(lookup(t, 2, 40), 2);
	vsw_mac_table_free(t);
}

static void
max_per_network_is_enforced(void **state)
{
	struct vsw_mac_table *t = make("mt_maxnet", 64, 4, 64, NULL);
	uint32_t i;

	(void)state;
	assert_int_equal(add_static(t, 1, 0, 1), 0);
	for (i = 1; i < 4; i++)
		assert_int_equal(learn(t, 1, i, 2, 0), 0);
	assert_int_equal(learn(t, 1, 4, 2, 0), -ENOSPC);
	assert_int_equal(stats(t).table_full, 1);
	assert_int_equal(add_static(t, 1, 5, 1), -ENOSPC);
	assert_int_equal(lookup(t, 1, 4), VSW_MAC_PORT_NONE);
	/* a move or refresh needs no room */
	assert_int_equal(learn(t, 1, 3, 9, 0), 0);
	assert_int_equal(lookup(t, 1, 3), 9);
	/* other networks have their own budget */
	assert_int_equal(learn(t, 2, 4, 2, 0), 0);
	/* and a removal makes room */
	assert_int_equal(del_static(t, 1, 0), 0);
	assert_int_equal(learn(t, 1, 4, 2, 0), 0);
	assert_int_equal(vsw_mac_table_count(t, 1), 4);
	assert_int_equal(stats(t).table_full, 1);
	vsw_mac_table_free(t);
}

static void
capacity_full(void **state)
{
	struct vsw_mac_table *t = make("mt_full", 16, 0, 64, NULL);
	uint32_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_int_equal(learn(t, (uint16_t)(i % 3), i, 1, 0), 0);
	assert_int_equal(learn(t, 5, 100, 1, 0), -ENOSPC);
	assert_int_equal(add_static(t, 5, 101, 1), -ENOSPC);
	assert_int_equal(stats(t).table_full, 1);
	for (i = 0; i < 16; i++)
		assert_int_equal(lookup(t, (uint16_t)(i % 3), i), 1);
	/* without RCU a deleted slot is free at once */
	assert_int_equal(vsw_mac_table_flush_network(t, 0), 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(learn(t, 5, 200 + i, 2, 0), 0);
	assert_int_equal(learn(t, 5, 300, 2, 0), -ENOSPC);
	vsw_mac_table_free(t);
}

static void
ageing_removes_only_stale_learned_entries(void **state)
{
	struct vsw_mac_table *t = make("mt_age", 64, 0, 64, NULL);

	(void)state;
	assert_int_equal(learn(t, 1, 1, 1, 100), 0);
	assert_int_equal(learn(t, 1, 2, 1, 200), 0);
	assert_int_equal(add_static(t, 1, 3, 2), 0);
	assert_int_equal(vsw_mac_table_age(t, 299, 200), 0);
	assert_int_equal(vsw_mac_table_age(t, 300, 200), 1);
	assert_int_equal(lookup(t, 1, 1), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 1, 2), 1);
	assert_int_equal(vsw_mac_table_age(t, 399, 200), 0);
	/* seen "in the future" (a worker's clock ahead) is not stale */
	assert_int_equal(learn(t, 1, 4, 1, 1000), 0);
	assert_int_equal(vsw_mac_table_age(t, 400, 200), 1);
	assert_int_equal(lookup(t, 1, 2), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 1, 3), 2);
	assert_int_equal(lookup(t, 1, 4), 1);
	assert_int_equal(vsw_mac_table_count(t, 1), 2);
	assert_int_equal(stats(t).aged, 2);
	/* the clock wraps */
	assert_int_equal(learn(t, 1, 5, 1, UINT32_MAX - 10), 0);
	assert_int_equal(vsw_mac_table_age(t, 100, 200), 0);
	assert_int_equal(vsw_mac_table_age(t, 189, 200), 1);
	assert_int_equal(lookup(t, 1, 5), VSW_MAC_PORT_NONE);
	vsw_mac_table_free(t);
}

static void
flush_port_and_network(void **state)
{
	struct vsw_mac_table *t = make("mt_flush", 64, 0, 64, NULL);
	uint32_t i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_int_equal(learn(t, (uint16_t)(i % 2), i, (uint16_t)(i % 3), 0), 0);
	assert_int_equal(add_static(t, 0, 50, 1), 0);
	/* port 1: learned 1, 4, 7 and static 50 */
	assert_int_equal(vsw_mac_table_flush_port(t, 1), 4);
	assert_int_equal(lookup(t, 1, 1), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 0, 4), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 0, 50), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 0, 2), 2);
	assert_int_equal(vsw_mac_table_flush_port(t, 1), 0);
	/* network 0 now holds 0, 2, 6, 8 */
	assert_int_equal(vsw_mac_table_count(t, 0), 4);
	assert_int_equal(vsw_mac_table_flush_network(t, 0), 4);
	assert_int_equal(vsw_mac_table_count(t, 0), 0);
	assert_int_equal(lookup(t, 0, 0), VSW_MAC_PORT_NONE);
	assert_int_equal(lookup(t, 1, 3), 0);
	assert_int_equal(lookup(t, 1, 5), 2);
	assert_int_equal(vsw_mac_table_count(t, 1), 3);
	vsw_mac_table_free(t);
}

static void
observe_then_drain(void **state)
{
	struct vsw_mac_table *t = make("mt_observe", 64, 0, 64, NULL);
	struct rte_ether_addr mcast = {{ 0x01, 0x00, 0x5e, 0, 0, 1 }};

	(void)state;
	observe(t, 3, 60, 5, 10);
	/* nothing changes until the control thread drains */
	assert_int_equal(lookup(t, 3, 60), VSW_MAC_PORT_NONE);
	assert_int_equal(vsw_mac_table_drain(t, 10), 1);
	assert_int_equal(lookup(t, 3, 60), 5);
	assert_int_equal(stats(t).learned, 1);
	/* a known MAC on the same port is refreshed in place */
	observe(t, 3, 60, 5, 20);
	assert_int_equal(vsw_mac_table_drain(t, 20), 0);
	assert_int_equal(vsw_mac_table_age(t, 215, 200), 0);
	assert_int_equal(vsw_mac_table_age(t, 220, 200), 1);
	/* a move goes through the control thread */
	assert_int_equal(learn(t, 3, 60, 5, 300), 0);
	observe(t, 3, 60, 6, 301);
	assert_int_equal(lookup(t, 3, 60), 5);
	assert_int_equal(vsw_mac_table_drain(t, 301), 1);
	assert_int_equal(lookup(t, 3, 60), 6);
	/* group sources are ignored */
	vsw_mac_table_observe(t, 3, &mcast, 6, 301);
	assert_int_equal(vsw_mac_table_drain(t, 301), 0);
	assert_int_equal(stats(t).learn_ring_full, 0);
	vsw_mac_table_free(t);
}

static void
learn_ring_full_is_counted(void **state)
{
	struct vsw_mac_table *t = make("mt_ring", 64, 0, 8, NULL);
	uint32_t i;

	(void)state;
	for (i = 0; i < 11; i++)
		observe(t, 1, i, 1, 0);
	assert_int_equal(stats(t).learn_ring_full, 3);
	assert_int_equal(vsw_mac_table_drain(t, 0), 8);
	assert_int_equal(vsw_mac_table_count(t, 1), 8);
	assert_int_equal(lookup(t, 1, 9), VSW_MAC_PORT_NONE);
	/* room again */
	observe(t, 1, 9, 1, 0);
	assert_int_equal(vsw_mac_table_drain(t, 0), 1);
	assert_int_equal(lookup(t, 1, 9), 1);
	assert_int_equal(stats(t).learn_ring_full, 3);
	vsw_mac_table_free(t);
}

static void
bulk_lookup_of_any_size(void **state)
{
	struct vsw_mac_table *t = make("mt_bulk", 256, 0, 64, NULL);
	uint64_t keys[150];
	uint16_t ports[150];
	struct rte_ether_addr a;
	uint32_t i;

	(void)state;
	for (i = 0; i < 150; i++) {
		if (i % 3 != 0)
			assert_int_equal(learn(t, 4, i, (uint16_t)i, 0), 0);
		a = mac(i);
		keys[i] = vsw_mac_key(4, &a);
		ports[i] = 0xabcd;
	}
	vsw_mac_table_lookup_bulk(t, keys, 0, ports);
	assert_int_equal(ports[0], 0xabcd);
	vsw_mac_table_lookup_bulk(t, keys, 150, ports);
	for (i = 0; i < 150; i++)
		assert_int_equal(ports[i], i % 3 ? i : VSW_MAC_PORT_NONE);
	vsw_mac_table_free(t);
}

/* --- RCU --- */

static void
deleted_slots_wait_for_a_grace_period(void **state)
{
	struct vsw_mac_table *t;
	uint32_t i;

	(void)state;
	assert_int_equal(rte_rcu_qsbr_thread_register(qsbr, MAIN_THREAD), 0);
	rte_rcu_qsbr_thread_online(qsbr, MAIN_THREAD);
	t = make("mt_rcu", 8, 0, 64, qsbr);
	for (i = 0; i < 8; i++)
		assert_int_equal(add_static(t, 1, i, (uint16_t)i), 0);
	assert_int_equal(add_static(t, 1, 8, 8), -ENOSPC);

	/* this thread, a reader, may still hold entry 3's position */
	assert_int_equal(del_static(t, 1, 3), 0);
	assert_int_equal(lookup(t, 1, 3), VSW_MAC_PORT_NONE);
	assert_int_equal(vsw_mac_table_count(t, 1), 7);
	assert_int_equal(add_static(t, 1, 8, 8), -ENOSPC);
	assert_int_equal(learn(t, 1, 8, 8, 0), -ENOSPC);

	rte_rcu_qsbr_quiescent(qsbr, MAIN_THREAD);
	assert_int_equal(add_static(t, 1, 8, 8), 0);
	for (i = 0; i < 9; i++)
		assert_int_equal(lookup(t, 1, i), i == 3 ? VSW_MAC_PORT_NONE : i);

	/* ageing and flushes go through the same deferred path */
	assert_int_equal(vsw_mac_table_flush_network(t, 1), 8);
	assert_int_equal(learn(t, 2, 1, 1, 0), -ENOSPC);
	rte_rcu_qsbr_quiescent(qsbr, MAIN_THREAD);
	for (i = 0; i < 8; i++)
		assert_int_equal(learn(t, 2, i, 1, 0), 0);

	/* free reclaims the deferred slots: no reader may be online */
	rte_rcu_qsbr_thread_offline(qsbr, MAIN_THREAD);
	rte_rcu_qsbr_thread_unregister(qsbr, MAIN_THREAD);
	vsw_mac_table_free(t);
	/* the name (and the defer queue's ring) is free again */
	t = make("mt_rcu", 8, 0, 64, qsbr);
	vsw_mac_table_free(t);
}

struct reader {
	struct vsw_mac_table *t;
	uint64_t keys[3];
	uint64_t lookups;
	uint64_t wrong;
	volatile int stop;
};

#define PORT_A 1
#define PORT_B 2
#define PORT_C1 3
#define PORT_C2 4

static void *
reader_loop(void *arg)
{
	struct reader *r = arg;
	uint16_t ports[3];

	rte_rcu_qsbr_thread_register(qsbr, READER_THREAD);
	rte_rcu_qsbr_thread_online(qsbr, READER_THREAD);
	while (!r->stop) {
		vsw_mac_table_lookup_bulk(r->t, r->keys, 3, ports);
		r->wrong += ports[0] != PORT_A && ports[0] != VSW_MAC_PORT_NONE;
		r->wrong += ports[1] != PORT_B && ports[1] != VSW_MAC_PORT_NONE;
		r->wrong += ports[2] != PORT_C1 && ports[2] != PORT_C2;
		r->lookups++;
		rte_rcu_qsbr_quiescent(qsbr, READER_THREAD);
	}
	rte_rcu_qsbr_thread_offline(qsbr, READER_THREAD);
	rte_rcu_qsbr_thread_unregister(qsbr, READER_THREAD);
	return NULL;
}

/* Retries while the reader has not yet let go of deleted slots. */
static void
add_until_room(struct vsw_mac_table *t, uint32_t i, uint16_t port,
	       uint64_t deadline)
{
	int rc;

	while ((rc = add_static(t, 1, i, port)) == -ENOSPC &&
	       rte_get_timer_cycles() < deadline)
		sched_yield();
	assert_int_equal(rc, 0);
}

/*
 * A concurrent reader must only ever see a key's own port (or nothing):
 * with positions reused after grace periods, a key is never seen with the
 * port of the key that held its position before.
 */
static void
concurrent_reader_sees_consistent_ports(void **state)
{
	struct reader r = { .stop = 0 };
	struct rte_ether_addr a;
	cpu_set_t all;
	pthread_t th;
	uint64_t deadline, end;
	uint32_t i, rounds = 0;
	long c;

	(void)state;
	r.t = make("mt_conc", 64, 0, 64, qsbr);
	/* A and B take turns in the 50 free positions, each reused by the
	 * other key after a grace period */
	for (i = 0; i < 13; i++)
		assert_int_equal(add_static(r.t, 1, 1000 + i, 9), 0);
	assert_int_equal(learn(r.t, 1, 12, PORT_C1, 0), 0);
	a = mac(10);
	r.keys[0] = vsw_mac_key(1, &a);
	a = mac(11);
	r.keys[1] = vsw_mac_key(1, &a);
	a = mac(12);
	r.keys[2] = vsw_mac_key(1, &a);

	assert_int_equal(pthread_create(&th, NULL, reader_loop, &r), 0);
	CPU_ZERO(&all);
	for (c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE; c++)
		CPU_SET(c, &all);
	pthread_setaffinity_np(th, sizeof(all), &all);

	end = rte_get_timer_cycles() + rte_get_timer_hz() / 2;
	deadline = rte_get_timer_cycles() + 20 * rte_get_timer_hz();
	while (rte_get_timer_cycles() < end && rounds < 200000) {
		add_until_room(r.t, 10, PORT_A, deadline);
		assert_int_equal(del_static(r.t, 1, 10), 0);
		add_until_room(r.t, 11, PORT_B, deadline);
		assert_int_equal(del_static(r.t, 1, 11), 0);
		assert_int_equal(learn(r.t, 1, 12, rounds & 1 ? PORT_C1 : PORT_C2,
				       rounds), 0);
		rounds++;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	printf("concurrent: %u writer rounds, %" PRIu64 " reader lookups\n",
	       rounds, r.lookups);
	assert_true(rounds > 0);
	assert_true(r.lookups > 0);
	assert_int_equal(r.wrong, 0);
	vsw_mac_table_free(r.t);
}

/* --- scale --- */

static void
hundred_thousand_learned_macs_in_one_network(void **state)
{
	static uint64_t keys[N_SCALE];
	static uint16_t ports[N_SCALE];
	struct vsw_mac_table *t = make("mt_scale", 131072, 0, 1024, NULL);
	struct rte_ether_addr a;
	uint64_t t0, ins_cycles, look_cycles, misses = 0;
	const unsigned int rounds = 10;
	uint32_t i, r;

	(void)state;
	for (i = 0; i < N_SCALE; i++) {
		a = mac(i * 2654435761u);
		keys[i] = vsw_mac_key(7, &a);
	}
	t0 = rte_rdtsc_precise();
	for (i = 0; i < N_SCALE; i++) {
		a = mac(i * 2654435761u);
		if (vsw_mac_table_learn(t, 7, &a, (uint16_t)(i % 1000), 1) != 0)
			fail_msg("learn %u failed", i);
	}
	ins_cycles = rte_rdtsc_precise() - t0;
	assert_int_equal(vsw_mac_table_count(t, 7), N_SCALE);

	t0 = rte_rdtsc_precise();
	/* one call; it looks up VSW_MAC_BULK_MAX keys at a time */
	for (r = 0; r < rounds; r++)
		vsw_mac_table_lookup_bulk(t, keys, N_SCALE, ports);
	look_cycles = rte_rdtsc_precise() - t0;
	for (i = 0; i < N_SCALE; i++)
		if (ports[i] != i % 1000)
			fail_msg("key %u: port %u", i, ports[i]);

	/* the same MACs in another network are unknown */
	for (i = 0; i < N_SCALE; i++)
		keys[i] ^= UINT64_C(15) << 48;  /* network 7 -> 8 */
	vsw_mac_table_lookup_bulk(t, keys, N_SCALE, ports);
	for (i = 0; i < N_SCALE; i++)
		misses += ports[i] == VSW_MAC_PORT_NONE;
	assert_int_equal(misses, N_SCALE);

	printf("scale: %u learned MACs: %.0f cycles/insert, %.1f cycles/lookup "
	       "(bulk of %u, %.2f GHz TSC)\n", N_SCALE,
	       (double)ins_cycles / N_SCALE,
	       (double)look_cycles / ((double)N_SCALE * rounds), VSW_MAC_BULK_MAX,
	       rte_get_tsc_hz() / 1e9);

	t0 = rte_rdtsc_precise();
	assert_int_equal(vsw_mac_table_age(t, 1000, 300), N_SCALE);
	printf("scale: ageing out %u entries: %.0f cycles/entry\n", N_SCALE,
	       (double)(rte_rdtsc_precise() - t0) / N_SCALE);
	assert_int_equal(vsw_mac_table_count(t, 7), 0);
	vsw_mac_table_free(t);
}

static int
setup_eal(void **state)
{
	char prefix[64];
	char *argv[] = {
		"test_mac_table", "--no-huge", "-m", "512", "--no-pci",
		"--no-shconf", "--no-telemetry", "--file-prefix", prefix,
		"-l", "0", "--log-level=lib.*:warning",
	};
	size_t sz;

	(void)state;
	snprintf(prefix, sizeof(prefix), "vsw-test-mac-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	sz = rte_rcu_qsbr_get_memsize(RCU_THREADS);
	qsbr = rte_zmalloc("test_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, RCU_THREADS) != 0)
		return -1;
	return 0;
}

static int
teardown_eal(void **state)
{
	char run_dir[PATH_MAX];

	(void)state;
	rte_free(qsbr);
	snprintf(run_dir, sizeof(run_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* with --no-shconf EAL leaves only its empty runtime directory */
	rmdir(run_dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_layout),
		cmocka_unit_test(create_rejects_bad_parameters),
		cmocka_unit_test(static_add_lookup_delete),
		cmocka_unit_test(learned_insert_move_refresh),
		cmocka_unit_test(static_wins_over_learning),
		cmocka_unit_test(networks_are_isolated),
		cmocka_unit_test(max_per_network_is_enforced),
		cmocka_unit_test(capacity_full),
		cmocka_unit_test(ageing_removes_only_stale_learned_entries),
		cmocka_unit_test(flush_port_and_network),
		cmocka_unit_test(observe_then_drain),
		cmocka_unit_test(learn_ring_full_is_counted),
		cmocka_unit_test(bulk_lookup_of_any_size),
		cmocka_unit_test(deleted_slots_wait_for_a_grace_period),
		cmocka_unit_test(concurrent_reader_sees_consistent_ports),
		cmocka_unit_test(hundred_thousand_learned_macs_in_one_network),
	};

	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
