/* SPDX-License-Identifier: BSD-3-Clause */
/* Durable state: reload, group commit and rollback, refusal of bad files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "api.h"
#include "resource.h"
#include "rpc.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW_BUILD 1
#endif
#endif
#ifndef SLOW_BUILD
#define SLOW_BUILD 0
#endif

static const struct vsw_caller root = { .uid = 0, .pid = 1, .may_admin = true };

struct fixture {
	char dir[64];
	char db[128];
	struct vsw_api_hooks hooks;
	int apply_calls;
	int apply_fail;        /* fail the next apply calls with this errno */
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vsw-test-store-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/vsw.db", fx->dir);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
	char path[160];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", fx->db, suffixes[i]);
		unlink(path);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static int
counting_apply(void *arg, struct vsw_api *api, struct vsw_error *err)
{
	struct fixture *fx = arg;

	(void)api;
	fx->apply_calls++;
	if (fx->apply_fail != 0)
		return vsw_error_set(err, -fx->apply_fail, "DataPlaneFailed", NULL,
				     "injected apply failure");
	return 0;
}

static struct vsw_api *
open_api(struct fixture *fx, struct vsw_error *err)
{
	struct vsw_api_options opt = {
		.db_path = fx->db, .default_project = "p1", .version = "t",
	};

	fx->hooks.arg = fx;
	fx->hooks.apply = counting_apply;
	return vsw_api_create(&opt, &fx->hooks, err);
}

static struct vsw_api *
must_open(struct fixture *fx)
{
	struct vsw_error err;
	struct vsw_api *api = open_api(fx, &err);

	if (api == NULL)
		fail_msg("vsw_api_create: %s", err.message);
	return api;
}

/* One request inside the caller's group (no group_begin/end here). */
static json_t *
send_in_group(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	char params[2048], text[2400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(params, sizeof(params), fmt, ap);
	va_end(ap);
	n = snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":\"%s\","
		     "\"params\":%s,\"id\":\"%s\"}", method, params, method);
	return vsw_api_handle_text(api, &root, text, (size_t)n);
}

/* One request as its own group; returns the result (owned) or fails. */
static json_t *
ok(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	char params[2048];
	va_list ap;
	json_t *resp, *result;

	va_start(ap, fmt);
	vsnprintf(params, sizeof(params), fmt, ap);
	va_end(ap);
	vsw_api_group_begin(api);
	resp = send_in_group(api, method, "%s", params);
	assert_int_equal(vsw_api_group_end(api), 0);
	result = json_incref(json_object_get(resp, "result"));
	if (result == NULL)
		fail_msg("%s %s failed: %s", method, params, json_dumps(resp, 0));
	json_decref(resp);
	return result;
}

static const char *
str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *
error_type(const json_t *resp)
{
	return str(json_object_get(json_object_get(resp, "error"), "data"), "type");
}

static json_int_t
error_code(const json_t *resp)
{
	return json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));
}

/* Everything the API shows: admin lists of every kind. */
static json_t *
snapshot(struct vsw_api *api)
{
	json_t *all = json_object();

	json_object_set_new(all, "networks", ok(api, "network.list", "{\"admin\":true}"));
	json_object_set_new(all, "ports", ok(api, "port.list", "{\"admin\":true}"));
	json_object_set_new(all, "vnics", ok(api, "vnic.list", "{\"admin\":true}"));
	return all;
}

static size_t
count(struct vsw_api *api, const char *kind)
{
	char method[32];
	json_t *list;
	size_t n;

	snprintf(method, sizeof(method), "%s.list", kind);
	list = ok(api, method, "{\"admin\":true}");
	n = json_array_size(list);
	json_decref(list);
	return n;
}

static void
assert_mode_0600(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

/* --- reload --- */

static void
test_reload_identical(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api *api = must_open(fx);
	json_t *net, *net2, *port, *port2, *vnic, *before, *after, *r;
	char extra[128];

	net = ok(api, "network.create", "{\"name\":\"n1\",\"mtu\":1450,\"project_id\":\"A\"}");
	net2 = ok(api, "network.create", "{\"admin\":true,\"shared\":true}");
	port = ok(api, "port.create", "{\"project_id\":\"A\",\"network_id\":\"%s\","
		  "\"mac_address\":\"02:00:00:00:00:01\",\"allowed_address_pairs\":"
		  "[{\"ip_address\":\"10.0.0.0/24\"}]}", str(net, "id"));
	port2 = ok(api, "port.create", "{\"project_id\":\"A\",\"network_id\":\"%s\"}",
		   str(net, "id"));
	vnic = ok(api, "vnic.create", "{\"project_id\":\"A\",\"type\":\"vhost-user\","
		  "\"socket\":\"/run/x.sock\",\"mode\":\"server\"}");
	json_decref(ok(api, "vnic.create", "{\"type\":\"dpdk\",\"devargs\":\"net_null0\","
		       "\"mac_address\":\"02:00:00:00:00:99\"}"));
	json_decref(ok(api, "vnic.plug", "{\"project_id\":\"A\",\"vnic_id\":\"%s\","
		       "\"port_id\":\"%s\"}", str(vnic, "id"), str(port, "id")));
	json_decref(ok(api, "network.update", "{\"project_id\":\"A\",\"id\":\"%s\","
		       "\"name\":\"renamed\"}", str(net, "id")));
	json_decref(ok(api, "port.delete", "{\"project_id\":\"A\",\"id\":\"%s\"}",
		       str(port2, "id")));
	before = snapshot(api);
	vsw_api_destroy(api);

	api = must_open(fx);
	after = snapshot(api);
	if (!json_equal(before, after))
		fail_msg("reload differs:\n%s\n%s", json_dumps(before, JSON_INDENT(1)),
			 json_dumps(after, JSON_INDENT(1)));
	/* computed members survive too: the plugged port is BUILD/vhostuser */
	r = ok(api, "port.show", "{\"admin\":true,\"id\":\"%s\"}", str(port, "id"));
	assert_string_equal(str(r, "binding:vif_type"), "vhostuser");
	assert_string_equal(str(r, "vnic_id"), str(vnic, "id"));
	json_decref(r);
	/* indexes are rebuilt: uniqueness and in-use checks still hold */
	vsw_api_group_begin(api);
	r = send_in_group(api, "port.create", "{\"project_id\":\"A\",\"network_id\":\"%s\","
			  "\"mac_address\":\"02:00:00:00:00:01\"}", str(net, "id"));
	assert_string_equal(error_type(r), "MacAddressInUse");
	json_decref(r);
	r = send_in_group(api, "vnic.create", "{\"type\":\"vhost-user\",\"socket\":\"/run/x.sock\"}");
	assert_string_equal(error_type(r), "SocketInUse");
	json_decref(r);
	r = send_in_group(api, "vnic.create", "{\"type\":\"dpdk\",\"devargs\":\"net_null0\"}");
	assert_string_equal(error_type(r), "DevargsInUse");
	json_decref(r);
	r = send_in_group(api, "network.delete", "{\"project_id\":\"A\",\"id\":\"%s\"}",
			  str(net, "id"));
	assert_string_equal(error_type(r), "NetworkInUse");
	json_decref(r);
	r = send_in_group(api, "vnic.delete", "{\"project_id\":\"A\",\"id\":\"%s\"}",
			  str(vnic, "id"));
	assert_string_equal(error_type(r), "VnicInUse");
	json_decref(r);
	assert_int_equal(vsw_api_group_end(api), 0);
	/* the model behind the API is there for the data plane compiler */
	assert_int_equal(json_object_size(vsw_model_kind(vsw_api_model(api), "port")), 1);
	snprintf(extra, sizeof(extra), "%s", str(net2, "id"));
	assert_non_null(vsw_model_get(vsw_api_model(api), "network", extra));
	vsw_api_destroy(api);
	json_decref(before);
	json_decref(after);
	json_decref(net);
	json_decref(net2);
	json_decref(port);
	json_decref(port2);
	json_decref(vnic);
}

static void
test_file_modes(void **state)
{
	struct fixture *fx = *state;
	mode_t old = umask(0);
	struct vsw_api *api = must_open(fx);
	char path[160];

	umask(old);
	json_decref(ok(api, "network.create", "{}"));
	assert_mode_0600(fx->db);
	snprintf(path, sizeof(path), "%s-wal", fx->db);
	assert_mode_0600(path);
	snprintf(path, sizeof(path), "%s-shm", fx->db);
	assert_mode_0600(path);
	vsw_api_destroy(api);
	/* a widened mode is tightened at the next start */
	assert_int_equal(chmod(fx->db, 0644), 0);
	api = must_open(fx);
	assert_mode_0600(fx->db);
	assert_int_equal(count(api, "network"), 1);
	vsw_api_destroy(api);
}

/* --- groups --- */

/* A method that writes an object and then fails, as a request that fails
 * half-way does. */
static int
put_then_fail(struct vsw_ctx *ctx, void *data, json_t *params, json_t **result,
	      struct vsw_error *err)
{
	json_t *obj = json_pack("{s:s, s:s, s:s}", "id", "0badc0de-0000-4000-8000-000000000000",
				"project_id", "p1", "name", "half");
	int rc;

	(void)data;
	(void)params;
	(void)result;
	rc = vsw_ctx_put(ctx, "network", obj, err);
	assert_int_equal(rc, 0);
	assert_non_null(vsw_model_get(ctx->model, "network",
				      "0badc0de-0000-4000-8000-000000000000"));
	return vsw_error_set(err, -EBUSY, "Conflict", NULL, "failed after a write");
}

static void
test_failed_request_in_group(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api *api = must_open(fx);
	json_t *net, *r1, *r2, *r3, *r4, *r5;

	assert_int_equal(vsw_api_register_method(api, "test.put_then_fail", put_then_fail,
						 NULL, VSW_METHOD_MUTATING), 0);
	net = ok(api, "network.create", "{}");
	vsw_api_group_begin(api);
	r1 = send_in_group(api, "port.create", "{\"network_id\":\"%s\","
			   "\"mac_address\":\"02:00:00:00:00:05\"}", str(net, "id"));
	r2 = send_in_group(api, "test.put_then_fail", "{}");
	r3 = send_in_group(api, "port.create", "{\"network_id\":\"%s\","
			   "\"mac_address\":\"02:00:00:00:00:05\"}", str(net, "id"));
	r4 = send_in_group(api, "port.create", "{\"network_id\":\"%s\","
			   "\"mac_address\":\"02:00:00:00:00:06\"}", str(net, "id"));
	r5 = send_in_group(api, "network.delete", "{\"id\":\"%s\"}", str(net, "id"));
	assert_int_equal(vsw_api_group_end(api), 0);
	assert_non_null(json_object_get(r1, "result"));
	assert_int_equal(error_code(r2), 409);
	assert_string_equal(error_type(r3), "MacAddressInUse");
	assert_non_null(json_object_get(r4, "result"));
	assert_string_equal(error_type(r5), "NetworkInUse");
	/* the half-done request left nothing, in memory or on disk */
	assert_null(vsw_model_get(vsw_api_model(api), "network",
				  "0badc0de-0000-4000-8000-000000000000"));
	assert_int_equal(count(api, "network"), 1);
	assert_int_equal(count(api, "port"), 2);
	vsw_api_destroy(api);
	api = must_open(fx);
	assert_int_equal(count(api, "network"), 1);
	assert_int_equal(count(api, "port"), 2);
	vsw_api_destroy(api);
	json_decref(net);
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	json_decref(r4);
	json_decref(r5);
}

static void
check_rewritten(json_t *resp, const char *id, int code)
{
	assert_null(json_object_get(resp, "result"));
	assert_int_equal(error_code(resp), code);
	assert_string_equal(error_type(resp), "StateWriteFailed");
	assert_string_equal(str(resp, "id"), id);
	assert_string_equal(str(resp, "jsonrpc"), "2.0");
}

static void
test_commit_failure_rolls_back(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api *api = must_open(fx);
	const char batch[] =
		"[{\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"params\":{\"name\":\"b1\"},\"id\":\"b1\"},"
		" {\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":\"l\"},"
		" {\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"params\":{\"mtu\":1},\"id\":\"bad\"}]";
	json_t *kept, *r1, *r2, *rb, *stats;

	kept = ok(api, "network.create", "{\"name\":\"kept\"}");
	vsw_api_group_begin(api);
	r1 = send_in_group(api, "network.create", "{\"name\":\"lost1\"}");
	r2 = send_in_group(api, "network.update", "{\"id\":\"%s\",\"name\":\"lost2\"}",
			   str(kept, "id"));
	rb = vsw_api_handle_text(api, &root, batch, strlen(batch));
	/* before the end of the group the changes are visible in memory */
	assert_non_null(json_object_get(r1, "result"));
	assert_int_equal(vsw_model_count(vsw_api_model(api), "network"), 3);
	vsw_api_fail_next_commit(api, -EIO);
	assert_true(vsw_api_group_end(api) < 0);
	check_rewritten(r1, "network.create", 500);
	check_rewritten(r2, "network.update", 500);
	check_rewritten(json_array_get(rb, 0), "b1", 500);
	/* reads and failures are left as they were */
	assert_true(json_is_array(json_object_get(json_array_get(rb, 1), "result")));
	assert_int_equal(error_code(json_array_get(rb, 2)), 400);
	/* memory is rolled back: only the committed network, unrenamed */
	json_t *list = ok(api, "network.list", "{}");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(str(json_array_get(list, 0), "name"), "kept");
	json_decref(list);
	stats = ok(api, "stats.get", "{}");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(stats, "api"),
							    "commit_failures")), 1);
	json_decref(stats);
	/* a full disk is 503 */
	vsw_api_group_begin(api);
	json_decref(r1);
	r1 = send_in_group(api, "network.create", "{}");
	vsw_api_fail_next_commit(api, -ENOSPC);
	assert_int_equal(vsw_api_group_end(api), -ENOSPC);
	check_rewritten(r1, "network.create", 503);
	/* the next group works again */
	json_decref(ok(api, "network.create", "{\"name\":\"after\"}"));
	vsw_api_destroy(api);
	api = must_open(fx);
	list = ok(api, "network.list", "{}");
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(str(json_array_get(list, 0), "name"), "kept");
	assert_string_equal(str(json_array_get(list, 1), "name"), "after");
	json_decref(list);
	vsw_api_destroy(api);
	json_decref(kept);
	json_decref(r1);
	json_decref(r2);
	json_decref(rb);
}

static void
test_apply_hook(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api *api = must_open(fx);
	json_t *r;

	/* reads do not apply; a group of changes applies once */
	json_decref(ok(api, "network.list", "{}"));
	assert_int_equal(fx->apply_calls, 0);
	vsw_api_group_begin(api);
	json_decref(send_in_group(api, "network.create", "{}"));
	json_decref(send_in_group(api, "network.create", "{}"));
	assert_int_equal(vsw_api_group_end(api), 0);
	assert_int_equal(fx->apply_calls, 1);
	/* a group whose changes all failed applies nothing */
	vsw_api_group_begin(api);
	json_decref(send_in_group(api, "network.create", "{\"mtu\":5}"));
	assert_int_equal(vsw_api_group_end(api), 0);
	assert_int_equal(fx->apply_calls, 1);
	/* a failed apply is not acknowledged, nor committed; the old model is
	 * applied again */
	fx->apply_fail = EIO;
	vsw_api_group_begin(api);
	r = send_in_group(api, "network.create", "{\"name\":\"x\"}");
	assert_true(vsw_api_group_end(api) < 0);
	fx->apply_fail = 0;
	assert_int_equal(fx->apply_calls, 3);
	assert_int_equal(error_code(r), 500);
	assert_string_equal(error_type(r), "StateWriteFailed");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r, "error"),
								 "message")),
			       "injected apply failure"));
	json_decref(r);
	assert_int_equal(count(api, "network"), 2);
	vsw_api_destroy(api);
	api = must_open(fx);
	assert_int_equal(count(api, "network"), 2);
	vsw_api_destroy(api);
}

/* --- refusing bad files --- */

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Opening must fail with -EIO naming the file, and leave it byte for byte. */
static void
assert_refused(struct fixture *fx, const char *expect_in_message)
{
	size_t len_before, len_after;
	char *before = read_file(fx->db, &len_before);
	char wal[160];
	struct vsw_error err;
	struct vsw_api *api;
	char *after;

	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	api = open_api(fx, &err);
	if (api != NULL)
		fail_msg("a bad state db was accepted");
	assert_int_equal(err.errnum, -EIO);
	assert_non_null(strstr(err.message, fx->db));
	if (expect_in_message != NULL && strstr(err.message, expect_in_message) == NULL)
		fail_msg("message '%s' lacks '%s'", err.message, expect_in_message);
	after = read_file(fx->db, &len_after);
	assert_int_equal(len_before, len_after);
	assert_memory_equal(before, after, len_before);
	assert_false(exists(wal));
	free(before);
	free(after);
}

static void
test_refuse_random_bytes(void **state)
{
	struct fixture *fx = *state;
	uint8_t junk[8192];

	srand(7);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	write_file(fx->db, junk, sizeof(junk));
	assert_refused(fx, "not an SQLite database");
	/* a short file too */
	write_file(fx->db, "hello", 5);
	assert_refused(fx, NULL);
}

/* A real vsw db with enough objects to span many pages. */
static void
make_real_db(struct fixture *fx, int n_networks)
{
	struct vsw_api *api = must_open(fx);
	char buf[160];

	vsw_api_group_begin(api);
	for (int i = 0; i < n_networks; i++) {
		snprintf(buf, sizeof(buf), "{\"name\":\"network number %d with a longish name\"}", i);
		json_decref(send_in_group(api, "network.create", "%s", buf));
	}
	assert_int_equal(vsw_api_group_end(api), 0);
	vsw_api_destroy(api);  /* checkpoints the WAL into the file */
	snprintf(buf, sizeof(buf), "%s-wal", fx->db);
	assert_false(exists(buf));
}

static void
test_refuse_truncated(void **state)
{
	struct fixture *fx = *state;
	size_t len;
	char *data;

	make_real_db(fx, 2000);
	data = read_file(fx->db, &len);
	assert_true(len > 64 * 1024);
	write_file(fx->db, data, len / 2);
	assert_refused(fx, NULL);
	/* cut inside a page too */
	write_file(fx->db, data, len / 2 + 100);
	assert_refused(fx, NULL);
	free(data);
}

static void
test_refuse_corrupt_page(void **state)
{
	struct fixture *fx = *state;
	size_t len;
	char *data;

	make_real_db(fx, 2000);
	data = read_file(fx->db, &len);
	/* scribble over pages in the middle of the b-tree */
	for (size_t off = len / 3; off < len / 3 + 3 * 4096 && off < len; off += 7)
		data[off] = (char)0xa5;
	write_file(fx->db, data, len);
	assert_refused(fx, NULL);
	free(data);
}

static void
sql(const char *path, const char *statements)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, statements, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
	sqlite3_close(db);
}

static void
test_refuse_alien_schema(void **state)
{
	struct fixture *fx = *state;

	sql(fx->db, "CREATE TABLE songs(title TEXT, artist TEXT);"
		    "INSERT INTO songs VALUES('a', 'b');");
	assert_refused(fx, "not a vsw state database");
	/* the right table but not ours */
	unlink(fx->db);
	sql(fx->db, "CREATE TABLE objects(id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
		    "project_id TEXT NOT NULL, body TEXT NOT NULL);");
	assert_refused(fx, "not a vsw state database");
	/* an empty but valid SQLite file (page 1 only) */
	unlink(fx->db);
	sql(fx->db, "PRAGMA user_version = 3;");
	assert_refused(fx, NULL);
}

static void
test_refuse_bad_rows(void **state)
{
	struct fixture *fx = *state;

	make_real_db(fx, 3);
	sql(fx->db, "INSERT INTO objects VALUES('00000000-0000-4000-8000-00000000000f', "
		    "'quantum_tunnel', 'p1', '{\"id\":\"00000000-0000-4000-8000-00000000000f\","
		    "\"project_id\":\"p1\"}');");
	assert_refused(fx, "unknown kind 'quantum_tunnel'");
	sql(fx->db, "DELETE FROM objects WHERE kind = 'quantum_tunnel';"
		    "UPDATE objects SET body = '{\"id\": broken' WHERE rowid = 2;");
	assert_refused(fx, "unparsable body");
	sql(fx->db, "UPDATE objects SET body = '[]' WHERE rowid = 2;");
	assert_refused(fx, "not a JSON object");
	sql(fx->db, "UPDATE objects SET body = '{\"id\":\"other\",\"project_id\":\"p1\"}' "
		    "WHERE rowid = 2;");
	assert_refused(fx, "does not match");
	unlink(fx->db);
	make_real_db(fx, 3);
	sql(fx->db, "UPDATE meta SET value = '2' WHERE key = 'schema_version';");
	assert_refused(fx, "newer");
	sql(fx->db, "DELETE FROM meta;");
	assert_refused(fx, "schema version");
}

static void
test_refuse_unreachable(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api_options opt = { .db_path = "/nonexistent-dir-vsw/x/vsw.db" };
	struct vsw_error err;

	(void)fx;
	assert_null(vsw_api_create(&opt, NULL, &err));
	assert_int_equal(err.errnum, -EIO);
	assert_non_null(strstr(err.message, "/nonexistent-dir-vsw/x/vsw.db"));
	opt.db_path = fx->dir;  /* a directory */
	assert_null(vsw_api_create(&opt, NULL, &err));
	assert_int_equal(err.errnum, -EIO);
}

static void
test_empty_file_is_new(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api *api;

	write_file(fx->db, "", 0);
	api = must_open(fx);
	json_decref(ok(api, "network.create", "{}"));
	vsw_api_destroy(api);
	api = must_open(fx);
	assert_int_equal(count(api, "network"), 1);
	vsw_api_destroy(api);
	assert_mode_0600(fx->db);
}

/* Every acknowledged change survives kill -9. */
static void
test_survives_kill9(void **state)
{
	struct fixture *fx = *state;
	char wal[160];
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vsw_error err;
		struct vsw_api *api = open_api(fx, &err);

		if (api == NULL)
			_exit(2);
		for (int g = 0; g < 5; g++) {
			vsw_api_group_begin(api);
			for (int i = 0; i < 20; i++)
				json_decref(send_in_group(api, "network.create", "{}"));
			if (vsw_api_group_end(api) != 0)
				_exit(3);
		}
		/* an unacknowledged group in flight */
		vsw_api_group_begin(api);
		json_decref(send_in_group(api, "network.create", "{\"name\":\"unacked\"}"));
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	assert_true(exists(wal));  /* not checkpointed: recovery reads the WAL */
	struct vsw_api *api = must_open(fx);
	assert_int_equal(count(api, "network"), 100);
	vsw_api_destroy(api);
}

/* --- speed --- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_10k_ports_one_group(void **state)
{
	struct fixture *fx = *state;
	struct vsw_api *api = must_open(fx);
	json_t *net = ok(api, "network.create", "{}");
	char text[256];
	double t0, elapsed;

	t0 = now_s();
	vsw_api_group_begin(api);
	for (int i = 0; i < 10000; i++) {
		int n = snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":"
				 "\"port.create\",\"params\":{\"network_id\":\"%s\"},\"id\":%d}",
				 str(net, "id"), i);
		json_t *resp = vsw_api_handle_text(api, &root, text, (size_t)n);

		assert_non_null(json_object_get(resp, "result"));
		json_decref(resp);
	}
	assert_int_equal(vsw_api_group_end(api), 0);
	elapsed = now_s() - t0;
	print_message("10000 durable port.create in one group: %.0f ms (%.0f/s)\n",
		      elapsed * 1e3, 10000 / elapsed);
	assert_true(elapsed < (SLOW_BUILD ? 20.0 : 2.0));
	vsw_api_destroy(api);
	t0 = now_s();
	api = must_open(fx);
	print_message("reload of 10001 objects: %.0f ms\n", (now_s() - t0) * 1e3);
	assert_int_equal(vsw_model_count(vsw_api_model(api), "port"), 10000);
	vsw_api_destroy(api);
	json_decref(net);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_identical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_request_in_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_random_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_corrupt_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_alien_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_bad_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_is_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_survives_kill9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_10k_ports_one_group, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
