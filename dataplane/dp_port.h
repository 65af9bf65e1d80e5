/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_DP_PORT_H
#define VSW_DP_PORT_H

/*
 * A data-plane port: the device behind a VNIC (later also an uplink). Two
 * backends, chosen when the port is opened by setting ops, never by a
 * per-packet branch: vhost-user on rte_vhost (vhost_port.c) and any ethdev
 * hot-plugged from devargs (ethdev_port.c).
 *
 * Ownership: the control thread opens and closes ports; a backend's own
 * event thread (rte_vhost's) flips readiness; workers only call ops->rx and
 * ops->tx, and only while port->ready is true. A backend that clears ready
 * waits for an RCU grace period (vsw_dp_port_quiesce) before it frees or
 * invalidates anything a worker could still be using.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#define VSW_DP_MAX_PORTS 1024   /* = RTE_MAX_VHOST_DEVICE */
#define VSW_DP_MAX_QUEUES 8     /* queue pairs per port */
#define VSW_DP_NAME_MAX 64
#define VSW_DP_SOCKET_MAX 108   /* sizeof(sun_path) */
#define VSW_DP_DEVARGS_MAX 1024

struct vsw_dp_port;
struct vsw_dataplane;

enum vsw_dp_port_type {
	VSW_DP_PORT_VHOST = 1,
	VSW_DP_PORT_ETHDEV,
};

/* What the API shows as the VNIC's (and its port's) status. */
enum vsw_dp_port_state {
	VSW_DP_PORT_DOWN = 0,   /* waiting for the guest / device */
	VSW_DP_PORT_UP,         /* queues ready, carrying traffic */
	VSW_DP_PORT_ERROR,      /* could not be opened; see error[] */
};

struct vsw_dp_port_ops {
	/* Receives up to n packets from rx queue q (worker context). */
	uint16_t (*rx)(struct vsw_dp_port *p, uint16_t q,
		       struct rte_mbuf **pkts, uint16_t n);
	/* Sends n packets on worker w's tx queue of the port. Takes ownership
	 * of all n mbufs: the ones not sent are freed. Returns the count sent. */
	uint16_t (*tx)(struct vsw_dp_port *p, unsigned int w,
		       struct rte_mbuf **pkts, uint16_t n);
};

struct vsw_dp_port_config {
	enum vsw_dp_port_type type;
	char name[VSW_DP_NAME_MAX];          /* the VNIC id: logs and stats */
	/* vhost-user */
	char socket[VSW_DP_SOCKET_MAX];
	bool client;                         /* vsw connects (QEMU listens) */
	bool reconnect;                      /* client mode: reconnect forever */
	uint16_t queues;                     /* queue pairs offered, 1..8 */
	/* ethdev */
	char devargs[VSW_DP_DEVARGS_MAX];
};

/* Stall detection of one vhost rx queue, written by the worker polling it
 * (its own cache line: workers sending to the port read the others). */
struct vsw_vhost_stall {
	uint8_t empty_polls;
	uint8_t samples;
} __rte_cache_aligned;

struct vsw_dp_port {
	/* Fixed while the port is open. */
	uint16_t idx;                        /* index in the data plane's port array */
	enum vsw_dp_port_type type;
	const struct vsw_dp_port_ops *ops;
	struct vsw_dp_port_config cfg;
	struct vsw_dataplane *dp;
	struct rte_mempool *pool;            /* rx mbufs */
	unsigned int n_workers;

	/* Written by the backend (any thread), read by workers with acquire
	 * loads: a worker polls or sends only while ready is true, and uses
	 * queues below n_rxq / n_txq only. */
	bool ready;
	uint16_t n_rxq;
	uint16_t n_txq;
	bool tx_shared;                      /* n_txq < n_workers: lock per tx queue */
	rte_spinlock_t txq_lock[VSW_DP_MAX_QUEUES];

	/* Control thread only: plugged into a port, so worth polling. An
	 * unplugged VNIC's frames wait in its device, as on an unplugged link. */
	bool attached;

	/* For the API: state and, in ERROR, why. */
	enum vsw_dp_port_state state;
	char error[128];

	/* Backend state. */
	union {
		struct {
			int vid;              /* -1 until the guest connects */
			bool registered;
			uint64_t features;    /* negotiated virtio features */
			uint64_t rx_stalls;   /* see vhost_port.h */
		} vhost;
		struct {
			uint16_t port_id;
			bool attached;
			bool started;
		} eth;
	};
	struct vsw_vhost_stall vhost_stall[VSW_DP_MAX_QUEUES];
};

/* Backends: open fills ops, n_rxq/n_txq/ready/state as far as known now;
 * close undoes everything open did (after a grace period for workers). */
int vsw_vhost_port_open(struct vsw_dp_port *p, char *err, size_t errlen);
void vsw_vhost_port_close(struct vsw_dp_port *p);
int vsw_ethdev_port_open(struct vsw_dp_port *p, char *err, size_t errlen);
void vsw_ethdev_port_close(struct vsw_dp_port *p);

/* Called by backends (from any non-worker thread). */

/* Blocks until no worker can still be inside ops->rx/tx of a port whose
 * ready flag was cleared before the call. */
void vsw_dp_port_quiesce(struct vsw_dp_port *p);

/* Tells the control thread that the port's readiness or queue counts
 * changed: it reassigns rx queues to workers and refreshes statuses. Safe
 * from any thread, never blocks. */
void vsw_dp_port_changed(struct vsw_dp_port *p);

/* Puts a port in ERROR with the reason (also copied to err, and logged);
 * returns rc. For the backends' open paths. */
int vsw_dp_port_fail(struct vsw_dp_port *p, char *err, size_t errlen, int rc,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* vhost-user: process-wide setup of rte_vhost's callbacks. */
int vsw_vhost_init(char *err, size_t errlen);

#endif
