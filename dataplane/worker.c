/* SPDX-License-Identifier: BSD-3-Clause */
#include "worker.h"

#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "ipsec.h"
#include "log.h"
#include "nat.h"
#include "overlay.h"
#include "punt.h"
#include "router.h"

#define VSW_INJECT_BURST 32
/* SNAT connections a worker examines for expiry per loop turn. */
#define VSW_NAT_EXPIRE_BUDGET 16

/* A worker with no rx queue naps this long between loop turns instead of
 * spinning, so an idle switch (or the tests' many instances) burns no CPU. */
#define VSW_WORKER_IDLE_NAP_NS 1000000L

static void
nap_offline(struct vsw_worker *w)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = VSW_WORKER_IDLE_NAP_NS };

	/* Offline, a sleeping worker never holds up an RCU grace period. */
	rte_rcu_qsbr_thread_offline(w->qsbr, w->id);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->qsbr, w->id);
	w->counters.sleeps++;
}

static unsigned int
poll_queue(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t port,
	   uint16_t queue)
{
	struct rte_mbuf *pkts[VSW_BURST_MAX];
	struct vsw_dp_port *p = w->ports[port];
	uint16_t n, kept;
	uint64_t t0;

	if (unlikely(p == NULL || !__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) ||
		     queue >= __atomic_load_n(&p->n_rxq, __ATOMIC_RELAXED)))
		return 0;
	n = p->ops->rx(p, queue, pkts, w->burst);
	if (n == 0)
		return 0;
	w->counters.rx_packets += n;
	t0 = rte_rdtsc();
	if (unlikely(fib->ports[port].kind == VSW_FP_UPLINK)) {
		vsw_uplink_rx_process(w, fib, port, pkts, n);
	} else {
		kept = vsw_classify_process(w, fib, port, pkts, n);
		if (kept != 0)
			vsw_l2_fwd_process(w, fib, port, pkts, kept);
	}
	w->port_stats[port].cycles += rte_rdtsc() - t0;
	return n;
}

/* One packet from the control thread, sent the way its metadata says. */
static void
send_injected(struct vsw_worker *w, const struct vsw_fib *fib, struct rte_mbuf *m)
{
	const struct vsw_pkt_meta *meta = vsw_pkt_meta(m, w->meta_off);
	uint16_t port = meta->port;

	if (unlikely(port >= VSW_FIB_MAX_PORTS || (fib->ports[port].net == VSW_NET_NONE &&
		     fib->ports[port].kind != VSW_FP_UPLINK))) {
		rte_pktmbuf_free(m);
		return;
	}
	switch (meta->kind) {
	case VSW_INJECT_PORT:
		vsw_port_output(w, fib, port, port, m);
		break;
	case VSW_INJECT_NET:
		vsw_l2_output(w, fib, port, m);
		break;
	case VSW_INJECT_ROUTE:
		if (fib->ports[port].kind == VSW_FP_ROUTER) {
			vsw_router_input(w, fib, port, m);
			break;
		}
		/* fall through */
	default:
		rte_pktmbuf_free(m);
		break;
	}
}

static unsigned int
poll_inject(struct vsw_worker *w, const struct vsw_fib *fib)
{
	struct rte_mbuf *pkts[VSW_INJECT_BURST];
	unsigned int i, n;

	n = vsw_inject_dequeue(w->punt, pkts, VSW_INJECT_BURST);
	for (i = 0; i < n; i++)
		send_injected(w, fib, pkts[i]);
	return n;
}

static unsigned int
poll_handoff(struct vsw_worker *w, const struct vsw_fib *fib)
{
	struct rte_mbuf *pkts[VSW_INJECT_BURST];
	unsigned int i, n;

	n = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, VSW_INJECT_BURST, NULL);
	for (i = 0; i < n; i++)
		vsw_ipsec_handoff_input(w, fib, pkts[i]);
	return n;
}

static unsigned int
poll_once(struct vsw_worker *w, const struct vsw_poll_list *pl)
{
	const struct vsw_fib *fib = __atomic_load_n(w->fib, __ATOMIC_ACQUIRE);
	unsigned int moved = 0;
	uint16_t i;

	for (i = 0; pl != NULL && i < pl->n; i++)
		moved += poll_queue(w, fib, pl->q[i].port, pl->q[i].queue);
	if (w->punt != NULL)
		moved += poll_inject(w, fib);
	if (w->handoff != NULL)
		moved += poll_handoff(w, fib);
	vsw_txbuf_flush_all(w);
	if (w->nat != NULL)
		vsw_nat_expire(w->nat, w->id, w->now_tsc, VSW_NAT_EXPIRE_BUDGET);
	return moved;
}

int
vsw_worker_main(void *arg)
{
	struct vsw_worker *w = arg;
	const struct vsw_poll_list *pl;
	uint64_t t0, t1, next_clock = 0;
	unsigned int moved;
	bool idle;

	rte_rcu_qsbr_thread_register(w->qsbr, w->id);
	rte_rcu_qsbr_thread_online(w->qsbr, w->id);
	VSW_DP_LOG(INFO, "worker %u running on lcore %u (cpu %d)", w->id,
		   w->lcore_id, w->cpu);

	t0 = rte_rdtsc();
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		pl = __atomic_load_n(&w->poll, __ATOMIC_ACQUIRE);
		w->now_tsc = t0;
		moved = poll_once(w, pl);
		idle = pl == NULL || pl->n == 0;
		/* After the flush: nothing of this turn is referenced any more. */
		rte_rcu_qsbr_quiescent(w->qsbr, w->id);
		t1 = rte_rdtsc();
		if (moved != 0)
			w->counters.busy_cycles += t1 - t0;
		else
			w->counters.idle_cycles += t1 - t0;
		w->counters.loops++;
		if (unlikely(t1 >= next_clock)) {
			w->now_s = (uint32_t)(t1 / w->tsc_hz);
			next_clock = t1 + w->tsc_hz / 10;
		}
		if (idle)
			nap_offline(w);
		t0 = rte_rdtsc();
	}

	rte_rcu_qsbr_thread_offline(w->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->id);
	VSW_DP_LOG(INFO, "worker %u stopped", w->id);
	return 0;
}
