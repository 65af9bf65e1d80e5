/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_INTERNAL_H
#define VSW_DP_INTERNAL_H

/* The data plane's state, shared by the files of dataplane/ only. */

#include <pthread.h>
#include <stdbool.h>

#include "dp.h"
#include "queue_assign.h"

struct vsw_dataplane {
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *qsbr;
	struct vsw_mac_table *macs;
	struct vsw_kvt *kvt;
	struct vsw_punt *punt;
	struct vsw_nat *nat;
	struct vsw_fib *fib;               /* read by workers (acquire) */
	unsigned int n_workers;
	struct vsw_worker *workers;        /* rte_zmalloc'd, cache-aligned */
	struct vsw_dp_port *ports[VSW_DP_MAX_PORTS];
	int event_fd;
	uint64_t tsc_hz;
	uint32_t last_age_s;
	bool attachments_changed;

	/* Held by the control thread while it changes ports[] or base[],
	 * and by the telemetry thread while it reads them. */
	pthread_mutex_t port_lock;

	/* Control thread only. */
	bool was_ready[VSW_DP_MAX_PORTS];
	struct vsw_port_stats base[VSW_FIB_MAX_PORTS]; /* counters at open */
	unsigned int n_assign;
	struct vsw_rxq_assign *assign;     /* [VSW_DP_MAX_PORTS * VSW_DP_MAX_QUEUES] */
};

/* Registers the /vsw/... telemetry commands (once per process). */
void vsw_dp_telemetry_register(struct vsw_dataplane *dp);

#endif
