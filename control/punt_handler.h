/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_PUNT_HANDLER_H
#define VSW_PUNT_HANDLER_H

/*
 * The control thread's side of the punt path (dataplane/punt.h): what the
 * appliance itself answers.
 *
 *  - ARP for a router interface's address or an uplink's VTEP address:
 *    replied to, and the sender learned as a dynamic neighbour (kvt.h) when
 *    it is on the interface's subnet (gratuitous ARP too). ARP replies to
 *    us set the neighbour (a VSW_NEIGH_STATIC entry is never overwritten)
 *    and release the packets parked for it.
 *  - RESOLVE: a packet whose next hop has no MAC is parked (a few per
 *    address, a bounded total, a few seconds at most) while ARP requests
 *    go out (one per address per second, a few tries); the answer sends
 *    the parked packets back to the workers with the metadata they came
 *    with. Dynamic neighbours age out unless refreshed; near the end of
 *    their life they are asked again.
 *  - ICMP echo to an interface or VTEP address: answered. Other IPv4 to
 *    the appliance is counted by protocol and dropped (IKE comes later).
 *  - DHCP from a VNIC: the port is found by (network, source MAC) in the
 *    model and answered from its first fixed IP on a subnet with
 *    enable_dhcp (control/dhcp.h), only to that VNIC.
 *
 * Replies are built in fresh mbufs and injected; every punted packet is
 * freed, parked or re-injected, and every malformed one is counted. One
 * poll handles at most its budget of packets and never blocks.
 *
 * The DHCP server's MAC is 02:00:5e:ff:NN:NN (NN:NN the network's fib
 * index, big endian): locally administered, the same for every port of a
 * network. Its address (option 54 and the reply's source) is the subnet's
 * gateway_ip, or the CIDR's first host when gateway_ip is null.
 *
 * Only the control thread calls these functions.
 */

#include <stdint.h>

#include <jansson.h>

struct rte_mempool;
struct vsw_fib;
struct vsw_kvt;
struct vsw_model;
struct vsw_punt;
struct vsw_punt_handler;

#define VSW_PUNT_PARK_PER_ADDR 4       /* packets parked per address */
#define VSW_PUNT_PARK_MAX 1024         /* packets parked in all */
#define VSW_PUNT_PARK_TIMEOUT_S 3      /* a parked packet's longest wait */
#define VSW_PUNT_ARP_TRIES 3           /* requests before giving up */
#define VSW_PUNT_DHCP_LEASE_S 86400

struct vsw_punt_handler_params {
	struct vsw_punt *punt;
	struct vsw_kvt *kvt;               /* neighbours are written here */
	struct rte_mempool *pool;          /* mbufs for replies and requests */
	/* The fib the control thread published last (never NULL once the
	 * data plane runs; NULL: punted packets are dropped). */
	const struct vsw_fib *(*fib)(void *arg);
	/* The API model (DHCP: ports, subnets, networks). */
	const struct vsw_model *(*model)(void *arg);
	/* The id (UUID) of the network at a fib network index; NULL when the
	 * index is unused. */
	const char *(*net_id)(void *arg, uint16_t net);
	void *arg;                         /* passed to the three callbacks */
	uint64_t tsc_hz;                   /* the unit of every now_tsc */
	uint32_t max_neighbours;           /* learned + resolving; 0: 16384 */
	uint32_t neigh_ageing_s;           /* 0: 300 */
};

/* NULL with errno set (EINVAL, ENOMEM). */
struct vsw_punt_handler *vsw_punt_handler_create(const struct vsw_punt_handler_params *p);
/* Frees the packets it holds; leaves the kvt's entries alone. */
void vsw_punt_handler_free(struct vsw_punt_handler *h);

/* Handles up to budget punted packets; returns how many. Never blocks. */
unsigned int vsw_punt_handler_poll(struct vsw_punt_handler *h, uint64_t now_tsc,
				   unsigned int budget);

/* Timers: ARP retries and give-ups, parked packet expiry, neighbour
 * re-requests and ageing. Call every control-loop turn; it does its scan
 * at most every 100 ms. */
void vsw_punt_handler_tick(struct vsw_punt_handler *h, uint64_t now_tsc);

/* A router (scope = its fib index) or an uplink's underlay (scope =
 * VSW_NEIGH_SCOPE_UPLINK | slot) went away or changed its addresses:
 * forgets its dynamic neighbours (deleted from the kvt) and drops the
 * packets parked for it. Static entries are left alone. */
void vsw_punt_handler_flush_scope(struct vsw_punt_handler *h, uint16_t scope);

/* Counters: {"received": {arp, local, dhcp, resolve}, "arp_replies", ...,
 * "neighbours", "parked_now", "punt": {punted, injected, inject_full,
 * learn_requests}} (a new reference). */
json_t *vsw_punt_handler_stats(const struct vsw_punt_handler *h);

/* The neighbours it learned or is resolving: [{scope, ip, mac|null,
 * state: "reachable"|"resolving", age_s, parked}] (a new reference). */
json_t *vsw_punt_handler_neighbours(const struct vsw_punt_handler *h,
				    uint64_t now_tsc);

#endif
