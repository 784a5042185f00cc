/* backup.c: store_backup, SQLite's online backup (store layer).
 * One read transaction on a connection of its own pins the snapshot the
 * copy is made of, so writers on other connections (WAL) never restart
 * it and the copy holds every write committed before it began. The copy
 * is written to a new file (O_EXCL, never an existing one), page steps at
 * a time, then checked with PRAGMA integrity_check on its own. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define BACKUP_STEP_PAGES 256

static int starts_with(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* check copies the result of PRAGMA integrity_check on db into err;
 * 0 when it says "ok". */
static int check(sqlite3 *db, struct ac_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = AC_EIO;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
			       NULL) != SQLITE_OK)
		return ac_err_set(err, AC_EIO, "to", "integrity_check: %s",
				  sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t && !strcmp(t, "ok"))
			rc = 0;
		else
			ac_err_set(err, AC_EIO, "to", "integrity_check: %s",
				   t ? t : "no answer");
	} else {
		ac_err_set(err, AC_EIO, "to", "integrity_check: %s",
			   sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc;
}

int store_backup(const char *dsn, const char *to, int *pages,
		 struct ac_err *err)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b = NULL;
	int rc = 0, fd, src_rc;
	bool made = false, in_txn = false;

	ac_err_clear(err);
	if (pages)
		*pages = 0;
	if (!dsn || !*dsn || !to || !*to)
		return ac_err_set(err, AC_EINVAL, dsn && *dsn ? "to" : "db",
				  "empty");
	if (starts_with(dsn, "postgresql://") ||
	    starts_with(dsn, "postgres://"))
		return ac_err_set(err, AC_EINVAL, "db", "backup copies SQLite "
				  "databases only; for PostgreSQL use pg_dump "
				  "(see the README, \"Backups\")");
	if (sqlite3_open_v2(dsn, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
			    NULL) != SQLITE_OK) {
		rc = ac_err_set(err, AC_EINVAL, "db", "cannot open: %s",
				src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	/* the snapshot: held until the copy is done */
	if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master",
			 NULL, NULL, NULL) != SQLITE_OK) {
		rc = ac_err_set(err, AC_EINVAL, "db", "cannot read: %s",
				sqlite3_errmsg(src));
		goto out;
	}
	in_txn = true;
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = ac_err_set(err, errno == EEXIST ? AC_ECONFLICT : AC_EIO,
				"to", "%s: %s", to, errno == EEXIST ?
				"exists; backup never overwrites a file" :
				strerror(errno));
		goto out;
	}
	close(fd);
	made = true;
	if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		rc = ac_err_set(err, AC_EIO, "to", "cannot open: %s",
				dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		rc = ac_err_set(err, AC_EIO, "to", "backup: %s",
				sqlite3_errmsg(dst));
		goto out;
	}
	do {
		src_rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		if (src_rc == SQLITE_BUSY || src_rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
	} while (src_rc == SQLITE_OK || src_rc == SQLITE_BUSY ||
		 src_rc == SQLITE_LOCKED);
	if (pages)
		*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	b = NULL;
	if (src_rc != SQLITE_DONE) {
		rc = ac_err_set(err, AC_EIO, "to", "backup step: %s",
				sqlite3_errstr(src_rc));
		goto out;
	}
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	in_txn = false;
	rc = check(dst, err);
out:
	if (b)
		sqlite3_backup_finish(b);
	if (in_txn)
		sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc && made)
		unlink(to);
	return rc;
}
