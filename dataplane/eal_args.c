/* SPDX-License-Identifier: BSD-3-Clause */
#include "eal_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct builder {
	struct vsw_eal_args *args;
	size_t used;
};

static int __attribute__((format(printf, 2, 3)))
add_arg(struct builder *b, const char *fmt, ...)
{
	struct vsw_eal_args *a = b->args;
	size_t room = sizeof(a->buf) - b->used;
	va_list ap;
	int n;

	if (a->argc >= VSW_EAL_MAX_ARGS)
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(a->buf + b->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	a->argv[a->argc++] = a->buf + b->used;
	a->argv[a->argc] = NULL;
	b->used += (size_t)n + 1;
	return 0;
}

static int
add_lcores(struct builder *b, const struct vsw_config *cfg)
{
	char list[1024];
	size_t off;
	unsigned int i;
	int n;

	n = snprintf(list, sizeof(list), "0@%d", cfg->main_cpu);
	off = (size_t)n;
	for (i = 0; i < cfg->n_workers; i++) {
		n = snprintf(list + off, sizeof(list) - off, ",%u@%d", i + 1,
			     cfg->worker_cpus[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - off)
			return -E2BIG;
		off += (size_t)n;
	}
	return add_arg(b, "--lcores=%s", list) ?: add_arg(b, "--main-lcore=0");
}

/* vsw's log types follow cfg->log_level; DPDK's own stay at notice unless
 * debugging, so a normal start logs a handful of lines, not a page. */
static int
add_log_levels(struct builder *b, const struct vsw_config *cfg)
{
	bool debug = strcmp(cfg->log_level, "debug") == 0;

	return add_arg(b, "--log-level=lib.*:%s", debug ? "debug" : "notice") ?:
	       add_arg(b, "--log-level=pmd.*:%s", debug ? "debug" : "notice") ?:
	       add_arg(b, "--log-level=vsw.*:%s", cfg->log_level);
}

static int
add_extra(struct builder *b, const char *extra)
{
	char copy[sizeof(((struct vsw_config *)0)->eal_extra)];
	char *save = NULL, *tok;
	int rc;

	snprintf(copy, sizeof(copy), "%s", extra);
	for (tok = strtok_r(copy, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		rc = add_arg(b, "%s", tok);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
vsw_eal_args_build(const struct vsw_config *cfg, struct vsw_eal_args *args)
{
	struct builder b = { .args = args, .used = 0 };
	int rc;

	memset(args, 0, sizeof(*args));
	rc = add_arg(&b, "vswd") ?: add_lcores(&b, cfg) ?:
	     add_arg(&b, "--file-prefix=%s", cfg->file_prefix) ?:
	     add_arg(&b, "-m") ?: add_arg(&b, "%u", cfg->memory_mb);
	if (rc == 0 && !cfg->hugepages)
		rc = add_arg(&b, "--no-huge");
	if (rc == 0 && !cfg->pci)
		rc = add_arg(&b, "--no-pci");
	if (rc == 0)
		rc = add_log_levels(&b, cfg);
	if (rc == 0)
		rc = add_extra(&b, cfg->eal_extra);
	return rc;
}
