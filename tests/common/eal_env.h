/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DPDK environment of a unit test or fuzz target: one --no-huge,
 * single-lcore EAL per process under a file prefix of its own, whose
 * runtime dir (/var/run/dpdk/<prefix>, ~6 MB of tmpfs without --no-shconf)
 * never outlives the process. Header-only: each program holds one EAL.
 */
#ifndef VSW_TESTS_EAL_ENV_H
#define VSW_TESTS_EAL_ENV_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

/* EAL puts only plain files in its runtime dir. */
static inline void
vsw_eal_env_remove_dir(const char *path)
{
	struct dirent *d;
	DIR *dir = opendir(path);

	if (dir == NULL)
		return;
	while ((d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			unlinkat(dirfd(dir), d->d_name, 0);
	closedir(dir);
	rmdir(path);
}

/* Safe before EAL starts (the name is "" then) and after it stops. */
static inline void
vsw_eal_env_remove_runtime_dir(void)
{
	const char *dir = rte_eal_get_runtime_dir();

	if (dir != NULL && dir[0] != '\0')
		vsw_eal_env_remove_dir(dir);
}

/*
 * Starts EAL with mem_mb MiB of ordinary memory on lcore 0, without PCI,
 * shared config or telemetry, under the file prefix "<tag>-<pid>" so that
 * processes side by side never share one; log_level is the value of
 * --log-level. The runtime dir is removed at exit too, so a set-up that
 * fails after this still leaves nothing behind. Returns rte_eal_init()'s
 * result (< 0: failed).
 */
static inline int
vsw_eal_env_start(const char *name, const char *tag, unsigned int mem_mb,
		  const char *log_level)
{
	char mem[16];
	char prefix[64];
	char log[64];
	char *argv[] = {
		(char *)(uintptr_t)name, "--no-huge", "-m", mem, "--no-pci",
		"--no-shconf", "--no-telemetry", "--file-prefix", prefix,
		"-l", "0", log,
	};

	snprintf(mem, sizeof(mem), "%u", mem_mb);
	snprintf(prefix, sizeof(prefix), "%s-%d", tag, (int)getpid());
	snprintf(log, sizeof(log), "--log-level=%s", log_level);
	if (atexit(vsw_eal_env_remove_runtime_dir) != 0)
		return -1;
	return rte_eal_init(RTE_DIM(argv), argv);
}

/*
 * A fuzz target's EAL: its log goes to /dev/null unless VSW_FUZZ_LOG=1,
 * and a start that fails aborts. --no-shconf leaves the runtime dir empty,
 * so it goes at once: a crash, which runs no exit handler, leaves nothing
 * behind either.
 */
static inline void
vsw_eal_env_fuzz_start(const char *name, const char *tag, unsigned int mem_mb)
{
	const char *log = getenv("VSW_FUZZ_LOG");

	if (log == NULL || strcmp(log, "1") != 0)
		rte_openlog_stream(fopen("/dev/null", "w"));
	if (vsw_eal_env_start(name, tag, mem_mb, "lib.*:error") < 0) {
		fprintf(stderr, "%s: rte_eal_init failed\n", name);
		abort();
	}
	vsw_eal_env_remove_runtime_dir();
}

/* The end of the process's DPDK: EAL given back, its runtime dir gone. */
static inline void
vsw_eal_env_stop(void)
{
	rte_eal_cleanup();
	vsw_eal_env_remove_runtime_dir();
}

/*
 * A ring-backed mbuf pool without cache whose ring has room to spare above
 * n (the fuzz targets count on both to take every mbuf back); NULL when
 * either cannot be had.
 */
static inline struct rte_mempool *
vsw_eal_env_ring_pool(const char *name, unsigned int n)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create_by_ops(
		name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY, "ring_mp_mc");

	if (mp != NULL && rte_ring_get_capacity(mp->pool_data) <= n) {
		rte_mempool_free(mp);
		return NULL;
	}
	return mp;
}

static inline void
vsw_eal_env_unpoison_obj(struct rte_mempool *mp, void *arg, void *obj,
			 unsigned int idx)
{
	struct rte_mbuf *m = obj;

	RTE_SET_USED(mp);
	RTE_SET_USED(arg);
	RTE_SET_USED(idx);
	ASAN_UNPOISON_MEMORY_REGION(m->buf_addr, m->buf_len);
}

/* Fuzz targets poison the head- or tailroom of the frames they build:
 * unpoison all of the pool's data before the pool is freed. */
static inline void
vsw_eal_env_unpoison_mbufs(struct rte_mempool *mp)
{
	rte_mempool_obj_iter(mp, vsw_eal_env_unpoison_obj, NULL);
}

#endif /* VSW_TESTS_EAL_ENV_H */
