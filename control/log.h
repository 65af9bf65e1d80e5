/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_LOG_H
#define VSW_LOG_H

/* All vsw logging goes through rte_log: one line per event. */
#include <rte_log.h>

extern int vsw_logtype_control;
extern int vsw_logtype_dataplane;

#define VSW_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vsw_logtype_control, "vsw: " fmt "\n", ##__VA_ARGS__)
#define VSW_DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vsw_logtype_dataplane, "vsw.dp: " fmt "\n", ##__VA_ARGS__)

#endif
