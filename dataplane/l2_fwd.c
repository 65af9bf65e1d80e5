/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-network L2 forwarding (the "l2_fwd" stage) and egress to any port. */
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "kvt.h"
#include "mac_table.h"
#include "overlay.h"
#include "punt.h"
#include "router.h"
#include "worker.h"

void
vsw_port_output(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t in,
		uint16_t out, struct rte_mbuf *m)
{
	if (likely(!vsw_is_vport(out))) {
		vsw_txbuf_add(w, out, m);
		return;
	}
	switch (fib->ports[out].kind) {
	case VSW_FP_VLAN:
		vsw_vlan_output(w, fib, out, m);
		break;
	case VSW_FP_VXLAN:
		vsw_vxlan_output(w, fib, out, m);
		break;
	case VSW_FP_ROUTER:
		vsw_router_input(w, fib, out, m);
		break;
	default:
		/* A vport withdrawn since the lookup (a stale MAC entry). */
		vsw_worker_drop(w, in, VSW_DROP_NO_PORT, m);
		break;
	}
}

/* Broadcast, multicast and unknown unicast go to every other port of the
 * network. Each copy is the same mbuf with its refcount raised: egress to
 * a VNIC only reads the frame, and each tx frees its reference; a vport
 * that must edit the frame copies it first. Frames that came from a VXLAN
 * tunnel go to local members only (split horizon: every VTEP replicates
 * its own BUM traffic to all the others). */
static void
flood(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t net,
      uint16_t in_port, struct rte_mbuf *m)
{
	const struct vsw_fib_net *fn = &fib->nets[net];
	const uint16_t *members = &fib->flood[fn->flood_off];
	uint16_t i, n, copies;

	n = fib->ports[in_port].tunnel ? fn->n_local : fn->n_flood;
	copies = n;
	for (i = 0; i < n; i++)
		copies -= members[i] == in_port;
	if (unlikely(copies == 0)) {
		vsw_worker_drop(w, in_port, VSW_DROP_NO_FLOOD, m);
		return;
	}
	w->port_stats[in_port].flooded++;
	if (copies > 1)
		rte_pktmbuf_refcnt_update(m, (int16_t)(copies - 1));
	for (i = 0; i < n; i++)
		if (members[i] != in_port)
			vsw_port_output(w, fib, in_port, members[i], m);
}

/* Where a frame with destination port out goes (out from the MAC table). */
static inline void
forward_one(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t net,
	    uint16_t in_port, uint16_t out, struct rte_mbuf *m)
{
	/* A stale entry of a port that moved away is unknown. */
	if (unlikely(out == VSW_MAC_PORT_NONE || fib->ports[out].net != net))
		flood(w, fib, net, in_port, m);
	else if (unlikely(out == in_port))
		vsw_worker_drop(w, in_port, VSW_DROP_SELF_DEST, m);
	else if (unlikely(!fib->ports[out].admin_up))
		vsw_worker_drop(w, in_port, VSW_DROP_ADMIN_DOWN, m);
	else
		vsw_port_output(w, fib, in_port, out, m);
}

/*
 * Looks up the destinations of a chunk: frames of one flow come in runs, so
 * only the first key of each run goes to the hash (one lookup for a whole
 * burst to one destination).
 */
static void
lookup_chunk(const struct vsw_worker *w, uint16_t net, struct rte_mbuf **pkts,
	     uint16_t k, uint16_t *dst)
{
	uint64_t keys[VSW_MAC_BULK_MAX];
	uint16_t ports[VSW_MAC_BULK_MAX];
	uint8_t run[VSW_MAC_BULK_MAX];
	uint16_t i, n_runs = 0;
	uint64_t key, prev = 0;

	for (i = 0; i < k; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

		key = vsw_mac_key(net, &eh->dst_addr);
		if (i == 0 || key != prev)
			keys[n_runs++] = key;
		run[i] = (uint8_t)(n_runs - 1);
		prev = key;
	}
	vsw_mac_table_lookup_bulk(w->macs, keys, n_runs, ports);
	for (i = 0; i < k; i++)
		dst[i] = ports[run[i]];
}

void
vsw_l2_fwd_process(struct vsw_worker *w, const struct vsw_fib *fib,
		   uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t net = fib->ports[in_port].net;
	uint16_t dst[VSW_MAC_BULK_MAX];
	uint16_t base, i, k;

	for (base = 0; base < n; base += k) {
		k = RTE_MIN(n - base, VSW_MAC_BULK_MAX);
		lookup_chunk(w, net, pkts + base, k, dst);
		for (i = 0; i < k; i++)
			forward_one(w, fib, net, in_port, dst[i], pkts[base + i]);
	}
}

void
vsw_l2_output(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t in,
	      struct rte_mbuf *m)
{
	uint16_t net = fib->ports[in].net;
	uint64_t key;
	uint16_t out;

	if (unlikely(net == VSW_NET_NONE)) {
		vsw_worker_drop(w, in, VSW_DROP_NO_PORT, m);
		return;
	}
	key = vsw_mac_key(net, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
	if (likely(w->l2_cache.gen == w->cache_gen && w->l2_cache.key == key)) {
		out = w->l2_cache.port;
	} else {
		vsw_mac_table_lookup_bulk(w->macs, &key, 1, &out);
		w->l2_cache.gen = w->cache_gen;
		w->l2_cache.key = key;
		w->l2_cache.port = out;
	}
	forward_one(w, fib, net, in, out, m);
}

bool
vsw_worker_neigh(struct vsw_worker *w, uint64_t key, uint64_t *value)
{
	if (likely(w->neigh_cache.gen == w->cache_gen && w->neigh_cache.key == key)) {
		*value = w->neigh_cache.value;
		return w->neigh_cache.found;
	}
	w->neigh_cache.found = vsw_kvt_lookup(w->kvt, key, &w->neigh_cache.value);
	w->neigh_cache.gen = w->cache_gen;
	w->neigh_cache.key = key;
	*value = w->neigh_cache.value;
	return w->neigh_cache.found;
}

void
vsw_worker_punt(struct vsw_worker *w, const struct vsw_pkt_meta *meta,
		struct rte_mbuf *m)
{
	enum vsw_drop reason;

	*vsw_pkt_meta(m, w->meta_off) = *meta;
	reason = vsw_punt_packet(w->punt, &w->punt_tb, w->now_tsc, m);
	if (unlikely(reason != VSW_DROP_MAX))
		vsw_worker_drop(w, meta->port, reason, m);
}
