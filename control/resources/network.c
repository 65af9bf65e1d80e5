/* SPDX-License-Identifier: BSD-3-Clause */
/* network: a collection of ports with shared connectivity (Neutron names). */
#include <errno.h>

#include "resource.h"
#include "resources.h"

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
	  .default_json = "1500", .min = 68, .max = 9000 },
	{ .name = "port_security_enabled", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true", .extension = "port-security" },
	/* Written by the subnet hooks (subnet.c), in creation order. */
	{ .name = "subnets", .type = VSW_FT_LIST, .flags = VSW_F_RO,
	  .default_json = "[]", .extension = "subnet" },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

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
	/* Networks stored before subnets existed have no member. */
	if (json_object_get(out, "subnets") == NULL)
		json_object_set_new_nocheck(out, "subnets", json_array());
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
	.on_delete = network_on_delete,
	.decorate = network_decorate,
};

int
vsw_network_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &network_kind,
				     vsw_api_options(api)->max_networks);
}
