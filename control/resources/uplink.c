/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uplink: an ethdev (PCI address or DPDK devargs) that carries provider
 * networks: a flat or VLAN trunk, or the VXLAN underlay with a local VTEP
 * address. Admin only. Networks name it in provider:physical_network.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "ipam.h"
#include "resource.h"
#include "resources.h"
#include "vsw_config.h"

/* No option for it yet: a host has a handful of NICs. */
#define VSW_MAX_UPLINKS 64
#define VSW_UPLINK_NAME_MAX 32
#define VSW_PCI_ADDR_STRLEN 13  /* "dddd:bb:dd.f" + NUL */
#define VSW_DEFAULT_LOCAL_PREFIXLEN 24
#define VSW_MAX_UPLINK_NEIGHBORS 256

static const char *const uplink_roles[] = { "flat", "vlan", "vxlan", NULL };

static int
invalid(const struct vsw_field *f, struct vsw_error *err, const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s: %s", f->name, what);
}

static int
validate_name(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	const char *s = json_string_value(*value);

	if (s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		     "0123456789_.-")] != '\0')
		return invalid(f, err, "only letters, digits, '_', '.' and '-'");
	return 0;
}

static bool
parse_hex(const char *s, size_t len, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;

	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		v = v * 16 + (unsigned int)(isdigit((unsigned char)s[i]) ? s[i] - '0'
					    : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	*out = v;
	return v <= max;
}

/* "DDDD:BB:DD.F" or "BB:DD.F" -> "dddd:bb:dd.f"; 0 or -EINVAL. */
static int
pci_canonical(const char *s, char out[VSW_PCI_ADDR_STRLEN])
{
	unsigned int dom = 0, bus, dev, fn;
	size_t len = strlen(s);

	if (len == 12) {
		if (s[4] != ':' || !parse_hex(s, 4, 0xffff, &dom))
			return -EINVAL;
		s += 5;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (s[2] != ':' || s[5] != '.' || !parse_hex(s, 2, 0xff, &bus) ||
	    !parse_hex(s + 3, 2, 0x1f, &dev) || !parse_hex(s + 6, 1, 7, &fn))
		return -EINVAL;
	snprintf(out, VSW_PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static int
validate_pci(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	char canon[VSW_PCI_ADDR_STRLEN];
	json_t *c;

	if (pci_canonical(json_string_value(*value), canon) < 0)
		return invalid(f, err, "expected a PCI address like 0000:03:00.0");
	c = json_string(canon);
	if (c == NULL)
		return -ENOMEM;
	json_decref(*value);
	*value = c;
	return 0;
}

/* --- static neighbours --- */

static int
neighbor_error(const struct vsw_field *f, struct vsw_error *err, size_t i,
	       const char *what)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
			     "invalid input for %s[%zu]: %s", f->name, i, what);
}

/* One {ip_address, mac_address} entry, canonical; NULL on error (set). */
static json_t *
neighbor_entry(const struct vsw_field *f, const json_t *e, size_t i,
	       struct vsw_error *err)
{
	char ip[VSW_IPV4_STRLEN], mac[VSW_MAC_STRLEN];
	json_t *out;

	if (!json_is_object(e) || json_object_size(e) != 2 ||
	    json_object_get(e, "ip_address") == NULL ||
	    json_object_get(e, "mac_address") == NULL) {
		neighbor_error(f, err, i, "expected {ip_address, mac_address}");
		return NULL;
	}
	if (vsw_unicast_ipv4_canonical(json_object_get(e, "ip_address"), ip) < 0) {
		neighbor_error(f, err, i, "ip_address must be a unicast IPv4 address");
		return NULL;
	}
	if (vsw_unicast_mac_canonical(json_object_get(e, "mac_address"), mac) < 0) {
		neighbor_error(f, err, i, "mac_address must be a unicast MAC address");
		return NULL;
	}
	out = json_pack("{s:s, s:s}", "ip_address", ip, "mac_address", mac);
	if (out == NULL)
		vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	return out;
}

static bool
has_ip(const json_t *list, const char *ip)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (strcmp(vsw_obj_str(e, "ip_address"), ip) == 0)
			return true;
	return false;
}

/* [{ip_address, mac_address}]: next hops that do not answer ARP. */
static int
validate_neighbors(const struct vsw_field *f, json_t **value, struct vsw_error *err)
{
	json_t *canon, *e;
	size_t i;

	if (json_array_size(*value) > VSW_MAX_UPLINK_NEIGHBORS)
		return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
				     "invalid input for %s: at most %d entries", f->name,
				     VSW_MAX_UPLINK_NEIGHBORS);
	canon = json_array();
	if (canon == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	json_array_foreach(*value, i, e) {
		json_t *n = neighbor_entry(f, e, i, err);

		if (n != NULL && has_ip(canon, vsw_obj_str(n, "ip_address"))) {
			neighbor_error(f, err, i, "duplicate ip_address");
			json_decref(n);
			n = NULL;
		}
		if (n == NULL) {
			json_decref(canon);
			return err->errnum;
		}
		json_array_append_new(canon, n);
	}
	json_decref(*value);
	*value = canon;
	return 0;
}

static const struct vsw_field uplink_fields[] = {
	{ .name = "id", .type = VSW_FT_UUID, .flags = VSW_F_RO },
	{ .name = "name", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .min = 1, .max_len = VSW_UPLINK_NAME_MAX, .validate = validate_name },
	{ .name = "project_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "tenant_id", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	/* Exactly one of devargs and pci_address: the other is stored null. */
	{ .name = "devargs", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_NULLABLE,
	  .min = 1, .max_len = 1024 },
	{ .name = "pci_address", .type = VSW_FT_STRING,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_NULLABLE,
	  .validate = validate_pci },
	{ .name = "role", .type = VSW_FT_ENUM,
	  .flags = VSW_F_CREATE | VSW_F_VISIBLE | VSW_F_REQUIRED,
	  .enum_values = uplink_roles },
	/* vxlan only (null otherwise): the VTEP address, its on-link prefix
	 * and the next hop toward VTEPs off that link. */
	{ .name = "local_ip", .type = VSW_FT_STRING, .flags = VSW_F_RW | VSW_F_NULLABLE,
	  .validate = vsw_validate_ipv4_field },
	{ .name = "gateway_ip", .type = VSW_FT_STRING, .flags = VSW_F_RW | VSW_F_NULLABLE,
	  .validate = vsw_validate_ipv4_field },
	{ .name = "local_prefixlen", .type = VSW_FT_INT, .flags = VSW_F_RW | VSW_F_NULLABLE,
	  .min = 1, .max = 32 },
	{ .name = "mtu", .type = VSW_FT_INT, .flags = VSW_F_RW,
	  .default_json = "1500", .min = 68, .max = 9216 },
	{ .name = "admin_state_up", .type = VSW_FT_BOOL, .flags = VSW_F_RW,
	  .default_json = "true" },
	{ .name = "neighbors", .type = VSW_FT_LIST, .flags = VSW_F_RW,
	  .default_json = "[]", .validate = validate_neighbors },
	{ .name = "status", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "created_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
	{ .name = "updated_at", .type = VSW_FT_STRING, .flags = VSW_F_RO },
};

/* --- devices, shared with vnics --- */

/* Drivers whose iface= names a kernel interface that only one may open. */
static bool
driver_takes_iface(const char *name)
{
	static const char *const prefixes[] = { "net_af_packet", "eth_af_packet",
						"net_tap", "net_tun", "net_pcap",
						"eth_pcap", NULL };

	for (const char *const *p = prefixes; *p; p++)
		if (strncmp(name, *p, strlen(*p)) == 0)
			return true;
	return false;
}

/* The value of key= among the ','-separated arguments args ("" if none). */
static void
devargs_value(const char *args, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	out[0] = '\0';
	while (args != NULL && *args != '\0') {
		size_t n = strcspn(args, ",");

		if (n > klen && strncmp(args, key, klen) == 0 && args[klen] == '=') {
			snprintf(out, len, "%.*s", (int)(n - klen - 1), args + klen + 1);
			return;
		}
		args += n + (args[n] == ',');
	}
}

void
vsw_device_keys(const char *devargs, struct vsw_device_keys *k)
{
	char pci[VSW_PCI_ADDR_STRLEN];
	size_t n;

	devargs += strspn(devargs, " \t");
	n = strcspn(devargs, ",");
	snprintf(k->name, sizeof(k->name), "%.*s", (int)n, devargs);
	n = strcspn(k->name, " \t");
	k->name[n] = '\0';
	if (pci_canonical(k->name, pci) == 0)
		snprintf(k->name, sizeof(k->name), "%s", pci);
	k->iface[0] = '\0';
	if (driver_takes_iface(k->name) && devargs[strcspn(devargs, ",")] == ',')
		devargs_value(devargs + strcspn(devargs, ",") + 1, "iface", k->iface,
			      sizeof(k->iface));
}

void
vsw_device_index_keys(const char *kind, const char *devargs,
		      vsw_model_emit_fn emit, void *arg)
{
	bool uplink = strcmp(kind, "uplink") == 0;
	struct vsw_device_keys *k = malloc(sizeof(*k));

	/* No way to report ENOMEM from an index function: a missed key only
	 * weakens the uniqueness check. */
	if (k == NULL)
		return;
	vsw_device_keys(devargs, k);
	emit(arg, uplink ? "uplink.device" : "vnic.device", k->name);
	if (k->iface[0] != '\0')
		emit(arg, uplink ? "uplink.iface" : "vnic.iface", k->iface);
	free(k);
}

static int
device_in_use(struct vsw_error *err, const char *field, const char *what,
	      const char *key, const char *kind)
{
	return vsw_error_set(err, -EEXIST,
			     strcmp(field, "pci_address") == 0 ? "PciAddressInUse"
								: "DevargsInUse",
			     field, "%s %.200s is already opened by %s %s", what, key,
			     strcmp(kind, "uplink") == 0 ? "an" : "a", kind);
}

int
vsw_device_check_free(struct vsw_ctx *ctx, const char *devargs, const char *field,
		      struct vsw_error *err)
{
	static const char *const kinds[] = { "uplink", "vnic" };
	struct vsw_device_keys *k = malloc(sizeof(*k));
	char index[32];
	int rc = 0;

	if (k == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	vsw_device_keys(devargs, k);
	for (size_t i = 0; rc == 0 && i < 2; i++) {
		snprintf(index, sizeof(index), "%s.device", kinds[i]);
		if (vsw_model_index_count(ctx->model, index, k->name) > 0) {
			rc = device_in_use(err, field, "device", k->name, kinds[i]);
			break;
		}
		snprintf(index, sizeof(index), "%s.iface", kinds[i]);
		if (k->iface[0] != '\0' &&
		    vsw_model_index_count(ctx->model, index, k->iface) > 0)
			rc = device_in_use(err, field, "interface", k->iface, kinds[i]);
	}
	free(k);
	return rc;
}

static void
uplink_index_keys(const json_t *uplink, vsw_model_emit_fn emit, void *arg)
{
	const char *name = vsw_obj_str(uplink, "name");
	const char *devargs = vsw_obj_str(uplink, "devargs");
	const char *pci = vsw_obj_str(uplink, "pci_address");

	if (name != NULL)
		emit(arg, "uplink.name", name);
	if (devargs != NULL)
		vsw_device_index_keys("uplink", devargs, emit, arg);
	if (pci != NULL) {
		emit(arg, "uplink.pci", pci);
		emit(arg, "uplink.device", pci);
	}
}

const json_t *
vsw_uplink_by_name(struct vsw_ctx *ctx, const char *name)
{
	const char *id;
	json_t *uplink;

	if (name == NULL || vsw_model_index_count(ctx->model, "uplink.name", name) == 0)
		return NULL;
	/* A host has a handful of uplinks. */
	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "uplink"), id, uplink) {
		const char *n = vsw_obj_str(uplink, "name");

		if (n != NULL && strcmp(n, name) == 0)
			return uplink;
	}
	return NULL;
}

static void
set_null_if_absent(json_t *obj, const char *key)
{
	if (json_object_get(obj, key) == NULL)
		json_object_set_new_nocheck(obj, key, json_null());
}

static int
check_unique(struct vsw_ctx *ctx, const char *index, const char *key,
	     const char *type, const char *field, struct vsw_error *err)
{
	if (key == NULL || vsw_model_index_count(ctx->model, index, key) == 0)
		return 0;
	return vsw_error_set(err, -EEXIST, type, field,
			     "%s %.200s is already used", field, key);
}

static int
check_device(struct vsw_ctx *ctx, const json_t *uplink, struct vsw_error *err)
{
	const char *devargs = vsw_obj_str(uplink, "devargs");
	const char *pci = vsw_obj_str(uplink, "pci_address");
	int rc;

	if ((devargs == NULL) == (pci == NULL))
		return vsw_error_set(err, -EINVAL, "InvalidInput", "devargs",
				     "give exactly one of devargs and pci_address");
	rc = check_unique(ctx, "uplink.pci", pci, "PciAddressInUse", "pci_address", err);
	if (rc == 0)
		rc = vsw_device_check_free(ctx, devargs ? devargs : pci,
					   devargs ? "devargs" : "pci_address", err);
	return rc;
}

static int
not_for_role(struct vsw_error *err, const char *field, const char *role)
{
	return vsw_error_set(err, -EINVAL, "InvalidInput", field,
			     "invalid input for %s: only a vxlan uplink has it, not a %s one",
			     field, role);
}

/* The gateway must be on local_ip's link, and not local_ip itself. */
static int
check_vtep_gateway(const json_t *uplink, uint32_t local, struct vsw_error *err)
{
	const char *gw_s = vsw_obj_str(uplink, "gateway_ip");
	struct vsw_cidr link;
	uint32_t gw;

	if (gw_s == NULL)
		return 0;
	link.plen = (uint8_t)json_integer_value(json_object_get(uplink, "local_prefixlen"));
	link.addr = local & vsw_cidr_mask(link.plen);
	vsw_ipv4_parse(gw_s, &gw);
	if (gw == local || !vsw_cidr_contains(&link, gw) ||
	    (link.plen < 31 && !vsw_cidr_is_host(&link, gw)))
		return vsw_error_set(err, -EINVAL, "InvalidInput", "gateway_ip",
				     "gateway_ip %s is not another host on the link of "
				     "local_ip %s/%u", gw_s, vsw_obj_str(uplink, "local_ip"),
				     (unsigned int)link.plen);
	return 0;
}

/* Role-dependent members, on create and on update: one set of rules. */
static int
check_role_fields(json_t *uplink, struct vsw_error *err)
{
	static const char *const vxlan_only[] = { "local_ip", "gateway_ip",
						  "local_prefixlen", NULL };
	const char *role = vsw_obj_str(uplink, "role");
	uint32_t local;

	for (const char *const *k = vxlan_only; *k; k++)
		set_null_if_absent(uplink, *k);
	if (strcmp(role, "vxlan") != 0) {
		for (const char *const *k = vxlan_only; *k; k++)
			if (!json_is_null(json_object_get(uplink, *k)))
				return not_for_role(err, *k, role);
		return 0;
	}
	if (vsw_obj_str(uplink, "local_ip") == NULL)
		return vsw_error_set(err, -EINVAL, "InvalidInput", "local_ip",
				     "a vxlan uplink needs local_ip (its VTEP address)");
	if (json_is_null(json_object_get(uplink, "local_prefixlen")))
		json_object_set_new_nocheck(uplink, "local_prefixlen",
					    json_integer(VSW_DEFAULT_LOCAL_PREFIXLEN));
	vsw_ipv4_parse(vsw_obj_str(uplink, "local_ip"), &local);
	return check_vtep_gateway(uplink, local, err);
}

static int
uplink_on_create(struct vsw_ctx *ctx, json_t *uplink, const json_t *given,
		 struct vsw_error *err)
{
	int rc;

	(void)given;
	set_null_if_absent(uplink, "devargs");
	set_null_if_absent(uplink, "pci_address");
	rc = check_unique(ctx, "uplink.name", vsw_obj_str(uplink, "name"),
			  "UplinkNameInUse", "name", err);
	if (rc == 0)
		rc = check_device(ctx, uplink, err);
	if (rc == 0)
		rc = check_role_fields(uplink, err);
	return rc;
}

/* The largest MTU of the networks on an uplink, with their overhead. */
static json_int_t
networks_wire_mtu(struct vsw_ctx *ctx, const char *name)
{
	json_int_t need = 0;
	const char *id;
	json_t *net;

	json_object_foreach((json_t *)vsw_model_kind(ctx->model, "network"), id, net) {
		const char *phys = vsw_obj_str(net, "provider:physical_network");
		json_int_t m;

		if (phys == NULL || strcmp(phys, name) != 0)
			continue;
		m = json_integer_value(json_object_get(net, "mtu")) +
		    vsw_network_overhead(vsw_obj_str(net, "provider:network_type"));
		if (m > need)
			need = m;
	}
	return need;
}

static int
uplink_on_update(struct vsw_ctx *ctx, const json_t *old, json_t *uplink,
		 const json_t *changes, struct vsw_error *err)
{
	const char *name = vsw_obj_str(uplink, "name");
	json_int_t mtu = json_integer_value(json_object_get(uplink, "mtu"));
	json_int_t need;
	int rc = check_role_fields(uplink, err);

	(void)old;
	if (rc < 0 || json_object_get(changes, "mtu") == NULL ||
	    vsw_model_index_count(ctx->model, "network.physnet", name) == 0)
		return rc;
	need = networks_wire_mtu(ctx, name);
	if (mtu < need)
		return vsw_error_set(err, -EBUSY, "UplinkInUse", "mtu",
				     "a network on uplink %s needs an mtu of %" JSON_INTEGER_FORMAT
				     " (its mtu plus encapsulation)", name, need);
	return 0;
}

static int
uplink_on_delete(struct vsw_ctx *ctx, const json_t *uplink, struct vsw_error *err)
{
	const char *name = vsw_obj_str(uplink, "name");

	if (vsw_model_index_count(ctx->model, "network.physnet", name) > 0)
		return vsw_error_set(err, -EBUSY, "UplinkInUse", "id",
				     "unable to delete uplink %s: one or more networks "
				     "use it as provider:physical_network", name);
	return 0;
}

static void
uplink_decorate(struct vsw_ctx *ctx, const json_t *uplink, json_t *out)
{
	/* The data plane says ACTIVE once the device is up. */
	vsw_resource_set_status(ctx, "uplink", uplink, out, "DOWN");
}

static const struct vsw_resource_kind uplink_kind = {
	.name = "uplink",
	.plural = "uplinks",
	.extension = "uplink",
	.admin_only = true,
	.fields = uplink_fields,
	.n_fields = sizeof(uplink_fields) / sizeof(uplink_fields[0]),
	.on_create = uplink_on_create,
	.on_update = uplink_on_update,
	.on_delete = uplink_on_delete,
	.decorate = uplink_decorate,
	.index_keys = uplink_index_keys,
};

int
vsw_uplink_register(struct vsw_api *api)
{
	return vsw_api_register_kind(api, &uplink_kind, VSW_MAX_UPLINKS);
}

/* --- uplinks of the configuration file --- */

static void
set_string_if(json_t *params, const char *key, const char *value)
{
	if (value[0] != '\0')
		json_object_set_new_nocheck(params, key, json_string(value));
}

static json_t *
config_uplink_request(const struct vsw_config_uplink *u)
{
	json_t *params = json_pack("{s:s, s:s, s:b}", "name", u->name, "role", u->role,
				   "admin_state_up", u->admin_state_up);
	json_t *req;

	if (params == NULL)
		return NULL;
	set_string_if(params, "devargs", u->devargs);
	set_string_if(params, "pci_address", u->pci_address);
	set_string_if(params, "local_ip", u->local_ip);
	set_string_if(params, "gateway_ip", u->gateway_ip);
	if (u->local_prefixlen > 0)
		json_object_set_new_nocheck(params, "local_prefixlen",
					    json_integer(u->local_prefixlen));
	if (u->mtu > 0)
		json_object_set_new_nocheck(params, "mtu", json_integer(u->mtu));
	json_object_set_new_nocheck(params, "admin", json_true());
	req = json_pack("{s:s, s:s, s:i, s:o}", "jsonrpc", "2.0",
			"method", "uplink.create", "id", 1, "params", params);
	return req;
}

/* Creates one configured uplink through the API, in its own group. */
static int
create_config_uplink(struct vsw_api *api, const struct vsw_config_uplink *u,
		     char *err, size_t errlen)
{
	const struct vsw_caller admin = { .uid = getuid(), .pid = getpid(),
					  .may_admin = true };
	json_t *req = config_uplink_request(u);
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_t *resp, *error;
	int rc;

	json_decref(req);
	if (text == NULL) {
		snprintf(err, errlen, "uplink %s: out of memory", u->name);
		return -ENOMEM;
	}
	vsw_api_group_begin(api);
	resp = vsw_api_handle_text(api, &admin, text, strlen(text));
	rc = vsw_api_group_end(api);
	free(text);
	error = json_object_get(resp, "error");
	if (rc == 0 && error != NULL)
		rc = -EINVAL;
	if (rc < 0)
		snprintf(err, errlen, "uplink %s: %s", u->name,
			 error ? json_string_value(json_object_get(error, "message"))
			       : "state write failed");
	json_decref(resp);
	return rc;
}

int
vsw_uplinks_apply_config(struct vsw_api *api, const struct vsw_config *cfg,
			 char *err, size_t errlen)
{
	struct vsw_model *model = vsw_api_model(api);

	for (unsigned int i = 0; i < cfg->n_uplinks; i++) {
		const struct vsw_config_uplink *u = &cfg->uplinks[i];
		int rc;

		/* Stored already (an earlier start, or the API): the store wins. */
		if (vsw_model_index_count(model, "uplink.name", u->name) > 0)
			continue;
		rc = create_config_uplink(api, u, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}
