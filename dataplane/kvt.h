/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_KVT_H
#define VSW_KVT_H

/*
 * A lock-free 64-bit key -> 64-bit value table for the small L3 maps the
 * workers consult per packet: neighbours (ARP), floating IPs, VXLAN VNIs
 * and VTEPs. Like the MAC table the control thread is the only writer and
 * workers read without locks; a deleted key's slot is reclaimed after an
 * RCU grace period, so a value a worker just read stays valid until its
 * next quiescent state. The value is stored in the hash's data pointer:
 * no per-entry allocation.
 *
 * The top 8 bits of a key say what it is (enum vsw_kvt_type); the key
 * builders below are the only way keys are made. An SPI fills the 32-bit
 * value of its key.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#define VSW_KVT_BULK_MAX 64

/* Neighbour scopes: a router (its fib index) or an uplink's underlay. */
#define VSW_NEIGH_SCOPE_UPLINK 0x8000u

enum vsw_kvt_type {
	VSW_KVT_NEIGH = 1,   /* (scope, IPv4) -> MAC | VSW_NEIGH_* flags */
	VSW_KVT_FIP_OUT,     /* (router, fixed IPv4) -> floating IPv4 */
	VSW_KVT_FIP_IN,      /* (router, floating IPv4) -> fixed IPv4 */
	VSW_KVT_VNI,         /* (uplink slot, VNI) -> network index */
	VSW_KVT_VTEP,        /* (network, remote IPv4) -> vport index */
	VSW_KVT_SA_IN,       /* (router, SPI) -> struct vsw_ipsec_sa * (inbound) */
};

static inline uint64_t
vsw_kvt_key(enum vsw_kvt_type type, uint16_t scope, uint32_t value)
{
	return (uint64_t)type << 56 | (uint64_t)scope << 32 | value;
}

/* IPv4 addresses are keyed in host order. */
static inline uint64_t
vsw_kvt_neigh_key(uint16_t scope, rte_be32_t ip)
{
	return vsw_kvt_key(VSW_KVT_NEIGH, scope, rte_be_to_cpu_32(ip));
}

/* A neighbour value: the MAC in the low 48 bits, flags above. */
#define VSW_NEIGH_STATIC (1ull << 48)  /* from the model (a port's fixed IP) */
/* Being resolved (no MAC yet): workers drop (no_neighbor) instead of
 * punting, so a fast flow toward an unanswered next hop cannot use up the
 * punt budget the ARP reply needs. */
#define VSW_NEIGH_INCOMPLETE (1ull << 49)

static inline uint64_t
vsw_neigh_value(const struct rte_ether_addr *mac, uint64_t flags)
{
	const uint8_t *b = mac->addr_bytes;

	return flags | (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 |
	       (uint64_t)b[2] << 24 | (uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
}

static inline void
vsw_neigh_mac(uint64_t value, struct rte_ether_addr *mac)
{
	for (int i = 0; i < 6; i++)
		mac->addr_bytes[i] = (uint8_t)(value >> (40 - 8 * i));
}

struct vsw_kvt;

struct vsw_kvt_params {
	const char *name;           /* unique per process, <= 19 characters */
	uint32_t capacity;
	struct rte_rcu_qsbr *qsbr;  /* NULL: no readers, deletions free at once */
	int socket_id;
};

/* NULL with rte_errno set. */
struct vsw_kvt *vsw_kvt_create(const struct vsw_kvt_params *p);
void vsw_kvt_free(struct vsw_kvt *t);

/* --- control thread (the single writer) --- */

/* Inserts or replaces. -ENOSPC when full. */
int vsw_kvt_set(struct vsw_kvt *t, uint64_t key, uint64_t value);
/* -ENOENT when absent. */
int vsw_kvt_del(struct vsw_kvt *t, uint64_t key);
uint32_t vsw_kvt_count(const struct vsw_kvt *t);
/* Calls fn for every entry (control thread); fn may not modify t. */
void vsw_kvt_foreach(const struct vsw_kvt *t,
		     void (*fn)(uint64_t key, uint64_t value, void *arg), void *arg);

/* --- workers and control (readers) --- */

/* true and *value set when key is present. */
bool vsw_kvt_lookup(const struct vsw_kvt *t, uint64_t key, uint64_t *value);
/* Looks up n keys (any n; VSW_KVT_BULK_MAX per hash call); found[i] is 1
 * and values[i] set for a present key, found[i] is 0 otherwise. */
void vsw_kvt_lookup_bulk(const struct vsw_kvt *t, const uint64_t *keys,
			 unsigned int n, uint64_t *values, uint8_t *found);

#endif
