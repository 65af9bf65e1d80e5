/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RESOURCE_H
#define VSW_RESOURCE_H

/*
 * Declared resources: a kind is a table of fields plus a few hooks, and one
 * generic implementation of KIND.create/show/list/update/delete serves every
 * kind (see STYLE.md, "From Neutron's attribute maps"). Action methods
 * (vnic.plug, system.info, ...) are registered beside them.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api.h"
#include "field_types.h"
#include "model.h"
#include "vsw_error.h"

/* What a method runs with: the acting project and its rights. */
struct vsw_ctx {
	struct vsw_api *api;
	struct vsw_model *model;
	const struct vsw_caller *caller;  /* may be NULL */
	const char *project;              /* acting project */
	bool admin;                       /* admin: true, allowed for the caller */
	bool project_given;               /* params named project_id */
};

struct vsw_resource_kind {
	const char *name;       /* "network": methods network.create, ... */
	const char *plural;     /* "networks": counts in stats.get */
	const char *extension;  /* alias providing the kind; NULL = core */
	bool admin_only;        /* every method needs an admin request */
	/* A boolean field that, when true, lets every project read the object
	 * (Neutron's "shared"); only its project (or admin) may change it. */
	const char *shared_field;
	const struct vsw_field *fields;
	size_t n_fields;

	/* Derived fields, cross-object checks, uniqueness. obj is the new
	 * object (defaults filled, id/project set); given holds the params
	 * as validated, to tell a given value from a default. */
	int (*on_create)(struct vsw_ctx *ctx, json_t *obj, const json_t *given,
			 struct vsw_error *err);
	/* obj is the updated copy of old; changes holds the validated params. */
	int (*on_update)(struct vsw_ctx *ctx, const json_t *old, json_t *obj,
			 const json_t *changes, struct vsw_error *err);
	/* In-use checks (409). */
	int (*on_delete)(struct vsw_ctx *ctx, const json_t *obj,
			 struct vsw_error *err);
	/* Adds computed members (status, ...) to the API view of obj. Views
	 * are built when an object is put (see model.h): read other objects
	 * only through members that never change. */
	void (*decorate)(struct vsw_ctx *ctx, const json_t *obj, json_t *out);
	/* Secondary index keys of a stored object (see model.h). */
	vsw_model_index_fn index_keys;
};

typedef int (*vsw_method_fn)(struct vsw_ctx *ctx, void *data, json_t *params,
			     json_t **result, struct vsw_error *err);

#define VSW_METHOD_MUTATING (1u << 0)  /* runs in a savepoint; committed */
#define VSW_METHOD_ADMIN    (1u << 1)  /* admin requests only */

/* Registers a kind and its generic methods KIND.create/show/list/delete
 * (and KIND.update when a field is updatable). max_objects 0: no limit. */
int vsw_api_register_kind(struct vsw_api *api,
			  const struct vsw_resource_kind *kind,
			  unsigned int max_objects);
/* Registers an action method. name is copied. */
int vsw_api_register_method(struct vsw_api *api, const char *name,
			    vsw_method_fn fn, void *data, unsigned int flags);

const struct vsw_api_options *vsw_api_options(const struct vsw_api *api);
const struct vsw_api_hooks *vsw_api_hooks(const struct vsw_api *api);
/* Registered kinds, in registration order (NULL past the end). */
const struct vsw_resource_kind *vsw_api_kind_at(const struct vsw_api *api,
						size_t i);

/* --- helpers for hooks and actions --- */

/* The object if it exists and the acting project may see it, else NULL. */
const json_t *vsw_ctx_get(const struct vsw_ctx *ctx, const char *kind,
			  const char *id);
bool vsw_ctx_visible(const struct vsw_ctx *ctx, const json_t *obj);

/* Writes obj (reference stolen) to the store and the model, journaled. */
int vsw_ctx_put(struct vsw_ctx *ctx, const char *kind, json_t *obj,
		struct vsw_error *err);
int vsw_ctx_remove(struct vsw_ctx *ctx, const char *kind, const char *id,
		   struct vsw_error *err);

/* The API view of a stored object (visible, non-secret fields + decorate):
 * the model's cached view for a current object. A new reference. */
json_t *vsw_ctx_view(struct vsw_ctx *ctx, const char *kind, const json_t *obj);

/* Random bytes from getrandom(2), buffered. */
void vsw_ctx_random(struct vsw_ctx *ctx, void *buf, size_t len);

/* 404 "<Kind>NotFound" (e.g. NetworkNotFound) naming field. */
/* Sets out's "status" from the data plane (api hooks), or dflt when it has
 * no opinion; adds "status_reason" when the data plane gives one. */
void vsw_resource_set_status(struct vsw_ctx *ctx, const char *kind,
			     const json_t *obj, json_t *out, const char *dflt);

int vsw_not_found(struct vsw_error *err, const char *kind, const char *field,
		  const char *id);

/* A copy of obj for a change: shallow (members are shared, never edited
 * in place) with updated_at refreshed when the kind has it. NULL: ENOMEM. */
json_t *vsw_obj_copy_for_update(const json_t *obj);

/* String member or NULL. */
static inline const char *
vsw_obj_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/*
 * Reads the string member name of action params (a UUID): missing or not
 * a string -> 400 InvalidInput naming it. A string that is not a UUID
 * cannot name an object: *id gets "" so the caller answers 404.
 */
int vsw_params_id(const json_t *params, const char *name,
		  char id[VSW_UUID_STRLEN], struct vsw_error *err);
/* 400 UnknownField for any member of params not in names (NULL-ended). */
int vsw_params_only(const json_t *params, const char *const *names,
		    struct vsw_error *err);

#endif
