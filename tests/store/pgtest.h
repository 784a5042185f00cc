/* tests/store/pgtest.h: the store suite on PostgreSQL (tests only), and
 * a database per test on either backend (pgtest_db_new).
 * With AC_TEST_PG_DSN set (a libpq URI of a database the tests may fill
 * and wipe: `make test-store-pg` starts a private cluster for it), each
 * test gets a schema of its own in that database, named after its
 * process, and opens the store on a DSN that selects it (search_path);
 * the schema is dropped after the test. The raw_* look-ups behind the
 * store's back go through libpq there. */
#ifndef AC_TESTS_STORE_PGTEST_H
#define AC_TESTS_STORE_PGTEST_H

#include <stddef.h>

/* pgtest_base: AC_TEST_PG_DSN, or NULL to test SQLite. */
const char *pgtest_base(void);

/* pgtest_schema_new creates a fresh schema and writes a DSN that selects
 * it into dsn (n bytes); aborts the test when it cannot. */
void pgtest_schema_new(char *dsn, size_t n);

/* pgtest_schema_drop drops the schema pgtest_schema_new made. */
void pgtest_schema_drop(void);

/* pgtest_db_new makes the test's database, on either backend: with
 * AC_TEST_PG_DSN a schema (pgtest_schema_new), else a file t.db in a new
 * directory /tmp/ac-<tag>-XXXXXX; writes what store_open takes into path
 * (n bytes). Aborts the test when it cannot. */
void pgtest_db_new(const char *tag, char *path, size_t n);

/* pgtest_db_drop removes what pgtest_db_new made (the schema, or the
 * file with its -wal, -shm and -journal and the directory); close the
 * store first. */
void pgtest_db_drop(const char *path);

/* pgtest_drop_connections ends the server side of every connection the
 * test opened with the DSN pgtest_schema_new wrote (its
 * application_name is the schema's), and waits for them to end. */
void pgtest_drop_connections(void);

/* pgtest_count answers a one-number query on dsn (-1: no row). */
long long pgtest_count(const char *dsn, const char *sql);

/* pgtest_exec runs SQL on dsn: 0, else 2 when a constraint refused it
 * (SQLSTATE class 23) or 1, with the server's message in msg. */
int pgtest_exec(const char *dsn, const char *sql, char *msg, size_t cap);

#endif
