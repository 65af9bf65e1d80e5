/* SPDX-License-Identifier: BSD-3-Clause */
#include "rpc_server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "rpc_stream.h"

#define RPC_FRAMES_PER_TURN   64          /* per client and group: fairness */
#define RPC_ACCEPTS_PER_TURN  64
#define RPC_READ_CHUNK        65536
#define RPC_OUT_PAUSE         (4u << 20)  /* unsent bytes: stop reading */
#define RPC_OUT_DROP          (64u << 20) /* unsent bytes: drop the client */
#define RPC_OUT_KEEP_CAP      65536       /* an idle client keeps this much */
#define RPC_STALL_MS          30000       /* no write progress: drop */
#define RPC_TICK_MS           1000

struct rpc_outbuf {
	char *data;
	size_t start;    /* data[start, end) is unsent */
	size_t end;
	size_t cap;
};

enum client_queue {
	CLIENT_IDLE,
	CLIENT_READY,     /* on srv->ready: has bytes to handle */
	CLIENT_IN_GROUP,  /* on the list of the group being handled */
};

struct rpc_client {
	TAILQ_ENTRY(rpc_client) all_link;
	TAILQ_ENTRY(rpc_client) queue_link;
	enum client_queue queue;
	struct vsw_rpc_server *srv;
	int fd;
	uint32_t events;           /* the epoll mask in force */
	struct vsw_caller caller;
	struct vsw_rpc_stream *stream;
	struct rpc_outbuf out;
	uint64_t out_progress_ms;  /* when output last started or moved */
	bool read_eof;             /* the peer shut down its sending side */
	bool closing;              /* a fatal framing error was answered */
	bool frames_left;          /* not all buffered input handled yet */
};

TAILQ_HEAD(rpc_client_list, rpc_client);

struct held_response {
	struct rpc_client *c;
	json_t *resp;
};

struct rpc_server_stats {
	uint64_t accepted;
	uint64_t rejected_max_clients;
	uint64_t requests;
	uint64_t parse_errors;
	uint64_t closed_oversize;
	uint64_t closed_too_deep;
	uint64_t dropped_slow;
	uint64_t groups;
};

struct vsw_rpc_server {
	struct vsw_loop *loop;
	struct vsw_api *api;
	struct vsw_config cfg;
	int listen_fd;
	int reserve_fd;          /* spare fd, given up to shed a client at EMFILE */
	bool sock_bound;
	dev_t sock_dev;          /* the socket file this server created */
	ino_t sock_ino;
	int hook_id;
	int timer_id;
	struct rpc_client_list clients;
	struct rpc_client_list ready;
	unsigned int n_clients;
	/* Responses of the group being handled, in arrival order. */
	struct held_response *held;
	size_t n_held;
	size_t cap_held;
	struct rpc_server_stats st;
	char rbuf[RPC_READ_CHUNK];
};

/* ---- output buffer ---- */

static size_t
out_pending(const struct rpc_client *c)
{
	return c->out.end - c->out.start;
}

static int
out_append(struct rpc_outbuf *o, const char *data, size_t len)
{
	size_t held = o->end - o->start, new_cap;
	char *p;

	if (len > o->cap - o->end && o->start > 0 && o->start >= held) {
		memmove(o->data, o->data + o->start, held);
		o->end = held;
		o->start = 0;
	}
	if (len > o->cap - o->end) {
		if (len > SIZE_MAX / 2 - o->end)
			return -ENOMEM;
		new_cap = o->cap ? o->cap : 4096;
		while (new_cap < o->end + len)
			new_cap *= 2;
		p = realloc(o->data, new_cap);
		if (p == NULL)
			return -ENOMEM;
		o->data = p;
		o->cap = new_cap;
	}
	memcpy(o->data + o->end, data, len);
	o->end += len;
	return 0;
}

static void
out_reset_if_empty(struct rpc_outbuf *o)
{
	if (o->start != o->end)
		return;
	o->start = o->end = 0;
	if (o->cap > RPC_OUT_KEEP_CAP) {
		free(o->data);
		o->data = NULL;
		o->cap = 0;
	}
}

static int
dump_to_out(const char *buffer, size_t size, void *data)
{
	return out_append(data, buffer, size) < 0 ? -1 : 0;
}

/* ---- clients ---- */

static void
client_close(struct rpc_client *c)
{
	struct vsw_rpc_server *srv = c->srv;

	if (c->queue == CLIENT_READY)
		TAILQ_REMOVE(&srv->ready, c, queue_link);
	TAILQ_REMOVE(&srv->clients, c, all_link);
	vsw_loop_del_fd(srv->loop, c->fd);
	close(c->fd);
	vsw_rpc_stream_destroy(c->stream);
	free(c->out.data);
	srv->n_clients--;
	VSW_LOG(DEBUG, "api: client fd %d (uid %u pid %d) closed",
		c->fd, (unsigned int)c->caller.uid, (int)c->caller.pid);
	free(c);
}

static bool
client_may_read(const struct rpc_client *c)
{
	return !c->read_eof && !c->closing && out_pending(c) < RPC_OUT_PAUSE &&
	       vsw_rpc_stream_buffered(c->stream) <=
	       vsw_rpc_stream_max_size(c->stream);
}

static void
client_update_events(struct rpc_client *c)
{
	uint32_t want = 0;

	if (client_may_read(c))
		want |= EPOLLIN;
	if (out_pending(c) > 0)
		want |= EPOLLOUT;
	if (want == c->events)
		return;
	if (vsw_loop_mod_fd(c->srv->loop, c->fd, want) == 0)
		c->events = want;
}

static void
client_make_ready(struct rpc_client *c)
{
	if (c->queue != CLIENT_IDLE)
		return;
	TAILQ_INSERT_TAIL(&c->srv->ready, c, queue_link);
	c->queue = CLIENT_READY;
}

/* Sends what it can. Returns 0, or a negative errno when the peer is gone. */
static int
client_flush(struct rpc_client *c)
{
	while (out_pending(c) > 0) {
		ssize_t n = send(c->fd, c->out.data + c->out.start, out_pending(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		c->out.start += (size_t)n;
		c->out_progress_ms = vsw_loop_now_ms(c->srv->loop);
	}
	out_reset_if_empty(&c->out);
	return 0;
}

/*
 * After any I/O or group: closes a client that is done, re-queues one whose
 * input waited for its output to drain, and sets the epoll mask. Returns
 * false when the client was closed.
 */
static bool
client_settle(struct rpc_client *c)
{
	if (out_pending(c) == 0) {
		if (c->closing) {
			client_close(c);
			return false;
		}
		if (c->read_eof && !c->frames_left && c->queue == CLIENT_IDLE) {
			client_close(c);
			return false;
		}
	}
	if (c->frames_left && c->queue == CLIENT_IDLE &&
	    out_pending(c) < RPC_OUT_PAUSE && !c->closing) {
		client_make_ready(c);
		vsw_loop_set_pending(c->srv->loop);
	}
	client_update_events(c);
	return true;
}

/* Reads once (fairness: level-triggered epoll comes back). Returns false
 * when the client was closed. */
static bool
client_read(struct rpc_client *c)
{
	ssize_t n = read(c->fd, c->srv->rbuf, sizeof(c->srv->rbuf));

	if (n > 0) {
		if (vsw_rpc_stream_feed(c->stream, c->srv->rbuf, (size_t)n) < 0) {
			VSW_LOG(WARNING, "api: out of memory reading client fd %d", c->fd);
			client_close(c);
			return false;
		}
		c->frames_left = true;
		client_make_ready(c);
		return true;
	}
	if (n == 0) {
		c->read_eof = true;
		return true;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return true;
	client_close(c);
	return false;
}

static void
on_client_event(void *arg, int fd, uint32_t events)
{
	struct rpc_client *c = arg;

	(void)fd;
	if (events & EPOLLERR) {
		client_close(c);
		return;
	}
	if ((events & EPOLLOUT) && client_flush(c) < 0) {
		client_close(c);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP)) {
		if (client_may_read(c)) {
			if (!client_read(c))
				return;
		} else if (events & EPOLLHUP) {
			/* The peer closed both ways: nothing more can be sent. */
			client_close(c);
			return;
		}
	}
	client_settle(c);
}

static int
client_add(struct vsw_rpc_server *srv, int fd)
{
	struct ucred cred;
	socklen_t cred_len = sizeof(cred);
	struct rpc_client *c;
	int rc;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->stream = vsw_rpc_stream_create(VSW_RPC_MAX_REQUEST_SIZE, VSW_RPC_MAX_DEPTH);
	if (c->stream == NULL) {
		free(c);
		return -ENOMEM;
	}
	c->srv = srv;
	c->fd = fd;
	c->caller.uid = cred.uid;
	c->caller.pid = cred.pid;
	c->caller.may_admin = vsw_config_uid_is_admin(&srv->cfg, cred.uid);
	c->events = EPOLLIN;
	rc = vsw_loop_add_fd(srv->loop, fd, c->events, on_client_event, c);
	if (rc < 0) {
		vsw_rpc_stream_destroy(c->stream);
		free(c);
		return rc;
	}
	TAILQ_INSERT_TAIL(&srv->clients, c, all_link);
	srv->n_clients++;
	srv->st.accepted++;
	VSW_LOG(DEBUG, "api: client fd %d uid %u pid %d%s", fd,
		(unsigned int)cred.uid, (int)cred.pid,
		c->caller.may_admin ? " (admin)" : "");
	return 0;
}

/* ---- the group: handle every ready client's requests, then answer ---- */

static void
hold_response(struct vsw_rpc_server *srv, struct rpc_client *c, json_t *resp)
{
	if (resp == NULL)
		return;
	if (srv->n_held == srv->cap_held) {
		size_t cap = srv->cap_held ? srv->cap_held * 2 : 64;
		struct held_response *p = realloc(srv->held, cap * sizeof(*p));

		if (p == NULL) {
			/* The client would miss a response: it must not wait. */
			VSW_LOG(ERR, "api: out of memory holding a response");
			json_decref(resp);
			c->closing = true;
			return;
		}
		srv->held = p;
		srv->cap_held = cap;
	}
	srv->held[srv->n_held++] = (struct held_response){ .c = c, .resp = resp };
}

static void
handle_client_frames(struct vsw_rpc_server *srv, struct rpc_client *c,
		     bool *group_begun)
{
	unsigned int n;

	if (c->closing || out_pending(c) >= RPC_OUT_PAUSE)
		return;   /* frames_left stays set: back when output drains */
	for (n = 0; n < RPC_FRAMES_PER_TURN; n++) {
		const char *text;
		size_t len;

		switch (vsw_rpc_stream_next(c->stream, &text, &len)) {
		case VSW_RPC_FRAME:
			if (!*group_begun) {
				vsw_api_group_begin(srv->api);
				*group_begun = true;
			}
			srv->st.requests++;
			hold_response(srv, c, vsw_api_handle_text(srv->api, &c->caller,
								   text, len));
			break;
		case VSW_RPC_GARBAGE:
			srv->st.parse_errors++;
			hold_response(srv, c, vsw_rpc_error_response(NULL,
				VSW_RPC_PARSE_ERROR, "Parse error", "ParseError", NULL));
			break;
		case VSW_RPC_TOO_LARGE:
			srv->st.closed_oversize++;
			hold_response(srv, c, vsw_rpc_error_response(NULL, 413,
				"Request too large (over 1048576 bytes)",
				"RequestTooLarge", NULL));
			c->closing = true;
			c->frames_left = false;
			return;
		case VSW_RPC_TOO_DEEP:
			srv->st.closed_too_deep++;
			srv->st.parse_errors++;
			hold_response(srv, c, vsw_rpc_error_response(NULL,
				VSW_RPC_PARSE_ERROR, "Parse error: nesting deeper than 512",
				"ParseError", NULL));
			c->closing = true;
			c->frames_left = false;
			return;
		case VSW_RPC_NEED_MORE:
			c->frames_left = false;
			return;
		}
	}
	/* Budget spent: frames_left stays set, the client is requeued. */
}

static void
serialise_held(struct vsw_rpc_server *srv)
{
	size_t i;

	for (i = 0; i < srv->n_held; i++) {
		struct rpc_client *c = srv->held[i].c;
		struct rpc_outbuf *o = &c->out;
		size_t before = out_pending(c);

		if (before == 0)
			c->out_progress_ms = vsw_loop_now_ms(srv->loop);
		if (vsw_api_dump_response(srv->api, srv->held[i].resp, dump_to_out, o) < 0 ||
		    out_append(o, "\n", 1) < 0) {
			VSW_LOG(ERR, "api: cannot serialise a response for fd %d", c->fd);
			/* Send the whole lines before it, then close: a client
			 * must not wait for a response that will never come. */
			o->end = o->start + before;
			c->closing = true;
		}
		json_decref(srv->held[i].resp);
	}
	srv->n_held = 0;
}

static void
rpc_server_turn(void *arg)
{
	struct vsw_rpc_server *srv = arg;
	struct rpc_client_list group = TAILQ_HEAD_INITIALIZER(group);
	struct rpc_client *c;
	bool group_begun = false;
	int rc;

	if (TAILQ_EMPTY(&srv->ready))
		return;
	TAILQ_CONCAT(&group, &srv->ready, queue_link);
	TAILQ_FOREACH(c, &group, queue_link)
		c->queue = CLIENT_IN_GROUP;

	TAILQ_FOREACH(c, &group, queue_link)
		handle_client_frames(srv, c, &group_begun);
	if (group_begun) {
		/* Nothing is sent before the group is durable and in force. */
		rc = vsw_api_group_end(srv->api);
		if (rc < 0)
			VSW_LOG(ERR, "api: group commit failed: %s", strerror(-rc));
		srv->st.groups++;
	}
	serialise_held(srv);

	while ((c = TAILQ_FIRST(&group)) != NULL) {
		TAILQ_REMOVE(&group, c, queue_link);
		c->queue = CLIENT_IDLE;
		if (client_flush(c) < 0) {
			client_close(c);
			continue;
		}
		client_settle(c);
	}
}

/*
 * Drops clients whose unsent output has not moved for RPC_STALL_MS, or for a
 * whole tick while over RPC_OUT_DROP. (One group can leave more than the
 * pause threshold: up to RPC_FRAMES_PER_TURN responses of any size.)
 */
static void
rpc_server_tick(void *arg)
{
	struct vsw_rpc_server *srv = arg;
	uint64_t now = vsw_loop_now_ms(srv->loop);
	struct rpc_client *c, *next;

	for (c = TAILQ_FIRST(&srv->clients); c != NULL; c = next) {
		uint64_t idle = now - c->out_progress_ms;

		next = TAILQ_NEXT(c, all_link);
		if (out_pending(c) == 0)
			continue;
		if (idle < RPC_STALL_MS &&
		    (out_pending(c) <= RPC_OUT_DROP || idle < RPC_TICK_MS))
			continue;
		VSW_LOG(WARNING, "api: dropping client fd %d (uid %u): %zu bytes "
			"unread for %" PRIu64 " ms", c->fd, (unsigned int)c->caller.uid,
			out_pending(c), idle);
		srv->st.dropped_slow++;
		client_close(c);
	}
}

/* ---- accepting ---- */

/* Out of fds: gives up the spare one to accept and close a client, so the
 * listener does not stay readable forever. */
static bool
shed_one_connection(struct vsw_rpc_server *srv)
{
	int fd;

	if (srv->reserve_fd < 0)
		return false;
	close(srv->reserve_fd);
	fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		srv->st.rejected_max_clients++;
	}
	srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd >= 0;
}

static void
on_listen_event(void *arg, int fd, uint32_t events)
{
	struct vsw_rpc_server *srv = arg;
	unsigned int i;

	(void)events;
	for (i = 0; i < RPC_ACCEPTS_PER_TURN; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int rc;

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    shed_one_connection(srv)) {
				VSW_LOG(WARNING, "api: out of file descriptors, client refused");
				continue;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				VSW_LOG(WARNING, "api: accept: %s", strerror(errno));
			return;
		}
		if (srv->cfg.max_clients > 0 && srv->n_clients >= srv->cfg.max_clients) {
			close(cfd);
			srv->st.rejected_max_clients++;
			/* Logged at 1, 2, 4, 8...: visible, never a flood. */
			if ((srv->st.rejected_max_clients &
			     (srv->st.rejected_max_clients - 1)) == 0)
				VSW_LOG(WARNING, "api: %u clients connected (max_clients): "
					"%" PRIu64 " refused so far", srv->n_clients,
					srv->st.rejected_max_clients);
			continue;
		}
		rc = client_add(srv, cfd);
		if (rc < 0) {
			VSW_LOG(WARNING, "api: cannot add client: %s", strerror(-rc));
			close(cfd);
		}
	}
}

/* ---- the listening socket ---- */

static void
raise_nofile_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		VSW_LOG(WARNING, "api: cannot raise the open file limit: %s",
			strerror(errno));
}

static int
make_parent_dir(const char *path, struct vsw_error *err)
{
	char dir[VSW_PATH_MAX];
	size_t len = strlen(path);
	char *p;

	if (len >= sizeof(dir))
		return vsw_error_set(err, -ENAMETOOLONG, "SocketError", "socket_path",
				     "socket path too long");
	memcpy(dir, path, len + 1);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return vsw_error_set(err, -errno, "SocketError", "socket_path",
					     "cannot create directory %s: %s",
					     dir, strerror(errno));
		if (last)
			return 0;
		*p = '/';
	}
}

/* Replaces a stale socket file; refuses a live one or a non-socket. */
static int
clear_stale_socket(const struct sockaddr_un *addr, struct vsw_error *err)
{
	struct stat st;
	int fd, rc;

	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT ? 0 :
		       vsw_error_set(err, -errno, "SocketError", "socket_path",
				     "cannot stat %s: %s", addr->sun_path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return vsw_error_set(err, -EEXIST, "SocketError", "socket_path",
				     "%s exists and is not a socket", addr->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vsw_error_set(err, -errno, "SocketError", "socket_path",
				     "socket: %s", strerror(errno));
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 ? -errno : 0;
	close(fd);
	if (rc == 0 || rc == -EAGAIN || rc == -EINPROGRESS)
		return vsw_error_set(err, -EADDRINUSE, "AddressInUse", "socket_path",
				     "another daemon is serving %s", addr->sun_path);
	if (rc != -ECONNREFUSED)
		return vsw_error_set(err, rc, "SocketError", "socket_path",
				     "cannot probe %s: %s", addr->sun_path, strerror(-rc));
	if (unlink(addr->sun_path) < 0 && errno != ENOENT)
		return vsw_error_set(err, -errno, "SocketError", "socket_path",
				     "cannot remove stale socket %s: %s",
				     addr->sun_path, strerror(errno));
	VSW_LOG(NOTICE, "api: removed stale socket %s", addr->sun_path);
	return 0;
}

static int
open_listener(struct vsw_rpc_server *srv, struct vsw_error *err)
{
	const char *path = srv->cfg.socket_path;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int rc;

	if (path[0] == '\0')
		return vsw_error_set(err, -EINVAL, "SocketError", "socket_path",
				     "no API socket path");
	if (strlen(path) >= sizeof(addr.sun_path))
		return vsw_error_set(err, -ENAMETOOLONG, "SocketError", "socket_path",
				     "socket path longer than %zu bytes: %s",
				     sizeof(addr.sun_path) - 1, path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	rc = make_parent_dir(path, err);
	if (rc < 0)
		return rc;
	rc = clear_stale_socket(&addr, err);
	if (rc < 0)
		return rc;
	srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		return vsw_error_set(err, -errno, "SocketError", "socket_path",
				     "socket: %s", strerror(errno));
	if (bind(srv->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = -errno;
		return vsw_error_set(err, rc, rc == -EADDRINUSE ? "AddressInUse" : "SocketError",
				     "socket_path", "cannot bind %s: %s", path, strerror(-rc));
	}
	srv->sock_bound = true;
	/* Before listen() nobody can connect, so the mode has no race. */
	if (chmod(path, srv->cfg.socket_mode) < 0 || stat(path, &st) < 0)
		return vsw_error_set(err, -errno, "SocketError", "socket_path",
				     "cannot set mode of %s: %s", path, strerror(errno));
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	if (listen(srv->listen_fd, SOMAXCONN) < 0)
		return vsw_error_set(err, -errno, "SocketError", "socket_path",
				     "cannot listen on %s: %s", path, strerror(errno));
	return 0;
}

/* Unlinks the socket only if it is still ours (not a successor's). */
static void
remove_socket_file(struct vsw_rpc_server *srv)
{
	struct stat st;

	if (!srv->sock_bound)
		return;
	if (stat(srv->cfg.socket_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == srv->sock_dev && st.st_ino == srv->sock_ino)
		unlink(srv->cfg.socket_path);
}

struct vsw_rpc_server *
vsw_rpc_server_create(struct vsw_loop *loop, struct vsw_api *api,
		      const struct vsw_config *cfg, struct vsw_error *err)
{
	struct vsw_rpc_server *srv = calloc(1, sizeof(*srv));
	int rc;

	if (srv == NULL) {
		vsw_error_set(err, -ENOMEM, "NoMemory", NULL, "out of memory");
		return NULL;
	}
	srv->loop = loop;
	srv->api = api;
	srv->cfg = *cfg;
	srv->listen_fd = -1;
	srv->hook_id = -1;
	srv->timer_id = -1;
	TAILQ_INIT(&srv->clients);
	TAILQ_INIT(&srv->ready);
	raise_nofile_limit();
	srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	rc = open_listener(srv, err);
	if (rc < 0)
		goto fail;
	rc = vsw_loop_add_fd(loop, srv->listen_fd, EPOLLIN, on_listen_event, srv);
	if (rc >= 0)
		rc = srv->hook_id = vsw_loop_add_turn_hook(loop, rpc_server_turn, srv);
	if (rc >= 0)
		rc = srv->timer_id = vsw_loop_add_timer(loop, RPC_TICK_MS,
							rpc_server_tick, srv);
	if (rc < 0) {
		vsw_error_set(err, rc, "SocketError", NULL,
			      "cannot add the API socket to the loop: %s", strerror(-rc));
		goto fail;
	}
	VSW_LOG(INFO, "api: listening on %s (mode %04o, max %u clients)",
		cfg->socket_path, cfg->socket_mode, cfg->max_clients);
	return srv;
fail:
	vsw_rpc_server_destroy(srv);
	return NULL;
}

void
vsw_rpc_server_destroy(struct vsw_rpc_server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	while (!TAILQ_EMPTY(&srv->clients))
		client_close(TAILQ_FIRST(&srv->clients));
	for (i = 0; i < srv->n_held; i++)
		json_decref(srv->held[i].resp);
	free(srv->held);
	if (srv->timer_id >= 0)
		vsw_loop_del_timer(srv->loop, srv->timer_id);
	if (srv->hook_id >= 0)
		vsw_loop_del_turn_hook(srv->loop, srv->hook_id);
	if (srv->listen_fd >= 0) {
		vsw_loop_del_fd(srv->loop, srv->listen_fd);
		close(srv->listen_fd);
	}
	remove_socket_file(srv);
	if (srv->reserve_fd >= 0)
		close(srv->reserve_fd);
	free(srv);
}

void
vsw_rpc_server_stats(const struct vsw_rpc_server *srv, json_t *into)
{
	const struct rpc_server_stats *st = &srv->st;

	json_object_set_new(into, "clients", json_integer(srv->n_clients));
	json_object_set_new(into, "accepted", json_integer((json_int_t)st->accepted));
	json_object_set_new(into, "rejected_max_clients",
			    json_integer((json_int_t)st->rejected_max_clients));
	json_object_set_new(into, "requests", json_integer((json_int_t)st->requests));
	json_object_set_new(into, "parse_errors",
			    json_integer((json_int_t)st->parse_errors));
	json_object_set_new(into, "closed_oversize",
			    json_integer((json_int_t)st->closed_oversize));
	json_object_set_new(into, "closed_too_deep",
			    json_integer((json_int_t)st->closed_too_deep));
	json_object_set_new(into, "dropped_slow",
			    json_integer((json_int_t)st->dropped_slow));
	json_object_set_new(into, "groups", json_integer((json_int_t)st->groups));
}
