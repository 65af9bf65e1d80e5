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

#include <rte_mbuf.h>

#include "fib.h"

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
