/* SPDX-License-Identifier: BSD-3-Clause */
/* What both port backends share. */
#include <stdarg.h>
#include <stdio.h>

#include "dp_port.h"
#include "log.h"

int
vsw_dp_port_fail(struct vsw_dp_port *p, char *err, size_t errlen, int rc,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s", p->error);
	__atomic_store_n(&p->state, VSW_DP_PORT_ERROR, __ATOMIC_RELAXED);
	VSW_DP_LOG(ERR, "vnic %s: %s", p->cfg.name, p->error);
	return rc;
}
