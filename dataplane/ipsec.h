/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_IPSEC_H
#define VSW_IPSEC_H

/*
 * The IPsec stages of a router (issue 5), around the ESP engine of
 * crypto/esp.h.
 *
 * ipsec-out: a packet the router forwards from an inside interface to its
 * gateway interface is matched against the router's SPD (ordered (local
 * prefix, peer prefix) -> outbound SA). A match is encrypted in tunnel
 * mode (outer source the gateway address, destination the peer), routed
 * toward the peer and sent on the gateway interface; no match continues
 * as plain routing (SNAT, floating IPs). The outer next hop is resolved
 * before encryption: a miss punts the inner packet, which is routed again
 * once ARP has answered.
 *
 * ipsec-in: ESP (IP protocol 50, or UDP/4500 without the non-ESP marker,
 * RFC 3948) to the gateway address is looked up by (router, SPI) in the
 * key-value table, decrypted and verified, checked against the SA's
 * selectors (inner source in the peer prefixes, inner destination in the
 * local prefixes) and routed as if it had arrived on the gateway interface,
 * marked as decrypted. An inbound SA is decrypted by one worker (its
 * owner, so its replay window needs no lock and order is kept): ESP that
 * another worker receives is handed over on the owner's ring. Cleartext
 * from a peer prefix to a protected local
 * prefix arriving on the gateway interface is dropped.
 *
 * SAs are created and freed by the control thread (vpn_sync.c): removed
 * from the table and the SPD first, freed after a grace period.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "esp.h"
#include "fib.h"
#include "route_table.h"

#define VSW_IPSEC_MAX_SELECTORS 16

struct vsw_ipsec_prefix {
	rte_be32_t prefix;
	rte_be32_t mask;
};

/* An SA as the data plane uses it. */
struct vsw_ipsec_sa {
	struct vsw_esp_sa esp;              /* first: cache-line aligned state */
	uint16_t router;                    /* fib->routers[] index */
	uint16_t owner;                     /* inbound: the worker that decrypts */
	uint16_t mtu;                       /* the connection's (inner) MTU */
	uint8_t n_local, n_peer;
	struct vsw_ipsec_prefix local[VSW_IPSEC_MAX_SELECTORS];
	struct vsw_ipsec_prefix peer[VSW_IPSEC_MAX_SELECTORS];
};

struct vsw_spd_entry {
	struct vsw_ipsec_prefix local;
	struct vsw_ipsec_prefix peer;
	struct vsw_ipsec_sa *sa;            /* outbound */
	uint64_t seq;                       /* install order (newest first) */
};

/* A router's outbound policies, built whole by the control thread and
 * published with the fib (like a route table). Entries are grouped by
 * peer prefix, newest SA first within a group; an LPM over the peer
 * prefixes (route_table.h, next hop "rif" = group index) finds the group
 * of a destination, so thousands of tunnels cost one LPM lookup and a
 * short scan: the longest matching peer prefix decides. */
struct vsw_spd_group {
	uint32_t first;
	uint32_t n;
};

struct vsw_spd {
	uint32_t n;
	uint32_t n_groups;
	const struct vsw_route_table *lpm;   /* peer prefix -> group */
	struct vsw_spd_group *groups;        /* [n_groups], in the allocation */
	struct vsw_spd_entry e[];
};

struct vsw_worker;

static inline bool
vsw_ipsec_prefix_has(const struct vsw_ipsec_prefix *p, rte_be32_t a)
{
	return (a & p->mask) == p->prefix;
}

/* The outbound SA for (src, dst), or NULL. Newest SAs come first (a
 * rekey makes the new SA win before the old one is deleted); a hard-expired
 * SA is passed over, and when only expired ones match, the first is
 * returned so the packet is refused (and counted) rather than sent clear. */
static inline struct vsw_ipsec_sa *
vsw_spd_lookup(const struct vsw_spd *spd, rte_be32_t src, rte_be32_t dst)
{
	struct vsw_ipsec_sa *expired = NULL;
	const struct vsw_nexthop *nh = vsw_route_lookup(spd->lpm, dst);
	const struct vsw_spd_group *g;
	uint32_t i;

	if (nh == NULL)
		return NULL;
	g = &spd->groups[nh->rif];
	for (i = g->first; i < g->first + g->n; i++) {
		if (!vsw_ipsec_prefix_has(&spd->e[i].peer, dst) ||
		    !vsw_ipsec_prefix_has(&spd->e[i].local, src))
			continue;
		if (likely(!__atomic_load_n(&spd->e[i].sa->esp.hard_expired, __ATOMIC_RELAXED)))
			return spd->e[i].sa;
		if (expired == NULL)
			expired = spd->e[i].sa;
	}
	return expired;
}

/* Forwarded from in_rif toward router's gateway: true when IPsec took m
 * (encrypted and sent, or dropped and counted); false: route it in clear.
 * m is an Ethernet frame with a checked IPv4 header at offset 14. */
bool vsw_ipsec_output(struct vsw_worker *w, const struct vsw_fib *fib,
		      uint16_t router, uint16_t in_rif, struct rte_mbuf *m);

/* ESP or UDP-encapsulated ESP on the gateway interface rif for the
 * gateway address: true when IPsec took m (decrypted and routed, or
 * dropped); false: not ESP (IKE, other traffic to the router). */
bool vsw_ipsec_input(struct vsw_worker *w, const struct vsw_fib *fib,
		     uint16_t router, uint16_t rif, struct rte_mbuf *m);

/* Encrypts/decrypts and sends what the worker collected (end of a turn,
 * before the tx flush). */
void vsw_ipsec_flush(struct vsw_worker *w);

/* ESP another worker handed over (vsw_ipsec_input queued it there). */
void vsw_ipsec_handoff_input(struct vsw_worker *w, const struct vsw_fib *fib,
			     struct rte_mbuf *m);

/* Cleartext on the gateway interface that a policy says must be ESP. */
static inline bool
vsw_ipsec_must_be_protected(const struct vsw_spd *spd, rte_be32_t src, rte_be32_t dst)
{
	return spd != NULL && vsw_spd_lookup(spd, dst, src) != NULL;
}

/* The SPD's order: by peer prefix (longest first), then newest SA. */
void vsw_spd_sort(struct vsw_spd_entry *e, uint32_t n);
/* Builds an SPD from entries sorted by vsw_spd_sort (copied). NULL when n
 * is 0 or on failure. name must be unique while the SPD lives. */
struct vsw_spd *vsw_spd_create(const char *name, const struct vsw_spd_entry *e,
			       uint32_t n);
void vsw_spd_free(struct vsw_spd *spd);

#endif
