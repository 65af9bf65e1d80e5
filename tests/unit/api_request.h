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

#endif
