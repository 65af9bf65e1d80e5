/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands (dpdk-telemetry.py -f PREFIX):
 *   /vsw/ports          open data-plane ports: index -> VNIC id
 *   /vsw/port,INDEX     one port's counters, drops by reason
 *   /vsw/workers        per-worker loop and packet counters
 * The callbacks run on the telemetry thread: they read counters racily
 * (harmless) and take the data plane's port lock to read port names.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dp.h"
#include "dp_internal.h"

/* rte_telemetry callbacks take no argument: the one data plane of the
 * process is set here once, before the commands are registered. */
static struct vsw_dataplane *tel_dp;

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel_dp->port_lock);
	for (i = 0; i < VSW_DP_MAX_PORTS; i++) {
		char key[16];

		if (tel_dp->ports[i] == NULL)
			continue;
		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_string(d, key, tel_dp->ports[i]->cfg.name);
	}
	pthread_mutex_unlock(&tel_dp->port_lock);
	return 0;
}

static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vsw_port_stats st;
	char *end = NULL;
	unsigned long idx;
	bool open;
	int r;

	RTE_SET_USED(cmd);
	if (params == NULL || *params == '\0')
		return -EINVAL;
	idx = strtoul(params, &end, 10);
	if (*end != '\0' || idx >= VSW_DP_MAX_PORTS)
		return -EINVAL;
	pthread_mutex_lock(&tel_dp->port_lock);
	open = tel_dp->ports[idx] != NULL;
	if (open) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_string(d, "vnic", tel_dp->ports[idx]->cfg.name);
		vsw_dp_port_stats(tel_dp, (uint16_t)idx, &st);
	}
	pthread_mutex_unlock(&tel_dp->port_lock);
	if (!open)
		return -ENOENT;
	rte_tel_data_add_dict_u64(d, "rx_packets", st.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", st.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "flooded", st.flooded);
	rte_tel_data_add_dict_u64(d, "ingress_cycles", st.cycles);
	for (r = 0; r < VSW_DROP_MAX; r++) {
		char key[48];

		snprintf(key, sizeof(key), "drop_%s", vsw_drop_key((enum vsw_drop)r));
		rte_tel_data_add_dict_u64(d, key, st.drops[r]);
	}
	return 0;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	for (i = 0; i < tel_dp->n_workers; i++) {
		char key[16];
		const struct vsw_worker_counters *c = &tel_dp->workers[i].counters;
		struct rte_tel_data *w = rte_tel_data_alloc();

		if (w == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_u64(w, "worker", i);
		rte_tel_data_add_dict_u64(w, "lcore", tel_dp->workers[i].lcore_id);
		rte_tel_data_add_dict_u64(w, "loops", c->loops);
		rte_tel_data_add_dict_u64(w, "busy_cycles", c->busy_cycles);
		rte_tel_data_add_dict_u64(w, "idle_cycles", c->idle_cycles);
		rte_tel_data_add_dict_u64(w, "rx_packets", c->rx_packets);
		rte_tel_data_add_dict_u64(w, "tx_packets", c->tx_packets);
		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_container(d, key, w, 0);
	}
	return 0;
}

void
vsw_dp_telemetry_register(struct vsw_dataplane *dp)
{
	if (tel_dp != NULL)
		return;
	tel_dp = dp;
	rte_telemetry_register_cmd("/vsw/ports", tel_ports,
				   "Open vsw data-plane ports: index -> VNIC id");
	rte_telemetry_register_cmd("/vsw/port", tel_port,
				   "Counters of one vsw port. Parameters: int port index");
	rte_telemetry_register_cmd("/vsw/workers", tel_workers,
				   "Loop and packet counters of each vsw worker");
}
