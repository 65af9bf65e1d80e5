/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_SYNC_INTERNAL_H
#define VSW_DP_SYNC_INTERNAL_H

/* Shared by dp_sync.c (VNICs, L2) and l3_sync.c (uplinks, vports, routers). */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dp.h"
#include "model.h"

/* The device of one VNIC, by VNIC id. */
struct vnic_dev {
	char id[40];
	int dp_idx;                /* -1: could not be opened */
	char error[160];
};

struct vsw_l3_sync;
struct vsw_vpn_sync;
struct vsw_spd;

struct vsw_dp_sync {
	struct vsw_dataplane *dp;
	json_t *vnic_slots;        /* vnic id -> slot index in devs */
	struct vnic_dev devs[VSW_DP_MAX_PORTS];
	json_t *net_idx;           /* network id -> data-plane network index */
	bool net_used[VSW_DP_MAX_NETWORKS];
	const char *net_id[VSW_DP_MAX_NETWORKS]; /* index -> id (in net_idx) */
	json_t *statics;           /* "net/mac" -> port index, as installed */
	const char *dev_id[VSW_DP_MAX_PORTS]; /* port index -> vnic id (for stats) */
	struct vsw_l3_sync *l3;
	struct vsw_vpn_sync *vpn;
	const struct vsw_model *model;   /* the last one applied */
	void (*scope_released)(void *arg, uint16_t scope);
	void *scope_arg;
};

/* Something that takes part in a network's flooding and MAC table: a
 * plugged VNIC or a vport. */
struct vsw_fib_member {
	uint16_t idx;
	uint16_t net;
	bool flood;                /* in the network's flood list */
	bool tunnel;               /* a VXLAN vport (after the local members) */
	uint8_t n_macs;            /* static MAC entries pointing at idx */
	struct rte_ether_addr macs[1 + 16];
};

static inline bool
obj_bool(const json_t *obj, const char *key, bool dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static inline const char *
obj_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* The data-plane index of a network, allocated on first use; -1: full. */
int vsw_dp_sync_network_index(struct vsw_dp_sync *s, const char *net_id);
/* An all-zero MAC when text is not one. */
void vsw_dp_sync_parse_mac(const char *text, struct rte_ether_addr *mac);
/* An IPv4 address in network order; 0 when text is not one. */
rte_be32_t vsw_dp_sync_parse_ip(const char *text);
/* "a.b.c.d/len" or a bare address (/32): network-order prefix with the
 * host bits cleared, and its mask. -EINVAL when text is not IPv4. */
int vsw_dp_sync_parse_prefix(const char *text, rte_be32_t *prefix, rte_be32_t *mask);

/* Counters of a port or vport as the API shows them. */
json_t *vsw_dp_sync_counters_json(const struct vsw_port_stats *st);

/* --- l3_sync.c --- */

struct vsw_l3_sync *vsw_l3_sync_create(struct vsw_dataplane *dp);
void vsw_l3_sync_destroy(struct vsw_l3_sync *l3);
/* Opens/closes uplinks, numbers routers and vports, rebuilds changed route
 * tables; appends the vports to members (n in, returns the new n). */
unsigned int vsw_l3_sync_prepare(struct vsw_dp_sync *s, const struct vsw_model *model,
				 struct vsw_fib_member *members, unsigned int n,
				 unsigned int max, uint32_t *n_routers);
/* Writes uplinks, vports, routers and network flags into a new fib. */
void vsw_l3_sync_fill(struct vsw_dp_sync *s, const struct vsw_model *model,
		      struct vsw_fib *fib);
/* After the fib is published: key-value entries, old route tables freed,
 * MAC entries of removed vports flushed. */
void vsw_l3_sync_commit(struct vsw_dp_sync *s);
/* Uplink data-plane ports to poll: on[idx] set. */
void vsw_l3_sync_polled(const struct vsw_dp_sync *s, bool *on);
/* Takes VTEP learning requests; true when a new VTEP needs an apply. */
bool vsw_l3_sync_learn(struct vsw_dp_sync *s);
const char *vsw_l3_sync_uplink_status(const struct vsw_dp_sync *s, const json_t *uplink);
const char *vsw_l3_sync_uplink_error(const struct vsw_dp_sync *s, const json_t *uplink);
void vsw_l3_sync_stats(const struct vsw_dp_sync *s, const struct vsw_model *model,
		       json_t *stats);

/* The fib index of a router, or -1. */
int vsw_l3_sync_router_index(const struct vsw_dp_sync *s, const char *router_id);

/* --- vpn_sync.c --- */

struct vsw_vpn_sync *vsw_vpn_sync_create(void);
void vsw_vpn_sync_destroy(struct vsw_vpn_sync *v);
/* Installs new SAs, retires removed ones, rebuilds changed SPDs; asks for
 * the key-value entries of the inbound SAs through want. */
void vsw_vpn_sync_prepare(struct vsw_dp_sync *s, const struct vsw_model *model,
			  void (*want)(struct vsw_dp_sync *s, uint64_t key, uint64_t value));
const struct vsw_spd *vsw_vpn_sync_spd(const struct vsw_dp_sync *s, uint32_t router);
struct vsw_route;
/* Routes to the peer prefixes of router's outbound SAs via gw_rif. */
unsigned int vsw_vpn_sync_routes(const struct vsw_dp_sync *s, int router, uint16_t gw_rif,
				 struct vsw_route *out, unsigned int max);
/* After publish and key-value removal: waits a grace period if anything
 * was retired, then wipes and frees it. */
void vsw_vpn_sync_commit(struct vsw_dp_sync *s);
const char *vsw_vpn_sync_sa_status(const struct vsw_dp_sync *s, const json_t *obj,
				   const char **why);
const char *vsw_vpn_sync_connection_status(const struct vsw_dp_sync *s,
					   const struct vsw_model *model,
					   const json_t *conn);
json_t *vsw_vpn_sync_stats(const struct vsw_dp_sync *s, const struct vsw_model *model);
uint64_t vsw_vpn_sync_expiry_digest(const struct vsw_dp_sync *s);

#endif
