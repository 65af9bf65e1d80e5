/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_H
#define VSW_DP_H

/*
 * The data plane: EAL, the mbuf pool, the worker lcores, the ports, and
 * the tables the control thread publishes to the workers with RCU. It
 * knows no JSON, SQLite or API object: the control thread compiles those
 * into the structures below.
 */

#include <stdint.h>

#include "dp_port.h"
#include "fib.h"
#include "mac_table.h"
#include "vsw_config.h"
#include "worker.h"

struct vsw_dataplane;

/* rte_eal_init from the config. Returns 0 or a negative errno, message in err. */
int vsw_dp_eal_init(const struct vsw_config *cfg, char *err, size_t errlen);

/* Creates the mbuf pool, the MAC table, RCU state and an empty fib, and
 * launches one worker per configured CPU. Needs vsw_dp_eal_init() first. */
struct vsw_dataplane *vsw_dp_create(const struct vsw_config *cfg, char *err,
				    size_t errlen);

/* Stops and joins the workers, closes every port, frees everything, then
 * rte_eal_cleanup(). */
void vsw_dp_destroy(struct vsw_dataplane *dp);

/* Waits until every online worker has passed a quiescent state: after it,
 * no worker still reads a table unpublished before the call. */
void vsw_dp_synchronize(struct vsw_dataplane *dp);

/* --- ports (control thread) --- */

/* Opens the device of a VNIC and returns its index. On failure nothing is
 * left open and err says why. */
int vsw_dp_port_open(struct vsw_dataplane *dp, const struct vsw_dp_port_config *cfg,
		     uint16_t *idx, char *err, size_t errlen);
void vsw_dp_port_close(struct vsw_dataplane *dp, uint16_t idx);
/* Marks a port plugged (polled) or not; takes effect at the next
 * vsw_dp_apply_attachments(). */
void vsw_dp_port_set_attached(struct vsw_dataplane *dp, uint16_t idx, bool on);
/* Reassigns rx queues if attachments changed; waits for the workers. */
void vsw_dp_apply_attachments(struct vsw_dataplane *dp);
/* NULL when idx is not open. */
const struct vsw_dp_port *vsw_dp_port_get(const struct vsw_dataplane *dp, uint16_t idx);
/* The MAC address of an ethdev port (an uplink). */
int vsw_dp_port_mac(const struct vsw_dataplane *dp, uint16_t idx,
		    struct rte_ether_addr *mac);

/* --- tables (control thread) --- */

struct vsw_mac_table *vsw_dp_mac_table(struct vsw_dataplane *dp);
struct vsw_kvt *vsw_dp_kvt(struct vsw_dataplane *dp);
struct vsw_punt *vsw_dp_punt(struct vsw_dataplane *dp);
struct vsw_nat *vsw_dp_nat(struct vsw_dataplane *dp);
struct rte_mempool *vsw_dp_pool(struct vsw_dataplane *dp);
/* The fib the workers use now (read-only for the caller). */
const struct vsw_fib *vsw_dp_fib(const struct vsw_dataplane *dp);
/* Makes fib the workers' table, waits for a grace period, frees the old. */
void vsw_dp_publish_fib(struct vsw_dataplane *dp, struct vsw_fib *fib);

/* --- events and timers (control thread) --- */

/* Readable when a backend reported a port change (vsw_dp_port_changed). */
int vsw_dp_event_fd(const struct vsw_dataplane *dp);
/* Reassigns rx queues to workers after port changes. Returns true when a
 * port's readiness changed (statuses to refresh). */
bool vsw_dp_process_events(struct vsw_dataplane *dp);
/* Periodic housekeeping (every 10 ms): MAC learning; ageing once a second. */
void vsw_dp_tick(struct vsw_dataplane *dp);

/* --- counters (control thread) --- */

unsigned int vsw_dp_worker_count(const struct vsw_dataplane *dp);

struct vsw_worker_info {
	unsigned int lcore_id;
	int cpu;
	unsigned int n_rx_queues;
	struct vsw_worker_counters counters;
};
void vsw_dp_worker_info(const struct vsw_dataplane *dp, unsigned int i,
			struct vsw_worker_info *out);

/* Counters of a (v)port index count from now on (a vport allocated anew). */
void vsw_dp_port_stats_rebase(struct vsw_dataplane *dp, uint16_t idx);

/* A port's or vport's counters summed over workers since it was opened. */
void vsw_dp_port_stats(const struct vsw_dataplane *dp, uint16_t idx,
		       struct vsw_port_stats *out);

/* Which worker polls which (port, queue); n returned, at most max. */
struct vsw_dp_rxq_info {
	uint16_t port;
	uint16_t queue;
	uint16_t worker;
};
unsigned int vsw_dp_rxq_assignment(const struct vsw_dataplane *dp,
				   struct vsw_dp_rxq_info *out, unsigned int max);

struct vsw_mempool_info {
	const char *name;
	unsigned int size;
	unsigned int in_use;
	unsigned int available;
};
void vsw_dp_mempool_info(const struct vsw_dataplane *dp,
			 struct vsw_mempool_info *out);

#endif
