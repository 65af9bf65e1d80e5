/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_TEST_API_REQUEST_H
#define VSW_TEST_API_REQUEST_H

/* Requests to an in-process API for the cmocka suites of the resources:
 * include after <cmocka.h> and "api.h". */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* One request as its own group; params is JSON text (printf format). */
static json_t *
vrequest(struct vsw_api *api, const struct vsw_caller *caller, const char *method,
	 const char *fmt, va_list ap)
{
	char params[8192];
	json_error_t jerr;
	json_t *req, *resp;
	char *text;

	vsnprintf(params, sizeof(params), fmt, ap);
	req = json_pack("{s:s, s:s, s:i, s:o}", "jsonrpc", "2.0", "method", method,
			"id", 1, "params", json_loads(params, 0, &jerr));
	if (req == NULL)
		fail_msg("bad test params: %s (%s)", params, jerr.text);
	text = json_dumps(req, JSON_COMPACT);
	vsw_api_group_begin(api);
	resp = vsw_api_handle_text(api, caller, text, strlen(text));
	assert_int_equal(vsw_api_group_end(api), 0);
	free(text);
	json_decref(req);
	assert_non_null(resp);
	return resp;
}

/* The result of a response that must be a success (owned); frees resp. */
static json_t *
result_of(json_t *resp, const char *method)
{
	json_t *result = json_incref(json_object_get(resp, "result"));

	if (result == NULL) {
		char *s = json_dumps(resp, 0);

		fail_msg("%s failed: %s", method, s);
	}
	json_decref(resp);
	return result;
}

/* Asserts resp is the error code/type/field (NULL: any); frees resp. */
static void
check_error(json_t *resp, int code, const char *type, const char *field)
{
	json_t *error = json_object_get(resp, "error");
	json_t *data = json_object_get(error, "data");
	const char *got_type = json_string_value(json_object_get(data, "type"));
	const char *got_field = json_string_value(json_object_get(data, "field"));
	char *s = json_dumps(resp, 0);

	if (error == NULL || json_integer_value(json_object_get(error, "code")) != code ||
	    (type != NULL && (got_type == NULL || strcmp(got_type, type) != 0)) ||
	    (field != NULL && (got_field == NULL || strcmp(got_field, field) != 0)))
		fail_msg("expected error %d %s (%s), got %s", code, type ? type : "-",
			 field ? field : "-", s);
	free(s);
	json_decref(resp);
}

#endif
