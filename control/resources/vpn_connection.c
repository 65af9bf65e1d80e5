/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipsec_site_connection (Neutron VPNaaS v2): one remote site of a
 * vpnservice. Its traffic selectors come either from endpoint groups
 * (local_ep_group_id: subnets of the service's router; peer_ep_group_id:
 * CIDRs) or, legacy, from the service's subnet_id and peer_cidrs. The psk
 * is stored but never shown (VSW_F_SECRET) and never put in a message.
 *
 * status is DOWN from the model; the data plane reports ACTIVE through the
 * status hook once the connection has SAs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* No option for it yet: bounds so a client cannot grow the model freely. */
#define VSW_MAX_CONNECTIONS 16384
#define VSW_MAX_CIDRS 64

/* --- shared validators --- */

static int
invalid(const struct vsw_field *f, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: %s", f->name, what);
}

int
vsw_vpn_validate_unicast_ipv4(const struct vsw_field *f, json_t **value,
			      struct vsw_error *err)
{
	char canon[VSW_IPV4_STRLEN];
	json_t *s;

	if (vsw_unicast_ipv4_canonical(*value, canon) < 0)
		return invalid(f, err, "expected a unicast IPv4 address (not 0/8, 127/8, "
			       "224/4 or 240/4; IPv6 and host names are not supported)");
	s = json_string(canon);
	if (s == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = s;
	return 0;
}

int
vsw_vpn_cidr_list_canonical(const json_t *list, const char *field, json_t **out,
			    struct vsw_error *err)
{
	json_t *canon;
	size_t i, j;
	json_t *e, *prev;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return vsw_error_set(err, -EINVAL, "InvalidInput", field,
				     "invalid input for %s: expected a non-empty list of "
				     "IPv4 CIDRs", field);
	if (json_array_size(list) > VSW_MAX_CIDRS)
		return vsw_error_set(err, -EINVAL, "InvalidInput", field,
				     "invalid input for %s: more than %d CIDRs", field,
				     VSW_MAX_CIDRS);
	canon = json_array();
	json_array_foreach(list, i, e) {
		char s[VSW_IPV4_CIDR_STRLEN];
		struct vsw_cidr c;
		bool host_bits;

		if (vsw_cidr_parse(json_string_value(e), &c, &host_bits) < 0) {
			json_decref(canon);
			return vsw_error_set(err, -EINVAL, "InvalidInput", field,
					     "invalid input for %s: each entry is an IPv4 "
					     "CIDR like 10.1.0.0/24", field);
		}
		vsw_cidr_format(&c, s);
		if (host_bits) {
			json_decref(canon);
			return vsw_error_set(err, -EINVAL, "InvalidInput", field,
					     "invalid input for %s: '%.40s' has host bits "
					     "set; %s is recommended", field,
					     json_string_value(e), s);
		}
		json_array_foreach(canon, j, prev)
			if (strcmp(json_string_value(prev), s) == 0) {
				json_decref(canon);
				return vsw_error_set(err, -EINVAL, "InvalidInput", field,
						     "invalid input for %s: duplicate CIDR %s",
						     field, s);
			}
		json_array_append_new(canon, json_string(s));
	}
	*out = canon;
	return 0;
}

int
vsw_vpn_validate_cidr_list(const struct vsw_field *f, json_t **value,
			   struct vsw_error *err)
{
	json_t *canon;
	int rc = vsw_vpn_cidr_list_canonical(*value, f->name, &canon, err);

	if (rc == 0) {
		json_decref(*value);
		*value = canon;
	}
	return rc;
}

/* {action, interval, timeout}: shape only; members not given are filled
 * from the defaults (create) or the current values (update). */
static int
validate_dpd(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	static const char *const actions[] = {
		"hold", "clear", "restart", "disabled", "restart-by-peer", NULL,
	};
	const char *key;
	json_t *v;

	json_object_foreach(*value, key, v) {
		if (strcmp(key, "action") == 0) {
			const char *const *a = actions;

			while (*a && (!json_is_string(v) || strcmp(*a, json_string_value(v))))
				a++;
			if (*a == NULL)
				return invalid(f, err, "action must be hold, clear, restart, "
					       "disabled or restart-by-peer");
		} else if (strcmp(key, "interval") == 0 || strcmp(key, "timeout") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 86400)
				return invalid(f, err, "interval and timeout are seconds, "
					       "1..86400");
		} else {
			return invalid(f, err, "only action, interval and timeout may be given");
		}
	}
	return 0;
}

/* [] is how connections with endpoint groups read it. */
static int
validate_peer_cidrs(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	return json_array_size(*value) == 0 ? 0 : vsw_vpn_validate_cidr_list(f, value, err);
}

/* --- fields --- */

static const char *const initiators[] = { "bi-directional", "response-only", NULL };

static const struct vsw_field connection_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "description", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "vpnservice_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	{ .name = "ikepolicy_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	{ .name = "ipsecpolicy_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	{ .name = "peer_address", .type = VSW_FT_STRING, .flags = VSW_F_RW | VSW_F_REQUIRED,
	  .validate = vsw_vpn_validate_unicast_ipv4 },
	{ .name = "peer_id", .type = VSW_FT_STRING, .flags = VSW_F_RW | VSW_F_REQUIRED,
	  .min = 1, .max_len = 255 },
	{ .name = "local_id", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	/* Legacy; null reads as []. */
	{ .name = "peer_cidrs", .type = VSW_FT_LIST, .flags = VSW_F_RW | VSW_F_NULLABLE,
	  .default_json = "[]", .validate = validate_peer_cidrs },
	{ .name = "local_ep_group_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_RW | VSW_F_NULLABLE, .default_json = "null" },
	{ .name = "peer_ep_group_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_RW | VSW_F_NULLABLE, .default_json = "null" },
	{ .name = "psk", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_UPDATE | VSW_F_SECRET | VSW_F_REQUIRED,
	  .min = 1, .max_len = 255 },
	{ .name = "auth_mode", .type = VSW_FT_STRING, .flags = VSW_F_RO,
	  .default_json = "\"psk\"" },
	{ .name = "route_mode", .type = VSW_FT_STRING, .flags = VSW_F_RO,
	  .default_json = "\"static\"" },
	{ .name = "mtu", .type = VSW_FT_INT, .flags = VSW_F_RW, .default_json = "1500",
	  .min = 68, .max = 9216 },
	{ .name = "dpd", .type = VSW_FT_DICT, .flags = VSW_F_RW,
	  .default_json = "{\"action\":\"hold\",\"interval\":30,\"timeout\":120}",
	  .validate = validate_dpd },
	{ .name = "initiator", .type = VSW_FT_ENUM, .flags = VSW_F_RW,
	  .default_json = "\"bi-directional\"", .enum_values = initiators },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static void
connection_index_keys(const json_t *conn, vsw_model_emit_fn emit, void *arg)
{
	static const char *const refs[][2] = {
		{ "vpnservice_id", "ipsec_site_connection.vpnservice" },
		{ "ikepolicy_id", "ipsec_site_connection.ikepolicy" },
		{ "ipsecpolicy_id", "ipsec_site_connection.ipsecpolicy" },
		{ "local_ep_group_id", "ipsec_site_connection.ep_group" },
		{ "peer_ep_group_id", "ipsec_site_connection.ep_group" },
	};

	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		const char *id = vsw_obj_str(conn, refs[i][0]);

		if (id != NULL)
			emit(arg, refs[i][1], id);
	}
}

/* --- selectors --- */

static void
append_subnet_cidr(const struct vsw_model *model, json_t *list, const char *subnet_id)
{
	const json_t *subnet = vsw_model_get(model, "subnet", subnet_id);

	if (vsw_obj_str(subnet, "cidr") != NULL)
		json_array_append(list, json_object_get(subnet, "cidr"));
}

void
vsw_vpn_connection_selectors(const struct vsw_model *model, const json_t *conn,
			     json_t **local, json_t **peer)
{
	const json_t *svc = vsw_model_get(model, "vpnservice",
					  vsw_obj_str(conn, "vpnservice_id"));
	const json_t *lg = vsw_model_get(model, "endpoint_group",
					 vsw_obj_str(conn, "local_ep_group_id"));
	const json_t *pg = vsw_model_get(model, "endpoint_group",
					 vsw_obj_str(conn, "peer_ep_group_id"));
	size_t i;
	json_t *e;

	*local = json_array();
	if (lg != NULL) {
		json_array_foreach(json_object_get(lg, "endpoints"), i, e)
			append_subnet_cidr(model, *local, json_string_value(e));
	} else if (vsw_obj_str(svc, "subnet_id") != NULL) {
		append_subnet_cidr(model, *local, vsw_obj_str(svc, "subnet_id"));
	}
	if (pg != NULL)
		*peer = json_copy(json_object_get(pg, "endpoints"));
	else if (json_is_array(json_object_get(conn, "peer_cidrs")))
		*peer = json_copy(json_object_get(conn, "peer_cidrs"));
	else
		*peer = json_array();
}

/* The first pair of overlapping CIDRs of a and b: 0 when none. */
static int
find_overlap(const json_t *a, const json_t *b, const char **x, const char **y)
{
	size_t i, j;
	json_t *ea, *eb;

	json_array_foreach(a, i, ea) {
		struct vsw_cidr ca, cb;

		if (vsw_cidr_parse(json_string_value(ea), &ca, NULL) < 0)
			continue;
		json_array_foreach(b, j, eb) {
			if (vsw_cidr_parse(json_string_value(eb), &cb, NULL) == 0 &&
			    vsw_cidr_overlap(&ca, &cb)) {
				*x = json_string_value(ea);
				*y = json_string_value(eb);
				return 1;
			}
		}
	}
	return 0;
}

/* --- checks --- */

struct conn_refs {
	const json_t *svc;
	const json_t *local_group;
	const json_t *peer_group;
	const char *peer_field;  /* where the peer CIDRs came from */
};

static int
check_policies(struct vsw_ctx *ctx, const json_t *conn, struct vsw_error *err)
{
	const char *ike = vsw_obj_str(conn, "ikepolicy_id");
	const char *ipsec = vsw_obj_str(conn, "ipsecpolicy_id");

	if (vsw_ctx_get(ctx, "ikepolicy", ike) == NULL)
		return vsw_not_found(err, "ikepolicy", "ikepolicy_id", ike);
	if (vsw_ctx_get(ctx, "ipsecpolicy", ipsec) == NULL)
		return vsw_not_found(err, "ipsecpolicy", "ipsecpolicy_id", ipsec);
	return 0;
}

static const json_t *
find_group(struct vsw_ctx *ctx, const json_t *conn, const char *field,
	   const char *type, struct vsw_error *err)
{
	const char *id = vsw_obj_str(conn, field);
	const json_t *group = vsw_ctx_get(ctx, "endpoint_group", id);

	if (group == NULL) {
		vsw_not_found(err, "endpoint_group", field, id);
		return NULL;
	}
	if (strcmp(vsw_obj_str(group, "type"), type) != 0) {
		vsw_error_set(err, -EINVAL, "WrongEndpointGroupType", field,
			      "endpoint group %s is of type %s; %s needs a group of "
			      "type %s", id, vsw_obj_str(group, "type"), field, type);
		return NULL;
	}
	return group;
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
check_local_group(struct vsw_ctx *ctx, const struct conn_refs *r, struct vsw_error *err)
{
	const char *router_id = vsw_obj_str(r->svc, "router_id");
	const json_t *router = vsw_model_get(ctx->model, "router", router_id);
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(r->local_group, "endpoints"), i, e)
		if (router == NULL || !router_has_subnet(router, json_string_value(e)))
			return vsw_error_set(err, -EINVAL, "SubnetIsNotConnectedToRouter",
					     "local_ep_group_id", "subnet %s of endpoint "
					     "group %s is not connected to router %s",
					     json_string_value(e),
					     vsw_obj_str(r->local_group, "id"), router_id);
	return 0;
}

static int
style_error(struct vsw_error *err, const char *field, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field, "%s", what);
}

/* Endpoint groups or (legacy) peer_cidrs with the service's subnet_id:
 * exactly one of the two. */
static int
check_style(struct vsw_ctx *ctx, const json_t *conn, struct conn_refs *r,
	    struct vsw_error *err)
{
	bool cidrs = json_array_size(json_object_get(conn, "peer_cidrs")) > 0;
	bool local = vsw_obj_str(conn, "local_ep_group_id") != NULL;
	bool peer = vsw_obj_str(conn, "peer_ep_group_id") != NULL;
	bool legacy_svc = vsw_obj_str(r->svc, "subnet_id") != NULL;

	if (cidrs && (local || peer))
		return style_error(err, "peer_cidrs", "give either peer_cidrs (legacy, with a "
				   "vpnservice subnet_id) or local_ep_group_id and "
				   "peer_ep_group_id, not both");
	if (cidrs) {
		r->peer_field = "peer_cidrs";
		return legacy_svc ? 0 : style_error(err, "peer_cidrs", "peer_cidrs needs a "
						    "vpnservice with a subnet_id; use "
						    "endpoint groups instead");
	}
	if (!local && !peer && legacy_svc)
		return style_error(err, "peer_cidrs", "the vpnservice has a subnet_id "
				   "(legacy mode): give peer_cidrs");
	if (!local && !peer)
		return style_error(err, "peer_ep_group_id", "give local_ep_group_id and "
				   "peer_ep_group_id (or, legacy, peer_cidrs)");
	if (!local || !peer)
		return style_error(err, local ? "peer_ep_group_id" : "local_ep_group_id",
				   "local_ep_group_id and peer_ep_group_id go together");
	if (legacy_svc)
		return style_error(err, "local_ep_group_id", "the vpnservice has a subnet_id "
				   "(legacy mode): use peer_cidrs, or a vpnservice "
				   "without subnet_id");
	r->peer_field = "peer_ep_group_id";
	r->local_group = find_group(ctx, conn, "local_ep_group_id", "subnet", err);
	if (r->local_group == NULL)
		return err->errnum;
	r->peer_group = find_group(ctx, conn, "peer_ep_group_id", "cidr", err);
	if (r->peer_group == NULL)
		return err->errnum;
	return check_local_group(ctx, r, err);
}

/* Peer CIDRs never overlap the local ones: the traffic would be ambiguous. */
static int
check_local_peer(const json_t *local, const json_t *peer, const struct conn_refs *r,
		 struct vsw_error *err)
{
	const char *x, *y;

	if (!find_overlap(peer, local, &x, &y))
		return 0;
	return vsw_error_set(err, -EINVAL, "InvalidInput", r->peer_field,
			     "peer CIDR %s overlaps local subnet %s", x, y);
}

/* Peer CIDRs of the connections on one vpnservice are disjoint: the
 * outbound policy must pick one connection for a destination. */
static int
check_peer_overlap(struct vsw_ctx *ctx, const json_t *conn, const json_t *peer,
		   const struct conn_refs *r, struct vsw_error *err)
{
	const char *svc_id = vsw_obj_str(conn, "vpnservice_id");
	const char *self = vsw_obj_str(conn, "id");
	const char *id;
	json_t *other;

	if (vsw_model_index_count(ctx->model, "ipsec_site_connection.vpnservice", svc_id) == 0)
		return 0;
	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "ipsec_site_connection"),
			    id, other) {
		json_t *ol, *op;
		const char *x, *y;
		int found;

		if (strcmp(id, self) == 0 || strcmp(vsw_obj_str(other, "vpnservice_id"), svc_id))
			continue;
		vsw_vpn_connection_selectors(ctx->model, other, &ol, &op);
		found = find_overlap(peer, op, &x, &y);
		if (found)
			vsw_error_set(err, -EBUSY, "PeerCidrOverlap", r->peer_field,
				      "peer CIDR %s overlaps %s of IPsec site connection %s "
				      "on the same vpnservice", x, y, id);
		json_decref(ol);
		json_decref(op);
		if (found)
			return err->errnum;
	}
	return 0;
}

static int
check_selectors(struct vsw_ctx *ctx, const json_t *conn, const struct conn_refs *r,
		struct vsw_error *err)
{
	json_t *local, *peer;
	int rc;

	vsw_vpn_connection_selectors(ctx->model, conn, &local, &peer);
	rc = check_local_peer(local, peer, r, err);
	if (rc == 0)
		rc = check_peer_overlap(ctx, conn, peer, r, err);
	json_decref(local);
	json_decref(peer);
	return rc;
}

/* dpd: given members over base (defaults or the current value), then
 * timeout > interval. */
static int
merge_dpd(json_t *conn, const json_t *base, const json_t *changes, struct vsw_error *err)
{
	const json_t *given = json_object_get(changes, "dpd");
	json_t *dpd;

	if (given != NULL) {
		dpd = json_copy((json_t *)base);
		json_object_update(dpd, (json_t *)given);
		json_object_set_new_nocheck(conn, "dpd", dpd);
	}
	dpd = json_object_get(conn, "dpd");
	if (json_integer_value(json_object_get(dpd, "timeout")) <=
	    json_integer_value(json_object_get(dpd, "interval")))
		return vsw_error_set(err, -EINVAL, "IPsecSiteConnectionDpdIntervalValueError",
				     "dpd", "dpd timeout must be greater than its interval");
	return 0;
}

static int
check_connection(struct vsw_ctx *ctx, json_t *conn, struct vsw_error *err)
{
	struct conn_refs r = { .peer_field = "peer_cidrs" };
	const char *svc_id = vsw_obj_str(conn, "vpnservice_id");

	if (json_is_null(json_object_get(conn, "peer_cidrs")))
		json_object_set_new_nocheck(conn, "peer_cidrs", json_array());
	r.svc = vsw_ctx_get(ctx, "vpnservice", svc_id);
	if (r.svc == NULL)
		return vsw_not_found(err, "vpnservice", "vpnservice_id", svc_id);
	if (check_policies(ctx, conn, err) < 0 || check_style(ctx, conn, &r, err) < 0)
		return err->errnum;
	return check_selectors(ctx, conn, &r, err);
}

static int
connection_on_create(struct vsw_ctx *ctx, json_t *conn, const json_t *given,
		     struct vsw_error *err)
{
	json_t *defaults = json_pack("{s:s, s:i, s:i}", "action", "hold", "interval", 30,
				     "timeout", 120);
	int rc = merge_dpd(conn, defaults, given, err);

	json_decref(defaults);
	return rc < 0 ? rc : check_connection(ctx, conn, err);
}

/* Manual SAs copy the connection's peer_address: it may not move under
 * them (delete and re-create them). */
static int
check_sa_addresses(struct vsw_ctx *ctx, const json_t *old, const json_t *conn,
		   struct vsw_error *err)
{
	const char *id = vsw_obj_str(old, "id");
	size_t n = vsw_model_index_count(ctx->model, "ipsec_sa.connection", id);

	if (n == 0 || strcmp(vsw_obj_str(old, "peer_address"),
			     vsw_obj_str(conn, "peer_address")) == 0)
		return 0;
	return vsw_error_set(err, -EBUSY, "IPsecSiteConnectionInUse", "peer_address",
			     "%zu manual SA(s) of IPsec site connection %s use its "
			     "peer_address: delete them first", n, id);
}

static int
connection_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *conn,
		     const json_t *changes, struct vsw_error *err)
{
	int rc = merge_dpd(conn, json_object_get(old, "dpd"), changes, err);

	if (rc == 0)
		rc = check_sa_addresses(ctx, old, conn, err);
	return rc < 0 ? rc : check_connection(ctx, conn, err);
}

/* Its manual SAs go with it (as the kernel's go with an IKE SA). */
static int
connection_on_delete(struct vsw_ctx *ctx, const json_t *conn, struct vsw_error *err)
{
	const char *conn_id = vsw_obj_str(conn, "id");
	json_t *ids = json_array();
	const char *id;
	json_t *sa, *e;
	size_t i;
	int rc = 0;

	if (vsw_model_index_count(ctx->model, "ipsec_sa.connection", conn_id) == 0) {
		json_decref(ids);
		return 0;
	}
	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "ipsec_sa"), id, sa) {
		const char *c = vsw_obj_str(sa, "connection_id");

		if (c != NULL && strcmp(c, conn_id) == 0)
			json_array_append_new(ids, json_string(id));
	}
	json_array_foreach(ids, i, e) {
		rc = vsw_ctx_remove(ctx, "ipsec_sa", json_string_value(e), err);
		if (rc < 0)
			break;
	}
	json_decref(ids);
	return rc;
}

static void
connection_decorate(struct vsw_ctx *ctx, const json_t *conn, json_t *out)
{
	vsw_resource_set_status(ctx, "ipsec_site_connection", conn, out, "DOWN");
}

static const struct vsw_resource_kind connection_kind = {
	.name = "ipsec_site_connection",
	.plural = "ipsec_site_connections",
	.extension = "vpnaas",
	.fields = connection_fields,
	.n_fields = sizeof(connection_fields) / sizeof(connection_fields[0]),
	.on_create = connection_on_create,
	.on_update = connection_on_update,
	.on_delete = connection_on_delete,
	.decorate = connection_decorate,
	.index_keys = connection_index_keys,
};

int
vsw_vpn_connection_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &connection_kind, VSW_MAX_CONNECTIONS);
}
