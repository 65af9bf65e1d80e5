/* SPDX-License-Identifier: BSD-3-Clause */
#include "vsw_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef VSW_VERSION
#define VSW_VERSION "unknown"
#endif

#define CPU_ID_MAX 1023
#define UID_MAX_VALID 4294967294LL /* (uid_t)-1 means "no uid" */
#define CONFIG_FILE_MAX_BYTES (1024 * 1024)
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define FIELD_SIZE(f) sizeof(((struct vsw_config *)0)->f)

static const char *const log_levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};
#define LOG_LEVELS_TEXT "emerg, alert, crit, err, warning, notice, info, debug"

static int __attribute__((format(printf, 3, 4)))
fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Copies src into a buffer of size len; -ENAMETOOLONG when it does not fit. */
static int
copy_string(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dst, src, n + 1);
	return 0;
}

static bool
log_level_is_valid(const char *level)
{
	size_t i;

	for (i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcmp(level, log_levels[i]) == 0)
			return true;
	return false;
}

static void
add_admin_uid(struct vsw_config *cfg, uid_t uid)
{
	unsigned int i;

	for (i = 0; i < cfg->n_admin_uids; i++)
		if (cfg->admin_uids[i] == uid)
			return;
	if (cfg->n_admin_uids < VSW_MAX_ADMIN_UIDS)
		cfg->admin_uids[cfg->n_admin_uids++] = uid;
}

void
vsw_config_defaults(struct vsw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hugepages = false;
	cfg->memory_mb = 512;
	cfg->pci = false;

	cfg->main_cpu = 0;
	cfg->n_workers = 1;
	cfg->worker_cpus[0] = 1;
	strcpy(cfg->workers_list, "1");

	cfg->socket_mode = 0660;
	add_admin_uid(cfg, 0);
	add_admin_uid(cfg, getuid());
	strcpy(cfg->default_project, "default");
	cfg->max_clients = 4096;

	strcpy(cfg->log_level, "info");

	cfg->max_vnics = 1024;
	cfg->max_ports = 65536;
	cfg->max_networks = 4096;
	cfg->max_macs_per_network = 131072;
	cfg->burst_size = 32;
	cfg->rx_ring_size = 1024;
	cfg->tx_ring_size = 1024;
	cfg->punt_ring_size = 1024;
	cfg->mbufs = 32768;

	cfg->nat_max_conns = 65536;
	cfg->nat_tcp_established_s = 7440;  /* RFC 5382 REQ-5: at least 2 h 4 min */
	cfg->nat_tcp_transitory_s = 240;    /* RFC 5382: 4 min (2 MSL) */
	cfg->nat_udp_s = 300;               /* RFC 4787 REQ-5: at least 2 min, 5 recommended */
	cfg->nat_icmp_s = 60;               /* RFC 5508 REQ-1 */

	cfg->punt_rate = 10000;
	cfg->punt_burst = 512;

	cfg->icmp_error_rate = 1000;
	cfg->icmp_error_burst = 100;
}

/* ---- CPU lists ---- */

struct cpulist_parser {
	const char *p;
	unsigned char seen[(CPU_ID_MAX + 1) / 8];
	int *cpus;
	unsigned int max;
	unsigned int n;
	char *why;
	size_t whylen;
};

static int __attribute__((format(printf, 2, 3)))
cpulist_fail(struct cpulist_parser *cp, const char *fmt, ...)
{
	va_list ap;

	if (cp->why != NULL && cp->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(cp->why, cp->whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void
cpulist_skip_blanks(struct cpulist_parser *cp)
{
	while (*cp->p == ' ' || *cp->p == '\t')
		cp->p++;
}

static int
cpulist_number(struct cpulist_parser *cp, int *out)
{
	long v = 0;

	cpulist_skip_blanks(cp);
	if (*cp->p < '0' || *cp->p > '9') {
		if (*cp->p == '\0')
			return cpulist_fail(cp, "expected a CPU number at the end");
		return cpulist_fail(cp, "expected a CPU number at '%s'", cp->p);
	}
	while (*cp->p >= '0' && *cp->p <= '9') {
		if (v <= CPU_ID_MAX)
			v = v * 10 + (*cp->p - '0');
		cp->p++;
	}
	if (v > CPU_ID_MAX)
		return cpulist_fail(cp, "CPU ids must be 0..%d", CPU_ID_MAX);
	cpulist_skip_blanks(cp);
	*out = (int)v;
	return 0;
}

static int
cpulist_add(struct cpulist_parser *cp, int cpu)
{
	unsigned char bit = (unsigned char)(1u << (cpu % 8));

	if (cp->seen[cpu / 8] & bit)
		return cpulist_fail(cp, "CPU %d listed twice", cpu);
	if (cp->n >= cp->max)
		return cpulist_fail(cp, "more than %u CPUs", cp->max);
	cp->seen[cpu / 8] |= bit;
	cp->cpus[cp->n++] = cpu;
	return 0;
}

static int
cpulist_range(struct cpulist_parser *cp)
{
	int first, last, cpu, rc;

	rc = cpulist_number(cp, &first);
	if (rc < 0)
		return rc;
	last = first;
	if (*cp->p == '-') {
		cp->p++;
		rc = cpulist_number(cp, &last);
		if (rc < 0)
			return rc;
		if (last < first)
			return cpulist_fail(cp, "reversed range %d-%d", first, last);
	}
	for (cpu = first; cpu <= last; cpu++) {
		rc = cpulist_add(cp, cpu);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Like vsw_config_parse_cpulist(), with the reason for a rejection. */
static int
parse_cpulist(const char *list, int *cpus, unsigned int max, char *why,
	      size_t whylen)
{
	struct cpulist_parser cp = {
		.p = list, .cpus = cpus, .max = max, .why = why, .whylen = whylen,
	};
	int rc;

	cpulist_skip_blanks(&cp);
	if (*cp.p == '\0')
		return cpulist_fail(&cp, "empty CPU list");
	for (;;) {
		rc = cpulist_range(&cp);
		if (rc < 0)
			return rc;
		if (*cp.p == '\0')
			return (int)cp.n;
		if (*cp.p != ',')
			return cpulist_fail(&cp, "unexpected '%s'", cp.p);
		cp.p++;
	}
}

int
vsw_config_parse_cpulist(const char *list, int *cpus, unsigned int max)
{
	return parse_cpulist(list, cpus, max, NULL, 0);
}

/* Parses a worker list into cfg; why says what is wrong on -EINVAL. */
static int
set_workers(struct vsw_config *cfg, const char *list, char *why, size_t whylen)
{
	int cpus[VSW_MAX_WORKERS];
	int n;

	if (strlen(list) >= sizeof(cfg->workers_list)) {
		snprintf(why, whylen, "longer than %zu characters",
			 sizeof(cfg->workers_list) - 1);
		return -EINVAL;
	}
	n = parse_cpulist(list, cpus, VSW_MAX_WORKERS, why, whylen);
	if (n < 0)
		return n;
	memcpy(cfg->worker_cpus, cpus, sizeof(int) * (size_t)n);
	cfg->n_workers = (unsigned int)n;
	strcpy(cfg->workers_list, list);
	return 0;
}

/* ---- the file ---- */

struct cfg_load {
	struct vsw_config *cfg;
	const char *path;
	char *errbuf;
	size_t errlen;
};

static int __attribute__((format(printf, 4, 5)))
key_error(const struct cfg_load *ld, const config_setting_t *s,
	  const char *key, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail(ld->errbuf, ld->errlen, "%s:%u: %s: %s", ld->path,
		    (unsigned int)config_setting_source_line(s), key, why);
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}

static int
type_error(const struct cfg_load *ld, const config_setting_t *s,
	   const char *key, const char *expected)
{
	return key_error(ld, s, key, "expected %s, got %s", expected,
			 type_name(config_setting_type(s)));
}

static bool
is_integer(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

struct key_spec;
typedef int (*key_apply_fn)(const struct cfg_load *ld, const config_setting_t *s,
			    const char *key, const struct key_spec *spec);

/* One key of the file: where it lands in struct vsw_config and its bounds. */
struct key_spec {
	const char *name;
	key_apply_fn apply;
	size_t offset;
	size_t size;
	long long min, max;
	bool pow2;
	const struct key_spec *children; /* groups: ends with a NULL name */
};

static void *
field(const struct cfg_load *ld, const struct key_spec *spec)
{
	return (char *)ld->cfg + spec->offset;
}

static int
read_integer(const struct cfg_load *ld, const config_setting_t *s,
	     const char *key, const struct key_spec *spec, long long *out)
{
	long long v;

	if (!is_integer(s))
		return type_error(ld, s, key, "an integer");
	v = config_setting_get_int64(s);
	if (v < spec->min || v > spec->max)
		return key_error(ld, s, key, "must be %lld..%lld", spec->min,
				 spec->max);
	if (spec->pow2 && (v & (v - 1)) != 0)
		return key_error(ld, s, key, "must be a power of 2");
	*out = v;
	return 0;
}

static int
apply_uint(const struct cfg_load *ld, const config_setting_t *s,
	   const char *key, const struct key_spec *spec)
{
	long long v;
	int rc = read_integer(ld, s, key, spec, &v);

	if (rc == 0)
		*(unsigned int *)field(ld, spec) = (unsigned int)v;
	return rc;
}

static int
apply_int(const struct cfg_load *ld, const config_setting_t *s,
	  const char *key, const struct key_spec *spec)
{
	long long v;
	int rc = read_integer(ld, s, key, spec, &v);

	if (rc == 0)
		*(int *)field(ld, spec) = (int)v;
	return rc;
}

static int
apply_bool(const struct cfg_load *ld, const config_setting_t *s,
	   const char *key, const struct key_spec *spec)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return type_error(ld, s, key, "a boolean (true or false)");
	*(bool *)field(ld, spec) = config_setting_get_bool(s) != 0;
	return 0;
}

static int
read_string(const struct cfg_load *ld, const config_setting_t *s,
	    const char *key, size_t size, const char **out)
{
	const char *v = NULL;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return type_error(ld, s, key, "a string");
	v = config_setting_get_string(s);
	if (strlen(v) >= size)
		return key_error(ld, s, key, "longer than %zu characters",
				 size - 1);
	*out = v;
	return 0;
}

static int
apply_string(const struct cfg_load *ld, const config_setting_t *s,
	     const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	int rc = read_string(ld, s, key, spec->size, &v);

	if (rc == 0)
		strcpy(field(ld, spec), v);
	return rc;
}

static int
apply_nonempty_string(const struct cfg_load *ld, const config_setting_t *s,
		      const char *key, const struct key_spec *spec)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    config_setting_get_string(s)[0] == '\0')
		return key_error(ld, s, key, "must not be empty");
	return apply_string(ld, s, key, spec);
}

/* A file prefix names DPDK's runtime directory: keep it a plain name. */
static int
apply_file_prefix(const struct cfg_load *ld, const config_setting_t *s,
		  const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	int rc = read_string(ld, s, key, spec->size, &v);

	if (rc < 0)
		return rc;
	if (v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789-_.")] != '\0')
		return key_error(ld, s, key,
				 "may contain only letters, digits, '-', '_' and '.'");
	strcpy(field(ld, spec), v);
	return 0;
}

static int
apply_socket(const struct cfg_load *ld, const config_setting_t *s,
	     const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	int rc = read_string(ld, s, key, spec->size, &v);

	if (rc < 0)
		return rc;
	if (strlen(v) > SUN_PATH_MAX)
		return key_error(ld, s, key,
				 "longer than %zu characters (the limit of a unix socket path)",
				 SUN_PATH_MAX);
	strcpy(field(ld, spec), v);
	return 0;
}

static int
apply_log_level(const struct cfg_load *ld, const config_setting_t *s,
		const char *key, const struct key_spec *spec)
{
	const char *v = NULL;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return type_error(ld, s, key, "a string");
	v = config_setting_get_string(s);
	if (!log_level_is_valid(v))
		return key_error(ld, s, key, "must be one of " LOG_LEVELS_TEXT);
	strcpy(field(ld, spec), v); /* every valid level fits */
	return 0;
}

static int
apply_workers(const struct cfg_load *ld, const config_setting_t *s,
	      const char *key, const struct key_spec *spec)
{
	char why[128];

	(void)spec;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return type_error(ld, s, key, "a CPU list string like \"1-3,5\"");
	if (set_workers(ld->cfg, config_setting_get_string(s), why,
			sizeof(why)) < 0)
		return key_error(ld, s, key, "%s", why);
	return 0;
}

/* Parses "0660" or "660" as octal; -EINVAL unless 1..4 octal digits. */
static int
parse_octal_mode(const char *text, unsigned int *mode)
{
	size_t n = strlen(text);
	unsigned int v = 0;
	size_t i;

	if (n == 0 || n > 4 || strspn(text, "01234567") != n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v = v * 8 + (unsigned int)(text[i] - '0');
	*mode = v;
	return 0;
}

/* libconfig has no octal literals: a string is octal, an integer is as-is. */
static int
apply_socket_mode(const struct cfg_load *ld, const config_setting_t *s,
		  const char *key, const struct key_spec *spec)
{
	unsigned int mode;
	long long v;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (parse_octal_mode(config_setting_get_string(s), &mode) < 0 ||
		    mode > 0777)
			return key_error(ld, s, key,
					 "must be an octal mode string \"0000\"..\"0777\", e.g. \"0660\"");
		*(unsigned int *)field(ld, spec) = mode;
		return 0;
	}
	if (!is_integer(s))
		return type_error(ld, s, key, "an octal string like \"0660\"");
	v = config_setting_get_int64(s);
	if (v < 0 || v > 0777)
		return key_error(ld, s, key,
				 "must be 0..0777 (integers are not octal in libconfig: write \"0660\")");
	*(unsigned int *)field(ld, spec) = (unsigned int)v;
	return 0;
}

static int
apply_admin_uids(const struct cfg_load *ld, const config_setting_t *s,
		 const char *key, const struct key_spec *spec)
{
	struct vsw_config *cfg = ld->cfg;
	const config_setting_t *e;
	char elem_key[300];
	long long v;
	int i, n;

	(void)spec;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return type_error(ld, s, key, "a list of uids like [0, 1000]");
	n = config_setting_length(s);
	if (n > VSW_MAX_ADMIN_UIDS)
		return key_error(ld, s, key, "more than %d entries",
				 VSW_MAX_ADMIN_UIDS);
	cfg->n_admin_uids = 0;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		snprintf(elem_key, sizeof(elem_key), "%s[%d]", key, i);
		if (!is_integer(e))
			return type_error(ld, e, elem_key, "a non-negative integer");
		v = config_setting_get_int64(e);
		if (v < 0 || v > UID_MAX_VALID)
			return key_error(ld, e, elem_key, "must be 0..%lld",
					 UID_MAX_VALID);
		add_admin_uid(cfg, (uid_t)v);
	}
	return 0;
}

static int apply_group(const struct cfg_load *ld, const config_setting_t *s,
		       const char *key, const struct key_spec *spec);
static int apply_uplinks(const struct cfg_load *ld, const config_setting_t *s,
			 const char *key, const struct key_spec *spec);

/* apply_uint writes an unsigned int: the uint32_t fields are one. */
_Static_assert(sizeof(unsigned int) == sizeof(uint32_t), "unsigned int is 32 bits");

#define OFF(f) offsetof(struct vsw_config, f)
#define KEY_UINT(n, f, lo, hi) \
	{ .name = n, .apply = apply_uint, .offset = OFF(f), .min = lo, .max = hi }
#define KEY_RING(n, f, lo, hi) \
	{ .name = n, .apply = apply_uint, .offset = OFF(f), .min = lo, \
	  .max = hi, .pow2 = true }
#define KEY_STR(n, f, fn) \
	{ .name = n, .apply = fn, .offset = OFF(f), .size = FIELD_SIZE(f) }
#define KEY_GROUP(n, keys) { .name = n, .apply = apply_group, .children = keys }

static const struct key_spec eal_keys[] = {
	{ .name = "hugepages", .apply = apply_bool, .offset = OFF(hugepages) },
	KEY_UINT("memory_mb", memory_mb, 64, 1048576),
	{ .name = "pci", .apply = apply_bool, .offset = OFF(pci) },
	KEY_STR("file_prefix", file_prefix, apply_file_prefix),
	KEY_STR("extra_args", eal_extra, apply_string),
	{ .name = NULL },
};

static const struct key_spec cores_keys[] = {
	{ .name = "main", .apply = apply_int, .offset = OFF(main_cpu),
	  .min = 0, .max = CPU_ID_MAX },
	{ .name = "workers", .apply = apply_workers },
	{ .name = NULL },
};

static const struct key_spec api_keys[] = {
	KEY_STR("socket", socket_path, apply_socket),
	{ .name = "socket_mode", .apply = apply_socket_mode,
	  .offset = OFF(socket_mode) },
	{ .name = "admin_uids", .apply = apply_admin_uids },
	KEY_STR("default_project", default_project, apply_nonempty_string),
	KEY_UINT("max_clients", max_clients, 1, 65536),
	{ .name = NULL },
};

static const struct key_spec state_keys[] = {
	KEY_STR("db", db_path, apply_string),
	{ .name = NULL },
};

static const struct key_spec limits_keys[] = {
	KEY_UINT("max_vnics", max_vnics, 1, 65536),
	KEY_UINT("max_ports", max_ports, 1, 1048576),
	KEY_UINT("max_networks", max_networks, 1, 1048576),
	KEY_UINT("max_macs_per_network", max_macs_per_network, 16, 16777216),
	KEY_UINT("burst_size", burst_size, 1, 256),
	KEY_RING("rx_ring_size", rx_ring_size, 64, 16384),
	KEY_RING("tx_ring_size", tx_ring_size, 64, 16384),
	KEY_RING("punt_ring_size", punt_ring_size, 64, 65536),
	KEY_UINT("mbufs", mbufs, 1024, 16777216),
	{ .name = NULL },
};

static const struct key_spec nat_keys[] = {
	KEY_UINT("max_connections", nat_max_conns, 1024, 4194304),
	KEY_UINT("tcp_established_timeout", nat_tcp_established_s, 1, 86400),
	KEY_UINT("tcp_transitory_timeout", nat_tcp_transitory_s, 1, 86400),
	KEY_UINT("udp_timeout", nat_udp_s, 1, 86400),
	KEY_UINT("icmp_timeout", nat_icmp_s, 1, 86400),
	{ .name = NULL },
};

static const struct key_spec punt_keys[] = {
	KEY_UINT("rate", punt_rate, 1, 10000000),
	KEY_UINT("burst", punt_burst, 1, 65536),
	{ .name = NULL },
};

static const struct key_spec l3_keys[] = {
	KEY_UINT("icmp_error_rate", icmp_error_rate, 0, 1000000),
	KEY_UINT("icmp_error_burst", icmp_error_burst, 1, 65536),
	{ .name = NULL },
};

static const struct key_spec top_keys[] = {
	KEY_GROUP("eal", eal_keys),
	KEY_GROUP("cores", cores_keys),
	KEY_GROUP("api", api_keys),
	KEY_GROUP("state", state_keys),
	KEY_STR("run_dir", run_dir, apply_string),
	KEY_STR("log_level", log_level, apply_log_level),
	KEY_GROUP("limits", limits_keys),
	KEY_GROUP("nat", nat_keys),
	KEY_GROUP("punt", punt_keys),
	KEY_GROUP("l3", l3_keys),
	{ .name = "uplinks", .apply = apply_uplinks },
	{ .name = NULL },
};

static const struct key_spec root_spec = KEY_GROUP("", top_keys);

static int
unknown_key(const struct cfg_load *ld, const config_setting_t *s,
	    const char *key, const struct key_spec *keys)
{
	char valid[512] = "";
	size_t used = 0;
	int n;

	for (; keys->name != NULL && used < sizeof(valid); keys++) {
		n = snprintf(valid + used, sizeof(valid) - used, "%s%s",
			     used ? ", " : "", keys->name);
		used += n > 0 ? (size_t)n : 0;
	}
	return key_error(ld, s, key, "unknown key (valid here: %s)", valid);
}

static const struct key_spec *
find_key(const struct key_spec *keys, const char *name)
{
	for (; keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

/* ---- uplinks = ( { ... }, ... ) ---- */

static const char *const uplink_roles[] = { "flat", "vlan", "vxlan", NULL };

static int
apply_uplink_name(const struct cfg_load *ld, const config_setting_t *s,
		  const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	int rc = read_string(ld, s, key, spec->size, &v);

	if (rc < 0)
		return rc;
	if (v[0] == '\0' || v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_.-")] != '\0')
		return key_error(ld, s, key, "1 to 32 letters, digits, '_', '.' or '-'");
	strcpy(field(ld, spec), v);
	return 0;
}

static int
apply_uplink_role(const struct cfg_load *ld, const config_setting_t *s,
		  const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	int rc = read_string(ld, s, key, spec->size, &v);

	if (rc < 0)
		return rc;
	for (const char *const *r = uplink_roles; *r; r++) {
		if (strcmp(v, *r) == 0) {
			strcpy(field(ld, spec), v);
			return 0;
		}
	}
	return key_error(ld, s, key, "must be one of flat, vlan, vxlan");
}

static int
apply_ipv4(const struct cfg_load *ld, const config_setting_t *s,
	   const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	struct in_addr a;
	int rc = read_string(ld, s, key, spec->size, &v);

	if (rc < 0)
		return rc;
	if (inet_pton(AF_INET, v, &a) != 1)
		return key_error(ld, s, key, "expected an IPv4 address like 192.0.2.1");
	strcpy(field(ld, spec), v);
	return 0;
}

/* The shape only ("DDDD:BB:DD.F" or "BB:DD.F"); the API checks the rest. */
static int
apply_pci_address(const struct cfg_load *ld, const config_setting_t *s,
		  const char *key, const struct key_spec *spec)
{
	const char *v = NULL;
	int rc = read_string(ld, s, key, spec->size, &v);
	size_t n = v ? strlen(v) : 0;

	if (rc < 0)
		return rc;
	if ((n != 7 && n != 12) || strspn(v, "0123456789abcdefABCDEF:.") != n ||
	    v[n - 5] != ':' || v[n - 2] != '.')
		return key_error(ld, s, key, "expected a PCI address like 0000:03:00.0");
	strcpy(field(ld, spec), v);
	return 0;
}

#define UOFF(f) offsetof(struct vsw_config_uplink, f)
#define USIZE(f) sizeof(((struct vsw_config_uplink *)0)->f)
#define UKEY_STR(n, f, fn) { .name = n, .apply = fn, .offset = UOFF(f), .size = USIZE(f) }

/* Offsets relative to one struct vsw_config_uplink. */
static const struct key_spec uplink_keys[] = {
	UKEY_STR("name", name, apply_uplink_name),
	UKEY_STR("devargs", devargs, apply_nonempty_string),
	UKEY_STR("pci_address", pci_address, apply_pci_address),
	UKEY_STR("role", role, apply_uplink_role),
	UKEY_STR("local_ip", local_ip, apply_ipv4),
	UKEY_STR("gateway_ip", gateway_ip, apply_ipv4),
	{ .name = "local_prefixlen", .apply = apply_int, .offset = UOFF(local_prefixlen),
	  .min = 1, .max = 32 },
	{ .name = "mtu", .apply = apply_uint, .offset = UOFF(mtu), .min = 68, .max = 9216 },
	{ .name = "admin_state_up", .apply = apply_bool, .offset = UOFF(admin_state_up) },
	{ .name = NULL },
};

/* Rules across keys of one entry, as uplink.create has them. */
static int
check_uplink_entry(const struct cfg_load *ld, const config_setting_t *s,
		   const char *key, const struct vsw_config_uplink *u)
{
	bool vxlan = strcmp(u->role, "vxlan") == 0;

	if (u->name[0] == '\0')
		return key_error(ld, s, key, "name is required");
	if (u->role[0] == '\0')
		return key_error(ld, s, key, "role is required (flat, vlan or vxlan)");
	if ((u->devargs[0] == '\0') == (u->pci_address[0] == '\0'))
		return key_error(ld, s, key, "give exactly one of devargs and pci_address");
	if (vxlan && u->local_ip[0] == '\0')
		return key_error(ld, s, key, "a vxlan uplink needs local_ip");
	if (!vxlan && (u->local_ip[0] || u->gateway_ip[0] || u->local_prefixlen))
		return key_error(ld, s, key, "local_ip, gateway_ip and local_prefixlen "
				 "are for vxlan uplinks only");
	for (const struct vsw_config_uplink *o = ld->cfg->uplinks; o < u; o++)
		if (strcmp(o->name, u->name) == 0)
			return key_error(ld, s, key, "uplink %s is defined twice", u->name);
	return 0;
}

static int
apply_uplink_entry(const struct cfg_load *ld, const config_setting_t *s,
		   const char *key, size_t index)
{
	size_t base = offsetof(struct vsw_config, uplinks) +
		      index * sizeof(struct vsw_config_uplink);
	struct vsw_config_uplink *u = &ld->cfg->uplinks[index];
	char child_key[300];
	int rc;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return type_error(ld, s, key, "a group { name = ...; role = ...; }");
	memset(u, 0, sizeof(*u));
	u->admin_state_up = true;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *child = config_setting_get_elem(s, (unsigned int)i);
		const char *name = config_setting_name(child);
		const struct key_spec *spec = find_key(uplink_keys, name);
		struct key_spec at;

		snprintf(child_key, sizeof(child_key), "%s.%s", key, name);
		if (spec == NULL)
			return unknown_key(ld, child, child_key, uplink_keys);
		at = *spec;
		at.offset += base;
		rc = at.apply(ld, child, child_key, &at);
		if (rc < 0)
			return rc;
	}
	return check_uplink_entry(ld, s, key, u);
}

static int
apply_uplinks(const struct cfg_load *ld, const config_setting_t *s,
	      const char *key, const struct key_spec *spec)
{
	char elem_key[64];
	int n;

	(void)spec;
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return type_error(ld, s, key, "a list ( { ... }, ... )");
	n = config_setting_length(s);
	if (n > VSW_MAX_CONFIG_UPLINKS)
		return key_error(ld, s, key, "more than %d uplinks", VSW_MAX_CONFIG_UPLINKS);
	ld->cfg->n_uplinks = 0;
	for (int i = 0; i < n; i++) {
		int rc;

		snprintf(elem_key, sizeof(elem_key), "%s[%d]", key, i);
		rc = apply_uplink_entry(ld, config_setting_get_elem(s, (unsigned int)i),
					elem_key, (size_t)i);
		if (rc < 0)
			return rc;
		ld->cfg->n_uplinks = (unsigned int)i + 1;
	}
	return 0;
}


static int
apply_group(const struct cfg_load *ld, const config_setting_t *s,
	    const char *key, const struct key_spec *spec)
{
	const struct key_spec *child_spec;
	const config_setting_t *child;
	char child_key[300];
	const char *name;
	int i, rc;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return type_error(ld, s, key, "a group { ... }");
	for (i = 0; i < config_setting_length(s); i++) {
		child = config_setting_get_elem(s, (unsigned int)i);
		name = config_setting_name(child);
		snprintf(child_key, sizeof(child_key), "%s%s%s", key,
			 key[0] ? "." : "", name);
		child_spec = find_key(spec->children, name);
		if (child_spec == NULL)
			return unknown_key(ld, child, child_key, spec->children);
		rc = child_spec->apply(ld, child, child_key, child_spec);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Reads a whole (small) text file into a NUL-terminated heap buffer. */
static int
read_text_file(const char *path, char **out)
{
	struct stat st;
	size_t len = 0;
	char *buf;
	FILE *f;
	int err;

	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	err = fstat(fileno(f), &st) < 0 ? errno :
	      S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (err != 0) {
		fclose(f);
		return -err;
	}
	buf = malloc(CONFIG_FILE_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(buf, 1, CONFIG_FILE_MAX_BYTES + 1, f);
	err = ferror(f) ? EIO : (len > CONFIG_FILE_MAX_BYTES ? EFBIG : 0);
	fclose(f);
	if (err != 0) {
		free(buf);
		return -err;
	}
	buf[len] = '\0';
	*out = buf;
	return (int)len;
}

/* ---- a pre-scan of the text for what libconfig 1.5 gets silently wrong ---- */

struct text_scan {
	const struct cfg_load *ld;
	const char *p;
	unsigned int line;
};

static int __attribute__((format(printf, 3, 4)))
scan_error(const struct text_scan *ts, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail(ts->ld->errbuf, ts->ld->errlen, "%s:%u: %s: %s",
		    ts->ld->path, ts->line, key, why);
}

/* Skips up to (not over) the end of what starts at p: a comment or string. */
static void
scan_skip_until(struct text_scan *ts, const char *end)
{
	size_t n = strlen(end);

	while (*ts->p != '\0' && strncmp(ts->p, end, n) != 0) {
		if (*ts->p == '\\' && ts->p[1] != '\0' && end[0] == '"')
			ts->p++;
		if (*ts->p == '\n')
			ts->line++;
		ts->p++;
	}
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '*';
}

static bool
is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * libconfig 1.5 parses an integer without an L suffix into an int and
 * wraps whatever does not fit (5000000000 becomes 705032704); refuse those.
 */
static int
scan_number(struct text_scan *ts)
{
	const char *start = ts->p;
	bool negative = *ts->p == '-', hex;
	unsigned long long v = 0, limit;
	int base, digit;

	if (*ts->p == '-' || *ts->p == '+')
		ts->p++;
	hex = ts->p[0] == '0' && (ts->p[1] == 'x' || ts->p[1] == 'X');
	base = hex ? 16 : 10;
	if (hex)
		ts->p += 2;
	for (; hex ? is_hex_digit(*ts->p) : (*ts->p >= '0' && *ts->p <= '9');
	     ts->p++) {
		digit = *ts->p <= '9' ? *ts->p - '0' : (*ts->p | 0x20) - 'a' + 10;
		if (v <= UINT32_MAX)
			v = v * (unsigned long long)base + (unsigned long long)digit;
	}
	if (!hex && (*ts->p == '.' || *ts->p == 'e' || *ts->p == 'E')) {
		while (is_name_char(*ts->p) || *ts->p == '.' || *ts->p == '+')
			ts->p++;
		return 0; /* a float */
	}
	if (*ts->p == 'L')
		return 0;
	limit = negative ? (unsigned long long)INT32_MAX + 1 : INT32_MAX;
	if (v > limit)
		return scan_error(ts, "syntax",
				  "integer %.*s does not fit in a 32-bit int (libconfig needs an L suffix: %.*sL)",
				  (int)(ts->p - start), start,
				  (int)(ts->p - start), start);
	return 0;
}

static int
scan_text(struct text_scan *ts)
{
	int rc;

	while (*ts->p != '\0') {
		if (*ts->p == '\n') {
			ts->line++;
			ts->p++;
		} else if (*ts->p == '#' || strncmp(ts->p, "//", 2) == 0) {
			scan_skip_until(ts, "\n");
		} else if (strncmp(ts->p, "/*", 2) == 0) {
			ts->p += 2;
			scan_skip_until(ts, "*/");
			ts->p += *ts->p ? 2 : 0;
		} else if (*ts->p == '"') {
			ts->p++;
			scan_skip_until(ts, "\"");
			ts->p += *ts->p ? 1 : 0;
		} else if (strncmp(ts->p, "@include", 8) == 0) {
			return scan_error(ts, "@include", "not supported");
		} else if (is_name_char(*ts->p) &&
			   !(*ts->p >= '0' && *ts->p <= '9') && *ts->p != '-') {
			while (is_name_char(*ts->p))
				ts->p++;
		} else if ((*ts->p >= '0' && *ts->p <= '9') ||
			   ((*ts->p == '-' || *ts->p == '+') &&
			    ts->p[1] >= '0' && ts->p[1] <= '9')) {
			rc = scan_number(ts);
			if (rc < 0)
				return rc;
		} else {
			ts->p++;
		}
	}
	return 0;
}

static int
parse_text(const struct cfg_load *ld, const char *text)
{
	struct text_scan ts = { .ld = ld, .p = text, .line = 1 };
	config_t lc;
	int rc;

	rc = scan_text(&ts);
	if (rc < 0)
		return rc;
	config_init(&lc);
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		rc = fail(ld->errbuf, ld->errlen, "%s:%d: syntax: %s", ld->path,
			  config_error_line(&lc), config_error_text(&lc));
	} else {
		rc = apply_group(ld, config_root_setting(&lc), "", &root_spec);
	}
	config_destroy(&lc);
	return rc;
}

int
vsw_config_load_file(struct vsw_config *cfg, const char *path, char *errbuf,
		     size_t errlen)
{
	struct vsw_config staged = *cfg;
	struct cfg_load ld = {
		.cfg = &staged, .path = path, .errbuf = errbuf, .errlen = errlen,
	};
	char *text = NULL;
	int rc;

	rc = read_text_file(path, &text);
	if (rc < 0)
		return fail(errbuf, errlen, "%s: cannot read: %s", path,
			    strerror(-rc));
	if (memchr(text, '\0', (size_t)rc) != NULL)
		rc = fail(errbuf, errlen, "%s: cannot read: contains a NUL byte",
			  path);
	else
		rc = parse_text(&ld, text);
	free(text);
	if (rc == 0)
		*cfg = staged; /* all or nothing */
	return rc;
}

/* ---- derived values ---- */

static int
default_run_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg == NULL || xdg[0] == '\0')
		return copy_string(buf, len, "/run/vsw");
	n = snprintf(buf, len, "%s/vsw", xdg);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void
vsw_config_default_run_dir(char *buf, size_t len)
{
	if (len > 0 && default_run_dir(buf, len) < 0)
		buf[0] = '\0';
}

static uint32_t
fnv1a32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* The file prefix hashes the run dir, so it must not depend on the cwd. */
static int
make_run_dir_absolute(struct vsw_config *cfg)
{
	char cwd[PATH_MAX], abs[sizeof(cfg->run_dir)];
	size_t n;
	int w;

	if (cfg->run_dir[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -errno;
		w = snprintf(abs, sizeof(abs), "%s%s%s", cwd,
			     strcmp(cwd, "/") ? "/" : "", cfg->run_dir);
		if (w < 0 || (size_t)w >= sizeof(abs))
			return -ENAMETOOLONG;
		strcpy(cfg->run_dir, abs);
	}
	n = strlen(cfg->run_dir);
	while (n > 1 && cfg->run_dir[n - 1] == '/')
		cfg->run_dir[--n] = '\0';
	return 0;
}

static int
derive_path(char *dst, size_t len, const char *dir, const char *name)
{
	int n;

	if (dst[0] != '\0')
		return 0;
	n = snprintf(dst, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
	if (n < 0 || (size_t)n >= len) {
		dst[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

int
vsw_config_resolve(struct vsw_config *cfg, char *errbuf, size_t errlen)
{
	int rc;

	if (cfg->run_dir[0] == '\0' &&
	    default_run_dir(cfg->run_dir, sizeof(cfg->run_dir)) < 0) {
		cfg->run_dir[0] = '\0';
		return fail(errbuf, errlen,
			    "run_dir: $XDG_RUNTIME_DIR/vsw is longer than %zu characters",
			    sizeof(cfg->run_dir) - 1);
	}
	rc = make_run_dir_absolute(cfg);
	if (rc < 0)
		return fail(errbuf, errlen, "run_dir: cannot make '%s' absolute: %s",
			    cfg->run_dir, strerror(-rc));
	if (derive_path(cfg->socket_path, sizeof(cfg->socket_path), cfg->run_dir,
			"vsw.sock") < 0 || strlen(cfg->socket_path) > SUN_PATH_MAX)
		return fail(errbuf, errlen,
			    "api.socket: path longer than %zu characters (the limit of a unix socket path)",
			    SUN_PATH_MAX);
	if (derive_path(cfg->db_path, sizeof(cfg->db_path), cfg->run_dir,
			"vsw.db") < 0)
		return fail(errbuf, errlen,
			    "state.db: path longer than %zu characters",
			    sizeof(cfg->db_path) - 1);
	if (cfg->file_prefix[0] == '\0')
		snprintf(cfg->file_prefix, sizeof(cfg->file_prefix), "vsw-%08x",
			 fnv1a32(cfg->run_dir));
	return 0;
}

bool
vsw_config_uid_is_admin(const struct vsw_config *cfg, uid_t uid)
{
	unsigned int i;

	for (i = 0; i < cfg->n_admin_uids; i++)
		if (cfg->admin_uids[i] == uid)
			return true;
	return false;
}

/* ---- the command line ---- */

enum {
	OPT_SOCKET = 256,
	OPT_DB,
	OPT_RUN_DIR,
	OPT_WORKERS,
	OPT_LOG_LEVEL,
	OPT_EAL,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "db", required_argument, NULL, OPT_DB },
	{ "run-dir", required_argument, NULL, OPT_RUN_DIR },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "eal", required_argument, NULL, OPT_EAL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* '+': stop at the first operand rather than permute argv; ':': report a
 * missing argument as ':' rather than '?'. */
static const char short_options[] = "+:c:hV";

static void
print_usage(FILE *out)
{
	fprintf(out,
		"usage: vswd [-c FILE] [OPTIONS]\n"
		"\n"
		"  -c, --config FILE      libconfig file (see vsw.conf.example)\n"
		"      --socket PATH      API socket (default <run dir>/vsw.sock)\n"
		"      --db PATH          state database (default <run dir>/vsw.db)\n"
		"      --run-dir DIR      run dir (default $XDG_RUNTIME_DIR/vsw or /run/vsw)\n"
		"      --workers CPULIST  worker CPUs, e.g. 1-3,5 (default 1)\n"
		"      --log-level LEVEL  " LOG_LEVELS_TEXT " (default info)\n"
		"      --eal 'ARGS'       extra DPDK EAL arguments (may be repeated)\n"
		"  -h, --help             print this help and exit\n"
		"  -V, --version          print the version and exit\n"
		"\n"
		"Flags override the file, which overrides the built-in defaults.\n");
}

static const char *
long_option_name(int val)
{
	const struct option *o;

	for (o = long_options; o->name != NULL; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* Names the offending option of a getopt_long error; getopt prints nothing
 * itself (opterr = 0). */
static int
args_error(int rc, int argc, char **argv, char *errbuf, size_t errlen)
{
	const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "";
	int name_len = (int)strcspn(arg, "=");
	bool is_long = strncmp(arg, "--", 2) == 0;

	if (rc == ':' && is_long)
		return fail(errbuf, errlen,
			    "vswd: option '%.*s' requires an argument", name_len, arg);
	if (rc == ':')
		return fail(errbuf, errlen,
			    "vswd: option '-%c' requires an argument", optopt);
	if (optopt == 0)
		return fail(errbuf, errlen, "vswd: unknown option '%.*s'",
			    name_len, arg);
	if (strchr("hV", optopt) != NULL || optopt >= OPT_SOCKET)
		return fail(errbuf, errlen,
			    "vswd: option '--%s' doesn't allow an argument",
			    long_option_name(optopt));
	return fail(errbuf, errlen, "vswd: unknown option '-%c'", optopt);
}

struct args_scan {
	const char *config_file;
	bool help;
	bool version;
};

/* First pass: find -c wherever it is, and reject malformed command lines
 * before anything is read. */
static int
scan_args(int argc, char **argv, struct args_scan *scan, char *errbuf,
	  size_t errlen)
{
	int opt;

	opterr = 0;
	optind = 0; /* glibc: reinitialise fully, tests parse many times */
	while ((opt = getopt_long(argc, argv, short_options, long_options,
				  NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return args_error(opt, argc, argv, errbuf, errlen);
		if (opt == 'c')
			scan->config_file = optarg;
		else if (opt == 'h')
			scan->help = true;
		else if (opt == 'V')
			scan->version = true;
	}
	if (optind < argc)
		return fail(errbuf, errlen, "vswd: unexpected argument '%s'",
			    argv[optind]);
	return 0;
}

static int
append_eal(struct vsw_config *cfg, const char *extra, char *errbuf,
	   size_t errlen)
{
	size_t used = strlen(cfg->eal_extra);
	int n;

	n = snprintf(cfg->eal_extra + used, sizeof(cfg->eal_extra) - used,
		     "%s%s", used ? " " : "", extra);
	if (n < 0 || (size_t)n >= sizeof(cfg->eal_extra) - used) {
		cfg->eal_extra[used] = '\0';
		return fail(errbuf, errlen,
			    "vswd: --eal: EAL arguments longer than %zu characters",
			    sizeof(cfg->eal_extra) - 1);
	}
	return 0;
}

static int
set_path_flag(char *dst, size_t len, const char *flag, const char *value,
	      char *errbuf, size_t errlen)
{
	if (copy_string(dst, len, value) < 0)
		return fail(errbuf, errlen, "vswd: --%s: longer than %zu characters",
			    flag, len - 1);
	return 0;
}

static int
apply_flag(struct vsw_config *cfg, int opt, const char *value, char *errbuf,
	   size_t errlen)
{
	char why[128];

	switch (opt) {
	case OPT_SOCKET:
		return set_path_flag(cfg->socket_path, sizeof(cfg->socket_path),
				     "socket", value, errbuf, errlen);
	case OPT_DB:
		return set_path_flag(cfg->db_path, sizeof(cfg->db_path), "db",
				     value, errbuf, errlen);
	case OPT_RUN_DIR:
		return set_path_flag(cfg->run_dir, sizeof(cfg->run_dir),
				     "run-dir", value, errbuf, errlen);
	case OPT_WORKERS:
		if (set_workers(cfg, value, why, sizeof(why)) < 0)
			return fail(errbuf, errlen, "vswd: --workers '%s': %s",
				    value, why);
		return 0;
	case OPT_LOG_LEVEL:
		if (!log_level_is_valid(value))
			return fail(errbuf, errlen,
				    "vswd: --log-level '%s': must be one of " LOG_LEVELS_TEXT,
				    value);
		strcpy(cfg->log_level, value);
		return 0;
	case OPT_EAL:
		return append_eal(cfg, value, errbuf, errlen);
	default:
		return 0; /* -c, -h and -V were handled by the first pass */
	}
}

/* Second pass: the flags, in order, over the defaults and the file. */
static int
apply_flags(struct vsw_config *cfg, int argc, char **argv, char *errbuf,
	    size_t errlen)
{
	int opt, rc;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
				  NULL)) != -1) {
		rc = apply_flag(cfg, opt, optarg, errbuf, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
load_config_file(struct vsw_config *cfg, const char *path, char *errbuf,
		 size_t errlen)
{
	if (copy_string(cfg->config_file, sizeof(cfg->config_file), path) < 0)
		return fail(errbuf, errlen, "vswd: -c: longer than %zu characters",
			    sizeof(cfg->config_file) - 1);
	return vsw_config_load_file(cfg, path, errbuf, errlen);
}

enum vsw_config_args_result
vsw_config_from_args(struct vsw_config *cfg, int argc, char **argv,
		     char *errbuf, size_t errlen)
{
	struct args_scan scan = { .config_file = NULL };
	char why[512];

	vsw_config_defaults(cfg);
	if (scan_args(argc, argv, &scan, errbuf, errlen) < 0)
		return VSW_CONFIG_ARGS_ERROR;
	if (scan.help) {
		print_usage(stdout);
		return VSW_CONFIG_ARGS_EXIT_OK;
	}
	if (scan.version) {
		printf("vswd %s\n", VSW_VERSION);
		return VSW_CONFIG_ARGS_EXIT_OK;
	}
	if (scan.config_file != NULL &&
	    load_config_file(cfg, scan.config_file, errbuf, errlen) < 0)
		return VSW_CONFIG_ARGS_ERROR;
	if (apply_flags(cfg, argc, argv, errbuf, errlen) < 0)
		return VSW_CONFIG_ARGS_ERROR;
	if (vsw_config_resolve(cfg, why, sizeof(why)) < 0) {
		fail(errbuf, errlen, "vswd: %s", why);
		return VSW_CONFIG_ARGS_ERROR;
	}
	return VSW_CONFIG_ARGS_OK;
}
