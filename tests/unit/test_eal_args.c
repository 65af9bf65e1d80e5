/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eal_args.h"
#include "vsw_config.h"

static int
find(const struct vsw_eal_args *a, const char *arg)
{
	int i;

	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], arg) == 0)
			return i;
	return -1;
}

static void
embedded_default_needs_no_hugepages_or_pci(void **state)
{
	struct vsw_config cfg;
	struct vsw_eal_args a;
	int m;

	(void)state;
	vsw_config_defaults(&cfg);
	snprintf(cfg.file_prefix, sizeof(cfg.file_prefix), "vsw-test");
	assert_int_equal(vsw_eal_args_build(&cfg, &a), 0);
	assert_string_equal(a.argv[0], "vswd");
	assert_null(a.argv[a.argc]);
	assert_true(find(&a, "--no-huge") > 0);
	assert_true(find(&a, "--no-pci") > 0);
	assert_true(find(&a, "--file-prefix=vsw-test") > 0);
	assert_true(find(&a, "--lcores=0@0,1@1") > 0);
	assert_true(find(&a, "--main-lcore=0") > 0);
	m = find(&a, "-m");
	assert_true(m > 0);
	assert_string_equal(a.argv[m + 1], "512");
}

static void
workers_map_to_lcores_after_the_main_one(void **state)
{
	struct vsw_config cfg;
	struct vsw_eal_args a;

	(void)state;
	vsw_config_defaults(&cfg);
	cfg.main_cpu = 3;
	cfg.n_workers = 3;
	cfg.worker_cpus[0] = 0;
	cfg.worker_cpus[1] = 3;
	cfg.worker_cpus[2] = 7;
	assert_int_equal(vsw_eal_args_build(&cfg, &a), 0);
	assert_true(find(&a, "--lcores=0@3,1@0,2@3,3@7") > 0);
}

static void
hugepages_and_pci_and_extra_args(void **state)
{
	struct vsw_config cfg;
	struct vsw_eal_args a;

	(void)state;
	vsw_config_defaults(&cfg);
	cfg.hugepages = true;
	cfg.pci = true;
	cfg.memory_mb = 2048;
	snprintf(cfg.eal_extra, sizeof(cfg.eal_extra),
		 "  --vdev net_null0\t-a 0000:01:00.0 ");
	assert_int_equal(vsw_eal_args_build(&cfg, &a), 0);
	assert_int_equal(find(&a, "--no-huge"), -1);
	assert_int_equal(find(&a, "--no-pci"), -1);
	assert_string_equal(a.argv[find(&a, "-m") + 1], "2048");
	assert_string_equal(a.argv[a.argc - 4], "--vdev");
	assert_string_equal(a.argv[a.argc - 3], "net_null0");
	assert_string_equal(a.argv[a.argc - 2], "-a");
	assert_string_equal(a.argv[a.argc - 1], "0000:01:00.0");
}

static void
log_level_applies_to_vsw_types(void **state)
{
	struct vsw_config cfg;
	struct vsw_eal_args a;

	(void)state;
	vsw_config_defaults(&cfg);
	snprintf(cfg.log_level, sizeof(cfg.log_level), "debug");
	assert_int_equal(vsw_eal_args_build(&cfg, &a), 0);
	assert_true(find(&a, "--log-level=vsw.*:debug") > 0);
	assert_true(find(&a, "--log-level=lib.*:debug") > 0);
	snprintf(cfg.log_level, sizeof(cfg.log_level), "warning");
	assert_int_equal(vsw_eal_args_build(&cfg, &a), 0);
	assert_true(find(&a, "--log-level=vsw.*:warning") > 0);
	assert_true(find(&a, "--log-level=lib.*:notice") > 0);
}

static void
too_many_extra_args_is_refused(void **state)
{
	struct vsw_config cfg;
	struct vsw_eal_args a;
	size_t off = 0;
	int i;

	(void)state;
	vsw_config_defaults(&cfg);
	for (i = 0; i < VSW_EAL_MAX_ARGS; i++)
		off += (size_t)snprintf(cfg.eal_extra + off, sizeof(cfg.eal_extra) - off, "x ");
	assert_int_equal(vsw_eal_args_build(&cfg, &a), -E2BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(embedded_default_needs_no_hugepages_or_pci),
		cmocka_unit_test(workers_map_to_lcores_after_the_main_one),
		cmocka_unit_test(hugepages_and_pci_and_extra_args),
		cmocka_unit_test(log_level_applies_to_vsw_types),
		cmocka_unit_test(too_many_extra_args_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
