/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RPC_H
#define VSW_RPC_H

/*
 * Internals of the API core shared by api.c (lifecycle, registry, group
 * commit), rpc.c (JSON-RPC envelope) and resource.c (generic CRUD). Not for
 * other modules: they use api.h, resource.h and model.h.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "api.h"
#include "model.h"
#include "resource.h"
#include "store.h"

struct vsw_kind_reg {
	const struct vsw_resource_kind *kind;
	json_t **defaults;          /* per field: parsed default_json or NULL */
	unsigned int max_objects;   /* 0: no limit */
	bool has_tenant_id, has_created_at, has_updated_at;
};

struct vsw_method {
	char *name;
	vsw_method_fn fn;
	void *data;
	unsigned int flags;
};

struct vsw_api_stats {
	uint64_t requests;          /* request objects seen, batch elements too */
	uint64_t errors;            /* error responses */
	uint64_t mutations;         /* successful mutating requests, committed */
	uint64_t commits;           /* groups committed */
	uint64_t commit_failures;   /* groups rolled back at commit/apply */
};

struct vsw_api {
	struct vsw_api_options opt;     /* strings point at the copies below */
	char *db_path, *default_project, *version;
	struct vsw_api_hooks hooks;
	struct vsw_model *model;
	struct vsw_store *store;

	struct vsw_kind_reg kinds[VSW_MODEL_MAX_KINDS];
	size_t n_kinds;
	struct vsw_method *methods;
	size_t n_methods, cap_methods;
	json_t *method_index;           /* name -> index into methods */

	/* The open group: see vsw_api_group_begin(). */
	bool group_open;
	bool txn_open;                  /* BEGIN issued in this group */
	bool group_failed;              /* a savepoint could not be undone */
	size_t group_mutations;
	json_t **acked;                 /* successful mutating responses */
	size_t n_acked, cap_acked;

	struct vsw_api_stats stats;
	struct timespec started_mono;
	time_t started_at;

	uint8_t random[256];
	size_t random_left;
};

const struct vsw_method *vsw_api_find_method(const struct vsw_api *api,
					     const char *name);
const struct vsw_kind_reg *vsw_api_find_kind(const struct vsw_api *api,
					     const char *name);

/* Runs a method: admin check, and for a mutating one a savepoint and a
 * journal mark, undone when it fails. */
int vsw_api_call(struct vsw_api *api, struct vsw_ctx *ctx,
		 const struct vsw_method *m, json_t *params, json_t **result,
		 struct vsw_error *err);
/* Keeps a successful mutating response to rewrite if the group fails. */
void vsw_api_ack(struct vsw_api *api, json_t *response);

/* Generic methods of a kind; data is its struct vsw_kind_reg. */
int vsw_resource_create(struct vsw_ctx *ctx, void *data, json_t *params,
			json_t **result, struct vsw_error *err);
int vsw_resource_show(struct vsw_ctx *ctx, void *data, json_t *params,
		      json_t **result, struct vsw_error *err);
int vsw_resource_list(struct vsw_ctx *ctx, void *data, json_t *params,
		      json_t **result, struct vsw_error *err);
int vsw_resource_update(struct vsw_ctx *ctx, void *data, json_t *params,
			json_t **result, struct vsw_error *err);
int vsw_resource_delete(struct vsw_ctx *ctx, void *data, json_t *params,
			json_t **result, struct vsw_error *err);

/* The model's view builder (vsw_model_view_fn; arg is the api). */
json_t *vsw_resource_build_view(void *arg, const char *kind, const json_t *obj);

/* Counters for stats.get. */
const struct vsw_api_stats *vsw_api_get_stats(const struct vsw_api *api);
/* Seconds since vsw_api_create(), and its wall-clock time. */
double vsw_api_uptime(const struct vsw_api *api);

/* Tests only: the next group commit fails with errnum. */
void vsw_api_fail_next_commit(struct vsw_api *api, int errnum);

#endif
