/* SPDX-License-Identifier: BSD-3-Clause */
/* extensions.list, system.info, stats.get: what this vsw is and does. */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "resource.h"
#include "resources.h"
#include "rpc.h"

struct vsw_extension {
	const char *alias;
	const char *name;
	const char *description;
	const char *updated;
};

/* Only extensions whose every field is validated and enforced. */
static const struct vsw_extension extensions[] = {
	{ "ethernet-vnic", "Ethernet VNIC",
	  "MAC addresses on ports and VNICs, given or generated (locally "
	  "administered, unique per host)", "2025-01-01T00:00:00Z" },
	{ "vhost-user", "vhost-user VNIC",
	  "VNIC type vhost-user: socket path, mode client|server, queue count, "
	  "reconnect", "2025-01-01T00:00:00Z" },
	{ "port-security", "Port security",
	  "Anti-spoofing on ports (on by default) and allowed_address_pairs",
	  "2025-01-01T00:00:00Z" },
	{ "subnet", "Subnets and IPAM",
	  "IPv4 subnets on networks (gateway, allocation pools, DNS servers, "
	  "host routes, enable_dhcp: the switch answers DHCP) and fixed IPs on "
	  "ports, given or allocated", "2026-11-22T00:00:00Z" },
	{ "uplink", "Uplinks",
	  "Dedicated NICs or DPDK devices carrying flat/VLAN provider networks "
	  "or a VXLAN underlay (local VTEP, gateway, MTU, static neighbours)",
	  "2026-11-22T00:00:00Z" },
	{ "provider-net", "Provider networks",
	  "provider:network_type local|flat|vlan|vxlan, physical_network, "
	  "segmentation_id; VXLAN remote VTEPs and static FDB entries",
	  "2026-11-22T00:00:00Z" },
	{ "external-net", "External networks",
	  "router:external networks for router gateways and floating IPs",
	  "2026-11-22T00:00:00Z" },
	{ "router", "Routers",
	  "Routers with interfaces, static routes and an external gateway "
	  "with SNAT (ext-gw-mode enable_snat)", "2026-11-22T00:00:00Z" },
	{ "floating-ip", "Floating IPs",
	  "1:1 NAT of a port's fixed IP to an external address",
	  "2026-11-22T00:00:00Z" },
	{ "vpnaas", "VPN as a service",
	  "IKE and IPsec policies, VPN services on routers with an external "
	  "gateway, IPsec site connections (ESP tunnel mode; IKEv2 only)",
	  "2027-01-10T00:00:00Z" },
	{ "vpn-endpoint-groups", "VPN endpoint groups",
	  "Groups of local subnets or peer CIDRs for IPsec site connections",
	  "2027-01-10T00:00:00Z" },
	{ "ipsec-manual-sa", "Manual IPsec SAs",
	  "ESP SAs with explicit SPI and keys (static keying); admin only",
	  "2027-01-10T00:00:00Z" },
};

static const char *const no_params[] = { NULL };

static int
extensions_list(struct vsw_ctx *ctx, void *data, json_t *params,
		json_t **result, struct vsw_error *err)
{
	json_t *list;

	(void)ctx;
	(void)data;
	if (vsw_params_only(params, no_params, err) < 0)
		return err->errnum;
	list = json_array();
	for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"alias", extensions[i].alias, "name", extensions[i].name,
			"description", extensions[i].description,
			"updated", extensions[i].updated, "version", "1.0"));
	*result = list;
	return 0;
}

static int
system_info(struct vsw_ctx *ctx, void *data, json_t *params, json_t **result,
	    struct vsw_error *err)
{
	const struct vsw_api_options *opt = vsw_api_options(ctx->api);
	const struct vsw_api_hooks *hooks = vsw_api_hooks(ctx->api);
	char started[VSW_TIMESTAMP_STRLEN];
	struct tm tm;
	json_t *info;

	(void)data;
	if (vsw_params_only(params, no_params, err) < 0)
		return err->errnum;
	gmtime_r(&ctx->api->started_at, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	info = json_pack("{s:s, s:I, s:f, s:s, s:I, s:s}",
			 "version", opt->version,
			 "workers", (json_int_t)opt->n_workers,
			 "uptime_s", vsw_api_uptime(ctx->api),
			 "started_at", started,
			 "pid", (json_int_t)getpid(),
			 "db_path", opt->db_path);
	if (info == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	if (hooks->system_info != NULL)
		hooks->system_info(hooks->arg, info);
	*result = info;
	return 0;
}

static int
stats_get(struct vsw_ctx *ctx, void *data, json_t *params, json_t **result,
	  struct vsw_error *err)
{
	const struct vsw_api_stats *st = vsw_api_get_stats(ctx->api);
	const struct vsw_api_hooks *hooks = vsw_api_hooks(ctx->api);
	const struct vsw_resource_kind *kind;
	json_t *stats, *objects;

	(void)data;
	if (vsw_params_only(params, no_params, err) < 0)
		return err->errnum;
	objects = json_object();
	for (size_t i = 0; (kind = vsw_api_kind_at(ctx->api, i)) != NULL; i++)
		json_object_set_new(objects, kind->plural ? kind->plural : kind->name,
				    json_integer((json_int_t)vsw_model_count(ctx->model,
									      kind->name)));
	stats = json_pack("{s:{s:I, s:I, s:I, s:I, s:I}, s:o}",
			  "api",
			  "requests", (json_int_t)st->requests,
			  "errors", (json_int_t)st->errors,
			  "mutations", (json_int_t)st->mutations,
			  "commits", (json_int_t)st->commits,
			  "commit_failures", (json_int_t)st->commit_failures,
			  "objects", objects);
	if (stats == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	if (hooks->stats != NULL)
		hooks->stats(hooks->arg, stats);
	*result = stats;
	return 0;
}

int
vsw_system_register(struct vsw_api *api)
{
	int rc = vsw_api_register_method(api, "extensions.list", extensions_list, NULL, 0);

	if (rc == 0)
		rc = vsw_api_register_method(api, "system.info", system_info, NULL, 0);
	if (rc == 0)
		rc = vsw_api_register_method(api, "stats.get", stats_get, NULL, 0);
	return rc;
}
