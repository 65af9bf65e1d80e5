/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SNAT connection tables and floating-IP address rewriting (dataplane/nat.c)
 * on frames built byte by byte: every translation is compared with a frame
 * built from scratch with fully computed checksums, byte for byte.
 *
 * VSW_NAT_BENCH=1 runs a cycles-per-packet benchmark instead of the tests
 * (VSW_NAT_BENCH_CONNS: connections in the table, VSW_NAT_BENCH_PKTS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
#include <rte_rcu_qsbr.h>

#include "eal_env.h"
#include "nat.h"

#define POOL_SIZE 4095
#define HZ 1000ull                   /* test clock: one tick is 1 ms */
#define SEC(s) ((uint64_t)(s) * HZ)
#define ROUTER 3
#define PORT_BASE 1024u
#define PORT_SPAN 64512u
#define OK VSW_DROP_MAX

#define L2 14u
#define IP_HDR 20u
#define OFF_IP_CKSUM (L2 + 10)
#define OFF_SRC (L2 + 12)
#define OFF_DST (L2 + 16)
#define OFF_L4 (L2 + IP_HDR)

#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP 1
#define PROTO_GRE 47

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static struct rte_mempool *test_pool;

static uint32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

#define EXT_IP ip4(203, 0, 113, 1)
#define HOST_A ip4(10, 0, 0, 5)
#define HOST_B ip4(10, 0, 0, 6)
#define REMOTE ip4(198, 51, 100, 7)
#define REMOTE2 ip4(198, 51, 100, 8)

/* --- frames, byte by byte --- */

/* What a frame carries; addresses and ports in host order. */
struct flow {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, dport;       /* ICMP: id in sport */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	bool udp_no_cksum;
	uint16_t frag;               /* IPv4 flags+offset field */
	uint16_t payload;            /* bytes after the L4 header */
};

static void
wr8(uint8_t *p, unsigned int off, uint8_t v)
{
	p[off] = v;
}

static void
wr16(uint8_t *p, unsigned int off, uint16_t v)
{
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, unsigned int off, uint32_t v)
{
	wr16(p, off, (uint16_t)(v >> 16));
	wr16(p, off + 2, (uint16_t)v);
}

static uint16_t
rd16(const uint8_t *p, unsigned int off)
{
	return (uint16_t)(p[off] << 8 | p[off + 1]);
}

static uint32_t
rd32(const uint8_t *p, unsigned int off)
{
	return (uint32_t)rd16(p, off) << 16 | rd16(p, off + 2);
}

/* Stores a checksum as computed (already in memory order). */
static void
wr_cksum(uint8_t *p, unsigned int off, uint16_t c)
{
	memcpy(p + off, &c, sizeof(c));
}

static uint16_t
rd_cksum(const uint8_t *p, unsigned int off)
{
	uint16_t c;

	memcpy(&c, p + off, sizeof(c));
	return c;
}

static unsigned int
l4_hdr_len(uint8_t proto)
{
	return proto == PROTO_TCP ? 20 : 8;
}

static uint16_t
icmp_cksum(const uint8_t *icmp, unsigned int len)
{
	return (uint16_t)~rte_raw_cksum(icmp, len);
}

/* Writes the Ethernet + IPv4 header of an l3_len-byte packet at p. */
static void
write_ip(uint8_t *p, unsigned int off, const struct flow *f, unsigned int l3_len)
{
	uint16_t c;

	wr8(p, off + 0, 0x45);
	wr8(p, off + 1, 0);
	wr16(p, off + 2, (uint16_t)l3_len);
	wr16(p, off + 4, 0x1234);
	wr16(p, off + 6, f->frag);
	wr8(p, off + 8, 64);
	wr8(p, off + 9, f->proto);
	wr16(p, off + 10, 0);
	wr32(p, off + 12, f->src);
	wr32(p, off + 16, f->dst);
	c = rte_ipv4_cksum((const struct rte_ipv4_hdr *)(p + off));
	wr_cksum(p, off + 10, c);
}

/* Writes the L4 header and payload of f at p + off (IPv4 header before
 * it) and its checksum. */
static void
write_l4(uint8_t *p, unsigned int ip_off, const struct flow *f)
{
	unsigned int off = ip_off + IP_HDR, hl = l4_hdr_len(f->proto), i;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + ip_off);

	for (i = 0; i < f->payload; i++)
		wr8(p, off + hl + i, (uint8_t)(0xa0 + i * 7));
	switch (f->proto) {
	case PROTO_TCP:
		wr16(p, off, f->sport);
		wr16(p, off + 2, f->dport);
		wr32(p, off + 4, 0x01020304);
		wr32(p, off + 8, 0);
		wr8(p, off + 12, 0x50);
		wr8(p, off + 13, f->tcp_flags);
		wr16(p, off + 14, 0xffff);
		wr16(p, off + 16, 0);
		wr16(p, off + 18, 0);
		wr_cksum(p, off + 16, rte_ipv4_udptcp_cksum(ip, p + off));
		break;
	case PROTO_UDP:
		wr16(p, off, f->sport);
		wr16(p, off + 2, f->dport);
		wr16(p, off + 4, (uint16_t)(hl + f->payload));
		wr16(p, off + 6, 0);
		if (!f->udp_no_cksum)
			wr_cksum(p, off + 6, rte_ipv4_udptcp_cksum(ip, p + off));
		break;
	case PROTO_ICMP:
		wr8(p, off, f->icmp_type);
		wr8(p, off + 1, 0);
		wr16(p, off + 2, 0);
		wr16(p, off + 4, f->sport);
		wr16(p, off + 6, 0x0042);
		wr_cksum(p, off + 2, icmp_cksum(p + off, hl + f->payload));
		break;
	default:
		for (i = 0; i < hl; i++)
			wr8(p, off + i, (uint8_t)i);
	}
}

static void
write_eth(uint8_t *p)
{
	static const uint8_t eth[L2] = { 0x02, 0, 0, 0, 0, 0x01,
					 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00 };

	memcpy(p, eth, L2);
}

static struct rte_mbuf *
alloc_frame(unsigned int len, uint8_t **data)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);

	assert_non_null(m);
	*data = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(*data);
	memset(*data, 0, len);
	return m;
}

/* Writes f's frame into m (emptied first). */
static void
build_in(struct rte_mbuf *m, const struct flow *f)
{
	unsigned int l3 = IP_HDR + l4_hdr_len(f->proto) + f->payload;
	uint8_t *p;

	rte_pktmbuf_reset(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(L2 + l3));
	assert_non_null(p);
	memset(p, 0, L2 + l3);
	write_eth(p);
	write_ip(p, L2, f, l3);
	write_l4(p, L2, f);
}

static struct rte_mbuf *
build(const struct flow *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);

	assert_non_null(m);
	build_in(m, f);
	return m;
}

/* An ICMP error (type 3 code 3) from src to dst quoting quoted_len bytes
 * of the IPv4 packet of q (its full IPv4 header and L4 as built). */
static struct rte_mbuf *
build_icmp_error(uint32_t src, uint32_t dst, const struct flow *q,
		 unsigned int quoted_len)
{
	unsigned int q_l3 = IP_HDR + l4_hdr_len(q->proto) + q->payload;
	unsigned int l3 = IP_HDR + 8 + quoted_len;
	struct flow outer = { .proto = PROTO_ICMP, .src = src, .dst = dst };
	uint8_t quoted[256], *p;
	struct rte_mbuf *m;

	assert_true(q_l3 <= sizeof(quoted) && quoted_len <= q_l3);
	write_ip(quoted, 0, q, q_l3);
	write_l4(quoted, 0, q);
	m = alloc_frame(L2 + l3, &p);
	write_eth(p);
	write_ip(p, L2, &outer, l3);
	wr8(p, OFF_L4, 3);
	wr8(p, OFF_L4 + 1, 3);
	memcpy(p + OFF_L4 + 8, quoted, quoted_len);
	wr_cksum(p, OFF_L4 + 2, icmp_cksum(p + OFF_L4, 8 + quoted_len));
	return m;
}

static uint8_t *
bytes(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static void
assert_same_frame(struct rte_mbuf *got, struct rte_mbuf *want)
{
	assert_int_equal(rte_pktmbuf_data_len(got), rte_pktmbuf_data_len(want));
	assert_memory_equal(bytes(got), bytes(want), rte_pktmbuf_data_len(want));
}

/* --- checksums, recomputed in full --- */

static void
assert_ip_cksum_ok(const uint8_t *ip)
{
	uint8_t copy[60];
	unsigned int ihl = (ip[0] & 0xf) * 4u;

	memcpy(copy, ip, ihl);
	wr16(copy, 10, 0);
	assert_int_equal(rd_cksum(ip, 10),
			 rte_ipv4_cksum((const struct rte_ipv4_hdr *)copy));
}

/* The L4 checksum of the IPv4 packet at ip, in full (the L4 bytes are
 * ip's total length minus its header). */
static void
assert_l4_cksum_ok(uint8_t *ip)
{
	unsigned int ihl = (ip[0] & 0xf) * 4u, l3 = rd16(ip, 2);
	uint8_t *l4 = ip + ihl;
	unsigned int off;
	uint16_t stored, want;

	switch (ip[9]) {
	case PROTO_ICMP:
		assert_int_equal(rte_raw_cksum(l4, l3 - ihl), 0xffff);
		return;
	case PROTO_UDP:
		off = 6;
		break;
	case PROTO_TCP:
		off = 16;
		break;
	default:
		return;
	}
	stored = rd_cksum(l4, off);
	if (ip[9] == PROTO_UDP && stored == 0)
		return;
	wr16(l4, off, 0);
	want = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, l4);
	wr_cksum(l4, off, stored);
	assert_int_equal(stored, want);
}

static void
assert_cksums_ok(struct rte_mbuf *m)
{
	uint8_t *ip = bytes(m) + L2;

	assert_ip_cksum_ok(ip);
	assert_l4_cksum_ok(ip);
}

/* --- reading and mirroring frames --- */

static uint32_t
frame_src(struct rte_mbuf *m)
{
	return rd32(bytes(m), OFF_SRC);
}

static uint32_t
frame_dst(struct rte_mbuf *m)
{
	return rd32(bytes(m), OFF_DST);
}

static uint16_t
frame_sport(struct rte_mbuf *m)
{
	const uint8_t *p = bytes(m);

	return p[L2 + 9] == PROTO_ICMP ? rd16(p, OFF_L4 + 4) : rd16(p, OFF_L4);
}

static uint16_t
frame_dport(struct rte_mbuf *m)
{
	return rd16(bytes(m), OFF_L4 + 2);
}

/* Turns a TCP/UDP frame around in place: addresses and ports swapped,
 * which keeps every checksum valid. */
static void
mirror(struct rte_mbuf *m)
{
	uint8_t *p = bytes(m), t[4];

	memcpy(t, p + OFF_SRC, 4);
	memcpy(p + OFF_SRC, p + OFF_DST, 4);
	memcpy(p + OFF_DST, t, 4);
	memcpy(t, p + OFF_L4, 2);
	memcpy(p + OFF_L4, p + OFF_L4 + 2, 2);
	memcpy(p + OFF_L4 + 2, t, 2);
}

/* --- NAT instances --- */

static struct vsw_nat_params
params(unsigned int n_workers, uint32_t max_conns)
{
	struct vsw_nat_params p = {
		.n_workers = n_workers,
		.max_conns = max_conns,
		.tcp_established_s = 7440,
		.tcp_transitory_s = 240,
		.udp_s = 300,
		.icmp_s = 60,
		.tsc_hz = HZ,
		.qsbr = NULL,
		.socket_id = SOCKET_ID_ANY,
	};

	return p;
}

static struct vsw_nat *
nat_new(unsigned int n_workers, uint32_t max_conns)
{
	struct vsw_nat_params p = params(n_workers, max_conns);
	struct vsw_nat *n = vsw_nat_create(&p);

	assert_non_null(n);
	return n;
}

static struct vsw_nat_stats
stats(const struct vsw_nat *n)
{
	struct vsw_nat_stats s;

	vsw_nat_stats(n, &s);
	return s;
}

static bool
in_slice(uint16_t port, unsigned int worker, unsigned int n_workers)
{
	unsigned int s = PORT_SPAN / n_workers;

	return port >= PORT_BASE + worker * s && port < PORT_BASE + (worker + 1) * s;
}

/* Translates f outbound on worker and checks the result against a frame
 * built with the translated tuple; returns the external port. */
static uint16_t
out_ok(struct vsw_nat *n, unsigned int worker, const struct flow *f,
       uint64_t now)
{
	struct rte_mbuf *m = build(f), *want;
	struct flow tf = *f;

	assert_int_equal(vsw_nat_out(n, worker, ROUTER, rte_cpu_to_be_32(EXT_IP),
				     m, now), OK);
	assert_cksums_ok(m);
	tf.src = EXT_IP;
	tf.sport = frame_sport(m);
	want = build(&tf);
	assert_same_frame(m, want);
	rte_pktmbuf_free(want);
	rte_pktmbuf_free(m);
	return tf.sport;
}

/* The reply of f's remote to ext_port, translated inbound on worker, must
 * be f's reply exactly. */
static void
in_ok(struct vsw_nat *n, unsigned int worker, const struct flow *f,
      uint16_t ext_port, uint64_t now)
{
	struct flow r = *f, want_f;
	struct rte_mbuf *m, *want;

	r.src = f->dst;
	r.dst = EXT_IP;
	r.sport = f->dport;
	r.dport = ext_port;
	if (f->proto == PROTO_ICMP) {
		r.icmp_type = 0;
		r.sport = ext_port;
		r.dport = 0;
	}
	want_f = r;
	want_f.dst = f->src;
	if (f->proto == PROTO_ICMP)
		want_f.sport = f->sport;
	else
		want_f.dport = f->sport;
	m = build(&r);
	want = build(&want_f);
	assert_int_equal(vsw_nat_in(n, worker, ROUTER, m, now), OK);
	assert_cksums_ok(m);
	assert_same_frame(m, want);
	rte_pktmbuf_free(want);
	rte_pktmbuf_free(m);
}

static enum vsw_drop
in_reply(struct vsw_nat *n, unsigned int worker, uint16_t router,
	 const struct flow *r, uint64_t now)
{
	struct rte_mbuf *m = build(r);
	enum vsw_drop d = vsw_nat_in(n, worker, router, m, now);

	rte_pktmbuf_free(m);
	return d;
}

static enum vsw_drop
out_drop(struct vsw_nat *n, unsigned int worker, const struct flow *f,
	 uint64_t now)
{
	struct rte_mbuf *m = build(f);
	enum vsw_drop d = vsw_nat_out(n, worker, ROUTER, rte_cpu_to_be_32(EXT_IP),
				      m, now);

	rte_pktmbuf_free(m);
	return d;
}

static struct flow
udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct flow f = { .proto = PROTO_UDP, .src = src, .dst = dst,
			  .sport = sport, .dport = dport, .payload = 13 };

	return f;
}

static struct flow
tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags)
{
	struct flow f = { .proto = PROTO_TCP, .src = src, .dst = dst,
			  .sport = sport, .dport = dport, .tcp_flags = flags,
			  .payload = 11 };

	return f;
}

static struct flow
reply_of(const struct flow *f, uint16_t ext_port)
{
	struct flow r = *f;

	r.src = f->dst;
	r.dst = EXT_IP;
	r.sport = f->dport;
	r.dport = ext_port;
	return r;
}

/* --- tests: translation --- */

/* out, turn around, in, turn around: the original frame, byte for byte. */
static void
round_trip(const struct flow *f)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct rte_mbuf *m = build(f), *orig = build(f);

	assert_int_equal(vsw_nat_out(n, 0, ROUTER, rte_cpu_to_be_32(EXT_IP), m,
				     SEC(1)), OK);
	assert_int_equal(frame_src(m), EXT_IP);
	assert_true(in_slice(frame_sport(m), 0, 1));
	assert_cksums_ok(m);
	if (f->proto == PROTO_UDP && f->udp_no_cksum)
		assert_int_equal(rd16(bytes(m), OFF_L4 + 6), 0);
	mirror(m);
	assert_int_equal(vsw_nat_in(n, 0, ROUTER, m, SEC(2)), OK);
	assert_cksums_ok(m);
	mirror(m);
	assert_same_frame(m, orig);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(orig);
	vsw_nat_free(n);
}

static void
tcp_round_trip_restores_the_frame(void **state)
{
	struct flow f = tcp(HOST_A, 40000, REMOTE, 443, TCP_SYN);

	RTE_SET_USED(state);
	round_trip(&f);
	/* a source port outside the slice (below 1024) is remapped */
	f.sport = 22;
	round_trip(&f);
}

static void
udp_round_trip_restores_the_frame(void **state)
{
	struct flow f = udp(HOST_A, 5353, REMOTE, 53);

	RTE_SET_USED(state);
	round_trip(&f);
	f.payload = 0;
	round_trip(&f);
}

static void
udp_without_checksum_stays_without(void **state)
{
	struct flow f = udp(HOST_A, 7000, REMOTE, 53);

	RTE_SET_USED(state);
	f.udp_no_cksum = true;
	round_trip(&f);
}

static void
translations_match_frames_built_from_scratch(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow t = tcp(HOST_A, 40001, REMOTE, 80, TCP_SYN);
	struct flow u = udp(HOST_B, 40002, REMOTE, 123);
	struct flow z = udp(HOST_B, 40003, REMOTE, 123);
	uint16_t p;

	RTE_SET_USED(state);
	z.udp_no_cksum = true;
	p = out_ok(n, 0, &t, SEC(1));
	/* the internal port is kept when it is free */
	assert_int_equal(p, 40001);
	t.tcp_flags = TCP_SYN | TCP_ACK;
	in_ok(n, 0, &t, p, SEC(1));
	in_ok(n, 0, &u, out_ok(n, 0, &u, SEC(1)), SEC(1));
	in_ok(n, 0, &z, out_ok(n, 0, &z, SEC(1)), SEC(1));
	vsw_nat_free(n);
}

static void
icmp_echo_id_is_translated_both_ways(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow e = { .proto = PROTO_ICMP, .src = HOST_A, .dst = REMOTE,
			  .sport = 77, .icmp_type = 8, .payload = 24 };
	struct flow e2 = e;
	uint16_t id, id2;

	RTE_SET_USED(state);
	id = out_ok(n, 0, &e, SEC(1));
	assert_true(in_slice(id, 0, 1));
	in_ok(n, 0, &e, id, SEC(1));
	/* another host with the same id to the same remote: another id */
	e2.src = HOST_B;
	id2 = out_ok(n, 0, &e2, SEC(1));
	assert_int_not_equal(id, id2);
	in_ok(n, 0, &e2, id2, SEC(1));
	/* an echo reply going out is not a connection of ours */
	e.icmp_type = 0;
	assert_int_equal(out_drop(n, 0, &e, SEC(1)), VSW_DROP_NAT_PROTO);
	vsw_nat_free(n);
}

static void
two_hosts_with_one_port_get_two_external_ports(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow a = udp(HOST_A, 40000, REMOTE, 53);
	struct flow b = udp(HOST_B, 40000, REMOTE, 53);
	struct flow c = udp(HOST_B, 40000, REMOTE2, 53);
	uint16_t pa, pb, pc;

	RTE_SET_USED(state);
	pa = out_ok(n, 0, &a, SEC(1));
	pb = out_ok(n, 0, &b, SEC(1));
	assert_int_equal(pa, 40000);
	assert_int_not_equal(pa, pb);
	assert_true(in_slice(pb, 0, 1));
	/* toward another remote the port may be used again */
	pc = out_ok(n, 0, &c, SEC(1));
	assert_int_equal(pc, 40000);
	in_ok(n, 0, &a, pa, SEC(2));
	in_ok(n, 0, &b, pb, SEC(2));
	in_ok(n, 0, &c, pc, SEC(2));
	assert_int_equal(stats(n).created, 3);
	assert_int_equal(stats(n).active, 3);
	vsw_nat_free(n);
}

static void
a_second_packet_reuses_its_connection(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow a = udp(HOST_A, 22, REMOTE, 53);
	uint16_t p1, p2;

	RTE_SET_USED(state);
	p1 = out_ok(n, 0, &a, SEC(1));
	p2 = out_ok(n, 0, &a, SEC(2));
	assert_int_equal(p1, p2);
	assert_int_equal(stats(n).created, 1);
	assert_int_equal(stats(n).active, 1);
	vsw_nat_free(n);
}

static void
a_reply_from_elsewhere_has_no_session(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow a = udp(HOST_A, 40000, REMOTE, 53);
	struct flow r;
	uint16_t p;

	RTE_SET_USED(state);
	p = out_ok(n, 0, &a, SEC(1));
	r = reply_of(&a, p);
	r.src = REMOTE2;
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(1)), VSW_DROP_NAT_NO_SESSION);
	r = reply_of(&a, p);
	r.sport = 54;
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(1)), VSW_DROP_NAT_NO_SESSION);
	r = reply_of(&a, p);
	r.proto = PROTO_TCP;
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(1)), VSW_DROP_NAT_NO_SESSION);
	r = reply_of(&a, p);
	assert_int_equal(in_reply(n, 0, ROUTER + 1, &r, SEC(1)),
			 VSW_DROP_NAT_NO_SESSION);
	/* below the port range, and an echo request to the gateway */
	r.dport = 80;
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(1)), VSW_DROP_NAT_NO_SESSION);
	r = (struct flow){ .proto = PROTO_ICMP, .src = REMOTE, .dst = EXT_IP,
			   .sport = p, .icmp_type = 8 };
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(1)), VSW_DROP_NAT_NO_SESSION);
	/* the right one still works */
	in_ok(n, 0, &a, p, SEC(1));
	vsw_nat_free(n);
}

static void
a_full_table_drops_and_counts_and_never_evicts(void **state)
{
	struct vsw_nat *n = nat_new(1, 4);
	struct flow f[5];
	uint16_t p[4];
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < 5; i++)
		f[i] = udp(HOST_A, (uint16_t)(30000 + i), REMOTE, 53);
	for (i = 0; i < 4; i++)
		p[i] = out_ok(n, 0, &f[i], SEC(1));
	assert_int_equal(out_drop(n, 0, &f[4], SEC(1)), VSW_DROP_NAT_FULL);
	assert_int_equal(out_drop(n, 0, &f[4], SEC(2)), VSW_DROP_NAT_FULL);
	assert_int_equal(stats(n).full, 2);
	assert_int_equal(stats(n).active, 4);
	assert_int_equal(stats(n).created, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(out_ok(n, 0, &f[i], SEC(3)), p[i]);
		in_ok(n, 0, &f[i], p[i], SEC(3));
	}
	/* once one expires there is room again */
	assert_int_equal(vsw_nat_expire(n, 0, SEC(3 + 301), 4), 4);
	out_ok(n, 0, &f[4], SEC(305));
	assert_int_equal(stats(n).active, 1);
	vsw_nat_free(n);
}

static void
a_full_port_slice_is_nat_full(void **state)
{
	/* the most workers: the smallest slice */
	unsigned int nw = RTE_MIN(128u, (unsigned int)RTE_MAX_LCORE);
	unsigned int slice = PORT_SPAN / nw, i;
	struct vsw_nat *n = nat_new(nw, slice + 8);
	struct flow f = udp(HOST_A, 1, REMOTE, 53);
	uint16_t p;

	RTE_SET_USED(state);
	for (i = 0; i < slice; i++) {
		f.src = HOST_A + i;
		p = out_ok(n, 0, &f, SEC(1));
		assert_true(in_slice(p, 0, nw));
	}
	f.src = HOST_A + slice;
	assert_int_equal(out_drop(n, 0, &f, SEC(1)), VSW_DROP_NAT_FULL);
	assert_int_equal(stats(n).full, 1);
	/* another remote endpoint has every port free again */
	f.dst = REMOTE2;
	assert_true(in_slice(out_ok(n, 0, &f, SEC(1)), 0, nw));
	vsw_nat_free(n);
}

/* --- tests: expiry --- */

static void
udp_expires_after_its_timeout(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow a = udp(HOST_A, 40000, REMOTE, 53);
	struct flow r;
	uint16_t p;

	RTE_SET_USED(state);
	p = out_ok(n, 0, &a, SEC(10));
	assert_int_equal(vsw_nat_expire(n, 0, SEC(10 + 299), 64), 0);
	/* a reply refreshes it */
	in_ok(n, 0, &a, p, SEC(200));
	assert_int_equal(vsw_nat_expire(n, 0, SEC(10 + 301), 64), 0);
	assert_int_equal(vsw_nat_expire(n, 0, SEC(200 + 299), 64), 0);
	assert_int_equal(vsw_nat_expire(n, 0, SEC(200 + 301), 64), 1);
	r = reply_of(&a, p);
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(502)), VSW_DROP_NAT_NO_SESSION);
	assert_int_equal(stats(n).expired, 1);
	assert_int_equal(stats(n).active, 0);
	/* and the next packet out is a new connection */
	out_ok(n, 0, &a, SEC(503));
	assert_int_equal(stats(n).created, 2);
	vsw_nat_free(n);
}

static void
expiry_walks_a_bounded_budget(void **state)
{
	struct vsw_nat *n = nat_new(1, 16);
	struct flow f;
	unsigned int i, total = 0, turns = 0, got;

	RTE_SET_USED(state);
	for (i = 0; i < 10; i++) {
		f = udp(HOST_A, (uint16_t)(20000 + i), REMOTE, 53);
		out_ok(n, 0, &f, SEC(1));
	}
	do {
		got = vsw_nat_expire(n, 0, SEC(1000), 3);
		assert_true(got <= 3);
		total += got;
		turns++;
	} while (total < 10 && turns < 100);
	assert_int_equal(total, 10);
	assert_true(turns >= 4);
	assert_int_equal(stats(n).active, 0);
	vsw_nat_free(n);
}

static void
tcp_fin_and_rst_make_a_connection_transitory(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow est = tcp(HOST_A, 41000, REMOTE, 443, TCP_SYN);
	struct flow fin = tcp(HOST_A, 41001, REMOTE, 443, TCP_SYN);
	struct flow rst = tcp(HOST_A, 41002, REMOTE, 443, TCP_SYN);
	struct flow syn = tcp(HOST_A, 41003, REMOTE, 443, TCP_SYN);
	uint16_t pe, pf, pr;

	RTE_SET_USED(state);
	pe = out_ok(n, 0, &est, SEC(0));
	pf = out_ok(n, 0, &fin, SEC(0));
	pr = out_ok(n, 0, &rst, SEC(0));
	out_ok(n, 0, &syn, SEC(0));          /* never answered: transitory */
	est.tcp_flags = fin.tcp_flags = rst.tcp_flags = TCP_SYN | TCP_ACK;
	in_ok(n, 0, &est, pe, SEC(0));
	in_ok(n, 0, &fin, pf, SEC(0));
	in_ok(n, 0, &rst, pr, SEC(0));
	fin.tcp_flags = TCP_FIN | TCP_ACK;
	out_ok(n, 0, &fin, SEC(0));
	rst.tcp_flags = TCP_RST;
	in_ok(n, 0, &rst, pr, SEC(0));
	assert_int_equal(vsw_nat_expire(n, 0, SEC(239), 64), 0);
	/* fin, rst and the half-open one go; the established one stays */
	assert_int_equal(vsw_nat_expire(n, 0, SEC(241), 64), 3);
	assert_int_equal(stats(n).active, 1);
	in_ok(n, 0, &est, pe, SEC(242));
	assert_int_equal(vsw_nat_expire(n, 0, SEC(242 + 7439), 64), 0);
	assert_int_equal(vsw_nat_expire(n, 0, SEC(242 + 7441), 64), 1);
	vsw_nat_free(n);
}

/* --- tests: workers --- */

static void
connections_of_one_worker_are_found_by_another(void **state)
{
	struct vsw_nat *n = nat_new(2, 64);
	struct flow a = udp(HOST_A, 40000, REMOTE, 53);
	struct flow b = tcp(HOST_B, 2000, REMOTE, 80, TCP_SYN);
	uint16_t pa, pb;

	RTE_SET_USED(state);
	/* 40000 lies in worker 1's slice: worker 0 picks one of its own */
	pa = out_ok(n, 0, &a, SEC(1));
	assert_true(in_slice(pa, 0, 2));
	in_ok(n, 1, &a, pa, SEC(1));
	pb = out_ok(n, 1, &b, SEC(1));
	assert_true(in_slice(pb, 1, 2));
	b.tcp_flags = TCP_SYN | TCP_ACK;
	in_ok(n, 0, &b, pb, SEC(1));
	/* the flow moving to the other worker keeps its mapping */
	assert_int_equal(out_ok(n, 1, &a, SEC(2)), pa);
	assert_int_equal(stats(n).created, 2);
	/* only the owner expires its own */
	assert_int_equal(vsw_nat_expire(n, 1, SEC(100000), 64), 1);
	assert_int_equal(stats(n).active, 1);
	assert_int_equal(vsw_nat_expire(n, 0, SEC(100000), 64), 1);
	assert_int_equal(stats(n).active, 0);
	vsw_nat_free(n);
}

/* --- tests: ICMP errors (RFC 5508) --- */

static void
an_inbound_icmp_error_reaches_the_internal_host(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow u = udp(HOST_A, 5000, REMOTE, 53);
	struct flow t = tcp(HOST_A, 5001, REMOTE, 80, TCP_SYN);
	struct flow qu, qt, ou, ot;
	struct rte_mbuf *m, *want;
	uint16_t pu, pt;

	RTE_SET_USED(state);
	u.sport = 1;                  /* remapped: the port changes */
	pu = out_ok(n, 0, &u, SEC(1));
	pt = out_ok(n, 0, &t, SEC(1));
	/* port unreachable from the remote, quoting the whole datagram */
	qu = u;
	qu.src = EXT_IP;
	qu.sport = pu;
	ou = u;
	m = build_icmp_error(REMOTE, EXT_IP, &qu, IP_HDR + 8 + qu.payload);
	want = build_icmp_error(REMOTE, HOST_A, &ou, IP_HDR + 8 + ou.payload);
	assert_int_equal(vsw_nat_in(n, 0, ROUTER, m, SEC(2)), OK);
	assert_cksums_ok(m);
	assert_ip_cksum_ok(bytes(m) + OFF_L4 + 8);
	assert_l4_cksum_ok(bytes(m) + OFF_L4 + 8);
	assert_same_frame(m, want);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(want);
	/* a router on the way quotes 8 bytes of TCP: no TCP checksum */
	qt = t;
	qt.src = EXT_IP;
	qt.sport = pt;
	ot = t;
	m = build_icmp_error(REMOTE2, EXT_IP, &qt, IP_HDR + 8);
	want = build_icmp_error(REMOTE2, HOST_A, &ot, IP_HDR + 8);
	assert_int_equal(vsw_nat_in(n, 0, ROUTER, m, SEC(2)), OK);
	assert_cksums_ok(m);
	assert_same_frame(m, want);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(want);
	/* about no connection of ours */
	qu.dport = 54;
	m = build_icmp_error(REMOTE, EXT_IP, &qu, IP_HDR + 8);
	assert_int_equal(vsw_nat_in(n, 0, ROUTER, m, SEC(2)), VSW_DROP_NAT_NO_SESSION);
	rte_pktmbuf_free(m);
	/* truncated before the quoted ports */
	m = build_icmp_error(REMOTE, EXT_IP, &qt, IP_HDR + 4);
	assert_int_equal(vsw_nat_in(n, 0, ROUTER, m, SEC(2)), VSW_DROP_MALFORMED);
	rte_pktmbuf_free(m);
	vsw_nat_free(n);
}

static void
an_outbound_icmp_error_carries_the_external_tuple(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow u = udp(HOST_A, 5000, REMOTE, 53);
	struct flow e = { .proto = PROTO_ICMP, .src = HOST_A, .dst = REMOTE,
			  .sport = 9, .icmp_type = 8, .payload = 8 };
	struct flow q, w;
	struct rte_mbuf *m, *want;
	uint16_t pu, pe;

	RTE_SET_USED(state);
	u.sport = 2;
	pu = out_ok(n, 0, &u, SEC(1));
	pe = out_ok(n, 0, &e, SEC(1));
	/* the host refuses the (translated) reply it got */
	q = (struct flow){ .proto = PROTO_UDP, .src = REMOTE, .dst = HOST_A,
			   .sport = 53, .dport = 2, .payload = 5 };
	w = q;
	w.dst = EXT_IP;
	w.dport = pu;
	m = build_icmp_error(HOST_A, REMOTE, &q, IP_HDR + 8 + q.payload);
	want = build_icmp_error(EXT_IP, REMOTE, &w, IP_HDR + 8 + w.payload);
	assert_int_equal(vsw_nat_out(n, 0, ROUTER, rte_cpu_to_be_32(EXT_IP), m,
				     SEC(2)), OK);
	assert_cksums_ok(m);
	assert_l4_cksum_ok(bytes(m) + OFF_L4 + 8);
	assert_same_frame(m, want);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(want);
	/* an error about an echo reply it got: the id goes back out */
	q = (struct flow){ .proto = PROTO_ICMP, .src = REMOTE, .dst = HOST_A,
			   .sport = 9, .icmp_type = 0, .payload = 8 };
	w = q;
	w.dst = EXT_IP;
	w.sport = pe;
	m = build_icmp_error(HOST_A, REMOTE, &q, IP_HDR + 8 + q.payload);
	want = build_icmp_error(EXT_IP, REMOTE, &w, IP_HDR + 8 + w.payload);
	assert_int_equal(vsw_nat_out(n, 0, ROUTER, rte_cpu_to_be_32(EXT_IP), m,
				     SEC(2)), OK);
	assert_cksums_ok(m);
	assert_l4_cksum_ok(bytes(m) + OFF_L4 + 8);
	assert_same_frame(m, want);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(want);
	/* errors never create connections */
	assert_int_equal(stats(n).created, 2);
	vsw_nat_free(n);
}

/* --- tests: what is not translated --- */

static void
fragments_and_other_protocols(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow f = udp(HOST_A, 6000, REMOTE, 53);
	struct flow g = { .proto = PROTO_GRE, .src = HOST_A, .dst = REMOTE,
			  .payload = 8 };
	struct flow r;
	uint16_t p;

	RTE_SET_USED(state);
	/* a first fragment carries the ports: translated */
	f.frag = 0x2000;
	p = out_ok(n, 0, &f, SEC(1));
	in_ok(n, 0, &f, p, SEC(1));
	/* later fragments carry none */
	f.frag = 0x2000 | 185;
	assert_int_equal(out_drop(n, 0, &f, SEC(1)), VSW_DROP_NAT_PROTO);
	r = reply_of(&f, p);
	assert_int_equal(in_reply(n, 0, ROUTER, &r, SEC(1)), VSW_DROP_NAT_PROTO);
	f.frag = 185;                 /* the last one */
	assert_int_equal(out_drop(n, 0, &f, SEC(1)), VSW_DROP_NAT_PROTO);
	assert_int_equal(out_drop(n, 0, &g, SEC(1)), VSW_DROP_NAT_PROTO);
	g.src = REMOTE;
	g.dst = EXT_IP;
	assert_int_equal(in_reply(n, 0, ROUTER, &g, SEC(1)), VSW_DROP_NAT_PROTO);
	assert_int_equal(stats(n).created, 1);
	vsw_nat_free(n);
}

static void
a_truncated_l4_header_is_malformed(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow f = tcp(HOST_A, 6000, REMOTE, 80, TCP_SYN);
	struct rte_mbuf *m = build(&f);

	RTE_SET_USED(state);
	/* an IPv4 total length that ends inside the TCP header */
	wr16(bytes(m), L2 + 2, IP_HDR + 12);
	assert_int_equal(vsw_nat_out(n, 0, ROUTER, rte_cpu_to_be_32(EXT_IP), m,
				     SEC(1)), VSW_DROP_MALFORMED);
	rte_pktmbuf_free(m);
	assert_int_equal(stats(n).created, 0);
	vsw_nat_free(n);
}

/* --- tests: floating IPs --- */

static void
rewrite_and_check(const struct flow *f, bool src, uint32_t addr)
{
	struct rte_mbuf *m = build(f), *want;
	struct flow w = *f;

	vsw_nat_rewrite_addr(m, src, rte_cpu_to_be_32(addr));
	if (src)
		w.src = addr;
	else
		w.dst = addr;
	assert_ip_cksum_ok(bytes(m) + L2);
	if (f->proto != PROTO_ICMP)
		assert_l4_cksum_ok(bytes(m) + L2);
	want = build(&w);
	if (f->proto == PROTO_ICMP) {
		/* ICMP is untouched: its checksum stays what it was */
		assert_int_equal(rd16(bytes(m), OFF_L4 + 2), rd16(bytes(want), OFF_L4 + 2));
	}
	assert_same_frame(m, want);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(want);
}

static void
rewrite_addr_fixes_checksums_both_ways(void **state)
{
	const uint32_t fip = ip4(203, 0, 113, 50);
	struct flow t = tcp(REMOTE, 51000, fip, 22, TCP_SYN);
	struct flow u = udp(REMOTE, 51001, fip, 53);
	struct flow z = udp(REMOTE, 51002, fip, 53);
	struct flow e = { .proto = PROTO_ICMP, .src = REMOTE, .dst = fip,
			  .sport = 5, .icmp_type = 8, .payload = 16 };
	struct flow frag = udp(REMOTE, 51003, fip, 53);
	struct flow *all[] = { &t, &u, &z, &e };
	unsigned int i;

	RTE_SET_USED(state);
	z.udp_no_cksum = true;
	for (i = 0; i < RTE_DIM(all); i++) {
		/* in: floating -> fixed; out: fixed -> floating */
		rewrite_and_check(all[i], false, HOST_A);
		all[i]->src = HOST_A;
		all[i]->dst = REMOTE;
		rewrite_and_check(all[i], true, fip);
	}
	/* a later fragment: only the IPv4 header changes */
	frag.frag = 100;
	{
		struct rte_mbuf *m = build(&frag), *want = build(&frag);

		vsw_nat_rewrite_addr(m, false, rte_cpu_to_be_32(HOST_A));
		assert_ip_cksum_ok(bytes(m) + L2);
		assert_int_equal(frame_dst(m), HOST_A);
		assert_memory_equal(bytes(m) + OFF_L4, bytes(want) + OFF_L4,
				    rte_pktmbuf_data_len(m) - OFF_L4);
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(want);
	}
}

static void
a_changed_gateway_address_maps_anew(void **state)
{
	struct vsw_nat *n = nat_new(1, 64);
	struct flow a = udp(HOST_A, 40000, REMOTE, 53);
	struct rte_mbuf *m = build(&a);
	const uint32_t new_ext = ip4(203, 0, 113, 9);

	RTE_SET_USED(state);
	out_ok(n, 0, &a, SEC(1));
	assert_int_equal(vsw_nat_out(n, 0, ROUTER, rte_cpu_to_be_32(new_ext), m,
				     SEC(2)), OK);
	assert_int_equal(frame_src(m), new_ext);
	assert_cksums_ok(m);
	assert_int_equal(stats(n).active, 1);
	assert_int_equal(stats(n).created, 2);
	rte_pktmbuf_free(m);
	vsw_nat_free(n);
}

/* --- tests: concurrency with RCU --- */

#define MT_CONNS 256u
#define MT_REMOTE_PORT 53
#define MT_MIN_TURNS 20000u
#define MT_MIN_HITS 1000u
#define MT_DEADLINE_S 10

struct mt_shared {
	struct vsw_nat *nat;
	struct rte_rcu_qsbr *qsbr;
	uint32_t last;               /* internal port << 16 | external port */
	bool stop;
	uint64_t hits, misses, wrong; /* the reader's */
	uint64_t turns, writer_fail;  /* the writer's */
	struct rte_mbuf *m[2];        /* one per thread */
};

/* Internal host of a port: the mapping the reader can check. */
static uint32_t
mt_host(uint16_t port)
{
	return ip4(10, 1, (uint8_t)(port >> 8), (uint8_t)port);
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Worker 0: creates one connection a turn and expires, until the reader
 * has seen enough (a loaded machine may not run both at once: bounded). */
static void *
mt_writer(void *arg)
{
	struct mt_shared *s = arg;
	double deadline = mono_s() + MT_DEADLINE_S;
	/* one mbuf each: a thread preempted inside a shared mempool ring
	 * would stall the other on this loaded 2-CPU machine */
	struct rte_mbuf *m = s->m[0];
	struct flow f;
	uint16_t port;
	uint64_t now, i;

	rte_rcu_qsbr_thread_register(s->qsbr, 0);
	rte_rcu_qsbr_thread_online(s->qsbr, 0);
	for (i = 0; i < MT_MIN_TURNS ||
		    __atomic_load_n(&s->hits, __ATOMIC_RELAXED) < MT_MIN_HITS; i++) {
		if ((i & 1023) == 0 && mono_s() > deadline)
			break;
		now = SEC(1) + i * 20;          /* 20 ms a turn */
		port = (uint16_t)(2000 + i % 20000);
		f = udp(mt_host(port), port, REMOTE, MT_REMOTE_PORT);
		build_in(m, &f);
		if (vsw_nat_out(s->nat, 0, ROUTER, rte_cpu_to_be_32(EXT_IP), m,
				now) == OK) {
			__atomic_store_n(&s->last, (uint32_t)port << 16 |
					 frame_sport(m), __ATOMIC_RELEASE);
		} else {
			/* records wait for the reader's grace period */
			s->writer_fail++;
			sched_yield();
		}
		vsw_nat_expire(s->nat, 0, now, 8);
		rte_rcu_qsbr_quiescent(s->qsbr, 0);
	}
	s->turns = i;
	rte_rcu_qsbr_thread_offline(s->qsbr, 0);
	rte_rcu_qsbr_thread_unregister(s->qsbr, 0);
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Worker 1: replies to the last 300 mappings (about 100 live, the rest
 * expired or expiring); a hit must map to the internal host of its own
 * connection, never to a recycled record's. */
static void *
mt_reader(void *arg)
{
	struct mt_shared *s = arg;
	struct rte_mbuf *m = s->m[1];
	struct flow r;
	uint32_t last;
	uint16_t ext;

	rte_rcu_qsbr_thread_register(s->qsbr, 1);
	rte_rcu_qsbr_thread_online(s->qsbr, 1);
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		last = __atomic_load_n(&s->last, __ATOMIC_ACQUIRE);
		ext = (uint16_t)(last - (s->hits + s->misses) % 300);
		r = udp(REMOTE, MT_REMOTE_PORT, EXT_IP, ext);
		build_in(m, &r);
		/* at time 0: a reply refreshes nothing, so the writer's
		 * clock alone decides what expires (and races these lookups) */
		if (vsw_nat_in(s->nat, 1, ROUTER, m, 0) == OK) {
			__atomic_store_n(&s->hits, s->hits + 1, __ATOMIC_RELAXED);
			if (frame_dst(m) != mt_host(frame_dport(m)))
				s->wrong++;
		} else {
			s->misses++;
		}
		rte_rcu_qsbr_quiescent(s->qsbr, 1);
	}
	rte_rcu_qsbr_thread_offline(s->qsbr, 1);
	rte_rcu_qsbr_thread_unregister(s->qsbr, 1);
	return NULL;
}

static void
lookups_race_creation_and_expiry_under_rcu(void **state)
{
	size_t sz = rte_rcu_qsbr_get_memsize(2);
	struct rte_rcu_qsbr *v = rte_zmalloc("nat_t_qsbr", sz, RTE_CACHE_LINE_SIZE);
	struct vsw_nat_params p = params(2, MT_CONNS);
	struct mt_shared s = { 0 };
	struct vsw_nat_stats st;
	pthread_t wt, rt;

	RTE_SET_USED(state);
	assert_non_null(v);
	assert_int_equal(rte_rcu_qsbr_init(v, 2), 0);
	p.udp_s = 2;                     /* 100 writer turns */
	p.qsbr = v;
	s.nat = vsw_nat_create(&p);
	assert_non_null(s.nat);
	s.qsbr = v;
	s.m[0] = rte_pktmbuf_alloc(test_pool);
	s.m[1] = rte_pktmbuf_alloc(test_pool);
	assert_true(s.m[0] != NULL && s.m[1] != NULL);
	assert_int_equal(pthread_create(&rt, NULL, mt_reader, &s), 0);
	assert_int_equal(pthread_create(&wt, NULL, mt_writer, &s), 0);
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	st = stats(s.nat);
	printf("  mt: writer turns %" PRIu64 " created %" PRIu64 " expired %" PRIu64
	       " full %" PRIu64 "; reader hits %" PRIu64 " misses %" PRIu64 "\n",
	       s.turns, st.created, st.expired, st.full, s.hits, s.misses);
	assert_int_equal(s.wrong, 0);
	assert_true(s.hits > 0);
	assert_int_equal(st.active, st.created - st.expired);
	assert_true(st.active <= MT_CONNS);
	assert_true(st.expired > MT_CONNS);   /* records were recycled */
	assert_int_equal(s.writer_fail, st.full);
	rte_pktmbuf_free(s.m[0]);
	rte_pktmbuf_free(s.m[1]);
	vsw_nat_free(s.nat);
	rte_free(v);
}

/* --- benchmark (VSW_NAT_BENCH=1): never part of the test run --- */

#define BENCH_BURST 32u

static uint64_t
env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoull(v, NULL, 0) : def;
}

/* Cycles of n_pkts calls of fn over the frames in tmpl (restored from the
 * template before each call, which the baseline loop measures alone). */
static uint64_t
bench_loop(struct vsw_nat *n, struct rte_mbuf **m, uint8_t (*tmpl)[64],
	   unsigned int n_frames, uint64_t n_pkts, bool in, bool call)
{
	uint64_t t0, total = 0, i;
	unsigned int j, k = 0;
	enum vsw_drop d = OK;

	for (i = 0; i < n_pkts; i += BENCH_BURST) {
		t0 = rte_rdtsc();
		for (j = 0; j < BENCH_BURST; j++) {
			memcpy(bytes(m[k]), tmpl[k], 64);
			if (call)
				d = in ? vsw_nat_in(n, 0, ROUTER, m[k], SEC(1))
				       : vsw_nat_out(n, 0, ROUTER,
						     rte_cpu_to_be_32(EXT_IP), m[k],
						     SEC(1));
			if (unlikely(d != OK))
				fail_msg("bench translation failed: %d", (int)d);
			if (++k == n_frames)
				k = 0;
		}
		total += rte_rdtsc() - t0;
	}
	return total;
}

static void
bench_case(uint32_t conns, uint64_t n_pkts)
{
	struct vsw_nat *n = nat_new(1, conns);
	unsigned int n_frames = RTE_MIN(conns, 1024u), stride = conns / n_frames, i;
	struct rte_mbuf **out = calloc(n_frames, sizeof(*out));
	struct rte_mbuf **in = calloc(n_frames, sizeof(*in));
	uint8_t (*t_out)[64] = calloc(n_frames, 64), (*t_in)[64] = calloc(n_frames, 64);
	uint64_t base, c_out, c_in;
	struct flow f;
	uint16_t p;

	assert_true(out != NULL && in != NULL && t_out != NULL && t_in != NULL);
	for (i = 0; i < conns; i++) {
		/* 200 remotes: every first-choice external port is free */
		f = udp(ip4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i),
			(uint16_t)(1024 + i / 200), ip4(198, 51, 100, (uint8_t)(i % 200)),
			53);
		f.payload = 64 - L2 - IP_HDR - 8;
		p = out_ok(n, 0, &f, SEC(1));
		if (i % stride == 0 && i / stride < n_frames) {
			struct flow r = reply_of(&f, p);

			out[i / stride] = build(&f);
			in[i / stride] = build(&r);
			memcpy(t_out[i / stride], bytes(out[i / stride]), 64);
			memcpy(t_in[i / stride], bytes(in[i / stride]), 64);
		}
	}
	/* the frames are spread over the whole table */
	base = bench_loop(n, out, t_out, n_frames, n_pkts, false, false);
	c_out = bench_loop(n, out, t_out, n_frames, n_pkts, false, true);
	c_in = bench_loop(n, in, t_in, n_frames, n_pkts, true, true);
	printf("nat bench: %7u conns, %4u flows hit: out %.1f cycles/pkt, "
	       "in %.1f cycles/pkt (frame restore %.1f, subtracted)\n",
	       conns, n_frames, (double)(c_out - base) / n_pkts,
	       (double)(c_in - base) / n_pkts, (double)base / n_pkts);
	for (i = 0; i < n_frames; i++) {
		rte_pktmbuf_free(out[i]);
		rte_pktmbuf_free(in[i]);
	}
	free(out);
	free(in);
	free(t_out);
	free(t_in);
	vsw_nat_free(n);
}

static void
bench_all(void **state)
{
	uint64_t n_pkts = RTE_MAX(env_u64("VSW_NAT_BENCH_PKTS", 2000000),
				  (uint64_t)BENCH_BURST);
	uint32_t big = (uint32_t)env_u64("VSW_NAT_BENCH_CONNS", 100000);

	RTE_SET_USED(state);
	printf("nat bench: TSC %.3f GHz, 64-byte UDP frames, existing "
	       "connections, one worker\n", rte_get_tsc_hz() / 1e9);
	bench_case(1, n_pkts);
	bench_case(1000, n_pkts);
	bench_case(big, n_pkts);
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	if (vsw_eal_env_start("test_nat", "vsw-test-nat", 512,
			      "lib.*:warning") < 0)
		return -1;
	test_pool = rte_pktmbuf_pool_create("nat_t_pool", POOL_SIZE, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	return test_pool == NULL ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	RTE_SET_USED(state);
	/* every test gave back every mbuf */
	if (rte_mempool_in_use_count(test_pool) != 0)
		fprintf(stderr, "mbufs leaked: %u\n",
			rte_mempool_in_use_count(test_pool));
	rte_mempool_free(test_pool);
	vsw_eal_env_stop();
	return 0;
}

static int
check_no_leak(void **state)
{
	RTE_SET_USED(state);
	return rte_mempool_in_use_count(test_pool) == 0 ? 0 : -1;
}

#define T(f) cmocka_unit_test_teardown(f, check_no_leak)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(tcp_round_trip_restores_the_frame),
		T(udp_round_trip_restores_the_frame),
		T(udp_without_checksum_stays_without),
		T(translations_match_frames_built_from_scratch),
		T(icmp_echo_id_is_translated_both_ways),
		T(two_hosts_with_one_port_get_two_external_ports),
		T(a_second_packet_reuses_its_connection),
		T(a_reply_from_elsewhere_has_no_session),
		T(a_full_table_drops_and_counts_and_never_evicts),
		T(a_full_port_slice_is_nat_full),
		T(udp_expires_after_its_timeout),
		T(expiry_walks_a_bounded_budget),
		T(tcp_fin_and_rst_make_a_connection_transitory),
		T(connections_of_one_worker_are_found_by_another),
		T(an_inbound_icmp_error_reaches_the_internal_host),
		T(an_outbound_icmp_error_carries_the_external_tuple),
		T(fragments_and_other_protocols),
		T(a_truncated_l4_header_is_malformed),
		T(rewrite_addr_fixes_checksums_both_ways),
		T(a_changed_gateway_address_maps_anew),
		T(lookups_race_creation_and_expiry_under_rcu),
	};
	const struct CMUnitTest bench[] = {
		cmocka_unit_test(bench_all),
	};
	const char *b = getenv("VSW_NAT_BENCH");

	if (b != NULL && strcmp(b, "1") == 0)
		return cmocka_run_group_tests_name("nat_bench", bench, setup_eal,
						   teardown_eal);
	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
