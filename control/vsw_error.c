/* SPDX-License-Identifier: BSD-3-Clause */
#include "vsw_error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
vsw_error_set(struct vsw_error *err, int errnum, const char *type,
	      const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return errnum;
	err->errnum = errnum;
	snprintf(err->type, sizeof(err->type), "%s", type ? type : "");
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return errnum;
}

void
vsw_error_clear(struct vsw_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

int
vsw_error_http_code(int errnum)
{
	switch (errnum) {
	case -EINVAL:
		return 400;
	case -EPERM:
	case -EACCES:
		return 403;
	case -ENOENT:
		return 404;
	case -EEXIST:
	case -EBUSY:
		return 409;
	case -EMSGSIZE:
	case -E2BIG:
		return 413;
	case -ENOSPC:
	case -ENOMEM:
		return 503;
	default:
		return 500;
	}
}
