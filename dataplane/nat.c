/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SNAT connection tables, one per worker (see nat.h).
 *
 * A connection is a record in its owner's array and two keys in its owner's
 * rte_hash: the original tuple (internal -> remote) and the reply tuple
 * (remote -> ext_ip:ext_port). The owner is the only writer of its table,
 * record array and counters; other workers read them (lock-free hash,
 * records reused only after an RCU grace period) and touch only a record's
 * last_seen and flags, with relaxed atomics. External ports and ICMP ids are
 * sliced per worker, so a reply's destination port names its owner.
 */
#include "nat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#define NAT_PORT_BASE 1024u
#define NAT_PORT_SPAN (65536u - NAT_PORT_BASE)
#define NAT_SCAN_TRIES 64u           /* port probes before NAT_FULL */
#define NAT_RECLAIM_MAX 64u          /* records taken back per reclaim */
#define NAT_L2_LEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define NAT_ICMP_HDR_LEN 8u
#define NAT_L4_PORTS_LEN 8u          /* what an ICMP error quotes at least */
#define NAT_TCP_CKSUM_END 18u        /* bytes of TCP up to its checksum */

#define NAT_DEFAULT_MAX_CONNS 65536u
#define NAT_DEFAULT_TCP_EST_S 7440u
#define NAT_DEFAULT_TCP_TRANS_S 240u
#define NAT_DEFAULT_UDP_S 300u
#define NAT_DEFAULT_ICMP_S 60u

/* Conn flags: TCP state seen in either direction. */
#define CONN_SYN_ORIG 0x01
#define CONN_SYN_REPLY 0x02
#define CONN_FIN 0x04
#define CONN_RST 0x08

enum nat_dir { NAT_DIR_ORIG = 0, NAT_DIR_REPLY = 1 };

/* Hash key: 16 bytes, no padding; fields in network order. For ICMP the id
 * is sport on the original side and dport on the reply side. */
struct nat_key {
	uint16_t router;
	uint8_t proto;
	uint8_t dir;
	rte_be32_t src;
	rte_be32_t dst;
	rte_be16_t sport;
	rte_be16_t dport;
};
_Static_assert(sizeof(struct nat_key) == 16, "nat_key must stay 16 bytes");

struct nat_conn {
	struct nat_key orig;
	uint64_t last_seen;          /* tsc; relaxed atomics, any worker */
	rte_be32_t ext_ip;
	rte_be16_t ext_port;         /* or ICMP id */
	uint8_t flags;               /* CONN_*; atomic OR, any worker */
	uint8_t in_use;              /* owner only */
};

struct nat_counters {
	uint64_t active;
	uint64_t created;
	uint64_t expired;
	uint64_t full;
};

/* First line: read by every worker. Second: the owner's own state. */
struct nat_worker {
	struct rte_hash *hash;
	struct nat_conn *conns;
	struct rte_rcu_qsbr_dq *dq;  /* records waiting for a grace period */
	uint32_t *free_idx;          /* stack of free record indices */

	struct nat_counters stats __rte_cache_aligned;
	uint32_t n_free;
	uint32_t expire_cursor;
	uint32_t port_cursor;        /* offset in this worker's slice */
	uint16_t port_lo;
} __rte_cache_aligned;

struct vsw_nat {
	unsigned int n_workers;
	uint32_t max_conns;
	uint32_t slice;              /* ports per worker */
	uint64_t tcp_est_tsc;
	uint64_t tcp_trans_tsc;
	uint64_t udp_tsc;
	uint64_t icmp_tsc;
	uint64_t refresh_tsc;        /* last_seen granularity */
	struct rte_rcu_qsbr *qsbr;
	struct nat_worker w[];
};

/* A parsed packet: where its headers are and what it is. */
struct nat_pkt {
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint32_t l4_len;             /* bytes of L4 present in the first segment */
	uint8_t proto;
};

/* ---- checksums (RFC 1624, eqn. 3); raw memory order throughout ---- */

static inline uint32_t
csum_delta16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

static inline uint32_t
csum_delta32(uint32_t old, uint32_t new)
{
	return csum_delta16((uint16_t)old, (uint16_t)new) +
	       csum_delta16((uint16_t)(old >> 16), (uint16_t)(new >> 16));
}

static inline uint16_t
csum_apply(uint16_t cksum, uint32_t delta)
{
	uint32_t s = (uint32_t)(uint16_t)~cksum + delta;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ---- parsing ---- */

static inline bool
is_later_fragment(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0;
}

static inline uint32_t
l4_min_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return sizeof(struct rte_tcp_hdr);
	case IPPROTO_UDP:
		return sizeof(struct rte_udp_hdr);
	default:
		return NAT_ICMP_HDR_LEN;
	}
}

/* VSW_DROP_MAX when p describes a translatable packet. */
static enum vsw_drop
parse(struct rte_mbuf *m, struct nat_pkt *p)
{
	uint32_t ihl, l3_len, seg_l3;

	p->ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, NAT_L2_LEN);
	p->proto = p->ip->next_proto_id;
	if (unlikely(p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP &&
		     p->proto != IPPROTO_ICMP))
		return VSW_DROP_NAT_PROTO;
	if (unlikely(is_later_fragment(p->ip)))
		return VSW_DROP_NAT_PROTO;
	ihl = rte_ipv4_hdr_len(p->ip);
	l3_len = rte_be_to_cpu_16(p->ip->total_length);
	seg_l3 = m->data_len - NAT_L2_LEN;
	p->l4 = (uint8_t *)p->ip + ihl;
	p->l4_len = RTE_MIN(l3_len, seg_l3) - ihl;
	if (unlikely(l3_len < ihl || seg_l3 < ihl ||
		     p->l4_len < l4_min_len(p->proto)))
		return VSW_DROP_MALFORMED;
	return VSW_DROP_MAX;
}

static inline bool
icmp_is_error(uint8_t type)
{
	/* destination unreachable, time exceeded, parameter problem */
	return type == 3 || type == 11 || type == 12;
}

/* ---- records, keys, tables ---- */

static inline uint32_t
conn_index(const void *data)
{
	return (uint32_t)(uintptr_t)data;
}

static inline void *
conn_data(uint32_t idx)
{
	return (void *)(uintptr_t)idx;
}

/* Reply tuple: what the remote sends back to ext_ip:ext_port. */
static inline void
reply_key(struct nat_key *k, const struct nat_key *orig, rte_be32_t ext_ip,
	  rte_be16_t ext_port)
{
	*k = (struct nat_key){
		.router = orig->router, .proto = orig->proto, .dir = NAT_DIR_REPLY,
		.src = orig->dst, .dst = ext_ip,
		.sport = orig->dport, .dport = ext_port,
	};
}

static inline uint64_t
conn_timeout(const struct vsw_nat *n, const struct nat_conn *c)
{
	uint8_t f;

	switch (c->orig.proto) {
	case IPPROTO_TCP:
		f = __atomic_load_n(&c->flags, __ATOMIC_RELAXED);
		/* handshake half done, or closing: transitory (RFC 5382) */
		if ((f & (CONN_FIN | CONN_RST)) != 0 ||
		    ((f & CONN_SYN_ORIG) != 0) != ((f & CONN_SYN_REPLY) != 0))
			return n->tcp_trans_tsc;
		return n->tcp_est_tsc;
	case IPPROTO_UDP:
		return n->udp_tsc;
	default:
		return n->icmp_tsc;
	}
}

static inline void
conn_touch(const struct vsw_nat *n, struct nat_conn *c, uint64_t now)
{
	uint64_t last = __atomic_load_n(&c->last_seen, __ATOMIC_RELAXED);

	/* coarse refresh: a store per packet would bounce the line between
	 * the workers that see the two directions */
	if ((int64_t)(now - last) > (int64_t)n->refresh_tsc)
		__atomic_store_n(&c->last_seen, now, __ATOMIC_RELAXED);
}

static inline void
conn_mark_tcp(struct nat_conn *c, const struct nat_pkt *p, uint8_t syn_bit)
{
	uint8_t tf, add = 0;

	if (p->proto != IPPROTO_TCP)
		return;
	tf = ((const struct rte_tcp_hdr *)p->l4)->tcp_flags;
	if (tf & RTE_TCP_SYN_FLAG)
		add |= syn_bit;
	if (tf & RTE_TCP_FIN_FLAG)
		add |= CONN_FIN;
	if (tf & RTE_TCP_RST_FLAG)
		add |= CONN_RST;
	if ((__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & add) != add)
		__atomic_fetch_or(&c->flags, add, __ATOMIC_RELAXED);
}

static inline void
counter_add(uint64_t *c, int64_t v)
{
	__atomic_store_n(c, *c + (uint64_t)v, __ATOMIC_RELAXED);
}

/* Owner: records come back through the defer queue after a grace period. */
static void
record_reclaimed(void *p, void *e, unsigned int n)
{
	struct nat_worker *nw = p;
	const uint32_t *idx = e;
	unsigned int i;

	for (i = 0; i < n; i++)
		nw->free_idx[nw->n_free++] = idx[i];
}

static int32_t
record_alloc(struct nat_worker *nw)
{
	if (nw->n_free == 0 && nw->dq != NULL)
		rte_rcu_qsbr_dq_reclaim(nw->dq, NAT_RECLAIM_MAX, NULL, NULL, NULL);
	if (nw->n_free == 0)
		return -ENOSPC;
	return (int32_t)nw->free_idx[--nw->n_free];
}

static void
record_release(struct nat_worker *nw, uint32_t idx)
{
	nw->conns[idx].in_use = 0;
	if (nw->dq == NULL || rte_rcu_qsbr_dq_enqueue(nw->dq, &idx) != 0)
		/* no readers (or cannot defer: the queue holds every record,
		 * so this does not happen) */
		record_reclaimed(nw, &idx, 1);
}

static void
key_del(struct nat_worker *nw, const struct nat_key *k)
{
	int32_t pos = rte_hash_del_key(nw->hash, k);

	/* lock-free tables keep the slot on delete; with RCU the table
	 * recycles it itself after a grace period */
	if (pos >= 0 && nw->dq == NULL)
		rte_hash_free_key_with_position(nw->hash, pos);
}

static void
conn_delete(struct nat_worker *nw, uint32_t idx)
{
	struct nat_conn *c = &nw->conns[idx];
	struct nat_key rk;

	reply_key(&rk, &c->orig, c->ext_ip, c->ext_port);
	key_del(nw, &c->orig);
	key_del(nw, &rk);
	record_release(nw, idx);
	counter_add(&nw->stats.active, -1);
}

static inline bool
reply_key_free(const struct nat_worker *nw, struct nat_key *rk, uint16_t port)
{
	rk->dport = rte_cpu_to_be_16(port);
	return rte_hash_lookup(nw->hash, rk) < 0;
}

/* An external port of this worker's slice unused toward the remote
 * endpoint (only the reply tuple must be unique); the internal port when
 * it is free, else a bounded scan from the cursor. 0 when none. */
static uint16_t
port_alloc(const struct vsw_nat *n, struct nat_worker *nw,
	   const struct nat_key *orig, rte_be32_t ext_ip)
{
	uint16_t want = rte_be_to_cpu_16(orig->sport), port;
	struct nat_key rk;
	unsigned int i;

	reply_key(&rk, orig, ext_ip, 0);
	if (want >= nw->port_lo && (uint32_t)(want - nw->port_lo) < n->slice &&
	    reply_key_free(nw, &rk, want))
		return want;
	for (i = 0; i < RTE_MIN(NAT_SCAN_TRIES, n->slice); i++) {
		port = (uint16_t)(nw->port_lo + nw->port_cursor);
		if (++nw->port_cursor == n->slice)
			nw->port_cursor = 0;
		if (reply_key_free(nw, &rk, port))
			return port;
	}
	return 0;
}

/* Owner: a new connection for orig; its index, or -ENOSPC. */
static int32_t
conn_create(struct vsw_nat *n, struct nat_worker *nw,
	    const struct nat_key *orig, rte_be32_t ext_ip, uint64_t now)
{
	struct nat_key rk;
	struct nat_conn *c;
	uint16_t port;
	int32_t idx;

	idx = record_alloc(nw);
	if (idx < 0)
		return idx;
	port = port_alloc(n, nw, orig, ext_ip);
	if (port == 0) {
		nw->free_idx[nw->n_free++] = (uint32_t)idx;
		return -ENOSPC;
	}
	c = &nw->conns[idx];
	c->orig = *orig;
	c->ext_ip = ext_ip;
	c->ext_port = rte_cpu_to_be_16(port);
	c->flags = 0;
	c->last_seen = now;
	c->in_use = 1;
	reply_key(&rk, orig, ext_ip, c->ext_port);
	/* the hash publishes the record (release) to readers on insertion */
	if (rte_hash_add_key_data(nw->hash, &rk, conn_data((uint32_t)idx)) < 0) {
		c->in_use = 0;
		nw->free_idx[nw->n_free++] = (uint32_t)idx;
		return -ENOSPC;
	}
	if (rte_hash_add_key_data(nw->hash, orig, conn_data((uint32_t)idx)) < 0) {
		key_del(nw, &rk);
		record_release(nw, (uint32_t)idx);
		return -ENOSPC;
	}
	counter_add(&nw->stats.active, 1);
	counter_add(&nw->stats.created, 1);
	return idx;
}

/* Finds the connection of k in its worker's table; sets *owner. */
static struct nat_conn *
lookup_in(struct vsw_nat *n, unsigned int owner, const struct nat_key *k,
	  hash_sig_t sig)
{
	void *data;

	if (rte_hash_lookup_with_hash_data(n->w[owner].hash, k, sig, &data) < 0)
		return NULL;
	return &n->w[owner].conns[conn_index(data)];
}

/* An original tuple: this worker's table first, then the others' (a flow
 * that moved to another queue keeps its mapping). */
static struct nat_conn *
lookup_orig(struct vsw_nat *n, unsigned int worker, const struct nat_key *k,
	    unsigned int *owner)
{
	hash_sig_t sig = rte_hash_hash(n->w[worker].hash, k);
	struct nat_conn *c;
	unsigned int i;

	c = lookup_in(n, worker, k, sig);
	*owner = worker;
	for (i = 0; c == NULL && i < n->n_workers; i++) {
		if (i == worker)
			continue;
		c = lookup_in(n, i, k, sig);
		*owner = i;
	}
	return c;
}

/* The worker whose slice holds an external port or id; n_workers if none. */
static inline unsigned int
port_owner(const struct vsw_nat *n, rte_be16_t port_be)
{
	uint32_t port = rte_be_to_cpu_16(port_be);
	uint32_t w;

	if (port < NAT_PORT_BASE)
		return n->n_workers;
	w = (port - NAT_PORT_BASE) / n->slice;
	return w < n->n_workers ? w : n->n_workers;
}

static struct nat_conn *
lookup_reply(struct vsw_nat *n, const struct nat_key *k)
{
	unsigned int owner = port_owner(n, k->dport);
	struct rte_hash *h;

	if (unlikely(owner >= n->n_workers))
		return NULL;
	h = n->w[owner].hash;
	return lookup_in(n, owner, k, rte_hash_hash(h, k));
}

/* ---- rewriting ---- */

/* Header fields are reached through byte offsets and memcpy: the DPDK
 * header structs are packed and a frame's IPv4 header is 2-byte aligned. */
#define IP_OFF_CKSUM offsetof(struct rte_ipv4_hdr, hdr_checksum)
#define ICMP_OFF_CKSUM offsetof(struct rte_icmp_hdr, icmp_cksum)
#define ICMP_OFF_ID offsetof(struct rte_icmp_hdr, icmp_ident)
#define UDP_OFF_CKSUM offsetof(struct rte_udp_hdr, dgram_cksum)
#define TCP_OFF_CKSUM offsetof(struct rte_tcp_hdr, cksum)

static inline uint16_t
get16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
put16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t
get32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
put32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void *
ip_addr_field(struct rte_ipv4_hdr *ip, bool src)
{
	return (uint8_t *)ip + (src ? offsetof(struct rte_ipv4_hdr, src_addr) :
				      offsetof(struct rte_ipv4_hdr, dst_addr));
}

/* Port (or ICMP id) field of an L4 header: source or destination side. */
static inline void *
l4_port_field(uint8_t proto, uint8_t *l4, bool src)
{
	if (proto == IPPROTO_ICMP)
		return l4 + ICMP_OFF_ID;
	/* TCP and UDP both start with sport, dport */
	return l4 + (src ? 0 : sizeof(rte_be16_t));
}

/* Checksum field of an L4 header of which l4_len bytes are present (a
 * quoted TCP header may lack it); NULL when absent or UDP's "none". */
static inline void *
l4_cksum_field(uint8_t proto, uint8_t *l4, uint32_t l4_len)
{
	switch (proto) {
	case IPPROTO_UDP:
		return get16(l4 + UDP_OFF_CKSUM) != 0 ? l4 + UDP_OFF_CKSUM : NULL;
	case IPPROTO_TCP:
		return l4_len >= NAT_TCP_CKSUM_END ? l4 + TCP_OFF_CKSUM : NULL;
	default:
		return l4 + ICMP_OFF_CKSUM;
	}
}

/* Applies a change to a checksum field; returns the field's own change
 * (for a checksum that covers this one). A result of zero is written as
 * all ones, the other ones'-complement zero: UDP must (RFC 768: zero means
 * "no checksum"), and for TCP and ICMP it is equally valid and the only
 * right value when everything else sums to zero (an empty echo with id
 * and sequence 0), where eqn. 3 would give 0x0000. */
static inline uint32_t
cksum_field_apply(void *f, uint8_t proto, uint32_t delta)
{
	uint16_t old = get16(f), c = csum_apply(old, delta);

	RTE_SET_USED(proto);
	if (c == 0)
		c = 0xffff;
	put16(f, c);
	return csum_delta16(old, c);
}

/* Rewrites the source (src) or destination address and port of a packet
 * whose L4 header is l4 (l4_len bytes of it), fixing every checksum;
 * returns the change of the bytes from l4 on, for an enclosing ICMP
 * checksum when the packet is a quoted one. */
static uint32_t
rewrite_tuple(struct rte_ipv4_hdr *ip, uint8_t proto, uint8_t *l4,
	      uint32_t l4_len, bool src, rte_be32_t addr, rte_be16_t port)
{
	void *a = ip_addr_field(ip, src), *pf = l4_port_field(proto, l4, src);
	void *cf = l4_cksum_field(proto, l4, l4_len);
	uint32_t d_addr = csum_delta32(get32(a), addr);
	uint32_t d_port = csum_delta16(get16(pf), port);
	uint32_t d_l4 = d_port;

	put16((uint8_t *)ip + IP_OFF_CKSUM,
	      csum_apply(get16((uint8_t *)ip + IP_OFF_CKSUM), d_addr));
	put32(a, addr);
	put16(pf, port);
	/* ICMP has no pseudo-header: only the id counts */
	if (cf != NULL)
		d_l4 += cksum_field_apply(cf, proto,
					  proto == IPPROTO_ICMP ? d_port : d_addr + d_port);
	return d_l4;
}

/* An ICMP error's quoted packet (RFC 5508): its source (src) or
 * destination address and port are rewritten and its checksums fixed,
 * every change carried into the outer ICMP checksum. */
static void
rewrite_quoted(uint8_t *icmp, struct rte_ipv4_hdr *in, uint8_t *in_l4,
	       uint32_t in_l4_len, bool src, rte_be32_t addr, rte_be16_t port)
{
	uint16_t ip_ck = get16((uint8_t *)in + IP_OFF_CKSUM);
	uint32_t old_addr = get32(ip_addr_field(in, src));
	uint32_t outer;

	outer = rewrite_tuple(in, in->next_proto_id, in_l4, in_l4_len, src, addr,
			      port);
	/* the quoted IP header is ICMP payload too */
	outer += csum_delta32(old_addr, addr) +
		 csum_delta16(ip_ck, get16((uint8_t *)in + IP_OFF_CKSUM));
	cksum_field_apply(icmp + ICMP_OFF_CKSUM, IPPROTO_ICMP, outer);
}

/* Rewrites only the outer address of a packet (ICMP errors, floating IPs). */
static inline uint32_t
rewrite_ip_addr(struct rte_ipv4_hdr *ip, bool src, rte_be32_t addr)
{
	void *a = ip_addr_field(ip, src);
	uint32_t d = csum_delta32(get32(a), addr);

	put32(a, addr);
	put16((uint8_t *)ip + IP_OFF_CKSUM,
	      csum_apply(get16((uint8_t *)ip + IP_OFF_CKSUM), d));
	return d;
}

/* ---- ICMP errors about a translated connection ---- */

struct nat_quoted {
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;
	uint32_t l4_len;
};

static enum vsw_drop
parse_quoted(const struct nat_pkt *p, struct nat_quoted *q)
{
	uint32_t ihl;

	if (p->l4_len < NAT_ICMP_HDR_LEN + sizeof(struct rte_ipv4_hdr))
		return VSW_DROP_MALFORMED;
	q->ip = (struct rte_ipv4_hdr *)(p->l4 + NAT_ICMP_HDR_LEN);
	ihl = rte_ipv4_hdr_len(q->ip);
	if (ihl < sizeof(struct rte_ipv4_hdr) ||
	    p->l4_len < NAT_ICMP_HDR_LEN + ihl + NAT_L4_PORTS_LEN)
		return VSW_DROP_MALFORMED;
	if (is_later_fragment(q->ip))
		return VSW_DROP_NAT_PROTO;
	switch (q->ip->next_proto_id) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		break;
	default:
		return VSW_DROP_NAT_PROTO;
	}
	q->l4 = (uint8_t *)q->ip + ihl;
	q->l4_len = p->l4_len - NAT_ICMP_HDR_LEN - ihl;
	return VSW_DROP_MAX;
}

/* Key of the connection a quoted packet belongs to. The quoted packet went
 * the other way, so its tuple is the connection's, reversed: its source is
 * the connection's destination. ICMP: only quoted echo messages qualify. */
static bool
quoted_key(const struct nat_quoted *q, uint16_t router, enum nat_dir dir,
	   struct nat_key *k)
{
	const rte_be16_t *ports = (const rte_be16_t *)q->l4;

	*k = (struct nat_key){
		.router = router, .proto = q->ip->next_proto_id, .dir = (uint8_t)dir,
		.src = q->ip->dst_addr, .dst = q->ip->src_addr,
	};
	if (k->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)q->l4;

		if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST &&
		    ic->icmp_type != RTE_IP_ICMP_ECHO_REPLY)
			return false;
		if (dir == NAT_DIR_ORIG)
			k->sport = ic->icmp_ident;
		else
			k->dport = ic->icmp_ident;
		return true;
	}
	k->sport = ports[1];
	k->dport = ports[0];
	return true;
}

/* Inbound error about an outbound connection: outer destination and the
 * quoted source go back to the internal host. */
static enum vsw_drop
nat_in_icmp_error(struct vsw_nat *n, uint16_t router, const struct nat_pkt *p,
		  uint64_t now)
{
	struct nat_quoted q;
	struct nat_conn *c;
	struct nat_key k;
	enum vsw_drop d;

	d = parse_quoted(p, &q);
	if (d != VSW_DROP_MAX)
		return d;
	if (!quoted_key(&q, router, NAT_DIR_REPLY, &k) || k.dst != p->ip->dst_addr)
		return VSW_DROP_NAT_NO_SESSION;
	c = lookup_reply(n, &k);
	if (c == NULL)
		return VSW_DROP_NAT_NO_SESSION;
	conn_touch(n, c, now);
	rewrite_quoted(p->l4, q.ip, q.l4, q.l4_len, true, c->orig.src,
		       c->orig.sport);
	rewrite_ip_addr(p->ip, false, c->orig.src);
	return VSW_DROP_MAX;
}

/* Outbound error about an inbound packet of a connection: outer source and
 * the quoted destination become the external address and port. */
static enum vsw_drop
nat_out_icmp_error(struct vsw_nat *n, unsigned int worker, uint16_t router,
		   const struct nat_pkt *p, uint64_t now)
{
	struct nat_quoted q;
	struct nat_conn *c;
	struct nat_key k;
	unsigned int owner;
	enum vsw_drop d;

	d = parse_quoted(p, &q);
	if (d != VSW_DROP_MAX)
		return d;
	/* the outer source may be a router inside: it becomes ext_ip all the
	 * same, as the quoted packet names the connection (RFC 5508) */
	if (!quoted_key(&q, router, NAT_DIR_ORIG, &k))
		return VSW_DROP_NAT_NO_SESSION;
	c = lookup_orig(n, worker, &k, &owner);
	if (c == NULL)
		return VSW_DROP_NAT_NO_SESSION;
	conn_touch(n, c, now);
	rewrite_quoted(p->l4, q.ip, q.l4, q.l4_len, false, c->ext_ip,
		       c->ext_port);
	rewrite_ip_addr(p->ip, true, c->ext_ip);
	return VSW_DROP_MAX;
}

/* ---- translation ---- */

/* Original tuple of an outbound packet; false for ICMP other than echo
 * request (errors are handled apart, the rest is not translated). */
static inline bool
orig_key(const struct nat_pkt *p, uint16_t router, struct nat_key *k)
{
	const rte_be16_t *ports = (const rte_be16_t *)p->l4;

	*k = (struct nat_key){
		.router = router, .proto = p->proto, .dir = NAT_DIR_ORIG,
		.src = p->ip->src_addr, .dst = p->ip->dst_addr,
	};
	if (p->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)p->l4;

		k->sport = ic->icmp_ident;
		return ic->icmp_type == RTE_IP_ICMP_ECHO_REQUEST;
	}
	k->sport = ports[0];
	k->dport = ports[1];
	return true;
}

enum vsw_drop
vsw_nat_out(struct vsw_nat *n, unsigned int worker, uint16_t router,
	    rte_be32_t ext_ip, struct rte_mbuf *m, uint64_t now_tsc)
{
	struct nat_worker *nw = &n->w[worker];
	struct nat_conn *c;
	struct nat_pkt p;
	struct nat_key k;
	unsigned int owner;
	enum vsw_drop d;
	int32_t idx;

	d = parse(m, &p);
	if (unlikely(d != VSW_DROP_MAX))
		return d;
	if (unlikely(!orig_key(&p, router, &k))) {
		if (icmp_is_error(((struct rte_icmp_hdr *)p.l4)->icmp_type))
			return nat_out_icmp_error(n, worker, router, &p, now_tsc);
		return VSW_DROP_NAT_PROTO;
	}
	c = lookup_orig(n, worker, &k, &owner);
	if (unlikely(c != NULL && c->ext_ip != ext_ip && owner == worker)) {
		/* the router's gateway address changed: map anew */
		conn_delete(nw, (uint32_t)(c - nw->conns));
		c = NULL;
	}
	if (unlikely(c == NULL)) {
		idx = conn_create(n, nw, &k, ext_ip, now_tsc);
		if (idx < 0) {
			counter_add(&nw->stats.full, 1);
			return VSW_DROP_NAT_FULL;
		}
		c = &nw->conns[idx];
	} else {
		conn_touch(n, c, now_tsc);
	}
	conn_mark_tcp(c, &p, CONN_SYN_ORIG);
	rewrite_tuple(p.ip, p.proto, p.l4, p.l4_len, true, c->ext_ip, c->ext_port);
	return VSW_DROP_MAX;
}

/* Reply tuple of an inbound packet; false for ICMP other than echo reply. */
static inline bool
in_key(const struct nat_pkt *p, uint16_t router, struct nat_key *k)
{
	const rte_be16_t *ports = (const rte_be16_t *)p->l4;

	*k = (struct nat_key){
		.router = router, .proto = p->proto, .dir = NAT_DIR_REPLY,
		.src = p->ip->src_addr, .dst = p->ip->dst_addr,
	};
	if (p->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)p->l4;

		k->dport = ic->icmp_ident;
		return ic->icmp_type == RTE_IP_ICMP_ECHO_REPLY;
	}
	k->sport = ports[0];
	k->dport = ports[1];
	return true;
}

enum vsw_drop
vsw_nat_in(struct vsw_nat *n, unsigned int worker, uint16_t router,
	   struct rte_mbuf *m, uint64_t now_tsc)
{
	struct nat_conn *c;
	struct nat_pkt p;
	struct nat_key k;
	enum vsw_drop d;

	RTE_SET_USED(worker);
	d = parse(m, &p);
	if (unlikely(d != VSW_DROP_MAX))
		return d;
	if (unlikely(!in_key(&p, router, &k))) {
		uint8_t type = ((struct rte_icmp_hdr *)p.l4)->icmp_type;

		if (icmp_is_error(type))
			return nat_in_icmp_error(n, router, &p, now_tsc);
		/* an echo request to the gateway is the router's, not ours */
		return type == RTE_IP_ICMP_ECHO_REQUEST ? VSW_DROP_NAT_NO_SESSION :
							  VSW_DROP_NAT_PROTO;
	}
	c = lookup_reply(n, &k);
	if (unlikely(c == NULL))
		return VSW_DROP_NAT_NO_SESSION;
	conn_touch(n, c, now_tsc);
	conn_mark_tcp(c, &p, CONN_SYN_REPLY);
	rewrite_tuple(p.ip, p.proto, p.l4, p.l4_len, false, c->orig.src,
		      c->orig.sport);
	return VSW_DROP_MAX;
}

unsigned int
vsw_nat_expire(struct vsw_nat *n, unsigned int worker, uint64_t now_tsc,
	       unsigned int budget)
{
	struct nat_worker *nw = &n->w[worker];
	unsigned int expired = 0, i;
	struct nat_conn *c;
	uint64_t last;

	/* Every record free: nothing to expire or reclaim (the common case
	 * of a worker that never SNATs costs one compare per turn). */
	if (likely(nw->n_free == n->max_conns))
		return 0;
	if (nw->dq != NULL)
		rte_rcu_qsbr_dq_reclaim(nw->dq, NAT_RECLAIM_MAX, NULL, NULL, NULL);
	for (i = 0; i < RTE_MIN(budget, n->max_conns); i++) {
		c = &nw->conns[nw->expire_cursor];
		if (c->in_use) {
			last = __atomic_load_n(&c->last_seen, __ATOMIC_RELAXED);
			if ((int64_t)(now_tsc - last) > (int64_t)conn_timeout(n, c)) {
				conn_delete(nw, nw->expire_cursor);
				expired++;
			}
		}
		if (++nw->expire_cursor == n->max_conns)
			nw->expire_cursor = 0;
	}
	counter_add(&nw->stats.expired, expired);
	return expired;
}

void
vsw_nat_rewrite_addr(struct rte_mbuf *m, bool src, rte_be32_t addr)
{
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, NAT_L2_LEN);
	uint32_t ihl = rte_ipv4_hdr_len(ip), avail, delta;
	uint8_t proto = ip->next_proto_id;
	void *cf;

	delta = rewrite_ip_addr(ip, src, addr);
	if (is_later_fragment(ip) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return;
	avail = RTE_MIN((uint32_t)rte_be_to_cpu_16(ip->total_length),
			(uint32_t)m->data_len - NAT_L2_LEN);
	if (avail < ihl || avail - ihl < l4_min_len(proto))
		return;
	/* the pseudo-header holds the address */
	cf = l4_cksum_field(proto, (uint8_t *)ip + ihl, avail - ihl);
	if (cf != NULL)
		cksum_field_apply(cf, proto, delta);
}

void
vsw_nat_stats(const struct vsw_nat *n, struct vsw_nat_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n->n_workers; i++) {
		const struct nat_counters *s = &n->w[i].stats;

		out->active += __atomic_load_n(&s->active, __ATOMIC_RELAXED);
		out->created += __atomic_load_n(&s->created, __ATOMIC_RELAXED);
		out->expired += __atomic_load_n(&s->expired, __ATOMIC_RELAXED);
		out->full += __atomic_load_n(&s->full, __ATOMIC_RELAXED);
	}
}

/* ---- creation ---- */

static struct rte_hash *
create_hash(const struct vsw_nat *n, unsigned int i, int socket_id)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(2 * n->max_conns, 8u),
		.key_len = sizeof(struct nat_key),
		.socket_id = socket_id,
		/* the owner writes, every worker reads; the extendable table
		 * makes the capacity exact instead of failing on a full
		 * cuckoo path first */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu = {
		.v = n->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	struct rte_hash *h;

	/* ring names derived from it ("HASH_RCU_" + name) must stay short */
	snprintf(name, sizeof(name), "nat%08" PRIx32 "_%u",
		 (uint32_t)(uintptr_t)n, i);
	h = rte_hash_create(&hp);
	if (h == NULL)
		return NULL;
	if (n->qsbr != NULL && rte_hash_rcu_qsbr_add(h, &rcu) != 0) {
		int err = rte_errno;

		rte_hash_free(h);
		rte_errno = err;
		return NULL;
	}
	return h;
}

static struct rte_rcu_qsbr_dq *
create_dq(const struct vsw_nat *n, struct nat_worker *nw, unsigned int i)
{
	char name[RTE_RCU_QSBR_DQ_NAMESIZE];
	struct rte_rcu_qsbr_dq_parameters dp = {
		.name = name,
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,  /* the owner alone */
		.size = n->max_conns,
		.esize = sizeof(uint32_t),
		.trigger_reclaim_limit = 0,
		.max_reclaim_size = NAT_RECLAIM_MAX,
		.free_fn = record_reclaimed,
		.p = nw,
		.v = n->qsbr,
	};

	snprintf(name, sizeof(name), "natr%08" PRIx32 "_%u",
		 (uint32_t)(uintptr_t)n, i);
	return rte_rcu_qsbr_dq_create(&dp);
}

static int
init_worker(struct vsw_nat *n, unsigned int i, int socket_id)
{
	struct nat_worker *nw = &n->w[i];
	uint32_t j;

	nw->port_lo = (uint16_t)(NAT_PORT_BASE + i * n->slice);
	nw->conns = rte_zmalloc_socket("vsw_nat_conns",
				       sizeof(*nw->conns) * n->max_conns,
				       RTE_CACHE_LINE_SIZE, socket_id);
	nw->free_idx = rte_malloc_socket("vsw_nat_free",
					 sizeof(*nw->free_idx) * n->max_conns,
					 RTE_CACHE_LINE_SIZE, socket_id);
	if (nw->conns == NULL || nw->free_idx == NULL)
		return -ENOMEM;
	/* pop order 0, 1, 2...: the first connections are the first records */
	for (j = 0; j < n->max_conns; j++)
		nw->free_idx[j] = n->max_conns - 1 - j;
	nw->n_free = n->max_conns;
	nw->hash = create_hash(n, i, socket_id);
	if (nw->hash == NULL)
		return -rte_errno;
	if (n->qsbr != NULL) {
		nw->dq = create_dq(n, nw, i);
		if (nw->dq == NULL)
			return -rte_errno;
	}
	return 0;
}

static uint32_t
or_default(uint32_t v, uint32_t def)
{
	return v != 0 ? v : def;
}

static void
set_timeouts(struct vsw_nat *n, const struct vsw_nat_params *p)
{
	uint64_t hz = p->tsc_hz != 0 ? p->tsc_hz : rte_get_tsc_hz();

	n->tcp_est_tsc = or_default(p->tcp_established_s, NAT_DEFAULT_TCP_EST_S) * hz;
	n->tcp_trans_tsc = or_default(p->tcp_transitory_s, NAT_DEFAULT_TCP_TRANS_S) * hz;
	n->udp_tsc = or_default(p->udp_s, NAT_DEFAULT_UDP_S) * hz;
	n->icmp_tsc = or_default(p->icmp_s, NAT_DEFAULT_ICMP_S) * hz;
	n->refresh_tsc = hz / 64;
}

struct vsw_nat *
vsw_nat_create(const struct vsw_nat_params *p)
{
	struct vsw_nat *n;
	unsigned int i;
	int rc;

	if (p == NULL || p->n_workers == 0 || p->n_workers > RTE_MAX_LCORE ||
	    p->max_conns > RTE_HASH_ENTRIES_MAX / 2) {
		rte_errno = EINVAL;
		return NULL;
	}
	n = rte_zmalloc_socket("vsw_nat", sizeof(*n) +
			       sizeof(n->w[0]) * p->n_workers,
			       RTE_CACHE_LINE_SIZE, p->socket_id);
	if (n == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	n->n_workers = p->n_workers;
	n->max_conns = or_default(p->max_conns, NAT_DEFAULT_MAX_CONNS);
	n->slice = NAT_PORT_SPAN / p->n_workers;
	n->qsbr = p->qsbr;
	set_timeouts(n, p);
	for (i = 0; i < n->n_workers; i++) {
		rc = init_worker(n, i, p->socket_id);
		if (rc < 0) {
			vsw_nat_free(n);
			rte_errno = -rc;
			return NULL;
		}
	}
	return n;
}

void
vsw_nat_free(struct vsw_nat *n)
{
	unsigned int i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n_workers; i++) {
		/* the queues hand their records back into free_idx: first */
		rte_rcu_qsbr_dq_delete(n->w[i].dq);
		rte_hash_free(n->w[i].hash);
		rte_free(n->w[i].free_idx);
		rte_free(n->w[i].conns);
	}
	rte_free(n);
}
