/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * floatingip: an address of an external network mapped 1:1 to a fixed IP
 * of a port (Neutron's floating-ip extension). The address is held by a
 * backing port on the external network (device_owner network:floatingip),
 * so IPAM never hands it out twice. router_id is derived: the router whose
 * gateway is on the floating network and that has an interface on the
 * fixed IP's subnet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* No option for it yet: a bound so a client cannot grow the model freely. */
#define VSW_MAX_FLOATINGIPS 16384
#define VSW_FIXED_KEYLEN (VSW_UUID_STRLEN + VSW_IPV4_STRLEN + 1)

static const struct vsw_field floatingip_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "floating_network_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	/* Not given: allocated from the external network's subnets. */
	{ .name = "floating_ip_address", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE, .validate = vsw_validate_ipv4_field },
	{ .name = "port_id", .type = VSW_FT_UUID, .flags = VSW_F_RW | VSW_F_NULLABLE,
	  .default_json = "null" },
	{ .name = "fixed_ip_address", .type = VSW_FT_STRING,
	  .flags = VSW_F_RW | VSW_F_NULLABLE, .default_json = "null",
	  .validate = vsw_validate_ipv4_field },
	{ .name = "router_id", .type = VSW_FT_UUID, .flags = VSW_F_RO | VSW_F_NULLABLE,
	  .default_json = "null" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "description", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	/* The backing port: stored, not shown (Neutron does not show it). */
	{ .name = "floating_port_id", .type = VSW_FT_UUID, .flags = VSW_F_READONLY },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static void
fixed_key(char key[VSW_FIXED_KEYLEN], const char *port_id, const char *ip)
{
	snprintf(key, VSW_FIXED_KEYLEN, "%s/%s", port_id, ip);
}

static void
floatingip_index_keys(const json_t *fip, vsw_model_emit_fn emit, void *arg)
{
	const char *port = vsw_obj_str(fip, "port_id");
	const char *router = vsw_obj_str(fip, "router_id");
	const char *fixed = vsw_obj_str(fip, "fixed_ip_address");
	const char *net = vsw_obj_str(fip, "floating_network_id");
	char key[VSW_FIXED_KEYLEN];

	if (net != NULL)
		emit(arg, "floatingip.network", net);
	if (router != NULL)
		emit(arg, "floatingip.router", router);
	if (port == NULL)
		return;
	emit(arg, "floatingip.port", port);
	if (fixed != NULL) {
		fixed_key(key, port, fixed);
		emit(arg, "floatingip.fixed", key);
	}
}

/* --- association --- */

static int
bad_association(struct vsw_error *err, const char *field, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field,
			     "invalid input for %s: %s", field, what);
}

/* The fixed_ips entry the floating IP maps to: given, or the only one. */
static const json_t *
choose_fixed_ip(const json_t *fip, const json_t *port, struct vsw_error *err)
{
	const json_t *list = json_object_get(port, "fixed_ips");
	const char *want = vsw_obj_str(fip, "fixed_ip_address");
	size_t i;
	json_t *e;

	if (want == NULL && json_array_size(list) == 1)
		return json_array_get(list, 0);
	json_array_foreach(list, i, e)
		if (want != NULL && strcmp(vsw_obj_str(e, "ip_address"), want) == 0)
			return e;
	if (want != NULL)
		bad_association(err, "fixed_ip_address", "not a fixed IP of the port");
	else if (json_array_size(list) == 0)
		bad_association(err, "port_id", "the port has no fixed IP");
	else
		bad_association(err, "fixed_ip_address",
				"required: the port has several fixed IPs");
	return NULL;
}

static bool
router_has_subnet(const json_t *router, const char *subnet_id)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(router, "interfaces"), i, e)
		if (strcmp(vsw_obj_str(e, "subnet_id"), subnet_id) == 0)
			return true;
	return false;
}

/* The router that can reach subnet_id from the floating network. */
static const char *
find_router(struct vsw_ctx *ctx, const char *net_id, const char *subnet_id)
{
	const char *id;
	json_t *router;

	if (vsw_model_index_count(ctx->model, "router.gw_network", net_id) == 0)
		return NULL;
	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "router"), id, router) {
		const char *gw = vsw_obj_str(json_object_get(router, "external_gateway_info"),
					     "network_id");

		if (gw != NULL && strcmp(gw, net_id) == 0 && router_has_subnet(router, subnet_id))
			return id;
	}
	return NULL;
}

static const json_t *
association_port(struct vsw_ctx *ctx, const json_t *fip, struct vsw_error *err)
{
	const char *port_id = vsw_obj_str(fip, "port_id");
	const json_t *port = vsw_ctx_get(ctx, "port", port_id);
	const char *owner;

	if (port == NULL) {
		vsw_not_found(err, "port", "port_id", port_id);
		return NULL;
	}
	owner = vsw_obj_str(port, "device_owner");
	if (owner != NULL && strncmp(owner, "network:", 8) == 0) {
		bad_association(err, "port_id", "a port owned by the network service");
		return NULL;
	}
	if (strcmp(vsw_obj_str(port, "network_id"),
		   vsw_obj_str(fip, "floating_network_id")) == 0) {
		bad_association(err, "port_id", "the port is on the floating network");
		return NULL;
	}
	return port;
}

static int
check_fixed_free(struct vsw_ctx *ctx, const json_t *old, const char *port_id,
		 const char *ip, struct vsw_error *err)
{
	char key[VSW_FIXED_KEYLEN];
	const char *old_port = vsw_obj_str(old, "port_id");
	const char *old_ip = vsw_obj_str(old, "fixed_ip_address");

	fixed_key(key, port_id, ip);
	if (vsw_model_index_count(ctx->model, "floatingip.fixed", key) == 0)
		return 0;
	/* This floating IP itself holds it (an update naming the same). */
	if (old_port && old_ip && strcmp(old_port, port_id) == 0 && strcmp(old_ip, ip) == 0)
		return 0;
	return vsw_error_set(err, -EEXIST, "FloatingIPPortAlreadyAssociated", "port_id",
			     "fixed IP %s of port %s already has a floating IP", ip, port_id);
}

static int
associate(struct vsw_ctx *ctx, json_t *fip, const json_t *old, struct vsw_error *err)
{
	const json_t *port = association_port(ctx, fip, err);
	const json_t *fixed = port ? choose_fixed_ip(fip, port, err) : NULL;
	const char *ip, *router;
	int rc;

	if (fixed == NULL)
		return err->errnum;
	ip = vsw_obj_str(fixed, "ip_address");
	rc = check_fixed_free(ctx, old, vsw_obj_str(port, "id"), ip, err);
	if (rc < 0)
		return rc;
	router = find_router(ctx, vsw_obj_str(fip, "floating_network_id"),
			     vsw_obj_str(fixed, "subnet_id"));
	if (router == NULL)
		return vsw_error_set(err, -ENOENT, "ExternalGatewayForFloatingIPNotFound",
				     "port_id", "no router has a gateway on network %s and "
				     "an interface on subnet %s",
				     vsw_obj_str(fip, "floating_network_id"),
				     vsw_obj_str(fixed, "subnet_id"));
	json_object_set_new_nocheck(fip, "fixed_ip_address", json_string(ip));
	json_object_set_new_nocheck(fip, "router_id", json_string(router));
	return 0;
}

static void
disassociate(json_t *fip)
{
	json_object_set_new_nocheck(fip, "port_id", json_null());
	json_object_set_new_nocheck(fip, "fixed_ip_address", json_null());
	json_object_set_new_nocheck(fip, "router_id", json_null());
}

/* On create (old NULL, changes = given) and update: one set of rules. */
static int
apply_association(struct vsw_ctx *ctx, json_t *fip, const json_t *old,
		  const json_t *changes, struct vsw_error *err)
{
	bool port_changed = json_object_get(changes, "port_id") != NULL;
	bool fixed_changed = json_object_get(changes, "fixed_ip_address") != NULL;

	if (!port_changed && !fixed_changed)
		return 0;
	if (vsw_obj_str(fip, "port_id") == NULL) {
		if (fixed_changed && vsw_obj_str(fip, "fixed_ip_address") != NULL)
			return bad_association(err, "fixed_ip_address", "needs a port_id");
		disassociate(fip);
		return 0;
	}
	/* A new port without an address named: derive it again. */
	if (port_changed && !fixed_changed)
		json_object_set_new_nocheck(fip, "fixed_ip_address", json_null());
	return associate(ctx, fip, old, err);
}

/* --- hooks --- */

static const json_t *
external_network(struct vsw_ctx *ctx, const char *net_id, struct vsw_error *err)
{
	const json_t *net = vsw_model_get(ctx->model, "network", net_id);

	if (net == NULL)
		vsw_not_found(err, "network", "floating_network_id", net_id);
	else if (!json_is_true(json_object_get(net, "router:external")))
		bad_association(err, "floating_network_id", "not an external network "
				"(router:external is false)");
	return net && json_is_true(json_object_get(net, "router:external")) ? net : NULL;
}

static json_t *
backing_port_params(const json_t *fip, const json_t *given)
{
	json_t *params = json_pack("{s:s, s:s, s:s}",
				   "network_id", vsw_obj_str(fip, "floating_network_id"),
				   "device_owner", VSW_OWNER_FLOATINGIP,
				   "device_id", vsw_obj_str(fip, "id"));
	const char *ip = vsw_obj_str(given, "floating_ip_address");

	if (params != NULL && ip != NULL)
		json_object_set_new_nocheck(params, "fixed_ips",
					    json_pack("[{s:s}]", "ip_address", ip));
	return params;
}

/* Creates the port that holds the address; fills floating_ip_address. */
static int
create_backing_port(struct vsw_ctx *ctx, json_t *fip, const json_t *given,
		    struct vsw_error *err)
{
	json_t *params = backing_port_params(fip, given);
	json_t *port = NULL;
	const json_t *first;
	int rc;

	rc = vsw_resources_call(ctx, "port.create", vsw_obj_str(fip, "project_id"),
				params, &port, err);
	json_decref(params);
	if (rc < 0) {
		if (strcmp(err->field, "fixed_ips") == 0)
			snprintf(err->field, sizeof(err->field), "floating_ip_address");
		return rc;
	}
	first = json_array_get(json_object_get(port, "fixed_ips"), 0);
	if (first == NULL)
		rc = vsw_error_set(err, -EINVAL, "InvalidInput", "floating_network_id",
				   "network %s has no subnet to allocate from",
				   vsw_obj_str(fip, "floating_network_id"));
	else {
		json_object_set_nocheck(fip, "floating_ip_address",
					json_object_get(first, "ip_address"));
		json_object_set_nocheck(fip, "floating_port_id", json_object_get(port, "id"));
	}
	json_decref(port);
	return rc;
}

static int
floatingip_on_create(struct vsw_ctx *ctx, json_t *fip, const json_t *given,
		     struct vsw_error *err)
{
	int rc;

	if (external_network(ctx, vsw_obj_str(fip, "floating_network_id"), err) == NULL)
		return err->errnum;
	rc = create_backing_port(ctx, fip, given, err);
	if (rc == 0)
		rc = apply_association(ctx, fip, NULL, given, err);
	return rc;
}

static int
floatingip_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *fip,
		     const json_t *changes, struct vsw_error *err)
{
	return apply_association(ctx, fip, old, changes, err);
}

static int
floatingip_on_delete(struct vsw_ctx *ctx, const json_t *fip, struct vsw_error *err)
{
	const char *port_id = vsw_obj_str(fip, "floating_port_id");

	return port_id ? vsw_port_remove_owned(ctx, port_id, err) : 0;
}

static void
floatingip_decorate(struct vsw_ctx *ctx, const json_t *fip, json_t *out)
{
	vsw_resource_set_status(ctx, "floatingip", fip, out,
				vsw_obj_str(fip, "port_id") ? "ACTIVE" : "DOWN");
}

/* --- for ports and routers --- */

/* Ids of the floating IPs whose member key equals value (a copy: the
 * caller puts objects of the kind it would otherwise iterate). */
static json_t *
floatingips_where(struct vsw_ctx *ctx, const char *key, const char *value)
{
	json_t *ids = json_array();
	const char *id;
	json_t *fip;

	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "floatingip"), id, fip) {
		const char *v = vsw_obj_str(fip, key);

		if (v != NULL && strcmp(v, value) == 0)
			json_array_append_new(ids, json_string(id));
	}
	return ids;
}

static bool
fixed_ips_hold(const json_t *list, const char *ip)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (strcmp(vsw_obj_str(e, "ip_address"), ip) == 0)
			return true;
	return false;
}

int
vsw_floatingips_release_port(struct vsw_ctx *ctx, const char *port_id,
			     const json_t *kept, struct vsw_error *err)
{
	json_t *ids, *id;
	size_t i;
	int rc = 0;

	if (vsw_model_index_count(ctx->model, "floatingip.port", port_id) == 0)
		return 0;
	ids = floatingips_where(ctx, "port_id", port_id);
	json_array_foreach(ids, i, id) {
		const json_t *fip = vsw_model_get(ctx->model, "floatingip",
						  json_string_value(id));
		json_t *copy;

		if (kept != NULL && fixed_ips_hold(kept, vsw_obj_str(fip, "fixed_ip_address")))
			continue;
		copy = vsw_obj_copy_for_update(fip);
		disassociate(copy);
		rc = vsw_ctx_put(ctx, "floatingip", copy, err);
		if (rc < 0)
			break;
	}
	json_decref(ids);
	return rc;
}

/* The subnet of a floating IP's fixed address, from its port. */
static const char *
fixed_subnet(struct vsw_ctx *ctx, const json_t *fip)
{
	const json_t *port = vsw_model_get(ctx->model, "port", vsw_obj_str(fip, "port_id"));
	const char *ip = vsw_obj_str(fip, "fixed_ip_address");
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(port, "fixed_ips"), i, e)
		if (ip != NULL && strcmp(vsw_obj_str(e, "ip_address"), ip) == 0)
			return vsw_obj_str(e, "subnet_id");
	return NULL;
}

bool
vsw_floatingips_use_router(struct vsw_ctx *ctx, const char *router_id,
			   const char *subnet_id)
{
	json_t *ids, *id;
	size_t i;
	bool used = false;

	if (vsw_model_index_count(ctx->model, "floatingip.router", router_id) == 0)
		return false;
	if (subnet_id == NULL)
		return true;
	ids = floatingips_where(ctx, "router_id", router_id);
	json_array_foreach(ids, i, id) {
		const char *s = fixed_subnet(ctx, vsw_model_get(ctx->model, "floatingip",
								json_string_value(id)));

		used |= s != NULL && strcmp(s, subnet_id) == 0;
	}
	json_decref(ids);
	return used;
}

static const struct vsw_resource_kind floatingip_kind = {
	.name = "floatingip",
	.plural = "floatingips",
	.extension = "floating-ip",
	.fields = floatingip_fields,
	.n_fields = sizeof(floatingip_fields) / sizeof(floatingip_fields[0]),
	.on_create = floatingip_on_create,
	.on_update = floatingip_on_update,
	.on_delete = floatingip_on_delete,
	.decorate = floatingip_decorate,
	.index_keys = floatingip_index_keys,
};

int
vsw_floatingip_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &floatingip_kind, VSW_MAX_FLOATINGIPS);
}
