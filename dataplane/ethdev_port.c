/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Any ethdev as a port (net_pcap, net_tap, net_af_packet, net_ring,
 * net_null, PCI): hot-plugged from devargs with rte_dev_probe when opened,
 * hot-unplugged with rte_dev_remove when closed, so the same devargs can be
 * opened again later.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "dp_port.h"
#include "log.h"

#define VSW_ETH_MTU 9000
#define VSW_ETH_DEFAULT_DESC 1024
#define VSW_ETH_RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

/* --- fast path ----------------------------------------------------------- */

static uint16_t
eth_rx(struct vsw_dp_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(p->eth.port_id, q, pkts, n);
}

static uint16_t
eth_tx(struct vsw_dp_port *p, unsigned int w, struct rte_mbuf **pkts,
       uint16_t n)
{
	uint16_t q = w % p->n_txq; /* n_txq is fixed while the port is open */
	uint16_t sent;

	if (p->tx_shared) {
		rte_spinlock_lock(&p->txq_lock[q]);
		sent = rte_eth_tx_burst(p->eth.port_id, q, pkts, n);
		rte_spinlock_unlock(&p->txq_lock[q]);
	} else {
		sent = rte_eth_tx_burst(p->eth.port_id, q, pkts, n);
	}
	if (unlikely(sent < n))
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	return sent;
}

static const struct vsw_dp_port_ops eth_ops = {
	.rx = eth_rx,
	.tx = eth_tx,
};

/* --- open / close ---------------------------------------------------------- */


/* The ethdev port of the device called name (a device may name its port
 * differently: net_ring's nodeaction does), or -ENODEV. */
static int
port_of_device(const char *name)
{
	struct rte_eth_dev_info info;
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		if (rte_eth_dev_info_get(pid, &info) == 0 && info.device != NULL &&
		    strcmp(rte_dev_name(info.device), name) == 0)
			return pid;
	}
	return -ENODEV;
}

/* The bus and device names the devargs designate (e.g. "vdev", "net_pcap0"). */
static int
device_name(struct vsw_dp_port *p, char *bus, char *name, size_t len,
	    char *err, size_t errlen)
{
	struct rte_devargs da;
	int rc;

	memset(&da, 0, sizeof(da));
	rc = rte_devargs_parse(&da, p->cfg.devargs);
	if (rc < 0)
		return vsw_dp_port_fail(p, err, errlen, rc, "cannot parse devargs \"%s\": no "
			    "bus or driver knows that device", p->cfg.devargs);
	snprintf(name, len, "%s", da.name);
	snprintf(bus, len, "%s", rte_bus_name(da.bus));
	rte_devargs_reset(&da);
	return 0;
}

static int
setup_queues(struct vsw_dp_port *p, const struct rte_eth_dev_info *info,
	     char *err, size_t errlen)
{
	uint16_t pid = p->eth.port_id;
	uint16_t nb_rxd = info->default_rxportconf.ring_size;
	uint16_t nb_txd = info->default_txportconf.ring_size;
	int socket = rte_eth_dev_socket_id(pid);
	uint16_t q;
	int rc;

	if (nb_rxd == 0)
		nb_rxd = VSW_ETH_DEFAULT_DESC;
	if (nb_txd == 0)
		nb_txd = VSW_ETH_DEFAULT_DESC;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rxd, &nb_txd);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, nb_rxd, socket, NULL, p->pool);
		if (rc < 0)
			return vsw_dp_port_fail(p, err, errlen, rc, "rx queue %u setup on %s: %s",
				    q, p->cfg.devargs, rte_strerror(-rc));
	}
	for (q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, nb_txd, socket, NULL);
		if (rc < 0)
			return vsw_dp_port_fail(p, err, errlen, rc, "tx queue %u setup on %s: %s",
				    q, p->cfg.devargs, rte_strerror(-rc));
	}
	return 0;
}

/* Jumbo frames where the device can: 9000, else its maximum; frames the
 * device cannot scatter over several mbufs must fit one. */
static void
set_mtu(struct vsw_dp_port *p, const struct rte_eth_dev_info *info)
{
	uint32_t mtu = RTE_MIN((uint32_t)VSW_ETH_MTU, (uint32_t)info->max_mtu);
	uint32_t one_mbuf;

	if (!(info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
		one_mbuf = rte_pktmbuf_data_room_size(p->pool) - RTE_PKTMBUF_HEADROOM -
			   RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
		mtu = RTE_MIN(mtu, one_mbuf);
	}
	if (mtu > RTE_ETHER_MTU && rte_eth_dev_set_mtu(p->eth.port_id, mtu) != 0)
		VSW_DP_LOG(DEBUG, "port %s: MTU %u refused, keeping the default",
			   p->cfg.name, mtu);
}

static int
configure(struct vsw_dp_port *p, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t pid = p->eth.port_id;
	int rc;

	rc = rte_eth_dev_info_get(pid, &info);
	if (rc < 0)
		return vsw_dp_port_fail(p, err, errlen, rc, "cannot query %s: %s",
			    p->cfg.devargs, rte_strerror(-rc));
	p->n_rxq = RTE_MIN(RTE_MAX(p->cfg.queues, (uint16_t)1),
			   RTE_MIN(info.max_rx_queues, (uint16_t)VSW_DP_MAX_QUEUES));
	p->n_txq = RTE_MIN((uint16_t)RTE_MAX(p->n_workers, 1U),
			   RTE_MIN(info.max_tx_queues, (uint16_t)VSW_DP_MAX_QUEUES));
	if (p->n_rxq == 0 || p->n_txq == 0)
		return vsw_dp_port_fail(p, err, errlen, -ENOTSUP, "%s has no rx or no tx queue",
			    p->cfg.devargs);
	p->tx_shared = p->n_txq < p->n_workers;

	memset(&conf, 0, sizeof(conf));
	if (p->n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads & VSW_ETH_RSS_HF;
	}
	conf.rxmode.offloads = info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	rc = rte_eth_dev_configure(pid, p->n_rxq, p->n_txq, &conf);
	if (rc < 0)
		return vsw_dp_port_fail(p, err, errlen, rc, "cannot configure %s with %u rx / "
			    "%u tx queues: %s", p->cfg.devargs, p->n_rxq, p->n_txq,
			    rte_strerror(-rc));
	rc = setup_queues(p, &info, err, errlen);
	if (rc < 0)
		return rc;
	set_mtu(p, &info);
	rc = rte_eth_promiscuous_enable(pid);
	if (rc < 0 && rc != -ENOTSUP)
		VSW_DP_LOG(WARNING, "port %s: no promiscuous mode: %s", p->cfg.name,
			   rte_strerror(-rc));
	rc = rte_eth_dev_start(pid);
	if (rc < 0)
		return vsw_dp_port_fail(p, err, errlen, rc, "cannot start %s: %s",
			    p->cfg.devargs, rte_strerror(-rc));
	p->eth.started = true;
	return 0;
}

/* Undoes whatever open got done: stop, close, unplug. */
static void
detach(struct vsw_dp_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;
	uint16_t pid = p->eth.port_id;
	int rc;

	if (!p->eth.attached)
		return;
	if (rte_eth_dev_info_get(pid, &info) == 0)
		dev = info.device;
	if (p->eth.started)
		rte_eth_dev_stop(pid);
	p->eth.started = false;
	rte_eth_dev_close(pid);
	if (dev != NULL) {
		rc = rte_dev_remove(dev);
		if (rc < 0)
			VSW_DP_LOG(ERR, "port %s: cannot unplug %s: %s", p->cfg.name,
				   p->cfg.devargs, rte_strerror(-rc));
	}
	p->eth.attached = false;
}

static int
attach(struct vsw_dp_port *p, char *err, size_t errlen)
{
	char name[RTE_DEV_NAME_MAX_LEN], bus[RTE_DEV_NAME_MAX_LEN];
	int rc, pid;

	rc = device_name(p, bus, name, sizeof(name), err, errlen);
	if (rc < 0)
		return rc;
	if (port_of_device(name) >= 0)
		return vsw_dp_port_fail(p, err, errlen, -EEXIST, "device %s already attached",
			    name);
	rc = rte_dev_probe(p->cfg.devargs);
	if (rc < 0)
		return vsw_dp_port_fail(p, err, errlen, rc, "cannot attach \"%s\": %s",
			    p->cfg.devargs, rc == -EEXIST ?
			    "device already attached" : rc == -EPERM ?
			    "the driver refused it (the log says why)" :
			    rte_strerror(-rc));
	pid = port_of_device(name);
	if (pid < 0) {
		rte_eal_hotplug_remove(bus, name);
		return vsw_dp_port_fail(p, err, errlen, -ENODEV, "device %s is not a network "
			    "device", name);
	}
	p->eth.port_id = (uint16_t)pid;
	p->eth.attached = true;
	return 0;
}

static void
reset_port(struct vsw_dp_port *p)
{
	unsigned int i;

	p->type = VSW_DP_PORT_ETHDEV;
	p->ops = &eth_ops;
	p->ready = false;
	p->n_rxq = 0;
	p->n_txq = 0;
	p->tx_shared = false;
	for (i = 0; i < VSW_DP_MAX_QUEUES; i++)
		rte_spinlock_init(&p->txq_lock[i]);
	p->state = VSW_DP_PORT_DOWN;
	p->error[0] = '\0';
	p->eth.port_id = RTE_MAX_ETHPORTS;
	p->eth.attached = false;
	p->eth.started = false;
}

int
vsw_ethdev_port_open(struct vsw_dp_port *p, char *err, size_t errlen)
{
	uint16_t mtu = 0;
	int rc;

	reset_port(p);
	if (p->cfg.devargs[0] == '\0' ||
	    strnlen(p->cfg.devargs, VSW_DP_DEVARGS_MAX) >= VSW_DP_DEVARGS_MAX)
		return vsw_dp_port_fail(p, err, errlen, -EINVAL, "bad devargs");
	rc = attach(p, err, errlen);
	if (rc == 0)
		rc = configure(p, err, errlen);
	if (rc < 0) {
		detach(p);
		p->n_rxq = p->n_txq = 0;
		return rc;
	}
	__atomic_store_n(&p->state, VSW_DP_PORT_UP, __ATOMIC_RELAXED);
	__atomic_store_n(&p->ready, true, __ATOMIC_RELEASE);
	rte_eth_dev_get_mtu(p->eth.port_id, &mtu);
	VSW_DP_LOG(INFO, "port %s: %s is ethdev port %u, %u rx / %u tx queues%s, "
		   "MTU %u", p->cfg.name, p->cfg.devargs, p->eth.port_id, p->n_rxq,
		   p->n_txq, p->tx_shared ? " (shared tx)" : "", mtu);
	vsw_dp_port_changed(p);
	return 0;
}

void
vsw_ethdev_port_close(struct vsw_dp_port *p)
{
	__atomic_store_n(&p->ready, false, __ATOMIC_RELEASE);
	vsw_dp_port_quiesce(p);
	detach(p);
	__atomic_store_n(&p->n_rxq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->n_txq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->state, VSW_DP_PORT_DOWN, __ATOMIC_RELAXED);
}
