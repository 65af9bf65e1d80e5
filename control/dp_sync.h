/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_SYNC_H
#define VSW_DP_SYNC_H

/*
 * The compiler from the API model to the data plane: opens and closes VNIC
 * devices, numbers networks, compiles the fib (ports, flood lists, port
 * security) and the static MAC entries, and publishes them. It runs after
 * every group commit and once at start, and reconciles: whatever the model
 * says is made true, so a restart rebuilds everything from the database.
 */

#include <stdbool.h>

#include <jansson.h>

#include "dp.h"
#include "model.h"

struct vsw_dp_sync;

struct vsw_dp_sync *vsw_dp_sync_create(struct vsw_dataplane *dp);
void vsw_dp_sync_destroy(struct vsw_dp_sync *s);

/* Makes the data plane match the model. A device that cannot be opened
 * makes its VNIC's status ERROR (with the reason); it does not fail. */
void vsw_dp_sync_apply(struct vsw_dp_sync *s, const struct vsw_model *model);

/* ACTIVE, DOWN or ERROR for a vnic, a port, an uplink, an ipsec_sa or an
 * ipsec_site_connection; NULL for other kinds. */
const char *vsw_dp_sync_status(const struct vsw_dp_sync *s, const char *kind,
			       const json_t *obj);

/* Why a VNIC, an uplink or an ipsec_sa is not ACTIVE, or NULL. */
const char *vsw_dp_sync_status_reason(const struct vsw_dp_sync *s, const char *kind,
				      const json_t *obj);

/* The id of the network at a data-plane index, or NULL. */
const char *vsw_dp_sync_network_id(const struct vsw_dp_sync *s, uint16_t net);

/* fn(arg, scope) runs when a router or an uplink's underlay goes away
 * (neighbour scopes of kvt.h): whoever caches per-scope state drops it. */
void vsw_dp_sync_on_scope_released(struct vsw_dp_sync *s,
				   void (*fn)(void *arg, uint16_t scope), void *arg);

/* Changes when an IPsec SA reaches a soft or hard lifetime (statuses to
 * refresh); logs each such event once. */
uint64_t vsw_dp_sync_ipsec_digest(struct vsw_dp_sync *s);

/* Takes the workers' VTEP learning requests; true when the model must be
 * applied again (a new remote VTEP gets a vport). */
bool vsw_dp_sync_learn(struct vsw_dp_sync *s);

/* Per-VNIC and per-network counters, and the MAC table's, into stats. */
void vsw_dp_sync_stats(const struct vsw_dp_sync *s, const struct vsw_model *model,
		       json_t *stats);

/* The rx queue assignment: [{worker, vnic, queue}]. */
json_t *vsw_dp_sync_workers(const struct vsw_dp_sync *s);

#endif
