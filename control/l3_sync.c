/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L3 half of the model -> data plane compiler: uplink devices,
 * provider segments, VXLAN VTEPs, router interfaces (all vports of the
 * fib's port space), routers and their route tables, and the key-value
 * entries (static neighbours, floating IPs, VNIs, VTEPs).
 *
 * Indexes are stable across compiles: a vport, a router or an uplink slot
 * keeps its number while the object lives, so MAC entries and counters
 * keyed by it stay right. A route table is rebuilt only when its router's
 * routes change (the signature of its route list), and the one it replaces
 * is freed only after the fib that no longer points at it is in force.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "dp_sync_internal.h"
#include "kvt.h"
#include "log.h"
#include "punt.h"
#include "route_table.h"

#define VSW_ROUTER_INTERFACE_OWNER "network:router_interface"
#define VSW_ROUTER_GATEWAY_OWNER "network:router_gateway"
#define VSW_MAX_ROUTES_PER_ROUTER 65536
#define VSW_LEARN_BURST 64

struct uplink_dev {
	char id[40];
	int dp_idx;                 /* -1: could not be opened */
	char error[160];
	struct rte_ether_addr mac;
};

struct router_rt {
	char *sig;                  /* the route list it was built from */
	struct vsw_route_table *rt;
};

struct vsw_l3_sync {
	struct vsw_dataplane *dp;
	struct uplink_dev uplinks[VSW_FIB_MAX_UPLINKS];
	json_t *uplink_slot;        /* uplink id -> slot */
	json_t *vports;             /* vport key -> index */
	bool vport_used[VSW_FIB_MAX_VPORTS];
	json_t *vport_desc;         /* vport key -> description (this compile) */
	json_t *routers;            /* router id -> index */
	bool router_used[VSW_FIB_MAX_ROUTERS];
	struct router_rt rt[VSW_FIB_MAX_ROUTERS];
	struct vsw_route_table *retired[VSW_FIB_MAX_ROUTERS];
	unsigned int n_retired;
	uint16_t removed_vports[VSW_FIB_MAX_VPORTS];
	unsigned int n_removed;
	json_t *kvt_want;           /* "%016" PRIx64 key -> value (this compile) */
	json_t *kvt_have;           /* as installed */
	json_t *learned;            /* "net/ip" of VTEPs learned from traffic */
	uint32_t n_routers;
	uint64_t generation;
};

struct vsw_l3_sync *
vsw_l3_sync_create(struct vsw_dataplane *dp)
{
	struct vsw_l3_sync *l3 = calloc(1, sizeof(*l3));

	if (l3 == NULL)
		return NULL;
	l3->dp = dp;
	l3->uplink_slot = json_object();
	l3->vports = json_object();
	l3->routers = json_object();
	l3->kvt_have = json_object();
	l3->learned = json_object();
	if (l3->uplink_slot == NULL || l3->vports == NULL || l3->routers == NULL ||
	    l3->kvt_have == NULL || l3->learned == NULL) {
		vsw_l3_sync_destroy(l3);
		return NULL;
	}
	return l3;
}

static void
free_retired(struct vsw_l3_sync *l3)
{
	unsigned int i;

	for (i = 0; i < l3->n_retired; i++)
		vsw_route_table_free(l3->retired[i]);
	l3->n_retired = 0;
}

void
vsw_l3_sync_destroy(struct vsw_l3_sync *l3)
{
	struct vsw_fib *empty;
	unsigned int i;

	if (l3 == NULL)
		return;
	/* The workers must stop reading the route tables before they go. */
	empty = vsw_fib_alloc(0, 0, 0);
	if (empty != NULL)
		vsw_dp_publish_fib(l3->dp, empty);
	free_retired(l3);
	for (i = 0; i < VSW_FIB_MAX_ROUTERS; i++) {
		vsw_route_table_free(l3->rt[i].rt);
		free(l3->rt[i].sig);
	}
	json_decref(l3->uplink_slot);
	json_decref(l3->vports);
	json_decref(l3->vport_desc);
	json_decref(l3->routers);
	json_decref(l3->kvt_want);
	json_decref(l3->kvt_have);
	json_decref(l3->learned);
	free(l3);
}

/* --- small parsers --- */

/* "10.0.0.0/24" -> network-order prefix and length; -1 when not IPv4. */
static int
parse_cidr(const char *text, rte_be32_t *prefix, uint8_t *plen)
{
	rte_be32_t mask;

	if (vsw_dp_sync_parse_prefix(text, prefix, &mask) < 0)
		return -1;
	*plen = (uint8_t)__builtin_popcount(mask);
	return 0;
}

static bool
in_prefix(rte_be32_t ip, rte_be32_t prefix, uint8_t plen)
{
	rte_be32_t mask = plen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - plen));

	return (ip & mask) == (prefix & mask);
}

static int64_t
obj_int(const json_t *obj, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* --- uplinks --- */

static int
uplink_slot(const struct vsw_l3_sync *l3, const char *id)
{
	json_t *v = id != NULL ? json_object_get(l3->uplink_slot, id) : NULL;

	return v != NULL ? (int)json_integer_value(v) : -1;
}

static void
close_uplink(struct vsw_l3_sync *l3, int slot)
{
	struct uplink_dev *u = &l3->uplinks[slot];

	if (u->dp_idx >= 0) {
		vsw_dp_port_close(l3->dp, (uint16_t)u->dp_idx);
		vsw_mac_table_flush_port(vsw_dp_mac_table(l3->dp), (uint16_t)u->dp_idx);
	}
	VSW_LOG(INFO, "uplink %s: device closed", u->id);
	json_object_del(l3->uplink_slot, u->id);
	memset(u, 0, sizeof(*u));
}

static void
open_uplink(struct vsw_l3_sync *l3, const char *id, const json_t *obj)
{
	struct vsw_dp_port_config cfg = { .type = VSW_DP_PORT_ETHDEV, .queues = 1 };
	const char *pci = obj_str(obj, "pci_address");
	struct uplink_dev *u = NULL;
	uint16_t idx;
	int slot;

	for (slot = 0; slot < VSW_FIB_MAX_UPLINKS; slot++) {
		if (l3->uplinks[slot].id[0] == '\0') {
			u = &l3->uplinks[slot];
			break;
		}
	}
	if (u == NULL) {
		VSW_LOG(ERR, "uplink %s: more than %d uplinks", id, VSW_FIB_MAX_UPLINKS);
		return;
	}
	snprintf(u->id, sizeof(u->id), "%s", id);
	json_object_set_new(l3->uplink_slot, id, json_integer(slot));
	snprintf(cfg.name, sizeof(cfg.name), "%s", obj_str(obj, "name"));
	snprintf(cfg.devargs, sizeof(cfg.devargs), "%s",
		 pci != NULL ? pci : obj_str(obj, "devargs"));
	if (vsw_dp_port_open(l3->dp, &cfg, &idx, u->error, sizeof(u->error)) < 0) {
		u->dp_idx = -1;
		VSW_LOG(ERR, "uplink %s: %s", id, u->error);
		return;
	}
	u->dp_idx = idx;
	if (vsw_dp_port_mac(l3->dp, idx, &u->mac) < 0)
		memset(&u->mac, 0, sizeof(u->mac));
	VSW_LOG(INFO, "uplink %s: device open as port %u", id, idx);
}

static void
sync_uplinks(struct vsw_dp_sync *s, const json_t *uplinks)
{
	struct vsw_l3_sync *l3 = s->l3;
	const char *id;
	json_t *obj;
	int slot;

	for (slot = 0; slot < VSW_FIB_MAX_UPLINKS; slot++) {
		if (l3->uplinks[slot].id[0] == '\0' ||
		    json_object_get(uplinks, l3->uplinks[slot].id) != NULL)
			continue;
		close_uplink(l3, slot);
		if (s->scope_released != NULL)
			s->scope_released(s->scope_arg,
					  (uint16_t)(VSW_NEIGH_SCOPE_UPLINK | slot));
	}
	json_object_foreach((json_t *)uplinks, id, obj)
		if (uplink_slot(l3, id) < 0)
			open_uplink(l3, id, obj);
}

/* The uplink named name (networks name uplinks by name). */
static const json_t *
uplink_by_name(const struct vsw_model *model, const char *name, const char **id_out)
{
	const char *id;
	json_t *obj;

	if (name == NULL)
		return NULL;
	json_object_foreach((json_t *)vsw_model_kind(model, "uplink"), id, obj) {
		const char *n = obj_str(obj, "name");

		if (n != NULL && strcmp(n, name) == 0) {
			*id_out = id;
			return obj;
		}
	}
	return NULL;
}

/* --- vports --- */

/* The vport of key, allocated on first use (this compile describes it in
 * desc). VSW_PORT_NONE when the space is full. */
static uint16_t
vport(struct vsw_l3_sync *l3, const char *key, json_t *desc)
{
	json_t *v = json_object_get(l3->vports, key);
	unsigned int i;

	if (v == NULL) {
		for (i = 0; i < VSW_FIB_MAX_VPORTS && l3->vport_used[i]; i++)
			;
		if (i == VSW_FIB_MAX_VPORTS) {
			VSW_LOG(ERR, "no free vport for %s", key);
			json_decref(desc);
			return VSW_PORT_NONE;
		}
		l3->vport_used[i] = true;
		v = json_integer((json_int_t)(VSW_DP_MAX_PORTS + i));
		vsw_dp_port_stats_rebase(l3->dp, (uint16_t)(VSW_DP_MAX_PORTS + i));
		json_object_set_new(l3->vports, key, v);
	}
	json_object_set_new(desc, "idx", json_integer(json_integer_value(v)));
	json_object_set_new(l3->vport_desc, key, desc);
	return (uint16_t)json_integer_value(v);
}

/* Vports no compile asked for any more: freed, flushed after publish. */
static void
release_vports(struct vsw_l3_sync *l3)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(l3->vports, tmp, key, v) {
		uint16_t idx = (uint16_t)json_integer_value(v);

		if (json_object_get(l3->vport_desc, key) != NULL)
			continue;
		l3->vport_used[idx - VSW_DP_MAX_PORTS] = false;
		l3->removed_vports[l3->n_removed++] = idx;
		json_object_del(l3->vports, key);
	}
}

static void
kvt_want(struct vsw_l3_sync *l3, uint64_t key, uint64_t value)
{
	char k[20];

	snprintf(k, sizeof(k), "%016" PRIx64, key);
	json_object_set_new(l3->kvt_want, k, json_integer((json_int_t)value));
}

static struct vsw_fib_member *
add_member(struct vsw_fib_member *m, unsigned int *n, unsigned int max,
	   uint16_t idx, int net, bool flood, bool tunnel)
{
	struct vsw_fib_member *x;

	if (*n >= max || idx == VSW_PORT_NONE || net < 0)
		return NULL;
	x = &m[(*n)++];
	memset(x, 0, sizeof(*x));
	x->idx = idx;
	x->net = (uint16_t)net;
	x->flood = flood;
	x->tunnel = tunnel;
	return x;
}

/* Static FDB entries behind one VTEP: MAC entries pointing at its vport
 * (members that take no part in flooding). */
static void
fdb_members(struct vsw_l3_sync *l3, const json_t *network, const char *remote_ip,
	    uint16_t v, int net, struct vsw_fib_member *m, unsigned int *n,
	    unsigned int max)
{
	const json_t *item;
	size_t i;

	RTE_SET_USED(l3);
	json_array_foreach(json_object_get(network, "fdb_entries"), i, item) {
		struct vsw_fib_member *x;
		const char *ip = obj_str(item, "remote_ip");

		if (ip == NULL || vsw_dp_sync_parse_ip(ip) != vsw_dp_sync_parse_ip(remote_ip))
			continue;
		x = add_member(m, n, max, v, net, false, true);
		if (x != NULL)
			vsw_dp_sync_parse_mac(obj_str(item, "mac_address"), &x->macs[x->n_macs++]);
	}
}

/* Remote VTEPs of a VXLAN network: configured ones and learned ones. */
static void
vxlan_vteps(struct vsw_dp_sync *s, const json_t *network, const char *net_id, int net,
	    struct vsw_fib_member *m, unsigned int *n, unsigned int max)
{
	struct vsw_l3_sync *l3 = s->l3;
	const json_t *list = json_object_get(network, "remote_vteps");
	json_t *seen = json_object(), *item;
	char key[96], ip[INET_ADDRSTRLEN], prefix[16];
	const char *lk;
	size_t i;

	json_array_foreach(list, i, item)
		if (json_is_string(item))
			json_object_set_new(seen, json_string_value(item), json_true());
	json_array_foreach(json_object_get(network, "fdb_entries"), i, item)
		if (obj_str(item, "remote_ip") != NULL)
			json_object_set_new(seen, obj_str(item, "remote_ip"), json_true());
	snprintf(prefix, sizeof(prefix), "%d/", net);
	json_object_foreach(l3->learned, lk, item)
		if (strncmp(lk, prefix, strlen(prefix)) == 0)
			json_object_set_new(seen, lk + strlen(prefix), json_false());
	json_object_foreach(seen, lk, item) {
		rte_be32_t remote = vsw_dp_sync_parse_ip(lk);
		uint16_t v;

		if (remote == 0)
			continue;
		inet_ntop(AF_INET, &remote, ip, sizeof(ip));
		snprintf(key, sizeof(key), "vx/%s/%s", net_id, ip);
		v = vport(l3, key, json_pack("{s:s, s:s, s:i, s:s, s:b}", "kind", "vxlan",
					     "network_id", net_id, "net", net, "remote_ip", ip,
					     "learned", !json_is_true(item)));
		if (add_member(m, n, max, v, net, true, true) != NULL)
			kvt_want(l3, vsw_kvt_key(VSW_KVT_VTEP, (uint16_t)net, ntohl(remote)), v);
		fdb_members(l3, network, lk, v, net, m, n, max);
	}
	json_decref(seen);
}

/* Segments of provider networks: a VLAN vport per flat/vlan network, a
 * fallback vport plus one per remote VTEP for a VXLAN network. */
static void
prepare_segments(struct vsw_dp_sync *s, const struct vsw_model *model,
		 struct vsw_fib_member *m, unsigned int *n, unsigned int max)
{
	struct vsw_l3_sync *l3 = s->l3;
	const char *net_id, *uplink_id = NULL;
	json_t *network;
	char key[96];

	json_object_foreach((json_t *)vsw_model_kind(model, "network"), net_id, network) {
		const char *type = obj_str(network, "provider:network_type");
		const json_t *uplink = uplink_by_name(model,
			obj_str(network, "provider:physical_network"), &uplink_id);
		int net = vsw_dp_sync_network_index(s, net_id);
		int slot = uplink != NULL ? uplink_slot(l3, uplink_id) : -1;
		int64_t seg = obj_int(network, "provider:segmentation_id", 0);
		uint16_t v;

		if (type == NULL || slot < 0 || net < 0 || l3->uplinks[slot].dp_idx < 0)
			continue;
		if (strcmp(type, "flat") == 0 || strcmp(type, "vlan") == 0) {
			snprintf(key, sizeof(key), "seg/%s", net_id);
			v = vport(l3, key, json_pack("{s:s, s:s, s:i, s:i, s:I}", "kind", "vlan",
						     "network_id", net_id, "net", net,
						     "slot", slot,
						     "vid", (json_int_t)(strcmp(type, "flat") == 0 ? 0 : seg)));
			add_member(m, n, max, v, net, true, false);
		} else if (strcmp(type, "vxlan") == 0) {
			snprintf(key, sizeof(key), "vx0/%s", net_id);
			v = vport(l3, key, json_pack("{s:s, s:s, s:i, s:i, s:I}", "kind", "vxlan",
						     "network_id", net_id, "net", net,
						     "slot", slot, "vni", (json_int_t)seg));
			/* Frames from VTEPs not known yet: never a flood member. */
			if (add_member(m, n, max, v, net, false, true) != NULL) {
				kvt_want(l3, vsw_kvt_key(VSW_KVT_VTEP, (uint16_t)net, 0), v);
				kvt_want(l3, vsw_kvt_key(VSW_KVT_VNI, (uint16_t)slot,
							 (uint32_t)seg), (uint64_t)net);
			}
			vxlan_vteps(s, network, net_id, net, m, n, max);
		}
	}
}

/* --- routers --- */

static int
router_index(struct vsw_l3_sync *l3, const char *id)
{
	json_t *v = json_object_get(l3->routers, id);
	int i;

	if (v != NULL)
		return (int)json_integer_value(v);
	for (i = 0; i < VSW_FIB_MAX_ROUTERS; i++) {
		if (!l3->router_used[i]) {
			l3->router_used[i] = true;
			json_object_set_new(l3->routers, id, json_integer(i));
			return i;
		}
	}
	return -1;
}

static void
release_routers(struct vsw_dp_sync *s, const json_t *routers)
{
	struct vsw_l3_sync *l3 = s->l3;
	const char *id;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(l3->routers, tmp, id, v) {
		int r = (int)json_integer_value(v);

		if (json_object_get(routers, id) != NULL)
			continue;
		if (l3->rt[r].rt != NULL)
			l3->retired[l3->n_retired++] = l3->rt[r].rt;
		free(l3->rt[r].sig);
		memset(&l3->rt[r], 0, sizeof(l3->rt[r]));
		l3->router_used[r] = false;
		json_object_del(l3->routers, id);
		if (s->scope_released != NULL)
			s->scope_released(s->scope_arg, (uint16_t)r);
	}
}

/* The subnet of a port's first IPv4 fixed IP. */
static const json_t *
port_subnet(const struct vsw_model *model, const json_t *port, const char **ip)
{
	const json_t *fixed = json_array_get(json_object_get(port, "fixed_ips"), 0);

	*ip = obj_str(fixed, "ip_address");
	return vsw_model_get(model, "subnet", obj_str(fixed, "subnet_id"));
}

/* Router interfaces: one vport per router-owned port. */
static void
prepare_rifs(struct vsw_dp_sync *s, const struct vsw_model *model,
	     struct vsw_fib_member *m, unsigned int *n, unsigned int max)
{
	struct vsw_l3_sync *l3 = s->l3;
	const char *port_id, *ip;
	json_t *port;
	char key[64];

	json_object_foreach((json_t *)vsw_model_kind(model, "port"), port_id, port) {
		const char *owner = obj_str(port, "device_owner");
		const char *router_id = obj_str(port, "device_id");
		bool external;
		const json_t *subnet;
		struct vsw_fib_member *x;
		struct rte_ether_addr mac;
		int net, r;
		uint16_t v;

		if (owner == NULL || router_id == NULL)
			continue;
		external = strcmp(owner, VSW_ROUTER_GATEWAY_OWNER) == 0;
		if (!external && strcmp(owner, VSW_ROUTER_INTERFACE_OWNER) != 0)
			continue;
		if (vsw_model_get(model, "router", router_id) == NULL)
			continue;
		subnet = port_subnet(model, port, &ip);
		net = vsw_dp_sync_network_index(s, obj_str(port, "network_id"));
		r = router_index(l3, router_id);
		if (subnet == NULL || ip == NULL || net < 0 || r < 0)
			continue;
		snprintf(key, sizeof(key), "rif/%s", port_id);
		v = vport(l3, key, json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:b}",
					     "kind", "router", "port_id", port_id,
					     "router_id", router_id, "router", r, "net", net,
					     "ip", ip, "cidr", obj_str(subnet, "cidr"),
					     "mac", obj_str(port, "mac_address"),
					     "external", external));
		x = add_member(m, n, max, v, net, true, false);
		vsw_dp_sync_parse_mac(obj_str(port, "mac_address"), &mac);
		if (x != NULL)
			x->macs[x->n_macs++] = mac;
	}
}

/* The vport of a router's interface whose subnet holds ip. */
static const json_t *
rif_for(const struct vsw_l3_sync *l3, int r, rte_be32_t ip)
{
	const char *key;
	json_t *d;

	json_object_foreach(l3->vport_desc, key, d) {
		rte_be32_t prefix;
		uint8_t plen;

		if (strcmp(obj_str(d, "kind"), "router") != 0 ||
		    obj_int(d, "router", -1) != r ||
		    parse_cidr(obj_str(d, "cidr"), &prefix, &plen) < 0)
			continue;
		if (in_prefix(ip, prefix, plen))
			return d;
	}
	return NULL;
}

static int
add_route(struct vsw_route *routes, unsigned int *n, const char *cidr,
	  uint16_t rif, rte_be32_t gw)
{
	if (*n >= VSW_MAX_ROUTES_PER_ROUTER ||
	    parse_cidr(cidr, &routes[*n].prefix, &routes[*n].plen) < 0)
		return -1;
	routes[*n].rif = rif;
	routes[*n].gw = gw;
	(*n)++;
	return 0;
}

/* Connected routes of every interface, the default route through the
 * external subnet's gateway, then the static routes (which win over a
 * connected route of the same prefix: the last duplicate wins). */
static unsigned int
router_routes(struct vsw_dp_sync *s, const struct vsw_model *model, int r,
	      const json_t *router, struct vsw_route *routes)
{
	struct vsw_l3_sync *l3 = s->l3;
	int gw_rif = -1;
	const json_t *list = json_object_get(router, "routes"), *item, *d;
	unsigned int n = 0;
	const char *key;
	size_t i;

	json_object_foreach(l3->vport_desc, key, d) {
		if (strcmp(obj_str(d, "kind"), "router") != 0 || obj_int(d, "router", -1) != r)
			continue;
		add_route(routes, &n, obj_str(d, "cidr"), (uint16_t)obj_int(d, "idx", 0), 0);
		if (obj_bool(d, "external", false)) {
			const json_t *port = vsw_model_get(model, "port", obj_str(d, "port_id"));
			const char *ip;
			const json_t *subnet = port_subnet(model, port, &ip);
			rte_be32_t gw = vsw_dp_sync_parse_ip(obj_str(subnet, "gateway_ip"));

			if (gw != 0)
				add_route(routes, &n, "0.0.0.0/0", (uint16_t)obj_int(d, "idx", 0), gw);
			gw_rif = (int)obj_int(d, "idx", 0);
		}
	}
	if (gw_rif >= 0)
		n += vsw_vpn_sync_routes(s, r, (uint16_t)gw_rif, routes + n,
					 VSW_MAX_ROUTES_PER_ROUTER - n);
	json_array_foreach(list, i, item) {
		rte_be32_t nh = vsw_dp_sync_parse_ip(obj_str(item, "nexthop"));
		const json_t *rif = rif_for(l3, r, nh);

		if (rif != NULL)
			add_route(routes, &n, obj_str(item, "destination"),
				  (uint16_t)obj_int(rif, "idx", 0), nh);
	}
	return n;
}

static char *
routes_signature(const struct vsw_route *routes, unsigned int n)
{
	char *sig = malloc((size_t)n * 32 + 1), *p = sig;
	unsigned int i;

	if (sig == NULL)
		return NULL;
	*p = '\0';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%08x/%u>%u@%08x;", routes[i].prefix, routes[i].plen,
			     routes[i].rif, routes[i].gw);
	return sig;
}

static void
build_route_table(struct vsw_dp_sync *s, const struct vsw_model *model, int r,
		  const json_t *router, struct vsw_route *routes)
{
	struct vsw_l3_sync *l3 = s->l3;
	unsigned int n = router_routes(s, model, r, router, routes);
	char *sig = routes_signature(routes, n);
	struct vsw_route_table *rt;
	char name[32];

	if (sig == NULL || (l3->rt[r].sig != NULL && strcmp(sig, l3->rt[r].sig) == 0)) {
		free(sig);
		return;
	}
	/* A name unique in the process while both tables live. */
	snprintf(name, sizeof(name), "vsw_rt%d_%" PRIu64, r, ++l3->generation);
	rt = vsw_route_table_create(name, routes, n, SOCKET_ID_ANY);
	if (rt == NULL) {
		VSW_LOG(ERR, "router %d: cannot build a table of %u routes", r, n);
		free(sig);
		return;
	}
	if (l3->rt[r].rt != NULL)
		l3->retired[l3->n_retired++] = l3->rt[r].rt;
	free(l3->rt[r].sig);
	l3->rt[r].rt = rt;
	l3->rt[r].sig = sig;
}

static void
prepare_routers(struct vsw_dp_sync *s, const struct vsw_model *model)
{
	struct vsw_l3_sync *l3 = s->l3;
	struct vsw_route *routes = malloc(sizeof(*routes) * VSW_MAX_ROUTES_PER_ROUTER);
	const char *id;
	json_t *router;

	l3->n_routers = 0;
	json_object_foreach((json_t *)vsw_model_kind(model, "router"), id, router) {
		int r = router_index(l3, id);

		if (r < 0)
			continue;
		l3->n_routers = RTE_MAX(l3->n_routers, (uint32_t)r + 1);
		if (routes != NULL)
			build_route_table(s, model, r, router, routes);
	}
	free(routes);
}

/* Static neighbours: every port with a fixed IP on a router interface's
 * subnet; floating IPs in both directions. */
static void
prepare_neighbours(struct vsw_l3_sync *l3, const struct vsw_model *model)
{
	const char *key, *port_id;
	json_t *d, *port;

	json_object_foreach(l3->vport_desc, key, d) {
		rte_be32_t prefix;
		uint8_t plen;
		int r = (int)obj_int(d, "router", -1);
		const char *net_id;

		if (strcmp(obj_str(d, "kind"), "router") != 0 ||
		    parse_cidr(obj_str(d, "cidr"), &prefix, &plen) < 0)
			continue;
		net_id = obj_str(vsw_model_get(model, "port", obj_str(d, "port_id")),
				 "network_id");
		json_object_foreach((json_t *)vsw_model_kind(model, "port"), port_id, port) {
			const json_t *fixed = json_object_get(port, "fixed_ips"), *f;
			const char *owner = obj_str(port, "device_owner");
			struct rte_ether_addr mac;
			size_t i;

			if (net_id == NULL || strcmp(obj_str(port, "network_id"), net_id) != 0 ||
			    strcmp(port_id, obj_str(d, "port_id")) == 0 ||
			    (owner != NULL && strcmp(owner, "network:floatingip") == 0))
				continue;
			vsw_dp_sync_parse_mac(obj_str(port, "mac_address"), &mac);
			json_array_foreach(fixed, i, f) {
				rte_be32_t ip = vsw_dp_sync_parse_ip(obj_str(f, "ip_address"));

				if (ip != 0 && in_prefix(ip, prefix, plen))
					kvt_want(l3, vsw_kvt_neigh_key((uint16_t)r, ip),
						 vsw_neigh_value(&mac, VSW_NEIGH_STATIC));
			}
		}
	}
}

/* Static neighbours of the underlays (next hops that do not answer ARP). */
static void
prepare_uplink_neighbours(struct vsw_l3_sync *l3, const struct vsw_model *model)
{
	const char *id;
	json_t *obj;

	json_object_foreach((json_t *)vsw_model_kind(model, "uplink"), id, obj) {
		int slot = uplink_slot(l3, id);
		const json_t *item;
		size_t i;

		if (slot < 0)
			continue;
		json_array_foreach(json_object_get(obj, "neighbors"), i, item) {
			rte_be32_t ip = vsw_dp_sync_parse_ip(obj_str(item, "ip_address"));
			struct rte_ether_addr mac;

			vsw_dp_sync_parse_mac(obj_str(item, "mac_address"), &mac);
			if (ip != 0)
				kvt_want(l3, vsw_kvt_neigh_key((uint16_t)(VSW_NEIGH_SCOPE_UPLINK | slot), ip),
					 vsw_neigh_value(&mac, VSW_NEIGH_STATIC));
		}
	}
}

static void
prepare_floating_ips(struct vsw_l3_sync *l3, const struct vsw_model *model)
{
	const char *id;
	json_t *fip;

	json_object_foreach((json_t *)vsw_model_kind(model, "floatingip"), id, fip) {
		const char *router_id = obj_str(fip, "router_id");
		json_t *ri = router_id != NULL ? json_object_get(l3->routers, router_id) : NULL;
		rte_be32_t fixed = vsw_dp_sync_parse_ip(obj_str(fip, "fixed_ip_address"));
		rte_be32_t floating = vsw_dp_sync_parse_ip(obj_str(fip, "floating_ip_address"));
		uint16_t r;

		if (ri == NULL || fixed == 0 || floating == 0 || obj_str(fip, "port_id") == NULL)
			continue;
		r = (uint16_t)json_integer_value(ri);
		kvt_want(l3, vsw_kvt_key(VSW_KVT_FIP_OUT, r, ntohl(fixed)), ntohl(floating));
		kvt_want(l3, vsw_kvt_key(VSW_KVT_FIP_IN, r, ntohl(floating)), ntohl(fixed));
	}
}

int
vsw_l3_sync_router_index(const struct vsw_dp_sync *s, const char *router_id)
{
	json_t *v = router_id != NULL ? json_object_get(s->l3->routers, router_id) : NULL;

	return v != NULL ? (int)json_integer_value(v) : -1;
}

static void
want_entry(struct vsw_dp_sync *s, uint64_t key, uint64_t value)
{
	kvt_want(s->l3, key, value);
}

unsigned int
vsw_l3_sync_prepare(struct vsw_dp_sync *s, const struct vsw_model *model,
		    struct vsw_fib_member *members, unsigned int n,
		    unsigned int max, uint32_t *n_routers)
{
	struct vsw_l3_sync *l3 = s->l3;

	json_decref(l3->vport_desc);
	json_decref(l3->kvt_want);
	l3->vport_desc = json_object();
	l3->kvt_want = json_object();
	l3->n_removed = 0;
	sync_uplinks(s, vsw_model_kind(model, "uplink"));
	release_routers(s, vsw_model_kind(model, "router"));
	prepare_segments(s, model, members, &n, max);
	prepare_rifs(s, model, members, &n, max);
	release_vports(l3);
	/* SAs first: their peer prefixes are routes of their router. */
	vsw_vpn_sync_prepare(s, model, want_entry);
	prepare_routers(s, model);
	prepare_neighbours(l3, model);
	prepare_uplink_neighbours(l3, model);
	prepare_floating_ips(l3, model);
	*n_routers = l3->n_routers;
	return n;
}

/* --- fill --- */

static void
fill_uplinks(struct vsw_l3_sync *l3, const struct vsw_model *model, struct vsw_fib *fib)
{
	const char *id;
	json_t *obj;

	json_object_foreach((json_t *)vsw_model_kind(model, "uplink"), id, obj) {
		int slot = uplink_slot(l3, id);
		const char *role = obj_str(obj, "role");
		struct vsw_fib_uplink *u;
		struct vsw_fib_port *fp;

		if (slot < 0 || l3->uplinks[slot].dp_idx < 0 || role == NULL)
			continue;
		u = &fib->uplinks[slot];
		u->port = (uint16_t)l3->uplinks[slot].dp_idx;
		u->role = strcmp(role, "vxlan") == 0 ? VSW_UPLINK_VXLAN :
			  strcmp(role, "vlan") == 0 ? VSW_UPLINK_VLAN : VSW_UPLINK_FLAT;
		u->admin_up = obj_bool(obj, "admin_state_up", true);
		u->mtu = (uint16_t)obj_int(obj, "mtu", 1500);
		u->local_plen = (uint8_t)obj_int(obj, "local_prefixlen", 24);
		u->local_ip = vsw_dp_sync_parse_ip(obj_str(obj, "local_ip"));
		u->gateway_ip = vsw_dp_sync_parse_ip(obj_str(obj, "gateway_ip"));
		u->mac = l3->uplinks[slot].mac;
		fp = &fib->ports[u->port];
		fp->kind = VSW_FP_UPLINK;
		fp->uplink = (uint16_t)slot;
		fp->admin_up = u->admin_up;
		fp->max_frame = (uint32_t)u->mtu + RTE_ETHER_HDR_LEN + 8;
	}
}

static uint32_t
net_max_frame(const struct vsw_dp_sync *s, const struct vsw_model *model, int net)
{
	const json_t *network = s->net_id[net] != NULL ?
		vsw_model_get(model, "network", s->net_id[net]) : NULL;

	return (uint32_t)obj_int(network, "mtu", 1500) + RTE_ETHER_HDR_LEN;
}

static void
fill_vport(struct vsw_dp_sync *s, const struct vsw_model *model, struct vsw_fib *fib,
	   const json_t *d)
{
	uint16_t idx = (uint16_t)obj_int(d, "idx", 0);
	struct vsw_fib_port *fp = &fib->ports[idx];
	const char *kind = obj_str(d, "kind");
	int net = (int)obj_int(d, "net", 0);
	int slot = (int)obj_int(d, "slot", -1);

	fp->net = (uint16_t)net;
	fp->admin_up = fib->nets[net].admin_up;
	fp->max_frame = net_max_frame(s, model, net);
	if (strcmp(kind, "vlan") == 0) {
		uint16_t vid = (uint16_t)obj_int(d, "vid", 0);

		fp->kind = VSW_FP_VLAN;
		fp->learning = 1;
		fp->uplink = (uint16_t)slot;
		fp->vlan.vid = vid;
		if (vid == 0)
			fib->uplinks[slot].flat_vport = idx;
		else
			fib->uplinks[slot].vlan_vport[vid & 0xfff] = idx;
	} else if (strcmp(kind, "vxlan") == 0) {
		fp->kind = VSW_FP_VXLAN;
		fp->tunnel = 1;
		fp->vxlan.remote_ip = vsw_dp_sync_parse_ip(obj_str(d, "remote_ip"));
		/* The fallback vport takes frames, it never learns MACs. */
		fp->learning = fp->vxlan.remote_ip != 0;
		if (slot < 0) {
			/* A VTEP vport: the network's fallback names the uplink. */
			char key[96];
			const json_t *fb;

			snprintf(key, sizeof(key), "vx0/%s", obj_str(d, "network_id"));
			fb = json_object_get(s->l3->vport_desc, key);
			slot = (int)obj_int(fb, "slot", 0);
			fp->vxlan.vni = (uint32_t)obj_int(fb, "vni", 0);
		} else {
			fp->vxlan.vni = (uint32_t)obj_int(d, "vni", 0);
		}
		fp->uplink = (uint16_t)slot;
	} else {
		const json_t *router = vsw_model_get(model, "router", obj_str(d, "router_id"));
		rte_be32_t prefix;
		uint8_t plen = 0;

		parse_cidr(obj_str(d, "cidr"), &prefix, &plen);
		fp->kind = VSW_FP_ROUTER;
		fp->admin_up = fp->admin_up && obj_bool(router, "admin_state_up", true);
		fp->rif.router = (uint16_t)obj_int(d, "router", 0);
		fp->rif.plen = plen;
		fp->rif.external = obj_bool(d, "external", false);
		fp->rif.ip = vsw_dp_sync_parse_ip(obj_str(d, "ip"));
		vsw_dp_sync_parse_mac(obj_str(d, "mac"), &fp->rif.mac);
	}
}

static void
fill_routers(struct vsw_dp_sync *s, const struct vsw_model *model, struct vsw_fib *fib)
{
	struct vsw_l3_sync *l3 = s->l3;
	const char *id, *key;
	json_t *router, *d;

	json_object_foreach((json_t *)vsw_model_kind(model, "router"), id, router) {
		json_t *ri = json_object_get(l3->routers, id);
		const json_t *gw = json_object_get(router, "external_gateway_info");
		struct vsw_fib_router *fr;

		if (ri == NULL || json_integer_value(ri) >= fib->n_routers)
			continue;
		fr = &fib->routers[json_integer_value(ri)];
		fr->in_use = 1;
		fr->admin_up = obj_bool(router, "admin_state_up", true);
		fr->routes = l3->rt[json_integer_value(ri)].rt;
		fr->spd = vsw_vpn_sync_spd(s, (uint32_t)json_integer_value(ri));
		json_object_foreach(l3->vport_desc, key, d) {
			if (strcmp(obj_str(d, "kind"), "router") != 0 ||
			    obj_int(d, "router", -1) != json_integer_value(ri) ||
			    !obj_bool(d, "external", false))
				continue;
			fr->gw_rif = (uint16_t)obj_int(d, "idx", 0);
			fr->gw_ip = vsw_dp_sync_parse_ip(obj_str(d, "ip"));
			fr->snat = json_is_object(gw) && obj_bool(gw, "enable_snat", true);
		}
	}
}

/* A network's subnets with enable_dhcp make the switch answer DHCP. */
static void
fill_dhcp(struct vsw_dp_sync *s, const struct vsw_model *model, struct vsw_fib *fib)
{
	const char *id;
	json_t *subnet;

	json_object_foreach((json_t *)vsw_model_kind(model, "subnet"), id, subnet) {
		json_t *net = json_object_get(s->net_idx, obj_str(subnet, "network_id"));

		if (net != NULL && json_integer_value(net) < fib->n_nets &&
		    obj_bool(subnet, "enable_dhcp", false))
			fib->nets[json_integer_value(net)].dhcp = 1;
	}
}

void
vsw_l3_sync_fill(struct vsw_dp_sync *s, const struct vsw_model *model,
		 struct vsw_fib *fib)
{
	const char *key;
	json_t *d;

	fill_uplinks(s->l3, model, fib);
	json_object_foreach(s->l3->vport_desc, key, d)
		if ((uint32_t)obj_int(d, "net", 0) < fib->n_nets)
			fill_vport(s, model, fib, d);
	fill_routers(s, model, fib);
	fill_dhcp(s, model, fib);
}

/* --- commit --- */

static void
sync_kvt(struct vsw_l3_sync *l3)
{
	struct vsw_kvt *kvt = vsw_dp_kvt(l3->dp);
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(l3->kvt_have, tmp, key, v) {
		if (json_object_get(l3->kvt_want, key) != NULL)
			continue;
		vsw_kvt_del(kvt, strtoull(key, NULL, 16));
		json_object_del(l3->kvt_have, key);
	}
	json_object_foreach(l3->kvt_want, key, v) {
		json_t *had = json_object_get(l3->kvt_have, key);

		if (had != NULL && json_integer_value(had) == json_integer_value(v))
			continue;
		if (vsw_kvt_set(kvt, strtoull(key, NULL, 16),
				(uint64_t)json_integer_value(v)) < 0) {
			VSW_LOG(WARNING, "L3 table full: entry %s not installed", key);
			continue;
		}
		json_object_set_new(l3->kvt_have, key, json_integer(json_integer_value(v)));
	}
}

void
vsw_l3_sync_commit(struct vsw_dp_sync *s)
{
	struct vsw_l3_sync *l3 = s->l3;
	unsigned int i;

	sync_kvt(l3);
	free_retired(l3);
	vsw_vpn_sync_commit(s);
	for (i = 0; i < l3->n_removed; i++)
		vsw_mac_table_flush_port(vsw_dp_mac_table(l3->dp), l3->removed_vports[i]);
	l3->n_removed = 0;
}

void
vsw_l3_sync_polled(const struct vsw_dp_sync *s, bool *on)
{
	int slot;

	for (slot = 0; slot < VSW_FIB_MAX_UPLINKS; slot++)
		if (s->l3->uplinks[slot].id[0] != '\0' && s->l3->uplinks[slot].dp_idx >= 0)
			on[s->l3->uplinks[slot].dp_idx] = true;
}

bool
vsw_l3_sync_learn(struct vsw_dp_sync *s)
{
	uint16_t nets[VSW_LEARN_BURST];
	rte_be32_t ips[VSW_LEARN_BURST];
	char key[48], ip[INET_ADDRSTRLEN];
	unsigned int n, i;
	bool changed = false;

	n = vsw_punt_vtep_requests(vsw_dp_punt(s->dp), nets, ips, VSW_LEARN_BURST);
	for (i = 0; i < n; i++) {
		if (nets[i] >= VSW_DP_MAX_NETWORKS || s->net_id[nets[i]] == NULL || ips[i] == 0)
			continue;
		inet_ntop(AF_INET, &ips[i], ip, sizeof(ip));
		snprintf(key, sizeof(key), "%u/%s", nets[i], ip);
		if (json_object_get(s->l3->learned, key) != NULL)
			continue;
		json_object_set_new(s->l3->learned, key, json_true());
		VSW_LOG(INFO, "network %s: learned VTEP %s", s->net_id[nets[i]], ip);
		changed = true;
	}
	return changed;
}

static const struct uplink_dev *
uplink_dev_of(const struct vsw_dp_sync *s, const json_t *uplink)
{
	int slot = uplink_slot(s->l3, obj_str(uplink, "id"));

	return slot >= 0 ? &s->l3->uplinks[slot] : NULL;
}

const char *
vsw_l3_sync_uplink_status(const struct vsw_dp_sync *s, const json_t *uplink)
{
	const struct uplink_dev *u = uplink_dev_of(s, uplink);
	const struct vsw_dp_port *p;

	if (u == NULL)
		return "DOWN";
	if (u->dp_idx < 0)
		return "ERROR";
	p = vsw_dp_port_get(s->dp, (uint16_t)u->dp_idx);
	return p != NULL && __atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) &&
	       obj_bool(uplink, "admin_state_up", true) ? "ACTIVE" : "DOWN";
}

const char *
vsw_l3_sync_uplink_error(const struct vsw_dp_sync *s, const json_t *uplink)
{
	const struct uplink_dev *u = uplink_dev_of(s, uplink);

	return u != NULL && u->dp_idx < 0 ? u->error : NULL;
}

void
vsw_l3_sync_stats(const struct vsw_dp_sync *s, const struct vsw_model *model,
		  json_t *stats)
{
	json_t *uplinks = json_array(), *vports = json_array(), *d;
	struct vsw_port_stats st;
	const char *id, *key;
	json_t *obj;

	json_object_foreach((json_t *)vsw_model_kind(model, "uplink"), id, obj) {
		const struct uplink_dev *u = uplink_dev_of(s, obj);
		json_t *o;

		memset(&st, 0, sizeof(st));
		if (u != NULL && u->dp_idx >= 0)
			vsw_dp_port_stats(s->dp, (uint16_t)u->dp_idx, &st);
		o = vsw_dp_sync_counters_json(&st);
		json_object_set_new(o, "id", json_string(id));
		json_object_set(o, "name", json_object_get(obj, "name"));
		json_object_set_new(o, "status", json_string(vsw_l3_sync_uplink_status(s, obj)));
		json_array_append_new(uplinks, o);
	}
	json_object_foreach(s->l3->vport_desc, key, d) {
		json_t *o;

		memset(&st, 0, sizeof(st));
		vsw_dp_port_stats(s->dp, (uint16_t)obj_int(d, "idx", 0), &st);
		o = vsw_dp_sync_counters_json(&st);
		json_object_update(o, d);
		json_array_append_new(vports, o);
	}
	json_object_set_new(stats, "uplinks", uplinks);
	json_object_set_new(stats, "vports", vports);
	json_object_set_new(stats, "l3_entries",
			    json_integer(vsw_kvt_count(vsw_dp_kvt(s->dp))));
}
