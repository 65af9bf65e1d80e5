/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "queue_assign.h"

#define MAX_Q 8192
#define MAX_W 64

static struct vsw_rxq_assign q[MAX_Q];

static void
make_queues(struct vsw_rxq_assign *a, unsigned int n, uint16_t first_port,
	    uint16_t queues_per_port)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		a[i].port = first_port + i / queues_per_port;
		a[i].queue = i % queues_per_port;
		a[i].worker = VSW_WORKER_NONE;
	}
}

static void
loads(const struct vsw_rxq_assign *a, unsigned int n, unsigned int n_workers,
      unsigned int *load)
{
	unsigned int i;

	memset(load, 0, n_workers * sizeof(*load));
	for (i = 0; i < n; i++) {
		assert_true(a[i].worker < n_workers);
		load[a[i].worker]++;
	}
}

static void
assert_balanced(const struct vsw_rxq_assign *a, unsigned int n,
		unsigned int n_workers)
{
	unsigned int load[MAX_W], w, lo = UINT32_MAX, hi = 0;

	loads(a, n, n_workers, load);
	for (w = 0; w < n_workers; w++) {
		lo = load[w] < lo ? load[w] : lo;
		hi = load[w] > hi ? load[w] : hi;
	}
	assert_true(hi - lo <= 1);
}

static unsigned int
moved(const struct vsw_rxq_assign *before, const struct vsw_rxq_assign *after,
      unsigned int n)
{
	unsigned int i, count = 0;

	for (i = 0; i < n; i++)
		count += before[i].worker != after[i].worker;
	return count;
}

static void
round_robin_from_scratch(void **state)
{
	unsigned int i;

	(void)state;
	make_queues(q, 10, 0, 2);
	vsw_queue_assign(q, 10, 3);
	for (i = 0; i < 10; i++)
		assert_int_equal(q[i].worker, i % 3);
	assert_balanced(q, 10, 3);
}

static void
no_workers_leaves_everything_unassigned(void **state)
{
	unsigned int i;

	(void)state;
	make_queues(q, 4, 0, 1);
	q[0].worker = 0;
	q[1].worker = 3;
	vsw_queue_assign(q, 4, 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(q[i].worker, VSW_WORKER_NONE);
}

static void
zero_queues_is_a_no_op(void **state)
{
	(void)state;
	vsw_queue_assign(q, 0, 4);
}

static void
adding_a_port_keeps_existing_queues(void **state)
{
	struct vsw_rxq_assign before[12];
	unsigned int load[4];

	(void)state;
	make_queues(q, 8, 0, 2);
	vsw_queue_assign(q, 8, 4);
	memcpy(before, q, 8 * sizeof(q[0]));
	/* a new port with 4 queues */
	make_queues(&q[8], 4, 4, 4);
	vsw_queue_assign(q, 12, 4);
	assert_int_equal(moved(before, q, 8), 0);
	loads(q, 12, 4, load);
	assert_int_equal(load[0], 3);
	assert_int_equal(load[1], 3);
	assert_int_equal(load[2], 3);
	assert_int_equal(load[3], 3);
}

static void
new_queues_go_to_the_least_loaded_worker(void **state)
{
	(void)state;
	make_queues(q, 5, 0, 1);
	q[0].worker = 0;
	q[1].worker = 0;
	q[2].worker = 2;
	/* loads 2/0/1: q3 goes to worker 1, then q4 too (a 1/1 tie with
	 * worker 2, and the lower id wins) */
	vsw_queue_assign(q, 5, 3);
	assert_int_equal(q[0].worker, 0);
	assert_int_equal(q[1].worker, 0);
	assert_int_equal(q[2].worker, 2);
	assert_int_equal(q[3].worker, 1);
	assert_int_equal(q[4].worker, 1);
}

static void
removing_a_port_moves_only_what_balance_needs(void **state)
{
	struct vsw_rxq_assign before[12], after[12];
	unsigned int i, n = 0;

	(void)state;
	make_queues(q, 12, 0, 3);  /* 4 ports x 3 queues on 3 workers */
	vsw_queue_assign(q, 12, 3);
	memcpy(before, q, sizeof(before));
	/* port 1 (one queue on each worker) goes away */
	for (i = 0; i < 12; i++)
		if (q[i].port != 1)
			after[n++] = q[i];
	assert_int_equal(n, 9);
	vsw_queue_assign(after, n, 3);
	for (i = 0, n = 0; i < 12; i++) {
		if (before[i].port == 1)
			continue;
		assert_int_equal(after[n].worker, before[i].worker);
		n++;
	}
	assert_balanced(after, 9, 3);
}

static void
rebalances_when_a_workers_queues_vanish(void **state)
{
	struct vsw_rxq_assign left[4];
	unsigned int i, n = 0, load[2];

	(void)state;
	make_queues(q, 8, 0, 1);
	vsw_queue_assign(q, 8, 2);
	/* every queue of worker 1 disappears */
	for (i = 0; i < 8; i++)
		if (q[i].worker == 0)
			left[n++] = q[i];
	assert_int_equal(n, 4);
	vsw_queue_assign(left, 4, 2);
	loads(left, 4, 2, load);
	assert_int_equal(load[0], 2);
	assert_int_equal(load[1], 2);
	/* the earlier queues stay, the later ones move */
	assert_int_equal(left[0].worker, 0);
	assert_int_equal(left[1].worker, 0);
	assert_int_equal(left[2].worker, 1);
	assert_int_equal(left[3].worker, 1);
}

static void
rebalance_moves_the_last_queue_of_the_busiest_worker(void **state)
{
	(void)state;
	/* 4 queues on 3 workers, previous loads 2/2/0: both fit the fair share
	 * (2) but differ by 2 from worker 2 */
	make_queues(q, 4, 0, 1);
	q[0].worker = 0;
	q[1].worker = 1;
	q[2].worker = 0;
	q[3].worker = 1;
	vsw_queue_assign(q, 4, 3);
	assert_int_equal(q[0].worker, 0);
	assert_int_equal(q[1].worker, 1);
	assert_int_equal(q[2].worker, 2);
	assert_int_equal(q[3].worker, 1);
	assert_balanced(q, 4, 3);
}

static void
worker_count_shrank(void **state)
{
	struct vsw_rxq_assign before[8];
	unsigned int i;

	(void)state;
	make_queues(q, 8, 0, 1);
	vsw_queue_assign(q, 8, 4);
	memcpy(before, q, sizeof(before));
	vsw_queue_assign(q, 8, 2);
	assert_balanced(q, 8, 2);
	for (i = 0; i < 8; i++)
		if (before[i].worker < 2)
			assert_int_equal(q[i].worker, before[i].worker);
}

static void
worker_count_grew(void **state)
{
	unsigned int i, kept = 0;

	(void)state;
	make_queues(q, 8, 0, 1);
	vsw_queue_assign(q, 8, 2);
	vsw_queue_assign(q, 8, 4);
	assert_balanced(q, 8, 4);
	for (i = 0; i < 8; i++)
		kept += q[i].worker == i % 2;
	/* 4 queues must move to the 2 new workers, the other 4 stay */
	assert_int_equal(kept, 4);
}

static void
same_input_same_output(void **state)
{
	static struct vsw_rxq_assign a[MAX_Q], b[MAX_Q];
	unsigned int i;

	(void)state;
	make_queues(a, MAX_Q, 0, 4);
	/* a messy previous assignment, some invalid */
	for (i = 0; i < MAX_Q; i++)
		a[i].worker = (uint16_t)((i * 2654435761u) >> 16) % 23;
	memcpy(b, a, sizeof(a));
	vsw_queue_assign(a, MAX_Q, 17);
	vsw_queue_assign(b, MAX_Q, 17);
	assert_memory_equal(a, b, sizeof(a));
	assert_balanced(a, MAX_Q, 17);
	/* and a second pass over a balanced input changes nothing */
	vsw_queue_assign(b, MAX_Q, 17);
	assert_memory_equal(a, b, sizeof(a));
}

static void
ports_and_queue_ids_are_untouched(void **state)
{
	unsigned int i;

	(void)state;
	make_queues(q, 6, 7, 3);
	vsw_queue_assign(q, 6, 2);
	for (i = 0; i < 6; i++) {
		assert_int_equal(q[i].port, 7 + i / 3);
		assert_int_equal(q[i].queue, i % 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_robin_from_scratch),
		cmocka_unit_test(no_workers_leaves_everything_unassigned),
		cmocka_unit_test(zero_queues_is_a_no_op),
		cmocka_unit_test(adding_a_port_keeps_existing_queues),
		cmocka_unit_test(new_queues_go_to_the_least_loaded_worker),
		cmocka_unit_test(removing_a_port_moves_only_what_balance_needs),
		cmocka_unit_test(rebalances_when_a_workers_queues_vanish),
		cmocka_unit_test(rebalance_moves_the_last_queue_of_the_busiest_worker),
		cmocka_unit_test(worker_count_shrank),
		cmocka_unit_test(worker_count_grew),
		cmocka_unit_test(same_input_same_output),
		cmocka_unit_test(ports_and_queue_ids_are_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
