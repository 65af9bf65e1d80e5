/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_ERROR_H
#define VSW_ERROR_H

/*
 * Errors of the control plane. Functions return 0 or a negative errno and,
 * on failure, fill a struct vsw_error with the API's error type (Neutron
 * style, e.g. "MacAddressInUse"), the offending field and a message.
 * vsw_error_http_code() is the one place errno becomes an API code.
 *
 *   -EINVAL            400 bad value (InvalidInput, InvalidCidr, ...)
 *   -EPERM / -EACCES   403 forbidden
 *   -ENOENT            404 not found (also for other projects' objects)
 *   -EEXIST / -EBUSY   409 conflict (in use, duplicate MAC/IP)
 *   -EMSGSIZE / -E2BIG 413 too large
 *   -ENOSPC / -ENOMEM  503 resource exhausted
 *   -EIO and others    500 internal (state write failed, ...)
 */

#include <stdarg.h>

struct vsw_error {
	int errnum;          /* negative errno, 0 when no error was set */
	char type[64];       /* e.g. "NetworkInUse" */
	char field[64];      /* offending field, "" when none */
	char message[256];   /* human text, never contains secrets */
};

/* Sets err (if not NULL) and returns errnum (a negative errno). */
int vsw_error_set(struct vsw_error *err, int errnum, const char *type,
		  const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void vsw_error_clear(struct vsw_error *err);

/* HTTP-like API code for a negative errno (see table above). */
int vsw_error_http_code(int errnum);

#endif
