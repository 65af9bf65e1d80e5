/* SPDX-License-Identifier: BSD-3-Clause */
/* DHCPv4 codec and server decision (see dhcp.h). */
#include <errno.h>
#include <string.h>

#include "dhcp.h"

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHER 1
#define HLEN_ETHER 6

/* Offsets in the BOOTP header. */
#define OFF_OP 0
#define OFF_HTYPE 1
#define OFF_HLEN 2
#define OFF_HOPS 3
#define OFF_XID 4
#define OFF_SECS 8
#define OFF_FLAGS 10
#define OFF_CIADDR 12
#define OFF_YIADDR 16
#define OFF_SIADDR 20
#define OFF_GIADDR 24
#define OFF_CHADDR 28
#define OFF_COOKIE 236
#define OFF_OPTIONS 240

#define OPT_PAD 0
#define OPT_SUBNET_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_HOSTNAME 12
#define OPT_DOMAIN 15
#define OPT_MTU 26
#define OPT_REQUESTED_IP 50
#define OPT_LEASE_TIME 51
#define OPT_OVERLOAD 52
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAM_REQ 55
#define OPT_MAX_MSG_SIZE 57
#define OPT_T1 58
#define OPT_T2 59
#define OPT_CLIENT_ID 61
#define OPT_CLASSLESS_ROUTES 121
#define OPT_END 255

#define IP_UDP_HDR_LEN 28

static const uint8_t magic_cookie[4] = { 99, 130, 83, 99 };

static const char *const reject_names[] = {
#define VSW_DHCP_REJECT_NAME(id, name, text) name,
	VSW_DHCP_FOREACH_REJECT(VSW_DHCP_REJECT_NAME)
#undef VSW_DHCP_REJECT_NAME
};

static const char *const reject_texts[] = {
#define VSW_DHCP_REJECT_TEXT(id, name, text) text,
	VSW_DHCP_FOREACH_REJECT(VSW_DHCP_REJECT_TEXT)
#undef VSW_DHCP_REJECT_TEXT
};

const char *vsw_dhcp_reject_name(enum vsw_dhcp_reject why)
{
	if ((unsigned int)why >= VSW_DHCP_REJECT_COUNT)
		return "unknown";
	return reject_names[why];
}

const char *vsw_dhcp_reject_text(enum vsw_dhcp_reject why)
{
	if ((unsigned int)why >= VSW_DHCP_REJECT_COUNT)
		return "unknown reason";
	return reject_texts[why];
}

/* ---- byte helpers ---------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* An address stays in network order: copy its bytes. */
static uint32_t get_addr(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	return a;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static void put_addr(uint8_t *p, uint32_t a)
{
	memcpy(p, &a, 4);
}

static int reject(enum vsw_dhcp_reject *why, enum vsw_dhcp_reject reason)
{
	if (why != NULL)
		*why = reason;
	return -EINVAL;
}

/* ---- option walking -------------------------------------------------- */

int vsw_dhcp_walk_options(const uint8_t *payload, size_t len,
			  vsw_dhcp_option_fn fn, void *arg,
			  enum vsw_dhcp_reject *why)
{
	size_t i = OFF_OPTIONS;

	if (len < VSW_DHCP_MIN_LEN)
		return reject(why, VSW_DHCP_REJECT_TRUNCATED);
	if (memcmp(payload + OFF_COOKIE, magic_cookie, 4) != 0)
		return reject(why, VSW_DHCP_REJECT_COOKIE);
	while (i < len) {
		uint8_t code = payload[i];
		uint8_t olen;
		int rc;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END) {
			if (why != NULL)
				*why = VSW_DHCP_REJECT_NONE;
			return 0;
		}
		if (len - i < 2 || len - i - 2 < payload[i + 1])
			return reject(why, VSW_DHCP_REJECT_OPT_OVERRUN);
		olen = payload[i + 1];
		/* sname/file would hold more options: refused, never read. */
		if (code == OPT_OVERLOAD)
			return reject(why, VSW_DHCP_REJECT_OVERLOAD);
		rc = fn(code, payload + i + 2, olen, arg);
		if (rc != 0)
			return rc;
		i += 2 + (size_t)olen;
	}
	return reject(why, VSW_DHCP_REJECT_NO_END);
}

struct find_ctx {
	uint8_t code;
	const uint8_t *val;
	uint8_t len;
};

static int find_cb(uint8_t code, const uint8_t *val, uint8_t len, void *arg)
{
	struct find_ctx *f = arg;

	if (code != f->code)
		return 0;
	f->val = val;
	f->len = len;
	return 1;
}

static int ignore_cb(uint8_t code, const uint8_t *val, uint8_t len,
		     void *arg)
{
	(void)code;
	(void)val;
	(void)len;
	(void)arg;
	return 0;
}

int vsw_dhcp_find_option(const uint8_t *payload, size_t len, uint8_t code,
			 const uint8_t **val, uint8_t *vlen)
{
	struct find_ctx f = { .code = code };

	if (vsw_dhcp_walk_options(payload, len, find_cb, &f, NULL) != 1)
		return -ENOENT;
	/* Found before a malformed tail: still a malformed message. */
	if (vsw_dhcp_walk_options(payload, len, ignore_cb, NULL, NULL) != 0)
		return -ENOENT;
	*val = f.val;
	*vlen = f.len;
	return 0;
}

/* ---- request parsing ------------------------------------------------- */

struct parse_ctx {
	struct vsw_dhcp_request *req;
	enum vsw_dhcp_reject why;
	bool has_msg_type;
	uint8_t msg_type;
};

static int parse_fail(struct parse_ctx *c, enum vsw_dhcp_reject why)
{
	c->why = why;
	return -EINVAL;
}

/* RFC 3396: a variable-length option may come in pieces, concatenated. */
static int append_value(uint8_t *dst, uint16_t *dst_len,
			const uint8_t *val, uint8_t len)
{
	if (*dst_len + (size_t)len > VSW_DHCP_OPT_MAX)
		return -EINVAL;
	memcpy(dst + *dst_len, val, len);
	*dst_len += len;
	return 0;
}

/* Fixed-size options must appear once with exactly their length. */
static bool fixed_ok(bool seen, uint8_t len, uint8_t want)
{
	return !seen && len == want;
}

static int parse_option(uint8_t code, const uint8_t *val, uint8_t len,
			void *arg)
{
	struct parse_ctx *c = arg;
	struct vsw_dhcp_request *r = c->req;
	int rc = 0;

	switch (code) {
	case OPT_MSG_TYPE:
		if (!fixed_ok(c->has_msg_type, len, 1))
			return parse_fail(c, VSW_DHCP_REJECT_OPT_LEN);
		c->has_msg_type = true;
		c->msg_type = val[0];
		break;
	case OPT_REQUESTED_IP:
		if (!fixed_ok(r->has_requested_ip, len, 4))
			return parse_fail(c, VSW_DHCP_REJECT_OPT_LEN);
		r->has_requested_ip = true;
		r->requested_ip = get_addr(val);
		break;
	case OPT_SERVER_ID:
		if (!fixed_ok(r->has_server_id, len, 4))
			return parse_fail(c, VSW_DHCP_REJECT_OPT_LEN);
		r->has_server_id = true;
		r->server_id = get_addr(val);
		break;
	case OPT_MAX_MSG_SIZE:
		if (!fixed_ok(r->max_msg_size != 0, len, 2))
			return parse_fail(c, VSW_DHCP_REJECT_OPT_LEN);
		r->max_msg_size = get16(val);
		/* RFC 2132 9.10: below 576 is not legal; take the minimum. */
		if (r->max_msg_size < VSW_DHCP_DEFAULT_MAX_MSG)
			r->max_msg_size = VSW_DHCP_DEFAULT_MAX_MSG;
		break;
	case OPT_CLIENT_ID:
		rc = append_value(r->client_id, &r->client_id_len, val, len);
		break;
	case OPT_PARAM_REQ:
		rc = append_value(r->param_req, &r->param_req_len, val, len);
		break;
	case OPT_HOSTNAME:
		rc = append_value(r->hostname, &r->hostname_len, val, len);
		break;
	default:
		break;
	}
	if (rc != 0)
		return parse_fail(c, VSW_DHCP_REJECT_OPT_LEN);
	return 0;
}

static bool is_client_msg(uint8_t type)
{
	return type == VSW_DHCP_DISCOVER || type == VSW_DHCP_REQUEST ||
	       type == VSW_DHCP_DECLINE || type == VSW_DHCP_RELEASE ||
	       type == VSW_DHCP_INFORM;
}

static void parse_header(const uint8_t *p, struct vsw_dhcp_request *r)
{
	r->hops = p[OFF_HOPS];
	r->xid = get32(p + OFF_XID);
	r->secs = get16(p + OFF_SECS);
	r->flags = get16(p + OFF_FLAGS);
	r->ciaddr = get_addr(p + OFF_CIADDR);
	r->giaddr = get_addr(p + OFF_GIADDR);
	memcpy(r->chaddr, p + OFF_CHADDR, 6);
}

int vsw_dhcp_parse(const uint8_t *payload, size_t len,
		   struct vsw_dhcp_request *out, enum vsw_dhcp_reject *why)
{
	struct parse_ctx c = { .req = out, .why = VSW_DHCP_REJECT_NONE };
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < VSW_DHCP_MIN_LEN)
		return reject(why, VSW_DHCP_REJECT_TRUNCATED);
	if (payload[OFF_OP] != BOOTREQUEST)
		return reject(why, VSW_DHCP_REJECT_NOT_REQUEST);
	if (payload[OFF_HTYPE] != HTYPE_ETHER ||
	    payload[OFF_HLEN] != HLEN_ETHER)
		return reject(why, VSW_DHCP_REJECT_HW_TYPE);
	parse_header(payload, out);
	rc = vsw_dhcp_walk_options(payload, len, parse_option, &c, why);
	if (rc != 0) {
		if (c.why != VSW_DHCP_REJECT_NONE)
			return reject(why, c.why);
		return rc;
	}
	if (!c.has_msg_type)
		return reject(why, VSW_DHCP_REJECT_NO_MSG_TYPE);
	if (!is_client_msg(c.msg_type))
		return reject(why, VSW_DHCP_REJECT_MSG_TYPE);
	out->type = (enum vsw_dhcp_msg)c.msg_type;
	return 0;
}

/* ---- the server's decision ------------------------------------------- */

static enum vsw_dhcp_msg decide_request(const struct vsw_dhcp_request *req,
					const struct vsw_dhcp_lease *lease)
{
	/* SELECTING: the client answers one server's offer. */
	if (req->has_server_id) {
		if (req->server_id != lease->server_id)
			return VSW_DHCP_NONE;
		if (req->has_requested_ip && req->requested_ip == lease->ip)
			return VSW_DHCP_ACK;
		return VSW_DHCP_NAK;
	}
	/* INIT-REBOOT: the client asks to keep an address it remembers. */
	if (req->has_requested_ip)
		return req->requested_ip == lease->ip ? VSW_DHCP_ACK
						      : VSW_DHCP_NAK;
	/* RENEWING/REBINDING: the client is using ciaddr. */
	if (req->ciaddr != 0)
		return req->ciaddr == lease->ip ? VSW_DHCP_ACK : VSW_DHCP_NAK;
	return VSW_DHCP_NONE;
}

enum vsw_dhcp_msg vsw_dhcp_decide(const struct vsw_dhcp_request *req,
				  const struct vsw_dhcp_lease *lease)
{
	/* Relayed requests are not from our ports; no lease, no answer. */
	if (req->giaddr != 0 || lease == NULL || lease->ip == 0)
		return VSW_DHCP_NONE;
	switch (req->type) {
	case VSW_DHCP_DISCOVER:
		return VSW_DHCP_OFFER;
	case VSW_DHCP_REQUEST:
		return decide_request(req, lease);
	case VSW_DHCP_INFORM:
		return VSW_DHCP_ACK;
	default:
		return VSW_DHCP_NONE;   /* RELEASE, DECLINE: the caller logs */
	}
}

/* ---- reply building -------------------------------------------------- */

struct writer {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	int err;
};

static uint8_t *reserve(struct writer *w, size_t n)
{
	uint8_t *p;

	if (w->err != 0 || w->cap - w->pos < n) {
		w->err = -ENOSPC;
		return NULL;
	}
	p = w->buf + w->pos;
	w->pos += n;
	return p;
}

static void opt_bytes(struct writer *w, uint8_t code, const void *val,
		      size_t len)
{
	uint8_t *p = reserve(w, 2 + len);

	if (p == NULL)
		return;
	p[0] = code;
	p[1] = (uint8_t)len;
	memcpy(p + 2, val, len);
}

static void opt_u8(struct writer *w, uint8_t code, uint8_t v)
{
	opt_bytes(w, code, &v, 1);
}

static void opt_u16(struct writer *w, uint8_t code, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	opt_bytes(w, code, b, 2);
}

static void opt_u32(struct writer *w, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	opt_bytes(w, code, b, 4);
}

static void opt_addr(struct writer *w, uint8_t code, uint32_t a)
{
	opt_bytes(w, code, &a, 4);
}

static uint32_t prefix_mask(uint8_t prefix_len)
{
	return prefix_len == 0 ? 0 : UINT32_MAX << (32 - prefix_len);
}

static int encode_route(uint32_t dest_be, uint8_t prefix_len,
			uint32_t nexthop, uint8_t *buf, size_t cap)
{
	size_t octets = (prefix_len + 7u) / 8;
	uint8_t d[4];

	if (prefix_len > 32)
		return -EINVAL;
	if (cap < 1 + octets + 4)
		return -ENOSPC;
	memcpy(d, &dest_be, 4);
	put32(d, get32(d) & prefix_mask(prefix_len));
	buf[0] = prefix_len;
	memcpy(buf + 1, d, octets);
	memcpy(buf + 1 + octets, &nexthop, 4);
	return (int)(1 + octets + 4);
}

int vsw_dhcp_encode_classless_routes(const struct vsw_dhcp_route *routes,
				     unsigned int n, uint32_t router,
				     uint8_t *buf, size_t cap)
{
	bool has_default = false;
	size_t pos = 0;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = encode_route(routes[i].dest, routes[i].prefix_len,
				  routes[i].nexthop, buf + pos, cap - pos);
		if (rc < 0)
			return rc;
		pos += (size_t)rc;
		if (routes[i].prefix_len == 0)
			has_default = true;
	}
	/* RFC 3442: clients ignore option 3 when 121 is present. */
	if (router != 0 && !has_default) {
		rc = encode_route(0, 0, router, buf + pos, cap - pos);
		if (rc < 0)
			return rc;
		pos += (size_t)rc;
	}
	return (int)pos;
}

static bool requested(const struct vsw_dhcp_request *req, uint8_t code)
{
	return memchr(req->param_req, code, req->param_req_len) != NULL;
}

static int lease_check(const struct vsw_dhcp_lease *lease)
{
	unsigned int i;

	if (lease->prefix_len > 32 || lease->n_dns > VSW_DHCP_MAX_DNS ||
	    lease->n_routes > VSW_DHCP_MAX_ROUTES ||
	    strnlen(lease->domain, sizeof(lease->domain)) >
		    VSW_DHCP_DOMAIN_MAX)
		return -EINVAL;
	for (i = 0; i < lease->n_routes; i++)
		if (lease->routes[i].prefix_len > 32)
			return -EINVAL;
	return 0;
}

static void write_lease_times(struct writer *w,
			      const struct vsw_dhcp_lease *lease)
{
	uint32_t t = lease->lease_time;

	opt_u32(w, OPT_LEASE_TIME, t);
	if (t == UINT32_MAX)
		return;   /* infinite lease: no renewal */
	opt_u32(w, OPT_T1, t / 2);
	opt_u32(w, OPT_T2, (uint32_t)((uint64_t)t * 7 / 8));
}

/* Configuration options of an OFFER/ACK (after 53 and 54). */
static void write_config(struct writer *w, const struct vsw_dhcp_request *req,
			 const struct vsw_dhcp_lease *lease, bool with_lease)
{
	uint8_t routes[VSW_DHCP_OPT_MAX];
	bool send_121 = lease->n_routes > 0;
	int rlen = 0;

	if (with_lease)
		write_lease_times(w, lease);
	opt_u32(w, OPT_SUBNET_MASK, prefix_mask(lease->prefix_len));
	if (send_121) {
		rlen = vsw_dhcp_encode_classless_routes(lease->routes,
				lease->n_routes, lease->router,
				routes, sizeof(routes));
		if (rlen < 0) {
			w->err = rlen;
			return;
		}
	}
	/* RFC 3442: a client that asks for 121 should not get option 3 too;
	 * one that does not ask still needs its default route. */
	if (lease->router != 0 && !(send_121 && requested(req, 121)))
		opt_addr(w, OPT_ROUTER, lease->router);
	if (lease->n_dns > 0)
		opt_bytes(w, OPT_DNS, lease->dns, 4u * lease->n_dns);
	if (lease->domain[0] != '\0')
		opt_bytes(w, OPT_DOMAIN, lease->domain, strlen(lease->domain));
	if (lease->mtu != 0)
		opt_u16(w, OPT_MTU, lease->mtu);
	if (send_121)
		opt_bytes(w, OPT_CLASSLESS_ROUTES, routes, (size_t)rlen);
}

static void write_header(struct writer *w, const struct vsw_dhcp_request *req,
			 const struct vsw_dhcp_lease *lease,
			 enum vsw_dhcp_msg type)
{
	uint8_t *h = reserve(w, VSW_DHCP_MIN_LEN);
	bool inform = req->type == VSW_DHCP_INFORM;

	if (h == NULL)
		return;
	memset(h, 0, VSW_DHCP_MIN_LEN);
	h[OFF_OP] = BOOTREPLY;
	h[OFF_HTYPE] = HTYPE_ETHER;
	h[OFF_HLEN] = HLEN_ETHER;
	put32(h + OFF_XID, req->xid);
	put16(h + OFF_FLAGS, req->flags);
	put_addr(h + OFF_GIADDR, req->giaddr);
	memcpy(h + OFF_CHADDR, req->chaddr, 6);
	memcpy(h + OFF_COOKIE, magic_cookie, 4);
	if (type == VSW_DHCP_NAK)
		return;   /* RFC 2131 table 3: no addresses in a NAK */
	if (type == VSW_DHCP_ACK)
		put_addr(h + OFF_CIADDR, req->ciaddr);
	if (!inform)
		put_addr(h + OFF_YIADDR, lease->ip);
	put_addr(h + OFF_SIADDR, lease->server_id);
}

static size_t max_reply_len(const struct vsw_dhcp_request *req)
{
	uint16_t m = req->max_msg_size ? req->max_msg_size
				       : VSW_DHCP_DEFAULT_MAX_MSG;

	return (size_t)m - IP_UDP_HDR_LEN;
}

int vsw_dhcp_build_reply(const struct vsw_dhcp_request *req,
			 const struct vsw_dhcp_lease *lease,
			 enum vsw_dhcp_msg type,
			 uint8_t *buf, size_t cap, size_t *len)
{
	struct writer w = { .buf = buf, .cap = cap };
	bool with_lease = req->type != VSW_DHCP_INFORM;

	if (type != VSW_DHCP_OFFER && type != VSW_DHCP_ACK &&
	    type != VSW_DHCP_NAK)
		return -EINVAL;
	if (type == VSW_DHCP_OFFER && !with_lease)
		return -EINVAL;   /* nothing to offer to INFORM */
	if (lease_check(lease) != 0)
		return -EINVAL;
	write_header(&w, req, lease, type);
	opt_u8(&w, OPT_MSG_TYPE, (uint8_t)type);
	opt_addr(&w, OPT_SERVER_ID, lease->server_id);
	if (type != VSW_DHCP_NAK)
		write_config(&w, req, lease, with_lease);
	if (req->client_id_len > 0)
		opt_bytes(&w, OPT_CLIENT_ID, req->client_id,
			  req->client_id_len);
	if (reserve(&w, 1) != NULL)
		buf[w.pos - 1] = OPT_END;
	if (w.err == 0 && w.pos < VSW_DHCP_REPLY_MIN_LEN) {
		size_t pad = VSW_DHCP_REPLY_MIN_LEN - w.pos;
		uint8_t *p = reserve(&w, pad);

		if (p != NULL)
			memset(p, OPT_PAD, pad);
	}
	if (w.err != 0)
		return w.err;
	if (w.pos > max_reply_len(req))
		return -EMSGSIZE;
	*len = w.pos;
	return 0;
}

/* ---- Ethernet/IPv4/UDP framing --------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct l2l3_dest {
	uint8_t mac[6];
	uint32_t ip;
};

static void reply_dest(const struct vsw_dhcp_request *req,
		       const struct vsw_dhcp_lease *lease,
		       enum vsw_dhcp_msg type, struct l2l3_dest *d)
{
	if (type == VSW_DHCP_NAK ||
	    (req->ciaddr == 0 && (req->flags & VSW_DHCP_FLAG_BROADCAST))) {
		memset(d->mac, 0xff, 6);
		d->ip = UINT32_MAX;
		return;
	}
	memcpy(d->mac, req->chaddr, 6);
	d->ip = req->ciaddr != 0 ? req->ciaddr : lease->ip;
}

static void write_ipv4_udp(uint8_t *ip, uint32_t src, uint32_t dst,
			   size_t payload_len)
{
	uint8_t *udp = ip + 20;
	uint16_t udp_len = (uint16_t)(8 + payload_len);
	uint8_t pseudo[12];
	uint16_t sum;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + udp_len));
	ip[8] = 64;                       /* TTL */
	ip[9] = 17;                       /* UDP */
	put_addr(ip + 12, src);
	put_addr(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	put16(udp, VSW_DHCP_SERVER_PORT);
	put16(udp + 2, VSW_DHCP_CLIENT_PORT);
	put16(udp + 4, udp_len);
	put16(udp + 6, 0);
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	put16(pseudo + 10, udp_len);
	sum = csum_fold(csum_add(csum_add(0, pseudo, 12), udp, udp_len));
	put16(udp + 6, sum == 0 ? 0xffff : sum);  /* 0 means "no checksum" */
}

int vsw_dhcp_build_frame(const struct vsw_dhcp_request *req,
			 const struct vsw_dhcp_lease *lease,
			 enum vsw_dhcp_msg type, const uint8_t server_mac[6],
			 uint8_t *buf, size_t cap, size_t *len)
{
	struct l2l3_dest d;
	size_t plen;
	int rc;

	if (req->giaddr != 0)
		return -EINVAL;
	if (cap < VSW_DHCP_FRAME_HDR_LEN)
		return -ENOSPC;
	rc = vsw_dhcp_build_reply(req, lease, type,
				  buf + VSW_DHCP_FRAME_HDR_LEN,
				  cap - VSW_DHCP_FRAME_HDR_LEN, &plen);
	if (rc != 0)
		return rc;
	reply_dest(req, lease, type, &d);
	memcpy(buf, d.mac, 6);
	memcpy(buf + 6, server_mac, 6);
	put16(buf + 12, 0x0800);
	write_ipv4_udp(buf + 14, lease->server_id, d.ip, plen);
	*len = VSW_DHCP_FRAME_HDR_LEN + plen;
	return 0;
}
