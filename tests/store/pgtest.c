/* tests/store/pgtest.c: a schema per test on PostgreSQL, or a SQLite file
 * (see pgtest.h). */
#include "pgtest.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char schema[64];

const char *pgtest_base(void)
{
	const char *d = getenv("AC_TEST_PG_DSN");

	return d && *d ? d : NULL;
}

/* admin runs SQL on the base DSN; aborts the test when it fails. */
static void admin(const char *sql)
{
	PGconn *c = PQconnectdb(pgtest_base());
	PGresult *r;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql,
		     PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

void pgtest_schema_new(char *dsn, size_t n)
{
	const char *base = pgtest_base();
	struct timespec t;
	char sql[128];

	clock_gettime(CLOCK_REALTIME, &t);
	snprintf(schema, sizeof schema, "t_%ld_%ld", (long)getpid(),
		 (long)(t.tv_nsec % 1000000));
	snprintf(sql, sizeof sql, "SET client_min_messages = warning; "
		 "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s",
		 schema, schema);
	admin(sql);
	snprintf(dsn, n, "%s%soptions=-csearch_path%%3D%s&application_name=%s",
		 base, strchr(base, '?') ? "&" : "?", schema, schema);
}

void pgtest_schema_drop(void)
{
	char sql[128];

	if (!schema[0])
		return;
	snprintf(sql, sizeof sql, "SET client_min_messages = warning; "
		 "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	admin(sql);
	schema[0] = '\0';
}

static char dir[64];                    /* pgtest_db_new's, on SQLite */

void pgtest_db_new(const char *tag, char *path, size_t n)
{
	if (pgtest_base()) {
		pgtest_schema_new(path, n);
		return;
	}
	snprintf(dir, sizeof dir, "/tmp/ac-%s-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
	snprintf(path, n, "%s/t.db", dir);
}

void pgtest_db_drop(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[600];

	if (pgtest_base()) {
		pgtest_schema_drop();
		return;
	}
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

void pgtest_drop_connections(void)
{
	char sql[200];

	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(pid, 5000) "
		 "FROM pg_stat_activity WHERE application_name = '%s'",
		 schema);
	pgtest_count(pgtest_base(), sql);  /* -1 when there was none */
}

long long pgtest_count(const char *dsn, const char *sql)
{
	PGconn *c = PQconnectdb(dsn);
	PGresult *r;
	long long v = -1;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql,
		     PQerrorMessage(c));
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		const char *s = PQgetvalue(r, 0, 0);

		/* a boolean answers t or f */
		v = !strcmp(s, "t") ? 1 : !strcmp(s, "f") ? 0
						       : strtoll(s, NULL, 10);
	}
	PQclear(r);
	PQfinish(c);
	return v;
}

int pgtest_exec(const char *dsn, const char *sql, char *msg, size_t cap)
{
	PGconn *c = PQconnectdb(dsn);
	PGresult *r;
	int rc = 0;

	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		/* class 23: an integrity constraint refused it */
		rc = state && !strncmp(state, "23", 2) ? 2 : 1;
	}
	snprintf(msg, cap, "%s", rc ? PQerrorMessage(c) : "");
	PQclear(r);
	PQfinish(c);
	return rc;
}
