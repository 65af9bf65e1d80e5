/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON-RPC 2.0 envelope: parsing, request validation, batches,
 * notifications and the mapping of errors to responses.
 *
 * Error codes: protocol faults use the JSON-RPC codes (-32700 unparsable
 * text, -32600 a request that is not a valid request object, -32601 unknown
 * method, -32602 params that are not an object). Everything about the
 * content of params, including a missing argument of an action (e.g. no
 * "id" for KIND.show), is an application error with an HTTP-like code from
 * vsw_error_http_code(): 400 InvalidInput / UnknownField naming the field,
 * 403 Forbidden, 404 <Kind>NotFound, 409, 503. error.data always carries
 * "type" and, when one is at fault, "field".
 */
#include "rpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define VSW_PROJECT_ID_MAX 64

/*
 * Error texts quote user input cut to a byte count, which can split a UTF-8
 * character; jansson refuses such a string. Replace the bytes that are not
 * valid UTF-8 with '?' rather than lose the member.
 */
static json_t *
json_string_lossy(const char *text)
{
	json_t *s = json_string(text);
	char *copy;
	size_t i;

	if (s != NULL)
		return s;
	copy = strdup(text);
	if (copy == NULL)
		return json_string("?");
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	s = json_string(copy);
	free(copy);
	return s;
}

json_t *
vsw_rpc_error_response(json_t *id, int code, const char *message,
		       const char *type, const char *field)
{
	json_t *data = json_object();
	json_t *error = json_object();
	json_t *resp = json_object();

	if (data == NULL || error == NULL || resp == NULL) {
		json_decref(data);
		json_decref(error);
		json_decref(resp);
		return NULL;
	}
	if (type != NULL && type[0] != '\0')
		json_object_set_new_nocheck(data, "type", json_string_lossy(type));
	if (field != NULL && field[0] != '\0')
		json_object_set_new_nocheck(data, "field", json_string_lossy(field));
	json_object_set_new_nocheck(error, "code", json_integer(code));
	json_object_set_new_nocheck(error, "message",
				    json_string_lossy(message ? message : ""));
	json_object_set_new_nocheck(error, "data", data);
	json_object_set_new_nocheck(resp, "jsonrpc", json_string("2.0"));
	json_object_set_nocheck(resp, "id", id ? id : json_null());
	json_object_set_new_nocheck(resp, "error", error);
	return resp;
}

static json_t *
protocol_error(struct vsw_api *api, json_t *id, int code, const char *message)
{
	static const struct {
		int code;
		const char *type;
	} types[] = {
		{ VSW_RPC_PARSE_ERROR, "ParseError" },
		{ VSW_RPC_INVALID_REQUEST, "InvalidRequest" },
		{ VSW_RPC_METHOD_NOT_FOUND, "MethodNotFound" },
		{ VSW_RPC_INVALID_PARAMS, "InvalidParams" },
	};
	const char *type = NULL;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].code == code)
			type = types[i].type;
	api->stats.errors++;
	return vsw_rpc_error_response(id, code, message, type, NULL);
}

static json_t *
app_error(struct vsw_api *api, json_t *id, const struct vsw_error *err)
{
	api->stats.errors++;
	return vsw_rpc_error_response(id, vsw_error_http_code(err->errnum),
				      err->message,
				      err->type[0] ? err->type : "InternalError",
				      err->field);
}

static bool
valid_id_type(const json_t *id)
{
	return json_is_string(id) || json_is_number(id) || json_is_null(id);
}

static bool
valid_project_id(const char *s, size_t len)
{
	if (len == 0 || len > VSW_PROJECT_ID_MAX || strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Takes the request-level members project_id and admin out of params. */
static int
take_request_params(struct vsw_api *api, const struct vsw_caller *caller,
		    json_t *params, struct vsw_ctx *ctx, struct vsw_error *err)
{
	json_t *project = json_object_get(params, "project_id");
	json_t *admin = json_object_get(params, "admin");

	ctx->api = api;
	ctx->model = api->model;
	ctx->caller = caller;
	ctx->project = api->opt.default_project;
	ctx->admin = false;
	ctx->project_given = false;
	if (admin != NULL) {
		if (!json_is_boolean(admin))
			return vsw_error_set(err, -EINVAL, "InvalidInput", "admin",
					     "invalid input for admin: expected true or false");
		if (json_is_true(admin) && (caller == NULL || !caller->may_admin))
			return vsw_error_set(err, -EPERM, "Forbidden", "admin",
					     "admin requests are not allowed for this caller");
		ctx->admin = json_is_true(admin);
	}
	if (project != NULL) {
		if (!json_is_string(project) ||
		    !valid_project_id(json_string_value(project), json_string_length(project)))
			return vsw_error_set(err, -EINVAL, "InvalidInput", "project_id",
					     "invalid input for project_id: 1 to 64 of "
					     "[A-Za-z0-9_-]");
		ctx->project = json_string_value(project);
		ctx->project_given = true;
	}
	return 0;
}

static bool
valid_members(const json_t *req)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)req, key, value) {
		if (strcmp(key, "jsonrpc") != 0 && strcmp(key, "method") != 0 &&
		    strcmp(key, "params") != 0 && strcmp(key, "id") != 0)
			return false;
	}
	return true;
}

static json_t *
result_response(json_t *id, json_t *result)
{
	json_t *resp = json_object();

	if (resp == NULL) {
		json_decref(result);
		return NULL;
	}
	json_object_set_new_nocheck(resp, "jsonrpc", json_string("2.0"));
	json_object_set_nocheck(resp, "id", id);
	json_object_set_new_nocheck(resp, "result", result ? result : json_object());
	return resp;
}

/* Runs a valid request; the response, or NULL for a notification. */
static json_t *
dispatch(struct vsw_api *api, const struct vsw_caller *caller, json_t *id,
	 bool notification, const char *name, json_t *params)
{
	const struct vsw_method *m = vsw_api_find_method(api, name);
	struct vsw_error err;
	struct vsw_ctx ctx;
	json_t *result = NULL;
	json_t *resp;
	int rc;

	vsw_error_clear(&err);
	if (m == NULL) {
		resp = protocol_error(api, id, VSW_RPC_METHOD_NOT_FOUND, "Method not found");
		goto out;
	}
	rc = take_request_params(api, caller, params, &ctx, &err);
	if (rc == 0) {
		/* ctx.project points into params: keep that member alive. */
		json_t *project = json_incref(json_object_get(params, "project_id"));

		json_object_del(params, "project_id");
		json_object_del(params, "admin");
		rc = vsw_api_call(api, &ctx, m, params, &result, &err);
		json_decref(project);
	}
	if (rc < 0) {
		if (err.errnum == 0)
			vsw_error_set(&err, rc, "InternalError", NULL, "%s failed", name);
		resp = app_error(api, id, &err);
		goto out;
	}
	resp = result_response(id, result);
	if (resp != NULL && (m->flags & VSW_METHOD_MUTATING) && !notification)
		vsw_api_ack(api, resp);
out:
	if (notification) {
		json_decref(resp);
		return NULL;
	}
	return resp;
}

static json_t *
handle_request(struct vsw_api *api, const struct vsw_caller *caller, json_t *req)
{
	json_t *id, *version, *method, *params;
	bool notification;

	api->stats.requests++;
	if (!json_is_object(req))
		return protocol_error(api, NULL, VSW_RPC_INVALID_REQUEST,
				      "Invalid Request: not an object");
	id = json_object_get(req, "id");
	notification = id == NULL;
	if (id != NULL && !valid_id_type(id))
		return protocol_error(api, NULL, VSW_RPC_INVALID_REQUEST,
				      "Invalid Request: id must be a string, number or null");
	version = json_object_get(req, "jsonrpc");
	method = json_object_get(req, "method");
	params = json_object_get(req, "params");
	/* An invalid request is answered even without id: it cannot be known
	 * to be a notification. */
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
		return protocol_error(api, id, VSW_RPC_INVALID_REQUEST,
				      "Invalid Request: jsonrpc must be \"2.0\"");
	if (!json_is_string(method))
		return protocol_error(api, id, VSW_RPC_INVALID_REQUEST,
				      "Invalid Request: method must be a string");
	if (!valid_members(req))
		return protocol_error(api, id, VSW_RPC_INVALID_REQUEST,
				      "Invalid Request: unknown member");
	if (params != NULL && !json_is_object(params)) {
		json_t *resp = protocol_error(api, id, VSW_RPC_INVALID_PARAMS,
					      "params must be an object");

		if (notification) {
			json_decref(resp);
			return NULL;
		}
		return resp;
	}
	if (params == NULL) {
		params = json_object();
		json_object_set_new_nocheck(req, "params", params);
	}
	return dispatch(api, caller, id, notification, json_string_value(method), params);
}

static json_t *
handle_batch(struct vsw_api *api, const struct vsw_caller *caller, json_t *batch)
{
	json_t *responses;
	size_t i;
	json_t *req;

	if (json_array_size(batch) == 0) {
		api->stats.requests++;
		return protocol_error(api, NULL, VSW_RPC_INVALID_REQUEST,
				      "Invalid Request: empty batch");
	}
	responses = json_array();
	if (responses == NULL)
		return NULL;
	json_array_foreach(batch, i, req) {
		json_t *resp = handle_request(api, caller, req);

		if (resp != NULL)
			json_array_append_new(responses, resp);
	}
	if (json_array_size(responses) == 0) {
		json_decref(responses);
		return NULL;
	}
	return responses;
}

static json_t *
handle_text(struct vsw_api *api, const struct vsw_caller *caller,
	    const char *text, size_t len)
{
	json_error_t jerr;
	json_t *msg, *resp;

	/* jansson rejects invalid UTF-8, NUL in strings and duplicate keys. */
	msg = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (msg == NULL) {
		api->stats.requests++;
		return protocol_error(api, NULL, VSW_RPC_PARSE_ERROR, "Parse error");
	}
	if (json_is_array(msg))
		resp = handle_batch(api, caller, msg);
	else
		resp = handle_request(api, caller, msg);
	json_decref(msg);
	return resp;
}

json_t *
vsw_api_handle_text(struct vsw_api *api, const struct vsw_caller *caller,
		    const char *text, size_t len)
{
	bool implicit_group = !api->group_open;
	json_t *resp;

	if (text == NULL)
		len = 0;
	if (implicit_group)
		vsw_api_group_begin(api);
	resp = handle_text(api, caller, text ? text : "", len);
	if (implicit_group)
		vsw_api_group_end(api);
	return resp;
}
