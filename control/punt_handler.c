/* SPDX-License-Identifier: BSD-3-Clause */
#include "punt_handler.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dhcp.h"
#include "fib.h"
#include "field_types.h"
#include "ipam.h"
#include "kvt.h"
#include "model.h"
#include "punt.h"

#define POLL_BURST 32
#define DEFAULT_MAX_NEIGHBOURS 16384
#define DEFAULT_AGEING_S 300
#define REPROBE_WINDOW_S 10     /* ask a dynamic neighbour again this long before it ages */
#define SCAN_INTERVAL_MS 100
#define ETH_MIN_FRAME 60        /* without FCS: ARP replies are padded to it */
#define ARP_LEN (RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr))
#define IP_MIN_LEN ((uint16_t)sizeof(struct rte_ipv4_hdr))
#define DHCP_MSG_MAX 1600       /* longest BOOTREQUEST read from a frame */

/* The handler's counters: struct member and stats key are the same name. */
#define HANDLER_FOREACH_COUNTER(_)                                            \
	_(arp_replies)        /* ARP replies sent */                           \
	_(echo_replies)       /* ICMP echo replies sent */                     \
	_(dhcp_offers)                                                         \
	_(dhcp_acks)                                                           \
	_(dhcp_naks)                                                           \
	_(arp_requests_sent)  /* resolution and re-probe requests */           \
	_(parked)             /* packets parked for a neighbour */             \
	_(parked_reinjected)  /* ... sent on once it answered */               \
	_(parked_dropped)     /* ... dropped: queue full, expired, given up */ \
	_(resolve_failed)     /* addresses given up after every try */         \
	_(no_interface)       /* RESOLVE with no interface to ask from */      \
	_(neigh_learned)      /* dynamic neighbours set or refreshed */        \
	_(neigh_aged)                                                          \
	_(neigh_full)         /* no room in the kvt or the handler */          \
	_(neigh_conflict)     /* ARP from someone claiming our address */      \
	_(arp_not_ours)       /* ARP requests for other addresses */           \
	_(not_ours)           /* IPv4 to an address that is not ours */        \
	_(malformed)          /* truncated or invalid, bad checksums */        \
	_(bad_source)         /* broadcast/multicast/zero sources */           \
	_(local_udp)          /* IPv4 to us, dropped by protocol */            \
	_(local_tcp)                                                           \
	_(local_icmp)         /* ICMP to us other than echo requests */        \
	_(local_other)                                                         \
	_(local_fragment)                                                      \
	_(echo_too_big)       /* echo request longer than one mbuf */          \
	_(dhcp_no_port)       /* no port with that MAC on the network */       \
	_(dhcp_no_subnet)     /* the port has no fixed IP on a DHCP subnet */  \
	_(dhcp_ignored)       /* nothing to answer (another server, release) */\
	_(dhcp_malformed)                                                      \
	_(dhcp_build_failed)  /* the reply did not fit (client's size limit) */\
	_(no_fib)                                                              \
	_(no_mbuf)

struct handler_counters {
#define COUNTER_MEMBER(name) uint64_t name;
	HANDLER_FOREACH_COUNTER(COUNTER_MEMBER)
#undef COUNTER_MEMBER
};

enum neigh_state {
	NEIGH_FREE = 0,
	NEIGH_RESOLVING,     /* asked, packets may be parked */
	NEIGH_REACHABLE,     /* learned: a dynamic entry in the kvt */
};

/* What the handler knows of one (scope, address) beyond the kvt. */
struct neigh {
	uint64_t key;                    /* the kvt key */
	uint8_t state;
	uint8_t tries;                   /* requests sent since the last answer */
	uint8_t n_parked;
	uint64_t req_tsc;                /* last request sent */
	uint64_t seen_tsc;               /* REACHABLE: last confirmed */
	struct rte_mbuf *parked[VSW_PUNT_PARK_PER_ADDR];
	uint64_t parked_tsc[VSW_PUNT_PARK_PER_ADDR];
};

struct vsw_punt_handler {
	struct vsw_punt_handler_params p;
	int meta_off;
	uint64_t sec;                    /* TSC cycles per second */
	uint64_t next_scan_tsc;
	uint16_t ip_id;
	struct rte_hash *index;          /* kvt key -> position in neighs */
	struct neigh *neighs;            /* [max_neighbours] */
	uint32_t n_neighs;               /* entries in use */
	uint32_t n_reachable;
	uint32_t n_parked;
	struct handler_counters c;
	uint8_t dhcp_msg[DHCP_MSG_MAX];  /* the request being answered */
};

/* An address of the appliance a punted packet was for. */
struct local_if {
	uint16_t port;           /* replies go out here (rif vport / uplink port) */
	uint16_t scope;          /* neighbour scope */
	uint16_t net;
	bool uplink;
	uint8_t plen;
	rte_be32_t ip;
	struct rte_ether_addr mac;
};

/* --- small helpers --- */

static inline bool
scope_is_uplink(uint16_t scope)
{
	return (scope & VSW_NEIGH_SCOPE_UPLINK) != 0;
}

static inline uint16_t
key_scope(uint64_t key)
{
	return (uint16_t)(key >> 32);
}

static inline rte_be32_t
key_ip(uint64_t key)
{
	return rte_cpu_to_be_32((uint32_t)key);
}

static inline rte_be32_t
prefix_mask(uint8_t plen)
{
	return rte_cpu_to_be_32(plen == 0 ? 0 : ~0u << (32 - RTE_MIN(plen, 32)));
}

static inline bool
same_subnet(rte_be32_t a, rte_be32_t b, uint8_t plen)
{
	return ((a ^ b) & prefix_mask(plen)) == 0;
}

/* A source that may be answered or learned: not zero, broadcast, multicast
 * or loopback. */
static bool
ip_is_unicast(rte_be32_t ip)
{
	uint32_t a = rte_be_to_cpu_32(ip);

	return a != 0 && a != UINT32_MAX && (a >> 28) != 0xe && (a >> 24) != 127;
}

static bool
mac_is_unicast(const struct rte_ether_addr *a)
{
	return rte_is_unicast_ether_addr(a) && !rte_is_zero_ether_addr(a);
}

static inline struct vsw_pkt_meta *
meta_of(const struct vsw_punt_handler *h, struct rte_mbuf *m)
{
	return vsw_pkt_meta(m, h->meta_off);
}

/* --- where a packet came in --- */

static bool
local_if_of(const struct vsw_fib *fib, uint16_t port, struct local_if *out)
{
	const struct vsw_fib_port *fp;
	const struct vsw_fib_uplink *u;

	if (port >= VSW_FIB_MAX_PORTS)
		return false;
	fp = &fib->ports[port];
	memset(out, 0, sizeof(*out));
	if (fp->kind == VSW_FP_ROUTER && fp->net != VSW_NET_NONE) {
		out->port = port;
		out->scope = fp->rif.router;
		out->net = fp->net;
		out->plen = fp->rif.plen;
		out->ip = fp->rif.ip;
		out->mac = fp->rif.mac;
		return out->ip != 0;
	}
	if (fp->kind == VSW_FP_UPLINK && fp->uplink < VSW_FIB_MAX_UPLINKS) {
		u = &fib->uplinks[fp->uplink];
		if (u->port != port || u->local_ip == 0)
			return false;
		out->port = port;
		out->scope = VSW_NEIGH_SCOPE_UPLINK | fp->uplink;
		out->net = VSW_NET_NONE;
		out->uplink = true;
		out->plen = u->local_plen;
		out->ip = u->local_ip;
		out->mac = u->mac;
		return true;
	}
	return false;
}

/* The interface of router that has ip on its subnet (the egress of a next
 * hop), or, with exact, the interface whose address is ip. */
static uint16_t
router_rif(const struct vsw_fib *fib, uint16_t router, rte_be32_t ip, bool exact)
{
	uint32_t i;

	for (i = VSW_DP_MAX_PORTS; i < VSW_FIB_MAX_PORTS; i++) {
		const struct vsw_fib_port *fp = &fib->ports[i];

		if (fp->kind != VSW_FP_ROUTER || fp->net == VSW_NET_NONE ||
		    fp->rif.router != router || fp->rif.ip == 0)
			continue;
		if (exact ? fp->rif.ip == ip : same_subnet(fp->rif.ip, ip, fp->rif.plen))
			return (uint16_t)i;
	}
	return VSW_PORT_NONE;
}

/* The interface to send requests for (scope, ip) from. */
static bool
egress_if_of(const struct vsw_fib *fib, uint16_t scope, rte_be32_t ip,
	     struct local_if *out)
{
	uint16_t slot, rif;

	if (scope_is_uplink(scope)) {
		slot = scope & ~VSW_NEIGH_SCOPE_UPLINK;
		if (slot >= VSW_FIB_MAX_UPLINKS ||
		    fib->uplinks[slot].port == VSW_PORT_NONE)
			return false;
		return local_if_of(fib, fib->uplinks[slot].port, out);
	}
	rif = router_rif(fib, scope, ip, false);
	return rif != VSW_PORT_NONE && local_if_of(fib, rif, out);
}

/* --- sending --- */

static struct rte_mbuf *
frame_alloc(struct vsw_punt_handler *h, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->p.pool);
	char *data;

	if (m == NULL) {
		h->c.no_mbuf++;
		return NULL;
	}
	data = rte_pktmbuf_append(m, len);
	if (data == NULL) {
		rte_pktmbuf_free(m);
		h->c.no_mbuf++;
		return NULL;
	}
	memset(data, 0, len);
	return m;
}

/* Queues m for the workers: kind (enum vsw_inject_kind) toward port. */
static int
inject(struct vsw_punt_handler *h, struct rte_mbuf *m, uint8_t kind,
       uint16_t port, uint16_t net)
{
	struct vsw_pkt_meta *meta = meta_of(h, m);

	memset(meta, 0, sizeof(*meta));
	meta->kind = kind;
	meta->port = port;
	meta->net = net;
	return vsw_inject(h->p.punt, m);  /* counts and frees on a full ring */
}

/* From an interface: a router's goes through L2 on its network (which
 * finds the destination), an uplink's straight out of the device. */
static int
inject_from(struct vsw_punt_handler *h, struct rte_mbuf *m,
	    const struct local_if *lif)
{
	return inject(h, m, lif->uplink ? VSW_INJECT_PORT : VSW_INJECT_NET,
		      lif->port, lif->net);
}

static struct rte_mbuf *
arp_frame(struct vsw_punt_handler *h, uint16_t op,
	  const struct rte_ether_addr *eth_dst, const struct rte_ether_addr *sha,
	  rte_be32_t sip, const struct rte_ether_addr *tha, rte_be32_t tip)
{
	struct rte_mbuf *m = frame_alloc(h, ETH_MIN_FRAME);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->dst_addr = *eth_dst;
	eth->src_addr = *sha;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *sha;
	arp->arp_data.arp_sip = sip;
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tip;
	return m;
}

/* A broadcast request for ip from the interface that reaches it. */
static int
send_arp_request(struct vsw_punt_handler *h, const struct vsw_fib *fib,
		 uint16_t scope, rte_be32_t ip)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
	static const struct rte_ether_addr zero;
	struct local_if lif;
	struct rte_mbuf *m;

	if (fib == NULL || !egress_if_of(fib, scope, ip, &lif)) {
		h->c.no_interface++;
		return -ENOENT;
	}
	m = arp_frame(h, RTE_ARP_OP_REQUEST, &bcast, &lif.mac, lif.ip, &zero, ip);
	if (m == NULL)
		return -ENOMEM;
	h->c.arp_requests_sent++;
	/* A full inject ring loses this one; the next try asks again. */
	inject_from(h, m, &lif);
	return 0;
}

/* --- neighbour state --- */

static struct neigh *
neigh_find(struct vsw_punt_handler *h, uint64_t key)
{
	int32_t pos = rte_hash_lookup(h->index, &key);

	return pos < 0 ? NULL : &h->neighs[pos];
}

static struct neigh *
neigh_add(struct vsw_punt_handler *h, uint64_t key)
{
	int32_t pos = rte_hash_add_key(h->index, &key);
	struct neigh *n;

	if (pos < 0) {
		h->c.neigh_full++;
		return NULL;
	}
	n = &h->neighs[pos];
	memset(n, 0, sizeof(*n));
	n->key = key;
	n->state = NEIGH_RESOLVING;
	h->n_neighs++;
	return n;
}

static void
drop_parked(struct vsw_punt_handler *h, struct neigh *n)
{
	rte_pktmbuf_free_bulk(n->parked, n->n_parked);
	h->c.parked_dropped += n->n_parked;
	h->n_parked -= n->n_parked;
	n->n_parked = 0;
}

/* Sends the parked packets back to be routed (router scope) or sent to
 * the vport they were for (uplink scope), with the metadata they came with. */
static void
release_parked(struct vsw_punt_handler *h, struct neigh *n)
{
	uint8_t kind = scope_is_uplink(key_scope(n->key)) ? VSW_INJECT_PORT
							  : VSW_INJECT_ROUTE;
	unsigned int i;

	for (i = 0; i < n->n_parked; i++) {
		meta_of(h, n->parked[i])->kind = kind;
		if (vsw_inject(h->p.punt, n->parked[i]) == 0)
			h->c.parked_reinjected++;
		else
			h->c.parked_dropped++;
	}
	h->n_parked -= n->n_parked;
	n->n_parked = 0;
}

static void
neigh_remove(struct vsw_punt_handler *h, struct neigh *n)
{
	drop_parked(h, n);
	if (n->state == NEIGH_REACHABLE)
		h->n_reachable--;
	rte_hash_del_key(h->index, &n->key);
	memset(n, 0, sizeof(*n));
	h->n_neighs--;
}

/* Deletes the kvt entry of n unless the model made it static meanwhile. */
static void
kvt_forget(struct vsw_punt_handler *h, uint64_t key)
{
	uint64_t v;

	if (vsw_kvt_lookup(h->p.kvt, key, &v) && (v & VSW_NEIGH_STATIC) == 0)
		vsw_kvt_del(h->p.kvt, key);
}

/*
 * ip is at mac in scope: set the dynamic neighbour and release what waits
 * for it. create: also when nothing is known of ip yet (an answer or a
 * request to us); otherwise only refresh.
 */
static void
learn(struct vsw_punt_handler *h, uint16_t scope, rte_be32_t ip,
      const struct rte_ether_addr *mac, uint64_t now, bool create)
{
	uint64_t key = vsw_kvt_neigh_key(scope, ip), v;
	struct neigh *n = neigh_find(h, key);

	if (vsw_kvt_lookup(h->p.kvt, key, &v) && (v & VSW_NEIGH_STATIC) != 0) {
		/* The model knows better; let the waiting packets find it. */
		if (n != NULL) {
			release_parked(h, n);
			neigh_remove(h, n);
		}
		return;
	}
	if (n == NULL) {
		if (!create)
			return;
		n = neigh_add(h, key);
		if (n == NULL)
			return;
	}
	if (vsw_kvt_set(h->p.kvt, key, vsw_neigh_value(mac, 0)) < 0) {
		h->c.neigh_full++;
		neigh_remove(h, n);
		return;
	}
	if (n->state != NEIGH_REACHABLE)
		h->n_reachable++;
	n->state = NEIGH_REACHABLE;
	n->seen_tsc = now;
	n->tries = 0;
	h->c.neigh_learned++;
	release_parked(h, n);
}

/* --- ARP --- */

/* A floating IP lives on its router's gateway interface: the upstream
 * router ARPs for it there. */
static bool
is_floating_ip(const struct vsw_punt_handler *h, const struct vsw_fib *fib,
	       const struct local_if *lif, rte_be32_t ip)
{
	uint64_t fixed;

	return !lif->uplink && fib->ports[lif->port].rif.external &&
	       vsw_kvt_lookup(h->p.kvt, vsw_kvt_key(VSW_KVT_FIP_IN, lif->scope,
						  rte_be_to_cpu_32(ip)), &fixed);
}

static void
handle_arp(struct vsw_punt_handler *h, const struct vsw_fib *fib,
	   struct rte_mbuf *m, uint16_t port, uint64_t now)
{
	uint8_t buf[ARP_LEN];
	const struct rte_ether_hdr *eth;
	const struct rte_arp_hdr *arp;
	struct rte_ether_addr sha;
	struct local_if lif;
	struct rte_mbuf *r;
	rte_be32_t sip, tip;
	uint16_t op;
	bool for_us, gratuitous;

	eth = rte_pktmbuf_read(m, 0, sizeof(buf), buf);
	if (eth == NULL || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		h->c.malformed++;
		return;
	}
	arp = (const struct rte_arp_hdr *)(eth + 1);
	op = rte_be_to_cpu_16(arp->arp_opcode);
	sha = arp->arp_data.arp_sha;
	sip = arp->arp_data.arp_sip;
	tip = arp->arp_data.arp_tip;
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY) ||
	    !mac_is_unicast(&sha) || !mac_is_unicast(&eth->src_addr)) {
		h->c.malformed++;
		return;
	}
	if (!local_if_of(fib, port, &lif)) {
		h->c.arp_not_ours++;
		return;
	}
	if (sip == lif.ip) {
		h->c.neigh_conflict++;
		return;
	}
	for_us = tip == lif.ip || is_floating_ip(h, fib, &lif, tip);
	gratuitous = sip == tip;
	if (ip_is_unicast(sip) && same_subnet(sip, lif.ip, lif.plen))
		learn(h, lif.scope, sip, &sha, now, for_us || gratuitous);
	if (op != RTE_ARP_OP_REQUEST)
		return;
	if (!for_us) {
		if (!gratuitous)
			h->c.arp_not_ours++;
		return;
	}
	r = arp_frame(h, RTE_ARP_OP_REPLY, &sha, &lif.mac, tip, &sha, sip);
	if (r == NULL)
		return;
	h->c.arp_replies++;
	inject_from(h, r, &lif);
}

/* --- RESOLVE --- */

/* Takes ownership of m. */
static void
handle_resolve(struct vsw_punt_handler *h, const struct vsw_fib *fib,
	       struct rte_mbuf *m, uint64_t now)
{
	const struct vsw_pkt_meta *meta = meta_of(h, m);
	uint16_t scope = meta->scope;
	rte_be32_t ip = meta->ip;
	uint64_t key = vsw_kvt_neigh_key(scope, ip), v;
	struct neigh *n;

	if (vsw_kvt_lookup(h->p.kvt, key, &v) && (v & VSW_NEIGH_INCOMPLETE) == 0) {
		/* Answered while this packet was on its way: send it on. */
		struct neigh tmp = { .key = key, .n_parked = 1, .parked = { m } };

		h->n_parked++;
		release_parked(h, &tmp);
		return;
	}
	n = neigh_find(h, key);
	if (n == NULL)
		n = neigh_add(h, key);
	if (n == NULL) {
		h->c.parked_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	if (n->state == NEIGH_REACHABLE) {
		/* Its kvt entry went (flushed by the model): resolve anew. */
		h->n_reachable--;
		n->state = NEIGH_RESOLVING;
		n->tries = 0;
	}
	if (n->tries == 0) {
		/* The first packet asks; the tick asks again after a second. */
		if (send_arp_request(h, fib, scope, ip) == -ENOENT) {
			h->c.resolve_failed++;
			neigh_remove(h, n);
			rte_pktmbuf_free(m);
			return;
		}
		n->tries = 1;
		n->req_tsc = now;
		/* Until it answers, workers drop instead of punting more. */
		if (!vsw_kvt_lookup(h->p.kvt, key, &v))
			vsw_kvt_set(h->p.kvt, key, VSW_NEIGH_INCOMPLETE);
	}
	if (n->n_parked == VSW_PUNT_PARK_PER_ADDR || h->n_parked >= VSW_PUNT_PARK_MAX) {
		h->c.parked_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	n->parked[n->n_parked] = m;
	n->parked_tsc[n->n_parked++] = now;
	h->n_parked++;
	h->c.parked++;
}

/* --- IPv4 to the appliance --- */

struct ipv4_view {
	uint8_t hdr[60];                 /* the IPv4 header with its options */
	const struct rte_ipv4_hdr *ip;
	const struct rte_ether_hdr *eth;
	uint32_t l3_off;                 /* IPv4 header offset in the frame */
	uint16_t hlen;
	uint16_t len;                    /* total length */
	struct rte_ether_hdr eth_copy;
};

/* Checks the Ethernet and IPv4 headers of m; false when malformed. */
static bool
ipv4_parse(struct rte_mbuf *m, struct ipv4_view *v)
{
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;

	eth = rte_pktmbuf_read(m, 0, sizeof(v->eth_copy), &v->eth_copy);
	if (eth == NULL || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	v->eth_copy = *eth;
	v->eth = &v->eth_copy;
	v->l3_off = RTE_ETHER_HDR_LEN;
	ip = rte_pktmbuf_read(m, v->l3_off, IP_MIN_LEN, v->hdr);
	if (ip == NULL || (ip->version_ihl >> 4) != 4)
		return false;
	v->hlen = (uint16_t)((ip->version_ihl & 0xf) * 4);
	v->len = rte_be_to_cpu_16(ip->total_length);
	if (v->hlen < IP_MIN_LEN || v->len < v->hlen ||
	    v->l3_off + v->len > rte_pktmbuf_pkt_len(m))
		return false;
	ip = rte_pktmbuf_read(m, v->l3_off, v->hlen, v->hdr);
	if (ip == NULL)
		return false;
	if (ip != (const void *)v->hdr)
		memcpy(v->hdr, ip, v->hlen);
	v->ip = (const struct rte_ipv4_hdr *)v->hdr;
	return rte_raw_cksum(v->hdr, v->hlen) == 0xffff;
}

static bool
is_fragment(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset &
		rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

/* An address of lif's router (any of its interfaces), or lif's VTEP. */
static bool
addressed_to_us(const struct vsw_fib *fib, const struct local_if *lif,
		rte_be32_t dst)
{
	if (dst == lif->ip)
		return true;
	return !lif->uplink && router_rif(fib, lif->scope, dst, true) != VSW_PORT_NONE;
}

static void
echo_reply(struct vsw_punt_handler *h, struct rte_mbuf *m,
	   const struct ipv4_view *v, const struct local_if *lif)
{
	uint16_t icmp_len = (uint16_t)(v->len - v->hlen);
	uint16_t frame_len = (uint16_t)(RTE_ETHER_HDR_LEN + IP_MIN_LEN + icmp_len);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	const void *src;
	struct rte_mbuf *r;

	if (icmp_len < sizeof(struct rte_icmp_hdr)) {
		h->c.malformed++;
		return;
	}
	if (frame_len > rte_pktmbuf_data_room_size(h->p.pool) - RTE_PKTMBUF_HEADROOM) {
		h->c.echo_too_big++;
		return;
	}
	r = frame_alloc(h, RTE_MAX(frame_len, (uint16_t)ETH_MIN_FRAME));
	if (r == NULL)
		return;
	eth = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	src = rte_pktmbuf_read(m, v->l3_off + v->hlen, icmp_len, icmp);
	if (src == NULL) {
		rte_pktmbuf_free(r);
		h->c.malformed++;
		return;
	}
	if (src != icmp)
		memcpy(icmp, src, icmp_len);
	if (rte_raw_cksum(icmp, icmp_len) != 0xffff) {
		rte_pktmbuf_free(r);
		h->c.malformed++;
		return;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		rte_pktmbuf_free(r);
		h->c.local_icmp++;
		return;
	}
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, icmp_len);

	eth->dst_addr = v->eth->src_addr;
	eth->src_addr = lif->mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = v->ip->type_of_service;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(IP_MIN_LEN + icmp_len));
	ip->packet_id = rte_cpu_to_be_16(h->ip_id++);
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = v->ip->dst_addr;
	ip->dst_addr = v->ip->src_addr;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	h->c.echo_replies++;
	inject_from(h, r, lif);
}

static void
handle_local(struct vsw_punt_handler *h, const struct vsw_fib *fib,
	     struct rte_mbuf *m, uint16_t port)
{
	struct ipv4_view v;
	struct local_if lif;

	if (!ipv4_parse(m, &v)) {
		h->c.malformed++;
		return;
	}
	if (!local_if_of(fib, port, &lif) || !addressed_to_us(fib, &lif, v.ip->dst_addr)) {
		h->c.not_ours++;
		return;
	}
	if (!ip_is_unicast(v.ip->src_addr) || !mac_is_unicast(&v.eth->src_addr)) {
		h->c.bad_source++;
		return;
	}
	if (is_fragment(v.ip)) {
		h->c.local_fragment++;
		return;
	}
	switch (v.ip->next_proto_id) {
	case IPPROTO_ICMP:
		echo_reply(h, m, &v, &lif);
		break;
	case IPPROTO_UDP:
		h->c.local_udp++;
		break;
	case IPPROTO_TCP:
		h->c.local_tcp++;
		break;
	default:
		h->c.local_other++;
		break;
	}
}

/* --- DHCP --- */

static const char *
str_member(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const json_t *
model_get(const struct vsw_model *model, const char *kind, const char *id)
{
	return id != NULL ? vsw_model_get(model, kind, id) : NULL;
}

static uint32_t
parse_ip_be(const char *s)
{
	uint32_t a;

	return s != NULL && vsw_ipv4_parse(s, &a) == 0 ? rte_cpu_to_be_32(a) : 0;
}

static void
lease_options(const json_t *subnet, struct vsw_dhcp_lease *l)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(subnet, "dns_nameservers"), i, e) {
		uint32_t dns = parse_ip_be(json_string_value(e));

		if (dns != 0 && l->n_dns < VSW_DHCP_MAX_DNS)
			l->dns[l->n_dns++] = dns;
	}
	json_array_foreach(json_object_get(subnet, "host_routes"), i, e) {
		struct vsw_cidr dest;
		struct vsw_dhcp_route *r = &l->routes[l->n_routes];

		if (l->n_routes == VSW_DHCP_MAX_ROUTES ||
		    vsw_cidr_parse(str_member(e, "destination"), &dest, NULL) < 0)
			continue;
		r->dest = rte_cpu_to_be_32(dest.addr);
		r->prefix_len = dest.plen;
		r->nexthop = parse_ip_be(str_member(e, "nexthop"));
		if (r->nexthop != 0)
			l->n_routes++;
	}
}

/* The lease of port: its first fixed IP on an IPv4 subnet with DHCP. */
static bool
lease_of_port(const struct vsw_model *model, const json_t *port,
	      const json_t *network, struct vsw_dhcp_lease *l)
{
	const json_t *fixed;
	size_t i;

	json_array_foreach(json_object_get(port, "fixed_ips"), i, fixed) {
		const json_t *subnet = model_get(model, "subnet",
						 str_member(fixed, "subnet_id"));
		struct vsw_cidr cidr;
		uint32_t ip;

		if (subnet == NULL || !json_is_true(json_object_get(subnet, "enable_dhcp")) ||
		    vsw_cidr_parse(str_member(subnet, "cidr"), &cidr, NULL) < 0 ||
		    vsw_ipv4_parse(str_member(fixed, "ip_address"), &ip) < 0)
			continue;
		memset(l, 0, sizeof(*l));
		l->ip = rte_cpu_to_be_32(ip);
		l->prefix_len = cidr.plen;
		l->router = parse_ip_be(str_member(subnet, "gateway_ip"));
		l->server_id = l->router != 0 ? l->router :
			       rte_cpu_to_be_32(cidr.plen < 31 ? cidr.addr + 1 : cidr.addr);
		l->lease_time = VSW_PUNT_DHCP_LEASE_S;
		l->mtu = (uint16_t)json_integer_value(json_object_get(network, "mtu"));
		lease_options(subnet, l);
		return true;
	}
	return false;
}

/* The port of network net_id with MAC mac (the index tells whether there
 * is one before the ports are walked). */
static const json_t *
port_by_mac(const struct vsw_model *model, const char *net_id,
	    const struct rte_ether_addr *mac)
{
	char mac_s[VSW_MAC_STRLEN], key[VSW_UUID_STRLEN + VSW_MAC_STRLEN + 1];
	const char *id;
	const json_t *port;

	vsw_mac_format(mac->addr_bytes, mac_s);
	snprintf(key, sizeof(key), "%s/%s", net_id, mac_s);
	if (vsw_model_index_count(model, "port.net_mac", key) == 0)
		return NULL;
	json_object_foreach((json_t *)vsw_model_kind(model, "port"), id, port) {
		const char *n = str_member(port, "network_id");
		const char *m = str_member(port, "mac_address");

		if (n != NULL && m != NULL && strcmp(n, net_id) == 0 &&
		    strcmp(m, mac_s) == 0)
			return port;
	}
	return NULL;
}

/* Reads the BOOTREQUEST of a DHCP frame into buf; its length or 0. */
static size_t
dhcp_payload(struct rte_mbuf *m, const struct ipv4_view *v, uint8_t *buf)
{
	struct rte_udp_hdr uh;
	const struct rte_udp_hdr *udp;
	const void *p;
	uint16_t ulen;

	if (v->ip->next_proto_id != IPPROTO_UDP || is_fragment(v->ip))
		return 0;
	udp = rte_pktmbuf_read(m, v->l3_off + v->hlen, sizeof(uh), &uh);
	if (udp == NULL || udp->dst_port != rte_cpu_to_be_16(VSW_DHCP_SERVER_PORT))
		return 0;
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < sizeof(uh) + VSW_DHCP_MIN_LEN || ulen > v->len - v->hlen ||
	    ulen - sizeof(uh) > DHCP_MSG_MAX)
		return 0;
	p = rte_pktmbuf_read(m, v->l3_off + v->hlen + sizeof(uh), ulen - sizeof(uh), buf);
	if (p == NULL)
		return 0;
	if (p != buf)
		memcpy(buf, p, ulen - sizeof(uh));
	return ulen - sizeof(uh);
}

static void
server_mac(uint16_t net, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = 0xff;
	mac[4] = (uint8_t)(net >> 8);
	mac[5] = (uint8_t)net;
}

static void
send_dhcp_reply(struct vsw_punt_handler *h, const struct vsw_dhcp_request *req,
		const struct vsw_dhcp_lease *lease, enum vsw_dhcp_msg type,
		uint16_t port, uint16_t net)
{
	uint8_t mac[6];
	size_t len;
	struct rte_mbuf *r = frame_alloc(h, 0);

	if (r == NULL)
		return;
	server_mac(net, mac);
	if (vsw_dhcp_build_frame(req, lease, type, mac, rte_pktmbuf_mtod(r, uint8_t *),
				 rte_pktmbuf_tailroom(r), &len) < 0 ||
	    rte_pktmbuf_append(r, (uint16_t)len) == NULL) {
		rte_pktmbuf_free(r);
		h->c.dhcp_build_failed++;
		return;
	}
	if (type == VSW_DHCP_OFFER)
		h->c.dhcp_offers++;
	else if (type == VSW_DHCP_ACK)
		h->c.dhcp_acks++;
	else
		h->c.dhcp_naks++;
	/* Straight to the VNIC: nothing else on the network sees it. */
	inject(h, r, VSW_INJECT_PORT, port, net);
}

static void
handle_dhcp(struct vsw_punt_handler *h, struct rte_mbuf *m,
	    const struct vsw_pkt_meta *meta)
{
	uint8_t *msg = h->dhcp_msg;
	const struct vsw_model *model = h->p.model(h->p.arg);
	const char *net_id = h->p.net_id(h->p.arg, meta->net);
	struct vsw_dhcp_request req;
	struct vsw_dhcp_lease lease;
	const json_t *port;
	enum vsw_dhcp_msg type;
	struct ipv4_view v;
	size_t len;

	if (!ipv4_parse(m, &v) || (len = dhcp_payload(m, &v, msg)) == 0 ||
	    vsw_dhcp_parse(msg, len, &req, NULL) < 0) {
		h->c.dhcp_malformed++;
		h->c.malformed++;
		return;
	}
	/* Port security vouched for the source MAC, not for chaddr; relayed
	 * requests are not for this server. */
	if (memcmp(req.chaddr, v.eth->src_addr.addr_bytes, 6) != 0 || req.giaddr != 0) {
		h->c.dhcp_ignored++;
		return;
	}
	port = model != NULL && net_id != NULL ?
	       port_by_mac(model, net_id, &v.eth->src_addr) : NULL;
	if (port == NULL) {
		h->c.dhcp_no_port++;
		return;
	}
	if (!lease_of_port(model, port, model_get(model, "network", net_id), &lease)) {
		h->c.dhcp_no_subnet++;
		return;
	}
	type = vsw_dhcp_decide(&req, &lease);
	if (type == VSW_DHCP_NONE) {
		h->c.dhcp_ignored++;
		return;
	}
	send_dhcp_reply(h, &req, &lease, type, meta->port, meta->net);
}

/* --- the poll loop --- */

/* Frees m unless it was parked or sent on. */
static void
handle_one(struct vsw_punt_handler *h, const struct vsw_fib *fib,
	   struct rte_mbuf *m, uint64_t now)
{
	struct vsw_pkt_meta meta = *meta_of(h, m);

	if (fib == NULL) {
		h->c.no_fib++;
		rte_pktmbuf_free(m);
		return;
	}
	switch (meta.kind) {
	case VSW_PUNT_ARP:
		handle_arp(h, fib, m, meta.port, now);
		break;
	case VSW_PUNT_LOCAL:
		handle_local(h, fib, m, meta.port);
		break;
	case VSW_PUNT_DHCP:
		handle_dhcp(h, m, &meta);
		break;
	case VSW_PUNT_RESOLVE:
		handle_resolve(h, fib, m, now);
		return;
	default:
		h->c.malformed++;
		break;
	}
	rte_pktmbuf_free(m);
}

unsigned int
vsw_punt_handler_poll(struct vsw_punt_handler *h, uint64_t now_tsc,
		      unsigned int budget)
{
	struct rte_mbuf *pkts[POLL_BURST];
	const struct vsw_fib *fib = h->p.fib(h->p.arg);
	unsigned int done = 0, n, i;

	while (done < budget) {
		n = vsw_punt_dequeue(h->p.punt, pkts, RTE_MIN(budget - done,
							       (unsigned int)POLL_BURST));
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			handle_one(h, fib, pkts[i], now_tsc);
		done += n;
	}
	return done;
}

/* --- timers --- */

static void
expire_parked(struct vsw_punt_handler *h, struct neigh *n, uint64_t now)
{
	uint64_t limit = VSW_PUNT_PARK_TIMEOUT_S * h->sec;
	unsigned int i, kept = 0;

	for (i = 0; i < n->n_parked; i++) {
		if (now - n->parked_tsc[i] >= limit) {
			rte_pktmbuf_free(n->parked[i]);
			h->c.parked_dropped++;
			h->n_parked--;
			continue;
		}
		n->parked[kept] = n->parked[i];
		n->parked_tsc[kept++] = n->parked_tsc[i];
	}
	n->n_parked = (uint8_t)kept;
}

/* Another request after a second, up to the tries; then give up. */
static void
retry_or_give_up(struct vsw_punt_handler *h, const struct vsw_fib *fib,
		 struct neigh *n, uint64_t now)
{
	if (now - n->req_tsc < h->sec)
		return;
	if (n->tries >= VSW_PUNT_ARP_TRIES ||
	    send_arp_request(h, fib, key_scope(n->key), key_ip(n->key)) == -ENOENT) {
		h->c.resolve_failed++;
		kvt_forget(h, n->key);
		neigh_remove(h, n);
		return;
	}
	n->tries++;
	n->req_tsc = now;
}

static void
age_reachable(struct vsw_punt_handler *h, const struct vsw_fib *fib,
	      struct neigh *n, uint64_t now)
{
	uint64_t age = now - n->seen_tsc, ageing = h->p.neigh_ageing_s * h->sec;
	uint64_t window = RTE_MIN((uint64_t)REPROBE_WINDOW_S, h->p.neigh_ageing_s / 2) * h->sec;

	if (age >= ageing) {
		kvt_forget(h, n->key);
		h->c.neigh_aged++;
		neigh_remove(h, n);
		return;
	}
	/* Ask again before it ages: an answer refreshes it. */
	if (age >= ageing - window && n->tries < VSW_PUNT_ARP_TRIES &&
	    now - n->req_tsc >= h->sec &&
	    send_arp_request(h, fib, key_scope(n->key), key_ip(n->key)) == 0) {
		n->tries++;
		n->req_tsc = now;
	}
}

void
vsw_punt_handler_tick(struct vsw_punt_handler *h, uint64_t now_tsc)
{
	const struct vsw_fib *fib;
	uint32_t i;

	if (now_tsc < h->next_scan_tsc || h->n_neighs == 0)
		return;
	h->next_scan_tsc = now_tsc + h->sec * SCAN_INTERVAL_MS / 1000;
	fib = h->p.fib(h->p.arg);
	for (i = 0; i < h->p.max_neighbours; i++) {
		struct neigh *n = &h->neighs[i];

		if (n->state == NEIGH_RESOLVING) {
			expire_parked(h, n, now_tsc);
			retry_or_give_up(h, fib, n, now_tsc);
		} else if (n->state == NEIGH_REACHABLE) {
			age_reachable(h, fib, n, now_tsc);
		}
	}
}

void
vsw_punt_handler_flush_scope(struct vsw_punt_handler *h, uint16_t scope)
{
	uint32_t i;

	for (i = 0; i < h->p.max_neighbours && h->n_neighs != 0; i++) {
		struct neigh *n = &h->neighs[i];

		if (n->state == NEIGH_FREE || key_scope(n->key) != scope)
			continue;
		kvt_forget(h, n->key);   /* learned, or marked incomplete */
		neigh_remove(h, n);
	}
}

/* --- reporting --- */

json_t *
vsw_punt_handler_stats(const struct vsw_punt_handler *h)
{
	struct vsw_punt_stats ps;
	json_t *o = json_object(), *received = json_object(), *punted = json_object();

	vsw_punt_stats(h->p.punt, &ps);
	json_object_set_new(received, "arp", json_integer((json_int_t)ps.punted[VSW_PUNT_ARP]));
	json_object_set_new(received, "local", json_integer((json_int_t)ps.punted[VSW_PUNT_LOCAL]));
	json_object_set_new(received, "dhcp", json_integer((json_int_t)ps.punted[VSW_PUNT_DHCP]));
	json_object_set_new(received, "resolve",
			    json_integer((json_int_t)ps.punted[VSW_PUNT_RESOLVE]));
	json_object_set_new(o, "received", received);
#define COUNTER_JSON(name) json_object_set_new(o, #name, json_integer((json_int_t)h->c.name));
	HANDLER_FOREACH_COUNTER(COUNTER_JSON)
#undef COUNTER_JSON
	json_object_set_new(o, "neighbours", json_integer(h->n_reachable));
	json_object_set_new(o, "resolving", json_integer(h->n_neighs - h->n_reachable));
	json_object_set_new(o, "parked_now", json_integer(h->n_parked));
	json_object_set_new(punted, "injected", json_integer((json_int_t)ps.injected));
	json_object_set_new(punted, "inject_full", json_integer((json_int_t)ps.inject_full));
	json_object_set_new(punted, "learn_requests",
			    json_integer((json_int_t)ps.learn_requests));
	json_object_set_new(o, "punt", punted);
	return o;
}

json_t *
vsw_punt_handler_neighbours(const struct vsw_punt_handler *h, uint64_t now_tsc)
{
	json_t *list = json_array();
	uint32_t i;

	for (i = 0; i < h->p.max_neighbours; i++) {
		const struct neigh *n = &h->neighs[i];
		char ip[VSW_IPV4_STRLEN], mac_s[VSW_MAC_STRLEN];
		struct rte_ether_addr mac;
		uint64_t v;
		json_t *e;

		if (n->state == NEIGH_FREE)
			continue;
		vsw_ipv4_format((uint32_t)n->key, ip);
		e = json_pack("{s:i, s:s, s:s, s:i}", "scope", key_scope(n->key), "ip", ip,
			      "state", n->state == NEIGH_REACHABLE ? "reachable" : "resolving",
			      "parked", n->n_parked);
		if (n->state == NEIGH_REACHABLE && vsw_kvt_lookup(h->p.kvt, n->key, &v)) {
			vsw_neigh_mac(v, &mac);
			vsw_mac_format(mac.addr_bytes, mac_s);
			json_object_set_new(e, "mac", json_string(mac_s));
			json_object_set_new(e, "age_s",
					    json_integer((json_int_t)((now_tsc - n->seen_tsc) / h->sec)));
		} else {
			json_object_set_new(e, "mac", json_null());
		}
		json_array_append_new(list, e);
	}
	return list;
}

/* --- life cycle --- */

static uint32_t
neigh_key_hash(const void *key, uint32_t key_len, uint32_t init_val)
{
	uint64_t k;

	RTE_SET_USED(key_len);
	memcpy(&k, key, sizeof(k));
	return rte_hash_crc_8byte(k, init_val);
}

static struct rte_hash *
create_index(const struct vsw_punt_handler *h)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = h->p.max_neighbours,
		.key_len = sizeof(uint64_t),
		.hash_func = neigh_key_hash,
		.socket_id = SOCKET_ID_ANY,
		/* positions stay below entries: an exact capacity */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "pnh_%" PRIxPTR, (uintptr_t)h);
	return rte_hash_create(&hp);
}

struct vsw_punt_handler *
vsw_punt_handler_create(const struct vsw_punt_handler_params *p)
{
	struct vsw_punt_handler *h;

	if (p == NULL || p->punt == NULL || p->kvt == NULL || p->pool == NULL ||
	    p->fib == NULL || p->model == NULL || p->net_id == NULL || p->tsc_hz == 0) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	h->p = *p;
	if (h->p.max_neighbours == 0)
		h->p.max_neighbours = DEFAULT_MAX_NEIGHBOURS;
	if (h->p.neigh_ageing_s == 0)
		h->p.neigh_ageing_s = DEFAULT_AGEING_S;
	h->sec = p->tsc_hz;
	h->meta_off = vsw_punt_meta_offset(p->punt);
	h->neighs = calloc(h->p.max_neighbours, sizeof(*h->neighs));
	h->index = h->neighs != NULL ? create_index(h) : NULL;
	if (h->index == NULL) {
		free(h->neighs);
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

void
vsw_punt_handler_free(struct vsw_punt_handler *h)
{
	uint32_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->p.max_neighbours; i++)
		rte_pktmbuf_free_bulk(h->neighs[i].parked, h->neighs[i].n_parked);
	rte_hash_free(h->index);
	free(h->neighs);
	free(h);
}
