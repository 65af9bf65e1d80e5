/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_malloc.h>

#include "dp_sync_internal.h"
#include "ipam.h"
#include "log.h"
#include "vhost_port.h"

struct vsw_dp_sync *
vsw_dp_sync_create(struct vsw_dataplane *dp)
{
	struct vsw_dp_sync *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->dp = dp;
	s->vnic_slots = json_object();
	s->net_idx = json_object();
	s->statics = json_object();
	s->l3 = vsw_l3_sync_create(dp);
	s->vpn = vsw_vpn_sync_create();
	if (s->vnic_slots == NULL || s->net_idx == NULL || s->statics == NULL ||
	    s->l3 == NULL || s->vpn == NULL) {
		vsw_dp_sync_destroy(s);
		return NULL;
	}
	return s;
}

void
vsw_dp_sync_destroy(struct vsw_dp_sync *s)
{
	if (s == NULL)
		return;
	/* l3 first: it takes the tables away from the workers. */
	vsw_l3_sync_destroy(s->l3);
	vsw_vpn_sync_destroy(s->vpn);
	json_decref(s->vnic_slots);
	json_decref(s->net_idx);
	json_decref(s->statics);
	free(s);
}

/* --- VNIC devices --- */

static void
fill_port_config(const json_t *vnic, struct vsw_dp_port_config *cfg)
{
	const char *type = obj_str(vnic, "type");

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", obj_str(vnic, "id"));
	if (type != NULL && strcmp(type, "vhost-user") == 0) {
		const char *mode = obj_str(vnic, "mode");

		cfg->type = VSW_DP_PORT_VHOST;
		snprintf(cfg->socket, sizeof(cfg->socket), "%s", obj_str(vnic, "socket"));
		cfg->client = mode == NULL || strcmp(mode, "client") == 0;
		cfg->reconnect = obj_bool(vnic, "reconnect", true);
		cfg->queues = (uint16_t)json_integer_value(json_object_get(vnic, "queues"));
		if (cfg->queues == 0)
			cfg->queues = 1;
	} else {
		cfg->type = VSW_DP_PORT_ETHDEV;
		snprintf(cfg->devargs, sizeof(cfg->devargs), "%s", obj_str(vnic, "devargs"));
		cfg->queues = 1;
	}
}

static void
open_vnic(struct vsw_dp_sync *s, const char *id, const json_t *vnic)
{
	struct vsw_dp_port_config cfg;
	struct vnic_dev *d = NULL;
	uint16_t idx;
	size_t slot;
	int rc;

	for (slot = 0; slot < VSW_DP_MAX_PORTS; slot++) {
		if (s->devs[slot].id[0] == '\0') {
			d = &s->devs[slot];
			break;
		}
	}
	if (d == NULL) {
		VSW_LOG(ERR, "vnic %s: no free device slot", id);
		return;
	}
	snprintf(d->id, sizeof(d->id), "%s", id);
	d->error[0] = '\0';
	json_object_set_new(s->vnic_slots, id, json_integer((json_int_t)slot));
	fill_port_config(vnic, &cfg);
	rc = vsw_dp_port_open(s->dp, &cfg, &idx, d->error, sizeof(d->error));
	if (rc < 0) {
		d->dp_idx = -1;
		VSW_LOG(ERR, "vnic %s: %s", id, d->error);
		return;
	}
	d->dp_idx = idx;
	s->dev_id[idx] = d->id;
	VSW_LOG(INFO, "vnic %s: device open as port %u", id, idx);
}

static void
close_vnic(struct vsw_dp_sync *s, struct vnic_dev *d)
{
	if (d->dp_idx >= 0) {
		vsw_dp_port_close(s->dp, (uint16_t)d->dp_idx);
		vsw_mac_table_flush_port(vsw_dp_mac_table(s->dp), (uint16_t)d->dp_idx);
		s->dev_id[d->dp_idx] = NULL;
	}
	VSW_LOG(INFO, "vnic %s: device closed", d->id);
	json_object_del(s->vnic_slots, d->id);
	memset(d, 0, sizeof(*d));
}

static const struct vnic_dev *
vnic_dev(const struct vsw_dp_sync *s, const char *id)
{
	json_t *slot = id != NULL ? json_object_get(s->vnic_slots, id) : NULL;

	return slot != NULL ? &s->devs[json_integer_value(slot)] : NULL;
}

static void
sync_vnics(struct vsw_dp_sync *s, const json_t *vnics)
{
	const char *id;
	json_t *vnic;
	size_t slot;

	for (slot = 0; slot < VSW_DP_MAX_PORTS; slot++) {
		struct vnic_dev *d = &s->devs[slot];

		if (d->id[0] != '\0' && json_object_get(vnics, d->id) == NULL)
			close_vnic(s, d);
	}
	json_object_foreach((json_t *)vnics, id, vnic)
		if (json_object_get(s->vnic_slots, id) == NULL)
			open_vnic(s, id, vnic);
}

/* --- networks --- */

int
vsw_dp_sync_network_index(struct vsw_dp_sync *s, const char *net_id)
{
	json_t *v = json_object_get(s->net_idx, net_id);
	int i;

	if (v != NULL)
		return (int)json_integer_value(v);
	for (i = 0; i < VSW_DP_MAX_NETWORKS; i++) {
		if (!s->net_used[i]) {
			s->net_used[i] = true;
			json_object_set_new(s->net_idx, net_id, json_integer(i));
			s->net_id[i] = json_object_iter_key(json_object_iter_at(s->net_idx,
										 net_id));
			return i;
		}
	}
	return -1;
}

static void
sync_networks(struct vsw_dp_sync *s, const json_t *networks)
{
	struct vsw_mac_table *macs = vsw_dp_mac_table(s->dp);
	const char *id;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(s->net_idx, tmp, id, v) {
		if (json_object_get(networks, id) != NULL)
			continue;
		vsw_mac_table_flush_network(macs, (uint16_t)json_integer_value(v));
		s->net_used[json_integer_value(v)] = false;
		s->net_id[json_integer_value(v)] = NULL;
		json_object_del(s->net_idx, id);
	}
	json_object_foreach((json_t *)networks, id, v)
		vsw_dp_sync_network_index(s, id);
}

/* --- fib --- */

rte_be32_t
vsw_dp_sync_parse_ip(const char *text)
{
	uint32_t a;

	return vsw_ipv4_parse(text, &a) == 0 ? rte_cpu_to_be_32(a) : 0;
}

int
vsw_dp_sync_parse_prefix(const char *text, rte_be32_t *prefix, rte_be32_t *mask)
{
	struct vsw_cidr c;
	uint32_t a;

	if (text != NULL && strchr(text, '/') == NULL) {
		if (vsw_ipv4_parse(text, &a) < 0)
			return -EINVAL;
		c.addr = a;
		c.plen = 32;
	} else if (vsw_cidr_parse(text, &c, NULL) < 0) {
		return -EINVAL;
	}
	*prefix = rte_cpu_to_be_32(c.addr);
	*mask = rte_cpu_to_be_32(vsw_cidr_mask(c.plen));
	return 0;
}

void
vsw_dp_sync_parse_mac(const char *text, struct rte_ether_addr *mac)
{
	if (text == NULL || rte_ether_unformat_addr(text, mac) < 0)
		memset(mac, 0, sizeof(*mac));
}

static void
add_pair(struct vsw_port_security *ps, const json_t *pair)
{
	const char *mac = obj_str(pair, "mac_address");
	struct vsw_ps_pair *p;

	if (ps->n_pairs >= VSW_PS_MAX_PAIRS)
		return;
	p = &ps->pairs[ps->n_pairs];
	if (vsw_dp_sync_parse_prefix(obj_str(pair, "ip_address"), &p->addr, &p->mask) < 0)
		return;   /* IPv6 pairs wait for IPv6 port security */
	if (mac != NULL)
		vsw_dp_sync_parse_mac(mac, &p->mac);
	else
		p->mac = ps->mac;
	ps->n_pairs++;
}
static void
compile_port_security(const json_t *port, struct vsw_port_security *ps)
{
	const json_t *list, *item;
	size_t i;

	ps->enabled = obj_bool(port, "port_security_enabled", true);
	vsw_dp_sync_parse_mac(obj_str(port, "mac_address"), &ps->mac);
	list = json_object_get(port, "fixed_ips");
	json_array_foreach(list, i, item) {
		const char *ip = obj_str(item, "ip_address");

		if (ip != NULL && ps->n_ips < VSW_PS_MAX_IPS &&
		    inet_pton(AF_INET, ip, &ps->ips[ps->n_ips]) == 1)
			ps->n_ips++;
	}
	list = json_object_get(port, "allowed_address_pairs");
	json_array_foreach(list, i, item)
		add_pair(ps, item);
}

/* A plugged VNIC's place in the fib: its port's network and settings. */
struct plugged {
	uint16_t dp_idx;
	int net;
	const json_t *port;
};

static unsigned int
collect_plugged(struct vsw_dp_sync *s, const struct vsw_model *model,
		struct plugged *out)
{
	const json_t *vnics = vsw_model_kind(model, "vnic");
	const char *id;
	json_t *vnic;
	unsigned int n = 0;

	json_object_foreach((json_t *)vnics, id, vnic) {
		const struct vnic_dev *d = vnic_dev(s, id);
		const char *port_id = obj_str(vnic, "port_id");
		const json_t *port;

		if (d == NULL || d->dp_idx < 0 || port_id == NULL)
			continue;
		port = vsw_model_get(model, "port", port_id);
		if (port == NULL)
			continue;
		out[n].dp_idx = (uint16_t)d->dp_idx;
		out[n].port = port;
		out[n].net = vsw_dp_sync_network_index(s, obj_str(port, "network_id"));
		if (out[n].net >= 0)
			n++;
	}
	return n;
}

/* VNIC ports: network, admin state, MTU, port security. */
static void
fill_vnic_ports(const struct vsw_model *model, struct vsw_fib *fib,
		const struct plugged *pl, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const json_t *network = vsw_model_get(model, "network",
						      obj_str(pl[i].port, "network_id"));
		struct vsw_fib_port *fp = &fib->ports[pl[i].dp_idx];
		struct vsw_port_security *ps = &fib->ps[pl[i].dp_idx];

		fp->kind = VSW_FP_VNIC;
		fp->net = (uint16_t)pl[i].net;
		fp->admin_up = obj_bool(network, "admin_state_up", true) &&
			       obj_bool(pl[i].port, "admin_state_up", true);
		fp->max_frame = (uint32_t)json_integer_value(json_object_get(network, "mtu")) +
				RTE_ETHER_HDR_LEN;
		compile_port_security(pl[i].port, ps);
		/* A port without port security may front other MACs (a VM that
		 * bridges or routes): learn them. Others own exactly their MACs. */
		fp->learning = !ps->enabled;
	}
}

/* The VNIC members: a port's MAC and its address pairs' MACs are static
 * MAC entries; an admin-down port gets no frame at all, flooded ones
 * included. */
static unsigned int
vnic_members(const struct vsw_model *model, const struct plugged *pl,
	     unsigned int n, struct vsw_fib_member *m)
{
	struct vsw_port_security ps;
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		const json_t *network = vsw_model_get(model, "network",
						      obj_str(pl[i].port, "network_id"));

		memset(&ps, 0, sizeof(ps));
		compile_port_security(pl[i].port, &ps);
		memset(&m[i], 0, sizeof(m[i]));
		m[i].idx = pl[i].dp_idx;
		m[i].net = (uint16_t)pl[i].net;
		m[i].flood = obj_bool(network, "admin_state_up", true) &&
			     obj_bool(pl[i].port, "admin_state_up", true);
		m[i].macs[m[i].n_macs++] = ps.mac;
		for (k = 0; k < ps.n_pairs && m[i].n_macs < RTE_DIM(m[i].macs); k++)
			m[i].macs[m[i].n_macs++] = ps.pairs[k].mac;
	}
	return n;
}

/* Flood lists: per network, local members first, then tunnels. */
static struct vsw_fib *
alloc_fib(const struct vsw_fib_member *m, unsigned int n, uint32_t n_routers)
{
	uint32_t n_nets = 0, n_flood = 0, off = 0, *count;
	struct vsw_fib *fib;
	unsigned int i, pass;
	uint32_t net;

	for (i = 0; i < n; i++) {
		n_nets = RTE_MAX(n_nets, (uint32_t)m[i].net + 1);
		n_flood += m[i].flood;
	}
	fib = vsw_fib_alloc(n_nets, n_flood, n_routers);
	count = calloc(n_nets + 1, sizeof(*count));
	if (fib == NULL || count == NULL) {
		free(count);
		vsw_fib_free(fib);
		return NULL;
	}
	for (i = 0; i < n; i++)
		count[m[i].net] += m[i].flood;
	for (net = 0; net < n_nets; net++) {
		fib->nets[net].flood_off = off;
		off += count[net];
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			struct vsw_fib_net *fn = &fib->nets[m[i].net];

			if (!m[i].flood || m[i].tunnel != (pass == 1))
				continue;
			fib->flood[fn->flood_off + fn->n_flood++] = m[i].idx;
			fn->n_local += pass == 0;
		}
	}
	free(count);
	return fib;
}

static void
fill_networks(struct vsw_dp_sync *s, const struct vsw_model *model,
	      struct vsw_fib *fib)
{
	uint32_t net;

	for (net = 0; net < fib->n_nets; net++) {
		const json_t *network = s->net_id[net] != NULL ?
			vsw_model_get(model, "network", s->net_id[net]) : NULL;

		fib->nets[net].admin_up = obj_bool(network, "admin_state_up", true);
	}
}

/* Static MAC entries of every member. */
static void
sync_static_macs(struct vsw_dp_sync *s, const struct vsw_fib_member *m,
		 unsigned int n)
{
	struct vsw_mac_table *macs = vsw_dp_mac_table(s->dp);
	json_t *want = json_object();
	const char *key;
	json_t *v;
	void *tmp;
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		char buf[64], mac[RTE_ETHER_ADDR_FMT_SIZE];

		for (k = 0; k < m[i].n_macs; k++) {
			rte_ether_format_addr(mac, sizeof(mac), &m[i].macs[k]);
			snprintf(buf, sizeof(buf), "%u/%s", m[i].net, mac);
			json_object_set_new(want, buf, json_integer(m[i].idx));
		}
	}
	json_object_foreach_safe(s->statics, tmp, key, v) {
		json_t *w = json_object_get(want, key);
		struct rte_ether_addr mac;
		char *slash = strchr(key, '/');

		if (w != NULL && json_integer_value(w) == json_integer_value(v))
			continue;
		if (w == NULL && slash != NULL && rte_ether_unformat_addr(slash + 1, &mac) == 0)
			vsw_mac_table_del_static(macs, (uint16_t)atoi(key), &mac);
	}
	json_object_foreach(want, key, v) {
		struct rte_ether_addr mac;
		char *slash = strchr(key, '/');
		json_t *had = json_object_get(s->statics, key);

		if (had != NULL && json_integer_value(had) == json_integer_value(v))
			continue;
		if (slash != NULL && rte_ether_unformat_addr(slash + 1, &mac) == 0 &&
		    vsw_mac_table_add_static(macs, (uint16_t)atoi(key), &mac,
					     (uint16_t)json_integer_value(v)) < 0)
			VSW_LOG(WARNING, "MAC table full: %s not installed", key);
	}
	json_decref(s->statics);
	s->statics = want;
}

static void
sync_attachments(struct vsw_dp_sync *s, const struct plugged *pl, unsigned int n)
{
	bool on[VSW_DP_MAX_PORTS] = { false };
	unsigned int i;

	for (i = 0; i < n; i++)
		on[pl[i].dp_idx] = true;
	vsw_l3_sync_polled(s, on);
	for (i = 0; i < VSW_DP_MAX_PORTS; i++)
		if (vsw_dp_port_get(s->dp, (uint16_t)i) != NULL)
			vsw_dp_port_set_attached(s->dp, (uint16_t)i, on[i]);
	vsw_dp_apply_attachments(s->dp);
}

static bool
fib_equal(const struct vsw_fib *a, const struct vsw_fib *b)
{
	return a->n_nets == b->n_nets && a->n_flood == b->n_flood &&
	       a->n_routers == b->n_routers &&
	       memcmp(a->uplinks, b->uplinks, sizeof(a->uplinks)) == 0 &&
	       memcmp(a->ports, b->ports, sizeof(a->ports)) == 0 &&
	       memcmp(a->ps, b->ps, sizeof(a->ps)) == 0 &&
	       memcmp(a->routers, b->routers, sizeof(*a->routers) * a->n_routers) == 0 &&
	       memcmp(a->nets, b->nets, sizeof(*a->nets) * a->n_nets) == 0 &&
	       memcmp(a->flood, b->flood, sizeof(*a->flood) * a->n_flood) == 0;
}

/* The largest member list: every data-plane port and vport, and the
 * static FDB entries behind VTEPs. */
#define VSW_MAX_MEMBERS (VSW_FIB_MAX_PORTS + 65536)

void
vsw_dp_sync_apply(struct vsw_dp_sync *s, const struct vsw_model *model)
{
	struct vsw_fib_member *members;
	uint32_t n_routers = 0;
	struct plugged *pl;
	struct vsw_fib *fib = NULL;
	unsigned int n, n_members;

	s->model = model;
	sync_networks(s, vsw_model_kind(model, "network"));
	sync_vnics(s, vsw_model_kind(model, "vnic"));
	pl = malloc(sizeof(*pl) * VSW_DP_MAX_PORTS);
	members = malloc(sizeof(*members) * VSW_MAX_MEMBERS);
	if (pl == NULL || members == NULL)
		goto out;
	n = collect_plugged(s, model, pl);
	n_members = vnic_members(model, pl, n, members);
	n_members = vsw_l3_sync_prepare(s, model, members, n_members, VSW_MAX_MEMBERS,
					&n_routers);
	fib = alloc_fib(members, n_members, n_routers);
	if (fib == NULL) {
		VSW_LOG(ERR, "no memory to compile the forwarding tables");
		goto out;
	}
	fill_networks(s, model, fib);
	fill_vnic_ports(model, fib, pl, n);
	vsw_l3_sync_fill(s, model, fib);
	/* Entries of new ports first, so their frames never flood needlessly;
	 * removed entries' ports are already out of the old fib's reach. */
	sync_static_macs(s, members, n_members);
	if (fib_equal(fib, vsw_dp_fib(s->dp)))
		vsw_fib_free(fib);
	else
		vsw_dp_publish_fib(s->dp, fib);
	vsw_l3_sync_commit(s);
	/* Polled from now on: the fib that knows the port is already live. */
	sync_attachments(s, pl, n);
out:
	free(members);
	free(pl);
}

/* --- status and counters --- */

static const char *
vnic_status(const struct vsw_dp_sync *s, const char *id)
{
	const struct vnic_dev *d = vnic_dev(s, id);
	const struct vsw_dp_port *p;

	if (d == NULL)
		return "DOWN";
	if (d->dp_idx < 0)
		return "ERROR";
	p = vsw_dp_port_get(s->dp, (uint16_t)d->dp_idx);
	return p != NULL && __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) ? "ACTIVE" : "DOWN";
}

const char *
vsw_dp_sync_status(const struct vsw_dp_sync *s, const char *kind, const json_t *obj)
{
	const char *vnic_id, *why;

	if (strcmp(kind, "vnic") == 0)
		return vnic_status(s, obj_str(obj, "id"));
	if (strcmp(kind, "uplink") == 0)
		return vsw_l3_sync_uplink_status(s, obj);
	if (strcmp(kind, "ipsec_sa") == 0)
		return vsw_vpn_sync_sa_status(s, obj, &why);
	if (strcmp(kind, "ipsec_site_connection") == 0)
		return s->model != NULL ? vsw_vpn_sync_connection_status(s, s->model, obj) : NULL;
	if (strcmp(kind, "port") != 0)
		return NULL;
	vnic_id = obj_str(obj, "vnic_id");
	if (vnic_id == NULL || !obj_bool(obj, "admin_state_up", true))
		return "DOWN";
	return strcmp(vnic_status(s, vnic_id), "ACTIVE") == 0 ? "ACTIVE" : "DOWN";
}

const char *
vsw_dp_sync_status_reason(const struct vsw_dp_sync *s, const char *kind,
			  const json_t *obj)
{
	const struct vnic_dev *d;
	const char *why;

	if (strcmp(kind, "uplink") == 0)
		return vsw_l3_sync_uplink_error(s, obj);
	if (strcmp(kind, "ipsec_sa") == 0) {
		vsw_vpn_sync_sa_status(s, obj, &why);
		return why;
	}
	if (strcmp(kind, "vnic") != 0)
		return NULL;
	d = vnic_dev(s, obj_str(obj, "id"));
	return d != NULL && d->dp_idx < 0 ? d->error : NULL;
}

const char *
vsw_dp_sync_network_id(const struct vsw_dp_sync *s, uint16_t net)
{
	return net < VSW_DP_MAX_NETWORKS ? s->net_id[net] : NULL;
}

void
vsw_dp_sync_on_scope_released(struct vsw_dp_sync *s,
			      void (*fn)(void *arg, uint16_t scope), void *arg)
{
	s->scope_released = fn;
	s->scope_arg = arg;
}

uint64_t
vsw_dp_sync_ipsec_digest(struct vsw_dp_sync *s)
{
	return vsw_vpn_sync_expiry_digest(s);
}

bool
vsw_dp_sync_learn(struct vsw_dp_sync *s)
{
	return vsw_l3_sync_learn(s);
}

json_t *
vsw_dp_sync_counters_json(const struct vsw_port_stats *st)
{
	json_t *drops = json_object();
	uint64_t total = 0;
	int d;

	for (d = 0; d < VSW_DROP_MAX; d++) {
		total += st->drops[d];
		json_object_set_new(drops, vsw_drop_key((enum vsw_drop)d),
				    json_integer((json_int_t)st->drops[d]));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:o}",
		"rx_packets", (json_int_t)st->rx_packets,
		"rx_bytes", (json_int_t)st->rx_bytes,
		"tx_packets", (json_int_t)st->tx_packets,
		"tx_bytes", (json_int_t)st->tx_bytes,
		"flooded", (json_int_t)st->flooded,
		"cycles_per_packet", st->rx_packets ?
			(double)st->cycles / (double)st->rx_packets : 0.0,
		"dropped", (json_int_t)total, "drops", drops);
}

static void
add_into(struct vsw_port_stats *sum, const struct vsw_port_stats *st)
{
	int d;

	sum->rx_packets += st->rx_packets;
	sum->rx_bytes += st->rx_bytes;
	sum->tx_packets += st->tx_packets;
	sum->tx_bytes += st->tx_bytes;
	sum->flooded += st->flooded;
	sum->cycles += st->cycles;
	for (d = 0; d < VSW_DROP_MAX; d++)
		sum->drops[d] += st->drops[d];
}

/* What only the device knows: for vhost-user, guest resets and stalled
 * rings (frames the guest posted that could not be taken). */
static void
add_device_counters(const struct vsw_dp_sync *s, uint16_t idx, json_t *o)
{
	const struct vsw_dp_port *p = vsw_dp_port_get(s->dp, idx);
	struct vsw_vhost_port_stats vs;

	if (p == NULL || p->type != VSW_DP_PORT_VHOST || vsw_vhost_port_stats(p, &vs) < 0)
		return;
	json_object_set_new(o, "guest_resets", json_integer((json_int_t)vs.guest_resets));
	json_object_set_new(o, "rx_stalls", json_integer((json_int_t)vs.rx_stalls));
	json_object_set_new(o, "queue_pairs", json_integer(vs.queue_pairs));
}

static json_t *
vnic_counters(const struct vsw_dp_sync *s, const char *id, const json_t *vnic,
	      struct vsw_port_stats *st)
{
	const struct vnic_dev *d = vnic_dev(s, id);
	json_t *o;

	memset(st, 0, sizeof(*st));
	if (d != NULL && d->dp_idx >= 0)
		vsw_dp_port_stats(s->dp, (uint16_t)d->dp_idx, st);
	o = vsw_dp_sync_counters_json(st);
	if (d != NULL && d->dp_idx >= 0)
		add_device_counters(s, (uint16_t)d->dp_idx, o);
	json_object_set_new(o, "id", json_string(id));
	json_object_set(o, "name", json_object_get(vnic, "name"));
	json_object_set(o, "port_id", json_object_get(vnic, "port_id"));
	json_object_set_new(o, "status", json_string(vnic_status(s, id)));
	return o;
}

void
vsw_dp_sync_stats(const struct vsw_dp_sync *s, const struct vsw_model *model,
		  json_t *stats)
{
	struct vsw_mac_table *macs = vsw_dp_mac_table(s->dp);
	json_t *vnic_list = json_array(), *net_list = json_array();
	struct vsw_port_stats *sums, st;
	struct vsw_mac_table_stats ms;
	const char *id;
	json_t *vnic, *v;

	/* A network's counters are the sums of its plugged VNICs'. */
	sums = calloc(VSW_DP_MAX_NETWORKS, sizeof(*sums));
	json_object_foreach((json_t *)vsw_model_kind(model, "vnic"), id, vnic) {
		const char *port_id = obj_str(vnic, "port_id");
		const json_t *port = port_id ? vsw_model_get(model, "port", port_id) : NULL;
		json_t *idx = port ? json_object_get(s->net_idx, obj_str(port, "network_id")) : NULL;

		json_array_append_new(vnic_list, vnic_counters(s, id, vnic, &st));
		if (sums != NULL && idx != NULL)
			add_into(&sums[json_integer_value(idx)], &st);
	}
	json_object_foreach(s->net_idx, id, v) {
		uint16_t net = (uint16_t)json_integer_value(v);
		json_t *o = vsw_dp_sync_counters_json(sums != NULL ? &sums[net] : &st);

		json_object_set_new(o, "id", json_string(id));
		json_object_set(o, "name", json_object_get(vsw_model_get(model, "network", id), "name"));
		json_object_set_new(o, "macs", json_integer(vsw_mac_table_count(macs, net)));
		json_array_append_new(net_list, o);
	}
	free(sums);
	json_object_set_new(stats, "vnics", vnic_list);
	json_object_set_new(stats, "networks", net_list);
	vsw_mac_table_stats(macs, &ms);
	vsw_l3_sync_stats(s, model, stats);
	json_object_set_new(stats, "ipsec_sas", vsw_vpn_sync_stats(s, model));
	json_object_set_new(stats, "mac_table", json_pack("{s:I, s:I, s:I, s:I}",
		"learned", (json_int_t)ms.learned, "aged", (json_int_t)ms.aged,
		"learn_ring_full", (json_int_t)ms.learn_ring_full,
		"table_full", (json_int_t)ms.table_full));
}

json_t *
vsw_dp_sync_workers(const struct vsw_dp_sync *s)
{
	struct vsw_dp_rxq_info *q = malloc(sizeof(*q) * VSW_DP_MAX_PORTS * VSW_DP_MAX_QUEUES);
	json_t *out = json_array();
	unsigned int n, i;

	if (q == NULL)
		return out;
	n = vsw_dp_rxq_assignment(s->dp, q, VSW_DP_MAX_PORTS * VSW_DP_MAX_QUEUES);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_pack("{s:I, s:s?, s:I, s:I}",
			"worker", (json_int_t)q[i].worker,
			"vnic", s->dev_id[q[i].port],
			"port", (json_int_t)q[i].port, "queue", (json_int_t)q[i].queue));
	free(q);
	return out;
}
