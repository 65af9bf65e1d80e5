/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The key-value table: single-writer semantics, bulk lookups that agree
 * with single ones, an exact capacity, and a reader thread under RCU while
 * the writer churns (run under ASan to catch a reader touching a freed slot).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "eal_env.h"
#include "kvt.h"

static struct vsw_kvt *
kvt_new(const char *name, uint32_t capacity, struct rte_rcu_qsbr *qsbr)
{
	struct vsw_kvt_params p = {
		.name = name, .capacity = capacity, .qsbr = qsbr,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_kvt *t = vsw_kvt_create(&p);

	assert_non_null(t);
	return t;
}

static void
count_entry(uint64_t key, uint64_t value, void *arg)
{
	uint64_t *acc = arg;

	acc[0]++;
	acc[1] += key;
	acc[2] ^= value;
}

static void
key_builders_place_type_scope_and_host_order_ip(void **state)
{
	struct rte_ether_addr mac = {{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }}, back;
	uint64_t v;

	RTE_SET_USED(state);
	assert_int_equal(vsw_kvt_neigh_key(0x8003, rte_cpu_to_be_32(0x0a000001)),
			 (uint64_t)VSW_KVT_NEIGH << 56 | 0x8003ull << 32 | 0x0a000001);
	v = vsw_neigh_value(&mac, VSW_NEIGH_STATIC);
	assert_int_equal(v, VSW_NEIGH_STATIC | 0x021122334455ull);
	vsw_neigh_mac(v, &back);
	assert_memory_equal(&back, &mac, sizeof(mac));
}

static void
set_replace_del_count_foreach(void **state)
{
	struct vsw_kvt *t = kvt_new("kvt_basic", 64, NULL);
	uint64_t v = 0, acc[3] = { 0, 0, 0 };

	RTE_SET_USED(state);
	assert_int_equal(vsw_kvt_count(t), 0);
	assert_false(vsw_kvt_lookup(t, 1, &v));
	assert_int_equal(vsw_kvt_set(t, 1, 100), 0);
	assert_int_equal(vsw_kvt_set(t, 2, 0), 0);   /* a zero value is a value */
	assert_int_equal(vsw_kvt_set(t, UINT64_MAX, UINT64_MAX), 0);
	assert_int_equal(vsw_kvt_count(t), 3);
	assert_true(vsw_kvt_lookup(t, 1, &v));
	assert_int_equal(v, 100);
	assert_true(vsw_kvt_lookup(t, 2, &v));
	assert_int_equal(v, 0);
	assert_true(vsw_kvt_lookup(t, UINT64_MAX, &v));
	assert_int_equal(v, UINT64_MAX);

	assert_int_equal(vsw_kvt_set(t, 1, 101), 0);  /* replace */
	assert_int_equal(vsw_kvt_count(t), 3);
	assert_true(vsw_kvt_lookup(t, 1, &v));
	assert_int_equal(v, 101);

	vsw_kvt_foreach(t, count_entry, acc);
	assert_int_equal(acc[0], 3);
	assert_int_equal(acc[1], (uint64_t)1 + 2 + UINT64_MAX);
	assert_int_equal(acc[2], (uint64_t)101 ^ 0 ^ UINT64_MAX);

	assert_int_equal(vsw_kvt_del(t, 2), 0);
	assert_int_equal(vsw_kvt_del(t, 2), -ENOENT);
	assert_int_equal(vsw_kvt_del(t, 77), -ENOENT);
	assert_int_equal(vsw_kvt_count(t), 2);
	assert_false(vsw_kvt_lookup(t, 2, &v));
	acc[0] = acc[1] = acc[2] = 0;
	vsw_kvt_foreach(t, count_entry, acc);
	assert_int_equal(acc[0], 2);
	vsw_kvt_free(t);
}

static void
bad_params_and_duplicate_names_are_refused(void **state)
{
	struct vsw_kvt_params p = { .name = "kvt_dup", .capacity = 8,
				    .socket_id = SOCKET_ID_ANY };
	struct vsw_kvt *t;

	RTE_SET_USED(state);
	assert_null(vsw_kvt_create(NULL));
	p.capacity = 0;
	assert_null(vsw_kvt_create(&p));
	assert_int_equal(rte_errno, EINVAL);
	p.capacity = 8;
	p.name = "a_name_longer_than_19_chars";
	assert_null(vsw_kvt_create(&p));
	assert_int_equal(rte_errno, EINVAL);
	p.name = "kvt_dup";
	t = vsw_kvt_create(&p);
	assert_non_null(t);
	assert_null(vsw_kvt_create(&p));
	vsw_kvt_free(t);
	vsw_kvt_free(NULL);
}

static void
bulk_agrees_with_single_lookups(void **state)
{
	enum { N = 1000, Q = 333 };  /* Q: not a multiple of the bulk size */
	struct vsw_kvt *t = kvt_new("kvt_bulk", N, NULL);
	uint64_t keys[Q], values[Q], v;
	uint8_t found[Q];
	unsigned int i, hits = 0;

	RTE_SET_USED(state);
	for (i = 0; i < N; i += 2)
		assert_int_equal(vsw_kvt_set(t, vsw_kvt_neigh_key(3, i), i * 7 + 1), 0);
	for (i = 0; i < Q; i++)
		keys[i] = vsw_kvt_neigh_key(3, (i * 3) % (N + 50));
	memset(found, 0xee, sizeof(found));
	vsw_kvt_lookup_bulk(t, keys, Q, values, found);
	for (i = 0; i < Q; i++) {
		bool single = vsw_kvt_lookup(t, keys[i], &v);

		assert_int_equal(found[i], single ? 1 : 0);
		if (single) {
			assert_int_equal(values[i], v);
			hits++;
		}
	}
	assert_true(hits > Q / 4 && hits < Q);
	vsw_kvt_lookup_bulk(t, keys, 0, values, found);  /* n = 0: nothing */
	vsw_kvt_free(t);
}

static void
capacity_is_exact(void **state)
{
	enum { CAP = 100 };
	struct vsw_kvt *t = kvt_new("kvt_cap", CAP, NULL);
	uint64_t v;
	unsigned int i, round;

	RTE_SET_USED(state);
	for (i = 0; i < CAP; i++)
		assert_int_equal(vsw_kvt_set(t, i, i), 0);
	assert_int_equal(vsw_kvt_count(t), CAP);
	assert_int_equal(vsw_kvt_set(t, CAP, 1), -ENOSPC);
	assert_false(vsw_kvt_lookup(t, CAP, &v));
	assert_int_equal(vsw_kvt_set(t, 5, 55), 0);  /* a replace still fits */
	/* Without readers a deleted slot is free at once, round after round. */
	for (round = 0; round < 5 * CAP; round++) {
		assert_int_equal(vsw_kvt_del(t, round % CAP + (round / CAP) * 1000), 0);
		assert_int_equal(vsw_kvt_set(t, round % CAP + (round / CAP + 1) * 1000, 1), 0);
		assert_int_equal(vsw_kvt_set(t, 999999, 1), -ENOSPC);
	}
	assert_int_equal(vsw_kvt_count(t), CAP);
	vsw_kvt_free(t);
}

/* A reader registered but never quiescent blocks reclamation: the table's
 * headroom still lets the writer replace deleted keys. */
static void
delete_then_set_at_capacity_does_not_wait_for_readers(void **state)
{
	enum { CAP = 256 };
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *q = rte_zmalloc("kvt_q1", sz, RTE_CACHE_LINE_SIZE);
	struct vsw_kvt *t;
	unsigned int i;

	RTE_SET_USED(state);
	assert_non_null(q);
	assert_int_equal(rte_rcu_qsbr_init(q, 1), 0);
	t = kvt_new("kvt_headroom", CAP, q);
	assert_int_equal(rte_rcu_qsbr_thread_register(q, 0), 0);
	rte_rcu_qsbr_thread_online(q, 0);
	for (i = 0; i < CAP; i++)
		assert_int_equal(vsw_kvt_set(t, i, i), 0);
	for (i = 0; i < CAP / 8; i++) {
		assert_int_equal(vsw_kvt_del(t, i), 0);
		assert_int_equal(vsw_kvt_set(t, 10000 + i, i), 0);
	}
	assert_int_equal(vsw_kvt_count(t), CAP);
	assert_int_equal(vsw_kvt_set(t, 99999, 1), -ENOSPC);
	rte_rcu_qsbr_thread_offline(q, 0);
	rte_rcu_qsbr_thread_unregister(q, 0);
	vsw_kvt_free(t);
	rte_free(q);
}

/* --- a reader thread under RCU while the writer churns --- */

#define CHURN_KEYS 512
#define CHURN_ROUNDS 200000

struct reader {
	struct vsw_kvt *t;
	struct rte_rcu_qsbr *q;
	bool stop;
	bool started;
	uint64_t lookups;
	uint64_t hits;
	uint64_t bad;      /* a value the writer never set for that key */
};

/* The writer only stores key << 16 | generation for a key. */
static bool
value_fits_key(uint64_t key, uint64_t value)
{
	return value >> 16 == key;
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	uint64_t keys[CHURN_KEYS], values[CHURN_KEYS], v;
	uint8_t found[CHURN_KEYS];
	unsigned int i;

	for (i = 0; i < CHURN_KEYS; i++)
		keys[i] = 0x100 + i;
	rte_rcu_qsbr_thread_register(r->q, 1);
	rte_rcu_qsbr_thread_online(r->q, 1);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		vsw_kvt_lookup_bulk(r->t, keys, CHURN_KEYS, values, found);
		for (i = 0; i < CHURN_KEYS; i++) {
			r->lookups++;
			if (found[i]) {
				r->hits++;
				r->bad += !value_fits_key(keys[i], values[i]);
			}
			if (vsw_kvt_lookup(r->t, keys[i], &v))
				r->bad += !value_fits_key(keys[i], v);
		}
		rte_rcu_qsbr_quiescent(r->q, 1);
		__atomic_store_n(&r->started, true, __ATOMIC_RELEASE);
	}
	rte_rcu_qsbr_thread_offline(r->q, 1);
	rte_rcu_qsbr_thread_unregister(r->q, 1);
	return NULL;
}

/* EAL pinned this thread to one CPU; let the reader run beside it. */
static void
unpin(pthread_t tid)
{
	cpu_set_t all;
	long i, n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&all);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_setaffinity_np(tid, sizeof(all), &all);
}

static void
reader_sees_only_values_written_while_writer_churns(void **state)
{
	/* Capacity below the key range: the writer also meets -ENOSPC. */
	enum { CAP = CHURN_KEYS / 2 };
	size_t sz = rte_rcu_qsbr_get_memsize(2);
	struct rte_rcu_qsbr *q = rte_zmalloc("kvt_q2", sz, RTE_CACHE_LINE_SIZE);
	struct reader r = { 0 };
	struct vsw_kvt *t;
	pthread_t tid;
	uint64_t seed = 88172645463325252ull, key, v;
	unsigned int i, present = 0, full = 0;

	RTE_SET_USED(state);
	assert_non_null(q);
	assert_int_equal(rte_rcu_qsbr_init(q, 2), 0);
	t = kvt_new("kvt_churn", CAP, q);
	r.t = t;
	r.q = q;
	assert_int_equal(pthread_create(&tid, NULL, reader_main, &r), 0);
	unpin(tid);
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		sched_yield();
	for (i = 0; i < CHURN_ROUNDS; i++) {
		int rc;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		key = 0x100 + seed % CHURN_KEYS;
		if (seed >> 40 & 1) {
			rc = vsw_kvt_set(t, key, key << 16 | (i & 0xffff));
			assert_true(rc == 0 || rc == -ENOSPC);
			full += rc == -ENOSPC;
		} else {
			rc = vsw_kvt_del(t, key);
			assert_true(rc == 0 || rc == -ENOENT);
		}
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_int_equal(r.bad, 0);
	assert_true(r.lookups > 0);
	assert_true(full > 0);
	for (i = 0; i < CHURN_KEYS; i++)
		present += vsw_kvt_lookup(t, 0x100 + i, &v);
	assert_int_equal(present, vsw_kvt_count(t));
	vsw_kvt_free(t);
	rte_free(q);
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	return vsw_eal_env_start("test_kvt", "vsw-test-kvt", 128,
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
		cmocka_unit_test(key_builders_place_type_scope_and_host_order_ip),
		cmocka_unit_test(set_replace_del_count_foreach),
		cmocka_unit_test(bad_params_and_duplicate_names_are_refused),
		cmocka_unit_test(bulk_agrees_with_single_lookups),
		cmocka_unit_test(capacity_is_exact),
		cmocka_unit_test(delete_then_set_at_capacity_does_not_wait_for_readers),
		cmocka_unit_test(reader_sees_only_values_written_while_writer_churns),
	};

	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
