/* SPDX-License-Identifier: BSD-3-Clause */
#include "resource.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpc.h"

static const struct vsw_field *
find_field(const struct vsw_resource_kind *kind, const char *name, size_t *index)
{
	for (size_t i = 0; i < kind->n_fields; i++) {
		if (strcmp(kind->fields[i].name, name) == 0) {
			if (index != NULL)
				*index = i;
			return &kind->fields[i];
		}
	}
	return NULL;
}

static int
unknown_field(struct vsw_error *err, const char *kind, const char *name)
{
	return vsw_error_set(err, -EINVAL, "UnknownField", name,
			     "unrecognized attribute '%.60s' for %s", name, kind);
}

void
vsw_resource_set_status(struct vsw_ctx *ctx, const char *kind, const json_t *obj,
			json_t *out, const char *dflt)
{
	const struct vsw_api_hooks *h = vsw_api_hooks(ctx->api);
	const char *status = h->status ? h->status(h->arg, kind, obj) : NULL;
	const char *reason = h->status_reason ? h->status_reason(h->arg, kind, obj) : NULL;

	json_object_set_new_nocheck(out, "status", json_string(status ? status : dflt));
	if (reason != NULL)
		json_object_set_new_nocheck(out, "status_reason", json_string(reason));
}

int
vsw_not_found(struct vsw_error *err, const char *kind, const char *field,
	      const char *id)
{
	char type[64];
	size_t n = 0;
	bool upper = true;

	/* "ipsec_site_connection" -> "IpsecSiteConnectionNotFound" */
	for (const char *p = kind; *p && n < sizeof(type) - sizeof("NotFound"); p++) {
		if (*p == '_') {
			upper = true;
			continue;
		}
		type[n++] = upper ? (char)toupper((unsigned char)*p) : *p;
		upper = false;
	}
	snprintf(type + n, sizeof(type) - n, "NotFound");
	return vsw_error_set(err, -ENOENT, type, field,
			     "%s %.40s could not be found", kind, id ? id : "");
}

int
vsw_params_id(const json_t *params, const char *name, char id[VSW_UUID_STRLEN],
	      struct vsw_error *err)
{
	json_t *v = json_object_get(params, name);

	if (v == NULL)
		return vsw_error_set(err, -EINVAL, "InvalidInput", name,
				     "missing required attribute '%s'", name);
	if (!json_is_string(v))
		return vsw_error_set(err, -EINVAL, "InvalidInput", name,
				     "invalid input for %s: expected a UUID string", name);
	if (!vsw_uuid_canonical(json_string_value(v), id))
		id[0] = '\0';
	return 0;
}

int
vsw_params_only(const json_t *params, const char *const *names,
		struct vsw_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)params, key, value) {
		const char *const *n = names;

		while (*n && strcmp(*n, key) != 0)
			n++;
		if (*n == NULL)
			return vsw_error_set(err, -EINVAL, "UnknownField", key,
					     "unrecognized attribute '%.60s'", key);
	}
	return 0;
}

json_t *
vsw_obj_copy_for_update(const json_t *obj)
{
	json_t *copy = json_copy((json_t *)obj);
	char now[VSW_TIMESTAMP_STRLEN];

	if (copy != NULL && json_object_get(copy, "updated_at") != NULL) {
		vsw_timestamp_now(now);
		json_object_set_new_nocheck(copy, "updated_at", json_string(now));
	}
	return copy;
}

json_t *
vsw_resource_build_view(void *arg, const char *kind_name, const json_t *obj)
{
	struct vsw_api *api = arg;
	const struct vsw_kind_reg *reg = vsw_api_find_kind(api, kind_name);
	struct vsw_ctx ctx = {
		.api = api, .model = api->model, .project = "", .admin = true,
	};
	const struct vsw_resource_kind *kind;
	json_t *out;

	if (reg == NULL)
		return NULL;
	kind = reg->kind;
	out = json_object();
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < kind->n_fields; i++) {
		const struct vsw_field *f = &kind->fields[i];
		json_t *v;

		if (!(f->flags & VSW_F_VISIBLE) || (f->flags & VSW_F_SECRET))
			continue;
		v = json_object_get(obj, f->name);
		if (v != NULL)
			json_object_set_nocheck(out, f->name, v);
	}
	if (kind->decorate != NULL)
		kind->decorate(&ctx, obj, out);
	return out;
}

json_t *
vsw_ctx_view(struct vsw_ctx *ctx, const char *kind, const json_t *obj)
{
	const char *id = vsw_obj_str(obj, "id");
	const json_t *view = id ? vsw_model_view(ctx->model, kind, id) : NULL;

	/* The model keeps the view of its current objects. */
	if (view != NULL && vsw_model_get(ctx->model, kind, id) == obj)
		return json_incref((json_t *)view);
	return vsw_resource_build_view(ctx->api, kind, obj);
}

/* --- create --- */

static int
validate_given(struct vsw_ctx *ctx, const struct vsw_resource_kind *kind,
	       json_t *params, uint32_t settable, json_t *given,
	       struct vsw_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(params, key, value) {
		const struct vsw_field *f = find_field(kind, key, NULL);
		json_t *v;
		int rc;

		if (f == NULL)
			return unknown_field(err, kind->name, key);
		if (!(f->flags & settable))
			return vsw_error_set(err, -EINVAL, "InvalidInput", key,
					     "attribute '%s' cannot be %s", key,
					     settable == VSW_F_CREATE ? "set on create"
								      : "updated");
		if ((f->flags & VSW_F_ADMIN) && !ctx->admin)
			return vsw_error_set(err, -EPERM, "Forbidden", key,
					     "only an admin request may set '%s'", key);
		v = json_incref(value);
		rc = vsw_field_validate(f, &v, err);
		if (rc == 0)
			rc = json_object_set_new_nocheck(given, key, v) < 0 ? -ENOMEM : 0;
		else
			json_decref(v);
		if (rc < 0)
			return err->errnum ? rc : vsw_error_set(err, rc, "ResourceExhausted",
								 NULL, "out of memory");
	}
	return 0;
}

static int
check_required(const struct vsw_resource_kind *kind, const json_t *given,
	       struct vsw_error *err)
{
	for (size_t i = 0; i < kind->n_fields; i++) {
		const struct vsw_field *f = &kind->fields[i];

		if ((f->flags & VSW_F_REQUIRED) && json_object_get(given, f->name) == NULL)
			return vsw_error_set(err, -EINVAL, "InvalidInput", f->name,
					     "missing required attribute '%s'", f->name);
	}
	return 0;
}

static void
new_id(struct vsw_ctx *ctx, const char *kind, char id[VSW_UUID_STRLEN])
{
	uint8_t rnd[16];

	do {
		vsw_ctx_random(ctx, rnd, sizeof(rnd));
		vsw_uuid_from_random(rnd, id);
	} while (vsw_model_get(ctx->model, kind, id) != NULL);
}

/* The value a new object gets for field i: given, computed or default. */
static json_t *
initial_value(struct vsw_ctx *ctx, const struct vsw_kind_reg *reg, size_t i,
	      const json_t *given, const char *id, const char *now)
{
	const struct vsw_field *f = &reg->kind->fields[i];
	json_t *v = json_object_get(given, f->name);

	if (strcmp(f->name, "id") == 0)
		return json_string(id);
	if (strcmp(f->name, "project_id") == 0 || strcmp(f->name, "tenant_id") == 0)
		return json_string(ctx->project);
	if (strcmp(f->name, "created_at") == 0 || strcmp(f->name, "updated_at") == 0)
		return json_string(now);
	if (v != NULL)
		return json_incref(v);
	/* Containers are copied: members of stored objects are never shared
	 * with something that could be edited in place. */
	return reg->defaults[i] ? json_deep_copy(reg->defaults[i]) : NULL;
}

static json_t *
build_object(struct vsw_ctx *ctx, const struct vsw_kind_reg *reg,
	     const json_t *given)
{
	char id[VSW_UUID_STRLEN], now[VSW_TIMESTAMP_STRLEN];
	json_t *obj = json_object();

	if (obj == NULL)
		return NULL;
	new_id(ctx, reg->kind->name, id);
	vsw_timestamp_now(now);
	json_object_set_new_nocheck(obj, "id", json_string(id));
	json_object_set_new_nocheck(obj, "project_id", json_string(ctx->project));
	for (size_t i = 0; i < reg->kind->n_fields; i++) {
		json_t *v = initial_value(ctx, reg, i, given, id, now);

		if (v != NULL)
			json_object_set_new_nocheck(obj, reg->kind->fields[i].name, v);
	}
	return obj;
}

static int
check_limit(struct vsw_ctx *ctx, const struct vsw_kind_reg *reg,
	    struct vsw_error *err)
{
	size_t n = vsw_model_count(ctx->model, reg->kind->name);

	if (reg->max_objects == 0 || n < reg->max_objects)
		return 0;
	return vsw_error_set(err, -ENOSPC, "ResourceExhausted", NULL,
			     "limit of %u %s reached", reg->max_objects,
			     reg->kind->plural ? reg->kind->plural : reg->kind->name);
}

int
vsw_resource_create(struct vsw_ctx *ctx, void *data, json_t *params,
		    json_t **result, struct vsw_error *err)
{
	const struct vsw_kind_reg *reg = data;
	const struct vsw_resource_kind *kind = reg->kind;
	json_t *given = json_object();
	json_t *obj = NULL;
	int rc;

	if (given == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	rc = validate_given(ctx, kind, params, VSW_F_CREATE, given, err);
	if (rc == 0)
		rc = check_required(kind, given, err);
	if (rc == 0)
		rc = check_limit(ctx, reg, err);
	if (rc == 0) {
		obj = build_object(ctx, reg, given);
		if (obj == NULL)
			rc = vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL,
					   "out of memory");
	}
	if (rc == 0 && kind->on_create != NULL)
		rc = kind->on_create(ctx, obj, given, err);
	if (rc == 0)
		rc = vsw_ctx_put(ctx, kind->name, json_incref(obj), err);
	if (rc == 0)
		*result = vsw_ctx_view(ctx, kind->name, obj);
	json_decref(obj);
	json_decref(given);
	return rc;
}

static bool
shared_with_all(const struct vsw_resource_kind *kind, const json_t *obj)
{
	return kind->shared_field != NULL &&
	       json_is_true(json_object_get(obj, kind->shared_field));
}

/* --- show, update, delete --- */

static const json_t *
find_target(struct vsw_ctx *ctx, const struct vsw_resource_kind *kind,
	    const json_t *params, struct vsw_error *err)
{
	char id[VSW_UUID_STRLEN];
	const json_t *obj;

	if (vsw_params_id(params, "id", id, err) < 0)
		return NULL;
	obj = vsw_ctx_get(ctx, kind->name, id);
	if (obj == NULL)
		vsw_not_found(err, kind->name, "id",
			      id[0] ? id : json_string_value(json_object_get(params, "id")));
	return obj;
}

int
vsw_resource_show(struct vsw_ctx *ctx, void *data, json_t *params,
		  json_t **result, struct vsw_error *err)
{
	static const char *const allowed[] = { "id", NULL };
	const struct vsw_kind_reg *reg = data;
	const json_t *obj;

	char id[VSW_UUID_STRLEN];

	if (vsw_params_only(params, allowed, err) < 0)
		return err->errnum;
	/* Shared objects are readable by every project; changing them is not. */
	if (vsw_params_id(params, "id", id, err) == 0) {
		obj = vsw_model_get(ctx->model, reg->kind->name, id);
		if (obj != NULL && shared_with_all(reg->kind, obj)) {
			*result = vsw_ctx_view(ctx, reg->kind->name, obj);
			return 0;
		}
	}
	vsw_error_clear(err);
	obj = find_target(ctx, reg->kind, params, err);
	if (obj == NULL)
		return err->errnum;
	*result = vsw_ctx_view(ctx, reg->kind->name, obj);
	return 0;
}

int
vsw_resource_delete(struct vsw_ctx *ctx, void *data, json_t *params,
		    json_t **result, struct vsw_error *err)
{
	static const char *const allowed[] = { "id", NULL };
	const struct vsw_kind_reg *reg = data;
	const json_t *obj;
	char id[VSW_UUID_STRLEN];
	int rc;

	if (vsw_params_only(params, allowed, err) < 0)
		return err->errnum;
	obj = find_target(ctx, reg->kind, params, err);
	if (obj == NULL)
		return err->errnum;
	if (reg->kind->on_delete != NULL) {
		rc = reg->kind->on_delete(ctx, obj, err);
		if (rc < 0)
			return rc;
	}
	snprintf(id, sizeof(id), "%s", vsw_obj_str(obj, "id"));
	rc = vsw_ctx_remove(ctx, reg->kind->name, id, err);
	if (rc < 0)
		return rc;
	*result = json_object();
	return 0;
}

int
vsw_resource_update(struct vsw_ctx *ctx, void *data, json_t *params,
		    json_t **result, struct vsw_error *err)
{
	const struct vsw_kind_reg *reg = data;
	const struct vsw_resource_kind *kind = reg->kind;
	const json_t *old = find_target(ctx, kind, params, err);
	json_t *changes, *obj;
	const char *key;
	json_t *value;
	int rc;

	if (old == NULL)
		return err->errnum;
	changes = json_object();
	obj = vsw_obj_copy_for_update(old);
	json_object_del(params, "id");
	rc = changes && obj ? validate_given(ctx, kind, params, VSW_F_UPDATE, changes, err)
			    : vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL,
					    "out of memory");
	if (rc == 0) {
		json_object_foreach(changes, key, value)
			json_object_set_nocheck(obj, key, value);
		if (kind->on_update != NULL)
			rc = kind->on_update(ctx, old, obj, changes, err);
	}
	if (rc == 0)
		rc = vsw_ctx_put(ctx, kind->name, json_incref(obj), err);
	if (rc == 0)
		*result = vsw_ctx_view(ctx, kind->name, obj);
	json_decref(obj);
	json_decref(changes);
	return rc;
}

/* --- list --- */

struct list_filter {
	const char *name;
	json_t *value;      /* owned */
	bool any_of;        /* value is an array of alternatives */
};

static int
parse_filters(const struct vsw_resource_kind *kind, json_t *params,
	      struct list_filter *filters, size_t *n, struct vsw_error *err)
{
	const char *key;
	json_t *value;

	*n = 0;
	json_object_foreach(params, key, value) {
		const struct vsw_field *f = find_field(kind, key, NULL);
		struct list_filter *flt = &filters[*n];
		int rc = 0;

		if (f == NULL || !(f->flags & VSW_F_VISIBLE) || (f->flags & VSW_F_SECRET))
			return unknown_field(err, kind->name, key);
		flt->name = f->name;
		flt->any_of = json_is_array(value) && f->type != VSW_FT_LIST;
		flt->value = flt->any_of ? json_array() : json_incref(value);
		(*n)++;
		if (flt->any_of) {
			size_t i;
			json_t *alt;

			json_array_foreach(value, i, alt) {
				json_t *v = json_incref(alt);

				rc = vsw_field_canonical(f, &v, err);
				if (rc < 0) {
					json_decref(v);
					break;
				}
				json_array_append_new(flt->value, v);
			}
		} else {
			rc = vsw_field_canonical(f, &flt->value, err);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool
filter_matches(const struct list_filter *flt, const json_t *view)
{
	json_t *v = json_object_get(view, flt->name);
	size_t i;
	json_t *alt;

	if (v == NULL)
		v = json_null();
	if (!flt->any_of)
		return json_equal(v, flt->value);
	json_array_foreach(flt->value, i, alt)
		if (json_equal(v, alt))
			return true;
	return false;
}

/* Every view carries project_id (a visible field of every kind). */
static bool
in_list_scope(const struct vsw_ctx *ctx, const struct vsw_resource_kind *kind,
	      const json_t *view)
{
	const char *owner;

	if (ctx->admin && !ctx->project_given)
		return true;
	if (shared_with_all(kind, view))
		return true;
	/* Non-admin: own objects only; admin naming a project: that one. */
	owner = vsw_obj_str(view, "project_id");
	return owner != NULL && strcmp(owner, ctx->project) == 0;
}

int
vsw_resource_list(struct vsw_ctx *ctx, void *data, json_t *params,
		  json_t **result, struct vsw_error *err)
{
	const struct vsw_kind_reg *reg = data;
	const struct vsw_resource_kind *kind = reg->kind;
	struct list_filter filters[kind->n_fields + 1];
	const json_t *views = vsw_model_views(ctx->model, kind->name);
	json_t *out = json_array();
	size_t n_filters = 0;
	const char *id;
	json_t *view;
	int rc;

	if (out == NULL)
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	/* Each key appears once in an object, so at most n_fields filters. */
	rc = parse_filters(kind, params, filters, &n_filters, err);
	if (rc == 0) {
		json_object_foreach((json_t *)views, id, view) {
			bool match = in_list_scope(ctx, kind, view);

			for (size_t i = 0; i < n_filters && match; i++)
				match = filter_matches(&filters[i], view);
			if (match)
				json_array_append(out, view);
		}
	}
	for (size_t i = 0; i < n_filters; i++)
		json_decref(filters[i].value);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	*result = out;
	return 0;
}
