/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the API's front door: the byte-stream splitter
 * (rpc_stream.h) and vsw_api_handle_text() (api.h) with its validators,
 * project scoping, plug/unplug and group-commit rollback.
 *
 * One input is the byte stream of one API connection. A PRNG seeded from a
 * hash of the input picks how the stream is cut into reads, the splitter's
 * limits, who sends each frame (admin-capable or not, acting for project
 * "default" or "tenant-b") and which groups' data-plane apply fails, so an
 * input always replays the same way while the input bytes steer it.
 *
 * One API instance persists across inputs so that later inputs reach the
 * objects earlier ones created: in a frame, %N0..%N9, %P0.. and %V0.. stand
 * for the most recent network, port and vnic ids seen in responses. It is
 * re-created every RESET_EVERY inputs and when a kind is full. The inputs
 * since the last re-creation are mirrored into a history file beside the
 * crash artifacts, so a crash that needs earlier state can be replayed
 * (VSW_FUZZ_REPLAY, see README.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_log.h>

#include "api.h"
#include "rpc.h"          /* vsw_api_fail_next_commit() */
#include "rpc_stream.h"
#include "vsw_error.h"

#ifndef VSW_FUZZ_DICT
#define VSW_FUZZ_DICT "tests/fuzz/rpc.dict"
#endif
#define VSW_FUZZ_DICT_FROM_ROOT "tests/fuzz/rpc.dict"

#define PROJECT_A "default"           /* also the api's default project */
#define PROJECT_B "tenant-b"
#define MAX_OBJECTS 64                /* per kind: keeps the state small */
#define RESET_EVERY 2048              /* inputs between api re-creations */
#define CENSUS_EVERY 64               /* inputs between consistency checks */
#define GROUP_MAX 64                  /* frames per commit group */
#define RING_IDS 8
#define ID_MAX 64
#define HISTORY_CAP ((size_t)64 << 20)
#define HISTORY_STEP ((size_t)1 << 20)    /* the file grows by this much */
#define HISTORY_HEADER 16             /* magic + used length */
#define HISTORY_MAGIC "VSWFZH01"
#define MISSING_ID "00000000-0000-4000-8000-000000000000"
#define APPLY_FAIL_ERRNO (-EIO)

enum kind { KIND_NETWORK, KIND_PORT, KIND_VNIC, KIND_COUNT };
#define KIND_NONE KIND_COUNT

static const char *const kind_names[KIND_COUNT] = { "network", "port", "vnic" };
static const char kind_tags[KIND_COUNT] = { 'N', 'P', 'V' };
/* The member of another kind's object that refers to this kind. */
static const char *const kind_ref_fields[KIND_COUNT] = {
	"network_id", "port_id", "vnic_id"
};

/* Recently seen ids of one kind, for the %N0-style placeholders. */
struct id_ring {
	char id[RING_IDS][ID_MAX];
	unsigned int n, next;
};

/* Inputs since the api was (re)created, in a file mapped MAP_SHARED so it
 * is on disk whatever way the process dies. */
struct history {
	int fd;
	unsigned char *map;      /* HISTORY_CAP reserved, file_size backed */
	size_t used;
	size_t file_size;
	char path[PATH_MAX];
};

static const char *const core_methods[] = {
	"network.create", "network.show", "network.list", "network.update",
	"network.delete", "port.create", "port.show", "port.list", "port.update",
	"port.delete", "vnic.create", "vnic.show", "vnic.list", "vnic.delete",
	"vnic.plug", "vnic.unplug", "extensions.list", "system.info", "stats.get",
};
#define N_CORE_METHODS (sizeof(core_methods) / sizeof(core_methods[0]))

static const json_int_t documented_codes[] = {
	VSW_RPC_PARSE_ERROR, VSW_RPC_INVALID_REQUEST, VSW_RPC_METHOD_NOT_FOUND,
	VSW_RPC_INVALID_PARAMS, -32603, 400, 403, 404, 409, 413, 500, 503,
};
#define N_CODES (sizeof(documented_codes) / sizeof(documented_codes[0]))

/* What the run reached, printed at exit with VSW_FUZZ_STATS=1. */
struct fuzz_counts {
	unsigned long inputs, frames, refusals, groups, failed_groups;
	unsigned long rollback_checks, censuses, recreations;
	unsigned long ok[N_CORE_METHODS + 1], failed[N_CORE_METHODS + 1];
	unsigned long codes[N_CODES];
};

/* Who sends the frames of an input (params' own project_id/admin win). */
enum {
	INJECT_NONE,         /* as written: a life cycle can succeed */
	INJECT_ONE_PROJECT,  /* every frame acts for one project */
	INJECT_PER_FRAME,    /* each frame its own project; sometimes admin */
};

struct fuzz_state {
	struct vsw_api *api;
	struct id_ring rings[KIND_COUNT];
	unsigned long inputs;    /* since the api was created */
	bool full;               /* a kind reached MAX_OBJECTS: re-create */
	bool fresh;              /* VSW_FUZZ_FRESH: re-create for every input */
	bool trace;              /* VSW_FUZZ_TRACE: print every exchange */
	bool uncounted;          /* the target's own calls: not in counts */
	unsigned int inject;     /* INJECT_*: this input's senders */
	const char *inject_project;  /* for INJECT_ONE_PROJECT */
	bool apply_fail;         /* the data plane refuses this group */
	bool apply_called;
	bool commit_fail;        /* the state db refuses this group's commit */
	bool commit_fail_armed;  /* ... and the api was told so */
	struct history hist;
	char **argv;             /* argv with -dict= added, kept reachable */
	FILE *log;               /* where rte_log goes (/dev/null by default) */
	struct fuzz_counts counts;
};

static struct fuzz_state fz = { .hist = { .fd = -1 } };

/* One frame handed to the api (or refused by the splitter) and its answer. */
struct exchange {
	json_t *req;             /* the request as sent; NULL: not JSON */
	json_t *resp;            /* NULL: nothing to send */
	bool may_admin;
	int expect_code;         /* the error code when req is NULL */
	unsigned int created_kind;
	char created_id[ID_MAX];
};

struct group {
	struct exchange ex[GROUP_MAX];
	unsigned int n;
	bool open;
	bool mutated;            /* a change was acknowledged: a commit is due */
};

struct rng {
	uint64_t s;
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void);

/* UBSan findings must stop the run like ASan's do. */
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* The default 256 MiB quarantine makes each of libFuzzer's leak checks
 * (run after inputs that grow the persistent state) several times slower. */
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

/* ---- deterministic choices from the input -------------------------- */

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct rng rng_from_input(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return (struct rng){ .s = h };
}

/* ---- reporting ------------------------------------------------------ */

static void print_json(const char *what, const json_t *v)
{
	char *s;

	if (!v) {
		fprintf(stderr, "  %s: (none)\n", what);
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s && strlen(s) > 4000)
		strcpy(s + 3990, "...");
	fprintf(stderr, "  %s: %s\n", what, s ? s : "(does not serialise)");
	free(s);
}

static void __attribute__((noreturn))
fail(const char *what, const json_t *req, const json_t *resp)
{
	fprintf(stderr, "fuzz_rpc: invariant violated: %s\n", what);
	print_json("request", req);
	print_json("response", resp);
	if (fz.hist.map)
		fprintf(stderr, "fuzz_rpc: inputs since the api was created: %s\n",
			fz.hist.path);
	abort();
}

static void __attribute__((noreturn))
fail_frames(const char *what, const char *cut, size_t cut_len,
	    const char *whole, size_t whole_len)
{
	fprintf(stderr, "  frame (chunked feed, %zu bytes): %.*s\n", cut_len,
		(int)(cut_len < 2000 ? cut_len : 2000), cut ? cut : "");
	if (whole)
		fprintf(stderr, "  frame (whole feed, %zu bytes): %.*s\n", whole_len,
			(int)(whole_len < 2000 ? whole_len : 2000), whole);
	fail(what, NULL, NULL);
}

/* ---- small JSON helpers --------------------------------------------- */

static const char *str_member(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static bool str_member_is(const json_t *obj, const char *key, const char *want)
{
	const char *v = str_member(obj, key);

	return v && strcmp(v, want) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "port.update" -> KIND_PORT, verb "update"; KIND_NONE for the others. */
static unsigned int method_kind(const char *method, const char **verb)
{
	for (unsigned int k = 0; method && k < KIND_COUNT; k++) {
		size_t n = strlen(kind_names[k]);

		if (strncmp(method, kind_names[k], n) == 0 && method[n] == '.') {
			*verb = method + n + 1;
			return k;
		}
	}
	*verb = "";
	return KIND_NONE;
}

static bool is_mutating(const char *method)
{
	const char *verb;

	if (method_kind(method, &verb) == KIND_NONE)
		return false;
	return strcmp(verb, "create") == 0 || strcmp(verb, "update") == 0 ||
	       strcmp(verb, "delete") == 0 || strcmp(verb, "plug") == 0 ||
	       strcmp(verb, "unplug") == 0;
}

static const json_t *find_by_id(const json_t *list, const char *id)
{
	size_t i;
	const json_t *o;

	json_array_foreach(list, i, o)
		if (str_member_is(o, "id", id))
			return o;
	return NULL;
}

/* The one request of a batch whose id equals id; NULL if none or several. */
static const json_t *batch_request_for_id(const json_t *batch, const json_t *id,
					  size_t *matches)
{
	const json_t *found = NULL, *r;
	size_t i;

	*matches = 0;
	json_array_foreach(batch, i, r) {
		const json_t *rid = json_object_get(r, "id");

		if (json_is_object(r) && rid && json_equal((json_t *)rid, (json_t *)id)) {
			found = r;
			++*matches;
		}
	}
	return *matches == 1 ? found : NULL;
}

/* ---- ids seen in responses ------------------------------------------ */

static void ring_add(struct id_ring *ring, const char *id)
{
	if (!id || strlen(id) >= ID_MAX)
		return;
	for (unsigned int i = 0; i < ring->n; i++)
		if (strcmp(ring->id[i], id) == 0)
			return;
	strcpy(ring->id[ring->next], id);
	ring->next = (ring->next + 1) % RING_IDS;
	if (ring->n < RING_IDS)
		ring->n++;
}

/* Forgets an id that names nothing any more (deleted, rolled back). */
static void ring_remove(struct id_ring *ring, const char *id)
{
	struct id_ring kept = { .n = 0 };

	if (!id)
		return;
	for (unsigned int d = ring->n; d-- > 0;) {
		const char *old = ring->id[(ring->next + RING_IDS - 1 - d) % RING_IDS];

		if (strcmp(old, id))
			ring_add(&kept, old);
	}
	*ring = kept;
}

/* d-th most recent id of a kind, or an id that exists nowhere. */
static const char *ring_get(const struct id_ring *ring, unsigned int d)
{
	if (ring->n == 0)
		return MISSING_ID;
	d %= ring->n;
	return ring->id[(ring->next + RING_IDS - 1 - d) % RING_IDS];
}

static void harvest_object(unsigned int kind, const json_t *obj)
{
	ring_add(&fz.rings[kind], str_member(obj, "id"));
	for (unsigned int k = 0; k < KIND_COUNT; k++)
		ring_add(&fz.rings[k], str_member(obj, kind_ref_fields[k]));
}

static void harvest_response(const json_t *req, const json_t *resp)
{
	const char *verb;
	unsigned int kind = method_kind(str_member(req, "method"), &verb);
	const json_t *result = json_object_get(resp, "result"), *o;
	size_t i;

	if (kind == KIND_NONE || !result)
		return;
	if (strcmp(verb, "delete") == 0) {
		ring_remove(&fz.rings[kind], str_member(json_object_get(req, "params"), "id"));
		return;
	}
	if (json_is_array(result))
		json_array_foreach(result, i, o)
			harvest_object(kind, o);
	else
		harvest_object(kind, result);
}

static void harvest(const json_t *req, const json_t *resp)
{
	const json_t *r;
	size_t i, matches;

	if (json_is_object(resp)) {
		harvest_response(req, resp);
		return;
	}
	json_array_foreach(resp, i, r)
		harvest_response(batch_request_for_id(req, json_object_get(r, "id"),
						      &matches), r);
}

static int placeholder_kind(const char *p, size_t left)
{
	if (left < 3 || p[0] != '%' || p[2] < '0' || p[2] > '9')
		return -1;
	for (int k = 0; k < KIND_COUNT; k++)
		if (p[1] == kind_tags[k])
			return k;
	return -1;
}

/* The frame with %N0-style placeholders replaced; NULL when it has none. */
static char *substitute_ids(const char *text, size_t len, size_t *out_len)
{
	size_t count = 0, o = 0;
	char *out;

	if (!memchr(text, '%', len))
		return NULL;
	for (size_t i = 0; i < len; i++)
		count += placeholder_kind(text + i, len - i) >= 0;
	if (count == 0)
		return NULL;
	out = malloc(len + count * ID_MAX);
	if (!out)
		abort();
	for (size_t i = 0; i < len; i++) {
		int k = placeholder_kind(text + i, len - i);

		if (k < 0) {
			out[o++] = text[i];
			continue;
		}
		const char *id = ring_get(&fz.rings[k], (unsigned int)(text[i + 2] - '0'));

		memcpy(out + o, id, strlen(id));
		o += strlen(id);
		i += 2;
	}
	*out_len = o;
	return out;
}

/* ---- who sends the frame -------------------------------------------- */

/* Adds project_id and/or admin to params per r, when absent. */
static bool inject_caller_params(json_t *msg, uint64_t r)
{
	unsigned int project = fz.inject == INJECT_ONE_PROJECT ? 2 : r & 3;
	bool admin = ((r >> 2) & 7) == 0;
	json_t *params;
	bool changed = false;

	if (!json_is_object(msg) || !json_is_string(json_object_get(msg, "method")) ||
	    (project < 2 && !admin))
		return false;
	params = json_object_get(msg, "params");
	if (!params) {
		params = json_object();
		json_object_set_new(msg, "params", params);
		changed = true;
	}
	if (!json_is_object(params))
		return false;
	if (project >= 2 && !json_object_get(params, "project_id")) {
		json_object_set_new(params, "project_id",
				    json_string(fz.inject == INJECT_ONE_PROJECT ? fz.inject_project :
						project == 2 ? PROJECT_A : PROJECT_B));
		changed = true;
	}
	if (admin && !json_object_get(params, "admin")) {
		json_object_set_new(params, "admin", json_true());
		changed = true;
	}
	return changed;
}

static bool inject_into_frame(json_t *req, struct rng *rng)
{
	bool changed = false;
	json_t *m;
	size_t i;

	if (!json_is_array(req))
		return inject_caller_params(req, rng_next(rng));
	json_array_foreach(req, i, m)
		changed |= inject_caller_params(m, rng_next(rng));
	return changed;
}

static struct vsw_caller pick_caller(struct rng *rng)
{
	uint64_t r = rng_next(rng);
	bool may_admin = r & 1;

	return (struct vsw_caller){
		.uid = may_admin ? 0 : 1000 + (uid_t)((r >> 1) & 1),
		.pid = 4242,
		.may_admin = may_admin,
	};
}

/* ---- invariants on one response object ------------------------------- */

static bool count_code(json_int_t code)
{
	for (size_t i = 0; i < N_CODES; i++)
		if (code == documented_codes[i]) {
			fz.counts.codes[i]++;
			return true;
		}
	return false;
}

static size_t core_method_index(const char *method)
{
	size_t i;

	for (i = 0; method && i < N_CORE_METHODS; i++)
		if (strcmp(method, core_methods[i]) == 0)
			break;
	return method ? i : N_CORE_METHODS;
}

static void check_error_member(const json_t *req, const json_t *resp)
{
	static const char *const data_keys[] = { "type", "field" };
	const json_t *err = json_object_get(resp, "error");
	const json_t *code = json_object_get(err, "code");
	const json_t *data = json_object_get(err, "data");

	if (!json_is_object(err))
		fail("error is not an object", req, resp);
	if (!json_is_integer(code))
		fail("error.code is not an integer", req, resp);
	if (!count_code(json_integer_value(code)))
		fail("error.code is not one of SPEC.md's codes", req, resp);
	/* A kind is full: start again from an empty instance soon. */
	if (json_integer_value(code) == 503)
		fz.full = true;
	if (!json_is_string(json_object_get(err, "message")))
		fail("error.message is not a string", req, resp);
	if (!data)
		return;
	if (!json_is_object(data))
		fail("error.data is not an object", req, resp);
	for (size_t i = 0; i < sizeof(data_keys) / sizeof(data_keys[0]); i++) {
		const json_t *v = json_object_get(data, data_keys[i]);

		if (v && !json_is_string(v) && !json_is_null(v))
			fail("error.data.type/field is not a string", req, resp);
	}
}

static void check_response_object(const json_t *req, const json_t *resp)
{
	const json_t *id = json_object_get(resp, "id");
	bool has_result, has_error;
	const char *key;
	const json_t *v;

	if (!json_is_object(resp))
		fail("response is not an object", req, resp);
	if (!str_member_is(resp, "jsonrpc", "2.0"))
		fail("response lacks \"jsonrpc\": \"2.0\"", req, resp);
	if (!id)
		fail("response has no id member", req, resp);
	if (!json_is_string(id) && !json_is_number(id) && !json_is_null(id))
		fail("response id is not a string, number or null", req, resp);
	has_result = json_object_get(resp, "result") != NULL;
	has_error = json_object_get(resp, "error") != NULL;
	if (has_result == has_error)
		fail("response must have exactly one of result and error", req, resp);
	json_object_foreach((json_t *)resp, key, v)
		if (strcmp(key, "jsonrpc") && strcmp(key, "id") &&
		    strcmp(key, "result") && strcmp(key, "error"))
			fail("response has a member JSON-RPC does not define", req, resp);
	if (has_error)
		check_error_member(req, resp);
}

static json_int_t error_code(const json_t *resp)
{
	return json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));
}

static bool is_secret_key(const char *key)
{
	return strcmp(key, "psk") == 0 || ends_with(key, "_key");
}

static void check_no_secrets(const json_t *v, const json_t *req, const json_t *resp)
{
	const char *key;
	const json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, m) {
			if (is_secret_key(key))
				fail("a secret field appears in a response", req, resp);
			check_no_secrets(m, req, resp);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			check_no_secrets(m, req, resp);
	}
}

static void check_serialises(const json_t *req, const json_t *resp)
{
	char *text = json_dumps(resp, JSON_COMPACT);
	json_t *back;

	if (!text)
		fail("response does not serialise with json_dumps", req, resp);
	back = json_loads(text, JSON_ALLOW_NUL, NULL);
	if (!back || !json_equal(back, (json_t *)resp))
		fail("serialised response does not parse back to itself", req, resp);
	json_decref(back);
	free(text);
}

/* ---- invariants that relate a response to its request ---------------- */

static const char *acting_project(const json_t *params)
{
	const char *p = str_member(params, "project_id");

	return p ? p : PROJECT_A;
}

/* A caller that may not act as admin sees only its acting project's objects
 * (shared networks aside). */
static void check_owner(const json_t *obj, const char *project,
			const json_t *req, const json_t *resp)
{
	const char *owner = str_member(obj, "project_id");
	const char *tenant = str_member(obj, "tenant_id");

	if (json_is_true(json_object_get(obj, "shared")))
		return;
	if ((owner && strcmp(owner, project)) || (tenant && strcmp(tenant, project)))
		fail("a non-admin caller got another project's object", req, resp);
}

static void check_scope(const json_t *req, const json_t *resp)
{
	const json_t *result = json_object_get(resp, "result"), *o;
	const char *project = acting_project(json_object_get(req, "params"));
	size_t i;

	if (json_is_array(result))
		json_array_foreach(result, i, o)
			check_owner(o, project, req, resp);
	else
		check_owner(result, project, req, resp);
}

/* Filters whose meaning is exact equality (tests/integration pins them). */
static void check_list_filters(const json_t *params, const json_t *item,
			       const json_t *req, const json_t *resp)
{
	static const char *const exact[] = { "name", "network_id", "admin_state_up" };

	for (size_t f = 0; f < sizeof(exact) / sizeof(exact[0]); f++) {
		const json_t *want = json_object_get(params, exact[f]);
		const json_t *got = json_object_get(item, exact[f]);

		bool comparable = (json_is_string(want) && json_is_string(got)) ||
				  (json_is_boolean(want) && json_is_boolean(got));

		if (comparable && !json_equal((json_t *)want, (json_t *)got))
			fail("a listed object does not match the list filter", req, resp);
	}
}

static void check_list_result(const json_t *params, const json_t *result,
			      const json_t *req, const json_t *resp)
{
	const json_t *o;
	size_t i;

	if (!json_is_array(result))
		fail("KIND.list result is not an array", req, resp);
	json_array_foreach(result, i, o) {
		const char *id = str_member(o, "id");

		if (!json_is_object(o) || !id)
			fail("a listed object has no string id", req, resp);
		for (size_t j = 0; j < i; j++)
			if (str_member_is(json_array_get(result, j), "id", id))
				fail("KIND.list returns an object twice", req, resp);
		check_list_filters(params, o, req, resp);
	}
}

static void check_result_shape(const json_t *req, const json_t *resp)
{
	const json_t *params = json_object_get(req, "params");
	const json_t *result = json_object_get(resp, "result");
	const char *verb, *want_id = str_member(params, "id");

	if (method_kind(str_member(req, "method"), &verb) == KIND_NONE)
		return;
	if (strcmp(verb, "list") == 0) {
		check_list_result(params, result, req, resp);
	} else if (strcmp(verb, "delete") == 0) {
		if (!json_is_object(result) || json_object_size(result) != 0)
			fail("KIND.delete result is not {}", req, resp);
	} else if (strcmp(verb, "create") == 0) {
		if (!json_is_string(json_object_get(result, "id")))
			fail("KIND.create result has no string id", req, resp);
	} else if (strcmp(verb, "show") == 0 || strcmp(verb, "update") == 0) {
		if (!json_is_string(json_object_get(result, "id")) ||
		    (want_id && !str_member_is(result, "id", want_id)))
			fail("KIND.show/update result is not the object asked for", req, resp);
	}
}

static void check_success(const json_t *req, const json_t *resp, bool may_admin)
{
	const json_t *params = json_object_get(req, "params");

	if (!str_member_is(req, "jsonrpc", "2.0") ||
	    !json_is_string(json_object_get(req, "method")) ||
	    (params && !json_is_object(params)))
		fail("a malformed request got a result", req, resp);
	check_result_shape(req, resp);
	if (!may_admin)
		check_scope(req, resp);
}

static void check_against_request(const json_t *req, const json_t *resp,
				  bool may_admin, bool group_failed)
{
	const json_t *rid = json_object_get(req, "id");
	const json_t *id = json_object_get(resp, "id");
	bool is_error = json_object_get(resp, "error") != NULL;
	json_int_t code = error_code(resp);
	size_t m = core_method_index(str_member(req, "method"));

	if (fz.uncounted)
		;
	else if (is_error)
		fz.counts.failed[m]++;
	else
		fz.counts.ok[m]++;
	if (!rid) {
		if (!is_error || !json_is_null(id))
			fail("a notification got an answer other than an error", req, resp);
	} else if (!json_is_string(rid) && !json_is_number(rid) && !json_is_null(rid)) {
		if (!is_error || !json_is_null(id))
			fail("a request with an invalid id got other than an error with id null",
			     req, resp);
	} else if (!json_equal((json_t *)rid, (json_t *)id) &&
		   !(json_is_null(id) && (code == VSW_RPC_PARSE_ERROR ||
					  code == VSW_RPC_INVALID_REQUEST))) {
		fail("response id differs from the request's", req, resp);
	}
	if (is_error)
		return;
	if (group_failed && is_mutating(str_member(req, "method")))
		fail("a change acknowledged although its group failed to apply", req, resp);
	check_success(req, resp, may_admin);
}

static void check_batch_response(const struct exchange *ex, bool group_failed)
{
	const json_t *r;
	size_t i, matches;

	if (json_array_size(ex->resp) == 0)
		fail("empty array response", ex->req, ex->resp);
	if (json_array_size(ex->resp) > json_array_size(ex->req))
		fail("more responses than requests in a batch", ex->req, ex->resp);
	json_array_foreach(ex->resp, i, r) {
		const json_t *m;

		check_response_object(ex->req, r);
		m = batch_request_for_id(ex->req, json_object_get(r, "id"), &matches);
		if (m)
			check_against_request(m, r, ex->may_admin, group_failed);
		else if (matches == 0 && json_object_get(r, "result"))
			fail("a batch result answers no request", ex->req, ex->resp);
	}
}

/* No answer is due only to notifications: an object without "id", or a
 * non-empty batch of them. */
static void check_silence(const json_t *req)
{
	const json_t *m;
	size_t i;

	if (json_is_object(req) && !json_object_get(req, "id"))
		return;
	if (!json_is_array(req) || json_array_size(req) == 0)
		fail("no response to a request that needs one", req, NULL);
	json_array_foreach(req, i, m)
		if (!json_is_object(m) || json_object_get(m, "id"))
			fail("no response to a batch with a non-notification", req, NULL);
}

static void check_exchange(const struct exchange *ex, bool group_failed)
{
	if (fz.trace) {
		fprintf(stderr, "fuzz_rpc: exchange%s (may_admin %d)\n",
			group_failed ? " in a failed group" : "", ex->may_admin);
		print_json("request", ex->req);
		print_json("response", ex->resp);
	}
	if (!ex->resp) {
		check_silence(ex->req);
		return;
	}
	check_serialises(ex->req, ex->resp);
	check_no_secrets(ex->resp, ex->req, ex->resp);
	if (json_is_array(ex->resp)) {
		if (!json_is_array(ex->req))
			fail("array response to a request that is not a batch", ex->req, ex->resp);
		check_batch_response(ex, group_failed);
		return;
	}
	check_response_object(ex->req, ex->resp);
	if (!ex->req) {
		if (error_code(ex->resp) != ex->expect_code ||
		    !json_is_null(json_object_get(ex->resp, "id")))
			fail("text that is not JSON did not get its error with id null",
			     NULL, ex->resp);
	} else if (json_is_object(ex->req)) {
		check_against_request(ex->req, ex->resp, ex->may_admin, group_failed);
	} else if (!json_object_get(ex->resp, "error")) {
		fail("a batch got a single result", ex->req, ex->resp);
	}
}

/* ---- the api instance ------------------------------------------------ */

static int fuzz_apply(void *arg, struct vsw_api *api, struct vsw_error *err)
{
	struct fuzz_state *s = arg;

	(void)api;
	s->apply_called = true;
	if (!s->apply_fail)
		return 0;
	return vsw_error_set(err, APPLY_FAIL_ERRNO, "ApplyFailed", "",
			     "fuzz: the data plane refuses this group");
}

static void fuzz_system_info(void *arg, json_t *info)
{
	(void)arg;
	json_object_set_new(info, "fuzz_dataplane", json_true());
}

static void fuzz_stats(void *arg, json_t *stats)
{
	(void)arg;
	json_object_set_new(stats, "fuzz_counter", json_integer(0));
}

static void history_clear(void);

static void api_recreate(void)
{
	const struct vsw_api_options opt = {
		.db_path = ":memory:",
		.default_project = PROJECT_A,
		.max_networks = MAX_OBJECTS,
		.max_ports = MAX_OBJECTS,
		.max_vnics = MAX_OBJECTS,
		.version = "fuzz",
		.n_workers = 1,
	};
	const struct vsw_api_hooks hooks = {
		.arg = &fz,
		.apply = fuzz_apply,
		.system_info = fuzz_system_info,
		.stats = fuzz_stats,
	};
	struct vsw_error err = { 0 };

	if (fz.api)
		vsw_api_destroy(fz.api);
	fz.counts.recreations++;
	fz.api = vsw_api_create(&opt, &hooks, &err);
	if (!fz.api) {
		fprintf(stderr, "fuzz_rpc: vsw_api_create: %s (%d)\n", err.message, err.errnum);
		abort();
	}
	memset(fz.rings, 0, sizeof(fz.rings));
	fz.inputs = 0;
	fz.full = false;
	history_clear();
}

/* ---- commit groups ---------------------------------------------------- */

static void group_open(struct group *g, struct rng *rng)
{
	if (g->open)
		return;
	uint64_t r = rng_next(rng);

	fz.apply_fail = r % 16 == 0;
	fz.commit_fail = !fz.apply_fail && (r >> 8) % 16 == 0;
	fz.apply_called = false;
	vsw_api_group_begin(fz.api);
	g->open = true;
}

static bool group_end_checked(void)
{
	int rc = vsw_api_group_end(fz.api);
	bool refused = (fz.apply_called && fz.apply_fail) || fz.commit_fail_armed;

	fz.apply_fail = false;
	fz.commit_fail = false;
	fz.commit_fail_armed = false;
	fz.counts.groups++;
	fz.counts.failed_groups += rc < 0;
	if (refused && rc >= 0)
		fail("group_end returned success although apply or commit failed", NULL, NULL);
	if (!refused && rc != 0) {
		fprintf(stderr, "fuzz_rpc: group_end: %d\n", rc);
		fail("group_end failed with an in-memory db and a willing data plane",
		     NULL, NULL);
	}
	return rc < 0;
}

/* One admin request in a group of its own; the response is checked. */
static json_t *admin_call(const char *method, json_t *params)
{
	const struct vsw_caller admin = { .uid = 0, .pid = 1, .may_admin = true };
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1,
				"method", method, "params", params);
	char *text;
	struct exchange ex = { .req = req, .may_admin = true };

	json_object_set_new(params, "admin", json_true());
	text = json_dumps(req, JSON_COMPACT);
	if (!req || !text)
		abort();
	vsw_api_group_begin(fz.api);
	ex.resp = vsw_api_handle_text(fz.api, &admin, text, strlen(text));
	group_end_checked();
	free(text);
	fz.uncounted = true;
	check_exchange(&ex, false);
	fz.uncounted = false;
	if (!ex.resp)
		fail("no response to an admin call", req, NULL);
	json_decref(req);
	return ex.resp;
}

/* A failed group must leave no trace: what its creates made is gone. */
static void check_rolled_back(const struct group *g)
{
	for (unsigned int i = 0; i < g->n; i++) {
		const struct exchange *ex = &g->ex[i];
		char method[32];
		json_t *resp;

		if (ex->created_kind == KIND_NONE)
			continue;
		fz.counts.rollback_checks++;
		snprintf(method, sizeof(method), "%s.show", kind_names[ex->created_kind]);
		resp = admin_call(method, json_pack("{s:s}", "id", ex->created_id));
		if (json_object_get(resp, "result"))
			fail("an object created in a failed group still exists", ex->req, resp);
		ring_remove(&fz.rings[ex->created_kind], ex->created_id);
		json_decref(resp);
	}
}

static void note_created(struct exchange *ex)
{
	const char *verb, *id;
	unsigned int kind;

	ex->created_kind = KIND_NONE;
	if (!json_is_object(ex->req) || !json_is_object(ex->resp))
		return;
	kind = method_kind(str_member(ex->req, "method"), &verb);
	id = str_member(json_object_get(ex->resp, "result"), "id");
	if (kind == KIND_NONE || strcmp(verb, "create") || !id || strlen(id) >= ID_MAX)
		return;
	ex->created_kind = kind;
	strcpy(ex->created_id, id);
}

static void group_close(struct group *g)
{
	bool failed = false;

	if (g->open) {
		/* Armed only when a commit will run, or it would hit a later group. */
		if (fz.commit_fail && g->mutated) {
			vsw_api_fail_next_commit(fz.api, -EIO);
			fz.commit_fail_armed = true;
		}
		g->open = false;
		g->mutated = false;
		failed = group_end_checked();
	}
	for (unsigned int i = 0; i < g->n; i++)
		check_exchange(&g->ex[i], failed);
	if (failed)
		check_rolled_back(g);
	for (unsigned int i = 0; i < g->n; i++) {
		json_decref(g->ex[i].req);
		json_decref(g->ex[i].resp);
	}
	g->n = 0;
}

static bool acks_mutation(const json_t *req, const json_t *resp)
{
	const json_t *r;
	size_t i, matches;

	if (json_is_object(resp))
		return json_object_get(resp, "result") &&
		       is_mutating(str_member(req, "method"));
	json_array_foreach(resp, i, r) {
		const json_t *m = batch_request_for_id(req, json_object_get(r, "id"), &matches);

		if (json_object_get(r, "result") && is_mutating(str_member(m, "method")))
			return true;
	}
	return false;
}

static struct exchange *group_add(struct group *g)
{
	struct exchange *ex = &g->ex[g->n++];

	memset(ex, 0, sizeof(*ex));
	ex->created_kind = KIND_NONE;
	return ex;
}

static void serve_frame(struct group *g, struct rng *rng, const char *text, size_t len)
{
	struct vsw_caller caller = pick_caller(rng);
	char *subst = substitute_ids(text, len, &len);
	const char *send = subst ? subst : text;
	char *dumped = NULL;
	struct exchange *ex;

	group_open(g, rng);
	fz.counts.frames++;
	ex = group_add(g);
	ex->may_admin = caller.may_admin;
	ex->expect_code = VSW_RPC_PARSE_ERROR;
	ex->req = json_loadb(send, len, JSON_ALLOW_NUL, NULL);
	if (ex->req && fz.inject != INJECT_NONE && inject_into_frame(ex->req, rng)) {
		dumped = json_dumps(ex->req, JSON_COMPACT);
		if (!dumped)
			abort();
		send = dumped;
		len = strlen(dumped);
	}
	ex->resp = vsw_api_handle_text(fz.api, &caller, send, len);
	if (ex->resp) {
		harvest(ex->req, ex->resp);
		g->mutated |= acks_mutation(ex->req, ex->resp);
	}
	note_created(ex);
	free(subst);
	free(dumped);
	if (g->n == GROUP_MAX)
		group_close(g);
}

/* What the server answers when the splitter refuses the stream. */
static void serve_refusal(struct group *g, enum vsw_rpc_frame r)
{
	struct exchange *ex = group_add(g);

	fz.counts.refusals++;
	if (r == VSW_RPC_TOO_LARGE) {
		ex->expect_code = 413;
		ex->resp = vsw_rpc_error_response(NULL, 413, "request too large",
						  "RequestTooLarge", NULL);
	} else {
		ex->expect_code = VSW_RPC_PARSE_ERROR;
		ex->resp = vsw_rpc_error_response(NULL, VSW_RPC_PARSE_ERROR, "parse error",
						  "ParseError", NULL);
	}
	if (!ex->resp)
		fail("vsw_rpc_error_response returned NULL", NULL, NULL);
	if (g->n == GROUP_MAX)
		group_close(g);
}

/* ---- the splitter, checked against a copy fed in one piece ------------ */

struct splitter {
	struct vsw_rpc_stream *cut;    /* fed in chunks */
	struct vsw_rpc_stream *whole;  /* fed everything at once */
	size_t max_size;
};

static void splitter_open(struct splitter *sp, struct rng *rng,
			  const uint8_t *data, size_t size)
{
	uint64_t r = rng_next(rng);
	size_t max_size = 0;
	unsigned int max_depth = 0;

	if (r % 8 == 6)
		max_size = 16 + (r >> 8) % 256;
	else if (r % 8 == 7)
		max_size = 256 + (r >> 8) % 4096;
	if ((r >> 32) % 8 == 0)
		max_depth = 1 + (r >> 40) % 16;
	sp->cut = vsw_rpc_stream_create(max_size, max_depth);
	sp->whole = vsw_rpc_stream_create(max_size, max_depth);
	if (!sp->cut || !sp->whole)
		abort();
	sp->max_size = max_size ? max_size : VSW_RPC_MAX_REQUEST_SIZE;
	if (vsw_rpc_stream_max_size(sp->cut) != sp->max_size)
		fail("vsw_rpc_stream_max_size differs from the limit asked for", NULL, NULL);
	if (size && vsw_rpc_stream_feed(sp->whole, data, size))
		fail("vsw_rpc_stream_feed failed", NULL, NULL);
}

static void check_frame_text(const struct splitter *sp, const char *text, size_t len)
{
	if (len < 2 || len > sp->max_size)
		fail_frames("frame length outside 2..max_size", text, len, NULL, 0);
	if ((text[0] != '{' && text[0] != '[') ||
	    (text[len - 1] != '}' && text[len - 1] != ']'))
		fail_frames("frame does not run from an opening to a closing bracket",
			    text, len, NULL, 0);
}

/* Next result of the chunked stream; whenever it has one, the stream fed
 * in one piece must have the same one (however a stream is cut, it splits
 * the same way). */
static enum vsw_rpc_frame split_next(struct splitter *sp, const char **text, size_t *len)
{
	enum vsw_rpc_frame r = vsw_rpc_stream_next(sp->cut, text, len), w;
	const char *wtext;
	size_t wlen;

	if (r == VSW_RPC_NEED_MORE)
		return r;
	w = vsw_rpc_stream_next(sp->whole, &wtext, &wlen);
	if (w != r) {
		fprintf(stderr, "fuzz_rpc: chunked stream gave %d, whole stream %d\n", r, w);
		fail("the splitter's results depend on how the stream is cut", NULL, NULL);
	}
	if (r != VSW_RPC_FRAME)
		return r;
	check_frame_text(sp, *text, *len);
	if (wlen != *len || memcmp(wtext, *text, wlen))
		fail_frames("the splitter's frames depend on how the stream is cut",
			    *text, *len, wtext, wlen);
	return r;
}

static void splitter_close(struct splitter *sp, bool closed, size_t size)
{
	const char *text;
	size_t len;

	if (!closed && vsw_rpc_stream_next(sp->whole, &text, &len) != VSW_RPC_NEED_MORE)
		fail("the stream fed in one piece has results the chunked one lacks",
		     NULL, NULL);
	if (vsw_rpc_stream_buffered(sp->cut) > size)
		fail("vsw_rpc_stream_buffered exceeds what was fed", NULL, NULL);
	vsw_rpc_stream_destroy(sp->cut);
	vsw_rpc_stream_destroy(sp->whole);
}

/* One loop turn of the server: every complete frame in one group. Returns
 * true when the splitter says to close the connection. */
static bool serve_turn(struct splitter *sp, struct group *g, struct rng *rng)
{
	const char *text;
	size_t len;
	bool closed = false;

	for (;;) {
		enum vsw_rpc_frame r = split_next(sp, &text, &len);

		if (r == VSW_RPC_NEED_MORE)
			break;
		if (r == VSW_RPC_FRAME) {
			serve_frame(g, rng, text, len);
			continue;
		}
		serve_refusal(g, r);
		if (r != VSW_RPC_GARBAGE) {
			closed = true;
			break;
		}
	}
	group_close(g);
	return closed;
}

static size_t chunk_len(unsigned int mode, struct rng *rng, size_t left)
{
	if (left == 0)
		return 0;
	switch (mode) {
	case 0:
		return left;
	case 1:
		return 1;
	case 2:
		return 1 + rng_next(rng) % (left < 16 ? left : 16);
	default:
		return 1 + rng_next(rng) % left;
	}
}

static void serve_stream(const uint8_t *data, size_t size)
{
	struct rng rng = rng_from_input(data, size);
	struct splitter sp;
	struct group g = { .n = 0 };
	unsigned int mode;
	size_t off = 0;
	bool closed;

	splitter_open(&sp, &rng, data, size);
	mode = rng_next(&rng) % 4;
	fz.inject = rng_next(&rng) % 4;
	if (fz.inject > INJECT_PER_FRAME)
		fz.inject = INJECT_NONE;
	fz.inject_project = rng_next(&rng) % 2 ? PROJECT_A : PROJECT_B;
	do {
		size_t n = chunk_len(mode, &rng, size - off);

		if (n && vsw_rpc_stream_feed(sp.cut, data + off, n))
			fail("vsw_rpc_stream_feed failed", NULL, NULL);
		off += n;
		closed = serve_turn(&sp, &g, &rng);
	} while (!closed && off < size);
	splitter_close(&sp, closed, size);
}

/* ---- whole-model consistency ----------------------------------------- */

static void check_references(json_t *lists[KIND_COUNT])
{
	const json_t *networks = lists[KIND_NETWORK], *ports = lists[KIND_PORT];
	const json_t *vnics = lists[KIND_VNIC], *o, *peer;
	size_t i;

	if (!networks || !ports || !vnics)
		return;
	json_array_foreach(ports, i, o) {
		const char *net = str_member(o, "network_id");
		const char *vnic = str_member(o, "vnic_id");

		if (!net || !find_by_id(networks, net))
			fail("a port's network does not exist", NULL, o);
		peer = vnic ? find_by_id(vnics, vnic) : NULL;
		if (vnic && !str_member_is(peer, "port_id", str_member(o, "id")))
			fail("a port's vnic_id has no vnic plugged back into it", peer, o);
	}
	json_array_foreach(vnics, i, o) {
		const char *port = str_member(o, "port_id");

		peer = port ? find_by_id(ports, port) : NULL;
		if (port && !str_member_is(peer, "vnic_id", str_member(o, "id")))
			fail("a vnic's port_id names a port that does not hold it", peer, o);
	}
}

/* Counts every object as admin: never above the limit, references intact. */
static void census(void)
{
	json_t *resps[KIND_COUNT], *lists[KIND_COUNT];

	fz.counts.censuses++;

	for (unsigned int k = 0; k < KIND_COUNT; k++) {
		char method[32];
		size_t n;

		snprintf(method, sizeof(method), "%s.list", kind_names[k]);
		resps[k] = admin_call(method, json_object());
		lists[k] = json_object_get(resps[k], "result");
		n = json_array_size(lists[k]);
		if (n > MAX_OBJECTS)
			fail("more objects than the configured limit", NULL, resps[k]);
		if (n >= MAX_OBJECTS)
			fz.full = true;
	}
	check_references(lists);
	for (unsigned int k = 0; k < KIND_COUNT; k++)
		json_decref(resps[k]);
}

/* ---- history of inputs, for replaying a crash that needs prior state --- */

static void history_store_used(void)
{
	uint64_t used = fz.hist.used;

	memcpy(fz.hist.map + 8, &used, sizeof(used));
}

static void history_close(bool keep)
{
	if (!fz.hist.map)
		return;
	munmap(fz.hist.map, HISTORY_CAP);
	fz.hist.map = NULL;
	close(fz.hist.fd);
	if (!keep)
		unlink(fz.hist.path);
}

/* Backs [0, size) of the mapping with the file: writing past its end
 * would raise SIGBUS. */
static bool history_resize(size_t size)
{
	size = (size + HISTORY_STEP - 1) / HISTORY_STEP * HISTORY_STEP;
	if (size == fz.hist.file_size)
		return true;
	if (ftruncate(fz.hist.fd, (off_t)size) != 0) {
		fprintf(stderr, "fuzz_rpc: input history stopped (%s: %s)\n",
			fz.hist.path, strerror(errno));
		history_close(false);
		return false;
	}
	fz.hist.file_size = size;
	return true;
}

static void history_clear(void)
{
	if (!fz.hist.map || !history_resize(HISTORY_HEADER))
		return;
	fz.hist.used = HISTORY_HEADER;
	history_store_used();
}

static bool history_fits(size_t size)
{
	return !fz.hist.map || fz.hist.used + 4 + size <= HISTORY_CAP;
}

static void history_append(const uint8_t *data, size_t size)
{
	uint32_t n = (uint32_t)size;

	if (!fz.hist.map || !history_fits(size) ||
	    !history_resize(fz.hist.used + sizeof(n) + size))
		return;
	memcpy(fz.hist.map + fz.hist.used, &n, sizeof(n));
	memcpy(fz.hist.map + fz.hist.used + sizeof(n), data, size);
	fz.hist.used += sizeof(n) + size;
	history_store_used();
}

/* Runs only on a normal exit: a crash leaves the file for replay. */
static void history_remove(void)
{
	history_close(false);
}

static void history_open(const char *prefix)
{
	struct history *h = &fz.hist;
	void *map;

	snprintf(h->path, sizeof(h->path), "%svsw-history-%d.bin", prefix, (int)getpid());
	h->fd = open(h->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (h->fd < 0 || ftruncate(h->fd, (off_t)HISTORY_STEP) != 0) {
		fprintf(stderr, "fuzz_rpc: no input history (%s: %s)\n", h->path,
			strerror(errno));
		if (h->fd >= 0) {
			close(h->fd);
			unlink(h->path);
		}
		return;
	}
	h->file_size = HISTORY_STEP;
	map = mmap(NULL, HISTORY_CAP, PROT_READ | PROT_WRITE, MAP_SHARED, h->fd, 0);
	if (map == MAP_FAILED) {
		close(h->fd);
		unlink(h->path);
		return;
	}
	h->map = map;
	memcpy(h->map, HISTORY_MAGIC, 8);
	history_clear();
	atexit(history_remove);
}

static void run_input(const uint8_t *data, size_t size);

static void replay_history(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char head[HISTORY_HEADER];
	uint64_t used;
	unsigned char *buf;
	size_t off = 0, count = 0;

	if (!f || fread(head, 1, sizeof(head), f) != sizeof(head) ||
	    memcmp(head, HISTORY_MAGIC, 8)) {
		fprintf(stderr, "fuzz_rpc: %s is not an input history\n", path);
		exit(1);
	}
	memcpy(&used, head + 8, sizeof(used));
	used -= HISTORY_HEADER;
	buf = malloc(used + 1);
	if (!buf || fread(buf, 1, used, f) != used)
		abort();
	fclose(f);
	while (off + 4 <= used) {
		uint32_t n;

		memcpy(&n, buf + off, sizeof(n));
		if (off + 4 + n > used)
			break;
		run_input(buf + off + 4, n);
		off += 4 + n;
		count++;
	}
	free(buf);
	fprintf(stderr, "fuzz_rpc: replayed %zu inputs from %s\n", count, path);
}

/* ---- libFuzzer entry points ------------------------------------------- */

static void run_input(const uint8_t *data, size_t size)
{
	bool full = fz.full && fz.inputs % CENSUS_EVERY == 0;

	if (fz.fresh || full || fz.inputs >= RESET_EVERY || !history_fits(size))
		api_recreate();
	history_append(data, size);
	fz.inputs++;
	fz.counts.inputs++;
	serve_stream(data, size);
	if (fz.inputs % CENSUS_EVERY == 0)
		census();
}

static void print_counts(void)
{
	const struct fuzz_counts *c = &fz.counts;

	fprintf(stderr, "fuzz_rpc: %lu inputs, %lu frames, %lu splitter refusals, "
		"%lu groups (%lu failed, %lu rollback checks), %lu censuses, "
		"%lu api instances\n", c->inputs, c->frames, c->refusals, c->groups,
		c->failed_groups, c->rollback_checks, c->censuses, c->recreations);
	for (size_t i = 0; i <= N_CORE_METHODS; i++)
		fprintf(stderr, "  %-16s ok %8lu  error %8lu\n",
			i < N_CORE_METHODS ? core_methods[i] : "(other)", c->ok[i], c->failed[i]);
	for (size_t i = 0; i < N_CODES; i++)
		fprintf(stderr, "  code %6lld: %lu\n", (long long)documented_codes[i], c->codes[i]);
}

static const char *flag_value(int argc, char **argv, const char *flag)
{
	size_t n = strlen(flag);

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], flag, n) == 0)
			return argv[i] + n;
	return NULL;
}

/* libFuzzer reads its flags after LLVMFuzzerInitialize: add -dict= so the
 * runner need not pass it. */
static void add_default_dict(int *argc, char ***argv)
{
	const char *path = NULL;
	char **args;
	size_t len;

	if (flag_value(*argc, *argv, "-dict=") || getenv("VSW_FUZZ_NO_DICT"))
		return;
	if (access(VSW_FUZZ_DICT, R_OK) == 0)
		path = VSW_FUZZ_DICT;
	else if (access(VSW_FUZZ_DICT_FROM_ROOT, R_OK) == 0)
		path = VSW_FUZZ_DICT_FROM_ROOT;
	if (!path)
		return;
	args = calloc((size_t)*argc + 2, sizeof(*args));
	len = strlen("-dict=") + strlen(path) + 1;
	if (!args || !(args[*argc] = malloc(len)))
		abort();
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	snprintf(args[*argc], len, "-dict=%s", path);
	fz.argv = args;
	*argv = args;
	++*argc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *prefix = flag_value(*argc, *argv, "-artifact_prefix=");
	const char *replay = getenv("VSW_FUZZ_REPLAY");

	add_default_dict(argc, argv);
	if (!getenv("VSW_FUZZ_LOG")) {
		fz.log = fopen("/dev/null", "w");
		if (fz.log)
			rte_openlog_stream(fz.log);
	}
	fz.fresh = getenv("VSW_FUZZ_FRESH") != NULL;
	fz.trace = getenv("VSW_FUZZ_TRACE") != NULL;
	if (getenv("VSW_FUZZ_STATS"))
		atexit(print_counts);
	history_open(prefix ? prefix : "");
	api_recreate();
	if (replay)
		replay_history(replay);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_input(data, size);
	return 0;
}
