/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_QUEUE_ASSIGN_H
#define VSW_QUEUE_ASSIGN_H

/*
 * Which worker polls which rx queue. Round-robin by load, stable: a queue
 * keeps its worker when ports come and go, unless the load would be uneven
 * by more than one queue; new queues go to the least-loaded worker.
 */

#include <stdint.h>

#define VSW_WORKER_NONE UINT16_MAX

struct vsw_rxq_assign {
	uint16_t port;
	uint16_t queue;
	uint16_t worker;   /* in: previous worker or VSW_WORKER_NONE; out: assigned */
};

/* Assigns every queue of q[0..n) to a worker in [0, n_workers). */
void vsw_queue_assign(struct vsw_rxq_assign *q, unsigned int n,
		      unsigned int n_workers);

#endif
