/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vnic: a VM's network interface (vhost-user socket or DPDK device), plugged
 * into a port with vnic.plug and taken out with vnic.unplug.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "resource.h"
#include "resources.h"

/* sizeof(((struct sockaddr_un *)0)->sun_path) - 1 */
#define VSW_SOCKET_PATH_MAX 107
#define VSW_DEVARGS_MAX 1024

static const char *const vnic_types[] = { "vhost-user", "dpdk", NULL };
static const char *const vnic_modes[] = { "client", "server", NULL };
/* Members that only a vhost-user VNIC has. */
static const char *const vhost_user_fields[] = { "socket", "mode", "queues", "reconnect", NULL };

static int
validate_socket(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *path = json_string_value(*value);
	size_t len = json_string_length(*value);

	if (path[0] != '/')
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for socket: must be an absolute path");
	if (len > VSW_SOCKET_PATH_MAX)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for socket: longer than %d bytes",
				     VSW_SOCKET_PATH_MAX);
	return 0;
}

static int
validate_devargs(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	size_t len = json_string_length(*value);

	if (len == 0 || len > VSW_DEVARGS_MAX)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for devargs: 1 to %d bytes",
				     VSW_DEVARGS_MAX);
	return 0;
}

static const struct vsw_field vnic_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "type", .type = VSW_FT_ENUM,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .enum_values = vnic_types },
	{ .name = "socket", .type = VSW_FT_STRING, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .extension = "vhost-user", .validate = validate_socket },
	{ .name = "mode", .type = VSW_FT_ENUM, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "\"client\"", .extension = "vhost-user",
	  .enum_values = vnic_modes },
	{ .name = "queues", .type = VSW_FT_INT, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "1", .min = 1, .max = 8, .extension = "vhost-user" },
	{ .name = "reconnect", .type = VSW_FT_BOOL, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .default_json = "true", .extension = "vhost-user" },
	{ .name = "devargs", .type = VSW_FT_STRING, .flags = VSW_F_CREATE | VSW_F_VISIBLE,
	  .validate = validate_devargs },
	{ .name = "mac_address", .type = VSW_FT_MAC,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_NULLABLE,
	  .default_json = "null", .extension = "ethernet-vnic" },
	{ .name = "port_id", .type = VSW_FT_UUID, .flags = VSW_F_RO | VSW_F_NULLABLE,
	  .default_json = "null" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static void
vnic_index_keys(const json_t *vnic, vsw_model_emit_fn emit, void *arg)
{
	const char *socket = vsw_obj_str(vnic, "socket");
	const char *devargs = vsw_obj_str(vnic, "devargs");
	const char *mac = vsw_obj_str(vnic, "mac_address");

	if (socket != NULL)
		emit(arg, "vnic.socket", socket);
	if (devargs != NULL)
		vsw_device_index_keys("vnic", devargs, emit, arg);
	if (mac != NULL) {
		emit(arg, "vnic.mac", mac);
		emit(arg, "mac", mac);
	}
}

static int
not_for_type(struct vsw_error *err, const char *field, const char *type)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field,
			     "invalid input for %s: not applicable to a %s vnic",
			     field, type);
}

static int
missing_for_type(struct vsw_error *err, const char *field, const char *type)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field,
			     "missing required attribute '%s' for a %s vnic",
			     field, type);
}

static int
check_unique(struct vsw_ctx *ctx, const char *index, const char *key,
	     const char *type, const char *field, struct vsw_error *err)
{
	if (vsw_model_index_count(ctx->model, index, key) == 0)
		return 0;
	return vsw_error_set(err, -EEXIST, type, field,
			     "%s %.200s is already used by another vnic", field, key);
}

static int
create_vhost_user(struct vsw_ctx *ctx, json_t *vnic, const json_t *given,
		  struct vsw_error *err)
{
	const char *socket = vsw_obj_str(vnic, "socket");

	if (json_object_get(given, "devargs") != NULL)
		return not_for_type(err, "devargs", "vhost-user");
	if (socket == NULL)
		return missing_for_type(err, "socket", "vhost-user");
	if (strcmp(vsw_obj_str(vnic, "mode"), "server") == 0) {
		/* Reconnecting is what a client does; a server just listens. */
		if (json_is_true(json_object_get(given, "reconnect")))
			return vsw_error_set(err, -EINVAL, "InvalidInput", "reconnect",
					     "invalid input for reconnect: client mode only");
		json_object_set_new_nocheck(vnic, "reconnect", json_false());
	}
	return check_unique(ctx, "vnic.socket", socket, "SocketInUse", "socket", err);
}

static int
create_dpdk(struct vsw_ctx *ctx, json_t *vnic, const json_t *given,
	    struct vsw_error *err)
{
	const char *devargs = vsw_obj_str(vnic, "devargs");

	for (const char *const *f = vhost_user_fields; *f; f++) {
		if (json_object_get(given, *f) != NULL)
			return not_for_type(err, *f, "dpdk");
		json_object_del(vnic, *f);  /* defaults of vhost-user members */
	}
	if (devargs == NULL)
		return missing_for_type(err, "devargs", "dpdk");
	/* One device (or kernel interface) is opened by one uplink or VNIC. */
	return vsw_device_check_free(ctx, devargs, "devargs", err);
}

static int
vnic_on_create(struct vsw_ctx *ctx, json_t *vnic, const json_t *given,
	       struct vsw_error *err)
{
	const char *type = vsw_obj_str(vnic, "type");
	const char *mac = vsw_obj_str(vnic, "mac_address");
	int rc;

	if (strcmp(type, "vhost-user") == 0)
		rc = create_vhost_user(ctx, vnic, given, err);
	else
		rc = create_dpdk(ctx, vnic, given, err);
	if (rc == 0 && mac != NULL)
		rc = check_unique(ctx, "vnic.mac", mac, "MacAddressInUse", "mac_address", err);
	return rc;
}

static int
vnic_on_delete(struct vsw_ctx *ctx, const json_t *vnic, struct vsw_error *err)
{
	(void)ctx;
	if (json_is_string(json_object_get(vnic, "port_id")))
		return vsw_error_set(err, -EBUSY, "VnicInUse", "id",
				     "vnic %s is plugged into port %s; unplug it first",
				     vsw_obj_str(vnic, "id"), vsw_obj_str(vnic, "port_id"));
	return 0;
}

static void
vnic_decorate(struct vsw_ctx *ctx, const json_t *vnic, json_t *out)
{
	const char *port_id = vsw_obj_str(vnic, "port_id");

	/* Without a MAC of its own, a plugged VNIC uses its port's. */
	if (port_id != NULL && json_is_null(json_object_get(vnic, "mac_address"))) {
		const json_t *port = vsw_model_get(ctx->model, "port", port_id);
		json_t *mac = json_object_get(port, "mac_address");

		if (mac != NULL)
			json_object_set_nocheck(out, "mac_address", mac);
	}
	vsw_resource_set_status(ctx, "vnic", vnic, out, "DOWN");
}

static const struct vsw_resource_kind vnic_kind = {
	.name = "vnic",
	.plural = "vnics",
	.fields = vnic_fields,
	.n_fields = sizeof(vnic_fields) / sizeof(vnic_fields[0]),
	.on_create = vnic_on_create,
	.on_delete = vnic_on_delete,
	.decorate = vnic_decorate,
	.index_keys = vnic_index_keys,
};

/* --- vnic.plug / vnic.unplug --- */

static int
set_link(struct vsw_ctx *ctx, const char *kind, const json_t *obj,
	 const char *member, const char *target, struct vsw_error *err)
{
	json_t *copy = vsw_obj_copy_for_update(obj);

	if (copy == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	json_object_set_new_nocheck(copy, member, target ? json_string(target) : json_null());
	return vsw_ctx_put(ctx, kind, copy, err);
}

static int
vnic_plug(struct vsw_ctx *ctx, void *data, json_t *params, json_t **result,
	  struct vsw_error *err)
{
	static const char *const allowed[] = { "vnic_id", "port_id", NULL };
	char vnic_id[VSW_UUID_STRLEN], port_id[VSW_UUID_STRLEN];
	const json_t *vnic, *port;
	const char *plugged_to, *port_vnic, *vnic_mac;
	int rc;

	(void)data;
	if (vsw_params_only(params, allowed, err) < 0 ||
	    vsw_params_id(params, "vnic_id", vnic_id, err) < 0 ||
	    vsw_params_id(params, "port_id", port_id, err) < 0)
		return err->errnum;
	vnic = vsw_ctx_get(ctx, "vnic", vnic_id);
	if (vnic == NULL)
		return vsw_not_found(err, "vnic", "vnic_id", vnic_id);
	port = vsw_ctx_get(ctx, "port", port_id);
	if (port == NULL)
		return vsw_not_found(err, "port", "port_id", port_id);
	plugged_to = vsw_obj_str(vnic, "port_id");
	port_vnic = vsw_obj_str(port, "vnic_id");
	if (plugged_to != NULL && strcmp(plugged_to, port_id) == 0) {
		*result = vsw_ctx_view(ctx, "vnic", vnic);  /* already so */
		return 0;
	}
	if (plugged_to != NULL)
		return vsw_error_set(err, -EBUSY, "VnicAlreadyPlugged", "vnic_id",
				     "vnic %s is plugged into port %s", vnic_id, plugged_to);
	if (port_vnic != NULL)
		return vsw_error_set(err, -EBUSY, "PortInUse", "port_id",
				     "port %s already has vnic %s", port_id, port_vnic);
	vnic_mac = vsw_obj_str(vnic, "mac_address");
	if (vnic_mac != NULL && strcmp(vnic_mac, vsw_obj_str(port, "mac_address")) != 0)
		return vsw_error_set(err, -EBUSY, "MacAddressMismatch", "mac_address",
				     "vnic MAC %s differs from port MAC %s", vnic_mac,
				     vsw_obj_str(port, "mac_address"));
	rc = set_link(ctx, "port", port, "vnic_id", vnic_id, err);
	if (rc == 0)
		rc = set_link(ctx, "vnic", vnic, "port_id", port_id, err);
	if (rc == 0)
		*result = vsw_ctx_view(ctx, "vnic", vsw_model_get(ctx->model, "vnic", vnic_id));
	return rc;
}

static int
vnic_unplug(struct vsw_ctx *ctx, void *data, json_t *params, json_t **result,
	    struct vsw_error *err)
{
	static const char *const allowed[] = { "vnic_id", NULL };
	char vnic_id[VSW_UUID_STRLEN], port_id[VSW_UUID_STRLEN];
	const json_t *vnic, *port;
	int rc = 0;

	(void)data;
	if (vsw_params_only(params, allowed, err) < 0 ||
	    vsw_params_id(params, "vnic_id", vnic_id, err) < 0)
		return err->errnum;
	vnic = vsw_ctx_get(ctx, "vnic", vnic_id);
	if (vnic == NULL)
		return vsw_not_found(err, "vnic", "vnic_id", vnic_id);
	if (vsw_obj_str(vnic, "port_id") == NULL)
		return vsw_error_set(err, -EBUSY, "VnicNotPlugged", "vnic_id",
				     "vnic %s is not plugged", vnic_id);
	snprintf(port_id, sizeof(port_id), "%s", vsw_obj_str(vnic, "port_id"));
	/* The port may belong to another project when an admin plugged it. */
	port = vsw_model_get(ctx->model, "port", port_id);
	if (port != NULL)
		rc = set_link(ctx, "port", port, "vnic_id", NULL, err);
	if (rc == 0)
		rc = set_link(ctx, "vnic", vnic, "port_id", NULL, err);
	if (rc == 0)
		*result = vsw_ctx_view(ctx, "vnic", vsw_model_get(ctx->model, "vnic", vnic_id));
	return rc;
}

int
vsw_vnic_register(struct vsw_api *api)
{
	int rc = vsw_api_register_kind(api, &vnic_kind, vsw_api_options(api)->max_vnics);

	if (rc == 0)
		rc = vsw_api_register_method(api, "vnic.plug", vnic_plug, NULL,
					     VSW_METHOD_MUTATING);
	if (rc == 0)
		rc = vsw_api_register_method(api, "vnic.unplug", vnic_unplug, NULL,
					     VSW_METHOD_MUTATING);
	return rc;
}
