/* SPDX-License-Identifier: BSD-3-Clause */
/* network: a collection of ports with shared connectivity (Neutron names). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "resource.h"
#include "resources.h"

/* RFC 7348 over IPv4: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
#define VSW_VXLAN_OVERHEAD 50
#define VSW_NETWORK_MTU_MAX 9000
#define VSW_VLAN_ID_MAX 4094
/* Static VXLAN flooding list and MAC -> VTEP entries per network. */
#define VSW_MAX_REMOTE_VTEPS 1024
#define VSW_MAX_FDB_ENTRIES 16384

static const char *const network_types[] = { "local", "flat", "vlan", "vxlan", NULL };

static const struct vsw_field network_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "shared", .type = VSW_FT_BOOL, .flags = VSW_F_RW | VSW_F_ADMIN,
	  .default_json = "false" },
	{ .name = "mtu", .type = VSW_FT_INT, .flags = VSW_F_RW,
	  .default_json = "1500", .min = 68, .max = VSW_NETWORK_MTU_MAX },
	{ .name = "port_security_enabled", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true", .extension = "port-security" },
	/* Written by the subnet hooks (subnet.c), in creation order. */
	{ .name = "subnets", .type = VSW_FT_LIST, .flags = VSW_F_RO,
	  .default_json = "[]", .extension = "subnet" },
	/* Provider networks: set on create by an admin, immutable. */
	{ .name = "provider:network_type", .type = VSW_FT_ENUM,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_ADMIN,
	  .default_json = "\"local\"", .extension = "provider-net",
	  .enum_values = network_types },
	{ .name = "provider:physical_network", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_ADMIN | VSW_F_NULLABLE,
	  .default_json = "null", .extension = "provider-net", .min = 1, .max_len = 32 },
	{ .name = "provider:segmentation_id", .type = VSW_FT_INT,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_ADMIN | VSW_F_NULLABLE,
	  .default_json = "null", .extension = "provider-net", .min = 1, .max = 16777215 },
	{ .name = "router:external", .type = VSW_FT_BOOL, .flags = VSW_F_RW | VSW_F_ADMIN,
	  .default_json = "false", .extension = "external-net" },
	/* VXLAN static control (network.add_remote_vtep, ...): ["a.b.c.d"]
	 * and [{mac_address, remote_ip}]; [] on every other network. */
	{ .name = "remote_vteps", .type = VSW_FT_LIST, .flags = VSW_F_RO,
	  .default_json = "[]", .extension = "provider-net" },
	{ .name = "fdb_entries", .type = VSW_FT_LIST, .flags = VSW_F_RO,
	  .default_json = "[]", .extension = "provider-net" },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

int
vsw_network_overhead(const char *network_type)
{
	return network_type && strcmp(network_type, "vxlan") == 0 ? VSW_VXLAN_OVERHEAD : 0;
}

static const char *
network_type(const json_t *net)
{
	const char *t = vsw_obj_str(net, "provider:network_type");

	/* Networks stored before provider networks existed are local. */
	return t ? t : "local";
}

/* "<uplink>/<segmentation id>", "<uplink>/flat" for the untagged one. */
static void
segment_key(char *key, size_t size, const json_t *net)
{
	json_t *seg = json_object_get(net, "provider:segmentation_id");

	if (json_is_integer(seg))
		snprintf(key, size, "%s/%" JSON_INTEGER_FORMAT,
			 vsw_obj_str(net, "provider:physical_network"),
			 json_integer_value(seg));
	else
		snprintf(key, size, "%s/flat", vsw_obj_str(net, "provider:physical_network"));
}

static void
network_index_keys(const json_t *net, vsw_model_emit_fn emit, void *arg)
{
	char key[64];

	if (vsw_obj_str(net, "provider:physical_network") == NULL)
		return;
	emit(arg, "network.physnet", vsw_obj_str(net, "provider:physical_network"));
	segment_key(key, sizeof(key), net);
	emit(arg, "network.segment", key);
}

static int
provider_error(struct vsw_error *err, const char *field, const char *what,
	       const char *type)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field,
			     "invalid input for %s: %s for network type %s",
			     field, what, type);
}

/* Which uplink roles carry a network type: a vlan trunk also carries one
 * untagged flat network. */
static bool
role_carries(const char *role, const char *type)
{
	if (strcmp(type, "flat") == 0)
		return strcmp(role, "flat") == 0 || strcmp(role, "vlan") == 0;
	return strcmp(role, type) == 0;
}

/* Shape of the three provider fields for the network type. */
static int
check_provider_shape(const json_t *net, const char *type, struct vsw_error *err)
{
	bool has_phys = vsw_obj_str(net, "provider:physical_network") != NULL;
	json_t *seg = json_object_get(net, "provider:segmentation_id");
	bool segmented = strcmp(type, "vlan") == 0 || strcmp(type, "vxlan") == 0;

	if (strcmp(type, "local") == 0 && has_phys)
		return provider_error(err, "provider:physical_network", "must be null", type);
	if (strcmp(type, "local") != 0 && !has_phys)
		return provider_error(err, "provider:physical_network",
				      "an uplink name is required", type);
	if (segmented && !json_is_integer(seg))
		return provider_error(err, "provider:segmentation_id", "required", type);
	if (!segmented && !json_is_null(seg))
		return provider_error(err, "provider:segmentation_id", "must be null", type);
	if (strcmp(type, "vlan") == 0 && json_integer_value(seg) > VSW_VLAN_ID_MAX)
		return provider_error(err, "provider:segmentation_id",
				      "a VLAN id is 1..4094", type);
	return 0;
}

/* The largest mtu the uplink leaves the network, and the network's default. */
static json_int_t
uplink_mtu_limit(const json_t *uplink, const char *type)
{
	json_int_t limit = json_integer_value(json_object_get(uplink, "mtu")) -
			   vsw_network_overhead(type);

	return limit > VSW_NETWORK_MTU_MAX ? VSW_NETWORK_MTU_MAX : limit;
}

static int
check_mtu(json_t *net, const json_t *uplink, bool given, struct vsw_error *err)
{
	const char *type = network_type(net);
	json_int_t limit = uplink_mtu_limit(uplink, type);

	if (!given && limit >= 68)
		json_object_set_new_nocheck(net, "mtu", json_integer(limit));
	if (json_integer_value(json_object_get(net, "mtu")) <= limit)
		return 0;
	return vsw_error_set(err, -EINVAL, "InvalidInput", "mtu",
			     "Requested MTU is too big, maximum is %" JSON_INTEGER_FORMAT
			     " (uplink %s, network type %s)", limit < 68 ? 0 : limit,
			     vsw_obj_str(uplink, "name"), type);
}

static int
check_segment_free(struct vsw_ctx *ctx, const json_t *net, struct vsw_error *err)
{
	char key[64];

	segment_key(key, sizeof(key), net);
	if (vsw_model_index_count(ctx->model, "network.segment", key) == 0)
		return 0;
	return vsw_error_set(err, -EEXIST, "SegmentationIdInUse", "provider:segmentation_id",
			     "segment %s is used by another network", key);
}

static const json_t *
find_uplink(struct vsw_ctx *ctx, const json_t *net, struct vsw_error *err)
{
	const char *name = vsw_obj_str(net, "provider:physical_network");
	const json_t *uplink = vsw_uplink_by_name(ctx, name);

	if (uplink == NULL)
		vsw_error_set(err, -ENOENT, "UplinkNotFound", "provider:physical_network",
			      "uplink %.40s could not be found", name);
	return uplink;
}

static int
network_on_create(struct vsw_ctx *ctx, json_t *net, const json_t *given,
		  struct vsw_error *err)
{
	const char *type = network_type(net);
	const json_t *uplink;
	int rc = check_provider_shape(net, type, err);

	if (rc < 0 || strcmp(type, "local") == 0)
		return rc;
	uplink = find_uplink(ctx, net, err);
	if (uplink == NULL)
		return err->errnum;
	if (!role_carries(vsw_obj_str(uplink, "role"), type))
		return vsw_error_set(err, -EINVAL, "InvalidInput", "provider:physical_network",
				     "uplink %s (role %s) cannot carry a %s network",
				     vsw_obj_str(uplink, "name"), vsw_obj_str(uplink, "role"), type);
	rc = check_segment_free(ctx, net, err);
	if (rc == 0)
		rc = check_mtu(net, uplink, json_object_get(given, "mtu") != NULL, err);
	return rc;
}

static int
check_external_unused(struct vsw_ctx *ctx, const json_t *net, struct vsw_error *err)
{
	const char *id = vsw_obj_str(net, "id");

	if (vsw_model_index_count(ctx->model, "router.gw_network", id) == 0 &&
	    vsw_model_index_count(ctx->model, "floatingip.network", id) == 0)
		return 0;
	return vsw_error_set(err, -EBUSY, "ExternalNetworkInUse", "router:external",
			     "network %s is the gateway network of a router or holds "
			     "floating IPs", id);
}

/* Networks stored before a list member existed get it on their next write,
 * so readers of stored networks find it. */
static void
set_empty_if_absent(json_t *net, const char *key)
{
	if (!json_is_array(json_object_get(net, key)))
		json_object_set_new_nocheck(net, key, json_array());
}

static int
network_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *net,
		  const json_t *changes, struct vsw_error *err)
{
	const json_t *uplink;

	set_empty_if_absent(net, "remote_vteps");
	set_empty_if_absent(net, "fdb_entries");
	if (json_is_true(json_object_get(old, "router:external")) &&
	    !json_is_true(json_object_get(net, "router:external")) &&
	    check_external_unused(ctx, net, err) < 0)
		return err->errnum;
	if (json_object_get(changes, "mtu") == NULL ||
	    strcmp(network_type(net), "local") == 0)
		return 0;
	uplink = find_uplink(ctx, net, err);
	return uplink ? check_mtu(net, uplink, true, err) : err->errnum;
}

static int
network_on_delete(struct vsw_ctx *ctx, const json_t *net, struct vsw_error *err)
{
	const char *id = vsw_obj_str(net, "id");

	/* Counted over every project: another project's port on a shared
	 * network keeps it in use too. */
	if (vsw_model_index_count(ctx->model, "port.network", id) > 0)
		return vsw_error_set(err, -EBUSY, "NetworkInUse", "id",
				     "unable to delete network %s: one or more "
				     "ports are still on it", id);
	/* As Neutron: a network without ports takes its subnets with it. */
	return vsw_subnets_delete_with_network(ctx, net, err);
}

static void
network_decorate(struct vsw_ctx *ctx, const json_t *net, json_t *out)
{
	(void)ctx;
	static const char *const defaults[][2] = {
		/* Networks stored before these existed have no member. */
		{ "subnets", "[]" },
		{ "provider:network_type", "\"local\"" },
		{ "provider:physical_network", "null" },
		{ "provider:segmentation_id", "null" },
		{ "router:external", "false" },
		{ "remote_vteps", "[]" },
		{ "fdb_entries", "[]" },
	};

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (json_object_get(out, defaults[i][0]) == NULL)
			json_object_set_new_nocheck(out, defaults[i][0],
						    json_loads(defaults[i][1], JSON_DECODE_ANY, NULL));
	json_object_set_new_nocheck(out, "status",
				    json_string(json_is_true(json_object_get(net, "admin_state_up"))
						? "ACTIVE" : "DOWN"));
}

static const struct vsw_resource_kind network_kind = {
	.name = "network",
	.shared_field = "shared",
	.plural = "networks",
	.fields = network_fields,
	.n_fields = sizeof(network_fields) / sizeof(network_fields[0]),
	.on_create = network_on_create,
	.on_update = network_on_update,
	.on_delete = network_on_delete,
	.decorate = network_decorate,
	.index_keys = network_index_keys,
};

/* --- VXLAN static VTEPs and FDB (l2-population style control) --- */

/* A request on one VXLAN network: the network and the parsed parameters. */
struct vtep_req {
	const json_t *net;
	char ip[VSW_IPV4_STRLEN];
	char mac[VSW_MAC_STRLEN];
};

static int
vtep_param_error(struct vsw_error *err, const char *field, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field,
			     "invalid input for %s: %s", field, what);
}

/*
 * Reads {id, names...}: the network must be a VXLAN one; ip_address or
 * remote_ip (a unicast IPv4) and mac_address (a unicast MAC) as named.
 */
static int
read_vtep_req(struct vsw_ctx *ctx, json_t *params, const char *const *names,
	      struct vtep_req *q, struct vsw_error *err)
{
	char id[VSW_UUID_STRLEN];

	if (vsw_params_only(params, names, err) < 0 ||
	    vsw_params_id(params, "id", id, err) < 0)
		return err->errnum;
	for (const char *const *n = names + 1; *n; n++) {
		const json_t *v = json_object_get(params, *n);

		if (v == NULL)
			return vtep_param_error(err, *n, "required");
		if (strcmp(*n, "mac_address") == 0) {
			if (vsw_unicast_mac_canonical(v, q->mac) < 0)
				return vtep_param_error(err, *n, "expected a unicast MAC address");
		} else if (vsw_unicast_ipv4_canonical(v, q->ip) < 0) {
			return vtep_param_error(err, *n, "expected a unicast IPv4 address");
		}
	}
	q->net = vsw_ctx_get(ctx, "network", id);
	if (q->net == NULL)
		return vsw_not_found(err, "network", "id", id);
	if (strcmp(network_type(q->net), "vxlan") != 0)
		return vsw_error_set(err, -EINVAL, "InvalidInput", "id",
				     "network %s is not a vxlan network (provider:network_type "
				     "%s): remote VTEPs and FDB entries are for vxlan networks",
				     id, network_type(q->net));
	return 0;
}

/* Index of the string s in list, or -1. */
static ssize_t
find_string(const json_t *list, const char *s)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(e), s) == 0)
			return (ssize_t)i;
	return -1;
}

/* Index of the entry whose member key is value, or -1. */
static ssize_t
find_entry(const json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (strcmp(vsw_obj_str(e, key), value) == 0)
			return (ssize_t)i;
	return -1;
}

/* Writes a copy of the network with member key replaced by list (stolen),
 * and answers with the updated network. */
static int
put_network_list(struct vsw_ctx *ctx, const struct vtep_req *q, const char *key,
		 json_t *list, json_t **result, struct vsw_error *err)
{
	json_t *net = vsw_obj_copy_for_update(q->net);
	char id[VSW_UUID_STRLEN];
	int rc;

	if (net == NULL || list == NULL) {
		json_decref(net);
		json_decref(list);
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	}
	set_empty_if_absent(net, "remote_vteps");
	set_empty_if_absent(net, "fdb_entries");
	json_object_set_new_nocheck(net, key, list);
	snprintf(id, sizeof(id), "%s", vsw_obj_str(net, "id"));
	rc = vsw_ctx_put(ctx, "network", net, err);
	if (rc == 0)
		*result = vsw_ctx_view(ctx, "network", vsw_model_get(ctx->model, "network", id));
	return rc;
}

/* A copy of a list member (members are shared, never edited in place). */
static json_t *
list_copy(const json_t *net, const char *key)
{
	const json_t *list = json_object_get(net, key);

	return json_is_array(list) ? json_copy((json_t *)list) : json_array();
}

static int
network_add_remote_vtep(struct vsw_ctx *ctx, void *data, json_t *params,
			json_t **result, struct vsw_error *err)
{
	static const char *const names[] = { "id", "ip_address", NULL };
	struct vtep_req q;
	const json_t *vteps, *uplink;
	json_t *list;

	(void)data;
	if (read_vtep_req(ctx, params, names, &q, err) < 0)
		return err->errnum;
	vteps = json_object_get(q.net, "remote_vteps");
	if (find_string(vteps, q.ip) >= 0)
		return vsw_error_set(err, -EEXIST, "RemoteVtepExists", "ip_address",
				     "network %s already has remote VTEP %s",
				     vsw_obj_str(q.net, "id"), q.ip);
	uplink = vsw_uplink_by_name(ctx, vsw_obj_str(q.net, "provider:physical_network"));
	if (uplink != NULL && vsw_obj_str(uplink, "local_ip") != NULL &&
	    strcmp(vsw_obj_str(uplink, "local_ip"), q.ip) == 0)
		return vtep_param_error(err, "ip_address",
					"this host's own VTEP address (local_ip of the uplink)");
	if (json_array_size(vteps) >= VSW_MAX_REMOTE_VTEPS)
		return vsw_error_set(err, -EBUSY, "RemoteVtepLimitReached", "ip_address",
				     "network %s has %d remote VTEPs, the most it may have",
				     vsw_obj_str(q.net, "id"), VSW_MAX_REMOTE_VTEPS);
	list = list_copy(q.net, "remote_vteps");
	json_array_append_new(list, json_string(q.ip));
	return put_network_list(ctx, &q, "remote_vteps", list, result, err);
}

static int
network_remove_remote_vtep(struct vsw_ctx *ctx, void *data, json_t *params,
			   json_t **result, struct vsw_error *err)
{
	static const char *const names[] = { "id", "ip_address", NULL };
	struct vtep_req q;
	ssize_t at;
	json_t *vteps;

	(void)data;
	if (read_vtep_req(ctx, params, names, &q, err) < 0)
		return err->errnum;
	at = find_string(json_object_get(q.net, "remote_vteps"), q.ip);
	if (at < 0)
		return vsw_error_set(err, -ENOENT, "RemoteVtepNotFound", "ip_address",
				     "network %s has no remote VTEP %s",
				     vsw_obj_str(q.net, "id"), q.ip);
	if (find_entry(json_object_get(q.net, "fdb_entries"), "remote_ip", q.ip) >= 0)
		return vsw_error_set(err, -EBUSY, "RemoteVtepInUse", "ip_address",
				     "FDB entries of network %s point to remote VTEP %s; "
				     "remove them first", vsw_obj_str(q.net, "id"), q.ip);
	vteps = list_copy(q.net, "remote_vteps");
	json_array_remove(vteps, (size_t)at);
	return put_network_list(ctx, &q, "remote_vteps", vteps, result, err);
}

static int
network_add_fdb_entry(struct vsw_ctx *ctx, void *data, json_t *params,
		      json_t **result, struct vsw_error *err)
{
	static const char *const names[] = { "id", "mac_address", "remote_ip", NULL };
	struct vtep_req q;
	const json_t *fdb;
	json_t *list;

	(void)data;
	if (read_vtep_req(ctx, params, names, &q, err) < 0)
		return err->errnum;
	if (find_string(json_object_get(q.net, "remote_vteps"), q.ip) < 0)
		return vtep_param_error(err, "remote_ip",
					"not a remote VTEP of the network (network.add_remote_vtep "
					"first)");
	fdb = json_object_get(q.net, "fdb_entries");
	if (find_entry(fdb, "mac_address", q.mac) >= 0)
		return vsw_error_set(err, -EEXIST, "FdbEntryExists", "mac_address",
				     "network %s already has an FDB entry for %s",
				     vsw_obj_str(q.net, "id"), q.mac);
	if (json_array_size(fdb) >= VSW_MAX_FDB_ENTRIES)
		return vsw_error_set(err, -EBUSY, "FdbLimitReached", "mac_address",
				     "network %s has %d FDB entries, the most it may have",
				     vsw_obj_str(q.net, "id"), VSW_MAX_FDB_ENTRIES);
	list = list_copy(q.net, "fdb_entries");
	json_array_append_new(list, json_pack("{s:s, s:s}", "mac_address", q.mac,
					      "remote_ip", q.ip));
	return put_network_list(ctx, &q, "fdb_entries", list, result, err);
}

static int
network_remove_fdb_entry(struct vsw_ctx *ctx, void *data, json_t *params,
			 json_t **result, struct vsw_error *err)
{
	static const char *const names[] = { "id", "mac_address", NULL };
	struct vtep_req q;
	ssize_t at;
	json_t *list;

	(void)data;
	if (read_vtep_req(ctx, params, names, &q, err) < 0)
		return err->errnum;
	at = find_entry(json_object_get(q.net, "fdb_entries"), "mac_address", q.mac);
	if (at < 0)
		return vsw_error_set(err, -ENOENT, "FdbEntryNotFound", "mac_address",
				     "network %s has no FDB entry for %s",
				     vsw_obj_str(q.net, "id"), q.mac);
	list = list_copy(q.net, "fdb_entries");
	json_array_remove(list, (size_t)at);
	return put_network_list(ctx, &q, "fdb_entries", list, result, err);
}

int
vsw_network_register(struct vsw_api *api)
{
	static const struct {
		const char *name;
		vsw_method_fn fn;
	} methods[] = {
		{ "network.add_remote_vtep", network_add_remote_vtep },
		{ "network.remove_remote_vtep", network_remove_remote_vtep },
		{ "network.add_fdb_entry", network_add_fdb_entry },
		{ "network.remove_fdb_entry", network_remove_fdb_entry },
	};
	int rc = vsw_api_register_kind(api, &network_kind,
				       vsw_api_options(api)->max_networks);

	for (size_t i = 0; rc == 0 && i < sizeof(methods) / sizeof(methods[0]); i++)
		rc = vsw_api_register_method(api, methods[i].name, methods[i].fn, NULL,
					     VSW_METHOD_MUTATING | VSW_METHOD_ADMIN);
	return rc;
}
