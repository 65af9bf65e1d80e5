/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the data plane's frame paths: classify and L2
 * forwarding from VNICs, uplink demultiplexing (802.1Q trunk, VXLAN
 * underlay), the router (ARP, IPv4 checks, floating IPs, SNAT, ICMP
 * errors, fragmentation, router-to-router recursion) and SNAT itself, on
 * one hand-built worker with the real MAC table, key-value table, punt
 * rings, NAT and route tables, and fake ports that check and free what
 * they are sent. EAL (--no-huge) starts once, in LLVMFuzzerInitialize.
 *
 * Topology (router 0 SNATs to 203.0.113.10, floating IP 203.0.113.50 ->
 * 10.0.0.10; router 1 routes 198.51.100.0/24 back to router 0: a loop):
 *   NET_A  10.0.0.0/24, DHCP punted: VNIC 0 (port security, 10.0.0.10),
 *          VNIC 1 (learning), RIF_A 10.0.0.1 (router 0)
 *   NET_B  10.1.0.0/24, VXLAN VNI 5000, MTU 1450: VNIC 2, RIF_B 10.1.0.1,
 *          RIF_B1 10.1.0.2 (router 1), VTEPs 192.0.2.2 (on-link), 198.18.0.7
 *          (via the underlay gateway), 192.0.2.3 (no neighbour: punted),
 *          and the any-VTEP vport
 *   NET_X  flat on the trunk: RIF_X 203.0.113.10 (router 0's gateway),
 *          upstream router 203.0.113.254
 *   NET_V  VLAN 100 on the trunk: VNIC 3
 *   trunk uplink: port 4; VXLAN underlay: port 5, VTEP 192.0.2.1/24.
 *
 * An input is a sequence of records; each record is
 *   sel    bits 0-2: entry: 0-3 VNIC port 0-3 ingress (classify + L2),
 *                    4 trunk rx, 5 underlay rx, 6 vsw_router_input on a
 *                    rif, 7 vsw_nat_out / vsw_nat_in;
 *          bits 3-4: entry parameter: rif (A, B, X, B1); NAT: bit 3 in,
 *                    bit 4 router 1; uplinks: the stripped VLAN tag
 *                    (100, 0, 200, 100 with priority) for flags bit 1;
 *          bit 5:    VNIC/uplink: goes in one burst with the next record
 *                    of the same entry; router: the frame is shared (a
 *                    reference kept, as after a flood: it must come back
 *                    unmodified);
 *          bit 6:    two-segment mbuf: the first frame byte is the first
 *                    segment's length;
 *          bit 7:    another record follows: two bytes (big endian) give
 *                    this record's frame length;
 *   flags  bit 0: checksums as given (else the IPv4 header, ICMP, UDP and
 *                 TCP checksums are fixed, outer, after a tag and inside
 *                 VXLAN); bit 1: RX_VLAN_STRIPPED; bits 2-3: RX IP
 *                 checksum good / bad / none; bit 4: RSS hash given;
 *   frame  the rest (or the length given).
 *
 * After each burst: tx buffers flushed to the fake ports (each frame is
 * checked with rte_mbuf_check and against the egress port's MTU), punt,
 * inject and VTEP-request rings drained (metadata checked), learned MACs
 * applied. After each input: learned MACs aged out, SNAT connections
 * expired (none may stay), both mempools back to their baseline (a leak or
 * double free aborts). Input frames come from their own pool with the
 * tailroom of each segment poisoned for ASan, so a read past a segment's
 * data is caught. SNAT is also checked on its own: checksums valid before
 * stay valid, the source becomes the external address, and the reply of a
 * translated packet translates back to the original source.
 *
 * VSW_FUZZ_LOG=1 keeps rte_log output (it goes to /dev/null otherwise);
 * VSW_FUZZ_STATS=1 prints at exit each port's counters and drop reasons.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "eal_env.h"
#include "fib.h"
#include "kvt.h"
#include "mac_table.h"
#include "nat.h"
#include "overlay.h"
#include "punt.h"
#include "route_table.h"
#include "router.h"
#include "worker.h"

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

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_frames: invariant failed: %s " \
				"(%s:%d)\n", #cond, __FILE__, __LINE__);     \
			abort();                                             \
		}                                                            \
	} while (0)

/* --- topology --- */

enum { NET_A, NET_B, NET_X, NET_V, N_NETS };
enum { P_VNIC_A, P_VNIC_A2, P_VNIC_B, P_VNIC_V, P_TRUNK, P_UNDER, N_FAKE };
#define SLOT_TRUNK 0
#define SLOT_UNDER 1
#define RIF_A 1024
#define RIF_B 1025
#define RIF_X 1026
#define RIF_B1 1027
#define VP_FLAT 1028
#define VP_V100 1029
#define VP_VTEP 1030
#define VP_FAR 1031
#define VP_UNRES 1032
#define VP_ANY 1033
#define VNI_B 5000
#define MTU 1500
#define MTU_B 1450
#define NOW_S 1000

#define POOL_SIZE 3000          /* not 2^n - 1: its ring has spare room */
#define RX_POOL_SIZE 700
#define BURST_CAP 96             /* more than one MAC/kvt bulk chunk */
#define SEG_MAX 2048             /* RTE_MBUF_DEFAULT_DATAROOM */
#define NAT_MAX_CONNS 8

/* Record header bits (see the top of the file). */
#define SEL_ENTRY(s) ((s) & 7)
#define SEL_PARAM(s) (((s) >> 3) & 3)
#define SEL_JOIN 0x20
#define SEL_SHARED 0x20
#define SEL_SPLIT 0x40
#define SEL_MORE 0x80
#define FL_RAW_CKSUM 0x01
#define FL_VLAN_STRIPPED 0x02
#define FL_IP_CKSUM(f) (((f) >> 2) & 3)
#define FL_RSS 0x10

enum { E_TRUNK = 4, E_UNDER = 5, E_ROUTER = 6, E_NAT = 7 };

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

#define MAC_VNIC(p) mac(0, (uint8_t)((p) + 1))
#define MAC_RIF(r) mac(0xee, (uint8_t)((r) - 1023))
#define MAC_UPSTREAM mac(0, 0xfe)
#define MAC_REMOTE_VM mac(0, 0x33)
#define MAC_TRUNK mac(0xaa, 2)
#define MAC_VTEP mac(0xaa, 1)
#define MAC_NEAR mac(0xbb, 2)
#define MAC_UGW mac(0xbb, 0xfe)

#define IP_VNIC_A ip4(10, 0, 0, 10)
#define IP_GW ip4(203, 0, 113, 10)
#define IP_FIP ip4(203, 0, 113, 50)
#define IP_UPSTREAM ip4(203, 0, 113, 254)
#define IP_R1_EXT ip4(198, 51, 100, 99)   /* NAT entry's "router 1" address */
#define IP_VTEP ip4(192, 0, 2, 1)
#define IP_NEAR ip4(192, 0, 2, 2)
#define IP_UNRES ip4(192, 0, 2, 3)
#define IP_UGW ip4(192, 0, 2, 254)
#define IP_FAR ip4(198, 18, 0, 7)

/* --- state --- */

struct fake_port {
	struct vsw_dp_port p;         /* first: container of p */
	uint32_t max_len;             /* longest frame it may be sent */
};

struct burst {
	uint8_t entry;
	uint16_t n;
	struct rte_mbuf *pkts[BURST_CAP];
};

struct fuzz {
	struct rte_mempool *pool;     /* the worker's: copies, ICMP, headers */
	struct rte_mempool *rx_pool;  /* input frames only (poisoned tails) */
	struct vsw_mac_table *macs;
	struct vsw_kvt *kvt;
	struct vsw_punt *punt;
	struct vsw_nat *nat;
	struct vsw_route_table *rt[2];
	struct vsw_fib *fib;
	struct vsw_worker *w;
	struct vsw_dp_port *ports[VSW_DP_MAX_PORTS];
	struct fake_port fake[N_FAKE];
	uint32_t static_macs[N_NETS];
	unsigned int pool_baseline;
	struct burst burst;
	uint8_t frame[2 * SEG_MAX];
	uint8_t snap[2 * SEG_MAX];
};

static struct fuzz *fz;

/* --- checks on what the data plane hands back --- */

static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *why = NULL;

	if (rte_mbuf_check(m, 1, &why) != 0) {
		fprintf(stderr, "fuzz_frames: bad mbuf: %s\n", why);
		abort();
	}
	CHECK(rte_mbuf_refcnt_read(m) >= 1);
}

static uint16_t
fake_rx(struct vsw_dp_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(p);
	RTE_SET_USED(q);
	RTE_SET_USED(pkts);
	RTE_SET_USED(n);
	return 0;
}

/* A well-formed frame within the egress port's MTU; then freed. */
static uint16_t
fake_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts, uint16_t n)
{
	const struct fake_port *f = (const struct fake_port *)p;
	uint16_t i;

	RTE_SET_USED(w);
	for (i = 0; i < n; i++) {
		check_mbuf(pkts[i]);
		CHECK(pkts[i]->data_len >= RTE_ETHER_HDR_LEN);
		if (pkts[i]->pkt_len > f->max_len) {
			fprintf(stderr, "fuzz_frames: %u-byte frame to port %u "
				"(max %u)\n", pkts[i]->pkt_len, p->idx, f->max_len);
			abort();
		}
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static const struct vsw_dp_port_ops fake_ops = { .rx = fake_rx, .tx = fake_tx };

/* Punted packets, injected ones (none expected) and VTEP requests. */
static void
drain_rings(struct fuzz *z)
{
	struct rte_mbuf *pkts[64];
	uint16_t nets[16];
	rte_be32_t ips[16];
	unsigned int n, i;

	while ((n = vsw_punt_dequeue(z->punt, pkts, RTE_DIM(pkts))) != 0) {
		for (i = 0; i < n; i++) {
			const struct vsw_pkt_meta *meta =
				vsw_pkt_meta(pkts[i], z->w->meta_off);

			check_mbuf(pkts[i]);
			CHECK(meta->kind >= VSW_PUNT_ARP && meta->kind < VSW_PUNT_REASON_MAX);
			CHECK(meta->port < VSW_FIB_MAX_PORTS);
			CHECK(meta->net == VSW_NET_NONE || meta->net < N_NETS);
			rte_pktmbuf_free(pkts[i]);
		}
	}
	while ((n = vsw_inject_dequeue(z->punt, pkts, RTE_DIM(pkts))) != 0)
		rte_pktmbuf_free_bulk(pkts, n);
	while ((n = vsw_punt_vtep_requests(z->punt, nets, ips, RTE_DIM(nets))) != 0)
		for (i = 0; i < n; i++)
			CHECK(nets[i] < N_NETS && ips[i] != 0);
}

/* Free mbufs of a pool made by vsw_eal_env_ring_pool(): its ring holds
 * all of them (no per-lcore cache) and has room for more, so a double free
 * shows as a count above the pool's size (the in-use count is clamped at 0). */
static unsigned int
pool_free(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

/* What a worker's loop turn and the control thread do after a burst. */
static void
after_burst(struct fuzz *z)
{
	struct vsw_worker *w = z->w;
	unsigned int i;

	vsw_txbuf_flush_all(w);
	CHECK(w->l3_depth == 0);
	CHECK(w->n_dirty == 0);
	for (i = 0; i < N_FAKE; i++)
		CHECK(w->txbufs[i].n == 0);
	drain_rings(z);
	vsw_mac_table_drain(z->macs, w->now_s);
	/* more free mbufs than the pool has: one was freed twice */
	CHECK(pool_free(z->pool) <= z->pool->size);
	CHECK(pool_free(z->rx_pool) <= z->rx_pool->size);
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

static void fix_frame(uint8_t *p, size_t len, int depth);

/* L4 checksum of a whole, unfragmented datagram; VXLAN payloads first. */
static void
fix_l4(uint8_t *ip, uint8_t *l4, size_t l4_len, int depth)
{
	uint32_t pseudo = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) +
			  rd16(ip + 18) + ip[9] + (uint32_t)l4_len;
	uint16_t c;

	switch (ip[9]) {
	case IPPROTO_ICMP:
		if (l4_len < 4)
			return;
		wr16(l4 + 2, 0);
		wr16(l4 + 2, cksum(l4, l4_len, 0));
		return;
	case IPPROTO_UDP:
		if (l4_len < 8)
			return;
		if (depth == 0 && rd16(l4 + 2) == VSW_VXLAN_PORT && l4_len >= 16)
			fix_frame(l4 + 16, l4_len - 16, depth + 1);
		if (rd16(l4 + 6) == 0)          /* no checksum: stays so */
			return;
		wr16(l4 + 6, 0);
		c = cksum(l4, l4_len, pseudo);
		wr16(l4 + 6, c == 0 ? 0xffff : c);
		return;
	case IPPROTO_TCP:
		if (l4_len < 20)
			return;
		wr16(l4 + 16, 0);
		wr16(l4 + 16, cksum(l4, l4_len, pseudo));
		return;
	default:
		return;
	}
}

static void
fix_ipv4(uint8_t *ip, size_t len, int depth)
{
	size_t ihl, tl;

	if (len < 20 || (ip[0] >> 4) != 4)
		return;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tl = rd16(ip + 2);
	if (ihl < 20 || ihl > len)
		return;
	if (tl >= ihl && tl <= len && (rd16(ip + 6) & 0x3fff) == 0)
		fix_l4(ip, ip + ihl, tl - ihl, depth);
	wr16(ip + 10, 0);
	wr16(ip + 10, cksum(ip, ihl, 0));
}

/* IPv4 after the Ethernet header and at most two tags. */
static void
fix_frame(uint8_t *p, size_t len, int depth)
{
	size_t off = 12;
	int tags;

	for (tags = 0; tags <= 2 && off + 2 <= len; tags++) {
		uint16_t type = rd16(p + off);

		if (type == RTE_ETHER_TYPE_IPV4) {
			fix_ipv4(p + off + 2, len - off - 2, depth);
			return;
		}
		if (type != RTE_ETHER_TYPE_VLAN && type != RTE_ETHER_TYPE_QINQ)
			return;
		off += 4;
	}
}

/* --- input mbufs --- */

/* One segment of len bytes from the input pool; its tailroom poisoned. */
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

/* The next record of the input; false at its end. */
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

static const uint16_t stripped_tci[4] = { 100, 0, 200, 100 | 0xe000 };

/* The record's frame as an mbuf (one or two segments), offloads set. */
static struct rte_mbuf *
record_mbuf(struct fuzz *z, const struct record *r)
{
	size_t len = RTE_MIN(r->len, r->split == SIZE_MAX ? (size_t)SEG_MAX
							 : (size_t)2 * SEG_MAX);
	struct rte_mbuf *m, *tail;
	size_t first;

	memcpy(z->frame, r->frame, len);
	if (!(r->flags & FL_RAW_CKSUM))
		fix_frame(z->frame, len, 0);
	if (r->split == SIZE_MAX) {
		m = input_seg(z, z->frame, len);
	} else {
		first = RTE_MIN(r->split, len);
		m = input_seg(z, z->frame, first);
		tail = input_seg(z, z->frame + first, RTE_MIN(len - first, (size_t)SEG_MAX));
		CHECK(rte_pktmbuf_chain(m, tail) == 0);
	}
	if (r->flags & FL_VLAN_STRIPPED) {
		m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
		m->vlan_tci = stripped_tci[SEL_PARAM(r->sel)];
	}
	switch (FL_IP_CKSUM(r->flags)) {
	case 1:
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		break;
	case 2:
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
		break;
	case 3:
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_NONE;
		break;
	default:
		break;
	}
	if (r->flags & FL_RSS) {
		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		m->hash.rss = rte_hash_crc(z->frame, RTE_MIN(len, (size_t)64), 0);
	}
	return m;
}

/* --- entries --- */

static void
run_burst(struct fuzz *z)
{
	struct burst *b = &z->burst;
	uint16_t n = b->n, kept;

	if (n == 0)
		return;
	b->n = 0;
	if (b->entry == E_TRUNK || b->entry == E_UNDER) {
		vsw_uplink_rx_process(z->w, z->fib, b->entry == E_TRUNK ? P_TRUNK : P_UNDER,
				      b->pkts, n);
	} else {
		kept = vsw_classify_process(z->w, z->fib, b->entry, b->pkts, n);
		if (kept != 0)
			vsw_l2_fwd_process(z->w, z->fib, b->entry, b->pkts, kept);
	}
	after_burst(z);
}

static void
add_to_burst(struct fuzz *z, uint8_t entry, bool join, struct rte_mbuf *m)
{
	struct burst *b = &z->burst;

	if (b->n != 0 && b->entry != entry)
		run_burst(z);
	b->entry = entry;
	b->pkts[b->n++] = m;
	if (!join || b->n == BURST_CAP)
		run_burst(z);
}

static size_t
snapshot(const struct rte_mbuf *m, uint8_t *buf)
{
	const void *p = rte_pktmbuf_read(m, 0, m->pkt_len, buf);

	CHECK(p != NULL);
	if (p != buf)
		memcpy(buf, p, m->pkt_len);
	return m->pkt_len;
}

static void
run_router(struct fuzz *z, uint8_t sel, struct rte_mbuf *m)
{
	static const uint16_t rifs[4] = { RIF_A, RIF_B, RIF_X, RIF_B1 };
	uint8_t now[2 * SEG_MAX];
	uint16_t data_len = m->data_len;
	size_t len = 0;
	bool shared = sel & SEL_SHARED;

	if (shared) {
		/* a flooded frame: every other holder still reads it */
		rte_pktmbuf_refcnt_update(m, 1);
		len = snapshot(m, z->snap);
	}
	vsw_router_input(z->w, z->fib, rifs[SEL_PARAM(sel)], m);
	after_burst(z);
	if (shared) {
		check_mbuf(m);
		CHECK(m->data_len == data_len && m->pkt_len == len);
		CHECK(snapshot(m, now) == len && memcmp(now, z->snap, len) == 0);
		rte_pktmbuf_free(m);
	}
}

/* What vsw_nat_* may assume (router.c's check_ipv4 less the checksum):
 * IPv4 header in the first segment, total length within the frame, the
 * Ethernet padding trimmed. */
static bool
nat_precondition(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hl, tl, avail;

	if (m->data_len < RTE_ETHER_HDR_LEN + sizeof(*ip))
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	hl = rte_ipv4_hdr_len(ip);
	tl = rte_be_to_cpu_16(ip->total_length);
	avail = m->pkt_len - RTE_ETHER_HDR_LEN;
	if ((ip->version_ihl >> 4) != 4 || hl < sizeof(*ip) ||
	    RTE_ETHER_HDR_LEN + hl > m->data_len || tl < hl || tl > avail)
		return false;
	return tl == avail || rte_pktmbuf_trim(m, (uint16_t)(avail - tl)) == 0;
}

/* Checksum state of a whole packet in one segment. */
struct nat_view {
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint32_t l4_len;
	bool whole;                   /* unfragmented, all of it in the segment */
	bool ip_ok;
	bool l4_ok;
	bool udp_zero;
};

static void
nat_view(struct rte_mbuf *m, struct nat_view *v)
{
	uint32_t hl, tl;

	v->ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	hl = rte_ipv4_hdr_len(v->ip);
	tl = rte_be_to_cpu_16(v->ip->total_length);
	v->l4 = (uint8_t *)v->ip + hl;
	v->l4_len = tl - hl;
	v->whole = m->nb_segs == 1 &&
		   (v->ip->fragment_offset &
		    RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0;
	v->ip_ok = rte_raw_cksum(v->ip, hl) == 0xffff;
	v->l4_ok = false;
	v->udp_zero = false;
	if (!v->whole)
		return;
	switch (v->ip->next_proto_id) {
	case IPPROTO_UDP:
		if (v->l4_len < 8)
			break;
		v->udp_zero = rd16(v->l4 + 6) == 0;
		v->l4_ok = !v->udp_zero && rte_ipv4_udptcp_cksum_verify(v->ip, v->l4) == 0;
		break;
	case IPPROTO_TCP:
		v->l4_ok = v->l4_len >= 20 && rte_ipv4_udptcp_cksum_verify(v->ip, v->l4) == 0;
		break;
	case IPPROTO_ICMP:
		v->l4_ok = v->l4_len >= 8 && rte_raw_cksum(v->l4, v->l4_len) == 0xffff;
		break;
	default:
		break;
	}
}

/* What was valid stays valid; no checksum stays none. */
static void
check_nat_cksums(struct rte_mbuf *m, const struct nat_view *before)
{
	struct nat_view after;

	nat_view(m, &after);
	CHECK(!before->ip_ok || after.ip_ok);
	CHECK(!before->l4_ok || after.l4_ok);
	CHECK(!before->udp_zero || after.udp_zero);
}

/* A translated TCP/UDP packet or echo request: its reply (addresses and
 * ports swapped, echo reply) must come back to the original source. */
static void
check_nat_reply(struct fuzz *z, uint16_t router, struct rte_mbuf *m,
		rte_be32_t src, rte_be16_t sport)
{
	struct nat_view v, before;
	rte_be32_t a;
	uint16_t port;

	nat_view(m, &v);
	a = v.ip->src_addr;
	v.ip->src_addr = v.ip->dst_addr;
	v.ip->dst_addr = a;
	if (v.ip->next_proto_id == IPPROTO_ICMP) {
		v.l4[0] = RTE_IP_ICMP_ECHO_REPLY;
		if (v.l4_ok) {
			wr16(v.l4 + 2, 0);
			wr16(v.l4 + 2, cksum(v.l4, v.l4_len, 0));
		}
	} else {
		port = rd16(v.l4);
		memmove(v.l4, v.l4 + 2, 2);
		wr16(v.l4 + 2, port);
	}
	nat_view(m, &before);
	CHECK(vsw_nat_in(z->nat, 0, router, m, z->w->now_tsc) == VSW_DROP_MAX);
	check_nat_cksums(m, &before);
	CHECK(v.ip->dst_addr == src);
	if (v.ip->next_proto_id == IPPROTO_ICMP)
		CHECK(memcmp(v.l4 + 4, &sport, 2) == 0);
	else
		CHECK(memcmp(v.l4 + 2, &sport, 2) == 0);
}

static void
run_nat(struct fuzz *z, uint8_t sel, struct rte_mbuf *m)
{
	uint16_t router = (SEL_PARAM(sel) & 2) ? 1 : 0;
	rte_be32_t ext = router == 0 ? IP_GW : IP_R1_EXT, src;
	struct nat_view before;
	rte_be16_t sport = 0;
	bool plain, l4_seen;
	uint8_t proto;

	if (!nat_precondition(m)) {
		rte_pktmbuf_free(m);
		return;
	}
	nat_view(m, &before);
	src = before.ip->src_addr;
	/* 8 bytes of L4 in the first segment: ports or echo type and id */
	l4_seen = before.l4_len >= 8 &&
		  m->data_len >= RTE_ETHER_HDR_LEN + rte_ipv4_hdr_len(before.ip) + 8;
	proto = before.ip->next_proto_id;
	plain = proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
		(proto == IPPROTO_ICMP && l4_seen && before.l4[0] == RTE_IP_ICMP_ECHO_REQUEST);
	if (l4_seen)
		memcpy(&sport, before.l4 + (proto == IPPROTO_ICMP ? 4 : 0), 2);
	if (SEL_PARAM(sel) & 1) {
		if (vsw_nat_in(z->nat, 0, router, m, z->w->now_tsc) == VSW_DROP_MAX)
			check_nat_cksums(m, &before);
	} else if (vsw_nat_out(z->nat, 0, router, ext, m, z->w->now_tsc) == VSW_DROP_MAX) {
		check_nat_cksums(m, &before);
		CHECK(before.ip->src_addr == ext);
		if (plain && m->nb_segs == 1)
			check_nat_reply(z, router, m, src, sport);
	}
	check_mbuf(m);
	rte_pktmbuf_free(m);
}

static void
run_record(struct fuzz *z, const struct record *r)
{
	uint8_t entry = SEL_ENTRY(r->sel);
	struct rte_mbuf *m = record_mbuf(z, r);

	switch (entry) {
	case E_ROUTER:
		run_burst(z);
		run_router(z, r->sel, m);
		break;
	case E_NAT:
		run_burst(z);
		run_nat(z, r->sel, m);
		break;
	default:
		add_to_burst(z, entry, r->sel & SEL_JOIN, m);
		break;
	}
}

/* Per input: the worker's caches and buckets as after a quiet second. */
static void
input_begin(struct fuzz *z)
{
	struct vsw_worker *w = z->w;

	memset(&w->learn_cache, 0, sizeof(w->learn_cache));
	memset(&w->vtep_req, 0, sizeof(w->vtep_req));
	vsw_punt_tb_init(z->punt, &w->punt_tb, w->tsc_hz);
	vsw_tb_init(&w->icmp_tb, w->tsc_hz, 1000, 4);
}

/* Nothing an input made may outlive it. */
static void
input_end(struct fuzz *z)
{
	struct vsw_nat_stats ns;
	unsigned int in_use, rx_in_use, i;

	run_burst(z);
	after_burst(z);
	vsw_mac_table_age(z->macs, z->w->now_s, 0);
	for (i = 0; i < N_NETS; i++)
		CHECK(vsw_mac_table_count(z->macs, (uint16_t)i) == z->static_macs[i]);
	vsw_nat_expire(z->nat, 0, z->w->now_tsc + 100000 * z->w->tsc_hz, NAT_MAX_CONNS);
	vsw_nat_stats(z->nat, &ns);
	CHECK(ns.active == 0);
	in_use = z->pool->size - pool_free(z->pool);
	rx_in_use = z->rx_pool->size - pool_free(z->rx_pool);
	if (in_use != z->pool_baseline || rx_in_use != 0) {
		fprintf(stderr, "fuzz_frames: mbufs in use after the input: "
			"%d (baseline %u), input pool %d (baseline 0); "
			"negative: freed twice\n", (int)in_use, z->pool_baseline,
			(int)rx_in_use);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r;

	input_begin(fz);
	while (next_record(&data, &size, &r))
		run_record(fz, &r);
	input_end(fz);
	return 0;
}

/* --- set-up --- */

static void
set_vnic(struct fuzz *z, uint16_t port, uint16_t net, uint32_t mtu, bool learning)
{
	struct vsw_fib_port *fp = &z->fib->ports[port];

	fp->net = net;
	fp->kind = VSW_FP_VNIC;
	fp->admin_up = 1;
	fp->learning = learning;
	fp->max_frame = mtu + RTE_ETHER_HDR_LEN;
	z->fake[port].max_len = fp->max_frame;
}

static void
set_rif(struct fuzz *z, uint16_t rif, uint16_t net, uint16_t router, rte_be32_t ip,
	uint32_t mtu, bool external)
{
	struct vsw_fib_port *fp = &z->fib->ports[rif];

	fp->net = net;
	fp->kind = VSW_FP_ROUTER;
	fp->admin_up = 1;
	fp->max_frame = mtu + RTE_ETHER_HDR_LEN;
	fp->rif.router = router;
	fp->rif.plen = 24;
	fp->rif.external = external;
	fp->rif.ip = ip;
	fp->rif.mac = MAC_RIF(rif);
}

static void
set_vlan_vport(struct fuzz *z, uint16_t vp, uint16_t net, uint16_t vid)
{
	struct vsw_fib_port *fp = &z->fib->ports[vp];

	fp->net = net;
	fp->kind = VSW_FP_VLAN;
	fp->admin_up = 1;
	fp->learning = 1;
	fp->uplink = SLOT_TRUNK;
	fp->max_frame = MTU + RTE_ETHER_HDR_LEN;
	fp->vlan.vid = vid;
	if (vid == 0)
		z->fib->uplinks[SLOT_TRUNK].flat_vport = vp;
	else
		z->fib->uplinks[SLOT_TRUNK].vlan_vport[vid] = vp;
}

static void
kvt_set(struct fuzz *z, uint64_t key, uint64_t value)
{
	CHECK(vsw_kvt_set(z->kvt, key, value) == 0);
}

static void
set_vxlan_vport(struct fuzz *z, uint16_t vp, rte_be32_t remote)
{
	struct vsw_fib_port *fp = &z->fib->ports[vp];

	fp->net = NET_B;
	fp->kind = VSW_FP_VXLAN;
	fp->admin_up = 1;
	fp->learning = remote != 0;
	fp->tunnel = 1;
	fp->uplink = SLOT_UNDER;
	fp->max_frame = MTU - VSW_VXLAN_OVERHEAD + RTE_ETHER_HDR_LEN;
	fp->vxlan.vni = VNI_B;
	fp->vxlan.remote_ip = remote;
	kvt_set(z, vsw_kvt_key(VSW_KVT_VTEP, NET_B, rte_be_to_cpu_32(remote)), vp);
}

static void
add_net(struct fuzz *z, uint16_t net, const uint16_t *members, uint16_t n,
	uint16_t n_local, uint32_t *off)
{
	struct vsw_fib_net *fn = &z->fib->nets[net];
	uint16_t i;

	fn->flood_off = *off;
	fn->n_flood = n;
	fn->n_local = n_local;
	fn->admin_up = 1;
	for (i = 0; i < n; i++)
		z->fib->flood[(*off)++] = members[i];
}

static void
add_mac(struct fuzz *z, uint16_t net, struct rte_ether_addr m, uint16_t port)
{
	CHECK(vsw_mac_table_add_static(z->macs, net, &m, port) == 0);
	z->static_macs[net]++;
}

static void
set_neigh(struct fuzz *z, uint16_t scope, rte_be32_t ip, struct rte_ether_addr m,
	  uint64_t flags)
{
	kvt_set(z, vsw_kvt_neigh_key(scope, ip), vsw_neigh_value(&m, flags));
}

static struct vsw_route
route(rte_be32_t prefix, uint8_t plen, uint16_t rif, rte_be32_t gw)
{
	struct vsw_route r = { .prefix = prefix, .plen = plen, .rif = rif, .gw = gw };

	return r;
}

static void
build_routers(struct fuzz *z)
{
	const struct vsw_route r0[] = {
		route(ip4(10, 0, 0, 0), 24, RIF_A, 0),
		route(ip4(10, 1, 0, 0), 24, RIF_B, 0),
		route(ip4(203, 0, 113, 0), 24, RIF_X, 0),
		route(0, 0, RIF_X, IP_UPSTREAM),
		route(ip4(198, 51, 100, 0), 24, RIF_B, ip4(10, 1, 0, 2)),
		route(ip4(100, 64, 0, 0), 10, RIF_A, ip4(10, 0, 0, 99)),  /* unresolved */
		route(ip4(10, 9, 0, 0), 16, RIF_A, ip4(10, 0, 0, 12)),    /* incomplete */
	};
	const struct vsw_route r1[] = {
		route(ip4(10, 1, 0, 0), 24, RIF_B1, 0),
		route(ip4(198, 51, 100, 0), 24, RIF_B1, ip4(10, 1, 0, 1)),
		route(0, 0, RIF_B1, ip4(10, 1, 0, 1)),
	};
	struct vsw_fib_router *r;

	z->rt[0] = vsw_route_table_create("fzf_r0", r0, RTE_DIM(r0), SOCKET_ID_ANY);
	z->rt[1] = vsw_route_table_create("fzf_r1", r1, RTE_DIM(r1), SOCKET_ID_ANY);
	CHECK(z->rt[0] != NULL && z->rt[1] != NULL);
	r = &z->fib->routers[0];
	r->in_use = r->admin_up = r->snat = 1;
	r->gw_rif = RIF_X;
	r->gw_ip = IP_GW;
	r->routes = z->rt[0];
	r = &z->fib->routers[1];
	r->in_use = r->admin_up = 1;
	r->routes = z->rt[1];
	set_neigh(z, 0, IP_VNIC_A, MAC_VNIC(P_VNIC_A), VSW_NEIGH_STATIC);
	set_neigh(z, 0, ip4(10, 0, 0, 11), MAC_VNIC(P_VNIC_A2), VSW_NEIGH_STATIC);
	set_neigh(z, 0, ip4(10, 0, 0, 12), mac(0, 0), VSW_NEIGH_INCOMPLETE);
	set_neigh(z, 0, ip4(10, 1, 0, 20), MAC_VNIC(P_VNIC_B), VSW_NEIGH_STATIC);
	set_neigh(z, 0, ip4(10, 1, 0, 2), MAC_RIF(RIF_B1), VSW_NEIGH_STATIC);
	set_neigh(z, 0, IP_UPSTREAM, MAC_UPSTREAM, 0);
	set_neigh(z, 1, ip4(10, 1, 0, 1), MAC_RIF(RIF_B), VSW_NEIGH_STATIC);
	kvt_set(z, vsw_kvt_key(VSW_KVT_FIP_OUT, 0, rte_be_to_cpu_32(IP_VNIC_A)),
		rte_be_to_cpu_32(IP_FIP));
	kvt_set(z, vsw_kvt_key(VSW_KVT_FIP_IN, 0, rte_be_to_cpu_32(IP_FIP)),
		rte_be_to_cpu_32(IP_VNIC_A));
}

static void
build_uplinks(struct fuzz *z)
{
	struct vsw_fib_uplink *u = &z->fib->uplinks[SLOT_TRUNK];
	uint16_t scope = VSW_NEIGH_SCOPE_UPLINK | SLOT_UNDER;

	u->port = P_TRUNK;
	u->role = VSW_UPLINK_VLAN;
	u->admin_up = 1;
	u->mtu = MTU;
	u->mac = MAC_TRUNK;
	z->fib->ports[P_TRUNK].kind = VSW_FP_UPLINK;
	z->fib->ports[P_TRUNK].uplink = SLOT_TRUNK;
	z->fib->ports[P_TRUNK].admin_up = 1;
	z->fake[P_TRUNK].max_len = MTU + RTE_ETHER_HDR_LEN + 4;
	set_vlan_vport(z, VP_FLAT, NET_X, 0);
	set_vlan_vport(z, VP_V100, NET_V, 100);

	u = &z->fib->uplinks[SLOT_UNDER];
	u->port = P_UNDER;
	u->role = VSW_UPLINK_VXLAN;
	u->admin_up = 1;
	u->mtu = MTU;
	u->local_plen = 24;
	u->local_ip = IP_VTEP;
	u->gateway_ip = IP_UGW;
	u->mac = MAC_VTEP;
	z->fib->ports[P_UNDER].kind = VSW_FP_UPLINK;
	z->fib->ports[P_UNDER].uplink = SLOT_UNDER;
	z->fib->ports[P_UNDER].admin_up = 1;
	z->fake[P_UNDER].max_len = MTU + RTE_ETHER_HDR_LEN;
	set_vxlan_vport(z, VP_VTEP, IP_NEAR);
	set_vxlan_vport(z, VP_FAR, IP_FAR);
	set_vxlan_vport(z, VP_UNRES, IP_UNRES);
	set_vxlan_vport(z, VP_ANY, 0);
	kvt_set(z, vsw_kvt_key(VSW_KVT_VNI, SLOT_UNDER, VNI_B), NET_B);
	kvt_set(z, vsw_kvt_key(VSW_KVT_VNI, SLOT_UNDER, 6000), 4000);  /* a bad table */
	set_neigh(z, scope, IP_NEAR, MAC_NEAR, 0);
	set_neigh(z, scope, IP_UGW, MAC_UGW, 0);
}

static void
build_fib(struct fuzz *z)
{
	static const uint16_t net_a[] = { P_VNIC_A, P_VNIC_A2, RIF_A };
	static const uint16_t net_b[] = { P_VNIC_B, RIF_B, RIF_B1, VP_VTEP, VP_FAR, VP_UNRES };
	static const uint16_t net_x[] = { VP_FLAT, RIF_X };
	static const uint16_t net_v[] = { P_VNIC_V, VP_V100 };
	struct vsw_port_security *ps;
	uint32_t off = 0;

	z->fib = vsw_fib_alloc(N_NETS, RTE_DIM(net_a) + RTE_DIM(net_b) +
			       RTE_DIM(net_x) + RTE_DIM(net_v), 2);
	CHECK(z->fib != NULL);
	add_net(z, NET_A, net_a, RTE_DIM(net_a), RTE_DIM(net_a), &off);
	add_net(z, NET_B, net_b, RTE_DIM(net_b), 3, &off);
	add_net(z, NET_X, net_x, RTE_DIM(net_x), RTE_DIM(net_x), &off);
	add_net(z, NET_V, net_v, RTE_DIM(net_v), RTE_DIM(net_v), &off);
	z->fib->nets[NET_A].dhcp = 1;
	set_vnic(z, P_VNIC_A, NET_A, MTU, false);
	set_vnic(z, P_VNIC_A2, NET_A, MTU, true);
	set_vnic(z, P_VNIC_B, NET_B, MTU_B, true);
	set_vnic(z, P_VNIC_V, NET_V, MTU, true);
	ps = &z->fib->ps[P_VNIC_A];
	ps->enabled = true;
	ps->mac = MAC_VNIC(P_VNIC_A);
	ps->n_ips = 1;
	ps->ips[0] = IP_VNIC_A;
	ps->n_pairs = 1;
	ps->pairs[0].mac = MAC_VNIC(P_VNIC_A);
	ps->pairs[0].addr = ip4(10, 0, 5, 0);
	ps->pairs[0].mask = ip4(255, 255, 255, 0);
	set_rif(z, RIF_A, NET_A, 0, ip4(10, 0, 0, 1), MTU, false);
	set_rif(z, RIF_B, NET_B, 0, ip4(10, 1, 0, 1), MTU_B, false);
	set_rif(z, RIF_X, NET_X, 0, IP_GW, MTU, true);
	set_rif(z, RIF_B1, NET_B, 1, ip4(10, 1, 0, 2), MTU_B, false);
	build_routers(z);
	build_uplinks(z);

	add_mac(z, NET_A, MAC_VNIC(P_VNIC_A), P_VNIC_A);
	add_mac(z, NET_A, MAC_VNIC(P_VNIC_A2), P_VNIC_A2);
	add_mac(z, NET_A, MAC_RIF(RIF_A), RIF_A);
	add_mac(z, NET_B, MAC_VNIC(P_VNIC_B), P_VNIC_B);
	add_mac(z, NET_B, MAC_RIF(RIF_B), RIF_B);
	add_mac(z, NET_B, MAC_RIF(RIF_B1), RIF_B1);
	add_mac(z, NET_B, MAC_REMOTE_VM, VP_VTEP);
	add_mac(z, NET_X, MAC_RIF(RIF_X), RIF_X);
	add_mac(z, NET_X, MAC_UPSTREAM, VP_FLAT);
	add_mac(z, NET_V, MAC_VNIC(P_VNIC_V), P_VNIC_V);
}

static void
build_worker(struct fuzz *z)
{
	struct vsw_worker *w = rte_zmalloc("fzf_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	uint64_t hz = rte_get_tsc_hz();

	CHECK(w != NULL);
	w->burst = BURST_CAP;
	w->ports = z->ports;
	w->fib = &z->fib;
	w->macs = z->macs;
	w->now_s = NOW_S;
	w->tsc_hz = hz;
	w->now_tsc = hz * NOW_S;
	w->pool = z->pool;
	w->kvt = z->kvt;
	w->punt = z->punt;
	w->nat = z->nat;
	w->meta_off = vsw_punt_meta_offset(z->punt);
	w->txbufs = rte_zmalloc("fzf_txbufs", VSW_DP_MAX_PORTS * sizeof(*w->txbufs),
				RTE_CACHE_LINE_SIZE);
	w->port_stats = rte_zmalloc("fzf_stats", VSW_FIB_MAX_PORTS * sizeof(*w->port_stats),
				    RTE_CACHE_LINE_SIZE);
	CHECK(w->txbufs != NULL && w->port_stats != NULL);
	z->w = w;
}

static void
build(struct fuzz *z)
{
	const struct vsw_mac_table_params mp = {
		.name = "fzf_macs", .capacity = 256, .learn_ring_size = 64,
		.socket_id = SOCKET_ID_ANY,
	};
	const struct vsw_kvt_params kp = {
		.name = "fzf_kvt", .capacity = 1024, .socket_id = SOCKET_ID_ANY,
	};
	/* a burst of 8: floods toward the appliance reach punt_ratelimit */
	const struct vsw_punt_params pp = {
		.punt_ring_size = 64, .inject_ring_size = 64, .learn_ring_size = 64,
		.rate_per_worker = 1000, .burst = 8, .socket_id = SOCKET_ID_ANY,
	};
	const struct vsw_nat_params np = {
		.n_workers = 1, .max_conns = NAT_MAX_CONNS, .tsc_hz = rte_get_tsc_hz(),
		.socket_id = SOCKET_ID_ANY,
	};
	unsigned int i;

	z->pool = vsw_eal_env_ring_pool("fzf_pool", POOL_SIZE);
	z->rx_pool = vsw_eal_env_ring_pool("fzf_rx", RX_POOL_SIZE);
	CHECK(z->pool != NULL && z->rx_pool != NULL);
	z->macs = vsw_mac_table_create(&mp);
	z->kvt = vsw_kvt_create(&kp);
	z->punt = vsw_punt_create(&pp);
	z->nat = vsw_nat_create(&np);
	CHECK(z->pool != NULL && z->rx_pool != NULL && z->macs != NULL &&
	      z->kvt != NULL && z->punt != NULL && z->nat != NULL);
	for (i = 0; i < N_FAKE; i++) {
		struct fake_port *f = &z->fake[i];

		f->p.idx = (uint16_t)i;
		f->p.ops = &fake_ops;
		f->p.ready = true;
		f->p.n_rxq = f->p.n_txq = 1;
		f->p.n_workers = 1;
		z->ports[i] = &f->p;
	}
	build_fib(z);
	build_worker(z);
	z->pool_baseline = rte_mempool_in_use_count(z->pool);
}

/* --- EAL --- */

/* VSW_FUZZ_STATS=1: what the inputs reached, per port and vport. */
static void
print_stats(const struct fuzz *z)
{
	struct vsw_nat_stats ns;
	unsigned int p, d;

	for (p = 0; p < VSW_FIB_MAX_PORTS; p++) {
		const struct vsw_port_stats *st = &z->w->port_stats[p];

		if (st->rx_packets == 0 && st->tx_packets == 0)
			continue;
		fprintf(stderr, "port %4u: rx %" PRIu64 " tx %" PRIu64 " flooded %" PRIu64,
			p, st->rx_packets, st->tx_packets, st->flooded);
		for (d = 0; d < VSW_DROP_MAX; d++)
			if (st->drops[d] != 0)
				fprintf(stderr, " %s %" PRIu64, vsw_drop_key(d), st->drops[d]);
		fprintf(stderr, "\n");
	}
	vsw_nat_stats(z->nat, &ns);
	fprintf(stderr, "nat: created %" PRIu64 " expired %" PRIu64 " full %" PRIu64 "\n",
		ns.created, ns.expired, ns.full);
}

static void
teardown(void)
{
	struct fuzz *z = fz;
	const char *st = getenv("VSW_FUZZ_STATS");

	if (z == NULL)
		return;
	fz = NULL;
	if (st != NULL && strcmp(st, "1") == 0)
		print_stats(z);
	vsw_eal_env_unpoison_mbufs(z->rx_pool);
	vsw_punt_free(z->punt);
	rte_free(z->w->txbufs);
	rte_free(z->w->port_stats);
	rte_free(z->w);
	vsw_fib_free(z->fib);
	vsw_route_table_free(z->rt[0]);
	vsw_route_table_free(z->rt[1]);
	vsw_nat_free(z->nat);
	vsw_kvt_free(z->kvt);
	vsw_mac_table_free(z->macs);
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
	vsw_eal_env_fuzz_start("fuzz_frames", "vsw-fuzz-frames", 256);
	fz = calloc(1, sizeof(*fz));
	CHECK(fz != NULL);
	atexit(teardown);
	build(fz);
	return 0;
}
