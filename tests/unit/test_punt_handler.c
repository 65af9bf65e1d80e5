/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's punt handler on a hand-built fib (a router with two
 * interfaces, another router, an uplink with a VTEP address, a VNIC), real
 * kvt, punt rings and mbufs, and for DHCP a real model built through the
 * API. Punted frames are built byte by byte; what the handler injects is
 * checked to the byte. Time is a made-up TSC (1 GHz) passed to each call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "api.h"
#include "api_request.h"
#include "dhcp.h"
#include "eal_env.h"
#include "fib.h"
#include "field_types.h"
#include "ipam.h"
#include "kvt.h"
#include "model.h"
#include "punt.h"
#include "punt_handler.h"

#define POOL_SIZE 8191
#define HZ 1000000000ull              /* the made-up TSC: 1 cycle = 1 ns */
#define T0 (1000 * HZ)
#define MS (HZ / 1000)
#define SEC HZ

/*
 * Router 0: RIF_A (net 0, 10.0.0.1/24) and RIF_B (net 1, 10.1.0.1/24).
 * Router 1: RIF_C (net 2, 10.1.0.254/24): the same subnet as RIF_B, at a
 * lower index, so a lookup that ignores the router picks the wrong one.
 * Uplink slot 0 on port UPLINK_PORT: VTEP 192.168.100.1/24; VXLAN vport
 * VXLAN_VPORT toward a remote VTEP. VNIC port VNIC_PORT on net 0.
 */
#define ROUTER0 0
#define ROUTER1 1
#define RIF_C 1024
#define RIF_A 1025
#define RIF_B 1026
#define VXLAN_VPORT 1030
#define UPLINK_PORT 5
#define UPLINK_SLOT 0
#define VNIC_PORT 2
#define SCOPE_UPLINK (VSW_NEIGH_SCOPE_UPLINK | UPLINK_SLOT)

static const struct rte_ether_addr mac_a = {{ 0x02, 0xaa, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr mac_b = {{ 0x02, 0xaa, 0, 0, 0, 0x02 }};
static const struct rte_ether_addr mac_c = {{ 0x02, 0xaa, 0, 0, 0, 0x03 }};
static const struct rte_ether_addr mac_up = {{ 0x02, 0xbb, 0, 0, 0, 0x01 }};
static const struct rte_ether_addr host5 = {{ 0x02, 0x10, 0, 0, 0, 0x05 }};
static const struct rte_ether_addr host9 = {{ 0x02, 0x10, 0, 0, 0, 0x09 }};
static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
static const struct rte_ether_addr zero_mac;

static struct rte_mempool *pool;
static const struct vsw_caller root = { .uid = 0, .pid = 1, .may_admin = true };

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32((uint32_t)a << 24 | (uint32_t)b << 16 |
				(uint32_t)c << 8 | d);
}

struct env {
	struct vsw_kvt *kvt;
	struct vsw_punt *punt;
	struct vsw_fib *fib;
	struct vsw_punt_handler *h;
	struct vsw_api *api;                   /* DHCP tests */
	char net_ids[3][VSW_UUID_STRLEN];      /* fib index -> network id */
	int meta_off;
	struct vsw_token_bucket tb;
	uint64_t now;
	unsigned int baseline;                 /* pool in use before the test */
	char kvt_name[20];
};

static const struct vsw_fib *
env_fib(void *arg)
{
	return ((struct env *)arg)->fib;
}

static const struct vsw_model *
env_model(void *arg)
{
	struct env *e = arg;

	return e->api != NULL ? vsw_api_model(e->api) : NULL;
}

static const char *
env_net_id(void *arg, uint16_t net)
{
	struct env *e = arg;

	return net < RTE_DIM(e->net_ids) && e->net_ids[net][0] != '\0' ?
	       e->net_ids[net] : NULL;
}

static void
set_rif(struct vsw_fib *fib, uint16_t port, uint16_t net, uint16_t router,
	rte_be32_t ip, uint8_t plen, const struct rte_ether_addr *mac)
{
	struct vsw_fib_port *fp = &fib->ports[port];

	fp->kind = VSW_FP_ROUTER;
	fp->net = net;
	fp->admin_up = 1;
	fp->max_frame = 1514;
	fp->rif.router = router;
	fp->rif.ip = ip;
	fp->rif.plen = plen;
	fp->rif.mac = *mac;
}

static struct vsw_fib *
build_fib(void)
{
	struct vsw_fib *fib = vsw_fib_alloc(3, 0, 2);
	struct vsw_fib_uplink *u;

	assert_non_null(fib);
	set_rif(fib, RIF_C, 2, ROUTER1, ip4(10, 1, 0, 254), 24, &mac_c);
	set_rif(fib, RIF_A, 0, ROUTER0, ip4(10, 0, 0, 1), 24, &mac_a);
	set_rif(fib, RIF_B, 1, ROUTER0, ip4(10, 1, 0, 1), 24, &mac_b);
	fib->routers[ROUTER0].in_use = 1;
	fib->routers[ROUTER1].in_use = 1;
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
	u->mac = mac_up;
	fib->ports[VXLAN_VPORT].kind = VSW_FP_VXLAN;
	fib->ports[VXLAN_VPORT].net = 0;
	fib->ports[VXLAN_VPORT].uplink = UPLINK_SLOT;
	fib->ports[VXLAN_VPORT].vxlan.vni = 5000;
	fib->ports[VXLAN_VPORT].vxlan.remote_ip = ip4(192, 168, 200, 7);
	fib->ports[VNIC_PORT].kind = VSW_FP_VNIC;
	fib->ports[VNIC_PORT].net = 0;
	return fib;
}

static struct env *
env_new_sized(uint32_t punt_ring, uint32_t inject_ring, uint64_t rate, uint64_t burst)
{
	struct env *e = calloc(1, sizeof(*e));
	struct vsw_kvt_params kp = { .capacity = 4096, .socket_id = SOCKET_ID_ANY };
	struct vsw_punt_params pp = {
		.punt_ring_size = punt_ring, .inject_ring_size = inject_ring,
		.learn_ring_size = 64, .rate_per_worker = rate, .burst = burst,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vsw_punt_handler_params hp = {
		.pool = pool, .fib = env_fib, .model = env_model, .net_id = env_net_id,
		.tsc_hz = HZ,
	};

	assert_non_null(e);
	/* A failed test may leave its tables behind: names of their own, and
	 * a baseline instead of an empty pool, keep the next test honest. */
	e->baseline = rte_mempool_in_use_count(pool);
	snprintf(e->kvt_name, sizeof(e->kvt_name), "phk_%" PRIxPTR, (uintptr_t)e & 0xffffffff);
	kp.name = e->kvt_name;
	e->kvt = vsw_kvt_create(&kp);
	e->punt = vsw_punt_create(&pp);
	assert_non_null(e->kvt);
	assert_non_null(e->punt);
	e->meta_off = vsw_punt_meta_offset(e->punt);
	e->fib = build_fib();
	hp.punt = e->punt;
	hp.kvt = e->kvt;
	hp.arg = e;
	e->h = vsw_punt_handler_create(&hp);
	assert_non_null(e->h);
	vsw_punt_tb_init(e->punt, &e->tb, HZ);
	e->now = T0;
	return e;
}

static struct env *
env_new(void)
{
	return env_new_sized(4096, 4096, 1000000, 1000000);
}

static void
env_free(struct env *e)
{
	unsigned int in_use, baseline;

	vsw_punt_handler_free(e->h);
	vsw_punt_free(e->punt);
	vsw_kvt_free(e->kvt);
	vsw_fib_free(e->fib);
	if (e->api != NULL)
		vsw_api_destroy(e->api);
	in_use = rte_mempool_in_use_count(pool);
	baseline = e->baseline;
	free(e);
	assert_int_equal(in_use, baseline);
}

static int
setup_env(void **state)
{
	*state = env_new();
	return 0;
}

static int
teardown_env(void **state)
{
	env_free(*state);
	return 0;
}

/* --- frames --- */

static struct rte_mbuf *
frame(uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	assert_non_null(m);
	d = rte_pktmbuf_append(m, len);
	assert_non_null(d);
	memset(d, 0, len);
	return m;
}

static struct rte_mbuf *
arp_pkt(uint16_t op, const struct rte_ether_addr *eth_dst,
	const struct rte_ether_addr *sha, rte_be32_t sip,
	const struct rte_ether_addr *tha, rte_be32_t tip)
{
	struct rte_mbuf *m = frame(60);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = *eth_dst;
	eth->src_addr = *sha;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = 6;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *sha;
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	return m;
}

static struct rte_mbuf *
arp_request(const struct rte_ether_addr *sha, rte_be32_t sip, rte_be32_t tip)
{
	return arp_pkt(RTE_ARP_OP_REQUEST, &bcast, sha, sip, &zero_mac, tip);
}

/* An IPv4 frame with l4_len bytes after the header (checksummed). */
static struct rte_mbuf *
ipv4_pkt(const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
	 rte_be32_t sip, rte_be32_t dip, uint8_t proto, uint16_t l4_len)
{
	uint16_t len = (uint16_t)(RTE_ETHER_HDR_LEN + 20 + l4_len);
	struct rte_mbuf *m = frame(RTE_MAX(len, (uint16_t)60));
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	eth->dst_addr = *dst;
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4_len));
	ip->packet_id = rte_cpu_to_be_16(0x4242);
	ip->time_to_live = 63;
	ip->next_proto_id = proto;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static uint8_t *
l4_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN + 20);
}

static struct rte_mbuf *
echo_request(const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
	     rte_be32_t sip, rte_be32_t dip, uint16_t id, uint16_t seq,
	     uint16_t payload)
{
	struct rte_mbuf *m = ipv4_pkt(src, dst, sip, dip, IPPROTO_ICMP,
				      (uint16_t)(8 + payload));
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)l4_of(m);
	uint8_t *data = (uint8_t *)(icmp + 1);
	uint16_t i;

	icmp->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	icmp->icmp_ident = rte_cpu_to_be_16(id);
	icmp->icmp_seq_nb = rte_cpu_to_be_16(seq);
	for (i = 0; i < payload; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 8 + payload);
	return m;
}

/* --- punting and collecting --- */

static void
punt(struct env *e, struct rte_mbuf *m, uint8_t kind, uint16_t port,
     uint16_t net, uint16_t scope, rte_be32_t ip)
{
	struct vsw_pkt_meta *meta = vsw_pkt_meta(m, e->meta_off);

	memset(meta, 0, sizeof(*meta));
	meta->kind = kind;
	meta->port = port;
	meta->net = net;
	meta->scope = scope;
	meta->ip = ip;
	assert_int_equal(vsw_punt_packet(e->punt, &e->tb, e->now, m), VSW_DROP_MAX);
}

static unsigned int
poll_all(struct env *e)
{
	return vsw_punt_handler_poll(e->h, e->now, 100000);
}

/* What the handler injected; exactly want packets. */
static void
take_injected(struct env *e, struct rte_mbuf **out, unsigned int want)
{
	struct rte_mbuf *extra[8];
	unsigned int n = vsw_inject_dequeue(e->punt, out, want);

	assert_int_equal(n, want);
	n = vsw_inject_dequeue(e->punt, extra, RTE_DIM(extra));
	rte_pktmbuf_free_bulk(extra, n);
	assert_int_equal(n, 0);
}

static void
no_injected(struct env *e)
{
	take_injected(e, NULL, 0);
}

static void
assert_meta(struct env *e, struct rte_mbuf *m, uint8_t kind, uint16_t port)
{
	struct vsw_pkt_meta *meta = vsw_pkt_meta(m, e->meta_off);

	assert_int_equal(meta->kind, kind);
	assert_int_equal(meta->port, port);
}

static void
assert_bytes(struct rte_mbuf *m, const uint8_t *want, size_t len)
{
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_int_equal(m->nb_segs, 1);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), want, len);
}

static uint64_t
stat(struct env *e, const char *key)
{
	json_t *s = vsw_punt_handler_stats(e->h);
	json_t *v = json_object_get(s, key);
	uint64_t r;

	if (!json_is_integer(v))
		fail_msg("no stats key %s", key);
	r = (uint64_t)json_integer_value(v);
	json_decref(s);
	return r;
}

static bool
neigh(struct env *e, uint16_t scope, rte_be32_t ip, uint64_t *value)
{
	uint64_t v = 0;
	bool found = vsw_kvt_lookup(e->kvt, vsw_kvt_neigh_key(scope, ip), &v);

	if (value != NULL)
		*value = v;
	return found;
}

static void
assert_neigh(struct env *e, uint16_t scope, rte_be32_t ip,
	     const struct rte_ether_addr *mac, uint64_t flags)
{
	uint64_t v;

	assert_true(neigh(e, scope, ip, &v));
	assert_int_equal(v, vsw_neigh_value(mac, flags));
}

/* --- ARP --- */

static void
arp_request_for_a_rif_is_answered_and_the_sender_learned(void **state)
{
	struct env *e = *state;
	static const uint8_t want[60] = {
		0x02, 0x10, 0, 0, 0, 0x05,  0x02, 0xaa, 0, 0, 0, 0x01,  0x08, 0x06,
		0x00, 0x01,  0x08, 0x00,  6,  4,  0x00, 0x02,
		0x02, 0xaa, 0, 0, 0, 0x01,  10, 0, 0, 1,
		0x02, 0x10, 0, 0, 0, 0x05,  10, 0, 0, 5,
		/* padding to 60 bytes */
	};
	struct rte_mbuf *r;

	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	assert_bytes(r, want, sizeof(want));
	/* through L2 on the rif's network: the MAC table finds the host */
	assert_meta(e, r, VSW_INJECT_NET, RIF_A);
	rte_pktmbuf_free(r);
	assert_neigh(e, ROUTER0, ip4(10, 0, 0, 5), &host5, 0);
	assert_false(neigh(e, ROUTER1, ip4(10, 0, 0, 5), NULL));
	assert_int_equal(stat(e, "arp_replies"), 1);
	assert_int_equal(stat(e, "neighbours"), 1);
}

static void
arp_for_other_addresses_is_not_answered(void **state)
{
	struct env *e = *state;

	/* for another host on the segment: neither answered nor learned */
	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 77)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* for rif B's address, asked on rif A's network */
	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 1, 0, 1)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* on a port that is no interface of ours */
	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1)),
	     VSW_PUNT_ARP, VNIC_PORT, 0, 0, 0);
	assert_int_equal(poll_all(e), 3);
	no_injected(e);
	assert_false(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
	assert_int_equal(stat(e, "arp_not_ours"), 3);
}

static void
gratuitous_arp_is_learned_off_subnet_senders_are_not(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *r;

	punt(e, arp_request(&host9, ip4(10, 0, 0, 9), ip4(10, 0, 0, 9)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* a sender from another subnet is answered but not learned */
	punt(e, arp_request(&host5, ip4(10, 9, 9, 9), ip4(10, 0, 0, 1)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* someone claiming our address: a conflict, not a neighbour */
	punt(e, arp_request(&host5, ip4(10, 0, 0, 1), ip4(10, 0, 0, 1)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 3);
	take_injected(e, &r, 1);
	rte_pktmbuf_free(r);
	assert_neigh(e, ROUTER0, ip4(10, 0, 0, 9), &host9, 0);
	assert_false(neigh(e, ROUTER0, ip4(10, 9, 9, 9), NULL));
	assert_false(neigh(e, ROUTER0, ip4(10, 0, 0, 1), NULL));
	assert_int_equal(stat(e, "neigh_conflict"), 1);
	assert_int_equal(stat(e, "neighbours"), 1);
}

static void
a_static_neighbour_is_never_overwritten(void **state)
{
	struct env *e = *state;
	uint64_t key = vsw_kvt_neigh_key(ROUTER0, ip4(10, 0, 0, 5));

	assert_int_equal(vsw_kvt_set(e->kvt, key, vsw_neigh_value(&host9, VSW_NEIGH_STATIC)), 0);
	punt(e, arp_pkt(RTE_ARP_OP_REPLY, &mac_a, &host5, ip4(10, 0, 0, 5), &mac_a,
			ip4(10, 0, 0, 1)), VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	no_injected(e);
	assert_neigh(e, ROUTER0, ip4(10, 0, 0, 5), &host9, VSW_NEIGH_STATIC);
	assert_int_equal(stat(e, "neighbours"), 0);
	/* and a flush of the router leaves it too */
	vsw_punt_handler_flush_scope(e->h, ROUTER0);
	assert_neigh(e, ROUTER0, ip4(10, 0, 0, 5), &host9, VSW_NEIGH_STATIC);
}

static void
arp_for_the_vtep_is_answered_on_the_uplink(void **state)
{
	struct env *e = *state;
	static const struct rte_ether_addr gw = {{ 0x02, 0xcc, 0, 0, 0, 0xfe }};
	static const uint8_t want[60] = {
		0x02, 0xcc, 0, 0, 0, 0xfe,  0x02, 0xbb, 0, 0, 0, 0x01,  0x08, 0x06,
		0x00, 0x01,  0x08, 0x00,  6,  4,  0x00, 0x02,
		0x02, 0xbb, 0, 0, 0, 0x01,  192, 168, 100, 1,
		0x02, 0xcc, 0, 0, 0, 0xfe,  192, 168, 100, 254,
	};
	struct rte_mbuf *r;

	punt(e, arp_request(&gw, ip4(192, 168, 100, 254), ip4(192, 168, 100, 1)),
	     VSW_PUNT_ARP, UPLINK_PORT, VSW_NET_NONE, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	assert_bytes(r, want, sizeof(want));
	/* raw on the uplink device */
	assert_meta(e, r, VSW_INJECT_PORT, UPLINK_PORT);
	rte_pktmbuf_free(r);
	assert_neigh(e, SCOPE_UPLINK, ip4(192, 168, 100, 254), &gw, 0);
}

static void
malformed_arp_is_counted_and_freed(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m;
	struct rte_arp_hdr *arp;

	/* truncated */
	m = arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1));
	rte_pktmbuf_trim(m, 30);
	punt(e, m, VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* wrong hardware length */
	m = arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1));
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
	arp->arp_hlen = 8;
	punt(e, m, VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* unknown opcode */
	m = arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1));
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, RTE_ETHER_HDR_LEN);
	arp->arp_opcode = rte_cpu_to_be_16(3);
	punt(e, m, VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* multicast sender */
	m = arp_request(&bcast, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1));
	punt(e, m, VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* not ARP at all */
	m = ipv4_pkt(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), IPPROTO_UDP, 8);
	punt(e, m, VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	/* a punt reason nobody defined */
	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1)), 0, RIF_A, 0, 0, 0);
	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1)), 200, RIF_A, 0, 0, 0);
	/* a port index past the port space */
	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1)), VSW_PUNT_ARP,
	     UINT16_MAX, 0, 0, 0);
	assert_int_equal(poll_all(e), 8);
	no_injected(e);
	assert_int_equal(stat(e, "malformed"), 7);
	assert_int_equal(stat(e, "arp_not_ours"), 1);
	assert_int_equal(stat(e, "neighbours"), 0);
}

/* --- RESOLVE --- */

/* A packet routed by router 0 from RIF_A toward 10.1.0.x, tagged. */
static struct rte_mbuf *
routed_pkt(uint8_t tag)
{
	struct rte_mbuf *m = ipv4_pkt(&host5, &mac_a, ip4(10, 0, 0, 5),
				      ip4(10, 1, 0, 9), IPPROTO_UDP, 8);

	l4_of(m)[7] = tag;
	return m;
}

static const uint8_t want_request_b[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  0x02, 0xaa, 0, 0, 0, 0x02,  0x08, 0x06,
	0x00, 0x01,  0x08, 0x00,  6,  4,  0x00, 0x01,
	0x02, 0xaa, 0, 0, 0, 0x02,  10, 1, 0, 1,
	0, 0, 0, 0, 0, 0,  10, 1, 0, 9,
};

static void
resolve_asks_once_a_second_and_the_answer_releases_the_parked(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *r, *got[2];
	struct vsw_pkt_meta *meta;
	unsigned int i;

	punt(e, routed_pkt(1), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, ip4(10, 1, 0, 9));
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	/* from router 0's interface on 10.1.0.0/24 (B), not router 1's (C) */
	assert_bytes(r, want_request_b, sizeof(want_request_b));
	assert_meta(e, r, VSW_INJECT_NET, RIF_B);
	rte_pktmbuf_free(r);

	/* a second packet within the second: parked, no second request */
	e->now += 300 * MS;
	punt(e, routed_pkt(2), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, ip4(10, 1, 0, 9));
	assert_int_equal(poll_all(e), 1);
	vsw_punt_handler_tick(e->h, e->now);
	e->now += 500 * MS;
	vsw_punt_handler_tick(e->h, e->now);
	no_injected(e);
	assert_int_equal(stat(e, "parked_now"), 2);

	/* the answer, on rif B */
	punt(e, arp_pkt(RTE_ARP_OP_REPLY, &mac_b, &host9, ip4(10, 1, 0, 9), &mac_b,
			ip4(10, 1, 0, 1)), VSW_PUNT_ARP, RIF_B, 1, 0, 0);
	assert_int_equal(poll_all(e), 1);
	assert_neigh(e, ROUTER0, ip4(10, 1, 0, 9), &host9, 0);
	take_injected(e, got, 2);
	for (i = 0; i < 2; i++) {
		/* routed again from where they came in, metadata intact */
		meta = vsw_pkt_meta(got[i], e->meta_off);
		assert_int_equal(meta->kind, VSW_INJECT_ROUTE);
		assert_int_equal(meta->port, RIF_A);
		assert_int_equal(meta->net, 0);
		assert_int_equal(meta->scope, ROUTER0);
		assert_int_equal(meta->ip, ip4(10, 1, 0, 9));
		assert_int_equal(l4_of(got[i])[7], i + 1);
	}
	rte_pktmbuf_free_bulk(got, 2);
	assert_int_equal(stat(e, "parked"), 2);
	assert_int_equal(stat(e, "parked_reinjected"), 2);
	assert_int_equal(stat(e, "parked_now"), 0);
	assert_int_equal(stat(e, "arp_requests_sent"), 1);

	/* known now: a late RESOLVE goes straight back */
	punt(e, routed_pkt(3), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, ip4(10, 1, 0, 9));
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	assert_meta(e, r, VSW_INJECT_ROUTE, RIF_A);
	rte_pktmbuf_free(r);
}

static void
resolve_gives_up_after_three_tries(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *r;
	unsigned int requests = 0, step;
	uint64_t v;

	punt(e, routed_pkt(1), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, ip4(10, 1, 0, 9));
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	assert_bytes(r, want_request_b, sizeof(want_request_b));
	rte_pktmbuf_free(r);
	/* while it resolves, workers drop instead of punting more */
	assert_true(neigh(e, ROUTER0, ip4(10, 1, 0, 9), &v));
	assert_int_equal(v, VSW_NEIGH_INCOMPLETE);
	/* ticks every 100 ms for 5 s */
	for (step = 0; step <= 50; step++) {
		vsw_punt_handler_tick(e->h, e->now + step * 100 * MS);
		while (vsw_inject_dequeue(e->punt, &r, 1) == 1) {
			assert_bytes(r, want_request_b, sizeof(want_request_b));
			rte_pktmbuf_free(r);
			requests++;
			/* one per second: the first at 0, then 1 s and 2 s */
			assert_true(step == 10 || step == 20);
		}
		if (step < 30)
			assert_int_equal(stat(e, "parked_now"), 1);
	}
	assert_int_equal(requests, 2);
	assert_int_equal(stat(e, "arp_requests_sent"), 3);
	assert_int_equal(stat(e, "resolve_failed"), 1);
	assert_int_equal(stat(e, "parked_dropped"), 1);
	assert_int_equal(stat(e, "parked_now"), 0);
	assert_int_equal(stat(e, "resolving"), 0);
	assert_false(neigh(e, ROUTER0, ip4(10, 1, 0, 9), NULL));
}

static void
drain(struct env *e)
{
	struct rte_mbuf *r[512];
	unsigned int n;

	while ((n = vsw_inject_dequeue(e->punt, r, RTE_DIM(r))) != 0)
		rte_pktmbuf_free_bulk(r, n);
}

/* The k-th of 300 addresses router 0 reaches (on rif B's and rif A's
 * subnets), then 25 it does not. */
static rte_be32_t
nth_address(unsigned int k)
{
	if (k < 150)
		return ip4(10, 1, 0, (uint8_t)(10 + k));
	if (k < 300)
		return ip4(10, 0, 0, (uint8_t)(10 + k - 150));
	return ip4(10, 2, 0, (uint8_t)(1 + k - 300));
}

static void
parking_is_bounded_per_address_and_in_all(void **state)
{
	struct env *e = *state;
	unsigned int i;

	for (i = 0; i < 6; i++)
		punt(e, routed_pkt((uint8_t)i), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0,
		     ip4(10, 1, 0, 9));
	assert_int_equal(poll_all(e), 6);
	assert_int_equal(stat(e, "parked_now"), VSW_PUNT_PARK_PER_ADDR);
	assert_int_equal(stat(e, "parked_dropped"), 6 - VSW_PUNT_PARK_PER_ADDR);
	/* 4 packets for each of 325 addresses */
	for (i = 0; i < 325 * 4; i++) {
		punt(e, routed_pkt(0), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, nth_address(i / 4));
		if (i % 256 == 255) {
			poll_all(e);
			drain(e);
		}
	}
	poll_all(e);
	drain(e);
	assert_int_equal(stat(e, "parked_now"), VSW_PUNT_PARK_MAX);
	assert_int_equal(stat(e, "parked"), VSW_PUNT_PARK_MAX);
	assert_int_equal(stat(e, "parked_dropped"), 6 + 300 * 4 - VSW_PUNT_PARK_MAX);
	/* every reachable address was asked for, even past the bound */
	assert_int_equal(stat(e, "arp_requests_sent"), 301);
	assert_int_equal(stat(e, "no_interface"), 25 * 4);
	assert_int_equal(stat(e, "resolving"), 301);
	/* all expire after 3 s */
	vsw_punt_handler_tick(e->h, e->now + 3 * SEC);
	assert_int_equal(stat(e, "parked_now"), 0);
	assert_int_equal(stat(e, "parked_dropped"), 6 + 300 * 4);
	drain(e);
}

static void
resolve_without_an_interface_drops_the_packet(void **state)
{
	struct env *e = *state;

	punt(e, routed_pkt(1), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, ip4(172, 16, 0, 1));
	punt(e, routed_pkt(2), VSW_PUNT_RESOLVE, RIF_A, 0, 7, ip4(10, 1, 0, 9));
	punt(e, routed_pkt(3), VSW_PUNT_RESOLVE, VXLAN_VPORT, 0,
	     VSW_NEIGH_SCOPE_UPLINK | 9, ip4(192, 168, 100, 254));
	assert_int_equal(poll_all(e), 3);
	no_injected(e);
	assert_int_equal(stat(e, "no_interface"), 3);
	assert_int_equal(stat(e, "resolve_failed"), 3);
	assert_int_equal(stat(e, "parked_now"), 0);
	assert_int_equal(stat(e, "resolving"), 0);
}

static void
resolve_on_the_underlay_goes_back_to_the_vport(void **state)
{
	struct env *e = *state;
	static const struct rte_ether_addr gw = {{ 0x02, 0xcc, 0, 0, 0, 0xfe }};
	static const uint8_t want[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  0x02, 0xbb, 0, 0, 0, 0x01,  0x08, 0x06,
		0x00, 0x01,  0x08, 0x00,  6,  4,  0x00, 0x01,
		0x02, 0xbb, 0, 0, 0, 0x01,  192, 168, 100, 1,
		0, 0, 0, 0, 0, 0,  192, 168, 100, 254,
	};
	struct rte_mbuf *r;
	struct vsw_pkt_meta *meta;

	punt(e, routed_pkt(4), VSW_PUNT_RESOLVE, VXLAN_VPORT, 0, SCOPE_UPLINK,
	     ip4(192, 168, 100, 254));
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	assert_bytes(r, want, sizeof(want));
	assert_meta(e, r, VSW_INJECT_PORT, UPLINK_PORT);
	rte_pktmbuf_free(r);
	punt(e, arp_pkt(RTE_ARP_OP_REPLY, &mac_up, &gw, ip4(192, 168, 100, 254), &mac_up,
			ip4(192, 168, 100, 1)), VSW_PUNT_ARP, UPLINK_PORT, VSW_NET_NONE, 0, 0);
	assert_int_equal(poll_all(e), 1);
	assert_neigh(e, SCOPE_UPLINK, ip4(192, 168, 100, 254), &gw, 0);
	take_injected(e, &r, 1);
	meta = vsw_pkt_meta(r, e->meta_off);
	assert_int_equal(meta->kind, VSW_INJECT_PORT);   /* re-encapsulated */
	assert_int_equal(meta->port, VXLAN_VPORT);
	assert_int_equal(meta->scope, SCOPE_UPLINK);
	assert_int_equal(l4_of(r)[7], 4);
	rte_pktmbuf_free(r);
}

/* --- neighbour ageing, flush --- */

static void
learn_host5(struct env *e)
{
	struct rte_mbuf *r;

	punt(e, arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1)),
	     VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	rte_pktmbuf_free(r);
}

static void
dynamic_neighbours_are_asked_again_then_age(void **state)
{
	struct env *e = *state;
	static const uint8_t want[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  0x02, 0xaa, 0, 0, 0, 0x01,  0x08, 0x06,
		0x00, 0x01,  0x08, 0x00,  6,  4,  0x00, 0x01,
		0x02, 0xaa, 0, 0, 0, 0x01,  10, 0, 0, 1,
		0, 0, 0, 0, 0, 0,  10, 0, 0, 5,
	};
	uint64_t t0 = e->now, t;
	unsigned int requests = 0;
	struct rte_mbuf *r;
	json_t *list;

	learn_host5(e);
	list = vsw_punt_handler_neighbours(e->h, t0 + 7 * SEC);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "mac")),
			    "02:10:00:00:00:05");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "ip")),
			    "10.0.0.5");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "age_s")), 7);
	json_decref(list);
	for (t = t0 + 280 * SEC; t < t0 + 299 * SEC; t += 500 * MS) {
		vsw_punt_handler_tick(e->h, t);
		while (vsw_inject_dequeue(e->punt, &r, 1) == 1) {
			assert_true(t >= t0 + 290 * SEC);
			assert_bytes(r, want, sizeof(want));
			assert_meta(e, r, VSW_INJECT_NET, RIF_A);
			rte_pktmbuf_free(r);
			requests++;
		}
	}
	assert_int_equal(requests, 3);
	assert_true(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
	vsw_punt_handler_tick(e->h, t0 + 300 * SEC);
	no_injected(e);
	assert_false(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
	assert_int_equal(stat(e, "neigh_aged"), 1);
	assert_int_equal(stat(e, "neighbours"), 0);
}

static void
a_refreshed_neighbour_lives_on(void **state)
{
	struct env *e = *state;
	uint64_t t0 = e->now;
	struct rte_mbuf *r;
	unsigned int n;

	learn_host5(e);
	/* an answer to our re-request refreshes it */
	e->now = t0 + 295 * SEC;
	punt(e, arp_pkt(RTE_ARP_OP_REPLY, &mac_a, &host5, ip4(10, 0, 0, 5), &mac_a,
			ip4(10, 0, 0, 1)), VSW_PUNT_ARP, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	vsw_punt_handler_tick(e->h, t0 + 301 * SEC);
	assert_true(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
	/* refreshed at 295 s: asked again from 585 s, aged at 595 s */
	vsw_punt_handler_tick(e->h, t0 + 584 * SEC);
	no_injected(e);
	vsw_punt_handler_tick(e->h, t0 + 586 * SEC);
	vsw_punt_handler_tick(e->h, t0 + 586 * SEC);   /* within 100 ms: no scan */
	vsw_punt_handler_tick(e->h, t0 + 587 * SEC);
	vsw_punt_handler_tick(e->h, t0 + 588 * SEC);
	vsw_punt_handler_tick(e->h, t0 + 589 * SEC);   /* 3 tries at most */
	n = 0;
	while (vsw_inject_dequeue(e->punt, &r, 1) == 1) {
		rte_pktmbuf_free(r);
		n++;
	}
	assert_int_equal(n, 3);
	vsw_punt_handler_tick(e->h, t0 + 594 * SEC);
	assert_true(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
	vsw_punt_handler_tick(e->h, t0 + 595 * SEC);
	assert_false(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
}

static void
flushing_a_scope_forgets_only_its_neighbours(void **state)
{
	struct env *e = *state;
	static const struct rte_ether_addr gw = {{ 0x02, 0xcc, 0, 0, 0, 0xfe }};
	struct rte_mbuf *r[2];

	learn_host5(e);
	punt(e, arp_request(&gw, ip4(192, 168, 100, 254), ip4(192, 168, 100, 1)),
	     VSW_PUNT_ARP, UPLINK_PORT, VSW_NET_NONE, 0, 0);
	punt(e, routed_pkt(1), VSW_PUNT_RESOLVE, RIF_A, 0, ROUTER0, ip4(10, 1, 0, 9));
	assert_int_equal(poll_all(e), 2);
	take_injected(e, r, 2);    /* the ARP reply and the request */
	rte_pktmbuf_free_bulk(r, 2);
	assert_int_equal(stat(e, "parked_now"), 1);
	vsw_punt_handler_flush_scope(e->h, ROUTER0);
	assert_false(neigh(e, ROUTER0, ip4(10, 0, 0, 5), NULL));
	assert_true(neigh(e, SCOPE_UPLINK, ip4(192, 168, 100, 254), NULL));
	assert_int_equal(stat(e, "parked_now"), 0);
	assert_int_equal(stat(e, "parked_dropped"), 1);
	assert_int_equal(stat(e, "neighbours"), 1);
	assert_int_equal(stat(e, "resolving"), 0);
	vsw_punt_handler_flush_scope(e->h, SCOPE_UPLINK);
	assert_false(neigh(e, SCOPE_UPLINK, ip4(192, 168, 100, 254), NULL));
	assert_int_equal(vsw_kvt_count(e->kvt), 0);
}

/* --- ICMP echo and other local traffic --- */

static void
check_echo_reply(struct rte_mbuf *r, const struct rte_ether_addr *dst_mac,
		 const struct rte_ether_addr *src_mac, rte_be32_t sip, rte_be32_t dip,
		 uint16_t payload)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	uint8_t *data = (uint8_t *)(icmp + 1);
	uint16_t i;

	assert_int_equal(rte_pktmbuf_pkt_len(r), RTE_MAX(14 + 20 + 8 + payload, 60));
	assert_memory_equal(&eth->dst_addr, dst_mac, 6);
	assert_memory_equal(&eth->src_addr, src_mac, 6);
	assert_int_equal(eth->ether_type, rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 8 + payload);
	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(ip->fragment_offset, 0);
	assert_int_equal(ip->src_addr, sip);
	assert_int_equal(ip->dst_addr, dip);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(icmp->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(icmp->icmp_code, 0);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_ident), 0x1234);
	assert_int_equal(rte_be_to_cpu_16(icmp->icmp_seq_nb), 7);
	assert_int_equal(rte_raw_cksum(icmp, 8 + payload), 0xffff);
	for (i = 0; i < payload; i++)
		assert_int_equal(data[i], (uint8_t)(i * 7 + 3));
}

static void
echo_to_a_router_address_is_answered(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *r;

	punt(e, echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 56),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	check_echo_reply(r, &host5, &mac_a, ip4(10, 0, 0, 1), ip4(10, 0, 0, 5), 56);
	assert_meta(e, r, VSW_INJECT_NET, RIF_A);
	rte_pktmbuf_free(r);
	/* rif B's address through rif A: answered from B's address, out of A */
	punt(e, echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 1, 0, 1), 0x1234, 7, 0),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	check_echo_reply(r, &host5, &mac_a, ip4(10, 1, 0, 1), ip4(10, 0, 0, 5), 0);
	assert_meta(e, r, VSW_INJECT_NET, RIF_A);
	rte_pktmbuf_free(r);
	/* a big one */
	punt(e, echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 1400),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	check_echo_reply(r, &host5, &mac_a, ip4(10, 0, 0, 1), ip4(10, 0, 0, 5), 1400);
	rte_pktmbuf_free(r);
	assert_int_equal(stat(e, "echo_replies"), 3);
}

static void
echo_to_the_vtep_is_answered_on_the_uplink(void **state)
{
	struct env *e = *state;
	static const struct rte_ether_addr gw = {{ 0x02, 0xcc, 0, 0, 0, 0xfe }};
	struct rte_mbuf *r;

	punt(e, echo_request(&gw, &mac_up, ip4(192, 168, 7, 7), ip4(192, 168, 100, 1),
			     0x1234, 7, 32), VSW_PUNT_LOCAL, UPLINK_PORT, VSW_NET_NONE, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	check_echo_reply(r, &gw, &mac_up, ip4(192, 168, 100, 1), ip4(192, 168, 7, 7), 32);
	assert_meta(e, r, VSW_INJECT_PORT, UPLINK_PORT);
	rte_pktmbuf_free(r);
}

static void
bad_or_other_local_traffic_is_counted_and_dropped(void **state)
{
	struct env *e = *state;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ip;

	/* bad ICMP checksum */
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	l4_of(m)[8] ^= 0xff;
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	/* bad IP header checksum */
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->hdr_checksum ^= 1;
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	/* total length beyond the frame */
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->total_length = rte_cpu_to_be_16(2000);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	/* IHL below 5 */
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->version_ihl = 0x44;
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	/* truncated to the Ethernet header */
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 16);
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	/* ICMP shorter than its header */
	m = ipv4_pkt(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), IPPROTO_ICMP, 4);
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 6);
	assert_int_equal(stat(e, "malformed"), 6);

	/* not ours, a broadcast source, a fragment, an echo reply */
	punt(e, echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 99), 1, 7, 8),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	punt(e, echo_request(&host5, &mac_a, ip4(255, 255, 255, 255), ip4(10, 0, 0, 1), 1, 7, 8),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	m = echo_request(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), 0x1234, 7, 8);
	((struct rte_icmp_hdr *)l4_of(m))->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	((struct rte_icmp_hdr *)l4_of(m))->icmp_cksum = 0;
	((struct rte_icmp_hdr *)l4_of(m))->icmp_cksum = (uint16_t)~rte_raw_cksum(l4_of(m), 16);
	punt(e, m, VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	/* UDP (IKE, later), TCP, GRE */
	punt(e, ipv4_pkt(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), IPPROTO_UDP, 8),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	punt(e, ipv4_pkt(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), IPPROTO_TCP, 20),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	punt(e, ipv4_pkt(&host5, &mac_a, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1), IPPROTO_GRE, 8),
	     VSW_PUNT_LOCAL, RIF_A, 0, 0, 0);
	assert_int_equal(poll_all(e), 7);
	no_injected(e);
	assert_int_equal(stat(e, "not_ours"), 1);
	assert_int_equal(stat(e, "bad_source"), 1);
	assert_int_equal(stat(e, "local_fragment"), 1);
	assert_int_equal(stat(e, "local_icmp"), 1);
	assert_int_equal(stat(e, "local_udp"), 1);
	assert_int_equal(stat(e, "local_tcp"), 1);
	assert_int_equal(stat(e, "local_other"), 1);
	assert_int_equal(stat(e, "echo_replies"), 0);
}

/* --- DHCP --- */

static json_t *
api_ok(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = result_of(vrequest(api, &root, method, fmt, ap), method);
	va_end(ap);
	return r;
}

static json_t *
vrequest_root(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = vrequest(api, &root, method, fmt, ap);
	va_end(ap);
	return r;
}

struct dhcp_env {
	char port_ip[VSW_IPV4_STRLEN + 4];
};

/* Network 0 (mtu 1450): subnet 10.0.0.0/24 with DHCP, DNS, a host route,
 * and a port with MAC host5. Network 1: a subnet without DHCP and a port
 * with MAC host9. Network 2: a DHCP subnet with no gateway, a port host9. */
static void
build_model(struct env *e, struct dhcp_env *d)
{
	struct vsw_api_options opt = { .db_path = ":memory:", .default_project = "p1",
				       .version = "9.9", .n_workers = 1 };
	struct vsw_error err;
	json_t *r;
	int i;

	e->api = vsw_api_create(&opt, NULL, &err);
	assert_non_null(e->api);
	for (i = 0; i < 3; i++) {
		r = api_ok(e->api, "network.create", i == 0 ? "{\"mtu\": 1450}" : "{}");
		snprintf(e->net_ids[i], VSW_UUID_STRLEN, "%s",
			 json_string_value(json_object_get(r, "id")));
		json_decref(r);
	}
	json_decref(api_ok(e->api, "subnet.create",
			   "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.0.0.0/24\","
			   "\"dns_nameservers\":[\"8.8.8.8\",\"1.1.1.1\"],"
			   "\"host_routes\":[{\"destination\":\"192.168.0.0/16\","
			   "\"nexthop\":\"10.0.0.254\"}]}", e->net_ids[0]));
	json_decref(api_ok(e->api, "subnet.create",
			   "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.1.0.0/24\","
			   "\"enable_dhcp\":false}", e->net_ids[1]));
	json_decref(api_ok(e->api, "subnet.create",
			   "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.2.0.0/24\","
			   "\"gateway_ip\":null}", e->net_ids[2]));
	r = api_ok(e->api, "port.create",
		   "{\"network_id\":\"%s\",\"mac_address\":\"02:10:00:00:00:05\"}",
		   e->net_ids[0]);
	snprintf(d->port_ip, sizeof(d->port_ip), "%s",
		 json_string_value(json_object_get(json_array_get(json_object_get(r, "fixed_ips"), 0),
						   "ip_address")));
	json_decref(r);
	/* (network, MAC) names at most one port: what the DHCP lookup needs */
	check_error(vrequest_root(e->api, "port.create",
				  "{\"network_id\":\"%s\",\"mac_address\":\"02:10:00:00:00:05\"}",
				  e->net_ids[0]), 409, "MacAddressInUse", "mac_address");
	json_decref(api_ok(e->api, "port.create",
			   "{\"network_id\":\"%s\",\"mac_address\":\"02:10:00:00:00:09\"}",
			   e->net_ids[1]));
	json_decref(api_ok(e->api, "port.create",
			   "{\"network_id\":\"%s\",\"mac_address\":\"02:10:00:00:00:09\"}",
			   e->net_ids[2]));
}

/* A client's DHCP message (broadcast, from 0.0.0.0). */
static struct rte_mbuf *
dhcp_pkt(const struct rte_ether_addr *mac, uint8_t type, uint32_t xid,
	 rte_be32_t requested, rte_be32_t server)
{
	uint8_t msg[300] = { 0 };
	size_t o = 240;
	struct rte_mbuf *m;
	struct rte_udp_hdr *udp;

	msg[0] = 1;
	msg[1] = 1;
	msg[2] = 6;
	msg[4] = (uint8_t)(xid >> 24);
	msg[5] = (uint8_t)(xid >> 16);
	msg[6] = (uint8_t)(xid >> 8);
	msg[7] = (uint8_t)xid;
	memcpy(&msg[28], mac, 6);
	msg[236] = 99;
	msg[237] = 130;
	msg[238] = 83;
	msg[239] = 99;
	msg[o++] = 53;
	msg[o++] = 1;
	msg[o++] = type;
	if (requested != 0) {
		msg[o++] = 50;
		msg[o++] = 4;
		memcpy(&msg[o], &requested, 4);
		o += 4;
	}
	if (server != 0) {
		msg[o++] = 54;
		msg[o++] = 4;
		memcpy(&msg[o], &server, 4);
		o += 4;
	}
	msg[o++] = 55;
	msg[o++] = 4;
	msg[o++] = 1;
	msg[o++] = 3;
	msg[o++] = 6;
	msg[o++] = 26;   /* not 121: with it the reply would leave out option 3 */
	msg[o++] = 255;
	m = ipv4_pkt(mac, &bcast, 0, ip4(255, 255, 255, 255), IPPROTO_UDP,
		     (uint16_t)(8 + sizeof(msg)));
	udp = (struct rte_udp_hdr *)l4_of(m);
	udp->src_port = rte_cpu_to_be_16(68);
	udp->dst_port = rte_cpu_to_be_16(67);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + sizeof(msg)));
	memcpy(udp + 1, msg, sizeof(msg));
	return m;
}

static const uint8_t *
option(const uint8_t *payload, size_t len, uint8_t code, uint8_t want_len)
{
	const uint8_t *val;
	uint8_t vlen;

	if (vsw_dhcp_find_option(payload, len, code, &val, &vlen) < 0)
		fail_msg("no option %u", code);
	assert_int_equal(vlen, want_len);
	return val;
}

static rte_be32_t
be32_at(const uint8_t *p)
{
	rte_be32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The injected reply: to VNIC_PORT only, from the server MAC of net; its
 * BOOTREPLY payload and length. */
static const uint8_t *
dhcp_reply(struct env *e, struct rte_mbuf *r, uint16_t net, size_t *len)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	const uint8_t server[6] = { 0x02, 0x00, 0x5e, 0xff, (uint8_t)(net >> 8), (uint8_t)net };

	assert_meta(e, r, VSW_INJECT_PORT, VNIC_PORT);
	assert_memory_equal(&eth->src_addr, server, 6);
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	assert_int_equal(rte_raw_cksum(ip, 20), 0xffff);
	assert_int_equal(udp->src_port, rte_cpu_to_be_16(67));
	assert_int_equal(udp->dst_port, rte_cpu_to_be_16(68));
	*len = rte_be_to_cpu_16(udp->dgram_len) - 8;
	assert_int_equal(rte_pktmbuf_pkt_len(r), 42 + *len);
	return (const uint8_t *)(udp + 1);
}

static void
dhcp_discover_request_get_offer_and_ack(void **state)
{
	struct env *e = *state;
	struct dhcp_env d;
	struct rte_mbuf *r;
	const uint8_t *p, *v;
	uint32_t yi;
	size_t len;
	rte_be32_t port_ip;

	build_model(e, &d);
	assert_int_equal(vsw_ipv4_parse(d.port_ip, &yi), 0);
	port_ip = rte_cpu_to_be_32(yi);

	punt(e, dhcp_pkt(&host5, VSW_DHCP_DISCOVER, 0xabcd0001, 0, 0), VSW_PUNT_DHCP,
	     VNIC_PORT, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	p = dhcp_reply(e, r, 0, &len);
	assert_int_equal(p[0], 2);                                 /* BOOTREPLY */
	assert_int_equal(be32_at(p + 4), rte_cpu_to_be_32(0xabcd0001));
	assert_int_equal(be32_at(p + 16), port_ip);                 /* yiaddr */
	assert_memory_equal(p + 28, &host5, 6);
	assert_int_equal(*option(p, len, 53, 1), VSW_DHCP_OFFER);
	assert_int_equal(be32_at(option(p, len, 1, 4)), ip4(255, 255, 255, 0));
	assert_int_equal(be32_at(option(p, len, 3, 4)), ip4(10, 0, 0, 1));
	v = option(p, len, 6, 8);
	assert_int_equal(be32_at(v), ip4(8, 8, 8, 8));
	assert_int_equal(be32_at(v + 4), ip4(1, 1, 1, 1));
	assert_int_equal(be32_at(option(p, len, 51, 4)), rte_cpu_to_be_32(86400));
	assert_int_equal(be32_at(option(p, len, 54, 4)), ip4(10, 0, 0, 1));
	v = option(p, len, 26, 2);
	assert_int_equal(v[0] << 8 | v[1], 1450);
	/* 192.168/16 via 10.0.0.254, then the default via the gateway */
	{
		static const uint8_t routes[] = { 16, 192, 168, 10, 0, 0, 254,
						  0, 10, 0, 0, 1 };

		assert_memory_equal(option(p, len, 121, sizeof(routes)), routes, sizeof(routes));
	}
	rte_pktmbuf_free(r);

	punt(e, dhcp_pkt(&host5, VSW_DHCP_REQUEST, 0xabcd0002, port_ip, ip4(10, 0, 0, 1)),
	     VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	p = dhcp_reply(e, r, 0, &len);
	assert_int_equal(*option(p, len, 53, 1), VSW_DHCP_ACK);
	assert_int_equal(be32_at(p + 16), port_ip);
	rte_pktmbuf_free(r);

	/* asking for another address: NAK */
	punt(e, dhcp_pkt(&host5, VSW_DHCP_REQUEST, 0xabcd0003, ip4(10, 0, 0, 200), 0),
	     VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	p = dhcp_reply(e, r, 0, &len);
	assert_int_equal(*option(p, len, 53, 1), VSW_DHCP_NAK);
	rte_pktmbuf_free(r);
	/* another server chosen: nothing */
	punt(e, dhcp_pkt(&host5, VSW_DHCP_REQUEST, 0xabcd0004, port_ip, ip4(10, 0, 0, 3)),
	     VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	assert_int_equal(poll_all(e), 1);
	no_injected(e);
	assert_int_equal(stat(e, "dhcp_offers"), 1);
	assert_int_equal(stat(e, "dhcp_acks"), 1);
	assert_int_equal(stat(e, "dhcp_naks"), 1);
	assert_int_equal(stat(e, "dhcp_ignored"), 1);
}

static void
dhcp_without_a_gateway_serves_from_the_first_host(void **state)
{
	struct env *e = *state;
	struct dhcp_env d;
	struct rte_mbuf *r;
	const uint8_t *p, *val;
	uint8_t vlen;
	size_t len;

	build_model(e, &d);
	punt(e, dhcp_pkt(&host9, VSW_DHCP_DISCOVER, 7, 0, 0), VSW_PUNT_DHCP, VNIC_PORT, 2, 0, 0);
	assert_int_equal(poll_all(e), 1);
	take_injected(e, &r, 1);
	p = dhcp_reply(e, r, 2, &len);
	assert_int_equal(*option(p, len, 53, 1), VSW_DHCP_OFFER);
	assert_int_equal(be32_at(option(p, len, 54, 4)), ip4(10, 2, 0, 1));
	assert_int_equal(vsw_dhcp_find_option(p, len, 3, &val, &vlen), -ENOENT);
	assert_int_equal(be32_at(p + 16) & ip4(255, 255, 255, 0), ip4(10, 2, 0, 0));
	rte_pktmbuf_free(r);
}

static void
dhcp_for_unknown_ports_or_subnets_without_dhcp_is_not_answered(void **state)
{
	struct env *e = *state;
	struct dhcp_env d;
	struct rte_mbuf *m;
	static const struct rte_ether_addr stranger = {{ 0x02, 0x10, 0, 0, 0, 0x77 }};

	build_model(e, &d);
	/* unknown MAC */
	punt(e, dhcp_pkt(&stranger, VSW_DHCP_DISCOVER, 1, 0, 0), VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	/* host9 is on network 1 and 2, not 0 */
	punt(e, dhcp_pkt(&host9, VSW_DHCP_DISCOVER, 1, 0, 0), VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	/* a network index with no network */
	punt(e, dhcp_pkt(&host5, VSW_DHCP_DISCOVER, 1, 0, 0), VSW_PUNT_DHCP, VNIC_PORT, 9, 0, 0);
	/* network 1's subnet has no DHCP */
	punt(e, dhcp_pkt(&host9, VSW_DHCP_DISCOVER, 1, 0, 0), VSW_PUNT_DHCP, VNIC_PORT, 1, 0, 0);
	/* chaddr is not the frame's source */
	m = dhcp_pkt(&host5, VSW_DHCP_DISCOVER, 1, 0, 0);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr = host9;
	punt(e, m, VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	/* malformed: bad cookie, truncated, not UDP 67 */
	m = dhcp_pkt(&host5, VSW_DHCP_DISCOVER, 1, 0, 0);
	l4_of(m)[8 + 236] = 0;
	punt(e, m, VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	m = dhcp_pkt(&host5, VSW_DHCP_DISCOVER, 1, 0, 0);
	rte_pktmbuf_trim(m, 200);
	punt(e, m, VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	m = dhcp_pkt(&host5, VSW_DHCP_DISCOVER, 1, 0, 0);
	((struct rte_udp_hdr *)l4_of(m))->dst_port = rte_cpu_to_be_16(68);
	punt(e, m, VSW_PUNT_DHCP, VNIC_PORT, 0, 0, 0);
	assert_int_equal(poll_all(e), 8);
	no_injected(e);
	assert_int_equal(stat(e, "dhcp_no_port"), 3);
	assert_int_equal(stat(e, "dhcp_no_subnet"), 1);
	assert_int_equal(stat(e, "dhcp_ignored"), 1);
	assert_int_equal(stat(e, "dhcp_malformed"), 3);
}

/* --- storms --- */

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 100k ARP requests at 10 Mpps (simulated) against a 10 kpps bucket 64
 * deep, the handler polled with a budget of 32 every 100 packets: the
 * bucket takes the flood, each poll stays within its budget, and every
 * accepted request is answered.
 */
static void
an_arp_storm_costs_counted_drops_not_time(void **state)
{
	enum { N = 100000, BUDGET = 32 };
	struct env *e = env_new_sized(1024, 4096, 10000, 64);
	unsigned int i, n, accepted = 0, limited = 0, full = 0, replies = 0, handled = 0;
	struct rte_mbuf *r[256];
	double t0 = seconds_now(), slowest = 0;

	RTE_SET_USED(state);
	for (i = 0; i < N; i++) {
		struct rte_mbuf *m = arp_request(&host5, ip4(10, 0, 0, (uint8_t)(2 + i % 250)),
						 ip4(10, 0, 0, 1));
		enum vsw_drop d;

		vsw_pkt_meta(m, e->meta_off)->kind = VSW_PUNT_ARP;
		vsw_pkt_meta(m, e->meta_off)->port = RIF_A;
		e->now = T0 + (uint64_t)i * 100;                 /* 100 ns apart */
		d = vsw_punt_packet(e->punt, &e->tb, e->now, m);
		if (d == VSW_DROP_MAX) {
			accepted++;
		} else {
			limited += d == VSW_DROP_PUNT_RATELIMIT;
			full += d == VSW_DROP_PUNT_FULL;
			rte_pktmbuf_free(m);
		}
		if (i % 100 == 99) {
			double t = seconds_now();

			n = vsw_punt_handler_poll(e->h, e->now, BUDGET);
			slowest = RTE_MAX(slowest, seconds_now() - t);
			assert_true(n <= BUDGET);
			handled += n;
			while ((n = vsw_inject_dequeue(e->punt, r, RTE_DIM(r))) != 0) {
				replies += n;
				rte_pktmbuf_free_bulk(r, n);
			}
		}
	}
	while ((n = vsw_punt_handler_poll(e->h, e->now, BUDGET)) != 0)
		handled += n;
	while ((n = vsw_inject_dequeue(e->punt, r, RTE_DIM(r))) != 0) {
		replies += n;
		rte_pktmbuf_free_bulk(r, n);
	}
	/* 10 ms of flood: the bucket's depth plus 10 ms of its rate */
	assert_true(accepted >= 64 + 98 && accepted <= 64 + 100);
	assert_int_equal(limited, N - accepted);
	assert_int_equal(full, 0);
	assert_int_equal(handled, accepted);
	assert_int_equal(replies, accepted);
	assert_int_equal(stat(e, "arp_replies"), accepted);
	assert_true(slowest < 0.05);
	assert_true(seconds_now() - t0 < 5.0);
	env_free(e);
}

/* With no rate limit the ring overflows instead: counted, and each poll
 * still only takes its budget. */
static void
a_storm_past_a_full_ring_is_punt_full(void **state)
{
	enum { N = 100000, BUDGET = 64 };
	struct env *e = env_new_sized(1024, 8192, 1000000000, 1000000);
	unsigned int i, n, accepted = 0, full = 0, handled = 0, replies = 0;
	struct rte_mbuf *r[256];
	double t0 = seconds_now();

	RTE_SET_USED(state);
	for (i = 0; i < N; i++) {
		struct rte_mbuf *m = arp_request(&host5, ip4(10, 0, 0, 5), ip4(10, 0, 0, 1));
		enum vsw_drop d;

		vsw_pkt_meta(m, e->meta_off)->kind = VSW_PUNT_ARP;
		vsw_pkt_meta(m, e->meta_off)->port = RIF_A;
		d = vsw_punt_packet(e->punt, &e->tb, e->now, m);
		if (d == VSW_DROP_MAX) {
			accepted++;
		} else {
			assert_int_equal(d, VSW_DROP_PUNT_FULL);
			full++;
			rte_pktmbuf_free(m);
		}
		if (i % 1000 == 999) {
			n = vsw_punt_handler_poll(e->h, e->now, BUDGET);
			assert_int_equal(n, BUDGET);
			handled += n;
			while ((n = vsw_inject_dequeue(e->punt, r, RTE_DIM(r))) != 0) {
				replies += n;
				rte_pktmbuf_free_bulk(r, n);
			}
		}
	}
	while ((n = vsw_punt_handler_poll(e->h, e->now, BUDGET)) != 0)
		handled += n;
	while ((n = vsw_inject_dequeue(e->punt, r, RTE_DIM(r))) != 0) {
		replies += n;
		rte_pktmbuf_free_bulk(r, n);
	}
	assert_true(full > N / 2);
	assert_int_equal(accepted + full, N);
	assert_int_equal(handled, accepted);
	assert_int_equal(replies, accepted);
	assert_true(seconds_now() - t0 < 5.0);
	env_free(e);
}

/* --- EAL --- */

static int
setup_eal(void **state)
{
	RTE_SET_USED(state);
	if (vsw_eal_env_start("test_punt_handler", "vsw-test-ph", 256,
			      "lib.*:warning") < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("ph_pool", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int
teardown_eal(void **state)
{
	RTE_SET_USED(state);
	rte_mempool_free(pool);
	vsw_eal_env_stop();
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_env, teardown_env)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(arp_request_for_a_rif_is_answered_and_the_sender_learned),
		T(arp_for_other_addresses_is_not_answered),
		T(gratuitous_arp_is_learned_off_subnet_senders_are_not),
		T(a_static_neighbour_is_never_overwritten),
		T(arp_for_the_vtep_is_answered_on_the_uplink),
		T(malformed_arp_is_counted_and_freed),
		T(resolve_asks_once_a_second_and_the_answer_releases_the_parked),
		T(resolve_gives_up_after_three_tries),
		T(parking_is_bounded_per_address_and_in_all),
		T(resolve_without_an_interface_drops_the_packet),
		T(resolve_on_the_underlay_goes_back_to_the_vport),
		T(dynamic_neighbours_are_asked_again_then_age),
		T(a_refreshed_neighbour_lives_on),
		T(flushing_a_scope_forgets_only_its_neighbours),
		T(echo_to_a_router_address_is_answered),
		T(echo_to_the_vtep_is_answered_on_the_uplink),
		T(bad_or_other_local_traffic_is_counted_and_dropped),
		T(dhcp_discover_request_get_offer_and_ack),
		T(dhcp_without_a_gateway_serves_from_the_first_host),
		T(dhcp_for_unknown_ports_or_subnets_without_dhcp_is_not_answered),
		cmocka_unit_test(an_arp_storm_costs_counted_drops_not_time),
		cmocka_unit_test(a_storm_past_a_full_ring_is_punt_full),
	};

	return cmocka_run_group_tests(tests, setup_eal, teardown_eal);
}
