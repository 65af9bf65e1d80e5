/* SPDX-License-Identifier: BSD-3-Clause */
#include "punt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#define PUNT_META_NAME "vsw_pkt_meta"
#define PUNT_DRAIN_BURST 64

struct vsw_punt {
	struct rte_ring *punt;     /* workers -> control: MP/SC of mbufs */
	struct rte_ring *inject;   /* control -> workers: SP/MC of mbufs */
	struct rte_ring *learn;    /* workers -> control: MP/SC of uint64 */
	int meta_off;
	uint64_t rate_per_worker;
	uint64_t burst;
	struct vsw_punt_stats stats;   /* written by the control thread only */
};

static bool
params_valid(const struct vsw_punt_params *p)
{
	return p != NULL && rte_is_power_of_2(p->punt_ring_size) &&
	       rte_is_power_of_2(p->inject_ring_size) &&
	       rte_is_power_of_2(p->learn_ring_size) && p->punt_ring_size >= 2 &&
	       p->inject_ring_size >= 2 && p->learn_ring_size >= 2;
}

static int
register_meta(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = PUNT_META_NAME,
		.size = sizeof(struct vsw_pkt_meta),
		.align = __alignof__(struct vsw_pkt_meta),
	};

	/* Registering the same field again returns the same offset. */
	return rte_mbuf_dynfield_register(&desc);
}

/* Ring names are per process: the struct's address makes them unique. */
static struct rte_ring *
ring_create(const struct vsw_punt *p, const char *what, unsigned int esize,
	    uint32_t size, int socket_id, unsigned int flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "vsw_%s_%" PRIxPTR, what, (uintptr_t)p);
	return rte_ring_create_elem(name, esize, size, socket_id, flags);
}

struct vsw_punt *
vsw_punt_create(const struct vsw_punt_params *prm)
{
	struct vsw_punt *p;
	int err;

	if (!params_valid(prm)) {
		rte_errno = EINVAL;
		return NULL;
	}
	p = rte_zmalloc_socket("vsw_punt", sizeof(*p), RTE_CACHE_LINE_SIZE,
			       prm->socket_id);
	if (p == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	p->rate_per_worker = prm->rate_per_worker;
	p->burst = prm->burst;
	p->meta_off = register_meta();
	if (p->meta_off < 0)
		goto fail;
	p->punt = ring_create(p, "punt", sizeof(void *), prm->punt_ring_size,
			      prm->socket_id, RING_F_SC_DEQ);
	p->inject = ring_create(p, "inj", sizeof(void *), prm->inject_ring_size,
				prm->socket_id, RING_F_SP_ENQ);
	p->learn = ring_create(p, "lrn", sizeof(uint64_t), prm->learn_ring_size,
			       prm->socket_id, RING_F_SC_DEQ);
	if (p->punt == NULL || p->inject == NULL || p->learn == NULL)
		goto fail;
	return p;
fail:
	err = rte_errno != 0 ? rte_errno : ENOMEM;
	vsw_punt_free(p);
	rte_errno = err;
	return NULL;
}

static void
drain_mbufs(struct rte_ring *r)
{
	void *pkts[PUNT_DRAIN_BURST];
	unsigned int n;

	if (r == NULL)
		return;
	while ((n = rte_ring_dequeue_burst(r, pkts, RTE_DIM(pkts), NULL)) != 0)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)pkts, n);
}

void
vsw_punt_free(struct vsw_punt *p)
{
	if (p == NULL)
		return;
	drain_mbufs(p->punt);
	drain_mbufs(p->inject);
	rte_ring_free(p->punt);
	rte_ring_free(p->inject);
	rte_ring_free(p->learn);
	rte_free(p);
}

int
vsw_punt_meta_offset(const struct vsw_punt *p)
{
	return p->meta_off;
}

void
vsw_punt_tb_init(const struct vsw_punt *p, struct vsw_token_bucket *tb,
		 uint64_t tsc_hz)
{
	vsw_tb_init(tb, tsc_hz, p->rate_per_worker, p->burst);
}

/* --- workers --- */

enum vsw_drop
vsw_punt_packet(struct vsw_punt *p, struct vsw_token_bucket *tb,
		uint64_t now_tsc, struct rte_mbuf *m)
{
	if (unlikely(!vsw_tb_take(tb, now_tsc)))
		return VSW_DROP_PUNT_RATELIMIT;
	if (unlikely(rte_ring_mp_enqueue(p->punt, m) != 0))
		return VSW_DROP_PUNT_FULL;
	return VSW_DROP_MAX;
}

unsigned int
vsw_inject_dequeue(struct vsw_punt *p, struct rte_mbuf **pkts, unsigned int n)
{
	return rte_ring_mc_dequeue_burst(p->inject, (void **)pkts, n, NULL);
}

void
vsw_punt_vtep_learn(struct vsw_punt *p, uint16_t net, rte_be32_t remote_ip)
{
	uint64_t req = (uint64_t)net << 32 | rte_be_to_cpu_32(remote_ip);

	/* A full ring drops the request: the next frame asks again. */
	(void)rte_ring_mp_enqueue_elem(p->learn, &req, sizeof(req));
}

/* --- control thread --- */

unsigned int
vsw_punt_dequeue(struct vsw_punt *p, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int got, i;

	got = rte_ring_sc_dequeue_burst(p->punt, (void **)pkts, n, NULL);
	for (i = 0; i < got; i++) {
		uint8_t kind = vsw_pkt_meta(pkts[i], p->meta_off)->kind;

		if (kind < VSW_PUNT_REASON_MAX)
			p->stats.punted[kind]++;
	}
	return got;
}

int
vsw_inject(struct vsw_punt *p, struct rte_mbuf *m)
{
	if (rte_ring_sp_enqueue(p->inject, m) != 0) {
		p->stats.inject_full++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	p->stats.injected++;
	return 0;
}

unsigned int
vsw_punt_vtep_requests(struct vsw_punt *p, uint16_t *nets, rte_be32_t *ips,
		       unsigned int n)
{
	uint64_t req[PUNT_DRAIN_BURST];
	unsigned int done = 0, got, i;

	do {
		got = rte_ring_sc_dequeue_burst_elem(p->learn, req, sizeof(req[0]),
						     RTE_MIN(n - done, (unsigned int)RTE_DIM(req)),
						     NULL);
		for (i = 0; i < got; i++) {
			nets[done + i] = (uint16_t)(req[i] >> 32);
			ips[done + i] = rte_cpu_to_be_32((uint32_t)req[i]);
		}
		done += got;
	} while (got != 0 && done < n);
	p->stats.learn_requests += done;
	return done;
}

void
vsw_punt_stats(const struct vsw_punt *p, struct vsw_punt_stats *out)
{
	*out = p->stats;
}
