/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uplink ingress (802.1Q demultiplexing, VXLAN decapsulation) and vport
 * egress (tag push, VXLAN encapsulation) on a hand-built worker, fib, MAC
 * table, key-value table and punt rings, with fake data-plane ports that
 * keep what they are sent. Frames are built byte by byte and compared
 * byte by byte.
 *
 * VSW_OVERLAY_BENCH=1 runs a cycles-per-packet benchmark of encapsulation
 * and decapsulation instead of the tests (VSW_OVERLAY_BENCH_PKTS: packets
 * per repetition, VSW_OVERLAY_BENCH_REPS, VSW_OVERLAY_BENCH_CASE: one case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "eal_env.h"
#include "fib.h"
#include "kvt.h"
#include "mac_table.h"
#include "overlay.h"
#include "punt.h"
#include "worker.h"

#define N_FAKE 8
#define FAKE_CAP 512
#define POOL_SIZE 16383
#define MTU 1500
#define MAX_FRAME (MTU + RTE_ETHER_HDR_LEN)
#define VX_MAX_FRAME (MTU - VSW_VXLAN_OVERHEAD + RTE_ETHER_HDR_LEN)
#define NOW_S 100

/*
 * Topology:
 *   network A (VLAN 100 on the trunk): VNIC ports 0 and 3, vport VP_VLAN
 *   network B (flat on the trunk):     VNIC port 1, vport VP_FLAT
 *   network C (VXLAN VNI 5000):        VNIC port 2, tunnels VP_NEAR
 *                                      (on-link VTEP) and VP_FAR (via the
 *                                      gateway); VP_ANY for unknown VTEPs
 *   network D (VLAN 200, admin down):  vport VP_DOWN
 *   trunk uplink: port 4, slot 0; VXLAN underlay: port 5, slot 1.
 */
#define NET_A 0
#define NET_B 1
#define NET_C 2
#define NET_D 3
#define P_A 0
#define P_B 1
#define P_C 2
#define P_A2 3
#define P_TRUNK 4
#define P_UNDER 5
#define SLOT_TRUNK 0
#define SLOT_UNDER 1
#define VP_VLAN 1024
#define VP_FLAT 1025
#define VP_DOWN 1026
#define VP_NEAR 1030
#define VP_FAR 1031
#define VP_ANY 1032
#define VID_A 100
#define VID_D 200
#define VNI_C 5000
#define VNI_UNKNOWN 7777

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
	struct vsw_fib *fib;
	struct vsw_worker *w;
	struct vsw_dp_port **ports;
	struct fake_port fake[N_FAKE];
	unsigned int baseline;
};

static struct rte_mempool *test_pool;

/* --- addresses --- */

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

static struct rte_ether_addr
mac(uint8_t a, uint8_t b)
{
	struct rte_ether_addr m = {{ 0x02, a, 0, 0, 0, b }};

	return m;
}

#define LOCAL_IP ip4(192, 0, 2, 1)
#define NEAR_IP ip4(192, 0, 2, 2)
#define GW_IP ip4(192, 0, 2, 254)
#define FAR_IP ip4(198, 51, 100, 7)
#define STRANGER_IP ip4(192, 0, 2, 99)

static struct rte_ether_addr port_mac(unsigned int p) { return mac(0, (uint8_t)(p + 1)); }
static struct rte_ether_addr host_mac(unsigned int i) { return mac(0x10, (uint8_t)i); }
static struct rte_ether_addr trunk_mac(void) { return mac(0xaa, 1); }
static struct rte_ether_addr vtep_mac(void) { return mac(0xaa, 2); }
static struct rte_ether_addr near_mac(void) { return mac(0xbb, 2); }
static struct rte_ether_addr gw_mac(void) { return mac(0xbb, 0xfe); }

static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
static const struct rte_ether_addr mcast = {{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }};

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

/* --- frames, byte by byte --- */

static size_t
put_eth(uint8_t *p, struct rte_ether_addr dst, struct rte_ether_addr src,
	uint16_t type)
{
	memcpy(p, dst.addr_bytes, 6);
	memcpy(p + 6, src.addr_bytes, 6);
	p[12] = (uint8_t)(type >> 8);
	p[13] = (uint8_t)type;
	return RTE_ETHER_HDR_LEN;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The IPv4 header at ip (ihl from its first byte) gets a valid checksum. */
static void
fix_ip_cksum(uint8_t *ip)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

/* An IPv4 header of ihl 5 at p. */
static size_t
put_ipv4(uint8_t *p, rte_be32_t src, rte_be32_t dst, uint8_t proto,
	 uint16_t total_len, uint8_t tos)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = tos;
	put16(p + 2, total_len);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	fix_ip_cksum(p);
	return 20;
}

/* An Ethernet/IPv4/UDP frame of len bytes (>= 42) of one inner flow. */
static size_t
inner_udp(uint8_t *p, struct rte_ether_addr dst, struct rte_ether_addr src,
	  uint16_t sport, uint16_t dport, size_t len, uint8_t tos)
{
	size_t off = put_eth(p, dst, src, RTE_ETHER_TYPE_IPV4);
	size_t i;

	off += put_ipv4(p + off, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), IPPROTO_UDP,
			(uint16_t)(len - RTE_ETHER_HDR_LEN), tos);
	put16(p + off, sport);
	put16(p + off + 2, dport);
	put16(p + off + 4, (uint16_t)(len - off));
	put16(p + off + 6, 0);
	for (i = off + 8; i < len; i++)
		p[i] = (uint8_t)(i * 7 + sport);
	return len;
}

/* A non-IP frame of len bytes (>= 14). */
static size_t
plain(uint8_t *p, struct rte_ether_addr dst, struct rte_ether_addr src, size_t len)
{
	size_t i, off = put_eth(p, dst, src, 0x88b5);

	for (i = off; i < len; i++)
		p[i] = (uint8_t)i;
	return len;
}

/* VXLAN to the local VTEP from src_ip around inner (50 + inner_len bytes);
 * the offsets below are those of this layout. */
#define O_IP 14
#define O_UDP 34
#define O_VX 42
#define O_INNER 50

static size_t
vxlan_frame(uint8_t *p, rte_be32_t src_ip, uint32_t vni, const uint8_t *inner,
	    size_t inner_len)
{
	put_eth(p, vtep_mac(), near_mac(), RTE_ETHER_TYPE_IPV4);
	put_ipv4(p + O_IP, src_ip, LOCAL_IP, IPPROTO_UDP,
		 (uint16_t)(inner_len + O_INNER - O_IP), 0);
	put16(p + O_UDP, 54321);
	put16(p + O_UDP + 2, VSW_VXLAN_PORT);
	put16(p + O_UDP + 4, (uint16_t)(inner_len + O_INNER - O_UDP));
	put16(p + O_UDP + 6, 0);
	memset(p + O_VX, 0, 8);
	p[O_VX] = 0x08;
	p[O_VX + 4] = (uint8_t)(vni >> 16);
	p[O_VX + 5] = (uint8_t)(vni >> 8);
	p[O_VX + 6] = (uint8_t)vni;
	memcpy(p + O_INNER, inner, inner_len);
	return O_INNER + inner_len;
}

static struct rte_mbuf *
mbuf_of(struct env *e, const uint8_t *bytes, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->pool);
	char *d;

	assert_non_null(m);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(d);
	memcpy(d, bytes, len);
	return m;
}

static void
assert_bytes(const struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(m->pkt_len, len);
	assert_int_equal(m->data_len, len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), want, len);
}

/* --- environment --- */

static void
add_net(struct vsw_fib *fib, uint16_t net, const uint16_t *members, uint16_t n,
	uint16_t n_local, uint32_t *off)
{
	uint16_t i;

	fib->nets[net].flood_off = *off;
	fib->nets[net].n_flood = n;
	fib->nets[net].n_local = n_local;
	fib->nets[net].admin_up = 1;
	for (i = 0; i < n; i++) {
		fib->flood[(*off)++] = members[i];
		fib->ports[members[i]].net = net;
		fib->ports[members[i]].admin_up = 1;
		fib->ports[members[i]].max_frame = MAX_FRAME;
		fib->ports[members[i]].kind = VSW_FP_VNIC;
	}
}

static void
set_vlan_vport(struct vsw_fib *fib, uint16_t vp, uint16_t net, uint16_t vid)
{
	struct vsw_fib_port *fp = &fib->ports[vp];

	fp->net = net;
	fp->kind = VSW_FP_VLAN;
	fp->admin_up = 1;
	fp->learning = 1;
	fp->uplink = SLOT_TRUNK;
	fp->max_frame = MAX_FRAME;
	fp->vlan.vid = vid;
	if (vid == 0)
		fib->uplinks[SLOT_TRUNK].flat_vport = vp;
	else
		fib->uplinks[SLOT_TRUNK].vlan_vport[vid] = vp;
}

static void
set_vxlan_vport(struct env *e, uint16_t vp, rte_be32_t remote)
{
	struct vsw_fib_port *fp = &e->fib->ports[vp];

	fp->net = NET_C;
	fp->kind = VSW_FP_VXLAN;
	fp->admin_up = 1;
	fp->learning = remote != 0;
	fp->tunnel = 1;
	fp->uplink = SLOT_UNDER;
	fp->max_frame = VX_MAX_FRAME;
	fp->vxlan.vni = VNI_C;
	fp->vxlan.remote_ip = remote;
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_key(VSW_KVT_VTEP, NET_C,
							  rte_be_to_cpu_32(remote)), vp), 0);
}

static void
set_neigh(struct env *e, rte_be32_t ip, struct rte_ether_addr m)
{
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_neigh_key(VSW_NEIGH_SCOPE_UPLINK |
								SLOT_UNDER, ip),
				     vsw_neigh_value(&m, 0)), 0);
}

static void
add_static_mac(struct env *e, uint16_t net, struct rte_ether_addr m, uint16_t port)
{
	assert_int_equal(vsw_mac_table_add_static(e->macs, net, &m, port), 0);
}

static struct env *
env_create(void)
{
	static const uint16_t net_a[] = { P_A, P_A2, VP_VLAN };
	static const uint16_t net_b[] = { P_B, VP_FLAT };
	static const uint16_t net_c[] = { P_C, VP_NEAR, VP_FAR };
	static const uint16_t net_d[] = { VP_DOWN };
	struct vsw_mac_table_params mp = {
		.name = "ovt_macs", .capacity = 4096, .learn_ring_size = 256,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_kvt_params kp = {
		.name = "ovt_kvt", .capacity = 1024, .socket_id = SOCKET_ID_ANY,
	};
	struct vsw_punt_params pp = {
		.punt_ring_size = 256, .inject_ring_size = 64, .learn_ring_size = 64,
		.rate_per_worker = 1000000, .burst = 1024, .socket_id = SOCKET_ID_ANY,
	};
	struct env *e = calloc(1, sizeof(*e));
	struct vsw_fib_uplink *u;
	struct vsw_worker *w;
	uint32_t off = 0;
	unsigned int i;

	assert_non_null(e);
	e->pool = test_pool;
	e->baseline = rte_mempool_in_use_count(e->pool);
	e->macs = vsw_mac_table_create(&mp);
	e->kvt = vsw_kvt_create(&kp);
	e->punt = vsw_punt_create(&pp);
	assert_non_null(e->macs);
	assert_non_null(e->kvt);
	assert_non_null(e->punt);
	e->ports = calloc(VSW_DP_MAX_PORTS, sizeof(*e->ports));
	assert_non_null(e->ports);
	for (i = 0; i < N_FAKE; i++) {
		struct fake_port *f = &e->fake[i];

		f->p.idx = (uint16_t)i;
		f->p.ops = &fake_ops;
		f->p.ready = true;
		f->p.n_rxq = 1;
		f->p.n_txq = 1;
		f->p.n_workers = 1;
		e->ports[i] = &f->p;
	}

	e->fib = vsw_fib_alloc(4, RTE_DIM(net_a) + RTE_DIM(net_b) + RTE_DIM(net_c) +
				  RTE_DIM(net_d), 0);
	assert_non_null(e->fib);
	add_net(e->fib, NET_A, net_a, RTE_DIM(net_a), RTE_DIM(net_a), &off);
	add_net(e->fib, NET_B, net_b, RTE_DIM(net_b), RTE_DIM(net_b), &off);
	add_net(e->fib, NET_C, net_c, RTE_DIM(net_c), 1, &off);
	add_net(e->fib, NET_D, net_d, RTE_DIM(net_d), RTE_DIM(net_d), &off);

	u = &e->fib->uplinks[SLOT_TRUNK];
	u->port = P_TRUNK;
	u->role = VSW_UPLINK_VLAN;
	u->admin_up = 1;
	u->mtu = MTU;
	u->mac = trunk_mac();
	e->fib->ports[P_TRUNK].kind = VSW_FP_UPLINK;
	e->fib->ports[P_TRUNK].uplink = SLOT_TRUNK;
	e->fib->ports[P_TRUNK].admin_up = 1;
	set_vlan_vport(e->fib, VP_VLAN, NET_A, VID_A);
	set_vlan_vport(e->fib, VP_FLAT, NET_B, 0);
	set_vlan_vport(e->fib, VP_DOWN, NET_D, VID_D);
	e->fib->ports[VP_DOWN].admin_up = 0;

	u = &e->fib->uplinks[SLOT_UNDER];
	u->port = P_UNDER;
	u->role = VSW_UPLINK_VXLAN;
	u->admin_up = 1;
	u->mtu = MTU;
	u->local_plen = 24;
	u->local_ip = LOCAL_IP;
	u->gateway_ip = GW_IP;
	u->mac = vtep_mac();
	e->fib->ports[P_UNDER].kind = VSW_FP_UPLINK;
	e->fib->ports[P_UNDER].uplink = SLOT_UNDER;
	e->fib->ports[P_UNDER].admin_up = 1;
	set_vxlan_vport(e, VP_NEAR, NEAR_IP);
	set_vxlan_vport(e, VP_FAR, FAR_IP);
	set_vxlan_vport(e, VP_ANY, 0);
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_key(VSW_KVT_VNI, SLOT_UNDER, VNI_C),
				     NET_C), 0);
	set_neigh(e, NEAR_IP, near_mac());
	set_neigh(e, GW_IP, gw_mac());

	add_static_mac(e, NET_A, port_mac(P_A), P_A);
	add_static_mac(e, NET_A, port_mac(P_A2), P_A2);
	add_static_mac(e, NET_B, port_mac(P_B), P_B);
	add_static_mac(e, NET_C, port_mac(P_C), P_C);

	w = rte_zmalloc("ovt_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	assert_non_null(w);
	w->burst = 32;
	w->ports = e->ports;
	w->fib = &e->fib;
	w->macs = e->macs;
	w->now_s = NOW_S;
	w->tsc_hz = rte_get_tsc_hz();
	w->now_tsc = rte_rdtsc();
	w->pool = e->pool;
	w->kvt = e->kvt;
	w->punt = e->punt;
	w->meta_off = vsw_punt_meta_offset(e->punt);
	vsw_punt_tb_init(e->punt, &w->punt_tb, w->tsc_hz);
	w->txbufs = rte_zmalloc("ovt_txbufs", VSW_DP_MAX_PORTS * sizeof(*w->txbufs),
				RTE_CACHE_LINE_SIZE);
	w->port_stats = rte_zmalloc("ovt_stats",
				    VSW_FIB_MAX_PORTS * sizeof(*w->port_stats),
				    RTE_CACHE_LINE_SIZE);
	assert_non_null(w->txbufs);
	assert_non_null(w->port_stats);
	e->w = w;
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
assert_pool_baseline(const struct env *e)
{
	assert_int_equal(rte_mempool_in_use_count(e->pool), e->baseline);
}

static void
env_destroy(struct env *e)
{
	unsigned int in_use, baseline = e->baseline, i;

	release_all(e);
	for (i = 0; i < N_FAKE; i++)
		rte_pktmbuf_free_bulk(e->w->txbufs[i].pkts, e->w->txbufs[i].n);
	vsw_punt_free(e->punt);
	in_use = rte_mempool_in_use_count(e->pool);
	rte_free(e->w->txbufs);
	rte_free(e->w->port_stats);
	rte_free(e->w);
	vsw_fib_free(e->fib);
	vsw_kvt_free(e->kvt);
	vsw_mac_table_free(e->macs);
	free(e->ports);
	free(e);
	assert_int_equal(in_use, baseline);
}

static int
setup_env(void **state)
{
	*state = env_create();
	return 0;
}

static int
teardown_env(void **state)
{
	env_destroy(*state);
	return 0;
}

/* --- running and checking --- */

static void
flush(struct env *e)
{
	vsw_txbuf_flush_all(e->w);
	assert_int_equal(e->w->n_dirty, 0);
}

static void
uplink_rx(struct env *e, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	vsw_uplink_rx_process(e->w, e->fib, port, pkts, n);
	flush(e);
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

static const struct fake_port *
fake(const struct env *e, uint16_t port)
{
	return &e->fake[port];
}

static void
assert_nothing_sent(const struct env *e)
{
	unsigned int i;

	for (i = 0; i < N_FAKE; i++)
		assert_int_equal(e->fake[i].n_got, 0);
}

/* Where the MAC table puts mac on net once learning requests are applied. */
static uint16_t
learned_port(struct env *e, uint16_t net, struct rte_ether_addr m)
{
	uint64_t key = vsw_mac_key(net, &m);
	uint16_t port;

	vsw_mac_table_drain(e->macs, NOW_S);
	vsw_mac_table_lookup_bulk(e->macs, &key, 1, &port);
	return port;
}

/* Everything punted so far (at most n), the metadata of each in metas. */
static unsigned int
punted(struct env *e, struct rte_mbuf **pkts, struct vsw_pkt_meta *metas,
       unsigned int n)
{
	unsigned int got = vsw_punt_dequeue(e->punt, pkts, n), i;

	for (i = 0; i < got; i++)
		metas[i] = *vsw_pkt_meta(pkts[i], e->w->meta_off);
	return got;
}

static void
assert_meta(const struct vsw_pkt_meta *m, uint16_t port, uint16_t net,
	    uint8_t kind)
{
	assert_int_equal(m->port, port);
	assert_int_equal(m->net, net);
	assert_int_equal(m->kind, kind);
}

/* --- trunk ingress --- */

/* The tagged version of an untagged frame: TPID and TCI after the MACs. */
static size_t
tag(uint8_t *out, const uint8_t *in, size_t len, uint16_t tpid, uint16_t tci)
{
	memcpy(out, in, 12);
	put16(out + 12, tpid);
	put16(out + 14, tci);
	memcpy(out + 16, in + 12, len - 12);
	return len + 4;
}

static void
vlan_ingress_selects_the_network_strips_the_tag_and_learns(void **state)
{
	struct env *e = *state;
	uint8_t inner[200], tagged[204], untagged[100], prio[104];
	struct rte_mbuf *pkts[3];
	size_t n_in, n_tag, n_un, n_prio;

	n_in = inner_udp(inner, port_mac(P_A), host_mac(1), 1000, 2000, 200, 0);
	/* PCP 5 must not leak into the VID */
	n_tag = tag(tagged, inner, n_in, RTE_ETHER_TYPE_VLAN, 5 << 13 | VID_A);
	n_un = plain(untagged, port_mac(P_B), host_mac(2), 100);
	n_prio = tag(prio, untagged, n_un, RTE_ETHER_TYPE_VLAN, 3 << 13);
	pkts[0] = mbuf_of(e, tagged, n_tag);
	pkts[1] = mbuf_of(e, untagged, n_un);
	pkts[2] = mbuf_of(e, prio, n_prio);

	uplink_rx(e, P_TRUNK, pkts, 3);

	assert_int_equal(fake(e, P_A)->n_got, 1);
	assert_bytes(fake(e, P_A)->got[0], inner, n_in);
	assert_int_equal(fake(e, P_B)->n_got, 2);
	assert_bytes(fake(e, P_B)->got[0], untagged, n_un);
	assert_bytes(fake(e, P_B)->got[1], untagged, n_un);
	assert_int_equal(fake(e, P_A2)->n_got + fake(e, P_C)->n_got +
			 fake(e, P_TRUNK)->n_got + fake(e, P_UNDER)->n_got, 0);

	assert_int_equal(stats(e, P_TRUNK)->rx_packets, 3);
	assert_int_equal(stats(e, P_TRUNK)->rx_bytes, n_tag + n_un + n_prio);
	assert_int_equal(stats(e, VP_VLAN)->rx_packets, 1);
	assert_int_equal(stats(e, VP_VLAN)->rx_bytes, n_in);
	assert_int_equal(stats(e, VP_FLAT)->rx_packets, 2);
	assert_int_equal(stats(e, VP_FLAT)->rx_bytes, 2 * n_un);
	assert_int_equal(stats(e, P_A)->tx_packets, 1);
	assert_int_equal(total_drops(e, P_TRUNK), 0);
	assert_int_equal(total_drops(e, VP_VLAN), 0);

	/* the sources are now known behind the vports, in their networks */
	assert_int_equal(learned_port(e, NET_A, host_mac(1)), VP_VLAN);
	assert_int_equal(learned_port(e, NET_B, host_mac(2)), VP_FLAT);
	assert_int_equal(learned_port(e, NET_B, host_mac(1)), VSW_MAC_PORT_NONE);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_learned_mac_behind_the_trunk_is_a_unicast_destination(void **state)
{
	struct env *e = *state;
	uint8_t in[100], back[100], tagged[104];
	struct rte_mbuf *m;
	size_t n, nt;

	n = plain(in, port_mac(P_A), host_mac(1), 100);
	nt = tag(tagged, in, n, RTE_ETHER_TYPE_VLAN, VID_A);
	m = mbuf_of(e, tagged, nt);
	uplink_rx(e, P_TRUNK, &m, 1);
	assert_int_equal(learned_port(e, NET_A, host_mac(1)), VP_VLAN);
	release_all(e);

	/* port 0 answers: unicast through the vport, tagged on the trunk */
	n = plain(back, host_mac(1), port_mac(P_A), 100);
	m = mbuf_of(e, back, n);
	assert_int_equal(vsw_classify_process(e->w, e->fib, P_A, &m, 1), 1);
	vsw_l2_fwd_process(e->w, e->fib, P_A, &m, 1);
	flush(e);
	nt = tag(tagged, back, n, RTE_ETHER_TYPE_VLAN, VID_A);
	assert_int_equal(fake(e, P_TRUNK)->n_got, 1);
	assert_bytes(fake(e, P_TRUNK)->got[0], tagged, nt);
	assert_int_equal(fake(e, P_A2)->n_got, 0);
	assert_int_equal(stats(e, VP_VLAN)->tx_packets, 1);
	assert_int_equal(stats(e, VP_VLAN)->tx_bytes, n);
	assert_int_equal(stats(e, P_TRUNK)->tx_packets, 1);
	assert_int_equal(stats(e, P_TRUNK)->tx_bytes, nt);
	release_all(e);
	assert_pool_baseline(e);
}

/* A NIC with VLAN stripping on leaves the tag in the mbuf, not the frame. */
static void
a_tag_stripped_by_the_nic_selects_the_network_too(void **state)
{
	struct env *e = *state;
	uint8_t in[100], inner_tag[104];
	struct rte_mbuf *pkts[3];
	size_t n;

	n = plain(in, port_mac(P_A), host_mac(1), 100);
	tag(inner_tag, in, n, RTE_ETHER_TYPE_VLAN, 7);
	pkts[0] = mbuf_of(e, in, n);
	pkts[1] = mbuf_of(e, in, n);
	pkts[2] = mbuf_of(e, inner_tag, n + 4);        /* a second tag */
	pkts[0]->vlan_tci = 2 << 13 | VID_A;
	pkts[1]->vlan_tci = 999;
	pkts[2]->vlan_tci = VID_A;
	for (unsigned int i = 0; i < 3; i++)
		pkts[i]->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	uplink_rx(e, P_TRUNK, pkts, 3);
	assert_int_equal(fake(e, P_A)->n_got, 1);
	assert_bytes(fake(e, P_A)->got[0], in, n);
	assert_int_equal(fake(e, P_A)->got[0]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED, 0);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_UNKNOWN_VLAN), 1);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_DOUBLE_TAGGED), 1);
	assert_int_equal(learned_port(e, NET_A, host_mac(1)), VP_VLAN);
	release_all(e);
	assert_pool_baseline(e);
}

static void
trunk_drops_are_counted_by_reason(void **state)
{
	struct env *e = *state;
	uint8_t in[100], f[8][120], inner_tag[104];
	struct rte_mbuf *pkts[8];
	size_t n, len[8];
	unsigned int i;

	n = plain(in, port_mac(P_A), host_mac(1), 100);
	len[0] = tag(f[0], in, n, RTE_ETHER_TYPE_VLAN, 999);            /* unknown */
	len[1] = tag(f[1], in, n, RTE_ETHER_TYPE_QINQ, VID_A);          /* 802.1ad */
	len[2] = tag(f[2], in, n, RTE_ETHER_TYPE_QINQ1, VID_A);         /* 0x9100 */
	tag(inner_tag, in, n, RTE_ETHER_TYPE_VLAN, 7);
	len[3] = tag(f[3], inner_tag, n + 4, RTE_ETHER_TYPE_VLAN, VID_A); /* Q-in-Q */
	tag(inner_tag, in, n, RTE_ETHER_TYPE_QINQ, 7);
	len[4] = tag(f[4], inner_tag, n + 4, RTE_ETHER_TYPE_VLAN, VID_A);
	len[5] = 10;                                                    /* runt */
	memcpy(f[5], in, 10);
	len[6] = 16;                                                    /* tag cut */
	memcpy(f[6], f[0], 16);
	put16(f[6] + 14, VID_A);
	len[7] = tag(f[7], in, n, RTE_ETHER_TYPE_VLAN, 4095);          /* reserved */
	for (i = 0; i < 8; i++)
		pkts[i] = mbuf_of(e, f[i], len[i]);

	uplink_rx(e, P_TRUNK, pkts, 8);

	assert_nothing_sent(e);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_UNKNOWN_VLAN), 2);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_DOUBLE_TAGGED), 4);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_RUNT), 2);
	assert_int_equal(total_drops(e, P_TRUNK), 8);
	assert_int_equal(stats(e, P_TRUNK)->rx_packets, 8);
	assert_int_equal(stats(e, VP_VLAN)->rx_packets, 0);
	assert_pool_baseline(e);
}

static void
untagged_on_a_vlan_only_trunk_is_unknown_vlan(void **state)
{
	struct env *e = *state;
	uint8_t in[100];
	struct rte_mbuf *pkts[2];

	e->fib->uplinks[SLOT_TRUNK].flat_vport = VSW_PORT_NONE;
	plain(in, port_mac(P_B), host_mac(2), 100);
	pkts[0] = mbuf_of(e, in, 100);
	pkts[1] = mbuf_of(e, in, RTE_ETHER_HDR_LEN);
	uplink_rx(e, P_TRUNK, pkts, 2);
	assert_nothing_sent(e);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_UNKNOWN_VLAN), 2);
	assert_int_equal(total_drops(e, P_TRUNK), 2);
	assert_int_equal(stats(e, VP_FLAT)->rx_packets, 0);
	assert_pool_baseline(e);
}

static void
vport_checks_count_against_the_vport(void **state)
{
	struct env *e = *state;
	uint8_t in[MAX_FRAME + 1], f[6][MAX_FRAME + 8];
	struct rte_mbuf *pkts[6];
	size_t len[6];
	unsigned int i;

	plain(in, port_mac(P_A), host_mac(1), sizeof(in));
	len[0] = tag(f[0], in, MAX_FRAME, RTE_ETHER_TYPE_VLAN, VID_A);     /* fits */
	len[1] = tag(f[1], in, MAX_FRAME + 1, RTE_ETHER_TYPE_VLAN, VID_A); /* mtu */
	plain(in, port_mac(P_A), mcast, 64);
	len[2] = tag(f[2], in, 64, RTE_ETHER_TYPE_VLAN, VID_A);           /* src mc */
	plain(in, bcast, host_mac(3), 64);
	len[3] = tag(f[3], in, 64, RTE_ETHER_TYPE_VLAN, VID_D);           /* down */
	plain(in, port_mac(P_B), host_mac(4), MAX_FRAME + 1);
	len[4] = MAX_FRAME + 1;                                           /* flat mtu */
	memcpy(f[4], in, len[4]);
	plain(in, port_mac(P_B), host_mac(4), MAX_FRAME);
	len[5] = MAX_FRAME;                                               /* flat fits */
	memcpy(f[5], in, len[5]);
	for (i = 0; i < 6; i++)
		pkts[i] = mbuf_of(e, f[i], len[i]);

	uplink_rx(e, P_TRUNK, pkts, 6);

	assert_int_equal(fake(e, P_A)->n_got, 1);
	assert_int_equal(fake(e, P_A)->got[0]->pkt_len, MAX_FRAME);
	assert_int_equal(fake(e, P_B)->n_got, 1);
	assert_int_equal(fake(e, P_B)->got[0]->pkt_len, MAX_FRAME);
	assert_int_equal(drops(e, VP_VLAN, VSW_DROP_MTU), 1);
	assert_int_equal(drops(e, VP_VLAN, VSW_DROP_SRC_MULTICAST), 1);
	assert_int_equal(drops(e, VP_DOWN, VSW_DROP_ADMIN_DOWN), 1);
	assert_int_equal(drops(e, VP_FLAT, VSW_DROP_MTU), 1);
	assert_int_equal(total_drops(e, P_TRUNK), 0);
	assert_int_equal(stats(e, VP_VLAN)->rx_packets, 3);
	assert_int_equal(stats(e, VP_DOWN)->rx_packets, 1);
	assert_int_equal(stats(e, VP_FLAT)->rx_packets, 2);
	/* a dropped source is not learned */
	assert_int_equal(learned_port(e, NET_D, host_mac(3)), VSW_MAC_PORT_NONE);
	release_all(e);
	assert_pool_baseline(e);
}

static void
an_admin_down_uplink_drops_everything(void **state)
{
	struct env *e = *state;
	uint8_t in[100], tagged[104];
	struct rte_mbuf *pkts[3];
	size_t n;

	e->fib->uplinks[SLOT_TRUNK].admin_up = 0;
	n = plain(in, port_mac(P_A), host_mac(1), 100);
	tag(tagged, in, n, RTE_ETHER_TYPE_VLAN, VID_A);
	pkts[0] = mbuf_of(e, tagged, n + 4);
	pkts[1] = mbuf_of(e, in, n);
	pkts[2] = mbuf_of(e, in, 5);
	uplink_rx(e, P_TRUNK, pkts, 3);
	assert_nothing_sent(e);
	assert_int_equal(drops(e, P_TRUNK, VSW_DROP_ADMIN_DOWN), 3);
	assert_int_equal(stats(e, P_TRUNK)->rx_packets, 3);
	assert_int_equal(stats(e, P_TRUNK)->rx_bytes, n + 4 + n + 5);
	assert_int_equal(stats(e, VP_VLAN)->rx_packets, 0);
	assert_pool_baseline(e);
}

static void
a_burst_of_several_vports_keeps_order_per_network(void **state)
{
	static const uint8_t order_a[] = { 0, 2, 3, 5 }, order_b[] = { 1, 4 };
	struct env *e = *state;
	uint8_t a[80], b[90], ta[84];
	struct rte_mbuf *pkts[6];
	unsigned int i;

	plain(a, port_mac(P_A), host_mac(1), 80);
	plain(b, port_mac(P_B), host_mac(2), 90);
	tag(ta, a, 80, RTE_ETHER_TYPE_VLAN, VID_A);
	for (i = 0; i < 6; i++) {
		ta[79 + 4] = (uint8_t)i;
		b[89] = (uint8_t)i;
		pkts[i] = i % 3 == 1 ? mbuf_of(e, b, 90) : mbuf_of(e, ta, 84);
	}
	uplink_rx(e, P_TRUNK, pkts, 6);
	assert_int_equal(fake(e, P_A)->n_got, 4);
	assert_int_equal(fake(e, P_B)->n_got, 2);
	for (i = 0; i < 4; i++)
		assert_int_equal(rte_pktmbuf_mtod(fake(e, P_A)->got[i], uint8_t *)[79],
				 order_a[i]);
	for (i = 0; i < 2; i++)
		assert_int_equal(rte_pktmbuf_mtod(fake(e, P_B)->got[i], uint8_t *)[89],
				 order_b[i]);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- trunk egress --- */

static void
vlan_egress_tags_and_flat_does_not(void **state)
{
	struct env *e = *state;
	uint8_t in[100], tagged[104];
	struct rte_mbuf *m1, *m2;
	size_t n, nt;

	n = plain(in, host_mac(1), port_mac(P_A), 100);
	nt = tag(tagged, in, n, RTE_ETHER_TYPE_VLAN, VID_A);
	m1 = mbuf_of(e, in, n);
	m2 = mbuf_of(e, in, n);
	vsw_vlan_output(e->w, e->fib, VP_VLAN, m1);
	vsw_vlan_output(e->w, e->fib, VP_FLAT, m2);
	flush(e);
	assert_int_equal(fake(e, P_TRUNK)->n_got, 2);
	assert_ptr_equal(fake(e, P_TRUNK)->got[0], m1);   /* edited in place */
	assert_bytes(fake(e, P_TRUNK)->got[0], tagged, nt);
	assert_ptr_equal(fake(e, P_TRUNK)->got[1], m2);
	assert_bytes(fake(e, P_TRUNK)->got[1], in, n);
	assert_int_equal(stats(e, VP_VLAN)->tx_packets, 1);
	assert_int_equal(stats(e, VP_FLAT)->tx_packets, 1);
	assert_int_equal(stats(e, P_TRUNK)->tx_packets, 2);
	assert_int_equal(stats(e, P_TRUNK)->tx_bytes, nt + n);
	release_all(e);
	assert_pool_baseline(e);
}

static void
vlan_egress_checks_the_uplink_mtu(void **state)
{
	struct env *e = *state;
	static uint8_t in[MAX_FRAME + 1];
	struct rte_mbuf *ok, *big;

	plain(in, host_mac(1), port_mac(P_A), sizeof(in));
	ok = mbuf_of(e, in, MAX_FRAME);
	big = mbuf_of(e, in, MAX_FRAME + 1);
	vsw_vlan_output(e->w, e->fib, VP_VLAN, ok);
	vsw_vlan_output(e->w, e->fib, VP_VLAN, big);
	flush(e);
	assert_int_equal(fake(e, P_TRUNK)->n_got, 1);
	assert_int_equal(fake(e, P_TRUNK)->got[0]->pkt_len, MAX_FRAME + 4);
	assert_int_equal(drops(e, VP_VLAN, VSW_DROP_MTU), 1);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_shared_frame_is_copied_before_tagging(void **state)
{
	struct env *e = *state;
	uint8_t in[100], tagged[104];
	struct rte_mbuf *m;
	size_t n, nt;

	n = plain(in, host_mac(1), port_mac(P_A), 100);
	nt = tag(tagged, in, n, RTE_ETHER_TYPE_VLAN, VID_A);
	m = mbuf_of(e, in, n);
	rte_mbuf_refcnt_update(m, 1);       /* another egress holds it */
	vsw_vlan_output(e->w, e->fib, VP_VLAN, m);
	flush(e);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_bytes(m, in, n);
	assert_int_equal(fake(e, P_TRUNK)->n_got, 1);
	assert_ptr_not_equal(fake(e, P_TRUNK)->got[0], m);
	assert_bytes(fake(e, P_TRUNK)->got[0], tagged, nt);
	rte_pktmbuf_free(m);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_flooded_frame_reaches_the_trunk_tagged_and_the_vnic_untouched(void **state)
{
	struct env *e = *state;
	uint8_t in[100], tagged[104];
	struct rte_mbuf *m;
	size_t n, nt;

	n = plain(in, bcast, port_mac(P_A), 100);
	nt = tag(tagged, in, n, RTE_ETHER_TYPE_VLAN, VID_A);
	m = mbuf_of(e, in, n);
	assert_int_equal(vsw_classify_process(e->w, e->fib, P_A, &m, 1), 1);
	vsw_l2_fwd_process(e->w, e->fib, P_A, &m, 1);
	flush(e);
	assert_int_equal(fake(e, P_A2)->n_got, 1);
	assert_ptr_equal(fake(e, P_A2)->got[0], m);
	assert_bytes(m, in, n);
	assert_int_equal(fake(e, P_TRUNK)->n_got, 1);
	assert_ptr_not_equal(fake(e, P_TRUNK)->got[0], m);
	assert_bytes(fake(e, P_TRUNK)->got[0], tagged, nt);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- VXLAN ingress --- */

static void
vxlan_decap_delivers_the_inner_frame_and_learns_the_vtep(void **state)
{
	struct env *e = *state;
	uint8_t inner[128], outer[200];
	struct rte_mbuf *pkts[2];
	size_t ni, no;
	uint16_t nets[4];
	rte_be32_t ips[4];

	ni = inner_udp(inner, port_mac(P_C), host_mac(7), 1234, 80, 128, 0);
	no = vxlan_frame(outer, NEAR_IP, VNI_C, inner, ni);
	pkts[0] = mbuf_of(e, outer, no);
	pkts[1] = mbuf_of(e, outer, no);
	pkts[1]->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;

	uplink_rx(e, P_UNDER, pkts, 2);

	assert_int_equal(fake(e, P_C)->n_got, 2);
	assert_bytes(fake(e, P_C)->got[0], inner, ni);
	assert_bytes(fake(e, P_C)->got[1], inner, ni);
	/* the outer packet's offload results do not describe the inner one */
	assert_int_equal(fake(e, P_C)->got[1]->ol_flags &
			 (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK), 0);
	assert_int_equal(fake(e, P_UNDER)->n_got, 0);
	assert_int_equal(stats(e, P_UNDER)->rx_packets, 2);
	assert_int_equal(stats(e, P_UNDER)->rx_bytes, 2 * no);
	assert_int_equal(stats(e, VP_NEAR)->rx_packets, 2);
	assert_int_equal(stats(e, VP_NEAR)->rx_bytes, 2 * ni);
	assert_int_equal(total_drops(e, P_UNDER), 0);
	assert_int_equal(learned_port(e, NET_C, host_mac(7)), VP_NEAR);
	/* a known VTEP asks for nothing */
	assert_int_equal(vsw_punt_vtep_requests(e->punt, nets, ips, 4), 0);
	release_all(e);
	assert_pool_baseline(e);
}

static void
vxlan_decap_accepts_ip_options(void **state)
{
	struct env *e = *state;
	uint8_t inner[80], outer[200], opt[204];
	struct rte_mbuf *m;
	size_t ni, no;

	ni = plain(inner, port_mac(P_C), host_mac(7), 80);
	no = vxlan_frame(outer, NEAR_IP, VNI_C, inner, ni);
	/* the same packet with a 4-byte IP option (NOP x4) */
	memcpy(opt, outer, O_UDP);
	memset(opt + O_UDP, 1, 4);
	memcpy(opt + O_UDP + 4, outer + O_UDP, no - O_UDP);
	opt[O_IP] = 0x46;
	put16(opt + O_IP + 2, (uint16_t)(get16(outer + O_IP + 2) + 4));
	fix_ip_cksum(opt + O_IP);
	m = mbuf_of(e, opt, no + 4);
	uplink_rx(e, P_UNDER, &m, 1);
	assert_int_equal(fake(e, P_C)->n_got, 1);
	assert_bytes(fake(e, P_C)->got[0], inner, ni);
	release_all(e);
	assert_pool_baseline(e);
}

static void
vxlan_trailing_padding_is_trimmed(void **state)
{
	struct env *e = *state;
	uint8_t inner[60], outer[200];
	struct rte_mbuf *m;
	size_t ni, no;

	ni = plain(inner, port_mac(P_C), host_mac(7), 60);
	no = vxlan_frame(outer, NEAR_IP, VNI_C, inner, ni);
	memset(outer + no, 0xee, 6);          /* e.g. an FCS left by the NIC */
	m = mbuf_of(e, outer, no + 6);
	uplink_rx(e, P_UNDER, &m, 1);
	assert_int_equal(fake(e, P_C)->n_got, 1);
	assert_bytes(fake(e, P_C)->got[0], inner, ni);
	release_all(e);
	assert_pool_baseline(e);
}

static void
an_unknown_vtep_is_requested_once_and_uses_the_any_vtep_vport(void **state)
{
	struct env *e = *state;
	uint8_t inner[80], outer[200];
	struct rte_mbuf *pkts[3];
	uint16_t nets[4];
	rte_be32_t ips[4];
	size_t ni, no;
	unsigned int i;

	ni = plain(inner, port_mac(P_C), host_mac(8), 80);
	no = vxlan_frame(outer, STRANGER_IP, VNI_C, inner, ni);
	for (i = 0; i < 3; i++)
		pkts[i] = mbuf_of(e, outer, no);
	uplink_rx(e, P_UNDER, pkts, 2);
	uplink_rx(e, P_UNDER, pkts + 2, 1);

	assert_int_equal(fake(e, P_C)->n_got, 3);
	for (i = 0; i < 3; i++)
		assert_bytes(fake(e, P_C)->got[i], inner, ni);
	assert_int_equal(stats(e, VP_ANY)->rx_packets, 3);
	assert_int_equal(vsw_punt_vtep_requests(e->punt, nets, ips, 4), 1);
	assert_int_equal(nets[0], NET_C);
	assert_int_equal(ips[0], STRANGER_IP);
	/* nothing is learned against the shared vport */
	assert_int_equal(learned_port(e, NET_C, host_mac(8)), VSW_MAC_PORT_NONE);

	/* a second later it asks again (the first request may have been lost) */
	release_all(e);
	e->w->now_s++;
	pkts[0] = mbuf_of(e, outer, no);
	uplink_rx(e, P_UNDER, pkts, 1);
	assert_int_equal(vsw_punt_vtep_requests(e->punt, nets, ips, 4), 1);

	/* once the control thread made the vport, frames learn against it */
	release_all(e);
	e->fib->ports[VP_FAR].vxlan.remote_ip = STRANGER_IP;
	assert_int_equal(vsw_kvt_set(e->kvt, vsw_kvt_key(VSW_KVT_VTEP, NET_C,
			 rte_be_to_cpu_32(STRANGER_IP)), VP_FAR), 0);
	pkts[0] = mbuf_of(e, outer, no);
	uplink_rx(e, P_UNDER, pkts, 1);
	assert_int_equal(fake(e, P_C)->n_got, 1);
	assert_int_equal(stats(e, VP_FAR)->rx_packets, 1);
	assert_int_equal(learned_port(e, NET_C, host_mac(8)), VP_FAR);
	assert_int_equal(vsw_punt_vtep_requests(e->punt, nets, ips, 4), 0);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_broadcast_from_a_tunnel_floods_local_ports_only(void **state)
{
	struct env *e = *state;
	uint8_t inner[80], outer[200];
	struct rte_mbuf *m;
	size_t ni, no;

	ni = plain(inner, bcast, host_mac(7), 80);
	no = vxlan_frame(outer, NEAR_IP, VNI_C, inner, ni);
	m = mbuf_of(e, outer, no);
	uplink_rx(e, P_UNDER, &m, 1);
	assert_int_equal(fake(e, P_C)->n_got, 1);
	assert_bytes(fake(e, P_C)->got[0], inner, ni);
	assert_int_equal(fake(e, P_UNDER)->n_got, 0);
	assert_int_equal(stats(e, VP_FAR)->tx_packets, 0);
	release_all(e);
	assert_pool_baseline(e);
}

/* A valid VXLAN frame of the standard layout, to be broken by a test. */
static size_t
good_vxlan(uint8_t *p)
{
	uint8_t inner[100];
	size_t ni = plain(inner, port_mac(P_C), host_mac(7), sizeof(inner));

	return vxlan_frame(p, NEAR_IP, VNI_C, inner, ni);
}

struct bad_case {
	const char *what;
	enum vsw_drop reason;
};

static void
bad_underlay_frames_are_counted_by_reason(void **state)
{
	static const struct bad_case cases[] = {
		{ "unknown vni", VSW_DROP_UNKNOWN_VNI },
		{ "truncated ipv4", VSW_DROP_VXLAN_MALFORMED },
		{ "ip total length beyond the frame", VSW_DROP_VXLAN_MALFORMED },
		{ "truncated udp", VSW_DROP_VXLAN_MALFORMED },
		{ "truncated vxlan", VSW_DROP_VXLAN_MALFORMED },
		{ "udp length beyond ip", VSW_DROP_VXLAN_MALFORMED },
		{ "ihl 4", VSW_DROP_VXLAN_MALFORMED },
		{ "ihl 15 beyond the data", VSW_DROP_VXLAN_MALFORMED },
		{ "version 6", VSW_DROP_VXLAN_MALFORMED },
		{ "bad checksum", VSW_DROP_IP_CHECKSUM },
		{ "nic says bad checksum", VSW_DROP_IP_CHECKSUM },
		{ "more fragments", VSW_DROP_VXLAN_MALFORMED },
		{ "fragment offset", VSW_DROP_VXLAN_MALFORMED },
		{ "no I flag", VSW_DROP_VXLAN_MALFORMED },
		{ "udp to port 53", VSW_DROP_UNDERLAY_OTHER },
		{ "tcp", VSW_DROP_UNDERLAY_OTHER },
		{ "to another ip", VSW_DROP_UNDERLAY_OTHER },
		{ "to another mac", VSW_DROP_UNDERLAY_OTHER },
		{ "ipv6", VSW_DROP_UNDERLAY_OTHER },
		{ "runt", VSW_DROP_RUNT },
		{ "inner frame tagged", VSW_DROP_VLAN_TAGGED },
	};
	struct env *e = *state;
	uint8_t f[300];
	struct rte_mbuf *m;
	size_t len;
	unsigned int i;
	enum vsw_drop d;

	for (i = 0; i < RTE_DIM(cases); i++) {
		uint64_t before[VSW_DROP_MAX];
		uint16_t counted = P_UNDER;

		for (d = 0; d < VSW_DROP_MAX; d++)
			before[d] = drops(e, P_UNDER, d) + drops(e, VP_NEAR, d);
		len = good_vxlan(f);
		switch (i) {
		case 0:
			f[O_VX + 6] = 0x61;   /* VNI 0x001361 */
			break;
		case 1:
			len = O_IP + 19;
			break;
		case 2:
			put16(f + O_IP + 2, (uint16_t)(len - O_IP + 1));
			fix_ip_cksum(f + O_IP);
			break;
		case 3:
			put16(f + O_IP + 2, 20 + 4);
			fix_ip_cksum(f + O_IP);
			break;
		case 4:
			put16(f + O_UDP + 4, 8 + 4);
			break;
		case 5:
			put16(f + O_UDP + 4, (uint16_t)(len - O_UDP + 1));
			break;
		case 6:
			f[O_IP] = 0x44;
			fix_ip_cksum(f + O_IP);
			break;
		case 7:
			len = 60;
			f[O_IP] = 0x4f;
			put16(f + O_IP + 2, 46);
			break;
		case 8:
			f[O_IP] = 0x65;
			fix_ip_cksum(f + O_IP);
			break;
		case 9:
			f[O_IP + 10] ^= 0x01;
			break;
		case 10:
			break;        /* see below */
		case 11:
			f[O_IP + 6] = 0x20;           /* MF */
			fix_ip_cksum(f + O_IP);
			break;
		case 12:
			put16(f + O_IP + 6, 0x0010);  /* offset 128 */
			fix_ip_cksum(f + O_IP);
			break;
		case 13:
			f[O_VX] = 0x00;
			break;
		case 14:
			put16(f + O_UDP + 2, 53);
			break;
		case 15:
			f[O_IP + 9] = IPPROTO_TCP;
			fix_ip_cksum(f + O_IP);
			break;
		case 16:
			f[O_IP + 19] = 3;
			fix_ip_cksum(f + O_IP);
			break;
		case 17:
			f[5] = 0x77;
			break;
		case 18:
			put16(f + 12, RTE_ETHER_TYPE_IPV6);
			break;
		case 19:
			len = 13;
			break;
		case 20:
			put16(f + O_INNER + 12, RTE_ETHER_TYPE_VLAN);
			counted = VP_NEAR;
			break;
		}
		m = mbuf_of(e, f, len);
		if (i == 10)
			m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
		uplink_rx(e, P_UNDER, &m, 1);
		for (d = 0; d < VSW_DROP_MAX; d++) {
			uint64_t now = drops(e, P_UNDER, d) + drops(e, VP_NEAR, d);

			if (now - before[d] != (d == cases[i].reason ? 1u : 0u))
				fail_msg("case '%s': drop %s went %" PRIu64 " -> %" PRIu64,
					 cases[i].what, vsw_drop_key(d), before[d], now);
		}
		assert_int_equal(drops(e, counted, cases[i].reason) >= 1, 1);
		assert_nothing_sent(e);
		assert_int_equal(vsw_punt_dequeue(e->punt, &m, 1), 0);
	}
	assert_int_equal(stats(e, P_UNDER)->rx_packets, RTE_DIM(cases));
	assert_pool_baseline(e);
}

static void
arp_and_icmp_for_the_vtep_are_punted(void **state)
{
	struct env *e = *state;
	uint8_t arp[60], icmp[98], frag[98], arp_other[60];
	struct rte_mbuf *pkts[4], *got[8];
	struct vsw_pkt_meta meta[8];

	memset(arp, 0, sizeof(arp));
	put_eth(arp, bcast, near_mac(), RTE_ETHER_TYPE_ARP);
	memset(icmp, 0, sizeof(icmp));
	put_eth(icmp, vtep_mac(), near_mac(), RTE_ETHER_TYPE_IPV4);
	put_ipv4(icmp + O_IP, NEAR_IP, LOCAL_IP, IPPROTO_ICMP, 84, 0);
	icmp[O_IP + 20] = 8;
	memcpy(frag, icmp, sizeof(icmp));
	frag[O_IP + 6] = 0x20;
	fix_ip_cksum(frag + O_IP);
	memcpy(arp_other, arp, sizeof(arp));
	memcpy(arp_other, near_mac().addr_bytes, 6);     /* unicast, not to us */
	pkts[0] = mbuf_of(e, arp, sizeof(arp));
	pkts[1] = mbuf_of(e, icmp, sizeof(icmp));
	pkts[2] = mbuf_of(e, frag, sizeof(frag));
	pkts[3] = mbuf_of(e, arp_other, sizeof(arp_other));

	uplink_rx(e, P_UNDER, pkts, 4);

	assert_nothing_sent(e);
	assert_int_equal(punted(e, got, meta, 8), 2);
	assert_meta(&meta[0], P_UNDER, VSW_NET_NONE, VSW_PUNT_ARP);
	assert_bytes(got[0], arp, sizeof(arp));
	assert_meta(&meta[1], P_UNDER, VSW_NET_NONE, VSW_PUNT_LOCAL);
	assert_bytes(got[1], icmp, sizeof(icmp));
	assert_int_equal(drops(e, P_UNDER, VSW_DROP_UNDERLAY_OTHER), 2);
	rte_pktmbuf_free_bulk(got, 2);
	assert_pool_baseline(e);
}

static void
a_refused_punt_is_counted_on_the_uplink(void **state)
{
	struct env *e = *state;
	uint8_t arp[60];
	struct rte_mbuf *m;

	memset(arp, 0, sizeof(arp));
	put_eth(arp, bcast, near_mac(), RTE_ETHER_TYPE_ARP);
	e->w->punt_tb.tokens = 0;
	e->w->punt_tb.last_tsc = UINT64_MAX;     /* no refill */
	m = mbuf_of(e, arp, sizeof(arp));
	uplink_rx(e, P_UNDER, &m, 1);
	assert_int_equal(drops(e, P_UNDER, VSW_DROP_PUNT_RATELIMIT), 1);
	assert_int_equal(vsw_punt_dequeue(e->punt, &m, 1), 0);
	assert_pool_baseline(e);
}

/* --- VXLAN egress --- */

static uint16_t
udp_sport_of(const struct rte_mbuf *m)
{
	return get16(rte_pktmbuf_mtod(m, const uint8_t *) + O_UDP);
}

/* The whole expected frame, with the UDP source port the encapsulation
 * chose (checked separately). */
static void
assert_encap(const struct rte_mbuf *m, struct rte_ether_addr dst_mac,
	     rte_be32_t dst_ip, uint8_t tos, const uint8_t *inner, size_t ni)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t want[2000];
	uint16_t sport;

	assert_int_equal(m->pkt_len, ni + VSW_VXLAN_OVERHEAD);
	assert_int_equal(m->nb_segs, 1);
	memset(want, 0, O_INNER);
	put_eth(want, dst_mac, vtep_mac(), RTE_ETHER_TYPE_IPV4);
	want[O_IP] = 0x45;
	want[O_IP + 1] = tos;
	put16(want + O_IP + 2, (uint16_t)(ni + 36));
	put16(want + O_IP + 4, 0);
	put16(want + O_IP + 6, 0x4000);       /* DF */
	want[O_IP + 8] = 64;
	want[O_IP + 9] = IPPROTO_UDP;
	memcpy(want + O_IP + 12, &(rte_be32_t){ LOCAL_IP }, 4);
	memcpy(want + O_IP + 16, &dst_ip, 4);
	fix_ip_cksum(want + O_IP);
	sport = udp_sport_of(m);
	assert_true(sport >= 49152);
	put16(want + O_UDP, sport);
	put16(want + O_UDP + 2, 4789);
	put16(want + O_UDP + 4, (uint16_t)(ni + 16));
	put16(want + O_UDP + 6, 0);
	want[O_VX] = 0x08;
	want[O_VX + 4] = (uint8_t)(VNI_C >> 16);
	want[O_VX + 5] = (uint8_t)(VNI_C >> 8);
	want[O_VX + 6] = (uint8_t)VNI_C;
	memcpy(want + O_INNER, inner, ni);
	assert_memory_equal(p, want, ni + O_INNER);
	/* independent of the builder above: the header sums to all ones */
	assert_int_equal(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(p + O_IP)), 0);
}

static struct rte_mbuf *
encap_one(struct env *e, uint16_t vport, const uint8_t *inner, size_t ni)
{
	struct rte_mbuf *m = mbuf_of(e, inner, ni);
	const struct fake_port *f = fake(e, P_UNDER);

	vsw_vxlan_output(e->w, e->fib, vport, m);
	flush(e);
	return f->n_got != 0 ? f->got[f->n_got - 1] : NULL;
}

static void
vxlan_encap_builds_exact_outer_headers(void **state)
{
	struct env *e = *state;
	uint8_t inner[200];
	struct rte_mbuf *m;
	size_t ni;

	/* DSCP 46 (EF) and ECN CE: the DSCP is copied, the ECN is not */
	ni = inner_udp(inner, host_mac(7), port_mac(P_C), 1000, 2000, 200, 46 << 2 | 3);
	m = encap_one(e, VP_NEAR, inner, ni);
	assert_non_null(m);
	assert_encap(m, near_mac(), NEAR_IP, 46 << 2, inner, ni);
	assert_int_equal(m->l2_len, RTE_ETHER_HDR_LEN);
	assert_int_equal(m->l3_len, sizeof(struct rte_ipv4_hdr));
	assert_int_equal(stats(e, VP_NEAR)->tx_packets, 1);
	assert_int_equal(stats(e, VP_NEAR)->tx_bytes, ni);
	assert_int_equal(stats(e, P_UNDER)->tx_packets, 1);
	assert_int_equal(stats(e, P_UNDER)->tx_bytes, ni + 50);

	/* not IPv4 inside: TOS 0 */
	ni = plain(inner, host_mac(7), port_mac(P_C), 64);
	m = encap_one(e, VP_NEAR, inner, ni);
	assert_encap(m, near_mac(), NEAR_IP, 0, inner, ni);
	release_all(e);
	assert_pool_baseline(e);
}

static void
the_udp_source_port_follows_the_inner_flow(void **state)
{
	struct env *e = *state;
	uint8_t inner[128];
	uint16_t s[6];
	size_t ni;
	unsigned int i;

	ni = inner_udp(inner, host_mac(7), port_mac(P_C), 1000, 2000, 128, 0);
	s[0] = udp_sport_of(encap_one(e, VP_NEAR, inner, ni));
	inner[ni - 1] ^= 0xff;           /* same flow, other payload */
	s[1] = udp_sport_of(encap_one(e, VP_NEAR, inner, ni));
	ni = inner_udp(inner, host_mac(7), port_mac(P_C), 1001, 2000, 128, 0);
	s[2] = udp_sport_of(encap_one(e, VP_NEAR, inner, ni));
	ni = inner_udp(inner, host_mac(7), port_mac(P_C), 1000, 2001, 128, 0);
	s[3] = udp_sport_of(encap_one(e, VP_NEAR, inner, ni));
	ni = inner_udp(inner, host_mac(9), port_mac(P_C), 1000, 2000, 128, 0);
	s[4] = udp_sport_of(encap_one(e, VP_NEAR, inner, ni));
	for (i = 0; i < 5; i++)
		assert_true(s[i] >= 49152);
	assert_int_equal(s[0], s[1]);
	assert_int_not_equal(s[0], s[2]);
	assert_int_not_equal(s[0], s[3]);
	assert_int_not_equal(s[0], s[4]);
	assert_int_not_equal(s[2], s[3]);

	/* a NIC's RSS hash is used as it is */
	{
		struct rte_mbuf *m = mbuf_of(e, inner, ni);
		uint32_t h = 0x12345678;

		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		m->hash.rss = h;
		vsw_vxlan_output(e->w, e->fib, VP_NEAR, m);
		flush(e);
		s[5] = udp_sport_of(fake(e, P_UNDER)->got[fake(e, P_UNDER)->n_got - 1]);
		assert_int_equal(s[5], 49152 + ((h ^ h >> 16) & 0x3fff));
	}
	release_all(e);
	assert_pool_baseline(e);
}

static void
an_off_link_vtep_goes_through_the_gateway(void **state)
{
	struct env *e = *state;
	uint8_t inner[100];
	struct rte_mbuf *m, *got[2];
	struct vsw_pkt_meta meta[2];
	size_t ni;

	ni = plain(inner, host_mac(7), port_mac(P_C), 100);
	m = encap_one(e, VP_FAR, inner, ni);
	assert_non_null(m);
	/* the gateway's MAC, the VTEP's address */
	assert_encap(m, gw_mac(), FAR_IP, 0, inner, ni);

	/* without a gateway the VTEP is resolved directly (and unknown here) */
	release_all(e);
	e->fib->uplinks[SLOT_UNDER].gateway_ip = 0;
	assert_null(encap_one(e, VP_FAR, inner, ni));
	assert_int_equal(punted(e, got, meta, 2), 1);
	assert_int_equal(meta[0].ip, FAR_IP);
	rte_pktmbuf_free(got[0]);

	/* an on-link VTEP never uses the gateway */
	e->fib->uplinks[SLOT_UNDER].gateway_ip = GW_IP;
	m = encap_one(e, VP_NEAR, inner, ni);
	assert_encap(m, near_mac(), NEAR_IP, 0, inner, ni);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_neighbour_miss_punts_the_inner_frame_for_resolution(void **state)
{
	struct env *e = *state;
	uint8_t inner[100];
	struct rte_mbuf *m, *got[4];
	struct vsw_pkt_meta meta[4];
	size_t ni;

	assert_int_equal(vsw_kvt_del(e->kvt, vsw_kvt_neigh_key(VSW_NEIGH_SCOPE_UPLINK |
								SLOT_UNDER, NEAR_IP)), 0);
	ni = plain(inner, host_mac(7), port_mac(P_C), 100);
	assert_null(encap_one(e, VP_NEAR, inner, ni));

	/* a shared frame: the punted one is a private copy */
	m = mbuf_of(e, inner, ni);
	rte_mbuf_refcnt_update(m, 1);
	vsw_vxlan_output(e->w, e->fib, VP_NEAR, m);
	flush(e);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_bytes(m, inner, ni);

	assert_int_equal(punted(e, got, meta, 4), 2);
	assert_ptr_not_equal(got[1], m);
	rte_pktmbuf_free(m);
	for (unsigned int i = 0; i < 2; i++) {
		assert_meta(&meta[i], VP_NEAR, NET_C, VSW_PUNT_RESOLVE);
		assert_int_equal(meta[i].scope, VSW_NEIGH_SCOPE_UPLINK | SLOT_UNDER);
		assert_int_equal(meta[i].ip, NEAR_IP);
		assert_bytes(got[i], inner, ni);
	}
	assert_int_equal(stats(e, VP_NEAR)->tx_packets, 0);
	assert_nothing_sent(e);

	/* re-injected once the neighbour is known (inject kind PORT) */
	set_neigh(e, NEAR_IP, near_mac());
	vsw_port_output(e->w, e->fib, VP_NEAR, VP_NEAR, got[0]);
	vsw_port_output(e->w, e->fib, VP_NEAR, VP_NEAR, got[1]);
	flush(e);
	assert_int_equal(fake(e, P_UNDER)->n_got, 2);
	assert_encap(fake(e, P_UNDER)->got[0], near_mac(), NEAR_IP, 0, inner, ni);
	release_all(e);
	assert_pool_baseline(e);
}

static void
the_any_vtep_vport_sends_nothing(void **state)
{
	struct env *e = *state;
	uint8_t inner[80];
	struct rte_mbuf *m;

	plain(inner, host_mac(7), port_mac(P_C), 80);
	assert_null(encap_one(e, VP_ANY, inner, 80));
	assert_int_equal(drops(e, VP_ANY, VSW_DROP_NO_PORT), 1);
	assert_int_equal(vsw_punt_dequeue(e->punt, &m, 1), 0);
	assert_pool_baseline(e);
}

static void
vxlan_egress_accounts_for_the_overhead(void **state)
{
	struct env *e = *state;
	static uint8_t inner[MAX_FRAME];
	size_t fits = MTU + RTE_ETHER_HDR_LEN - VSW_VXLAN_OVERHEAD;

	plain(inner, host_mac(7), port_mac(P_C), sizeof(inner));
	assert_non_null(encap_one(e, VP_NEAR, inner, fits));
	assert_int_equal(fake(e, P_UNDER)->got[0]->pkt_len, MTU + RTE_ETHER_HDR_LEN);
	encap_one(e, VP_NEAR, inner, fits + 1);
	assert_int_equal(fake(e, P_UNDER)->n_got, 1);
	assert_int_equal(drops(e, VP_NEAR, VSW_DROP_MTU), 1);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_frame_without_headroom_gets_a_header_segment(void **state)
{
	struct env *e = *state;
	uint8_t inner[100];
	struct rte_mbuf *m;
	const uint8_t *p;
	uint8_t out[200];
	size_t ni;

	ni = plain(inner, host_mac(7), port_mac(P_C), 100);
	m = rte_pktmbuf_alloc(e->pool);
	assert_non_null(m);
	m->data_off = 10;
	memcpy(rte_pktmbuf_append(m, (uint16_t)ni), inner, ni);
	vsw_vxlan_output(e->w, e->fib, VP_NEAR, m);
	flush(e);
	assert_int_equal(fake(e, P_UNDER)->n_got, 1);
	m = fake(e, P_UNDER)->got[0];
	assert_int_equal(m->nb_segs, 2);
	assert_int_equal(m->pkt_len, ni + 50);
	p = rte_pktmbuf_read(m, 0, ni + 50, out);
	assert_non_null(p);
	assert_memory_equal(p + O_INNER, inner, ni);
	assert_int_equal(get16(p + O_UDP + 2), 4789);
	assert_int_equal(get16(p + O_IP + 2), ni + 36);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_flood_reaches_every_vtep_encapsulated(void **state)
{
	struct env *e = *state;
	uint8_t inner[100];
	struct rte_mbuf *m;
	const struct fake_port *f = fake(e, P_UNDER);
	size_t ni;

	ni = plain(inner, bcast, port_mac(P_C), 100);
	m = mbuf_of(e, inner, ni);
	assert_int_equal(vsw_classify_process(e->w, e->fib, P_C, &m, 1), 1);
	vsw_l2_fwd_process(e->w, e->fib, P_C, &m, 1);
	flush(e);
	assert_int_equal(f->n_got, 2);
	assert_encap(f->got[0], near_mac(), NEAR_IP, 0, inner, ni);
	assert_encap(f->got[1], gw_mac(), FAR_IP, 0, inner, ni);
	assert_int_equal(rte_mbuf_refcnt_read(f->got[0]), 1);
	assert_int_equal(rte_mbuf_refcnt_read(f->got[1]), 1);
	assert_ptr_not_equal(f->got[0], f->got[1]);
	assert_int_equal(stats(e, P_C)->flooded, 1);
	release_all(e);
	assert_pool_baseline(e);
}

static void
encap_then_decap_is_the_identity(void **state)
{
	struct env *e = *state;
	uint8_t inner[300];
	struct rte_mbuf *m;
	size_t ni;

	ni = inner_udp(inner, port_mac(P_C), host_mac(7), 5, 6, 300, 0);
	m = encap_one(e, VP_NEAR, inner, ni);
	assert_non_null(m);
	e->fake[P_UNDER].n_got = 0;
	/* as if the remote VTEP sent it back to us */
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, O_IP)->dst_addr = LOCAL_IP;
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, O_IP)->src_addr = NEAR_IP;
	fix_ip_cksum(rte_pktmbuf_mtod_offset(m, uint8_t *, O_IP));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), vtep_mac().addr_bytes, 6);
	uplink_rx(e, P_UNDER, &m, 1);
	assert_int_equal(fake(e, P_C)->n_got, 1);
	assert_bytes(fake(e, P_C)->got[0], inner, ni);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- benchmark (VSW_OVERLAY_BENCH=1): never part of the test run --- */

#define BENCH_BURST 32

enum bench_dir { BENCH_ENCAP, BENCH_DECAP };

struct bench_case {
	const char *name;
	enum bench_dir dir;
	uint32_t ws;              /* mbufs cycled through */
	uint32_t flows;           /* distinct inner UDP flows */
};

static const struct bench_case bench_cases[] = {
	{ "encap_1flow_hot",    BENCH_ENCAP, BENCH_BURST, 1 },
	{ "encap_1kflow_ws8k",  BENCH_ENCAP, 8192,        1024 },
	{ "decap_1flow_hot",    BENCH_DECAP, BENCH_BURST, 1 },
	{ "decap_1kflow_ws8k",  BENCH_DECAP, 8192,        1024 },
};

/* A sink that puts each frame back as it was before the pass (the outer
 * headers are removed again after encap, restored after decap: their
 * bytes are still in the buffer), so the next pass reuses it. Plain stores
 * of the known layout: about a cycle a packet. */
#define BENCH_INNER 64

static void
bench_reset(struct rte_mbuf **pkts, uint16_t n, uint16_t len)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		pkts[i]->data_off = RTE_PKTMBUF_HEADROOM;
		pkts[i]->data_len = len;
		pkts[i]->pkt_len = len;
	}
}

static uint16_t
bench_encap_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts,
	       uint16_t n)
{
	struct fake_port *f = container_of(p, struct fake_port, p);

	RTE_SET_USED(w);
	bench_reset(pkts, n, BENCH_INNER);
	f->n_got += n;
	return n;
}

static uint16_t
bench_decap_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts,
	       uint16_t n)
{
	struct fake_port *f = container_of(p, struct fake_port, p);

	RTE_SET_USED(w);
	bench_reset(pkts, n, BENCH_INNER + VSW_VXLAN_OVERHEAD);
	f->n_got += n;
	return n;
}

static const struct vsw_dp_port_ops bench_encap_ops = { .rx = fake_rx, .tx = bench_encap_tx };
static const struct vsw_dp_port_ops bench_decap_ops = { .rx = fake_rx, .tx = bench_decap_tx };

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One pass; encap is VNIC ingress (classify, l2_fwd to the tunnel's MAC,
 * encapsulation, flush), decap is uplink ingress (decapsulation, l2_fwd,
 * flush). */
static uint64_t
bench_pass(struct env *e, const struct bench_case *c, struct rte_mbuf **ws,
	   uint64_t n_bursts)
{
	struct rte_mbuf *burst[BENCH_BURST];
	uint64_t b, t0 = rte_rdtsc_precise();
	uint32_t pos = 0;
	uint16_t kept;

	for (b = 0; b < n_bursts; b++) {
		memcpy(burst, &ws[pos], sizeof(burst));
		pos = pos + BENCH_BURST == c->ws ? 0 : pos + BENCH_BURST;
		if (c->dir == BENCH_ENCAP) {
			kept = vsw_classify_process(e->w, e->fib, P_C, burst, BENCH_BURST);
			vsw_l2_fwd_process(e->w, e->fib, P_C, burst, kept);
		} else {
			vsw_uplink_rx_process(e->w, e->fib, P_UNDER, burst, BENCH_BURST);
		}
		vsw_txbuf_flush_all(e->w);
	}
	return rte_rdtsc_precise() - t0;
}

static void
bench_run(const struct bench_case *c, uint64_t n_pkts, unsigned int reps)
{
	struct env *e = env_create();
	struct rte_mbuf **ws = calloc(c->ws, sizeof(*ws));
	double *cpp = calloc(reps, sizeof(*cpp));
	uint64_t bursts = n_pkts / BENCH_BURST, pkts = bursts * BENCH_BURST;
	uint16_t sink = c->dir == BENCH_ENCAP ? P_UNDER : P_C;
	uint8_t inner[BENCH_INNER], outer[BENCH_INNER + VSW_VXLAN_OVERHEAD];
	unsigned int r;
	uint32_t i;

	assert_non_null(ws);
	assert_non_null(cpp);
	/* the remote MAC is known behind the near VTEP */
	add_static_mac(e, NET_C, host_mac(7), VP_NEAR);
	e->fake[sink].p.ops = c->dir == BENCH_ENCAP ? &bench_encap_ops : &bench_decap_ops;
	for (i = 0; i < c->ws; i++) {
		uint16_t flow = (uint16_t)(i % c->flows);

		if (c->dir == BENCH_ENCAP) {
			inner_udp(inner, host_mac(7), port_mac(P_C), (uint16_t)(1000 + flow),
				  2000, BENCH_INNER, 0);
			ws[i] = mbuf_of(e, inner, BENCH_INNER);
		} else {
			inner_udp(inner, port_mac(P_C), host_mac(7), (uint16_t)(1000 + flow),
				  2000, BENCH_INNER, 0);
			ws[i] = mbuf_of(e, outer, vxlan_frame(outer, NEAR_IP, VNI_C, inner,
							      BENCH_INNER));
			put16(rte_pktmbuf_mtod_offset(ws[i], uint8_t *, O_UDP),
			      (uint16_t)(49152 + flow));
		}
	}
	bench_pass(e, c, ws, bursts);
	for (r = 0; r < reps; r++)
		cpp[r] = (double)bench_pass(e, c, ws, bursts) / (double)pkts;
	if (e->fake[sink].n_got != (reps + 1) * pkts)
		printf("overlay bench: %s: WRONG RESULT (%u sent of %" PRIu64 ")\n",
		       c->name, e->fake[sink].n_got, (reps + 1) * pkts);
	qsort(cpp, reps, sizeof(cpp[0]), cmp_double);
	printf("overlay bench: %-18s %6.1f cycles/packet min, %6.1f p10, %6.1f median "
	       "(%u x %" PRIu64 " packets)\n", c->name, cpp[0], cpp[reps / 10],
	       cpp[reps / 2], reps, pkts);
	e->fake[sink].n_got = 0;
	rte_pktmbuf_free_bulk(ws, c->ws);
	free(ws);
	free(cpp);
	env_destroy(e);
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoull(v, NULL, 0) : dflt;
}

static void
bench_all(void **state)
{
	const char *only = getenv("VSW_OVERLAY_BENCH_CASE");
	uint64_t n_pkts = RTE_MAX(env_u64("VSW_OVERLAY_BENCH_PKTS", 50000),
				  (uint64_t)BENCH_BURST);
	unsigned int reps = (unsigned int)RTE_MIN(env_u64("VSW_OVERLAY_BENCH_REPS", 200),
						  (uint64_t)100000);
	unsigned int i;

	RTE_SET_USED(state);
	printf("overlay bench: TSC %.3f GHz, burst %u, 64-byte inner frames "
	       "(IPv4/UDP), tx sink resets the mbufs\n",
	       rte_get_tsc_hz() / 1e9, BENCH_BURST);
	for (i = 0; i < RTE_DIM(bench_cases); i++)
		if (only == NULL || strcmp(only, bench_cases[i].name) == 0)
			bench_run(&bench_cases[i], n_pkts, RTE_MAX(reps, 1u));
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	if (vsw_eal_env_start("test_overlay", "vsw-test-overlay", 256,
			      "lib.*:warning") < 0)
		return -1;
	test_pool = rte_pktmbuf_pool_create("ovt_pool", POOL_SIZE, 256, 0,
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
		T(vlan_ingress_selects_the_network_strips_the_tag_and_learns),
		T(a_learned_mac_behind_the_trunk_is_a_unicast_destination),
		T(a_tag_stripped_by_the_nic_selects_the_network_too),
		T(trunk_drops_are_counted_by_reason),
		T(untagged_on_a_vlan_only_trunk_is_unknown_vlan),
		T(vport_checks_count_against_the_vport),
		T(an_admin_down_uplink_drops_everything),
		T(a_burst_of_several_vports_keeps_order_per_network),
		T(vlan_egress_tags_and_flat_does_not),
		T(vlan_egress_checks_the_uplink_mtu),
		T(a_shared_frame_is_copied_before_tagging),
		T(a_flooded_frame_reaches_the_trunk_tagged_and_the_vnic_untouched),
		T(vxlan_decap_delivers_the_inner_frame_and_learns_the_vtep),
		T(vxlan_decap_accepts_ip_options),
		T(vxlan_trailing_padding_is_trimmed),
		T(an_unknown_vtep_is_requested_once_and_uses_the_any_vtep_vport),
		T(a_broadcast_from_a_tunnel_floods_local_ports_only),
		T(bad_underlay_frames_are_counted_by_reason),
		T(arp_and_icmp_for_the_vtep_are_punted),
		T(a_refused_punt_is_counted_on_the_uplink),
		T(vxlan_encap_builds_exact_outer_headers),
		T(the_udp_source_port_follows_the_inner_flow),
		T(an_off_link_vtep_goes_through_the_gateway),
		T(a_neighbour_miss_punts_the_inner_frame_for_resolution),
		T(the_any_vtep_vport_sends_nothing),
		T(vxlan_egress_accounts_for_the_overhead),
		T(a_frame_without_headroom_gets_a_header_segment),
		T(a_flood_reaches_every_vtep_encapsulated),
		T(encap_then_decap_is_the_identity),
	};
	const struct CMUnitTest bench[] = {
		cmocka_unit_test(bench_all),
	};
	const char *b = getenv("VSW_OVERLAY_BENCH");

	if (b != NULL && strcmp(b, "1") == 0)
		return cmocka_run_group_tests_name("overlay_bench", bench, setup_eal,
						   teardown_eal);
	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
