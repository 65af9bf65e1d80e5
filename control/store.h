/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_STORE_H
#define VSW_STORE_H

/*
 * The durable store: one SQLite row per object (id, kind, project_id, JSON
 * body) in WAL mode with synchronous=FULL. Only writes go here; reads are
 * served from the in-memory model.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vsw_error.h"

struct vsw_store;

#define VSW_STORE_SCHEMA_VERSION 1

/* Called once per stored object, in insertion order, while opening. A
 * negative return (with err set) fails the open with -EIO. */
typedef int (*vsw_store_row_fn)(void *arg, const char *id, const char *kind,
				const char *project_id, const char *body,
				size_t body_len, struct vsw_error *err);

/*
 * Opens path (":memory:" for a private in-memory db), creating it mode 0600
 * when absent. An existing file is first checked read-only (SQLite header,
 * quick_check, application id, schema version, rows via load_row) and is
 * never written when a check fails: -EIO with the file and problem in err.
 */
int vsw_store_open(const char *path, vsw_store_row_fn load_row, void *arg,
		   struct vsw_store **out, struct vsw_error *err);
void vsw_store_close(struct vsw_store *st);

/* One transaction per group, one savepoint per request inside it. */
int vsw_store_begin(struct vsw_store *st, struct vsw_error *err);
int vsw_store_commit(struct vsw_store *st, struct vsw_error *err);
void vsw_store_rollback(struct vsw_store *st);
int vsw_store_savepoint(struct vsw_store *st, struct vsw_error *err);
int vsw_store_release(struct vsw_store *st, struct vsw_error *err);
int vsw_store_rollback_to(struct vsw_store *st, struct vsw_error *err);
/* False once SQLite has ended the transaction by itself (I/O error). */
bool vsw_store_in_transaction(const struct vsw_store *st);

int vsw_store_put(struct vsw_store *st, const char *id, const char *kind,
		  const char *project_id, const char *body,
		  struct vsw_error *err);
int vsw_store_delete(struct vsw_store *st, const char *id,
		     struct vsw_error *err);

/* Tests only: the next commit fails with errnum (and rolls back). */
void vsw_store_fail_next_commit(struct vsw_store *st, int errnum);

#endif
