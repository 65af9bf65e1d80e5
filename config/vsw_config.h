/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_CONFIG_H
#define VSW_CONFIG_H

/*
 * vswd configuration: the embedded default, a libconfig file (-c FILE) and
 * command-line flags, applied in that order. config/ is a leaf: it knows
 * nothing of DPDK, the API or the data plane.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VSW_MAX_WORKERS 64
#define VSW_MAX_ADMIN_UIDS 32
#define VSW_PATH_MAX 256
#define VSW_MAX_CONFIG_UPLINKS 16

/* uplinks = ( { ... } ): created through the API at startup unless an
 * uplink of that name is stored (see vsw_uplinks_apply_config()). "" and
 * 0 mean not given (the API's default applies). */
struct vsw_config_uplink {
	char name[33];             /* required, [A-Za-z0-9_.-]{1,32} */
	char devargs[1025];        /* exactly one of devargs and pci_address */
	char pci_address[16];
	char role[8];              /* required: flat, vlan or vxlan */
	char local_ip[16];         /* vxlan: required */
	char gateway_ip[16];       /* vxlan only */
	int local_prefixlen;       /* vxlan only, 1..32 */
	unsigned int mtu;          /* 68..9216 */
	bool admin_state_up;       /* default true */
};

struct vsw_config {
	/* eal { } */
	bool hugepages;            /* false: --no-huge (the embedded default) */
	unsigned int memory_mb;    /* -m; 64..1048576, default 512 */
	bool pci;                  /* false: --no-pci (the embedded default) */
	char file_prefix[64];      /* "" = derived from run_dir (unique per instance) */
	char eal_extra[1024];      /* extra EAL args, split on whitespace */

	/* cores { } */
	int main_cpu;              /* CPU of the control thread (main lcore), default 0 */
	unsigned int n_workers;    /* parsed from the worker CPU list */
	int worker_cpus[VSW_MAX_WORKERS];
	char workers_list[128];    /* as written, e.g. "1-3,5"; default "1" */

	/* api { } */
	char socket_path[VSW_PATH_MAX]; /* "" = <run_dir>/vsw.sock */
	unsigned int socket_mode;  /* default 0660 */
	unsigned int n_admin_uids;
	uid_t admin_uids[VSW_MAX_ADMIN_UIDS]; /* default: 0 and the daemon's own uid */
	char default_project[64];  /* acting project when a request names none; "default" */
	unsigned int max_clients;  /* concurrent API connections, default 4096 */

	/* state { } */
	char db_path[VSW_PATH_MAX]; /* "" = <run_dir>/vsw.db */

	/* top level */
	char run_dir[VSW_PATH_MAX]; /* "" = $XDG_RUNTIME_DIR/vsw or /run/vsw */
	char log_level[16];        /* emerg|alert|crit|err|warning|notice|info|debug */

	/* limits { } */
	unsigned int max_vnics;            /* default 1024, 1..65536 */
	unsigned int max_ports;            /* default 65536, 1..1048576 */
	unsigned int max_networks;         /* default 4096, 1..1048576 */
	unsigned int max_macs_per_network; /* default 131072, 16..16777216 */
	unsigned int burst_size;           /* default 32, 1..256 */
	unsigned int rx_ring_size;         /* default 1024, power of 2, 64..16384 */
	unsigned int tx_ring_size;         /* default 1024, power of 2, 64..16384 */
	unsigned int punt_ring_size;       /* default 1024, power of 2, 64..65536 */
	unsigned int mbufs;                /* mbufs in the pool, default 32768, 1024..16777216 */

	/* nat { }: SNAT connection tables (seconds for the timeouts) */
	uint32_t nat_max_conns;            /* max_connections per worker, 65536, 1024..4194304 */
	uint32_t nat_tcp_established_s;    /* tcp_established_timeout, 7440, 1..86400 */
	uint32_t nat_tcp_transitory_s;     /* tcp_transitory_timeout, 240, 1..86400 */
	uint32_t nat_udp_s;                /* udp_timeout, 300, 1..86400 */
	uint32_t nat_icmp_s;               /* icmp_timeout, 60, 1..86400 */

	/* punt { }: packets workers send to the control thread */
	uint32_t punt_rate;                /* rate, packets/s per worker, 10000, 1..10000000 */
	uint32_t punt_burst;               /* burst, 512, 1..65536 */

	/* l3 { } */
	uint32_t icmp_error_rate;          /* ICMP errors/s per worker, 1000, 0..1000000; 0 = none */
	uint32_t icmp_error_burst;         /* 100, 1..65536 */

	/* uplinks = ( { name = ...; role = ...; ... }, ... ) */
	unsigned int n_uplinks;
	struct vsw_config_uplink uplinks[VSW_MAX_CONFIG_UPLINKS];

	char config_file[VSW_PATH_MAX];    /* the -c file, "" when none */
};

/* Fills the embedded default (no file, no flags). Paths stay "" until
 * vsw_config_resolve(). */
void vsw_config_defaults(struct vsw_config *cfg);

/*
 * Loads a libconfig file over cfg. On error returns -EINVAL and writes
 * "file:line: key: reason" into errbuf. Unknown keys, wrong types and
 * out-of-range values are errors.
 */
int vsw_config_load_file(struct vsw_config *cfg, const char *path,
			 char *errbuf, size_t errlen);

/* Parses a CPU list like "1-3,5" into cpus[]; returns the count or -EINVAL. */
int vsw_config_parse_cpulist(const char *list, int *cpus, unsigned int max);

enum vsw_config_args_result {
	VSW_CONFIG_ARGS_OK = 0,
	VSW_CONFIG_ARGS_EXIT_OK,   /* --help or --version printed: exit 0 */
	VSW_CONFIG_ARGS_ERROR,     /* message in errbuf: exit 2 */
};

/*
 * vswd's command line: defaults, then -c FILE, then the flags
 * (--socket PATH, --db PATH, --run-dir DIR, --workers CPULIST,
 * --log-level LEVEL, --eal 'ARGS', -h/--help, -V/--version), then
 * vsw_config_resolve(). Flags override the file wherever both set a value.
 */
enum vsw_config_args_result vsw_config_from_args(struct vsw_config *cfg,
						 int argc, char **argv,
						 char *errbuf, size_t errlen);

/* Fills derived values: run_dir, socket_path, db_path, file_prefix. */
int vsw_config_resolve(struct vsw_config *cfg, char *errbuf, size_t errlen);

/* The run dir when none is configured: $XDG_RUNTIME_DIR/vsw if that
 * variable is set, else /run/vsw. vswctl uses it to find the socket. */
void vsw_config_default_run_dir(char *buf, size_t len);

/* Whether uid may act as admin (SO_PEERCRED uid). */
bool vsw_config_uid_is_admin(const struct vsw_config *cfg, uid_t uid);

#endif
