/* SPDX-License-Identifier: BSD-3-Clause */
/* The JSON-RPC 2.0 envelope of the API core (control/rpc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"

static const struct vsw_caller user = { .uid = 1000, .pid = 1, .may_admin = false };
static const struct vsw_caller root = { .uid = 0, .pid = 1, .may_admin = true };

static int
setup(void **state)
{
	struct vsw_api_options opt = {
		.db_path = ":memory:", .default_project = "p1",
		.version = "test", .n_workers = 1,
	};
	struct vsw_error err;
	struct vsw_api *api = vsw_api_create(&opt, NULL, &err);

	if (api == NULL)
		return -1;
	*state = api;
	return 0;
}

static int
teardown(void **state)
{
	vsw_api_destroy(*state);
	return 0;
}

/* Sends text as one group; returns the response (NULL: none). */
static json_t *
send_as(struct vsw_api *api, const struct vsw_caller *caller, const char *text)
{
	json_t *resp;

	vsw_api_group_begin(api);
	resp = vsw_api_handle_text(api, caller, text, strlen(text));
	assert_int_equal(vsw_api_group_end(api), 0);
	return resp;
}

static json_t *
send(struct vsw_api *api, const char *text)
{
	return send_as(api, &user, text);
}

static json_int_t
error_code(const json_t *resp)
{
	json_t *code = json_object_get(json_object_get(resp, "error"), "code");

	assert_non_null(code);
	return json_integer_value(code);
}

static const char *
error_data(const json_t *resp, const char *member)
{
	return json_string_value(json_object_get(
		json_object_get(json_object_get(resp, "error"), "data"), member));
}

static void
assert_error(json_t *resp, json_int_t code, const char *type)
{
	assert_non_null(resp);
	assert_string_equal(json_string_value(json_object_get(resp, "jsonrpc")), "2.0");
	assert_null(json_object_get(resp, "result"));
	assert_int_equal(error_code(resp), code);
	if (type != NULL)
		assert_string_equal(error_data(resp, "type"), type);
}

static void
test_parse_error(void **state)
{
	const char *texts[] = {
		"{", "", "{\"jsonrpc\": \"2.0\", \"method\": }", "nul", "[1, 2",
		"{\"jsonrpc\":\"2.0\",\"method\":\"stats.get\",\"id\":1} trailing",
		/* duplicate member */
		"{\"jsonrpc\":\"2.0\",\"method\":\"stats.get\",\"id\":1,\"id\":2}",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *resp = send(*state, texts[i]);

		assert_error(resp, VSW_RPC_PARSE_ERROR, "ParseError");
		assert_true(json_is_null(json_object_get(resp, "id")));
		json_decref(resp);
	}
}

static void
test_invalid_utf8(void **state)
{
	const char text[] = "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\","
			    "\"params\":{\"name\":\"\xff\xfe\"},\"id\":1}";
	json_t *resp = send(*state, text);

	assert_error(resp, VSW_RPC_PARSE_ERROR, NULL);
	assert_true(json_is_null(json_object_get(resp, "id")));
	json_decref(resp);
	/* and a NUL byte in the middle of the text */
	resp = vsw_api_handle_text(*state, &user, "{\"a\":\0}", 7);
	assert_error(resp, VSW_RPC_PARSE_ERROR, NULL);
	json_decref(resp);
}

static void
test_params_not_object(void **state)
{
	const char *texts[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"params\":[],\"id\":7}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"params\":\"x\",\"id\":7}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"params\":null,\"id\":7}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"params\":3,\"id\":7}",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *resp = send(*state, texts[i]);

		assert_error(resp, VSW_RPC_INVALID_PARAMS, "InvalidParams");
		assert_int_equal(json_integer_value(json_object_get(resp, "id")), 7);
		json_decref(resp);
	}
}

static void
test_invalid_request(void **state)
{
	const char *texts[] = {
		"{\"method\":\"network.list\",\"id\":1}",                      /* no jsonrpc */
		"{\"jsonrpc\":\"1.0\",\"method\":\"network.list\",\"id\":1}",  /* wrong */
		"{\"jsonrpc\":2.0,\"method\":\"network.list\",\"id\":1}",      /* not a string */
		"{\"jsonrpc\":\"2.0\",\"id\":1}",                              /* no method */
		"{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":1}",                 /* bad method */
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":1,\"x\":1}",
		"42", "\"text\"", "null",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *resp = send(*state, texts[i]);

		assert_error(resp, VSW_RPC_INVALID_REQUEST, "InvalidRequest");
		json_decref(resp);
	}
}

static void
test_bad_id_types(void **state)
{
	const char *texts[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":{}}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":[1]}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":true}",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *resp = send(*state, texts[i]);

		assert_error(resp, VSW_RPC_INVALID_REQUEST, NULL);
		assert_true(json_is_null(json_object_get(resp, "id")));
		json_decref(resp);
	}
}

static void
test_good_id_types(void **state)
{
	json_t *resp;

	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":\"abc\"}");
	assert_string_equal(json_string_value(json_object_get(resp, "id")), "abc");
	assert_true(json_is_array(json_object_get(resp, "result")));
	json_decref(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":null}");
	assert_true(json_is_null(json_object_get(resp, "id")));
	assert_non_null(json_object_get(resp, "result"));
	json_decref(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":-12}");
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), -12);
	json_decref(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":1.5}");
	assert_true(json_real_value(json_object_get(resp, "id")) == 1.5);
	json_decref(resp);
	/* params may be absent */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"stats.get\",\"id\":2}");
	assert_true(json_is_object(json_object_get(resp, "result")));
	json_decref(resp);
}

static void
test_method_not_found(void **state)
{
	json_t *resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.frobnicate\","
				    "\"params\":{},\"id\":3}");

	assert_error(resp, VSW_RPC_METHOD_NOT_FOUND, "MethodNotFound");
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 3);
	json_decref(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"\",\"id\":3}");
	assert_error(resp, VSW_RPC_METHOD_NOT_FOUND, NULL);
	json_decref(resp);
}

static void
test_notifications(void **state)
{
	json_t *resp, *list;

	/* executed, no response */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\","
			    "\"params\":{\"name\":\"quiet\"}}");
	assert_null(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
			    "\"params\":{\"name\":\"quiet\"},\"id\":1}");
	list = json_object_get(resp, "result");
	assert_int_equal(json_array_size(list), 1);
	json_decref(resp);
	/* failing notifications stay silent too */
	assert_null(send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}"));
	assert_null(send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\","
				 "\"params\":{\"mtu\":1}}"));
	assert_null(send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
				 "\"params\":[]}"));
}

static void
test_batch(void **state)
{
	json_t *resp;

	resp = send(*state,
		    "[{\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"params\":{\"name\":\"a\"},\"id\":1},"
		    " {\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"params\":{\"name\":\"b\"}},"
		    " 5,"
		    " {\"jsonrpc\":\"2.0\",\"method\":\"no.such\",\"id\":\"x\"},"
		    " {\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"params\":{\"mtu\":\"big\"},\"id\":4},"
		    " [],"
		    " {\"jsonrpc\":\"2.0\",\"method\":\"network.list\",\"id\":5}]");
	assert_true(json_is_array(resp));
	assert_int_equal(json_array_size(resp), 6);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(json_array_get(resp, 0), "result"), "name")), "a");
	assert_error(json_array_get(resp, 1), VSW_RPC_INVALID_REQUEST, NULL);
	assert_error(json_array_get(resp, 2), VSW_RPC_METHOD_NOT_FOUND, NULL);
	assert_string_equal(json_string_value(json_object_get(json_array_get(resp, 2), "id")), "x");
	assert_error(json_array_get(resp, 3), 400, "InvalidInput");
	assert_string_equal(error_data(json_array_get(resp, 3), "field"), "mtu");
	assert_error(json_array_get(resp, 4), VSW_RPC_INVALID_REQUEST, NULL);
	/* the list in the same batch sees both creates (the notification too) */
	assert_int_equal(json_array_size(json_object_get(json_array_get(resp, 5), "result")), 2);
	json_decref(resp);
}

static void
test_batch_empty_and_all_notifications(void **state)
{
	json_t *resp = send(*state, "[]");

	assert_true(json_is_object(resp));
	assert_error(resp, VSW_RPC_INVALID_REQUEST, NULL);
	assert_true(json_is_null(json_object_get(resp, "id")));
	json_decref(resp);
	resp = send(*state, "[{\"jsonrpc\":\"2.0\",\"method\":\"network.list\"},"
			    " {\"jsonrpc\":\"2.0\",\"method\":\"stats.get\"}]");
	assert_null(resp);
	resp = send(*state, "[1, 2]");
	assert_true(json_is_array(resp));
	assert_int_equal(json_array_size(resp), 2);
	assert_error(json_array_get(resp, 0), VSW_RPC_INVALID_REQUEST, NULL);
	json_decref(resp);
}

static void
test_application_error_shape(void **state)
{
	json_t *resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\","
				    "\"params\":{\"colour\":\"red\"},\"id\":9}");

	assert_error(resp, 400, "UnknownField");
	assert_string_equal(error_data(resp, "field"), "colour");
	assert_non_null(json_string_value(json_object_get(json_object_get(resp, "error"),
							   "message")));
	json_decref(resp);
	/* missing id for show: 400 InvalidInput naming id */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.show\",\"id\":9}");
	assert_error(resp, 400, "InvalidInput");
	assert_string_equal(error_data(resp, "field"), "id");
	json_decref(resp);
	/* not found: 404 <Kind>NotFound */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.show\",\"params\":"
			    "{\"id\":\"00000000-0000-4000-8000-000000000000\"},\"id\":9}");
	assert_error(resp, 404, "NetworkNotFound");
	json_decref(resp);
	/* an error without a field has no data.field */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":9}");
	assert_null(error_data(resp, "field"));
	json_decref(resp);
}

/* Error texts quote user input cut to a byte count; a cut inside a UTF-8
 * character must not cost the response its message or field (fuzzer find). */
static void
test_error_texts_cut_inside_utf8(void **state)
{
	static const char *const requests[] = {
		/* an unknown field name of 62 'x' and an e-acute: cut at 60/64 bytes */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.create\",\"params\":{"
		"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\u00e9\":1}}",
		/* an enum value of 63 'x' and an e-acute */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"vnic.create\",\"params\":{"
		"\"type\":\"vhost-user\",\"socket\":\"/s.sock\",\"mode\":"
		"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\u00e9\"}}",
		/* a surrogate pair across the cut of a field name */
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.create\",\"params\":{"
		"\"projectrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr150\\ud83d\\ude000rr\":1}}",
	};
	size_t i;

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		json_t *resp = send(*state, requests[i]);
		json_t *error = json_object_get(resp, "error");

		assert_error(resp, 400, NULL);
		assert_non_null(json_string_value(json_object_get(error, "message")));
		assert_non_null(error_data(resp, "type"));
		if (i != 1)
			assert_non_null(error_data(resp, "field"));
		json_decref(resp);
	}
}

static int
dump_to_string(const char *buf, size_t len, void *arg)
{
	char **s = arg;
	size_t old = *s ? strlen(*s) : 0;
	char *n = realloc(*s, old + len + 1);

	if (n == NULL)
		return -1;
	memcpy(n + old, buf, len);
	n[old + len] = '\0';
	*s = n;
	return 0;
}

/* The fast serialiser (views from their cached text) writes exactly what
 * jansson would, also for a view replaced after the response was made. */
static void
test_dump_response_matches_jansson(void **state)
{
	struct vsw_api *api = *state;
	json_t *net, *list, *old_list, *batch, *parsed;
	char *fast = NULL, *ref, req[256];
	size_t i;

	for (i = 0; i < 20; i++)
		json_decref(send(api, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.create\","
				      "\"params\":{\"name\":\"n\\u00e9\\\"q\"}}"));
	old_list = send(api, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"network.list\"}");
	net = json_array_get(json_object_get(old_list, "result"), 3);
	/* Replace one view while old_list still holds the old one. */
	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
		 "\"network.update\",\"params\":{\"name\":\"renamed\",\"id\":\"%s\"}}",
		 json_string_value(json_object_get(net, "id")));
	json_decref(send(api, req));
	list = send(api, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"network.list\"}");
	batch = send(api, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"network.list\"},"
			  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}]");
	json_t *resps[] = { old_list, list, batch };
	for (i = 0; i < 3; i++) {
		fast = NULL;
		assert_int_equal(vsw_api_dump_response(api, resps[i], dump_to_string, &fast), 0);
		ref = json_dumps(resps[i], JSON_COMPACT | JSON_ENCODE_ANY);
		assert_string_equal(fast, ref);
		parsed = json_loads(fast, 0, NULL);
		assert_true(json_equal(parsed, resps[i]));
		json_decref(parsed);
		free(fast);
		free(ref);
		json_decref(resps[i]);
	}
}

static void
test_request_params(void **state)
{
	json_t *resp;

	/* admin from a caller that may not */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
			    "\"params\":{\"admin\":true},\"id\":1}");
	assert_error(resp, 403, "Forbidden");
	assert_string_equal(error_data(resp, "field"), "admin");
	json_decref(resp);
	resp = send_as(*state, &root, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
				      "\"params\":{\"admin\":true},\"id\":1}");
	assert_non_null(json_object_get(resp, "result"));
	json_decref(resp);
	/* admin:false is fine from anyone; admin must be a bool */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
			    "\"params\":{\"admin\":false},\"id\":1}");
	assert_non_null(json_object_get(resp, "result"));
	json_decref(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
			    "\"params\":{\"admin\":1},\"id\":1}");
	assert_error(resp, 400, "InvalidInput");
	json_decref(resp);
	/* project_id: 1..64 of [A-Za-z0-9_-] */
	const char *bad[] = { "\"\"", "\"a b\"", "\"../x\"", "7",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "{\"jsonrpc\":\"2.0\",\"method\":\"network.list\","
			 "\"params\":{\"project_id\":%s},\"id\":1}", bad[i]);
		resp = send(*state, text);
		assert_error(resp, 400, "InvalidInput");
		assert_string_equal(error_data(resp, "field"), "project_id");
		json_decref(resp);
	}
	/* the acting project owns what it creates; the default otherwise */
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\","
			    "\"params\":{\"project_id\":\"Team_7-x\"},\"id\":1}");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(resp, "result"), "project_id")), "Team_7-x");
	json_decref(resp);
	resp = send(*state, "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"id\":1}");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(resp, "result"), "project_id")), "p1");
	json_decref(resp);
}

static void
test_error_response_helper(void **state)
{
	json_t *id = json_string("q");
	json_t *resp = vsw_rpc_error_response(id, 409, "busy", "PortInUse", "port_id");

	(void)state;
	assert_error(resp, 409, "PortInUse");
	assert_string_equal(error_data(resp, "field"), "port_id");
	assert_string_equal(json_string_value(json_object_get(resp, "id")), "q");
	json_decref(resp);
	resp = vsw_rpc_error_response(NULL, -32600, "x", NULL, NULL);
	assert_true(json_is_null(json_object_get(resp, "id")));
	assert_null(error_data(resp, "type"));
	json_decref(resp);
	json_decref(id);
}

static void
test_implicit_group(void **state)
{
	const char text[] = "{\"jsonrpc\":\"2.0\",\"method\":\"network.create\",\"id\":1}";
	/* without group_begin/end each text is its own group */
	json_t *resp = vsw_api_handle_text(*state, &user, text, strlen(text));

	assert_non_null(json_object_get(resp, "result"));
	json_decref(resp);
	assert_int_equal(vsw_api_group_end(*state), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_not_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_id_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_id_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_empty_and_all_notifications,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_application_error_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_texts_cut_inside_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_response_matches_jansson, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_params, setup, teardown),
		cmocka_unit_test(test_error_response_helper),
		cmocka_unit_test_setup_teardown(test_implicit_group, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
