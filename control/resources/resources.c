/* SPDX-License-Identifier: BSD-3-Clause */
#include "resources.h"

#include <errno.h>

#include "resource.h"
#include "rpc.h"

int
vsw_resources_register_all(struct vsw_api *api)
{
	int (*const registrations[])(struct vsw_api *) = {
		vsw_network_register,
		vsw_subnet_register,
		vsw_port_register,
		vsw_vnic_register,
		vsw_system_register,
		vsw_uplink_register,
		vsw_router_register,
		vsw_floatingip_register,
		vsw_vpn_policies_register,
		vsw_vpn_service_register,
		vsw_vpn_connection_register,
		vsw_ipsec_sa_register,
	};

	for (unsigned int i = 0; i < sizeof(registrations) / sizeof(registrations[0]); i++) {
		int rc = registrations[i](api);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int
vsw_resources_call(struct vsw_ctx *ctx, const char *method, const char *project,
		   json_t *params, json_t **result, struct vsw_error *err)
{
	const struct vsw_method *m = vsw_api_find_method(ctx->api, method);
	struct vsw_ctx inner = *ctx;
	json_t *res = NULL;
	int rc;

	if (m == NULL)
		return vsw_error_set(err, -EINVAL, "InternalError", NULL,
				     "no method %s", method);
	inner.admin = true;
	inner.project = project;
	inner.project_given = true;
	rc = m->fn(&inner, m->data, params, &res, err);
	if (rc == 0 && result != NULL)
		*result = res;
	else
		json_decref(res);
	return rc;
}

int
vsw_unicast_ipv4_canonical(const json_t *value, char out[VSW_IPV4_STRLEN])
{
	uint32_t a;
	unsigned int first;

	if (!json_is_string(value) || vsw_ipv4_parse(json_string_value(value), &a) < 0)
		return -EINVAL;
	first = a >> 24;
	/* "this network", loopback, multicast and reserved/broadcast. */
	if (first == 0 || first == 127 || first >= 224)
		return -EINVAL;
	vsw_ipv4_format(a, out);
	return 0;
}

int
vsw_unicast_mac_canonical(const json_t *value, char out[VSW_MAC_STRLEN])
{
	uint8_t mac[6];

	if (!json_is_string(value) || vsw_mac_parse(json_string_value(value), mac) < 0 ||
	    !vsw_mac_is_unicast(mac))
		return -EINVAL;
	vsw_mac_format(mac, out);
	return 0;
}
