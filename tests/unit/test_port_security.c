/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "port_security.h"

#define PASS VSW_DROP_MAX
#define FRAME_MAX 128

static struct rte_mempool *pool;

static const struct rte_ether_addr own_mac = {{ 0x02, 0, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr pair_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
static const struct rte_ether_addr other_mac = {{ 0x02, 0, 0, 0, 0, 0x99 }};

struct frame {
	uint8_t b[FRAME_MAX];
	uint16_t len;
};

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

/* Port 02::01 owns 10.0.0.5 and 10.0.0.6; pairs: 02::02 with
 * 192.168.1.0/24, and its own MAC with 10.1.1.7/32. */
static struct vsw_port_security
port(void)
{
	struct vsw_port_security ps = {
		.enabled = true,
		.mac = own_mac,
		.n_ips = 2,
		.n_pairs = 2,
	};

	ps.ips[0] = ip4(10, 0, 0, 5);
	ps.ips[1] = ip4(10, 0, 0, 6);
	ps.pairs[0].mac = pair_mac;
	ps.pairs[0].addr = ip4(192, 168, 1, 0);
	ps.pairs[0].mask = ip4(255, 255, 255, 0);
	ps.pairs[1].mac = own_mac;
	ps.pairs[1].addr = ip4(10, 1, 1, 7);
	ps.pairs[1].mask = ip4(255, 255, 255, 255);
	return ps;
}

static void *
put_eth(struct frame *f, const struct rte_ether_addr *src, uint16_t type)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f->b;

	memset(f, 0, sizeof(*f));
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(type);
	f->len = sizeof(*eth);
	return eth + 1;
}

static struct rte_ipv4_hdr *
ipv4_frame(struct frame *f, const struct rte_ether_addr *src_mac,
	   rte_be32_t src_ip, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = put_eth(f, src_mac, RTE_ETHER_TYPE_IPV4);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = src_ip;
	ip->dst_addr = ip4(10, 0, 0, 1);
	f->len += sizeof(*ip);
	ip->total_length = rte_cpu_to_be_16(f->len - sizeof(struct rte_ether_hdr));
	return ip;
}

/* UDP from 0.0.0.0, with ihl_words 32-bit words of IP header. */
static void
udp_frame(struct frame *f, rte_be32_t src_ip, uint16_t sport, uint16_t dport,
	  uint8_t ihl_words)
{
	struct rte_ipv4_hdr *ip = ipv4_frame(f, &own_mac, src_ip, IPPROTO_UDP);
	struct rte_udp_hdr *udp;

	ip->version_ihl = 0x40 | ihl_words;
	f->len = sizeof(struct rte_ether_hdr) + ihl_words * 4;
	udp = (struct rte_udp_hdr *)(f->b + f->len);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(sizeof(*udp));
	f->len += sizeof(*udp);
}

static void
dhcp_discover(struct frame *f)
{
	udp_frame(f, 0, 68, 67, 5);
}

static struct rte_arp_hdr *
arp_frame(struct frame *f, const struct rte_ether_addr *src_mac,
	  const struct rte_ether_addr *sha, rte_be32_t sip)
{
	struct rte_arp_hdr *arp = put_eth(f, src_mac, RTE_ETHER_TYPE_ARP);

	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = *sha;
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tip = ip4(10, 0, 0, 1);
	f->len += sizeof(*arp);
	return arp;
}

static void
ipv6_frame(struct frame *f, const struct rte_ether_addr *src_mac,
	   const uint8_t src[16])
{
	struct rte_ipv6_hdr *ip6 = put_eth(f, src_mac, RTE_ETHER_TYPE_IPV6);

	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, src, 16);
	ip6->dst_addr[0] = 0xff;
	ip6->dst_addr[1] = 0x02;
	ip6->dst_addr[15] = 0x01;
	f->len += sizeof(*ip6);
}

/* The frame in mbufs from the pool, cut into segments at the given offsets
 * (ascending, each strictly inside the frame). */
static struct rte_mbuf *
to_mbufs(const struct frame *f, uint16_t len, const uint16_t *cuts,
	 unsigned int n_cuts)
{
	struct rte_mbuf *head = NULL, *seg;
	uint16_t from = 0, to;
	unsigned int i;
	char *p;

	for (i = 0; i <= n_cuts; i++) {
		to = i < n_cuts ? cuts[i] : len;
		seg = rte_pktmbuf_alloc(pool);
		assert_non_null(seg);
		p = rte_pktmbuf_append(seg, to - from);
		assert_true(p != NULL || to == from);
		memcpy(p, f->b + from, to - from);
		if (head == NULL)
			head = seg;
		else
			assert_int_equal(rte_pktmbuf_chain(head, seg), 0);
		from = to;
	}
	return head;
}

static enum vsw_drop
check_mbufs(const struct vsw_port_security *ps, const struct frame *f,
	    uint16_t len, const uint16_t *cuts, unsigned int n_cuts)
{
	struct rte_mbuf *m = to_mbufs(f, len, cuts, n_cuts);
	enum vsw_drop d;

	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	d = vsw_port_security_check(ps, m);
	rte_pktmbuf_free(m);
	return d;
}

/*
 * The frame in a heap buffer of exactly len bytes behind a hand-made mbuf:
 * under ASan a read past the frame's end is reported (pool mbufs have
 * tailroom, so an over-read there would go unnoticed).
 */
static enum vsw_drop
check_exact(const struct vsw_port_security *ps, const struct frame *f,
	    uint16_t len)
{
	struct rte_mbuf m;
	enum vsw_drop d;
	uint8_t *buf = malloc(len ? len : 1);

	assert_non_null(buf);
	memcpy(buf, f->b, len);
	memset(&m, 0, sizeof(m));
	m.buf_addr = buf;
	m.buf_len = len;
	m.data_off = 0;
	m.data_len = len;
	m.pkt_len = len;
	m.nb_segs = 1;
	m.next = NULL;
	d = vsw_port_security_check(ps, &m);
	free(buf);
	return d;
}

/* The verdict on the first len bytes of f, checked to be the same whether the
 * frame sits in one segment, two (cut anywhere) or three. */
static enum vsw_drop
verdict_len(const struct vsw_port_security *ps, const struct frame *f,
	    uint16_t len)
{
	enum vsw_drop d = check_mbufs(ps, f, len, NULL, 0);
	uint16_t cut, cuts[2];

	assert_int_equal(check_exact(ps, f, len), d);
	for (cut = 1; cut < len; cut++)
		assert_int_equal(check_mbufs(ps, f, len, &cut, 1), d);
	for (cut = 2; cut + 1 < len; cut += 3) {
		cuts[0] = cut / 2;
		cuts[1] = cut + 1;
		assert_int_equal(check_mbufs(ps, f, len, cuts, 2), d);
	}
	return d;
}

static enum vsw_drop
verdict(const struct vsw_port_security *ps, const struct frame *f)
{
	return verdict_len(ps, f, f->len);
}

/* Every strict prefix of the frame from min_len on gets the given verdict. */
static void
assert_truncations(const struct vsw_port_security *ps, const struct frame *f,
		   uint16_t min_len, enum vsw_drop expected)
{
	uint16_t len;

	for (len = min_len; len < f->len; len++)
		if (verdict_len(ps, f, len) != expected) {
			print_error("length %u: got %s\n", len,
				    vsw_drop_key(verdict_len(ps, f, len)));
			fail();
		}
}

static void
disabled_passes_anything(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ps.enabled = false;
	ipv4_frame(&f, &other_mac, ip4(1, 2, 3, 4), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), PASS);
	assert_int_equal(verdict_len(&ps, &f, 3), PASS);
}

static void
short_ethernet_header_is_a_runt(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ipv4_frame(&f, &own_mac, ps.ips[0], IPPROTO_TCP);
	f.len = sizeof(struct rte_ether_hdr);
	assert_truncations(&ps, &f, 0, VSW_DROP_RUNT);
}

static void
multicast_or_broadcast_source(void **state)
{
	struct vsw_port_security ps = port();
	const struct rte_ether_addr mcast = {{ 0x01, 0, 0x5e, 0, 0, 1 }};
	const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
	struct frame f;

	(void)state;
	ipv4_frame(&f, &mcast, ps.ips[0], IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SRC_MULTICAST);
	ipv4_frame(&f, &bcast, ps.ips[0], IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SRC_MULTICAST);
	/* even when configured as the port's MAC */
	ps.mac = mcast;
	ipv4_frame(&f, &mcast, ps.ips[0], IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SRC_MULTICAST);
}

static void
source_mac_must_be_owned(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ipv4_frame(&f, &other_mac, ps.ips[0], IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_MAC);
	put_eth(&f, &other_mac, 0x88cc);
	f.len += 10;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_MAC);
	put_eth(&f, &own_mac, 0x88cc);
	f.len += 10;
	assert_int_equal(verdict(&ps, &f), PASS);
	put_eth(&f, &pair_mac, 0x88cc);
	f.len += 10;
	assert_int_equal(verdict(&ps, &f), PASS);
	/* a bare Ethernet header of another type passes */
	put_eth(&f, &own_mac, 0x88b5);
	assert_int_equal(verdict(&ps, &f), PASS);
}

static void
ipv4_source_from_fixed_ips(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ipv4_frame(&f, &own_mac, ip4(10, 0, 0, 5), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv4_frame(&f, &own_mac, ip4(10, 0, 0, 6), IPPROTO_UDP);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv4_frame(&f, &own_mac, ip4(10, 0, 0, 7), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* fixed IPs belong to the port's MAC, not to a pair's */
	ipv4_frame(&f, &pair_mac, ip4(10, 0, 0, 5), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* a port with no address at all */
	ps.n_ips = 0;
	ps.n_pairs = 0;
	ipv4_frame(&f, &own_mac, ip4(10, 0, 0, 5), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
}

static void
ipv4_source_from_pairs(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	/* CIDR pair with its own MAC */
	ipv4_frame(&f, &pair_mac, ip4(192, 168, 1, 1), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv4_frame(&f, &pair_mac, ip4(192, 168, 1, 254), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv4_frame(&f, &pair_mac, ip4(192, 168, 2, 1), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* the CIDR belongs to the pair's MAC only */
	ipv4_frame(&f, &own_mac, ip4(192, 168, 1, 1), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* /32 pair carrying the port's own MAC */
	ipv4_frame(&f, &own_mac, ip4(10, 1, 1, 7), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv4_frame(&f, &own_mac, ip4(10, 1, 1, 8), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	ipv4_frame(&f, &pair_mac, ip4(10, 1, 1, 7), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* a /0 pair allows any source from its MAC */
	ps.pairs[0].addr = 0;
	ps.pairs[0].mask = 0;
	ipv4_frame(&f, &pair_mac, ip4(8, 8, 8, 8), IPPROTO_TCP);
	assert_int_equal(verdict(&ps, &f), PASS);
}

static void
ipv4_header_must_be_sane(void **state)
{
	struct vsw_port_security ps = port();
	struct rte_ipv4_hdr *ip;
	struct frame f;

	(void)state;
	ip = ipv4_frame(&f, &own_mac, ps.ips[0], IPPROTO_TCP);
	ip->version_ihl = 0x44;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_MALFORMED);
	ip->version_ihl = 0x65;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_MALFORMED);
	/* options are fine */
	ip->version_ihl = 0x46;
	f.len += 4;
	assert_int_equal(verdict(&ps, &f), PASS);
}

static void
ipv4_truncated_at_every_length(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ipv4_frame(&f, &own_mac, ps.ips[0], IPPROTO_TCP);
	assert_truncations(&ps, &f, sizeof(struct rte_ether_hdr),
			   VSW_DROP_MALFORMED);
	assert_int_equal(verdict(&ps, &f), PASS);
}

static void
dhcp_client_from_unspecified_address(void **state)
{
	struct vsw_port_security ps = port();
	struct rte_ipv4_hdr *ip;
	struct frame f;

	(void)state;
	dhcp_discover(&f);
	assert_int_equal(verdict(&ps, &f), PASS);
	/* from a pair's MAC too (it is the port's traffic) */
	((struct rte_ether_hdr *)f.b)->src_addr = pair_mac;
	assert_int_equal(verdict(&ps, &f), PASS);
	/* IP options move the UDP header */
	udp_frame(&f, 0, 68, 67, 6);
	assert_int_equal(verdict(&ps, &f), PASS);
	/* anything else from 0.0.0.0 is spoofing */
	udp_frame(&f, 0, 67, 67, 5);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	udp_frame(&f, 0, 68, 68, 5);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	udp_frame(&f, 0, 67, 68, 5);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	dhcp_discover(&f);
	ip = (struct rte_ipv4_hdr *)(f.b + sizeof(struct rte_ether_hdr));
	ip->next_proto_id = IPPROTO_TCP;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* a later fragment has no UDP header where the ports would be */
	dhcp_discover(&f);
	ip = (struct rte_ipv4_hdr *)(f.b + sizeof(struct rte_ether_hdr));
	ip->fragment_offset = rte_cpu_to_be_16(1);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* DHCP ports from a foreign address are still spoofing */
	udp_frame(&f, ip4(10, 9, 9, 9), 68, 67, 5);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IP);
	/* and a spoofed MAC fails before any of this */
	dhcp_discover(&f);
	((struct rte_ether_hdr *)f.b)->src_addr = other_mac;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_MAC);
}

static void
dhcp_truncated_at_every_length(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	dhcp_discover(&f);
	assert_truncations(&ps, &f, sizeof(struct rte_ether_hdr),
			   VSW_DROP_MALFORMED);
	udp_frame(&f, 0, 68, 67, 7);
	assert_truncations(&ps, &f, sizeof(struct rte_ether_hdr),
			   VSW_DROP_MALFORMED);
	assert_int_equal(verdict(&ps, &f), PASS);
}

static void
arp_sender_must_be_owned(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	arp_frame(&f, &own_mac, &own_mac, ip4(10, 0, 0, 5));
	assert_int_equal(verdict(&ps, &f), PASS);
	arp_frame(&f, &own_mac, &own_mac, ip4(10, 1, 1, 7));
	assert_int_equal(verdict(&ps, &f), PASS);
	arp_frame(&f, &pair_mac, &pair_mac, ip4(192, 168, 1, 9));
	assert_int_equal(verdict(&ps, &f), PASS);
	/* foreign sender IP */
	arp_frame(&f, &own_mac, &own_mac, ip4(10, 0, 0, 9));
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_ARP);
	arp_frame(&f, &pair_mac, &pair_mac, ip4(10, 0, 0, 5));
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_ARP);
	/* sender MAC differs from the frame's source */
	arp_frame(&f, &own_mac, &other_mac, ip4(10, 0, 0, 5));
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_ARP);
	arp_frame(&f, &own_mac, &pair_mac, ip4(192, 168, 1, 9));
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_ARP);
	/* frame source not owned: the MAC check comes first */
	arp_frame(&f, &other_mac, &other_mac, ip4(10, 0, 0, 5));
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_MAC);
}

static void
arp_probe_from_unspecified_address(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	arp_frame(&f, &own_mac, &own_mac, 0);
	assert_int_equal(verdict(&ps, &f), PASS);
	arp_frame(&f, &own_mac, &other_mac, 0);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_ARP);
}

static void
arp_must_be_ethernet_ipv4(void **state)
{
	struct vsw_port_security ps = port();
	struct rte_arp_hdr *arp;
	struct frame f;

	(void)state;
	arp = arp_frame(&f, &own_mac, &own_mac, ps.ips[0]);
	arp->arp_hardware = rte_cpu_to_be_16(6);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_MALFORMED);
	arp = arp_frame(&f, &own_mac, &own_mac, ps.ips[0]);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_MALFORMED);
	arp = arp_frame(&f, &own_mac, &own_mac, ps.ips[0]);
	arp->arp_hlen = 8;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_MALFORMED);
	arp = arp_frame(&f, &own_mac, &own_mac, ps.ips[0]);
	arp->arp_plen = 16;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_MALFORMED);
}

static void
arp_truncated_at_every_length(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	arp_frame(&f, &own_mac, &own_mac, ps.ips[0]);
	assert_truncations(&ps, &f, sizeof(struct rte_ether_hdr),
			   VSW_DROP_MALFORMED);
	assert_int_equal(verdict(&ps, &f), PASS);
}

static void
rarp_passes_after_the_mac_check(void **state)
{
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	arp_frame(&f, &own_mac, &own_mac, 0);
	((struct rte_ether_hdr *)f.b)->ether_type =
		rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP);
	assert_int_equal(verdict(&ps, &f), PASS);
	assert_int_equal(verdict_len(&ps, &f, sizeof(struct rte_ether_hdr)),
			 PASS);
	((struct rte_ether_hdr *)f.b)->src_addr = other_mac;
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_MAC);
}

static void
ipv6_only_link_local_or_unspecified(void **state)
{
	static const uint8_t link_local[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t link_local_top[16] = { 0xfe, 0xbf, 0xff, [15] = 1 };
	static const uint8_t unspecified[16];
	static const uint8_t site_local[16] = { 0xfe, 0xc0, [15] = 1 };
	static const uint8_t global[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t almost[16] = { 0xfe, 0x7f, [15] = 1 };
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ipv6_frame(&f, &own_mac, link_local);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv6_frame(&f, &pair_mac, link_local_top);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv6_frame(&f, &own_mac, unspecified);
	assert_int_equal(verdict(&ps, &f), PASS);
	ipv6_frame(&f, &own_mac, site_local);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IPV6);
	ipv6_frame(&f, &own_mac, global);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IPV6);
	ipv6_frame(&f, &own_mac, almost);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_IPV6);
	ipv6_frame(&f, &other_mac, link_local);
	assert_int_equal(verdict(&ps, &f), VSW_DROP_SPOOF_MAC);
}

static void
ipv6_truncated_at_every_length(void **state)
{
	static const uint8_t link_local[16] = { 0xfe, 0x80, [15] = 1 };
	struct vsw_port_security ps = port();
	struct frame f;

	(void)state;
	ipv6_frame(&f, &own_mac, link_local);
	assert_truncations(&ps, &f, sizeof(struct rte_ether_hdr),
			   VSW_DROP_MALFORMED);
	assert_int_equal(verdict(&ps, &f), PASS);
}

static int
setup_eal(void **state)
{
	char prefix[64];
	char *argv[] = {
		"test_port_security", "--no-huge", "-m", "512", "--no-pci",
		"--no-shconf", "--no-telemetry", "--file-prefix", prefix,
		"-l", "0", "--log-level=lib.*:warning",
	};

	(void)state;
	snprintf(prefix, sizeof(prefix), "vsw-test-ps-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("ps_test", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	char run_dir[PATH_MAX];

	(void)state;
	rte_mempool_free(pool);
	snprintf(run_dir, sizeof(run_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* with --no-shconf EAL leaves only its empty runtime directory */
	rmdir(run_dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disabled_passes_anything),
		cmocka_unit_test(short_ethernet_header_is_a_runt),
		cmocka_unit_test(multicast_or_broadcast_source),
		cmocka_unit_test(source_mac_must_be_owned),
		cmocka_unit_test(ipv4_source_from_fixed_ips),
		cmocka_unit_test(ipv4_source_from_pairs),
		cmocka_unit_test(ipv4_header_must_be_sane),
		cmocka_unit_test(ipv4_truncated_at_every_length),
		cmocka_unit_test(dhcp_client_from_unspecified_address),
		cmocka_unit_test(dhcp_truncated_at_every_length),
		cmocka_unit_test(arp_sender_must_be_owned),
		cmocka_unit_test(arp_probe_from_unspecified_address),
		cmocka_unit_test(arp_must_be_ethernet_ipv4),
		cmocka_unit_test(arp_truncated_at_every_length),
		cmocka_unit_test(rarp_passes_after_the_mac_check),
		cmocka_unit_test(ipv6_only_link_local_or_unspecified),
		cmocka_unit_test(ipv6_truncated_at_every_length),
	};

	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
