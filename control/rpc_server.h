/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RPC_SERVER_H
#define VSW_RPC_SERVER_H

/*
 * The API socket: a non-blocking Unix stream server on the control loop.
 *
 * Each client's bytes are split into requests (rpc_stream.h). Requests are
 * not handled in the fd callbacks: once per loop turn a turn hook handles
 * every ready client's complete requests (up to a fair per-client budget) as
 * one API group (vsw_api_group_begin/_end: one commit, one data-plane
 * apply), and only then serialises and sends the responses, one compact JSON
 * text and "\n" each, in request order per client.
 *
 * A request over 1 MiB gets a 413 RequestTooLarge error and the connection
 * is closed after it; nesting deeper than 512 gets a parse error and a close.
 * A client that does not read its responses stops being read and handled
 * (over 4 MiB unsent), and is dropped when its unsent output stays over
 * 64 MiB for a second or does not move for 30 s. A client that shuts down
 * its sending side still gets the responses to what it sent.
 */

#include <jansson.h>

#include "api.h"
#include "event_loop.h"
#include "vsw_config.h"
#include "vsw_error.h"

struct vsw_rpc_server;

/*
 * Listens on cfg->socket_path (its parent directory is created 0755 if
 * missing; the socket gets cfg->socket_mode). A stale socket file is
 * replaced; a live daemon on the path fails with -EADDRINUSE. Raises the
 * soft RLIMIT_NOFILE to the hard limit. cfg is copied. NULL on failure,
 * with err set.
 */
struct vsw_rpc_server *vsw_rpc_server_create(struct vsw_loop *loop,
					     struct vsw_api *api,
					     const struct vsw_config *cfg,
					     struct vsw_error *err);

/* Closes every client (unsent responses are dropped) and the listener, and
 * unlinks the socket path if it is still the one this server created. */
void vsw_rpc_server_destroy(struct vsw_rpc_server *srv);

/*
 * Adds the server's counters to the object into: clients (connected now),
 * accepted, rejected_max_clients, requests (frames handled), parse_errors,
 * closed_oversize, closed_too_deep, dropped_slow, groups.
 */
void vsw_rpc_server_stats(const struct vsw_rpc_server *srv, json_t *into);

#endif
