/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_WORKER_H
#define VSW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dp_port.h"
#include "drops.h"
#include "fib.h"
#include "ratelimit.h"

#define VSW_BURST_MAX 256
#define VSW_TXBUF_SIZE 64

/* Counters a worker writes in its own cache lines; readers sum snapshots. */
struct vsw_worker_counters {
	uint64_t loops;        /* turns of the poll loop */
	uint64_t busy_cycles;  /* TSC cycles in turns that moved packets */
	uint64_t idle_cycles;  /* TSC cycles in turns that moved none */
	uint64_t sleeps;       /* naps taken with no rx queue to poll */
	uint64_t rx_packets;
	uint64_t tx_packets;
} __rte_cache_aligned;

struct vsw_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t flooded;        /* frames received here that were flooded */
	uint64_t cycles;         /* TSC cycles of the ingress stages of its bursts */
	uint64_t drops[VSW_DROP_MAX];
};

/* The rx queues one worker polls; published by the control thread. */
struct vsw_poll_list {
	uint16_t n;
	struct {
		uint16_t port;
		uint16_t queue;
	} q[];
};

struct vsw_txbuf {
	uint16_t n;
	bool queued;             /* listed in the worker's dirty ports */
	uint32_t bytes;
	struct rte_mbuf *pkts[VSW_TXBUF_SIZE];
};

struct vsw_dataplane;
struct vsw_kvt;
struct vsw_punt;
struct vsw_nat;
struct IMB_MGR;

/* Packets of one SA collected before one engine call (multi-buffer
 * crypto wants many in flight). */
#define VSW_IPSEC_BATCH 32

/* Routers a packet may cross in one worker pass (router to router over a
 * transit network); beyond it the packet is dropped (route_depth). */
#define VSW_L3_MAX_DEPTH 4

/* One poll-mode worker lcore. The worker thread alone writes its counters
 * and buffers; the control thread publishes poll lists and sets stop. */
struct vsw_worker {
	unsigned int id;          /* 0..n_workers-1, also its RCU thread id */
	unsigned int lcore_id;
	int cpu;
	uint16_t burst;
	struct rte_rcu_qsbr *qsbr;
	struct vsw_dataplane *dp;
	struct vsw_dp_port **ports;        /* the data plane's port array */
	struct vsw_fib **fib;              /* where the live fib pointer is */
	struct vsw_mac_table *macs;
	struct vsw_poll_list *poll;        /* RCU-published */
	bool stop;                         /* read with __atomic */
	uint32_t now_s;                    /* coarse clock for MAC ageing */
	struct {                           /* the last source MAC observed */
		uint64_t key;
		uint32_t now_s;
		uint16_t port;
	} learn_cache;
	uint64_t tsc_hz;
	uint64_t now_tsc;                  /* TSC at the start of this loop turn */

	/* L3: tables shared with the control thread, per-worker limits. */
	struct rte_mempool *pool;          /* for copies, headers, ICMP errors */
	struct vsw_kvt *kvt;
	struct vsw_punt *punt;
	struct vsw_nat *nat;
	struct IMB_MGR *imb;               /* this worker's libipsec-mb manager */
	/* Inbound ESP of SAs this worker owns, handed over by the others
	 * (one worker per inbound SA: its replay window takes no lock). */
	struct rte_ring *handoff;
	struct vsw_worker *peers;          /* every worker (dp->workers) */
	unsigned int n_peers;
	int meta_off;                      /* struct vsw_pkt_meta dynfield */
	uint8_t l3_depth;                  /* routers crossed by the current packet */
	struct vsw_token_bucket punt_tb;
	struct vsw_token_bucket icmp_tb;
	struct {                           /* the last VTEP request sent */
		uint64_t key;
		uint32_t now_s;
	} vtep_req;
	/* One-entry lookup caches, valid until the next tx flush (the end of
	 * a loop turn, before the RCU quiescent state): a burst of one flow
	 * pays one MAC and one neighbour lookup, not one per packet. */
	/* ESP of one SA waiting for one engine call; sent by
	 * vsw_ipsec_flush() when the SA changes, the batch fills, or the
	 * turn ends (before the tx flush). */
	struct {
		void *sa;                  /* struct vsw_ipsec_sa */
		const struct vsw_fib *fib;
		uint16_t in_rif, out_rif, n;
		uint64_t neigh;
		struct rte_mbuf *pkts[VSW_IPSEC_BATCH];
	} esp_out;
	struct {
		void *sa;
		const struct vsw_fib *fib;
		uint16_t rif, n;
		struct rte_mbuf *pkts[VSW_IPSEC_BATCH];
	} esp_in;
	uint64_t cache_gen;
	struct {
		uint64_t gen;
		uint64_t key;
		uint16_t port;
	} l2_cache;
	struct {
		uint64_t gen;
		uint64_t key;
		uint64_t value;
		bool found;
	} neigh_cache;

	uint16_t n_dirty;                  /* ports with buffered tx */
	uint16_t dirty[VSW_DP_MAX_PORTS];
	struct vsw_txbuf *txbufs;          /* [VSW_DP_MAX_PORTS] */
	struct vsw_port_stats *port_stats; /* [VSW_FIB_MAX_PORTS]: ports and vports */

	struct vsw_worker_counters counters;
} __rte_cache_aligned;

/* The lcore entry point (rte_eal_remote_launch). */
int vsw_worker_main(void *arg);

/* Counts a drop against a port or vport and frees the packet. */
static inline void
vsw_worker_drop(struct vsw_worker *w, uint16_t port, enum vsw_drop reason,
		struct rte_mbuf *m)
{
	w->port_stats[port].drops[reason]++;
	rte_pktmbuf_free(m);
}

/* Stages, in packet order. */

/* Ingress checks of a burst from one port: admin state, runts, VLAN tags,
 * MTU, port security, source learning. Drops (counted) the failures and
 * compacts the passing packets to the front; returns their number. */
uint16_t vsw_classify_process(struct vsw_worker *w, const struct vsw_fib *fib,
			      uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);

/* Per-network L2 forwarding: bulk MAC lookup, known unicast to its port,
 * broadcast/multicast/unknown unicast flooded to the network's other ports. */
void vsw_l2_fwd_process(struct vsw_worker *w, const struct vsw_fib *fib,
			uint16_t in_port, struct rte_mbuf **pkts, uint16_t n);

/* Sends m to any index of the port space: a data-plane port's tx buffer,
 * or a vport's egress function (tag, encapsulate, route). in is the port
 * it came from (counters, split horizon). Takes ownership. */
void vsw_port_output(struct vsw_worker *w, const struct vsw_fib *fib,
		     uint16_t in, uint16_t out, struct rte_mbuf *m);

/* L2-forwards one frame on the network of port in as if received from in
 * (routed packets, injected replies): known unicast to its port, the
 * rest flooded. Takes ownership. */
void vsw_l2_output(struct vsw_worker *w, const struct vsw_fib *fib,
		   uint16_t in, struct rte_mbuf *m);

/* A neighbour (kvt.h key) through the worker's one-entry cache. */
bool vsw_worker_neigh(struct vsw_worker *w, uint64_t key, uint64_t *value);

struct vsw_pkt_meta;
/* Punts m to the control thread with metadata meta (punt.h); a refusal is
 * counted against port meta->port and m freed. */
void vsw_worker_punt(struct vsw_worker *w, const struct vsw_pkt_meta *meta,
		     struct rte_mbuf *m);

/* Buffers a packet for a port; flushes that port's buffer when full. */
void vsw_txbuf_add(struct vsw_worker *w, uint16_t port, struct rte_mbuf *m);
/* Sends every buffered packet (end of each loop turn). */
void vsw_txbuf_flush_all(struct vsw_worker *w);

#endif
