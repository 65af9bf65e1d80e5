/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_API_H
#define VSW_API_H

/*
 * The API core: JSON-RPC 2.0 messages in, responses out, against the object
 * model and its durable store. Transport-free (rpc_server.c feeds it), so unit
 * tests and the fuzzer drive it directly.
 *
 * Group commit: the server handles every complete request it has read in one
 * loop turn between vsw_api_group_begin() and vsw_api_group_end(). All their
 * changes commit in one SQLite transaction and are put in force in the data
 * plane (hooks.apply) before any of their responses is sent.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "vsw_error.h"

struct vsw_api;

/* Who sent a request: from SO_PEERCRED on the API socket. */
struct vsw_caller {
	uid_t uid;
	pid_t pid;
	bool may_admin;   /* uid is listed in api.admin_uids */
};

struct vsw_api_hooks {
	void *arg;
	/* Puts the committed model in force in the data plane (compile tables,
	 * publish with RCU, wait for the grace period). NULL: nothing to do. */
	int (*apply)(void *arg, struct vsw_api *api, struct vsw_error *err);
	/* Adds the data plane's part of system.info / stats.get. NULL: none. */
	void (*system_info)(void *arg, json_t *info);
	void (*stats)(void *arg, json_t *stats);
	/* A VNIC's or port's status as the data plane sees it (ACTIVE, DOWN,
	 * ERROR), and why when ERROR. NULL hook or NULL result: no opinion. */
	const char *(*status)(void *arg, const char *kind, const json_t *obj);
	const char *(*status_reason)(void *arg, const char *kind, const json_t *obj);
};

struct vsw_api_options {
	const char *db_path;          /* SQLite file; ":memory:" for tests */
	const char *default_project;  /* acting project when params name none */
	unsigned int max_networks;
	unsigned int max_ports;
	unsigned int max_vnics;
	const char *version;          /* reported by system.info */
	unsigned int n_workers;       /* reported by system.info */
};

/*
 * Opens (or creates) the state db and loads every object. A corrupt or
 * unreadable db fails with -EIO and a clear message in err; the file is
 * never modified or replaced then.
 */
struct vsw_api *vsw_api_create(const struct vsw_api_options *opt,
			       const struct vsw_api_hooks *hooks,
			       struct vsw_error *err);
void vsw_api_destroy(struct vsw_api *api);

void vsw_api_group_begin(struct vsw_api *api);

/*
 * Handles one complete JSON text (a request object or a batch array).
 * Returns the response to send (an object, or an array for a batch), or
 * NULL when nothing is to be sent (notifications). Invalid JSON and invalid
 * UTF-8 give a -32700 response. The caller owns the result but must not
 * serialise it before vsw_api_group_end().
 */
json_t *vsw_api_handle_text(struct vsw_api *api, const struct vsw_caller *caller,
			    const char *text, size_t len);

/*
 * Commits the group and applies it to the data plane. On failure every
 * successful mutating response of the group is rewritten in place into an
 * error response (nothing is acknowledged that is not durable) and the
 * in-memory model is rolled back. Returns 0 or a negative errno.
 */
int vsw_api_group_end(struct vsw_api *api);

/*
 * Serialises a response (or batch) compactly through cb, as
 * json_dump_callback() would, but writes the API views in a result from the
 * serialised copies the model keeps: a list of 10,000 ports is a copy, not
 * a walk. Returns 0 or -1 (cb failed or out of memory).
 */
int vsw_api_dump_response(struct vsw_api *api, const json_t *resp,
			  json_dump_callback_t cb, void *arg);

/* A JSON-RPC error response; id is borrowed and may be NULL (-> null). */
json_t *vsw_rpc_error_response(json_t *id, int code, const char *message,
			       const char *type, const char *field);

/* JSON-RPC protocol error codes. */
#define VSW_RPC_PARSE_ERROR      (-32700)
#define VSW_RPC_INVALID_REQUEST  (-32600)
#define VSW_RPC_METHOD_NOT_FOUND (-32601)
#define VSW_RPC_INVALID_PARAMS   (-32602)

#endif
