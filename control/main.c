/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswd: parses the config, starts the data plane (EAL, mbufs, workers),
 * opens the state db, then runs the control loop on the main lcore until
 * SIGTERM/SIGINT.
 *
 * Exit codes: 0 clean stop, 1 startup failure, 2 config or usage error,
 * 3 state db unusable (corrupt, unreadable: never overwritten).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_version.h>

#include "api.h"
#include "dp.h"
#include "dp_sync.h"
#include "resources.h"
#include "event_loop.h"
#include "imb_arch.h"
#include "log.h"
#include "kvt.h"
#include "model.h"
#include "nat.h"
#include "punt_handler.h"
#include "resource.h"
#include "rpc_server.h"
#include "vsw_config.h"

/* Data-plane housekeeping period: learned MACs (a migrated VM's RARP)
 * reach the MAC table within one tick. */
#define VSW_TICK_MS 10
/* Punted packets the control thread takes per tick (the rest wait in the
 * bounded ring, or are dropped by the workers' rate limits). */
#define VSW_PUNT_BUDGET 256

enum {
	VSW_EXIT_OK = 0,
	VSW_EXIT_STARTUP = 1,
	VSW_EXIT_CONFIG = 2,
	VSW_EXIT_STATE = 3,
};

struct vswd {
	struct vsw_config cfg;
	struct vsw_dataplane *dp;
	struct vsw_dp_sync *sync;
	struct vsw_api *api;
	struct vsw_loop *loop;
	struct vsw_rpc_server *srv;
	struct vsw_punt_handler *punt;
	uint64_t ipsec_digest;
	int signal_fd;
};

/* mkdir -p with mode for the directories it creates. */
static int
make_dirs(const char *path, mode_t mode)
{
	char buf[VSW_PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void
on_signal(void *arg, int fd, uint32_t events)
{
	struct vswd *d = arg;
	struct signalfd_siginfo si;

	RTE_SET_USED(events);
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	VSW_LOG(NOTICE, "signal %u: shutting down", si.ssi_signo);
	vsw_loop_stop(d->loop);
}

/* Signals go to a signalfd in the control loop. They are blocked before EAL
 * starts its threads so that every thread inherits the mask. */
static int
block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -errno;
}

static const char *hook_status_reason(void *arg, const char *kind, const json_t *obj);

/* VNIC and port views show the data plane's status: rebuild those whose
 * status changed (after an apply, after a device event). */
static bool
status_changed(struct vswd *d, struct vsw_model *model, const char *kind,
	       const char *id)
{
	const json_t *obj = vsw_model_get(model, kind, id);
	const json_t *view = vsw_model_view(model, kind, id);
	const char *now = obj ? vsw_dp_sync_status(d->sync, kind, obj) : NULL;
	const char *shown = json_string_value(json_object_get(view, "status"));
	const char *why = obj ? hook_status_reason(d, kind, obj) : NULL;
	const char *shown_why = json_string_value(json_object_get(view, "status_reason"));

	if (now == NULL || shown == NULL)
		return obj != NULL;
	return strcmp(now, shown) != 0 || (why == NULL) != (shown_why == NULL) ||
	       (why != NULL && strcmp(why, shown_why) != 0);
}

static void
refresh_status_views(struct vswd *d, struct vsw_model *model)
{
	const char *id;
	json_t *vnic;

	json_object_foreach((json_t *)vsw_model_kind(model, "vnic"), id, vnic) {
		const char *port_id = json_string_value(json_object_get(vnic, "port_id"));

		if (status_changed(d, model, "vnic", id))
			vsw_model_refresh_view(model, "vnic", id);
		if (port_id != NULL && status_changed(d, model, "port", port_id))
			vsw_model_refresh_view(model, "port", port_id);
	}
	static const char *const kinds[] = { "uplink", "ipsec_sa", "ipsec_site_connection" };

	for (size_t k = 0; k < RTE_DIM(kinds); k++)
		json_object_foreach((json_t *)vsw_model_kind(model, kinds[k]), id, vnic)
			if (status_changed(d, model, kinds[k], id))
				vsw_model_refresh_view(model, kinds[k], id);
}

static int
hook_apply(void *arg, struct vsw_api *api, struct vsw_error *err)
{
	struct vswd *d = arg;

	RTE_SET_USED(err);
	/* Compiles and publishes the tables and waits for the workers' grace
	 * period: the change is in force before any response goes out. */
	vsw_dp_sync_apply(d->sync, vsw_api_model(api));
	refresh_status_views(d, vsw_api_model(api));
	return 0;
}

static const char *
hook_status(void *arg, const char *kind, const json_t *obj)
{
	struct vswd *d = arg;

	/* Also called while the API loads the db: no d->api yet. */
	return vsw_dp_sync_status(d->sync, kind, obj);
}

static const char *
hook_status_reason(void *arg, const char *kind, const json_t *obj)
{
	struct vswd *d = arg;

	return vsw_dp_sync_status_reason(d->sync, kind, obj);
}

/* workers.list: which worker polls which VNIC queue. */
static int
method_workers_list(struct vsw_ctx *ctx, void *data, json_t *params,
		    json_t **result, struct vsw_error *err)
{
	struct vswd *d = data;
	static const char *const none[] = { NULL };
	int rc = vsw_params_only(params, none, err);

	RTE_SET_USED(ctx);
	if (rc < 0)
		return rc;
	*result = vsw_dp_sync_workers(d->sync);
	return 0;
}

/* neighbors.list: what the appliance learned by ARP or is resolving. */
static int
method_neighbors_list(struct vsw_ctx *ctx, void *data, json_t *params,
		      json_t **result, struct vsw_error *err)
{
	struct vswd *d = data;
	static const char *const none[] = { NULL };
	int rc = vsw_params_only(params, none, err);

	RTE_SET_USED(ctx);
	if (rc < 0)
		return rc;
	*result = vsw_punt_handler_neighbours(d->punt, rte_rdtsc());
	return 0;
}

static void
on_dp_event(void *arg, int fd, uint32_t events)
{
	struct vswd *d = arg;

	RTE_SET_USED(fd);
	RTE_SET_USED(events);
	if (vsw_dp_process_events(d->dp))
		refresh_status_views(d, vsw_api_model(d->api));
}

static void
on_tick(void *arg)
{
	struct vswd *d = arg;
	uint64_t digest;

	vsw_dp_tick(d->dp);
	vsw_punt_handler_poll(d->punt, rte_rdtsc(), VSW_PUNT_BUDGET);
	vsw_punt_handler_tick(d->punt, rte_rdtsc());
	/* An SA past a lifetime shows it. */
	digest = vsw_dp_sync_ipsec_digest(d->sync);
	if (digest != d->ipsec_digest) {
		d->ipsec_digest = digest;
		refresh_status_views(d, vsw_api_model(d->api));
	}
	/* A VTEP first heard from gets its vport (and its place in flooding). */
	if (vsw_dp_sync_learn(d->sync)) {
		vsw_dp_sync_apply(d->sync, vsw_api_model(d->api));
		refresh_status_views(d, vsw_api_model(d->api));
	}
}

static void
hook_system_info(void *arg, json_t *info)
{
	struct vswd *d = arg;
	json_t *workers = json_array();
	unsigned int i;

	for (i = 0; i < vsw_dp_worker_count(d->dp); i++) {
		struct vsw_worker_info wi;

		vsw_dp_worker_info(d->dp, i, &wi);
		json_array_append_new(workers, json_pack("{s:I, s:I, s:I}",
			"worker", (json_int_t)i, "lcore", (json_int_t)wi.lcore_id,
			"cpu", (json_int_t)wi.cpu));
	}
	json_object_set_new(info, "worker_cpus", workers);
	json_object_set_new(info, "dpdk_version", json_string(rte_version()));
	json_object_set_new(info, "crypto_arch", json_string(vsw_crypto_best_arch()));
	json_object_set_new(info, "crypto_library",
			    json_sprintf("intel-ipsec-mb %s", vsw_crypto_library_version()));
	json_object_set_new(info, "socket", json_string(d->cfg.socket_path));
	json_object_set_new(info, "run_dir", json_string(d->cfg.run_dir));
	json_object_set_new(info, "eal_file_prefix", json_string(d->cfg.file_prefix));
}

static json_t *
worker_stats(const struct vsw_worker_info *wi, unsigned int i)
{
	const struct vsw_worker_counters *c = &wi->counters;
	uint64_t total = c->busy_cycles + c->idle_cycles;
	uint64_t pkts = c->rx_packets;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}",
		"worker", (json_int_t)i, "lcore", (json_int_t)wi->lcore_id,
		"rx_queues", (json_int_t)wi->n_rx_queues,
		"loops", (json_int_t)c->loops, "sleeps", (json_int_t)c->sleeps,
		"rx_packets", (json_int_t)c->rx_packets,
		"tx_packets", (json_int_t)c->tx_packets,
		"busy_pct", total ? 100.0 * (double)c->busy_cycles / (double)total : 0.0,
		"cycles_per_packet", pkts ? (double)c->busy_cycles / (double)pkts : 0.0);
}

static json_t *
nat_stats(struct vswd *d)
{
	struct vsw_nat_stats ns;

	vsw_nat_stats(vsw_dp_nat(d->dp), &ns);
	return json_pack("{s:I, s:I, s:I, s:I}", "active", (json_int_t)ns.active,
			 "created", (json_int_t)ns.created, "expired", (json_int_t)ns.expired,
			 "full", (json_int_t)ns.full);
}

static void
hook_stats(void *arg, json_t *stats)
{
	struct vswd *d = arg;
	struct vsw_mempool_info mp;
	json_t *workers = json_array();
	json_t *server = json_object();
	unsigned int i;

	for (i = 0; i < vsw_dp_worker_count(d->dp); i++) {
		struct vsw_worker_info wi;

		vsw_dp_worker_info(d->dp, i, &wi);
		json_array_append_new(workers, worker_stats(&wi, i));
	}
	json_object_set_new(stats, "workers", workers);
	vsw_dp_mempool_info(d->dp, &mp);
	json_object_set_new(stats, "mempool", json_pack("{s:s, s:I, s:I, s:I}",
		"name", mp.name, "size", (json_int_t)mp.size,
		"in_use", (json_int_t)mp.in_use, "available", (json_int_t)mp.available));
	if (d->srv != NULL)
		vsw_rpc_server_stats(d->srv, server);
	json_object_set_new(stats, "server", server);
	vsw_dp_sync_stats(d->sync, vsw_api_model(d->api), stats);
	json_object_set_new(stats, "punt", vsw_punt_handler_stats(d->punt));
	json_object_set_new(stats, "nat", nat_stats(d));
}

static int
open_state(struct vswd *d)
{
	struct vsw_api_hooks hooks = {
		.arg = d,
		.apply = hook_apply,
		.system_info = hook_system_info,
		.stats = hook_stats,
		.status = hook_status,
		.status_reason = hook_status_reason,
	};
	struct vsw_api_options opt = {
		.db_path = d->cfg.db_path,
		.default_project = d->cfg.default_project,
		.max_networks = d->cfg.max_networks,
		.max_ports = d->cfg.max_ports,
		.max_vnics = d->cfg.max_vnics,
		.version = VSW_VERSION,
		.n_workers = d->cfg.n_workers,
	};
	struct vsw_error err;

	vsw_error_clear(&err);
	d->api = vsw_api_create(&opt, &hooks, &err);
	if (d->api == NULL) {
		fprintf(stderr, "vswd: state db %s: %s\n", d->cfg.db_path, err.message);
		VSW_LOG(ERR, "state db %s: %s", d->cfg.db_path, err.message);
		return -EIO;
	}
	if (vsw_api_register_method(d->api, "workers.list", method_workers_list, d, 0) < 0 ||
	    vsw_api_register_method(d->api, "neighbors.list", method_neighbors_list, d,
				    VSW_METHOD_ADMIN) < 0)
		return -ENOMEM;
	/* Everything the database holds is put back in force before the
	 * API socket opens. */
	vsw_dp_sync_apply(d->sync, vsw_api_model(d->api));
	refresh_status_views(d, vsw_api_model(d->api));
	return 0;
}

/* Uplinks named in the config file and not stored yet are created as if
 * by an admin request: a bad one is a configuration error. */
static int
apply_config_uplinks(struct vswd *d)
{
	char msg[512];

	if (vsw_uplinks_apply_config(d->api, &d->cfg, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "vswd: config: %s\n", msg);
		VSW_LOG(ERR, "config: %s", msg);
		return -EINVAL;
	}
	return 0;
}

static int
start_control(struct vswd *d, const sigset_t *sigs)
{
	struct vsw_error err;

	vsw_error_clear(&err);
	d->loop = vsw_loop_create();
	if (d->loop == NULL)
		return -ENOMEM;
	d->srv = vsw_rpc_server_create(d->loop, d->api, &d->cfg, &err);
	if (d->srv == NULL) {
		fprintf(stderr, "vswd: API socket %s: %s\n", d->cfg.socket_path,
			err.message);
		return err.errnum ?: -EIO;
	}
	d->signal_fd = signalfd(-1, sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->signal_fd < 0)
		return -errno;
	if (vsw_loop_add_fd(d->loop, vsw_dp_event_fd(d->dp), EPOLLIN, on_dp_event, d) < 0 ||
	    vsw_loop_add_timer(d->loop, VSW_TICK_MS, on_tick, d) < 0)
		return -ENOMEM;
	return vsw_loop_add_fd(d->loop, d->signal_fd, EPOLLIN, on_signal, d);
}

static const struct vsw_fib *
punt_fib(void *arg)
{
	return vsw_dp_fib(((struct vswd *)arg)->dp);
}

static const struct vsw_model *
punt_model(void *arg)
{
	struct vswd *d = arg;

	return d->api != NULL ? vsw_api_model(d->api) : NULL;
}

static const char *
punt_net_id(void *arg, uint16_t net)
{
	return vsw_dp_sync_network_id(((struct vswd *)arg)->sync, net);
}

/* A router or underlay gone: its learned neighbours and parked packets go. */
static void
scope_released(void *arg, uint16_t scope)
{
	struct vswd *d = arg;

	if (d->punt != NULL)
		vsw_punt_handler_flush_scope(d->punt, scope);
}

static struct vsw_punt_handler *
create_punt_handler(struct vswd *d)
{
	struct vsw_punt_handler_params p = {
		.punt = vsw_dp_punt(d->dp),
		.kvt = vsw_dp_kvt(d->dp),
		.pool = vsw_dp_pool(d->dp),
		.fib = punt_fib,
		.model = punt_model,
		.net_id = punt_net_id,
		.arg = d,
		.tsc_hz = rte_get_tsc_hz(),
	};

	if (d->sync != NULL)
		vsw_dp_sync_on_scope_released(d->sync, scope_released, d);
	return vsw_punt_handler_create(&p);
}

static void
shutdown_all(struct vswd *d)
{
	if (d->srv != NULL)
		vsw_rpc_server_destroy(d->srv);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	if (d->loop != NULL)
		vsw_loop_destroy(d->loop);
	if (d->api != NULL)
		vsw_api_destroy(d->api);
	vsw_dp_sync_destroy(d->sync);
	if (d->punt != NULL)
		vsw_punt_handler_free(d->punt);
	if (d->dp != NULL)
		vsw_dp_destroy(d->dp);
}

int
main(int argc, char **argv)
{
	static struct vswd d = { .signal_fd = -1 };
	char err[512];
	sigset_t sigs;
	int rc;

	switch (vsw_config_from_args(&d.cfg, argc, argv, err, sizeof(err))) {
	case VSW_CONFIG_ARGS_EXIT_OK:
		return VSW_EXIT_OK;
	case VSW_CONFIG_ARGS_ERROR:
		fprintf(stderr, "%s\n", err);
		return VSW_EXIT_CONFIG;
	case VSW_CONFIG_ARGS_OK:
		break;
	}
	rc = make_dirs(d.cfg.run_dir, 0755);
	if (rc < 0) {
		fprintf(stderr, "vswd: cannot create run dir %s: %s\n",
			d.cfg.run_dir, strerror(-rc));
		return VSW_EXIT_STARTUP;
	}
	if (block_signals(&sigs) < 0 ||
	    vsw_dp_eal_init(&d.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "vswd: %s\n", err);
		return VSW_EXIT_STARTUP;
	}
	d.dp = vsw_dp_create(&d.cfg, err, sizeof(err));
	if (d.dp == NULL) {
		fprintf(stderr, "vswd: %s\n", err);
		rte_eal_cleanup();
		return VSW_EXIT_STARTUP;
	}
	d.sync = vsw_dp_sync_create(d.dp);
	d.punt = create_punt_handler(&d);
	if (d.sync == NULL || d.punt == NULL) {
		shutdown_all(&d);
		return VSW_EXIT_STARTUP;
	}
	if (open_state(&d) < 0) {
		shutdown_all(&d);
		return VSW_EXIT_STATE;
	}
	if (apply_config_uplinks(&d) < 0) {
		shutdown_all(&d);
		return VSW_EXIT_CONFIG;
	}
	rc = start_control(&d, &sigs);
	if (rc < 0) {
		shutdown_all(&d);
		return VSW_EXIT_STARTUP;
	}
	VSW_LOG(NOTICE, "vswd %s ready: socket %s, state %s, %u workers",
		VSW_VERSION, d.cfg.socket_path, d.cfg.db_path, d.cfg.n_workers);
	rc = vsw_loop_run(d.loop);
	shutdown_all(&d);
	VSW_LOG(NOTICE, "vswd stopped");
	return rc < 0 ? VSW_EXIT_STARTUP : VSW_EXIT_OK;
}
