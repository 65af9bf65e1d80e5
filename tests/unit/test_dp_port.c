/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-plane port backends against real DPDK and real peers: ethdev
 * ports hot-plugged from devargs (net_null, net_ring, net_pcap), and
 * vhost-user ports driven by dpdk-testpmd with a net_virtio_user device, as
 * a VM's virtio driver would. A worker thread in this file stands in for a
 * data-plane worker: it polls and sends only while the port is ready, inside
 * a read-side section that vsw_dp_port_quiesce (defined here, as is
 * vsw_dp_port_changed: dp.c is not linked) waits out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_vhost.h>

#include "dp_port.h"
#include "vhost_port.h"

extern char **environ;

#define N_MBUFS 8192
#define BURST 32
#define WAIT_MS 20000
#define JUMBO_LEN 9000
#define PEER_LCORES "0-1"

/* --- what dp.c would provide ------------------------------------------------ */

#define MAX_PORTS 4

struct worker {
	pthread_t thread;
	bool running;
	struct vsw_dp_port *port;
	unsigned int id;              /* worker index given to ops->tx */
	bool stop;
	uint32_t tx_len;              /* 0: send nothing */
	uint64_t tx_budget;           /* frames still to send */
	uint64_t tx_sent;
	uint64_t rx_packets;
	uint64_t rx_jumbo;            /* JUMBO_LEN frames, chained */
	uint64_t rx_max_segs;
};

static struct {
	struct rte_mempool *pool;
	char dir[64];                 /* sockets and peer logs */
	char eal_prefix[64];
	char runtime_dir[256];        /* EAL's, for this process */
	unsigned int quiesces;
	unsigned int changes;
	uint64_t worker_section;      /* odd while the worker is inside ops */
	struct worker worker;
	/* Ports of the running test; teardown closes those left open. */
	struct vsw_dp_port ports[MAX_PORTS];
	bool open[MAX_PORTS];
	unsigned int n_ports;
} t;

void
vsw_dp_port_quiesce(struct vsw_dp_port *p)
{
	uint64_t s;

	(void)p;
	__atomic_add_fetch(&t.quiesces, 1, __ATOMIC_RELAXED);
	/* The backend cleared ready before: a worker that enters later sees
	 * it; only one already inside (odd count) must be waited for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s = __atomic_load_n(&t.worker_section, __ATOMIC_SEQ_CST);
	if (s & 1)
		while (__atomic_load_n(&t.worker_section, __ATOMIC_SEQ_CST) == s)
			sched_yield();
}

void
vsw_dp_port_changed(struct vsw_dp_port *p)
{
	(void)p;
	__atomic_add_fetch(&t.changes, 1, __ATOMIC_RELAXED);
}

/* --- helpers ------------------------------------------------------------------ */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
nap_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Polls cond every 10 ms for at most ms; true when it held. */
#define WAIT_FOR(cond, ms) ({                                   \
	uint64_t _end = now_ms() + (ms);                        \
	bool _ok;                                               \
	while (!(_ok = (cond)) && now_ms() < _end)              \
		nap_ms(10);                                     \
	_ok; })

static unsigned int
pool_in_use(void)
{
	return rte_mempool_in_use_count(t.pool);
}

static struct vsw_dp_port *
new_port(enum vsw_dp_port_type type, const char *name, unsigned int n_workers,
	 uint16_t queues)
{
	struct vsw_dp_port *p;

	assert_true(t.n_ports < MAX_PORTS);
	p = &t.ports[t.n_ports];
	memset(p, 0, sizeof(*p));
	p->idx = (uint16_t)t.n_ports++;
	p->cfg.type = type;
	snprintf(p->cfg.name, sizeof(p->cfg.name), "%s", name);
	p->cfg.queues = queues;
	p->type = type;
	p->pool = t.pool;
	p->n_workers = n_workers;
	return p;
}

static int
open_port(struct vsw_dp_port *p, char *err, size_t errlen)
{
	int rc;

	err[0] = '\0';
	rc = p->type == VSW_DP_PORT_VHOST ? vsw_vhost_port_open(p, err, errlen) :
		vsw_ethdev_port_open(p, err, errlen);
	if (rc == 0)
		t.open[p->idx] = true;
	return rc;
}

static void
open_ok(struct vsw_dp_port *p)
{
	char err[256];
	int rc = open_port(p, err, sizeof(err));

	if (rc != 0)
		print_error("open %s: %s\n", p->cfg.name, err);
	assert_int_equal(rc, 0);
}

static void
close_port(struct vsw_dp_port *p)
{
	if (!t.open[p->idx])
		return;
	t.open[p->idx] = false;
	if (p->type == VSW_DP_PORT_VHOST)
		vsw_vhost_port_close(p);
	else
		vsw_ethdev_port_close(p);
}

static enum vsw_dp_port_state
port_state(struct vsw_dp_port *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_RELAXED);
}

static bool
port_ready(struct vsw_dp_port *p)
{
	return __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE);
}

static struct rte_mbuf *
make_frame(uint32_t len, uint8_t tag)
{
	struct rte_mbuf *head = NULL, *seg;
	uint32_t left = len, chunk;
	uint8_t *d;

	while (left > 0) {
		seg = rte_pktmbuf_alloc(t.pool);
		if (seg == NULL)
			break;
		chunk = RTE_MIN(left, (uint32_t)rte_pktmbuf_tailroom(seg));
		d = (uint8_t *)rte_pktmbuf_append(seg, (uint16_t)chunk);
		memset(d, tag, chunk);
		if (head == NULL) {
			memset(d, 0xff, 6);      /* broadcast destination */
			memcpy(d + 6, "\x02\x00\x00\x00\x00\x01", 6);
			d[12] = 0x88;            /* local experimental ethertype */
			d[13] = 0xb5;
			head = seg;
		} else if (rte_pktmbuf_chain(head, seg) != 0) {
			rte_pktmbuf_free(seg);
			break;
		}
		left -= chunk;
	}
	if (head != NULL && head->pkt_len != len) {
		rte_pktmbuf_free(head);
		head = NULL;
	}
	return head;
}

static uint16_t
make_frames(struct rte_mbuf **pkts, uint16_t n, uint32_t len, uint8_t tag)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		pkts[i] = make_frame(len, tag);
		if (pkts[i] == NULL)
			break;
	}
	return i;
}

/* --- the stand-in worker ------------------------------------------------------ */

static uint16_t
worker_rx(struct worker *w, struct vsw_dp_port *p)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t q, n, i, total = 0;
	uint16_t n_rxq = __atomic_load_n(&p->n_rxq, __ATOMIC_RELAXED);

	for (q = 0; q < n_rxq; q++) {
		n = p->ops->rx(p, q, pkts, BURST);
		for (i = 0; i < n; i++) {
			if (pkts[i]->pkt_len == JUMBO_LEN && pkts[i]->nb_segs > 1 &&
			    rte_pktmbuf_pkt_len(pkts[i]) == JUMBO_LEN)
				__atomic_add_fetch(&w->rx_jumbo, 1, __ATOMIC_RELAXED);
			if (pkts[i]->nb_segs > w->rx_max_segs)
				w->rx_max_segs = pkts[i]->nb_segs;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		__atomic_add_fetch(&w->rx_packets, n, __ATOMIC_RELAXED);
		total += n;
	}
	return total;
}

static uint16_t
worker_tx(struct worker *w, struct vsw_dp_port *p)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t budget = __atomic_load_n(&w->tx_budget, __ATOMIC_RELAXED);
	uint32_t len = __atomic_load_n(&w->tx_len, __ATOMIC_RELAXED);
	uint16_t n, sent;

	if (len == 0 || budget == 0)
		return 0;
	n = make_frames(pkts, (uint16_t)RTE_MIN(budget, (uint64_t)8), len, 0x5a);
	if (n == 0)
		return 0;
	sent = p->ops->tx(p, w->id, pkts, n);
	__atomic_sub_fetch(&w->tx_budget, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&w->tx_sent, sent, __ATOMIC_RELAXED);
	return sent;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct vsw_dp_port *p = w->port;
	uint16_t moved;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		moved = 0;
		__atomic_add_fetch(&t.worker_section, 1, __ATOMIC_SEQ_CST);
		if (port_ready(p))
			moved = worker_rx(w, p) + worker_tx(w, p);
		__atomic_add_fetch(&t.worker_section, 1, __ATOMIC_SEQ_CST);
		if (moved == 0)
			nap_ms(1);
	}
	return NULL;
}

static struct worker *
worker_start(struct vsw_dp_port *p, unsigned int id)
{
	struct worker *w = &t.worker;
	cpu_set_t all;
	int c;

	memset(w, 0, sizeof(*w));
	w->port = p;
	w->id = id;
	assert_int_equal(pthread_create(&w->thread, NULL, worker_main, w), 0);
	w->running = true;
	/* EAL pinned this thread to one CPU; the worker may use any. */
	CPU_ZERO(&all);
	for (c = 0; c < CPU_SETSIZE && c < 64; c++)
		CPU_SET(c, &all);
	pthread_setaffinity_np(w->thread, sizeof(all), &all);
	return w;
}

static void
worker_stop(void)
{
	if (!t.worker.running)
		return;
	__atomic_store_n(&t.worker.stop, true, __ATOMIC_RELAXED);
	pthread_join(t.worker.thread, NULL);
	t.worker.running = false;
}

/* --- dpdk-testpmd peers ---------------------------------------------------------- */

struct peer {
	pid_t pid;
	char log[128];
	unsigned int starts;
};

static struct peer peers[2];

static void
peer_start(struct peer *pr, const char *vdev, const char *const *fwd_args)
{
	char prefix[128], vdev_arg[256];
	const char *argv[40];
	posix_spawn_file_actions_t fa;
	int argc = 0, i;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s-peer%ld-%u",
		 t.eal_prefix, (long)(pr - peers), pr->starts++);
	snprintf(vdev_arg, sizeof(vdev_arg), "--vdev=%s", vdev);
	snprintf(pr->log, sizeof(pr->log), "%s/peer-%ld.log", t.dir,
		 (long)(pr - peers));
	argv[argc++] = "dpdk-testpmd";
	argv[argc++] = "-l";
	argv[argc++] = PEER_LCORES;
	argv[argc++] = "--no-huge";
	argv[argc++] = "-m";
	argv[argc++] = "256";
	argv[argc++] = "--no-pci";
	argv[argc++] = prefix;
	argv[argc++] = vdev_arg;
	argv[argc++] = "--";
	argv[argc++] = "--nb-cores=1";
	argv[argc++] = "--total-num-mbufs=4096";
	argv[argc++] = "--stats-period=1";
	argv[argc++] = "--auto-start";
	for (i = 0; fwd_args[i] != NULL && argc < 39; i++)
		argv[argc++] = fwd_args[i];
	argv[argc] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, pr->log,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	assert_int_equal(posix_spawnp(&pr->pid, "dpdk-testpmd", &fa, NULL,
				      (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
}

static bool
peer_exited(struct peer *pr)
{
	int status;

	if (pr->pid <= 0)
		return true;
	if (waitpid(pr->pid, &status, WNOHANG) == pr->pid) {
		pr->pid = 0;
		return true;
	}
	return false;
}

/* Signals the peer and reaps it; SIGKILL if it lingers. */
static void
peer_stop(struct peer *pr, int sig)
{
	if (pr->pid <= 0)
		return;
	kill(pr->pid, sig);
	if (!WAIT_FOR(peer_exited(pr), 10000)) {
		kill(pr->pid, SIGKILL);
		waitpid(pr->pid, NULL, 0);
		pr->pid = 0;
	}
}

/* The last value testpmd printed after key (its stats, once a second). */
static uint64_t
peer_stat(struct peer *pr, const char *key)
{
	char line[512], *at;
	uint64_t v = 0;
	FILE *f = fopen(pr->log, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if ((at = strstr(line, key)) != NULL)
			v = strtoull(at + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

static void
sock_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", t.dir, name);
}

/* --- setup ----------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	char prefix[96], err[128];
	char *argv[] = { "test_dp_port", "--no-huge", "-m", "256", "--no-pci",
			 prefix, "-l", "0", "--log-level=lib.*:warning",
			 "--log-level=pmd.*:warning", NULL };

	(void)state;
	snprintf(t.eal_prefix, sizeof(t.eal_prefix), "vsw-test-dpport-%d",
		 (int)getpid());
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", t.eal_prefix);
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return -1;
	snprintf(t.runtime_dir, sizeof(t.runtime_dir), "%s", rte_eal_get_runtime_dir());
	t.pool = rte_pktmbuf_pool_create("test_dp_port", N_MBUFS, 0, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	snprintf(t.dir, sizeof(t.dir), "/tmp/vsw-dpport-XXXXXX");
	if (t.pool == NULL || mkdtemp(t.dir) == NULL)
		return -1;
	return vsw_vhost_init(err, sizeof(err));
}

/* Every test leaves no worker, peer or port behind, whatever it asserted. */
static int
test_teardown(void **state)
{
	unsigned int i;

	(void)state;
	worker_stop();
	for (i = 0; i < RTE_DIM(peers); i++)
		peer_stop(&peers[i], SIGKILL);
	for (i = 0; i < t.n_ports; i++)
		close_port(&t.ports[i]);
	t.n_ports = 0;
	return 0;
}

static int
group_teardown(void **state)
{
	char cmd[1024];

	test_teardown(state);
	rte_mempool_free(t.pool);
	rte_eal_cleanup();
	/* This run's files: sockets, peer logs, EAL runtime directories (the
	 * peers' sit beside ours). */
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s' '%s' '%s'-peer*", t.dir,
		 t.runtime_dir, t.runtime_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- ethdev ------------------------------------------------------------------------- */

static void
test_ethdev_null_bursts(void **state)
{
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_ETHDEV, "null", 3, 2);
	struct rte_mbuf *pkts[BURST];
	unsigned int base = pool_in_use(), changes = t.changes;
	uint16_t n;

	(void)state;
	snprintf(p->cfg.devargs, sizeof(p->cfg.devargs), "net_null0");
	open_ok(p);
	assert_true(port_ready(p));
	assert_int_equal(port_state(p), VSW_DP_PORT_UP);
	assert_int_equal(p->n_rxq, 2);
	assert_true(p->n_txq >= 1 && p->n_txq <= 3);
	assert_int_equal(p->tx_shared, p->n_txq < 3);
	assert_true(t.changes > changes);

	n = make_frames(pkts, BURST, 64, 1);
	assert_int_equal(n, BURST);
	assert_int_equal(p->ops->tx(p, 2, pkts, n), BURST);  /* null sinks all */
	n = p->ops->rx(p, 1, pkts, BURST);                   /* null makes frames */
	assert_true(n > 0);
	rte_pktmbuf_free_bulk(pkts, n);
	assert_int_equal(pool_in_use(), base);

	close_port(p);
	assert_false(port_ready(p));
	assert_int_equal(port_state(p), VSW_DP_PORT_DOWN);
	assert_int_equal(rte_eth_dev_count_avail(), 0);
}

static void
test_ethdev_ring_loop(void **state)
{
	struct vsw_dp_port *a = new_port(VSW_DP_PORT_ETHDEV, "ring", 2, 1);
	struct vsw_dp_port *b = new_port(VSW_DP_PORT_ETHDEV, "ring-named", 1, 1);
	struct rte_mbuf *pkts[BURST];
	unsigned int base = pool_in_use();
	uint16_t n, i;

	(void)state;
	/* net_ring's rings loop back: what queue q sends, queue q receives;
	 * a frame longer than one mbuf goes through as a chain. */
	snprintf(a->cfg.devargs, sizeof(a->cfg.devargs), "net_ring0");
	open_ok(a);
	assert_int_equal(a->n_txq, 2);
	assert_false(a->tx_shared);
	assert_int_equal(make_frames(pkts, 7, 100, 7), 7);
	pkts[7] = make_frame(JUMBO_LEN, 9);
	assert_non_null(pkts[7]);
	assert_int_equal(a->ops->tx(a, 0, pkts, 8), 8);
	n = a->ops->rx(a, 0, pkts, BURST);
	assert_int_equal(n, 8);
	for (i = 0; i < 7; i++) {
		assert_int_equal(pkts[i]->pkt_len, 100);
		assert_int_equal(rte_pktmbuf_mtod(pkts[i], uint8_t *)[50], 7);
	}
	assert_int_equal(pkts[7]->pkt_len, JUMBO_LEN);
	assert_true(pkts[7]->nb_segs >= 5);
	rte_pktmbuf_free_bulk(pkts, n);
	assert_int_equal(pool_in_use(), base);

	/* An ethdev named apart from its device (nodeaction) is still found. */
	snprintf(b->cfg.devargs, sizeof(b->cfg.devargs),
		 "net_ring1,nodeaction=vswtr:0:CREATE");
	open_ok(b);
	assert_int_not_equal(a->eth.port_id, b->eth.port_id);
	close_port(b);
	close_port(a);
	assert_int_equal(rte_eth_dev_count_avail(), 0);
}

/* A pcap file with no packet: the global header alone (Ethernet, 64 KiB). */
static const uint8_t empty_pcap[24] = {
	0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0, 0, 1, 0, 0, 0,
};

static void
test_ethdev_bad_devargs(void **state)
{
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_ETHDEV, "bad", 1, 1);
	struct vsw_dp_port *q = new_port(VSW_DP_PORT_ETHDEV, "twice", 1, 1);
	char pcap[128], err[256];
	FILE *f;

	(void)state;
	snprintf(p->cfg.devargs, sizeof(p->cfg.devargs), "no_such_thing0");
	assert_true(open_port(p, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "no_such_thing0"));
	assert_int_equal(port_state(p), VSW_DP_PORT_ERROR);
	assert_string_equal(p->error, err);

	/* A known driver refusing its arguments leaves nothing attached ... */
	snprintf(p->cfg.devargs, sizeof(p->cfg.devargs),
		 "net_pcap0,rx_pcap=%s/missing.pcap,tx_pcap=/dev/null", t.dir);
	assert_true(open_port(p, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "net_pcap0"));
	assert_false(port_ready(p));
	assert_int_equal(port_state(p), VSW_DP_PORT_ERROR);
	assert_int_equal(rte_eth_dev_count_avail(), 0);

	/* ... so the same device name works with good arguments. */
	snprintf(pcap, sizeof(pcap), "%s/empty.pcap", t.dir);
	f = fopen(pcap, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(empty_pcap, sizeof(empty_pcap), 1, f), 1);
	fclose(f);
	snprintf(p->cfg.devargs, sizeof(p->cfg.devargs),
		 "net_pcap0,rx_pcap=%s,tx_pcap=/dev/null", pcap);
	open_ok(p);
	assert_int_equal(port_state(p), VSW_DP_PORT_UP);

	/* The same device twice: refused with its name, the first untouched. */
	snprintf(q->cfg.devargs, sizeof(q->cfg.devargs),
		 "net_pcap0,rx_pcap=%s,tx_pcap=/dev/null", pcap);
	assert_int_equal(open_port(q, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "device net_pcap0 already attached");
	assert_int_equal(port_state(p), VSW_DP_PORT_UP);
	assert_int_equal(rte_eth_dev_count_avail(), 1);

	close_port(p);
	assert_int_equal(rte_eth_dev_count_avail(), 0);
}

static void
test_ethdev_reopen(void **state)
{
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_ETHDEV, "again", 1, 1);
	struct rte_mbuf *pkts[BURST];
	int round;

	(void)state;
	snprintf(p->cfg.devargs, sizeof(p->cfg.devargs), "net_null0,size=128");
	for (round = 0; round < 3; round++) {
		open_ok(p);
		assert_int_equal(p->ops->rx(p, 0, pkts, 4), 4);
		assert_int_equal(pkts[0]->pkt_len, 128);
		rte_pktmbuf_free_bulk(pkts, 4);
		close_port(p);
		assert_int_equal(rte_eth_dev_count_avail(), 0);
	}
}

/* --- vhost-user ------------------------------------------------------------------------ */

static bool
vhost_up_with(struct vsw_dp_port *p, uint16_t pairs)
{
	return port_ready(p) && port_state(p) == VSW_DP_PORT_UP &&
	       __atomic_load_n(&p->n_rxq, __ATOMIC_RELAXED) == pairs &&
	       __atomic_load_n(&p->n_txq, __ATOMIC_RELAXED) == pairs;
}

static bool
vhost_down(struct vsw_dp_port *p)
{
	return !port_ready(p) && port_state(p) == VSW_DP_PORT_DOWN &&
	       __atomic_load_n(&p->vhost.vid, __ATOMIC_RELAXED) < 0;
}

static uint64_t
counter(uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* vsw listens, the peer connects: jumbo frames in, frames out, the peer
 * killed under traffic both ways, then back. */
static void
test_vhost_server_peer(void **state)
{
	static const char *const txonly_jumbo[] = {
		"--rxq=2", "--txq=2", "--forward-mode=txonly",
		"--mbuf-size=9344", "--txpkts=9000", NULL };
	static const char *const rxonly[] = {
		"--rxq=2", "--txq=2", "--forward-mode=rxonly", NULL };
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_VHOST, "vnic-server", 4, 2);
	struct vsw_dp_port *side;
	struct vsw_vhost_port_stats st;
	struct worker *w;
	char vdev[200];
	unsigned int base, quiesces, round;
	uint64_t f, rx, sent;

	(void)state;
	sock_path(p->cfg.socket, sizeof(p->cfg.socket), "server.sock");
	open_ok(p);
	assert_int_equal(port_state(p), VSW_DP_PORT_DOWN);
	assert_false(port_ready(p));
	assert_int_equal(access(p->cfg.socket, F_OK), 0);
	base = pool_in_use();
	w = worker_start(p, 3);

	snprintf(vdev, sizeof(vdev), "net_virtio_user0,path=%s,queues=2",
		 p->cfg.socket);
	peer_start(&peers[0], vdev, txonly_jumbo);
	assert_true(WAIT_FOR(vhost_up_with(p, 2), WAIT_MS));
	assert_true(p->tx_shared);                   /* 2 queues, 4 workers */
	f = p->vhost.features;
	assert_true(f & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_true(f & (1ULL << VIRTIO_NET_F_MQ));
	assert_true(f & (1ULL << VIRTIO_F_VERSION_1));
	assert_int_equal(f & vsw_vhost_refused_features(), 0);

	/* 9000-byte frames arrive as chains of 2 KiB mbufs. */
	assert_true(WAIT_FOR(counter(&w->rx_jumbo) >= 1000, WAIT_MS));
	assert_true(w->rx_max_segs >= 5);
	assert_int_equal(vsw_vhost_port_stats(p, &st), 0);
	assert_true(st.rx_packets >= 1000);
	assert_true(st.rx_bytes >= st.rx_packets * JUMBO_LEN);
	assert_int_equal(st.queue_pairs, 2);
	assert_int_equal(st.guest_resets, 0);

	/* Other VNICs come and go meanwhile; this one keeps its traffic. */
	side = new_port(VSW_DP_PORT_VHOST, "vnic-side", 4, 1);
	sock_path(side->cfg.socket, sizeof(side->cfg.socket), "side.sock");
	for (round = 0; round < 3; round++) {
		rx = counter(&w->rx_packets);
		open_ok(side);
		close_port(side);
		assert_true(WAIT_FOR(counter(&w->rx_packets) > rx + 100, WAIT_MS));
	}
	assert_true(vhost_up_with(p, 2));

	/* Killed while frames flow both ways (its rx rings fill up unread). */
	__atomic_store_n(&w->tx_len, 64, __ATOMIC_RELAXED);
	__atomic_store_n(&w->tx_budget, UINT64_MAX, __ATOMIC_RELAXED);
	assert_true(WAIT_FOR(counter(&w->tx_sent) > 0, WAIT_MS));
	quiesces = t.quiesces;
	rx = counter(&w->rx_packets);
	peer_stop(&peers[0], SIGKILL);
	assert_true(WAIT_FOR(vhost_down(p), WAIT_MS));
	assert_true(t.quiesces > quiesces);
	assert_true(counter(&w->rx_packets) >= rx);
	__atomic_store_n(&w->tx_budget, 0, __ATOMIC_RELAXED);
	assert_true(WAIT_FOR(pool_in_use() == base, 2000));
	assert_int_equal(vsw_vhost_port_stats(p, &st), 0);
	assert_int_equal(st.guest_resets, 1);
	assert_int_equal(st.rx_packets, 0);          /* no guest, no counters */

	/* Back, on a packed ring now, receiving: what we send, it counts,
	 * byte for byte (9000-byte chains into its mergeable buffers). */
	snprintf(vdev, sizeof(vdev), "net_virtio_user0,path=%s,queues=2,packed_vq=1",
		 p->cfg.socket);
	peer_start(&peers[0], vdev, rxonly);
	assert_true(WAIT_FOR(vhost_up_with(p, 2), WAIT_MS));
	assert_true(p->vhost.features & (1ULL << VIRTIO_F_RING_PACKED));
	sent = counter(&w->tx_sent);
	__atomic_store_n(&w->tx_len, JUMBO_LEN, __ATOMIC_RELAXED);
	__atomic_store_n(&w->tx_budget, 200, __ATOMIC_RELAXED);
	assert_true(WAIT_FOR(counter(&w->tx_budget) == 0, WAIT_MS));
	sent = counter(&w->tx_sent) - sent;
	assert_true(sent > 0);
	assert_true(WAIT_FOR(peer_stat(&peers[0], "RX-packets:") == sent, 5000));
	assert_true(peer_stat(&peers[0], "RX-bytes:") == sent * JUMBO_LEN);
	assert_int_equal(vsw_vhost_port_stats(p, &st), 0);
	assert_int_equal(st.tx_packets, sent);

	peer_stop(&peers[0], SIGINT);
	assert_true(WAIT_FOR(vhost_down(p), WAIT_MS));
	worker_stop();
	assert_int_equal(pool_in_use(), base);
	close_port(p);
	assert_int_equal(access(p->cfg.socket, F_OK), -1);  /* rte_vhost unlinked it */
	assert_int_equal(vsw_vhost_port_stats(p, &st), -EINVAL);
}

/* The peer listens (as QEMU does), vsw connects and reconnects by itself. */
static void
test_vhost_client_reconnect(void **state)
{
	static const char *const txonly[] = { "--forward-mode=txonly", NULL };
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_VHOST, "vnic-client", 1, 1);
	struct worker *w;
	char vdev[200];
	uint64_t rx;
	int round;

	(void)state;
	sock_path(p->cfg.socket, sizeof(p->cfg.socket), "client.sock");
	p->cfg.client = true;
	p->cfg.reconnect = true;
	/* Nothing listens yet: open succeeds and the port waits, DOWN. */
	open_ok(p);
	assert_int_equal(port_state(p), VSW_DP_PORT_DOWN);
	w = worker_start(p, 0);

	snprintf(vdev, sizeof(vdev), "net_virtio_user0,path=%s,server=1,queues=1",
		 p->cfg.socket);
	for (round = 0; round < 2; round++) {
		unlink(p->cfg.socket);   /* a killed listener leaves its file */
		peer_start(&peers[0], vdev, txonly);
		assert_true(WAIT_FOR(vhost_up_with(p, 1), WAIT_MS));
		assert_false(p->tx_shared);
		rx = counter(&w->rx_packets);
		assert_true(WAIT_FOR(counter(&w->rx_packets) > rx + 1000, WAIT_MS));
		peer_stop(&peers[0], SIGKILL);
		assert_true(WAIT_FOR(vhost_down(p), WAIT_MS));
	}
	worker_stop();
	close_port(p);
	unlink(p->cfg.socket);
}

/* A minimal vhost-user front end asks what a guest would be offered. */
static int
vhost_user_query(const char *path, uint32_t request, uint64_t *out)
{
	struct __attribute__((packed)) {
		uint32_t request, flags, size;
		uint64_t u64;
	} msg = { .request = request, .flags = 1 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, &msg, 12) != 12) {
		close(fd);
		return -1;
	}
	n = recv(fd, &msg, sizeof(msg), MSG_WAITALL);
	close(fd);
	if (n != (ssize_t)sizeof(msg) || msg.request != request || msg.size != 8)
		return -1;
	*out = msg.u64;
	return 0;
}

static void
test_vhost_offer(void **state)
{
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_VHOST, "vnic-offer", 2, 3);
	uint64_t features = 0, queues = 0;

	(void)state;
	sock_path(p->cfg.socket, sizeof(p->cfg.socket), "offer.sock");
	open_ok(p);
	assert_int_equal(vhost_user_query(p->cfg.socket, 1 /* GET_FEATURES */,
					  &features), 0);
	assert_int_equal(features & vsw_vhost_refused_features(), 0);
	assert_true(features & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_true(features & (1ULL << VIRTIO_NET_F_MQ));
	assert_true(features & (1ULL << VHOST_F_LOG_ALL));  /* live migration */
	assert_true(features & (1ULL << VIRTIO_NET_F_GUEST_ANNOUNCE));
	assert_true(features & (1ULL << VIRTIO_F_VERSION_1));
	assert_true(features & (1ULL << VIRTIO_F_RING_PACKED));
	assert_int_equal(vhost_user_query(p->cfg.socket, 17 /* GET_QUEUE_NUM */,
					  &queues), 0);
	assert_int_equal(queues, 3);
	close_port(p);
}

static void
test_vhost_open_errors(void **state)
{
	struct vsw_dp_port *a = new_port(VSW_DP_PORT_VHOST, "vnic-a", 1, 1);
	struct vsw_dp_port *b = new_port(VSW_DP_PORT_VHOST, "vnic-b", 1, 1);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char err[256];
	int fd;

	(void)state;
	sock_path(a->cfg.socket, sizeof(a->cfg.socket), "busy.sock");

	/* Someone else listens there: refused, their socket left alone. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", a->cfg.socket);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(open_port(a, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, a->cfg.socket));
	assert_int_equal(port_state(a), VSW_DP_PORT_ERROR);
	assert_int_equal(access(a->cfg.socket, F_OK), 0);

	/* The listener died and left its file: stale, so replaced. */
	close(fd);
	open_ok(a);
	assert_int_equal(port_state(a), VSW_DP_PORT_DOWN);

	/* One socket, one VNIC. */
	snprintf(b->cfg.socket, sizeof(b->cfg.socket), "%s", a->cfg.socket);
	assert_int_equal(open_port(b, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "vnic-a"));
	close_port(a);

	/* No such directory. */
	snprintf(b->cfg.socket, sizeof(b->cfg.socket), "%s/nodir/x.sock", t.dir);
	assert_int_equal(open_port(b, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nodir"));

	/* Client without reconnect: the listener must be there now. */
	sock_path(b->cfg.socket, sizeof(b->cfg.socket), "nobody.sock");
	b->cfg.client = true;
	assert_true(open_port(b, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "nobody.sock"));
	assert_int_equal(port_state(b), VSW_DP_PORT_ERROR);

	/* Too many queue pairs. */
	b->cfg.client = false;
	b->cfg.queues = VSW_DP_MAX_QUEUES + 1;
	assert_int_equal(open_port(b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "queue pairs"));
}

/* --- a hostile guest ---------------------------------------------------------------------
 * A vhost-user front end written here, so the test controls every
 * descriptor: it offers one well-formed frame, then descriptors that point
 * outside its memory. */

#define FG_MEM_SIZE (1u << 20)       /* the guest's memory, GPA 0 */
#define FG_QSIZE 256u
#define FG_BUF_GPA 0x40000u         /* frame buffers from here */
#define FG_HDR_LEN 12u              /* virtio_net_hdr with VERSION_1 */

struct fake_guest {
	int sock;
	int memfd;
	uint8_t *mem;
	int kick[2], call[2];
	uint16_t tx_avail;          /* next avail index of its tx ring */
};

static uint64_t
fg_ring_gpa(unsigned int vring)
{
	return (uint64_t)vring * 0x10000u;
}

static struct vring_desc *
fg_desc(struct fake_guest *g, unsigned int vring)
{
	return (struct vring_desc *)(g->mem + fg_ring_gpa(vring));
}

static struct vring_avail *
fg_avail(struct fake_guest *g, unsigned int vring)
{
	return (struct vring_avail *)(g->mem + fg_ring_gpa(vring) + 0x1000);
}

static struct vring_used *
fg_used(struct fake_guest *g, unsigned int vring)
{
	return (struct vring_used *)(g->mem + fg_ring_gpa(vring) + 0x2000);
}

static int
fg_send(struct fake_guest *g, uint32_t req, const void *payload, uint32_t size,
	int fd)
{
	struct { uint32_t request, flags, size; } __attribute__((packed)) hdr =
		{ req, 1, size };
	struct iovec iov[2] = { { &hdr, sizeof(hdr) }, { (void *)payload, size } };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(g->sock, &mh, 0) == (ssize_t)(sizeof(hdr) + size) ? 0 : -1;
}

static int
fg_vring_u64(struct fake_guest *g, uint32_t req, uint32_t index, uint32_t num)
{
	uint32_t st[2] = { index, num };

	return fg_send(g, req, st, sizeof(st), -1);
}

static int
fg_setup_vring(struct fake_guest *g, unsigned int i)
{
	struct {
		uint32_t index, flags;
		uint64_t desc, used, avail, log;
	} __attribute__((packed)) addr = {
		.index = i,
		.desc = (uintptr_t)fg_desc(g, i),
		.used = (uintptr_t)fg_used(g, i),
		.avail = (uintptr_t)fg_avail(g, i),
	};
	uint64_t idx = i;

	if (fg_vring_u64(g, 8 /* SET_VRING_NUM */, i, FG_QSIZE) != 0 ||
	    fg_send(g, 9 /* SET_VRING_ADDR */, &addr, sizeof(addr), -1) != 0 ||
	    fg_vring_u64(g, 10 /* SET_VRING_BASE */, i, 0) != 0 ||
	    fg_send(g, 12 /* SET_VRING_KICK */, &idx, sizeof(idx), g->kick[i]) != 0)
		return -1;
	return fg_send(g, 13 /* SET_VRING_CALL */, &idx, sizeof(idx), g->call[i]);
}

/* Connects and sets up one queue pair over 1 MiB of shared memory. */
static int
fg_connect(struct fake_guest *g, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct {
		uint32_t nregions, padding;
		struct { uint64_t gpa, size, uaddr, offset; } regions[8];
	} mem = { .nregions = 1 };
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->memfd = memfd_create("fake-guest", MFD_CLOEXEC);
	if (g->memfd < 0 || ftruncate(g->memfd, FG_MEM_SIZE) != 0)
		return -1;
	g->mem = mmap(NULL, FG_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->memfd, 0);
	if (g->mem == MAP_FAILED)
		return -1;
	for (i = 0; i < 2; i++) {
		g->kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		g->call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	mem.regions[0].size = FG_MEM_SIZE;
	mem.regions[0].uaddr = (uintptr_t)g->mem;
	g->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (g->sock < 0 || connect(g->sock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -1;
	if (fg_send(g, 3 /* SET_OWNER */, NULL, 0, -1) != 0 ||
	    fg_send(g, 2 /* SET_FEATURES */, &features, sizeof(features), -1) != 0 ||
	    fg_send(g, 5 /* SET_MEM_TABLE */, &mem, sizeof(mem), g->memfd) != 0)
		return -1;
	for (i = 0; i < 2; i++)
		if (fg_setup_vring(g, i) != 0)
			return -1;
	return 0;
}

static void
fg_close(struct fake_guest *g)
{
	unsigned int i;

	if (g->sock > 0)
		close(g->sock);
	for (i = 0; i < 2; i++) {
		close(g->kick[i]);
		close(g->call[i]);
	}
	if (g->mem != NULL && g->mem != MAP_FAILED)
		munmap(g->mem, FG_MEM_SIZE);
	close(g->memfd);
	memset(g, 0, sizeof(*g));
}

/* Offers one frame on its tx ring: len bytes at gpa (header included). */
static void
fg_offer(struct fake_guest *g, uint64_t gpa, uint32_t len)
{
	struct vring_desc *d = &fg_desc(g, 1)[g->tx_avail % FG_QSIZE];
	struct vring_avail *av = fg_avail(g, 1);

	d->addr = gpa;
	d->len = len;
	d->flags = 0;
	d->next = 0;
	av->ring[g->tx_avail % FG_QSIZE] = g->tx_avail % FG_QSIZE;
	g->tx_avail++;
	__atomic_store_n(&av->idx, g->tx_avail, __ATOMIC_RELEASE);
}

static uint16_t
poll_rx(struct vsw_dp_port *p, unsigned int polls, struct rte_mbuf **got)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n, total = 0, i;

	while (polls-- > 0) {
		n = p->ops->rx(p, 0, pkts, BURST);
		for (i = 0; i < n; i++) {
			if (got != NULL && *got == NULL)
				*got = pkts[i];
			else
				rte_pktmbuf_free(pkts[i]);
		}
		total += n;
		if (n == 0)
			nap_ms(1);
	}
	return total;
}

static void
test_vhost_hostile_guest(void **state)
{
	struct vsw_vhost_port_stats vs;
	struct vsw_dp_port *p = new_port(VSW_DP_PORT_VHOST, "vnic-hostile", 1, 1);
	struct rte_mbuf *got = NULL, *out[4];
	struct fake_guest g;
	unsigned int base;
	uint8_t *frame;

	(void)state;
	sock_path(p->cfg.socket, sizeof(p->cfg.socket), "hostile.sock");
	open_ok(p);
	base = pool_in_use();
	assert_int_equal(fg_connect(&g, p->cfg.socket), 0);
	assert_true(WAIT_FOR(vhost_up_with(p, 1), WAIT_MS));

	/* A well-formed frame first: the fake guest is a working guest. */
	frame = g.mem + FG_BUF_GPA;
	memset(frame, 0, FG_HDR_LEN);
	memset(frame + FG_HDR_LEN, 0x42, 60);
	fg_offer(&g, FG_BUF_GPA, FG_HDR_LEN + 60);
	assert_int_equal(poll_rx(p, 50, &got), 1);
	assert_non_null(got);
	assert_int_equal(got->pkt_len, 60);
	assert_int_equal(rte_pktmbuf_mtod(got, uint8_t *)[59], 0x42);
	rte_pktmbuf_free(got);
	assert_int_equal(fg_used(&g, 1)->idx, 1);

	/* Descriptors beyond its memory, or running past its end: nothing is
	 * read, nothing leaks, the port stays up. (rte_vhost 22.11 then holds
	 * that ring at the bad descriptor: the guest stalls only itself.) */
	fg_offer(&g, 0x40000000ULL, FG_HDR_LEN + 60);
	fg_offer(&g, FG_MEM_SIZE - 16, 4096);
	fg_offer(&g, FG_BUF_GPA, FG_HDR_LEN + 60);
	assert_int_equal(vsw_vhost_port_stats(p, &vs), 0);
	assert_int_equal(vs.rx_stalls, 0);
	assert_int_equal(poll_rx(p, 200, NULL), 0);
	assert_int_equal(pool_in_use(), base);
	assert_true(vhost_up_with(p, 1));
	/* ... and that stall is a counted error, once. */
	assert_int_equal(vsw_vhost_port_stats(p, &vs), 0);
	assert_int_equal(vs.rx_stalls, 1);

	/* Its rx ring holds no buffer: what vsw sends is dropped and freed. */
	assert_int_equal(make_frames(out, 4, 64, 3), 4);
	assert_int_equal(p->ops->tx(p, 0, out, 4), 0);
	assert_int_equal(pool_in_use(), base);

	/* It vanishes: the port goes down, nothing else. */
	fg_close(&g);
	assert_true(WAIT_FOR(vhost_down(p), WAIT_MS));
	assert_int_equal(pool_in_use(), base);
	close_port(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ethdev_null_bursts, test_teardown),
		cmocka_unit_test_teardown(test_ethdev_ring_loop, test_teardown),
		cmocka_unit_test_teardown(test_ethdev_bad_devargs, test_teardown),
		cmocka_unit_test_teardown(test_ethdev_reopen, test_teardown),
		cmocka_unit_test_teardown(test_vhost_open_errors, test_teardown),
		cmocka_unit_test_teardown(test_vhost_offer, test_teardown),
		cmocka_unit_test_teardown(test_vhost_hostile_guest, test_teardown),
		cmocka_unit_test_teardown(test_vhost_server_peer, test_teardown),
		cmocka_unit_test_teardown(test_vhost_client_reconnect, test_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
