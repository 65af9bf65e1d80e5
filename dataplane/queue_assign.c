/* SPDX-License-Identifier: BSD-3-Clause */
#include "queue_assign.h"

#include <string.h>

#include <rte_config.h>

/* A worker is an lcore, so there are never more than RTE_MAX_LCORE. */
#define QA_MAX_WORKERS RTE_MAX_LCORE

/* Ties go to the lowest worker id, so the result depends only on the input. */
static unsigned int
least_loaded(const uint32_t *load, unsigned int n_workers)
{
	unsigned int w, best = 0;

	for (w = 1; w < n_workers; w++)
		if (load[w] < load[best])
			best = w;
	return best;
}

static unsigned int
most_loaded(const uint32_t *load, unsigned int n_workers)
{
	unsigned int w, best = 0;

	for (w = 1; w < n_workers; w++)
		if (load[w] > load[best])
			best = w;
	return best;
}

/* A queue keeps its worker while that worker holds no more than its fair
 * share (ceil(n / n_workers)); queues later in the array give way first. */
static void
keep_previous(struct vsw_rxq_assign *q, unsigned int n, unsigned int n_workers,
	      uint32_t *load)
{
	uint32_t fair = (n + n_workers - 1) / n_workers;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (q[i].worker < n_workers && load[q[i].worker] < fair)
			load[q[i].worker]++;
		else
			q[i].worker = VSW_WORKER_NONE;
	}
}

static void
assign_new(struct vsw_rxq_assign *q, unsigned int n, unsigned int n_workers,
	   uint32_t *load)
{
	unsigned int i, w;

	for (i = 0; i < n; i++) {
		if (q[i].worker != VSW_WORKER_NONE)
			continue;
		w = least_loaded(load, n_workers);
		q[i].worker = (uint16_t)w;
		load[w]++;
	}
}

/* Moves the most recently added queue (the last in array order) of the
 * busiest worker to the idlest until loads differ by at most one. */
static void
rebalance(struct vsw_rxq_assign *q, unsigned int n, unsigned int n_workers,
	  uint32_t *load)
{
	unsigned int i, from, to;

	for (;;) {
		from = most_loaded(load, n_workers);
		to = least_loaded(load, n_workers);
		if (load[from] - load[to] <= 1)
			return;
		for (i = n; i-- > 0;)
			if (q[i].worker == from)
				break;
		q[i].worker = (uint16_t)to;
		load[from]--;
		load[to]++;
	}
}

void
vsw_queue_assign(struct vsw_rxq_assign *q, unsigned int n,
		 unsigned int n_workers)
{
	uint32_t load[QA_MAX_WORKERS];
	unsigned int i;

	if (n_workers > QA_MAX_WORKERS)
		n_workers = QA_MAX_WORKERS;
	if (n_workers == 0) {
		for (i = 0; i < n; i++)
			q[i].worker = VSW_WORKER_NONE;
		return;
	}
	memset(load, 0, n_workers * sizeof(load[0]));
	keep_previous(q, n, n_workers, load);
	assign_new(q, n, n_workers, load);
	rebalance(q, n, n_workers, load);
}
