/* SPDX-License-Identifier: BSD-3-Clause */
/* The VPNaaS model: ikepolicy, ipsecpolicy, vpnservice, endpoint_group,
 * ipsec_site_connection and manual SAs; defaults, rules, secrets, journal
 * safety and reload. */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "api_request.h"
#include "field_types.h"
#include "model.h"
#include "resource.h"
#include "resources.h"

/* Write-only values: none of them may appear in any response. */
#define PSK "Psk-9f3e-never-shown"
#define ENC16 "0badc0de0badc0de0badc0de0badc0de"
#define ENC32 ENC16 ENC16
#define AUTH20 "facefeedfacefeedfacefeedfacefeedfacefeed"
#define AUTH32 "facefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeed"
#define SALT "5a175a17"

/* No secret in the text of anything the API answered. */
static void
assert_no_secret(const json_t *resp)
{
	static const char *const secrets[] = { PSK, ENC16, AUTH20, SALT, "0BADC0DE", NULL };
	char *text = json_dumps(resp, JSON_ENCODE_ANY);

	assert_non_null(text);
	for (const char *const *s = secrets; *s; s++)
		if (strcasestr(text, *s) != NULL)
			fail_msg("a secret is in a response: %s", text);
	free(text);
}

#define ADMIN_API_CHECK(resp) assert_no_secret(resp)
#include "admin_api.h"

static void
assert_json(const json_t *obj, const char *key, const char *json_text)
{
	json_t *want = json_loads(json_text, JSON_DECODE_ANY, NULL);

	assert_non_null(want);
	if (!json_equal(json_object_get(obj, key), want)) {
		char *got = json_dumps(json_object_get(obj, key), JSON_ENCODE_ANY);

		fail_msg("%s is %s, want %s", key, got ? got : "(absent)", json_text);
	}
	json_decref(want);
}

static json_t *
show(struct vsw_api *api, const char *kind, const char *id)
{
	char method[64];

	snprintf(method, sizeof(method), "%s.show", kind);
	return ok(api, method, "{\"id\":\"%s\"}", id);
}

static void
assert_member(struct vsw_api *api, const char *kind, const char *id,
	      const char *key, const char *json_text)
{
	json_t *obj = show(api, kind, id);

	assert_json(obj, key, json_text);
	json_decref(obj);
}

static size_t
count(struct vsw_api *api, const char *kind, const char *fmt, ...)
{
	char method[64], filter[1024];
	va_list ap;
	json_t *r;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(filter, sizeof(filter), fmt, ap);
	va_end(ap);
	snprintf(method, sizeof(method), "%s.list", kind);
	r = ok(api, method, "%s", filter);
	n = json_array_size(r);
	json_decref(r);
	return n;
}

static const json_t *
stored(struct vsw_api *api, const char *kind, const char *id)
{
	const json_t *obj = vsw_model_get(vsw_api_model(api), kind, id);

	assert_non_null(obj);
	return obj;
}

/* --- a topology: a router with a gateway and two interfaces --- */

struct topo {
	char ext_net[VSW_UUID_STRLEN], ext_sub[VSW_UUID_STRLEN];
	char net[VSW_UUID_STRLEN];
	char sub_a[VSW_UUID_STRLEN], sub_b[VSW_UUID_STRLEN], sub_c[VSW_UUID_STRLEN];
	char router[VSW_UUID_STRLEN], bare_router[VSW_UUID_STRLEN];
	char gw_ip[VSW_IPV4_STRLEN];
	char ike[VSW_UUID_STRLEN], ipsec[VSW_UUID_STRLEN];
	char local_eg[VSW_UUID_STRLEN], peer_eg[VSW_UUID_STRLEN];
	char svc[VSW_UUID_STRLEN];
};

static void
subnet(struct vsw_api *api, char id[VSW_UUID_STRLEN], const char *net, const char *cidr)
{
	create(api, id, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"%s\"}",
	       net, cidr);
}

/* External 203.0.113.0/24; 10.0.0.0/24 (a) and 10.0.1.0/24 (b) on the
 * router, 10.0.2.0/24 (c) not; policies, endpoint groups (local: a; peer:
 * 10.2.0.0/16) and a vpnservice without subnet_id. */
static void
build_topo(struct vsw_api *api, struct topo *t)
{
	json_t *r;

	create(api, t->ext_net, "network", "{\"router:external\":true}");
	subnet(api, t->ext_sub, t->ext_net, "203.0.113.0/24");
	create(api, t->net, "network", "{}");
	subnet(api, t->sub_a, t->net, "10.0.0.0/24");
	subnet(api, t->sub_b, t->net, "10.0.1.0/24");
	subnet(api, t->sub_c, t->net, "10.0.2.0/24");
	create(api, t->router, "router", "{\"external_gateway_info\":{\"network_id\":\"%s\"}}",
	       t->ext_net);
	create(api, t->bare_router, "router", "{}");
	json_decref(ok(api, "router.add_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}",
		       t->router, t->sub_a));
	json_decref(ok(api, "router.add_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}",
		       t->router, t->sub_b));
	r = show(api, "router", t->router);
	snprintf(t->gw_ip, sizeof(t->gw_ip), "%s",
		 str(json_array_get(json_object_get(json_object_get(r, "external_gateway_info"),
						    "external_fixed_ips"), 0), "ip_address"));
	json_decref(r);
	create(api, t->ike, "ikepolicy", "{}");
	create(api, t->ipsec, "ipsecpolicy", "{}");
	create(api, t->local_eg, "endpoint_group", "{\"type\":\"subnet\",\"endpoints\":[\"%s\"]}",
	       t->sub_a);
	create(api, t->peer_eg, "endpoint_group", "{\"type\":\"cidr\",\"endpoints\":"
	       "[\"10.2.0.0/16\"]}");
	create(api, t->svc, "vpnservice", "{\"router_id\":\"%s\"}", t->router);
}

/* A connection of t->svc with endpoint groups local_eg and peer_eg. */
static void
group_conn(struct vsw_api *api, const struct topo *t, char id[VSW_UUID_STRLEN],
	   const char *peer_eg, const char *peer)
{
	create(api, id, "ipsec_site_connection", "{\"vpnservice_id\":\"%s\",\"ikepolicy_id\":"
	       "\"%s\",\"ipsecpolicy_id\":\"%s\",\"peer_address\":\"%s\",\"peer_id\":\"%s\","
	       "\"psk\":\"" PSK "\",\"local_ep_group_id\":\"%s\",\"peer_ep_group_id\":\"%s\"}",
	       t->svc, t->ike, t->ipsec, peer, peer, t->local_eg, peer_eg);
}

/* Fields of a connection create but the selectors, for fails(). */
#define CONN_BASE "\"vpnservice_id\":\"%s\",\"ikepolicy_id\":\"%s\",\"ipsecpolicy_id\":" \
	"\"%s\",\"peer_address\":\"198.51.100.7\",\"peer_id\":\"peer\",\"psk\":\"" PSK "\""

/* --- ikepolicy, ipsecpolicy --- */

static void
test_policy_defaults(void **state)
{
	struct vsw_api *api = *state;
	json_t *r;

	r = ok(api, "ikepolicy.create", "{}");
	assert_json(r, "auth_algorithm", "\"sha256\"");
	assert_json(r, "encryption_algorithm", "\"aes-128\"");
	assert_json(r, "phase1_negotiation_mode", "\"main\"");
	assert_json(r, "ike_version", "\"v2\"");
	assert_json(r, "pfs", "\"group14\"");
	assert_json(r, "lifetime", "{\"units\":\"seconds\",\"value\":3600}");
	assert_json(r, "name", "\"\"");
	assert_json(r, "description", "\"\"");
	assert_json(r, "project_id", "\"p1\"");
	assert_json(r, "tenant_id", "\"p1\"");
	assert_non_null(json_object_get(r, "created_at"));
	json_decref(r);

	r = ok(api, "ipsecpolicy.create", "{\"name\":\"p\"}");
	assert_json(r, "transform_protocol", "\"esp\"");
	assert_json(r, "encapsulation_mode", "\"tunnel\"");
	assert_json(r, "auth_algorithm", "\"sha256\"");
	assert_json(r, "encryption_algorithm", "\"aes-128\"");
	assert_json(r, "pfs", "\"group14\"");
	assert_json(r, "lifetime", "{\"units\":\"seconds\",\"value\":3600}");
	assert_json(r, "name", "\"p\"");
	json_decref(r);

	/* every supported value */
	r = ok(api, "ipsecpolicy.create", "{\"encryption_algorithm\":\"aes-256-gcm-16\","
	       "\"auth_algorithm\":\"sha1\",\"pfs\":\"group19\",\"lifetime\":{\"value\":7200}}");
	assert_json(r, "lifetime", "{\"units\":\"seconds\",\"value\":7200}");
	json_decref(r);
	r = ok(api, "ikepolicy.create", "{\"encryption_algorithm\":\"aes-128-gcm-16\","
	       "\"lifetime\":{\"units\":\"kilobytes\",\"value\":100000},\"pfs\":\"group31\"}");
	assert_json(r, "lifetime", "{\"units\":\"kilobytes\",\"value\":100000}");
	json_decref(r);
	json_decref(ok(api, "ikepolicy.create", "{\"encryption_algorithm\":\"aes-256\"}"));
	assert_int_equal(count(api, "ikepolicy", "{}"), 3);
	assert_int_equal(count(api, "ipsecpolicy", "{\"pfs\":\"group19\"}"), 1);
}

static void
test_policy_validation(void **state)
{
	struct vsw_api *api = *state;
	char ike[VSW_UUID_STRLEN];
	json_t *r;

	fails(api, "ikepolicy.create", 400, "UnsupportedIkeVersion", "ike_version",
	      "{\"ike_version\":\"v1\"}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "ike_version",
	      "{\"ike_version\":\"v3\"}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "phase1_negotiation_mode",
	      "{\"phase1_negotiation_mode\":\"aggressive\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "encryption_algorithm",
	      "{\"encryption_algorithm\":\"3des\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "encryption_algorithm",
	      "{\"encryption_algorithm\":\"aes-192\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "encryption_algorithm",
	      "{\"encryption_algorithm\":\"aes-128-gcm-8\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "auth_algorithm",
	      "{\"auth_algorithm\":\"sha384\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "auth_algorithm",
	      "{\"auth_algorithm\":\"md5\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "pfs", "{\"pfs\":\"group5\"}");
	fails(api, "ikepolicy.create", 400, "UnsupportedAlgorithm", "pfs", "{\"pfs\":\"group2\"}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "pfs", "{\"pfs\":\"group99\"}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "lifetime",
	      "{\"lifetime\":{\"units\":\"minutes\",\"value\":60}}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "lifetime",
	      "{\"lifetime\":{\"value\":59}}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "lifetime",
	      "{\"lifetime\":{\"value\":\"3600\"}}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "lifetime",
	      "{\"lifetime\":{\"seconds\":3600}}");
	fails(api, "ikepolicy.create", 400, "InvalidInput", "lifetime", "{\"lifetime\":3600}");
	fails(api, "ikepolicy.create", 400, "UnknownField", "transform_protocol",
	      "{\"transform_protocol\":\"esp\"}");
	fails(api, "ipsecpolicy.create", 400, "UnsupportedTransformProtocol",
	      "transform_protocol", "{\"transform_protocol\":\"ah\"}");
	fails(api, "ipsecpolicy.create", 400, "UnsupportedTransformProtocol",
	      "transform_protocol", "{\"transform_protocol\":\"ah-esp\"}");
	fails(api, "ipsecpolicy.create", 400, "InvalidInput", "transform_protocol",
	      "{\"transform_protocol\":\"gre\"}");
	fails(api, "ipsecpolicy.create", 400, "UnsupportedEncapsulationMode",
	      "encapsulation_mode", "{\"encapsulation_mode\":\"transport\"}");
	fails(api, "ipsecpolicy.create", 400, "UnknownField", "ike_version",
	      "{\"ike_version\":\"v2\"}");
	fails(api, "ipsecpolicy.create", 400, "UnsupportedAlgorithm", "encryption_algorithm",
	      "{\"encryption_algorithm\":\"aes-128-ctr\"}");
	assert_int_equal(count(api, "ikepolicy", "{}") + count(api, "ipsecpolicy", "{}"), 0);

	/* unused: any change; the same rules on update */
	create(api, ike, "ikepolicy", "{}");
	r = ok(api, "ikepolicy.update", "{\"id\":\"%s\",\"lifetime\":{\"value\":600},"
	       "\"auth_algorithm\":\"sha1\"}", ike);
	assert_json(r, "lifetime", "{\"units\":\"seconds\",\"value\":600}");
	assert_json(r, "auth_algorithm", "\"sha1\"");
	json_decref(r);
	fails(api, "ikepolicy.update", 400, "UnsupportedIkeVersion", "ike_version",
	      "{\"id\":\"%s\",\"ike_version\":\"v1\"}", ike);
	fails(api, "ikepolicy.show", 404, "IkepolicyNotFound", "id",
	      "{\"id\":\"00000000-0000-4000-8000-000000000000\"}");
}

static void
test_policy_in_use(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char conn[VSW_UUID_STRLEN];

	build_topo(api, &t);
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	fails(api, "ikepolicy.delete", 409, "IkePolicyInUse", "id", "{\"id\":\"%s\"}", t.ike);
	fails(api, "ikepolicy.update", 409, "IkePolicyInUse", "id",
	      "{\"id\":\"%s\",\"lifetime\":{\"value\":7200}}", t.ike);
	fails(api, "ikepolicy.update", 409, "IkePolicyInUse", "id",
	      "{\"id\":\"%s\",\"name\":\"x\",\"pfs\":\"group15\"}", t.ike);
	fails(api, "ipsecpolicy.delete", 409, "IPsecPolicyInUse", "id", "{\"id\":\"%s\"}",
	      t.ipsec);
	fails(api, "ipsecpolicy.update", 409, "IPsecPolicyInUse", "id",
	      "{\"id\":\"%s\",\"encryption_algorithm\":\"aes-256\"}", t.ipsec);
	/* labels are not what is negotiated */
	json_decref(ok(api, "ikepolicy.update", "{\"id\":\"%s\",\"name\":\"n\","
		       "\"description\":\"d\"}", t.ike));
	json_decref(ok(api, "ipsecpolicy.update", "{\"id\":\"%s\",\"name\":\"n\"}", t.ipsec));
	assert_member(api, "ikepolicy", t.ike, "pfs", "\"group14\"");

	json_decref(ok(api, "ipsec_site_connection.delete", "{\"id\":\"%s\"}", conn));
	json_decref(ok(api, "ikepolicy.update", "{\"id\":\"%s\",\"pfs\":\"group20\"}", t.ike));
	json_decref(ok(api, "ikepolicy.delete", "{\"id\":\"%s\"}", t.ike));
	json_decref(ok(api, "ipsecpolicy.delete", "{\"id\":\"%s\"}", t.ipsec));
}

/* --- vpnservice --- */

#define SEL_SA "\"vpnservice_id\":\"%s\",\"local_cidrs\":[\"10.0.0.0/24\"]," \
	"\"peer_cidrs\":[\"10.9.0.0/16\"],\"peer_address\":\"198.51.100.9\""
#define GCM128 "\"encryption_algorithm\":\"aes-128-gcm-16\",\"encryption_key\":\"" \
	ENC16 "\",\"salt\":\"" SALT "\""

static void
test_vpnservice(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char legacy[VSW_UUID_STRLEN], conn[VSW_UUID_STRLEN], sa[VSW_UUID_STRLEN];
	json_t *r;

	build_topo(api, &t);
	r = show(api, "vpnservice", t.svc);
	assert_string_equal(str(r, "router_id"), t.router);
	assert_string_equal(str(r, "external_v4_ip"), t.gw_ip);
	assert_json(r, "external_v6_ip", "null");
	assert_json(r, "subnet_id", "null");
	assert_json(r, "admin_state_up", "true");
	assert_json(r, "status", "\"ACTIVE\"");
	assert_json(r, "name", "\"\"");
	assert_json(r, "description", "\"\"");
	assert_json(r, "project_id", "\"p1\"");
	json_decref(r);
	assert_int_equal(count(api, "vpnservice", "{\"router_id\":\"%s\"}", t.router), 1);

	fails(api, "vpnservice.create", 400, "RouterIsNotExternal", "router_id",
	      "{\"router_id\":\"%s\"}", t.bare_router);
	fails(api, "vpnservice.create", 400, "InvalidInput", "router_id", "{}");
	fails(api, "vpnservice.create", 404, "RouterNotFound", "router_id",
	      "{\"router_id\":\"%s\"}", t.net);
	fails(api, "vpnservice.create", 400, "SubnetIsNotConnectedToRouter", "subnet_id",
	      "{\"router_id\":\"%s\",\"subnet_id\":\"%s\"}", t.router, t.sub_c);
	fails(api, "vpnservice.create", 404, "SubnetNotFound", "subnet_id",
	      "{\"router_id\":\"%s\",\"subnet_id\":\"%s\"}", t.router, t.net);
	fails(api, "vpnservice.create", 400, "InvalidInput", "external_v4_ip",
	      "{\"router_id\":\"%s\",\"external_v4_ip\":\"203.0.113.50\"}", t.router);
	fails(api, "vpnservice.create", 400, "InvalidInput", "status",
	      "{\"router_id\":\"%s\",\"status\":\"ACTIVE\"}", t.router);
	fails(api, "vpnservice.create", 404, "RouterNotFound", "router_id",
	      "{\"admin\":false,\"project_id\":\"p2\",\"router_id\":\"%s\"}", t.router);
	assert_int_equal(count(api, "vpnservice", "{}"), 1);

	/* legacy mode: the protected subnet is one of the router's */
	create(api, legacy, "vpnservice", "{\"router_id\":\"%s\",\"subnet_id\":\"%s\","
	       "\"name\":\"legacy\"}", t.router, t.sub_b);
	r = show(api, "vpnservice", legacy);
	assert_string_equal(str(r, "subnet_id"), t.sub_b);
	assert_string_equal(str(r, "external_v4_ip"), t.gw_ip);
	json_decref(r);

	/* updatable: name, description, admin_state_up */
	r = ok(api, "vpnservice.update", "{\"id\":\"%s\",\"name\":\"n\",\"description\":\"d\","
	       "\"admin_state_up\":false}", legacy);
	assert_json(r, "status", "\"DOWN\"");
	assert_json(r, "name", "\"n\"");
	json_decref(r);
	fails(api, "vpnservice.update", 400, "InvalidInput", "router_id",
	      "{\"id\":\"%s\",\"router_id\":\"%s\"}", legacy, t.router);
	fails(api, "vpnservice.update", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", legacy, t.sub_a);
	fails(api, "vpnservice.update", 400, "InvalidInput", "external_v4_ip",
	      "{\"id\":\"%s\",\"external_v4_ip\":\"203.0.113.9\"}", legacy);

	/* in use by a connection, or by a manual SA on the service */
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	fails(api, "vpnservice.delete", 409, "VPNServiceInUse", "id", "{\"id\":\"%s\"}", t.svc);
	json_decref(ok(api, "ipsec_site_connection.delete", "{\"id\":\"%s\"}", conn));
	create(api, sa, "ipsec_sa", "{" SEL_SA ",\"direction\":\"out\",\"spi\":4096," GCM128 "}",
	       t.svc);
	fails(api, "vpnservice.delete", 409, "VPNServiceInUse", "id", "{\"id\":\"%s\"}", t.svc);
	json_decref(ok(api, "ipsec_sa.delete", "{\"id\":\"%s\"}", sa));
	json_decref(ok(api, "vpnservice.delete", "{\"id\":\"%s\"}", t.svc));
	json_decref(ok(api, "vpnservice.delete", "{\"id\":\"%s\"}", legacy));
	fails(api, "vpnservice.show", 404, "VpnserviceNotFound", "id", "{\"id\":\"%s\"}", t.svc);
}

/* The checks router.c calls on a gateway change, deletion, and interface
 * removal. */
static void
test_router_hooks(void **state)
{
	struct vsw_api *api = *state;
	struct vsw_ctx ctx = { .api = api, .model = vsw_api_model(api), .project = "p1",
			       .admin = true };
	struct vsw_error err;
	struct topo t;
	char conn[VSW_UUID_STRLEN], legacy[VSW_UUID_STRLEN];
	const json_t *router;
	json_t *copy, *info;

	build_topo(api, &t);
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	router = stored(api, "router", t.router);

	memset(&err, 0, sizeof(err));
	assert_int_equal(vsw_vpn_check_router_change(&ctx, router, NULL, &err), -EBUSY);
	assert_string_equal(err.type, "RouterInUseByVPNService");
	assert_string_equal(err.field, "id");

	copy = json_deep_copy(router);
	json_object_set_new(copy, "external_gateway_info", json_null());
	memset(&err, 0, sizeof(err));
	assert_int_equal(vsw_vpn_check_router_change(&ctx, router, copy, &err), -EBUSY);
	assert_string_equal(err.type, "RouterInUseByVPNService");
	assert_string_equal(err.field, "external_gateway_info");
	json_decref(copy);

	/* another address */
	copy = json_deep_copy(router);
	info = json_object_get(copy, "external_gateway_info");
	json_object_set_new(json_array_get(json_object_get(info, "external_fixed_ips"), 0),
			    "ip_address", json_string("203.0.113.99"));
	assert_int_equal(vsw_vpn_check_router_change(&ctx, router, copy, &err), -EBUSY);
	json_decref(copy);

	/* enable_snat only: the address stays */
	copy = json_deep_copy(router);
	info = json_object_get(copy, "external_gateway_info");
	json_object_set_new(info, "enable_snat", json_false());
	assert_int_equal(vsw_vpn_check_router_change(&ctx, router, copy, &err), 0);
	json_decref(copy);
	assert_int_equal(vsw_vpn_check_router_change(&ctx, stored(api, "router", t.bare_router),
						     NULL, &err), 0);

	/* interfaces: a's subnet is a local endpoint, b's is free until a
	 * legacy service names it */
	memset(&err, 0, sizeof(err));
	assert_int_equal(vsw_vpn_check_router_subnet(&ctx, t.router, t.sub_a, &err), -EBUSY);
	assert_string_equal(err.type, "SubnetInUseByVPNService");
	assert_int_equal(vsw_vpn_check_router_subnet(&ctx, t.router, t.sub_b, &err), 0);
	create(api, legacy, "vpnservice", "{\"router_id\":\"%s\",\"subnet_id\":\"%s\"}",
	       t.router, t.sub_b);
	assert_int_equal(vsw_vpn_check_router_subnet(&ctx, t.router, t.sub_b, &err), -EBUSY);
	assert_int_equal(vsw_vpn_check_router_subnet(&ctx, t.bare_router, t.sub_a, &err), 0);

	/* without services the router is free again */
	json_decref(ok(api, "ipsec_site_connection.delete", "{\"id\":\"%s\"}", conn));
	assert_int_equal(vsw_vpn_check_router_subnet(&ctx, t.router, t.sub_a, &err), 0);
	json_decref(ok(api, "vpnservice.delete", "{\"id\":\"%s\"}", legacy));
	json_decref(ok(api, "vpnservice.delete", "{\"id\":\"%s\"}", t.svc));
	assert_int_equal(vsw_vpn_check_router_change(&ctx, stored(api, "router", t.router),
						     NULL, &err), 0);
}

/* --- endpoint_group --- */

static void
test_endpoint_groups(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char upper[VSW_UUID_STRLEN], id[VSW_UUID_STRLEN], conn[VSW_UUID_STRLEN];
	char many[2048];
	size_t n = 0;
	json_t *r;

	build_topo(api, &t);
	r = ok(api, "endpoint_group.create", "{\"type\":\"cidr\",\"endpoints\":"
	       "[\"10.9.0.0/16\",\"192.168.1.0/24\"],\"name\":\"peers\"}");
	assert_json(r, "endpoints", "[\"10.9.0.0/16\",\"192.168.1.0/24\"]");
	assert_json(r, "type", "\"cidr\"");
	assert_json(r, "name", "\"peers\"");
	assert_json(r, "description", "\"\"");
	snprintf(id, sizeof(id), "%s", str(r, "id"));
	json_decref(r);

	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":[\"10.9.0.1/16\"]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":[\"10.9.0.0/16\",\"10.9.0.0/16\"]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":[\"fd00::/8\"]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":[\"10.9.0.0\"]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":[5]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":\"10.9.0.0/16\"}");
	fails(api, "endpoint_group.create", 400, "MissingEndpointForEndpointGroup", "endpoints",
	      "{\"type\":\"cidr\",\"endpoints\":[]}");
	fails(api, "endpoint_group.create", 400, "MissingEndpointForEndpointGroup", "endpoints",
	      "{\"type\":\"cidr\"}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "type",
	      "{\"type\":\"network\",\"endpoints\":[\"%s\"]}", t.net);
	fails(api, "endpoint_group.create", 400, "InvalidInput", "type",
	      "{\"type\":\"vlan\",\"endpoints\":[\"10\"]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "type",
	      "{\"endpoints\":[\"10.9.0.0/16\"]}");
	n += (size_t)snprintf(many, sizeof(many), "{\"type\":\"cidr\",\"endpoints\":[");
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"10.%d.0.0/16\"",
				      i ? "," : "", i);
	snprintf(many + n, sizeof(many) - n, "]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints", "%s", many);

	/* subnet groups: visible subnets, ids stored canonical */
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)t.sub_b[i]);
	r = ok(api, "endpoint_group.create", "{\"type\":\"subnet\",\"endpoints\":[\"%s\",\"%s\"]}",
	       upper, t.sub_c);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "endpoints"), 0)),
			    t.sub_b);
	json_decref(r);
	fails(api, "endpoint_group.create", 404, "SubnetNotFound", "endpoints",
	      "{\"type\":\"subnet\",\"endpoints\":[\"%s\"]}", t.net);
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"subnet\",\"endpoints\":[\"10.0.0.0/24\"]}");
	fails(api, "endpoint_group.create", 400, "InvalidInput", "endpoints",
	      "{\"type\":\"subnet\",\"endpoints\":[\"%s\",\"%s\"]}", t.sub_b, upper);
	fails(api, "endpoint_group.create", 404, "SubnetNotFound", "endpoints",
	      "{\"admin\":false,\"project_id\":\"p2\",\"type\":\"subnet\",\"endpoints\":[\"%s\"]}",
	      t.sub_a);

	/* endpoints and type are set at create only */
	fails(api, "endpoint_group.update", 400, "InvalidInput", "endpoints",
	      "{\"id\":\"%s\",\"endpoints\":[\"10.8.0.0/16\"]}", id);
	fails(api, "endpoint_group.update", 400, "InvalidInput", "type",
	      "{\"id\":\"%s\",\"type\":\"subnet\"}", id);
	json_decref(ok(api, "endpoint_group.update", "{\"id\":\"%s\",\"name\":\"x\","
		       "\"description\":\"y\"}", id));

	/* in use */
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	fails(api, "endpoint_group.delete", 409, "EndpointGroupInUse", "id", "{\"id\":\"%s\"}",
	      t.local_eg);
	fails(api, "endpoint_group.delete", 409, "EndpointGroupInUse", "id", "{\"id\":\"%s\"}",
	      t.peer_eg);
	json_decref(ok(api, "endpoint_group.delete", "{\"id\":\"%s\"}", id));
	json_decref(ok(api, "ipsec_site_connection.delete", "{\"id\":\"%s\"}", conn));
	json_decref(ok(api, "endpoint_group.delete", "{\"id\":\"%s\"}", t.peer_eg));
	fails(api, "endpoint_group.show", 404, "EndpointGroupNotFound", "id", "{\"id\":\"%s\"}",
	      t.peer_eg);
}

/* --- ipsec_site_connection --- */

static void
test_connection_defaults(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char id[VSW_UUID_STRLEN];
	json_t *r;

	build_topo(api, &t);
	r = ok(api, "ipsec_site_connection.create", "{" CONN_BASE ",\"local_ep_group_id\":"
	       "\"%s\",\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.local_eg,
	       t.peer_eg);
	snprintf(id, sizeof(id), "%s", str(r, "id"));
	assert_json(r, "mtu", "1500");
	assert_json(r, "dpd", "{\"action\":\"hold\",\"interval\":30,\"timeout\":120}");
	assert_json(r, "initiator", "\"bi-directional\"");
	assert_json(r, "admin_state_up", "true");
	assert_json(r, "status", "\"DOWN\"");
	assert_json(r, "auth_mode", "\"psk\"");
	assert_json(r, "route_mode", "\"static\"");
	assert_json(r, "local_id", "\"\"");
	assert_json(r, "peer_cidrs", "[]");
	assert_json(r, "peer_address", "\"198.51.100.7\"");
	assert_json(r, "peer_id", "\"peer\"");
	assert_json(r, "name", "\"\"");
	assert_json(r, "description", "\"\"");
	assert_string_equal(str(r, "vpnservice_id"), t.svc);
	assert_string_equal(str(r, "ikepolicy_id"), t.ike);
	assert_string_equal(str(r, "ipsecpolicy_id"), t.ipsec);
	assert_string_equal(str(r, "local_ep_group_id"), t.local_eg);
	assert_string_equal(str(r, "peer_ep_group_id"), t.peer_eg);
	assert_null(json_object_get(r, "psk"));
	json_decref(r);

	/* the psk is stored, never shown nor usable as a filter */
	r = show(api, "ipsec_site_connection", id);
	assert_null(json_object_get(r, "psk"));
	json_decref(r);
	r = ok(api, "ipsec_site_connection.list", "{}");
	assert_int_equal(json_array_size(r), 1);
	assert_null(json_object_get(json_array_get(r, 0), "psk"));
	json_decref(r);
	assert_string_equal(str(stored(api, "ipsec_site_connection", id), "psk"), PSK);
	fails(api, "ipsec_site_connection.list", 400, "UnknownField", "psk",
	      "{\"psk\":\"" PSK "\"}");

	r = ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"psk\":\"other\","
	       "\"local_id\":\"me\",\"initiator\":\"response-only\",\"mtu\":1400,"
	       "\"admin_state_up\":false,\"peer_address\":\"198.51.100.8\"}", id);
	assert_null(json_object_get(r, "psk"));
	assert_json(r, "initiator", "\"response-only\"");
	assert_json(r, "mtu", "1400");
	assert_json(r, "status", "\"DOWN\"");
	json_decref(r);
	assert_string_equal(str(stored(api, "ipsec_site_connection", id), "psk"), "other");
	assert_int_equal(count(api, "ipsec_site_connection", "{\"local_id\":\"me\"}"), 1);

	/* the selectors as the data plane reads them */
	{
		json_t *local, *peer;

		vsw_vpn_connection_selectors(vsw_api_model(api),
					     stored(api, "ipsec_site_connection", id),
					     &local, &peer);
		r = json_pack("{s:o, s:o}", "local", local, "peer", peer);
		assert_json(r, "local", "[\"10.0.0.0/24\"]");
		assert_json(r, "peer", "[\"10.2.0.0/16\"]");
		json_decref(r);
	}
}

static void
test_connection_validation(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char c1[VSW_UUID_STRLEN], legacy[VSW_UUID_STRLEN], svc2[VSW_UUID_STRLEN];
	char l1[VSW_UUID_STRLEN], l2[VSW_UUID_STRLEN], eg[VSW_UUID_STRLEN];
	char near[VSW_UUID_STRLEN], far_local[VSW_UUID_STRLEN];
	char groups[256];
	const char *msg;
	json_t *r;

	build_topo(api, &t);
	snprintf(groups, sizeof(groups), "\"local_ep_group_id\":\"%s\",\"peer_ep_group_id\":"
		 "\"%s\"", t.local_eg, t.peer_eg);
	/* required members */
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "psk",
	      "{\"vpnservice_id\":\"%s\",\"ikepolicy_id\":\"%s\",\"ipsecpolicy_id\":\"%s\","
	      "\"peer_address\":\"198.51.100.7\",\"peer_id\":\"p\",%s}", t.svc, t.ike, t.ipsec,
	      groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "psk",
	      "{\"vpnservice_id\":\"%s\",\"ikepolicy_id\":\"%s\",\"ipsecpolicy_id\":\"%s\","
	      "\"peer_address\":\"198.51.100.7\",\"peer_id\":\"p\",\"psk\":\"\",%s}", t.svc,
	      t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_id",
	      "{\"vpnservice_id\":\"%s\",\"ikepolicy_id\":\"%s\",\"ipsecpolicy_id\":\"%s\","
	      "\"peer_address\":\"198.51.100.7\",\"psk\":\"" PSK "\",%s}", t.svc, t.ike,
	      t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_address",
	      "{\"vpnservice_id\":\"%s\",\"ikepolicy_id\":\"%s\",\"ipsecpolicy_id\":\"%s\","
	      "\"peer_id\":\"p\",\"psk\":\"" PSK "\",%s}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "ikepolicy_id",
	      "{\"vpnservice_id\":\"%s\",\"ipsecpolicy_id\":\"%s\",\"peer_address\":"
	      "\"198.51.100.7\",\"peer_id\":\"p\",\"psk\":\"" PSK "\",%s}", t.svc, t.ipsec,
	      groups);
	/* values */
	static const char *const bad_peers[] = {
		"224.0.0.5", "127.0.0.1", "0.0.0.0", "255.255.255.255", "::1",
		"vpn.example.com", "10.0.0", "198.51.100.7/32",
	};
	for (size_t i = 0; i < sizeof(bad_peers) / sizeof(bad_peers[0]); i++)
		fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_address",
		      "{\"vpnservice_id\":\"%s\",\"ikepolicy_id\":\"%s\",\"ipsecpolicy_id\":"
		      "\"%s\",\"peer_address\":\"%s\",\"peer_id\":\"p\",\"psk\":\"" PSK "\",%s}",
		      t.svc, t.ike, t.ipsec, bad_peers[i], groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "mtu",
	      "{" CONN_BASE ",%s,\"mtu\":67}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "mtu",
	      "{" CONN_BASE ",%s,\"mtu\":9217}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "dpd",
	      "{" CONN_BASE ",%s,\"dpd\":{\"action\":\"ignore\"}}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "dpd",
	      "{" CONN_BASE ",%s,\"dpd\":{\"interval\":0}}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "dpd",
	      "{" CONN_BASE ",%s,\"dpd\":{\"delay\":5}}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400,
	      "IPsecSiteConnectionDpdIntervalValueError", "dpd",
	      "{" CONN_BASE ",%s,\"dpd\":{\"interval\":120}}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "initiator",
	      "{" CONN_BASE ",%s,\"initiator\":\"both\"}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "auth_mode",
	      "{" CONN_BASE ",%s,\"auth_mode\":\"psk\"}", t.svc, t.ike, t.ipsec, groups);
	/* references */
	fails(api, "ipsec_site_connection.create", 404, "VpnserviceNotFound", "vpnservice_id",
	      "{" CONN_BASE ",%s}", t.net, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 404, "IkepolicyNotFound", "ikepolicy_id",
	      "{" CONN_BASE ",%s}", t.svc, t.ipsec, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 404, "IpsecpolicyNotFound", "ipsecpolicy_id",
	      "{" CONN_BASE ",%s}", t.svc, t.ike, t.ike, groups);
	fails(api, "ipsec_site_connection.create", 404, "EndpointGroupNotFound",
	      "local_ep_group_id", "{" CONN_BASE ",\"local_ep_group_id\":\"%s\","
	      "\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.net, t.peer_eg);
	fails(api, "ipsec_site_connection.create", 404, "VpnserviceNotFound", "vpnservice_id",
	      "{\"admin\":false,\"project_id\":\"p2\"," CONN_BASE ",%s}", t.svc, t.ike, t.ipsec,
	      groups);
	/* one style of selectors */
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_cidrs",
	      "{" CONN_BASE ",%s,\"peer_cidrs\":[\"10.7.0.0/16\"]}", t.svc, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_ep_group_id",
	      "{" CONN_BASE "}", t.svc, t.ike, t.ipsec);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_ep_group_id",
	      "{" CONN_BASE ",\"local_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.local_eg);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "local_ep_group_id",
	      "{" CONN_BASE ",\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.peer_eg);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_cidrs",
	      "{" CONN_BASE ",\"peer_cidrs\":[\"10.7.0.0/16\"]}", t.svc, t.ike, t.ipsec);
	fails(api, "ipsec_site_connection.create", 400, "WrongEndpointGroupType",
	      "local_ep_group_id", "{" CONN_BASE ",\"local_ep_group_id\":\"%s\","
	      "\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.peer_eg, t.peer_eg);
	fails(api, "ipsec_site_connection.create", 400, "WrongEndpointGroupType",
	      "peer_ep_group_id", "{" CONN_BASE ",\"local_ep_group_id\":\"%s\","
	      "\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.local_eg, t.local_eg);
	/* local subnets are the router's; peers are not local */
	create(api, far_local, "endpoint_group", "{\"type\":\"subnet\",\"endpoints\":"
	       "[\"%s\",\"%s\"]}", t.sub_a, t.sub_c);
	fails(api, "ipsec_site_connection.create", 400, "SubnetIsNotConnectedToRouter",
	      "local_ep_group_id", "{" CONN_BASE ",\"local_ep_group_id\":\"%s\","
	      "\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, far_local, t.peer_eg);
	create(api, near, "endpoint_group", "{\"type\":\"cidr\",\"endpoints\":"
	       "[\"10.0.0.128/25\"]}");
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_ep_group_id",
	      "{" CONN_BASE ",\"local_ep_group_id\":\"%s\",\"peer_ep_group_id\":\"%s\"}",
	      t.svc, t.ike, t.ipsec, t.local_eg, near);
	assert_int_equal(count(api, "ipsec_site_connection", "{}"), 0);

	/* peer CIDRs of one service are disjoint: 409 naming the other */
	group_conn(api, &t, c1, t.peer_eg, "198.51.100.7");
	create(api, eg, "endpoint_group", "{\"type\":\"cidr\",\"endpoints\":"
	       "[\"172.16.0.0/12\",\"10.2.5.0/24\"]}");
	r = request(api, "ipsec_site_connection.create", "{" CONN_BASE ",\"local_ep_group_id\":"
		    "\"%s\",\"peer_ep_group_id\":\"%s\"}", t.svc, t.ike, t.ipsec, t.local_eg, eg);
	msg = json_string_value(json_object_get(json_object_get(r, "error"), "message"));
	if (msg == NULL || strstr(msg, c1) == NULL || strstr(msg, "10.2.5.0/24") == NULL)
		fail_msg("the overlap error names neither the connection nor the CIDR: %s",
			 msg ? msg : "-");
	check_error(r, 409, "PeerCidrOverlap", "peer_ep_group_id");
	/* ... on another service of the router it is fine */
	create(api, svc2, "vpnservice", "{\"router_id\":\"%s\"}", t.router);
	json_decref(ok(api, "ipsec_site_connection.create", "{" CONN_BASE ",\"local_ep_group_id\":"
		       "\"%s\",\"peer_ep_group_id\":\"%s\"}", svc2, t.ike, t.ipsec, t.local_eg, eg));

	/* legacy: the service's subnet and peer_cidrs */
	create(api, legacy, "vpnservice", "{\"router_id\":\"%s\",\"subnet_id\":\"%s\"}",
	       t.router, t.sub_b);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "local_ep_group_id",
	      "{" CONN_BASE ",%s}", legacy, t.ike, t.ipsec, groups);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_cidrs",
	      "{" CONN_BASE ",\"peer_cidrs\":[\"10.3.0.1/24\"]}", legacy, t.ike, t.ipsec);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_cidrs",
	      "{" CONN_BASE ",\"peer_cidrs\":[\"10.3.0.0/24\",\"10.3.0.0/24\"]}", legacy, t.ike,
	      t.ipsec);
	fails(api, "ipsec_site_connection.create", 400, "InvalidInput", "peer_cidrs",
	      "{" CONN_BASE ",\"peer_cidrs\":[\"10.0.1.0/28\"]}", legacy, t.ike, t.ipsec);
	create(api, l1, "ipsec_site_connection", "{" CONN_BASE ",\"peer_cidrs\":"
	       "[\"10.3.0.0/24\"]}", legacy, t.ike, t.ipsec);
	fails(api, "ipsec_site_connection.create", 409, "PeerCidrOverlap", "peer_cidrs",
	      "{" CONN_BASE ",\"peer_cidrs\":[\"10.4.0.0/24\",\"10.3.0.0/25\"]}", legacy, t.ike,
	      t.ipsec);
	create(api, l2, "ipsec_site_connection", "{" CONN_BASE ",\"peer_cidrs\":"
	       "[\"10.4.0.0/24\"],\"dpd\":{\"action\":\"clear\"},\"mtu\":9216}", legacy, t.ike,
	       t.ipsec);
	assert_member(api, "ipsec_site_connection", l2, "dpd",
		      "{\"action\":\"clear\",\"interval\":30,\"timeout\":120}");
	{
		json_t *local, *peer;

		vsw_vpn_connection_selectors(vsw_api_model(api),
					     stored(api, "ipsec_site_connection", l2),
					     &local, &peer);
		r = json_pack("{s:o, s:o}", "local", local, "peer", peer);
		assert_json(r, "local", "[\"10.0.1.0/24\"]");
		assert_json(r, "peer", "[\"10.4.0.0/24\"]");
		json_decref(r);
	}

	/* updates: the same rules, against the current object */
	fails(api, "ipsec_site_connection.update", 409, "PeerCidrOverlap", "peer_cidrs",
	      "{\"id\":\"%s\",\"peer_cidrs\":[\"10.3.0.0/16\"]}", l2);
	json_decref(ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"peer_cidrs\":"
		       "[\"10.4.0.0/23\"]}", l2));
	assert_member(api, "ipsec_site_connection", l2, "peer_cidrs", "[\"10.4.0.0/23\"]");
	fails(api, "ipsec_site_connection.update", 400, "InvalidInput", "peer_cidrs",
	      "{\"id\":\"%s\",\"peer_cidrs\":[]}", l2);
	fails(api, "ipsec_site_connection.update", 400, "InvalidInput", "peer_cidrs",
	      "{\"id\":\"%s\",\"peer_cidrs\":null}", l2);
	fails(api, "ipsec_site_connection.update", 400, "InvalidInput", "vpnservice_id",
	      "{\"id\":\"%s\",\"vpnservice_id\":\"%s\"}", l2, t.svc);
	fails(api, "ipsec_site_connection.update", 400, "InvalidInput", "peer_address",
	      "{\"id\":\"%s\",\"peer_address\":\"0.0.0.0\"}", l2);
	fails(api, "ipsec_site_connection.update", 400, "InvalidInput", "mtu",
	      "{\"id\":\"%s\",\"mtu\":10000}", l2);
	json_decref(ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"dpd\":"
		       "{\"action\":\"restart\"}}", l2));
	json_decref(ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"dpd\":"
		       "{\"timeout\":300}}", l2));
	assert_member(api, "ipsec_site_connection", l2, "dpd",
		      "{\"action\":\"restart\",\"interval\":30,\"timeout\":300}");
	fails(api, "ipsec_site_connection.update", 400,
	      "IPsecSiteConnectionDpdIntervalValueError", "dpd",
	      "{\"id\":\"%s\",\"dpd\":{\"interval\":300}}", l2);
	fails(api, "ipsec_site_connection.update", 400, "InvalidInput", "peer_cidrs",
	      "{\"id\":\"%s\",\"local_ep_group_id\":\"%s\"}", l1, t.local_eg);
	assert_member(api, "ipsec_site_connection", l1, "peer_cidrs", "[\"10.3.0.0/24\"]");
	/* switching c1 to a peer group overlapping nothing, then back */
	fails(api, "ipsec_site_connection.update", 400, "WrongEndpointGroupType",
	      "peer_ep_group_id", "{\"id\":\"%s\",\"peer_ep_group_id\":\"%s\"}", c1, far_local);
	json_decref(ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"peer_ep_group_id\":"
		       "\"%s\"}", c1, eg));
	json_decref(ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"peer_ep_group_id\":"
		       "\"%s\"}", c1, t.peer_eg));
}

/* --- ipsec_sa --- */

static const char *const sa_stored_fields[] = {
	"connection_id", "vpnservice_id", "local_cidrs", "peer_cidrs", "direction", "spi",
	"encryption_algorithm", "auth_algorithm", "encryption_key", "auth_key", "salt",
	"esn", "replay_window", "udp_encap", "lifetime", "local_address", "peer_address",
	"admin_state_up", NULL,
};

static void
assert_no_keys(const json_t *view)
{
	assert_null(json_object_get(view, "encryption_key"));
	assert_null(json_object_get(view, "auth_key"));
	assert_null(json_object_get(view, "salt"));
}

static void
test_sa_on_connection(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char conn[VSW_UUID_STRLEN], out[VSW_UUID_STRLEN], in[VSW_UUID_STRLEN];
	char cbc[VSW_UUID_STRLEN], other[VSW_UUID_STRLEN];
	const json_t *obj;
	json_t *r;

	build_topo(api, &t);
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	r = ok(api, "ipsec_sa.create", "{\"connection_id\":\"%s\",\"direction\":\"out\","
	       "\"spi\":4096," GCM128 "}", conn);
	snprintf(out, sizeof(out), "%s", str(r, "id"));
	assert_string_equal(str(r, "connection_id"), conn);
	assert_string_equal(str(r, "vpnservice_id"), t.svc);
	assert_string_equal(str(r, "local_address"), t.gw_ip);
	assert_json(r, "peer_address", "\"198.51.100.7\"");
	assert_json(r, "local_cidrs", "null");
	assert_json(r, "peer_cidrs", "null");
	assert_json(r, "direction", "\"out\"");
	assert_json(r, "spi", "4096");
	assert_json(r, "encryption_algorithm", "\"aes-128-gcm-16\"");
	assert_json(r, "auth_algorithm", "null");
	assert_json(r, "esn", "false");
	assert_json(r, "replay_window", "64");
	assert_json(r, "udp_encap", "null");
	assert_json(r, "lifetime", "null");
	assert_json(r, "admin_state_up", "true");
	assert_json(r, "status", "\"ACTIVE\"");
	assert_json(r, "name", "\"\"");
	assert_no_keys(r);
	json_decref(r);

	/* stored: every field, null when unset, keys included */
	obj = stored(api, "ipsec_sa", out);
	for (const char *const *f = sa_stored_fields; *f; f++)
		if (json_object_get(obj, *f) == NULL)
			fail_msg("ipsec_sa stores no %s", *f);
	assert_string_equal(str(obj, "encryption_key"), ENC16);
	assert_string_equal(str(obj, "salt"), SALT);
	assert_true(json_is_null(json_object_get(obj, "auth_key")));
	r = show(api, "ipsec_sa", out);
	assert_no_keys(r);
	json_decref(r);
	r = ok(api, "ipsec_sa.list", "{}");
	assert_no_keys(json_array_get(r, 0));
	json_decref(r);
	fails(api, "ipsec_sa.list", 400, "UnknownField", "encryption_key",
	      "{\"encryption_key\":\"" ENC16 "\"}");

	/* SPI: unique per direction and destination */
	fails(api, "ipsec_sa.create", 409, "SpiInUse", "spi", "{\"connection_id\":\"%s\","
	      "\"direction\":\"out\",\"spi\":4096," GCM128 "}", conn);
	create(api, in, "ipsec_sa", "{\"connection_id\":\"%s\",\"direction\":\"in\","
	       "\"spi\":4096," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 409, "SpiInUse", "spi", "{" SEL_SA ",\"direction\":"
	      "\"in\",\"spi\":4096," GCM128 "}", t.svc);
	create(api, other, "ipsec_sa", "{" SEL_SA ",\"direction\":\"out\",\"spi\":4096,"
	       GCM128 "}", t.svc);

	/* AES-CBC + HMAC, every optional member */
	r = ok(api, "ipsec_sa.create", "{\"connection_id\":\"%s\",\"direction\":\"in\","
	       "\"spi\":4294967295,\"encryption_algorithm\":\"aes-256\",\"encryption_key\":\""
	       ENC32 "\",\"auth_algorithm\":\"sha256\",\"auth_key\":\"" AUTH32 "\",\"esn\":true,"
	       "\"replay_window\":1024,\"udp_encap\":{},\"lifetime\":{\"seconds\":3600,"
	       "\"kilobytes\":1000000},\"name\":\"cbc\"}", conn);
	snprintf(cbc, sizeof(cbc), "%s", str(r, "id"));
	assert_json(r, "udp_encap", "{\"src_port\":4500,\"dst_port\":4500}");
	assert_json(r, "lifetime", "{\"seconds\":3600,\"kilobytes\":1000000,\"packets\":null}");
	assert_json(r, "esn", "true");
	assert_json(r, "replay_window", "1024");
	assert_json(r, "auth_algorithm", "\"sha256\"");
	assert_no_keys(r);
	json_decref(r);
	assert_string_equal(str(stored(api, "ipsec_sa", cbc), "auth_key"), AUTH32);
	json_decref(ok(api, "ipsec_sa.create", "{\"connection_id\":\"%s\",\"direction\":\"out\","
		       "\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
		       ENC16 "\",\"auth_algorithm\":\"sha1\",\"auth_key\":\"" AUTH20 "\","
		       "\"replay_window\":0}", conn));

	/* immutable but for admin_state_up */
	r = ok(api, "ipsec_sa.update", "{\"id\":\"%s\",\"admin_state_up\":false}", cbc);
	assert_json(r, "status", "\"DOWN\"");
	json_decref(r);
	fails(api, "ipsec_sa.update", 400, "InvalidInput", "spi", "{\"id\":\"%s\",\"spi\":999}",
	      cbc);
	fails(api, "ipsec_sa.update", 400, "InvalidInput", "encryption_key",
	      "{\"id\":\"%s\",\"encryption_key\":\"" ENC32 "\"}", cbc);
	fails(api, "ipsec_sa.update", 400, "InvalidInput", "name", "{\"id\":\"%s\",\"name\":\"x\"}",
	      cbc);

	/* admin only */
	fails(api, "ipsec_sa.list", 403, "Forbidden", NULL, "{\"admin\":false}");
	fails(api, "ipsec_sa.create", 403, "Forbidden", NULL, "{\"admin\":false,"
	      "\"connection_id\":\"%s\",\"direction\":\"in\",\"spi\":9999," GCM128 "}", conn);

	/* the SAs copied the connection's peer_address */
	fails(api, "ipsec_site_connection.update", 409, "IPsecSiteConnectionInUse",
	      "peer_address", "{\"id\":\"%s\",\"peer_address\":\"198.51.100.77\"}", conn);
	json_decref(ok(api, "ipsec_site_connection.update", "{\"id\":\"%s\",\"mtu\":1400,"
		       "\"peer_address\":\"198.51.100.7\"}", conn));

	/* the connection's SAs go with it; the service's stays */
	assert_int_equal(count(api, "ipsec_sa", "{\"connection_id\":\"%s\"}", conn), 4);
	json_decref(ok(api, "ipsec_site_connection.delete", "{\"id\":\"%s\"}", conn));
	assert_int_equal(count(api, "ipsec_sa", "{}"), 1);
	fails(api, "ipsec_sa.show", 404, "IpsecSaNotFound", "id", "{\"id\":\"%s\"}", in);
	/* and their SPIs are free */
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	json_decref(ok(api, "ipsec_sa.create", "{\"connection_id\":\"%s\",\"direction\":\"out\","
		       "\"spi\":4096," GCM128 "}", conn));
}

#define SA_IN "\"connection_id\":\"%s\",\"direction\":\"in\""

static void
test_sa_validation(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char conn[VSW_UUID_STRLEN], id[VSW_UUID_STRLEN];
	json_t *r;

	build_topo(api, &t);
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	/* shape */
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "direction",
	      "{\"connection_id\":\"%s\",\"spi\":300," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "direction",
	      "{\"connection_id\":\"%s\",\"direction\":\"both\",\"spi\":300," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "spi", "{" SA_IN "," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "spi",
	      "{" SA_IN ",\"spi\":255," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "spi",
	      "{" SA_IN ",\"spi\":4294967296," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "spi",
	      "{" SA_IN ",\"spi\":\"300\"," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "encryption_algorithm",
	      "{" SA_IN ",\"spi\":300}", conn);
	fails(api, "ipsec_sa.create", 400, "UnsupportedAlgorithm", "encryption_algorithm",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-192\","
	      "\"encryption_key\":\"" ENC16 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "UnsupportedAlgorithm", "encryption_algorithm",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-ccm-16\","
	      "\"encryption_key\":\"" ENC16 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "UnsupportedAlgorithm", "auth_algorithm",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
	      ENC16 "\",\"auth_algorithm\":\"sha512\",\"auth_key\":\"" AUTH32 "\"}", conn);

	/* keys: hex, the algorithm's length; never quoted back */
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"salt\":\"" SALT "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidKeyLength", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"" ENC32 "\",\"salt\":\"" SALT "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidKeyLength", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-256-gcm-16\","
	      "\"encryption_key\":\"" ENC16 "\",\"salt\":\"" SALT "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidKeyLength", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-256\",\"encryption_key\":\""
	      ENC16 "\",\"auth_algorithm\":\"sha1\",\"auth_key\":\"" AUTH20 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"0badc0de0badc0de0badc0de0badc0dz\",\"salt\":\"" SALT "\"}",
	      conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"0badc0de0badc0de0badc0de0badc0d\",\"salt\":\"" SALT "\"}",
	      conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"0x0badc0de0badc0de0badc0de0badc0\",\"salt\":\"" SALT "\"}",
	      conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "encryption_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"" ENC32 ENC32 ENC32 "\",\"salt\":\"" SALT "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "salt",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"" ENC16 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidKeyLength", "salt",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128-gcm-16\","
	      "\"encryption_key\":\"" ENC16 "\",\"salt\":\"5a17\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "auth_algorithm",
	      "{" SA_IN ",\"spi\":300," GCM128 ",\"auth_algorithm\":\"sha256\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "auth_key",
	      "{" SA_IN ",\"spi\":300," GCM128 ",\"auth_key\":\"" AUTH32 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "auth_algorithm",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
	      ENC16 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "auth_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
	      ENC16 "\",\"auth_algorithm\":\"sha1\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidKeyLength", "auth_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
	      ENC16 "\",\"auth_algorithm\":\"sha1\",\"auth_key\":\"" AUTH32 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidKeyLength", "auth_key",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
	      ENC16 "\",\"auth_algorithm\":\"sha256\",\"auth_key\":\"" AUTH20 "\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "salt",
	      "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":\"aes-128\",\"encryption_key\":\""
	      ENC16 "\",\"auth_algorithm\":\"sha1\",\"auth_key\":\"" AUTH20 "\",\"salt\":\""
	      SALT "\"}", conn);
	/* upper-case hex is stored lower case */
	r = ok(api, "ipsec_sa.create", "{" SA_IN ",\"spi\":300,\"encryption_algorithm\":"
	       "\"aes-128-gcm-16\",\"encryption_key\":\"0BADC0DE0BADC0DE0BADC0DE0BADC0DE\","
	       "\"salt\":\"5A175A17\"}", conn);
	snprintf(id, sizeof(id), "%s", str(r, "id"));
	json_decref(r);
	assert_string_equal(str(stored(api, "ipsec_sa", id), "encryption_key"), ENC16);
	assert_string_equal(str(stored(api, "ipsec_sa", id), "salt"), SALT);

	/* replay window: inbound a power of two 64..4096; outbound also 0 */
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "replay_window",
	      "{" SA_IN ",\"spi\":301," GCM128 ",\"replay_window\":0}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "replay_window",
	      "{" SA_IN ",\"spi\":301," GCM128 ",\"replay_window\":100}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "replay_window",
	      "{" SA_IN ",\"spi\":301," GCM128 ",\"replay_window\":32}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "replay_window",
	      "{" SA_IN ",\"spi\":301," GCM128 ",\"replay_window\":8192}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "replay_window",
	      "{\"connection_id\":\"%s\",\"direction\":\"out\",\"spi\":301," GCM128
	      ",\"replay_window\":100}", conn);
	json_decref(ok(api, "ipsec_sa.create", "{" SA_IN ",\"spi\":301," GCM128
		       ",\"replay_window\":4096}", conn));
	json_decref(ok(api, "ipsec_sa.create", "{\"connection_id\":\"%s\",\"direction\":\"out\","
		       "\"spi\":301," GCM128 ",\"replay_window\":0}", conn));

	/* udp_encap, lifetime */
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "udp_encap",
	      "{" SA_IN ",\"spi\":302," GCM128 ",\"udp_encap\":{\"src_port\":0}}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "udp_encap",
	      "{" SA_IN ",\"spi\":302," GCM128 ",\"udp_encap\":{\"port\":4500}}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "udp_encap",
	      "{" SA_IN ",\"spi\":302," GCM128 ",\"udp_encap\":true}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "lifetime",
	      "{" SA_IN ",\"spi\":302," GCM128 ",\"lifetime\":{\"seconds\":0}}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "lifetime",
	      "{" SA_IN ",\"spi\":302," GCM128 ",\"lifetime\":{\"bytes\":10}}", conn);
	r = ok(api, "ipsec_sa.create", "{" SA_IN ",\"spi\":302," GCM128 ",\"udp_encap\":"
	       "{\"src_port\":4501},\"lifetime\":{\"packets\":1000}}", conn);
	assert_json(r, "udp_encap", "{\"src_port\":4501,\"dst_port\":4500}");
	assert_json(r, "lifetime", "{\"seconds\":null,\"kilobytes\":null,\"packets\":1000}");
	json_decref(r);
	r = ok(api, "ipsec_sa.create", "{" SA_IN ",\"spi\":303," GCM128 ",\"udp_encap\":null,"
	       "\"lifetime\":{}}", conn);
	assert_json(r, "lifetime", "null");
	json_decref(r);

	/* one style: a connection, or a service with selectors */
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "connection_id",
	      "{" SA_IN ",\"vpnservice_id\":\"%s\",\"spi\":310," GCM128 "}", conn, t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "connection_id",
	      "{" SA_IN ",\"local_cidrs\":[\"10.0.0.0/24\"],\"spi\":310," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "connection_id",
	      "{\"direction\":\"in\",\"spi\":310," GCM128 "}");
	fails(api, "ipsec_sa.create", 404, "IpsecSiteConnectionNotFound", "connection_id",
	      "{" SA_IN ",\"spi\":310," GCM128 "}", t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "peer_address",
	      "{" SA_IN ",\"spi\":310," GCM128 ",\"peer_address\":\"198.51.100.8\"}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "local_address",
	      "{" SA_IN ",\"spi\":310," GCM128 ",\"local_address\":\"192.0.2.1\"}", conn);
	json_decref(ok(api, "ipsec_sa.create", "{" SA_IN ",\"spi\":310," GCM128
		       ",\"peer_address\":\"198.51.100.7\"}", conn));
	fails(api, "ipsec_sa.create", 404, "VpnserviceNotFound", "vpnservice_id",
	      "{" SEL_SA ",\"direction\":\"in\",\"spi\":311," GCM128 "}", conn);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "local_cidrs",
	      "{\"vpnservice_id\":\"%s\",\"peer_cidrs\":[\"10.9.0.0/16\"],\"peer_address\":"
	      "\"198.51.100.9\",\"direction\":\"in\",\"spi\":311," GCM128 "}", t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "peer_cidrs",
	      "{\"vpnservice_id\":\"%s\",\"local_cidrs\":[\"10.0.0.0/24\"],\"peer_address\":"
	      "\"198.51.100.9\",\"direction\":\"in\",\"spi\":311," GCM128 "}", t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "peer_address",
	      "{\"vpnservice_id\":\"%s\",\"local_cidrs\":[\"10.0.0.0/24\"],\"peer_cidrs\":"
	      "[\"10.9.0.0/16\"],\"direction\":\"in\",\"spi\":311," GCM128 "}", t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "local_cidrs",
	      "{\"vpnservice_id\":\"%s\",\"local_cidrs\":[],\"peer_cidrs\":[\"10.9.0.0/16\"],"
	      "\"peer_address\":\"198.51.100.9\",\"direction\":\"in\",\"spi\":311," GCM128 "}",
	      t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "peer_cidrs",
	      "{\"vpnservice_id\":\"%s\",\"local_cidrs\":[\"10.0.0.0/24\"],\"peer_cidrs\":"
	      "[\"10.9.0.1/16\"],\"peer_address\":\"198.51.100.9\",\"direction\":\"in\","
	      "\"spi\":311," GCM128 "}", t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "peer_address",
	      "{\"vpnservice_id\":\"%s\",\"local_cidrs\":[\"10.0.0.0/24\"],\"peer_cidrs\":"
	      "[\"10.9.0.0/16\"],\"peer_address\":\"224.1.1.1\",\"direction\":\"in\","
	      "\"spi\":311," GCM128 "}", t.svc);
	fails(api, "ipsec_sa.create", 400, "InvalidInput", "local_address",
	      "{" SEL_SA ",\"local_address\":\"192.0.2.1\",\"direction\":\"in\",\"spi\":311,"
	      GCM128 "}", t.svc);
	r = ok(api, "ipsec_sa.create", "{" SEL_SA ",\"local_address\":\"%s\",\"direction\":"
	       "\"in\",\"spi\":311," GCM128 "}", t.svc, t.gw_ip);
	assert_json(r, "connection_id", "null");
	assert_json(r, "local_cidrs", "[\"10.0.0.0/24\"]");
	assert_json(r, "peer_cidrs", "[\"10.9.0.0/16\"]");
	assert_json(r, "peer_address", "\"198.51.100.9\"");
	assert_string_equal(str(r, "local_address"), t.gw_ip);
	json_decref(r);
}

/* --- durability --- */

static void
test_extensions(void **state)
{
	struct vsw_api *api = *state;
	json_t *r = ok(api, "extensions.list", "{}");
	int found = 0;
	size_t i;
	json_t *e;

	json_array_foreach(r, i, e) {
		const char *alias = str(e, "alias");

		found += !strcmp(alias, "vpnaas") + !strcmp(alias, "vpn-endpoint-groups") +
			 !strcmp(alias, "ipsec-manual-sa");
	}
	assert_int_equal(found, 3);
	json_decref(r);
}

struct reload_fx {
	char dir[64], db[96];
	int apply_fail;
};

static int
failing_apply(void *arg, struct vsw_api *api, struct vsw_error *err)
{
	struct reload_fx *fx = arg;

	(void)api;
	if (fx->apply_fail)
		return vsw_error_set(err, -EIO, "DataPlaneFailed", NULL, "injected");
	return 0;
}

/* One group holding text (a request or a batch); its response. */
static json_t *
group(struct vsw_api *api, const char *text, int want_end)
{
	json_t *resp;

	vsw_api_group_begin(api);
	resp = vsw_api_handle_text(api, &root, text, strlen(text));
	if (want_end == 0)
		assert_int_equal(vsw_api_group_end(api), 0);
	else
		assert_true(vsw_api_group_end(api) < 0);
	assert_non_null(resp);
	assert_no_secret(resp);
	return resp;
}

static void
failing_group(struct vsw_api *api, struct reload_fx *fx, const char *method,
	      const char *params)
{
	char req[2048];
	json_t *resp;

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\","
		 "\"params\":%s}", method, params);
	fx->apply_fail = 1;
	resp = group(api, req, -1);
	fx->apply_fail = 0;
	assert_non_null(json_object_get(resp, "error"));
	json_decref(resp);
}

static void
remove_db(struct reload_fx *fx)
{
	const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
	char path[128];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", fx->db, suffixes[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(fx->dir), 0);
}

static void
test_journal_and_reload(void **state)
{
	struct reload_fx fx = { .apply_fail = 0 };
	struct vsw_api_hooks hooks = { .arg = &fx, .apply = failing_apply };
	struct vsw_api *api;
	struct topo t;
	char conn[VSW_UUID_STRLEN], sa[VSW_UUID_STRLEN], params[1024], batch[2048];
	size_t sas, conns;
	json_t *r;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/vsw-test-vpn-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/vsw.db", fx.dir);
	api = make_api(fx.db, &hooks);
	build_topo(api, &t);
	group_conn(api, &t, conn, t.peer_eg, "198.51.100.7");
	create(api, sa, "ipsec_sa", "{\"connection_id\":\"%s\",\"direction\":\"out\","
	       "\"spi\":4096," GCM128 "}", conn);
	json_decref(ok(api, "ipsec_sa.create", "{\"connection_id\":\"%s\",\"direction\":\"in\","
		       "\"spi\":4096," GCM128 "}", conn));
	sas = count(api, "ipsec_sa", "{}");
	conns = count(api, "ipsec_site_connection", "{}");

	/* a batch: the request that fails leaves nothing, the other stays */
	snprintf(batch, sizeof(batch),
		 "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ipsec_sa.create\",\"params\":"
		 "{\"admin\":true,\"connection_id\":\"%s\",\"direction\":\"in\",\"spi\":7000,"
		 GCM128 "}},"
		 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ipsec_site_connection.create\","
		 "\"params\":{\"admin\":true," CONN_BASE ",\"local_ep_group_id\":\"%s\","
		 "\"peer_ep_group_id\":\"%s\"}}]", conn, t.svc, t.ike, t.ipsec, t.local_eg,
		 t.peer_eg);
	r = group(api, batch, 0);
	assert_non_null(json_object_get(json_array_get(r, 0), "result"));
	assert_non_null(json_object_get(json_array_get(r, 1), "error"));
	json_decref(r);
	assert_int_equal(count(api, "ipsec_sa", "{}"), sas + 1);
	assert_int_equal(count(api, "ipsec_site_connection", "{}"), conns);

	/* groups that fail to apply take everything back */
	snprintf(params, sizeof(params), "{\"admin\":true,\"connection_id\":\"%s\","
		 "\"direction\":\"in\",\"spi\":8000," GCM128 "}", conn);
	failing_group(api, &fx, "ipsec_sa.create", params);
	assert_int_equal(count(api, "ipsec_sa", "{}"), sas + 1);
	snprintf(params, sizeof(params), "{\"admin\":true,\"id\":\"%s\"}", conn);
	failing_group(api, &fx, "ipsec_site_connection.delete", params);
	assert_int_equal(count(api, "ipsec_sa", "{}"), sas + 1);
	assert_int_equal(count(api, "ipsec_site_connection", "{}"), conns);
	fails(api, "ipsec_sa.create", 409, "SpiInUse", "spi", "{\"connection_id\":\"%s\","
	      "\"direction\":\"out\",\"spi\":4096," GCM128 "}", conn);
	fails(api, "ikepolicy.delete", 409, "IkePolicyInUse", "id", "{\"id\":\"%s\"}", t.ike);
	snprintf(params, sizeof(params), "{\"admin\":true,\"router_id\":\"%s\",\"subnet_id\":"
		 "\"%s\"}", t.router, t.sub_b);
	failing_group(api, &fx, "vpnservice.create", params);
	assert_int_equal(count(api, "vpnservice", "{}"), 1);
	vsw_api_destroy(api);

	/* reloaded: objects, secrets (stored, not shown) and indexes are back */
	api = make_api(fx.db, &hooks);
	assert_int_equal(count(api, "ipsec_sa", "{}"), sas + 1);
	assert_int_equal(count(api, "ipsec_site_connection", "{}"), conns);
	assert_member(api, "ipsec_sa", sa, "status", "\"ACTIVE\"");
	r = show(api, "ipsec_sa", sa);
	assert_no_keys(r);
	json_decref(r);
	assert_string_equal(str(stored(api, "ipsec_sa", sa), "encryption_key"), ENC16);
	assert_string_equal(str(stored(api, "ipsec_site_connection", conn), "psk"), PSK);
	r = show(api, "vpnservice", t.svc);
	assert_string_equal(str(r, "external_v4_ip"), t.gw_ip);
	json_decref(r);
	fails(api, "ipsec_sa.create", 409, "SpiInUse", "spi", "{\"connection_id\":\"%s\","
	      "\"direction\":\"in\",\"spi\":7000," GCM128 "}", conn);
	fails(api, "ikepolicy.delete", 409, "IkePolicyInUse", "id", "{\"id\":\"%s\"}", t.ike);
	fails(api, "ipsecpolicy.delete", 409, "IPsecPolicyInUse", "id", "{\"id\":\"%s\"}",
	      t.ipsec);
	fails(api, "vpnservice.delete", 409, "VPNServiceInUse", "id", "{\"id\":\"%s\"}", t.svc);
	fails(api, "endpoint_group.delete", 409, "EndpointGroupInUse", "id", "{\"id\":\"%s\"}",
	      t.peer_eg);
	fails(api, "ipsec_site_connection.create", 409, "PeerCidrOverlap", "peer_ep_group_id",
	      "{" CONN_BASE ",\"local_ep_group_id\":\"%s\",\"peer_ep_group_id\":\"%s\"}",
	      t.svc, t.ike, t.ipsec, t.local_eg, t.peer_eg);
	fails(api, "ipsec_site_connection.update", 409, "IPsecSiteConnectionInUse",
	      "peer_address", "{\"id\":\"%s\",\"peer_address\":\"198.51.100.77\"}", conn);
	json_decref(ok(api, "ipsec_site_connection.delete", "{\"id\":\"%s\"}", conn));
	assert_int_equal(count(api, "ipsec_sa", "{}"), 0);
	vsw_api_destroy(api);
	remove_db(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_policy_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vpnservice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sa_on_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sa_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extensions, setup, teardown),
		cmocka_unit_test(test_journal_and_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
