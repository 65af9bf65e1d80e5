/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * router: Neutron's l3 router. Its interfaces and gateway are ports it owns
 * (device_owner network:router_interface / network:router_gateway,
 * device_id = the router). The router stores what the data plane needs:
 * "interfaces" [{port_id, subnet_id, ip_address, mac_address, network_id,
 * port_created}] and "gw_port_id", written in the same savepoint as the
 * ports (journal-safe, like network.subnets).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* No option for it yet: a bound so a client cannot grow the model freely. */
#define VSW_MAX_ROUTERS 1024
#define VSW_MAX_ROUTES 30

static int
gw_info_error(struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", "external_gateway_info",
			     "invalid input for external_gateway_info: %s", what);
}

/* Shape only: {network_id, enable_snat?, external_fixed_ips?}. The fixed
 * IPs are checked by port.create when the gateway port is made. */
static int
validate_gw_info(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	json_t *net = json_object_get(*value, "network_id");
	json_t *snat = json_object_get(*value, "enable_snat");
	json_t *ips = json_object_get(*value, "external_fixed_ips");
	char id[VSW_UUID_STRLEN];
	const char *key;
	json_t *v, *canon;

	(void)f;
	json_object_foreach(*value, key, v)
		if (strcmp(key, "network_id") && strcmp(key, "enable_snat") &&
		    strcmp(key, "external_fixed_ips"))
			return gw_info_error(err, "unknown member");
	if (!json_is_string(net) || !vsw_uuid_canonical(json_string_value(net), id))
		return gw_info_error(err, "network_id must be a UUID");
	if (snat != NULL && !json_is_boolean(snat))
		return gw_info_error(err, "enable_snat must be true or false");
	if (ips != NULL && !json_is_array(ips))
		return gw_info_error(err, "external_fixed_ips must be a list");
	canon = json_pack("{s:s, s:b}", "network_id", id, "enable_snat", !json_is_false(snat));
	if (ips != NULL)
		json_object_set_nocheck(canon, "external_fixed_ips", ips);
	json_decref(*value);
	*value = canon;
	return 0;
}

static int
validate_routes(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	return vsw_validate_route_list(f, value, VSW_MAX_ROUTES, "InvalidRoutes", err);
}

static const struct vsw_field router_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "external_gateway_info", .type = VSW_FT_DICT,
	  .flags = VSW_F_RW | VSW_F_NULLABLE, .default_json = "null",
	  .validate = validate_gw_info },
	{ .name = "routes", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .default_json = "[]", .validate = validate_routes },
	{ .name = "interfaces", .type = VSW_FT_LIST, .flags = VSW_F_RO,
	  .default_json = "[]" },
	{ .name = "gw_port_id", .type = VSW_FT_UUID, .flags = VSW_F_RO | VSW_F_NULLABLE,
	  .default_json = "null" },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static const json_t *
gw_info(const json_t *router)
{
	const json_t *info = json_object_get(router, "external_gateway_info");

	return json_is_object(info) ? info : NULL;
}

static void
router_index_keys(const json_t *router, vsw_model_emit_fn emit, void *arg)
{
	const char *gw_net = vsw_obj_str(gw_info(router), "network_id");
	size_t i;
	json_t *e;

	if (gw_net != NULL)
		emit(arg, "router.gw_network", gw_net);
	json_array_foreach(json_object_get(router, "interfaces"), i, e)
		emit(arg, "router.subnet", vsw_obj_str(e, "subnet_id"));
}

/* --- the router's addresses: interfaces and gateway --- */

/* [{subnet_id, ip_address, ...}] of the interfaces and the gateway. */
static json_t *
router_addresses(const json_t *router)
{
	json_t *all = json_copy(json_object_get(router, "interfaces"));

	json_array_extend(all, json_object_get(gw_info(router), "external_fixed_ips"));
	return all;
}

static bool
subnet_cidr(struct vsw_ctx *ctx, const char *subnet_id, struct vsw_cidr *c)
{
	const json_t *s = vsw_model_get(ctx->model, "subnet", subnet_id);

	return s != NULL && vsw_cidr_parse(vsw_obj_str(s, "cidr"), c, NULL) == 0;
}

/* A next hop is on a subnet the router is on, and not the router itself. */
static bool
nexthop_reachable(struct vsw_ctx *ctx, const json_t *addresses, uint32_t hop)
{
	bool on_link = false;
	size_t i;
	json_t *a;

	json_array_foreach(addresses, i, a) {
		struct vsw_cidr c;
		uint32_t own;

		if (vsw_ipv4_parse(vsw_obj_str(a, "ip_address"), &own) == 0 && own == hop)
			return false;
		if (subnet_cidr(ctx, vsw_obj_str(a, "subnet_id"), &c))
			on_link |= vsw_cidr_is_host(&c, hop);
	}
	return on_link;
}

/* Every route's next hop reachable; errnum/type say how a failure reads. */
static int
check_routes(struct vsw_ctx *ctx, const json_t *router, int errnum,
	     const char *type, struct vsw_error *err)
{
	json_t *addresses = router_addresses(router);
	size_t i;
	json_t *r;
	int rc = 0;

	json_array_foreach(json_object_get(router, "routes"), i, r) {
		uint32_t hop;

		vsw_ipv4_parse(vsw_obj_str(r, "nexthop"), &hop);
		if (!nexthop_reachable(ctx, addresses, hop)) {
			rc = vsw_error_set(err, errnum, type, "routes",
					   "route to %s: nexthop %s is not on a subnet "
					   "of the router (or is the router itself)",
					   vsw_obj_str(r, "destination"), vsw_obj_str(r, "nexthop"));
			break;
		}
	}
	json_decref(addresses);
	return rc;
}

/* --- the gateway --- */

static json_t *
gateway_port_params(const json_t *router, const json_t *info)
{
	json_t *params = json_pack("{s:s, s:s, s:s}",
				   "network_id", vsw_obj_str(info, "network_id"),
				   "device_owner", VSW_OWNER_ROUTER_GATEWAY,
				   "device_id", vsw_obj_str(router, "id"));
	json_t *ips = json_object_get(info, "external_fixed_ips");

	if (params != NULL && ips != NULL)
		json_object_set_nocheck(params, "fixed_ips", ips);
	return params;
}

static int
check_external(struct vsw_ctx *ctx, const char *net_id, struct vsw_error *err)
{
	const json_t *net = vsw_model_get(ctx->model, "network", net_id);

	if (net == NULL)
		return vsw_not_found(err, "network", "external_gateway_info", net_id);
	if (!json_is_true(json_object_get(net, "router:external")))
		return gw_info_error(err, "the network is not external (router:external)");
	return 0;
}

/* Makes the gateway port; stores its id and addresses in the router. */
static int
create_gateway(struct vsw_ctx *ctx, json_t *router, struct vsw_error *err)
{
	const json_t *info = gw_info(router);
	json_t *params, *port = NULL, *done;
	int rc = check_external(ctx, vsw_obj_str(info, "network_id"), err);

	if (rc < 0)
		return rc;
	params = gateway_port_params(router, info);
	rc = vsw_resources_call(ctx, "port.create", vsw_obj_str(router, "project_id"),
				params, &port, err);
	json_decref(params);
	if (rc < 0) {
		snprintf(err->field, sizeof(err->field), "external_gateway_info");
		return rc;
	}
	if (json_array_size(json_object_get(port, "fixed_ips")) == 0)
		rc = gw_info_error(err, "the external network has no subnet to allocate from");
	done = json_copy((json_t *)info);
	json_object_set_nocheck(done, "external_fixed_ips", json_object_get(port, "fixed_ips"));
	json_object_set_new_nocheck(router, "external_gateway_info", done);
	json_object_set_nocheck(router, "gw_port_id", json_object_get(port, "id"));
	json_decref(port);
	return rc;
}

static int
remove_gateway(struct vsw_ctx *ctx, const json_t *old, json_t *router,
	       struct vsw_error *err)
{
	const char *id = vsw_obj_str(old, "id");

	if (vsw_floatingips_use_router(ctx, id, NULL))
		return vsw_error_set(err, -EBUSY, "RouterExternalGatewayInUseByFloatingIp",
				     "external_gateway_info", "floating IPs of router %s "
				     "use its gateway", id);
	json_object_set_new_nocheck(router, "gw_port_id", json_null());
	return vsw_port_remove_owned(ctx, vsw_obj_str(old, "gw_port_id"), err);
}

/* Only enable_snat changes: the port and its addresses stay. */
static bool
same_gateway_port(const json_t *old_info, const json_t *info)
{
	return old_info != NULL && info != NULL &&
	       strcmp(vsw_obj_str(old_info, "network_id"), vsw_obj_str(info, "network_id")) == 0 &&
	       json_object_get(info, "external_fixed_ips") == NULL;
}

static int
update_gateway(struct vsw_ctx *ctx, const json_t *old, json_t *router,
	       struct vsw_error *err)
{
	const json_t *old_info = old ? gw_info(old) : NULL;
	const json_t *info = gw_info(router);
	int rc = 0;

	if (same_gateway_port(old_info, info)) {
		json_t *done = json_copy((json_t *)info);

		json_object_set_nocheck(done, "external_fixed_ips",
					json_object_get(old_info, "external_fixed_ips"));
		json_object_set_new_nocheck(router, "external_gateway_info", done);
		return 0;
	}
	if (old_info != NULL)
		rc = remove_gateway(ctx, old, router, err);
	if (rc == 0 && info != NULL)
		rc = create_gateway(ctx, router, err);
	return rc;
}

/* --- hooks --- */

static int
router_on_create(struct vsw_ctx *ctx, json_t *router, const json_t *given,
		 struct vsw_error *err)
{
	int rc = 0;

	(void)given;
	if (gw_info(router) != NULL)
		rc = create_gateway(ctx, router, err);
	if (rc == 0)
		rc = check_routes(ctx, router, -EINVAL, "InvalidRoutes", err);
	return rc;
}

static int
router_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *router,
		 const json_t *changes, struct vsw_error *err)
{
	int rc = 0;

	if (json_object_get(changes, "external_gateway_info") != NULL)
		rc = update_gateway(ctx, old, router, err);
	if (rc == 0)
		rc = vsw_vpn_check_router_change(ctx, old, router, err);
	if (rc < 0)
		return rc;
	/* New routes are bad input; old ones a gateway change strands are
	 * a conflict. */
	if (json_object_get(changes, "routes") != NULL)
		return check_routes(ctx, router, -EINVAL, "InvalidRoutes", err);
	return check_routes(ctx, router, -EBUSY, "RouterInterfaceInUseByRoute", err);
}

static int
router_on_delete(struct vsw_ctx *ctx, const json_t *router, struct vsw_error *err)
{
	const char *id = vsw_obj_str(router, "id");
	int rc = vsw_vpn_check_router_change(ctx, router, NULL, err);

	if (rc < 0)
		return rc;
	if (json_array_size(json_object_get(router, "interfaces")) > 0 ||
	    vsw_floatingips_use_router(ctx, id, NULL))
		return vsw_error_set(err, -EBUSY, "RouterInUse", "id",
				     "router %s still has interfaces", id);
	return vsw_port_remove_owned(ctx, vsw_obj_str(router, "gw_port_id"), err);
}

static void
router_decorate(struct vsw_ctx *ctx, const json_t *router, json_t *out)
{
	vsw_resource_set_status(ctx, "router", router, out,
				json_is_true(json_object_get(router, "admin_state_up"))
				? "ACTIVE" : "DOWN");
}

/* --- router.add_interface, router.remove_interface --- */

static const char *const interface_params[] = { "id", "subnet_id", "port_id", NULL };

struct iface_req {
	const json_t *router;
	char subnet_id[VSW_UUID_STRLEN];  /* "" when not given */
	char port_id[VSW_UUID_STRLEN];
	const char *field;                /* the one given: errors name it */
};

static int
read_iface_req(struct vsw_ctx *ctx, const json_t *params, struct iface_req *q,
	       bool one_only, struct vsw_error *err)
{
	char id[VSW_UUID_STRLEN];
	bool has_subnet = json_object_get(params, "subnet_id") != NULL;
	bool has_port = json_object_get(params, "port_id") != NULL;

	memset(q, 0, sizeof(*q));
	if (vsw_params_only(params, interface_params, err) < 0 ||
	    vsw_params_id(params, "id", id, err) < 0)
		return err->errnum;
	if ((has_subnet && vsw_params_id(params, "subnet_id", q->subnet_id, err) < 0) ||
	    (has_port && vsw_params_id(params, "port_id", q->port_id, err) < 0))
		return err->errnum;
	if (has_subnet == has_port && (one_only || !has_subnet))
		return vsw_error_set(err, -EINVAL, "InvalidInput", "subnet_id",
				     "give %s subnet_id or port_id",
				     one_only ? "exactly one of" : "at least one of");
	q->field = has_subnet ? "subnet_id" : "port_id";
	q->router = vsw_ctx_get(ctx, "router", id);
	if (q->router == NULL)
		return vsw_not_found(err, "router", "id", id);
	return 0;
}

static int
iface_error(const struct iface_req *q, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", q->field,
			     "cannot add an interface to router %s: %s",
			     vsw_obj_str(q->router, "id"), what);
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

/* A new port on the subnet holding its gateway address. */
static int
port_for_subnet(struct vsw_ctx *ctx, struct iface_req *q, struct vsw_error *err)
{
	const json_t *subnet = vsw_ctx_get(ctx, "subnet", q->subnet_id);
	json_t *params, *port = NULL;
	int rc;

	if (subnet == NULL)
		return vsw_not_found(err, "subnet", "subnet_id", q->subnet_id);
	if (vsw_obj_str(subnet, "gateway_ip") == NULL)
		return iface_error(q, err, "the subnet has no gateway_ip");
	if (router_has_subnet(q->router, q->subnet_id))
		return iface_error(q, err, "the router already has an interface on the subnet");
	params = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}]}",
			   "network_id", vsw_obj_str(subnet, "network_id"),
			   "device_owner", VSW_OWNER_ROUTER_INTERFACE,
			   "device_id", vsw_obj_str(q->router, "id"),
			   "fixed_ips", "subnet_id", q->subnet_id,
			   "ip_address", vsw_obj_str(subnet, "gateway_ip"));
	rc = vsw_resources_call(ctx, "port.create", vsw_obj_str(q->router, "project_id"),
				params, &port, err);
	json_decref(params);
	if (rc == 0)
		snprintf(q->port_id, sizeof(q->port_id), "%s", vsw_obj_str(port, "id"));
	json_decref(port);
	return rc;
}

static int
set_port_owner(struct vsw_ctx *ctx, const json_t *port, const char *owner,
	       const char *device, struct vsw_error *err)
{
	json_t *copy = vsw_obj_copy_for_update(port);

	json_object_set_new_nocheck(copy, "device_owner", json_string(owner));
	json_object_set_new_nocheck(copy, "device_id", json_string(device));
	return vsw_ctx_put(ctx, "port", copy, err);
}

/* An existing, unowned port becomes the interface. */
static int
take_port(struct vsw_ctx *ctx, struct iface_req *q, struct vsw_error *err)
{
	const json_t *port = vsw_ctx_get(ctx, "port", q->port_id);
	const char *owner;

	if (port == NULL)
		return vsw_not_found(err, "port", "port_id", q->port_id);
	owner = vsw_obj_str(port, "device_owner");
	if ((owner != NULL && owner[0] != '\0') ||
	    json_is_string(json_object_get(port, "vnic_id")))
		return vsw_error_set(err, -EBUSY, "PortInUse", "port_id",
				     "port %s has a device_owner or a plugged VNIC",
				     q->port_id);
	return set_port_owner(ctx, port, VSW_OWNER_ROUTER_INTERFACE,
			      vsw_obj_str(q->router, "id"), err);
}

static int
check_no_overlap(struct vsw_ctx *ctx, const struct iface_req *q,
		 const char *subnet_id, struct vsw_error *err)
{
	json_t *addresses = router_addresses(q->router);
	struct vsw_cidr mine, other;
	size_t i;
	json_t *a;
	int rc = 0;

	if (!subnet_cidr(ctx, subnet_id, &mine))
		rc = iface_error(q, err, "the port's subnet is malformed");
	json_array_foreach(addresses, i, a) {
		if (rc == 0 && subnet_cidr(ctx, vsw_obj_str(a, "subnet_id"), &other) &&
		    vsw_cidr_overlap(&mine, &other))
			rc = iface_error(q, err, "the subnet overlaps a subnet the router is on");
	}
	json_decref(addresses);
	return rc;
}

static json_t *
interface_entry(const json_t *port, bool created)
{
	const json_t *ip = json_array_get(json_object_get(port, "fixed_ips"), 0);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}",
			 "port_id", vsw_obj_str(port, "id"),
			 "subnet_id", vsw_obj_str(ip, "subnet_id"),
			 "ip_address", vsw_obj_str(ip, "ip_address"),
			 "mac_address", vsw_obj_str(port, "mac_address"),
			 "network_id", vsw_obj_str(port, "network_id"),
			 "port_created", created);
}

/* Checks the interface port and appends it to the router. */
static int
attach_port(struct vsw_ctx *ctx, const struct iface_req *q, bool created,
	    json_t **entry, struct vsw_error *err)
{
	const json_t *port = vsw_model_get(ctx->model, "port", q->port_id);
	const json_t *ips = json_object_get(port, "fixed_ips");
	const json_t *net = vsw_model_get(ctx->model, "network",
					  vsw_obj_str(port, "network_id"));
	json_t *router, *list;
	int rc;

	if (json_array_size(ips) != 1)
		return iface_error(q, err, "the port needs exactly one IPv4 fixed IP");
	if (json_is_true(json_object_get(net, "router:external")))
		return iface_error(q, err, "the network is external: set it as the "
				   "router's external_gateway_info instead");
	rc = check_no_overlap(ctx, q, vsw_obj_str(json_array_get(ips, 0), "subnet_id"), err);
	if (rc < 0)
		return rc;
	*entry = interface_entry(port, created);
	router = vsw_obj_copy_for_update(q->router);
	list = json_copy(json_object_get(q->router, "interfaces"));
	json_array_append(list, *entry);
	json_object_set_new_nocheck(router, "interfaces", list);
	return vsw_ctx_put(ctx, "router", router, err);
}

/* Neutron's answer to add/remove_router_interface. */
static json_t *
interface_info(const json_t *router, const json_t *entry)
{
	return json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:s}",
			 "id", vsw_obj_str(router, "id"),
			 "subnet_id", vsw_obj_str(entry, "subnet_id"),
			 "subnet_ids", vsw_obj_str(entry, "subnet_id"),
			 "port_id", vsw_obj_str(entry, "port_id"),
			 "tenant_id", vsw_obj_str(router, "project_id"),
			 "project_id", vsw_obj_str(router, "project_id"),
			 "network_id", vsw_obj_str(entry, "network_id"));
}

static int
router_add_interface(struct vsw_ctx *ctx, void *data, json_t *params,
		     json_t **result, struct vsw_error *err)
{
	struct iface_req q;
	json_t *entry = NULL;
	bool by_subnet;
	int rc;

	(void)data;
	rc = read_iface_req(ctx, params, &q, true, err);
	if (rc < 0)
		return rc;
	by_subnet = q.subnet_id[0] != '\0';
	rc = by_subnet ? port_for_subnet(ctx, &q, err) : take_port(ctx, &q, err);
	if (rc == 0)
		rc = attach_port(ctx, &q, by_subnet, &entry, err);
	if (rc == 0)
		*result = interface_info(q.router, entry);
	json_decref(entry);
	return rc;
}

/* The index of the interface matching what the request names, or -1. */
static ssize_t
find_interface(const struct iface_req *q)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(q->router, "interfaces"), i, e) {
		if ((q->subnet_id[0] == '\0' ||
		     strcmp(vsw_obj_str(e, "subnet_id"), q->subnet_id) == 0) &&
		    (q->port_id[0] == '\0' ||
		     strcmp(vsw_obj_str(e, "port_id"), q->port_id) == 0))
			return (ssize_t)i;
	}
	return -1;
}

static int
release_interface_port(struct vsw_ctx *ctx, const json_t *entry,
		       struct vsw_error *err)
{
	const char *port_id = vsw_obj_str(entry, "port_id");
	const json_t *port = vsw_model_get(ctx->model, "port", port_id);

	if (json_is_true(json_object_get(entry, "port_created")))
		return vsw_port_remove_owned(ctx, port_id, err);
	return port ? set_port_owner(ctx, port, "", "", err) : 0;
}

static int
detach(struct vsw_ctx *ctx, const struct iface_req *q, size_t index,
       struct vsw_error *err)
{
	const json_t *entry = json_array_get(json_object_get(q->router, "interfaces"), index);
	json_t *router = vsw_obj_copy_for_update(q->router);
	json_t *list = json_copy(json_object_get(q->router, "interfaces"));
	int rc;

	json_array_remove(list, index);
	json_object_set_new_nocheck(router, "interfaces", list);
	rc = check_routes(ctx, router, -EBUSY, "RouterInterfaceInUseByRoute", err);
	if (rc < 0) {
		json_decref(router);
		return rc;
	}
	rc = vsw_ctx_put(ctx, "router", router, err);
	return rc < 0 ? rc : release_interface_port(ctx, entry, err);
}

static int
router_remove_interface(struct vsw_ctx *ctx, void *data, json_t *params,
			json_t **result, struct vsw_error *err)
{
	struct iface_req q;
	json_t *entry;
	ssize_t index;
	int rc;

	(void)data;
	rc = read_iface_req(ctx, params, &q, false, err);
	if (rc < 0)
		return rc;
	index = find_interface(&q);
	if (index < 0)
		return vsw_error_set(err, -ENOENT, "RouterInterfaceNotFound", q.field,
				     "router %s has no interface with %s %s",
				     vsw_obj_str(q.router, "id"), q.field,
				     q.subnet_id[0] ? q.subnet_id : q.port_id);
	entry = json_incref(json_array_get(json_object_get(q.router, "interfaces"),
					   (size_t)index));
	if (vsw_floatingips_use_router(ctx, vsw_obj_str(q.router, "id"),
				       vsw_obj_str(entry, "subnet_id")))
		rc = vsw_error_set(err, -EBUSY, "RouterInterfaceInUseByFloatingIP", q.field,
				   "floating IPs of router %s map to addresses on subnet %s",
				   vsw_obj_str(q.router, "id"), vsw_obj_str(entry, "subnet_id"));
	if (rc == 0)
		rc = vsw_vpn_check_router_subnet(ctx, vsw_obj_str(q.router, "id"),
						 vsw_obj_str(entry, "subnet_id"), err);
	if (rc == 0)
		rc = detach(ctx, &q, (size_t)index, err);
	if (rc == 0)
		*result = interface_info(q.router, entry);
	json_decref(entry);
	return rc;
}

static const struct vsw_resource_kind router_kind = {
	.name = "router",
	.plural = "routers",
	.extension = "router",
	.fields = router_fields,
	.n_fields = sizeof(router_fields) / sizeof(router_fields[0]),
	.on_create = router_on_create,
	.on_update = router_on_update,
	.on_delete = router_on_delete,
	.decorate = router_decorate,
	.index_keys = router_index_keys,
};

int
vsw_router_register(struct vsw_api *api)
{
	int rc = vsw_api_register_kind(api, &router_kind, VSW_MAX_ROUTERS);

	if (rc == 0)
		rc = vsw_api_register_method(api, "router.add_interface",
					     router_add_interface, NULL, VSW_METHOD_MUTATING);
	if (rc == 0)
		rc = vsw_api_register_method(api, "router.remove_interface",
					     router_remove_interface, NULL,
					     VSW_METHOD_MUTATING);
	return rc;
}
