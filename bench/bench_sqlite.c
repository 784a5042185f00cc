/* bench_sqlite.c: SQLite's own rate for one durable row per transaction,
 * the reference for "cases opened per second" in bench/serve.sh.
 *
 *   bench_sqlite DB [N]      (N rows, default 2000; DB must not exist)
 *
 * Opens DB in WAL mode with synchronous=FULL (as the server does: every
 * commit is fsync'd), then inserts N rows of about 1 KB (a case's size),
 * each in its own BEGIN IMMEDIATE ... COMMIT with a prepared statement,
 * and prints "N rows in S s: R rows/s" on standard output (wall clock,
 * CLOCK_MONOTONIC). Exit status 1 on any SQLite error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define ROW_BYTES 1024

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_sqlite: %s: %s\n", sql,
			msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	static char body[ROW_BYTES + 1];
	long n = 2000;
	double t0, t1;
	int status = 1;

	if (argc < 2 || argc > 3) {
		fputs("usage: bench_sqlite DB [N]\n", stderr);
		return 2;
	}
	if (argc == 3) {
		char *end;

		errno = 0;
		n = strtol(argv[2], &end, 10);
		if (errno || *end || n < 1) {
			fprintf(stderr, "bench_sqlite: N: not a count: %s\n",
				argv[2]);
			return 2;
		}
	}
	for (size_t i = 0; i < ROW_BYTES; i++)
		body[i] = (char)('a' + i % 26);

	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE,
			    NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_sqlite: %s: %s\n", argv[1],
			db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (exec(db, "PRAGMA journal_mode = WAL") ||
	    exec(db, "PRAGMA synchronous = FULL") ||
	    exec(db, "CREATE TABLE rows (id INTEGER PRIMARY KEY, "
		 "ref TEXT NOT NULL UNIQUE, body TEXT NOT NULL)"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO rows (ref, body) "
			       "VALUES (?1, ?2)", -1, &ins, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "bench_sqlite: prepare: %s\n",
			sqlite3_errmsg(db));
		goto out;
	}

	t0 = now_s();
	for (long i = 0; i < n; i++) {
		char ref[32];

		snprintf(ref, sizeof ref, "C-%06ld", i + 1);
		if (exec(db, "BEGIN IMMEDIATE"))
			goto out;
		sqlite3_bind_text(ins, 1, ref, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, body, ROW_BYTES, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "bench_sqlite: insert: %s\n",
				sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
		if (exec(db, "COMMIT"))
			goto out;
	}
	t1 = now_s();
	printf("%ld rows in %.3f s: %.1f rows/s\n", n, t1 - t0,
	       (double)n / (t1 - t0));
	status = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return status;
}
