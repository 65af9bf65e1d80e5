/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user ports on rte_vhost (not the net_vhost PMD, whose ethdev ports
 * Debian's DPDK caps at 32).
 *
 * Threads: the control thread opens, closes and reads stats; rte_vhost's
 * event thread runs the callbacks (destroy_device also runs on the control
 * thread, inside rte_vhost_driver_unregister); workers call rx/tx.
 *
 * Locking, and why it is shaped so: rte_vhost calls vring_state_changed and
 * features_changed while it holds every virtqueue's access lock, and the
 * stats reader takes a virtqueue lock while it holds the registry mutex. So
 * those two callbacks (and the message hook) never take the mutex: they read
 * the per-connection tables (written only at connection start and end,
 * before and after any other callback of that connection) lock-free. Nor
 * may they wait for workers: a worker inside rte_vhost_enqueue_burst spins
 * on a virtqueue lock the event thread holds. They need not: a disabled
 * virtqueue stays mapped until destroy_device and rte_vhost answers 0 on it,
 * so only destroy_device clears ready and waits for a grace period.
 *
 * Jumbo frames use chained mbufs from the shared pool (neither LINEARBUF nor
 * EXTBUF is set): rte_vhost's dequeue chains as many mbufs as a guest frame
 * needs (a 9000-byte frame takes 5 of 2048 bytes), and mergeable rx buffers
 * let the guest take chained mbufs back.
 */
#include "vhost_port.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_vhost.h>

#include "log.h"

/* Virtqueue index of queue pair q, seen from the guest. */
#define GUEST_RX_VRING(q) ((uint16_t)((q) * 2))     /* our tx */
#define GUEST_TX_VRING(q) ((uint16_t)((q) * 2 + 1)) /* our rx */
#define VRING_BITS 32

#define UNREGISTER_TRIES 200
#define UNREGISTER_NAP_US 10000
#define STATS_MAX 64

/* vhost-user wire header (vhost-user protocol spec): rte_vhost hands the
 * message hook a pointer to it. */
struct vhost_user_msg_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
	uint64_t u64; /* payload, when it is one integer */
} __attribute__((packed));
#define VHOST_USER_GET_QUEUE_NUM 17

/* Offloads a switch that implements none of them must not accept. */
#define REFUSED_FEATURES                        \
	((1ULL << VIRTIO_NET_F_CSUM) |          \
	 (1ULL << VIRTIO_NET_F_GUEST_CSUM) |    \
	 (1ULL << VIRTIO_NET_F_GSO) |           \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |    \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO6) |    \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) |     \
	 (1ULL << VIRTIO_NET_F_GUEST_UFO) |     \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) |     \
	 (1ULL << VIRTIO_NET_F_HOST_TSO6) |     \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) |      \
	 (1ULL << VIRTIO_NET_F_HOST_UFO))

static const struct {
	unsigned int bit;
	const char *name;
} feature_names[] = {
	{ VIRTIO_NET_F_CSUM, "CSUM" },
	{ VIRTIO_NET_F_GUEST_CSUM, "GUEST_CSUM" },
	{ VIRTIO_NET_F_GSO, "GSO" },
	{ VIRTIO_NET_F_GUEST_TSO4, "GUEST_TSO4" },
	{ VIRTIO_NET_F_GUEST_TSO6, "GUEST_TSO6" },
	{ VIRTIO_NET_F_GUEST_ECN, "GUEST_ECN" },
	{ VIRTIO_NET_F_GUEST_UFO, "GUEST_UFO" },
	{ VIRTIO_NET_F_HOST_TSO4, "HOST_TSO4" },
	{ VIRTIO_NET_F_HOST_TSO6, "HOST_TSO6" },
	{ VIRTIO_NET_F_HOST_ECN, "HOST_ECN" },
	{ VIRTIO_NET_F_HOST_UFO, "HOST_UFO" },
};

struct vhost_slot {
	struct vsw_dp_port *port;     /* NULL: free */
	uint64_t guest_resets;
	bool closing;                 /* teardown by close, not by the guest */
};

/* Process-wide because rte_vhost's callbacks carry only a vid. */
static struct {
	pthread_mutex_t lock;         /* slots[], guest_resets, vid vs. stats */
	struct vhost_slot slots[VSW_DP_MAX_PORTS];
	/* Per connection, lock-free (see the top of the file). */
	struct vsw_dp_port *by_vid[RTE_MAX_VHOST_DEVICE];
	uint32_t vrings_enabled[RTE_MAX_VHOST_DEVICE];
} registry = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* --- fast path ----------------------------------------------------------- */

/* A stall: VSW_VHOST_STALL_SAMPLES samples in a row, one every
 * VSW_VHOST_STALL_EVERY empty polls, that find frames posted by the guest. */
#define VSW_VHOST_STALL_EVERY 16
#define VSW_VHOST_STALL_SAMPLES 4

static uint16_t
vhost_rx(struct vsw_dp_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	int vid = __atomic_load_n(&p->vhost.vid, __ATOMIC_RELAXED);
	struct vsw_vhost_stall *st = &p->vhost_stall[q];
	uint16_t got;

	/* A queue assigned before the guest came back with fewer may not
	 * exist until the control thread reassigns: rte_vhost would log. */
	if (unlikely(vid < 0 || q >= __atomic_load_n(&p->n_rxq, __ATOMIC_RELAXED)))
		return 0;
	got = rte_vhost_dequeue_burst(vid, GUEST_TX_VRING(q), p->pool, pkts, n);
	if (likely(got != 0)) {
		if (unlikely(st->empty_polls | st->samples)) {
			st->empty_polls = 0;
			st->samples = 0;
		}
		return got;
	}
	/* The guest posted frames but none came out: descriptors outside its
	 * memory (rte_vhost holds the ring there) or no mbufs. Sampled every
	 * VSW_VHOST_STALL_EVERY empty polls (the check takes the ring's lock),
	 * and counted once per episode when several samples in a row confirm
	 * it (one can see a frame posted between the two calls). */
	if ((++st->empty_polls & (VSW_VHOST_STALL_EVERY - 1)) != 0)
		return 0;
	if (rte_vhost_rx_queue_count(vid, GUEST_TX_VRING(q)) == 0) {
		st->samples = 0;
		return 0;
	}
	if (st->samples < VSW_VHOST_STALL_SAMPLES &&
	    ++st->samples == VSW_VHOST_STALL_SAMPLES)
		__atomic_fetch_add(&p->vhost.rx_stalls, 1, __ATOMIC_RELAXED);
	return 0;
}

#define VSW_VHOST_BURST 32

static uint16_t
vhost_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts,
	 uint16_t n)
{
	int vid = __atomic_load_n(&p->vhost.vid, __ATOMIC_RELAXED);
	uint16_t n_txq = __atomic_load_n(&p->n_txq, __ATOMIC_RELAXED);
	uint16_t q, k, sent = 0;
	bool shared;

	if (likely(vid >= 0 && n_txq > 0)) {
		q = w % n_txq;
		shared = __atomic_load_n(&p->tx_shared, __ATOMIC_RELAXED);
		if (shared)
			rte_spinlock_lock(&p->txq_lock[q]);
		/* rte_vhost takes at most VHOST_BURST (32) frames a call; stop
		 * early only when the guest's ring is full. */
		do {
			k = rte_vhost_enqueue_burst(vid, GUEST_RX_VRING(q), pkts + sent,
						    RTE_MIN(n - sent, VSW_VHOST_BURST));
			sent += k;
		} while (k == VSW_VHOST_BURST && sent < n);
		if (shared)
			rte_spinlock_unlock(&p->txq_lock[q]);
	}
	/* rte_vhost copied what it sent: every mbuf is ours to free. */
	rte_pktmbuf_free_bulk(pkts, n);
	return sent;
}

static const struct vsw_dp_port_ops vhost_ops = {
	.rx = vhost_rx,
	.tx = vhost_tx,
};

/* --- registry (control thread, registry.lock held) ----------------------- */

static struct vhost_slot *
slot_by_path(const char *path)
{
	unsigned int i;

	for (i = 0; i < VSW_DP_MAX_PORTS; i++)
		if (registry.slots[i].port != NULL &&
		    strcmp(registry.slots[i].port->cfg.socket, path) == 0)
			return &registry.slots[i];
	return NULL;
}

static struct vhost_slot *
slot_by_port(const struct vsw_dp_port *p)
{
	unsigned int i;

	for (i = 0; i < VSW_DP_MAX_PORTS; i++)
		if (registry.slots[i].port == p)
			return &registry.slots[i];
	return NULL;
}

static bool
vid_valid(int vid)
{
	return vid >= 0 && vid < RTE_MAX_VHOST_DEVICE;
}

static struct vsw_dp_port *
port_of_vid(int vid)
{
	if (!vid_valid(vid))
		return NULL;
	return __atomic_load_n(&registry.by_vid[vid], __ATOMIC_ACQUIRE);
}

static bool
port_running_on(struct vsw_dp_port *p, int vid)
{
	return p != NULL && __atomic_load_n(&p->vhost.vid, __ATOMIC_ACQUIRE) == vid;
}

/* --- queue state --------------------------------------------------------- */

/* Queue pairs usable from 0 up: both virtqueues of each enabled. */
static uint16_t
enabled_pairs(uint32_t mask)
{
	uint16_t q = 0;

	while (q < VRING_BITS / 2 && ((mask >> (2 * q)) & 3U) == 3U)
		q++;
	return q;
}

static void
publish_queues(struct vsw_dp_port *p, uint32_t mask)
{
	uint16_t pairs = enabled_pairs(mask);

	if (pairs > VSW_DP_MAX_QUEUES) {
		VSW_DP_LOG(WARNING, "vnic %s: guest enabled %u queue pairs, vsw "
			   "serves %u; traffic on the others is lost",
			   p->cfg.name, pairs, VSW_DP_MAX_QUEUES);
		pairs = VSW_DP_MAX_QUEUES;
	}
	if (pairs == 0)
		__atomic_store_n(&p->ready, false, __ATOMIC_RELEASE);
	__atomic_store_n(&p->n_rxq, pairs, __ATOMIC_RELAXED);
	__atomic_store_n(&p->n_txq, pairs, __ATOMIC_RELAXED);
	__atomic_store_n(&p->tx_shared, pairs < p->n_workers, __ATOMIC_RELAXED);
	__atomic_store_n(&p->state, pairs > 0 ? VSW_DP_PORT_UP : VSW_DP_PORT_DOWN,
			 __ATOMIC_RELAXED);
	if (pairs > 0)
		__atomic_store_n(&p->ready, true, __ATOMIC_RELEASE);
	vsw_dp_port_changed(p);
}

/* --- rte_vhost callbacks --------------------------------------------------- */

/* Advertise cfg.queues as the queue-pair maximum (DPDK 22.11 has no
 * rte_vhost_driver_set_max_queue_num): QEMU started with more queues than
 * the VNIC offers then refuses to start, with a message saying so. */
static enum rte_vhost_msg_result
on_message(int vid, void *msg)
{
	struct vhost_user_msg_hdr *m = msg;
	struct vsw_dp_port *p = port_of_vid(vid);
	uint64_t queues;

	if (p == NULL || m->request != VHOST_USER_GET_QUEUE_NUM)
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	queues = p->cfg.queues;
	memcpy(&m->u64, &queues, sizeof(queues));
	m->size = sizeof(queues);
	return RTE_VHOST_MSG_RESULT_REPLY;
}

static const struct rte_vhost_user_extern_ops message_hooks = {
	.pre_msg_handle = on_message,
};

static int
on_new_connection(int vid)
{
	char path[VSW_DP_SOCKET_MAX];
	struct vhost_slot *s;

	if (!vid_valid(vid) || rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return -1;
	pthread_mutex_lock(&registry.lock);
	s = slot_by_path(path);
	if (s != NULL) {
		__atomic_store_n(&registry.vrings_enabled[vid], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&registry.by_vid[vid], s->port, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&registry.lock);
	if (s == NULL)
		return -1;
	if (rte_vhost_extern_callback_register(vid, &message_hooks, NULL) != 0)
		VSW_DP_LOG(WARNING, "vhost %s: cannot hook messages; the guest sees "
			   "rte_vhost's queue-pair maximum", path);
	return 0;
}

static void
on_destroy_connection(int vid)
{
	if (!vid_valid(vid))
		return;
	__atomic_store_n(&registry.by_vid[vid], NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&registry.vrings_enabled[vid], 0, __ATOMIC_RELAXED);
}

static int
on_new_device(int vid)
{
	struct vsw_dp_port *p = port_of_vid(vid);
	uint64_t features = 0;
	uint32_t mask;

	if (p == NULL)
		return -1;
	rte_vhost_get_negotiated_features(vid, &features);
	__atomic_store_n(&p->vhost.features, features, __ATOMIC_RELAXED);
	__atomic_store_n(&p->vhost.vid, vid, __ATOMIC_RELEASE);
	mask = __atomic_load_n(&registry.vrings_enabled[vid], __ATOMIC_RELAXED);
	VSW_DP_LOG(INFO, "vnic %s: guest up on %s, %u queue pairs enabled, "
		   "features 0x%" PRIx64 "%s%s", p->cfg.name, p->cfg.socket,
		   enabled_pairs(mask), features,
		   features & (1ULL << VIRTIO_NET_F_MRG_RXBUF) ? " mrg_rxbuf" : "",
		   features & (1ULL << VIRTIO_F_RING_PACKED) ? " packed" : "");
	publish_queues(p, mask);
	return 0;
}

static void
on_destroy_device(int vid)
{
	struct vsw_dp_port *p = port_of_vid(vid);
	struct vhost_slot *s;

	if (!port_running_on(p, vid))
		return;
	__atomic_store_n(&p->ready, false, __ATOMIC_RELEASE);
	vsw_dp_port_quiesce(p);
	/* Under the lock: the stats reader uses the vid only while it holds it,
	 * and rte_vhost frees the device once this callback returns. */
	pthread_mutex_lock(&registry.lock);
	__atomic_store_n(&p->vhost.vid, -1, __ATOMIC_RELEASE);
	s = slot_by_port(p);
	if (s != NULL && !s->closing)
		s->guest_resets++;
	pthread_mutex_unlock(&registry.lock);
	__atomic_store_n(&p->n_rxq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->n_txq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->state, VSW_DP_PORT_DOWN, __ATOMIC_RELAXED);
	VSW_DP_LOG(INFO, "vnic %s: guest down on %s", p->cfg.name, p->cfg.socket);
	vsw_dp_port_changed(p);
}

static int
on_vring_state_changed(int vid, uint16_t vring, int enable)
{
	struct vsw_dp_port *p = port_of_vid(vid);
	uint32_t bit, mask;

	if (p == NULL || vring >= VRING_BITS)
		return 0;
	bit = 1U << vring;
	if (enable)
		mask = __atomic_or_fetch(&registry.vrings_enabled[vid], bit,
					 __ATOMIC_RELAXED);
	else
		mask = __atomic_and_fetch(&registry.vrings_enabled[vid], ~bit,
					  __ATOMIC_RELAXED);
	if (port_running_on(p, vid))
		publish_queues(p, mask);
	return 0;
}

static int
on_features_changed(int vid, uint64_t features)
{
	struct vsw_dp_port *p = port_of_vid(vid);
	uint64_t old;

	if (p == NULL)
		return 0;
	old = __atomic_exchange_n(&p->vhost.features, features, __ATOMIC_RELAXED);
	if ((old ^ features) & (1ULL << VHOST_F_LOG_ALL))
		VSW_DP_LOG(INFO, "vnic %s: dirty page logging %s (live migration)",
			   p->cfg.name,
			   features & (1ULL << VHOST_F_LOG_ALL) ? "on" : "off");
	return 0;
}

static const struct rte_vhost_device_ops callbacks = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
	.features_changed = on_features_changed,
	.new_connection = on_new_connection,
	.destroy_connection = on_destroy_connection,
};

/* --- open / close ---------------------------------------------------------- */

int
vsw_vhost_init(char *err, size_t errlen)
{
	/* Callbacks are registered per socket; nothing is global but the
	 * registry, initialised statically. */
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	return 0;
}

uint64_t
vsw_vhost_refused_features(void)
{
	return REFUSED_FEATURES;
}


static int
check_parent_dir(struct vsw_dp_port *p, char *err, size_t errlen)
{
	char dir[VSW_DP_SOCKET_MAX];
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", p->cfg.socket);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return 0;
	*slash = '\0';
	if (dir[0] != '\0' && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return vsw_dp_port_fail(p, err, errlen, -ENOENT,
			    "socket directory %s does not exist", dir);
	return 0;
}

/* A socket file left by a dead listener would make bind fail: remove it,
 * but only when nothing listens there any more. */
static int
clear_stale_socket(struct vsw_dp_port *p, char *err, size_t errlen)
{
	const char *path = p->cfg.socket;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? check_parent_dir(p, err, errlen) :
			vsw_dp_port_fail(p, err, errlen, -errno, "cannot stat %s: %s", path,
			     strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return vsw_dp_port_fail(p, err, errlen, -EEXIST,
			    "%s exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vsw_dp_port_fail(p, err, errlen, -errno, "socket: %s", strerror(errno));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return vsw_dp_port_fail(p, err, errlen, -EADDRINUSE,
			    "something already listens on %s", path);
	if (errno != ECONNREFUSED)
		return vsw_dp_port_fail(p, err, errlen, -errno, "cannot probe %s: %s", path,
			    strerror(errno));
	if (unlink(path) != 0)
		return vsw_dp_port_fail(p, err, errlen, -errno, "cannot remove stale %s: %s",
			    path, strerror(errno));
	VSW_DP_LOG(INFO, "vnic %s: removed stale socket %s", p->cfg.name, path);
	return 0;
}

static int
claim_slot(struct vsw_dp_port *p, char *err, size_t errlen)
{
	struct vhost_slot *s;
	int rc = 0;

	pthread_mutex_lock(&registry.lock);
	s = slot_by_path(p->cfg.socket);
	if (s != NULL) {
		rc = vsw_dp_port_fail(p, err, errlen, -EEXIST, "socket %s is already used by "
			  "vnic %s", p->cfg.socket, s->port->cfg.name);
	} else {
		s = slot_by_port(NULL); /* a free slot */
		if (s == NULL)
			rc = vsw_dp_port_fail(p, err, errlen, -ENOSPC, "too many vhost-user "
				  "ports (max %u)", VSW_DP_MAX_PORTS);
		else
			*s = (struct vhost_slot){ .port = p };
	}
	pthread_mutex_unlock(&registry.lock);
	return rc;
}

static void
release_slot(struct vsw_dp_port *p)
{
	struct vhost_slot *s;
	unsigned int vid;

	pthread_mutex_lock(&registry.lock);
	s = slot_by_port(p);
	if (s != NULL)
		*s = (struct vhost_slot){ .port = NULL };
	pthread_mutex_unlock(&registry.lock);
	/* unregister tore connections down without destroy_connection. */
	for (vid = 0; vid < RTE_MAX_VHOST_DEVICE; vid++)
		if (__atomic_load_n(&registry.by_vid[vid], __ATOMIC_RELAXED) == p)
			on_destroy_connection((int)vid);
}

static void
log_refused_features(struct vsw_dp_port *p, uint64_t offered)
{
	char names[256] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < RTE_DIM(feature_names); i++)
		if (offered & (1ULL << feature_names[i].bit))
			len += snprintf(names + len, sizeof(names) - len, " %s",
					feature_names[i].name);
	if (len > 0)
		VSW_DP_LOG(INFO, "vnic %s: refusing virtio offloads on %s:%s",
			   p->cfg.name, p->cfg.socket, names);
}

static int
register_socket(struct vsw_dp_port *p, char *err, size_t errlen)
{
	const char *path = p->cfg.socket;
	uint64_t flags = RTE_VHOST_USER_NET_STATS_ENABLE;
	uint64_t offered = 0;

	if (p->cfg.client) {
		flags |= RTE_VHOST_USER_CLIENT;
		if (!p->cfg.reconnect)
			flags |= RTE_VHOST_USER_NO_RECONNECT;
	}
	if (rte_vhost_driver_register(path, flags) != 0)
		return vsw_dp_port_fail(p, err, errlen, -EINVAL, "cannot register vhost-user "
			    "socket %s", path);
	p->vhost.registered = true;
	rte_vhost_driver_get_features(path, &offered);
	if (rte_vhost_driver_disable_features(path, REFUSED_FEATURES) != 0 ||
	    rte_vhost_driver_callback_register(path, &callbacks) != 0)
		return vsw_dp_port_fail(p, err, errlen, -EINVAL, "cannot set up vhost-user "
			    "socket %s", path);
	log_refused_features(p, offered & REFUSED_FEATURES);
	if (rte_vhost_driver_start(path) != 0)
		return vsw_dp_port_fail(p, err, errlen, -ECONNREFUSED, p->cfg.client ?
			    "cannot connect to %s (nothing listens and reconnect "
			    "is off)" : "cannot listen on %s", path);
	return 0;
}

static void
unregister_socket(struct vsw_dp_port *p)
{
	unsigned int tries;

	/* Newer rte_vhost answers -EBUSY while one of its callbacks runs. */
	for (tries = 0; tries < UNREGISTER_TRIES; tries++) {
		if (rte_vhost_driver_unregister(p->cfg.socket) == 0)
			break;
		usleep(UNREGISTER_NAP_US);
	}
	if (tries == UNREGISTER_TRIES)
		VSW_DP_LOG(ERR, "vnic %s: cannot unregister %s", p->cfg.name,
			   p->cfg.socket);
	p->vhost.registered = false;
}

static void
reset_port(struct vsw_dp_port *p)
{
	unsigned int i;

	p->type = VSW_DP_PORT_VHOST;
	p->ops = &vhost_ops;
	p->ready = false;
	p->n_rxq = 0;
	p->n_txq = 0;
	p->tx_shared = false;
	for (i = 0; i < VSW_DP_MAX_QUEUES; i++)
		rte_spinlock_init(&p->txq_lock[i]);
	p->state = VSW_DP_PORT_DOWN;
	p->error[0] = '\0';
	p->vhost.vid = -1;
	p->vhost.registered = false;
	p->vhost.features = 0;
}

int
vsw_vhost_port_open(struct vsw_dp_port *p, char *err, size_t errlen)
{
	int rc;

	reset_port(p);
	if (p->cfg.socket[0] == '\0' ||
	    strnlen(p->cfg.socket, VSW_DP_SOCKET_MAX) >= VSW_DP_SOCKET_MAX)
		return vsw_dp_port_fail(p, err, errlen, -EINVAL, "bad vhost-user socket path");
	if (p->cfg.queues == 0)
		p->cfg.queues = 1;
	if (p->cfg.queues > VSW_DP_MAX_QUEUES)
		return vsw_dp_port_fail(p, err, errlen, -EINVAL, "%u queue pairs asked, at most "
			    "%u", p->cfg.queues, VSW_DP_MAX_QUEUES);
	rc = claim_slot(p, err, errlen);
	if (rc < 0)
		return rc;
	rc = p->cfg.client ? 0 : clear_stale_socket(p, err, errlen);
	if (rc == 0)
		rc = register_socket(p, err, errlen);
	if (rc < 0) {
		if (p->vhost.registered)
			unregister_socket(p);
		release_slot(p);
		return rc;
	}
	VSW_DP_LOG(INFO, "vnic %s: vhost-user %s on %s, %u queue pairs",
		   p->cfg.name, p->cfg.client ? "client" : "server",
		   p->cfg.socket, p->cfg.queues);
	return 0;
}

void
vsw_vhost_port_close(struct vsw_dp_port *p)
{
	struct vhost_slot *s;

	__atomic_store_n(&p->ready, false, __ATOMIC_RELEASE);
	vsw_dp_port_quiesce(p);
	pthread_mutex_lock(&registry.lock);
	s = slot_by_port(p);
	if (s != NULL)
		s->closing = true;
	pthread_mutex_unlock(&registry.lock);
	/* May run destroy_device on this thread for a connected guest. */
	if (p->vhost.registered)
		unregister_socket(p);
	release_slot(p);
	__atomic_store_n(&p->vhost.vid, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&p->n_rxq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->n_txq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->state, VSW_DP_PORT_DOWN, __ATOMIC_RELAXED);
}

/* --- stats ------------------------------------------------------------------ */

/* rte_vhost names a counter "<rx|tx>_q<N>_<what>": match on <what>. */
static bool
ends_with(const char *name, const char *what)
{
	size_t n = strlen(name), w = strlen(what);

	return n > w && name[n - w - 1] == '_' && strcmp(name + n - w, what) == 0;
}

static bool
is_error_counter(const char *name)
{
	return strstr(name, "error") != NULL || strstr(name, "fail") != NULL ||
	       strstr(name, "drop") != NULL;
}

static void
add_vring_stats(int vid, uint16_t vring, struct vsw_vhost_port_stats *out)
{
	struct rte_vhost_stat_name names[STATS_MAX];
	struct rte_vhost_stat stats[STATS_MAX];
	bool guest_tx = (vring & 1) != 0;
	int n, i;

	n = rte_vhost_vring_stats_get_names(vid, vring, names, STATS_MAX);
	if (n <= 0 || n > STATS_MAX ||
	    rte_vhost_vring_stats_get(vid, vring, stats, n) != n)
		return;
	for (i = 0; i < n; i++) {
		const char *name = names[stats[i].id < (uint64_t)n ? stats[i].id : 0].name;
		uint64_t v = stats[i].value;

		if (ends_with(name, "good_packets"))
			*(guest_tx ? &out->rx_packets : &out->tx_packets) += v;
		else if (ends_with(name, "good_bytes"))
			*(guest_tx ? &out->rx_bytes : &out->tx_bytes) += v;
		else if (is_error_counter(name))
			*(guest_tx ? &out->rx_errors : &out->tx_errors) += v;
	}
}

int
vsw_vhost_port_stats(const struct vsw_dp_port *p, struct vsw_vhost_port_stats *out)
{
	struct vhost_slot *s;
	uint16_t vring, n_vrings;
	int vid;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&registry.lock);
	s = slot_by_port(p);
	if (s == NULL) {
		pthread_mutex_unlock(&registry.lock);
		return -EINVAL;
	}
	out->guest_resets = s->guest_resets;
	out->rx_stalls = __atomic_load_n(&p->vhost.rx_stalls, __ATOMIC_RELAXED);
	vid = __atomic_load_n(&p->vhost.vid, __ATOMIC_ACQUIRE);
	if (vid >= 0) {
		out->queue_pairs = __atomic_load_n(&p->n_rxq, __ATOMIC_RELAXED);
		n_vrings = RTE_MIN(rte_vhost_get_vring_num(vid),
				   2 * VSW_DP_MAX_QUEUES);
		for (vring = 0; vring < n_vrings; vring++)
			add_vring_stats(vid, vring, out);
	}
	pthread_mutex_unlock(&registry.lock);
	return 0;
}
