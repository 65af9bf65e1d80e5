/* SPDX-License-Identifier: BSD-3-Clause */
/* port: a logical attachment point on one network (Neutron names). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipam.h"
#include "resource.h"
#include "resources.h"

/* Neutron's default max_allowed_address_pair. */
#define VSW_MAX_ADDRESS_PAIRS 10
/* Neutron's default max_fixed_ips_per_port. */
#define VSW_MAX_FIXED_IPS 5
/* The one device_owner that may hold a subnet's gateway address. */
#define VSW_ROUTER_INTERFACE_OWNER VSW_OWNER_ROUTER_INTERFACE
/* Tries before giving up on a free generated MAC (2^46 of them). */
#define VSW_MAC_GENERATE_TRIES 64

static int
pairs_error(struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", "allowed_address_pairs",
			     "invalid input for allowed_address_pairs: %s", what);
}

static int
canonical_pair(const json_t *pair, json_t **out, struct vsw_error *err)
{
	json_t *ip = json_object_get(pair, "ip_address");
	json_t *mac = json_object_get(pair, "mac_address");
	char ip_canon[VSW_IPV4_PREFIX_STRLEN], mac_canon[VSW_MAC_STRLEN];
	uint8_t mac_bytes[6];
	const char *key;
	json_t *value;

	if (!json_is_object(pair))
		return pairs_error(err, "each pair must be an object");
	json_object_foreach((json_t *)pair, key, value)
		if (strcmp(key, "ip_address") != 0 && strcmp(key, "mac_address") != 0)
			return pairs_error(err, "unknown member in a pair");
	if (!json_is_string(ip) ||
	    vsw_ipv4_or_prefix_canonical(json_string_value(ip), ip_canon) < 0)
		return pairs_error(err, "ip_address must be an IPv4 address or CIDR");
	*out = json_object();
	json_object_set_new_nocheck(*out, "ip_address", json_string(ip_canon));
	if (mac == NULL)
		return 0;
	if (!json_is_string(mac) || vsw_mac_parse(json_string_value(mac), mac_bytes) < 0 ||
	    !vsw_mac_is_unicast(mac_bytes)) {
		json_decref(*out);
		return pairs_error(err, "mac_address must be a unicast MAC address");
	}
	vsw_mac_format(mac_bytes, mac_canon);
	json_object_set_new_nocheck(*out, "mac_address", json_string(mac_canon));
	return 0;
}

/* A list field whose elements are each checked and canonicalised by one
 * function: the list is replaced by the canonical elements. */
static int
canonical_list(json_t **value, size_t max, const char *too_many,
	       int (*canonical)(const json_t *, json_t **, struct vsw_error *),
	       int (*error)(struct vsw_error *, const char *), struct vsw_error *err)
{
	json_t *canon, *item;
	size_t i;

	if (json_array_size(*value) > max)
		return error(err, too_many);
	canon = json_array();
	json_array_foreach(*value, i, item) {
		json_t *c = NULL;
		int rc = canonical(item, &c, err);

		if (rc < 0) {
			json_decref(canon);
			return rc;
		}
		json_array_append_new(canon, c);
	}
	json_decref(*value);
	*value = canon;
	return 0;
}

static int
validate_address_pairs(const struct vsw_field *f, json_t **value,
		       struct vsw_error *err)
{
	(void)f;
	return canonical_list(value, VSW_MAX_ADDRESS_PAIRS, "more than 10 pairs",
			      canonical_pair, pairs_error, err);
}

static int
fixed_ips_error(struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", "fixed_ips",
			     "invalid input for fixed_ips: %s", what);
}

/* Shape only: [{subnet_id?, ip_address?}], at least one of the two. Which
 * subnet and address is decided in fixed_ips_resolve() (needs the model). */
static int
canonical_fixed_ip(const json_t *item, json_t **out, struct vsw_error *err)
{
	json_t *subnet = json_object_get(item, "subnet_id");
	json_t *ip = json_object_get(item, "ip_address");
	char id[VSW_UUID_STRLEN];
	uint32_t addr;
	const char *key;
	json_t *v;

	if (!json_is_object(item))
		return fixed_ips_error(err, "each entry must be an object");
	json_object_foreach((json_t *)item, key, v)
		if (strcmp(key, "subnet_id") != 0 && strcmp(key, "ip_address") != 0)
			return fixed_ips_error(err, "unknown member in an entry");
	if (subnet == NULL && ip == NULL)
		return fixed_ips_error(err, "an entry needs subnet_id or ip_address");
	if (subnet != NULL && (!json_is_string(subnet) ||
			       !vsw_uuid_canonical(json_string_value(subnet), id)))
		return fixed_ips_error(err, "subnet_id must be a UUID");
	if (ip != NULL && vsw_ipv4_parse(json_string_value(ip), &addr) < 0)
		return fixed_ips_error(err, "ip_address must be an IPv4 address");
	*out = json_object();
	if (subnet != NULL)
		json_object_set_new_nocheck(*out, "subnet_id", json_string(id));
	if (ip != NULL) {
		char canon[VSW_IPV4_STRLEN];

		vsw_ipv4_format(addr, canon);
		json_object_set_new_nocheck(*out, "ip_address", json_string(canon));
	}
	return 0;
}

static int
validate_fixed_ips(const struct vsw_field *f, json_t **value,
		   struct vsw_error *err)
{
	(void)f;
	return canonical_list(value, VSW_MAX_FIXED_IPS, "more than 5 entries",
			      canonical_fixed_ip, fixed_ips_error, err);
}

static const struct vsw_field port_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "network_id", .type = VSW_FT_UUID,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "mac_address", .type = VSW_FT_MAC,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE, .extension = "ethernet-vnic" },
	{ .name = "fixed_ips", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .default_json = "[]", .validate = validate_fixed_ips },
	{ .name = "device_id", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	{ .name = "device_owner", .type = VSW_FT_STRING, .flags = VSW_F_RW,
	  .default_json = "\"\"", .max_len = 255 },
	/* No default: a new port inherits its network's value. */
	{ .name = "port_security_enabled", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .extension = "port-security" },
	{ .name = "allowed_address_pairs", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .default_json = "[]", .extension = "port-security",
	  .validate = validate_address_pairs },
	{ .name = "vnic_id", .type = VSW_FT_UUID, .flags = VSW_F_RO | VSW_F_NULLABLE,
	  .default_json = "null" },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "binding:vif_type", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

static void
net_mac_key(char *key, size_t size, const char *network_id, const char *mac)
{
	snprintf(key, size, "%s/%s", network_id, mac);
}

static void
port_index_keys(const json_t *port, vsw_model_emit_fn emit, void *arg)
{
	const char *net = vsw_obj_str(port, "network_id");
	const char *mac = vsw_obj_str(port, "mac_address");
	char key[VSW_UUID_STRLEN + VSW_MAC_STRLEN + 1];
	char ip_key[VSW_SUBNET_IP_KEYLEN];
	size_t i;
	json_t *fip;

	if (net == NULL || mac == NULL)
		return;
	emit(arg, "port.network", net);
	emit(arg, "mac", mac);
	net_mac_key(key, sizeof(key), net, mac);
	emit(arg, "port.net_mac", key);
	json_array_foreach(json_object_get(port, "fixed_ips"), i, fip) {
		const char *subnet = vsw_obj_str(fip, "subnet_id");
		const char *ip = vsw_obj_str(fip, "ip_address");

		if (subnet == NULL || ip == NULL)
			continue;
		emit(arg, "port.subnet", subnet);
		snprintf(ip_key, sizeof(ip_key), "%s/%s", subnet, ip);
		emit(arg, "port.subnet_ip", ip_key);
	}
}

/* A locally administered unicast MAC no port or VNIC on this host has. */
static int
generate_mac(struct vsw_ctx *ctx, char out[VSW_MAC_STRLEN], struct vsw_error *err)
{
	uint8_t mac[6];

	for (int i = 0; i < VSW_MAC_GENERATE_TRIES; i++) {
		vsw_ctx_random(ctx, mac, sizeof(mac));
		mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
		vsw_mac_format(mac, out);
		if (vsw_model_index_count(ctx->model, "mac", out) == 0)
			return 0;
	}
	return vsw_error_set(err, -ENOSPC, "ResourceExhausted", "mac_address",
			     "no free MAC address found");
}

static int
assign_mac(struct vsw_ctx *ctx, json_t *port, struct vsw_error *err)
{
	const char *net = vsw_obj_str(port, "network_id");
	const char *mac = vsw_obj_str(port, "mac_address");
	char key[VSW_UUID_STRLEN + VSW_MAC_STRLEN + 1];
	char generated[VSW_MAC_STRLEN];
	int rc;

	if (mac == NULL) {
		rc = generate_mac(ctx, generated, err);
		if (rc < 0)
			return rc;
		json_object_set_new_nocheck(port, "mac_address", json_string(generated));
		return 0;
	}
	net_mac_key(key, sizeof(key), net, mac);
	if (vsw_model_index_count(ctx->model, "port.net_mac", key) > 0)
		return vsw_error_set(err, -EEXIST, "MacAddressInUse", "mac_address",
				     "mac address %s is in use on network %s", mac, net);
	return 0;
}

/* Fills each pair's MAC with the port's (Neutron's default) and checks the
 * pairs against port security and each other. */
static int
finish_address_pairs(json_t *port, struct vsw_error *err)
{
	json_t *pairs = json_object_get(port, "allowed_address_pairs");
	json_t *port_mac = json_object_get(port, "mac_address");
	json_t *done;
	size_t i;
	json_t *pair;

	if (json_array_size(pairs) == 0)
		return 0;
	if (json_is_false(json_object_get(port, "port_security_enabled")))
		return vsw_error_set(err, -EBUSY, "AddressPairAndPortSecurityRequired",
				     "allowed_address_pairs",
				     "allowed address pairs need port security enabled");
	done = json_array();
	json_array_foreach(pairs, i, pair) {
		json_t *full = json_copy(pair);

		if (json_object_get(full, "mac_address") == NULL)
			json_object_set_nocheck(full, "mac_address", port_mac);
		for (size_t j = 0; j < json_array_size(done); j++) {
			if (json_equal(json_array_get(done, j), full)) {
				json_decref(full);
				json_decref(done);
				return vsw_error_set(err, -EINVAL, "DuplicateAddressPairInRequest",
						     "allowed_address_pairs",
						     "duplicate address pair");
			}
		}
		json_array_append_new(done, full);
	}
	json_object_set_new_nocheck(port, "allowed_address_pairs", done);
	return 0;
}

/* --- fixed IPs: given, kept or allocated --- */

struct fip_resolve {
	struct vsw_ctx *ctx;
	const json_t *port;    /* the new port */
	const json_t *old;     /* the port before an update, or NULL */
	const json_t *net;
	json_t *done;          /* resolved entries (null: not yet) */
	const struct vsw_subnet_info *subnet;  /* the one allocating from */
};

static bool
list_holds(const json_t *list, const char *subnet_id, const char *ip)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *s = vsw_obj_str(e, "subnet_id");
		const char *a = vsw_obj_str(e, "ip_address");

		if (s && a && strcmp(s, subnet_id) == 0 && strcmp(a, ip) == 0)
			return true;
	}
	return false;
}

/* Chosen for this port already, or held by another port (the index). */
static bool
ip_taken(const struct fip_resolve *r, const char *subnet_id, uint32_t addr)
{
	char ip[VSW_IPV4_STRLEN], key[VSW_SUBNET_IP_KEYLEN];

	vsw_ipv4_format(addr, ip);
	if (list_holds(r->done, subnet_id, ip))
		return true;
	vsw_subnet_ip_key(key, subnet_id, addr);
	if (vsw_model_index_count(r->ctx->model, "port.subnet_ip", key) == 0)
		return false;
	return r->old == NULL ||
	       !list_holds(json_object_get(r->old, "fixed_ips"), subnet_id, ip);
}

static bool
pool_addr_taken(void *arg, uint32_t addr)
{
	const struct fip_resolve *r = arg;
	const struct vsw_subnet_info *s = r->subnet;

	return (s->has_gateway && addr == s->gateway) || ip_taken(r, s->id, addr);
}

static int
allocate_from(struct fip_resolve *r, const struct vsw_subnet_info *s,
	      uint32_t *addr, struct vsw_error *err)
{
	r->subnet = s;
	if (vsw_pools_first_free(s->pools, s->n_pools, pool_addr_taken, r, addr) == 0)
		return 0;
	return vsw_error_set(err, -ENOSPC, "IpAddressGenerationFailure", "fixed_ips",
			     "no more IP addresses available on subnet %s", s->id);
}

/* On an update, an entry naming only a subnet keeps an address the port
 * already had there. */
static bool
kept_address(const struct fip_resolve *r, const char *subnet_id, uint32_t *addr)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(r->old, "fixed_ips"), i, e) {
		const char *s = vsw_obj_str(e, "subnet_id");
		const char *ip = vsw_obj_str(e, "ip_address");

		if (s && ip && strcmp(s, subnet_id) == 0 &&
		    !list_holds(r->done, subnet_id, ip) &&
		    vsw_ipv4_parse(ip, addr) == 0)
			return true;
	}
	return false;
}

static const char *
subnet_containing(const struct fip_resolve *r, uint32_t addr)
{
	size_t i;
	json_t *id;

	json_array_foreach(json_object_get(r->net, "subnets"), i, id) {
		const json_t *sub = vsw_model_get(r->ctx->model, "subnet",
						  json_string_value(id));
		struct vsw_cidr c;

		if (sub && vsw_cidr_parse(vsw_obj_str(sub, "cidr"), &c, NULL) == 0 &&
		    vsw_cidr_contains(&c, addr))
			return json_string_value(id);
	}
	return NULL;
}

static int
find_subnet(const struct fip_resolve *r, const char *id,
	    struct vsw_subnet_info *s, struct vsw_error *err)
{
	const json_t *sub = vsw_model_get(r->ctx->model, "subnet", id);
	const char *net_id = vsw_obj_str(r->port, "network_id");

	if (sub == NULL || (!vsw_ctx_visible(r->ctx, sub) &&
			    !json_is_true(json_object_get(r->net, "shared"))))
		return vsw_not_found(err, "subnet", "fixed_ips", id);
	if (strcmp(vsw_obj_str(sub, "network_id"), net_id) != 0)
		return fixed_ips_error(err, "a subnet is not on the port's network");
	if (vsw_subnet_parse(sub, s) < 0)
		return fixed_ips_error(err, "a subnet is malformed");
	return 0;
}

static int
check_given_ip(const struct fip_resolve *r, const struct vsw_subnet_info *s,
	       uint32_t addr, struct vsw_error *err)
{
	const char *owner = vsw_obj_str(r->port, "device_owner");
	char ip[VSW_IPV4_STRLEN];

	vsw_ipv4_format(addr, ip);
	if (!vsw_cidr_is_host(&s->cidr, addr))
		return vsw_error_set(err, -EINVAL, "InvalidIpForSubnet", "fixed_ips",
				     "IP address %s is not a valid IP for subnet %s (%s)",
				     ip, s->id, vsw_obj_str(s->obj, "cidr"));
	if (s->has_gateway && addr == s->gateway &&
	    (owner == NULL || strcmp(owner, VSW_ROUTER_INTERFACE_OWNER) != 0))
		return vsw_error_set(err, -EEXIST, "IpAddressAlreadyAllocated", "fixed_ips",
				     "IP address %s is the gateway of subnet %s", ip, s->id);
	if (ip_taken(r, s->id, addr))
		return vsw_error_set(err, -EEXIST, "IpAddressAlreadyAllocated", "fixed_ips",
				     "IP address %s already allocated in subnet %s", ip, s->id);
	return 0;
}

static int
resolve_entry(struct fip_resolve *r, const json_t *entry, json_t **out,
	      struct vsw_error *err)
{
	const char *sid = vsw_obj_str(entry, "subnet_id");
	const char *ip = vsw_obj_str(entry, "ip_address");
	char canon[VSW_IPV4_STRLEN];
	struct vsw_subnet_info s;
	uint32_t addr = 0;
	int rc;

	if (ip != NULL && vsw_ipv4_parse(ip, &addr) < 0)
		return fixed_ips_error(err, "ip_address must be an IPv4 address");
	if (sid == NULL && (sid = subnet_containing(r, addr)) == NULL)
		return vsw_error_set(err, -EINVAL, "InvalidInput", "fixed_ips",
				     "IP address %s is in no subnet of network %s",
				     ip, vsw_obj_str(r->net, "id"));
	rc = find_subnet(r, sid, &s, err);
	if (rc < 0)
		return rc;
	if (ip != NULL)
		rc = check_given_ip(r, &s, addr, err);
	else if (r->old == NULL || !kept_address(r, sid, &addr))
		rc = allocate_from(r, &s, &addr, err);
	if (rc < 0)
		return rc;
	vsw_ipv4_format(addr, canon);
	*out = json_pack("{s:s, s:s}", "subnet_id", s.id, "ip_address", canon);
	return 0;
}

/* Entries naming an address go first, so an allocation never takes one
 * a later entry asks for; the list keeps the order given. */
static int
fixed_ips_resolve(struct fip_resolve *r, json_t *port, struct vsw_error *err)
{
	const json_t *given = json_object_get(port, "fixed_ips");
	size_t n = json_array_size(given);
	int rc = 0;

	r->done = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(r->done, json_null());
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			const json_t *e = json_array_get(given, i);
			bool has_ip = json_object_get(e, "ip_address") != NULL;
			json_t *out = NULL;

			if (has_ip != (pass == 0))
				continue;
			rc = resolve_entry(r, e, &out, err);
			if (rc == 0)
				json_array_set_new(r->done, i, out);
		}
	}
	if (rc == 0)
		json_object_set_nocheck(port, "fixed_ips", r->done);
	json_decref(r->done);
	return rc;
}

/* No fixed_ips given: one address from the first subnet of the network
 * that has one free (Neutron's behaviour for IPv4). */
static int
fixed_ips_auto(struct fip_resolve *r, json_t *port, struct vsw_error *err)
{
	const json_t *subnets = json_object_get(r->net, "subnets");
	size_t i;
	json_t *id;
	int rc = 0;

	r->done = json_array();
	json_array_foreach(subnets, i, id) {
		const json_t *sub = vsw_model_get(r->ctx->model, "subnet",
						  json_string_value(id));
		struct vsw_subnet_info s;
		char canon[VSW_IPV4_STRLEN];
		uint32_t addr;

		if (sub == NULL || vsw_subnet_parse(sub, &s) < 0)
			continue;
		rc = allocate_from(r, &s, &addr, err);
		if (rc == 0) {
			vsw_ipv4_format(addr, canon);
			json_array_append_new(r->done, json_pack("{s:s, s:s}", "subnet_id",
								 s.id, "ip_address", canon));
			json_object_set_nocheck(port, "fixed_ips", r->done);
			break;
		}
	}
	json_decref(r->done);
	return rc;
}

static int
port_on_create(struct vsw_ctx *ctx, json_t *port, const json_t *given,
	       struct vsw_error *err)
{
	const char *net_id = vsw_obj_str(port, "network_id");
	const json_t *net = vsw_model_get(ctx->model, "network", net_id);
	json_t *security;
	int rc;

	if (net == NULL || (!vsw_ctx_visible(ctx, net) &&
			    !json_is_true(json_object_get(net, "shared"))))
		return vsw_not_found(err, "network", "network_id", net_id);
	if (json_object_get(given, "port_security_enabled") == NULL) {
		security = json_object_get(net, "port_security_enabled");
		json_object_set_new_nocheck(port, "port_security_enabled",
					    json_boolean(!json_is_false(security)));
	}
	rc = assign_mac(ctx, port, err);
	if (rc == 0)
		rc = finish_address_pairs(port, err);
	if (rc == 0) {
		struct fip_resolve r = { .ctx = ctx, .port = port, .net = net };

		rc = json_object_get(given, "fixed_ips") != NULL
		     ? fixed_ips_resolve(&r, port, err) : fixed_ips_auto(&r, port, err);
	}
	return rc;
}

bool
vsw_port_is_l3_owned(struct vsw_ctx *ctx, const json_t *port)
{
	const char *owner = vsw_obj_str(port, "device_owner");
	const char *device = vsw_obj_str(port, "device_id");
	const char *kind;

	if (owner == NULL || device == NULL)
		return false;
	if (strcmp(owner, VSW_OWNER_ROUTER_INTERFACE) == 0 ||
	    strcmp(owner, VSW_OWNER_ROUTER_GATEWAY) == 0)
		kind = "router";
	else if (strcmp(owner, VSW_OWNER_FLOATINGIP) == 0)
		kind = "floatingip";
	else
		return false;
	return vsw_model_get(ctx->model, kind, device) != NULL;
}

static int
owned_port_in_use(const json_t *port, struct vsw_error *err)
{
	return vsw_error_set(err, -EBUSY, "PortInUse", "id",
			     "port %s is owned by %s %s; change it through that object",
			     vsw_obj_str(port, "id"), vsw_obj_str(port, "device_owner"),
			     vsw_obj_str(port, "device_id"));
}

static int
check_unplugged(const json_t *port, struct vsw_error *err)
{
	if (!json_is_string(json_object_get(port, "vnic_id")))
		return 0;
	return vsw_error_set(err, -EBUSY, "PortInUse", "id",
			     "port %s has a plugged VNIC (%s); unplug it first",
			     vsw_obj_str(port, "id"), vsw_obj_str(port, "vnic_id"));
}

int
vsw_port_remove_owned(struct vsw_ctx *ctx, const char *port_id,
		      struct vsw_error *err)
{
	const json_t *port = port_id ? vsw_model_get(ctx->model, "port", port_id) : NULL;
	int rc;

	if (port == NULL)
		return 0;
	rc = check_unplugged(port, err);
	return rc < 0 ? rc : vsw_ctx_remove(ctx, "port", port_id, err);
}

static int
port_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *port,
	       const json_t *changes, struct vsw_error *err)
{
	static const char *const owned_members[] = { "fixed_ips", "device_owner",
						     "device_id", NULL };
	const json_t *net = vsw_model_get(ctx->model, "network",
					  vsw_obj_str(port, "network_id"));
	struct fip_resolve r = { .ctx = ctx, .port = port, .old = old, .net = net };
	int rc;

	for (const char *const *m = owned_members; *m; m++)
		if (json_object_get(changes, *m) != NULL && vsw_port_is_l3_owned(ctx, old))
			return owned_port_in_use(old, err);
	rc = finish_address_pairs(port, err);
	/* Addresses dropped from the list are free once the port is put:
	 * the index follows the stored object. */
	if (rc == 0 && json_object_get(changes, "fixed_ips") != NULL)
		rc = fixed_ips_resolve(&r, port, err);
	if (rc == 0 && json_object_get(changes, "fixed_ips") != NULL)
		rc = vsw_floatingips_release_port(ctx, vsw_obj_str(port, "id"),
						  json_object_get(port, "fixed_ips"), err);
	return rc;
}

static int
port_on_delete(struct vsw_ctx *ctx, const json_t *port, struct vsw_error *err)
{
	int rc = check_unplugged(port, err);

	if (rc == 0 && vsw_port_is_l3_owned(ctx, port))
		rc = owned_port_in_use(port, err);
	/* As Neutron: the port's floating IPs stay, disassociated. */
	if (rc == 0)
		rc = vsw_floatingips_release_port(ctx, vsw_obj_str(port, "id"), NULL, err);
	return rc;
}

static void
port_decorate(struct vsw_ctx *ctx, const json_t *port, json_t *out)
{
	const char *vnic_id = vsw_obj_str(port, "vnic_id");
	const json_t *vnic = vnic_id ? vsw_model_get(ctx->model, "vnic", vnic_id) : NULL;
	const char *vnic_type = vsw_obj_str(vnic, "type");
	const char *status = "DOWN";
	const char *vif_type = "unbound";

	/* Without a data plane to ask, a plugged port is BUILD. */
	if (vnic != NULL && json_is_true(json_object_get(port, "admin_state_up")))
		status = "BUILD";
	if (vnic != NULL)
		vif_type = vnic_type && strcmp(vnic_type, "vhost-user") == 0
			   ? "vhostuser" : "other";
	vsw_resource_set_status(ctx, "port", port, out, status);
	json_object_set_new_nocheck(out, "binding:vif_type", json_string(vif_type));
}

static const struct vsw_resource_kind port_kind = {
	.name = "port",
	.plural = "ports",
	.fields = port_fields,
	.n_fields = sizeof(port_fields) / sizeof(port_fields[0]),
	.on_create = port_on_create,
	.on_update = port_on_update,
	.on_delete = port_on_delete,
	.decorate = port_decorate,
	.index_keys = port_index_keys,
};

int
vsw_port_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &port_kind, vsw_api_options(api)->max_ports);
}
