/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_ROUTER_H
#define VSW_ROUTER_H

/*
 * The L3 stage: a frame that L2 delivered to a router interface (a vport
 * of kind VSW_FP_ROUTER: the router's MAC on that network, or a broadcast)
 * is routed here.
 *   ARP -> punted (the control thread answers for the router's addresses
 *          and learns replies);
 *   IPv4 -> header checks (length, IHL, checksum) -> to one of the router's
 *          own addresses: SNAT return traffic or a floating IP translated,
 *          else punted (ICMP echo, IKE) -> TTL (ICMP time exceeded) -> LPM
 *          -> on the gateway interface: floating IP or SNAT of the source
 *          -> MTU (ICMP fragmentation needed when DF) -> neighbour (kvt;
 *          unknown: punted for resolution) -> MAC rewrite, TTL decrement,
 *          incremental checksum -> L2 output on the egress network.
 * ICMP errors are built in the worker, rate limited per worker.
 */

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fib.h"

/* ICMP types and codes the router sends (RFC 792). */
#define VSW_ICMP_DEST_UNREACH 3
#define VSW_ICMP_NET_UNREACH 0      /* code */
#define VSW_ICMP_FRAG_NEEDED 4      /* code */
#define VSW_ICMP_TIME_EXCEEDED 11

/* Forwarding decrements the TTL and updates the header checksum with
 * RFC 1624 eqn. 3 for the TTL/protocol word losing 0x0100:
 * HC' = ~(~HC + ~m + m') with ~m + m' = ~0x0100 = 0xfeff. */
static inline void
vsw_ipv4_ttl_decrement(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + 0xfeffu;

	sum = (sum & 0xffff) + (sum >> 16);
	ip->time_to_live--;
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

struct vsw_worker;

/* Takes ownership of m (untagged Ethernet frame). */
void vsw_router_input(struct vsw_worker *w, const struct vsw_fib *fib,
		      uint16_t rif, struct rte_mbuf *m);

/* ICMP error about orig (IPv4 at offset 14) from router interface rif's
 * address back to orig's source, sent through rif's network. Rate limited;
 * orig is not consumed. mtu: for fragmentation needed, else 0. */
void vsw_icmp_error(struct vsw_worker *w, const struct vsw_fib *fib,
		    uint16_t rif, const struct rte_mbuf *orig, uint8_t type,
		    uint8_t code, uint16_t mtu);

#endif
