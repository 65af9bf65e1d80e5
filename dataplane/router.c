/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L3 stage (router.h): one frame that L2 delivered to a router
 * interface is checked, translated, routed and handed back to L2 on the
 * egress network.
 *
 * Order matters in two places:
 *   - the neighbour is looked up before any source translation or rewrite:
 *     a packet whose next hop has no MAC is punted untouched, and the
 *     control thread re-injects it (VSW_INJECT_ROUTE on the ingress rif)
 *     once ARP has answered, so it is routed again from the start;
 *   - inbound translation (SNAT replies, floating IPs) comes first, so that
 *     the translated destination is what gets routed.
 * Frames L2 flooded to the interface are shared with the other members
 * (refcount > 1): they are only read, and copied before anything writes
 * to them (including the punt metadata).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ipsec.h"
#include "kvt.h"
#include "nat.h"
#include "punt.h"
#include "route_table.h"
#include "router.h"
#include "worker.h"

#define ETH_LEN RTE_ETHER_HDR_LEN
#define MAX_FRAGS 64

struct router_ctx {
	const struct vsw_fib *fib;
	const struct vsw_fib_port *in;       /* the ingress interface */
	const struct vsw_fib_router *router;
	uint16_t rif;
	uint16_t r;                          /* fib->routers[] index */
};

static inline void
count_drop(struct vsw_worker *w, uint16_t port, enum vsw_drop reason)
{
	w->port_stats[port].drops[reason]++;
}

/* May the first segment's bytes be written? A flooded frame is shared by
 * refcount, a clone shares its data, an external buffer may be shared. */
static inline bool
frame_writable(const struct rte_mbuf *m)
{
	return rte_mbuf_refcnt_read(m) == 1 && !RTE_MBUF_CLONED(m) &&
	       (!RTE_MBUF_HAS_EXTBUF(m) || rte_mbuf_ext_refcnt_read(m->shinfo) == 1);
}

/* m itself when it is ours alone, else a private copy (m's reference is
 * given back). NULL, counted, when no mbuf is left for the copy. */
static struct rte_mbuf *
own_frame(struct vsw_worker *w, uint16_t rif, struct rte_mbuf *m)
{
	struct rte_mbuf *copy;

	if (likely(frame_writable(m)))
		return m;
	copy = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	if (copy == NULL)
		count_drop(w, rif, VSW_DROP_MBUF_ALLOC);
	return copy;
}

static inline struct rte_ipv4_hdr *
ipv4_hdr(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_LEN);
}

/* 224.0.0.0/4 (multicast), 240.0.0.0/4 and the limited broadcast. */
static inline bool
ipv4_is_group(rte_be32_t a)
{
	return (rte_be_to_cpu_32(a) & 0xe0000000u) == 0xe0000000u;
}

/* Length, IHL, total length (Ethernet padding trimmed), checksum. */
static enum vsw_drop
check_ipv4(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = ipv4_hdr(m);
	uint32_t hl, tl, avail;

	if (unlikely(m->data_len < ETH_LEN + sizeof(*ip)))
		return VSW_DROP_MALFORMED;
	hl = rte_ipv4_hdr_len(ip);
	if (unlikely((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) ||
		     ETH_LEN + hl > m->data_len))
		return VSW_DROP_MALFORMED;
	tl = rte_be_to_cpu_16(ip->total_length);
	avail = m->pkt_len - ETH_LEN;
	if (unlikely(tl < hl || tl > avail))
		return VSW_DROP_MALFORMED;
	if (unlikely(tl < avail) && rte_pktmbuf_trim(m, (uint16_t)(avail - tl)) != 0)
		return VSW_DROP_MALFORMED;
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
		return VSW_DROP_MAX;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return VSW_DROP_IP_CHECKSUM;
	default:
		return rte_raw_cksum(ip, hl) == 0xffff ? VSW_DROP_MAX : VSW_DROP_IP_CHECKSUM;
	}
}

static void
punt(struct vsw_worker *w, const struct router_ctx *c, uint8_t kind,
     rte_be32_t ip, struct rte_mbuf *m)
{
	struct vsw_pkt_meta meta = {
		.port = c->rif, .net = c->in->net, .scope = c->r, .kind = kind, .ip = ip,
	};

	vsw_worker_punt(w, &meta, m);
}

/* --- ARP --- */

static bool
arp_is_for_router(const struct vsw_worker *w, const struct router_ctx *c, rte_be32_t tip)
{
	uint64_t fixed;

	if (tip == c->in->rif.ip)
		return true;
	/* the upstream router asks for floating IPs on the external network */
	return c->rif == c->router->gw_rif &&
	       vsw_kvt_lookup(w->kvt, vsw_kvt_key(VSW_KVT_FIP_IN, c->r,
						  rte_be_to_cpu_32(tip)), &fixed);
}

/* Requests and replies for the router's addresses go to the control
 * thread (responder and resolver); the rest is for other hosts. */
static void
arp_input(struct vsw_worker *w, const struct router_ctx *c, struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp;

	if (unlikely(m->data_len < ETH_LEN + sizeof(*arp))) {
		vsw_worker_drop(w, c->rif, VSW_DROP_MALFORMED, m);
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, ETH_LEN);
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(rte_be32_t)) {
		vsw_worker_drop(w, c->rif, VSW_DROP_MALFORMED, m);
		return;
	}
	if (!arp_is_for_router(w, c, arp->arp_data.arp_tip)) {
		vsw_worker_drop(w, c->rif, VSW_DROP_NOT_OURS, m);
		return;
	}
	/* A broadcast request is shared with the network's other ports: the
	 * punt metadata and the control thread may write, so punt a copy. */
	m = own_frame(w, c->rif, m);
	if (m != NULL)
		punt(w, c, VSW_PUNT_ARP, 0, m);
}

/* --- local delivery --- */

static bool
is_router_address(const struct router_ctx *c, const struct vsw_nexthop *nh,
		  rte_be32_t dst)
{
	const struct vsw_fib_port *out;

	if (dst == c->in->rif.ip ||
	    (dst == c->router->gw_ip && c->router->gw_rif != VSW_PORT_NONE))
		return true;
	if (nh == NULL)
		return false;
	/* another interface's address: its connected route leads to it */
	out = &c->fib->ports[nh->rif];
	return out->kind == VSW_FP_ROUTER && out->rif.ip == dst;
}

/* What the control thread answers: ICMP echo requests and IKE (UDP 500,
 * and 4500 with the non-ESP marker; ESP in UDP never gets here), whole. */
static bool
control_wants(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	const struct rte_icmp_hdr *icmp;
	const struct rte_udp_hdr *udp;
	uint16_t hl = rte_ipv4_hdr_len(ip);

	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	if (ip->next_proto_id == IPPROTO_UDP) {
		if (m->data_len < ETH_LEN + hl + sizeof(*udp))
			return false;
		udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + hl);
		return udp->dst_port == RTE_BE16(500) || udp->dst_port == RTE_BE16(4500);
	}
	if (ip->next_proto_id != IPPROTO_ICMP || m->data_len < ETH_LEN + hl + sizeof(*icmp))
		return false;
	icmp = (const struct rte_icmp_hdr *)((const uint8_t *)ip + hl);
	return icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST;
}

static void
local_input(struct vsw_worker *w, const struct router_ctx *c,
	    enum vsw_drop otherwise, struct rte_mbuf *m)
{
	if (control_wants(m, ipv4_hdr(m)))
		punt(w, c, VSW_PUNT_LOCAL, 0, m);
	else
		vsw_worker_drop(w, c->rif, otherwise, m);
}

/* --- translation --- */

/* From outside: a SNAT reply to the gateway address or a packet to a
 * floating IP gets its internal destination. VSW_DROP_MAX when translated,
 * else why not (the drop reason if it turns out to be for the router). */
static enum vsw_drop
translate_inbound(struct vsw_worker *w, const struct router_ctx *c,
		  struct rte_mbuf *m, rte_be32_t dst)
{
	uint64_t fixed;

	if (dst == c->router->gw_ip)
		return c->router->snat ? vsw_nat_in(w->nat, w->id, c->r, m, w->now_tsc)
				       : VSW_DROP_NOT_OURS;
	if (!vsw_kvt_lookup(w->kvt, vsw_kvt_key(VSW_KVT_FIP_IN, c->r,
						rte_be_to_cpu_32(dst)), &fixed))
		return VSW_DROP_NOT_OURS;
	vsw_nat_rewrite_addr(m, false, rte_cpu_to_be_32((uint32_t)fixed));
	return VSW_DROP_MAX;
}

/* To outside: a floating IP's fixed address becomes the floating one,
 * other sources are SNATed to the gateway address when enabled. */
static enum vsw_drop
translate_outbound(struct vsw_worker *w, const struct router_ctx *c,
		   struct rte_mbuf *m, rte_be32_t src)
{
	uint64_t fip;

	if (vsw_kvt_lookup(w->kvt, vsw_kvt_key(VSW_KVT_FIP_OUT, c->r,
					       rte_be_to_cpu_32(src)), &fip)) {
		vsw_nat_rewrite_addr(m, true, rte_cpu_to_be_32((uint32_t)fip));
		return VSW_DROP_MAX;
	}
	if (c->router->snat)
		return vsw_nat_out(w->nat, w->id, c->r, c->router->gw_ip, m, w->now_tsc);
	return VSW_DROP_MAX;
}

/* --- output --- */

/* L2 output on the egress network; routers reached through it recurse
 * into this stage, bounded by VSW_L3_MAX_DEPTH. */
static void
send_routed(struct vsw_worker *w, const struct router_ctx *c, uint16_t out_rif,
	    struct rte_mbuf *m)
{
	struct vsw_port_stats *st = &w->port_stats[out_rif];

	if (unlikely(w->l3_depth >= VSW_L3_MAX_DEPTH)) {
		vsw_worker_drop(w, c->rif, VSW_DROP_ROUTE_DEPTH, m);
		return;
	}
	st->tx_packets++;
	st->tx_bytes += m->pkt_len;
	w->l3_depth++;
	vsw_l2_output(w, c->fib, out_rif, m);
	w->l3_depth--;
}

/* DF clear and too big for the egress MTU: fragments (RFC 791) of the
 * already rewritten packet, each with its Ethernet header and checksum. */
static void
fragment_and_send(struct vsw_worker *w, const struct router_ctx *c,
		  uint16_t out_rif, uint16_t mtu, struct rte_mbuf *m)
{
	struct rte_mbuf *frags[MAX_FRAGS];
	struct rte_ether_hdr eh = *rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	int32_t n, i;

	rte_pktmbuf_adj(m, ETH_LEN);
	n = rte_ipv4_fragment_packet(m, frags, MAX_FRAGS, mtu, w->pool, w->pool);
	rte_pktmbuf_free(m);
	if (unlikely(n < 0)) {
		count_drop(w, c->rif, n == -ENOMEM ? VSW_DROP_MBUF_ALLOC : VSW_DROP_FRAG_NEEDED);
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *f = frags[i];
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(f, struct rte_ipv4_hdr *);
		struct rte_ether_hdr *feh;

		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		feh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(f, ETH_LEN);
		if (unlikely(feh == NULL)) {
			vsw_worker_drop(w, c->rif, VSW_DROP_MBUF_ALLOC, f);
			continue;
		}
		*feh = eh;
		send_routed(w, c, out_rif, f);
	}
}

/* --- forwarding --- */

/* Egress checks, neighbour, translation, rewrite, output: the packet is
 * for nh and not for the router itself. */
static void
forward(struct vsw_worker *w, const struct router_ctx *c,
	const struct vsw_nexthop *nh, struct rte_mbuf *m)
{
	const struct vsw_fib_port *out = &c->fib->ports[nh->rif];
	struct rte_ipv4_hdr *ip = ipv4_hdr(m);
	struct rte_ether_hdr *eh;
	rte_be32_t nh_ip;
	uint16_t mtu;
	uint64_t neigh;
	enum vsw_drop reason;

	if (unlikely(out->kind != VSW_FP_ROUTER || out->net == VSW_NET_NONE)) {
		vsw_icmp_error(w, c->fib, c->rif, m, VSW_ICMP_DEST_UNREACH, VSW_ICMP_NET_UNREACH, 0);
		vsw_worker_drop(w, c->rif, VSW_DROP_NO_ROUTE, m);
		return;
	}
	if (unlikely(!out->admin_up)) {
		vsw_worker_drop(w, c->rif, VSW_DROP_ADMIN_DOWN, m);
		return;
	}
	/* Toward a VPN peer: encrypted (policies come before SNAT). */
	if (unlikely(c->router->spd != NULL) && nh->rif == c->router->gw_rif &&
	    c->rif != c->router->gw_rif && vsw_ipsec_output(w, c->fib, c->r, c->rif, m))
		return;
	mtu = (uint16_t)(out->max_frame - ETH_LEN);
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > mtu) &&
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0) {
		vsw_icmp_error(w, c->fib, c->rif, m, VSW_ICMP_DEST_UNREACH, VSW_ICMP_FRAG_NEEDED, mtu);
		vsw_worker_drop(w, c->rif, VSW_DROP_FRAG_NEEDED, m);
		return;
	}
	nh_ip = nh->gw != 0 ? nh->gw : ip->dst_addr;
	if (unlikely(!vsw_worker_neigh(w, vsw_kvt_neigh_key(c->r, nh_ip), &neigh))) {
		punt(w, c, VSW_PUNT_RESOLVE, nh_ip, m);
		return;
	}
	if (unlikely(neigh & VSW_NEIGH_INCOMPLETE)) {
		vsw_worker_drop(w, c->rif, VSW_DROP_NO_NEIGHBOR, m);
		return;
	}
	if (unlikely(nh->rif == c->router->gw_rif && c->rif != c->router->gw_rif)) {
		reason = translate_outbound(w, c, m, ip->src_addr);
		if (reason != VSW_DROP_MAX) {
			vsw_worker_drop(w, c->rif, reason, m);
			return;
		}
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	vsw_neigh_mac(neigh, &eh->dst_addr);
	rte_ether_addr_copy(&out->rif.mac, &eh->src_addr);
	vsw_ipv4_ttl_decrement(ip);
	if (likely(rte_be_to_cpu_16(ip->total_length) <= mtu))
		send_routed(w, c, nh->rif, m);
	else
		fragment_and_send(w, c, nh->rif, mtu, m);
}

/* On the gateway interface of a router with VPN policies: ESP to the
 * gateway address is decrypted (and routed from there); cleartext that a
 * policy says must come encrypted is dropped. false: m was taken. */
static bool
ipsec_checked(struct vsw_worker *w, const struct router_ctx *c, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = ipv4_hdr(m);

	if (ip->dst_addr == c->router->gw_ip &&
	    vsw_ipsec_input(w, c->fib, c->r, c->rif, m))
		return false;
	if ((m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD) == 0 &&
	    vsw_ipsec_must_be_protected(c->router->spd, ip->src_addr, ip->dst_addr)) {
		vsw_worker_drop(w, c->rif, VSW_DROP_IPSEC_POLICY, m);
		return false;
	}
	return true;
}

static void
route_ipv4(struct vsw_worker *w, const struct router_ctx *c, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ipv4_hdr(m);
	enum vsw_drop not_local = VSW_DROP_NOT_OURS;
	const struct vsw_nexthop *nh;

	if (unlikely(ipv4_is_group(ip->dst_addr))) {
		vsw_worker_drop(w, c->rif, VSW_DROP_NOT_OURS, m);
		return;
	}
	if (c->rif == c->router->gw_rif) {
		if (unlikely(c->router->spd != NULL) && !ipsec_checked(w, c, m))
			return;
		not_local = translate_inbound(w, c, m, ip->dst_addr);
	}
	nh = likely(c->router->routes != NULL)
		? vsw_route_lookup(c->router->routes, ip->dst_addr) : NULL;
	if (unlikely(is_router_address(c, nh, ip->dst_addr))) {
		local_input(w, c, not_local, m);
		return;
	}
	if (unlikely(ip->time_to_live <= 1)) {
		vsw_icmp_error(w, c->fib, c->rif, m, VSW_ICMP_TIME_EXCEEDED, 0, 0);
		vsw_worker_drop(w, c->rif, VSW_DROP_TTL, m);
		return;
	}
	if (unlikely(nh == NULL)) {
		vsw_icmp_error(w, c->fib, c->rif, m, VSW_ICMP_DEST_UNREACH, VSW_ICMP_NET_UNREACH, 0);
		vsw_worker_drop(w, c->rif, VSW_DROP_NO_ROUTE, m);
		return;
	}
	forward(w, c, nh, m);
}

static void
ipv4_input(struct vsw_worker *w, const struct router_ctx *c, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	enum vsw_drop reason;

	/* broadcast, multicast and unknown unicast flooded to the interface */
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &c->in->rif.mac))) {
		vsw_worker_drop(w, c->rif, VSW_DROP_NOT_OURS, m);
		return;
	}
	m = own_frame(w, c->rif, m);
	if (unlikely(m == NULL))
		return;
	reason = check_ipv4(m);
	if (unlikely(reason != VSW_DROP_MAX)) {
		vsw_worker_drop(w, c->rif, reason, m);
		return;
	}
	route_ipv4(w, c, m);
}

void
vsw_router_input(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t rif,
		 struct rte_mbuf *m)
{
	const struct vsw_fib_port *in = &fib->ports[rif];
	struct router_ctx c = {
		.fib = fib, .in = in, .rif = rif, .r = in->rif.router,
		.router = &fib->routers[in->rif.router],
	};
	struct vsw_port_stats *st = &w->port_stats[rif];
	const struct rte_ether_hdr *eh;

	st->rx_packets++;
	st->rx_bytes += m->pkt_len;
	if (unlikely(!c.router->admin_up || !in->admin_up)) {
		vsw_worker_drop(w, rif, VSW_DROP_ADMIN_DOWN, m);
		return;
	}
	if (unlikely(m->data_len < ETH_LEN)) {
		vsw_worker_drop(w, rif, VSW_DROP_MALFORMED, m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (likely(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4)))
		ipv4_input(w, &c, m);
	else if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		arp_input(w, &c, m);
	else
		vsw_worker_drop(w, rif, VSW_DROP_L3_PROTO, m);
}
