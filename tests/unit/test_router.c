/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L3 stage (router.c, icmp_err.c) on a hand-built worker and fib with
 * the real MAC table, key-value table, punt rings, NAT and route tables,
 * and fake ports that keep what they are sent. Frames enter from a fake
 * port through classify and L2 forwarding, as on a worker.
 *
 * VSW_ROUTER_BENCH=1 runs a cycles-per-packet benchmark of routed
 * forwarding instead (a few routes vs 1M routes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "eal_env.h"
#include "fib.h"
#include "kvt.h"
#include "mac_table.h"
#include "nat.h"
#include "punt.h"
#include "route_table.h"
#include "router.h"
#include "worker.h"

#define N_FAKE 6
#define FAKE_CAP 256
#define POOL_SIZE 8191
#define NOW_TSC_S 1000          /* the worker's clock, in seconds */

/*
 * Topology: router 0 has interfaces on networks A (10.0.0.1/24, ports 0
 * and 1), B (10.1.0.1/24, MTU 1000, ports 2 and 3) and the external
 * network X (203.0.113.10/24 = its gateway address, port 4 = the upstream
 * router 203.0.113.254). Router 1 has one interface on B (10.1.0.2), and
 * routes 192.0.2.0/24 back to router 0: a loop.
 */
enum { NET_A, NET_B, NET_X, N_NETS };
#define RIF_A 1024
#define RIF_B 1025
#define RIF_X 1026
#define RIF_B1 1027
#define MTU_A 1500
#define MTU_B 1000

struct fake_port {
	struct vsw_dp_port p;
	unsigned int n_got;
	struct rte_mbuf *got[FAKE_CAP];
};

struct env {
	struct rte_mempool *pool;
	struct vsw_mac_table *macs;
	struct vsw_kvt *kvt;
	struct vsw_punt *punt;
	struct vsw_nat *nat;
	struct vsw_route_table *rt[2];
	struct vsw_fib *fib;
	struct vsw_worker *w;
	struct vsw_dp_port **ports;
	struct fake_port fake[N_FAKE];
	unsigned int baseline;
};

static struct rte_mempool *test_pool;
static bool bench_mode;

/* --- addresses --- */

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

static struct rte_ether_addr
port_mac(unsigned int port)
{
	struct rte_ether_addr a = {{ 0x02, 0, 0, 0, 0, (uint8_t)(port + 1) }};

	return a;
}

static struct rte_ether_addr
rif_mac(uint16_t rif)
{
	struct rte_ether_addr a = {{ 0x02, 0xee, 0, 0, 0x04, (uint8_t)(rif - 1023) }};

	return a;
}

static rte_be32_t
host_ip(unsigned int port)
{
	static const uint8_t last[] = { 10, 11, 20, 21, 254 };

	if (port < 2)
		return ip4(10, 0, 0, last[port]);
	if (port < 4)
		return ip4(10, 1, 0, last[port]);
	return ip4(203, 0, 113, 254);
}

#define IP_RIF_A ip4(10, 0, 0, 1)
#define IP_RIF_B ip4(10, 1, 0, 1)
#define IP_GW ip4(203, 0, 113, 10)
#define IP_RIF_B1 ip4(10, 1, 0, 2)
#define IP_FIP ip4(203, 0, 113, 50)
#define IP_FAR ip4(100, 64, 1, 1)       /* beyond the upstream router */

static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};

/* --- fake ports --- */

static uint16_t
fake_rx(struct vsw_dp_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(p);
	RTE_SET_USED(q);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

static uint16_t
fake_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *f = container_of(p, struct fake_port, p);
	uint16_t i;

	RTE_SET_USED(w);
	for (i = 0; i < n; i++) {
		assert_true(f->n_got < FAKE_CAP);
		f->got[f->n_got++] = pkts[i];
	}
	return n;
}

static const struct vsw_dp_port_ops fake_ops = { .rx = fake_rx, .tx = fake_tx };

/* --- frames --- */

static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

static struct rte_ether_hdr *
eth_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
}

static void *
l4_of(struct rte_mbuf *m)
{
	return (uint8_t *)ip_of(m) + rte_ipv4_hdr_len(ip_of(m));
}

static void
fix_l4_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	uint16_t l4_len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip));

	if (ip->next_proto_id == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = l4_of(m);

		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	} else if (ip->next_proto_id == IPPROTO_ICMP) {
		struct rte_icmp_hdr *icmp = l4_of(m);

		icmp->icmp_cksum = 0;
		icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, l4_len);
	}
}

static void
fix_ip_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * An IPv4 frame of 14 + ip_len bytes: UDP 1234 -> 53, or an ICMP echo
 * request (id 0x4242), or any other protocol, with a patterned payload
 * and correct checksums.
 */
static struct rte_mbuf *
ipv4_frame(struct rte_ether_addr dmac, struct rte_ether_addr smac, rte_be32_t src,
	   rte_be32_t dst, uint8_t proto, uint16_t ip_len, uint8_t ttl, bool df)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint8_t *data;
	uint16_t i;

	assert_non_null(m);
	data = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + ip_len));
	assert_non_null(data);
	for (i = 0; i < RTE_ETHER_HDR_LEN + ip_len; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	eh = (struct rte_ether_hdr *)data;
	eh->dst_addr = dmac;
	eh->src_addr = smac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	*ip = (struct rte_ipv4_hdr){
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16(ip_len),
		.packet_id = RTE_BE16(0x1234),
		.fragment_offset = df ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0,
		.time_to_live = ttl,
		.next_proto_id = proto,
		.src_addr = src,
		.dst_addr = dst,
	};
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = RTE_BE16(1234);
		udp->dst_port = RTE_BE16(53);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	} else if (proto == IPPROTO_ICMP) {
		struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);

		icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
		icmp->icmp_code = 0;
		icmp->icmp_ident = RTE_BE16(0x4242);
		icmp->icmp_seq_nb = RTE_BE16(1);
	}
	fix_ip_cksum(m);
	fix_l4_cksum(m);
	return m;
}

/* UDP from the host on port to dst, addressed to its router interface. */
static struct rte_mbuf *
udp_from(unsigned int port, uint16_t rif, rte_be32_t dst, uint16_t ip_len, uint8_t ttl)
{
	return ipv4_frame(rif_mac(rif), port_mac(port), host_ip(port), dst,
			  IPPROTO_UDP, ip_len, ttl, false);
}

static struct rte_mbuf *
arp_frame(struct rte_ether_addr dmac, struct rte_ether_addr smac, uint16_t op,
	  rte_be32_t sip, rte_be32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *arp;
	char *data;

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 60));
	data = rte_pktmbuf_mtod(m, char *);
	memset(data, 0, m->data_len);
	eh = (struct rte_ether_hdr *)data;
	eh->dst_addr = dmac;
	eh->src_addr = smac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eh + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = smac;
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tip = tip;
	return m;
}

static uint8_t *
snapshot(struct rte_mbuf *m)
{
	uint8_t *b = malloc(m->pkt_len);

	assert_non_null(b);
	assert_int_equal(m->nb_segs, 1);
	memcpy(b, rte_pktmbuf_mtod(m, void *), m->pkt_len);
	return b;
}

/* --- environment --- */

static void
set_rif(struct vsw_fib *fib, uint16_t rif, uint16_t net, uint16_t router,
	rte_be32_t ip, uint32_t mtu, bool external)
{
	struct vsw_fib_port *fp = &fib->ports[rif];

	fp->net = net;
	fp->kind = VSW_FP_ROUTER;
	fp->admin_up = 1;
	fp->max_frame = mtu + RTE_ETHER_HDR_LEN;
	fp->rif.router = router;
	fp->rif.plen = 24;
	fp->rif.external = external;
	fp->rif.ip = ip;
	fp->rif.mac = rif_mac(rif);
}

static void
add_net(struct env *e, uint16_t net, const uint16_t *members, uint16_t n,
	uint32_t mtu, uint32_t *off)
{
	struct vsw_fib *fib = e->fib;
	uint16_t i;

	fib->nets[net].flood_off = *off;
	fib->nets[net].n_flood = n;
	fib->nets[net].n_local = n;
	fib->nets[net].admin_up = 1;
	for (i = 0; i < n; i++) {
		struct vsw_fib_port *fp = &fib->ports[members[i]];
		struct rte_ether_addr mac;

		fib->flood[(*off)++] = members[i];
		if (vsw_is_vport(members[i])) {
			mac = rif_mac(members[i]);
		} else {
			fp->net = net;
			fp->kind = VSW_FP_VNIC;
			fp->admin_up = 1;
			fp->max_frame = mtu + RTE_ETHER_HDR_LEN;
			mac = port_mac(members[i]);
		}
		assert_int_equal(vsw_mac_table_add_static(e->macs, net, &mac, members[i]), 0);
	}
}

static void
set_neigh(struct env *e, uint16_t scope, rte_be32_t ip, struct rte_ether_addr mac)
{
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_neigh_key(scope, ip),
				     vsw_neigh_value(&mac, 0)), 0);
}

static void
set_fip(struct env *e, uint16_t router, rte_be32_t fixed, rte_be32_t fip)
{
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_key(VSW_KVT_FIP_OUT, router,
							 rte_be_to_cpu_32(fixed)),
				     rte_be_to_cpu_32(fip)), 0);
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_key(VSW_KVT_FIP_IN, router,
							 rte_be_to_cpu_32(fip)),
				     rte_be_to_cpu_32(fixed)), 0);
}

static struct vsw_route
rt_entry(rte_be32_t prefix, uint8_t plen, uint16_t rif, rte_be32_t gw)
{
	struct vsw_route r = { .prefix = prefix, .plen = plen, .rif = rif, .gw = gw };

	return r;
}

static void
build_routes(struct env *e, const struct vsw_route *extra, uint32_t n_extra)
{
	const struct vsw_route r0[] = {
		rt_entry(ip4(10, 0, 0, 0), 24, RIF_A, 0),
		rt_entry(ip4(10, 1, 0, 0), 24, RIF_B, 0),
		rt_entry(ip4(203, 0, 113, 0), 24, RIF_X, 0),
		rt_entry(ip4(100, 64, 0, 0), 10, RIF_X, host_ip(4)),
		rt_entry(ip4(198, 51, 100, 0), 24, RIF_B, ip4(10, 1, 0, 99)),
		rt_entry(ip4(192, 0, 2, 0), 24, RIF_B, IP_RIF_B1),
		rt_entry(ip4(172, 20, 0, 0), 16, RIF_B, host_ip(3)),
	};
	const struct vsw_route r1[] = {
		rt_entry(ip4(10, 1, 0, 0), 24, RIF_B1, 0),
		rt_entry(ip4(192, 0, 2, 0), 24, RIF_B1, IP_RIF_B),
	};
	struct vsw_route *all = calloc(RTE_DIM(r0) + n_extra, sizeof(*all));

	assert_non_null(all);
	memcpy(all, r0, sizeof(r0));
	if (n_extra != 0)
		memcpy(all + RTE_DIM(r0), extra, n_extra * sizeof(*extra));
	e->rt[0] = vsw_route_table_create("rtr_r0", all, RTE_DIM(r0) + n_extra,
					  SOCKET_ID_ANY);
	e->rt[1] = vsw_route_table_create("rtr_r1", r1, RTE_DIM(r1), SOCKET_ID_ANY);
	assert_non_null(e->rt[0]);
	assert_non_null(e->rt[1]);
	free(all);
}

static void
build_fib(struct env *e)
{
	static const uint16_t net_a[] = { 0, 1, RIF_A };
	static const uint16_t net_b[] = { 2, 3, RIF_B, RIF_B1 };
	static const uint16_t net_x[] = { 4, RIF_X };
	struct vsw_fib_router *r;
	uint32_t off = 0;

	e->fib = vsw_fib_alloc(N_NETS, RTE_DIM(net_a) + RTE_DIM(net_b) + RTE_DIM(net_x), 2);
	assert_non_null(e->fib);
	set_rif(e->fib, RIF_A, NET_A, 0, IP_RIF_A, MTU_A, false);
	set_rif(e->fib, RIF_B, NET_B, 0, IP_RIF_B, MTU_B, false);
	set_rif(e->fib, RIF_X, NET_X, 0, IP_GW, MTU_A, true);
	set_rif(e->fib, RIF_B1, NET_B, 1, IP_RIF_B1, MTU_B, false);
	add_net(e, NET_A, net_a, RTE_DIM(net_a), MTU_A, &off);
	add_net(e, NET_B, net_b, RTE_DIM(net_b), MTU_B, &off);
	add_net(e, NET_X, net_x, RTE_DIM(net_x), MTU_A, &off);
	r = &e->fib->routers[0];
	r->in_use = r->admin_up = 1;
	r->gw_rif = RIF_X;
	r->gw_ip = IP_GW;
	r->routes = e->rt[0];
	r = &e->fib->routers[1];
	r->in_use = r->admin_up = 1;
	r->routes = e->rt[1];
}

static void
build_worker(struct env *e)
{
	struct vsw_worker *w = rte_zmalloc("rtr_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	uint64_t hz = rte_get_tsc_hz();

	assert_non_null(w);
	w->burst = 32;
	w->ports = e->ports;
	w->fib = &e->fib;
	w->macs = e->macs;
	w->now_s = NOW_TSC_S;
	w->tsc_hz = hz;
	w->now_tsc = hz * NOW_TSC_S;
	w->pool = e->pool;
	w->kvt = e->kvt;
	w->punt = e->punt;
	w->nat = e->nat;
	w->meta_off = vsw_punt_meta_offset(e->punt);
	vsw_punt_tb_init(e->punt, &w->punt_tb, hz);
	vsw_tb_init(&w->icmp_tb, hz, 1000, 1000);
	w->txbufs = rte_zmalloc("rtr_txbufs", VSW_DP_MAX_PORTS * sizeof(*w->txbufs),
				RTE_CACHE_LINE_SIZE);
	w->port_stats = rte_zmalloc("rtr_stats", VSW_FIB_MAX_PORTS * sizeof(*w->port_stats),
				    RTE_CACHE_LINE_SIZE);
	assert_non_null(w->txbufs);
	assert_non_null(w->port_stats);
	e->w = w;
}

static struct env *
env_create(const struct vsw_route *extra, uint32_t n_extra, uint32_t mac_capacity)
{
	const struct vsw_mac_table_params mp = {
		.name = "rtr_macs", .capacity = mac_capacity, .learn_ring_size = 64,
		.socket_id = SOCKET_ID_ANY,
	};
	const struct vsw_kvt_params kp = {
		.name = "rtr_kvt", .capacity = 1024, .socket_id = SOCKET_ID_ANY,
	};
	const struct vsw_punt_params pp = {
		.punt_ring_size = 256, .inject_ring_size = 64, .learn_ring_size = 64,
		.rate_per_worker = 1000000, .burst = 1000, .socket_id = SOCKET_ID_ANY,
	};
	const struct vsw_nat_params np = {
		.n_workers = 1, .max_conns = 1024, .tsc_hz = rte_get_tsc_hz(),
		.socket_id = SOCKET_ID_ANY,
	};
	struct env *e = calloc(1, sizeof(*e));
	unsigned int i;

	assert_non_null(e);
	e->pool = test_pool;
	e->baseline = rte_mempool_in_use_count(e->pool);
	e->macs = vsw_mac_table_create(&mp);
	e->kvt = vsw_kvt_create(&kp);
	e->punt = vsw_punt_create(&pp);
	e->nat = vsw_nat_create(&np);
	assert_non_null(e->macs);
	assert_non_null(e->kvt);
	assert_non_null(e->punt);
	assert_non_null(e->nat);
	e->ports = calloc(VSW_DP_MAX_PORTS, sizeof(*e->ports));
	assert_non_null(e->ports);
	for (i = 0; i < N_FAKE; i++) {
		struct fake_port *f = &e->fake[i];

		f->p.idx = (uint16_t)i;
		f->p.ops = &fake_ops;
		f->p.ready = true;
		f->p.n_rxq = f->p.n_txq = 1;
		f->p.n_workers = 1;
		e->ports[i] = &f->p;
	}
	build_routes(e, extra, n_extra);
	build_fib(e);
	build_worker(e);
	for (i = 0; i < 5; i++)
		set_neigh(e, 0, host_ip(i), port_mac(i));
	set_neigh(e, 0, IP_RIF_B1, rif_mac(RIF_B1));
	set_neigh(e, 1, IP_RIF_B, rif_mac(RIF_B));
	return e;
}

static void
release_all(struct env *e)
{
	unsigned int i;

	for (i = 0; i < N_FAKE; i++) {
		rte_pktmbuf_free_bulk(e->fake[i].got, e->fake[i].n_got);
		e->fake[i].n_got = 0;
	}
}

static void
env_destroy(struct env *e)
{
	unsigned int in_use, i;

	release_all(e);
	for (i = 0; i < N_FAKE; i++)
		rte_pktmbuf_free_bulk(e->w->txbufs[i].pkts, e->w->txbufs[i].n);
	vsw_punt_free(e->punt);
	in_use = rte_mempool_in_use_count(e->pool);
	rte_free(e->w->txbufs);
	rte_free(e->w->port_stats);
	rte_free(e->w);
	vsw_fib_free(e->fib);
	vsw_route_table_free(e->rt[0]);
	vsw_route_table_free(e->rt[1]);
	vsw_nat_free(e->nat);
	vsw_kvt_free(e->kvt);
	vsw_mac_table_free(e->macs);
	free(e->ports);
	assert_int_equal(in_use, e->baseline);
	free(e);
}

static int
setup_env(void **state)
{
	*state = env_create(NULL, 0, 1024);
	return 0;
}

static int
teardown_env(void **state)
{
	env_destroy(*state);
	return 0;
}

/* --- running and checking --- */

/* As a worker would: classify, L2, then everything it led to, flushed. */
static void
from_port(struct env *e, uint16_t port, struct rte_mbuf *m)
{
	uint16_t kept = vsw_classify_process(e->w, e->fib, port, &m, 1);

	if (kept != 0)
		vsw_l2_fwd_process(e->w, e->fib, port, &m, kept);
	vsw_txbuf_flush_all(e->w);
	assert_int_equal(e->w->l3_depth, 0);
}

static void
into_router(struct env *e, uint16_t rif, struct rte_mbuf *m)
{
	vsw_router_input(e->w, e->fib, rif, m);
	vsw_txbuf_flush_all(e->w);
	assert_int_equal(e->w->l3_depth, 0);
}

static const struct vsw_port_stats *
stats(const struct env *e, uint16_t port)
{
	return &e->w->port_stats[port];
}

static uint64_t
drops(const struct env *e, uint16_t port, enum vsw_drop d)
{
	return stats(e, port)->drops[d];
}

static uint64_t
total_drops(const struct env *e, uint16_t port)
{
	uint64_t sum = 0;
	int d;

	for (d = 0; d < VSW_DROP_MAX; d++)
		sum += stats(e, port)->drops[d];
	return sum;
}

static void
assert_only_port_got(const struct env *e, int port, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < N_FAKE; i++)
		if ((int)i != port && e->fake[i].n_got != 0)
			fail_msg("port %u got %u frames", i, e->fake[i].n_got);
	if (port >= 0)
		assert_int_equal(e->fake[port].n_got, n);
}

static unsigned int
punted(struct env *e, struct rte_mbuf **pkts, unsigned int max)
{
	return vsw_punt_dequeue(e->punt, pkts, max);
}

static const struct vsw_pkt_meta *
meta_of(const struct env *e, struct rte_mbuf *m)
{
	return vsw_pkt_meta(m, e->w->meta_off);
}

static void
assert_pool_baseline(const struct env *e)
{
	assert_int_equal(rte_mempool_in_use_count(e->pool), e->baseline);
}

static void
assert_ip_cksum_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);

	assert_int_equal(rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)), 0xffff);
}

static void
assert_l4_cksum_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip_of(m);
	uint16_t l4_len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip));

	if (ip->next_proto_id == IPPROTO_UDP)
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, l4_of(m)), 0);
	else if (ip->next_proto_id == IPPROTO_ICMP)
		assert_int_equal(rte_raw_cksum(l4_of(m), l4_len), 0xffff);
}

static void
assert_mac(struct rte_ether_addr got, struct rte_ether_addr want)
{
	if (!rte_is_same_ether_addr(&got, &want))
		fail_msg("MAC %02x:%02x:%02x:%02x:%02x:%02x, want ..:%02x:%02x",
			 got.addr_bytes[0], got.addr_bytes[1], got.addr_bytes[2],
			 got.addr_bytes[3], got.addr_bytes[4], got.addr_bytes[5],
			 want.addr_bytes[4], want.addr_bytes[5]);
}

/*
 * m is an ICMP error from the interface (smac, sip) to (dmac, dip) of
 * type/code/mtu, quoting orig (a frame snapshot, IP at 14) up to 576.
 */
static void
assert_icmp_error(struct rte_mbuf *m, struct rte_ether_addr dmac,
		  struct rte_ether_addr smac, rte_be32_t sip, rte_be32_t dip,
		  uint8_t type, uint8_t code, uint16_t mtu, const uint8_t *orig)
{
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)(orig + RTE_ETHER_HDR_LEN);
	uint32_t quote = RTE_MIN(rte_be_to_cpu_16(oip->total_length), 576u - 28u);
	struct rte_ipv4_hdr *ip = ip_of(m);
	struct rte_icmp_hdr *icmp;

	assert_mac(eth_of(m)->dst_addr, dmac);
	assert_mac(eth_of(m)->src_addr, smac);
	assert_int_equal(eth_of(m)->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ip->version_ihl, RTE_IPV4_VHL_DEF);
	assert_int_equal(ip->src_addr, sip);
	assert_int_equal(ip->dst_addr, dip);
	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 8 + quote);
	assert_int_equal(m->pkt_len, RTE_ETHER_HDR_LEN + 20 + 8 + quote);
	assert_ip_cksum_ok(m);
	assert_l4_cksum_ok(m);
	icmp = l4_of(m);
	assert_int_equal(icmp->icmp_type, type);
	assert_int_equal(icmp->icmp_code, code);
	assert_int_equal(icmp->icmp_ident, 0);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_seq_nb), mtu);
	assert_memory_equal(icmp + 1, orig + RTE_ETHER_HDR_LEN, quote);
}

/* --- forwarding --- */

static void
a_routed_packet_is_rewritten_exactly(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), 100, 64);
	uint8_t *before = snapshot(m);
	struct rte_mbuf *out;
	uint8_t *after;
	uint16_t rx_len = (uint16_t)m->pkt_len;

	from_port(e, 0, m);
	assert_only_port_got(e, 2, 1);
	out = e->fake[2].got[0];
	assert_ptr_equal(out, m);               /* routed in place */
	assert_int_equal(rte_mbuf_refcnt_read(out), 1);
	assert_int_equal(out->pkt_len, rx_len);
	after = rte_pktmbuf_mtod(out, uint8_t *);
	assert_mac(eth_of(out)->dst_addr, port_mac(2));
	assert_mac(eth_of(out)->src_addr, rif_mac(RIF_B));
	/* the IP header differs in TTL and checksum only, the rest not at all */
	assert_memory_equal(after + 12, before + 12, 8 + 2);
	assert_int_equal(after[22], 63);
	assert_int_equal(after[23], before[23]);
	assert_memory_equal(after + 26, before + 26, rx_len - 26);
	assert_ip_cksum_ok(out);
	{
		uint16_t incremental = ip_of(out)->hdr_checksum;

		fix_ip_cksum(out);
		assert_int_equal(ip_of(out)->hdr_checksum, incremental);
	}
	assert_int_equal(stats(e, RIF_A)->rx_packets, 1);
	assert_int_equal(stats(e, RIF_A)->rx_bytes, rx_len);
	assert_int_equal(stats(e, RIF_B)->tx_packets, 1);
	assert_int_equal(stats(e, RIF_B)->tx_bytes, rx_len);
	assert_int_equal(stats(e, 2)->tx_packets, 1);
	assert_int_equal(total_drops(e, RIF_A), 0);
	assert_int_equal(total_drops(e, RIF_B), 0);
	free(before);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_gateway_route_goes_to_the_gateway_mac(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, ip4(172, 20, 5, 5), 64, 10);

	from_port(e, 0, m);
	assert_only_port_got(e, 3, 1);
	assert_mac(eth_of(e->fake[3].got[0])->dst_addr, port_mac(3));
	assert_int_equal(ip_of(e->fake[3].got[0])->dst_addr, ip4(172, 20, 5, 5));
	assert_int_equal(ip_of(e->fake[3].got[0])->time_to_live, 9);
	release_all(e);
	assert_pool_baseline(e);
}

/* Every checksum value, through the TTL decrement, stays valid. */
static void
the_incremental_checksum_is_right_for_any_header(void **state)
{
	struct env *e = *state;
	unsigned int i;

	for (i = 0; i < 3000; i++) {
		struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), 40, (uint8_t)(2 + i % 254));
		struct rte_ipv4_hdr *ip = ip_of(m);
		uint16_t want;

		/* walk the checksum through its range via the ID field */
		ip->packet_id = rte_cpu_to_be_16((uint16_t)(i * 22));
		fix_ip_cksum(m);
		fix_l4_cksum(m);
		into_router(e, RIF_A, m);
		assert_int_equal(e->fake[2].n_got, 1);
		ip = ip_of(e->fake[2].got[0]);
		assert_ip_cksum_ok(e->fake[2].got[0]);
		want = ip->hdr_checksum;
		fix_ip_cksum(e->fake[2].got[0]);
		/* ones' complement: 0x0000 and 0xffff are the same number */
		if (want != ip->hdr_checksum)
			assert_true((want == 0 && ip->hdr_checksum == 0xffff) ||
				    (want == 0xffff && ip->hdr_checksum == 0));
		release_all(e);
	}
	assert_int_equal(total_drops(e, RIF_A), 0);
	assert_pool_baseline(e);
}

/* --- ICMP errors --- */

static void
ttl_expiry_sends_time_exceeded_quoting_the_packet(void **state)
{
	struct env *e = *state;
	uint8_t ttl;

	for (ttl = 0; ttl <= 1; ttl++) {
		struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), 100, ttl);
		uint8_t *orig = snapshot(m);

		from_port(e, 0, m);
		assert_only_port_got(e, 0, 1);
		assert_icmp_error(e->fake[0].got[0], port_mac(0), rif_mac(RIF_A), IP_RIF_A,
				  host_ip(0), 11, 0, 0, orig);
		free(orig);
		release_all(e);
	}
	assert_int_equal(drops(e, RIF_A, VSW_DROP_TTL), 2);
	assert_int_equal(total_drops(e, RIF_A), 2);
	assert_int_equal(stats(e, RIF_A)->tx_packets, 2);     /* the errors */
	assert_int_equal(stats(e, RIF_B)->tx_packets, 0);
	assert_pool_baseline(e);
}

static void
long_packets_are_quoted_up_to_576_bytes(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), 1400, 1);
	uint8_t *orig = snapshot(m);

	from_port(e, 0, m);
	assert_only_port_got(e, 0, 1);
	assert_int_equal(rte_be_to_cpu_16(ip_of(e->fake[0].got[0])->total_length), 576);
	assert_icmp_error(e->fake[0].got[0], port_mac(0), rif_mac(RIF_A), IP_RIF_A,
			  host_ip(0), 11, 0, 0, orig);
	free(orig);
	release_all(e);
	assert_pool_baseline(e);
}

static void
no_route_sends_net_unreachable(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(2, RIF_B, ip4(8, 8, 8, 8), 64, 64);
	uint8_t *orig = snapshot(m);

	from_port(e, 2, m);
	assert_only_port_got(e, 2, 1);
	assert_icmp_error(e->fake[2].got[0], port_mac(2), rif_mac(RIF_B), IP_RIF_B,
			  host_ip(2), 3, 0, 0, orig);
	assert_int_equal(drops(e, RIF_B, VSW_DROP_NO_ROUTE), 1);
	assert_int_equal(total_drops(e, RIF_B), 1);
	free(orig);
	release_all(e);
	assert_pool_baseline(e);
}

static void
too_big_with_df_sends_frag_needed_with_the_mtu(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0), host_ip(2),
					IPPROTO_UDP, MTU_B + 1, 64, true);
	uint8_t *orig = snapshot(m);

	from_port(e, 0, m);
	assert_only_port_got(e, 0, 1);
	assert_icmp_error(e->fake[0].got[0], port_mac(0), rif_mac(RIF_A), IP_RIF_A,
			  host_ip(0), 3, 4, MTU_B, orig);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_FRAG_NEEDED), 1);
	free(orig);
	release_all(e);

	/* exactly the MTU passes */
	m = ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0), host_ip(2), IPPROTO_UDP,
		       MTU_B, 64, true);
	from_port(e, 0, m);
	assert_only_port_got(e, 2, 1);
	assert_int_equal(e->fake[2].got[0]->pkt_len, RTE_ETHER_HDR_LEN + MTU_B);
	release_all(e);
	assert_pool_baseline(e);
}

/* Copies the IP payload of a fragment to where it belongs in payload. */
static uint32_t
gather_fragment(struct rte_mbuf *f, uint8_t *payload)
{
	struct rte_ipv4_hdr *ip = ip_of(f);
	uint16_t len = rte_be_to_cpu_16(ip->total_length) - 20u;
	uint32_t off = (uint32_t)(rte_be_to_cpu_16(ip->fragment_offset) &
				  RTE_IPV4_HDR_OFFSET_MASK) * 8;
	const void *d = rte_pktmbuf_read(f, RTE_ETHER_HDR_LEN + 20, len, payload + off);

	assert_non_null(d);
	if (d != payload + off)
		memcpy(payload + off, d, len);
	return len;
}

static void
too_big_without_df_is_fragmented(void **state)
{
	struct env *e = *state;
	const uint16_t ip_len = 1480;
	struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), ip_len, 64);
	uint8_t *orig = snapshot(m), *payload = calloc(1, ip_len);
	uint32_t covered = 0;
	unsigned int i;

	assert_non_null(payload);
	from_port(e, 0, m);
	/* 976 + 484 payload bytes: fragment data is a multiple of 8 */
	assert_only_port_got(e, 2, 2);
	for (i = 0; i < 2; i++) {
		struct rte_mbuf *f = e->fake[2].got[i];
		struct rte_ipv4_hdr *ip = ip_of(f);
		uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
		uint16_t len = rte_be_to_cpu_16(ip->total_length);

		assert_mac(eth_of(f)->dst_addr, port_mac(2));
		assert_mac(eth_of(f)->src_addr, rif_mac(RIF_B));
		assert_true(len <= MTU_B);
		assert_int_equal(f->pkt_len, RTE_ETHER_HDR_LEN + len);
		assert_int_equal(ip->time_to_live, 63);
		assert_int_equal(ip->packet_id, RTE_BE16(0x1234));
		assert_int_equal((fo & RTE_IPV4_HDR_MF_FLAG) != 0, i == 0);
		assert_ip_cksum_ok(f);
		covered += gather_fragment(f, payload);
	}
	assert_int_equal(covered, ip_len - 20u);
	assert_memory_equal(payload, orig + RTE_ETHER_HDR_LEN + 20, ip_len - 20);
	assert_int_equal(stats(e, RIF_B)->tx_packets, 2);
	assert_int_equal(total_drops(e, RIF_A), 0);
	free(orig);
	free(payload);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- neighbours --- */

static void
an_unknown_neighbour_punts_the_packet_unmodified(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, ip4(198, 51, 100, 7), 100, 64), *p[4];
	struct rte_mbuf *c = udp_from(0, RIF_A, ip4(10, 1, 0, 77), 100, 64);
	uint8_t *orig = snapshot(m);
	const struct vsw_pkt_meta *meta;

	from_port(e, 0, m);
	from_port(e, 0, c);
	assert_only_port_got(e, -1, 0);
	assert_int_equal(punted(e, p, 4), 2);
	assert_ptr_equal(p[0], m);
	assert_int_equal(p[0]->pkt_len, 114);
	assert_memory_equal(rte_pktmbuf_mtod(p[0], void *), orig, 114);
	meta = meta_of(e, p[0]);
	assert_int_equal(meta->port, RIF_A);
	assert_int_equal(meta->net, NET_A);
	assert_int_equal(meta->kind, VSW_PUNT_RESOLVE);
	assert_int_equal(meta->scope, 0);
	assert_int_equal(meta->ip, ip4(10, 1, 0, 99));        /* the gateway */
	meta = meta_of(e, p[1]);
	assert_int_equal(meta->ip, ip4(10, 1, 0, 77));        /* connected */
	assert_int_equal(total_drops(e, RIF_A), 0);

	/* once resolved, the control thread re-injects it on the ingress rif */
	set_neigh(e, 0, ip4(10, 1, 0, 99), port_mac(3));
	into_router(e, RIF_A, p[0]);
	assert_only_port_got(e, 3, 1);
	assert_int_equal(ip_of(e->fake[3].got[0])->time_to_live, 63);
	rte_pktmbuf_free(p[1]);
	free(orig);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_neighbour_being_resolved_drops_without_punting(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, ip4(10, 1, 0, 77), 100, 64), *p[2];

	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_neigh_key(0, ip4(10, 1, 0, 77)),
				     VSW_NEIGH_INCOMPLETE), 0);
	from_port(e, 0, m);
	assert_only_port_got(e, -1, 0);
	assert_int_equal(punted(e, p, 2), 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_NO_NEIGHBOR), 1);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- ARP --- */

static void
arp_for_the_interface_is_punted_other_arp_is_not_ours(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *req = arp_frame(bcast, port_mac(0), RTE_ARP_OP_REQUEST,
					 host_ip(0), IP_RIF_A);
	struct rte_mbuf *other = arp_frame(bcast, port_mac(0), RTE_ARP_OP_REQUEST,
					   host_ip(0), ip4(10, 0, 0, 99));
	struct rte_mbuf *reply = arp_frame(rif_mac(RIF_A), port_mac(1), RTE_ARP_OP_REPLY,
					   host_ip(1), IP_RIF_A);
	uint8_t *orig = snapshot(req);
	struct rte_mbuf *p[4];

	from_port(e, 0, req);
	/* the broadcast reached the other host untouched, a copy was punted */
	assert_only_port_got(e, 1, 1);
	assert_ptr_equal(e->fake[1].got[0], req);
	assert_int_equal(rte_mbuf_refcnt_read(req), 1);
	assert_int_equal(punted(e, p, 4), 1);
	assert_ptr_not_equal(p[0], req);
	assert_int_equal(p[0]->pkt_len, 60);
	assert_memory_equal(rte_pktmbuf_mtod(p[0], void *), orig, 60);
	assert_int_equal(meta_of(e, p[0])->kind, VSW_PUNT_ARP);
	assert_int_equal(meta_of(e, p[0])->port, RIF_A);
	assert_int_equal(meta_of(e, p[0])->net, NET_A);
	rte_pktmbuf_free(p[0]);
	release_all(e);

	from_port(e, 0, other);
	assert_only_port_got(e, 1, 1);
	assert_int_equal(punted(e, p, 4), 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_NOT_OURS), 1);
	release_all(e);

	/* a reply to the router (resolution) is unicast: punted as it is */
	from_port(e, 1, reply);
	assert_only_port_got(e, -1, 0);
	assert_int_equal(punted(e, p, 4), 1);
	assert_ptr_equal(p[0], reply);
	assert_int_equal(meta_of(e, p[0])->kind, VSW_PUNT_ARP);
	rte_pktmbuf_free(p[0]);
	assert_int_equal(stats(e, RIF_A)->rx_packets, 3);
	free(orig);
	assert_pool_baseline(e);
}

static void
non_ipv4_non_arp_is_l3_proto(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0), host_ip(2),
					IPPROTO_UDP, 60, 64, false);

	eth_of(m)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	from_port(e, 0, m);
	assert_only_port_got(e, -1, 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_L3_PROTO), 1);
	assert_pool_baseline(e);
}

/* --- local delivery --- */

static void
echo_to_router_addresses_is_punted_local(void **state)
{
	struct env *e = *state;
	const rte_be32_t targets[] = { IP_RIF_A, IP_RIF_B, IP_GW };
	struct rte_mbuf *p[8];
	unsigned int i;

	for (i = 0; i < RTE_DIM(targets); i++)
		from_port(e, 0, ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0),
					   targets[i], IPPROTO_ICMP, 64, 1 /* TTL */, false));
	/* from outside, to the gateway address (SNAT off) */
	from_port(e, 4, ipv4_frame(rif_mac(RIF_X), port_mac(4), host_ip(4), IP_GW,
				   IPPROTO_ICMP, 64, 64, false));
	assert_only_port_got(e, -1, 0);
	assert_int_equal(punted(e, p, 8), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(meta_of(e, p[i])->kind, VSW_PUNT_LOCAL);
		assert_int_equal(meta_of(e, p[i])->port, i < 3 ? RIF_A : RIF_X);
		assert_int_equal(meta_of(e, p[i])->net, i < 3 ? NET_A : NET_X);
		assert_int_equal(ip_of(p[i])->time_to_live, i < 3 ? 1 : 64);
	}
	rte_pktmbuf_free_bulk(p, 4);

	/* UDP to the router: nothing listens */
	from_port(e, 0, udp_from(0, RIF_A, IP_RIF_A, 64, 64));
	assert_int_equal(punted(e, p, 8), 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_NOT_OURS), 1);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_TTL), 0);
	assert_pool_baseline(e);
}

/* --- bad input --- */

static void
malformed_ipv4_is_counted(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m;

	/* bad header checksum */
	m = udp_from(0, RIF_A, host_ip(2), 64, 64);
	ip_of(m)->hdr_checksum ^= 0x0101;
	from_port(e, 0, m);
	/* IHL 4 */
	m = udp_from(0, RIF_A, host_ip(2), 64, 64);
	ip_of(m)->version_ihl = 0x44;
	fix_ip_cksum(m);
	from_port(e, 0, m);
	/* IHL 15 beyond the frame */
	m = udp_from(0, RIF_A, host_ip(2), 40, 64);
	ip_of(m)->version_ihl = 0x4f;
	from_port(e, 0, m);
	/* version 6 in an IPv4 frame */
	m = udp_from(0, RIF_A, host_ip(2), 64, 64);
	ip_of(m)->version_ihl = 0x65;
	from_port(e, 0, m);
	/* total length beyond the frame */
	m = udp_from(0, RIF_A, host_ip(2), 64, 64);
	ip_of(m)->total_length = RTE_BE16(65);
	fix_ip_cksum(m);
	from_port(e, 0, m);
	/* total length shorter than the header */
	m = udp_from(0, RIF_A, host_ip(2), 64, 64);
	ip_of(m)->total_length = RTE_BE16(19);
	fix_ip_cksum(m);
	from_port(e, 0, m);
	/* truncated: 10 bytes of IPv4 */
	m = udp_from(0, RIF_A, host_ip(2), 64, 64);
	rte_pktmbuf_trim(m, 54);
	from_port(e, 0, m);

	assert_only_port_got(e, -1, 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_IP_CHECKSUM), 1);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_MALFORMED), 6);
	assert_int_equal(total_drops(e, RIF_A), 7);
	assert_int_equal(stats(e, RIF_A)->rx_packets, 7);
	assert_pool_baseline(e);
}

static void
ethernet_padding_is_trimmed(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), 46, 64);

	/* 28 bytes of IP in a 60-byte frame */
	ip_of(m)->total_length = RTE_BE16(28);
	((struct rte_udp_hdr *)l4_of(m))->dgram_len = RTE_BE16(8);
	fix_ip_cksum(m);
	fix_l4_cksum(m);
	from_port(e, 0, m);
	assert_only_port_got(e, 2, 1);
	assert_int_equal(e->fake[2].got[0]->pkt_len, RTE_ETHER_HDR_LEN + 28);
	assert_int_equal(e->fake[2].got[0]->data_len, RTE_ETHER_HDR_LEN + 28);
	release_all(e);
	assert_pool_baseline(e);
}

static void
group_destinations_are_not_routed(void **state)
{
	struct env *e = *state;

	/* IPv4 broadcast to the broadcast MAC (flooded to the rif) */
	from_port(e, 0, ipv4_frame(bcast, port_mac(0), host_ip(0), ip4(255, 255, 255, 255),
				   IPPROTO_UDP, 64, 64, false));
	assert_int_equal(drops(e, RIF_A, VSW_DROP_NOT_OURS), 1);
	release_all(e);
	/* multicast IP to the router's MAC */
	from_port(e, 0, ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0),
				   ip4(239, 1, 2, 3), IPPROTO_UDP, 64, 64, false));
	/* unknown unicast flooded to the rif: for another MAC */
	from_port(e, 0, ipv4_frame(port_mac(5), port_mac(0), host_ip(0), host_ip(2),
				   IPPROTO_UDP, 64, 64, false));
	assert_int_equal(drops(e, RIF_A, VSW_DROP_NOT_OURS), 3);
	assert_int_equal(stats(e, RIF_B)->tx_packets, 0);
	release_all(e);
	assert_pool_baseline(e);
}

/* A shared frame (flooded, refcount 2) addressed to the router: routed
 * from a private copy, the other holder's bytes untouched. */
static void
a_shared_frame_is_copied_not_modified(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = udp_from(0, RIF_A, host_ip(2), 100, 64);
	uint8_t *orig = snapshot(m);

	rte_mbuf_refcnt_update(m, 1);
	into_router(e, RIF_A, m);
	assert_only_port_got(e, 2, 1);
	assert_ptr_not_equal(e->fake[2].got[0], m);
	assert_int_equal(ip_of(e->fake[2].got[0])->time_to_live, 63);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_memory_equal(rte_pktmbuf_mtod(m, void *), orig, 114);
	rte_pktmbuf_free(m);
	free(orig);
	release_all(e);
	assert_pool_baseline(e);
}

static void
admin_down_router_drops(void **state)
{
	struct env *e = *state;

	e->fib->routers[0].admin_up = 0;
	from_port(e, 0, udp_from(0, RIF_A, host_ip(2), 64, 64));
	assert_only_port_got(e, -1, 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_ADMIN_DOWN), 1);
	assert_pool_baseline(e);
}

/* --- NAT --- */

static void
floating_ip_both_ways(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m, *p[2];

	set_fip(e, 0, host_ip(0), IP_FIP);
	e->fib->routers[0].snat = 1;            /* the floating IP wins over SNAT */

	/* out: the fixed source becomes the floating IP */
	from_port(e, 0, udp_from(0, RIF_A, IP_FAR, 100, 64));
	assert_only_port_got(e, 4, 1);
	m = e->fake[4].got[0];
	assert_mac(eth_of(m)->dst_addr, port_mac(4));
	assert_mac(eth_of(m)->src_addr, rif_mac(RIF_X));
	assert_int_equal(ip_of(m)->src_addr, IP_FIP);
	assert_int_equal(ip_of(m)->dst_addr, IP_FAR);
	assert_int_equal(((struct rte_udp_hdr *)l4_of(m))->src_port, RTE_BE16(1234));
	assert_ip_cksum_ok(m);
	assert_l4_cksum_ok(m);
	release_all(e);

	/* in: to the floating IP, delivered to the fixed one */
	from_port(e, 4, ipv4_frame(rif_mac(RIF_X), port_mac(4), IP_FAR, IP_FIP,
				   IPPROTO_UDP, 100, 64, false));
	assert_only_port_got(e, 0, 1);
	m = e->fake[0].got[0];
	assert_mac(eth_of(m)->dst_addr, port_mac(0));
	assert_int_equal(ip_of(m)->dst_addr, host_ip(0));
	assert_int_equal(ip_of(m)->src_addr, IP_FAR);
	assert_int_equal(ip_of(m)->time_to_live, 63);
	assert_ip_cksum_ok(m);
	assert_l4_cksum_ok(m);
	release_all(e);

	/* the upstream router's ARP for the floating IP is the router's */
	from_port(e, 4, arp_frame(bcast, port_mac(4), RTE_ARP_OP_REQUEST, host_ip(4), IP_FIP));
	assert_int_equal(punted(e, p, 2), 1);
	assert_int_equal(meta_of(e, p[0])->kind, VSW_PUNT_ARP);
	assert_int_equal(meta_of(e, p[0])->port, RIF_X);
	rte_pktmbuf_free(p[0]);
	/* not on an internal interface */
	from_port(e, 0, arp_frame(bcast, port_mac(0), RTE_ARP_OP_REQUEST, host_ip(0), IP_FIP));
	assert_int_equal(punted(e, p, 2), 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_NOT_OURS), 1);
	assert_int_equal(total_drops(e, RIF_X), 0);
	release_all(e);
	assert_pool_baseline(e);
}

static void
snat_out_and_back(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m, *p[2];
	rte_be16_t ext_port;

	e->fib->routers[0].snat = 1;
	from_port(e, 1, udp_from(1, RIF_A, IP_FAR, 100, 64));
	assert_only_port_got(e, 4, 1);
	m = e->fake[4].got[0];
	assert_int_equal(ip_of(m)->src_addr, IP_GW);
	assert_ip_cksum_ok(m);
	assert_l4_cksum_ok(m);
	ext_port = ((struct rte_udp_hdr *)l4_of(m))->src_port;
	release_all(e);

	/* the reply to the gateway address goes back to the host */
	m = ipv4_frame(rif_mac(RIF_X), port_mac(4), IP_FAR, IP_GW, IPPROTO_UDP, 100, 64, false);
	((struct rte_udp_hdr *)l4_of(m))->src_port = RTE_BE16(53);
	((struct rte_udp_hdr *)l4_of(m))->dst_port = ext_port;
	fix_l4_cksum(m);
	from_port(e, 4, m);
	assert_only_port_got(e, 1, 1);
	m = e->fake[1].got[0];
	assert_int_equal(ip_of(m)->dst_addr, host_ip(1));
	assert_int_equal(((struct rte_udp_hdr *)l4_of(m))->dst_port, RTE_BE16(1234));
	assert_mac(eth_of(m)->dst_addr, port_mac(1));
	assert_ip_cksum_ok(m);
	assert_l4_cksum_ok(m);
	release_all(e);

	/* no session: dropped; an echo request: the router's */
	from_port(e, 4, ipv4_frame(rif_mac(RIF_X), port_mac(4), IP_FAR, IP_GW, IPPROTO_UDP,
				   100, 64, false));
	assert_int_equal(drops(e, RIF_X, VSW_DROP_NAT_NO_SESSION), 1);
	from_port(e, 4, ipv4_frame(rif_mac(RIF_X), port_mac(4), IP_FAR, IP_GW, IPPROTO_ICMP,
				   64, 64, false));
	assert_int_equal(punted(e, p, 2), 1);
	assert_int_equal(meta_of(e, p[0])->kind, VSW_PUNT_LOCAL);
	rte_pktmbuf_free(p[0]);
	assert_only_port_got(e, -1, 0);

	/* traffic between internal networks is not translated */
	from_port(e, 1, udp_from(1, RIF_A, host_ip(2), 100, 64));
	assert_only_port_got(e, 2, 1);
	assert_int_equal(ip_of(e->fake[2].got[0])->src_addr, host_ip(1));
	release_all(e);
	assert_pool_baseline(e);
}

/* --- rate limit and RFC 1812 rules --- */

static void
icmp_errors_are_rate_limited(void **state)
{
	struct env *e = *state;
	unsigned int i;

	vsw_tb_init(&e->w->icmp_tb, e->w->tsc_hz, 10, 5);
	for (i = 0; i < 8; i++)
		from_port(e, 0, udp_from(0, RIF_A, host_ip(2), 64, 1));
	assert_only_port_got(e, 0, 5);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_TTL), 8);
	/* a tenth of a second later: one more token */
	e->w->now_tsc += e->w->tsc_hz / 10;
	from_port(e, 0, udp_from(0, RIF_A, host_ip(2), 64, 1));
	from_port(e, 0, udp_from(0, RIF_A, host_ip(2), 64, 1));
	assert_only_port_got(e, 0, 6);
	release_all(e);
	assert_pool_baseline(e);
}

static void
no_icmp_error_about_errors_fragments_or_group_sources(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m;

	/* an ICMP error (destination unreachable) with TTL 1 */
	m = ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0), host_ip(2), IPPROTO_ICMP,
		       64, 1, false);
	((struct rte_icmp_hdr *)l4_of(m))->icmp_type = 3;
	fix_l4_cksum(m);
	from_port(e, 0, m);
	/* a later fragment */
	m = udp_from(0, RIF_A, host_ip(2), 64, 1);
	ip_of(m)->fragment_offset = RTE_BE16(100);
	fix_ip_cksum(m);
	from_port(e, 0, m);
	/* from 0.0.0.0 and from a multicast source */
	from_port(e, 0, ipv4_frame(rif_mac(RIF_A), port_mac(0), 0, host_ip(2), IPPROTO_UDP,
				   64, 1, false));
	from_port(e, 0, ipv4_frame(rif_mac(RIF_A), port_mac(0), ip4(224, 0, 0, 9),
				   host_ip(2), IPPROTO_UDP, 64, 1, false));
	assert_only_port_got(e, -1, 0);
	assert_int_equal(drops(e, RIF_A, VSW_DROP_TTL), 4);
	/* an echo request is not an error: it gets one */
	from_port(e, 0, ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0), host_ip(2),
				   IPPROTO_ICMP, 64, 1, false));
	assert_only_port_got(e, 0, 1);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_routing_loop_stops_at_route_depth(void **state)
{
	struct env *e = *state;

	/* 192.0.2.0/24: router 0 -> router 1 -> router 0 ... in one pass */
	from_port(e, 0, udp_from(0, RIF_A, ip4(192, 0, 2, 1), 64, 64));
	assert_only_port_got(e, -1, 0);
	assert_int_equal(drops(e, RIF_B, VSW_DROP_ROUTE_DEPTH), 1);
	assert_int_equal(stats(e, RIF_B)->tx_packets, 2);
	assert_int_equal(stats(e, RIF_B1)->tx_packets, 2);
	assert_int_equal(stats(e, RIF_B1)->rx_packets, 2);
	assert_int_equal(stats(e, RIF_B)->rx_packets, 2);
	assert_int_equal(e->w->l3_depth, 0);
	assert_pool_baseline(e);
}

/* --- benchmark (VSW_ROUTER_BENCH=1) --- */

#define BENCH_BURST 32u
#define BENCH_WS 4096u

static uint16_t
bench_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts, uint16_t n)
{
	struct fake_port *f = container_of(p, struct fake_port, p);
	uint16_t i;

	RTE_SET_USED(w);
	/* ready for the next pass: addressed to the router again */
	for (i = 0; i < n; i++)
		eth_of(pkts[i])->dst_addr = rif_mac(RIF_A);
	f->n_got += n;
	return n;
}

static const struct vsw_dp_port_ops bench_ops = { .rx = fake_rx, .tx = bench_tx };

static uint64_t bench_rng = 0x9e3779b97f4a7c15ull;

static uint32_t
bench_rnd(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return (uint32_t)bench_rng;
}

/* Prefixes the base routes (or the router's own addresses) use. */
static bool
bench_overlaps_base(uint32_t a, uint8_t plen)
{
	static const struct { uint32_t prefix; uint8_t plen; } base[] = {
		{ 0x00000000, 8 }, { 0x0a000000, 8 }, { 0x64400000, 10 },
		{ 0x7f000000, 8 }, { 0xac100000, 12 }, { 0xc0000000, 16 },
		{ 0xc6330000, 16 }, { 0xcb000000, 16 }, { 0xe0000000, 3 },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(base); i++) {
		uint8_t common = RTE_MIN(plen, base[i].plen);
		uint32_t mask = UINT32_MAX << (32 - common);

		if ((a & mask) == (base[i].prefix & mask))
			return true;
	}
	return false;
}

/* 1M random routes clear of the base routes, through 10.1.0.20/21. */
static struct vsw_route *
bench_routes(uint32_t n)
{
	struct vsw_route *r = calloc(n, sizeof(*r));
	uint32_t i;

	assert_non_null(r);
	for (i = 0; i < n; i++) {
		/* mostly /24, 2.5% longer (each needs a tbl8 group) */
		uint8_t plen = (uint8_t)(i % 40 == 0 ? 25 + (i / 40) % 8 :
					 i % 40 < 30 ? 24 : 16 + i % 8);
		uint32_t a;

		do {
			a = bench_rnd() & (UINT32_MAX << (32 - plen));
		} while (bench_overlaps_base(a, plen));
		r[i] = rt_entry(rte_cpu_to_be_32(a), plen, RIF_B, host_ip(2 + i % 2));
	}
	return r;
}

static void
reset_ttl(struct rte_mbuf **ws, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		ip_of(ws[i])->time_to_live = 255;
		fix_ip_cksum(ws[i]);
	}
}

static double
bench_pass(struct env *e, struct rte_mbuf **ws, uint32_t n_ws)
{
	uint64_t t0 = rte_rdtsc_precise();
	uint32_t i, j;

	for (i = 0; i < n_ws; i += BENCH_BURST) {
		for (j = 0; j < BENCH_BURST; j++)
			vsw_router_input(e->w, e->fib, RIF_A, ws[i + j]);
		vsw_txbuf_flush_all(e->w);
	}
	return (double)(rte_rdtsc_precise() - t0) / n_ws;
}

/* Routed forwarding of a working set of 60-byte frames from network A:
 * to host 10.1.0.20 (one flow), or to 4096 destinations taken from
 * dst_pool's prefixes. */
static void
bench_case(const char *label, const struct vsw_route *extra, uint32_t n_extra,
	   const struct vsw_route *dst_pool, uint32_t n_dst_pool)
{
	const char *only = getenv("VSW_ROUTER_BENCH_CASE");
	const char *reps_s = getenv("VSW_ROUTER_BENCH_REPS");
	unsigned int r, reps = reps_s != NULL ? (unsigned int)atoi(reps_s) : 250;
	struct rte_mbuf *ws[BENCH_WS];
	double best = 1e9, sum = 0;
	struct env *e;
	uint32_t i;

	if (only != NULL && strstr(label, only) == NULL)
		return;
	e = env_create(extra, n_extra, 1024);
	e->fake[2].p.ops = &bench_ops;
	e->fake[3].p.ops = &bench_ops;
	for (i = 0; i < BENCH_WS; i++) {
		rte_be32_t dst = dst_pool == NULL ? host_ip(2)
				 : dst_pool[(uint64_t)i * 7919 % n_dst_pool].prefix;

		ws[i] = ipv4_frame(rif_mac(RIF_A), port_mac(0), host_ip(0), dst,
				   IPPROTO_UDP, 46, 255, false);
	}
	for (r = 0; r < reps; r++) {
		double c;

		if (r % 200 == 0)
			reset_ttl(ws, BENCH_WS);
		c = bench_pass(e, ws, BENCH_WS);
		best = RTE_MIN(best, c);
		sum += c;
	}
	if (e->fake[2].n_got + e->fake[3].n_got != reps * BENCH_WS ||
	    total_drops(e, RIF_A) != 0) {
		int d;

		printf("router bench: %s: WRONG RESULT (%u sent, %" PRIu64 " drops)\n", label,
		       e->fake[2].n_got + e->fake[3].n_got, total_drops(e, RIF_A));
		for (d = 0; d < VSW_DROP_MAX; d++)
			if (drops(e, RIF_A, d) != 0)
				printf("  %s: %" PRIu64 "\n", vsw_drop_key(d), drops(e, RIF_A, d));
	}
	printf("router bench: %-44s %6.1f cycles/packet min, %6.1f mean\n", label, best,
	       sum / reps);
	e->fake[2].n_got = e->fake[3].n_got = 0;
	rte_pktmbuf_free_bulk(ws, BENCH_WS);
	env_destroy(e);
}

static void
bench_all(void **state)
{
	const uint32_t n = 1000000;
	struct vsw_route *routes = bench_routes(n);
	const struct vsw_route dflt = rt_entry(0, 0, RIF_B, host_ip(2));

	RTE_SET_USED(state);
	printf("router bench: TSC %.3f GHz; vsw_router_input + L2 output + tx flush "
	       "per packet, 60-byte UDP, working set %u mbufs, min/mean of passes\n",
	       rte_get_tsc_hz() / 1e9, BENCH_WS);
	bench_case("7 routes (linear), 1 flow", NULL, 0, NULL, 0);
	bench_case("9 routes (rte_lpm), 1 flow", routes, 2, NULL, 0);
	bench_case("1M routes (rte_lpm), 1 flow", routes, n, NULL, 0);
	bench_case("8 routes (linear, default), 4096 flows", &dflt, 1, routes, n);
	bench_case("1M routes (rte_lpm), 4096 flows", routes, n, routes, n);
	free(routes);
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	if (vsw_eal_env_start("test_router", "vsw-test-router", bench_mode ? 1024 : 256,
			      "lib.*:warning") < 0)
		return -1;
	test_pool = rte_pktmbuf_pool_create("rtr_pool", POOL_SIZE, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return test_pool == NULL ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	RTE_SET_USED(state);
	rte_mempool_free(test_pool);
	vsw_eal_env_stop();
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_env, teardown_env)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_routed_packet_is_rewritten_exactly),
		T(a_gateway_route_goes_to_the_gateway_mac),
		T(the_incremental_checksum_is_right_for_any_header),
		T(ttl_expiry_sends_time_exceeded_quoting_the_packet),
		T(long_packets_are_quoted_up_to_576_bytes),
		T(no_route_sends_net_unreachable),
		T(too_big_with_df_sends_frag_needed_with_the_mtu),
		T(too_big_without_df_is_fragmented),
		T(an_unknown_neighbour_punts_the_packet_unmodified),
		T(a_neighbour_being_resolved_drops_without_punting),
		T(arp_for_the_interface_is_punted_other_arp_is_not_ours),
		T(non_ipv4_non_arp_is_l3_proto),
		T(echo_to_router_addresses_is_punted_local),
		T(malformed_ipv4_is_counted),
		T(ethernet_padding_is_trimmed),
		T(group_destinations_are_not_routed),
		T(a_shared_frame_is_copied_not_modified),
		T(admin_down_router_drops),
		T(floating_ip_both_ways),
		T(snat_out_and_back),
		T(icmp_errors_are_rate_limited),
		T(no_icmp_error_about_errors_fragments_or_group_sources),
		T(a_routing_loop_stops_at_route_depth),
	};
	const struct CMUnitTest bench[] = {
		cmocka_unit_test(bench_all),
	};
	const char *b = getenv("VSW_ROUTER_BENCH");

	bench_mode = b != NULL && strcmp(b, "1") == 0;
	if (bench_mode)
		return cmocka_run_group_tests_name("router_bench", bench, setup_eal,
						   teardown_eal);
	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
