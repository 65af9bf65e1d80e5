/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-network L2 forwarding (the "l2_fwd" stage). */
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "mac_table.h"
#include "worker.h"

/* Broadcast, multicast and unknown unicast go to every other port of the
 * network. Each copy is the same mbuf with its refcount raised: every
 * egress only reads the frame, and each tx frees its reference. */
static void
flood(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t net,
      uint16_t in_port, struct rte_mbuf *m)
{
	const struct vsw_fib_net *fn = &fib->nets[net];
	const uint16_t *members = &fib->flood[fn->flood_off];
	uint16_t i, copies = fn->n_flood;

	for (i = 0; i < fn->n_flood; i++)
		copies -= members[i] == in_port;
	if (unlikely(copies == 0)) {
		vsw_worker_drop(w, in_port, VSW_DROP_NO_FLOOD, m);
		return;
	}
	w->port_stats[in_port].flooded++;
	if (copies > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(copies - 1));
	for (i = 0; i < fn->n_flood; i++)
		if (members[i] != in_port)
			vsw_txbuf_add(w, members[i], m);
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
		for (i = 0; i < k; i++) {
			struct rte_mbuf *m = pkts[base + i];
			uint16_t out = dst[i];

			/* A stale entry of a port that moved away is unknown. */
			if (unlikely(out == VSW_MAC_PORT_NONE ||
				     fib->ports[out].net != net)) {
				flood(w, fib, net, in_port, m);
			} else if (unlikely(out == in_port)) {
				vsw_worker_drop(w, in_port, VSW_DROP_SELF_DEST, m);
			} else if (unlikely(!fib->ports[out].admin_up)) {
				vsw_worker_drop(w, in_port, VSW_DROP_ADMIN_DOWN, m);
			} else {
				vsw_txbuf_add(w, out, m);
			}
		}
	}
}
