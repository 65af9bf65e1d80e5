/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-(worker, port) tx buffers, flushed when full and every loop turn. */
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "ipsec.h"
#include "worker.h"

static void
flush_port(struct vsw_worker *w, uint16_t port)
{
	struct vsw_txbuf *tb = &w->txbufs[port];
	struct vsw_port_stats *st = &w->port_stats[port];
	struct vsw_dp_port *p = w->ports[port];
	uint16_t n = tb->n, sent;

	tb->n = 0;
	if (unlikely(p == NULL || !__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE))) {
		st->drops[VSW_DROP_TX_FULL] += n;
		rte_pktmbuf_free_bulk(tb->pkts, n);
		tb->bytes = 0;
		return;
	}
	sent = p->ops->tx(p, w->id, tb->pkts, n);
	st->tx_packets += sent;
	/* Bytes of the unsent tail are not known any more; frames of one
	 * buffer are close enough in size for a proportional estimate. */
	st->tx_bytes += sent == n ? tb->bytes : (uint64_t)tb->bytes * sent / n;
	st->drops[VSW_DROP_TX_FULL] += n - sent;
	w->counters.tx_packets += sent;
	tb->bytes = 0;
}

void
vsw_txbuf_add(struct vsw_worker *w, uint16_t port, struct rte_mbuf *m)
{
	struct vsw_txbuf *tb = &w->txbufs[port];

	if (!tb->queued) {
		tb->queued = true;
		w->dirty[w->n_dirty++] = port;
	}
	tb->pkts[tb->n++] = m;
	tb->bytes += m->pkt_len;
	if (unlikely(tb->n == VSW_TXBUF_SIZE))
		flush_port(w, port);
}

void
vsw_txbuf_flush_all(struct vsw_worker *w)
{
	uint16_t i;

	/* ESP batched this turn goes out in this flush. */
	if (w->esp_out.n != 0 || w->esp_in.n != 0)
		vsw_ipsec_flush(w);
	for (i = 0; i < w->n_dirty; i++) {
		uint16_t port = w->dirty[i];

		w->txbufs[port].queued = false;
		if (w->txbufs[port].n != 0)
			flush_port(w, port);
	}
	w->n_dirty = 0;
	w->cache_gen++;
}
