/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L2 pipeline stages (classify -> l2_fwd -> txbuf flush) on a hand-built
 * worker, fib and MAC table, with fake ports that keep what they are sent so
 * refcounts and the pool's in-use count can be checked.
 *
 * VSW_L2_BENCH=1 runs a cycles-per-packet benchmark instead of the tests
 * (VSW_L2_BENCH_PKTS: packets per repetition, VSW_L2_BENCH_REPS,
 * VSW_L2_BENCH_CASE: run only the case of that name).
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

#include "eal_env.h"
#include "fib.h"
#include "mac_table.h"
#include "worker.h"

#define N_FAKE 8            /* fake ports 0..7 */
#define FAKE_CAP 512        /* mbufs one fake port keeps */
#define POOL_SIZE 16383
#define MTU 1500
#define MAX_FRAME (MTU + RTE_ETHER_HDR_LEN)
#define ETHER_TYPE_LOCAL 0x88b5  /* IEEE local experimental: no L3 checks */
#define NOW_S 100

/*
 * Topology of every test: network 0 = ports 0..3, network 1 = ports 4, 5,
 * network 2 = port 6 alone, port 7 unplugged. Port i owns MAC 02::(i+1),
 * a static entry of its network's MAC table.
 */
#define NET_A 0
#define NET_B 1
#define NET_C 2
#define PORT_UNPLUGGED 7

struct fake_port {
	struct vsw_dp_port p;
	uint16_t accept;          /* most packets one tx call takes */
	unsigned int tx_calls;
	unsigned int n_got;
	struct rte_mbuf *got[FAKE_CAP];
};

struct env {
	struct rte_mempool *pool;
	struct vsw_mac_table *macs;
	struct vsw_fib *fib;
	struct vsw_worker *w;
	struct vsw_dp_port **ports;          /* [VSW_DP_MAX_PORTS] */
	struct fake_port fake[N_FAKE];
	unsigned int baseline;               /* pool in-use count at setup */
};

static struct rte_mempool *test_pool;

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

/* Keeps what it accepts; frees the rest, as the ops contract says. */
static uint16_t
fake_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts,
	uint16_t n)
{
	struct fake_port *f = container_of(p, struct fake_port, p);
	uint16_t take = RTE_MIN(n, f->accept), i;

	RTE_SET_USED(w);
	f->tx_calls++;
	for (i = 0; i < take; i++) {
		assert_true(f->n_got < FAKE_CAP);
		f->got[f->n_got++] = pkts[i];
	}
	rte_pktmbuf_free_bulk(pkts + take, n - take);
	return take;
}

static const struct vsw_dp_port_ops fake_ops = {
	.rx = fake_rx,
	.tx = fake_tx,
};

/* --- frames --- */

static struct rte_ether_addr
port_mac(unsigned int port)
{
	struct rte_ether_addr a = {{ 0x02, 0, 0, 0, 0, (uint8_t)(port + 1) }};

	return a;
}

static struct rte_ether_addr
host_mac(uint32_t i)
{
	struct rte_ether_addr a = {{ 0x02, 0x10, (uint8_t)(i >> 24),
				     (uint8_t)(i >> 16), (uint8_t)(i >> 8),
				     (uint8_t)i }};

	return a;
}

static const struct rte_ether_addr bcast_mac = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
static const struct rte_ether_addr mcast_mac = {{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 }};
static const struct rte_ether_addr unknown_mac = {{ 0x02, 0x99, 0, 0, 0, 0x01 }};

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

/* A frame of len bytes (zero padded); len < 14 makes a runt. */
static struct rte_mbuf *
frame_in(struct rte_mempool *pool, struct rte_ether_addr dst,
	 struct rte_ether_addr src, uint16_t type, uint16_t len)
{
	struct rte_ether_hdr h = { .dst_addr = dst, .src_addr = src,
				   .ether_type = rte_cpu_to_be_16(type) };
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *data;

	assert_non_null(m);
	data = rte_pktmbuf_append(m, len);
	assert_non_null(data);
	memset(data, 0, len);
	memcpy(data, &h, RTE_MIN((size_t)len, sizeof(h)));
	return m;
}

static struct rte_mbuf *
frame(struct env *e, struct rte_ether_addr dst, struct rte_ether_addr src,
      uint16_t len)
{
	return frame_in(e->pool, dst, src, ETHER_TYPE_LOCAL, len);
}

static void
set_ipv4(struct rte_mbuf *m, rte_be32_t src_ip)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src_ip;
	ip->dst_addr = ip4(10, 0, 0, 200);
}

static struct rte_mbuf *
frame_ipv4_in(struct rte_mempool *pool, struct rte_ether_addr dst,
	      struct rte_ether_addr src, rte_be32_t src_ip, uint16_t len)
{
	struct rte_mbuf *m = frame_in(pool, dst, src, RTE_ETHER_TYPE_IPV4, len);

	set_ipv4(m, src_ip);
	return m;
}

/* --- environment --- */

static void
add_net(struct vsw_fib *fib, uint16_t net, const uint16_t *members, uint16_t n,
	uint32_t *off)
{
	uint16_t i;

	fib->nets[net].flood_off = *off;
	fib->nets[net].n_flood = n;
	fib->nets[net].n_local = n;
	fib->nets[net].admin_up = 1;
	for (i = 0; i < n; i++) {
		struct vsw_fib_port *fp = &fib->ports[members[i]];

		fib->flood[(*off)++] = members[i];
		fp->net = net;
		fp->kind = VSW_FP_VNIC;
		fp->admin_up = 1;
		fp->max_frame = MAX_FRAME;
	}
}

static void
add_port_mac(struct env *e, uint16_t port)
{
	struct rte_ether_addr a = port_mac(port);

	assert_int_equal(vsw_mac_table_add_static(e->macs, e->fib->ports[port].net,
						  &a, port), 0);
}

static struct env *
env_create(uint32_t mac_capacity)
{
	struct vsw_mac_table_params mp = {
		.name = "l2t_macs",
		.capacity = mac_capacity,
		.learn_ring_size = 256,
		.qsbr = NULL,
		.socket_id = SOCKET_ID_ANY,
	};
	struct env *e = calloc(1, sizeof(*e));
	struct vsw_worker *w;
	unsigned int i;

	assert_non_null(e);
	e->pool = test_pool;
	e->baseline = rte_mempool_in_use_count(e->pool);
	e->macs = vsw_mac_table_create(&mp);
	assert_non_null(e->macs);
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
		f->accept = UINT16_MAX;
		e->ports[i] = &f->p;
	}
	w = rte_zmalloc("l2t_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	assert_non_null(w);
	w->id = 0;
	w->burst = 32;
	w->ports = e->ports;
	w->fib = &e->fib;
	w->macs = e->macs;
	w->now_s = NOW_S;
	w->tsc_hz = rte_get_tsc_hz();
	w->txbufs = rte_zmalloc("l2t_txbufs",
				VSW_DP_MAX_PORTS * sizeof(*w->txbufs),
				RTE_CACHE_LINE_SIZE);
	w->port_stats = rte_zmalloc("l2t_stats",
				    VSW_FIB_MAX_PORTS * sizeof(*w->port_stats),
				    RTE_CACHE_LINE_SIZE);
	assert_non_null(w->txbufs);
	assert_non_null(w->port_stats);
	e->w = w;
	return e;
}

/* The standard topology described above. */
static struct env *
env_standard(void)
{
	static const uint16_t net_a[] = { 0, 1, 2, 3 };
	static const uint16_t net_b[] = { 4, 5 };
	static const uint16_t net_c[] = { 6 };
	struct env *e = env_create(1024);
	uint32_t off = 0;
	uint16_t p;

	e->fib = vsw_fib_alloc(3, RTE_DIM(net_a) + RTE_DIM(net_b) + RTE_DIM(net_c), 0);
	assert_non_null(e->fib);
	add_net(e->fib, NET_A, net_a, RTE_DIM(net_a), &off);
	add_net(e->fib, NET_B, net_b, RTE_DIM(net_b), &off);
	add_net(e->fib, NET_C, net_c, RTE_DIM(net_c), &off);
	for (p = 0; p < PORT_UNPLUGGED; p++)
		add_port_mac(e, p);
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

/* Nothing leaked and nothing freed twice (a double free would go below). */
static void
assert_pool_baseline(const struct env *e)
{
	assert_int_equal(rte_mempool_in_use_count(e->pool), e->baseline);
}

/* Frees everything first (a failed test must not break the next one's
 * setup), then checks the pool. */
static void
env_destroy(struct env *e)
{
	unsigned int in_use, baseline = e->baseline, i;

	release_all(e);
	for (i = 0; i < N_FAKE; i++)
		rte_pktmbuf_free_bulk(e->w->txbufs[i].pkts, e->w->txbufs[i].n);
	in_use = rte_mempool_in_use_count(e->pool);
	rte_free(e->w->txbufs);
	rte_free(e->w->port_stats);
	rte_free(e->w);
	vsw_fib_free(e->fib);
	vsw_mac_table_free(e->macs);
	free(e->ports);
	free(e);
	assert_int_equal(in_use, baseline);
}

static int
setup_env(void **state)
{
	*state = env_standard();
	return 0;
}

static int
teardown_env(void **state)
{
	env_destroy(*state);
	return 0;
}

static uint16_t
run_burst(struct env *e, uint16_t in, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t kept = vsw_classify_process(e->w, e->fib, in, pkts, n);
	unsigned int i;

	if (kept != 0)
		vsw_l2_fwd_process(e->w, e->fib, in, pkts, kept);
	vsw_txbuf_flush_all(e->w);
	assert_int_equal(e->w->n_dirty, 0);
	for (i = 0; i < N_FAKE; i++)
		assert_int_equal(e->w->txbufs[i].n, 0);
	return kept;
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

/* Port got exactly these mbufs, in this order. */
static void
assert_got(const struct env *e, uint16_t port, struct rte_mbuf *const *want,
	   unsigned int n)
{
	const struct fake_port *f = &e->fake[port];
	unsigned int i;

	assert_int_equal(f->n_got, n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(f->got[i], want[i]);
}

static void
assert_got_nothing(const struct env *e, uint16_t port)
{
	assert_int_equal(e->fake[port].n_got, 0);
}

static uint64_t
sum_len(struct rte_mbuf *const *pkts, unsigned int n)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += pkts[i]->pkt_len;
	return sum;
}

/* --- forwarding --- */

static void
known_unicast_reaches_only_its_port(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[5], *orig[5];
	unsigned int i;

	pkts[0] = frame(e, port_mac(1), port_mac(0), 60);
	pkts[1] = frame(e, port_mac(2), port_mac(0), 100);
	pkts[2] = frame(e, port_mac(3), port_mac(0), 200);
	pkts[3] = frame(e, port_mac(1), port_mac(0), 300);
	pkts[4] = frame(e, port_mac(2), port_mac(0), 1514);
	memcpy(orig, pkts, sizeof(pkts));

	assert_int_equal(run_burst(e, 0, pkts, 5), 5);

	assert_got(e, 1, (struct rte_mbuf *[]){ orig[0], orig[3] }, 2);
	assert_got(e, 2, (struct rte_mbuf *[]){ orig[1], orig[4] }, 2);
	assert_got(e, 3, (struct rte_mbuf *[]){ orig[2] }, 1);
	assert_got_nothing(e, 0);
	for (i = 4; i < N_FAKE; i++)
		assert_got_nothing(e, (uint16_t)i);
	for (i = 0; i < 5; i++)
		assert_int_equal(rte_mbuf_refcnt_read(orig[i]), 1);

	assert_int_equal(stats(e, 0)->rx_packets, 5);
	assert_int_equal(stats(e, 0)->rx_bytes, 60 + 100 + 200 + 300 + 1514);
	assert_int_equal(stats(e, 0)->flooded, 0);
	assert_int_equal(stats(e, 1)->tx_packets, 2);
	assert_int_equal(stats(e, 1)->tx_bytes, 60 + 300);
	assert_int_equal(stats(e, 2)->tx_packets, 2);
	assert_int_equal(stats(e, 2)->tx_bytes, 100 + 1514);
	assert_int_equal(stats(e, 3)->tx_packets, 1);
	assert_int_equal(stats(e, 3)->tx_bytes, 200);
	for (i = 0; i < N_FAKE; i++)
		assert_int_equal(total_drops(e, (uint16_t)i), 0);
	assert_int_equal(e->w->counters.tx_packets, 5);

	release_all(e);
	assert_pool_baseline(e);
}

static void
broadcast_multicast_unknown_are_flooded_in_the_network(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[3], *orig[3];
	uint16_t kept, p;
	unsigned int i;

	pkts[0] = frame(e, bcast_mac, port_mac(1), 64);
	pkts[1] = frame(e, mcast_mac, port_mac(1), 128);
	pkts[2] = frame(e, unknown_mac, port_mac(1), 256);
	memcpy(orig, pkts, sizeof(pkts));

	kept = vsw_classify_process(e->w, e->fib, 1, pkts, 3);
	assert_int_equal(kept, 3);
	vsw_l2_fwd_process(e->w, e->fib, 1, pkts, kept);
	/* one mbuf, one reference per copy, before any tx */
	for (i = 0; i < 3; i++)
		assert_int_equal(rte_mbuf_refcnt_read(orig[i]), 3);
	vsw_txbuf_flush_all(e->w);

	assert_got(e, 0, orig, 3);
	assert_got(e, 2, orig, 3);
	assert_got(e, 3, orig, 3);
	assert_got_nothing(e, 1);
	for (p = 4; p < N_FAKE; p++)
		assert_got_nothing(e, p);
	assert_int_equal(stats(e, 1)->flooded, 3);
	assert_int_equal(stats(e, 1)->rx_packets, 3);
	for (p = 0; p < 4; p++) {
		assert_int_equal(stats(e, p)->tx_packets, p == 1 ? 0 : 3);
		assert_int_equal(stats(e, p)->tx_bytes, p == 1 ? 0 : 64 + 128 + 256);
		assert_int_equal(total_drops(e, p), 0);
	}

	/* each egress drops its own reference; the last one frees */
	for (p = 0; p < 4; p++) {
		if (p == 1)
			continue;
		rte_pktmbuf_free_bulk(e->fake[p].got, e->fake[p].n_got);
		e->fake[p].n_got = 0;
		if (p != 3)
			for (i = 0; i < 3; i++)
				assert_int_equal(rte_mbuf_refcnt_read(orig[i]),
						 p == 0 ? 2 : 1);
	}
	assert_pool_baseline(e);
}

/* A jumbo or mergeable-buffer frame is a chain: every segment must carry
 * one reference per copy, or the second egress frees a segment twice. */
static void
a_flooded_chain_holds_a_reference_in_every_segment(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = frame(e, bcast_mac, port_mac(1), 40);
	struct rte_mbuf *tail = rte_pktmbuf_alloc(e->pool);

	assert_non_null(tail);
	memset(rte_pktmbuf_append(tail, 40), 0x78, 40);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	assert_int_equal(vsw_classify_process(e->w, e->fib, 1, &m, 1), 1);
	vsw_l2_fwd_process(e->w, e->fib, 1, &m, 1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 3);
	assert_int_equal(rte_mbuf_refcnt_read(tail), 3);
	vsw_txbuf_flush_all(e->w);
	assert_got(e, 0, &m, 1);
	assert_got(e, 2, &m, 1);
	assert_got(e, 3, &m, 1);
	release_all(e);
	assert_pool_baseline(e);
}

static void
flood_to_a_single_other_port_takes_no_extra_reference(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = frame(e, bcast_mac, port_mac(4), 64);

	assert_int_equal(vsw_classify_process(e->w, e->fib, 4, &m, 1), 1);
	vsw_l2_fwd_process(e->w, e->fib, 4, &m, 1);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	vsw_txbuf_flush_all(e->w);
	assert_got(e, 5, &m, 1);
	assert_int_equal(stats(e, 4)->flooded, 1);
	release_all(e);
	assert_pool_baseline(e);
}

static void
flood_in_a_one_port_network_is_no_flood(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[2];
	uint16_t p;

	pkts[0] = frame(e, bcast_mac, port_mac(6), 64);
	pkts[1] = frame(e, unknown_mac, port_mac(6), 64);
	assert_int_equal(run_burst(e, 6, pkts, 2), 2);
	assert_int_equal(drops(e, 6, VSW_DROP_NO_FLOOD), 2);
	assert_int_equal(stats(e, 6)->flooded, 0);
	for (p = 0; p < N_FAKE; p++)
		assert_got_nothing(e, p);
	assert_pool_baseline(e);
}

static void
destination_on_the_ingress_port_is_self_dest(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = frame(e, port_mac(2), port_mac(1), 64);
	uint16_t p;

	assert_int_equal(run_burst(e, 2, &m, 1), 1);
	assert_int_equal(drops(e, 2, VSW_DROP_SELF_DEST), 1);
	assert_int_equal(total_drops(e, 2), 1);
	for (p = 0; p < N_FAKE; p++)
		assert_got_nothing(e, p);
	assert_pool_baseline(e);
}

/* The fib moved port 4 to another network (or unplugged port 7) before the
 * MAC table caught up: the entry must not leak frames across networks. */
static void
stale_entry_of_a_port_elsewhere_is_unknown(void **state)
{
	struct env *e = *state;
	struct rte_ether_addr to4 = host_mac(4), to7 = host_mac(7);
	struct rte_mbuf *pkts[2], *orig[2];

	assert_int_equal(vsw_mac_table_add_static(e->macs, NET_A, &to4, 4), 0);
	assert_int_equal(vsw_mac_table_add_static(e->macs, NET_A, &to7,
						  PORT_UNPLUGGED), 0);
	pkts[0] = frame(e, to4, port_mac(0), 64);
	pkts[1] = frame(e, to7, port_mac(0), 64);
	memcpy(orig, pkts, sizeof(pkts));

	assert_int_equal(run_burst(e, 0, pkts, 2), 2);
	assert_got(e, 1, orig, 2);
	assert_got(e, 2, orig, 2);
	assert_got(e, 3, orig, 2);
	assert_got_nothing(e, 4);
	assert_got_nothing(e, PORT_UNPLUGGED);
	assert_int_equal(stats(e, 0)->flooded, 2);
	release_all(e);
	assert_pool_baseline(e);
}

static void
destination_admin_down_is_dropped(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m = frame(e, port_mac(2), port_mac(0), 64);

	e->fib->ports[2].admin_up = 0;
	assert_int_equal(run_burst(e, 0, &m, 1), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_ADMIN_DOWN), 1);
	assert_got_nothing(e, 2);
	assert_int_equal(stats(e, 2)->tx_packets, 0);
	assert_pool_baseline(e);
}

/* --- ingress checks (classify) --- */

static void
unplugged_ingress_drops_the_whole_burst(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[4];
	unsigned int i;
	uint64_t bytes;

	for (i = 0; i < 4; i++)
		pkts[i] = frame(e, port_mac(0), host_mac(i), (uint16_t)(60 + i));
	bytes = sum_len(pkts, 4);
	assert_int_equal(vsw_classify_process(e->w, e->fib, PORT_UNPLUGGED, pkts, 4), 0);
	assert_int_equal(drops(e, PORT_UNPLUGGED, VSW_DROP_NO_PORT), 4);
	assert_int_equal(total_drops(e, PORT_UNPLUGGED), 4);
	assert_int_equal(stats(e, PORT_UNPLUGGED)->rx_packets, 4);
	assert_int_equal(stats(e, PORT_UNPLUGGED)->rx_bytes, bytes);
	assert_pool_baseline(e);
}

static void
admin_down_ingress_drops_the_whole_burst(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[3];
	unsigned int i;

	e->fib->ports[1].admin_up = 0;
	for (i = 0; i < 3; i++)
		pkts[i] = frame(e, port_mac(0), port_mac(1), 64);
	assert_int_equal(run_burst(e, 1, pkts, 3), 0);
	assert_int_equal(drops(e, 1, VSW_DROP_ADMIN_DOWN), 3);
	assert_got_nothing(e, 0);
	assert_pool_baseline(e);
}

static void
enable_port_security(struct env *e, uint16_t port)
{
	struct vsw_port_security *ps = &e->fib->ps[port];

	ps->enabled = true;
	ps->mac = port_mac(port);
	ps->n_ips = 1;
	ps->ips[0] = ip4(10, 0, 0, (uint8_t)(port + 1));
}

static void
classify_counts_each_reason_and_keeps_order(void **state)
{
	struct env *e = *state;
	struct rte_ether_addr own = port_mac(0), to = port_mac(1);
	struct rte_mbuf *pkts[12], *good[5];
	rte_be32_t own_ip = ip4(10, 0, 0, 1);
	uint16_t kept, i;
	uint64_t bytes;

	enable_port_security(e, 0);
	pkts[0] = good[0] = frame_ipv4_in(e->pool, to, own, own_ip, 60);
	pkts[1] = frame(e, to, own, RTE_ETHER_HDR_LEN - 1);          /* runt */
	pkts[2] = good[1] = frame(e, to, own, MAX_FRAME);             /* MTU exactly */
	pkts[3] = frame_in(e->pool, to, own, RTE_ETHER_TYPE_VLAN, 64);
	pkts[4] = frame(e, to, own, MAX_FRAME + 1);                  /* MTU + 1 */
	pkts[5] = good[2] = frame(e, to, own, RTE_ETHER_HDR_LEN);      /* header only */
	pkts[6] = frame_in(e->pool, to, own, RTE_ETHER_TYPE_QINQ, 64);
	pkts[7] = frame(e, to, mcast_mac, 64);                       /* src multicast */
	pkts[8] = frame(e, to, host_mac(1), 64);                     /* spoof_mac */
	pkts[9] = frame_ipv4_in(e->pool, to, own, ip4(10, 0, 0, 9), 64); /* spoof_ip */
	pkts[10] = good[3] = frame(e, bcast_mac, own, 64);
	pkts[11] = good[4] = frame_ipv4_in(e->pool, to, own, own_ip, 1000);
	bytes = sum_len(pkts, 12);

	kept = vsw_classify_process(e->w, e->fib, 0, pkts, 12);
	assert_int_equal(kept, 5);
	for (i = 0; i < kept; i++)
		assert_ptr_equal(pkts[i], good[i]);
	assert_int_equal(drops(e, 0, VSW_DROP_RUNT), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_MTU), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_VLAN_TAGGED), 2);
	assert_int_equal(drops(e, 0, VSW_DROP_SRC_MULTICAST), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_SPOOF_MAC), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_SPOOF_IP), 1);
	assert_int_equal(total_drops(e, 0), 7);
	assert_int_equal(stats(e, 0)->rx_packets, 12);
	assert_int_equal(stats(e, 0)->rx_bytes, bytes);

	rte_pktmbuf_free_bulk(pkts, kept);
	assert_pool_baseline(e);
}

static void
mtu_boundary_follows_max_frame(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[2];

	e->fib->ports[0].max_frame = 100 + RTE_ETHER_HDR_LEN;
	pkts[0] = frame(e, port_mac(1), port_mac(0), 100 + RTE_ETHER_HDR_LEN + 1);
	pkts[1] = frame(e, port_mac(1), port_mac(0), 100 + RTE_ETHER_HDR_LEN);
	assert_int_equal(run_burst(e, 0, pkts, 2), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_MTU), 1);
	assert_int_equal(e->fake[1].n_got, 1);
	assert_int_equal(e->fake[1].got[0]->pkt_len, 100 + RTE_ETHER_HDR_LEN);
	release_all(e);
	assert_pool_baseline(e);
}

static void
without_port_security_any_unicast_source_passes(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[2];

	pkts[0] = frame(e, port_mac(1), host_mac(42), 64);
	pkts[1] = frame_ipv4_in(e->pool, port_mac(1), host_mac(43),
				ip4(192, 0, 2, 1), 64);
	assert_int_equal(run_burst(e, 0, pkts, 2), 2);
	assert_int_equal(e->fake[1].n_got, 2);
	assert_int_equal(total_drops(e, 0), 0);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- tx --- */

static void
tx_to_a_port_not_ready_is_tx_full(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[5];
	unsigned int i;

	e->fake[2].p.ready = false;
	e->ports[3] = NULL;          /* closed under the worker's feet */
	for (i = 0; i < 3; i++)
		pkts[i] = frame(e, port_mac(2), port_mac(0), 64);
	pkts[3] = frame(e, port_mac(3), port_mac(0), 64);
	pkts[4] = frame(e, port_mac(1), port_mac(0), 64);
	assert_int_equal(run_burst(e, 0, pkts, 5), 5);

	assert_int_equal(e->fake[2].tx_calls, 0);
	assert_got_nothing(e, 2);
	assert_int_equal(drops(e, 2, VSW_DROP_TX_FULL), 3);
	assert_int_equal(stats(e, 2)->tx_packets, 0);
	assert_int_equal(drops(e, 3, VSW_DROP_TX_FULL), 1);
	assert_int_equal(e->fake[3].tx_calls, 0);
	assert_int_equal(e->fake[1].n_got, 1);
	assert_int_equal(e->w->counters.tx_packets, 1);
	release_all(e);
	assert_pool_baseline(e);

	/* ready again: nothing of the dropped frames is counted as sent */
	e->fake[2].p.ready = true;
	pkts[0] = frame(e, port_mac(2), port_mac(0), 64);
	assert_int_equal(run_burst(e, 0, pkts, 1), 1);
	assert_int_equal(e->fake[2].n_got, 1);
	assert_int_equal(stats(e, 2)->tx_packets, 1);
	assert_int_equal(stats(e, 2)->tx_bytes, 64);
	assert_int_equal(drops(e, 2, VSW_DROP_TX_FULL), 3);
	release_all(e);
	assert_pool_baseline(e);
}

static void
partial_tx_counts_the_rest_as_tx_full(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[30], *orig[30];
	unsigned int i;

	e->fake[1].accept = 10;
	for (i = 0; i < 30; i++)
		pkts[i] = frame(e, port_mac(1), port_mac(0), 100);
	memcpy(orig, pkts, sizeof(pkts));
	assert_int_equal(run_burst(e, 0, pkts, 30), 30);

	assert_got(e, 1, orig, 10);
	assert_int_equal(stats(e, 1)->tx_packets, 10);
	assert_int_equal(stats(e, 1)->tx_bytes, 10 * 100);
	assert_int_equal(drops(e, 1, VSW_DROP_TX_FULL), 20);
	assert_int_equal(e->w->counters.tx_packets, 10);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_full_txbuf_is_flushed_early_and_nothing_is_lost(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[200], *orig[200];
	unsigned int i;
	uint16_t kept;

	for (i = 0; i < 200; i++)
		pkts[i] = frame(e, port_mac(1), port_mac(0), (uint16_t)(64 + i));
	memcpy(orig, pkts, sizeof(pkts));

	kept = vsw_classify_process(e->w, e->fib, 0, pkts, 200);
	assert_int_equal(kept, 200);
	vsw_l2_fwd_process(e->w, e->fib, 0, pkts, kept);
	assert_int_equal(e->fake[1].tx_calls, 200 / VSW_TXBUF_SIZE);
	assert_int_equal(e->fake[1].n_got, 200 / VSW_TXBUF_SIZE * VSW_TXBUF_SIZE);
	vsw_txbuf_flush_all(e->w);
	assert_int_equal(e->fake[1].tx_calls, 200 / VSW_TXBUF_SIZE + 1);

	assert_got(e, 1, orig, 200);
	assert_int_equal(stats(e, 1)->tx_packets, 200);
	assert_int_equal(stats(e, 1)->tx_bytes, sum_len(orig, 200));
	assert_int_equal(total_drops(e, 1), 0);
	release_all(e);
	assert_pool_baseline(e);
}

static void
a_flooded_burst_larger_than_a_txbuf_reaches_everyone(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *pkts[150], *orig[150];
	unsigned int i;

	for (i = 0; i < 150; i++)
		pkts[i] = frame(e, bcast_mac, port_mac(3), 64);
	memcpy(orig, pkts, sizeof(pkts));
	assert_int_equal(run_burst(e, 3, pkts, 150), 150);
	assert_got(e, 0, orig, 150);
	assert_got(e, 1, orig, 150);
	assert_got(e, 2, orig, 150);
	assert_got_nothing(e, 3);
	assert_int_equal(stats(e, 3)->flooded, 150);
	for (i = 0; i < 150; i++)
		assert_int_equal(rte_mbuf_refcnt_read(orig[i]), 3);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- learning --- */

static uint16_t
lookup(const struct env *e, uint16_t net, struct rte_ether_addr mac)
{
	uint64_t key = vsw_mac_key(net, &mac);
	uint16_t port = 0;

	vsw_mac_table_lookup_bulk(e->macs, &key, 1, &port);
	return port;
}

static void
learned_source_becomes_a_unicast_destination(void **state)
{
	struct env *e = *state;
	struct rte_ether_addr vm = host_mac(0x77), other = host_mac(0x78);
	struct rte_mbuf *m;
	uint32_t before = vsw_mac_table_count(e->macs, NET_A);

	e->fib->ports[3].learning = 1;

	/* unknown yet: flooded */
	m = frame(e, vm, port_mac(1), 64);
	run_burst(e, 1, &m, 1);
	assert_int_equal(stats(e, 1)->flooded, 1);
	assert_int_equal(e->fake[3].n_got, 1);
	release_all(e);

	/* the source is reported by the worker, applied by the control thread */
	m = frame(e, bcast_mac, vm, 64);
	run_burst(e, 3, &m, 1);
	assert_int_equal(lookup(e, NET_A, vm), VSW_MAC_PORT_NONE);
	assert_int_equal(vsw_mac_table_drain(e->macs, NOW_S), 1);
	assert_int_equal(vsw_mac_table_count(e->macs, NET_A), before + 1);
	assert_int_equal(lookup(e, NET_A, vm), 3);
	assert_int_equal(lookup(e, NET_B, vm), VSW_MAC_PORT_NONE);
	release_all(e);

	m = frame(e, vm, port_mac(1), 64);
	run_burst(e, 1, &m, 1);
	assert_got(e, 3, &m, 1);
	assert_got_nothing(e, 0);
	assert_got_nothing(e, 2);
	assert_int_equal(stats(e, 1)->flooded, 1);
	release_all(e);

	/* a port without learning reports nothing */
	m = frame(e, bcast_mac, other, 64);
	run_burst(e, 2, &m, 1);
	assert_int_equal(vsw_mac_table_drain(e->macs, NOW_S), 0);
	assert_int_equal(lookup(e, NET_A, other), VSW_MAC_PORT_NONE);
	release_all(e);
	assert_pool_baseline(e);
}

/* --- everything at once --- */

static void
a_mixed_burst_adds_up(void **state)
{
	struct env *e = *state;
	struct rte_ether_addr own = port_mac(0), stale = host_mac(4);
	rte_be32_t own_ip = ip4(10, 0, 0, 1);
	struct rte_mbuf *pkts[16], *orig[16];
	uint64_t rx_bytes, tx_bytes = 0;
	uint16_t p;

	enable_port_security(e, 0);
	e->fib->ports[3].admin_up = 0;
	assert_int_equal(vsw_mac_table_add_static(e->macs, NET_A, &stale, 4), 0);

	pkts[0] = frame_ipv4_in(e->pool, port_mac(1), own, own_ip, 60);   /* -> 1 */
	pkts[1] = frame(e, bcast_mac, own, 70);                          /* flood */
	pkts[2] = frame(e, port_mac(2), own, 10);                        /* runt */
	pkts[3] = frame_in(e->pool, port_mac(1), own, RTE_ETHER_TYPE_VLAN, 80);
	pkts[4] = frame(e, port_mac(1), own, MAX_FRAME + 1);             /* mtu */
	pkts[5] = frame(e, port_mac(1), mcast_mac, 90);                  /* src mcast */
	pkts[6] = frame(e, own, own, 100);                               /* self */
	pkts[7] = frame(e, unknown_mac, own, 110);                       /* flood */
	pkts[8] = frame(e, stale, own, 120);                             /* flood */
	pkts[9] = frame(e, port_mac(3), own, 130);                       /* admin down */
	pkts[10] = frame(e, port_mac(2), host_mac(9), 140);              /* spoof_mac */
	pkts[11] = frame_ipv4_in(e->pool, port_mac(2), own, ip4(1, 2, 3, 4), 150);
	pkts[12] = frame(e, port_mac(4), own, 160);                      /* other net: unknown */
	pkts[13] = frame(e, port_mac(2), own, MAX_FRAME);                /* -> 2 */
	pkts[14] = frame(e, mcast_mac, own, 170);                        /* flood */
	pkts[15] = frame(e, port_mac(6), own, 180);                      /* other net: unknown */
	memcpy(orig, pkts, sizeof(pkts));
	rx_bytes = sum_len(pkts, 16);

	assert_int_equal(run_burst(e, 0, pkts, 16), 10);

	/* port 3 is admin down but still a flood member in this fib */
	assert_got(e, 1, (struct rte_mbuf *[]){ orig[0], orig[1], orig[7], orig[8],
						orig[12], orig[14], orig[15] }, 7);
	assert_got(e, 2, (struct rte_mbuf *[]){ orig[1], orig[7], orig[8], orig[12],
						orig[13], orig[14], orig[15] }, 7);
	assert_got(e, 3, (struct rte_mbuf *[]){ orig[1], orig[7], orig[8], orig[12],
						orig[14], orig[15] }, 6);
	for (p = 4; p < N_FAKE; p++)
		assert_got_nothing(e, p);
	assert_got_nothing(e, 0);

	assert_int_equal(stats(e, 0)->rx_packets, 16);
	assert_int_equal(stats(e, 0)->rx_bytes, rx_bytes);
	assert_int_equal(stats(e, 0)->flooded, 6);
	assert_int_equal(drops(e, 0, VSW_DROP_RUNT), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_VLAN_TAGGED), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_MTU), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_SRC_MULTICAST), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_SELF_DEST), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_ADMIN_DOWN), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_SPOOF_MAC), 1);
	assert_int_equal(drops(e, 0, VSW_DROP_SPOOF_IP), 1);
	assert_int_equal(total_drops(e, 0), 8);
	/* every received frame is either dropped or sent on at least once */
	assert_int_equal(total_drops(e, 0) + 1 + 1 + stats(e, 0)->flooded,
			 stats(e, 0)->rx_packets);
	for (p = 1; p < 4; p++) {
		assert_int_equal(stats(e, p)->tx_packets, e->fake[p].n_got);
		assert_int_equal(stats(e, p)->tx_bytes,
				 sum_len(e->fake[p].got, e->fake[p].n_got));
		tx_bytes += stats(e, p)->tx_bytes;
		assert_int_equal(total_drops(e, p), 0);
	}
	assert_int_equal(e->w->counters.tx_packets, 7 + 7 + 6);
	assert_int_equal(tx_bytes, 60 + 1514 + 3 * (70 + 110 + 120 + 160 + 170 + 180));
	release_all(e);
	assert_pool_baseline(e);
}

/* --- benchmark (VSW_L2_BENCH=1): never part of the test run --- */

#define BENCH_BURST 32

struct bench_case {
	const char *name;
	uint32_t n_dst;            /* distinct destination MACs (all on port 1) */
	uint32_t ws;               /* mbufs cycled through (working set) */
	bool ps;                   /* port security on the ingress port */
	bool learning;             /* learning on the ingress port */
	bool bcast;                /* broadcast instead of unicast */
};

static const struct bench_case bench_cases[] = {
	{ "uc_1mac_hot",         1,      BENCH_BURST, false, false, false },
	{ "uc_1000mac_hot",      1000,   BENCH_BURST, false, false, false },
	{ "uc_1mac_ws8k",        1,      8192,        false, false, false },
	{ "uc_1000mac_ws8k",     1000,   8192,        false, false, false },
	{ "uc_100kmac_ws8k",     100000, 8192,        false, false, false },
	{ "uc_1000mac_ps_ws8k",  1000,   8192,        true,  false, false },
	{ "uc_1000mac_learn_ws8k", 1000, 8192,        false, true,  false },
	{ "bcast_ws8k",          1,      8192,        false, false, true  },
};

/* A sink that keeps nothing: the bench reuses its mbufs. Flood copies
 * (refcount > 1) give their extra reference back. */
static uint16_t
bench_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts,
	 uint16_t n)
{
	struct fake_port *f = container_of(p, struct fake_port, p);
	uint16_t i;

	RTE_SET_USED(w);
	for (i = 0; i < n; i++)
		if (unlikely(rte_mbuf_refcnt_read(pkts[i]) > 1))
			rte_mbuf_refcnt_update(pkts[i], -1);
	f->n_got += n;
	return n;
}

static const struct vsw_dp_port_ops bench_ops = {
	.rx = fake_rx,
	.tx = bench_tx,
};

/* Scattered like real (random) MACs: sequential ones would hash to
 * neighbouring buckets, which flatters any cache or table. */
static struct rte_ether_addr
bench_mac(uint32_t i)
{
	return host_mac(i * 2654435761u);
}

static struct env *
bench_env(const struct bench_case *c)
{
	static const uint16_t net[] = { 0, 1 };
	struct env *e = env_create(131072);
	uint32_t off = 0, i;

	e->fib = vsw_fib_alloc(1, RTE_DIM(net), 0);
	assert_non_null(e->fib);
	add_net(e->fib, 0, net, RTE_DIM(net), &off);
	add_port_mac(e, 0);
	for (i = 0; i < c->n_dst; i++) {
		struct rte_ether_addr a = bench_mac(i);

		assert_int_equal(vsw_mac_table_add_static(e->macs, 0, &a, 1), 0);
	}
	if (c->ps)
		enable_port_security(e, 0);
	e->fib->ports[0].learning = c->learning;
	e->fake[0].p.ops = &bench_ops;
	e->fake[1].p.ops = &bench_ops;
	return e;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

enum { STAGE_CLASSIFY, STAGE_L2_FWD, STAGE_FLUSH, N_STAGES };

/* One pass over n_bursts bursts of the working set; returns TSC cycles.
 * With split, also what each stage took (rdtsc between stages adds about
 * a cycle per packet, so the total is taken from passes without split). */
static uint64_t
bench_pass(struct env *e, struct rte_mbuf **ws, uint32_t n_ws, uint64_t n_bursts,
	   uint64_t *split)
{
	struct rte_mbuf *burst[BENCH_BURST];
	uint64_t b, t0 = rte_rdtsc_precise(), ta, tb, tc, td;
	uint32_t pos = 0;
	uint16_t kept;

	for (b = 0; b < n_bursts; b++) {
		memcpy(burst, &ws[pos], sizeof(burst));
		pos = pos + BENCH_BURST == n_ws ? 0 : pos + BENCH_BURST;
		if (split == NULL) {
			kept = vsw_classify_process(e->w, e->fib, 0, burst, BENCH_BURST);
			vsw_l2_fwd_process(e->w, e->fib, 0, burst, kept);
			vsw_txbuf_flush_all(e->w);
			continue;
		}
		ta = rte_rdtsc();
		kept = vsw_classify_process(e->w, e->fib, 0, burst, BENCH_BURST);
		tb = rte_rdtsc();
		vsw_l2_fwd_process(e->w, e->fib, 0, burst, kept);
		tc = rte_rdtsc();
		vsw_txbuf_flush_all(e->w);
		td = rte_rdtsc();
		split[STAGE_CLASSIFY] += tb - ta;
		split[STAGE_L2_FWD] += tc - tb;
		split[STAGE_FLUSH] += td - tc;
	}
	return rte_rdtsc_precise() - t0;
}

static void
bench_run(const struct bench_case *c, uint64_t n_pkts, unsigned int reps)
{
	struct env *e = bench_env(c);
	struct rte_mbuf **ws = calloc(c->ws, sizeof(*ws));
	double *cpp = calloc(reps, sizeof(*cpp));
	double stage_min[N_STAGES] = { 1e9, 1e9, 1e9 };
	uint64_t bursts = n_pkts / BENCH_BURST, pkts = bursts * BENCH_BURST;
	uint64_t split[N_STAGES];
	unsigned int r, s;
	uint32_t i;

	assert_non_null(ws);
	assert_non_null(cpp);
	for (i = 0; i < c->ws; i++) {
		struct rte_ether_addr dst = c->bcast ? bcast_mac : bench_mac(i % c->n_dst);

		ws[i] = frame_ipv4_in(e->pool, dst, port_mac(0), ip4(10, 0, 0, 1), 64);
	}
	/* Many short repetitions: on a shared machine the fastest ones are the
	 * ones nobody preempted. The first pass warms the caches up. */
	bench_pass(e, ws, c->ws, bursts, NULL);
	for (r = 0; r < reps; r++)
		cpp[r] = (double)bench_pass(e, ws, c->ws, bursts, NULL) / (double)pkts;
	for (r = 0; r < reps; r++) {
		memset(split, 0, sizeof(split));
		bench_pass(e, ws, c->ws, bursts, split);
		for (s = 0; s < N_STAGES; s++)
			stage_min[s] = RTE_MIN(stage_min[s], (double)split[s] / (double)pkts);
	}
	if (e->fake[1].n_got != (2 * reps + 1) * pkts || total_drops(e, 0) != 0)
		printf("l2 bench: %s: WRONG RESULT (%u sent, %" PRIu64 " drops)\n",
		       c->name, e->fake[1].n_got, total_drops(e, 0));
	qsort(cpp, reps, sizeof(cpp[0]), cmp_double);
	printf("l2 bench: %-22s %6.1f cycles/packet min, %6.1f p10, %6.1f median; "
	       "stages (min) classify %5.1f, l2_fwd %5.1f, flush %5.1f "
	       "(%u x %" PRIu64 " packets)\n", c->name, cpp[0], cpp[reps / 10],
	       cpp[reps / 2], stage_min[STAGE_CLASSIFY], stage_min[STAGE_L2_FWD],
	       stage_min[STAGE_FLUSH], reps, pkts);
	e->fake[1].n_got = 0;
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
	const char *only = getenv("VSW_L2_BENCH_CASE");
	uint64_t n_pkts = RTE_MAX(env_u64("VSW_L2_BENCH_PKTS", 50000),
				  (uint64_t)BENCH_BURST);
	unsigned int reps = (unsigned int)RTE_MIN(env_u64("VSW_L2_BENCH_REPS", 200),
						  (uint64_t)100000);
	unsigned int i;

	RTE_SET_USED(state);
	printf("l2 bench: TSC %.3f GHz, burst %u, 64-byte IPv4 frames, "
	       "2-port network, tx sink keeps nothing\n",
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
	if (vsw_eal_env_start("test_l2_stages", "vsw-test-l2", 256,
			      "lib.*:warning") < 0)
		return -1;
	test_pool = rte_pktmbuf_pool_create("l2t_pool", POOL_SIZE, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
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
		T(known_unicast_reaches_only_its_port),
		T(broadcast_multicast_unknown_are_flooded_in_the_network),
		T(a_flooded_chain_holds_a_reference_in_every_segment),
		T(flood_to_a_single_other_port_takes_no_extra_reference),
		T(flood_in_a_one_port_network_is_no_flood),
		T(destination_on_the_ingress_port_is_self_dest),
		T(stale_entry_of_a_port_elsewhere_is_unknown),
		T(destination_admin_down_is_dropped),
		T(unplugged_ingress_drops_the_whole_burst),
		T(admin_down_ingress_drops_the_whole_burst),
		T(classify_counts_each_reason_and_keeps_order),
		T(mtu_boundary_follows_max_frame),
		T(without_port_security_any_unicast_source_passes),
		T(tx_to_a_port_not_ready_is_tx_full),
		T(partial_tx_counts_the_rest_as_tx_full),
		T(a_full_txbuf_is_flushed_early_and_nothing_is_lost),
		T(a_flooded_burst_larger_than_a_txbuf_reaches_everyone),
		T(learned_source_becomes_a_unicast_destination),
		T(a_mixed_burst_adds_up),
	};
	const struct CMUnitTest bench[] = {
		cmocka_unit_test(bench_all),
	};
	const char *b = getenv("VSW_L2_BENCH");

	if (b != NULL && strcmp(b, "1") == 0)
		return cmocka_run_group_tests_name("l2_bench", bench, setup_eal,
						   teardown_eal);
	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
