/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress to VLAN and VXLAN vports: push an 802.1Q tag, or prepend the outer
 * Ethernet/IPv4/UDP/VXLAN headers (RFC 7348), then queue on the uplink.
 *
 * Counters: a vport counts the frame as its network sees it (untagged,
 * not encapsulated), like its rx side; the uplink port counts what goes on
 * the wire when its tx buffer is flushed.
 *
 * Outer IPv4 TOS: the inner IPv4 DSCP is copied (so underlay QoS sees the
 * tenant's marking); ECN is left Not-ECT, as decapsulation here does not
 * propagate congestion marks inward (RFC 6040 "compatibility" behaviour).
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "kvt.h"
#include "overlay.h"
#include "punt.h"
#include "worker.h"

#define VXLAN_FLAG_I 0x08000000u   /* in the first 32-bit word */
#define VXLAN_TTL 64
#define VXLAN_SPORT_BASE 49152    /* IANA dynamic range, RFC 7348 5. */
#define VXLAN_SPORT_MASK 0x3fff   /* 16384 ports */
#define IPV4_FRAG_MASK (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)

/* The outer headers, in wire order (50 bytes). */
struct outer_hdrs {
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct rte_vxlan_hdr *vx;
};

/* --- shared frames --- */

/* Headers may be written only into a buffer nobody else references. */
static inline bool
writable(const struct rte_mbuf *m)
{
	if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
		return false;
	if (RTE_MBUF_HAS_EXTBUF(m) && rte_mbuf_ext_refcnt_read(m->shinfo) != 1)
		return false;
	return true;
}

/* m itself, or a private copy of it (the shared reference is dropped);
 * NULL (counted against vport) when no mbuf is left for the copy. */
static struct rte_mbuf *
own_frame(struct vsw_worker *w, uint16_t vport, struct rte_mbuf *m)
{
	struct rte_mbuf *c;

	if (likely(writable(m)))
		return m;
	c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
	if (unlikely(c == NULL)) {
		vsw_worker_drop(w, vport, VSW_DROP_MBUF_ALLOC, m);
		return NULL;
	}
	rte_pktmbuf_free(m);
	return c;
}

static inline void
count_tx(struct vsw_worker *w, uint16_t vport, uint32_t len)
{
	struct vsw_port_stats *st = &w->port_stats[vport];

	st->tx_packets++;
	st->tx_bytes += len;
}

/* The uplink a vport leaves by, or NULL when it cannot carry traffic. */
static inline const struct vsw_fib_uplink *
vport_uplink(const struct vsw_fib *fib, uint16_t vport)
{
	const struct vsw_fib_uplink *u;
	uint16_t slot = fib->ports[vport].uplink;

	if (unlikely(slot >= VSW_FIB_MAX_UPLINKS))
		return NULL;
	u = &fib->uplinks[slot];
	if (unlikely(u->port == VSW_PORT_NONE || !u->admin_up))
		return NULL;
	return u;
}

/* --- VLAN --- */

/* Pushes an 802.1Q tag after the MAC addresses, in the headroom: the
 * frame's own ether_type ends up as the tag's encapsulated type. */
static inline int
push_tag(struct rte_mbuf *m, uint16_t vid)
{
	struct rte_ether_hdr *eh;
	struct rte_vlan_hdr *vh;

	if (unlikely(m->data_len < RTE_ETHER_HDR_LEN))
		return -EINVAL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*vh));
	if (unlikely(eh == NULL))
		return -ENOSPC;
	memmove(eh, (uint8_t *)eh + sizeof(*vh), 2 * RTE_ETHER_ADDR_LEN);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	vh = (struct rte_vlan_hdr *)(eh + 1);
	vh->vlan_tci = rte_cpu_to_be_16(vid);
	return 0;
}

void
vsw_vlan_output(struct vsw_worker *w, const struct vsw_fib *fib,
		uint16_t vport, struct rte_mbuf *m)
{
	const struct vsw_fib_port *fp = &fib->ports[vport];
	const struct vsw_fib_uplink *u = vport_uplink(fib, vport);
	uint32_t len = m->pkt_len;

	if (unlikely(u == NULL)) {
		vsw_worker_drop(w, vport, VSW_DROP_ADMIN_DOWN, m);
		return;
	}
	if (unlikely(len > (uint32_t)u->mtu + RTE_ETHER_HDR_LEN)) {
		vsw_worker_drop(w, vport, VSW_DROP_MTU, m);
		return;
	}
	if (fp->vlan.vid != 0) {
		m = own_frame(w, vport, m);
		if (unlikely(m == NULL))
			return;
		if (unlikely(push_tag(m, fp->vlan.vid) != 0)) {
			vsw_worker_drop(w, vport, VSW_DROP_MBUF_ALLOC, m);
			return;
		}
	}
	count_tx(w, vport, len);
	vsw_txbuf_add(w, u->port, m);
}

/* --- VXLAN --- */

/* The remote VTEP itself when on-link (or with no gateway), else the
 * gateway. */
static inline rte_be32_t
next_hop(const struct vsw_fib_uplink *u, rte_be32_t remote)
{
	uint32_t mask = u->local_plen == 0 ? 0 :
			u->local_plen >= 32 ? UINT32_MAX :
			UINT32_MAX << (32 - u->local_plen);

	if (u->gateway_ip == 0 ||
	    ((rte_be_to_cpu_32(remote) ^ rte_be_to_cpu_32(u->local_ip)) & mask) == 0)
		return remote;
	return u->gateway_ip;
}

static inline uint32_t
load32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The inner IPv4 header when the frame carries one in its first segment. */
static inline const struct rte_ipv4_hdr *
inner_ipv4(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    m->data_len < RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return NULL;
	return (const struct rte_ipv4_hdr *)(eh + 1);
}

/* CRC32 of the inner flow: MAC addresses, IPv4 addresses and protocol,
 * and the ports of an unfragmented TCP/UDP/SCTP packet. */
static inline uint32_t
inner_flow_hash(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t h, h2, ihl, ports = 0;

	/* two independent CRC chains: half the latency of one */
	h = rte_hash_crc_8byte(load64(p), 0);
	h = rte_hash_crc_4byte(load32(p + 8), h);
	if (ip == NULL)
		return h;
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4;
	if ((ip->next_proto_id == IPPROTO_TCP || ip->next_proto_id == IPPROTO_UDP ||
	     ip->next_proto_id == IPPROTO_SCTP) &&
	    !(ip->fragment_offset & RTE_BE16(IPV4_FRAG_MASK)) &&
	    ihl >= sizeof(*ip) &&
	    m->data_len >= RTE_ETHER_HDR_LEN + ihl + sizeof(uint32_t))
		ports = load32((const uint8_t *)ip + ihl);
	h2 = rte_hash_crc_8byte(load64(&ip->src_addr), ip->next_proto_id);
	h2 = rte_hash_crc_4byte(ports, h2);
	return h ^ h2;
}

/* Outer UDP source port (RFC 7348 5.): the NIC's RSS hash when it gave
 * one, else a CRC of the inner flow, folded into 49152..65535. */
static inline uint16_t
source_port(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t h = m->ol_flags & RTE_MBUF_F_RX_RSS_HASH ? m->hash.rss
							  : inner_flow_hash(m, ip);

	h ^= h >> 16;
	return (uint16_t)(VXLAN_SPORT_BASE + (h & VXLAN_SPORT_MASK));
}

/* Room for the outer headers: the headroom, else a header segment in
 * front. NULL when neither can be had. */
static uint8_t *
prepend_outer(struct vsw_worker *w, struct rte_mbuf **mp)
{
	struct rte_mbuf *m = *mp, *hdr;
	char *p;

	p = rte_pktmbuf_prepend(m, VSW_VXLAN_OVERHEAD);
	if (likely(p != NULL))
		return (uint8_t *)p;
	hdr = rte_pktmbuf_alloc(w->pool);
	if (unlikely(hdr == NULL))
		return NULL;
	p = rte_pktmbuf_append(hdr, VSW_VXLAN_OVERHEAD);
	if (unlikely(p == NULL || rte_pktmbuf_chain(hdr, m) != 0)) {
		rte_pktmbuf_free(hdr);
		return NULL;
	}
	*mp = hdr;
	return (uint8_t *)p;
}

/* The outer header checksum from the values written, not from the header
 * itself: reloading fresh stores of mixed widths costs more than the sum. */
static inline rte_be16_t
outer_ip_cksum(uint8_t tos, uint16_t ip_len, rte_be32_t src, rte_be32_t dst)
{
	uint32_t s = rte_be_to_cpu_32(src), d = rte_be_to_cpu_32(dst);
	uint32_t sum = (RTE_IPV4_VHL_DEF << 8 | tos) + ip_len + RTE_IPV4_HDR_DF_FLAG +
		       (VXLAN_TTL << 8 | IPPROTO_UDP) + (s >> 16) + (s & 0xffff) +
		       (d >> 16) + (d & 0xffff);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return rte_cpu_to_be_16((uint16_t)~sum);
}

static inline void
fill_outer(uint8_t *p, const struct vsw_fib_uplink *u,
	   const struct vsw_fib_port *fp, uint64_t neigh, uint8_t tos,
	   uint16_t sport, uint32_t inner_len)
{
	struct outer_hdrs o;
	uint16_t ip_len = (uint16_t)(inner_len + VSW_VXLAN_OVERHEAD - RTE_ETHER_HDR_LEN);

	o.eth = (struct rte_ether_hdr *)p;
	o.ip = (struct rte_ipv4_hdr *)(o.eth + 1);
	o.udp = (struct rte_udp_hdr *)(o.ip + 1);
	o.vx = (struct rte_vxlan_hdr *)(o.udp + 1);
	vsw_neigh_mac(neigh, &o.eth->dst_addr);
	rte_ether_addr_copy(&u->mac, &o.eth->src_addr);
	o.eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	o.ip->version_ihl = RTE_IPV4_VHL_DEF;
	o.ip->type_of_service = tos;
	o.ip->total_length = rte_cpu_to_be_16(ip_len);
	o.ip->packet_id = 0;
	o.ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	o.ip->time_to_live = VXLAN_TTL;
	o.ip->next_proto_id = IPPROTO_UDP;
	o.ip->hdr_checksum = outer_ip_cksum(tos, ip_len, u->local_ip,
					    fp->vxlan.remote_ip);
	o.ip->src_addr = u->local_ip;
	o.ip->dst_addr = fp->vxlan.remote_ip;
	o.udp->src_port = rte_cpu_to_be_16(sport);
	o.udp->dst_port = RTE_BE16(VSW_VXLAN_PORT);
	o.udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*o.ip)));
	o.udp->dgram_cksum = 0;   /* RFC 7348: zero over IPv4 */
	o.vx->vx_flags = RTE_BE32(VXLAN_FLAG_I);
	o.vx->vx_vni = rte_cpu_to_be_32(fp->vxlan.vni << 8);
}

static void
punt_resolve(struct vsw_worker *w, const struct vsw_fib_port *fp,
	     uint16_t vport, uint16_t scope, rte_be32_t ip, struct rte_mbuf *m)
{
	struct vsw_pkt_meta meta = {
		.port = vport,
		.net = fp->net,
		.scope = scope,
		.kind = VSW_PUNT_RESOLVE,
		.ip = ip,
	};

	vsw_worker_punt(w, &meta, m);
}

void
vsw_vxlan_output(struct vsw_worker *w, const struct vsw_fib *fib,
		 uint16_t vport, struct rte_mbuf *m)
{
	const struct vsw_fib_port *fp = &fib->ports[vport];
	const struct vsw_fib_uplink *u = vport_uplink(fib, vport);
	const struct rte_ipv4_hdr *ip;
	uint8_t *o;
	uint32_t len = m->pkt_len;
	uint16_t scope, sport;
	uint64_t neigh;
	rte_be32_t nh;
	uint8_t tos;

	if (unlikely(u == NULL)) {
		vsw_worker_drop(w, vport, VSW_DROP_ADMIN_DOWN, m);
		return;
	}
	/* the any-VTEP vport only receives: there is no one to send to */
	if (unlikely(fp->vxlan.remote_ip == 0)) {
		vsw_worker_drop(w, vport, VSW_DROP_NO_PORT, m);
		return;
	}
	if (unlikely(len + VSW_VXLAN_OVERHEAD > (uint32_t)u->mtu + RTE_ETHER_HDR_LEN)) {
		vsw_worker_drop(w, vport, VSW_DROP_MTU, m);
		return;
	}
	/* Before the punt too: a parked frame carries its own metadata. */
	m = own_frame(w, vport, m);
	if (unlikely(m == NULL))
		return;
	scope = (uint16_t)(VSW_NEIGH_SCOPE_UPLINK | fp->uplink);
	nh = next_hop(u, fp->vxlan.remote_ip);
	if (unlikely(!vsw_worker_neigh(w, vsw_kvt_neigh_key(scope, nh), &neigh))) {
		punt_resolve(w, fp, vport, scope, nh, m);
		return;
	}
	if (unlikely(neigh & VSW_NEIGH_INCOMPLETE)) {
		vsw_worker_drop(w, vport, VSW_DROP_NO_NEIGHBOR, m);
		return;
	}
	ip = inner_ipv4(m);
	tos = ip != NULL ? (uint8_t)(ip->type_of_service & ~RTE_IPV4_HDR_ECN_MASK) : 0;
	sport = source_port(m, ip);
	o = prepend_outer(w, &m);
	if (unlikely(o == NULL)) {
		vsw_worker_drop(w, vport, VSW_DROP_MBUF_ALLOC, m);
		return;
	}
	fill_outer(o, u, fp, neigh, tos, sport, len);
	/* Offload requests of the inner frame do not fit the outer one. */
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	count_tx(w, vport, len);
	vsw_txbuf_add(w, u->port, m);
}
