/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_MAC_TABLE_H
#define VSW_MAC_TABLE_H

/*
 * The MAC tables of every logical network, in one lock-free hash keyed by
 * (network index, MAC). The control thread is the only writer: static
 * entries come from the API (a port's MAC), learned entries from workers,
 * which report candidates over a multi-producer ring instead of writing.
 * Workers read without locks; deleted keys are reclaimed after an RCU grace
 * period (rte_hash's QSBR integration), so a position a worker just looked
 * up stays valid until its next quiescent state.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#define VSW_MAC_PORT_NONE UINT16_MAX
#define VSW_MAC_BULK_MAX 64

struct vsw_mac_table;

/* The hash key: network index in the top 16 bits, the MAC in the low 48. */
static inline uint64_t
vsw_mac_key(uint16_t net, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	return (uint64_t)net << 48 | (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
	       (uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
}

struct vsw_mac_table_params {
	const char *name;           /* unique per process, <= 19 characters */
	uint32_t capacity;          /* entries over all networks, >= 8 */
	uint32_t max_per_network;   /* learned + static entries per network;
				     * 0: capacity */
	uint32_t learn_ring_size;   /* power of 2; exactly this many requests */
	struct rte_rcu_qsbr *qsbr;  /* the workers' RCU variable; NULL: no
				     * readers, deletions free slots at once */
	int socket_id;
};

/* NULL with rte_errno set (EINVAL, ENOMEM, EEXIST for a name in use). */
struct vsw_mac_table *vsw_mac_table_create(const struct vsw_mac_table_params *p);
/* Call with every reader offline (or after a grace period). */
void vsw_mac_table_free(struct vsw_mac_table *t);

/* --- control thread (the single writer) --- */

/* A port's own MAC: overrides a learned entry; -ENOSPC when full. */
int vsw_mac_table_add_static(struct vsw_mac_table *t, uint16_t net,
			     const struct rte_ether_addr *mac, uint16_t port);
int vsw_mac_table_del_static(struct vsw_mac_table *t, uint16_t net,
			     const struct rte_ether_addr *mac);

/* Inserts or moves a learned entry and refreshes its age. Never replaces
 * a static entry. -ENOSPC when the network or the table is full. */
int vsw_mac_table_learn(struct vsw_mac_table *t, uint16_t net,
			const struct rte_ether_addr *mac, uint16_t port,
			uint32_t now_s);

/* Applies every learning request queued by workers. Returns how many. */
unsigned int vsw_mac_table_drain(struct vsw_mac_table *t, uint32_t now_s);

/* Removes learned entries not seen for max_age_s. Returns how many. */
unsigned int vsw_mac_table_age(struct vsw_mac_table *t, uint32_t now_s,
			       uint32_t max_age_s);

/* Removes every entry (static and learned) pointing at a port / in a network. */
unsigned int vsw_mac_table_flush_port(struct vsw_mac_table *t, uint16_t port);
unsigned int vsw_mac_table_flush_network(struct vsw_mac_table *t, uint16_t net);

uint32_t vsw_mac_table_count(const struct vsw_mac_table *t, uint16_t net);

struct vsw_mac_table_stats {
	uint64_t learned;           /* entries inserted or moved by learning */
	uint64_t aged;
	uint64_t learn_ring_full;   /* requests dropped because the ring was full */
	uint64_t table_full;        /* learning refused: network or table full */
};
void vsw_mac_table_stats(const struct vsw_mac_table *t,
			 struct vsw_mac_table_stats *out);

/* --- workers (readers) --- */

/* Looks up n keys, VSW_MAC_BULK_MAX per rte_hash call (so a burst of up to
 * that many is one call); ports[i] = VSW_MAC_PORT_NONE when unknown. */
void vsw_mac_table_lookup_bulk(const struct vsw_mac_table *t,
			       const uint64_t *keys, unsigned int n,
			       uint16_t *ports);

/*
 * Source-MAC learning on a learning port: refreshes the entry's age in place
 * when it already maps to this port (a relaxed store, only when the second
 * changed), else queues a request for the control thread (none for a static
 * entry or a group address). Never blocks; a full ring is counted.
 */
void vsw_mac_table_observe(struct vsw_mac_table *t, uint16_t net,
			   const struct rte_ether_addr *mac, uint16_t port,
			   uint32_t now_s);

#endif
