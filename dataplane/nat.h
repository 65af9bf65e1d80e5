/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_NAT_H
#define VSW_NAT_H

/*
 * SNAT of a router's outbound connections to its gateway address.
 *
 * Each worker owns a connection table (lock-free rte_hash, that worker the
 * only writer) and a disjoint slice of the external port / ICMP id range,
 * so creating a connection takes no lock. A reply may arrive on any
 * worker: its destination port names the owning worker, whose table it
 * reads without locks (RCU: deleted entries are reclaimed after a grace
 * period). Each connection is two keys: the original 5-tuple and the
 * translated reply 5-tuple. Timeouts by protocol and TCP state; the owner
 * expires a bounded number per loop turn. A full table or port slice is a
 * counted drop, never an eviction of a live connection.
 *
 * Packets are untagged Ethernet frames with IPv4 at offset 14; headers
 * checked by the caller. Checksums are updated incrementally (RFC 1624);
 * a UDP checksum of zero stays zero.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "drops.h"

struct vsw_nat;

struct vsw_nat_params {
	unsigned int n_workers;
	uint32_t max_conns;          /* per worker */
	uint32_t tcp_established_s;  /* default 7440 (RFC 5382) */
	uint32_t tcp_transitory_s;   /* SYN, FIN, RST seen; default 240 */
	uint32_t udp_s;              /* default 300 (RFC 4787 >= 120) */
	uint32_t icmp_s;             /* default 60 */
	uint64_t tsc_hz;
	struct rte_rcu_qsbr *qsbr;   /* the workers' RCU variable */
	int socket_id;
};

struct vsw_nat *vsw_nat_create(const struct vsw_nat_params *p);
void vsw_nat_free(struct vsw_nat *n);

/* Outbound through router's gateway: source becomes ext_ip (and a port
 * or ICMP id of this worker's slice). VSW_DROP_MAX when translated, else
 * the drop reason (NAT_FULL, NAT_PROTO; MALFORMED for a truncated L4 or
 * quoted header; NAT_NO_SESSION for an ICMP error about no connection).
 * ICMP errors about a translated connection are translated (RFC 5508). */
enum vsw_drop vsw_nat_out(struct vsw_nat *n, unsigned int worker,
			  uint16_t router, rte_be32_t ext_ip,
			  struct rte_mbuf *m, uint64_t now_tsc);
/* Inbound to router's ext_ip: destination translated back when a
 * connection matches (VSW_DROP_MAX), else VSW_DROP_NAT_NO_SESSION. */
enum vsw_drop vsw_nat_in(struct vsw_nat *n, unsigned int worker,
			 uint16_t router, struct rte_mbuf *m, uint64_t now_tsc);
/* Owner housekeeping: examines up to budget connections, expires the
 * timed-out ones and reclaims records past their grace period. Returns
 * how many expired. */
unsigned int vsw_nat_expire(struct vsw_nat *n, unsigned int worker,
			    uint64_t now_tsc, unsigned int budget);

/* Rewrites the IPv4 source (src true) or destination address of m and
 * updates the IPv4 and TCP/UDP (or nothing for ICMP) checksums
 * incrementally: floating IPs use it as a stateless 1:1 NAT. */
void vsw_nat_rewrite_addr(struct rte_mbuf *m, bool src, rte_be32_t addr);

struct vsw_nat_stats {
	uint64_t active;
	uint64_t created;
	uint64_t expired;
	uint64_t full;
};
/* Sums over workers (any thread; counters are relaxed snapshots). */
void vsw_nat_stats(const struct vsw_nat *n, struct vsw_nat_stats *out);

#endif
