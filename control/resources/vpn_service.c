/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vpnservice and endpoint_group (Neutron VPNaaS v2, vpn-endpoint-groups).
 *
 * A vpnservice is IPsec on a router with an external gateway; its
 * external_v4_ip (the outer source of ESP, the address peers send to) is
 * stored at create from the router's gateway port. It stays current
 * because the router may not lose or change that address while a
 * vpnservice uses it (vsw_vpn_check_router_change, called by router.c),
 * so no view depends on a member of another object that can change.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* No option for it yet: bounds so a client cannot grow the model freely. */
#define VSW_MAX_VPNSERVICES 4096
#define VSW_MAX_ENDPOINT_GROUPS 32768
#define VSW_MAX_ENDPOINTS 64

/* --- vpnservice --- */

static const struct vsw_field vpnservice_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "description", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "router_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	/* Legacy mode (connections with peer_cidrs): the protected subnet. */
	{ .name = "subnet_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_NULLABLE, .default_json = "null" },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "external_v4_ip", .type = VSW_FT_STRING,
	  .flags = VSW_F_RO | VSW_F_NULLABLE, .default_json = "null" },
	/* IPv6 outer addresses are not supported: always null. */
	{ .name = "external_v6_ip", .type = VSW_FT_STRING,
	  .flags = VSW_F_RO | VSW_F_NULLABLE, .default_json = "null" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static void
vpnservice_index_keys(const json_t *svc, vsw_model_emit_fn emit, void *arg)
{
	const char *router = vsw_obj_str(svc, "router_id");
	const char *subnet = vsw_obj_str(svc, "subnet_id");

	if (router != NULL)
		emit(arg, "vpnservice.router", router);
	if (subnet != NULL)
		emit(arg, "vpnservice.subnet", subnet);
}

/* The first IPv4 address of the router's gateway port, or NULL. */
static const char *
router_gateway_v4(const json_t *router)
{
	const json_t *info = json_object_get(router, "external_gateway_info");
	size_t i;
	json_t *ip;

	json_array_foreach(json_object_get(info, "external_fixed_ips"), i, ip) {
		const char *a = vsw_obj_str(ip, "ip_address");
		uint32_t addr;

		if (a != NULL && vsw_ipv4_parse(a, &addr) == 0)
			return a;
	}
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

static int
check_service_subnet(struct vsw_ctx *ctx, const json_t *router, const char *subnet_id,
		     struct vsw_error *err)
{
	if (vsw_ctx_get(ctx, "subnet", subnet_id) == NULL)
		return vsw_not_found(err, "subnet", "subnet_id", subnet_id);
	if (!router_has_subnet(router, subnet_id))
		return vsw_error_set(err, -EINVAL, "SubnetIsNotConnectedToRouter", "subnet_id",
				     "subnet %s is not connected to router %s", subnet_id,
				     vsw_obj_str(router, "id"));
	return 0;
}

static int
vpnservice_on_create(struct vsw_ctx *ctx, json_t *svc, const json_t *given,
		     struct vsw_error *err)
{
	const char *router_id = vsw_obj_str(svc, "router_id");
	const char *subnet_id = vsw_obj_str(svc, "subnet_id");
	const json_t *router = vsw_ctx_get(ctx, "router", router_id);
	const char *ip;

	(void)given;
	if (router == NULL)
		return vsw_not_found(err, "router", "router_id", router_id);
	ip = router_gateway_v4(router);
	if (ip == NULL)
		return vsw_error_set(err, -EINVAL, "RouterIsNotExternal", "router_id",
				     "router %s has no external gateway with an IPv4 "
				     "address (set its external_gateway_info first)", router_id);
	if (subnet_id != NULL && check_service_subnet(ctx, router, subnet_id, err) < 0)
		return err->errnum;
	json_object_set_new_nocheck(svc, "external_v4_ip", json_string(ip));
	return 0;
}

static int
vpnservice_on_delete(struct vsw_ctx *ctx, const json_t *svc, struct vsw_error *err)
{
	const char *id = vsw_obj_str(svc, "id");
	size_t conns = vsw_model_index_count(ctx->model, "ipsec_site_connection.vpnservice", id);
	size_t sas = vsw_model_index_count(ctx->model, "ipsec_sa.vpnservice", id);

	if (conns == 0 && sas == 0)
		return 0;
	return vsw_error_set(err, -EBUSY, "VPNServiceInUse", "id",
			     "vpnservice %s is used by %zu IPsec site connection(s) and "
			     "%zu manual SA(s)", id, conns, sas);
}

static void
vpnservice_decorate(struct vsw_ctx *ctx, const json_t *svc, json_t *out)
{
	vsw_resource_set_status(ctx, "vpnservice", svc, out,
				json_is_true(json_object_get(svc, "admin_state_up"))
				? "ACTIVE" : "DOWN");
}

/* --- the router's side --- */

/* Ids of the vpnservices on router_id (a copy). */
static json_t *
services_of_router(struct vsw_ctx *ctx, const char *router_id)
{
	json_t *ids = json_array();
	const char *id;
	json_t *svc;

	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "vpnservice"), id, svc)
		if (strcmp(vsw_obj_str(svc, "router_id"), router_id) == 0)
			json_array_append_new(ids, json_string(id));
	return ids;
}

int
vsw_vpn_check_router_change(struct vsw_ctx *ctx, const json_t *old,
			    const json_t *router, struct vsw_error *err)
{
	const char *router_id = vsw_obj_str(old, "id");
	const char *ip = router ? router_gateway_v4(router) : NULL;
	json_t *ids, *id;
	size_t i;
	int rc = 0;

	if (router_id == NULL ||
	    vsw_model_index_count(ctx->model, "vpnservice.router", router_id) == 0)
		return 0;
	ids = services_of_router(ctx, router_id);
	json_array_foreach(ids, i, id) {
		const json_t *svc = vsw_model_get(ctx->model, "vpnservice",
						  json_string_value(id));
		const char *held = vsw_obj_str(svc, "external_v4_ip");

		if (ip != NULL && held != NULL && strcmp(ip, held) == 0)
			continue;
		rc = vsw_error_set(err, -EBUSY, "RouterInUseByVPNService",
				   router ? "external_gateway_info" : "id",
				   "router %s is used by vpnservice %s (external_v4_ip %s): "
				   "delete the vpnservice first", router_id,
				   json_string_value(id), held ? held : "-");
		break;
	}
	json_decref(ids);
	return rc;
}

/* A connection on a service of router_id has a local endpoint group
 * listing subnet_id. */
static const char *
connection_using_subnet(struct vsw_ctx *ctx, const char *router_id,
			const char *subnet_id)
{
	const char *id;
	json_t *conn;

	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "ipsec_site_connection"),
			    id, conn) {
		const json_t *svc = vsw_model_get(ctx->model, "vpnservice",
						  vsw_obj_str(conn, "vpnservice_id"));
		const json_t *group = vsw_model_get(ctx->model, "endpoint_group",
						    vsw_obj_str(conn, "local_ep_group_id"));
		size_t i;
		json_t *e;

		if (svc == NULL || group == NULL ||
		    strcmp(vsw_obj_str(svc, "router_id"), router_id) != 0)
			continue;
		json_array_foreach(json_object_get(group, "endpoints"), i, e)
			if (strcmp(json_string_value(e), subnet_id) == 0)
				return id;
	}
	return NULL;
}

int
vsw_vpn_check_router_subnet(struct vsw_ctx *ctx, const char *router_id,
			    const char *subnet_id, struct vsw_error *err)
{
	const char *conn;
	json_t *ids, *id;
	size_t i;
	int rc = 0;

	if (vsw_model_index_count(ctx->model, "vpnservice.router", router_id) == 0)
		return 0;
	ids = services_of_router(ctx, router_id);
	json_array_foreach(ids, i, id) {
		const json_t *svc = vsw_model_get(ctx->model, "vpnservice",
						  json_string_value(id));
		const char *s = vsw_obj_str(svc, "subnet_id");

		if (s != NULL && strcmp(s, subnet_id) == 0) {
			rc = vsw_error_set(err, -EBUSY, "SubnetInUseByVPNService", "subnet_id",
					   "subnet %s is used by vpnservice %s", subnet_id,
					   json_string_value(id));
			break;
		}
	}
	json_decref(ids);
	if (rc == 0 && (conn = connection_using_subnet(ctx, router_id, subnet_id)) != NULL)
		rc = vsw_error_set(err, -EBUSY, "SubnetInUseByVPNService", "subnet_id",
				   "subnet %s is a local endpoint of IPsec site connection %s",
				   subnet_id, conn);
	return rc;
}

/* --- endpoint_group --- */

static int
validate_group_type(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (strcmp(s, "subnet") == 0 || strcmp(s, "cidr") == 0)
		return 0;
	if (strcmp(s, "network") == 0 || strcmp(s, "router") == 0 || strcmp(s, "vlan") == 0)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "endpoint group type %s is not supported: use subnet "
				     "or cidr", s);
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for type: must be subnet or cidr");
}

static const struct vsw_field endpoint_group_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "description", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "type", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .validate = validate_group_type },
	{ .name = "endpoints", .type = VSW_FT_LIST, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "[]" },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static void
endpoint_group_index_keys(const json_t *group, vsw_model_emit_fn emit, void *arg)
{
	size_t i;
	json_t *e;

	if (strcmp(vsw_obj_str(group, "type"), "subnet") != 0)
		return;
	json_array_foreach(json_object_get(group, "endpoints"), i, e)
		emit(arg, "endpoint_group.subnet", json_string_value(e));
}

static int
endpoints_error(struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", "endpoints",
			     "invalid input for endpoints: %s", what);
}

/* Subnet ids: visible subnets, canonical, unique. */
static int
subnet_endpoints(struct vsw_ctx *ctx, const json_t *list, json_t **out,
		 struct vsw_error *err)
{
	json_t *canon = json_array();
	size_t i, j;
	json_t *e, *prev;

	json_array_foreach(list, i, e) {
		char id[VSW_UUID_STRLEN];
		const char *s = json_string_value(e);

		if (s == NULL || !vsw_uuid_canonical(s, id)) {
			json_decref(canon);
			return endpoints_error(err, "each endpoint of a subnet group is a subnet id");
		}
		json_array_foreach(canon, j, prev)
			if (strcmp(json_string_value(prev), id) == 0) {
				json_decref(canon);
				return endpoints_error(err, "duplicate subnet");
			}
		if (vsw_ctx_get(ctx, "subnet", id) == NULL) {
			json_decref(canon);
			return vsw_not_found(err, "subnet", "endpoints", id);
		}
		json_array_append_new(canon, json_string(id));
	}
	*out = canon;
	return 0;
}

static int
endpoint_group_on_create(struct vsw_ctx *ctx, json_t *group, const json_t *given,
			 struct vsw_error *err)
{
	const json_t *list = json_object_get(group, "endpoints");
	json_t *canon = NULL;
	int rc;

	(void)given;
	if (json_array_size(list) == 0)
		return vsw_error_set(err, -EINVAL, "MissingEndpointForEndpointGroup",
				     "endpoints", "an endpoint group needs at least one endpoint");
	if (json_array_size(list) > VSW_MAX_ENDPOINTS)
		return endpoints_error(err, "more than 64 endpoints");
	if (strcmp(vsw_obj_str(group, "type"), "subnet") == 0)
		rc = subnet_endpoints(ctx, list, &canon, err);
	else
		rc = vsw_vpn_cidr_list_canonical(list, "endpoints", &canon, err);
	if (rc == 0)
		json_object_set_new_nocheck(group, "endpoints", canon);
	return rc;
}

static int
endpoint_group_on_delete(struct vsw_ctx *ctx, const json_t *group, struct vsw_error *err)
{
	const char *id = vsw_obj_str(group, "id");
	size_t n = vsw_model_index_count(ctx->model, "ipsec_site_connection.ep_group", id);

	if (n == 0)
		return 0;
	return vsw_error_set(err, -EBUSY, "EndpointGroupInUse", "id",
			     "endpoint group %s is used by %zu IPsec site connection(s)",
			     id, n);
}

static const struct vsw_resource_kind vpnservice_kind = {
	.name = "vpnservice",
	.plural = "vpnservices",
	.extension = "vpnaas",
	.fields = vpnservice_fields,
	.n_fields = sizeof(vpnservice_fields) / sizeof(vpnservice_fields[0]),
	.on_create = vpnservice_on_create,
	.on_delete = vpnservice_on_delete,
	.decorate = vpnservice_decorate,
	.index_keys = vpnservice_index_keys,
};

static const struct vsw_resource_kind endpoint_group_kind = {
	.name = "endpoint_group",
	.plural = "endpoint_groups",
	.extension = "vpn-endpoint-groups",
	.fields = endpoint_group_fields,
	.n_fields = sizeof(endpoint_group_fields) / sizeof(endpoint_group_fields[0]),
	.on_create = endpoint_group_on_create,
	.on_delete = endpoint_group_on_delete,
	.index_keys = endpoint_group_index_keys,
};

int
vsw_vpn_service_register(struct vsw_api *api)
{
	int rc = vsw_api_register_kind(api, &vpnservice_kind, VSW_MAX_VPNSERVICES);

	if (rc == 0)
		rc = vsw_api_register_kind(api, &endpoint_group_kind, VSW_MAX_ENDPOINT_GROUPS);
	return rc;
}
