/* SPDX-License-Identifier: BSD-3-Clause */
/* Ingress checks of a burst from one port (the "classify" stage). */
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "mac_table.h"
#include "port_security.h"
#include "punt.h"
#include "worker.h"

#define VSW_DHCP_SERVER_PORT 67

static inline enum vsw_drop
check_frame(const struct vsw_fib_port *fp, const struct vsw_port_security *ps,
	    const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;

	if (unlikely(m->data_len < sizeof(*eh)))
		return VSW_DROP_RUNT;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		     eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)))
		return VSW_DROP_VLAN_TAGGED;
	if (unlikely(m->pkt_len > fp->max_frame))
		return VSW_DROP_MTU;
	if (unlikely(rte_is_multicast_ether_addr(&eh->src_addr)))
		return VSW_DROP_SRC_MULTICAST;
	if (ps->enabled)
		return vsw_port_security_check(ps, m);
	return VSW_DROP_MAX;
}

/* Source learning costs a hash lookup; a run of frames from one source
 * (the common case) pays it once per second per worker. */
static inline void
learn(struct vsw_worker *w, uint16_t net, uint16_t in_port, struct rte_mbuf *m)
{
	const struct rte_ether_addr *src =
		&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	uint64_t key = vsw_mac_key(net, src);

	if (likely(key == w->learn_cache.key && in_port == w->learn_cache.port &&
		   w->now_s == w->learn_cache.now_s))
		return;
	vsw_mac_table_observe(w->macs, net, src, in_port, w->now_s);
	w->learn_cache.key = key;
	w->learn_cache.port = in_port;
	w->learn_cache.now_s = w->now_s;
}

/* A DHCP client message (UDP to port 67), on a network whose subnets the
 * switch itself serves: nothing else on the network may see it. */
static inline bool
is_dhcp_client(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	const struct rte_udp_hdr *udp;
	uint32_t ihl;

	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    m->data_len < sizeof(*eh) + sizeof(*ip) + sizeof(*udp) ||
	    ip->next_proto_id != IPPROTO_UDP)
		return false;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (m->data_len < sizeof(*eh) + ihl + sizeof(*udp))
		return false;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	return udp->dst_port == RTE_BE16(VSW_DHCP_SERVER_PORT);
}

static void
punt_dhcp(struct vsw_worker *w, uint16_t in_port, uint16_t net, struct rte_mbuf *m)
{
	struct vsw_pkt_meta meta = {
		.port = in_port, .net = net, .kind = VSW_PUNT_DHCP,
	};

	vsw_worker_punt(w, &meta, m);
}

uint16_t
vsw_classify_process(struct vsw_worker *w, const struct vsw_fib *fib,
		     uint16_t in_port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vsw_fib_port *fp = &fib->ports[in_port];
	struct vsw_port_stats *st = &w->port_stats[in_port];
	enum vsw_drop reason;
	uint16_t i, kept = 0;
	bool dhcp;

	st->rx_packets += n;
	if (unlikely(fp->net == VSW_NET_NONE || !fp->admin_up)) {
		reason = fp->net == VSW_NET_NONE ? VSW_DROP_NO_PORT : VSW_DROP_ADMIN_DOWN;
		for (i = 0; i < n; i++)
			st->rx_bytes += pkts[i]->pkt_len;
		st->drops[reason] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return 0;
	}
	/* The switch answers DHCP on this network: look at every frame. */
	dhcp = fib->nets[fp->net].dhcp;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 2 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 2], void *));
		st->rx_bytes += m->pkt_len;
		reason = check_frame(fp, &fib->ps[in_port], m);
		if (unlikely(reason != VSW_DROP_MAX)) {
			vsw_worker_drop(w, in_port, reason, m);
			continue;
		}
		if (fp->learning)
			learn(w, fp->net, in_port, m);
		if (unlikely(dhcp) && is_dhcp_client(m)) {
			punt_dhcp(w, in_port, fp->net, m);
			continue;
		}
		pkts[kept++] = m;
	}
	return kept;
}
