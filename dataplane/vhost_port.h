/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_VHOST_PORT_H
#define VSW_VHOST_PORT_H

/*
 * Counters of a vhost-user port, for the API. They come from rte_vhost's
 * per-virtqueue statistics (RTE_VHOST_USER_NET_STATS_ENABLE), which live as
 * long as one guest connection: a reconnecting guest starts again from zero.
 */

#include <stdint.h>

#include "dp_port.h"

struct vsw_vhost_port_stats {
	uint64_t rx_packets;   /* from the guest: "good_packets" of its tx rings */
	uint64_t rx_bytes;     /* "good_bytes" of its tx rings */
	uint64_t tx_packets;   /* to the guest: "good_packets" of its rx rings */
	uint64_t tx_bytes;
	/* Sum of the counters whose name holds "error", "fail" or "drop".
	 * DPDK 22.11 has none (a malformed descriptor is dropped or stalls
	 * its ring uncounted): these stay 0 there and fill in on newer DPDK. */
	uint64_t rx_errors;
	uint64_t tx_errors;
	/* Times the guest's device went away while the port was UP: the VM
	 * stopped, crashed or reset its driver. Kept across reconnects. */
	uint64_t guest_resets;
	/* Stalls of the guest's tx rings: frames posted that could not be
	 * taken (descriptors outside its memory, or no mbufs), once per episode. */
	uint64_t rx_stalls;
	uint16_t queue_pairs;  /* pairs the guest has enabled */
};

/* Fills out for an open vhost-user port (zeros while no guest is
 * connected, except guest_resets). Control thread only. Returns 0 or
 * -EINVAL when p is not an open vhost-user port. */
int vsw_vhost_port_stats(const struct vsw_dp_port *p, struct vsw_vhost_port_stats *out);

/* The virtio feature bits vsw refuses to negotiate: offloads the switch
 * does not implement (checksum, TSO, UFO, ECN), so guests never hand it a
 * partial-checksum or segmentation frame nor expect one. */
uint64_t vsw_vhost_refused_features(void);

#endif
