/* SPDX-License-Identifier: BSD-3-Clause */
/* The ipsec-out and ipsec-in stages of a router (ipsec.h). */
#include "ipsec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "kvt.h"
#include "punt.h"
#include "route_table.h"
#include "router.h"
#include "worker.h"

#define ETH_LEN RTE_ETHER_HDR_LEN
#define ESP_IN_UDP_PORT 4500    /* RFC 3948 */
#define MAX_FRAGS 64

static inline struct rte_ipv4_hdr *
ipv4_at(struct rte_mbuf *m, uint16_t off)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, off);
}

/* --- SPD --- */

/* Peer prefix (longest first within equal prefixes), then newest SA. */
static int
spd_order(const void *a, const void *b)
{
	const struct vsw_spd_entry *x = a, *y = b;
	uint32_t xp = rte_be_to_cpu_32(x->peer.prefix), yp = rte_be_to_cpu_32(y->peer.prefix);
	uint32_t xm = rte_be_to_cpu_32(x->peer.mask), ym = rte_be_to_cpu_32(y->peer.mask);

	if (xp != yp)
		return xp < yp ? -1 : 1;
	if (xm != ym)
		return xm > ym ? -1 : 1;
	return (x->seq < y->seq) - (x->seq > y->seq);
}

static bool
same_peer(const struct vsw_spd_entry *a, const struct vsw_spd_entry *b)
{
	return a->peer.prefix == b->peer.prefix && a->peer.mask == b->peer.mask;
}

void
vsw_spd_sort(struct vsw_spd_entry *e, uint32_t n)
{
	qsort(e, n, sizeof(*e), spd_order);
}

struct vsw_spd *
vsw_spd_create(const char *name, const struct vsw_spd_entry *e, uint32_t n)
{
	struct vsw_route *routes = NULL;
	struct vsw_spd *spd;
	uint32_t i, g = 0;

	if (n == 0)
		return NULL;
	spd = rte_zmalloc("vsw_spd", sizeof(*spd) + n * sizeof(spd->e[0]) +
			  n * sizeof(*spd->groups), RTE_CACHE_LINE_SIZE);
	routes = malloc(n * sizeof(*routes));
	if (spd == NULL || routes == NULL)
		goto fail;
	memcpy(spd->e, e, n * sizeof(*e));
	spd->n = n;
	spd->groups = (struct vsw_spd_group *)(spd->e + n);
	for (i = 0; i < n; i++) {
		if (i == 0 || !same_peer(&spd->e[i], &spd->e[i - 1])) {
			if (g >= UINT16_MAX)
				goto fail;      /* group indexes ride in a 16-bit field */
			spd->groups[g].first = i;
			routes[g] = (struct vsw_route){
				.prefix = spd->e[i].peer.prefix,
				.plen = (uint8_t)__builtin_popcount(spd->e[i].peer.mask),
				.rif = (uint16_t)g,
			};
			g++;
		}
		spd->groups[g - 1].n++;
	}
	spd->n_groups = g;
	spd->lpm = vsw_route_table_create(name, routes, g, SOCKET_ID_ANY);
	if (spd->lpm == NULL)
		goto fail;
	free(routes);
	return spd;
fail:
	free(routes);
	rte_free(spd);
	return NULL;
}

void
vsw_spd_free(struct vsw_spd *spd)
{
	if (spd == NULL)
		return;
	vsw_route_table_free((struct vsw_route_table *)(uintptr_t)spd->lpm);
	rte_free(spd);
}

/* --- ipsec-in --- */

/*
 * The SPI of an ESP packet: IP protocol 50, or UDP to 4500 whose payload
 * does not start with the non-ESP marker (four zero bytes: IKE). false:
 * not ESP (the router delivers it like any packet for itself).
 */
static bool
esp_spi(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip, rte_be32_t *spi)
{
	uint16_t off = ETH_LEN + rte_ipv4_hdr_len(ip);
	const struct rte_udp_hdr *udp;
	const rte_be32_t *p;

	if (ip->next_proto_id == IPPROTO_ESP) {
		if (m->data_len < off + 8u)
			return *spi = 0, true;  /* ESP, but truncated: no SA */
		p = rte_pktmbuf_mtod_offset(m, const rte_be32_t *, off);
		*spi = p[0];
		return true;
	}
	if (ip->next_proto_id != IPPROTO_UDP || m->data_len < off + sizeof(*udp) + 4u)
		return false;
	udp = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, off);
	if (udp->dst_port != RTE_BE16(ESP_IN_UDP_PORT))
		return false;
	p = (const rte_be32_t *)(udp + 1);
	if (p[0] == 0)
		return false;               /* non-ESP marker: IKE */
	*spi = p[0];
	return true;
}

static bool
selectors_allow(const struct vsw_ipsec_sa *sa, const struct rte_ipv4_hdr *inner)
{
	bool src_ok = false, dst_ok = false;
	uint8_t i;

	for (i = 0; i < sa->n_peer && !src_ok; i++)
		src_ok = vsw_ipsec_prefix_has(&sa->peer[i], inner->src_addr);
	for (i = 0; i < sa->n_local && !dst_ok; i++)
		dst_ok = vsw_ipsec_prefix_has(&sa->local[i], inner->dst_addr);
	return src_ok && dst_ok;
}

static void
handoff(struct vsw_worker *w, uint16_t router, uint16_t rif, uint16_t owner,
	struct rte_mbuf *m)
{
	struct vsw_pkt_meta *meta = vsw_pkt_meta(m, w->meta_off);

	meta->port = rif;
	meta->scope = router;
	if (unlikely(rte_ring_mp_enqueue(w->peers[owner].handoff, m) != 0))
		vsw_worker_drop(w, rif, VSW_DROP_IPSEC_HANDOFF, m);
}

void
vsw_ipsec_handoff_input(struct vsw_worker *w, const struct vsw_fib *fib,
			struct rte_mbuf *m)
{
	const struct vsw_pkt_meta *meta = vsw_pkt_meta(m, w->meta_off);
	uint16_t rif = meta->port;

	/* The fib may have changed since the other worker queued it. */
	if (unlikely(rif >= VSW_FIB_MAX_PORTS || fib->ports[rif].kind != VSW_FP_ROUTER ||
		     fib->ports[rif].rif.router != meta->scope)) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!vsw_ipsec_input(w, fib, meta->scope, rif, m))
		rte_pktmbuf_free(m);
}

static void flush_in(struct vsw_worker *w);

bool
vsw_ipsec_input(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t router,
		uint16_t rif, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ipv4_at(m, ETH_LEN);
	struct vsw_ipsec_sa *sa;
	rte_be32_t spi;
	uint64_t v;

	if (!esp_spi(m, ip, &spi))
		return false;
	if (unlikely(!vsw_kvt_lookup(w->kvt, vsw_kvt_key(VSW_KVT_SA_IN, router,
							 rte_be_to_cpu_32(spi)), &v))) {
		vsw_worker_drop(w, rif, VSW_DROP_IPSEC_NO_SA, m);
		return true;
	}
	sa = (struct vsw_ipsec_sa *)(uintptr_t)v;
	if (unlikely(sa->owner != w->id && sa->owner < w->n_peers)) {
		handoff(w, router, rif, sa->owner, m);
		return true;
	}
	rte_pktmbuf_adj(m, ETH_LEN);
	if (w->esp_in.n != 0 && (w->esp_in.sa != sa || w->esp_in.rif != rif ||
				 w->esp_in.fib != fib))
		flush_in(w);
	w->esp_in.sa = sa;
	w->esp_in.fib = fib;
	w->esp_in.rif = rif;
	w->esp_in.pkts[w->esp_in.n++] = m;
	if (w->esp_in.n == VSW_IPSEC_BATCH)
		flush_in(w);
	return true;
}

/* Decrypted: checked against the SA's selectors and routed. */
static void
deliver(struct vsw_worker *w, const struct vsw_fib *fib, struct vsw_ipsec_sa *sa,
	uint16_t rif, struct rte_mbuf *m)
{
	const struct vsw_fib_port *in = &fib->ports[rif];
	struct rte_ether_hdr *eh;

	if (unlikely(!selectors_allow(sa, ipv4_at(m, 0)))) {
		vsw_worker_drop(w, rif, VSW_DROP_IPSEC_POLICY, m);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, ETH_LEN);
	if (unlikely(eh == NULL)) {
		vsw_worker_drop(w, rif, VSW_DROP_MBUF_ALLOC, m);
		return;
	}
	/* Routed again as if it had arrived on the gateway interface. */
	rte_ether_addr_copy(&in->rif.mac, &eh->dst_addr);
	rte_ether_addr_copy(&in->rif.mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	m->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD;
	if (unlikely(w->l3_depth >= VSW_L3_MAX_DEPTH)) {
		vsw_worker_drop(w, rif, VSW_DROP_ROUTE_DEPTH, m);
		return;
	}
	w->l3_depth++;
	vsw_router_input(w, fib, rif, m);
	w->l3_depth--;
}

static void
flush_in(struct vsw_worker *w)
{
	struct vsw_ipsec_sa *sa = w->esp_in.sa;
	uint8_t verdict[VSW_IPSEC_BATCH];
	struct rte_mbuf *pkts[VSW_IPSEC_BATCH];
	uint16_t i, n = w->esp_in.n, rif = w->esp_in.rif;
	const struct vsw_fib *fib = w->esp_in.fib;

	/* Taken out first: routing a decrypted packet may batch more. */
	memcpy(pkts, w->esp_in.pkts, n * sizeof(pkts[0]));
	w->esp_in.n = 0;
	sa->esp.decap_burst(w->imb, &sa->esp, pkts, n, w->now_tsc, verdict);
	for (i = 0; i < n; i++) {
		if (unlikely(verdict[i] != VSW_ESP_OK))
			vsw_worker_drop(w, rif, VSW_DROP_IPSEC_IN, pkts[i]);
		else
			deliver(w, fib, sa, rif, pkts[i]);
	}
}

/* --- ipsec-out --- */

/* The largest inner packet that fits outer_mtu once encapsulated: the
 * trailer pads inner + 2 to the cipher block. */
static uint16_t
tunnel_mtu(const struct vsw_ipsec_sa *sa, uint16_t outer_mtu)
{
	const struct vsw_esp_sa *e = &sa->esp;
	int32_t room = (int32_t)outer_mtu - e->hdr_room - e->icv_len;
	int32_t mtu;

	if (room <= 2 + 20)
		return 0;
	mtu = (room & ~(int32_t)(e->block - 1)) - 2;
	if (sa->mtu != 0 && mtu > sa->mtu)
		mtu = sa->mtu;
	return (uint16_t)mtu;
}

struct esp_out {
	uint16_t in_rif;
	uint16_t out_rif;
	uint64_t neigh;
	const struct rte_ether_addr *src_mac;
};

static void batch_out(struct vsw_worker *w, const struct vsw_fib *fib,
		      struct vsw_ipsec_sa *sa, const struct esp_out *o, struct rte_mbuf *m);

/* Encrypts n inner IPv4 packets (no Ethernet header) and sends them. */
static void
encrypt_and_send(struct vsw_worker *w, const struct vsw_fib *fib,
		 struct vsw_ipsec_sa *sa, const struct esp_out *o,
		 struct rte_mbuf **pkts, uint16_t n)
{
	uint8_t verdict[MAX_FRAGS];
	struct vsw_port_stats *st = &w->port_stats[o->out_rif];
	uint16_t i;

	sa->esp.encap_burst(w->imb, &sa->esp, pkts, n, w->now_tsc, verdict);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eh;

		if (unlikely(verdict[i] != VSW_ESP_OK)) {
			vsw_worker_drop(w, o->in_rif, VSW_DROP_IPSEC_OUT, m);
			continue;
		}
		eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, ETH_LEN);
		if (unlikely(eh == NULL)) {
			vsw_worker_drop(w, o->in_rif, VSW_DROP_MBUF_ALLOC, m);
			continue;
		}
		vsw_neigh_mac(o->neigh, &eh->dst_addr);
		rte_ether_addr_copy(o->src_mac, &eh->src_addr);
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		if (unlikely(w->l3_depth >= VSW_L3_MAX_DEPTH)) {
			vsw_worker_drop(w, o->in_rif, VSW_DROP_ROUTE_DEPTH, m);
			continue;
		}
		st->tx_packets++;
		st->tx_bytes += m->pkt_len;
		w->l3_depth++;
		vsw_l2_output(w, fib, o->out_rif, m);
		w->l3_depth--;
	}
}

/* The outer next hop toward the peer; false when m was taken (punted for
 * ARP, or dropped). */
static bool
outer_next_hop(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t router,
	       const struct vsw_ipsec_sa *sa, struct esp_out *o, struct rte_mbuf *m)
{
	const struct vsw_fib_router *r = &fib->routers[router];
	const struct vsw_nexthop *nh = r->routes != NULL ?
		vsw_route_lookup(r->routes, sa->esp.tunnel_dst) : NULL;
	rte_be32_t nh_ip;

	if (unlikely(nh == NULL || fib->ports[nh->rif].kind != VSW_FP_ROUTER)) {
		vsw_worker_drop(w, o->in_rif, VSW_DROP_NO_ROUTE, m);
		return false;
	}
	nh_ip = nh->gw != 0 ? nh->gw : sa->esp.tunnel_dst;
	if (unlikely(!vsw_worker_neigh(w, vsw_kvt_neigh_key(router, nh_ip), &o->neigh))) {
		/* Resolved first, then routed again from the start. */
		struct vsw_pkt_meta meta = {
			.port = o->in_rif, .net = fib->ports[o->in_rif].net,
			.scope = router, .kind = VSW_PUNT_RESOLVE, .ip = nh_ip,
		};

		vsw_worker_punt(w, &meta, m);
		return false;
	}
	if (unlikely(o->neigh & VSW_NEIGH_INCOMPLETE)) {
		vsw_worker_drop(w, o->in_rif, VSW_DROP_NO_NEIGHBOR, m);
		return false;
	}
	o->out_rif = nh->rif;
	o->src_mac = &fib->ports[nh->rif].rif.mac;
	return true;
}

bool
vsw_ipsec_output(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t router,
		 uint16_t in_rif, struct rte_mbuf *m)
{
	const struct vsw_fib_router *r = &fib->routers[router];
	struct rte_ipv4_hdr *ip = ipv4_at(m, ETH_LEN);
	struct rte_mbuf *pkts[MAX_FRAGS];
	struct vsw_ipsec_sa *sa;
	struct esp_out o = { .in_rif = in_rif };
	uint16_t mtu, len;
	int32_t n;

	sa = vsw_spd_lookup(r->spd, ip->src_addr, ip->dst_addr);
	if (sa == NULL)
		return false;
	if (unlikely(sa->esp.hard_expired)) {
		vsw_worker_drop(w, in_rif, VSW_DROP_IPSEC_OUT, m);
		return true;
	}
	if (!outer_next_hop(w, fib, router, sa, &o, m))
		return true;
	mtu = tunnel_mtu(sa, (uint16_t)(fib->ports[o.out_rif].max_frame - ETH_LEN));
	len = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(len > mtu) &&
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0) {
		vsw_icmp_error(w, fib, in_rif, m, VSW_ICMP_DEST_UNREACH, VSW_ICMP_FRAG_NEEDED, mtu);
		vsw_worker_drop(w, in_rif, VSW_DROP_FRAG_NEEDED, m);
		return true;
	}
	/* The inner packet is forwarded by this router. */
	vsw_ipv4_ttl_decrement(ip);
	rte_pktmbuf_adj(m, ETH_LEN);
	if (likely(len <= mtu)) {
		batch_out(w, fib, sa, &o, m);
		return true;
	}
	/* DF clear: fragments first (RFC 4301 §8.1: before encryption). */
	n = rte_ipv4_fragment_packet(m, pkts, MAX_FRAGS, mtu, w->pool, w->pool);
	rte_pktmbuf_free(m);
	if (unlikely(n < 0)) {
		w->port_stats[in_rif].drops[n == -ENOMEM ? VSW_DROP_MBUF_ALLOC
							 : VSW_DROP_FRAG_NEEDED]++;
		return true;
	}
	for (int32_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr *fip = rte_pktmbuf_mtod(pkts[i], struct rte_ipv4_hdr *);

		fip->hdr_checksum = 0;
		fip->hdr_checksum = rte_ipv4_cksum(fip);
	}
	for (int32_t i = 0; i < n; i++)
		batch_out(w, fib, sa, &o, pkts[i]);
	return true;
}

static void
flush_out(struct vsw_worker *w)
{
	struct esp_out o = {
		.in_rif = w->esp_out.in_rif, .out_rif = w->esp_out.out_rif,
		.neigh = w->esp_out.neigh,
	};
	struct rte_mbuf *pkts[VSW_IPSEC_BATCH];
	uint16_t n = w->esp_out.n;

	o.src_mac = &w->esp_out.fib->ports[o.out_rif].rif.mac;
	memcpy(pkts, w->esp_out.pkts, n * sizeof(pkts[0]));
	w->esp_out.n = 0;
	encrypt_and_send(w, w->esp_out.fib, w->esp_out.sa, &o, pkts, n);
}

/* Packets of one SA, one egress and one next hop go to the engine together. */
static void
batch_out(struct vsw_worker *w, const struct vsw_fib *fib, struct vsw_ipsec_sa *sa,
	  const struct esp_out *o, struct rte_mbuf *m)
{
	if (w->esp_out.n != 0 &&
	    (w->esp_out.sa != sa || w->esp_out.fib != fib || w->esp_out.out_rif != o->out_rif ||
	     w->esp_out.neigh != o->neigh || w->esp_out.in_rif != o->in_rif))
		flush_out(w);
	w->esp_out.sa = sa;
	w->esp_out.fib = fib;
	w->esp_out.in_rif = o->in_rif;
	w->esp_out.out_rif = o->out_rif;
	w->esp_out.neigh = o->neigh;
	w->esp_out.pkts[w->esp_out.n++] = m;
	if (w->esp_out.n == VSW_IPSEC_BATCH)
		flush_out(w);
}

void
vsw_ipsec_flush(struct vsw_worker *w)
{
	/* Decrypted packets may be routed into another tunnel, and so on:
	 * bounded by the routing depth. */
	for (unsigned int round = 0; round <= VSW_L3_MAX_DEPTH &&
	     (w->esp_in.n != 0 || w->esp_out.n != 0); round++) {
		if (w->esp_in.n != 0)
			flush_in(w);
		if (w->esp_out.n != 0)
			flush_out(w);
	}
}
