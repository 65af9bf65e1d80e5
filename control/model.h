/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_MODEL_H
#define VSW_MODEL_H

/*
 * The in-memory object model: per kind an id -> object map in creation
 * order, counted secondary indexes derived from the objects, and an undo
 * journal so a failed request or group is taken back exactly.
 *
 * Objects in the model are immutable: a change puts a new object (a shallow
 * copy with the changed members) and keeps the old one in the journal.
 * Stored objects hold what is persisted. Beside each one the model keeps its
 * API view (visible members plus computed ones such as "status"), built once
 * when the object is put, so show and list only take references. A view
 * may depend on other objects only through members that never change, or
 * the dependent object must be put again (or refreshed) when they do.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct vsw_api;
struct vsw_model;

#define VSW_MODEL_MAX_KINDS 32

/* Counted index keys of one object: emit(arg, index_name, key) per key. */
typedef void (*vsw_model_emit_fn)(void *arg, const char *index, const char *key);
typedef void (*vsw_model_index_fn)(const json_t *obj, vsw_model_emit_fn emit,
				   void *arg);
/* Builds the API view of a stored object (a new reference). */
typedef json_t *(*vsw_model_view_fn)(void *arg, const char *kind,
				     const json_t *obj);

struct vsw_model *vsw_model_create(void);
void vsw_model_destroy(struct vsw_model *model);

/* Declares a kind; index may be NULL. 0, -EEXIST or -ENOSPC. */
int vsw_model_add_kind(struct vsw_model *model, const char *kind,
		       vsw_model_index_fn index);
bool vsw_model_has_kind(const struct vsw_model *model, const char *kind);
/* Sets how views are built (default: the stored object itself). */
void vsw_model_set_view_fn(struct vsw_model *model, vsw_model_view_fn fn,
			   void *arg);

/* The object with this id, or NULL. Borrowed; never modify it. */
const json_t *vsw_model_get(const struct vsw_model *model, const char *kind,
			    const char *id);

/* All objects of a kind: a JSON object id -> object in creation order
 * (iterate with json_object_foreach). Borrowed; NULL for an unknown kind. */
const json_t *vsw_model_kind(const struct vsw_model *model, const char *kind);
size_t vsw_model_count(const struct vsw_model *model, const char *kind);

/* All views of a kind, id -> view in the order of vsw_model_kind(). */
const json_t *vsw_model_views(const struct vsw_model *model, const char *kind);
/* The API view of an object, or NULL. Borrowed; never modify it. */
const json_t *vsw_model_view(const struct vsw_model *model, const char *kind,
			     const char *id);
/* The compact JSON text of a view the model holds (NULL if view is not the
 * current view of its object). Borrowed, valid while the view is current. */
const char *vsw_model_view_text(const struct vsw_model *model, const json_t *view,
				size_t *len);
/* Rebuilds one view, or all (after loading, or when what a view shows
 * changed outside its object). */
void vsw_model_refresh_view(struct vsw_model *model, const char *kind,
			    const char *id);
void vsw_model_refresh_views(struct vsw_model *model);

/* How many objects emit key in index. */
size_t vsw_model_index_count(const struct vsw_model *model, const char *index,
			     const char *key);

/* Inserts or replaces the object with obj's "id" (reference stolen). */
int vsw_model_put(struct vsw_model *model, const char *kind, json_t *obj);
/* Removes an object; -ENOENT when absent. */
int vsw_model_remove(struct vsw_model *model, const char *kind, const char *id);

/* Undo journal. Changes are journaled while journaling is on. */
void vsw_model_set_journaling(struct vsw_model *model, bool on);
size_t vsw_model_mark(const struct vsw_model *model);
void vsw_model_undo_to(struct vsw_model *model, size_t mark);
void vsw_model_forget(struct vsw_model *model);  /* changes are final */

/* The model behind an API (for the data-plane compiler). */
struct vsw_model *vsw_api_model(struct vsw_api *api);

#endif
