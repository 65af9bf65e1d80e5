/* SPDX-License-Identifier: BSD-3-Clause */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"

/* PRAGMA application_id of vsw state files: "vswd". */
#define VSW_STORE_APPLICATION_ID 0x76737764
/* A writer elsewhere (an operator's sqlite3) may hold the lock briefly;
 * never stall the control thread longer than this. */
#define VSW_STORE_BUSY_TIMEOUT_MS 100

enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_PUT,
	ST_DELETE,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT r",
	[ST_RELEASE] = "RELEASE r",
	[ST_ROLLBACK_TO] = "ROLLBACK TO r",
	[ST_PUT] = "INSERT INTO objects(id, kind, project_id, body) "
		   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET "
		   "kind = excluded.kind, project_id = excluded.project_id, "
		   "body = excluded.body",
	[ST_DELETE] = "DELETE FROM objects WHERE id = ?1",
};

static const char schema_sql[] =
	"BEGIN;"
	"PRAGMA application_id = 1987278692;"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta(key, value) VALUES ('schema_version', '1');"
	"CREATE TABLE objects(id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
	"project_id TEXT NOT NULL, body TEXT NOT NULL);"
	"COMMIT;";

struct vsw_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	char *path;
	int fail_next_commit;
};

static int
sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int
write_error(struct vsw_store *st, int rc, const char *what,
	    struct vsw_error *err)
{
	return vsw_error_set(err, sqlite_errno(rc), "StateWriteFailed", NULL,
			     "state db %s: %s: %s", st->path, what,
			     sqlite3_errmsg(st->db));
}

static int
invalid_db(struct vsw_error *err, const char *path, const char *problem,
	   const char *detail)
{
	char line[160] = "";

	/* One log line per event: quick_check reports one line per fault. */
	if (detail != NULL) {
		size_t i;

		for (i = 0; detail[i] != '\0' && i < sizeof(line) - 1; i++)
			line[i] = (detail[i] == '\n' || detail[i] == '\r') ? ' ' : detail[i];
		line[i] = '\0';
	}
	VSW_LOG(ERR, "state db %s: %s%s%s", path, problem, detail ? ": " : "", line);
	return vsw_error_set(err, -EIO, "StateDbInvalid", NULL,
			     "state db %s: %s%s%.120s", path, problem,
			     detail ? ": " : "", line);
}

static bool
is_memory_path(const char *path)
{
	return strcmp(path, ":memory:") == 0;
}

/* --- checks of an existing file, on a read-only connection --- */

static int
check_header(const char *path, struct vsw_error *err)
{
	static const char magic[16] = "SQLite format 3";
	char header[100];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return invalid_db(err, path, "cannot open", strerror(errno));
	n = read(fd, header, sizeof(header));
	close(fd);
	if (n != (ssize_t)sizeof(header) || memcmp(header, magic, sizeof(magic)) != 0)
		return invalid_db(err, path, "not an SQLite database", NULL);
	return 0;
}

static int
check_quick(sqlite3 *db, const char *path, struct vsw_error *err)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL);
	const char *result;

	if (rc != SQLITE_OK)
		return invalid_db(err, path, "unreadable", sqlite3_errmsg(db));
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		invalid_db(err, path, "unreadable", sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -EIO;
	}
	result = (const char *)sqlite3_column_text(s, 0);
	if (result == NULL || strcmp(result, "ok") != 0) {
		invalid_db(err, path, "integrity check failed", result);
		sqlite3_finalize(s);
		return -EIO;
	}
	sqlite3_finalize(s);
	return 0;
}

/* Runs a one-row, one-column query; NULL statement on failure. */
static sqlite3_stmt *
query_one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static int
check_identity(sqlite3 *db, const char *path, struct vsw_error *err)
{
	sqlite3_stmt *s = query_one(db, "PRAGMA application_id");
	char detail[96];
	int app_id, version;
	const char *text;

	if (s == NULL)
		return invalid_db(err, path, "unreadable", sqlite3_errmsg(db));
	app_id = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (app_id != VSW_STORE_APPLICATION_ID) {
		snprintf(detail, sizeof(detail), "application_id is %#x", (unsigned int)app_id);
		return invalid_db(err, path, "not a vsw state database", detail);
	}
	s = query_one(db, "SELECT value FROM meta WHERE key = 'schema_version'");
	if (s == NULL)
		return invalid_db(err, path, "not a vsw state database",
				  "no schema version in table meta");
	text = (const char *)sqlite3_column_text(s, 0);
	version = text ? atoi(text) : 0;
	sqlite3_finalize(s);
	if (version > VSW_STORE_SCHEMA_VERSION) {
		snprintf(detail, sizeof(detail), "schema version %d, this vsw knows %d",
			 version, VSW_STORE_SCHEMA_VERSION);
		return invalid_db(err, path, "written by a newer vsw", detail);
	}
	if (version != VSW_STORE_SCHEMA_VERSION)
		return invalid_db(err, path, "unsupported schema version", text);
	return 0;
}

static int
load_rows(sqlite3 *db, const char *path, vsw_store_row_fn load_row, void *arg,
	  struct vsw_error *err)
{
	sqlite3_stmt *s;
	struct vsw_error row_err;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT id, kind, project_id, body FROM objects "
				"ORDER BY rowid", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return invalid_db(err, path, "not a vsw state database",
				  sqlite3_errmsg(db));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		const char *kind = (const char *)sqlite3_column_text(s, 1);
		const char *project = (const char *)sqlite3_column_text(s, 2);
		const char *body = (const char *)sqlite3_column_text(s, 3);
		size_t body_len = (size_t)sqlite3_column_bytes(s, 3);

		if (id == NULL || kind == NULL || project == NULL || body == NULL) {
			sqlite3_finalize(s);
			return invalid_db(err, path, "row with a NULL column", NULL);
		}
		vsw_error_clear(&row_err);
		if (load_row != NULL &&
		    load_row(arg, id, kind, project, body, body_len, &row_err) < 0) {
			sqlite3_finalize(s);
			return invalid_db(err, path, "bad object", row_err.message);
		}
	}
	if (rc != SQLITE_DONE) {
		invalid_db(err, path, "unreadable", sqlite3_errmsg(db));
		sqlite3_finalize(s);
		return -EIO;
	}
	sqlite3_finalize(s);
	return 0;
}

static bool
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* A read-only connection to a WAL-mode file still creates -wal and -shm
 * beside it: remove those we caused when the file is refused. */
struct sidecars {
	char wal[4096], shm[4096];
	bool had_wal, had_shm;
};

static void
sidecars_note(struct sidecars *sc, const char *path)
{
	snprintf(sc->wal, sizeof(sc->wal), "%s-wal", path);
	snprintf(sc->shm, sizeof(sc->shm), "%s-shm", path);
	sc->had_wal = file_exists(sc->wal);
	sc->had_shm = file_exists(sc->shm);
}

static void
sidecars_remove_new(const struct sidecars *sc)
{
	if (!sc->had_wal)
		unlink(sc->wal);
	if (!sc->had_shm)
		unlink(sc->shm);
}

static int
check_and_load(const char *path, vsw_store_row_fn load_row, void *arg,
	       struct vsw_error *err)
{
	struct sidecars sc;
	sqlite3 *db = NULL;
	int rc = check_header(path, err);

	if (rc < 0)
		return rc;
	sidecars_note(&sc, path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = invalid_db(err, path, "cannot open",
				db ? sqlite3_errmsg(db) : "out of memory");
	} else {
		rc = check_quick(db, path, err);
		if (rc == 0)
			rc = check_identity(db, path, err);
		if (rc == 0)
			rc = load_rows(db, path, load_row, arg, err);
	}
	sqlite3_close(db);
	if (rc < 0)
		sidecars_remove_new(&sc);
	return rc;
}

/* --- the read-write connection --- */

static int
exec_sql(struct vsw_store *st, const char *sql, struct vsw_error *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		vsw_error_set(err, sqlite_errno(rc), "StateWriteFailed", NULL,
			      "state db %s: %s", st->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return sqlite_errno(rc);
	}
	return 0;
}

static int
configure(struct vsw_store *st, struct vsw_error *err)
{
	sqlite3_stmt *s = query_one(st->db, "PRAGMA journal_mode = WAL");
	const char *mode = s ? (const char *)sqlite3_column_text(s, 0) : NULL;
	bool wal = mode && strcmp(mode, "wal") == 0;
	int rc;

	sqlite3_finalize(s);
	if (!wal && !is_memory_path(st->path))
		return vsw_error_set(err, -EIO, "StateDbInvalid", NULL,
				     "state db %s: cannot enable WAL mode: %s",
				     st->path, sqlite3_errmsg(st->db));
	rc = exec_sql(st, "PRAGMA synchronous = FULL", err);
	if (rc < 0)
		return rc;
	sqlite3_busy_timeout(st->db, VSW_STORE_BUSY_TIMEOUT_MS);
	return 0;
}

static int
prepare_statements(struct vsw_store *st, struct vsw_error *err)
{
	for (int i = 0; i < ST_COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
					    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);

		if (rc != SQLITE_OK)
			return write_error(st, rc, "prepare", err);
	}
	return 0;
}

static int
open_rw(struct vsw_store *st, int flags, struct vsw_error *err)
{
	int rc = sqlite3_open_v2(st->path, &st->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | flags, NULL);

	if (rc != SQLITE_OK)
		return vsw_error_set(err, -EIO, "StateDbInvalid", NULL,
				     "state db %s: cannot open: %s", st->path,
				     st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	return configure(st, err);
}

/* Creates the file ourselves so it is 0600 before any data lands; SQLite
 * gives -wal and -shm the mode of the db file. */
static int
create_file(const char *path, struct vsw_error *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return vsw_error_set(err, -EIO, "StateDbInvalid", NULL,
				     "state db %s: cannot create: %s", path, strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		return vsw_error_set(err, -EIO, "StateDbInvalid", NULL,
				     "state db %s: chmod: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static void
remove_created(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char name[4096];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
		unlink(name);
	}
}

static int
open_existing(struct vsw_store *st, const struct stat *sb,
	      vsw_store_row_fn load_row, void *arg, struct vsw_error *err)
{
	int rc = check_and_load(st->path, load_row, arg, err);

	if (rc < 0)
		return rc;
	/* The file holds secrets: tighten a mode someone widened. */
	if ((sb->st_mode & 077) != 0 && chmod(st->path, sb->st_mode & 0700) == 0)
		VSW_LOG(WARNING, "state db %s: mode tightened to 0%o", st->path,
			(unsigned int)(sb->st_mode & 0700));
	return open_rw(st, 0, err);
}

static int
open_new(struct vsw_store *st, bool exists, struct vsw_error *err)
{
	bool memory = is_memory_path(st->path);
	int rc = 0;

	if (!memory && !exists)
		rc = create_file(st->path, err);
	else if (!memory && chmod(st->path, 0600) < 0)
		rc = vsw_error_set(err, -EIO, "StateDbInvalid", NULL,
				   "state db %s: chmod: %s", st->path, strerror(errno));
	if (rc < 0)
		return rc;
	rc = open_rw(st, memory ? SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY : 0, err);
	if (rc == 0)
		rc = exec_sql(st, schema_sql, err);
	if (rc < 0 && !memory && !exists) {
		sqlite3_close(st->db);
		st->db = NULL;
		remove_created(st->path);
	}
	return rc;
}

void
vsw_store_close(struct vsw_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
vsw_store_open(const char *path, vsw_store_row_fn load_row, void *arg,
	       struct vsw_store **out, struct vsw_error *err)
{
	struct vsw_store *st = calloc(1, sizeof(*st));
	struct stat sb;
	int rc;

	*out = NULL;
	if (st == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		return vsw_error_set(err, -ENOMEM, "ResourceExhausted", NULL, "out of memory");
	}
	if (is_memory_path(path)) {
		rc = open_new(st, false, err);
	} else if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode))
			rc = invalid_db(err, path, "not a regular file", NULL);
		else if (sb.st_size == 0)
			rc = open_new(st, true, err);
		else
			rc = open_existing(st, &sb, load_row, arg, err);
	} else if (errno == ENOENT) {
		rc = open_new(st, false, err);
	} else {
		rc = invalid_db(err, path, "cannot access", strerror(errno));
	}
	if (rc == 0)
		rc = prepare_statements(st, err);
	if (rc < 0) {
		vsw_store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

static int
run(struct vsw_store *st, enum store_stmt which, const char *what,
    struct vsw_error *err)
{
	sqlite3_stmt *s = st->stmt[which];
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return write_error(st, rc, what, err);
	return 0;
}

int
vsw_store_begin(struct vsw_store *st, struct vsw_error *err)
{
	return run(st, ST_BEGIN, "begin", err);
}

int
vsw_store_commit(struct vsw_store *st, struct vsw_error *err)
{
	if (st->fail_next_commit != 0) {
		int errnum = st->fail_next_commit;

		st->fail_next_commit = 0;
		vsw_store_rollback(st);
		return vsw_error_set(err, errnum, "StateWriteFailed", NULL,
				     "state db %s: commit failed (injected)", st->path);
	}
	return run(st, ST_COMMIT, "commit", err);
}

void
vsw_store_rollback(struct vsw_store *st)
{
	if (vsw_store_in_transaction(st))
		run(st, ST_ROLLBACK, "rollback", NULL);
}

int
vsw_store_savepoint(struct vsw_store *st, struct vsw_error *err)
{
	return run(st, ST_SAVEPOINT, "savepoint", err);
}

int
vsw_store_release(struct vsw_store *st, struct vsw_error *err)
{
	return run(st, ST_RELEASE, "release savepoint", err);
}

int
vsw_store_rollback_to(struct vsw_store *st, struct vsw_error *err)
{
	int rc = run(st, ST_ROLLBACK_TO, "rollback to savepoint", err);

	if (rc == 0)
		rc = run(st, ST_RELEASE, "release savepoint", err);
	return rc;
}

bool
vsw_store_in_transaction(const struct vsw_store *st)
{
	return sqlite3_get_autocommit(st->db) == 0;
}

int
vsw_store_put(struct vsw_store *st, const char *id, const char *kind,
	      const char *project_id, const char *body, struct vsw_error *err)
{
	sqlite3_stmt *s = st->stmt[ST_PUT];

	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, project_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, body, -1, SQLITE_STATIC);
	return run(st, ST_PUT, "write", err);
}

int
vsw_store_delete(struct vsw_store *st, const char *id, struct vsw_error *err)
{
	sqlite3_bind_text(st->stmt[ST_DELETE], 1, id, -1, SQLITE_STATIC);
	return run(st, ST_DELETE, "delete", err);
}

void
vsw_store_fail_next_commit(struct vsw_store *st, int errnum)
{
	st->fail_next_commit = errnum;
}
