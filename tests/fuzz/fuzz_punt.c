/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the control thread's punt handler
 * (control/punt_handler.h): ARP responder and resolver, parking, ICMP
 * echo, DHCP server. Frames are punted through the real punt ring with
 * the metadata a worker would give them, then polled and ticked on a
 * made-up clock; the handler's replies are checked and freed. It runs on
 * a hand-built fib, a real kvt, punt rings and mempools, and a real
 * in-process API model (networks, subnets with DHCP, ports). EAL
 * (--no-huge) starts once, in LLVMFuzzerInitialize.
 *
 * Topology: router 0: RIF_A 10.0.0.1/24 (net 0), RIF_B 10.1.0.1/24 (net 1),
 * RIF_X 203.0.113.10/24 (net 3, external; floating IP 203.0.113.50);
 * router 1: RIF_C 10.1.0.254/24 (net 2); VXLAN uplink slot 0 on port 5,
 * VTEP 192.168.100.1/24; VNIC ports 2 (net 0) and 3 (net 1); a VXLAN
 * vport on net 1. Neighbours age after 20 s, at most 16 are known.
 * Model: net 0 (MTU 1450, DHCP subnet 10.0.0.0/24 with DNS and a host
 * route, port 02:10:00:00:00:05), net 1 (DHCP subnet 10.1.0.0/24 without
 * a gateway, port 02:10:00:00:00:09). 10.0.0.5 is a static neighbour of
 * router 0.
 *
 * An input is a sequence of records; each record is
 *   sel    bits 0-1: reason: ARP, LOCAL, DHCP, RESOLVE;
 *          bits 2-4: port: RIF_A, RIF_B, RIF_C, RIF_X, the uplink, VNIC 2,
 *                    VNIC 3, the VXLAN vport;
 *          bit 5:    an unknown reason instead;
 *          bit 6:    two-segment mbuf: the first frame byte is the first
 *                    segment's length;
 *          bit 7:    another record follows: two bytes (big endian) give
 *                    this record's frame length;
 *   flags  bit 0: checksums as given (else the IPv4 header and ICMP, UDP,
 *                 TCP checksums are fixed); bits 1-2: RESOLVE scope
 *                 (router 0, router 1, the uplink, router 7: none);
 *                 bits 3-4: RESOLVE address (the frame's IPv4
 *                 destination, 10.0.0.77, 10.1.0.9, 192.168.100.9);
 *                 bits 5-6: the clock advances 0, 150 ms, 1.1 s or 4 s
 *                 first; bit 7: meta.net is another network's;
 *   frame  the rest (or the length given).
 * At most 48 records an input (each RESOLVE costs the handler a scan of
 * the port space). Each record is punted, polled and the timers ticked.
 * After the input the neighbour listing must agree with the counters,
 * every scope is flushed (the handler must then hold no neighbour and no
 * packet, and the kvt only its static entries), the injected packets are
 * checked (the handler's own: well-formed ARP, IPv4 with valid header,
 * ICMP and UDP checksums; parked ones: sent back as ROUTE or PORT) and
 * freed, and both mempools must be back to their baseline (a leak or a
 * double free aborts). Input frames come from their own pool with each
 * segment's tailroom poisoned for ASan.
 *
 * VSW_FUZZ_LOG=1 keeps rte_log output; VSW_FUZZ_STATS=1 prints the
 * handler's counters at exit.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <jansson.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "api.h"
#include "eal_env.h"
#include "fib.h"
#include "field_types.h"
#include "kvt.h"
#include "model.h"
#include "punt.h"
#include "punt_handler.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void);

const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz_punt: invariant failed: %s " \
				"(%s:%d)\n", #cond, __FILE__, __LINE__);    \
			abort();                                            \
		}                                                           \
	} while (0)

/* --- topology --- */

#define N_NETS 4
#define N_MODEL_NETS 2
#define RIF_C 1024
#define RIF_A 1025
#define RIF_B 1026
#define RIF_X 1027
#define VXLAN_VPORT 1030
#define UPLINK_PORT 5
#define UPLINK_SLOT 0
#define VNIC_A 2
#define VNIC_B 3
#define SCOPE_UPLINK (VSW_NEIGH_SCOPE_UPLINK | UPLINK_SLOT)
#define FIP 0xcb007132u              /* 203.0.113.50, host order */
#define FIP_FIXED 0x0a000005u        /* 10.0.0.5 */

#define HZ 1000000000ull             /* the made-up TSC: 1 cycle = 1 ns */
#define POOL_SIZE 3000               /* not 2^n - 1: see pool_free() */
#define RX_POOL_SIZE 700
#define SEG_MAX 2048
#define MAX_NEIGHBOURS 16
#define AGEING_S 20                  /* neighbours age within a short input */
#define MAX_RECORDS 48               /* the rest of a longer input is ignored */

#define SEL_REASON(s) ((s) & 3)
#define SEL_PORT(s) (((s) >> 2) & 7)
#define SEL_BAD_KIND 0x20
#define SEL_SPLIT 0x40
#define SEL_MORE 0x80
#define FL_RAW_CKSUM 0x01
#define FL_SCOPE(f) (((f) >> 1) & 3)
#define FL_IP(f) (((f) >> 3) & 3)
#define FL_CLOCK(f) (((f) >> 5) & 3)
#define FL_OTHER_NET 0x80

static const uint16_t sel_ports[8] = {
	RIF_A, RIF_B, RIF_C, RIF_X, UPLINK_PORT, VNIC_A, VNIC_B, VXLAN_VPORT,
};
static const uint16_t flush_scopes[] = { 0, 1, 7, SCOPE_UPLINK };
static const uint64_t clock_steps[4] = { 0, 150 * HZ / 1000, 1100 * HZ / 1000, 4 * HZ };

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

/* --- state --- */

struct fuzz {
	struct rte_mempool *pool;     /* the handler's replies */
	struct rte_mempool *rx_pool;  /* punted frames only (poisoned tails) */
	struct vsw_kvt *kvt;
	struct vsw_punt *punt;
	struct vsw_fib *fib;
	struct vsw_api *api;
	struct vsw_punt_handler *h;
	char net_ids[N_MODEL_NETS][VSW_UUID_STRLEN];
	struct vsw_token_bucket tb;
	int meta_off;
	uint64_t now;
	uint32_t kvt_baseline;
	uint8_t frame[2 * SEG_MAX];
};

static struct fuzz *fz;

static const struct vsw_fib *
cb_fib(void *arg)
{
	return ((struct fuzz *)arg)->fib;
}

static const struct vsw_model *
cb_model(void *arg)
{
	return vsw_api_model(((struct fuzz *)arg)->api);
}

static const char *
cb_net_id(void *arg, uint16_t net)
{
	struct fuzz *z = arg;

	return net < N_MODEL_NETS ? z->net_ids[net] : NULL;
}

/* --- checks --- */

static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *why = NULL;

	if (rte_mbuf_check(m, 1, &why) != 0) {
		fprintf(stderr, "fuzz_punt: bad mbuf: %s\n", why);
		abort();
	}
}

/* Free mbufs of a pool made by vsw_eal_env_ring_pool(): its ring holds
 * all of them (no per-lcore cache) and has room for more, so a double free
 * shows as a count above the pool's size (the in-use count is clamped at 0). */
static unsigned int
pool_free(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

/* A reply the handler built: well-formed ARP, or IPv4 with valid header,
 * ICMP and UDP checksums, from a unicast MAC. */
static void
check_reply(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const uint8_t *l4;
	uint32_t tl;

	CHECK(m->nb_segs == 1 && m->data_len >= RTE_ETHER_HDR_LEN);
	CHECK(rte_is_unicast_ether_addr(&eth->src_addr) &&
	      !rte_is_zero_ether_addr(&eth->src_addr));
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);

		CHECK(m->data_len >= 60);
		CHECK(arp->arp_hardware == RTE_BE16(RTE_ARP_HRD_ETHER) &&
		      arp->arp_protocol == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
		      arp->arp_hlen == 6 && arp->arp_plen == 4);
		CHECK(arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) ||
		      arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY));
		return;
	}
	CHECK(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4));
	CHECK(m->data_len >= RTE_ETHER_HDR_LEN + sizeof(*ip));
	CHECK(ip->version_ihl == RTE_IPV4_VHL_DEF && rte_ipv4_cksum(ip) == 0);
	tl = rte_be_to_cpu_16(ip->total_length);
	CHECK(tl >= sizeof(*ip) && RTE_ETHER_HDR_LEN + tl <= m->data_len);
	l4 = (const uint8_t *)(ip + 1);
	if (ip->next_proto_id == IPPROTO_ICMP) {
		CHECK(tl >= sizeof(*ip) + 8);
		CHECK(rte_raw_cksum(l4, tl - sizeof(*ip)) == 0xffff);
	} else {
		const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)l4;

		CHECK(ip->next_proto_id == IPPROTO_UDP && tl >= sizeof(*ip) + sizeof(*udp));
		CHECK(rte_be_to_cpu_16(udp->dgram_len) == tl - sizeof(*ip));
		CHECK(udp->dgram_cksum == 0 || rte_ipv4_udptcp_cksum_verify(ip, udp) == 0);
	}
}

/* Injected packets: the handler's replies and requests, or parked frames
 * sent back; all freed. */
static void
drain_injected(struct fuzz *z)
{
	struct rte_mbuf *pkts[64];
	unsigned int n, i;

	while ((n = vsw_inject_dequeue(z->punt, pkts, RTE_DIM(pkts))) != 0) {
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			const struct vsw_pkt_meta *meta = vsw_pkt_meta(m, z->meta_off);

			check_mbuf(m);
			CHECK(meta->port < VSW_FIB_MAX_PORTS);
			if (m->pool == z->rx_pool) {
				CHECK(meta->kind == VSW_INJECT_ROUTE ||
				      meta->kind == VSW_INJECT_PORT);
			} else {
				CHECK(meta->kind == VSW_INJECT_PORT ||
				      meta->kind == VSW_INJECT_NET);
				check_reply(m);
			}
			rte_pktmbuf_free(m);
		}
	}
}

static int64_t
stat_of(const json_t *stats, const char *key)
{
	const json_t *v = json_object_get(stats, key);

	CHECK(json_is_integer(v));
	return json_integer_value(v);
}

/* --- checksums of the input (so mutated headers are not all dropped) --- */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
cksum(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += rd16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
fix_l4(uint8_t *ip, uint8_t *l4, size_t l4_len)
{
	uint32_t pseudo = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) +
			  rd16(ip + 18) + ip[9] + (uint32_t)l4_len;
	uint16_t c;

	if (ip[9] == IPPROTO_ICMP && l4_len >= 4) {
		wr16(l4 + 2, 0);
		wr16(l4 + 2, cksum(l4, l4_len, 0));
	} else if (ip[9] == IPPROTO_UDP && l4_len >= 8 && rd16(l4 + 6) != 0) {
		wr16(l4 + 6, 0);
		c = cksum(l4, l4_len, pseudo);
		wr16(l4 + 6, c == 0 ? 0xffff : c);
	} else if (ip[9] == IPPROTO_TCP && l4_len >= 20) {
		wr16(l4 + 16, 0);
		wr16(l4 + 16, cksum(l4, l4_len, pseudo));
	}
}

/* The IPv4 packet after the Ethernet header: header and L4 checksums. */
static void
fix_frame(uint8_t *p, size_t len)
{
	uint8_t *ip = p + RTE_ETHER_HDR_LEN;
	size_t ihl, tl;

	if (len < RTE_ETHER_HDR_LEN + 20 || rd16(p + 12) != RTE_ETHER_TYPE_IPV4 ||
	    (ip[0] >> 4) != 4)
		return;
	len -= RTE_ETHER_HDR_LEN;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tl = rd16(ip + 2);
	if (ihl < 20 || ihl > len)
		return;
	if (tl >= ihl && tl <= len && (rd16(ip + 6) & 0x3fff) == 0)
		fix_l4(ip, ip + ihl, tl - ihl);
	wr16(ip + 10, 0);
	wr16(ip + 10, cksum(ip, ihl, 0));
}

/* --- input --- */

static struct rte_mbuf *
input_seg(struct fuzz *z, const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(z->rx_pool);
	char *d;

	CHECK(m != NULL);
	ASAN_UNPOISON_MEMORY_REGION(m->buf_addr, m->buf_len);
	d = rte_pktmbuf_append(m, (uint16_t)len);
	CHECK(d != NULL);
	memcpy(d, b, len);
	ASAN_POISON_MEMORY_REGION(d + len, rte_pktmbuf_tailroom(m));
	return m;
}

struct record {
	uint8_t sel;
	uint8_t flags;
	const uint8_t *frame;
	size_t len;
	size_t split;                 /* SIZE_MAX: one segment */
};

static bool
next_record(const uint8_t **p, size_t *n, struct record *r)
{
	size_t len;

	if (*n < 2)
		return false;
	r->sel = (*p)[0];
	r->flags = (*p)[1];
	*p += 2;
	*n -= 2;
	len = *n;
	if ((r->sel & SEL_MORE) && *n >= 2) {
		len = RTE_MIN((size_t)rd16(*p), *n - 2);
		*p += 2;
		*n -= 2;
	}
	r->frame = *p;
	r->len = len;
	*p += len;
	*n -= len;
	r->split = SIZE_MAX;
	if ((r->sel & SEL_SPLIT) && r->len > 0) {
		r->split = r->frame[0];
		r->frame++;
		r->len--;
	}
	return true;
}

static struct rte_mbuf *
record_mbuf(struct fuzz *z, const struct record *r)
{
	size_t len = RTE_MIN(r->len, r->split == SIZE_MAX ? (size_t)SEG_MAX
							 : (size_t)2 * SEG_MAX);
	struct rte_mbuf *m, *tail;
	size_t first;

	memcpy(z->frame, r->frame, len);
	if (!(r->flags & FL_RAW_CKSUM))
		fix_frame(z->frame, len);
	if (r->split == SIZE_MAX)
		return input_seg(z, z->frame, len);
	first = RTE_MIN(r->split, len);
	m = input_seg(z, z->frame, first);
	tail = input_seg(z, z->frame + first, RTE_MIN(len - first, (size_t)SEG_MAX));
	CHECK(rte_pktmbuf_chain(m, tail) == 0);
	return m;
}

/* The address a RESOLVE record asks for. */
static rte_be32_t
resolve_ip(const struct record *r, const struct rte_mbuf *m)
{
	struct rte_ipv4_hdr buf;
	const struct rte_ipv4_hdr *ip;

	switch (FL_IP(r->flags)) {
	case 0:
		ip = rte_pktmbuf_read(m, RTE_ETHER_HDR_LEN, sizeof(buf), &buf);
		return ip != NULL ? ip->dst_addr : 0;
	case 1:
		return ip4(10, 0, 0, 77);
	case 2:
		return ip4(10, 1, 0, 9);
	default:
		return ip4(192, 168, 100, 9);
	}
}

/* Punts the record's frame as a worker would (vsw_worker_punt), then
 * lets the control thread handle it. */
static void
run_record(struct fuzz *z, const struct record *r)
{
	static const uint16_t scopes[4] = { 0, 1, SCOPE_UPLINK, 7 };
	struct rte_mbuf *m = record_mbuf(z, r);
	struct vsw_pkt_meta *meta = vsw_pkt_meta(m, z->meta_off);
	uint16_t port = sel_ports[SEL_PORT(r->sel)];
	uint16_t net = z->fib->ports[port].net;

	z->now += clock_steps[FL_CLOCK(r->flags)];
	memset(meta, 0, sizeof(*meta));
	meta->kind = (r->sel & SEL_BAD_KIND) ? VSW_PUNT_REASON_MAX
					     : (uint8_t)(VSW_PUNT_ARP + SEL_REASON(r->sel));
	meta->port = port;
	meta->net = (r->flags & FL_OTHER_NET) ? (uint16_t)((net + 1) % N_NETS) : net;
	if (meta->kind == VSW_PUNT_RESOLVE) {
		meta->scope = scopes[FL_SCOPE(r->flags)];
		meta->ip = resolve_ip(r, m);
	}
	if (vsw_punt_packet(z->punt, &z->tb, z->now, m) != VSW_DROP_MAX)
		rte_pktmbuf_free(m);
	vsw_punt_handler_poll(z->h, z->now, 64);
	vsw_punt_handler_tick(z->h, z->now);
}

/* Nothing an input made may outlive it. */
static void
input_end(struct fuzz *z)
{
	unsigned int i, in_use, rx_in_use;
	json_t *stats, *list;

	CHECK(vsw_punt_handler_poll(z->h, z->now, 1024) == 0);
	drain_injected(z);
	/* the listing shows every neighbour the counters know of */
	stats = vsw_punt_handler_stats(z->h);
	list = vsw_punt_handler_neighbours(z->h, z->now);
	CHECK(stats != NULL && json_is_array(list));
	CHECK((int64_t)json_array_size(list) ==
	      stat_of(stats, "neighbours") + stat_of(stats, "resolving"));
	CHECK(json_array_size(list) <= MAX_NEIGHBOURS);
	json_decref(list);
	json_decref(stats);
	for (i = 0; i < RTE_DIM(flush_scopes); i++)
		vsw_punt_handler_flush_scope(z->h, flush_scopes[i]);
	drain_injected(z);
	stats = vsw_punt_handler_stats(z->h);
	CHECK(stats != NULL);
	CHECK(stat_of(stats, "parked_now") == 0);
	CHECK(stat_of(stats, "neighbours") == 0);
	CHECK(stat_of(stats, "resolving") == 0);
	json_decref(stats);
	CHECK(vsw_kvt_count(z->kvt) == z->kvt_baseline);
	/* the next input starts on a quiet clock, past every timer */
	z->now += 1000 * HZ;
	in_use = z->pool->size - pool_free(z->pool);
	rx_in_use = z->rx_pool->size - pool_free(z->rx_pool);
	if (in_use != 0 || rx_in_use != 0) {
		fprintf(stderr, "fuzz_punt: mbufs in use after the input: replies %d, "
			"punted %d (0 expected; negative: freed twice)\n",
			(int)in_use, (int)rx_in_use);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int n = 0;
	struct record r;

	vsw_punt_tb_init(fz->punt, &fz->tb, HZ);
	while (n++ < MAX_RECORDS && next_record(&data, &size, &r)) {
		run_record(fz, &r);
		CHECK(pool_free(fz->pool) <= fz->pool->size);
		CHECK(pool_free(fz->rx_pool) <= fz->rx_pool->size);
	}
	input_end(fz);
	return 0;
}

/* --- set-up --- */

/* One API request (its own group) that must succeed; its result. */
static json_t *
api_call(struct fuzz *z, const char *method, const char *params)
{
	static const struct vsw_caller root = { .uid = 0, .pid = 1, .may_admin = true };
	char text[2048];
	json_t *resp, *result;

	snprintf(text, sizeof(text),
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
		 method, params);
	vsw_api_group_begin(z->api);
	resp = vsw_api_handle_text(z->api, &root, text, strlen(text));
	CHECK(vsw_api_group_end(z->api) == 0);
	result = json_incref(json_object_get(resp, "result"));
	if (result == NULL) {
		char *s = json_dumps(resp, 0);

		fprintf(stderr, "fuzz_punt: %s failed: %s\n", method, s);
		abort();
	}
	json_decref(resp);
	return result;
}

static void
build_model(struct fuzz *z)
{
	const struct vsw_api_options opt = {
		.db_path = ":memory:", .default_project = "p1", .version = "fuzz",
		.n_workers = 1,
	};
	static const char *const subnets[N_MODEL_NETS] = {
		"\"cidr\":\"10.0.0.0/24\",\"dns_nameservers\":[\"8.8.8.8\",\"1.1.1.1\"],"
		"\"host_routes\":[{\"destination\":\"192.168.0.0/16\",\"nexthop\":\"10.0.0.254\"}]",
		"\"cidr\":\"10.1.0.0/24\",\"gateway_ip\":null",
	};
	static const char *const port_macs[N_MODEL_NETS] = {
		"02:10:00:00:00:05", "02:10:00:00:00:09",
	};
	struct vsw_error err;
	char params[512];
	json_t *r;
	int i;

	z->api = vsw_api_create(&opt, NULL, &err);
	if (z->api == NULL) {
		fprintf(stderr, "fuzz_punt: vsw_api_create: %s\n", err.message);
		abort();
	}
	for (i = 0; i < N_MODEL_NETS; i++) {
		r = api_call(z, "network.create", i == 0 ? "{\"mtu\":1450}" : "{}");
		snprintf(z->net_ids[i], VSW_UUID_STRLEN, "%s",
			 json_string_value(json_object_get(r, "id")));
		json_decref(r);
		snprintf(params, sizeof(params),
			 "{\"network_id\":\"%s\",\"ip_version\":4,%s}", z->net_ids[i], subnets[i]);
		json_decref(api_call(z, "subnet.create", params));
		snprintf(params, sizeof(params), "{\"network_id\":\"%s\",\"mac_address\":\"%s\"}",
			 z->net_ids[i], port_macs[i]);
		json_decref(api_call(z, "port.create", params));
	}
}

static void
set_rif(struct vsw_fib *fib, uint16_t port, uint16_t net, uint16_t router,
	rte_be32_t ip, struct rte_ether_addr m, bool external)
{
	struct vsw_fib_port *fp = &fib->ports[port];

	fp->kind = VSW_FP_ROUTER;
	fp->net = net;
	fp->admin_up = 1;
	fp->max_frame = 1514;
	fp->rif.router = router;
	fp->rif.ip = ip;
	fp->rif.plen = 24;
	fp->rif.mac = m;
	fp->rif.external = external;
}

static void
build_fib(struct fuzz *z)
{
	struct vsw_fib *fib = vsw_fib_alloc(N_NETS, 0, 2);
	struct rte_ether_addr host5 = mac(0x10, 5);
	struct vsw_fib_uplink *u;

	CHECK(fib != NULL);
	set_rif(fib, RIF_C, 2, 1, ip4(10, 1, 0, 254), mac(0xaa, 3), false);
	set_rif(fib, RIF_A, 0, 0, ip4(10, 0, 0, 1), mac(0xaa, 1), false);
	set_rif(fib, RIF_B, 1, 0, ip4(10, 1, 0, 1), mac(0xaa, 2), false);
	set_rif(fib, RIF_X, 3, 0, ip4(203, 0, 113, 10), mac(0xaa, 4), true);
	fib->routers[0].in_use = fib->routers[0].admin_up = 1;
	fib->routers[0].gw_rif = RIF_X;
	fib->routers[0].gw_ip = ip4(203, 0, 113, 10);
	fib->routers[1].in_use = fib->routers[1].admin_up = 1;
	fib->ports[UPLINK_PORT].kind = VSW_FP_UPLINK;
	fib->ports[UPLINK_PORT].uplink = UPLINK_SLOT;
	u = &fib->uplinks[UPLINK_SLOT];
	u->port = UPLINK_PORT;
	u->role = VSW_UPLINK_VXLAN;
	u->admin_up = 1;
	u->mtu = 1600;
	u->local_ip = ip4(192, 168, 100, 1);
	u->local_plen = 24;
	u->gateway_ip = ip4(192, 168, 100, 254);
	u->mac = mac(0xbb, 1);
	fib->ports[VXLAN_VPORT].kind = VSW_FP_VXLAN;
	fib->ports[VXLAN_VPORT].net = 1;
	fib->ports[VXLAN_VPORT].uplink = UPLINK_SLOT;
	fib->ports[VXLAN_VPORT].vxlan.vni = 5000;
	fib->ports[VXLAN_VPORT].vxlan.remote_ip = ip4(192, 168, 200, 7);
	fib->ports[VNIC_A].kind = VSW_FP_VNIC;
	fib->ports[VNIC_A].net = 0;
	fib->ports[VNIC_B].kind = VSW_FP_VNIC;
	fib->ports[VNIC_B].net = 1;
	z->fib = fib;
	CHECK(vsw_kvt_set(z->kvt, vsw_kvt_neigh_key(0, ip4(10, 0, 0, 5)),
			  vsw_neigh_value(&host5, VSW_NEIGH_STATIC)) == 0);
	CHECK(vsw_kvt_set(z->kvt, vsw_kvt_key(VSW_KVT_FIP_IN, 0, FIP), FIP_FIXED) == 0);
	CHECK(vsw_kvt_set(z->kvt, vsw_kvt_key(VSW_KVT_FIP_OUT, 0, FIP_FIXED), FIP) == 0);
}

static void
build(struct fuzz *z)
{
	const struct vsw_kvt_params kp = {
		.name = "fzp_kvt", .capacity = 1024, .socket_id = SOCKET_ID_ANY,
	};
	/* a bucket no input can empty: the rate limit is the worker's concern */
	const struct vsw_punt_params pp = {
		.punt_ring_size = 256, .inject_ring_size = 64, .learn_ring_size = 64,
		.rate_per_worker = HZ, .burst = UINT32_MAX, .socket_id = SOCKET_ID_ANY,
	};
	struct vsw_punt_handler_params hp = {
		.fib = cb_fib, .model = cb_model, .net_id = cb_net_id, .arg = z,
		.tsc_hz = HZ, .max_neighbours = MAX_NEIGHBOURS, .neigh_ageing_s = AGEING_S,
	};

	z->pool = vsw_eal_env_ring_pool("fzp_pool", POOL_SIZE);
	z->rx_pool = vsw_eal_env_ring_pool("fzp_rx", RX_POOL_SIZE);
	CHECK(z->pool != NULL && z->rx_pool != NULL);
	z->kvt = vsw_kvt_create(&kp);
	z->punt = vsw_punt_create(&pp);
	CHECK(z->kvt != NULL && z->punt != NULL);
	z->meta_off = vsw_punt_meta_offset(z->punt);
	build_model(z);
	build_fib(z);
	hp.punt = z->punt;
	hp.kvt = z->kvt;
	hp.pool = z->pool;
	z->h = vsw_punt_handler_create(&hp);
	CHECK(z->h != NULL);
	z->kvt_baseline = vsw_kvt_count(z->kvt);
	z->now = 1000 * HZ;
}

/* --- EAL --- */

static void
teardown(void)
{
	struct fuzz *z = fz;
	const char *st = getenv("VSW_FUZZ_STATS");

	if (z == NULL)
		return;
	fz = NULL;
	if (st != NULL && strcmp(st, "1") == 0) {
		json_t *stats = vsw_punt_handler_stats(z->h);
		char *s = json_dumps(stats, JSON_INDENT(1) | JSON_SORT_KEYS);

		fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(stats);
	}
	vsw_eal_env_unpoison_mbufs(z->rx_pool);
	vsw_punt_handler_free(z->h);
	vsw_punt_free(z->punt);
	vsw_kvt_free(z->kvt);
	vsw_fib_free(z->fib);
	vsw_api_destroy(z->api);
	rte_mempool_free(z->rx_pool);
	rte_mempool_free(z->pool);
	vsw_eal_env_stop();
	free(z);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	vsw_eal_env_fuzz_start("fuzz_punt", "vsw-fuzz-punt", 256);
	fz = calloc(1, sizeof(*fz));
	CHECK(fz != NULL);
	atexit(teardown);
	build(fz);
	return 0;
}
