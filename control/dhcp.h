/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DHCP_H
#define VSW_DHCP_H

/*
 * DHCPv4 codec and server decision for vsw's built-in responder (RFC 2131,
 * 2132, 3442, 6842). Pure code: no I/O, no heap, no DPDK; the control thread
 * parses a punted request, decides, and builds the reply frame into a buffer.
 *
 * Byte order: IPv4 addresses are uint32_t in network byte order (as
 * struct in_addr.s_addr); every other integer is in host order.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSW_DHCP_SERVER_PORT 67
#define VSW_DHCP_CLIENT_PORT 68
#define VSW_DHCP_FIXED_LEN 236        /* BOOTP header up to the options */
#define VSW_DHCP_MIN_LEN 240          /* fixed header + magic cookie */
#define VSW_DHCP_REPLY_MIN_LEN 300    /* BOOTP minimum message size */
#define VSW_DHCP_DEFAULT_MAX_MSG 576  /* IP datagram a client must accept */
#define VSW_DHCP_FRAME_HDR_LEN 42     /* Ethernet 14 + IPv4 20 + UDP 8 */
#define VSW_DHCP_MAX_DNS 8
#define VSW_DHCP_MAX_ROUTES 16
#define VSW_DHCP_OPT_MAX 255          /* longest option value */
#define VSW_DHCP_DOMAIN_MAX 253

/* Message types (option 53); NONE means "send nothing". */
enum vsw_dhcp_msg {
	VSW_DHCP_NONE = 0,
	VSW_DHCP_DISCOVER = 1,
	VSW_DHCP_OFFER = 2,
	VSW_DHCP_REQUEST = 3,
	VSW_DHCP_DECLINE = 4,
	VSW_DHCP_ACK = 5,
	VSW_DHCP_NAK = 6,
	VSW_DHCP_RELEASE = 7,
	VSW_DHCP_INFORM = 8,
};

/* Why a request was refused, one counter each: enum, counter name, text. */
#define VSW_DHCP_FOREACH_REJECT(_)                                          \
	_(NONE,        "none",        "valid request")                      \
	_(TRUNCATED,   "truncated",                                         \
	  "shorter than the BOOTP header and magic cookie")                 \
	_(NOT_REQUEST, "not_request", "op is not BOOTREQUEST")              \
	_(HW_TYPE,     "hw_type",     "hardware type/length is not Ethernet") \
	_(COOKIE,      "cookie",      "bad magic cookie")                   \
	_(OPT_OVERRUN, "opt_overrun", "option runs past the end of the message") \
	_(NO_END,      "no_end",      "options not terminated by the end option") \
	_(OPT_LEN,     "opt_len",     "option with an invalid length")      \
	_(OVERLOAD,    "overload",    "option overload (52) is not supported") \
	_(NO_MSG_TYPE, "no_msg_type", "no DHCP message type option")        \
	_(MSG_TYPE,    "msg_type",    "message type is not one a client sends")

enum vsw_dhcp_reject {
#define VSW_DHCP_REJECT_ENUM(id, name, text) VSW_DHCP_REJECT_##id,
	VSW_DHCP_FOREACH_REJECT(VSW_DHCP_REJECT_ENUM)
#undef VSW_DHCP_REJECT_ENUM
	VSW_DHCP_REJECT_COUNT
};

struct vsw_dhcp_request {
	enum vsw_dhcp_msg type;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;               /* bit 15: broadcast */
	uint8_t hops;
	uint32_t ciaddr;
	uint32_t giaddr;              /* non-zero: came through a relay */
	uint8_t chaddr[6];
	bool has_requested_ip;
	uint32_t requested_ip;        /* option 50 */
	bool has_server_id;
	uint32_t server_id;           /* option 54 */
	uint16_t max_msg_size;        /* option 57, 0 when absent */
	uint16_t client_id_len;       /* option 61, echoed per RFC 6842 */
	uint8_t client_id[VSW_DHCP_OPT_MAX];
	uint16_t param_req_len;       /* option 55 */
	uint8_t param_req[VSW_DHCP_OPT_MAX];
	uint16_t hostname_len;        /* option 12, not NUL-terminated */
	uint8_t hostname[VSW_DHCP_OPT_MAX];
};

#define VSW_DHCP_FLAG_BROADCAST 0x8000

struct vsw_dhcp_route {
	uint32_t dest;                /* host bits beyond prefix_len ignored */
	uint8_t prefix_len;
	uint32_t nexthop;
};

/* What the responder hands to one port; built by the caller from the model. */
struct vsw_dhcp_lease {
	uint32_t ip;                  /* the port's fixed IP (yiaddr) */
	uint8_t prefix_len;           /* subnet mask, option 1 */
	uint32_t server_id;           /* siaddr, option 54, reply source */
	uint32_t router;              /* option 3 / 121 default; 0: none */
	uint32_t lease_time;          /* option 51; T1 = 1/2, T2 = 7/8 */
	uint16_t mtu;                 /* option 26; 0: omitted */
	uint8_t n_dns;
	uint32_t dns[VSW_DHCP_MAX_DNS];
	uint8_t n_routes;             /* host routes, option 121 */
	struct vsw_dhcp_route routes[VSW_DHCP_MAX_ROUTES];
	char domain[VSW_DHCP_DOMAIN_MAX + 1];   /* option 15; "": omitted */
};

/*
 * Parses a BOOTREQUEST (the UDP payload). Returns 0, or -EINVAL with *why
 * (may be NULL) set to the reason. Never reads outside payload[0..len).
 */
int vsw_dhcp_parse(const uint8_t *payload, size_t len,
		   struct vsw_dhcp_request *out, enum vsw_dhcp_reject *why);

const char *vsw_dhcp_reject_name(enum vsw_dhcp_reject why);  /* "opt_len" */
const char *vsw_dhcp_reject_text(enum vsw_dhcp_reject why);

/*
 * What to answer: OFFER, ACK, NAK or NONE (ignore: another server chosen,
 * RELEASE/DECLINE, relayed, or no lease). INFORM gets an ACK without lease.
 * lease may be NULL (the port has no fixed IP).
 */
enum vsw_dhcp_msg vsw_dhcp_decide(const struct vsw_dhcp_request *req,
				  const struct vsw_dhcp_lease *lease);

/*
 * Writes the BOOTREPLY (UDP payload) of type OFFER, ACK or NAK answering req
 * into buf; *len gets its length (>= 300). Returns 0, -EINVAL (bad type or
 * lease), -EMSGSIZE (longer than the client's maximum message size) or
 * -ENOSPC (cap too small). An ACK to an INFORM carries no lease.
 */
int vsw_dhcp_build_reply(const struct vsw_dhcp_request *req,
			 const struct vsw_dhcp_lease *lease,
			 enum vsw_dhcp_msg type,
			 uint8_t *buf, size_t cap, size_t *len);

/*
 * The same reply wrapped in Ethernet/IPv4/UDP (67 -> 68, both checksums),
 * from server_mac and lease->server_id, addressed per RFC 2131 4.1: NAKs and
 * requests with the broadcast bit to ff:ff:ff:ff:ff:ff/255.255.255.255,
 * a set ciaddr to ciaddr, otherwise to chaddr/yiaddr. Relayed requests
 * (giaddr set) are refused with -EINVAL: vsw only answers its own ports.
 */
int vsw_dhcp_build_frame(const struct vsw_dhcp_request *req,
			 const struct vsw_dhcp_lease *lease,
			 enum vsw_dhcp_msg type, const uint8_t server_mac[6],
			 uint8_t *buf, size_t cap, size_t *len);

/*
 * Option 121 value (RFC 3442): the routes, then 0.0.0.0/0 via router when
 * router is non-zero and no route is a default already. Returns the number
 * of bytes written, -EINVAL (prefix > 32) or -ENOSPC.
 */
int vsw_dhcp_encode_classless_routes(const struct vsw_dhcp_route *routes,
				     unsigned int n, uint32_t router,
				     uint8_t *buf, size_t cap);

/*
 * Walks the options of any DHCP message (request or reply: op, htype are
 * not checked): cookie, bounds, end option, no overload. fn is called per
 * option other than pad/end; a non-zero return stops the walk and is
 * returned. Returns 0 or -EINVAL with *why.
 */
typedef int (*vsw_dhcp_option_fn)(uint8_t code, const uint8_t *val,
				  uint8_t len, void *arg);
int vsw_dhcp_walk_options(const uint8_t *payload, size_t len,
			  vsw_dhcp_option_fn fn, void *arg,
			  enum vsw_dhcp_reject *why);

/* First occurrence of option code in a well-formed message: 0 or -ENOENT
 * (also when the message is malformed). */
int vsw_dhcp_find_option(const uint8_t *payload, size_t len, uint8_t code,
			 const uint8_t **val, uint8_t *vlen);

#endif
