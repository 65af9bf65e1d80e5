/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vswctl: the command-line client of vswd's JSON-RPC API (SPEC.md §2).
 * One connection per run, one request at a time. Kinds, verbs and option
 * aliases are tables; the code that runs them knows no particular kind.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "vsw_config.h"
#include "vswctl_format.h"

/* Exit statuses (docs/vswctl.md). */
enum vswctl_rc {
	VSWCTL_OK = 0,
	VSWCTL_ERR_SERVER = 1,  /* vswd refused the request, or a name did not resolve */
	VSWCTL_ERR_USAGE = 2,
	VSWCTL_ERR_CONNECT = 3, /* socket unreachable, connection lost, no answer in time */
};

#define VSWCTL_DEFAULT_TIMEOUT_MS 30000
#define VSWCTL_MAX_RESPONSE (256u << 20)
#define VSWCTL_NAME_MAX 64
#define VSWCTL_MAX_REFS 8

struct vswctl_kind {
	const char *name;    /* as in the API's method names */
	const char *alias;   /* another spelling accepted, or NULL */
	const char *columns; /* list columns (vswctl_print_table), NULL: the default */
};

/* Adding a kind is one line here. */
static const struct vswctl_kind vswctl_kinds[] = {
	{ "network", NULL, "id name status mtu project_id" },
	{ "port", NULL, "id name network_id mac_address status vnic_id" },
	{ "vnic", NULL, "id name type mac_address port_id status socket|devargs" },
	{ "subnet", NULL, "id name network_id cidr gateway_ip" },
	{ "router", NULL, "id name status admin_state_up gw_port_id" },
	{ "floatingip", "floating_ip", "id floating_ip_address fixed_ip_address port_id status" },
	{ "uplink", NULL, "id name devargs role status" },
	{ "ikepolicy", NULL, NULL },
	{ "ipsecpolicy", NULL, NULL },
	{ "vpnservice", NULL, "id name router_id external_v4_ip status" },
	{ "endpoint_group", NULL, "id name type endpoints" },
	{ "ipsec_site_connection", NULL, "id name peer_address vpnservice_id status" },
	{ "ipsec_sa", NULL, "id direction spi encryption_algorithm connection_id status" },
};

enum vswctl_output {
	VSWCTL_OUT_OBJECT,  /* a field/value table */
	VSWCTL_OUT_LIST,    /* an aligned table */
	VSWCTL_OUT_DELETED, /* "Deleted KIND ID" */
	VSWCTL_OUT_TREE,    /* nested key: value */
};

/* A positional argument: an id or name of a kind, sent as params[field]. */
struct vswctl_arg {
	const char *field;
	const char *kind; /* NULL: the command's own kind */
};

struct vswctl_verb {
	const char *kind;   /* NULL: every kind */
	const char *name;   /* on the command line */
	const char *method; /* after "KIND." */
	struct vswctl_arg args[2];
	bool takes_fields;  /* --FIELD VALUE options */
	enum vswctl_output output;
	const char *usage;
};

static const struct vswctl_verb vswctl_verbs[] = {
	{ NULL, "create", "create", {{0}}, true, VSWCTL_OUT_OBJECT, "[--FIELD VALUE ...]" },
	{ NULL, "list", "list", {{0}}, true, VSWCTL_OUT_LIST, "[--FIELD VALUE ...]" },
	{ NULL, "show", "show", {{ "id", NULL }}, false, VSWCTL_OUT_OBJECT, "ID|NAME" },
	{ NULL, "update", "update", {{ "id", NULL }}, true, VSWCTL_OUT_OBJECT,
	  "ID|NAME --FIELD VALUE ..." },
	{ NULL, "delete", "delete", {{ "id", NULL }}, false, VSWCTL_OUT_DELETED, "ID|NAME" },
	{ "vnic", "plug", "plug", {{ "vnic_id", NULL }, { "port_id", "port" }}, false,
	  VSWCTL_OUT_OBJECT, "VNIC PORT" },
	{ "vnic", "unplug", "unplug", {{ "vnic_id", NULL }}, false, VSWCTL_OUT_OBJECT, "VNIC" },
	{ "router", "add-interface", "add_interface", {{ "id", NULL }, { "subnet_id", "subnet" }},
	  false, VSWCTL_OUT_OBJECT, "ROUTER SUBNET" },
	{ "router", "remove-interface", "remove_interface",
	  {{ "id", NULL }, { "subnet_id", "subnet" }}, false, VSWCTL_OUT_OBJECT, "ROUTER SUBNET" },
	{ "network", "add-remote-vtep", "add_remote_vtep", {{ "id", NULL }}, true,
	  VSWCTL_OUT_OBJECT, "NETWORK --ip-address IP" },
	{ "network", "remove-remote-vtep", "remove_remote_vtep", {{ "id", NULL }}, true,
	  VSWCTL_OUT_OBJECT, "NETWORK --ip-address IP" },
	{ "network", "add-fdb-entry", "add_fdb_entry", {{ "id", NULL }}, true,
	  VSWCTL_OUT_OBJECT, "NETWORK --mac MAC --remote-ip IP" },
	{ "network", "remove-fdb-entry", "remove_fdb_entry", {{ "id", NULL }}, true,
	  VSWCTL_OUT_OBJECT, "NETWORK --mac MAC" },
};

/* Friendly options (after '-' -> '_'). Besides these, --KIND NAME|ID sets
 * KIND_id to the id that NAME|ID resolves to. */
struct vswctl_alias {
	const char *kind;   /* NULL: every kind */
	const char *option;
	const char *field;
	const char *value;  /* a flag's fixed JSON value; NULL: takes a value */
};

static const struct vswctl_alias vswctl_aliases[] = {
	{ NULL, "mac", "mac_address", NULL },
	{ NULL, "enable", "admin_state_up", "true" },
	{ NULL, "disable", "admin_state_up", "false" },
	{ NULL, "project", "project_id", NULL },
	{ "network", "type", "provider:network_type", NULL },
	{ "network", "physical_network", "provider:physical_network", NULL },
	{ "network", "segmentation_id", "provider:segmentation_id", NULL },
	{ "network", "external", "router:external", "true" },
	{ "vnic", "socket_path", "socket", NULL },
};

/* Fields whose values are text even when they read as JSON ("123", "true"). */
static const char *const vswctl_string_fields[] = {
	"name", "description", "socket", "devargs", "device_id", "device_owner",
	"project_id", "tenant_id", "mac_address", "psk", "peer_id", "local_id",
	"physical_network", "mode", "type", "network_type", "provider:network_type",
	"provider:physical_network", "role", "pci_address",
};

/* Commands that are one method without arguments. */
struct vswctl_simple {
	const char *name;
	const char *method;
	enum vswctl_output output;
	const char *columns;
};

static const struct vswctl_simple vswctl_simples[] = {
	{ "stats", "stats.get", VSWCTL_OUT_TREE, NULL },
	{ "info", "system.info", VSWCTL_OUT_TREE, NULL },
	{ "extensions", "extensions.list", VSWCTL_OUT_LIST, "alias name version description" },
	{ "workers", "workers.list", VSWCTL_OUT_LIST, "worker vnic port queue" },
	{ "neighbors", "neighbors.list", VSWCTL_OUT_LIST, "scope ip mac state age_s parked" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The state of one run: options, and the connection once opened. */
struct vswctl {
	const char *socket_path;
	char default_socket[VSW_PATH_MAX + 16];
	bool json;
	const char *project;
	bool admin;
	int timeout_ms;
	int fd;             /* -1 until the first request */
	json_int_t next_id;
	char *buf;          /* received bytes not yet consumed */
	size_t len;
	size_t cap;
};

/* A name or id to resolve once the command line has been parsed. */
struct vswctl_ref {
	char field[VSWCTL_NAME_MAX + 4];
	const struct vswctl_kind *kind;
	const char *ref;
};

/* ---- usage ------------------------------------------------------------ */

static void print_usage(FILE *f)
{
	fputs("usage: vswctl [--socket PATH] [--json] [--project P] [--admin]\n"
	      "              [--timeout SECONDS] COMMAND [ARGS ...]\n", f);
}

static void print_kinds(FILE *f)
{
	size_t col = 6;

	fputs("KIND:", f);
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_kinds); i++) {
		size_t len = strlen(vswctl_kinds[i].name) + 1;

		if (col + len > 78) {
			fputs("\n     ", f);
			col = 6;
		}
		fprintf(f, " %s", vswctl_kinds[i].name);
		col += len;
	}
	fputs("\n", f);
}

static void print_help(FILE *f)
{
	print_usage(f);
	fputs("Commands:\n"
	      "  KIND create [--FIELD VALUE ...]\n"
	      "  KIND list [--FIELD VALUE ...]\n"
	      "  KIND show ID|NAME\n"
	      "  KIND update ID|NAME --FIELD VALUE ...\n"
	      "  KIND delete ID|NAME\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_verbs); i++)
		if (vswctl_verbs[i].kind != NULL)
			fprintf(f, "  %s %s %s\n", vswctl_verbs[i].kind,
				vswctl_verbs[i].name, vswctl_verbs[i].usage);
	fputs("  stats | info | extensions | workers\n"
	      "  call METHOD ['{JSON PARAMS}']\n", f);
	print_kinds(f);
	fputs("Options (before COMMAND):\n"
	      "  --socket PATH      vswd's API socket (default: $VSW_SOCKET,\n"
	      "                     else <run dir>/vsw.sock)\n"
	      "  --json             print results as JSON, for scripts\n"
	      "  --project P        act for project P\n"
	      "  --admin            act as admin (vswd honours it for allowed uids)\n"
	      "  --timeout SECONDS  wait at most SECONDS for vswd (default 30)\n"
	      "  -h, --help         this help; vswctl KIND --help: that kind's\n"
	      "  -V, --version\n"
	      "--FIELD VALUE sets the field FIELD ('-' read as '_'); VALUE is taken as\n"
	      "JSON when it is a JSON literal (true, 1500, null, [..], {..}, \"..\"),\n"
	      "else as a string. --KIND NAME|ID sets KIND_id. Names resolve to ids.\n"
	      "Exit status: 0 ok, 1 vswd refused, 2 usage, 3 vswd unreachable.\n"
	      "See docs/vswctl.md.\n", f);
}

static void print_kind_help(FILE *f, const struct vswctl_kind *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_verbs); i++) {
		const struct vswctl_verb *v = &vswctl_verbs[i];

		if (v->kind == NULL || strcmp(v->kind, kind->name) == 0)
			fprintf(f, "%s vswctl [OPTIONS] %s %s %s\n",
				i == 0 ? "usage:" : "      ", kind->name, v->name, v->usage);
	}
	fputs("Options after the verb:\n"
	      "  --FIELD VALUE        set FIELD (JSON literal, else a string)\n"
	      "  --KIND NAME|ID       set KIND_id, resolving a name (e.g. --network n1)\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_aliases); i++) {
		const struct vswctl_alias *a = &vswctl_aliases[i];
		char option[VSWCTL_NAME_MAX + 8];

		if (a->kind != NULL && strcmp(a->kind, kind->name) != 0)
			continue;
		snprintf(option, sizeof(option), "%s%s", a->option, a->value ? "" : " VALUE");
		for (char *p = option; *p != '\0'; p++)
			if (*p == '_')
				*p = '-';
		fprintf(f, "  --%-18s set %s%s%s\n", option, a->field,
			a->value ? " " : "", a->value ? a->value : "");
	}
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vswctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	print_usage(stderr);
	fputs("Try 'vswctl --help' or 'vswctl KIND --help'.\n", stderr);
	return VSWCTL_ERR_USAGE;
}

/* ---- transport ---------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int transport_error(const struct vswctl *ctl, const char *what)
{
	fprintf(stderr, "vswctl: %s: %s\n", ctl->socket_path, what);
	return VSWCTL_ERR_CONNECT;
}

static int connect_error(const struct vswctl *ctl, const char *reason)
{
	fprintf(stderr, "vswctl: cannot connect to %s: %s \u2014 is vswd running?\n",
		ctl->socket_path, reason);
	return VSWCTL_ERR_CONNECT;
}

static int vswctl_connect(struct vswctl *ctl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = ctl->timeout_ms / 1000,
		.tv_usec = (ctl->timeout_ms % 1000) * 1000,
	};

	if (strlen(ctl->socket_path) >= sizeof(sa.sun_path))
		return connect_error(ctl, "path too long");
	strcpy(sa.sun_path, ctl->socket_path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return connect_error(ctl, strerror(errno));
	/* Bounds a connect that waits on a full listen backlog. */
	setsockopt(ctl->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(ctl->fd);
		ctl->fd = -1;
		return connect_error(ctl, strerror(e));
	}
	fcntl(ctl->fd, F_SETFL, fcntl(ctl->fd, F_GETFL) | O_NONBLOCK);
	return VSWCTL_OK;
}

/* Waits for events on the socket until the deadline; 0, or a transport rc. */
static int wait_socket(struct vswctl *ctl, short events, int64_t deadline)
{
	struct pollfd p = { .fd = ctl->fd, .events = events };

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0) {
			fprintf(stderr, "vswctl: %s: no answer from vswd in %g s\n",
				ctl->socket_path, ctl->timeout_ms / 1000.0);
			return VSWCTL_ERR_CONNECT;
		}
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return VSWCTL_OK;
		if (n < 0 && errno != EINTR)
			return transport_error(ctl, strerror(errno));
	}
}

static int send_all(struct vswctl *ctl, const char *data, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(ctl->fd, data, len, MSG_NOSIGNAL);
		int rc;

		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return transport_error(ctl, strerror(errno));
		rc = wait_socket(ctl, POLLOUT, deadline);
		if (rc != VSWCTL_OK)
			return rc;
	}
	return VSWCTL_OK;
}

static int grow_buffer(struct vswctl *ctl)
{
	size_t cap = ctl->cap ? ctl->cap * 2 : 65536;
	char *b;

	if (cap > VSWCTL_MAX_RESPONSE)
		return transport_error(ctl, "response too large");
	b = realloc(ctl->buf, cap);
	if (b == NULL)
		return transport_error(ctl, "out of memory");
	ctl->buf = b;
	ctl->cap = cap;
	return VSWCTL_OK;
}

/* Reads one response line; *line_len includes the '\n'. */
static int recv_line(struct vswctl *ctl, int64_t deadline, size_t *line_len)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = memchr(ctl->buf + scanned, '\n', ctl->len - scanned);
		ssize_t n;
		int rc;

		if (nl != NULL) {
			*line_len = (size_t)(nl - ctl->buf) + 1;
			return VSWCTL_OK;
		}
		scanned = ctl->len;
		if (ctl->len == ctl->cap && (rc = grow_buffer(ctl)) != VSWCTL_OK)
			return rc;
		n = recv(ctl->fd, ctl->buf + ctl->len, ctl->cap - ctl->len, 0);
		if (n > 0) {
			ctl->len += (size_t)n;
			continue;
		}
		if (n == 0)
			return transport_error(ctl, "vswd closed the connection");
		if (errno != EAGAIN && errno != EINTR)
			return transport_error(ctl, strerror(errno));
		rc = wait_socket(ctl, POLLIN, deadline);
		if (rc != VSWCTL_OK)
			return rc;
	}
}

static void consume(struct vswctl *ctl, size_t n)
{
	memmove(ctl->buf, ctl->buf + n, ctl->len - n);
	ctl->len -= n;
}

/* Sends one request and reads its response (a JSON object). */
static int exchange(struct vswctl *ctl, json_t *request, json_t **response)
{
	int64_t deadline = now_ms() + ctl->timeout_ms;
	char *text = json_dumps(request, JSON_COMPACT);
	size_t line_len;
	json_error_t jerr;
	int rc;

	if (text == NULL)
		return transport_error(ctl, "cannot encode the request");
	rc = ctl->fd < 0 ? vswctl_connect(ctl) : VSWCTL_OK;
	if (rc == VSWCTL_OK)
		rc = send_all(ctl, text, strlen(text), deadline);
	if (rc == VSWCTL_OK)
		rc = send_all(ctl, "\n", 1, deadline);
	free(text);
	if (rc == VSWCTL_OK)
		rc = recv_line(ctl, deadline, &line_len);
	if (rc != VSWCTL_OK)
		return rc;
	*response = json_loadb(ctl->buf, line_len, 0, &jerr);
	consume(ctl, line_len);
	if (!json_is_object(*response)) {
		json_decref(*response);
		*response = NULL;
		return transport_error(ctl, "malformed response from vswd");
	}
	return VSWCTL_OK;
}

/* ---- requests ----------------------------------------------------------- */

static int print_server_error(const json_t *error)
{
	const char *message = json_string_value(json_object_get(error, "message"));
	const json_t *data = json_object_get(error, "data");
	const char *type = json_string_value(json_object_get(data, "type"));
	const char *field = json_string_value(json_object_get(data, "field"));

	if (message == NULL)
		message = "error";
	if (type != NULL && field != NULL && field[0] != '\0')
		fprintf(stderr, "vswctl: %s (%s, field %s)\n", message, type, field);
	else if (type != NULL)
		fprintf(stderr, "vswctl: %s (%s)\n", message, type);
	else
		fprintf(stderr, "vswctl: %s (code %" JSON_INTEGER_FORMAT ")\n", message,
			json_integer_value(json_object_get(error, "code")));
	return VSWCTL_ERR_SERVER;
}

/* Adds the acting project and admin flag unless params sets them. */
static void add_caller(const struct vswctl *ctl, json_t *params)
{
	if (!json_is_object(params))
		return;
	if (ctl->project != NULL && json_object_get(params, "project_id") == NULL)
		json_object_set_new(params, "project_id", json_string(ctl->project));
	if (ctl->admin && json_object_get(params, "admin") == NULL)
		json_object_set_new(params, "admin", json_true());
}

/* Calls method; takes params; on success *result is a new reference. */
static int vswctl_call(struct vswctl *ctl, const char *method, json_t *params,
		       json_t **result)
{
	json_int_t id = ctl->next_id++;
	json_t *request, *response = NULL, *error;
	int rc;

	add_caller(ctl, params);
	request = json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", id,
			    "method", method, "params", params);
	if (request == NULL)
		return transport_error(ctl, "cannot build the request");
	rc = exchange(ctl, request, &response);
	json_decref(request);
	if (rc != VSWCTL_OK)
		return rc;
	error = json_object_get(response, "error");
	if (error != NULL)
		rc = print_server_error(error);
	else if (json_integer_value(json_object_get(response, "id")) != id ||
		 json_object_get(response, "result") == NULL)
		rc = transport_error(ctl, "response does not answer the request");
	else
		*result = json_incref(json_object_get(response, "result"));
	json_decref(response);
	return rc;
}

/* ---- names and values --------------------------------------------------- */

static void normalize(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '-')
			*s = '_';
}

/* Copies arg with '-' read as '_'; false when it is too long. */
static bool normalized_copy(char *dst, size_t size, const char *arg, size_t len)
{
	if (len >= size)
		return false;
	memcpy(dst, arg, len);
	dst[len] = '\0';
	normalize(dst);
	return true;
}

static const struct vswctl_kind *find_kind(const char *arg)
{
	char name[VSWCTL_NAME_MAX];

	if (!normalized_copy(name, sizeof(name), arg, strlen(arg)))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_kinds); i++) {
		const struct vswctl_kind *k = &vswctl_kinds[i];

		if (strcmp(name, k->name) == 0 ||
		    (k->alias != NULL && strcmp(name, k->alias) == 0))
			return k;
	}
	return NULL;
}

static const struct vswctl_verb *find_verb(const struct vswctl_kind *kind, const char *arg)
{
	char name[VSWCTL_NAME_MAX];

	if (!normalized_copy(name, sizeof(name), arg, strlen(arg)))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_verbs); i++) {
		const struct vswctl_verb *v = &vswctl_verbs[i];
		char vname[VSWCTL_NAME_MAX];

		normalized_copy(vname, sizeof(vname), v->name, strlen(v->name));
		if ((v->kind == NULL || strcmp(v->kind, kind->name) == 0) &&
		    strcmp(name, vname) == 0)
			return v;
	}
	return NULL;
}

static const struct vswctl_alias *find_alias(const struct vswctl_kind *kind,
					     const char *option)
{
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_aliases); i++) {
		const struct vswctl_alias *a = &vswctl_aliases[i];

		if ((a->kind == NULL || strcmp(a->kind, kind->name) == 0) &&
		    strcmp(a->option, option) == 0)
			return a;
	}
	return NULL;
}

static bool is_string_field(const char *field)
{
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_string_fields); i++)
		if (strcmp(field, vswctl_string_fields[i]) == 0)
			return true;
	return false;
}

/* A JSON literal as JSON, anything else (and text-only fields) as a string. */
static json_t *parse_value(const char *field, const char *raw)
{
	json_t *v = NULL;

	if (!is_string_field(field))
		v = json_loads(raw, JSON_DECODE_ANY, NULL);
	return v != NULL ? v : json_string(raw);
}

static bool is_uuid(const char *s)
{
	static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i] != '\0'; i++)
		if (pattern[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static void print_plural(FILE *f, const char *kind, size_t n)
{
	size_t len = strlen(kind);

	if (n == 1)
		fputs(kind, f);
	else if (len > 1 && kind[len - 1] == 'y' && strchr("aeiou", kind[len - 2]) == NULL)
		fprintf(f, "%.*sies", (int)(len - 1), kind);
	else
		fprintf(f, "%ss", kind);
}

/* An id as it is, a name through KIND.list {name}: exactly one match. */
static int resolve(struct vswctl *ctl, const struct vswctl_kind *kind, const char *ref,
		   json_t **id)
{
	char method[VSWCTL_NAME_MAX + 8];
	json_t *matches = NULL, *filter;
	size_t n;
	int rc;

	if (is_uuid(ref)) {
		*id = json_string(ref);
		return VSWCTL_OK;
	}
	filter = json_pack("{s:s}", "name", ref);
	if (filter == NULL)
		return usage_error("%s name is not valid UTF-8", kind->name);
	snprintf(method, sizeof(method), "%s.list", kind->name);
	rc = vswctl_call(ctl, method, filter, &matches);
	if (rc != VSWCTL_OK)
		return rc;
	n = json_array_size(matches);
	if (n == 1 && json_is_string(json_object_get(json_array_get(matches, 0), "id"))) {
		*id = json_incref(json_object_get(json_array_get(matches, 0), "id"));
	} else {
		if (n == 0)
			fprintf(stderr, "vswctl: no %s named %s\n", kind->name, ref);
		else {
			fprintf(stderr, "vswctl: %zu ", n);
			print_plural(stderr, kind->name, n);
			fprintf(stderr, " named %s; use the id\n", ref);
		}
		rc = VSWCTL_ERR_SERVER;
	}
	json_decref(matches);
	return rc;
}

/* ---- command line of a kind's verb -------------------------------------- */

struct vswctl_parsed {
	json_t *params;
	struct vswctl_ref refs[VSWCTL_MAX_REFS];
	size_t n_refs;
	const char *positional[2];
	size_t n_positional;
};

static int add_ref(struct vswctl_parsed *p, const struct vswctl_kind *kind,
		   const char *field, const char *ref)
{
	struct vswctl_ref *r = &p->refs[p->n_refs];

	if (p->n_refs == VSWCTL_MAX_REFS)
		return usage_error("too many names to resolve");
	snprintf(r->field, sizeof(r->field), "%s", field);
	r->kind = kind;
	r->ref = ref;
	p->n_refs++;
	return VSWCTL_OK;
}

static int set_field(struct vswctl_parsed *p, const char *field, json_t *value)
{
	if (value == NULL)
		return usage_error("the value of --%s is not valid UTF-8", field);
	if (json_object_get(p->params, field) != NULL) {
		json_decref(value);
		return usage_error("field %s given twice", field);
	}
	json_object_set_new(p->params, field, value);
	return VSWCTL_OK;
}

/* One "--NAME VALUE", "--NAME=VALUE" or flag at argv[*i]; advances *i. */
static int parse_option(const struct vswctl_kind *kind, int argc, char **argv, int *i,
			struct vswctl_parsed *p)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	const struct vswctl_kind *ref_kind;
	const struct vswctl_alias *alias;
	char option[VSWCTL_NAME_MAX];
	const char *value;

	if (!normalized_copy(option, sizeof(option), arg, eq ? (size_t)(eq - arg) : strlen(arg)) ||
	    option[0] == '\0')
		return usage_error("bad option %s", argv[*i]);
	alias = find_alias(kind, option);
	if (alias != NULL && alias->value != NULL) {
		if (eq != NULL)
			return usage_error("--%s takes no value", option);
		return set_field(p, alias->field, json_loads(alias->value, JSON_DECODE_ANY, NULL));
	}
	if (eq != NULL) {
		value = eq + 1;
	} else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
		value = argv[++*i];
	} else {
		return usage_error("option --%s needs a value", arg);
	}
	if (alias != NULL)
		return set_field(p, alias->field, parse_value(alias->field, value));
	ref_kind = find_kind(option);
	if (ref_kind != NULL) {
		char field[VSWCTL_NAME_MAX + 4];

		snprintf(field, sizeof(field), "%s_id", ref_kind->name);
		if (json_object_get(p->params, field) != NULL)
			return usage_error("field %s given twice", field);
		json_object_set_new(p->params, field, json_null());
		return add_ref(p, ref_kind, field, value);
	}
	return set_field(p, option, parse_value(option, value));
}

static int parse_verb_args(struct vswctl *ctl, const struct vswctl_kind *kind,
			   const struct vswctl_verb *verb, int argc, char **argv,
			   struct vswctl_parsed *p)
{
	size_t n_args = 0;
	int rc;

	while (n_args < ARRAY_SIZE(verb->args) && verb->args[n_args].field != NULL)
		n_args++;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			/* No resource has a "json" field: a common slip, honoured. */
			ctl->json = true;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			if (!verb->takes_fields)
				return usage_error("%s %s takes no options", kind->name, verb->name);
			rc = parse_option(kind, argc, argv, &i, p);
			if (rc != VSWCTL_OK)
				return rc;
		} else if (p->n_positional < n_args) {
			p->positional[p->n_positional++] = argv[i];
		} else {
			return usage_error("unexpected argument '%s' (%s %s %s)", argv[i],
					   kind->name, verb->name, verb->usage);
		}
	}
	if (p->n_positional < n_args)
		return usage_error("%s %s needs %s", kind->name, verb->name, verb->usage);
	if (strcmp(verb->method, "update") == 0 && json_object_size(p->params) == 0)
		return usage_error("%s update: nothing to update", kind->name);
	for (size_t a = 0; a < n_args; a++) {
		const struct vswctl_kind *k = verb->args[a].kind ? find_kind(verb->args[a].kind) : kind;

		if (json_object_get(p->params, verb->args[a].field) != NULL)
			return usage_error("field %s given twice", verb->args[a].field);
		json_object_set_new(p->params, verb->args[a].field, json_null());
		rc = add_ref(p, k, verb->args[a].field, p->positional[a]);
		if (rc != VSWCTL_OK)
			return rc;
	}
	return VSWCTL_OK;
}

static int resolve_refs(struct vswctl *ctl, struct vswctl_parsed *p)
{
	for (size_t i = 0; i < p->n_refs; i++) {
		json_t *id = NULL;
		int rc = resolve(ctl, p->refs[i].kind, p->refs[i].ref, &id);

		if (rc != VSWCTL_OK)
			return rc;
		json_object_set_new(p->params, p->refs[i].field, id);
	}
	return VSWCTL_OK;
}

/* ---- output ------------------------------------------------------------- */

static void print_result(const struct vswctl *ctl, enum vswctl_output output,
			 const char *columns, const json_t *result)
{
	if (ctl->json) {
		vswctl_print_json(stdout, result);
	} else if (output == VSWCTL_OUT_LIST && json_is_array(result)) {
		vswctl_print_table(stdout, result, columns ? columns : VSWCTL_DEFAULT_COLUMNS);
	} else if (output == VSWCTL_OUT_OBJECT && json_is_object(result)) {
		if (json_object_size(result) > 0)
			vswctl_print_fields(stdout, result);
	} else {
		vswctl_print_tree(stdout, result);
	}
}

/* ---- commands ----------------------------------------------------------- */

static int run_kind(struct vswctl *ctl, const struct vswctl_kind *kind, int argc, char **argv)
{
	struct vswctl_parsed p = { .params = json_object() };
	const struct vswctl_verb *verb;
	char method[2 * VSWCTL_NAME_MAX];
	json_t *result = NULL;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "vswctl: %s needs a command\n", kind->name);
		print_kind_help(stderr, kind);
		json_decref(p.params);
		return VSWCTL_ERR_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_kind_help(stdout, kind);
		json_decref(p.params);
		return VSWCTL_OK;
	}
	verb = find_verb(kind, argv[1]);
	if (verb == NULL) {
		json_decref(p.params);
		return usage_error("%s has no command '%s' (try 'vswctl %s --help')",
				   kind->name, argv[1], kind->name);
	}
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_kind_help(stdout, kind);
			json_decref(p.params);
			return VSWCTL_OK;
		}
	rc = parse_verb_args(ctl, kind, verb, argc - 2, argv + 2, &p);
	if (rc == VSWCTL_OK)
		rc = resolve_refs(ctl, &p);
	if (rc != VSWCTL_OK) {
		json_decref(p.params);
		return rc;
	}
	snprintf(method, sizeof(method), "%s.%s", kind->name, verb->method);
	rc = vswctl_call(ctl, method, json_incref(p.params), &result);
	if (rc == VSWCTL_OK && verb->output == VSWCTL_OUT_DELETED && !ctl->json)
		printf("Deleted %s %s\n", kind->name,
		       json_string_value(json_object_get(p.params, "id")));
	else if (rc == VSWCTL_OK)
		print_result(ctl, verb->output, kind->columns, result);
	json_decref(result);
	json_decref(p.params);
	return rc;
}

static int run_simple(struct vswctl *ctl, const struct vswctl_simple *cmd, int argc)
{
	json_t *result = NULL;
	int rc;

	if (argc > 1)
		return usage_error("%s takes no arguments", cmd->name);
	rc = vswctl_call(ctl, cmd->method, json_object(), &result);
	if (rc == VSWCTL_OK)
		print_result(ctl, cmd->output, cmd->columns, result);
	json_decref(result);
	return rc;
}

/* call METHOD [PARAMS]: the raw result as JSON, whatever --json says. */
static int run_call(struct vswctl *ctl, int argc, char **argv)
{
	json_t *params, *result = NULL;
	json_error_t jerr;
	int rc;

	if (argc < 2 || argc > 3)
		return usage_error("usage: call METHOD ['{JSON PARAMS}']");
	params = argc == 3 ? json_loads(argv[2], JSON_DECODE_ANY, &jerr) : json_object();
	if (params == NULL)
		return usage_error("params are not JSON: %s", jerr.text);
	rc = vswctl_call(ctl, argv[1], params, &result);
	if (rc == VSWCTL_OK)
		vswctl_print_json(stdout, result);
	json_decref(result);
	return rc;
}

static int run_command(struct vswctl *ctl, int argc, char **argv)
{
	const struct vswctl_kind *kind;

	if (strcmp(argv[0], "help") == 0) {
		print_help(stdout);
		return VSWCTL_OK;
	}
	if (strcmp(argv[0], "call") == 0)
		return run_call(ctl, argc, argv);
	for (size_t i = 0; i < ARRAY_SIZE(vswctl_simples); i++)
		if (strcmp(argv[0], vswctl_simples[i].name) == 0)
			return run_simple(ctl, &vswctl_simples[i], argc);
	kind = find_kind(argv[0]);
	if (kind == NULL)
		return usage_error("unknown command '%s'", argv[0]);
	return run_kind(ctl, kind, argc, argv);
}

/* ---- global options ----------------------------------------------------- */

/* "--NAME VALUE" or "--NAME=VALUE" at argv[*i]: 1 and *value set, 0 when
 * argv[*i] is another option, -1 when the value is missing. */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*value = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*value = argv[++*i];
	return 1;
}

static int parse_timeout(struct vswctl *ctl, const char *s)
{
	char *end;
	double seconds = strtod(s, &end);

	if (end == s || *end != '\0' || !(seconds > 0) || seconds > 86400)
		return usage_error("bad --timeout '%s' (seconds, 0 < t <= 86400)", s);
	ctl->timeout_ms = seconds * 1000 < 1 ? 1 : (int)(seconds * 1000);
	return VSWCTL_OK;
}

/* Parses options before COMMAND; *next is COMMAND's index, argc if none. */
static int parse_global(struct vswctl *ctl, int argc, char **argv, int *next)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v = NULL;
		int m;

		if (strcmp(argv[i], "--json") == 0) {
			ctl->json = true;
		} else if (strcmp(argv[i], "--admin") == 0) {
			ctl->admin = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_help(stdout);
			*next = -1;
			return VSWCTL_OK;
		} else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("vswctl %s\n", VSW_VERSION);
			*next = -1;
			return VSWCTL_OK;
		} else if ((m = option_value(argc, argv, &i, "--socket", &v)) != 0) {
			if (m < 0)
				return usage_error("--socket needs a PATH");
			ctl->socket_path = v;
		} else if ((m = option_value(argc, argv, &i, "--project", &v)) != 0) {
			if (m < 0)
				return usage_error("--project needs a value");
			ctl->project = v;
		} else if ((m = option_value(argc, argv, &i, "--timeout", &v)) != 0) {
			if (m < 0 || parse_timeout(ctl, v) != VSWCTL_OK)
				return m < 0 ? usage_error("--timeout needs SECONDS") : VSWCTL_ERR_USAGE;
		} else {
			return usage_error("unknown option %s", argv[i]);
		}
	}
	*next = i;
	return VSWCTL_OK;
}

static void default_socket(struct vswctl *ctl)
{
	const char *env = getenv("VSW_SOCKET");
	char run_dir[VSW_PATH_MAX];

	if (ctl->socket_path != NULL)
		return;
	if (env != NULL && env[0] != '\0') {
		ctl->socket_path = env;
		return;
	}
	vsw_config_default_run_dir(run_dir, sizeof(run_dir));
	snprintf(ctl->default_socket, sizeof(ctl->default_socket), "%s/vsw.sock", run_dir);
	ctl->socket_path = ctl->default_socket;
}

int main(int argc, char **argv)
{
	struct vswctl ctl = {
		.timeout_ms = VSWCTL_DEFAULT_TIMEOUT_MS,
		.fd = -1,
		.next_id = 1,
	};
	int next = 0;
	int rc = parse_global(&ctl, argc, argv, &next);

	if (rc != VSWCTL_OK || next < 0)
		return rc;
	if (next >= argc)
		return usage_error("no COMMAND given");
	default_socket(&ctl);
	rc = run_command(&ctl, argc - next, argv + next);
	if (fflush(stdout) != 0 && rc == VSWCTL_OK) {
		fprintf(stderr, "vswctl: cannot write output: %s\n", strerror(errno));
		rc = VSWCTL_ERR_SERVER;
	}
	if (ctl.fd >= 0)
		close(ctl.fd);
	free(ctl.buf);
	return rc;
}
