/* SPDX-License-Identifier: BSD-3-Clause */
/* The L3 control-plane model: uplinks, provider networks, routers, floating
 * IPs; their rules, journal safety and reload. */
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
#include "admin_api.h"
#include "field_types.h"
#include "resources.h"
#include "vsw_config.h"

static json_int_t
num(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* Creates and returns the id of the new object. */
static size_t
count(struct vsw_api *api, const char *kind, const char *filter)
{
	char method[64];
	json_t *r;
	size_t n;

	snprintf(method, sizeof(method), "%s.list", kind);
	r = ok(api, method, "%s", filter);
	n = json_array_size(r);
	json_decref(r);
	return n;
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
	json_t *want = json_loads(json_text, JSON_DECODE_ANY, NULL);

	assert_non_null(want);
	if (!json_equal(json_object_get(obj, key), want)) {
		char *got = json_dumps(json_object_get(obj, key), JSON_ENCODE_ANY);

		fail_msg("%s %s: %s is %s, want %s", kind, id, key, got, json_text);
	}
	json_decref(want);
	json_decref(obj);
}

static size_t
interfaces(struct vsw_api *api, const char *router)
{
	json_t *r = show(api, "router", router);
	size_t n = json_array_size(json_object_get(r, "interfaces"));

	json_decref(r);
	return n;
}

static void
uplink_id(struct vsw_api *api, const char *name, char id[VSW_UUID_STRLEN])
{
	json_t *list = ok(api, "uplink.list", "{\"name\":\"%s\"}", name);

	assert_int_equal(json_array_size(list), 1);
	snprintf(id, VSW_UUID_STRLEN, "%s", str(json_array_get(list, 0), "id"));
	json_decref(list);
}

/* --- a small topology --- */

struct topo {
	char ext_net[VSW_UUID_STRLEN], ext_sub[VSW_UUID_STRLEN];
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN];
	char router[VSW_UUID_STRLEN], vm[VSW_UUID_STRLEN];
};

/* External 203.0.113.0/24, internal 10.0.0.0/24, a router with its gateway
 * and an interface on the internal subnet, a VM port at 10.0.0.10. */
static void
build_topo(struct vsw_api *api, struct topo *t)
{
	json_t *r;

	create(api, t->ext_net, "network", "{\"router:external\":true,\"name\":\"ext\"}");
	create(api, t->ext_sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"203.0.113.0/24\"}", t->ext_net);
	create(api, t->net, "network", "{}");
	create(api, t->sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.0.0.0/24\"}", t->net);
	create(api, t->router, "router", "{\"external_gateway_info\":{\"network_id\":\"%s\"}}",
	       t->ext_net);
	r = ok(api, "router.add_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}",
	       t->router, t->sub);
	json_decref(r);
	create(api, t->vm, "port", "{\"network_id\":\"%s\",\"fixed_ips\":"
	       "[{\"ip_address\":\"10.0.0.10\"}]}", t->net);
}

/* --- uplinks --- */

static void
test_uplink_fields(void **state)
{
	struct vsw_api *api = *state;
	char id[VSW_UUID_STRLEN];
	json_t *u;

	u = ok(api, "uplink.create", "{\"name\":\"phys0\",\"devargs\":"
	       "\"net_af_packet0,iface=veth1\",\"role\":\"vlan\"}");
	assert_string_equal(str(u, "name"), "phys0");
	assert_string_equal(str(u, "devargs"), "net_af_packet0,iface=veth1");
	assert_string_equal(str(u, "role"), "vlan");
	assert_string_equal(str(u, "status"), "DOWN");
	assert_int_equal(num(u, "mtu"), 1500);
	assert_true(json_is_true(json_object_get(u, "admin_state_up")));
	assert_true(json_is_null(json_object_get(u, "pci_address")));
	assert_true(json_is_null(json_object_get(u, "local_ip")));
	assert_true(json_is_null(json_object_get(u, "gateway_ip")));
	assert_true(json_is_null(json_object_get(u, "local_prefixlen")));
	assert_non_null(json_object_get(u, "created_at"));
	json_decref(u);

	u = ok(api, "uplink.create", "{\"name\":\"u-1.x_y\",\"pci_address\":\"03:1F.7\","
	       "\"role\":\"vxlan\",\"local_ip\":\"192.0.2.10\",\"mtu\":9216}");
	assert_string_equal(str(u, "pci_address"), "0000:03:1f.7");
	assert_true(json_is_null(json_object_get(u, "devargs")));
	assert_int_equal(num(u, "local_prefixlen"), 24);
	assert_true(json_is_null(json_object_get(u, "gateway_ip")));
	snprintf(id, sizeof(id), "%s", str(u, "id"));
	json_decref(u);
	assert_int_equal(count(api, "uplink", "{}"), 2);

	/* updatable: mtu, local_ip, local_prefixlen, gateway_ip, admin_state_up */
	u = ok(api, "uplink.update", "{\"id\":\"%s\",\"local_ip\":\"198.51.100.7\","
	       "\"local_prefixlen\":28,\"gateway_ip\":\"198.51.100.1\",\"mtu\":1600,"
	       "\"admin_state_up\":false}", id);
	assert_string_equal(str(u, "gateway_ip"), "198.51.100.1");
	assert_int_equal(num(u, "local_prefixlen"), 28);
	json_decref(u);
	fails(api, "uplink.update", 400, "InvalidInput", "gateway_ip",
	      "{\"id\":\"%s\",\"gateway_ip\":\"198.51.100.20\"}", id);
	fails(api, "uplink.update", 400, "InvalidInput", "gateway_ip",
	      "{\"id\":\"%s\",\"gateway_ip\":\"198.51.100.7\"}", id);
	fails(api, "uplink.update", 400, "InvalidInput", "local_ip",
	      "{\"id\":\"%s\",\"local_ip\":null}", id);
	/* immutable */
	fails(api, "uplink.update", 400, "InvalidInput", "name",
	      "{\"id\":\"%s\",\"name\":\"other\"}", id);
	fails(api, "uplink.update", 400, "InvalidInput", "role",
	      "{\"id\":\"%s\",\"role\":\"vlan\"}", id);
	fails(api, "uplink.update", 400, "InvalidInput", "pci_address",
	      "{\"id\":\"%s\",\"pci_address\":\"0000:03:00.0\"}", id);
	fails(api, "uplink.update", 400, "InvalidInput", "devargs",
	      "{\"id\":\"%s\",\"devargs\":\"x\"}", id);
	json_decref(ok(api, "uplink.delete", "{\"id\":\"%s\"}", id));
	assert_int_equal(count(api, "uplink", "{}"), 1);
}

static void
test_uplink_validation(void **state)
{
	struct vsw_api *api = *state;
	char id[VSW_UUID_STRLEN];

	fails(api, "uplink.create", 403, "Forbidden", NULL,
	      "{\"admin\":false,\"name\":\"a\",\"devargs\":\"x\",\"role\":\"flat\"}");
	fails(api, "uplink.list", 403, "Forbidden", NULL, "{\"admin\":false}");
	fails(api, "uplink.create", 400, "InvalidInput", "name",
	      "{\"name\":\"a b\",\"devargs\":\"x\",\"role\":\"flat\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "name",
	      "{\"name\":\"\",\"devargs\":\"x\",\"role\":\"flat\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "name",
	      "{\"name\":\"012345678901234567890123456789012\",\"devargs\":\"x\",\"role\":\"flat\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "name", "{\"devargs\":\"x\",\"role\":\"flat\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "role", "{\"name\":\"a\",\"devargs\":\"x\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "role",
	      "{\"name\":\"a\",\"devargs\":\"x\",\"role\":\"gre\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "devargs", "{\"name\":\"a\",\"role\":\"flat\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "devargs",
	      "{\"name\":\"a\",\"role\":\"flat\",\"devargs\":\"x\",\"pci_address\":\"03:00.0\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "pci_address",
	      "{\"name\":\"a\",\"role\":\"flat\",\"pci_address\":\"03:20.0\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "pci_address",
	      "{\"name\":\"a\",\"role\":\"flat\",\"pci_address\":\"0000:03:00.8\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "pci_address",
	      "{\"name\":\"a\",\"role\":\"flat\",\"pci_address\":\"000:03:00.0\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "local_ip",
	      "{\"name\":\"a\",\"role\":\"vxlan\",\"devargs\":\"x\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "local_ip",
	      "{\"name\":\"a\",\"role\":\"vlan\",\"devargs\":\"x\",\"local_ip\":\"10.0.0.1\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "gateway_ip",
	      "{\"name\":\"a\",\"role\":\"flat\",\"devargs\":\"x\",\"gateway_ip\":\"10.0.0.1\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "local_prefixlen",
	      "{\"name\":\"a\",\"role\":\"flat\",\"devargs\":\"x\",\"local_prefixlen\":24}");
	fails(api, "uplink.create", 400, "InvalidInput", "local_prefixlen",
	      "{\"name\":\"a\",\"role\":\"vxlan\",\"devargs\":\"x\",\"local_ip\":\"10.0.0.1\","
	      "\"local_prefixlen\":33}");
	fails(api, "uplink.create", 400, "InvalidInput", "local_ip",
	      "{\"name\":\"a\",\"role\":\"vxlan\",\"devargs\":\"x\",\"local_ip\":\"10.0.0\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "gateway_ip",
	      "{\"name\":\"a\",\"role\":\"vxlan\",\"devargs\":\"x\",\"local_ip\":\"10.0.0.1\","
	      "\"gateway_ip\":\"10.0.1.1\"}");
	fails(api, "uplink.create", 400, "InvalidInput", "mtu",
	      "{\"name\":\"a\",\"role\":\"flat\",\"devargs\":\"x\",\"mtu\":9217}");
	create(api, id, "uplink", "{\"name\":\"a\",\"role\":\"flat\",\"devargs\":\"x\"}");
	fails(api, "uplink.create", 409, "UplinkNameInUse", "name",
	      "{\"name\":\"a\",\"role\":\"flat\",\"devargs\":\"y\"}");
	fails(api, "uplink.create", 409, "DevargsInUse", "devargs",
	      "{\"name\":\"b\",\"role\":\"flat\",\"devargs\":\"x\"}");
	create(api, id, "uplink", "{\"name\":\"c\",\"role\":\"flat\",\"pci_address\":\"0000:03:00.0\"}");
	fails(api, "uplink.create", 409, "PciAddressInUse", "pci_address",
	      "{\"name\":\"b\",\"role\":\"flat\",\"pci_address\":\"03:00.0\"}");
	fails(api, "uplink.update", 400, "InvalidInput", "local_ip",
	      "{\"id\":\"%s\",\"local_ip\":\"10.0.0.1\"}", id);
	assert_int_equal(count(api, "uplink", "{}"), 2);
}

/* --- provider networks --- */

static void
make_uplinks(struct vsw_api *api)
{
	char id[VSW_UUID_STRLEN];

	create(api, id, "uplink", "{\"name\":\"flat0\",\"role\":\"flat\",\"devargs\":\"f\"}");
	create(api, id, "uplink", "{\"name\":\"trunk\",\"role\":\"vlan\",\"devargs\":\"t\","
	       "\"mtu\":9000}");
	create(api, id, "uplink", "{\"name\":\"under\",\"role\":\"vxlan\",\"devargs\":\"u\","
	       "\"local_ip\":\"192.0.2.1\"}");
}

static void
test_provider_networks(void **state)
{
	struct vsw_api *api = *state;
	char n1[VSW_UUID_STRLEN], n2[VSW_UUID_STRLEN], n3[VSW_UUID_STRLEN];
	json_t *n;

	make_uplinks(api);
	n = ok(api, "network.create", "{}");
	assert_string_equal(str(n, "provider:network_type"), "local");
	assert_true(json_is_null(json_object_get(n, "provider:physical_network")));
	assert_true(json_is_null(json_object_get(n, "provider:segmentation_id")));
	assert_true(json_is_false(json_object_get(n, "router:external")));
	assert_int_equal(num(n, "mtu"), 1500);
	json_decref(n);

	/* vlan: the mtu defaults to the uplink's (capped at 9000) */
	n = ok(api, "network.create", "{\"provider:network_type\":\"vlan\","
	       "\"provider:physical_network\":\"trunk\",\"provider:segmentation_id\":100}");
	assert_int_equal(num(n, "mtu"), 9000);
	assert_int_equal(num(n, "provider:segmentation_id"), 100);
	snprintf(n1, sizeof(n1), "%s", str(n, "id"));
	json_decref(n);
	fails(api, "network.create", 409, "SegmentationIdInUse", "provider:segmentation_id",
	      "{\"provider:network_type\":\"vlan\",\"provider:physical_network\":\"trunk\","
	      "\"provider:segmentation_id\":100}");
	/* a vlan trunk carries one flat network untagged too */
	create(api, n2, "network", "{\"provider:network_type\":\"flat\","
	       "\"provider:physical_network\":\"trunk\"}");
	fails(api, "network.create", 409, "SegmentationIdInUse", "provider:segmentation_id",
	      "{\"provider:network_type\":\"flat\",\"provider:physical_network\":\"trunk\"}");
	fails(api, "network.create", 400, "InvalidInput", "mtu",
	      "{\"provider:network_type\":\"flat\",\"provider:physical_network\":\"flat0\","
	      "\"mtu\":1501}");
	create(api, n3, "network", "{\"provider:network_type\":\"flat\","
	       "\"provider:physical_network\":\"flat0\",\"mtu\":1500}");
	fails(api, "network.create", 400, "InvalidInput", "provider:physical_network",
	      "{\"provider:network_type\":\"vlan\",\"provider:physical_network\":\"flat0\","
	      "\"provider:segmentation_id\":5}");
	fails(api, "network.create", 400, "InvalidInput", "provider:physical_network",
	      "{\"provider:network_type\":\"vxlan\",\"provider:physical_network\":\"trunk\","
	      "\"provider:segmentation_id\":5}");
	fails(api, "network.create", 400, "InvalidInput", "provider:physical_network",
	      "{\"provider:network_type\":\"flat\",\"provider:physical_network\":\"under\"}");
	/* vxlan: 50 bytes of the uplink's mtu go to the encapsulation */
	n = ok(api, "network.create", "{\"provider:network_type\":\"vxlan\","
	       "\"provider:physical_network\":\"under\",\"provider:segmentation_id\":16777215}");
	assert_int_equal(num(n, "mtu"), 1450);
	fails(api, "network.update", 400, "InvalidInput", "mtu",
	      "{\"id\":\"%s\",\"mtu\":1451}", str(n, "id"));
	json_decref(ok(api, "network.update", "{\"id\":\"%s\",\"mtu\":1400}", str(n, "id")));
	json_decref(n);
	fails(api, "network.create", 400, "InvalidInput", "mtu",
	      "{\"provider:network_type\":\"vxlan\",\"provider:physical_network\":\"under\","
	      "\"provider:segmentation_id\":7,\"mtu\":1500}");
	/* shapes */
	fails(api, "network.create", 400, "InvalidInput", "provider:segmentation_id",
	      "{\"provider:network_type\":\"vlan\",\"provider:physical_network\":\"trunk\"}");
	fails(api, "network.create", 400, "InvalidInput", "provider:segmentation_id",
	      "{\"provider:network_type\":\"vlan\",\"provider:physical_network\":\"trunk\","
	      "\"provider:segmentation_id\":4095}");
	fails(api, "network.create", 400, "InvalidInput", "provider:segmentation_id",
	      "{\"provider:network_type\":\"vxlan\",\"provider:physical_network\":\"under\","
	      "\"provider:segmentation_id\":16777216}");
	fails(api, "network.create", 400, "InvalidInput", "provider:segmentation_id",
	      "{\"provider:network_type\":\"flat\",\"provider:physical_network\":\"flat0\","
	      "\"provider:segmentation_id\":3}");
	fails(api, "network.create", 400, "InvalidInput", "provider:physical_network",
	      "{\"provider:network_type\":\"vlan\",\"provider:segmentation_id\":3}");
	fails(api, "network.create", 400, "InvalidInput", "provider:physical_network",
	      "{\"provider:physical_network\":\"trunk\"}");
	fails(api, "network.create", 400, "InvalidInput", "provider:network_type",
	      "{\"provider:network_type\":\"gre\"}");
	fails(api, "network.create", 404, "UplinkNotFound", "provider:physical_network",
	      "{\"provider:network_type\":\"vlan\",\"provider:physical_network\":\"nope\","
	      "\"provider:segmentation_id\":3}");
	fails(api, "network.create", 403, "Forbidden", "provider:network_type",
	      "{\"admin\":false,\"provider:network_type\":\"local\"}");
	fails(api, "network.create", 403, "Forbidden", "router:external",
	      "{\"admin\":false,\"router:external\":true}");
	/* immutable */
	fails(api, "network.update", 400, "InvalidInput", "provider:segmentation_id",
	      "{\"id\":\"%s\",\"provider:segmentation_id\":101}", n1);
	/* uplinks in use */
	uplink_id(api, "trunk", n1);
	fails(api, "uplink.delete", 409, "UplinkInUse", "id", "{\"id\":\"%s\"}", n1);
}

static void
test_uplink_in_use(void **state)
{
	struct vsw_api *api = *state;
	char up[VSW_UUID_STRLEN], net[VSW_UUID_STRLEN];

	create(api, up, "uplink", "{\"name\":\"u\",\"role\":\"vxlan\",\"devargs\":\"u\","
	       "\"local_ip\":\"192.0.2.1\",\"mtu\":1600}");
	create(api, net, "network", "{\"provider:network_type\":\"vxlan\","
	       "\"provider:physical_network\":\"u\",\"provider:segmentation_id\":42}");
	assert_member(api, "network", net, "mtu", "1550");
	fails(api, "uplink.delete", 409, "UplinkInUse", "id", "{\"id\":\"%s\"}", up);
	fails(api, "uplink.update", 409, "UplinkInUse", "mtu", "{\"id\":\"%s\",\"mtu\":1599}", up);
	json_decref(ok(api, "uplink.update", "{\"id\":\"%s\",\"mtu\":1600}", up));
	json_decref(ok(api, "network.delete", "{\"id\":\"%s\"}", net));
	/* the segment is free again, and so is the uplink */
	create(api, net, "network", "{\"provider:network_type\":\"vxlan\","
	       "\"provider:physical_network\":\"u\",\"provider:segmentation_id\":42}");
	json_decref(ok(api, "network.delete", "{\"id\":\"%s\"}", net));
	json_decref(ok(api, "uplink.delete", "{\"id\":\"%s\"}", up));
}

/* --- routers --- */

static void
test_router_interface_by_subnet(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], router[VSW_UUID_STRLEN];
	char filter[128];
	json_t *r, *port, *iface, *rt;

	create(api, net, "network", "{}");
	create(api, sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.1.0.0/24\"}", net);
	r = ok(api, "router.create", "{\"name\":\"r1\"}");
	assert_string_equal(str(r, "status"), "ACTIVE");
	assert_true(json_is_null(json_object_get(r, "external_gateway_info")));
	assert_true(json_is_null(json_object_get(r, "gw_port_id")));
	assert_int_equal(json_array_size(json_object_get(r, "interfaces")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "routes")), 0);
	snprintf(router, sizeof(router), "%s", str(r, "id"));
	json_decref(r);

	r = ok(api, "router.add_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, sub);
	assert_string_equal(str(r, "id"), router);
	assert_string_equal(str(r, "subnet_id"), sub);
	assert_string_equal(str(r, "network_id"), net);
	assert_string_equal(str(r, "project_id"), "p1");
	assert_string_equal(str(r, "tenant_id"), "p1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "subnet_ids"), 0)),
			    sub);
	port = show(api, "port", str(r, "port_id"));
	assert_string_equal(str(port, "device_owner"), "network:router_interface");
	assert_string_equal(str(port, "device_id"), router);
	assert_string_equal(str(json_array_get(json_object_get(port, "fixed_ips"), 0),
				"ip_address"), "10.1.0.1");
	rt = show(api, "router", router);
	iface = json_array_get(json_object_get(rt, "interfaces"), 0);
	assert_string_equal(str(iface, "port_id"), str(port, "id"));
	assert_string_equal(str(iface, "subnet_id"), sub);
	assert_string_equal(str(iface, "ip_address"), "10.1.0.1");
	assert_string_equal(str(iface, "mac_address"), str(port, "mac_address"));
	assert_string_equal(str(iface, "network_id"), net);
	json_decref(rt);

	/* the router owns the port and the subnet */
	fails(api, "port.delete", 409, "PortInUse", "id", "{\"id\":\"%s\"}", str(port, "id"));
	fails(api, "port.update", 409, "PortInUse", "id",
	      "{\"id\":\"%s\",\"fixed_ips\":[{\"ip_address\":\"10.1.0.9\"}]}", str(port, "id"));
	fails(api, "port.update", 409, "PortInUse", "id",
	      "{\"id\":\"%s\",\"device_owner\":\"\"}", str(port, "id"));
	json_decref(ok(api, "port.update", "{\"id\":\"%s\",\"name\":\"ok\"}", str(port, "id")));
	fails(api, "subnet.delete", 409, "SubnetInUse", "id", "{\"id\":\"%s\"}", sub);
	fails(api, "router.delete", 409, "RouterInUse", "id", "{\"id\":\"%s\"}", router);
	fails(api, "router.add_interface", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, sub);
	json_decref(port);
	json_decref(r);

	/* removal by subnet deletes the port it made */
	fails(api, "router.remove_interface", 404, "RouterInterfaceNotFound", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, net);
	r = ok(api, "router.remove_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, sub);
	assert_string_equal(str(r, "subnet_id"), sub);
	json_decref(r);
	snprintf(filter, sizeof(filter), "{\"device_id\":\"%s\"}", router);
	assert_int_equal(count(api, "port", filter), 0);
	assert_member(api, "router", router, "interfaces", "[]");
	json_decref(ok(api, "subnet.delete", "{\"id\":\"%s\"}", sub));
	json_decref(ok(api, "router.delete", "{\"id\":\"%s\"}", router));
	fails(api, "router.show", 404, "RouterNotFound", "id", "{\"id\":\"%s\"}", router);
}

static void
test_router_interface_errors(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], router[VSW_UUID_STRLEN];
	char net2[VSW_UUID_STRLEN], sub2[VSW_UUID_STRLEN], nogw[VSW_UUID_STRLEN];
	char ext[VSW_UUID_STRLEN], ext_sub[VSW_UUID_STRLEN];
	size_t ports;

	create(api, net, "network", "{}");
	create(api, sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.1.0.0/24\"}", net);
	create(api, nogw, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.9.0.0/24\",\"gateway_ip\":null}", net);
	create(api, net2, "network", "{}");
	create(api, sub2, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.1.0.128/25\"}", net2);
	create(api, ext, "network", "{\"router:external\":true}");
	create(api, ext_sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"203.0.113.0/24\"}", ext);
	create(api, router, "router", "{}");
	json_decref(ok(api, "router.add_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}",
		       router, sub));
	ports = count(api, "port", "{}");

	fails(api, "router.add_interface", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\"}", router);
	fails(api, "router.add_interface", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\",\"port_id\":\"%s\"}", router, sub, sub);
	fails(api, "router.add_interface", 400, "UnknownField", "foo",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\",\"foo\":1}", router, sub);
	fails(api, "router.add_interface", 404, "RouterNotFound", "id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", sub, sub);
	fails(api, "router.add_interface", 404, "SubnetNotFound", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, router);
	fails(api, "router.add_interface", 404, "PortNotFound", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", router, router);
	fails(api, "router.add_interface", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, nogw);
	/* these fail after the interface port was made: it is taken back */
	fails(api, "router.add_interface", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, sub2);
	fails(api, "router.add_interface", 400, "InvalidInput", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", router, ext_sub);
	assert_int_equal(count(api, "port", "{}"), ports);
	assert_int_equal(interfaces(api, router), 1);
	/* ... and its address (the gateway's) is free again */
	json_decref(ok(api, "port.create", "{\"network_id\":\"%s\",\"fixed_ips\":"
		       "[{\"ip_address\":\"10.1.0.129\"}],\"device_owner\":"
		       "\"network:router_interface\"}", net2));
	/* a user of another project sees no router */
	fails(api, "router.add_interface", 404, "RouterNotFound", "id",
	      "{\"admin\":false,\"project_id\":\"p2\",\"id\":\"%s\",\"subnet_id\":\"%s\"}",
	      router, sub2);
}

static void
test_router_interface_by_port(void **state)
{
	struct vsw_api *api = *state;
	char net[VSW_UUID_STRLEN], sub[VSW_UUID_STRLEN], router[VSW_UUID_STRLEN];
	char port[VSW_UUID_STRLEN], owned[VSW_UUID_STRLEN], two[VSW_UUID_STRLEN];
	char sub_b[VSW_UUID_STRLEN], none[VSW_UUID_STRLEN];
	json_t *r;

	create(api, net, "network", "{}");
	create(api, sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.1.0.0/24\"}", net);
	create(api, sub_b, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.2.0.0/24\"}", net);
	create(api, router, "router", "{}");
	create(api, port, "port", "{\"network_id\":\"%s\",\"fixed_ips\":"
	       "[{\"ip_address\":\"10.1.0.77\"}]}", net);
	create(api, owned, "port", "{\"network_id\":\"%s\",\"device_owner\":\"compute:nova\"}",
	       net);
	create(api, two, "port", "{\"network_id\":\"%s\",\"fixed_ips\":"
	       "[{\"subnet_id\":\"%s\"},{\"subnet_id\":\"%s\"}]}", net, sub, sub_b);
	create(api, none, "port", "{\"network_id\":\"%s\",\"fixed_ips\":[]}", net);
	fails(api, "router.add_interface", 409, "PortInUse", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", router, owned);
	fails(api, "router.add_interface", 400, "InvalidInput", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", router, two);
	fails(api, "router.add_interface", 400, "InvalidInput", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", router, none);
	/* the failed takes left the ports unowned */
	assert_member(api, "port", two, "device_owner", "\"\"");

	r = ok(api, "router.add_interface", "{\"id\":\"%s\",\"port_id\":\"%s\"}", router, port);
	assert_string_equal(str(r, "port_id"), port);
	assert_string_equal(str(r, "subnet_id"), sub);
	json_decref(r);
	assert_member(api, "port", port, "device_owner", "\"network:router_interface\"");
	fails(api, "port.delete", 409, "PortInUse", "id", "{\"id\":\"%s\"}", port);
	fails(api, "router.remove_interface", 404, "RouterInterfaceNotFound", "subnet_id",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\",\"port_id\":\"%s\"}", router, sub_b, port);
	/* removal by port gives the port back, unowned */
	json_decref(ok(api, "router.remove_interface", "{\"id\":\"%s\",\"port_id\":\"%s\"}",
		       router, port));
	assert_member(api, "port", port, "device_owner", "\"\"");
	assert_member(api, "port", port, "device_id", "\"\"");
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", port));
}

static void
test_router_gateway_and_routes(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char plain[VSW_UUID_STRLEN], r2[VSW_UUID_STRLEN], gw_port[VSW_UUID_STRLEN];
	char routes[4096];
	size_t n = 0;
	json_t *r, *info;

	build_topo(api, &t);
	r = show(api, "router", t.router);
	info = json_object_get(r, "external_gateway_info");
	assert_string_equal(str(info, "network_id"), t.ext_net);
	assert_true(json_is_true(json_object_get(info, "enable_snat")));
	assert_string_equal(str(json_array_get(json_object_get(info, "external_fixed_ips"), 0),
				"ip_address"), "203.0.113.2");
	snprintf(gw_port, sizeof(gw_port), "%s", str(r, "gw_port_id"));
	json_decref(r);
	assert_member(api, "port", gw_port, "device_owner", "\"network:router_gateway\"");
	fails(api, "port.delete", 409, "PortInUse", "id", "{\"id\":\"%s\"}", gw_port);
	fails(api, "network.delete", 409, "NetworkInUse", "id", "{\"id\":\"%s\"}", t.ext_net);
	fails(api, "network.update", 409, "ExternalNetworkInUse", "router:external",
	      "{\"id\":\"%s\",\"router:external\":false}", t.ext_net);

	/* enable_snat alone keeps the port */
	json_decref(ok(api, "router.update", "{\"id\":\"%s\",\"external_gateway_info\":"
		       "{\"network_id\":\"%s\",\"enable_snat\":false}}", t.router, t.ext_net));
	r = show(api, "router", t.router);
	assert_string_equal(str(r, "gw_port_id"), gw_port);
	assert_true(json_is_false(json_object_get(json_object_get(r, "external_gateway_info"),
						  "enable_snat")));
	json_decref(r);

	/* given addresses; a non-external network; shapes */
	create(api, plain, "network", "{}");
	fails(api, "router.create", 400, "InvalidInput", "external_gateway_info",
	      "{\"external_gateway_info\":{\"network_id\":\"%s\"}}", plain);
	fails(api, "router.create", 404, "NetworkNotFound", "external_gateway_info",
	      "{\"external_gateway_info\":{\"network_id\":\"%s\"}}", t.sub);
	fails(api, "router.create", 400, "InvalidInput", "external_gateway_info",
	      "{\"external_gateway_info\":{\"enable_snat\":true}}");
	fails(api, "router.create", 400, "InvalidInput", "external_gateway_info",
	      "{\"external_gateway_info\":{\"network_id\":\"%s\",\"x\":1}}", t.ext_net);
	fails(api, "router.create", 409, "IpAddressAlreadyAllocated", "external_gateway_info",
	      "{\"external_gateway_info\":{\"network_id\":\"%s\",\"external_fixed_ips\":"
	      "[{\"ip_address\":\"203.0.113.2\"}]}}", t.ext_net);
	create(api, r2, "router", "{\"external_gateway_info\":{\"network_id\":\"%s\","
	       "\"external_fixed_ips\":[{\"subnet_id\":\"%s\",\"ip_address\":\"203.0.113.50\"}]}}",
	       t.ext_net, t.ext_sub);

	/* routes: next hops on a subnet of the router, not the router */
	fails(api, "router.update", 400, "InvalidRoutes", "routes",
	      "{\"id\":\"%s\",\"routes\":[{\"destination\":\"0.0.0.0/0\",\"nexthop\":\"10.5.0.1\"}]}",
	      t.router);
	fails(api, "router.update", 400, "InvalidRoutes", "routes",
	      "{\"id\":\"%s\",\"routes\":[{\"destination\":\"0.0.0.0/0\",\"nexthop\":\"10.0.0.1\"}]}",
	      t.router);
	fails(api, "router.update", 400, "InvalidRoutes", "routes",
	      "{\"id\":\"%s\",\"routes\":[{\"destination\":\"0.0.0.0/0\"}]}", t.router);
	fails(api, "router.create", 400, "InvalidRoutes", "routes",
	      "{\"routes\":[{\"destination\":\"0.0.0.0/0\",\"nexthop\":\"10.0.0.1\"}]}");
	n += (size_t)snprintf(routes, sizeof(routes), "[");
	for (int i = 0; i < 31; i++)
		n += (size_t)snprintf(routes + n, sizeof(routes) - n,
				      "%s{\"destination\":\"172.16.%d.0/24\",\"nexthop\":\"10.0.0.9\"}",
				      i ? "," : "", i);
	snprintf(routes + n, sizeof(routes) - n, "]");
	fails(api, "router.update", 400, "InvalidRoutes", "routes",
	      "{\"id\":\"%s\",\"routes\":%s}", t.router, routes);
	r = ok(api, "router.update", "{\"id\":\"%s\",\"routes\":[{\"destination\":"
	       "\"192.168.7.9/16\",\"nexthop\":\"10.0.0.9\"},{\"destination\":\"0.0.0.0/0\","
	       "\"nexthop\":\"203.0.113.1\"}]}", t.router);
	assert_string_equal(str(json_array_get(json_object_get(r, "routes"), 0), "destination"),
			    "192.168.0.0/16");
	json_decref(r);
	/* a route holds the interface and the gateway it goes through */
	fails(api, "router.remove_interface", 409, "RouterInterfaceInUseByRoute", "routes",
	      "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", t.router, t.sub);
	fails(api, "router.update", 409, "RouterInterfaceInUseByRoute", "routes",
	      "{\"id\":\"%s\",\"external_gateway_info\":null}", t.router);
	json_decref(ok(api, "router.update", "{\"id\":\"%s\",\"routes\":[]}", t.router));

	/* clearing the gateway deletes its port; setting it makes a new one */
	json_decref(ok(api, "router.update", "{\"id\":\"%s\",\"external_gateway_info\":null}",
		       t.router));
	assert_member(api, "router", t.router, "gw_port_id", "null");
	fails(api, "port.show", 404, "PortNotFound", "id", "{\"id\":\"%s\"}", gw_port);
	json_decref(ok(api, "router.update", "{\"id\":\"%s\",\"external_gateway_info\":"
		       "{\"network_id\":\"%s\"}}", t.router, t.ext_net));
	r = show(api, "router", t.router);
	assert_string_not_equal(str(r, "gw_port_id"), gw_port);
	json_decref(r);
	/* a router without interfaces goes, and its gateway port with it */
	json_decref(ok(api, "router.delete", "{\"id\":\"%s\"}", r2));
	json_decref(ok(api, "port.create", "{\"network_id\":\"%s\",\"fixed_ips\":"
		       "[{\"ip_address\":\"203.0.113.50\"}]}", t.ext_net));
}

/* --- floating IPs --- */

static void
test_floatingip_lifecycle(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char fip[VSW_UUID_STRLEN], fip2[VSW_UUID_STRLEN], backing[VSW_UUID_STRLEN];
	char filter[128];
	json_t *f;

	build_topo(api, &t);
	fails(api, "floatingip.create", 400, "InvalidInput", "floating_network_id",
	      "{\"floating_network_id\":\"%s\"}", t.net);
	fails(api, "floatingip.create", 404, "NetworkNotFound", "floating_network_id",
	      "{\"floating_network_id\":\"%s\"}", t.sub);
	fails(api, "floatingip.create", 409, "IpAddressAlreadyAllocated", "floating_ip_address",
	      "{\"floating_network_id\":\"%s\",\"floating_ip_address\":\"203.0.113.2\"}",
	      t.ext_net);
	fails(api, "floatingip.create", 400, NULL, "floating_ip_address",
	      "{\"floating_network_id\":\"%s\",\"floating_ip_address\":\"198.51.100.1\"}",
	      t.ext_net);

	f = ok(api, "floatingip.create", "{\"floating_network_id\":\"%s\"}", t.ext_net);
	assert_string_equal(str(f, "floating_ip_address"), "203.0.113.3");
	assert_string_equal(str(f, "status"), "DOWN");
	assert_true(json_is_null(json_object_get(f, "port_id")));
	assert_true(json_is_null(json_object_get(f, "fixed_ip_address")));
	assert_true(json_is_null(json_object_get(f, "router_id")));
	assert_null(json_object_get(f, "floating_port_id"));
	snprintf(fip, sizeof(fip), "%s", str(f, "id"));
	json_decref(f);
	snprintf(filter, sizeof(filter), "{\"device_id\":\"%s\"}", fip);
	f = ok(api, "port.list", "%s", filter);
	assert_int_equal(json_array_size(f), 1);
	snprintf(backing, sizeof(backing), "%s", str(json_array_get(f, 0), "id"));
	assert_string_equal(str(json_array_get(f, 0), "device_owner"), "network:floatingip");
	json_decref(f);
	fails(api, "port.delete", 409, "PortInUse", "id", "{\"id\":\"%s\"}", backing);

	/* associate */
	f = ok(api, "floatingip.update", "{\"id\":\"%s\",\"port_id\":\"%s\"}", fip, t.vm);
	assert_string_equal(str(f, "fixed_ip_address"), "10.0.0.10");
	assert_string_equal(str(f, "router_id"), t.router);
	assert_string_equal(str(f, "status"), "ACTIVE");
	json_decref(f);
	f = ok(api, "floatingip.create", "{\"floating_network_id\":\"%s\","
	       "\"floating_ip_address\":\"203.0.113.77\"}", t.ext_net);
	snprintf(fip2, sizeof(fip2), "%s", str(f, "id"));
	json_decref(f);
	fails(api, "floatingip.update", 409, "FloatingIPPortAlreadyAssociated", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", fip2, t.vm);
	fails(api, "floatingip.update", 400, "InvalidInput", "fixed_ip_address",
	      "{\"id\":\"%s\",\"port_id\":\"%s\",\"fixed_ip_address\":\"10.0.0.11\"}", fip2, t.vm);
	fails(api, "floatingip.update", 400, "InvalidInput", "fixed_ip_address",
	      "{\"id\":\"%s\",\"fixed_ip_address\":\"10.0.0.10\"}", fip2);
	fails(api, "floatingip.update", 404, "PortNotFound", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", fip2, fip);
	fails(api, "floatingip.update", 400, "InvalidInput", "port_id",
	      "{\"id\":\"%s\",\"port_id\":\"%s\"}", fip2, backing);
	fails(api, "floatingip.update", 400, "InvalidInput", "floating_ip_address",
	      "{\"id\":\"%s\",\"floating_ip_address\":\"203.0.113.78\"}", fip2);
	/* the same again is fine */
	json_decref(ok(api, "floatingip.update", "{\"id\":\"%s\",\"port_id\":\"%s\","
		       "\"fixed_ip_address\":\"10.0.0.10\"}", fip, t.vm));

	/* in use by the floating IP: the interface, the gateway, the network */
	fails(api, "router.remove_interface", 409, "RouterInterfaceInUseByFloatingIP",
	      "subnet_id", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", t.router, t.sub);
	fails(api, "router.update", 409, "RouterExternalGatewayInUseByFloatingIp",
	      "external_gateway_info", "{\"id\":\"%s\",\"external_gateway_info\":null}", t.router);
	fails(api, "network.update", 409, "ExternalNetworkInUse", "router:external",
	      "{\"id\":\"%s\",\"router:external\":false}", t.ext_net);

	/* disassociate, and delete */
	f = ok(api, "floatingip.update", "{\"id\":\"%s\",\"port_id\":null}", fip);
	assert_string_equal(str(f, "status"), "DOWN");
	assert_true(json_is_null(json_object_get(f, "router_id")));
	assert_true(json_is_null(json_object_get(f, "fixed_ip_address")));
	json_decref(f);
	json_decref(ok(api, "floatingip.delete", "{\"id\":\"%s\"}", fip));
	fails(api, "port.show", 404, "PortNotFound", "id", "{\"id\":\"%s\"}", backing);
	f = ok(api, "floatingip.create", "{\"floating_network_id\":\"%s\"}", t.ext_net);
	assert_string_equal(str(f, "floating_ip_address"), "203.0.113.3");
	json_decref(f);
}

static void
test_floatingip_association_rules(void **state)
{
	struct vsw_api *api = *state;
	struct topo t;
	char lone_net[VSW_UUID_STRLEN], lone_sub[VSW_UUID_STRLEN], lone[VSW_UUID_STRLEN];
	char two[VSW_UUID_STRLEN], fip[VSW_UUID_STRLEN], sub_b[VSW_UUID_STRLEN];
	json_t *f;

	build_topo(api, &t);
	create(api, lone_net, "network", "{}");
	create(api, lone_sub, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.7.0.0/24\"}", lone_net);
	create(api, lone, "port", "{\"network_id\":\"%s\"}", lone_net);
	fails(api, "floatingip.create", 404, "ExternalGatewayForFloatingIPNotFound", "port_id",
	      "{\"floating_network_id\":\"%s\",\"port_id\":\"%s\"}", t.ext_net, lone);
	/* no floating IP, no backing port left behind */
	assert_int_equal(count(api, "floatingip", "{}"), 0);
	assert_int_equal(count(api, "port", "{\"device_owner\":\"network:floatingip\"}"), 0);
	fails(api, "floatingip.create", 400, "InvalidInput", "fixed_ip_address",
	      "{\"floating_network_id\":\"%s\",\"fixed_ip_address\":\"10.0.0.10\"}", t.ext_net);

	create(api, sub_b, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.0.1.0/24\"}", t.net);
	create(api, two, "port", "{\"network_id\":\"%s\",\"fixed_ips\":"
	       "[{\"subnet_id\":\"%s\"},{\"subnet_id\":\"%s\"}]}", t.net, t.sub, sub_b);
	fails(api, "floatingip.create", 400, "InvalidInput", "fixed_ip_address",
	      "{\"floating_network_id\":\"%s\",\"port_id\":\"%s\"}", t.ext_net, two);
	/* the router has no interface on the second subnet */
	fails(api, "floatingip.create", 404, "ExternalGatewayForFloatingIPNotFound", "port_id",
	      "{\"floating_network_id\":\"%s\",\"port_id\":\"%s\",\"fixed_ip_address\":\"10.0.1.2\"}",
	      t.ext_net, two);
	f = ok(api, "floatingip.create", "{\"floating_network_id\":\"%s\",\"port_id\":\"%s\","
	       "\"fixed_ip_address\":\"10.0.0.2\",\"description\":\"d\"}", t.ext_net, two);
	assert_string_equal(str(f, "router_id"), t.router);
	snprintf(fip, sizeof(fip), "%s", str(f, "id"));
	json_decref(f);

	/* dropping the fixed IP from the port disassociates */
	json_decref(ok(api, "port.update", "{\"id\":\"%s\",\"fixed_ips\":[{\"subnet_id\":\"%s\"}]}",
		       two, sub_b));
	assert_member(api, "floatingip", fip, "port_id", "null");
	/* deleting the port disassociates (Neutron) */
	json_decref(ok(api, "floatingip.update", "{\"id\":\"%s\",\"port_id\":\"%s\"}", fip, t.vm));
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", t.vm));
	assert_member(api, "floatingip", fip, "port_id", "null");
	assert_member(api, "floatingip", fip, "status", "\"DOWN\"");
	assert_member(api, "floatingip", fip, "floating_ip_address", "\"203.0.113.3\"");
	/* now the interface can go */
	json_decref(ok(api, "router.remove_interface", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}",
		       t.router, t.sub));
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

static void
failing_group(struct vsw_api *api, struct reload_fx *fx, const char *method,
	      const char *params)
{
	char req[1024];
	json_t *resp;

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\","
		 "\"params\":%s}", method, params);
	fx->apply_fail = 1;
	vsw_api_group_begin(api);
	resp = vsw_api_handle_text(api, &root, req, strlen(req));
	assert_true(vsw_api_group_end(api) < 0);
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
test_group_rollback_and_reload(void **state)
{
	struct reload_fx fx = { .apply_fail = 0 };
	struct vsw_api_hooks hooks = { .arg = &fx, .apply = failing_apply };
	struct vsw_api *api;
	struct topo t;
	char sub2[VSW_UUID_STRLEN], fip[VSW_UUID_STRLEN], params[256];
	size_t ports;
	json_t *r;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/vsw-test-l3-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/vsw.db", fx.dir);
	api = make_api(fx.db, &hooks);
	make_uplinks(api);
	json_decref(ok(api, "network.create", "{\"provider:network_type\":\"vlan\","
		       "\"provider:physical_network\":\"trunk\",\"provider:segmentation_id\":7}"));
	build_topo(api, &t);
	create(api, fip, "floatingip", "{\"floating_network_id\":\"%s\",\"port_id\":\"%s\"}",
	       t.ext_net, t.vm);
	create(api, sub2, "subnet", "{\"network_id\":\"%s\",\"ip_version\":4,"
	       "\"cidr\":\"10.0.1.0/24\"}", t.net);
	ports = count(api, "port", "{}");

	/* a group that fails to apply takes back the port and the interface */
	snprintf(params, sizeof(params), "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", t.router, sub2);
	failing_group(api, &fx, "router.add_interface", params);
	assert_int_equal(count(api, "port", "{}"), ports);
	assert_int_equal(interfaces(api, t.router), 1);
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", fip);
	failing_group(api, &fx, "floatingip.delete", params);
	assert_int_equal(count(api, "port", "{}"), ports);
	vsw_api_destroy(api);

	/* reloaded: objects and indexes are back */
	api = make_api(fx.db, &hooks);
	assert_int_equal(count(api, "port", "{}"), ports);
	r = show(api, "router", t.router);
	assert_int_equal(json_array_size(json_object_get(r, "interfaces")), 1);
	assert_non_null(json_string_value(json_object_get(r, "gw_port_id")));
	json_decref(r);
	r = show(api, "floatingip", fip);
	assert_string_equal(str(r, "router_id"), t.router);
	json_decref(r);
	fails(api, "network.create", 409, "SegmentationIdInUse", "provider:segmentation_id",
	      "{\"provider:network_type\":\"vlan\",\"provider:physical_network\":\"trunk\","
	      "\"provider:segmentation_id\":7}");
	fails(api, "uplink.create", 409, "UplinkNameInUse", "name",
	      "{\"name\":\"trunk\",\"role\":\"flat\",\"devargs\":\"zz\"}");
	fails(api, "floatingip.create", 409, "FloatingIPPortAlreadyAssociated", "port_id",
	      "{\"floating_network_id\":\"%s\",\"port_id\":\"%s\"}", t.ext_net, t.vm);
	fails(api, "router.remove_interface", 409, "RouterInterfaceInUseByFloatingIP",
	      "subnet_id", "{\"id\":\"%s\",\"subnet_id\":\"%s\"}", t.router, t.sub);
	json_decref(ok(api, "port.delete", "{\"id\":\"%s\"}", t.vm));
	assert_member(api, "floatingip", fip, "port_id", "null");
	vsw_api_destroy(api);
	remove_db(&fx);
}

/* --- uplinks of the configuration file --- */

static void
config_uplink(struct vsw_config_uplink *u, const char *name, const char *role,
	      const char *devargs, const char *local_ip, const char *gateway)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->role, sizeof(u->role), "%s", role);
	snprintf(u->devargs, sizeof(u->devargs), "%s", devargs);
	snprintf(u->local_ip, sizeof(u->local_ip), "%s", local_ip);
	snprintf(u->gateway_ip, sizeof(u->gateway_ip), "%s", gateway);
	u->admin_state_up = true;
}

static void
test_uplinks_apply_config(void **state)
{
	struct vsw_api *api = *state;
	static struct vsw_config cfg;
	char err[256] = "", id[VSW_UUID_STRLEN];
	json_t *list;

	memset(&cfg, 0, sizeof(cfg));
	cfg.n_uplinks = 2;
	config_uplink(&cfg.uplinks[0], "phys0", "vlan", "net_af_packet0,iface=veth1", "", "");
	cfg.uplinks[0].mtu = 9000;
	config_uplink(&cfg.uplinks[1], "under", "vxlan", "net_pcap0,iface=lo", "192.0.2.5",
		      "192.0.2.1");
	cfg.uplinks[1].local_prefixlen = 28;
	cfg.uplinks[1].admin_state_up = false;
	assert_int_equal(vsw_uplinks_apply_config(api, &cfg, err, sizeof(err)), 0);
	list = ok(api, "uplink.list", "{\"name\":\"under\"}");
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(num(json_array_get(list, 0), "local_prefixlen"), 28);
	assert_string_equal(str(json_array_get(list, 0), "gateway_ip"), "192.0.2.1");
	assert_true(json_is_false(json_object_get(json_array_get(list, 0), "admin_state_up")));
	json_decref(list);
	uplink_id(api, "phys0", id);
	assert_member(api, "uplink", id, "mtu", "9000");

	/* again: stored ones are kept as they are, new ones added */
	json_decref(ok(api, "uplink.update", "{\"id\":\"%s\",\"mtu\":1600}", id));
	cfg.n_uplinks = 3;
	config_uplink(&cfg.uplinks[2], "flat1", "flat", "net_null0", "", "");
	assert_int_equal(vsw_uplinks_apply_config(api, &cfg, err, sizeof(err)), 0);
	assert_int_equal(count(api, "uplink", "{}"), 3);
	assert_int_equal(count(api, "uplink", "{\"mtu\":1600}"), 1);

	/* what the API refuses is an error naming the uplink */
	cfg.n_uplinks = 4;
	config_uplink(&cfg.uplinks[3], "bad", "vxlan", "net_null1", "192.0.2.5", "10.9.9.9");
	assert_int_equal(vsw_uplinks_apply_config(api, &cfg, err, sizeof(err)), -EINVAL);
	if (strncmp(err, "uplink bad: gateway_ip 10.9.9.9", 31) != 0)
		fail_msg("got '%s'", err);
	assert_int_equal(count(api, "uplink", "{}"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_uplink_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_provider_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_interface_by_subnet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_interface_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_interface_by_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_router_gateway_and_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floatingip_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floatingip_association_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uplinks_apply_config, setup, teardown),
		cmocka_unit_test(test_group_rollback_and_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
