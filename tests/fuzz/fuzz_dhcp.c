/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the DHCP codec (control/dhcp.h). One input is the
 * UDP payload of a frame a port sent to port 67. Per input the target:
 *
 * 1. parses a heap copy of exactly the input (ASan sees any over-read) and
 *    checks the result does not depend on bytes after the end option;
 * 2. if it parses, builds a lease from a PRNG seeded by a hash of the input
 *    (sometimes invalid: prefix > 32, too many DNS servers or routes; maybe
 *    too big for the client's maximum message size), builds the reply that
 *    vsw_dhcp_decide() picks and also OFFER, ACK and NAK, as payload and as
 *    a frame, into heap buffers of exact random capacity;
 * 3. checks each reply that was built: within cap and the client's maximum
 *    size, >= 300 bytes, a well-formed BOOTREPLY whose options walk to the
 *    end option, with the request's xid/flags/chaddr, the message type and
 *    server id asked for, lease options only where they belong, the client
 *    id echoed; the frame's IPv4 and UDP checksums verify and its lengths
 *    agree. A failure aborts with a message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__ubsan_default_options(void);

/* UBSan findings must stop the run like ASan's do. */
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "fuzz_dhcp: invariant failed: %s " \
				"(%s:%d)\n", #cond, __FILE__, __LINE__); \
			abort();                                        \
		}                                                       \
	} while (0)

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static uint64_t hash_input(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a */
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t rd_addr(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	return a;
}

/* ---- lease from the PRNG ------------------------------------------------ */

static uint32_t rnd_addr(struct rng *r)
{
	return (uint32_t)rng_next(r) | 1;   /* never 0 */
}

static void make_lease(struct rng *r, struct vsw_dhcp_lease *l)
{
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->ip = rnd_addr(r);
	l->prefix_len = (uint8_t)rng_below(r, rng_below(r, 16) ? 33 : 40);
	l->server_id = rnd_addr(r);
	l->router = rng_below(r, 4) ? rnd_addr(r) : 0;
	l->lease_time = rng_below(r, 8) ? (uint32_t)rng_next(r) : UINT32_MAX;
	l->mtu = rng_below(r, 2) ? (uint16_t)rng_next(r) : 0;
	l->n_dns = (uint8_t)rng_below(r, VSW_DHCP_MAX_DNS + 2);
	for (i = 0; i < VSW_DHCP_MAX_DNS; i++)
		l->dns[i] = rnd_addr(r);
	l->n_routes = (uint8_t)rng_below(r, VSW_DHCP_MAX_ROUTES + 2);
	for (i = 0; i < VSW_DHCP_MAX_ROUTES; i++) {
		l->routes[i].dest = (uint32_t)rng_next(r);
		l->routes[i].prefix_len =
			(uint8_t)rng_below(r, rng_below(r, 64) ? 33 : 256);
		l->routes[i].nexthop = rnd_addr(r);
	}
	memset(l->domain, 'a' + (int)rng_below(r, 26),
	       rng_below(r, 4) ? rng_below(r, 40) : VSW_DHCP_DOMAIN_MAX);
}

static bool lease_valid(const struct vsw_dhcp_lease *l)
{
	unsigned int i;

	if (l->prefix_len > 32 || l->n_dns > VSW_DHCP_MAX_DNS ||
	    l->n_routes > VSW_DHCP_MAX_ROUTES)
		return false;
	for (i = 0; i < l->n_routes; i++)
		if (l->routes[i].prefix_len > 32)
			return false;
	return true;
}

/* ---- reply checks ------------------------------------------------------- */

struct seen {
	int count[256];
	uint8_t type;
	uint32_t server_id;
	bool cid_ok;
	const struct vsw_dhcp_request *req;
};

static int note_option(uint8_t code, const uint8_t *val, uint8_t len,
		       void *arg)
{
	struct seen *s = arg;

	s->count[code]++;
	CHECK(s->count[code] == 1);        /* the builder never splits */
	switch (code) {
	case 53:
		CHECK(len == 1);
		s->type = val[0];
		break;
	case 54:
		CHECK(len == 4);
		s->server_id = rd_addr(val);
		break;
	case 1: case 3: case 51: case 58: case 59:
		CHECK(len == 4);
		break;
	case 6:
		CHECK(len > 0 && len % 4 == 0);
		break;
	case 26:
		CHECK(len == 2);
		break;
	case 61:
		s->cid_ok = len == s->req->client_id_len &&
			    memcmp(val, s->req->client_id, len) == 0;
		break;
	default:
		break;
	}
	return 0;
}

/* Option 121 must decode per RFC 3442 and fill its value exactly. */
static void check_routes(const uint8_t *v, uint8_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t plen = v[i];

		CHECK(plen <= 32);
		i += 1 + (plen + 7u) / 8 + 4;
		CHECK(i <= len);
	}
}

static void check_reply(const struct vsw_dhcp_request *req,
			const struct vsw_dhcp_lease *l,
			enum vsw_dhcp_msg type, const uint8_t *p, size_t len,
			size_t cap)
{
	size_t max = (req->max_msg_size ? req->max_msg_size : 576) - 28;
	bool lease_opts = type != VSW_DHCP_NAK && req->type != VSW_DHCP_INFORM;
	struct seen s = { .req = req };
	enum vsw_dhcp_reject why;
	const uint8_t *v;
	uint8_t vlen;

	CHECK(len <= cap && len <= max && len >= VSW_DHCP_REPLY_MIN_LEN);
	CHECK(p[0] == 2 && p[1] == 1 && p[2] == 6 && p[3] == 0);
	CHECK(rd32(p + 4) == req->xid && rd16(p + 10) == req->flags);
	CHECK(memcmp(p + 28, req->chaddr, 6) == 0);
	CHECK(vsw_dhcp_walk_options(p, len, note_option, &s, &why) == 0);
	CHECK(s.type == type && s.server_id == l->server_id);
	CHECK(s.count[61] == (req->client_id_len > 0));
	CHECK(req->client_id_len == 0 || s.cid_ok);
	CHECK(s.count[51] == lease_opts);
	CHECK(s.count[58] == (lease_opts && l->lease_time != UINT32_MAX));
	CHECK(s.count[1] == (type != VSW_DHCP_NAK));
	CHECK(s.count[121] == (type != VSW_DHCP_NAK && l->n_routes > 0));
	if (type == VSW_DHCP_NAK)
		CHECK(rd_addr(p + 16) == 0 && rd_addr(p + 12) == 0);
	else
		CHECK(rd_addr(p + 16) ==
		      (req->type == VSW_DHCP_INFORM ? 0 : l->ip));
	if (vsw_dhcp_find_option(p, len, 121, &v, &vlen) == 0)
		check_routes(v, vlen);
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
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

static void check_frame(const struct vsw_dhcp_request *req,
			const struct vsw_dhcp_lease *l,
			enum vsw_dhcp_msg type, const uint8_t *f, size_t len,
			size_t cap)
{
	const uint8_t *ip = f + 14, *udp = f + 34;
	uint32_t pseudo;

	CHECK(len <= cap && len >= VSW_DHCP_FRAME_HDR_LEN + 300);
	CHECK(rd16(f + 12) == 0x0800 && ip[0] == 0x45 && ip[9] == 17);
	CHECK(rd16(ip + 2) == len - 14 && rd16(udp + 4) == len - 34);
	CHECK(rd16(udp) == 67 && rd16(udp + 2) == 68);
	CHECK(csum(ip, 20, 0) == 0);
	pseudo = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) +
		 rd16(ip + 18) + 17 + (uint32_t)(len - 34);
	CHECK(rd16(udp + 6) != 0 && csum(udp, len - 34, pseudo) == 0);
	CHECK(rd_addr(ip + 12) == l->server_id);
	/* RFC 2131 4.1 */
	if (type == VSW_DHCP_NAK ||
	    (req->ciaddr == 0 && (req->flags & VSW_DHCP_FLAG_BROADCAST))) {
		CHECK(memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0);
		CHECK(rd_addr(ip + 16) == UINT32_MAX);
	} else {
		CHECK(memcmp(f, req->chaddr, 6) == 0);
		CHECK(rd_addr(ip + 16) == (req->ciaddr ? req->ciaddr : l->ip));
	}
	check_reply(req, l, type, f + VSW_DHCP_FRAME_HDR_LEN,
		    len - VSW_DHCP_FRAME_HDR_LEN, cap - VSW_DHCP_FRAME_HDR_LEN);
}

/* ---- one build -------------------------------------------------------- */

static void build_one(struct rng *r, const struct vsw_dhcp_request *req,
		      const struct vsw_dhcp_lease *l, enum vsw_dhcp_msg type,
		      bool frame)
{
	size_t cap = rng_below(r, 4) ? 2048 : rng_below(r, 700);
	uint8_t *buf = malloc(cap ? cap : 1);
	size_t len = 0;
	int rc;

	CHECK(buf != NULL);
	if (frame)
		rc = vsw_dhcp_build_frame(req, l, type, (const uint8_t *)
					  "\x02\0\0\0\0\x01", buf, cap, &len);
	else
		rc = vsw_dhcp_build_reply(req, l, type, buf, cap, &len);
	if (rc == 0) {
		CHECK(lease_valid(l) && (!frame || req->giaddr == 0));
		if (frame)
			check_frame(req, l, type, buf, len, cap);
		else
			check_reply(req, l, type, buf, len, cap);
	} else {
		CHECK(rc == -EINVAL || rc == -ENOSPC || rc == -EMSGSIZE);
		if (rc == -EINVAL)
			CHECK(!lease_valid(l) || (frame && req->giaddr) ||
			      type == VSW_DHCP_NONE ||
			      (type == VSW_DHCP_OFFER &&
			       req->type == VSW_DHCP_INFORM));
		if (cap >= 2048 && lease_valid(l))
			CHECK(rc != -ENOSPC);
	}
	free(buf);
}

/* The same message with garbage after its end option parses the same. */
static void check_tail_ignored(const uint8_t *data, size_t size,
			       const struct vsw_dhcp_request *req)
{
	struct vsw_dhcp_request again;
	uint8_t *copy = malloc(size + 8);

	CHECK(copy != NULL);
	memcpy(copy, data, size);
	memset(copy + size, 0xa5, 8);
	CHECK(vsw_dhcp_parse(copy, size + 8, &again, NULL) == 0);
	CHECK(memcmp(&again, req, sizeof(again)) == 0);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum vsw_dhcp_msg types[] = {
		VSW_DHCP_OFFER, VSW_DHCP_ACK, VSW_DHCP_NAK,
	};
	struct vsw_dhcp_request req;
	struct vsw_dhcp_lease lease;
	enum vsw_dhcp_reject why = VSW_DHCP_REJECT_COUNT;
	struct rng r = { .s = hash_input(data, size) };
	const uint8_t *v;
	uint8_t vlen;
	uint8_t *copy = malloc(size ? size : 1);
	int rc;
	size_t i;

	CHECK(copy != NULL);
	if (size > 0)
		memcpy(copy, data, size);
	rc = vsw_dhcp_parse(copy, size, &req, &why);
	CHECK((rc == 0) == (why == VSW_DHCP_REJECT_NONE));
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(why < VSW_DHCP_REJECT_COUNT);
	if (vsw_dhcp_find_option(copy, size, 53, &v, &vlen) == 0)
		CHECK(v > copy && v + vlen <= copy + size);
	free(copy);
	if (rc != 0)
		return 0;
	CHECK(req.type == VSW_DHCP_DISCOVER || req.type == VSW_DHCP_REQUEST ||
	      req.type == VSW_DHCP_DECLINE || req.type == VSW_DHCP_RELEASE ||
	      req.type == VSW_DHCP_INFORM);
	check_tail_ignored(data, size, &req);

	make_lease(&r, &lease);
	/* Half the time the request is about this lease's address. */
	if (rng_below(&r, 2)) {
		req.requested_ip = lease.ip;
		req.server_id = lease.server_id;
	}
	build_one(&r, &req, &lease, vsw_dhcp_decide(&req, &lease),
		  rng_below(&r, 2));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		build_one(&r, &req, &lease, types[i], rng_below(&r, 2));
	return 0;
}
