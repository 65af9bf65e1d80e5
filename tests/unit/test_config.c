/* SPDX-License-Identifier: BSD-3-Clause */
/* config/: defaults, the libconfig file, the command line and derived paths. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vsw_config.h"

#ifndef VSW_VERSION
#define VSW_VERSION "unknown"
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char dir[64];       /* mkdtemp scratch dir */
	char path[128];     /* the config file each test writes */
	char out_path[128]; /* captured stdout */
	char *saved_xdg;    /* XDG_RUNTIME_DIR as the suite found it */
};

/* ---- helpers ---- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int
load_text(struct fixture *fx, const char *text, struct vsw_config *cfg,
	  char *err, size_t errlen)
{
	write_file(fx->path, text);
	vsw_config_defaults(cfg);
	err[0] = '\0';
	return vsw_config_load_file(cfg, fx->path, err, errlen);
}

/* The file must fail with "<path>:<suffix>", exactly or as a prefix. */
static void
check_load_error(struct fixture *fx, const char *text, const char *suffix,
		 bool prefix_only)
{
	struct vsw_config cfg;
	char err[1024], expected[1024];
	int rc;

	rc = load_text(fx, text, &cfg, err, sizeof(err));
	snprintf(expected, sizeof(expected), "%s:%s", fx->path, suffix);
	if (rc != -EINVAL || (prefix_only ?
			      strncmp(err, expected, strlen(expected)) != 0 :
			      strcmp(err, expected) != 0))
		fail_msg("file:\n%s\nrc %d, got '%s'\nexpected %s'%s'", text, rc,
			 err, prefix_only ? "a prefix " : "", expected);
}

#define assert_load_error(fx, text, suffix) \
	check_load_error(fx, text, suffix, false)
#define assert_load_error_prefix(fx, text, suffix) \
	check_load_error(fx, text, suffix, true)

static void
assert_load_ok(struct fixture *fx, const char *text, struct vsw_config *cfg)
{
	char err[1024];

	if (load_text(fx, text, cfg, err, sizeof(err)) != 0)
		fail_msg("file:\n%s\nunexpected error '%s'", text, err);
}

static char *
repeat_char(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* argv as the daemon gets it: "vswd" and then the words. */
static enum vsw_config_args_result
parse_args(struct vsw_config *cfg, char *err, size_t errlen, ...)
{
	char *argv[32];
	int argc = 0;
	const char *word;
	va_list ap;

	argv[argc++] = (char *)"vswd";
	va_start(ap, errlen);
	while ((word = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = (char *)word;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return vsw_config_from_args(cfg, argc, argv, err, errlen);
}

#define ARGS(...) parse_args(&cfg, err, sizeof(err), __VA_ARGS__, (char *)NULL)
#define NO_ARGS() parse_args(&cfg, err, sizeof(err), (char *)NULL)

static void
assert_args_error(struct vsw_config *cfg, char *err, const char *expected,
		  enum vsw_config_args_result rc)
{
	(void)cfg;
	assert_int_equal(rc, VSW_CONFIG_ARGS_ERROR);
	assert_string_equal(err, expected);
}

static void
assert_config_equal(const struct vsw_config *a, const struct vsw_config *b)
{
	assert_int_equal(a->hugepages, b->hugepages);
	assert_int_equal(a->memory_mb, b->memory_mb);
	assert_int_equal(a->pci, b->pci);
	assert_string_equal(a->file_prefix, b->file_prefix);
	assert_string_equal(a->eal_extra, b->eal_extra);
	assert_int_equal(a->main_cpu, b->main_cpu);
	assert_int_equal(a->n_workers, b->n_workers);
	assert_memory_equal(a->worker_cpus, b->worker_cpus,
			    a->n_workers * sizeof(int));
	assert_string_equal(a->workers_list, b->workers_list);
	assert_string_equal(a->socket_path, b->socket_path);
	assert_int_equal(a->socket_mode, b->socket_mode);
	assert_int_equal(a->n_admin_uids, b->n_admin_uids);
	assert_memory_equal(a->admin_uids, b->admin_uids,
			    a->n_admin_uids * sizeof(uid_t));
	assert_string_equal(a->default_project, b->default_project);
	assert_int_equal(a->max_clients, b->max_clients);
	assert_string_equal(a->db_path, b->db_path);
	assert_string_equal(a->run_dir, b->run_dir);
	assert_string_equal(a->log_level, b->log_level);
	assert_int_equal(a->max_vnics, b->max_vnics);
	assert_int_equal(a->max_ports, b->max_ports);
	assert_int_equal(a->max_networks, b->max_networks);
	assert_int_equal(a->max_macs_per_network, b->max_macs_per_network);
	assert_int_equal(a->burst_size, b->burst_size);
	assert_int_equal(a->rx_ring_size, b->rx_ring_size);
	assert_int_equal(a->tx_ring_size, b->tx_ring_size);
	assert_int_equal(a->punt_ring_size, b->punt_ring_size);
	assert_int_equal(a->mbufs, b->mbufs);
	assert_int_equal(a->nat_max_conns, b->nat_max_conns);
	assert_int_equal(a->nat_tcp_established_s, b->nat_tcp_established_s);
	assert_int_equal(a->nat_tcp_transitory_s, b->nat_tcp_transitory_s);
	assert_int_equal(a->nat_udp_s, b->nat_udp_s);
	assert_int_equal(a->nat_icmp_s, b->nat_icmp_s);
	assert_int_equal(a->punt_rate, b->punt_rate);
	assert_int_equal(a->punt_burst, b->punt_burst);
	assert_int_equal(a->icmp_error_rate, b->icmp_error_rate);
	assert_int_equal(a->icmp_error_burst, b->icmp_error_burst);
	assert_string_equal(a->config_file, b->config_file);
}

/* Runs fn with stdout going to a file and returns what it printed. */
static enum vsw_config_args_result
capture_stdout(struct fixture *fx, struct vsw_config *cfg, char *err,
	       size_t errlen, char *out, size_t outlen, const char *arg)
{
	enum vsw_config_args_result rc;
	char *argv[] = { (char *)"vswd", (char *)arg, NULL };
	int saved, fd;
	ssize_t n;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(fx->out_path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	rc = vsw_config_from_args(cfg, 2, argv, err, errlen);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = pread(fd, out, outlen - 1, 0);
	close(fd);
	assert_true(n >= 0);
	out[n] = '\0';
	return rc;
}

static void
set_xdg(const char *value)
{
	if (value == NULL)
		unsetenv("XDG_RUNTIME_DIR");
	else
		setenv("XDG_RUNTIME_DIR", value, 1);
}

/* ---- suite setup ---- */

static int
suite_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (fx == NULL)
		return -1;
	strcpy(fx->dir, "/tmp/vsw-test-config-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/vsw.conf", fx->dir);
	snprintf(fx->out_path, sizeof(fx->out_path), "%s/stdout", fx->dir);
	fx->saved_xdg = xdg ? strdup(xdg) : NULL;
	*state = fx;
	return 0;
}

static int
suite_teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->path);
	unlink(fx->out_path);
	rmdir(fx->dir);
	set_xdg(fx->saved_xdg);
	free(fx->saved_xdg);
	free(fx);
	return 0;
}

/* ---- defaults ---- */

static void
test_defaults(void **state)
{
	struct vsw_config cfg;

	(void)state;
	memset(&cfg, 0xa5, sizeof(cfg));
	vsw_config_defaults(&cfg);
	assert_false(cfg.hugepages);
	assert_int_equal(cfg.memory_mb, 512);
	assert_false(cfg.pci);
	assert_string_equal(cfg.file_prefix, "");
	assert_string_equal(cfg.eal_extra, "");
	assert_int_equal(cfg.main_cpu, 0);
	assert_int_equal(cfg.n_workers, 1);
	assert_int_equal(cfg.worker_cpus[0], 1);
	assert_string_equal(cfg.workers_list, "1");
	assert_string_equal(cfg.socket_path, "");
	assert_int_equal(cfg.socket_mode, 0660);
	assert_int_equal(cfg.admin_uids[0], 0);
	if (getuid() == 0) {
		assert_int_equal(cfg.n_admin_uids, 1);
	} else {
		assert_int_equal(cfg.n_admin_uids, 2);
		assert_int_equal(cfg.admin_uids[1], getuid());
	}
	assert_string_equal(cfg.default_project, "default");
	assert_int_equal(cfg.max_clients, 4096);
	assert_string_equal(cfg.db_path, "");
	assert_string_equal(cfg.run_dir, "");
	assert_string_equal(cfg.log_level, "info");
	assert_int_equal(cfg.max_vnics, 1024);
	assert_int_equal(cfg.max_ports, 65536);
	assert_int_equal(cfg.max_networks, 4096);
	assert_int_equal(cfg.max_macs_per_network, 131072);
	assert_int_equal(cfg.burst_size, 32);
	assert_int_equal(cfg.rx_ring_size, 1024);
	assert_int_equal(cfg.tx_ring_size, 1024);
	assert_int_equal(cfg.punt_ring_size, 1024);
	assert_int_equal(cfg.mbufs, 32768);
	assert_int_equal(cfg.nat_max_conns, 65536);
	assert_int_equal(cfg.nat_tcp_established_s, 7440);
	assert_int_equal(cfg.nat_tcp_transitory_s, 240);
	assert_int_equal(cfg.nat_udp_s, 300);
	assert_int_equal(cfg.nat_icmp_s, 60);
	assert_int_equal(cfg.punt_rate, 10000);
	assert_int_equal(cfg.punt_burst, 512);
	assert_int_equal(cfg.icmp_error_rate, 1000);
	assert_int_equal(cfg.icmp_error_burst, 100);
	assert_string_equal(cfg.config_file, "");
}

/* ---- the file ---- */

static const char every_key_conf[] =
	"# every key, none at its default\n"
	"run_dir = \"/tmp/vsw-every\";\n"
	"log_level = \"debug\";\n"
	"eal = {\n"
	"  hugepages = true;\n"
	"  memory_mb = 2048;\n"
	"  pci = true;\n"
	"  file_prefix = \"vsw-test_1.a\";\n"
	"  extra_args = \"--vdev=net_null0 --vdev=net_null1\";\n"
	"};\n"
	"cores = { main = 2; workers = \"4-6, 9\"; };\n"
	"api = {\n"
	"  socket = \"/tmp/vsw-every/api.sock\";\n"
	"  socket_mode = \"0640\";\n"
	"  admin_uids = (0, 1000, 1000, 3000000000L);\n"
	"  default_project = \"tenant-a\";\n"
	"  max_clients = 16;\n"
	"};\n"
	"state = { db = \"/var/lib/vsw/state.db\"; };\n"
	"limits = {\n"
	"  max_vnics = 7;\n"
	"  max_ports = 70000;\n"
	"  max_networks = 12;\n"
	"  max_macs_per_network = 16777216;\n"
	"  burst_size = 64;\n"
	"  rx_ring_size = 4096;\n"
	"  tx_ring_size = 512;\n"
	"  punt_ring_size = 65536;\n"
	"  mbufs = 0x100000;\n"
	"};\n"
	"nat = {\n"
	"  max_connections = 4194304;\n"
	"  tcp_established_timeout = 86400;\n"
	"  tcp_transitory_timeout = 30;\n"
	"  udp_timeout = 1;\n"
	"  icmp_timeout = 10;\n"
	"};\n"
	"punt = { rate = 10000000; burst = 65536; };\n"
	"l3 = { icmp_error_rate = 0; icmp_error_burst = 1; };\n";

static void
test_load_every_key(void **state)
{
	struct vsw_config cfg;

	assert_load_ok(*state, every_key_conf, &cfg);
	assert_true(cfg.hugepages);
	assert_int_equal(cfg.memory_mb, 2048);
	assert_true(cfg.pci);
	assert_string_equal(cfg.file_prefix, "vsw-test_1.a");
	assert_string_equal(cfg.eal_extra, "--vdev=net_null0 --vdev=net_null1");
	assert_int_equal(cfg.main_cpu, 2);
	assert_int_equal(cfg.n_workers, 4);
	assert_int_equal(cfg.worker_cpus[0], 4);
	assert_int_equal(cfg.worker_cpus[1], 5);
	assert_int_equal(cfg.worker_cpus[2], 6);
	assert_int_equal(cfg.worker_cpus[3], 9);
	assert_string_equal(cfg.workers_list, "4-6, 9");
	assert_string_equal(cfg.socket_path, "/tmp/vsw-every/api.sock");
	assert_int_equal(cfg.socket_mode, 0640);
	assert_int_equal(cfg.n_admin_uids, 3); /* duplicates dropped */
	assert_int_equal(cfg.admin_uids[0], 0);
	assert_int_equal(cfg.admin_uids[1], 1000);
	assert_int_equal(cfg.admin_uids[2], 3000000000u);
	assert_string_equal(cfg.default_project, "tenant-a");
	assert_int_equal(cfg.max_clients, 16);
	assert_string_equal(cfg.db_path, "/var/lib/vsw/state.db");
	assert_string_equal(cfg.run_dir, "/tmp/vsw-every");
	assert_string_equal(cfg.log_level, "debug");
	assert_int_equal(cfg.max_vnics, 7);
	assert_int_equal(cfg.max_ports, 70000);
	assert_int_equal(cfg.max_networks, 12);
	assert_int_equal(cfg.max_macs_per_network, 16777216);
	assert_int_equal(cfg.burst_size, 64);
	assert_int_equal(cfg.rx_ring_size, 4096);
	assert_int_equal(cfg.tx_ring_size, 512);
	assert_int_equal(cfg.punt_ring_size, 65536);
	assert_int_equal(cfg.mbufs, 0x100000);
	assert_int_equal(cfg.nat_max_conns, 4194304);
	assert_int_equal(cfg.nat_tcp_established_s, 86400);
	assert_int_equal(cfg.nat_tcp_transitory_s, 30);
	assert_int_equal(cfg.nat_udp_s, 1);
	assert_int_equal(cfg.nat_icmp_s, 10);
	assert_int_equal(cfg.punt_rate, 10000000);
	assert_int_equal(cfg.punt_burst, 65536);
	assert_int_equal(cfg.icmp_error_rate, 0);
	assert_int_equal(cfg.icmp_error_burst, 1);
	assert_string_equal(cfg.config_file, ""); /* only -c sets it */
}

static void
test_load_empty_and_partial(void **state)
{
	struct vsw_config cfg, defaults;

	vsw_config_defaults(&defaults);
	assert_load_ok(*state, "", &cfg);
	assert_config_equal(&cfg, &defaults);
	assert_load_ok(*state, "# nothing but comments\n/* here */\n", &cfg);
	assert_config_equal(&cfg, &defaults);

	/* a group may be empty, and keys left out keep their value */
	assert_load_ok(*state, "eal = { };\nlimits = { burst_size = 8; };\n",
		       &cfg);
	defaults.burst_size = 8;
	assert_config_equal(&cfg, &defaults);
}

static void
test_load_socket_mode_forms(void **state)
{
	struct vsw_config cfg;

	assert_load_ok(*state, "api = { socket_mode = \"600\"; };", &cfg);
	assert_int_equal(cfg.socket_mode, 0600);
	assert_load_ok(*state, "api = { socket_mode = \"0777\"; };", &cfg);
	assert_int_equal(cfg.socket_mode, 0777);
	assert_load_ok(*state, "api = { socket_mode = 0x1b0; };", &cfg);
	assert_int_equal(cfg.socket_mode, 0660);
	assert_load_ok(*state, "api = { socket_mode = 416; };", &cfg);
	assert_int_equal(cfg.socket_mode, 0640);
	assert_load_ok(*state, "api = { socket_mode = 0; };", &cfg);
	assert_int_equal(cfg.socket_mode, 0);
}

static void
test_load_admin_uids(void **state)
{
	struct vsw_config cfg;
	char text[512];
	size_t off;
	int i;

	/* the file's list replaces the default one */
	assert_load_ok(*state, "api = { admin_uids = (1000); };", &cfg);
	assert_int_equal(cfg.n_admin_uids, 1);
	assert_int_equal(cfg.admin_uids[0], 1000);
	assert_false(vsw_config_uid_is_admin(&cfg, 0));
	assert_true(vsw_config_uid_is_admin(&cfg, 1000));

	assert_load_ok(*state, "api = { admin_uids = []; };", &cfg);
	assert_int_equal(cfg.n_admin_uids, 0);
	assert_false(vsw_config_uid_is_admin(&cfg, 0));

	off = (size_t)snprintf(text, sizeof(text), "api = { admin_uids = [");
	for (i = 0; i < VSW_MAX_ADMIN_UIDS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%d",
					i ? ", " : "", i + 100);
	snprintf(text + off, sizeof(text) - off, "]; };");
	assert_load_ok(*state, text, &cfg);
	assert_int_equal(cfg.n_admin_uids, VSW_MAX_ADMIN_UIDS);
	assert_int_equal(cfg.admin_uids[VSW_MAX_ADMIN_UIDS - 1],
			 VSW_MAX_ADMIN_UIDS - 1 + 100);
}

static void
test_load_unknown_keys(void **state)
{
	assert_load_error(*state, "foo = 1;\n",
			  "1: foo: unknown key (valid here: eal, cores, api, "
			  "state, run_dir, log_level, limits, nat, punt, l3, uplinks)");
	assert_load_error_prefix(*state, "limits = {\n  burst = 3;\n};\n",
				 "2: limits.burst: unknown key (valid here: "
				 "max_vnics, ");
	assert_load_error_prefix(*state,
				 "run_dir = \"/x\";\n\nbogus = {\n a = 1;\n};\n",
				 "3: bogus: unknown key");
	assert_load_error_prefix(*state, "api = { sockett = \"x\"; };",
				 "1: api.sockett: unknown key");
	/* names are case-sensitive */
	assert_load_error_prefix(*state, "Log_Level = \"info\";",
				 "1: Log_Level: unknown key");
}

static void
test_load_wrong_types(void **state)
{
	struct fixture *fx = *state;

	assert_load_error(fx, "eal = { hugepages = 1; };",
			  "1: eal.hugepages: expected a boolean (true or false), "
			  "got an integer");
	assert_load_error(fx, "eal = { pci = \"yes\"; };",
			  "1: eal.pci: expected a boolean (true or false), "
			  "got a string");
	assert_load_error(fx, "limits = { mbufs = \"many\"; };",
			  "1: limits.mbufs: expected an integer, got a string");
	assert_load_error(fx, "limits = {\nburst_size = 32.0;\n};",
			  "2: limits.burst_size: expected an integer, got a float");
	assert_load_error(fx, "cores = { main = true; };",
			  "1: cores.main: expected an integer, got a boolean");
	assert_load_error(fx, "log_level = 3;",
			  "1: log_level: expected a string, got an integer");
	assert_load_error(fx, "run_dir = { };",
			  "1: run_dir: expected a string, got a group");
	assert_load_error(fx, "state = { db = [\"a\"]; };",
			  "1: state.db: expected a string, got an array");
	assert_load_error(fx, "eal = 5;",
			  "1: eal: expected a group { ... }, got an integer");
	assert_load_error(fx, "limits = (1, 2);",
			  "1: limits: expected a group { ... }, got a list");
	assert_load_error(fx, "cores = { workers = 3; };",
			  "1: cores.workers: expected a CPU list string like "
			  "\"1-3,5\", got an integer");
	assert_load_error(fx, "api = { socket_mode = true; };",
			  "1: api.socket_mode: expected an octal string like "
			  "\"0660\", got a boolean");
	assert_load_error(fx, "api = { admin_uids = 0; };",
			  "1: api.admin_uids: expected a list of uids like "
			  "[0, 1000], got an integer");
	assert_load_error(fx, "api = {\n admin_uids = (0,\n \"root\"); };",
			  "3: api.admin_uids[1]: expected a non-negative integer, "
			  "got a string");
}

static void
test_load_out_of_range(void **state)
{
	struct fixture *fx = *state;

	assert_load_error(fx, "eal = { memory_mb = 63; };",
			  "1: eal.memory_mb: must be 64..1048576");
	assert_load_error(fx, "eal = { memory_mb = 1048577; };",
			  "1: eal.memory_mb: must be 64..1048576");
	assert_load_error(fx, "api = { max_clients = 0; };",
			  "1: api.max_clients: must be 1..65536");
	assert_load_error(fx, "api = { max_clients = 65537; };",
			  "1: api.max_clients: must be 1..65536");
	assert_load_error(fx, "limits = { burst_size = 0; };",
			  "1: limits.burst_size: must be 1..256");
	assert_load_error(fx, "limits = { burst_size = 257; };",
			  "1: limits.burst_size: must be 1..256");
	assert_load_error(fx, "limits = { max_vnics = 65537; };",
			  "1: limits.max_vnics: must be 1..65536");
	assert_load_error(fx, "limits = { max_ports = 0; };",
			  "1: limits.max_ports: must be 1..1048576");
	assert_load_error(fx, "limits = { max_networks = 1048577; };",
			  "1: limits.max_networks: must be 1..1048576");
	assert_load_error(fx, "limits = { max_macs_per_network = 15; };",
			  "1: limits.max_macs_per_network: must be 16..16777216");
	assert_load_error(fx, "limits = { mbufs = 1023; };",
			  "1: limits.mbufs: must be 1024..16777216");
	assert_load_error(fx, "limits = { mbufs = -5; };",
			  "1: limits.mbufs: must be 1024..16777216");
	assert_load_error(fx, "limits = { mbufs = 5000000000L; };",
			  "1: limits.mbufs: must be 1024..16777216");
	assert_load_error(fx, "cores = { main = -1; };",
			  "1: cores.main: must be 0..1023");
	assert_load_error(fx, "cores = { main = 1024; };",
			  "1: cores.main: must be 0..1023");
	assert_load_error(fx, "api = { admin_uids = [0, -1]; };",
			  "1: api.admin_uids[1]: must be 0..4294967294");
	assert_load_error(fx, "api = { admin_uids = [4294967295L]; };",
			  "1: api.admin_uids[0]: must be 0..4294967294");
}

static void
test_load_admin_uids_too_many(void **state)
{
	char text[512];
	size_t off;
	int i;

	off = (size_t)snprintf(text, sizeof(text), "api = {\nadmin_uids = [");
	for (i = 0; i <= VSW_MAX_ADMIN_UIDS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%d",
					i ? ", " : "", i);
	snprintf(text + off, sizeof(text) - off, "]; };");
	assert_load_error(*state, text,
			  "2: api.admin_uids: more than 32 entries");
}

static void
test_load_rings(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;

	assert_load_error(fx, "limits = { rx_ring_size = 1000; };",
			  "1: limits.rx_ring_size: must be a power of 2");
	assert_load_error(fx, "limits = { tx_ring_size = 768; };",
			  "1: limits.tx_ring_size: must be a power of 2");
	assert_load_error(fx, "limits = { punt_ring_size = 1025; };",
			  "1: limits.punt_ring_size: must be a power of 2");
	assert_load_error(fx, "limits = { rx_ring_size = 32; };",
			  "1: limits.rx_ring_size: must be 64..16384");
	assert_load_error(fx, "limits = { tx_ring_size = 32768; };",
			  "1: limits.tx_ring_size: must be 64..16384");
	assert_load_error(fx, "limits = { punt_ring_size = 131072; };",
			  "1: limits.punt_ring_size: must be 64..65536");
	assert_load_ok(fx, "limits = { rx_ring_size = 64; tx_ring_size = 16384; "
		       "punt_ring_size = 64; };", &cfg);
	assert_int_equal(cfg.rx_ring_size, 64);
	assert_int_equal(cfg.tx_ring_size, 16384);
	assert_int_equal(cfg.punt_ring_size, 64);
}

static void
test_load_socket_mode_errors(void **state)
{
	struct fixture *fx = *state;

	assert_load_error(fx, "api = { socket_mode = 660; };",
			  "1: api.socket_mode: must be 0..0777 (integers are not "
			  "octal in libconfig: write \"0660\")");
	assert_load_error(fx, "api = { socket_mode = -1; };",
			  "1: api.socket_mode: must be 0..0777 (integers are not "
			  "octal in libconfig: write \"0660\")");
	assert_load_error(fx, "api = { socket_mode = \"0800\"; };",
			  "1: api.socket_mode: must be an octal mode string "
			  "\"0000\"..\"0777\", e.g. \"0660\"");
	assert_load_error_prefix(fx, "api = { socket_mode = \"1777\"; };",
				 "1: api.socket_mode: must be an octal mode string");
	assert_load_error_prefix(fx, "api = { socket_mode = \"\"; };",
				 "1: api.socket_mode: must be an octal mode string");
	assert_load_error_prefix(fx, "api = { socket_mode = \"rw-rw----\"; };",
				 "1: api.socket_mode: must be an octal mode string");
}

static void
test_load_bad_cpulists(void **state)
{
	static const struct {
		const char *list;
		const char *reason;
	} cases[] = {
		{ "", "empty CPU list" },
		{ "  ", "empty CPU list" },
		{ "3-1", "reversed range 3-1" },
		{ "1,1", "CPU 1 listed twice" },
		{ "1-3,2", "CPU 2 listed twice" },
		{ "-1", "expected a CPU number at '-1'" },
		{ "1,-2", "expected a CPU number at '-2'" },
		{ "1024", "CPU ids must be 0..1023" },
		{ "1020-1030", "CPU ids must be 0..1023" },
		{ "99999999999999999999", "CPU ids must be 0..1023" },
		{ "0-64", "more than 64 CPUs" },
		{ "1 2", "unexpected '2'" },
		{ "1,", "expected a CPU number at the end" },
		{ "1-", "expected a CPU number at the end" },
		{ ",1", "expected a CPU number at ',1'" },
		{ "a", "expected a CPU number at 'a'" },
		{ "1;2", "unexpected ';2'" },
	};
	char text[256], suffix[256];
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(text, sizeof(text), "cores = {\n workers = \"%s\";\n};",
			 cases[i].list);
		snprintf(suffix, sizeof(suffix), "2: cores.workers: %s",
			 cases[i].reason);
		assert_load_error(*state, text, suffix);
	}
}

static void
test_load_bad_strings(void **state)
{
	struct fixture *fx = *state;
	char *text, *long_value;

	assert_load_error(fx, "log_level = \"loud\";",
			  "1: log_level: must be one of emerg, alert, crit, err, "
			  "warning, notice, info, debug");
	assert_load_error(fx, "log_level = \"INFO\";",
			  "1: log_level: must be one of emerg, alert, crit, err, "
			  "warning, notice, info, debug");
	assert_load_error(fx, "eal = { file_prefix = \"a/b\"; };",
			  "1: eal.file_prefix: may contain only letters, digits, "
			  "'-', '_' and '.'");
	assert_load_error(fx, "api = { default_project = \"\"; };",
			  "1: api.default_project: must not be empty");

	text = malloc(4096);
	assert_non_null(text);

	long_value = repeat_char('p', 64);
	snprintf(text, 4096, "api = { default_project = \"%s\"; };", long_value);
	assert_load_error(fx, text,
			  "1: api.default_project: longer than 63 characters");
	free(long_value);

	long_value = repeat_char('d', 256);
	snprintf(text, 4096, "run_dir = \"/%s\";", long_value);
	assert_load_error(fx, text, "1: run_dir: longer than 255 characters");
	snprintf(text, 4096, "state = { db = \"/%s\"; };", long_value);
	assert_load_error(fx, text, "1: state.db: longer than 255 characters");
	free(long_value);

	long_value = repeat_char('s', 108);
	snprintf(text, 4096, "api = { socket = \"%s\"; };", long_value);
	assert_load_error(fx, text,
			  "1: api.socket: longer than 107 characters (the limit "
			  "of a unix socket path)");
	free(long_value);

	long_value = repeat_char('e', 1024);
	snprintf(text, 4096, "eal = { extra_args = \"%s\"; };", long_value);
	assert_load_error(fx, text,
			  "1: eal.extra_args: longer than 1023 characters");
	free(long_value);

	long_value = repeat_char('f', 64);
	snprintf(text, 4096, "eal = { file_prefix = \"%s\"; };", long_value);
	assert_load_error(fx, text,
			  "1: eal.file_prefix: longer than 63 characters");
	free(long_value);

	long_value = repeat_char('1', 128);
	snprintf(text, 4096, "cores = { workers = \"%s\"; };", long_value);
	assert_load_error(fx, text,
			  "1: cores.workers: longer than 127 characters");
	free(long_value);
	free(text);
}

static void
test_load_longest_strings_fit(void **state)
{
	struct vsw_config cfg;
	char *text = malloc(4096), *v;

	assert_non_null(text);
	v = repeat_char('p', 63);
	snprintf(text, 4096, "api = { default_project = \"%s\"; };\n"
		 "eal = { file_prefix = \"%s\"; };", v, v);
	assert_load_ok(*state, text, &cfg);
	assert_string_equal(cfg.default_project, v);
	assert_string_equal(cfg.file_prefix, v);
	free(v);
	v = repeat_char('s', 107);
	snprintf(text, 4096, "api = { socket = \"%s\"; };", v);
	assert_load_ok(*state, text, &cfg);
	assert_string_equal(cfg.socket_path, v);
	free(v);
	free(text);
}

static void
test_load_syntax_errors(void **state)
{
	struct fixture *fx = *state;

	assert_load_error(fx, "run_dir = \"/x\";\nlog_level = ;\n",
			  "2: syntax: syntax error");
	assert_load_error(fx, "limits = {\n burst_size = 1;\n burst_size = 2;\n};\n",
			  "3: syntax: duplicate setting name");
	assert_load_error(fx, "\n\n\neal = {\n", "5: syntax: syntax error");
	assert_load_error(fx, "@include \"other.conf\"\n",
			  "1: @include: not supported");
}

/* libconfig 1.5 would wrap these into an int that may look valid. */
static void
test_load_wrapping_integers(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;

	assert_load_error(fx, "limits = {\n mbufs = 4294968320;\n};",
			  "2: syntax: integer 4294968320 does not fit in a 32-bit "
			  "int (libconfig needs an L suffix: 4294968320L)");
	assert_load_error(fx, "api = { admin_uids = [4294968296]; };",
			  "1: syntax: integer 4294968296 does not fit in a 32-bit "
			  "int (libconfig needs an L suffix: 4294968296L)");
	assert_load_error_prefix(fx, "limits = { mbufs = 0x100000400; };",
				 "1: syntax: integer 0x100000400 does not fit");
	assert_load_error_prefix(fx, "limits = { mbufs = -99999999999; };",
				 "1: syntax: integer -99999999999 does not fit");
	/* big numbers in strings, comments, names and floats are no integers */
	assert_load_ok(fx, "# 99999999999\n// 99999999999\n/* 99999999999 */\n"
		       "run_dir = \"/tmp/99999999999\";\n"
		       "eal = { extra_args = \"a\\\" 99999999999\"; };\n",
		       &cfg);
	assert_string_equal(cfg.run_dir, "/tmp/99999999999");
	assert_string_equal(cfg.eal_extra, "a\" 99999999999");
	assert_load_error(fx, "limits = { mbufs = 99999999999.0; };",
			  "1: limits.mbufs: expected an integer, got a float");
	assert_load_ok(fx, "api = { admin_uids = [2147483647]; };", &cfg);
	assert_int_equal(cfg.admin_uids[0], 2147483647);
	assert_load_error(fx, "limits = { mbufs = 2147483648; };",
			  "1: syntax: integer 2147483648 does not fit in a 32-bit "
			  "int (libconfig needs an L suffix: 2147483648L)");
	assert_load_error(fx, "limits = { mbufs = -2147483648; };",
			  "1: limits.mbufs: must be 1024..16777216");
}

static void
test_load_unreadable(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char path[160], err[512], expected[512];

	vsw_config_defaults(&cfg);
	snprintf(path, sizeof(path), "%s/missing.conf", fx->dir);
	assert_int_equal(vsw_config_load_file(&cfg, path, err, sizeof(err)),
			 -EINVAL);
	snprintf(expected, sizeof(expected),
		 "%s: cannot read: No such file or directory", path);
	assert_string_equal(err, expected);

	assert_int_equal(vsw_config_load_file(&cfg, fx->dir, err, sizeof(err)),
			 -EINVAL);
	snprintf(expected, sizeof(expected), "%s: cannot read: Is a directory",
		 fx->dir);
	assert_string_equal(err, expected);
}

static void
test_load_failure_changes_nothing(void **state)
{
	struct vsw_config cfg, defaults;
	char err[512];

	vsw_config_defaults(&defaults);
	assert_int_equal(load_text(*state,
				   "log_level = \"debug\";\n"
				   "cores = { workers = \"2-5\"; };\n"
				   "limits = { mbufs = 1; };\n",
				   &cfg, err, sizeof(err)), -EINVAL);
	assert_config_equal(&cfg, &defaults);
}

static void
test_load_small_errbuf(void **state)
{
	struct vsw_config cfg;
	char err[8];

	assert_int_equal(load_text(*state, "foo = 1;", &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	vsw_config_defaults(&cfg);
	assert_int_equal(vsw_config_load_file(&cfg, "/nonexistent/x", NULL, 0),
			 -EINVAL);
}

/* ---- CPU lists ---- */

static void
test_parse_cpulist(void **state)
{
	int cpus[VSW_MAX_WORKERS];

	(void)state;
	assert_int_equal(vsw_config_parse_cpulist("1", cpus, 64), 1);
	assert_int_equal(cpus[0], 1);
	assert_int_equal(vsw_config_parse_cpulist("1-3", cpus, 64), 3);
	assert_int_equal(cpus[0], 1);
	assert_int_equal(cpus[2], 3);
	assert_int_equal(vsw_config_parse_cpulist("1-3,5,7-8", cpus, 64), 6);
	assert_int_equal(cpus[3], 5);
	assert_int_equal(cpus[4], 7);
	assert_int_equal(cpus[5], 8);
	assert_int_equal(vsw_config_parse_cpulist("9,0", cpus, 64), 2);
	assert_int_equal(cpus[0], 9); /* order as written */
	assert_int_equal(cpus[1], 0);
	assert_int_equal(vsw_config_parse_cpulist("1023", cpus, 64), 1);
	assert_int_equal(cpus[0], 1023);
	assert_int_equal(vsw_config_parse_cpulist(" 2 - 3 , 5 ", cpus, 64), 3);
	assert_int_equal(vsw_config_parse_cpulist("0-63", cpus, 64), 64);
	assert_int_equal(cpus[63], 63);
	assert_int_equal(vsw_config_parse_cpulist("1-4", cpus, 4), 4);

	assert_int_equal(vsw_config_parse_cpulist("", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("1 0", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("3-1", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("1,1", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("-1", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("1024", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("1-5", cpus, 4), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("0-64", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("1,,2", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("1-2-3", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("0x1", cpus, 64), -EINVAL);
	assert_int_equal(vsw_config_parse_cpulist("+1", cpus, 64), -EINVAL);
}

/* ---- the command line ---- */

static void
test_args_none(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg, expected;
	char err[512], path[256];

	set_xdg(fx->dir);
	assert_int_equal(NO_ARGS(), VSW_CONFIG_ARGS_OK);
	vsw_config_defaults(&expected);
	snprintf(path, sizeof(path), "%s/vsw", fx->dir);
	assert_string_equal(cfg.run_dir, path);
	snprintf(path, sizeof(path), "%s/vsw/vsw.sock", fx->dir);
	assert_string_equal(cfg.socket_path, path);
	snprintf(path, sizeof(path), "%s/vsw/vsw.db", fx->dir);
	assert_string_equal(cfg.db_path, path);
	assert_int_equal(strncmp(cfg.file_prefix, "vsw-", 4), 0);
	strcpy(expected.run_dir, cfg.run_dir);
	strcpy(expected.socket_path, cfg.socket_path);
	strcpy(expected.db_path, cfg.db_path);
	strcpy(expected.file_prefix, cfg.file_prefix);
	assert_config_equal(&cfg, &expected);
	set_xdg(fx->saved_xdg);
}

static void
test_args_flags(void **state)
{
	struct vsw_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(ARGS("--socket", "/tmp/a.sock", "--db", "/tmp/a.db",
			      "--run-dir", "/tmp/vsw-run", "--workers", "2-3",
			      "--log-level", "warning", "--eal", "--vdev=net_null0",
			      "--eal", "-d x"),
			 VSW_CONFIG_ARGS_OK);
	assert_string_equal(cfg.socket_path, "/tmp/a.sock");
	assert_string_equal(cfg.db_path, "/tmp/a.db");
	assert_string_equal(cfg.run_dir, "/tmp/vsw-run");
	assert_int_equal(cfg.n_workers, 2);
	assert_int_equal(cfg.worker_cpus[0], 2);
	assert_int_equal(cfg.worker_cpus[1], 3);
	assert_string_equal(cfg.workers_list, "2-3");
	assert_string_equal(cfg.log_level, "warning");
	assert_string_equal(cfg.eal_extra, "--vdev=net_null0 -d x");
	assert_string_equal(cfg.file_prefix, "vsw-fa719eb0");

	/* --opt=value, and the last of a repeated flag wins */
	assert_int_equal(ARGS("--log-level=err", "--log-level=crit",
			      "--run-dir=/tmp/r2"), VSW_CONFIG_ARGS_OK);
	assert_string_equal(cfg.log_level, "crit");
	assert_string_equal(cfg.socket_path, "/tmp/r2/vsw.sock");
}

static const char flags_file_conf[] =
	"run_dir = \"/tmp/vsw-file\";\n"
	"log_level = \"notice\";\n"
	"eal = { extra_args = \"--from-file\"; memory_mb = 1024; };\n"
	"cores = { workers = \"7\"; };\n"
	"api = { socket = \"/tmp/file.sock\"; };\n"
	"state = { db = \"/tmp/file.db\"; };\n";

static void
test_args_flags_override_file(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char err[512];

	write_file(fx->path, flags_file_conf);

	assert_int_equal(ARGS("-c", fx->path), VSW_CONFIG_ARGS_OK);
	assert_string_equal(cfg.config_file, fx->path);
	assert_string_equal(cfg.run_dir, "/tmp/vsw-file");
	assert_string_equal(cfg.log_level, "notice");
	assert_string_equal(cfg.eal_extra, "--from-file");
	assert_int_equal(cfg.memory_mb, 1024);
	assert_int_equal(cfg.worker_cpus[0], 7);
	assert_string_equal(cfg.socket_path, "/tmp/file.sock");
	assert_string_equal(cfg.db_path, "/tmp/file.db");

	assert_int_equal(ARGS("--socket", "/tmp/flag.sock", "--db", "/tmp/flag.db",
			      "--run-dir", "/tmp/vsw-flag", "--workers", "3,4",
			      "--log-level", "debug", "--eal", "--from-flag",
			      "-c", fx->path),
			 VSW_CONFIG_ARGS_OK);
	assert_string_equal(cfg.socket_path, "/tmp/flag.sock");
	assert_string_equal(cfg.db_path, "/tmp/flag.db");
	assert_string_equal(cfg.run_dir, "/tmp/vsw-flag");
	assert_int_equal(cfg.n_workers, 2);
	assert_int_equal(cfg.worker_cpus[0], 3);
	assert_string_equal(cfg.log_level, "debug");
	assert_string_equal(cfg.eal_extra, "--from-file --from-flag");
	assert_int_equal(cfg.memory_mb, 1024); /* no flag: the file's value */
}

static void
test_args_config_anywhere(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char err[512], opt[200];

	write_file(fx->path, flags_file_conf);

	assert_int_equal(ARGS("--workers", "5", "-c", fx->path),
			 VSW_CONFIG_ARGS_OK);
	assert_int_equal(cfg.worker_cpus[0], 5);
	assert_string_equal(cfg.log_level, "notice");

	assert_int_equal(ARGS("-c", fx->path, "--workers", "5"),
			 VSW_CONFIG_ARGS_OK);
	assert_int_equal(cfg.worker_cpus[0], 5);
	assert_string_equal(cfg.log_level, "notice");

	snprintf(opt, sizeof(opt), "--config=%s", fx->path);
	assert_int_equal(ARGS("--log-level", "err", opt), VSW_CONFIG_ARGS_OK);
	assert_string_equal(cfg.log_level, "err");
	assert_int_equal(cfg.worker_cpus[0], 7);
	assert_string_equal(cfg.config_file, fx->path);

	snprintf(opt, sizeof(opt), "-c%s", fx->path);
	assert_int_equal(ARGS(opt), VSW_CONFIG_ARGS_OK);
	assert_string_equal(cfg.socket_path, "/tmp/file.sock");
}

static void
test_args_config_errors(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char err[512], expected[512];

	write_file(fx->path, "limits = {\n burst = 1;\n};\n");
	assert_int_equal(ARGS("-c", fx->path), VSW_CONFIG_ARGS_ERROR);
	snprintf(expected, sizeof(expected), "%s:2: limits.burst: unknown key",
		 fx->path);
	assert_int_equal(strncmp(err, expected, strlen(expected)), 0);

	assert_int_equal(ARGS("--config", "/nonexistent/vsw.conf"),
			 VSW_CONFIG_ARGS_ERROR);
	assert_string_equal(err, "/nonexistent/vsw.conf: cannot read: "
			    "No such file or directory");
}

static void
test_args_help_version(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char err[512], out[4096];

	assert_int_equal(capture_stdout(fx, &cfg, err, sizeof(err), out,
					sizeof(out), "--help"),
			 VSW_CONFIG_ARGS_EXIT_OK);
	assert_int_equal(strncmp(out, "usage: vswd", 11), 0);
	assert_non_null(strstr(out, "--workers CPULIST"));
	assert_non_null(strstr(out, "--log-level LEVEL"));

	assert_int_equal(capture_stdout(fx, &cfg, err, sizeof(err), out,
					sizeof(out), "-h"),
			 VSW_CONFIG_ARGS_EXIT_OK);
	assert_int_equal(strncmp(out, "usage: vswd", 11), 0);

	assert_int_equal(capture_stdout(fx, &cfg, err, sizeof(err), out,
					sizeof(out), "--version"),
			 VSW_CONFIG_ARGS_EXIT_OK);
	assert_string_equal(out, "vswd " VSW_VERSION "\n");
	assert_int_equal(capture_stdout(fx, &cfg, err, sizeof(err), out,
					sizeof(out), "-V"),
			 VSW_CONFIG_ARGS_EXIT_OK);
	assert_string_equal(out, "vswd " VSW_VERSION "\n");
}

static void
test_args_help_skips_config(void **state)
{
	struct vsw_config cfg;
	char err[512];
	enum vsw_config_args_result rc;
	int saved, devnull;

	(void)state;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && devnull >= 0);
	dup2(devnull, STDOUT_FILENO);
	rc = ARGS("-c", "/nonexistent/vsw.conf", "--help");
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(devnull);
	assert_int_equal(rc, VSW_CONFIG_ARGS_EXIT_OK);
}

static void
test_args_errors(void **state)
{
	struct vsw_config cfg;
	char err[512];
	char *long_path;

	(void)state;
	assert_args_error(&cfg, err, "vswd: unknown option '--foo'",
			  ARGS("--foo"));
	assert_args_error(&cfg, err, "vswd: unknown option '--foo'",
			  ARGS("--workers", "2", "--foo=bar"));
	assert_args_error(&cfg, err, "vswd: unknown option '-x'", ARGS("-x"));
	assert_args_error(&cfg, err, "vswd: unknown option '-x'", ARGS("-Vx"));
	assert_args_error(&cfg, err, "vswd: option '--socket' requires an argument",
			  ARGS("--socket"));
	assert_args_error(&cfg, err, "vswd: option '--config' requires an argument",
			  ARGS("--config"));
	assert_args_error(&cfg, err, "vswd: option '-c' requires an argument",
			  ARGS("-c"));
	assert_args_error(&cfg, err,
			  "vswd: option '--help' doesn't allow an argument",
			  ARGS("--help=yes"));
	assert_args_error(&cfg, err,
			  "vswd: option '--version' doesn't allow an argument",
			  ARGS("--version=1"));
	assert_args_error(&cfg, err, "vswd: unexpected argument 'extra'",
			  ARGS("--workers", "2", "extra"));
	assert_args_error(&cfg, err, "vswd: unexpected argument 'extra'",
			  ARGS("--", "extra"));
	/* an error anywhere wins over --help */
	assert_args_error(&cfg, err, "vswd: unknown option '--foo'",
			  ARGS("--help", "--foo"));

	assert_args_error(&cfg, err, "vswd: --workers '3-1': reversed range 3-1",
			  ARGS("--workers", "3-1"));
	assert_args_error(&cfg, err, "vswd: --workers '': empty CPU list",
			  ARGS("--workers", ""));
	assert_args_error(&cfg, err,
			  "vswd: --log-level 'loud': must be one of emerg, alert, "
			  "crit, err, warning, notice, info, debug",
			  ARGS("--log-level", "loud"));

	long_path = repeat_char('a', 300);
	long_path[0] = '/';
	assert_args_error(&cfg, err, "vswd: --socket: longer than 255 characters",
			  ARGS("--socket", long_path));
	assert_args_error(&cfg, err, "vswd: --run-dir: longer than 255 characters",
			  ARGS("--run-dir", long_path));
	assert_args_error(&cfg, err, "vswd: --db: longer than 255 characters",
			  ARGS("--db", long_path));
	long_path[200] = '\0'; /* fits the field, not a unix socket address */
	assert_args_error(&cfg, err,
			  "vswd: api.socket: path longer than 107 characters (the "
			  "limit of a unix socket path)",
			  ARGS("--socket", long_path));
	free(long_path);

	long_path = repeat_char('e', 1000);
	assert_args_error(&cfg, err,
			  "vswd: --eal: EAL arguments longer than 1023 characters",
			  ARGS("--eal", long_path, "--eal", long_path));
	free(long_path);
}

static void
test_args_repeatable(void **state)
{
	struct vsw_config cfg;
	char err[512];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_args_error(&cfg, err, "vswd: unknown option '-x'",
				  ARGS("-x"));
		assert_int_equal(ARGS("--workers", "4"), VSW_CONFIG_ARGS_OK);
		assert_int_equal(cfg.worker_cpus[0], 4);
		assert_args_error(&cfg, err, "vswd: option '-c' requires an argument",
				  ARGS("-c"));
		assert_int_equal(NO_ARGS(), VSW_CONFIG_ARGS_OK);
		assert_int_equal(cfg.worker_cpus[0], 1);
		/* an error mid-cluster must not leave "V" for the next parse */
		assert_args_error(&cfg, err, "vswd: unknown option '-x'",
				  ARGS("-xV"));
		assert_int_equal(NO_ARGS(), VSW_CONFIG_ARGS_OK);
	}
}

/* ---- derived values ---- */

static void
test_resolve_derives_paths(void **state)
{
	struct vsw_config cfg;
	char err[256];

	(void)state;
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, "/run/vsw");
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.socket_path, "/run/vsw/vsw.sock");
	assert_string_equal(cfg.db_path, "/run/vsw/vsw.db");
	assert_string_equal(cfg.file_prefix, "vsw-40bd7174"); /* FNV-1a 32 */

	/* trailing slashes go; "/" stays itself */
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, "/run/vsw//");
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.run_dir, "/run/vsw");
	assert_string_equal(cfg.file_prefix, "vsw-40bd7174");
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, "/");
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.socket_path, "/vsw.sock");
	assert_string_equal(cfg.db_path, "/vsw.db");

	/* what is set stays */
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, "/run/vsw");
	strcpy(cfg.socket_path, "/tmp/s.sock");
	strcpy(cfg.db_path, "/tmp/s.db");
	strcpy(cfg.file_prefix, "mine");
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.socket_path, "/tmp/s.sock");
	assert_string_equal(cfg.db_path, "/tmp/s.db");
	assert_string_equal(cfg.file_prefix, "mine");

	/* idempotent */
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.run_dir, "/run/vsw");
}

static void
test_resolve_prefix_per_run_dir(void **state)
{
	struct vsw_config a, b, c;
	char err[256];

	(void)state;
	vsw_config_defaults(&a);
	vsw_config_defaults(&b);
	vsw_config_defaults(&c);
	strcpy(a.run_dir, "/tmp/vsw-a");
	strcpy(b.run_dir, "/tmp/vsw-b");
	strcpy(c.run_dir, "/tmp/vsw-a");
	assert_int_equal(vsw_config_resolve(&a, err, sizeof(err)), 0);
	assert_int_equal(vsw_config_resolve(&b, err, sizeof(err)), 0);
	assert_int_equal(vsw_config_resolve(&c, err, sizeof(err)), 0);
	assert_string_equal(a.file_prefix, "vsw-88878882");
	assert_string_not_equal(a.file_prefix, b.file_prefix);
	assert_string_equal(a.file_prefix, c.file_prefix);
	assert_string_not_equal(a.socket_path, b.socket_path);
	assert_string_not_equal(a.db_path, b.db_path);
}

static void
test_resolve_relative_run_dir(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg, abs;
	char err[256], old_cwd[PATH_MAX], expected[PATH_MAX];

	assert_non_null(getcwd(old_cwd, sizeof(old_cwd)));
	assert_int_equal(chdir(fx->dir), 0);
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, "rel/run");
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_int_equal(chdir(old_cwd), 0);

	snprintf(expected, sizeof(expected), "%s/rel/run", fx->dir);
	assert_string_equal(cfg.run_dir, expected);
	snprintf(expected, sizeof(expected), "%s/rel/run/vsw.sock", fx->dir);
	assert_string_equal(cfg.socket_path, expected);
	/* the same dir written absolutely is the same instance */
	vsw_config_defaults(&abs);
	snprintf(abs.run_dir, sizeof(abs.run_dir), "%s/rel/run", fx->dir);
	assert_int_equal(vsw_config_resolve(&abs, err, sizeof(err)), 0);
	assert_string_equal(cfg.file_prefix, abs.file_prefix);
}

static void
test_resolve_too_long(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char err[256], *dir;

	dir = repeat_char('r', 250);
	dir[0] = '/';
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, dir);
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "api.socket: path longer than 107 characters "
			    "(the limit of a unix socket path)");

	/* a short socket, but the db does not fit */
	vsw_config_defaults(&cfg);
	strcpy(cfg.run_dir, dir);
	strcpy(cfg.socket_path, "/tmp/x.sock");
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "state.db: path longer than 255 characters");

	/* $XDG_RUNTIME_DIR/vsw does not fit run_dir */
	free(dir);
	dir = repeat_char('x', 252);
	dir[0] = '/';
	set_xdg(dir);
	vsw_config_defaults(&cfg);
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "run_dir: $XDG_RUNTIME_DIR/vsw is longer than "
			    "255 characters");
	set_xdg(fx->saved_xdg);
	free(dir);
}

static void
test_default_run_dir(void **state)
{
	struct fixture *fx = *state;
	struct vsw_config cfg;
	char buf[VSW_PATH_MAX], small[8], err[256], *huge;

	set_xdg("/run/user/1000");
	vsw_config_default_run_dir(buf, sizeof(buf));
	assert_string_equal(buf, "/run/user/1000/vsw");
	vsw_config_defaults(&cfg);
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.run_dir, "/run/user/1000/vsw");
	assert_string_equal(cfg.socket_path, "/run/user/1000/vsw/vsw.sock");

	set_xdg("");
	vsw_config_default_run_dir(buf, sizeof(buf));
	assert_string_equal(buf, "/run/vsw");

	set_xdg(NULL);
	vsw_config_default_run_dir(buf, sizeof(buf));
	assert_string_equal(buf, "/run/vsw");
	vsw_config_defaults(&cfg);
	assert_int_equal(vsw_config_resolve(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.socket_path, "/run/vsw/vsw.sock");
	assert_string_equal(cfg.db_path, "/run/vsw/vsw.db");

	/* too long for the buffer: "" rather than a truncated path */
	vsw_config_default_run_dir(small, sizeof(small));
	assert_string_equal(small, "");
	huge = repeat_char('x', 300);
	set_xdg(huge);
	vsw_config_default_run_dir(buf, sizeof(buf));
	assert_string_equal(buf, "");
	free(huge);
	set_xdg(fx->saved_xdg);
}

static void
test_uid_is_admin(void **state)
{
	struct vsw_config cfg;

	(void)state;
	vsw_config_defaults(&cfg);
	assert_true(vsw_config_uid_is_admin(&cfg, 0));
	assert_true(vsw_config_uid_is_admin(&cfg, getuid()));
	assert_false(vsw_config_uid_is_admin(&cfg, 12345 + getuid()));
	assert_false(vsw_config_uid_is_admin(&cfg, (uid_t)-1));
	cfg.n_admin_uids = 0;
	assert_false(vsw_config_uid_is_admin(&cfg, 0));
}

/* ---- the shipped example ---- */

static bool
example_path(char *buf, size_t len)
{
#ifdef VSW_SOURCE_ROOT
	snprintf(buf, len, "%s/config/vsw.conf.example", VSW_SOURCE_ROOT);
	return true;
#else
	const char *root = getenv("VSW_SOURCE_ROOT");

	if (root == NULL)
		return false;
	snprintf(buf, len, "%s/config/vsw.conf.example", root);
	return true;
#endif
}

static void
test_example_loads_as_defaults(void **state)
{
	static const char *const keys[] = {
		"run_dir", "log_level", "eal", "hugepages", "memory_mb", "pci",
		"file_prefix", "extra_args", "cores", "main", "workers", "api",
		"socket", "socket_mode", "admin_uids", "default_project",
		"max_clients", "state", "db", "limits", "max_vnics", "max_ports",
		"max_networks", "max_macs_per_network", "burst_size",
		"rx_ring_size", "tx_ring_size", "punt_ring_size", "mbufs",
		"nat", "max_connections", "tcp_established_timeout",
		"tcp_transitory_timeout", "udp_timeout", "icmp_timeout",
		"punt", "rate", "burst", "l3", "icmp_error_rate", "icmp_error_burst",
	};
	struct vsw_config cfg, defaults;
	char path[PATH_MAX], err[512], *text;
	FILE *f;
	long n;
	size_t i;

	(void)state;
	if (!example_path(path, sizeof(path)))
		skip(); /* built without VSW_SOURCE_ROOT */
	vsw_config_defaults(&cfg);
	if (vsw_config_load_file(&cfg, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	vsw_config_defaults(&defaults);
	assert_config_equal(&cfg, &defaults);

	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 65536);
	assert_non_null(text);
	n = (long)fread(text, 1, 65535, f);
	fclose(f);
	assert_true(n > 0);
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		char pattern[64];

		snprintf(pattern, sizeof(pattern), "%s = ", keys[i]);
		if (strstr(text, pattern) == NULL)
			fail_msg("vsw.conf.example does not document '%s'",
				 keys[i]);
	}
	free(text);
}

/* ---- nat, punt, l3 ---- */

static void
test_load_nat_punt_l3(void **state)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "nat = { max_connections = 1023; };", "1: nat.max_connections: must be 1024..4194304" },
		{ "nat = { max_connections = 4194305; };", "1: nat.max_connections: must be 1024..4194304" },
		{ "nat = { tcp_established_timeout = 0; };", "1: nat.tcp_established_timeout: must be 1..86400" },
		{ "nat = { tcp_transitory_timeout = 86401; };", "1: nat.tcp_transitory_timeout: must be 1..86400" },
		{ "nat = { udp_timeout = -1; };", "1: nat.udp_timeout: must be 1..86400" },
		{ "nat = { icmp_timeout = \"60\"; };", "1: nat.icmp_timeout: expected an integer, got a string" },
		{ "punt = { rate = 0; };", "1: punt.rate: must be 1..10000000" },
		{ "punt = { rate = 10000001; };", "1: punt.rate: must be 1..10000000" },
		{ "punt = { burst = 0; };", "1: punt.burst: must be 1..65536" },
		{ "punt = { burst = 65537; };", "1: punt.burst: must be 1..65536" },
		{ "l3 = { icmp_error_rate = 1000001; };", "1: l3.icmp_error_rate: must be 0..1000000" },
		{ "l3 = { icmp_error_burst = 0; };", "1: l3.icmp_error_burst: must be 1..65536" },
		{ "l3 = { icmp_error_rate = 1.5; };", "1: l3.icmp_error_rate: expected an integer, got a float" },
		{ "\nnat = 5;", "2: nat: expected a group { ... }, got an integer" },
	};
	struct vsw_config cfg;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		assert_load_error(*state, bad[i].text, bad[i].error);
	assert_load_error_prefix(*state, "punt = {\n rate = 5;\n ratelimit = 5; };",
				 "3: punt.ratelimit: unknown key (valid here: rate, burst)");
	assert_load_error_prefix(*state, "nat = { timeout = 5; };",
				 "1: nat.timeout: unknown key (valid here: max_connections, ");
	assert_load_error_prefix(*state, "l3 = { ttl = 5; };",
				 "1: l3.ttl: unknown key (valid here: icmp_error_rate, icmp_error_burst)");

	/* A partial group leaves the other keys at their defaults. */
	assert_load_ok(*state, "nat = { udp_timeout = 30; };\npunt = { burst = 1; };\n"
		       "l3 = { icmp_error_rate = 5; };\n", &cfg);
	assert_int_equal(cfg.nat_udp_s, 30);
	assert_int_equal(cfg.nat_max_conns, 65536);
	assert_int_equal(cfg.nat_tcp_established_s, 7440);
	assert_int_equal(cfg.punt_burst, 1);
	assert_int_equal(cfg.punt_rate, 10000);
	assert_int_equal(cfg.icmp_error_rate, 5);
	assert_int_equal(cfg.icmp_error_burst, 100);
	assert_load_ok(*state, "nat = { max_connections = 1024; };", &cfg);
	assert_int_equal(cfg.nat_max_conns, 1024);
}

/* ---- uplinks ---- */

static void
test_load_uplinks(void **state)
{
	struct vsw_config cfg;
	const struct vsw_config_uplink *u;

	assert_load_ok(*state,
		       "uplinks = (\n"
		       "  { name = \"phys0\"; devargs = \"net_af_packet0,iface=veth1\";\n"
		       "    role = \"vlan\"; mtu = 9000; },\n"
		       "  { name = \"under.1\"; pci_address = \"0000:03:00.1\"; role = \"vxlan\";\n"
		       "    local_ip = \"192.0.2.10\"; gateway_ip = \"192.0.2.1\";\n"
		       "    local_prefixlen = 26; admin_state_up = false; }\n"
		       ");\n", &cfg);
	assert_int_equal(cfg.n_uplinks, 2);
	u = &cfg.uplinks[0];
	assert_string_equal(u->name, "phys0");
	assert_string_equal(u->devargs, "net_af_packet0,iface=veth1");
	assert_string_equal(u->pci_address, "");
	assert_string_equal(u->role, "vlan");
	assert_int_equal(u->mtu, 9000);
	assert_int_equal(u->local_prefixlen, 0);
	assert_true(u->admin_state_up);
	u = &cfg.uplinks[1];
	assert_string_equal(u->name, "under.1");
	assert_string_equal(u->devargs, "");
	assert_string_equal(u->pci_address, "0000:03:00.1");
	assert_string_equal(u->local_ip, "192.0.2.10");
	assert_string_equal(u->gateway_ip, "192.0.2.1");
	assert_int_equal(u->local_prefixlen, 26);
	assert_int_equal(u->mtu, 0);
	assert_false(u->admin_state_up);

	assert_load_ok(*state, "uplinks = ();\n", &cfg);
	assert_int_equal(cfg.n_uplinks, 0);
}

static void
test_load_uplink_errors(void **state)
{
	assert_load_error(*state, "uplinks = { name = \"a\"; };\n",
			  "1: uplinks: expected a list ( { ... }, ... ), got a group");
	assert_load_error(*state, "uplinks = ( \"a\" );\n",
			  "1: uplinks[0]: expected a group { name = ...; role = ...; }, "
			  "got a string");
	assert_load_error_prefix(*state,
				 "uplinks = (\n { name = \"a\"; role = \"flat\";\n"
				 "   devargs = \"x\"; speed = 10; } );\n",
				 "3: uplinks[0].speed: unknown key (valid here: name, ");
	assert_load_error(*state, "uplinks = ( { name = \"a b\"; } );\n",
			  "1: uplinks[0].name: 1 to 32 letters, digits, '_', '.' or '-'");
	assert_load_error(*state,
			  "uplinks = ( { name = \"0123456789012345678901234567890123\"; } );\n",
			  "1: uplinks[0].name: longer than 32 characters");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"gre\"; } );\n",
			  "1: uplinks[0].role: must be one of flat, vlan, vxlan");
	assert_load_error(*state, "uplinks = (\n { role = \"flat\"; devargs = \"x\"; } );\n",
			  "2: uplinks[0]: name is required");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; devargs = \"x\"; } );\n",
			  "1: uplinks[0]: role is required (flat, vlan or vxlan)");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"flat\"; } );\n",
			  "1: uplinks[0]: give exactly one of devargs and pci_address");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"flat\"; devargs = \"x\";"
			  " pci_address = \"03:00.0\"; } );\n",
			  "1: uplinks[0]: give exactly one of devargs and pci_address");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"flat\";"
			  " pci_address = \"03-00.0\"; } );\n",
			  "1: uplinks[0].pci_address: expected a PCI address like 0000:03:00.0");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"flat\";"
			  " devargs = \"\"; } );\n",
			  "1: uplinks[0].devargs: must not be empty");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"vxlan\";"
			  " devargs = \"x\"; } );\n",
			  "1: uplinks[0]: a vxlan uplink needs local_ip");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"vlan\";"
			  " devargs = \"x\"; local_ip = \"10.0.0.1\"; } );\n",
			  "1: uplinks[0]: local_ip, gateway_ip and local_prefixlen are "
			  "for vxlan uplinks only");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"vxlan\";"
			  " devargs = \"x\"; local_ip = \"10.0.0.300\"; } );\n",
			  "1: uplinks[0].local_ip: expected an IPv4 address like 192.0.2.1");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"vxlan\";"
			  " devargs = \"x\"; local_ip = \"10.0.0.1\"; local_prefixlen = 33; } );\n",
			  "1: uplinks[0].local_prefixlen: must be 1..32");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"flat\";"
			  " devargs = \"x\"; mtu = 9217; } );\n",
			  "1: uplinks[0].mtu: must be 68..9216");
	assert_load_error(*state, "uplinks = ( { name = \"a\"; role = \"flat\"; devargs = \"x\"; },\n"
			  " { name = \"a\"; role = \"flat\"; devargs = \"y\"; } );\n",
			  "2: uplinks[1]: uplink a is defined twice");
}

static void
test_load_uplinks_too_many(void **state)
{
	char text[4096];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "uplinks = (");
	for (int i = 0; i <= VSW_MAX_CONFIG_UPLINKS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{ name = \"u%d\"; role = \"flat\"; devargs = \"d%d\"; }",
				      i ? "," : "", i, i);
	snprintf(text + n, sizeof(text) - n, ");\n");
	assert_load_error(*state, text, "1: uplinks: more than 16 uplinks");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_every_key),
		cmocka_unit_test(test_load_nat_punt_l3),
		cmocka_unit_test(test_load_empty_and_partial),
		cmocka_unit_test(test_load_socket_mode_forms),
		cmocka_unit_test(test_load_admin_uids),
		cmocka_unit_test(test_load_unknown_keys),
		cmocka_unit_test(test_load_wrong_types),
		cmocka_unit_test(test_load_out_of_range),
		cmocka_unit_test(test_load_admin_uids_too_many),
		cmocka_unit_test(test_load_rings),
		cmocka_unit_test(test_load_socket_mode_errors),
		cmocka_unit_test(test_load_bad_cpulists),
		cmocka_unit_test(test_load_bad_strings),
		cmocka_unit_test(test_load_longest_strings_fit),
		cmocka_unit_test(test_load_syntax_errors),
		cmocka_unit_test(test_load_wrapping_integers),
		cmocka_unit_test(test_load_unreadable),
		cmocka_unit_test(test_load_failure_changes_nothing),
		cmocka_unit_test(test_load_small_errbuf),
		cmocka_unit_test(test_parse_cpulist),
		cmocka_unit_test(test_args_none),
		cmocka_unit_test(test_args_flags),
		cmocka_unit_test(test_args_flags_override_file),
		cmocka_unit_test(test_args_config_anywhere),
		cmocka_unit_test(test_args_config_errors),
		cmocka_unit_test(test_args_help_version),
		cmocka_unit_test(test_args_help_skips_config),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_args_repeatable),
		cmocka_unit_test(test_resolve_derives_paths),
		cmocka_unit_test(test_resolve_prefix_per_run_dir),
		cmocka_unit_test(test_resolve_relative_run_dir),
		cmocka_unit_test(test_resolve_too_long),
		cmocka_unit_test(test_default_run_dir),
		cmocka_unit_test(test_uid_is_admin),
		cmocka_unit_test(test_example_loads_as_defaults),
		cmocka_unit_test(test_load_uplinks),
		cmocka_unit_test(test_load_uplink_errors),
		cmocka_unit_test(test_load_uplinks_too_many),
	};

	return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
