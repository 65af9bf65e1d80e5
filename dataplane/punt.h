/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_PUNT_H
#define VSW_PUNT_H

/*
 * The punt and inject paths between the workers and the control thread.
 *
 * Punt: packets for the appliance itself (ARP for its addresses, IP to its
 * addresses, DHCP from clients, packets waiting for a neighbour) go from
 * workers to the control thread over one bounded multi-producer ring. Each
 * worker passes them through its own token bucket first, so a flood costs
 * a counted drop, not the control thread's time. Nothing else is punted.
 *
 * Inject: the control thread's replies (ARP, ICMP, DHCP, ARP requests)
 * go back over a multi-consumer ring that every worker drains once per
 * loop turn; the metadata says how each is sent.
 *
 * VTEP learning: a worker that decapsulates a frame from a remote VTEP it
 * has no vport for asks the control thread (which owns the port space) to
 * make one, over a third ring of plain requests.
 *
 * Metadata travels in an mbuf dynamic field (struct vsw_pkt_meta).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "drops.h"
#include "ratelimit.h"

enum vsw_punt_reason {
	VSW_PUNT_ARP = 1,    /* ARP on a router interface or an underlay uplink */
	VSW_PUNT_LOCAL,      /* IPv4 to an appliance address (ICMP echo, IKE, ...) */
	VSW_PUNT_DHCP,       /* DHCP client message on a network with enable_dhcp */
	VSW_PUNT_RESOLVE,    /* a packet whose next hop has no MAC: resolve ip in scope */
	VSW_PUNT_REASON_MAX,
};

enum vsw_inject_kind {
	VSW_INJECT_PORT = 1, /* vsw_port_output() to index meta.port: raw on a
			      * data-plane port, or a vport's egress (a frame
			      * parked for a VTEP's neighbour is re-encapsulated) */
	VSW_INJECT_NET,      /* L2-forward on meta.port's network as if received
			      * from meta.port (a VNIC port, vport or router
			      * interface): unknown destinations are flooded */
	VSW_INJECT_ROUTE,    /* route as if received on router interface meta.port
			      * (a parked packet once its neighbour is known) */
};

struct vsw_pkt_meta {
	uint16_t port;       /* punt: port index it arrived on (VNIC, uplink or
			      * vport); inject: see enum vsw_inject_kind */
	uint16_t net;        /* punt: its network; VSW_NET_NONE on an underlay */
	uint16_t scope;      /* RESOLVE: neighbour scope (kvt.h) */
	uint8_t kind;        /* punt: enum vsw_punt_reason; inject: vsw_inject_kind */
	uint8_t pad;
	rte_be32_t ip;       /* RESOLVE: the address to resolve */
};

static inline struct vsw_pkt_meta *
vsw_pkt_meta(struct rte_mbuf *m, int offset)
{
	return RTE_MBUF_DYNFIELD(m, offset, struct vsw_pkt_meta *);
}

struct vsw_punt;

struct vsw_punt_params {
	uint32_t punt_ring_size;     /* power of 2 */
	uint32_t inject_ring_size;   /* power of 2 */
	uint32_t learn_ring_size;    /* power of 2 */
	uint64_t rate_per_worker;    /* punted packets per second per worker */
	uint64_t burst;              /* token bucket depth */
	int socket_id;
};

struct vsw_punt_stats {
	uint64_t punted[VSW_PUNT_REASON_MAX];  /* dequeued by the control thread */
	uint64_t injected;                     /* enqueued by the control thread */
	uint64_t inject_full;                  /* inject ring full: freed */
	uint64_t learn_requests;               /* VTEP requests dequeued */
};

/* Registers the dynamic field and creates the rings. NULL with rte_errno. */
struct vsw_punt *vsw_punt_create(const struct vsw_punt_params *p);
/* Frees the rings and every packet still in them. */
void vsw_punt_free(struct vsw_punt *p);
/* The dynamic field offset for vsw_pkt_meta(). */
int vsw_punt_meta_offset(const struct vsw_punt *p);
/* A worker's token bucket, initialised from the params. */
void vsw_punt_tb_init(const struct vsw_punt *p, struct vsw_token_bucket *tb,
		      uint64_t tsc_hz);

/* --- workers --- */

/* Punts m (meta already set by the caller). VSW_DROP_MAX when queued, else
 * VSW_DROP_PUNT_RATELIMIT or VSW_DROP_PUNT_FULL: the caller counts the drop
 * and frees m. */
enum vsw_drop vsw_punt_packet(struct vsw_punt *p, struct vsw_token_bucket *tb,
			      uint64_t now_tsc, struct rte_mbuf *m);
/* Injected packets for this worker to send; up to n. */
unsigned int vsw_inject_dequeue(struct vsw_punt *p, struct rte_mbuf **pkts,
				unsigned int n);
/* Asks for a vport for (network, remote VTEP). Never blocks; a full ring
 * drops the request (the next frame asks again). */
void vsw_punt_vtep_learn(struct vsw_punt *p, uint16_t net, rte_be32_t remote_ip);

/* --- control thread --- */

unsigned int vsw_punt_dequeue(struct vsw_punt *p, struct rte_mbuf **pkts,
			      unsigned int n);
/* Queues m for the workers (meta set by the caller). -ENOBUFS (m freed)
 * when the ring is full. */
int vsw_inject(struct vsw_punt *p, struct rte_mbuf *m);
/* Pending VTEP requests, up to n: net in *nets, address in *ips. */
unsigned int vsw_punt_vtep_requests(struct vsw_punt *p, uint16_t *nets,
				    rte_be32_t *ips, unsigned int n);
void vsw_punt_stats(const struct vsw_punt *p, struct vsw_punt_stats *out);

#endif
