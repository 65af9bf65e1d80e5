/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The API socket server and the control loop, against a fake API core: the
 * loop runs in a thread, the test talks to the socket as a client would.
 * The fake marks each response "committed" in group_end, so a response sent
 * before its group ended would show.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "api.h"
#include "event_loop.h"
#include "rpc_server.h"
#include "rpc_stream.h"
#include "vsw_config.h"

/* ---- the fake API core (runs on the loop thread) ---- */

struct vsw_api {
	bool in_group;
	int group;
	json_t **handed;          /* responses of the open group */
	size_t n_handed, cap_handed;
	size_t big_size;          /* size of the "big" method's padding */
	struct vsw_rpc_server *srv;
};

static struct vsw_api fake_api;

bool
vsw_config_uid_is_admin(const struct vsw_config *cfg, uid_t uid)
{
	(void)cfg;
	return uid == getuid();
}

json_t *
vsw_rpc_error_response(json_t *id, int code, const char *message,
		       const char *type, const char *field)
{
	json_t *data = json_pack("{s:s}", "type", type);

	if (field != NULL)
		json_object_set_new(data, "field", json_string(field));
	return json_pack("{s:s, s:O?, s:{s:i, s:s, s:o}}", "jsonrpc", "2.0",
			 "id", id, "error", "code", code, "message", message,
			 "data", data);
}

void
vsw_api_group_begin(struct vsw_api *api)
{
	assert_false(api->in_group);
	api->in_group = true;
	api->group++;
	api->n_handed = 0;
}

static json_t *
fake_result(struct vsw_api *api, const struct vsw_caller *caller,
	    const char *method)
{
	json_t *result = json_pack("{s:i, s:i, s:b}", "group", api->group,
				   "uid", (int)caller->uid, "admin", caller->may_admin);

	if (strcmp(method, "big") == 0) {
		char *pad = malloc(api->big_size + 1);

		memset(pad, 'p', api->big_size);
		pad[api->big_size] = '\0';
		json_object_set_new(result, "pad", json_string(pad));
		free(pad);
	} else if (strcmp(method, "stats") == 0) {
		vsw_rpc_server_stats(api->srv, result);
	}
	return result;
}

json_t *
vsw_api_handle_text(struct vsw_api *api, const struct vsw_caller *caller,
		    const char *text, size_t len)
{
	json_t *req, *id, *resp;
	const char *method;

	assert_true(api->in_group);
	req = json_loadb(text, len, 0, NULL);
	if (req == NULL)
		return vsw_rpc_error_response(NULL, VSW_RPC_PARSE_ERROR,
					      "Parse error", "ParseError", NULL);
	id = json_object_get(req, "id");
	method = json_string_value(json_object_get(req, "method"));
	if (id == NULL || method == NULL) {   /* a notification */
		json_decref(req);
		return NULL;
	}
	resp = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
			 "result", fake_result(api, caller, method));
	json_decref(req);
	if (api->n_handed == api->cap_handed) {
		api->cap_handed = api->cap_handed ? 2 * api->cap_handed : 64;
		api->handed = realloc(api->handed, api->cap_handed * sizeof(json_t *));
	}
	api->handed[api->n_handed++] = json_incref(resp);
	return resp;
}

int
vsw_api_dump_response(struct vsw_api *api, const json_t *resp,
		      json_dump_callback_t cb, void *arg)
{
	(void)api;
	return json_dump_callback(resp, cb, arg, JSON_COMPACT | JSON_ENCODE_ANY);
}

int
vsw_api_group_end(struct vsw_api *api)
{
	size_t i;

	assert_true(api->in_group);
	for (i = 0; i < api->n_handed; i++) {
		json_object_set_new(json_object_get(api->handed[i], "result"),
				    "committed", json_true());
		json_decref(api->handed[i]);
	}
	api->n_handed = 0;
	api->in_group = false;
	return 0;
}

/* ---- a server on a loop thread ---- */

struct fixture {
	char dir[64];
	char path[128];
	struct vsw_config cfg;
	struct vsw_loop *loop;
	struct vsw_rpc_server *srv;
	int stop_fd;
	pthread_t thread;
};

static void
on_stop(void *arg, int fd, uint32_t events)
{
	uint64_t v;

	(void)events;
	if (read(fd, &v, sizeof(v)) < 0)
		return;
	vsw_loop_stop(arg);
}

static void *
loop_thread(void *arg)
{
	struct fixture *fx = arg;

	assert_int_equal(vsw_loop_run(fx->loop), 0);
	return NULL;
}

static void
fixture_config(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/vsw-test-rpc-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/run/vsw.sock", fx->dir);
	fx->cfg.socket_mode = 0660;
	fx->cfg.max_clients = 4096;
	snprintf(fx->cfg.socket_path, sizeof(fx->cfg.socket_path), "%s", fx->path);
	memset(&fake_api, 0, sizeof(fake_api));
	fake_api.big_size = 1000;
}

static void
fixture_start(struct fixture *fx)
{
	struct vsw_error err = { 0 };

	fx->loop = vsw_loop_create();
	assert_non_null(fx->loop);
	fx->srv = vsw_rpc_server_create(fx->loop, &fake_api, &fx->cfg, &err);
	if (fx->srv == NULL)
		fail_msg("server: %s", err.message);
	fake_api.srv = fx->srv;
	fx->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(fx->stop_fd >= 0);
	assert_int_equal(vsw_loop_add_fd(fx->loop, fx->stop_fd, EPOLLIN,
					 on_stop, fx->loop), 0);
	assert_int_equal(pthread_create(&fx->thread, NULL, loop_thread, fx), 0);
}

static void
fixture_stop(struct fixture *fx)
{
	uint64_t one = 1;
	char cmd[160];

	assert_int_equal(write(fx->stop_fd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(pthread_join(fx->thread, NULL), 0);
	vsw_loop_del_fd(fx->loop, fx->stop_fd);
	close(fx->stop_fd);
	vsw_rpc_server_destroy(fx->srv);
	assert_int_equal(access(fx->path, F_OK), -1);   /* unlinked */
	vsw_loop_destroy(fx->loop);
	free(fake_api.handed);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
}

static int
setup(void **state)
{
	struct fixture *fx = malloc(sizeof(*fx));

	fixture_config(fx);
	fixture_start(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	fixture_stop(*state);
	free(*state);
	return 0;
}

/* ---- a blocking client ---- */

struct client {
	int fd;
	char *buf;
	size_t len, cap;
};

static int
connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static struct client *
client_open(const struct fixture *fx)
{
	struct client *c = calloc(1, sizeof(*c));

	c->fd = connect_to(fx->path);
	assert_true(c->fd >= 0);
	return c;
}

static void
client_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

/* Sends it all; returns 0 or -errno (EPIPE when the server closed). */
static int
client_send(struct client *c, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
client_send_str(struct client *c, const char *s)
{
	assert_int_equal(client_send(c, s, strlen(s)), 0);
}

/* One response line, parsed; NULL at EOF. Fails on a timeout. */
static json_t *
client_recv(struct client *c)
{
	for (;;) {
		char *nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
		ssize_t n;

		if (nl != NULL) {
			size_t line = (size_t)(nl - c->buf);
			json_error_t e;
			json_t *j = json_loadb(c->buf, line, 0, &e);

			if (j == NULL)
				fail_msg("bad response line: %s", e.text);
			memmove(c->buf, nl + 1, c->len - line - 1);
			c->len -= line + 1;
			return j;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->cap * 2 + 65536;
			c->buf = realloc(c->buf, c->cap);
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n == 0)
			return NULL;
		if (n < 0 && errno == ECONNRESET)
			return NULL;
		if (n < 0)
			fail_msg("recv: %s", strerror(errno));
		c->len += (size_t)n;
	}
}

static json_int_t
result_int(json_t *resp, const char *key)
{
	json_t *v = json_object_get(json_object_get(resp, "result"), key);

	if (!json_is_integer(v))
		fail_msg("no result.%s", key);
	return json_integer_value(v);
}

static json_t *
call_stats(struct client *c)
{
	json_t *resp;

	client_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"stats\"}\n");
	resp = client_recv(c);
	assert_non_null(resp);
	return resp;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- server tests ---- */

static void
test_request_response(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	struct stat st;
	json_t *resp;

	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	client_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"x\"}");
	resp = client_recv(c);
	assert_non_null(resp);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 7);
	assert_int_equal(result_int(resp, "uid"), getuid());
	assert_true(json_is_true(json_object_get(json_object_get(resp, "result"), "admin")));
	/* Serialised only after the group ended. */
	assert_true(json_is_true(json_object_get(json_object_get(resp, "result"),
						 "committed")));
	json_decref(resp);
	client_free(c);
}

static void
test_pipelined_in_order_with_fair_budget(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	char *req = malloc(300 * 64);
	size_t len = 0;
	int i, first_group = -1, per_group = 0, last_group = -1;

	/* 300 requests in one write, half with no separator at all. */
	for (i = 1; i <= 300; i++)
		len += sprintf(req + len, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"x\"}%s",
			       i, i % 2 ? "" : "\n");
	assert_int_equal(client_send(c, req, len), 0);
	for (i = 1; i <= 300; i++) {
		json_t *resp = client_recv(c);
		int g;

		assert_non_null(resp);
		assert_int_equal(json_integer_value(json_object_get(resp, "id")), i);
		g = (int)result_int(resp, "group");
		if (first_group < 0)
			first_group = g;
		if (g != last_group)
			per_group = 0;
		last_group = g;
		/* At most 64 requests of one client in one group. */
		assert_true(++per_group <= 64);
		json_decref(resp);
	}
	assert_true(last_group - first_group >= 4);
	free(req);
	client_free(c);
}

static void
test_split_request(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	json_t *resp;

	client_send_str(c, "  {\"jsonrpc\":\"2.0\",\"id\":1,\"me");
	usleep(50000);
	client_send_str(c, "thod\":\"x\", \"params\":{\"s\":\"}\\\"{\"}}");
	resp = client_recv(c);
	assert_non_null(resp);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 1);
	json_decref(resp);
	client_free(c);
}

static void
test_garbage_and_notifications(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	json_t *resp, *err;

	client_send_str(c, "hello there\n"
			"{\"jsonrpc\":\"2.0\",\"method\":\"notify\"}\n"
			"{not json}\n"
			"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"x\"}\n");
	resp = client_recv(c);
	err = json_object_get(resp, "error");
	assert_int_equal(json_integer_value(json_object_get(err, "code")), -32700);
	assert_true(json_is_null(json_object_get(resp, "id")));
	json_decref(resp);
	resp = client_recv(c);   /* the balanced but invalid frame */
	err = json_object_get(resp, "error");
	assert_int_equal(json_integer_value(json_object_get(err, "code")), -32700);
	json_decref(resp);
	resp = client_recv(c);   /* no response to the notification */
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 2);
	json_decref(resp);
	client_free(c);
}

/* A request of exactly n bytes. */
static char *
make_request(size_t n, int id)
{
	char *r = malloc(n + 1);
	int head = sprintf(r, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"x\",\"pad\":\"", id);

	memset(r + head, 'x', n - head - 2);
	memcpy(r + n - 2, "\"}", 3);
	return r;
}

static void
test_exactly_one_mib_is_served(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	char *req = make_request(VSW_RPC_MAX_REQUEST_SIZE, 9);
	json_t *resp;

	assert_int_equal(client_send(c, req, VSW_RPC_MAX_REQUEST_SIZE), 0);
	resp = client_recv(c);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 9);
	json_decref(resp);
	free(req);
	client_free(c);
}

static void
test_too_large_gets_413_and_close(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	struct client *other = client_open(fx);
	char *req = make_request(VSW_RPC_MAX_REQUEST_SIZE + 1, 9);
	json_t *resp, *err;
	int rc;

	client_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}");
	rc = client_send(c, req, VSW_RPC_MAX_REQUEST_SIZE + 1);
	assert_true(rc == 0 || rc == -EPIPE || rc == -ECONNRESET);
	resp = client_recv(c);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 1);
	json_decref(resp);
	resp = client_recv(c);
	assert_non_null(resp);
	err = json_object_get(resp, "error");
	assert_int_equal(json_integer_value(json_object_get(err, "code")), 413);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(err, "data"), "type")), "RequestTooLarge");
	json_decref(resp);
	assert_null(client_recv(c));   /* closed */
	resp = call_stats(other);
	assert_int_equal(result_int(resp, "closed_oversize"), 1);
	json_decref(resp);
	free(req);
	client_free(c);
	client_free(other);
}

static void
test_too_deep_gets_parse_error_and_close(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	char deep[VSW_RPC_MAX_DEPTH + 2];
	json_t *resp, *err;

	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	client_send_str(c, deep);
	resp = client_recv(c);
	err = json_object_get(resp, "error");
	assert_int_equal(json_integer_value(json_object_get(err, "code")), -32700);
	json_decref(resp);
	assert_null(client_recv(c));
	client_free(c);
}

static void
test_half_close_still_answered(void **state)
{
	struct fixture *fx = *state;
	struct client *c = client_open(fx);
	char *req = malloc(200 * 64);
	size_t len = 0;
	json_t *resp;
	int i;

	/* More than one group's budget, so the EOF is read before the last
	 * requests are handled; then half a request that never completes. */
	for (i = 1; i <= 200; i++)
		len += sprintf(req + len, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"x\"}", i);
	len += sprintf(req + len, "{\"partial\":");
	assert_int_equal(client_send(c, req, len), 0);
	assert_int_equal(shutdown(c->fd, SHUT_WR), 0);
	for (i = 1; i <= 200; i++) {
		resp = client_recv(c);
		if (resp == NULL)
			fail_msg("closed before response %d", i);
		assert_int_equal(json_integer_value(json_object_get(resp, "id")), i);
		json_decref(resp);
	}
	assert_null(client_recv(c));   /* then closed by the server */
	free(req);
	client_free(c);
}

static void
test_peer_gone_does_not_hurt(void **state)
{
	struct fixture *fx = *state;
	struct client *c;
	json_t *resp;
	int i;

	/* Requests then an immediate close: responses hit EPIPE. */
	for (i = 0; i < 20; i++) {
		c = client_open(fx);
		client_send_str(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"big\"}"
				"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"big\"}");
		client_free(c);
	}
	c = client_open(fx);
	usleep(100000);
	resp = call_stats(c);
	assert_int_equal(result_int(resp, "clients"), 1);
	assert_int_equal(result_int(resp, "accepted"), 21);
	json_decref(resp);
	client_free(c);
}

static void
test_slow_reader_does_not_block_others(void **state)
{
	struct fixture *fx = *state;
	struct client *slow = client_open(fx), *fast = client_open(fx);
	char *req = malloc(200 * 64);
	size_t len = 0;
	double t0;
	json_t *resp;
	int i;

	fake_api.big_size = 512 * 1024;   /* 64 of them stay under the drop cap */
	for (i = 1; i <= 200; i++)
		len += sprintf(req + len, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"big\"}", i);
	assert_int_equal(client_send(slow, req, len), 0);
	usleep(300000);
	/* Answered (within the client's timeout) after the slow client's first
	 * group, however long that took to build... */
	json_decref(call_stats(fast));
	/* ...and then promptly: the paused client costs nothing. */
	t0 = now_s();
	resp = call_stats(fast);
	assert_true(now_s() - t0 < 1.0);
	/* The slow client's first group (at most 64) was handled, then it
	 * was paused. */
	assert_in_range(result_int(resp, "requests"), 10, 64 + 2);
	assert_int_equal(result_int(resp, "clients"), 2);
	json_decref(resp);
	/* Reading again, it gets everything, in order. */
	for (i = 1; i <= 200; i++) {
		resp = client_recv(slow);
		assert_non_null(resp);
		assert_int_equal(json_integer_value(json_object_get(resp, "id")), i);
		json_decref(resp);
	}
	free(req);
	client_free(slow);
	client_free(fast);
}

static void
test_reader_over_hard_cap_is_dropped(void **state)
{
	struct fixture *fx = *state;
	struct client *slow = client_open(fx), *fast = client_open(fx);
	char *req = malloc(64 * 64);
	size_t len = 0;
	json_t *resp;
	int i;

	fake_api.big_size = 1100 * 1024;   /* 64 of them: over 64 MiB */
	for (i = 1; i <= 64; i++)
		len += sprintf(req + len, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"big\"}", i);
	assert_int_equal(client_send(slow, req, len), 0);
	usleep(3500000);   /* over a whole tick with no progress */
	resp = call_stats(fast);
	assert_int_equal(result_int(resp, "dropped_slow"), 1);
	assert_int_equal(result_int(resp, "clients"), 1);
	json_decref(resp);
	free(req);
	client_free(slow);
	client_free(fast);
}

static void
test_max_clients(void **state)
{
	struct fixture fx;
	struct client *a, *b;
	int c3;
	char byte;
	json_t *resp;

	(void)state;
	fixture_config(&fx);
	fx.cfg.max_clients = 2;
	fixture_start(&fx);
	a = client_open(&fx);
	b = client_open(&fx);
	resp = call_stats(a);   /* both accepted */
	json_decref(resp);
	c3 = connect_to(fx.path);
	assert_true(c3 >= 0);
	assert_int_equal(recv(c3, &byte, 1, 0), 0);   /* accepted and closed */
	close(c3);
	resp = call_stats(b);
	assert_int_equal(result_int(resp, "clients"), 2);
	assert_int_equal(result_int(resp, "rejected_max_clients"), 1);
	json_decref(resp);
	client_free(a);
	client_free(b);
	fixture_stop(&fx);
}

static void
test_many_clients(void **state)
{
	enum { N = 1100 };
	struct fixture *fx = *state;
	static struct client *cs[N];
	json_t *resp;
	int i;

	for (i = 0; i < N; i++)
		cs[i] = client_open(fx);
	for (i = 0; i < N; i++) {
		char req[80];

		snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"x\"}", i);
		client_send_str(cs[i], req);
	}
	for (i = 0; i < N; i++) {
		resp = client_recv(cs[i]);
		assert_non_null(resp);
		assert_int_equal(json_integer_value(json_object_get(resp, "id")), i);
		json_decref(resp);
	}
	resp = call_stats(cs[0]);
	assert_int_equal(result_int(resp, "clients"), N);
	json_decref(resp);
	for (i = 0; i < N; i++)
		client_free(cs[i]);
}

static void
test_socket_path_handling(void **state)
{
	struct fixture a, b;
	struct vsw_error err = { 0 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct vsw_loop *loop;
	struct stat st;
	int fd;

	(void)state;
	/* A stale socket file (bound, no listener) is replaced. */
	fixture_config(&a);
	a.cfg.socket_mode = 0600;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/run", a.dir);
	assert_int_equal(mkdir(addr.sun_path, 0755), 0);
	assert_true(strlen(a.path) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, a.path, strlen(a.path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	fixture_start(&a);
	assert_int_equal(stat(a.path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* A live daemon on the path is never replaced. */
	loop = vsw_loop_create();
	assert_null(vsw_rpc_server_create(loop, &fake_api, &a.cfg, &err));
	assert_int_equal(err.errnum, -EADDRINUSE);
	assert_int_equal(stat(a.path, &st), 0);
	fd = connect_to(a.path);
	assert_true(fd >= 0);
	close(fd);
	fixture_stop(&a);

	/* Not a socket: refused and left alone. */
	fixture_config(&b);
	snprintf(b.cfg.socket_path, sizeof(b.cfg.socket_path), "%s/file", b.dir);
	fd = open(b.cfg.socket_path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(fd);
	memset(&err, 0, sizeof(err));
	assert_null(vsw_rpc_server_create(loop, &fake_api, &b.cfg, &err));
	assert_int_equal(err.errnum, -EEXIST);
	assert_int_equal(stat(b.cfg.socket_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(b.cfg.socket_path);
	rmdir(b.dir);
	vsw_loop_destroy(loop);
}

/* ---- event loop tests (single-threaded) ---- */

struct loop_probe {
	struct vsw_loop *loop;
	int calls;
	int fds[2][2];
	char order[64];
	int n_order;
	int timer_id;
};

static void
probe_mark(struct loop_probe *p, char what)
{
	if (p->n_order < (int)sizeof(p->order) - 1)
		p->order[p->n_order++] = what;
}

static void
on_unexpected(void *arg, int fd, uint32_t events)
{
	(void)arg;
	fail_msg("stale event for fd %d (events %x)", fd, events);
}

/* Both pipes are readable in the same turn: whichever runs first deletes
 * and closes the other, and puts an empty pipe (likely with the same fd
 * number) in its place with a callback that must never run. */
static void
on_pipe_deletes_other(void *arg, int fd, uint32_t events)
{
	struct loop_probe *p = arg;
	int other = fd == p->fds[0][0] ? 1 : 0;

	(void)events;
	p->calls++;
	probe_mark(p, 'F');
	assert_int_equal(vsw_loop_del_fd(p->loop, p->fds[other][0]), 0);
	close(p->fds[other][0]);
	close(p->fds[other][1]);
	assert_int_equal(pipe2(p->fds[other], O_CLOEXEC), 0);
	assert_int_equal(vsw_loop_add_fd(p->loop, p->fds[other][0], EPOLLIN,
					 on_unexpected, p), 0);
	assert_int_equal(vsw_loop_del_fd(p->loop, fd), 0);
	p->timer_id = other;
}

static void
hook_stop(void *arg)
{
	struct loop_probe *p = arg;

	probe_mark(p, 'H');
	vsw_loop_stop(p->loop);
}

static void
test_loop_delete_in_callback(void **state)
{
	struct loop_probe p = { 0 };
	int i, other;

	(void)state;
	p.loop = vsw_loop_create();
	for (i = 0; i < 2; i++) {
		assert_int_equal(pipe2(p.fds[i], O_CLOEXEC), 0);
		assert_int_equal(write(p.fds[i][1], "x", 1), 1);
		assert_int_equal(vsw_loop_add_fd(p.loop, p.fds[i][0], EPOLLIN,
						 on_pipe_deletes_other, &p), 0);
	}
	assert_int_equal(vsw_loop_add_turn_hook(p.loop, hook_stop, &p), 0);
	assert_int_equal(vsw_loop_run(p.loop), 0);
	/* One fd callback (the other's event was dropped), then the hook. */
	assert_int_equal(p.calls, 1);
	assert_string_equal(p.order, "FH");
	other = p.timer_id;
	assert_int_equal(vsw_loop_add_fd(p.loop, p.fds[other][0], EPOLLIN,
					 on_unexpected, &p), -EEXIST);
	/* One more non-blocking turn: still nothing for the new pipe. */
	vsw_loop_set_pending(p.loop);
	assert_int_equal(vsw_loop_run(p.loop), 0);
	assert_string_equal(p.order, "FHH");
	assert_int_equal(vsw_loop_del_fd(p.loop, p.fds[other][0]), 0);
	assert_int_equal(vsw_loop_del_fd(p.loop, p.fds[other][0]), -ENOENT);
	for (i = 0; i < 2; i++) {
		close(p.fds[i][0]);
		close(p.fds[i][1]);
	}
	vsw_loop_destroy(p.loop);
}

static void
hook_count_pending(void *arg)
{
	struct loop_probe *p = arg;

	if (++p->calls < 1000)
		vsw_loop_set_pending(p->loop);
	else
		vsw_loop_stop(p->loop);
}

static void
test_loop_pending_turns(void **state)
{
	struct loop_probe p = { 0 };

	(void)state;
	p.loop = vsw_loop_create();
	/* Nothing to wait for: without pending the loop would block forever. */
	assert_true(vsw_loop_add_turn_hook(p.loop, hook_count_pending, &p) >= 0);
	vsw_loop_set_pending(p.loop);
	assert_int_equal(vsw_loop_run(p.loop), 0);
	assert_int_equal(p.calls, 1000);
	vsw_loop_destroy(p.loop);
}

struct timer_probe {
	struct vsw_loop *loop;
	int fast, slow, once;
	int once_id;
	uint64_t first_ms, last_ms;
};

static void
timer_fast(void *arg)
{
	struct timer_probe *t = arg;

	if (t->fast++ == 0)
		t->first_ms = vsw_loop_now_ms(t->loop);
	t->last_ms = vsw_loop_now_ms(t->loop);
	if (t->fast == 10)
		vsw_loop_stop(t->loop);
}

static void
timer_slow(void *arg)
{
	((struct timer_probe *)arg)->slow++;
}

static void
timer_once(void *arg)
{
	struct timer_probe *t = arg;

	t->once++;
	assert_int_equal(vsw_loop_del_timer(t->loop, t->once_id), 0);
}

static void
test_loop_timers(void **state)
{
	struct timer_probe t = { 0 };
	double t0, dt;
	int fast_id, slow_id;

	(void)state;
	t.loop = vsw_loop_create();
	fast_id = vsw_loop_add_timer(t.loop, 10, timer_fast, &t);
	slow_id = vsw_loop_add_timer(t.loop, 1000, timer_slow, &t);
	t.once_id = vsw_loop_add_timer(t.loop, 5, timer_once, &t);
	assert_true(fast_id >= 0 && slow_id >= 0 && t.once_id >= 0);
	assert_true(fast_id != slow_id && slow_id != t.once_id);
	t0 = now_s();
	assert_int_equal(vsw_loop_run(t.loop), 0);
	dt = now_s() - t0;
	assert_int_equal(t.fast, 10);
	assert_int_equal(t.slow, 0);
	assert_int_equal(t.once, 1);   /* deleted itself */
	assert_true(t.last_ms - t.first_ms >= 75);   /* 9 periods, first one late */
	assert_true(dt >= 0.095 && dt < 0.5);
	assert_int_equal(vsw_loop_del_timer(t.loop, t.once_id), -ENOENT);
	assert_int_equal(vsw_loop_del_timer(t.loop, slow_id), 0);
	assert_int_equal(vsw_loop_del_timer(t.loop, fast_id), 0);
	assert_int_equal(vsw_loop_add_timer(t.loop, 0, timer_slow, &t), -EINVAL);
	vsw_loop_destroy(t.loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_delete_in_callback),
		cmocka_unit_test(test_loop_pending_turns),
		cmocka_unit_test(test_loop_timers),
		cmocka_unit_test_setup_teardown(test_request_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_in_order_with_fair_budget,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_notifications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exactly_one_mib_is_served, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large_gets_413_and_close,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_deep_gets_parse_error_and_close,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_close_still_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_gone_does_not_hurt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_does_not_block_others,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_over_hard_cap_is_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
		cmocka_unit_test(test_max_clients),
		cmocka_unit_test(test_socket_path_handling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
