/* SPDX-License-Identifier: BSD-3-Clause */
/* VXLAN static control (remote VTEPs, FDB entries) on networks, static
 * neighbours of uplinks, and one device per uplink or VNIC: every rule and
 * error, journal safety and reload. */
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
#include "model.h"
#include "resources.h"

static void
assert_json(const json_t *got, const char *json_text, const char *what)
{
	json_t *want = json_loads(json_text, JSON_DECODE_ANY, NULL);

	assert_non_null(want);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY);

		fail_msg("%s is %s, want %s", what, g, json_text);
	}
	json_decref(want);
}

/* The stored member (what l3_sync reads), and the view's, equal json_text. */
static void
assert_member(struct vsw_api *api, const char *kind, const char *id,
	      const char *key, const char *json_text)
{
	const json_t *stored = vsw_model_get(vsw_api_model(api), kind, id);
	char method[64];
	json_t *view;

	assert_non_null(stored);
	assert_json(json_object_get(stored, key), json_text, key);
	snprintf(method, sizeof(method), "%s.show", kind);
	view = ok(api, method, "{\"id\":\"%s\"}", id);
	assert_json(json_object_get(view, key), json_text, key);
	json_decref(view);
}

/* underlay "under" (vxlan, VTEP 192.0.2.1), trunk "trunk" (vlan). */
static void
make_uplinks(struct vsw_api *api)
{
	char id[VSW_UUID_STRLEN];

	create(api, id, "uplink", "{\"name\":\"under\",\"role\":\"vxlan\","
	       "\"devargs\":\"net_af_packet0,iface=under0\",\"local_ip\":\"192.0.2.1\"}");
	create(api, id, "uplink", "{\"name\":\"trunk\",\"role\":\"vlan\","
	       "\"devargs\":\"net_af_packet1,iface=trunk0\"}");
}

static void
vxlan_net(struct vsw_api *api, char id[VSW_UUID_STRLEN], int vni)
{
	create(api, id, "network", "{\"provider:network_type\":\"vxlan\","
	       "\"provider:physical_network\":\"under\",\"provider:segmentation_id\":%d}", vni);
}

/* --- remote VTEPs --- */

static void
test_members_default_and_read_only(void **state)
{
	struct vsw_api *api = *state;
	char local[VSW_UUID_STRLEN], vlan[VSW_UUID_STRLEN], vx[VSW_UUID_STRLEN];

	make_uplinks(api);
	create(api, local, "network", "{}");
	create(api, vlan, "network", "{\"provider:network_type\":\"vlan\","
	       "\"provider:physical_network\":\"trunk\",\"provider:segmentation_id\":5}");
	vxlan_net(api, vx, 5000);
	/* stored on every network, so readers need no default */
	assert_member(api, "network", local, "remote_vteps", "[]");
	assert_member(api, "network", local, "fdb_entries", "[]");
	assert_member(api, "network", vlan, "remote_vteps", "[]");
	assert_member(api, "network", vx, "fdb_entries", "[]");
	fails(api, "network.create", 400, "InvalidInput", "remote_vteps",
	      "{\"remote_vteps\":[\"192.0.2.2\"]}");
	fails(api, "network.create", 400, "InvalidInput", "fdb_entries",
	      "{\"fdb_entries\":[]}");
	fails(api, "network.update", 400, "InvalidInput", "remote_vteps",
	      "{\"id\":\"%s\",\"remote_vteps\":[\"192.0.2.2\"]}", vx);
	fails(api, "network.update", 400, "InvalidInput", "fdb_entries",
	      "{\"id\":\"%s\",\"fdb_entries\":[]}", vx);
}

static void
test_remote_vteps(void **state)
{
	struct vsw_api *api = *state;
	char vx[VSW_UUID_STRLEN], other[VSW_UUID_STRLEN];
	json_t *r;

	make_uplinks(api);
	vxlan_net(api, vx, 5000);
	vxlan_net(api, other, 5001);
	r = ok(api, "network.add_remote_vtep", "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	assert_string_equal(str(r, "id"), vx);  /* the updated network */
	assert_json(json_object_get(r, "remote_vteps"), "[\"192.0.2.2\"]", "result");
	json_decref(r);
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"198.51.100.7\"}", vx));
	assert_member(api, "network", vx, "remote_vteps", "[\"192.0.2.2\",\"198.51.100.7\"]");
	assert_member(api, "network", other, "remote_vteps", "[]");
	/* the same VTEP on another network is another entry */
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", other));

	fails(api, "network.add_remote_vtep", 409, "RemoteVtepExists", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	r = ok(api, "network.remove_remote_vtep",
	       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	assert_json(json_object_get(r, "remote_vteps"), "[\"198.51.100.7\"]", "result");
	json_decref(r);
	assert_member(api, "network", vx, "remote_vteps", "[\"198.51.100.7\"]");
	fails(api, "network.remove_remote_vtep", 404, "RemoteVtepNotFound", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	assert_member(api, "network", other, "remote_vteps", "[\"192.0.2.2\"]");
}

static void
test_remote_vtep_errors(void **state)
{
	static const char *const bad_ips[] = {
		"\"192.0.2\"", "\"192.0.2.256\"", "\"x\"", "\"\"", "5", "null",
		"\"0.0.0.0\"", "\"127.0.0.1\"", "\"224.0.0.1\"", "\"255.255.255.255\"",
		"\"192.0.2.2/32\"",
	};
	struct vsw_api *api = *state;
	char vx[VSW_UUID_STRLEN], local[VSW_UUID_STRLEN], vlan[VSW_UUID_STRLEN];

	make_uplinks(api);
	vxlan_net(api, vx, 5000);
	create(api, local, "network", "{}");
	create(api, vlan, "network", "{\"provider:network_type\":\"vlan\","
	       "\"provider:physical_network\":\"trunk\",\"provider:segmentation_id\":5}");

	for (size_t i = 0; i < sizeof(bad_ips) / sizeof(bad_ips[0]); i++)
		fails(api, "network.add_remote_vtep", 400, "InvalidInput", "ip_address",
		      "{\"id\":\"%s\",\"ip_address\":%s}", vx, bad_ips[i]);
	fails(api, "network.add_remote_vtep", 400, "InvalidInput", "ip_address",
	      "{\"id\":\"%s\"}", vx);
	/* this host's own VTEP */
	fails(api, "network.add_remote_vtep", 400, "InvalidInput", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.1\"}", vx);
	fails(api, "network.add_remote_vtep", 400, "UnknownField", NULL,
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\",\"vni\":5}", vx);
	fails(api, "network.add_remote_vtep", 400, "InvalidInput", "id",
	      "{\"ip_address\":\"192.0.2.2\"}");
	/* VXLAN networks only */
	fails(api, "network.add_remote_vtep", 400, "InvalidInput", "id",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", local);
	fails(api, "network.add_remote_vtep", 400, "InvalidInput", "id",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vlan);
	fails(api, "network.remove_remote_vtep", 400, "InvalidInput", "id",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vlan);
	fails(api, "network.add_fdb_entry", 400, "InvalidInput", "id",
	      "{\"id\":\"%s\",\"mac_address\":\"02:00:00:00:00:01\",\"remote_ip\":\"192.0.2.2\"}",
	      local);
	fails(api, "network.remove_fdb_entry", 400, "InvalidInput", "id",
	      "{\"id\":\"%s\",\"mac_address\":\"02:00:00:00:00:01\"}", local);
	fails(api, "network.add_remote_vtep", 404, "NetworkNotFound", "id",
	      "{\"id\":\"00000000-0000-4000-8000-000000000000\",\"ip_address\":\"192.0.2.2\"}");
	fails(api, "network.remove_remote_vtep", 404, "NetworkNotFound", "id",
	      "{\"id\":\"nope\",\"ip_address\":\"192.0.2.2\"}");
	/* admin only, every method */
	fails(api, "network.add_remote_vtep", 403, "Forbidden", NULL,
	      "{\"admin\":false,\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	fails(api, "network.remove_remote_vtep", 403, "Forbidden", NULL,
	      "{\"admin\":false,\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	fails(api, "network.add_fdb_entry", 403, "Forbidden", NULL,
	      "{\"admin\":false,\"id\":\"%s\",\"mac_address\":\"02:00:00:00:00:01\","
	      "\"remote_ip\":\"192.0.2.2\"}", vx);
	fails(api, "network.remove_fdb_entry", 403, "Forbidden", NULL,
	      "{\"admin\":false,\"id\":\"%s\",\"mac_address\":\"02:00:00:00:00:01\"}", vx);
	assert_member(api, "network", vx, "remote_vteps", "[]");
}

static void
test_remote_vtep_limit(void **state)
{
	struct vsw_api *api = *state;
	char vx[VSW_UUID_STRLEN];
	const json_t *stored;

	make_uplinks(api);
	vxlan_net(api, vx, 5000);
	for (int i = 0; i < 1024; i++)
		json_decref(ok(api, "network.add_remote_vtep",
			       "{\"id\":\"%s\",\"ip_address\":\"10.1.%d.%d\"}", vx, i / 200,
			       i % 200 + 1));
	fails(api, "network.add_remote_vtep", 409, "RemoteVtepLimitReached", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"10.2.0.1\"}", vx);
	stored = vsw_model_get(vsw_api_model(api), "network", vx);
	assert_int_equal(json_array_size(json_object_get(stored, "remote_vteps")), 1024);
	/* the duplicate check still answers first */
	fails(api, "network.add_remote_vtep", 409, "RemoteVtepExists", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"10.1.0.1\"}", vx);
	json_decref(ok(api, "network.remove_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"10.1.0.1\"}", vx));
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"10.2.0.1\"}", vx));
}

/* --- FDB entries --- */

static void
test_fdb_entries(void **state)
{
	struct vsw_api *api = *state;
	char vx[VSW_UUID_STRLEN];
	json_t *r;

	make_uplinks(api);
	vxlan_net(api, vx, 5000);
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx));
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.3\"}", vx));
	/* MACs are stored canonical: lower case, ':' */
	r = ok(api, "network.add_fdb_entry", "{\"id\":\"%s\",\"mac_address\":\"FA-16-3E-00-00-0A\","
	       "\"remote_ip\":\"192.0.2.2\"}", vx);
	assert_json(json_object_get(r, "fdb_entries"),
		    "[{\"mac_address\":\"fa:16:3e:00:00:0a\",\"remote_ip\":\"192.0.2.2\"}]",
		    "result");
	json_decref(r);
	json_decref(ok(api, "network.add_fdb_entry", "{\"id\":\"%s\",\"mac_address\":"
		       "\"fa:16:3e:00:00:0b\",\"remote_ip\":\"192.0.2.3\"}", vx));
	assert_member(api, "network", vx, "fdb_entries",
		      "[{\"mac_address\":\"fa:16:3e:00:00:0a\",\"remote_ip\":\"192.0.2.2\"},"
		      "{\"mac_address\":\"fa:16:3e:00:00:0b\",\"remote_ip\":\"192.0.2.3\"}]");

	/* one entry per MAC: moving one is remove + add */
	fails(api, "network.add_fdb_entry", 409, "FdbEntryExists", "mac_address",
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:0a\",\"remote_ip\":\"192.0.2.3\"}",
	      vx);
	fails(api, "network.add_fdb_entry", 409, "FdbEntryExists", "mac_address",
	      "{\"id\":\"%s\",\"mac_address\":\"FA:16:3E:00:00:0A\",\"remote_ip\":\"192.0.2.2\"}",
	      vx);
	/* a VTEP an entry points to stays */
	fails(api, "network.remove_remote_vtep", 409, "RemoteVtepInUse", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	r = ok(api, "network.remove_fdb_entry", "{\"id\":\"%s\",\"mac_address\":"
	       "\"FA:16:3E:00:00:0A\"}", vx);
	assert_json(json_object_get(r, "fdb_entries"),
		    "[{\"mac_address\":\"fa:16:3e:00:00:0b\",\"remote_ip\":\"192.0.2.3\"}]",
		    "result");
	json_decref(r);
	fails(api, "network.remove_fdb_entry", 404, "FdbEntryNotFound", "mac_address",
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:0a\"}", vx);
	json_decref(ok(api, "network.remove_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx));
	assert_member(api, "network", vx, "remote_vteps", "[\"192.0.2.3\"]");
	/* other members untouched; an update keeps the lists */
	json_decref(ok(api, "network.update", "{\"id\":\"%s\",\"name\":\"blue\"}", vx));
	assert_member(api, "network", vx, "remote_vteps", "[\"192.0.2.3\"]");
	assert_member(api, "network", vx, "fdb_entries",
		      "[{\"mac_address\":\"fa:16:3e:00:00:0b\",\"remote_ip\":\"192.0.2.3\"}]");
	assert_member(api, "network", vx, "name", "\"blue\"");
}

static void
test_fdb_entry_errors(void **state)
{
	static const char *const bad_macs[] = {
		"\"01:00:5e:00:00:01\"", "\"ff:ff:ff:ff:ff:ff\"", "\"00:00:00:00:00:00\"",
		"\"fa:16:3e:00:00\"", "\"fa:16:3e:00:00:0g\"", "7", "null",
	};
	struct vsw_api *api = *state;
	char vx[VSW_UUID_STRLEN];

	make_uplinks(api);
	vxlan_net(api, vx, 5000);
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx));
	for (size_t i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		fails(api, "network.add_fdb_entry", 400, "InvalidInput", "mac_address",
		      "{\"id\":\"%s\",\"mac_address\":%s,\"remote_ip\":\"192.0.2.2\"}", vx,
		      bad_macs[i]);
		fails(api, "network.remove_fdb_entry", 400, "InvalidInput", "mac_address",
		      "{\"id\":\"%s\",\"mac_address\":%s}", vx, bad_macs[i]);
	}
	fails(api, "network.add_fdb_entry", 400, "InvalidInput", "mac_address",
	      "{\"id\":\"%s\",\"remote_ip\":\"192.0.2.2\"}", vx);
	fails(api, "network.add_fdb_entry", 400, "InvalidInput", "remote_ip",
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:01\"}", vx);
	fails(api, "network.add_fdb_entry", 400, "InvalidInput", "remote_ip",
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:01\",\"remote_ip\":\"239.1.1.1\"}",
	      vx);
	/* remote_ip must be one of the network's remote VTEPs */
	fails(api, "network.add_fdb_entry", 400, "InvalidInput", "remote_ip",
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:01\",\"remote_ip\":\"192.0.2.9\"}",
	      vx);
	fails(api, "network.add_fdb_entry", 400, "UnknownField", NULL,
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:01\",\"remote_ip\":\"192.0.2.2\","
	      "\"ip_address\":\"192.0.2.2\"}", vx);
	fails(api, "network.remove_fdb_entry", 400, "UnknownField", NULL,
	      "{\"id\":\"%s\",\"mac_address\":\"fa:16:3e:00:00:01\",\"remote_ip\":\"192.0.2.2\"}",
	      vx);
	fails(api, "network.add_fdb_entry", 404, "NetworkNotFound", "id",
	      "{\"id\":\"00000000-0000-4000-8000-000000000000\",\"mac_address\":"
	      "\"fa:16:3e:00:00:01\",\"remote_ip\":\"192.0.2.2\"}");
	fails(api, "network.remove_fdb_entry", 404, "NetworkNotFound", "id",
	      "{\"id\":\"00000000-0000-4000-8000-000000000000\",\"mac_address\":"
	      "\"fa:16:3e:00:00:01\"}");
	assert_member(api, "network", vx, "fdb_entries", "[]");
}

/* --- journal safety and reload --- */

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

/* A request in a group whose data-plane apply fails: it is taken back. */
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
test_rollback_and_reload(void **state)
{
	static const char *const vteps = "[\"192.0.2.2\"]";
	static const char *const fdb =
		"[{\"mac_address\":\"fa:16:3e:00:00:0a\",\"remote_ip\":\"192.0.2.2\"}]";
	struct reload_fx fx = { .apply_fail = 0 };
	struct vsw_api_hooks hooks = { .arg = &fx, .apply = failing_apply };
	struct vsw_api *api;
	char vx[VSW_UUID_STRLEN], up[VSW_UUID_STRLEN], params[256];

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/vsw-test-vtep-XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/vsw.db", fx.dir);
	api = make_api(fx.db, &hooks);
	make_uplinks(api);
	vxlan_net(api, vx, 5000);
	json_decref(ok(api, "network.add_remote_vtep",
		       "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx));
	json_decref(ok(api, "network.add_fdb_entry", "{\"id\":\"%s\",\"mac_address\":"
		       "\"fa:16:3e:00:00:0a\",\"remote_ip\":\"192.0.2.2\"}", vx));
	create(api, up, "uplink", "{\"name\":\"ext\",\"role\":\"flat\",\"devargs\":\"net_null0\","
	       "\"neighbors\":[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:01\"}]}");

	/* failed groups change nothing */
	snprintf(params, sizeof(params), "{\"admin\":true,\"id\":\"%s\",\"ip_address\":\"192.0.2.3\"}",
		 vx);
	failing_group(api, &fx, "network.add_remote_vtep", params);
	snprintf(params, sizeof(params), "{\"admin\":true,\"id\":\"%s\",\"mac_address\":"
		 "\"fa:16:3e:00:00:0a\"}", vx);
	failing_group(api, &fx, "network.remove_fdb_entry", params);
	snprintf(params, sizeof(params), "{\"admin\":true,\"id\":\"%s\",\"neighbors\":[]}", up);
	failing_group(api, &fx, "uplink.update", params);
	assert_member(api, "network", vx, "remote_vteps", vteps);
	assert_member(api, "network", vx, "fdb_entries", fdb);
	assert_member(api, "uplink", up, "neighbors",
		      "[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:01\"}]");
	vsw_api_destroy(api);

	/* reloaded: the lists and the device indexes are back */
	api = make_api(fx.db, &hooks);
	assert_member(api, "network", vx, "remote_vteps", vteps);
	assert_member(api, "network", vx, "fdb_entries", fdb);
	assert_member(api, "uplink", up, "neighbors",
		      "[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:01\"}]");
	fails(api, "network.add_remote_vtep", 409, "RemoteVtepExists", "ip_address",
	      "{\"id\":\"%s\",\"ip_address\":\"192.0.2.2\"}", vx);
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"net_tap0,iface=under0\"}");
	vsw_api_destroy(api);
	remove_db(&fx);
}

/* --- uplink static neighbours --- */

static void
test_uplink_neighbors(void **state)
{
	struct vsw_api *api = *state;
	char up[VSW_UUID_STRLEN], other[VSW_UUID_STRLEN];
	json_t *r;

	create(api, up, "uplink", "{\"name\":\"ext\",\"role\":\"flat\",\"devargs\":\"net_null0\"}");
	assert_member(api, "uplink", up, "neighbors", "[]");
	create(api, other, "uplink", "{\"name\":\"under\",\"role\":\"vxlan\",\"devargs\":"
	       "\"net_null1\",\"local_ip\":\"192.0.2.1\",\"neighbors\":[{\"ip_address\":"
	       "\"192.0.2.254\",\"mac_address\":\"02:AA:BB:CC:DD:EE\"}]}");
	assert_member(api, "uplink", other, "neighbors",
		      "[{\"ip_address\":\"192.0.2.254\",\"mac_address\":\"02:aa:bb:cc:dd:ee\"}]");
	r = ok(api, "uplink.update", "{\"id\":\"%s\",\"neighbors\":["
	       "{\"mac_address\":\"02-00-00-00-00-01\",\"ip_address\":\"203.0.113.1\"},"
	       "{\"ip_address\":\"203.0.113.2\",\"mac_address\":\"02:00:00:00:00:01\"}]}", up);
	assert_json(json_object_get(r, "neighbors"),
		    "[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:01\"},"
		    "{\"ip_address\":\"203.0.113.2\",\"mac_address\":\"02:00:00:00:00:01\"}]",
		    "result");
	json_decref(r);
	json_decref(ok(api, "uplink.update", "{\"id\":\"%s\",\"neighbors\":[]}", up));
	assert_member(api, "uplink", up, "neighbors", "[]");
	/* not for other projects' requests: uplinks are admin only */
	fails(api, "uplink.update", 403, "Forbidden", NULL,
	      "{\"admin\":false,\"id\":\"%s\",\"neighbors\":[]}", up);
}

/* uplink.update of id with n neighbours of distinct addresses (a request
 * larger than the text helpers take). */
static json_t *
update_neighbors(struct vsw_api *api, const char *id, int n)
{
	json_t *list = json_array(), *req, *resp;
	char ip[VSW_IPV4_STRLEN], *text;

	for (int i = 0; i < n; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 200, i % 200 + 1);
		json_array_append_new(list, json_pack("{s:s, s:s}", "ip_address", ip,
						      "mac_address", "02:00:00:00:00:01"));
	}
	req = json_pack("{s:s, s:s, s:i, s:{s:b, s:s, s:o}}", "jsonrpc", "2.0",
			"method", "uplink.update", "id", 1, "params", "admin", 1,
			"id", id, "neighbors", list);
	assert_non_null(req);
	text = json_dumps(req, JSON_COMPACT);
	vsw_api_group_begin(api);
	resp = vsw_api_handle_text(api, &root, text, strlen(text));
	assert_int_equal(vsw_api_group_end(api), 0);
	free(text);
	json_decref(req);
	assert_non_null(resp);
	return resp;
}

static void
test_uplink_neighbor_errors(void **state)
{
	static const char *const bad[] = {
		"{}",
		"\"x\"",
		"[1]",
		"[{\"ip_address\":\"203.0.113.1\"}]",
		"[{\"mac_address\":\"02:00:00:00:00:01\"}]",
		"[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:01\",\"x\":1}]",
		"[{\"ip_address\":\"203.0.113\",\"mac_address\":\"02:00:00:00:00:01\"}]",
		"[{\"ip_address\":\"224.0.0.5\",\"mac_address\":\"02:00:00:00:00:01\"}]",
		"[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"01:00:5e:00:00:01\"}]",
		"[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"00:00:00:00:00:00\"}]",
		/* the same IP twice */
		("[{\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:01\"},"
		 " {\"ip_address\":\"203.0.113.1\",\"mac_address\":\"02:00:00:00:00:02\"}]"),
		"null",
	};
	struct vsw_api *api = *state;
	char up[VSW_UUID_STRLEN];

	create(api, up, "uplink", "{\"name\":\"ext\",\"role\":\"flat\",\"devargs\":\"net_null0\"}");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fails(api, "uplink.update", 400, "InvalidInput", "neighbors",
		      "{\"id\":\"%s\",\"neighbors\":%s}", up, bad[i]);
		fails(api, "uplink.create", 400, "InvalidInput", "neighbors",
		      "{\"name\":\"x\",\"role\":\"flat\",\"devargs\":\"net_null5\","
		      "\"neighbors\":%s}", bad[i]);
	}
	/* at most 256 */
	check_error(update_neighbors(api, up, 257), 400, "InvalidInput", "neighbors");
	assert_member(api, "uplink", up, "neighbors", "[]");
	json_decref(result_of(update_neighbors(api, up, 256), "uplink.update"));
	assert_int_equal(json_array_size(json_object_get(
		vsw_model_get(vsw_api_model(api), "uplink", up), "neighbors")), 256);
}

/* --- one device per uplink or VNIC --- */

static void
test_device_keys(void **state)
{
	struct vsw_device_keys k;

	(void)state;
	vsw_device_keys("net_af_packet0,iface=veth1,qpairs=2", &k);
	assert_string_equal(k.name, "net_af_packet0");
	assert_string_equal(k.iface, "veth1");
	vsw_device_keys("net_tap3,remote=x,iface=tap9", &k);
	assert_string_equal(k.name, "net_tap3");
	assert_string_equal(k.iface, "tap9");
	vsw_device_keys("eth_af_packet1,iface=veth1", &k);
	assert_string_equal(k.iface, "veth1");
	vsw_device_keys("net_pcap0,iface=eth0", &k);
	assert_string_equal(k.iface, "eth0");
	/* other drivers' iface= is not a kernel interface we know of */
	vsw_device_keys("net_null0,iface=veth1", &k);
	assert_string_equal(k.name, "net_null0");
	assert_string_equal(k.iface, "");
	vsw_device_keys("net_af_packet0,ifacex=veth1", &k);
	assert_string_equal(k.iface, "");
	vsw_device_keys("net_tap0", &k);
	assert_string_equal(k.iface, "");
	/* a PCI address, with or without args, is canonical */
	vsw_device_keys("03:00.1,txq_inline=64", &k);
	assert_string_equal(k.name, "0000:03:00.1");
	vsw_device_keys("0000:3B:00.0", &k);
	assert_string_equal(k.name, "0000:3b:00.0");
}

static void
test_vnic_devargs_vs_uplink(void **state)
{
	struct vsw_api *api = *state;
	char up[VSW_UUID_STRLEN], vnic[VSW_UUID_STRLEN], pci[VSW_UUID_STRLEN];

	create(api, up, "uplink", "{\"name\":\"ext\",\"role\":\"flat\","
	       "\"devargs\":\"net_af_packet0,iface=veth1\"}");
	create(api, pci, "uplink", "{\"name\":\"nic\",\"role\":\"flat\","
	       "\"pci_address\":\"0000:03:00.0\"}");
	/* the uplink's devargs, its device, its kernel interface, its PCI address */
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"net_af_packet0,iface=veth1\"}");
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"net_af_packet0,iface=veth2\"}");
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"net_af_packet7,iface=veth1\"}");
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"net_tap0,iface=veth1\"}");
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"03:00.0\"}");
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"0000:03:00.0,txq_inline=64\"}");
	/* another interface is fine */
	create(api, vnic, "vnic", "{\"type\":\"dpdk\",\"devargs\":\"net_af_packet1,iface=veth2\"}");

	/* and the reverse: an uplink on what a VNIC opens */
	fails(api, "uplink.create", 409, "DevargsInUse", "devargs",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"devargs\":\"net_af_packet1,iface=veth2\"}");
	fails(api, "uplink.create", 409, "DevargsInUse", "devargs",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"devargs\":\"net_tap5,iface=veth2\"}");
	fails(api, "uplink.create", 409, "DevargsInUse", "devargs",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"devargs\":\"net_af_packet1,iface=veth3\"}");
	fails(api, "uplink.create", 409, "DevargsInUse", "devargs",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"devargs\":\"net_af_packet9,iface=veth1\"}");
	fails(api, "uplink.create", 409, "PciAddressInUse", "pci_address",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"pci_address\":\"03:00.0\"}");
	/* a VNIC with a PCI device blocks that address for uplinks */
	json_decref(ok(api, "vnic.create", "{\"type\":\"dpdk\",\"devargs\":\"0000:04:00.0\"}"));
	fails(api, "uplink.create", 409, "PciAddressInUse", "pci_address",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"pci_address\":\"04:00.0\"}");
	fails(api, "uplink.create", 409, "DevargsInUse", "devargs",
	      "{\"name\":\"u2\",\"role\":\"flat\",\"devargs\":\"04:00.0,x=1\"}");
	/* two VNICs on one kernel interface */
	fails(api, "vnic.create", 409, "DevargsInUse", "devargs",
	      "{\"type\":\"dpdk\",\"devargs\":\"net_tap1,iface=veth2\"}");

	/* deleting frees the device */
	json_decref(ok(api, "vnic.delete", "{\"id\":\"%s\"}", vnic));
	json_decref(ok(api, "uplink.create", "{\"name\":\"u2\",\"role\":\"flat\","
		       "\"devargs\":\"net_tap5,iface=veth2\"}"));
	json_decref(ok(api, "uplink.delete", "{\"id\":\"%s\"}", up));
	json_decref(ok(api, "vnic.create", "{\"type\":\"dpdk\",\"devargs\":"
		       "\"net_af_packet0,iface=veth1\"}"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_members_default_and_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_vteps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_vtep_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_vtep_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdb_entry_errors, setup, teardown),
		cmocka_unit_test(test_rollback_and_reload),
		cmocka_unit_test_setup_teardown(test_uplink_neighbors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uplink_neighbor_errors, setup, teardown),
		cmocka_unit_test(test_device_keys),
		cmocka_unit_test_setup_teardown(test_vnic_devargs_vs_uplink, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
