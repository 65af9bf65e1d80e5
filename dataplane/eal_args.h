/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_EAL_ARGS_H
#define VSW_EAL_ARGS_H

#include "vsw_config.h"

#define VSW_EAL_MAX_ARGS 64

/*
 * EAL arguments from the config: lcore 0 (the control thread) on
 * cfg->main_cpu and worker lcore i on cfg->worker_cpus[i-1], through
 * --lcores so that lcores may share a CPU; a file prefix of this instance
 * so that several vswd run side by side; --no-huge/-m and --no-pci as
 * configured; then eal.extra_args. The strings live in args->buf.
 */
struct vsw_eal_args {
	int argc;
	char *argv[VSW_EAL_MAX_ARGS + 1];
	char buf[4096];
};

int vsw_eal_args_build(const struct vsw_config *cfg, struct vsw_eal_args *args);

#endif
