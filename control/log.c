/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

RTE_LOG_REGISTER(vsw_logtype_control, vsw.control, INFO);
RTE_LOG_REGISTER(vsw_logtype_dataplane, vsw.dataplane, INFO);
