/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uplink ingress: demultiplexes a burst from a trunk (802.1Q tag -> VLAN
 * vport) or an underlay (VXLAN VNI + outer source -> VXLAN vport) and hands
 * each vport's frames to L2 forwarding as if they came in on that vport.
 *
 * Drops before a vport is known (runts, unknown tags, bad outer headers)
 * count against the uplink port; the ones after (MTU, admin state, source
 * MAC) against the vport.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "kvt.h"
#include "mac_table.h"
#include "overlay.h"
#include "punt.h"
#include "worker.h"

/* Frames handled per pass: one kvt bulk call per lookup kind. */
#define RX_CHUNK VSW_KVT_BULK_MAX

#define VXLAN_HDR_LEN ((uint32_t)sizeof(struct rte_vxlan_hdr))
#define VXLAN_FLAG_I 0x08000000u   /* in the first 32-bit word */
#define IPV4_FRAG_MASK (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

/* Frames bound for vports, in arrival order. */
struct rx_batch {
	uint16_t n;
	struct rte_mbuf *pkts[RX_CHUNK];
	uint16_t vport[RX_CHUNK];
	uint8_t learn[RX_CHUNK];     /* 0: the any-VTEP vport, never learned on */
};

static inline void
batch_add(struct rx_batch *b, struct rte_mbuf *m, uint16_t vport, uint8_t learn)
{
	b->pkts[b->n] = m;
	b->vport[b->n] = vport;
	b->learn[b->n] = learn;
	b->n++;
}

/* As classify.c: a run of frames from one source pays one hash access per
 * second per worker. */
static inline void
learn_src(struct vsw_worker *w, uint16_t net, uint16_t vport,
	  const struct rte_ether_hdr *eh)
{
	uint64_t key = vsw_mac_key(net, &eh->src_addr);

	if (likely(key == w->learn_cache.key && vport == w->learn_cache.port &&
		   w->now_s == w->learn_cache.now_s))
		return;
	vsw_mac_table_observe(w->macs, net, &eh->src_addr, vport, w->now_s);
	w->learn_cache.key = key;
	w->learn_cache.port = vport;
	w->learn_cache.now_s = w->now_s;
}

/* 802.1Q, 802.1ad and the pre-standard QinQ types. */
static inline bool
is_tag_type(rte_be16_t type)
{
	return type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	       type == RTE_BE16(RTE_ETHER_TYPE_QINQ) ||
	       type == RTE_BE16(RTE_ETHER_TYPE_QINQ1) ||
	       type == RTE_BE16(RTE_ETHER_TYPE_QINQ2) ||
	       type == RTE_BE16(RTE_ETHER_TYPE_QINQ3);
}

static inline enum vsw_drop
check_vport_frame(const struct vsw_fib_port *vfp, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (unlikely(!vfp->admin_up))
		return VSW_DROP_ADMIN_DOWN;
	if (unlikely(m->pkt_len > vfp->max_frame))
		return VSW_DROP_MTU;
	if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr)))
		return VSW_DROP_SRC_MULTICAST;
	/* Networks are untagged inside: a tag in a VXLAN payload (or a
	 * third one on a trunk) is a guest's, refused as from a VNIC. */
	if (unlikely(is_tag_type(eh->ether_type)))
		return VSW_DROP_VLAN_TAGGED;
	return VSW_DROP_MAX;
}

/*
 * The common tail of both roles: vport checks, rx counters, learning, then
 * L2 forwarding of each run of consecutive frames of one vport (a burst
 * usually is one run).
 */
static void
deliver(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t port,
	struct rx_batch *b)
{
	uint16_t i, kept = 0, start;
	uint16_t vport[RX_CHUNK];
	enum vsw_drop reason;

	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		uint16_t vp = b->vport[i];
		const struct vsw_fib_port *vfp = &fib->ports[vp];
		struct vsw_port_stats *st = &w->port_stats[vp];

		if (unlikely(vfp->net == VSW_NET_NONE)) {
			/* a table pointing at a vport being deleted */
			vsw_worker_drop(w, port, VSW_DROP_NO_PORT, m);
			continue;
		}
		st->rx_packets++;
		st->rx_bytes += m->pkt_len;
		reason = check_vport_frame(vfp, m);
		if (unlikely(reason != VSW_DROP_MAX)) {
			vsw_worker_drop(w, vp, reason, m);
			continue;
		}
		if (b->learn[i])
			learn_src(w, vfp->net, vp,
				  rte_pktmbuf_mtod(m, const struct rte_ether_hdr *));
		b->pkts[kept] = m;
		vport[kept++] = vp;
	}
	for (start = 0; start < kept; start = i) {
		for (i = start + 1; i < kept && vport[i] == vport[start]; i++)
			;
		vsw_l2_fwd_process(w, fib, vport[start], b->pkts + start,
				   (uint16_t)(i - start));
	}
	b->n = 0;
}

/* --- flat / VLAN trunk --- */

/* Removes the 802.1Q tag after the MAC addresses, in place. */
static inline void
strip_tag(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(p + sizeof(struct rte_vlan_hdr), p, 2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, sizeof(struct rte_vlan_hdr));
}

/*
 * The vport of a trunk frame, tag stripped; VSW_PORT_NONE with *reason set
 * when it has none. VID 0 (a priority tag) is the untagged network.
 * A tag the NIC already stripped (RX_VLAN_STRIPPED) counts as the outer one.
 */
static inline uint16_t
trunk_vport(const struct vsw_fib_uplink *u, struct rte_mbuf *m,
	    enum vsw_drop *reason)
{
	const struct rte_ether_hdr *eh;
	const struct rte_vlan_hdr *vh;
	uint16_t vid, vp;

	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
		*reason = VSW_DROP_RUNT;
		return VSW_PORT_NONE;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)) {
		m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED |
				 RTE_MBUF_F_RX_QINQ | RTE_MBUF_F_RX_QINQ_STRIPPED);
		if (is_tag_type(eh->ether_type)) {
			*reason = VSW_DROP_DOUBLE_TAGGED;
			return VSW_PORT_NONE;
		}
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
		vp = vid == 0 ? u->flat_vport : u->vlan_vport[vid];
		goto out;
	}
	if (likely(eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN))) {
		if (unlikely(is_tag_type(eh->ether_type))) {
			*reason = VSW_DROP_DOUBLE_TAGGED;
			return VSW_PORT_NONE;
		}
		vp = u->flat_vport;
		goto out;
	}
	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN + sizeof(*vh))) {
		*reason = VSW_DROP_RUNT;
		return VSW_PORT_NONE;
	}
	vh = (const struct rte_vlan_hdr *)(eh + 1);
	if (unlikely(is_tag_type(vh->eth_proto))) {
		*reason = VSW_DROP_DOUBLE_TAGGED;
		return VSW_PORT_NONE;
	}
	vid = rte_be_to_cpu_16(vh->vlan_tci) & RTE_VLAN_ID_MASK;
	vp = vid == 0 ? u->flat_vport : u->vlan_vport[vid];
	if (likely(vp < VSW_FIB_MAX_PORTS))
		strip_tag(m);
out:
	/* VSW_PORT_NONE, or anything a bad table could hold, is no vport */
	if (unlikely(vp >= VSW_FIB_MAX_PORTS)) {
		*reason = VSW_DROP_UNKNOWN_VLAN;
		return VSW_PORT_NONE;
	}
	return vp;
}

static void
trunk_rx(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t port,
	 const struct vsw_fib_uplink *u, struct rte_mbuf **pkts, uint16_t n)
{
	struct rx_batch b;
	enum vsw_drop reason;
	uint16_t i, vp;

	b.n = 0;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		vp = trunk_vport(u, m, &reason);
		if (unlikely(vp == VSW_PORT_NONE)) {
			vsw_worker_drop(w, port, reason, m);
			continue;
		}
		batch_add(&b, m, vp, 1);
		if (b.n == RX_CHUNK)
			deliver(w, fib, port, &b);
	}
	if (b.n != 0)
		deliver(w, fib, port, &b);
}

/* --- VXLAN underlay --- */

/* What decapsulation needs of the outer headers, read while they are in
 * the cache. */
struct vxlan_outer {
	uint16_t outer_len;      /* bytes up to the inner frame */
	uint16_t inner_len;      /* the UDP payload less the VXLAN header */
	uint32_t vni;
	rte_be32_t src_ip;
};

/* Decapsulation candidates: outer headers checked, not yet stripped. */
struct vxlan_cand {
	uint16_t n;
	struct rte_mbuf *pkts[RX_CHUNK];
	struct vxlan_outer o[RX_CHUNK];
	uint64_t keys[RX_CHUNK];        /* VNI keys, then VTEP keys */
	uint64_t vals[RX_CHUNK];
	uint8_t found[RX_CHUNK];
};

static void
punt_underlay(struct vsw_worker *w, uint16_t port, enum vsw_punt_reason kind,
	      struct rte_mbuf *m)
{
	struct vsw_pkt_meta meta = {
		.port = port,
		.net = VSW_NET_NONE,
		.kind = (uint8_t)kind,
	};

	vsw_worker_punt(w, &meta, m);
}

/* The ones' complement sum of a valid header (checksum included) is all
 * ones; summed in 32-bit words, the usual case is five adds. */
static inline bool
ipv4_cksum_bad(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	       uint32_t ihl)
{
	uint64_t f = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK, sum = 0;
	const uint8_t *p = (const uint8_t *)ip;
	uint32_t i, w;

	if (f == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return false;
	if (f == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return true;
	for (i = 0; i < ihl; i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		sum += w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum != 0xffff;
}

/*
 * Checks an IPv4 frame on the underlay. Returns VSW_DROP_MAX for a VXLAN
 * candidate (*o filled) or, with *punt set, ICMP to the VTEP; else a drop
 * reason. The outer headers must be in the first segment.
 */
static inline enum vsw_drop
check_vxlan(const struct vsw_fib_uplink *u, const struct rte_mbuf *m,
	    struct vxlan_outer *o, bool *punt)
{
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
					RTE_ETHER_HDR_LEN);
	const struct rte_udp_hdr *udp;
	const struct rte_vxlan_hdr *vx;
	uint32_t ihl, tot, udp_len, avail = m->data_len - RTE_ETHER_HDR_LEN;

	if (unlikely(avail < sizeof(*ip)))
		return VSW_DROP_VXLAN_MALFORMED;
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
		     ihl > avail || tot < ihl ||
		     tot > m->pkt_len - RTE_ETHER_HDR_LEN))
		return VSW_DROP_VXLAN_MALFORMED;
	if (unlikely(ipv4_cksum_bad(m, ip, ihl)))
		return VSW_DROP_IP_CHECKSUM;
	if (unlikely(ip->dst_addr != u->local_ip))
		return VSW_DROP_UNDERLAY_OTHER;
	if (unlikely(ip->next_proto_id != IPPROTO_UDP)) {
		if (ip->next_proto_id == IPPROTO_ICMP &&
		    !(ip->fragment_offset & RTE_BE16(IPV4_FRAG_MASK))) {
			*punt = true;
			return VSW_DROP_MAX;
		}
		return VSW_DROP_UNDERLAY_OTHER;
	}
	/* A fragment: the UDP header may be absent; never reassembled. */
	if (unlikely(ip->fragment_offset & RTE_BE16(IPV4_FRAG_MASK)))
		return VSW_DROP_VXLAN_MALFORMED;
	if (unlikely(ihl + sizeof(*udp) > avail || ihl + sizeof(*udp) > tot))
		return VSW_DROP_VXLAN_MALFORMED;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	if (unlikely(udp->dst_port != RTE_BE16(VSW_VXLAN_PORT)))
		return VSW_DROP_UNDERLAY_OTHER;
	udp_len = rte_be_to_cpu_16(udp->dgram_len);
	if (unlikely(udp_len < sizeof(*udp) + VXLAN_HDR_LEN + RTE_ETHER_HDR_LEN ||
		     udp_len > tot - ihl ||
		     ihl + sizeof(*udp) + VXLAN_HDR_LEN + RTE_ETHER_HDR_LEN > avail))
		return VSW_DROP_VXLAN_MALFORMED;
	vx = (const struct rte_vxlan_hdr *)(udp + 1);
	if (unlikely(!(vx->vx_flags & RTE_BE32(VXLAN_FLAG_I))))
		return VSW_DROP_VXLAN_MALFORMED;
	o->outer_len = (uint16_t)(RTE_ETHER_HDR_LEN + ihl + sizeof(*udp) + VXLAN_HDR_LEN);
	o->inner_len = (uint16_t)(udp_len - sizeof(*udp) - VXLAN_HDR_LEN);
	o->vni = rte_be_to_cpu_32(vx->vx_vni) >> 8;
	o->src_ip = ip->src_addr;
	return VSW_DROP_MAX;
}

/* First look at an underlay frame: VXLAN candidates go to c, ARP and ICMP
 * for the VTEP are punted, the rest dropped. */
static inline void
underlay_frame(struct vsw_worker *w, uint16_t port, const struct vsw_fib_uplink *u,
	       struct rte_mbuf *m, struct vxlan_cand *c)
{
	const struct rte_ether_hdr *eh;
	enum vsw_drop reason;
	bool punt = false;

	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN)) {
		vsw_worker_drop(w, port, VSW_DROP_RUNT, m);
		return;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &u->mac) &&
		     !rte_is_broadcast_ether_addr(&eh->dst_addr))) {
		vsw_worker_drop(w, port, VSW_DROP_UNDERLAY_OTHER, m);
		return;
	}
	if (unlikely(eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			punt_underlay(w, port, VSW_PUNT_ARP, m);
		else
			vsw_worker_drop(w, port, VSW_DROP_UNDERLAY_OTHER, m);
		return;
	}
	reason = check_vxlan(u, m, &c->o[c->n], &punt);
	if (unlikely(reason != VSW_DROP_MAX)) {
		vsw_worker_drop(w, port, reason, m);
		return;
	}
	if (unlikely(punt)) {
		punt_underlay(w, port, VSW_PUNT_LOCAL, m);
		return;
	}
	c->pkts[c->n++] = m;
}

/* Looks up keys[0..n) with only the first key of each run of equal keys
 * sent to the table. */
static void
lookup_runs(const struct vsw_kvt *kvt, struct vxlan_cand *c)
{
	uint64_t keys[RX_CHUNK], vals[RX_CHUNK];
	uint8_t found[RX_CHUNK], run[RX_CHUNK];
	uint16_t i, n_runs = 0;

	for (i = 0; i < c->n; i++) {
		if (i == 0 || c->keys[i] != c->keys[i - 1])
			keys[n_runs++] = c->keys[i];
		run[i] = (uint8_t)(n_runs - 1);
	}
	vsw_kvt_lookup_bulk(kvt, keys, n_runs, vals, found);
	for (i = 0; i < c->n; i++) {
		c->vals[i] = vals[run[i]];
		c->found[i] = found[run[i]];
	}
}

/* Drops the outer headers and whatever follows the UDP payload (padding);
 * rx offload results described the outer packet and go too. */
static inline int
trim_to_inner(struct rte_mbuf *m, const struct vxlan_outer *o)
{
	if (unlikely(rte_pktmbuf_adj(m, o->outer_len) == NULL))
		return -1;
	if (unlikely(m->pkt_len != o->inner_len &&
		     rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - o->inner_len)) != 0))
		return -1;
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK |
			 RTE_MBUF_F_RX_OUTER_L4_CKSUM_MASK |
			 RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD |
			 RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED |
			 RTE_MBUF_F_RX_QINQ | RTE_MBUF_F_RX_QINQ_STRIPPED);
	m->packet_type = 0;
	return 0;
}

/* One request per (network, VTEP) per second and worker: the control
 * thread needs one to create the vport, a flood of them helps nobody. */
static inline void
request_vtep(struct vsw_worker *w, uint64_t key, uint16_t net, rte_be32_t ip)
{
	if (key == w->vtep_req.key && w->now_s == w->vtep_req.now_s)
		return;
	vsw_punt_vtep_learn(w->punt, net, ip);
	w->vtep_req.key = key;
	w->vtep_req.now_s = w->now_s;
}

/* The vport of a frame from a VTEP with none of its own yet: the network's
 * (net, 0) entry, shared by all unknown VTEPs and never learned on. */
static inline uint16_t
any_vtep_vport(const struct vsw_worker *w, const struct vsw_fib *fib, uint16_t net)
{
	uint64_t v;

	if (!vsw_kvt_lookup(w->kvt, vsw_kvt_key(VSW_KVT_VTEP, net, 0), &v) ||
	    v >= VSW_FIB_MAX_PORTS || fib->ports[v].net != net)
		return VSW_PORT_NONE;
	return (uint16_t)v;
}

/*
 * VNI -> network, (network, outer source) -> vport, both as bulk lookups
 * over the candidates; then the outer headers go and the inner frames are
 * delivered.
 */
static void
vxlan_decap(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t port,
	    uint16_t slot, struct vxlan_cand *c)
{
	struct rx_batch b;
	uint16_t net[RX_CHUNK], i, kept = 0, vp;
	uint16_t any_net = VSW_NET_NONE, any_vp = VSW_PORT_NONE;

	b.n = 0;
	for (i = 0; i < c->n; i++)
		c->keys[i] = vsw_kvt_key(VSW_KVT_VNI, slot, c->o[i].vni);
	lookup_runs(w->kvt, c);
	for (i = 0; i < c->n; i++) {
		if (unlikely(!c->found[i] || c->vals[i] >= fib->n_nets)) {
			vsw_worker_drop(w, port, VSW_DROP_UNKNOWN_VNI, c->pkts[i]);
			continue;
		}
		c->pkts[kept] = c->pkts[i];
		c->o[kept] = c->o[i];
		net[kept] = (uint16_t)c->vals[i];
		c->keys[kept] = vsw_kvt_key(VSW_KVT_VTEP, net[kept],
					    rte_be_to_cpu_32(c->o[i].src_ip));
		kept++;
	}
	c->n = kept;
	if (kept == 0)
		return;
	lookup_runs(w->kvt, c);
	for (i = 0; i < c->n; i++) {
		struct rte_mbuf *m = c->pkts[i];
		uint8_t learn = 1;

		vp = (uint16_t)c->vals[i];
		if (unlikely(!c->found[i] || c->vals[i] >= VSW_FIB_MAX_PORTS ||
			     fib->ports[vp].net != net[i])) {
			request_vtep(w, c->keys[i], net[i], c->o[i].src_ip);
			if (net[i] != any_net) {
				any_net = net[i];
				any_vp = any_vtep_vport(w, fib, any_net);
			}
			vp = any_vp;
			learn = 0;
			if (unlikely(vp == VSW_PORT_NONE)) {
				vsw_worker_drop(w, port, VSW_DROP_UNKNOWN_VNI, m);
				continue;
			}
		}
		if (unlikely(trim_to_inner(m, &c->o[i]) != 0)) {
			vsw_worker_drop(w, port, VSW_DROP_VXLAN_MALFORMED, m);
			continue;
		}
		batch_add(&b, m, vp, learn);
	}
	if (b.n != 0)
		deliver(w, fib, port, &b);
}

static void
underlay_rx(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t port,
	    uint16_t slot, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vsw_fib_uplink *u = &fib->uplinks[slot];
	struct vxlan_cand c;
	uint16_t i;

	c.n = 0;
	for (i = 0; i < n; i++) {
		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		underlay_frame(w, port, u, pkts[i], &c);
		if (c.n == RX_CHUNK) {
			vxlan_decap(w, fib, port, slot, &c);
			c.n = 0;
		}
	}
	if (c.n != 0)
		vxlan_decap(w, fib, port, slot, &c);
}

void
vsw_uplink_rx_process(struct vsw_worker *w, const struct vsw_fib *fib,
		      uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vsw_fib_port *fp = &fib->ports[port];
	struct vsw_port_stats *st = &w->port_stats[port];
	const struct vsw_fib_uplink *u;
	enum vsw_drop reason = VSW_DROP_MAX;
	uint16_t i, slot = fp->uplink;

	st->rx_packets += n;
	for (i = 0; i < n; i++)
		st->rx_bytes += pkts[i]->pkt_len;
	if (unlikely(fp->kind != VSW_FP_UPLINK || slot >= VSW_FIB_MAX_UPLINKS ||
		     fib->uplinks[slot].port != port))
		reason = VSW_DROP_NO_PORT;
	else if (unlikely(!fib->uplinks[slot].admin_up))
		reason = VSW_DROP_ADMIN_DOWN;
	if (unlikely(reason != VSW_DROP_MAX)) {
		st->drops[reason] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	u = &fib->uplinks[slot];
	if (u->role == VSW_UPLINK_VXLAN)
		underlay_rx(w, fib, port, slot, pkts, n);
	else
		trunk_rx(w, fib, port, u, pkts, n);
}
