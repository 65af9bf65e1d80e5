/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <intel-ipsec-mb.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_pdump.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_internal.h"
#include "eal_args.h"
#include "kvt.h"
#include "log.h"
#include "nat.h"
#include "punt.h"
#include "queue_assign.h"

#define VSW_MBUF_CACHE 256
#define VSW_MAC_MAX_AGE_S 300   /* as OVS's default mac-aging-time */
#define VSW_KVT_CAPACITY 262144     /* neighbours, floating IPs, VNIs, VTEPs */
#define VSW_PUNT_RING 1024
#define VSW_HANDOFF_RING 1024       /* inbound ESP handed to an SA's worker */


int
vsw_dp_eal_init(const struct vsw_config *cfg, char *err, size_t errlen)
{
	struct vsw_eal_args args;
	int rc;

	rc = vsw_eal_args_build(cfg, &args);
	if (rc < 0) {
		snprintf(err, errlen, "EAL arguments too long");
		return rc;
	}
	rc = rte_eal_init(args.argc, args.argv);
	if (rc < 0) {
		snprintf(err, errlen, "EAL init failed: %s", rte_strerror(rte_errno));
		return -rte_errno ?: -EINVAL;
	}
	return 0;
}

static int
create_pool(struct vsw_dataplane *dp, const struct vsw_config *cfg, char *err,
	    size_t errlen)
{
	unsigned int cache = VSW_MBUF_CACHE;

	/* The per-lcore cache must stay well below the pool size. */
	if (cache > cfg->mbufs / 4)
		cache = cfg->mbufs / 4;
	/* Default-size buffers: a jumbo frame becomes a chain of mbufs. */
	dp->pool = rte_pktmbuf_pool_create("vsw_mbuf_pool", cfg->mbufs, cache, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, errlen, "cannot create a pool of %u mbufs in %u MiB: %s"
			 " (raise eal.memory_mb or lower limits.mbufs)",
			 cfg->mbufs, cfg->memory_mb, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

/* The tables of the L3 stages: neighbours etc., the punt/inject rings,
 * the SNAT connection tables. */
static int
create_l3_tables(struct vsw_dataplane *dp, const struct vsw_config *cfg,
		 char *err, size_t errlen)
{
	struct vsw_kvt_params kp = {
		.name = "vsw_kvt",
		.capacity = VSW_KVT_CAPACITY,
		.qsbr = dp->qsbr,
		.socket_id = (int)rte_socket_id(),
	};
	struct vsw_punt_params pp = {
		.punt_ring_size = VSW_PUNT_RING,
		.inject_ring_size = VSW_PUNT_RING,
		.learn_ring_size = VSW_PUNT_RING,
		.rate_per_worker = cfg->punt_rate,
		.burst = cfg->punt_burst,
		.socket_id = (int)rte_socket_id(),
	};
	struct vsw_nat_params np = {
		.n_workers = dp->n_workers,
		.max_conns = cfg->nat_max_conns,
		.tcp_established_s = cfg->nat_tcp_established_s,
		.tcp_transitory_s = cfg->nat_tcp_transitory_s,
		.udp_s = cfg->nat_udp_s,
		.icmp_s = cfg->nat_icmp_s,
		.tsc_hz = dp->tsc_hz,
		.qsbr = dp->qsbr,
		.socket_id = (int)rte_socket_id(),
	};

	dp->kvt = vsw_kvt_create(&kp);
	dp->punt = vsw_punt_create(&pp);
	dp->nat = vsw_nat_create(&np);
	if (dp->kvt == NULL || dp->punt == NULL || dp->nat == NULL) {
		snprintf(err, errlen, "cannot allocate the L3 tables: %s",
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int
create_tables(struct vsw_dataplane *dp, const struct vsw_config *cfg, char *err,
	      size_t errlen)
{
	size_t sz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	struct vsw_mac_table_params mp = {
		.name = "vsw_macs",
		.capacity = RTE_MAX(2 * cfg->max_macs_per_network, 65536u),
		.max_per_network = cfg->max_macs_per_network,
		.learn_ring_size = cfg->punt_ring_size,
		.socket_id = (int)rte_socket_id(),
	};

	dp->qsbr = rte_zmalloc("vsw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, dp->n_workers) != 0) {
		snprintf(err, errlen, "cannot create RCU state for %u workers",
			 dp->n_workers);
		return -ENOMEM;
	}
	mp.qsbr = dp->qsbr;
	dp->macs = vsw_mac_table_create(&mp);
	dp->fib = vsw_fib_alloc(0, 0, 0);
	dp->assign = rte_zmalloc("vsw_rxq_assign", sizeof(*dp->assign) *
				 VSW_DP_MAX_PORTS * VSW_DP_MAX_QUEUES, 0);
	if (dp->macs == NULL || dp->fib == NULL || dp->assign == NULL) {
		snprintf(err, errlen, "cannot allocate forwarding tables for %u MACs"
			 " (raise eal.memory_mb or lower limits.max_macs_per_network)",
			 mp.capacity);
		return -ENOMEM;
	}
	if (create_l3_tables(dp, cfg, err, errlen) < 0)
		return -ENOMEM;
	dp->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->event_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int
init_worker(struct vsw_dataplane *dp, struct vsw_worker *w, unsigned int i,
	    unsigned int lcore, const struct vsw_config *cfg)
{
	IMB_ARCH arch;
	char name[RTE_RING_NAMESIZE];

	w->id = i;
	w->lcore_id = lcore;
	w->cpu = cfg->worker_cpus[i];
	w->burst = (uint16_t)cfg->burst_size;
	w->qsbr = dp->qsbr;
	w->dp = dp;
	w->ports = dp->ports;
	w->fib = &dp->fib;
	w->macs = dp->macs;
	w->tsc_hz = dp->tsc_hz;
	w->pool = dp->pool;
	w->kvt = dp->kvt;
	w->punt = dp->punt;
	w->nat = dp->nat;
	w->meta_off = vsw_punt_meta_offset(dp->punt);
	w->peers = dp->workers;
	w->n_peers = dp->n_workers;
	snprintf(name, sizeof(name), "vsw_handoff%u", i);
	w->handoff = rte_ring_create(name, VSW_HANDOFF_RING, (int)rte_socket_id(),
				     RING_F_SC_DEQ);
	w->imb = alloc_mb_mgr(0);
	if (w->imb == NULL || w->handoff == NULL)
		return -ENOMEM;
	init_mb_mgr_auto(w->imb, &arch);
	vsw_punt_tb_init(dp->punt, &w->punt_tb, dp->tsc_hz);
	vsw_tb_init(&w->icmp_tb, dp->tsc_hz, cfg->icmp_error_rate,
		    cfg->icmp_error_rate != 0 ? cfg->icmp_error_burst : 0);
	w->txbufs = rte_zmalloc("vsw_txbufs", sizeof(*w->txbufs) * VSW_DP_MAX_PORTS,
				RTE_CACHE_LINE_SIZE);
	w->port_stats = rte_zmalloc("vsw_port_stats",
				    sizeof(*w->port_stats) * VSW_FIB_MAX_PORTS,
				    RTE_CACHE_LINE_SIZE);
	return w->txbufs != NULL && w->port_stats != NULL ? 0 : -ENOMEM;
}

static int
launch_workers(struct vsw_dataplane *dp, const struct vsw_config *cfg,
	       char *err, size_t errlen)
{
	unsigned int lcore, i = 0;

	dp->workers = rte_zmalloc("vsw_workers",
				  sizeof(*dp->workers) * dp->n_workers,
				  RTE_CACHE_LINE_SIZE);
	if (dp->workers == NULL) {
		snprintf(err, errlen, "cannot allocate worker state");
		return -ENOMEM;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (init_worker(dp, &dp->workers[i], i, lcore, cfg) < 0) {
			snprintf(err, errlen, "cannot allocate worker %u buffers", i);
			return -ENOMEM;
		}
		i++;
	}
	for (i = 0; i < dp->n_workers; i++) {
		if (rte_eal_remote_launch(vsw_worker_main, &dp->workers[i],
					  dp->workers[i].lcore_id) != 0) {
			snprintf(err, errlen, "cannot launch worker %u on lcore %u",
				 i, dp->workers[i].lcore_id);
			return -EBUSY;
		}
	}
	return 0;
}

struct vsw_dataplane *
vsw_dp_create(const struct vsw_config *cfg, char *err, size_t errlen)
{
	struct vsw_dataplane *dp;

	if (rte_lcore_count() != cfg->n_workers + 1) {
		snprintf(err, errlen, "EAL has %u lcores, expected %u (1 main + %u workers)",
			 rte_lcore_count(), cfg->n_workers + 1, cfg->n_workers);
		return NULL;
	}
	dp = rte_zmalloc("vsw_dataplane", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dp->event_fd = -1;
	pthread_mutex_init(&dp->port_lock, NULL);
	dp->n_workers = cfg->n_workers;
	dp->tsc_hz = rte_get_tsc_hz();
	if (create_pool(dp, cfg, err, errlen) < 0 ||
	    create_tables(dp, cfg, err, errlen) < 0 ||
	    vsw_vhost_init(err, errlen) < 0 ||
	    launch_workers(dp, cfg, err, errlen) < 0) {
		vsw_dp_destroy(dp);
		return NULL;
	}
	vsw_dp_telemetry_register(dp);
	/* dpdk-dumpcap attaches as a secondary process: on ethdev ports, and
	 * only when memory is shared (hugepages). */
	if (rte_pdump_init() < 0)
		VSW_DP_LOG(WARNING, "packet capture (pdump) unavailable: %s",
			   rte_strerror(rte_errno));
	VSW_DP_LOG(INFO, "data plane up: %u workers, %u mbufs", dp->n_workers,
		   cfg->mbufs);
	return dp;
}

void
vsw_dp_synchronize(struct vsw_dataplane *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
}

void
vsw_dp_port_quiesce(struct vsw_dp_port *p)
{
	vsw_dp_synchronize(p->dp);
}

void
vsw_dp_port_changed(struct vsw_dp_port *p)
{
	uint64_t one = 1;

	/* A full counter (never in practice) still leaves the fd readable. */
	if (write(p->dp->event_fd, &one, sizeof(one)) < 0)
		return;
}

/* --- rx queue assignment --- */

static uint16_t
previous_worker(const struct vsw_dataplane *dp, uint16_t port, uint16_t queue)
{
	unsigned int i;

	for (i = 0; i < dp->n_assign; i++)
		if (dp->assign[i].port == port && dp->assign[i].queue == queue)
			return dp->assign[i].worker;
	return VSW_WORKER_NONE;
}

static unsigned int
wanted_queues(const struct vsw_dataplane *dp, struct vsw_rxq_assign *q)
{
	unsigned int n = 0, i;
	uint16_t k, nq;

	for (i = 0; i < VSW_DP_MAX_PORTS; i++) {
		const struct vsw_dp_port *p = dp->ports[i];

		if (p == NULL || !p->attached ||
		    !__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE))
			continue;
		nq = __atomic_load_n(&p->n_rxq, __ATOMIC_RELAXED);
		for (k = 0; k < nq; k++) {
			q[n].port = (uint16_t)i;
			q[n].queue = k;
			q[n].worker = previous_worker(dp, (uint16_t)i, k);
			n++;
		}
	}
	return n;
}

static struct vsw_poll_list *
build_poll_list(const struct vsw_rxq_assign *q, unsigned int n, unsigned int w)
{
	struct vsw_poll_list *pl;
	unsigned int i, count = 0;

	for (i = 0; i < n; i++)
		count += q[i].worker == w;
	pl = rte_zmalloc("vsw_poll_list", sizeof(*pl) + count * sizeof(pl->q[0]),
			 RTE_CACHE_LINE_SIZE);
	if (pl == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (q[i].worker != w)
			continue;
		pl->q[pl->n].port = q[i].port;
		pl->q[pl->n].queue = q[i].queue;
		pl->n++;
	}
	return pl;
}

static void
reassign_queues(struct vsw_dataplane *dp)
{
	struct vsw_poll_list *old[VSW_MAX_WORKERS], *pl;
	struct vsw_rxq_assign *q;
	unsigned int n, w;

	q = rte_malloc("vsw_rxq_assign", sizeof(*q) * VSW_DP_MAX_PORTS *
		       VSW_DP_MAX_QUEUES, 0);
	if (q == NULL) {
		VSW_DP_LOG(ERR, "no memory to reassign rx queues");
		return;
	}
	n = wanted_queues(dp, q);
	vsw_queue_assign(q, n, dp->n_workers);
	for (w = 0; w < dp->n_workers; w++) {
		pl = build_poll_list(q, n, w);
		if (pl == NULL) {
			VSW_DP_LOG(ERR, "no memory for worker %u's poll list", w);
			old[w] = NULL;
			continue;
		}
		old[w] = __atomic_exchange_n(&dp->workers[w].poll, pl, __ATOMIC_ACQ_REL);
	}
	vsw_dp_synchronize(dp);
	for (w = 0; w < dp->n_workers; w++)
		rte_free(old[w]);
	memcpy(dp->assign, q, sizeof(*q) * n);
	dp->n_assign = n;
	rte_free(q);
}

bool
vsw_dp_process_events(struct vsw_dataplane *dp)
{
	uint64_t count;
	bool changed = false;
	unsigned int i;

	if (read(dp->event_fd, &count, sizeof(count)) != sizeof(count))
		return false;
	reassign_queues(dp);
	for (i = 0; i < VSW_DP_MAX_PORTS; i++) {
		const struct vsw_dp_port *p = dp->ports[i];
		bool ready = p != NULL && __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE);

		changed |= ready != dp->was_ready[i];
		dp->was_ready[i] = ready;
	}
	return changed;
}

int
vsw_dp_event_fd(const struct vsw_dataplane *dp)
{
	return dp->event_fd;
}

void
vsw_dp_tick(struct vsw_dataplane *dp)
{
	uint32_t now_s = (uint32_t)(rte_rdtsc() / dp->tsc_hz);

	vsw_mac_table_drain(dp->macs, now_s);
	if (now_s != dp->last_age_s) {
		vsw_mac_table_age(dp->macs, now_s, VSW_MAC_MAX_AGE_S);
		dp->last_age_s = now_s;
	}
}

/* --- ports --- */

static void
sum_port_stats(const struct vsw_dataplane *dp, uint16_t idx,
	       struct vsw_port_stats *out)
{
	unsigned int w, d;

	memset(out, 0, sizeof(*out));
	for (w = 0; w < dp->n_workers; w++) {
		/* A torn read of a counter being written is harmless for stats. */
		const struct vsw_port_stats *s = &dp->workers[w].port_stats[idx];

		out->rx_packets += s->rx_packets;
		out->rx_bytes += s->rx_bytes;
		out->tx_packets += s->tx_packets;
		out->tx_bytes += s->tx_bytes;
		out->flooded += s->flooded;
		out->cycles += s->cycles;
		for (d = 0; d < VSW_DROP_MAX; d++)
			out->drops[d] += s->drops[d];
	}
}

void
vsw_dp_port_stats_rebase(struct vsw_dataplane *dp, uint16_t idx)
{
	if (idx >= VSW_FIB_MAX_PORTS)
		return;
	pthread_mutex_lock(&dp->port_lock);
	sum_port_stats(dp, idx, &dp->base[idx]);
	pthread_mutex_unlock(&dp->port_lock);
}

void
vsw_dp_port_stats(const struct vsw_dataplane *dp, uint16_t idx,
		  struct vsw_port_stats *out)
{
	const struct vsw_port_stats *b = &dp->base[idx];
	unsigned int d;

	sum_port_stats(dp, idx, out);
	out->rx_packets -= b->rx_packets;
	out->rx_bytes -= b->rx_bytes;
	out->tx_packets -= b->tx_packets;
	out->tx_bytes -= b->tx_bytes;
	out->flooded -= b->flooded;
	out->cycles -= b->cycles;
	for (d = 0; d < VSW_DROP_MAX; d++)
		out->drops[d] -= b->drops[d];
}

static int
free_port_index(const struct vsw_dataplane *dp)
{
	int i;

	for (i = 0; i < VSW_DP_MAX_PORTS; i++)
		if (dp->ports[i] == NULL)
			return i;
	return -1;
}

int
vsw_dp_port_open(struct vsw_dataplane *dp, const struct vsw_dp_port_config *cfg,
		 uint16_t *idx, char *err, size_t errlen)
{
	struct vsw_dp_port *p;
	unsigned int q;
	int i, rc;

	i = free_port_index(dp);
	if (i < 0) {
		snprintf(err, errlen, "all %u data-plane ports in use", VSW_DP_MAX_PORTS);
		return -ENOSPC;
	}
	p = rte_zmalloc("vsw_dp_port", sizeof(*p), RTE_CACHE_LINE_SIZE);
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->idx = (uint16_t)i;
	p->type = cfg->type;
	p->cfg = *cfg;
	p->dp = dp;
	p->pool = dp->pool;
	p->n_workers = dp->n_workers;
	if (cfg->type == VSW_DP_PORT_VHOST)
		p->vhost.vid = -1;
	for (q = 0; q < VSW_DP_MAX_QUEUES; q++)
		rte_spinlock_init(&p->txq_lock[q]);
	pthread_mutex_lock(&dp->port_lock);
	sum_port_stats(dp, p->idx, &dp->base[p->idx]);
	/* Visible before open: a backend may report readiness at once. */
	__atomic_store_n(&dp->ports[i], p, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dp->port_lock);
	rc = cfg->type == VSW_DP_PORT_VHOST ? vsw_vhost_port_open(p, err, errlen) :
					       vsw_ethdev_port_open(p, err, errlen);
	if (rc < 0) {
		pthread_mutex_lock(&dp->port_lock);
		__atomic_store_n(&dp->ports[i], NULL, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&dp->port_lock);
		vsw_dp_synchronize(dp);
		rte_free(p);
		return rc;
	}
	*idx = p->idx;
	return 0;
}

void
vsw_dp_port_close(struct vsw_dataplane *dp, uint16_t idx)
{
	struct vsw_dp_port *p = dp->ports[idx];

	if (p == NULL)
		return;
	__atomic_store_n(&p->ready, false, __ATOMIC_RELEASE);
	if (p->type == VSW_DP_PORT_VHOST)
		vsw_vhost_port_close(p);
	else
		vsw_ethdev_port_close(p);
	pthread_mutex_lock(&dp->port_lock);
	__atomic_store_n(&dp->ports[idx], NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dp->port_lock);
	vsw_dp_synchronize(dp);
	rte_free(p);
	dp->was_ready[idx] = false;
	reassign_queues(dp);
}

void
vsw_dp_port_set_attached(struct vsw_dataplane *dp, uint16_t idx, bool on)
{
	struct vsw_dp_port *p = dp->ports[idx];

	if (p != NULL && p->attached != on) {
		p->attached = on;
		dp->attachments_changed = true;
	}
}

void
vsw_dp_apply_attachments(struct vsw_dataplane *dp)
{
	if (!dp->attachments_changed)
		return;
	dp->attachments_changed = false;
	reassign_queues(dp);
}

const struct vsw_dp_port *
vsw_dp_port_get(const struct vsw_dataplane *dp, uint16_t idx)
{
	return idx < VSW_DP_MAX_PORTS ? dp->ports[idx] : NULL;
}

/* --- tables --- */

struct vsw_mac_table *
vsw_dp_mac_table(struct vsw_dataplane *dp)
{
	return dp->macs;
}

int
vsw_dp_port_mac(const struct vsw_dataplane *dp, uint16_t idx,
		struct rte_ether_addr *mac)
{
	const struct vsw_dp_port *p = vsw_dp_port_get(dp, idx);

	if (p == NULL || p->type != VSW_DP_PORT_ETHDEV)
		return -ENODEV;
	return rte_eth_macaddr_get(p->eth.port_id, mac);
}

struct vsw_kvt *
vsw_dp_kvt(struct vsw_dataplane *dp)
{
	return dp->kvt;
}

struct vsw_punt *
vsw_dp_punt(struct vsw_dataplane *dp)
{
	return dp->punt;
}

struct vsw_nat *
vsw_dp_nat(struct vsw_dataplane *dp)
{
	return dp->nat;
}

struct rte_mempool *
vsw_dp_pool(struct vsw_dataplane *dp)
{
	return dp->pool;
}

const struct vsw_fib *
vsw_dp_fib(const struct vsw_dataplane *dp)
{
	return dp->fib;
}

void
vsw_dp_publish_fib(struct vsw_dataplane *dp, struct vsw_fib *fib)
{
	struct vsw_fib *old = __atomic_exchange_n(&dp->fib, fib, __ATOMIC_ACQ_REL);

	vsw_dp_synchronize(dp);
	vsw_fib_free(old);
}

/* --- counters --- */

unsigned int
vsw_dp_worker_count(const struct vsw_dataplane *dp)
{
	return dp->n_workers;
}

void
vsw_dp_worker_info(const struct vsw_dataplane *dp, unsigned int i,
		   struct vsw_worker_info *out)
{
	const struct vsw_worker *w = &dp->workers[i];
	const struct vsw_poll_list *pl = w->poll;

	out->lcore_id = w->lcore_id;
	out->cpu = w->cpu;
	out->n_rx_queues = pl != NULL ? pl->n : 0;
	out->counters = w->counters;
}

unsigned int
vsw_dp_rxq_assignment(const struct vsw_dataplane *dp, struct vsw_dp_rxq_info *out,
		      unsigned int max)
{
	unsigned int i;

	for (i = 0; i < dp->n_assign && i < max; i++) {
		out[i].port = dp->assign[i].port;
		out[i].queue = dp->assign[i].queue;
		out[i].worker = dp->assign[i].worker;
	}
	return i;
}

void
vsw_dp_mempool_info(const struct vsw_dataplane *dp, struct vsw_mempool_info *out)
{
	out->name = dp->pool->name;
	out->size = dp->pool->size;
	out->in_use = rte_mempool_in_use_count(dp->pool);
	out->available = rte_mempool_avail_count(dp->pool);
}

static void
stop_workers(struct vsw_dataplane *dp)
{
	unsigned int i;

	if (dp->workers == NULL)
		return;
	for (i = 0; i < dp->n_workers; i++)
		__atomic_store_n(&dp->workers[i].stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
}

/* EAL leaves its runtime dir (config, memseg fbarrays, sockets: several
 * MB of tmpfs) behind; a unique file prefix per instance would leak one
 * per run dir, so a clean stop removes it. */
static void
remove_runtime_dir(const char *dir)
{
	struct dirent *e;
	char path[PATH_MAX];
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void
drain_ring(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
vsw_dp_destroy(struct vsw_dataplane *dp)
{
	char runtime_dir[PATH_MAX];
	unsigned int i;

	for (i = 0; i < VSW_DP_MAX_PORTS; i++)
		if (dp->ports[i] != NULL)
			vsw_dp_port_close(dp, (uint16_t)i);
	stop_workers(dp);
	for (i = 0; dp->workers != NULL && i < dp->n_workers; i++) {
		/* Buffered packets of the last turn were flushed by the worker. */
		rte_free(dp->workers[i].poll);
		rte_free(dp->workers[i].txbufs);
		rte_free(dp->workers[i].port_stats);
		if (dp->workers[i].imb != NULL)
			free_mb_mgr(dp->workers[i].imb);
		drain_ring(dp->workers[i].handoff);
	}
	rte_free(dp->workers);
	vsw_fib_free(dp->fib);
	if (dp->punt != NULL)
		vsw_punt_free(dp->punt);
	if (dp->nat != NULL)
		vsw_nat_free(dp->nat);
	if (dp->kvt != NULL)
		vsw_kvt_free(dp->kvt);
	if (dp->macs != NULL)
		vsw_mac_table_free(dp->macs);
	rte_free(dp->assign);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->pool);
	if (dp->event_fd >= 0)
		close(dp->event_fd);
	pthread_mutex_destroy(&dp->port_lock);
	rte_free(dp);
	rte_pdump_uninit();
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(runtime_dir);
}
