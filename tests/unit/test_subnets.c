/* SPDX-License-Identifier: BSD-3-Clause */
/* subnet: fields, defaults, IPAM of ports' fixed_ips, scoping, reload. */
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

static const struct vsw_caller root = { .uid = 0, .pid = 1, .may_admin = true };
static const struct vsw_caller user = { .uid = 1000, .pid = 1, .may_admin = false };

static struct vsw_api *
make_api(const char *db)
{
	struct vsw_api_options opt = {
		.db_path = db, .default_project = "p1", .version = "9.9", .n_workers = 1,
	};
	struct vsw_error err;
	struct vsw_api *api = vsw_api_create(&opt, NULL, &err);

	assert_non_null(api);
	return api;
}

static int
setup(void **state)
{
	*state = make_api(":memory:");
	return 0;
}

static int
teardown(void **state)
{
	vsw_api_destroy(*state);
	return 0;
}

static json_t *
vok(struct vsw_api *api, const struct vsw_caller *caller, const char *method,
    const char *fmt, va_list ap)
{
	return result_of(vrequest(api, caller, method, fmt, ap), method);
}

static json_t *
ok(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = vok(api, &root, method, fmt, ap);
	va_end(ap);
	return r;
}

static json_t *
ok_user(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	r = vok(api, &user, method, fmt, ap);
	va_end(ap);
	return r;
}

static void
fails(struct vsw_api *api, const char *method, int code, const char *type,
      const char *field, const char *fmt, ...)
{
	va_list ap;
	json_t *resp;

	va_start(ap, fmt);
	resp = vrequest(api, &root, method, fmt, ap);
	va_end(ap);
	check_error(resp, code, type, field);
}

static void
fails_user(struct vsw_api *api, const char *method, int code, const char *type,
	   const char *field, const char *fmt, ...)
{
	va_list ap;
	json_t *resp;

	va_start(ap, fmt);
	resp = vrequest(api, &user, method, fmt, ap);
	va_end(ap);
	check_error(resp, code, type, field);
}

static const char *
str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s == NULL)
		fail_msg("member %s is not a string", key);
	return s;
}

static void
assert_json(const json_t *v, const char *text)
{
	json_t *want = json_loads(text, JSON_DECODE_ANY, NULL);

	assert_non_null(want);
	if (!json_equal((json_t *)v, want)) {
		char *got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

		fail_msg("got %s, want %s", got, text);
	}
	json_decref(want);
}

static void
new_network(struct vsw_api *api, char id[VSW_UUID_STRLEN])
{
	json_t *net = ok(api, "network.create", "{}");

	snprintf(id, VSW_UUID_STRLEN, "%s", str(net, "id"));
	json_decref(net);
}

static void
new_subnet(struct vsw_api *api, char id[VSW_UUID_STRLEN], const char *net,
	   const char *cidr, const char *extra)
{
	json_t *s = ok(api, "subnet.create",
		       "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"%s\"%s%s}",
		       net, cidr, extra ? "," : "", extra ? extra : "");

	snprintf(id, VSW_UUID_STRLEN, "%s", str(s, "id"));
	json_decref(s);
}

/* The first fixed IP of a new port. */
static void
port_ip(struct vsw_api *api, const char *net, const char *extra, char port_id[VSW_UUID_STRLEN],
	char ip[20])
{
	json_t *p = ok(api, "port.create", "{\"network_id\":\"%s\"%s%s}", net,
		       extra ? "," : "", extra ? extra : "");
	json_t *fip = json_array_get(json_object_get(p, "fixed_ips"), 0);

	snprintf(port_id, VSW_UUID_STRLEN, "%s", str(p, "id"));
	snprintf(ip, 20, "%s", fip ? str(fip, "ip_address") : "");
	json_decref(p);
}

/* port's fixed_ips are on subnet sub with the addresses ips ("a b c"). */
static void
assert_ips(const json_t *port, const char *sub, const char *ips)
{
	const json_t *list = json_object_get(port, "fixed_ips");
	char buf[200], *save = NULL, *tok;
	size_t i = 0;

	snprintf(buf, sizeof(buf), "%s", ips);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++) {
		const json_t *e = json_array_get(list, i);

		if (e == NULL)
			fail_msg("fixed_ips has no entry %zu (want %s)", i, tok);
		assert_string_equal(str(e, "subnet_id"), sub);
		assert_string_equal(str(e, "ip_address"), tok);
		assert_int_equal(json_object_size(e), 2);
	}
	assert_int_equal(json_array_size(list), i);
}

/* --- subnets --- */

static void
test_subnet_defaults(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN];
	json_t *s, *n;

	new_network(api, net);
	n = ok(api, "network.show", "{\"id\":\"%s\"}", net);
	assert_json(json_object_get(n, "subnets"), "[]");
	json_decref(n);
	s = ok(api, "subnet.create", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.0.0.77/24\"}", net);
	/* host bits are cleared, not refused */
	assert_string_equal(str(s, "cidr"), "10.0.0.0/24");
	assert_string_equal(str(s, "gateway_ip"), "10.0.0.1");
	assert_json(json_object_get(s, "allocation_pools"),
		    "[{\"start\":\"10.0.0.2\",\"end\":\"10.0.0.254\"}]");
	assert_json(json_object_get(s, "dns_nameservers"), "[]");
	assert_json(json_object_get(s, "host_routes"), "[]");
	assert_json(json_object_get(s, "enable_dhcp"), "true");
	assert_json(json_object_get(s, "ip_version"), "4");
	assert_string_equal(str(s, "name"), "");
	assert_string_equal(str(s, "project_id"), "p1");
	assert_string_equal(str(s, "tenant_id"), "p1");
	assert_string_equal(str(s, "network_id"), net);
	assert_non_null(json_object_get(s, "created_at"));
	assert_non_null(json_object_get(s, "updated_at"));
	n = ok(api, "network.show", "{\"id\":\"%s\"}", net);
	assert_string_equal(json_string_value(json_array_get(json_object_get(n, "subnets"), 0)),
			    str(s, "id"));
	json_decref(n);
	json_decref(s);

	/* no gateway: the pool is every host */
	s = ok(api, "subnet.create", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.1.0.0/29\",\"gateway_ip\":null}", net);
	assert_true(json_is_null(json_object_get(s, "gateway_ip")));
	assert_json(json_object_get(s, "allocation_pools"),
		    "[{\"start\":\"10.1.0.1\",\"end\":\"10.1.0.6\"}]");
	json_decref(s);
	/* a gateway in the middle: two pools */
	s = ok(api, "subnet.create", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.2.0.0/28\",\"gateway_ip\":\"10.2.0.5\",\"enable_dhcp\":false,"
	       "\"name\":\"s3\",\"dns_nameservers\":[\"8.8.8.8\",\"1.1.1.1\"],"
	       "\"host_routes\":[{\"destination\":\"192.168.7.9/16\",\"nexthop\":\"10.2.0.9\"}]}",
	       net);
	assert_json(json_object_get(s, "allocation_pools"),
		    "[{\"start\":\"10.2.0.1\",\"end\":\"10.2.0.4\"},"
		    "{\"start\":\"10.2.0.6\",\"end\":\"10.2.0.14\"}]");
	assert_json(json_object_get(s, "enable_dhcp"), "false");
	assert_json(json_object_get(s, "dns_nameservers"), "[\"8.8.8.8\",\"1.1.1.1\"]");
	assert_json(json_object_get(s, "host_routes"),
		    "[{\"destination\":\"192.168.0.0/16\",\"nexthop\":\"10.2.0.9\"}]");
	json_decref(s);
	n = ok(api, "network.show", "{\"id\":\"%s\"}", net);
	assert_int_equal(json_array_size(json_object_get(n, "subnets")), 3);
	json_decref(n);
	s = ok(api, "subnet.list", "{\"network_id\":\"%s\"}", net);
	assert_int_equal(json_array_size(s), 3);
	json_decref(s);
}

static void
test_subnet_validation(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN];
	const char *fmt = "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.0.0.0/24\",%s}";

	new_network(api, net);
	fails(api, "subnet.create", 400, "InvalidInput", "network_id",
	      "{\"ip_version\":4,\"cidr\":\"10.0.0.0/24\"}");
	fails(api, "subnet.create", 400, "InvalidInput", "ip_version",
	      "{\"network_id\":\"%s\",\"cidr\":\"10.0.0.0/24\"}", net);
	fails(api, "subnet.create", 400, "InvalidInput", "cidr",
	      "{\"network_id\":\"%s\",\"ip_version\":4}", net);
	fails(api, "subnet.create", 404, "NetworkNotFound", "network_id",
	      "{\"network_id\":\"00000000-0000-4000-8000-000000000000\",\"ip_version\":4,"
	      "\"cidr\":\"10.0.0.0/24\"}");
	fails(api, "subnet.create", 400, "InvalidInput", "ip_version",
	      "{\"network_id\":\"%s\",\"ip_version\":5,\"cidr\":\"10.0.0.0/24\"}", net);
	fails(api, "subnet.create", 400, "InvalidInput", "ip_version",
	      "{\"network_id\":\"%s\",\"ip_version\":\"4\",\"cidr\":\"10.0.0.0/24\"}", net);
	for (const char *bad[] = { "10.0.0.0", "10.0.0.0/7", "10.0.0.0/31", "10.0.0.0/32",
				   "fe80::/64", "10.0.0.256/24", "x", NULL }, **p = bad; *p; p++)
		fails(api, "subnet.create", 400, "InvalidInput", "cidr",
		      "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"%s\"}", net, *p);
	fails(api, "subnet.create", 400, "InvalidInput", "cidr",
	      "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":5}", net);
	/* gateway */
	fails(api, "subnet.create", 400, "InvalidInput", "gateway_ip", fmt, net,
	      "\"gateway_ip\":\"10.0.1.1\"");
	fails(api, "subnet.create", 400, "InvalidInput", "gateway_ip", fmt, net,
	      "\"gateway_ip\":\"10.0.0.0\"");
	fails(api, "subnet.create", 400, "InvalidInput", "gateway_ip", fmt, net,
	      "\"gateway_ip\":\"10.0.0.255\"");
	fails(api, "subnet.create", 400, "InvalidInput", "gateway_ip", fmt, net,
	      "\"gateway_ip\":\"gw\"");
	/* pools */
	fails(api, "subnet.create", 400, "OutOfBoundsAllocationPool", "allocation_pools",
	      fmt, net, "\"allocation_pools\":[{\"start\":\"10.0.0.10\",\"end\":\"10.0.1.1\"}]");
	fails(api, "subnet.create", 400, "OutOfBoundsAllocationPool", "allocation_pools",
	      fmt, net, "\"allocation_pools\":[{\"start\":\"10.0.0.10\",\"end\":\"10.0.0.255\"}]");
	fails(api, "subnet.create", 400, "InvalidAllocationPool", "allocation_pools",
	      fmt, net, "\"allocation_pools\":[{\"start\":\"10.0.0.10\",\"end\":\"10.0.0.9\"}]");
	fails(api, "subnet.create", 409, "OverlappingAllocationPools", "allocation_pools",
	      fmt, net, "\"allocation_pools\":[{\"start\":\"10.0.0.10\",\"end\":\"10.0.0.20\"},"
	      "{\"start\":\"10.0.0.20\",\"end\":\"10.0.0.30\"}]");
	fails(api, "subnet.create", 409, "GatewayConflictWithAllocationPools",
	      "allocation_pools", fmt, net,
	      "\"allocation_pools\":[{\"start\":\"10.0.0.1\",\"end\":\"10.0.0.20\"}]");
	for (const char *bad[] = { "\"x\"", "[{\"start\":\"10.0.0.2\"}]",
				   "[{\"start\":\"10.0.0.2\",\"end\":\"10.0.0.3\",\"x\":1}]",
				   "[{\"start\":\"10.0.0.2\",\"stop\":\"10.0.0.3\"}]",
				   "[{\"start\":\"a\",\"end\":\"10.0.0.3\"}]", "[1]", NULL },
	     **p = bad; *p; p++) {
		char extra[200];

		snprintf(extra, sizeof(extra), "\"allocation_pools\":%s", *p);
		fails(api, "subnet.create", 400, "InvalidInput", "allocation_pools", fmt, net, extra);
	}
	/* nameservers, routes */
	fails(api, "subnet.create", 400, "InvalidInput", "dns_nameservers", fmt, net,
	      "\"dns_nameservers\":[\"1.1.1.1\",\"1.1.1.2\",\"1.1.1.3\",\"1.1.1.4\","
	      "\"1.1.1.5\",\"1.1.1.6\"]");
	fails(api, "subnet.create", 400, "InvalidInput", "dns_nameservers", fmt, net,
	      "\"dns_nameservers\":[\"1.1.1.1\",\"1.1.1.1\"]");
	fails(api, "subnet.create", 400, "InvalidInput", "dns_nameservers", fmt, net,
	      "\"dns_nameservers\":[\"dns.example\"]");
	fails(api, "subnet.create", 400, "InvalidInput", "host_routes", fmt, net,
	      "\"host_routes\":[{\"destination\":\"10.9.0.0/16\"}]");
	fails(api, "subnet.create", 400, "InvalidInput", "host_routes", fmt, net,
	      "\"host_routes\":[{\"destination\":\"10.9.0.0\",\"nexthop\":\"10.0.0.5\"}]");
	fails(api, "subnet.create", 400, "InvalidInput", "host_routes", fmt, net,
	      "\"host_routes\":[{\"destination\":\"10.9.0.0/16\",\"nexthop\":\"10.0.0.5\"},"
	      "{\"destination\":\"10.9.0.0/16\",\"nexthop\":\"10.0.0.5\"}]");
	fails(api, "subnet.create", 400, "InvalidInput", "enable_dhcp", fmt, net,
	      "\"enable_dhcp\":1");
	fails(api, "subnet.create", 400, "UnknownField", "ipv6_ra_mode", fmt, net,
	      "\"ipv6_ra_mode\":\"slaac\"");
	fails(api, "subnet.create", 400, "InvalidInput", "id", fmt, net,
	      "\"id\":\"00000000-0000-4000-8000-000000000000\"");
	/* nothing of that was created */
	{
		json_t *l = ok(api, "subnet.list", "{}");

		assert_int_equal(json_array_size(l), 0);
		json_decref(l);
	}
}

/* The error message of a call that must fail (owned copy). */
static char *
error_message(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *resp;
	char *msg;

	va_start(ap, fmt);
	resp = vrequest(api, &root, method, fmt, ap);
	va_end(ap);
	msg = strdup(json_string_value(json_object_get(json_object_get(resp, "error"),
						       "message")) ?: "");
	json_decref(resp);
	return msg;
}

static void
test_ipv6_refused_clearly(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN];
	char *msg;

	new_network(api, net);
	fails(api, "subnet.create", 400, "InvalidInput", "ip_version",
	      "{\"network_id\":\"%s\",\"ip_version\":6,\"cidr\":\"fd00::/64\"}", net);
	msg = error_message(api, "subnet.create",
			    "{\"network_id\":\"%s\",\"ip_version\":6,\"cidr\":\"fd00::/64\"}", net);
	assert_non_null(strstr(msg, "IPv6 subnets are not supported yet"));
	free(msg);
}

static void
test_subnet_overlap_and_update(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], net2[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN];
	char other[VSW_UUID_STRLEN], port[VSW_UUID_STRLEN], ip[20];
	json_t *s;

	new_network(api, net);
	new_network(api, net2);
	new_subnet(api, sub, net, "10.0.0.0/24", NULL);
	fails(api, "subnet.create", 409, "OverlappingCidr", "cidr",
	      "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.0.0.128/25\"}", net);
	fails(api, "subnet.create", 409, "OverlappingCidr", "cidr",
	      "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.0.0.0/8\"}", net);
	/* another network may reuse the block (overlapping IPs across networks) */
	new_subnet(api, other, net2, "10.0.0.0/24", NULL);
	/* create-only fields */
	fails(api, "subnet.update", 400, "InvalidInput", "cidr",
	      "{\"id\":\"%s\",\"cidr\":\"10.0.1.0/24\"}", sub);
	fails(api, "subnet.update", 400, "InvalidInput", "network_id",
	      "{\"id\":\"%s\",\"network_id\":\"%s\"}", sub, net2);
	/* gateway and pools */
	fails(api, "subnet.update", 409, "GatewayConflictWithAllocationPools",
	      "allocation_pools", "{\"id\":\"%s\",\"gateway_ip\":\"10.0.0.9\"}", sub);
	s = ok(api, "subnet.update", "{\"id\":\"%s\",\"gateway_ip\":\"10.0.0.254\","
	       "\"allocation_pools\":[{\"start\":\"10.0.0.1\",\"end\":\"10.0.0.99\"}],"
	       "\"name\":\"x\",\"dns_nameservers\":[\"9.9.9.9\"]}", sub);
	assert_string_equal(str(s, "gateway_ip"), "10.0.0.254");
	assert_string_equal(str(s, "name"), "x");
	json_decref(s);
	port_ip(api, net, NULL, port, ip);
	assert_string_equal(ip, "10.0.0.1");
	fails(api, "subnet.update", 409, "GatewayIpInUse", "gateway_ip",
	      "{\"id\":\"%s\",\"gateway_ip\":\"10.0.0.1\"}", sub);
	fails(api, "subnet.update", 400, "InvalidInput", "gateway_ip",
	      "{\"id\":\"%s\",\"gateway_ip\":\"10.0.1.1\"}", sub);
	s = ok(api, "subnet.update", "{\"id\":\"%s\",\"gateway_ip\":null}", sub);
	assert_true(json_is_null(json_object_get(s, "gateway_ip")));
	json_decref(s);
	/* in use */
	fails(api, "subnet.delete", 409, "SubnetInUse", "id", "{\"id\":\"%s\"}", sub);
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", port));
	json_decref(ok(api, "subnet.delete", "{\"id\":\"%s\"}", sub));
	s = ok(api, "network.show", "{\"id\":\"%s\"}", net);
	assert_json(json_object_get(s, "subnets"), "[]");
	json_decref(s);
	/* the block is free again on net */
	new_subnet(api, sub, net, "10.0.0.0/16", NULL);
}

static void
test_network_delete_takes_subnets(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], s1[VSW_UUID_STRLEN], s2[VSW_UUID_STRLEN];
	char port[VSW_UUID_STRLEN], ip[20];
	json_t *l;

	new_network(api, net);
	new_subnet(api, s1, net, "10.0.0.0/24", NULL);
	new_subnet(api, s2, net, "10.0.1.0/24", NULL);
	port_ip(api, net, NULL, port, ip);
	fails(api, "network.delete", 409, "NetworkInUse", "id", "{\"id\":\"%s\"}", net);
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", port));
	json_decref(ok(api, "network.delete", "{\"id\":\"%s\"}", net));
	l = ok(api, "subnet.list", "{}");
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	fails(api, "subnet.show", 404, "SubnetNotFound", "id", "{\"id\":\"%s\"}", s1);
}

/* --- ports --- */

static void
test_port_allocation_order(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], p[4][VSW_UUID_STRLEN], ip[20];
	json_t *port;

	new_network(api, net);
	/* no subnets: no address */
	port_ip(api, net, NULL, p[0], ip);
	assert_string_equal(ip, "");
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", p[0]));

	new_subnet(api, sub, net, "10.0.0.0/29", NULL);
	port_ip(api, net, NULL, p[0], ip);
	assert_string_equal(ip, "10.0.0.2");
	port_ip(api, net, NULL, p[1], ip);
	assert_string_equal(ip, "10.0.0.3");
	port = ok(api, "port.show", "{\"id\":\"%s\"}", p[1]);
	assert_string_equal(str(json_array_get(json_object_get(port, "fixed_ips"), 0),
				"subnet_id"), sub);
	json_decref(port);
	/* a released address is reused first */
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", p[0]));
	port_ip(api, net, NULL, p[0], ip);
	assert_string_equal(ip, "10.0.0.2");
	/* fixed_ips: [] means no address */
	port_ip(api, net, "\"fixed_ips\":[]", p[2], ip);
	assert_string_equal(ip, "");
	/* subnet only */
	port = ok(api, "port.create", "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\"},"
		  "{\"subnet_id\":\"%s\"}]}", net, sub, sub);
	assert_ips(port, sub, "10.0.0.4 10.0.0.5");
	json_decref(port);
	/* 10.0.0.6 left; then exhausted: 503 and nothing created */
	port_ip(api, net, NULL, p[3], ip);
	assert_string_equal(ip, "10.0.0.6");
	fails(api, "port.create", 503, "IpAddressGenerationFailure", "fixed_ips",
	      "{\"network_id\":\"%s\"}", net);
	fails(api, "port.create", 503, "IpAddressGenerationFailure", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\"}]}", net, sub);
	/* but an address outside the pools may still be given */
	port_ip(api, net, "\"fixed_ips\":[{\"ip_address\":\"10.0.0.1\"}],"
		"\"device_owner\":\"network:router_interface\"", p[3], ip);
	assert_string_equal(ip, "10.0.0.1");
}

static void
test_slash30_exhaustion(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], sub2[VSW_UUID_STRLEN];
	char p1[VSW_UUID_STRLEN], p2[VSW_UUID_STRLEN], ip[20];
	json_t *port;

	new_network(api, net);
	new_subnet(api, sub, net, "192.168.0.4/30", NULL);
	port_ip(api, net, NULL, p1, ip);
	assert_string_equal(ip, "192.168.0.6");
	fails(api, "port.create", 503, "IpAddressGenerationFailure", "fixed_ips",
	      "{\"network_id\":\"%s\"}", net);
	/* with a second subnet, a port without fixed_ips gets one from it */
	new_subnet(api, sub2, net, "192.168.1.0/24", NULL);
	port = ok(api, "port.create", "{\"network_id\":\"%s\"}", net);
	assert_ips(port, sub2, "192.168.1.2");
	json_decref(port);
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", p1));
	port_ip(api, net, NULL, p2, ip);
	assert_string_equal(ip, "192.168.0.6");
}

static void
test_port_given_ips(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], net2[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN];
	char sub2[VSW_UUID_STRLEN], p1[VSW_UUID_STRLEN], ip[20];
	json_t *port;

	new_network(api, net);
	new_network(api, net2);
	new_subnet(api, sub, net, "10.0.0.0/24", NULL);
	new_subnet(api, sub2, net2, "10.0.0.0/24", NULL);
	port = ok(api, "port.create", "{\"network_id\":\"%s\",\"fixed_ips\":"
		  "[{\"subnet_id\":\"%s\",\"ip_address\":\"10.0.0.50\"}]}", net, sub);
	assert_ips(port, sub, "10.0.0.50");
	snprintf(p1, sizeof(p1), "%s", str(port, "id"));
	json_decref(port);
	/* taken on that subnet; the same address on another network is free */
	fails(api, "port.create", 409, "IpAddressAlreadyAllocated", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.0.0.50\"}]}", net);
	port_ip(api, net2, "\"fixed_ips\":[{\"ip_address\":\"10.0.0.50\"}]", p1, ip);
	assert_string_equal(ip, "10.0.0.50");
	/* outside, network, broadcast */
	fails(api, "port.create", 400, "InvalidIpForSubnet", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\","
	      "\"ip_address\":\"10.0.1.5\"}]}", net, sub);
	fails(api, "port.create", 400, "InvalidIpForSubnet", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\","
	      "\"ip_address\":\"10.0.0.0\"}]}", net, sub);
	fails(api, "port.create", 400, "InvalidIpForSubnet", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\","
	      "\"ip_address\":\"10.0.0.255\"}]}", net, sub);
	/* an address in no subnet of the network */
	fails(api, "port.create", 400, "InvalidInput", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.9.0.5\"}]}", net);
	/* the gateway is a router interface's only */
	fails(api, "port.create", 409, "IpAddressAlreadyAllocated", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.0.0.1\"}]}", net);
	/* a subnet of another network, a subnet that does not exist */
	fails(api, "port.create", 400, "InvalidInput", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\"}]}", net, sub2);
	fails(api, "port.create", 404, "SubnetNotFound", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":"
	      "\"00000000-0000-4000-8000-000000000000\"}]}", net);
	/* duplicates within one request */
	fails(api, "port.create", 409, "IpAddressAlreadyAllocated", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.0.0.7\"},"
	      "{\"ip_address\":\"10.0.0.7\"}]}", net);
	/* shapes */
	for (const char *bad[] = { "\"x\"", "[1]", "[{}]", "[{\"subnet_id\":\"nope\"}]",
				   "[{\"ip_address\":\"10.0.0.300\"}]",
				   "[{\"ip_address\":\"10.0.0.3\",\"x\":1}]",
				   "[{\"subnet_id\":5}]",
				   "[{\"ip_address\":\"10.0.0.3\"},{\"ip_address\":\"10.0.0.4\"},"
				   "{\"ip_address\":\"10.0.0.5\"},{\"ip_address\":\"10.0.0.6\"},"
				   "{\"ip_address\":\"10.0.0.7\"},{\"ip_address\":\"10.0.0.8\"}]",
				   NULL }, **b = bad; *b; b++)
		fails(api, "port.create", 400, "InvalidInput", "fixed_ips",
		      "{\"network_id\":\"%s\",\"fixed_ips\":%s}", net, *b);
	/* an allocation does not take an address a later entry asks for */
	port = ok(api, "port.create", "{\"network_id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\"},"
		  "{\"ip_address\":\"10.0.0.2\"}]}", net, sub);
	assert_ips(port, sub, "10.0.0.3 10.0.0.2");
	json_decref(port);
}

static void
test_port_update_fixed_ips(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], p1[VSW_UUID_STRLEN];
	char p2[VSW_UUID_STRLEN], ip[20];
	json_t *port;

	new_network(api, net);
	new_subnet(api, sub, net, "10.0.0.0/24", NULL);
	port_ip(api, net, NULL, p1, ip);
	assert_string_equal(ip, "10.0.0.2");
	/* keep an address by naming only its subnet, add one */
	port = ok(api, "port.update", "{\"id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\"},"
		  "{\"subnet_id\":\"%s\",\"ip_address\":\"10.0.0.9\"}]}", p1, sub, sub);
	assert_ips(port, sub, "10.0.0.2 10.0.0.9");
	json_decref(port);
	/* the same address again is no conflict with itself */
	port = ok(api, "port.update", "{\"id\":\"%s\",\"fixed_ips\":"
		  "[{\"ip_address\":\"10.0.0.9\"}]}", p1);
	assert_ips(port, sub, "10.0.0.9");
	json_decref(port);
	/* 10.0.0.2 was released */
	port_ip(api, net, NULL, p2, ip);
	assert_string_equal(ip, "10.0.0.2");
	fails(api, "port.update", 409, "IpAddressAlreadyAllocated", "fixed_ips",
	      "{\"id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.0.0.9\"}]}", p2);
	/* a failed update leaves the port as it was */
	port = ok(api, "port.show", "{\"id\":\"%s\"}", p2);
	assert_ips(port, sub, "10.0.0.2");
	json_decref(port);
	/* dropping every address frees the subnet */
	json_decref(ok(api, "port.update", "{\"id\":\"%s\",\"fixed_ips\":[]}", p1));
	json_decref(ok(api, "port.update", "{\"id\":\"%s\",\"fixed_ips\":[]}", p2));
	json_decref(ok(api, "subnet.delete", "{\"id\":\"%s\"}", sub));
}

static void
test_subnet_scoping(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], ssub[VSW_UUID_STRLEN];
	const char *cidr = "\"ip_version\":4,\"cidr\":\"10.1.0.0/24\"";
	json_t *r;

	r = ok(api, "network.create", "{\"project_id\":\"A\"}");
	snprintf(net, sizeof(net), "%s", str(r, "id"));
	json_decref(r);
	r = ok(api, "subnet.create", "{\"project_id\":\"A\",\"network_id\":\"%s\",%s}", net, cidr);
	snprintf(sub, sizeof(sub), "%s", str(r, "id"));
	assert_string_equal(str(r, "project_id"), "A");
	json_decref(r);
	/* B sees nothing of A's: 404, not 403 */
	fails(api, "subnet.show", 404, "SubnetNotFound", "id",
	      "{\"project_id\":\"B\",\"id\":\"%s\"}", sub);
	fails(api, "subnet.update", 404, "SubnetNotFound", "id",
	      "{\"project_id\":\"B\",\"id\":\"%s\",\"name\":\"x\"}", sub);
	fails(api, "subnet.delete", 404, "SubnetNotFound", "id",
	      "{\"project_id\":\"B\",\"id\":\"%s\"}", sub);
	fails(api, "subnet.create", 404, "NetworkNotFound", "network_id",
	      "{\"project_id\":\"B\",\"network_id\":\"%s\",\"ip_version\":4,"
	      "\"cidr\":\"10.2.0.0/24\"}", net);
	r = ok(api, "subnet.list", "{\"project_id\":\"B\"}");
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
	r = ok(api, "subnet.list", "{\"project_id\":\"A\"}");
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	/* a shared network: B's ports get addresses from A's subnets */
	json_decref(ok(api, "network.update", "{\"admin\":true,\"id\":\"%s\",\"shared\":true}", net));
	r = ok(api, "port.create", "{\"project_id\":\"B\",\"network_id\":\"%s\"}", net);
	assert_ips(r, sub, "10.1.0.2");
	json_decref(r);
	r = ok(api, "port.create", "{\"project_id\":\"B\",\"network_id\":\"%s\",\"fixed_ips\":"
	       "[{\"subnet_id\":\"%s\",\"ip_address\":\"10.1.0.77\"}]}", net, sub);
	assert_ips(r, sub, "10.1.0.77");
	json_decref(r);
	/* ... and B's addresses keep A's subnet in use */
	fails(api, "subnet.delete", 409, "SubnetInUse", "id",
	      "{\"project_id\":\"A\",\"id\":\"%s\"}", sub);
	/* a subnet B cannot see on a network B can: not found */
	r = ok(api, "network.create", "{\"project_id\":\"B\"}");
	snprintf(net, sizeof(net), "%s", str(r, "id"));
	json_decref(r);
	r = ok(api, "subnet.create", "{\"admin\":true,\"project_id\":\"C\",\"network_id\":\"%s\",%s}",
	       net, cidr);
	snprintf(ssub, sizeof(ssub), "%s", str(r, "id"));
	json_decref(r);
	fails(api, "port.create", 404, "SubnetNotFound", "fixed_ips",
	      "{\"project_id\":\"B\",\"network_id\":\"%s\",\"fixed_ips\":"
	      "[{\"subnet_id\":\"%s\"}]}", net, ssub);
	(void)ok_user;
	(void)fails_user;
}

/* --- durability --- */

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

static struct vsw_api *
open_file_api(struct reload_fx *fx, struct vsw_api_hooks *hooks)
{
	struct vsw_api_options opt = {
		.db_path = fx->db, .default_project = "p1", .version = "9.9", .n_workers = 1,
	};
	struct vsw_error err;
	struct vsw_api *api;

	hooks->arg = fx;
	hooks->apply = failing_apply;
	api = vsw_api_create(&opt, hooks, &err);
	assert_non_null(api);
	return api;
}

static void
test_reload_and_rollback(void **state)
{
	struct reload_fx fx = { .apply_fail = 0 };
	struct vsw_api_hooks hooks = { 0 };
	struct vsw_api *api;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], p1[VSW_UUID_STRLEN], ip[20];
	const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
	json_t *r, *resp;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/vsw-test-subnets-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/vsw.db", fx.dir);
	api = open_file_api(&fx, &hooks);
	new_network(api, net);
	new_subnet(api, sub, net, "10.0.0.0/29", NULL);
	port_ip(api, net, NULL, p1, ip);
	assert_string_equal(ip, "10.0.0.2");
	port_ip(api, net, "\"fixed_ips\":[{\"ip_address\":\"10.0.0.5\"}]", p1, ip);

	/* a group that fails to apply takes the subnet and the network's
	 * list of subnets back */
	fx.apply_fail = 1;
	vsw_api_group_begin(api);
	{
		char req[300];

		snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
			 "\"subnet.create\",\"params\":{\"network_id\":\"%s\","
			 "\"ip_version\":4,\"cidr\":\"10.1.0.0/24\"}}", net);
		resp = vsw_api_handle_text(api, &root, req, strlen(req));
	}
	assert_true(vsw_api_group_end(api) < 0);
	fx.apply_fail = 0;
	assert_non_null(json_object_get(resp, "error"));
	json_decref(resp);
	r = ok(api, "network.show", "{\"id\":\"%s\"}", net);
	assert_int_equal(json_array_size(json_object_get(r, "subnets")), 1);
	json_decref(r);
	r = ok(api, "subnet.list", "{}");
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	vsw_api_destroy(api);

	/* reloaded: the indexes and the network's subnets are back */
	api = open_file_api(&fx, &hooks);
	r = ok(api, "network.show", "{\"id\":\"%s\"}", net);
	assert_int_equal(json_array_size(json_object_get(r, "subnets")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "subnets"), 0)), sub);
	json_decref(r);
	fails(api, "port.create", 409, "IpAddressAlreadyAllocated", "fixed_ips",
	      "{\"network_id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.0.0.5\"}]}", net);
	port_ip(api, net, NULL, p1, ip);
	assert_string_equal(ip, "10.0.0.3");
	fails(api, "subnet.delete", 409, "SubnetInUse", "id", "{\"id\":\"%s\"}", sub);
	fails(api, "subnet.create", 409, "OverlappingCidr", "cidr",
	      "{\"network_id\":\"%s\",\"ip_version\":4,\"cidr\":\"10.0.0.0/16\"}", net);
	vsw_api_destroy(api);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s%s", fx.db, suffixes[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(fx.dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subnet_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subnet_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_refused_clearly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subnet_overlap_and_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_delete_takes_subnets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_allocation_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slash30_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_given_ips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_update_fixed_ips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subnet_scoping, setup, teardown),
		cmocka_unit_test(test_reload_and_rollback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
