/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors from a router interface (time exceeded, destination
 * unreachable, fragmentation needed), built in the worker.
 *
 * RFC 1812 4.3.2.7: never about an ICMP error, a fragment other than the
 * first, a packet to a group address, or from an address that names no
 * single host. Each worker's token bucket (w->icmp_tb) bounds how many it
 * sends, so vsw cannot be made a reflector; a refused one is simply not
 * sent (the packet it is about is counted by its own drop reason).
 *
 * The error quotes as much of the packet as fits in 576 bytes (RFC 1812
 * 4.3.2.3; at least the IP header and 8 bytes of payload, RFC 792) and goes
 * back to the MAC the packet came from, on the ingress interface's network.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "router.h"
#include "worker.h"

#define ICMP_ERROR_MAX_IP_LEN 576
#define ICMP_ERROR_TTL 64

struct icmp_error_frame {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_icmp_hdr icmp;
};
/* IPv4 and ICMP headers are packed: no padding after the Ethernet one. */
_Static_assert(sizeof(struct icmp_error_frame) == 42, "unpadded headers");

static bool
icmp_type_is_error(uint8_t type)
{
	switch (type) {
	case RTE_IP_ICMP_ECHO_REPLY:
	case RTE_IP_ICMP_ECHO_REQUEST:
	case 9:     /* router advertisement */
	case 10:    /* router solicitation */
	case 13:    /* timestamp */
	case 14:    /* timestamp reply */
	case 15:    /* information request */
	case 16:    /* information reply */
	case 17:    /* address mask request */
	case 18:    /* address mask reply */
		return false;
	default:
		return true;
	}
}

/* 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/3 (multicast, class E, broadcast). */
static bool
ipv4_names_no_host(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	return (h >> 24) == 0 || (h >> 24) == 127 || (h & 0xe0000000u) == 0xe0000000u;
}

static bool
may_send_error(const struct rte_mbuf *orig)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	uint32_t hl;

	if (rte_is_multicast_ether_addr(&eh->dst_addr) ||
	    rte_is_multicast_ether_addr(&eh->src_addr) ||
	    ipv4_names_no_host(ip->src_addr) ||
	    (rte_be_to_cpu_32(ip->dst_addr) & 0xe0000000u) == 0xe0000000u ||
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return false;
	if (ip->next_proto_id != IPPROTO_ICMP)
		return true;
	hl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	/* an ICMP header we cannot see might be an error */
	return orig->data_len > RTE_ETHER_HDR_LEN + hl &&
	       !icmp_type_is_error(*((const uint8_t *)ip + hl));
}

static void
fill_headers(struct icmp_error_frame *f, const struct vsw_fib_port *rif,
	     const struct rte_mbuf *orig, uint16_t ip_len, uint8_t type,
	     uint8_t code, uint16_t mtu)
{
	const struct rte_ether_hdr *oeh = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)(oeh + 1);

	rte_ether_addr_copy(&oeh->src_addr, &f->eth.dst_addr);
	rte_ether_addr_copy(&rif->rif.mac, &f->eth.src_addr);
	f->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	f->ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.type_of_service = 0,
		.total_length = rte_cpu_to_be_16(ip_len),
		.packet_id = 0,
		.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG),  /* atomic: RFC 6864 */
		.time_to_live = ICMP_ERROR_TTL,
		.next_proto_id = IPPROTO_ICMP,
		.src_addr = rif->rif.ip,
		.dst_addr = oip->src_addr,
	};
	f->ip.hdr_checksum = rte_ipv4_cksum(&f->ip);
	f->icmp = (struct rte_icmp_hdr){
		.icmp_type = type,
		.icmp_code = code,
		/* fragmentation needed: next-hop MTU in the low half (RFC 1191) */
		.icmp_seq_nb = type == VSW_ICMP_DEST_UNREACH && code == VSW_ICMP_FRAG_NEEDED
			       ? rte_cpu_to_be_16(mtu) : 0,
	};
}

void
vsw_icmp_error(struct vsw_worker *w, const struct vsw_fib *fib, uint16_t rif,
	       const struct rte_mbuf *orig, uint8_t type, uint8_t code, uint16_t mtu)
{
	const struct rte_ipv4_hdr *oip =
		rte_pktmbuf_mtod_offset(orig, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	uint32_t quote = RTE_MIN((uint32_t)rte_be_to_cpu_16(oip->total_length),
				 orig->pkt_len - RTE_ETHER_HDR_LEN);
	struct icmp_error_frame *f;
	struct rte_mbuf *m;
	const void *q;

	if (!may_send_error(orig) || w->l3_depth >= VSW_L3_MAX_DEPTH ||
	    !vsw_tb_take(&w->icmp_tb, w->now_tsc))
		return;
	quote = RTE_MIN(quote, ICMP_ERROR_MAX_IP_LEN - sizeof(struct rte_ipv4_hdr) -
				       sizeof(struct rte_icmp_hdr));
	m = rte_pktmbuf_alloc(w->pool);
	if (unlikely(m == NULL))
		return;
	f = (struct icmp_error_frame *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*f) + quote));
	if (unlikely(f == NULL)) {
		rte_pktmbuf_free(m);
		return;
	}
	fill_headers(f, &fib->ports[rif], orig,
		     (uint16_t)(sizeof(f->ip) + sizeof(f->icmp) + quote), type, code, mtu);
	q = rte_pktmbuf_read(orig, RTE_ETHER_HDR_LEN, quote, f + 1);
	if (q != f + 1)
		memcpy(f + 1, q, quote);
	f->icmp.icmp_cksum = (uint16_t)~rte_raw_cksum(&f->icmp, sizeof(f->icmp) + quote);
	w->port_stats[rif].tx_packets++;
	w->port_stats[rif].tx_bytes += m->pkt_len;
	w->l3_depth++;
	vsw_l2_output(w, fib, rif, m);
	w->l3_depth--;
}
