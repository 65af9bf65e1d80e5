/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admin requests for the model suites (l3, vtep, vpn): an in-memory API,
 * requests that carry "admin": true unless they start with
 * {"admin":false, and the checks every suite makes on their answers.
 * A suite may define ADMIN_API_CHECK(resp) before including this, to look
 * at every response (the VPN suite checks that no secret is in one).
 */
#ifndef VSW_TEST_ADMIN_API_H
#define VSW_TEST_ADMIN_API_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_request.h"
#include "field_types.h"

#ifndef ADMIN_API_CHECK
#define ADMIN_API_CHECK(resp) ((void)(resp))
#endif

static const struct vsw_caller root = { .uid = 0, .pid = 1, .may_admin = true };

static __attribute__((unused)) struct vsw_api *
make_api(const char *db, struct vsw_api_hooks *hooks)
{
	struct vsw_api_options opt = {
		.db_path = db, .default_project = "p1", .version = "9.9", .n_workers = 1,
	};
	struct vsw_error err;
	struct vsw_api *api = vsw_api_create(&opt, hooks, &err);

	if (api == NULL)
		fail_msg("vsw_api_create: %s", err.message);
	return api;
}

static __attribute__((unused)) int
setup(void **state)
{
	*state = make_api(":memory:", NULL);
	return 0;
}

static __attribute__((unused)) int
teardown(void **state)
{
	vsw_api_destroy(*state);
	return 0;
}

static __attribute__((unused)) json_t *
request(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *resp;

	va_start(ap, fmt);
	resp = vrequest(api, &root, method, fmt, ap);
	va_end(ap);
	return resp;
}

static __attribute__((unused)) json_t *
vcall(struct vsw_api *api, const char *method, const char *fmt, va_list ap)
{
	char body[8192], params[8300];
	json_t *resp;

	vsnprintf(body, sizeof(body), fmt, ap);
	if (strncmp(body, "{\"admin\":false", 14) == 0)
		snprintf(params, sizeof(params), "%s", body);
	else
		snprintf(params, sizeof(params), "{\"admin\":true%s%s", body[1] == '}' ? "" : ",",
			 body + 1);
	resp = request(api, method, "%s", params);
	ADMIN_API_CHECK(resp);
	return resp;
}

static __attribute__((unused)) json_t *
ok(struct vsw_api *api, const char *method, const char *fmt, ...)
{
	va_list ap;
	json_t *resp;

	va_start(ap, fmt);
	resp = vcall(api, method, fmt, ap);
	va_end(ap);
	return result_of(resp, method);
}

static __attribute__((unused)) void
fails(struct vsw_api *api, const char *method, int code, const char *type,
      const char *field, const char *fmt, ...)
{
	va_list ap;
	json_t *resp;

	va_start(ap, fmt);
	resp = vcall(api, method, fmt, ap);
	va_end(ap);
	check_error(resp, code, type, field);
}

static __attribute__((unused)) const char *
str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s == NULL)
		fail_msg("member %s is not a string", key);
	return s;
}

static __attribute__((unused)) void
create(struct vsw_api *api, char id[VSW_UUID_STRLEN], const char *kind,
       const char *fmt, ...)
{
	char method[64], body[4096];
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(method, sizeof(method), "%s.create", kind);
	r = ok(api, method, "%s", body);
	snprintf(id, VSW_UUID_STRLEN, "%s", str(r, "id"));
	json_decref(r);
}

#endif
