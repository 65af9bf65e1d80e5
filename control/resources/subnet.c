/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * subnet: an IPv4 address block on a network, with its IPAM (Neutron names).
 * Control plane only: the data plane does not answer DHCP nor route yet.
 *
 * A network lists its subnets in a stored member "subnets" (read-only in
 * the API), written by the subnet hooks in the same savepoint as the subnet
 * itself. Computing it in network's decorate and refreshing the network's
 * view from a hook would not be journal-safe: an undone subnet.create
 * removes the subnet but leaves the network's cached view listing it, and
 * no hook runs after the generic put. A journaled put of the network does
 * both right, and survives a reload with no extra work.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* No option for it yet: a bound so a client cannot grow the model freely. */
#define VSW_MAX_SUBNETS 4096
/* Neutron's defaults: max_dns_nameservers, max_subnet_host_routes. */
#define VSW_MAX_DNS_NAMESERVERS 5
#define VSW_MAX_HOST_ROUTES 20

static int
invalid(const struct vsw_field *f, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: %s", f->name, what);
}

static int
replace(json_t **value, json_t *canon)
{
	if (canon == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = canon;
	return 0;
}

static json_t *
ipv4_string(uint32_t addr)
{
	char s[VSW_IPV4_STRLEN];

	vsw_ipv4_format(addr, s);
	return json_string(s);
}

static json_t *
cidr_string(const struct vsw_cidr *c)
{
	char s[VSW_IPV4_CIDR_STRLEN];

	vsw_cidr_format(c, s);
	return json_string(s);
}

static int
validate_ip_version(const struct vsw_field *f, json_t **value,
		    struct vsw_error *err)
{
	json_int_t v = json_integer_value(*value);

	if (v == 6)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "IPv6 subnets are not supported yet");
	return v == 4 ? 0 : invalid(f, err, "must be 4 or 6");
}

/* Host bits are cleared, not refused: 10.0.0.1/24 is stored as 10.0.0.0/24. */
static int
validate_cidr(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	struct vsw_cidr c;

	if (vsw_cidr_parse(json_string_value(*value), &c, NULL) < 0)
		return invalid(f, err, "expected an IPv4 CIDR like 10.0.0.0/24");
	if (c.plen < 8 || c.plen > 30)
		return invalid(f, err, "the prefix length must be between 8 and 30");
	return replace(value, cidr_string(&c));
}

static int
canonical_ipv4(const json_t *v, json_t **out)
{
	uint32_t a;

	if (vsw_ipv4_parse(json_string_value(v), &a) < 0)
		return -EINVAL;
	*out = ipv4_string(a);
	return 0;
}

int
vsw_validate_ipv4_field(const struct vsw_field *f, json_t **value,
			struct vsw_error *err)
{
	json_t *canon;

	if (canonical_ipv4(*value, &canon) < 0)
		return invalid(f, err, "expected an IPv4 address");
	return replace(value, canon);
}

/* Every member of obj is one of names (NULL-ended). */
static bool
has_only(const json_t *obj, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *p = names;

		while (*p && strcmp(*p, key) != 0)
			p++;
		if (*p == NULL)
			return false;
	}
	return true;
}

static int
validate_pools(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	static const char *const members[] = { "start", "end", NULL };
	json_t *canon = json_array();
	size_t i;
	json_t *pool;

	if (json_array_size(*value) > VSW_SUBNET_MAX_POOLS) {
		json_decref(canon);
		return invalid(f, err, "too many pools");
	}
	json_array_foreach(*value, i, pool) {
		json_t *start = NULL, *end = NULL;

		if (!json_is_object(pool) || json_object_size(pool) != 2 ||
		    !has_only(pool, members) ||
		    canonical_ipv4(json_object_get(pool, "start"), &start) < 0 ||
		    canonical_ipv4(json_object_get(pool, "end"), &end) < 0) {
			json_decref(start);
			json_decref(canon);
			return invalid(f, err, "each pool must be {\"start\": IPv4, \"end\": IPv4}");
		}
		json_array_append_new(canon, json_pack("{s:o, s:o}", "start", start,
						       "end", end));
	}
	return replace(value, canon);
}

static bool
array_has(const json_t *list, const json_t *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(list, i, x)
		if (json_equal(x, (json_t *)v))
			return true;
	return false;
}

static int
validate_dns(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	json_t *canon = json_array();
	size_t i;
	json_t *ns;

	if (json_array_size(*value) > VSW_MAX_DNS_NAMESERVERS) {
		json_decref(canon);
		return invalid(f, err, "more than 5 nameservers");
	}
	json_array_foreach(*value, i, ns) {
		json_t *c;

		if (canonical_ipv4(ns, &c) < 0) {
			json_decref(canon);
			return invalid(f, err, "each nameserver must be an IPv4 address");
		}
		if (array_has(canon, c)) {
			json_decref(c);
			json_decref(canon);
			return invalid(f, err, "duplicate nameserver");
		}
		json_array_append_new(canon, c);
	}
	return replace(value, canon);
}

static int
canonical_route(const json_t *route, json_t **out)
{
	static const char *const members[] = { "destination", "nexthop", NULL };
	struct vsw_cidr dest;
	json_t *hop;

	if (!json_is_object(route) || json_object_size(route) != 2 ||
	    !has_only(route, members) ||
	    vsw_cidr_parse(json_string_value(json_object_get(route, "destination")),
			   &dest, NULL) < 0 ||
	    canonical_ipv4(json_object_get(route, "nexthop"), &hop) < 0)
		return -EINVAL;
	*out = json_pack("{s:o, s:o}", "destination", cidr_string(&dest),
			 "nexthop", hop);
	return 0;
}

static int
route_error(const struct vsw_field *f, const char *type, struct vsw_error *err,
	    const char *what)
{
	return vsw_error_set(err, -EINVAL, type, f->name, "invalid input for %s: %s",
			     f->name, what);
}

int
vsw_validate_route_list(const struct vsw_field *f, json_t **value, size_t max,
			const char *type, struct vsw_error *err)
{
	json_t *canon;
	size_t i;
	json_t *route;

	if (json_array_size(*value) > max)
		return route_error(f, type, err, "too many routes");
	canon = json_array();
	json_array_foreach(*value, i, route) {
		json_t *c;

		if (canonical_route(route, &c) < 0) {
			json_decref(canon);
			return route_error(f, type, err, "each route must be {\"destination\": "
					   "IPv4 CIDR, \"nexthop\": IPv4 address}");
		}
		if (array_has(canon, c)) {
			json_decref(c);
			json_decref(canon);
			return route_error(f, type, err, "duplicate route");
		}
		json_array_append_new(canon, c);
	}
	return replace(value, canon);
}

static int
validate_host_routes(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	return vsw_validate_route_list(f, value, VSW_MAX_HOST_ROUTES, "InvalidInput", err);
}

static const struct vsw_field subnet_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "network_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	{ .name = "ip_version", .type = VSW_FT_INT,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .validate = validate_ip_version },
	{ .name = "cidr", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .validate = validate_cidr },
	/* No default: not given -> the first host address; null -> none. */
	{ .name = "gateway_ip", .type = VSW_FT_STRING,
	  .flags = VSW_F_RW | VSW_F_NULLABLE, .validate = vsw_validate_ipv4_field },
	/* No default: not given -> the cidr's hosts minus the gateway. */
	{ .name = "allocation_pools", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .validate = validate_pools },
	{ .name = "dns_nameservers", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .default_json = "[]", .validate = validate_dns },
	{ .name = "host_routes", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .default_json = "[]", .validate = validate_host_routes },
	{ .name = "enable_dhcp", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

/* --- parsed subnets --- */

static int
parse_pools(const json_t *list, struct vsw_ip_range *pools, size_t *n)
{
	size_t i;
	json_t *p;

	*n = 0;
	json_array_foreach(list, i, p) {
		if (*n == VSW_SUBNET_MAX_POOLS ||
		    vsw_ipv4_parse(vsw_obj_str(p, "start"), &pools[*n].start) < 0 ||
		    vsw_ipv4_parse(vsw_obj_str(p, "end"), &pools[*n].end) < 0)
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

int
vsw_subnet_parse(const json_t *subnet, struct vsw_subnet_info *info)
{
	const char *gw = vsw_obj_str(subnet, "gateway_ip");

	memset(info, 0, sizeof(*info));
	info->obj = subnet;
	info->id = vsw_obj_str(subnet, "id");
	if (info->id == NULL ||
	    vsw_cidr_parse(vsw_obj_str(subnet, "cidr"), &info->cidr, NULL) < 0)
		return -EINVAL;
	info->has_gateway = gw != NULL;
	if (gw != NULL && vsw_ipv4_parse(gw, &info->gateway) < 0)
		return -EINVAL;
	return parse_pools(json_object_get(subnet, "allocation_pools"),
			   info->pools, &info->n_pools);
}

void
vsw_subnet_ip_key(char key[VSW_SUBNET_IP_KEYLEN], const char *subnet_id,
		  uint32_t addr)
{
	char ip[VSW_IPV4_STRLEN];

	vsw_ipv4_format(addr, ip);
	snprintf(key, VSW_SUBNET_IP_KEYLEN, "%s/%s", subnet_id, ip);
}

/* --- hooks --- */

/* Puts a copy of net whose "subnets" lacks remove and ends with add. The
 * network's updated_at is left alone: its own fields did not change. */
static int
network_set_subnets(struct vsw_ctx *ctx, const json_t *net, const char *add,
		    const char *remove, struct vsw_error *err)
{
	json_t *copy = json_copy((json_t *)net);
	json_t *list = json_array();
	size_t i;
	json_t *id;

	if (copy == NULL || list == NULL) {
		json_decref(copy);
		json_decref(list);
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL,
				     "out of memory");
	}
	json_array_foreach(json_object_get(net, "subnets"), i, id)
		if (remove == NULL || strcmp(json_string_value(id), remove) != 0)
			json_array_append(list, id);
	if (add != NULL)
		json_array_append_new(list, json_string(add));
	json_object_set_new_nocheck(copy, "subnets", list);
	return vsw_ctx_put(ctx, "network", copy, err);
}

static int
check_no_overlap(struct vsw_ctx *ctx, const json_t *net, const struct vsw_cidr *c,
		 struct vsw_error *err)
{
	size_t i;
	json_t *id;

	json_array_foreach(json_object_get(net, "subnets"), i, id) {
		const json_t *other = vsw_model_get(ctx->model, "subnet",
						    json_string_value(id));
		struct vsw_cidr oc;

		if (other == NULL ||
		    vsw_cidr_parse(vsw_obj_str(other, "cidr"), &oc, NULL) < 0)
			continue;
		if (vsw_cidr_overlap(c, &oc)) {
			char mine[VSW_IPV4_CIDR_STRLEN];

			vsw_cidr_format(c, mine);
			return vsw_error_set(err, -EEXIST, "OverlappingCidr", "cidr",
					     "cidr %s overlaps with subnet %s (%s) "
					     "of network %s", mine, json_string_value(id),
					     vsw_obj_str(other, "cidr"), vsw_obj_str(net, "id"));
		}
	}
	return 0;
}

static int
check_gateway(const struct vsw_subnet_info *s, struct vsw_error *err)
{
	char gw[VSW_IPV4_STRLEN];

	if (!s->has_gateway || vsw_cidr_is_host(&s->cidr, s->gateway))
		return 0;
	vsw_ipv4_format(s->gateway, gw);
	return vsw_error_set(err, -EINVAL, "InvalidInput", "gateway_ip",
			     "gateway_ip %s is not a host address of cidr %s",
			     gw, vsw_obj_str(s->obj, "cidr"));
}

static int
check_pools(const struct vsw_subnet_info *s, struct vsw_error *err)
{
	size_t bad = 0;
	char a[VSW_IPV4_STRLEN], b[VSW_IPV4_STRLEN];
	enum vsw_pool_check rc = vsw_pools_check(&s->cidr, s->pools, s->n_pools,
						 s->has_gateway ? &s->gateway : NULL,
						 &bad);

	if (rc == VSW_POOL_OK)
		return 0;
	vsw_ipv4_format(s->pools[bad].start, a);
	vsw_ipv4_format(s->pools[bad].end, b);
	switch (rc) {
	case VSW_POOL_OUTSIDE:
		return vsw_error_set(err, -EINVAL, "OutOfBoundsAllocationPool",
				     "allocation_pools", "allocation pool %s-%s is not "
				     "within the host addresses of %s", a, b,
				     vsw_obj_str(s->obj, "cidr"));
	case VSW_POOL_REVERSED:
		return vsw_error_set(err, -EINVAL, "InvalidAllocationPool",
				     "allocation_pools", "allocation pool %s-%s: "
				     "start is after end", a, b);
	case VSW_POOL_OVERLAP:
		return vsw_error_set(err, -EEXIST, "OverlappingAllocationPools",
				     "allocation_pools", "allocation pool %s-%s "
				     "overlaps another pool", a, b);
	default:
		return vsw_error_set(err, -EEXIST, "GatewayConflictWithAllocationPools",
				     "allocation_pools", "gateway ip %s conflicts with "
				     "allocation pool %s-%s",
				     vsw_obj_str(s->obj, "gateway_ip"), a, b);
	}
}

static json_t *
pools_json(const struct vsw_ip_range *pools, size_t n)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:o, s:o}",
			"start", ipv4_string(pools[i].start),
			"end", ipv4_string(pools[i].end)));
	return list;
}

static int
parse_or_fail(const json_t *subnet, struct vsw_subnet_info *s,
	      struct vsw_error *err)
{
	if (vsw_subnet_parse(subnet, s) == 0)
		return 0;
	return vsw_error_set(err, -EINVAL, "InvalidInput", NULL,
			     "subnet %s is malformed", vsw_obj_str(subnet, "id"));
}

static int
subnet_on_create(struct vsw_ctx *ctx, json_t *subnet, const json_t *given,
		 struct vsw_error *err)
{
	const char *net_id = vsw_obj_str(subnet, "network_id");
	const json_t *net = vsw_ctx_get(ctx, "network", net_id);
	struct vsw_subnet_info s;
	struct vsw_cidr c;
	int rc;

	if (net == NULL)
		return vsw_not_found(err, "network", "network_id", net_id);
	vsw_cidr_parse(vsw_obj_str(subnet, "cidr"), &c, NULL);
	rc = check_no_overlap(ctx, net, &c, err);
	if (rc < 0)
		return rc;
	if (json_object_get(given, "gateway_ip") == NULL)
		json_object_set_new_nocheck(subnet, "gateway_ip", ipv4_string(c.addr + 1));
	if (json_object_get(given, "allocation_pools") == NULL)
		json_object_set_new_nocheck(subnet, "allocation_pools", json_array());
	rc = parse_or_fail(subnet, &s, err);
	if (rc == 0)
		rc = check_gateway(&s, err);
	if (rc < 0)
		return rc;
	if (json_object_get(given, "allocation_pools") == NULL) {
		s.n_pools = vsw_pools_default(&s.cidr, s.has_gateway ? &s.gateway : NULL,
					      s.pools);
		json_object_set_new_nocheck(subnet, "allocation_pools",
					    pools_json(s.pools, s.n_pools));
	}
	rc = check_pools(&s, err);
	if (rc < 0)
		return rc;
	return network_set_subnets(ctx, net, vsw_obj_str(subnet, "id"), NULL, err);
}

static int
subnet_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *subnet,
		 const json_t *changes, struct vsw_error *err)
{
	struct vsw_subnet_info s;
	char key[VSW_SUBNET_IP_KEYLEN];
	int rc;

	(void)old;
	rc = parse_or_fail(subnet, &s, err);
	if (rc == 0 && json_object_get(changes, "gateway_ip") != NULL)
		rc = check_gateway(&s, err);
	if (rc < 0)
		return rc;
	if (json_object_get(changes, "gateway_ip") != NULL && s.has_gateway) {
		vsw_subnet_ip_key(key, s.id, s.gateway);
		if (vsw_model_index_count(ctx->model, "port.subnet_ip", key) > 0)
			return vsw_error_set(err, -EBUSY, "GatewayIpInUse", "gateway_ip",
					     "gateway ip %s is held by a port",
					     vsw_obj_str(subnet, "gateway_ip"));
	}
	return check_pools(&s, err);
}

static int
subnet_on_delete(struct vsw_ctx *ctx, const json_t *subnet, struct vsw_error *err)
{
	const char *id = vsw_obj_str(subnet, "id");
	const json_t *net = vsw_model_get(ctx->model, "network",
					  vsw_obj_str(subnet, "network_id"));

	if (vsw_model_index_count(ctx->model, "port.subnet", id) > 0)
		return vsw_error_set(err, -EBUSY, "SubnetInUse", "id",
				     "unable to delete subnet %s: one or more ports "
				     "have an IP allocation from it", id);
	return net ? network_set_subnets(ctx, net, NULL, id, err) : 0;
}

int
vsw_subnets_delete_with_network(struct vsw_ctx *ctx, const json_t *net,
				struct vsw_error *err)
{
	json_t *ids = json_deep_copy(json_object_get(net, "subnets"));
	size_t i;
	json_t *id;
	int rc = 0;

	json_array_foreach(ids, i, id) {
		rc = vsw_ctx_remove(ctx, "subnet", json_string_value(id), err);
		if (rc < 0)
			break;
	}
	json_decref(ids);
	return rc;
}

static const struct vsw_resource_kind subnet_kind = {
	.name = "subnet",
	.plural = "subnets",
	.extension = "subnet",
	.fields = subnet_fields,
	.n_fields = sizeof(subnet_fields) / sizeof(subnet_fields[0]),
	.on_create = subnet_on_create,
	.on_update = subnet_on_update,
	.on_delete = subnet_on_delete,
};

int
vsw_subnet_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &subnet_kind, VSW_MAX_SUBNETS);
}
