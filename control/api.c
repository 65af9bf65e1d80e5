/* SPDX-License-Identifier: BSD-3-Clause */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "resources.h"
#include "rpc.h"

#ifndef VSW_VERSION
#define VSW_VERSION "0"
#endif

/* --- registry --- */

const struct vsw_method *
vsw_api_find_method(const struct vsw_api *api, const char *name)
{
	json_t *idx = json_object_get(api->method_index, name);

	return idx ? &api->methods[json_integer_value(idx)] : NULL;
}

const struct vsw_kind_reg *
vsw_api_find_kind(const struct vsw_api *api, const char *name)
{
	for (size_t i = 0; i < api->n_kinds; i++)
		if (strcmp(api->kinds[i].kind->name, name) == 0)
			return &api->kinds[i];
	return NULL;
}

const struct vsw_resource_kind *
vsw_api_kind_at(const struct vsw_api *api, size_t i)
{
	return i < api->n_kinds ? api->kinds[i].kind : NULL;
}

const struct vsw_api_options *
vsw_api_options(const struct vsw_api *api)
{
	return &api->opt;
}

const struct vsw_api_hooks *
vsw_api_hooks(const struct vsw_api *api)
{
	return &api->hooks;
}

struct vsw_model *
vsw_api_model(struct vsw_api *api)
{
	return api->model;
}

const struct vsw_api_stats *
vsw_api_get_stats(const struct vsw_api *api)
{
	return &api->stats;
}

double
vsw_api_uptime(const struct vsw_api *api)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - api->started_mono.tv_sec) +
	       (double)(now.tv_nsec - api->started_mono.tv_nsec) / 1e9;
}

int
vsw_api_register_method(struct vsw_api *api, const char *name,
			vsw_method_fn fn, void *data, unsigned int flags)
{
	struct vsw_method *m;

	if (vsw_api_find_method(api, name) != NULL)
		return -EEXIST;
	if (api->n_methods == api->cap_methods) {
		size_t cap = api->cap_methods ? api->cap_methods * 2 : 32;
		struct vsw_method *ms = realloc(api->methods, cap * sizeof(*ms));

		if (ms == NULL)
			return -ENOMEM;
		api->methods = ms;
		api->cap_methods = cap;
	}
	m = &api->methods[api->n_methods];
	m->name = strdup(name);
	if (m->name == NULL)
		return -ENOMEM;
	m->fn = fn;
	m->data = data;
	m->flags = flags;
	if (json_object_set_new(api->method_index, name,
				json_integer((json_int_t)api->n_methods)) < 0) {
		free(m->name);
		return -ENOMEM;
	}
	api->n_methods++;
	return 0;
}

static int
parse_defaults(struct vsw_kind_reg *reg)
{
	const struct vsw_resource_kind *kind = reg->kind;

	reg->defaults = calloc(kind->n_fields, sizeof(json_t *));
	if (reg->defaults == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < kind->n_fields; i++) {
		const struct vsw_field *f = &kind->fields[i];

		if (strcmp(f->name, "tenant_id") == 0)
			reg->has_tenant_id = true;
		else if (strcmp(f->name, "created_at") == 0)
			reg->has_created_at = true;
		else if (strcmp(f->name, "updated_at") == 0)
			reg->has_updated_at = true;
		if (f->default_json == NULL)
			continue;
		reg->defaults[i] = json_loads(f->default_json, JSON_DECODE_ANY, NULL);
		if (reg->defaults[i] == NULL) {
			VSW_LOG(ERR, "%s.%s: bad default %s", kind->name, f->name,
				f->default_json);
			return -EINVAL;
		}
	}
	return 0;
}

static int
register_kind_methods(struct vsw_api *api, struct vsw_kind_reg *reg)
{
	static const struct {
		const char *verb;
		vsw_method_fn fn;
		unsigned int flags;
	} verbs[] = {
		{ "create", vsw_resource_create, VSW_METHOD_MUTATING },
		{ "show", vsw_resource_show, 0 },
		{ "list", vsw_resource_list, 0 },
		{ "update", vsw_resource_update, VSW_METHOD_MUTATING },
		{ "delete", vsw_resource_delete, VSW_METHOD_MUTATING },
	};
	const struct vsw_resource_kind *kind = reg->kind;
	bool updatable = false;
	char name[96];

	for (size_t i = 0; i < kind->n_fields; i++)
		updatable |= (kind->fields[i].flags & VSW_F_UPDATE) != 0;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		unsigned int flags = verbs[i].flags;
		int rc;

		if (verbs[i].fn == vsw_resource_update && !updatable)
			continue;
		if (kind->admin_only)
			flags |= VSW_METHOD_ADMIN;
		snprintf(name, sizeof(name), "%s.%s", kind->name, verbs[i].verb);
		rc = vsw_api_register_method(api, name, verbs[i].fn, reg, flags);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
vsw_api_register_kind(struct vsw_api *api, const struct vsw_resource_kind *kind,
		      unsigned int max_objects)
{
	struct vsw_kind_reg *reg;
	int rc;

	if (vsw_api_find_kind(api, kind->name) != NULL)
		return -EEXIST;
	if (api->n_kinds == VSW_MODEL_MAX_KINDS)
		return -ENOSPC;
	rc = vsw_model_add_kind(api->model, kind->name, kind->index_keys);
	if (rc < 0)
		return rc;
	reg = &api->kinds[api->n_kinds++];
	reg->kind = kind;
	reg->max_objects = max_objects;
	rc = parse_defaults(reg);
	if (rc == 0)
		rc = register_kind_methods(api, reg);
	return rc;
}

/* --- context helpers --- */

void
vsw_ctx_random(struct vsw_ctx *ctx, void *buf, size_t len)
{
	struct vsw_api *api = ctx->api;
	uint8_t *out = buf;

	while (len > 0) {
		size_t n;

		if (api->random_left == 0) {
			ssize_t got = getrandom(api->random, sizeof(api->random), 0);

			/* getrandom(2) does not fail for <= 256 bytes once the
			 * pool is initialised; guard anyway. */
			api->random_left = got > 0 ? (size_t)got : 0;
			if (api->random_left == 0)
				continue;
		}
		n = len < api->random_left ? len : api->random_left;
		memcpy(out, api->random + sizeof(api->random) - api->random_left, n);
		api->random_left -= n;
		out += n;
		len -= n;
	}
}

bool
vsw_ctx_visible(const struct vsw_ctx *ctx, const json_t *obj)
{
	const char *owner;

	if (ctx->admin)
		return true;
	owner = vsw_obj_str(obj, "project_id");
	return owner != NULL && strcmp(owner, ctx->project) == 0;
}

const json_t *
vsw_ctx_get(const struct vsw_ctx *ctx, const char *kind, const char *id)
{
	const json_t *obj = vsw_model_get(ctx->model, kind, id);

	return obj && vsw_ctx_visible(ctx, obj) ? obj : NULL;
}

int
vsw_ctx_put(struct vsw_ctx *ctx, const char *kind, json_t *obj,
	    struct vsw_error *err)
{
	const char *id = vsw_obj_str(obj, "id");
	const char *project = vsw_obj_str(obj, "project_id");
	char *body;
	int rc;

	if (id == NULL || project == NULL) {
		json_decref(obj);
		return vsw_error_set(err, -EINVAL, "InternalError", NULL,
				     "object without id or project_id");
	}
	body = json_dumps(obj, JSON_COMPACT);
	if (body == NULL) {
		json_decref(obj);
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL,
				     "out of memory");
	}
	rc = vsw_store_put(ctx->api->store, id, kind, project, body, err);
	free(body);
	if (rc < 0) {
		json_decref(obj);
		return rc;
	}
	rc = vsw_model_put(ctx->model, kind, obj);
	if (rc < 0)
		return vsw_error_set(err, rc, "InternalError", NULL,
				     "model update failed");
	return 0;
}

int
vsw_ctx_remove(struct vsw_ctx *ctx, const char *kind, const char *id,
	       struct vsw_error *err)
{
	int rc = vsw_store_delete(ctx->api->store, id, err);

	if (rc < 0)
		return rc;
	rc = vsw_model_remove(ctx->model, kind, id);
	if (rc < 0)
		return vsw_error_set(err, rc, "InternalError", NULL,
				     "model update failed");
	return 0;
}

/* --- running a request inside the group --- */

static int
group_txn(struct vsw_api *api, struct vsw_error *err)
{
	if (api->group_failed)
		return vsw_error_set(err, -EIO, "StateWriteFailed", NULL,
				     "an earlier state write of this group failed");
	if (!api->txn_open) {
		int rc = vsw_store_begin(api->store, err);

		if (rc < 0)
			return rc;
		api->txn_open = true;
	}
	return vsw_store_savepoint(api->store, err);
}

int
vsw_api_call(struct vsw_api *api, struct vsw_ctx *ctx,
	     const struct vsw_method *m, json_t *params, json_t **result,
	     struct vsw_error *err)
{
	struct vsw_error undo_err;
	size_t mark;
	int rc;

	*result = NULL;
	vsw_error_clear(&undo_err);
	if ((m->flags & VSW_METHOD_ADMIN) && !ctx->admin)
		return vsw_error_set(err, -EPERM, "Forbidden", NULL,
				     "%s needs an admin request", m->name);
	if (!(m->flags & VSW_METHOD_MUTATING))
		return m->fn(ctx, m->data, params, result, err);

	rc = group_txn(api, err);
	if (rc < 0)
		return rc;
	mark = vsw_model_mark(api->model);
	rc = m->fn(ctx, m->data, params, result, err);
	if (rc == 0)
		rc = vsw_store_release(api->store, err);
	if (rc == 0) {
		api->group_mutations++;
		return 0;
	}
	json_decref(*result);
	*result = NULL;
	vsw_model_undo_to(api->model, mark);
	if (vsw_store_rollback_to(api->store, &undo_err) < 0 ||
	    !vsw_store_in_transaction(api->store)) {
		/* SQLite ended the transaction: the group's earlier writes
		 * are gone from the db, so none of them may be acknowledged. */
		VSW_LOG(ERR, "state db transaction lost: %s",
			undo_err.message[0] ? undo_err.message : "ended by SQLite");
		api->group_failed = true;
	}
	return rc;
}

/* Nothing unacknowledged is durable: 503 when out of space or memory,
 * 500 otherwise, always StateWriteFailed (the reason is in the message). */
static void
rewrite_as_error(json_t *response, const struct vsw_error *err)
{
	int code = vsw_error_http_code(err->errnum) == 503 ? 503 : 500;
	json_t *id = json_incref(json_object_get(response, "id"));
	json_t *e = vsw_rpc_error_response(id, code, err->message,
					   "StateWriteFailed", NULL);

	json_object_clear(response);
	if (e != NULL)
		json_object_update(response, e);
	json_decref(e);
	json_decref(id);
}

void
vsw_api_ack(struct vsw_api *api, json_t *response)
{
	if (api->n_acked == api->cap_acked) {
		size_t cap = api->cap_acked ? api->cap_acked * 2 : 64;
		json_t **a = realloc(api->acked, cap * sizeof(*a));

		if (a == NULL) {
			struct vsw_error err;

			/* Cannot keep it to rewrite later: fail it and the group now. */
			vsw_error_set(&err, -ENOMEM, "StateWriteFailed", NULL, "out of memory");
			rewrite_as_error(response, &err);
			api->group_failed = true;
			return;
		}
		api->acked = a;
		api->cap_acked = cap;
	}
	api->acked[api->n_acked++] = json_incref(response);
}

/* --- group commit --- */

void
vsw_api_group_begin(struct vsw_api *api)
{
	if (api->group_open)
		return;
	api->group_open = true;
	api->txn_open = false;
	api->group_failed = false;
	api->group_mutations = 0;
}

static void
fail_group(struct vsw_api *api, struct vsw_error *err)
{
	struct vsw_error apply_err;

	vsw_store_rollback(api->store);
	vsw_model_undo_to(api->model, 0);
	api->stats.commit_failures++;
	api->stats.errors += api->n_acked;
	VSW_LOG(ERR, "group of %zu changes rolled back: %s", api->group_mutations,
		err->message);
	for (size_t i = 0; i < api->n_acked; i++)
		rewrite_as_error(api->acked[i], err);
	/* The data plane may hold part of the group: put the old model back. */
	if (api->hooks.apply != NULL && api->group_mutations > 0) {
		vsw_error_clear(&apply_err);
		if (api->hooks.apply(api->hooks.arg, api, &apply_err) < 0)
			VSW_LOG(ERR, "re-applying the previous model failed: %s",
				apply_err.message);
	}
}

static int
commit_group(struct vsw_api *api, struct vsw_error *err)
{
	int rc;

	if (api->group_failed)
		return vsw_error_set(err, -EIO, "StateWriteFailed", NULL,
				     "state write failed; group rolled back");
	if (api->group_mutations == 0) {
		vsw_store_rollback(api->store);
		return 0;
	}
	/* Apply first: a change is acknowledged only when durable and in force. */
	if (api->hooks.apply != NULL) {
		struct vsw_error apply_err;

		vsw_error_clear(&apply_err);
		rc = api->hooks.apply(api->hooks.arg, api, &apply_err);
		if (rc < 0)
			return vsw_error_set(err, rc, "StateWriteFailed", NULL,
					     "change not applied to the data plane: %.200s",
					     apply_err.message[0] ? apply_err.message
								  : strerror(-rc));
	}
	rc = vsw_store_commit(api->store, err);
	if (rc < 0)
		return rc;
	api->stats.commits++;
	api->stats.mutations += api->group_mutations;
	return 0;
}

int
vsw_api_group_end(struct vsw_api *api)
{
	struct vsw_error err;
	int rc = 0;

	if (!api->group_open)
		return 0;
	vsw_error_clear(&err);
	if (api->txn_open)
		rc = commit_group(api, &err);
	if (rc < 0)
		fail_group(api, &err);
	vsw_model_forget(api->model);
	for (size_t i = 0; i < api->n_acked; i++)
		json_decref(api->acked[i]);
	api->n_acked = 0;
	api->group_open = false;
	api->txn_open = false;
	return rc;
}

void
vsw_api_fail_next_commit(struct vsw_api *api, int errnum)
{
	vsw_store_fail_next_commit(api->store, errnum);
}

/* --- lifecycle --- */

static int
load_row(void *arg, const char *id, const char *kind, const char *project_id,
	 const char *body, size_t body_len, struct vsw_error *err)
{
	struct vsw_api *api = arg;
	json_error_t jerr;
	json_t *obj;

	if (vsw_api_find_kind(api, kind) == NULL)
		return vsw_error_set(err, -EIO, NULL, NULL,
				     "object %.40s has unknown kind '%.32s' (written by a newer vsw?)",
				     id, kind);
	obj = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL)
		return vsw_error_set(err, -EIO, NULL, NULL,
				     "object %.40s: unparsable body: %.80s", id,
				     jerr.text);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return vsw_error_set(err, -EIO, NULL, NULL,
				     "object %.40s: body is not a JSON object", id);
	}
	if (vsw_obj_str(obj, "id") == NULL || strcmp(vsw_obj_str(obj, "id"), id) != 0 ||
	    vsw_obj_str(obj, "project_id") == NULL ||
	    strcmp(vsw_obj_str(obj, "project_id"), project_id) != 0) {
		json_decref(obj);
		return vsw_error_set(err, -EIO, NULL, NULL,
				     "object %.40s: body does not match its row", id);
	}
	if (vsw_model_put(api->model, kind, obj) < 0)
		return vsw_error_set(err, -EIO, NULL, NULL,
				     "object %.40s: cannot load", id);
	return 0;
}

static void
log_loaded(const struct vsw_api *api)
{
	size_t n = 0;

	for (size_t i = 0; i < api->n_kinds; i++)
		n += vsw_model_count(api->model, api->kinds[i].kind->name);
	VSW_LOG(INFO, "state db %s: %zu objects loaded", api->db_path, n);
}

static int
copy_options(struct vsw_api *api, const struct vsw_api_options *opt)
{
	api->opt = *opt;
	api->db_path = strdup(opt->db_path ? opt->db_path : ":memory:");
	api->default_project = strdup(opt->default_project && opt->default_project[0]
				      ? opt->default_project : "default");
	api->version = strdup(opt->version ? opt->version : VSW_VERSION);
	if (!api->db_path || !api->default_project || !api->version)
		return -ENOMEM;
	api->opt.db_path = api->db_path;
	api->opt.default_project = api->default_project;
	api->opt.version = api->version;
	return 0;
}

struct vsw_api *
vsw_api_create(const struct vsw_api_options *opt,
	       const struct vsw_api_hooks *hooks, struct vsw_error *err)
{
	struct vsw_api *api;
	int rc;

	vsw_error_clear(err);
	if (opt == NULL) {
		vsw_error_set(err, -EINVAL, "InvalidInput", NULL, "no API options");
		return NULL;
	}
	api = calloc(1, sizeof(*api));
	if (api == NULL) {
		vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &api->started_mono);
	api->started_at = time(NULL);
	if (hooks != NULL)
		api->hooks = *hooks;
	api->model = vsw_model_create();
	api->method_index = json_object();
	rc = copy_options(api, opt);
	if (rc < 0 || api->model == NULL || api->method_index == NULL) {
		vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
		goto fail;
	}
	vsw_model_set_view_fn(api->model, vsw_resource_build_view, api);
	rc = vsw_resources_register_all(api);
	if (rc < 0) {
		vsw_error_set(err, rc, "InternalError", NULL,
			      "registering resources failed: %s", strerror(-rc));
		goto fail;
	}
	rc = vsw_store_open(api->db_path, load_row, api, &api->store, err);
	if (rc < 0)
		goto fail;
	/* Rows load in write order, not dependency order: views again. */
	vsw_model_refresh_views(api->model);
	vsw_model_set_journaling(api->model, true);
	log_loaded(api);
	return api;
fail:
	vsw_api_destroy(api);
	return NULL;
}

void
vsw_api_destroy(struct vsw_api *api)
{
	if (api == NULL)
		return;
	if (api->group_open)
		vsw_api_group_end(api);
	vsw_store_close(api->store);
	vsw_model_destroy(api->model);
	for (size_t i = 0; i < api->n_kinds; i++) {
		for (size_t f = 0; api->kinds[i].defaults && f < api->kinds[i].kind->n_fields; f++)
			json_decref(api->kinds[i].defaults[f]);
		free(api->kinds[i].defaults);
	}
	for (size_t i = 0; i < api->n_methods; i++)
		free(api->methods[i].name);
	free(api->methods);
	json_decref(api->method_index);
	free(api->acked);
	free(api->db_path);
	free(api->default_project);
	free(api->version);
	free(api);
}

/* --- response serialisation --- */

static int
dump_value(struct vsw_api *api, const json_t *v, json_dump_callback_t cb, void *arg)
{
	const char *text;
	size_t len, i;

	if (json_is_object(v) &&
	    (text = vsw_model_view_text(api->model, v, &len)) != NULL)
		return cb(text, len, arg);
	if (!json_is_array(v))
		return json_dump_callback(v, cb, arg, JSON_COMPACT | JSON_ENCODE_ANY);
	if (cb("[", 1, arg) < 0)
		return -1;
	for (i = 0; i < json_array_size(v); i++)
		if ((i > 0 && cb(",", 1, arg) < 0) ||
		    dump_value(api, json_array_get(v, i), cb, arg) < 0)
			return -1;
	return cb("]", 1, arg);
}

/* One response object: every member as jansson writes it, but "result"
 * (a view or a list of views) through dump_value(). */
static int
dump_envelope(struct vsw_api *api, const json_t *resp, json_dump_callback_t cb,
	      void *arg)
{
	const char *key;
	json_t *value, *k;
	bool first = true;
	int rc = 0;

	if (!json_is_object(resp))
		return json_dump_callback(resp, cb, arg, JSON_COMPACT | JSON_ENCODE_ANY);
	if (cb("{", 1, arg) < 0)
		return -1;
	json_object_foreach((json_t *)resp, key, value) {
		k = json_string(key);
		rc = (!first && cb(",", 1, arg) < 0) || k == NULL ||
		     json_dump_callback(k, cb, arg, JSON_ENCODE_ANY) < 0 ||
		     cb(":", 1, arg) < 0 ? -1 : 0;
		json_decref(k);
		if (rc == 0)
			rc = strcmp(key, "result") == 0 ? dump_value(api, value, cb, arg) :
			     json_dump_callback(value, cb, arg, JSON_COMPACT | JSON_ENCODE_ANY);
		if (rc < 0)
			return -1;
		first = false;
	}
	return cb("}", 1, arg);
}

int
vsw_api_dump_response(struct vsw_api *api, const json_t *resp,
		      json_dump_callback_t cb, void *arg)
{
	size_t i;

	if (!json_is_array(resp))
		return dump_envelope(api, resp, cb, arg);
	if (cb("[", 1, arg) < 0)
		return -1;
	for (i = 0; i < json_array_size(resp); i++)
		if ((i > 0 && cb(",", 1, arg) < 0) ||
		    dump_envelope(api, json_array_get(resp, i), cb, arg) < 0)
			return -1;
	return cb("]", 1, arg);
}
