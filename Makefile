# aftercare: one GNU Makefile. Dependencies come from pkg-config; output
# goes to $(B) (build/ by default). `make SANITIZE=address,undefined`
# builds with sanitizers into build/san/.
#
#   make            build build/aftercare
#   make test       every test, normally and under ASan+UBSan
#   make run        the main job (see README.md)
#   make bench      benchmarks, printed as ratios against peers
#   make fuzz       libFuzzer harnesses, bounded (FUZZ_SECONDS each)
#   make lint       banned calls, long lines, SQL outside src/store

B ?= build
CC ?= gcc
PKGS = libcjson libsodium sqlite3 libmicrohttpd libpq libcurl

# Warnings, explicit:
#   -Wall -Wextra      the usual
#   -Wshadow           a local hiding another is a bug waiting
#   -Wstrict-prototypes -Wmissing-prototypes   every function declared
#   -Wvla              no variable-length arrays (stack size is a limit)
#   -Werror            warnings do not pile up
#   -Wno-format-truncation   error texts and field paths live in fixed
#                      buffers and are cut short on purpose (snprintf)
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wvla -Werror -Wno-format-truncation
# Money lives in src/core: implicit narrowing there is an error.
CORE_WARN = -Wconversion -Wsign-conversion

OPT ?= -O2
CFLAGS_BASE = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) -g \
	      $(WARN) -MMD -MP $(shell pkg-config --cflags $(PKGS))
LDLIBS_BASE = $(shell pkg-config --libs $(PKGS)) -lpthread

ifneq ($(SANITIZE),)
CFLAGS_BASE += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	       -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

CORE_SRC = $(wildcard src/core/*.c)
CODEC_SRC = $(wildcard src/codec/*.c)
STORE_SRC = $(wildcard src/store/*.c)
DESK_SRC = $(wildcard src/desk/*.c)
HTTP_SRC = $(wildcard src/http/*.c)
WEB_SRC = $(wildcard src/web/*.c)
# e-mail to customers (src/mail, issue 10): beside src/web, in the server
MAIL_SRC = $(wildcard src/mail/*.c)
# The pages' files (templates, CSS, scripts), built into the program.
WEB_FILES = $(sort $(wildcard web/pages/*) $(wildcard web/static/*) $(wildcard web/mail/*))
CLI_SRC = $(wildcard src/cli/*.c)
PAY_SRC = $(wildcard src/pay/*.c)

CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
CODEC_OBJ = $(CODEC_SRC:%.c=$(B)/%.o) $(B)/src/codec/policy_default.o
STORE_OBJ = $(STORE_SRC:%.c=$(B)/%.o) $(B)/src/store/migrations.o \
	    $(B)/src/store/migrations_pg.o
DESK_OBJ = $(DESK_SRC:%.c=$(B)/%.o)
HTTP_OBJ = $(HTTP_SRC:%.c=$(B)/%.o) $(B)/src/http/openapi.o
WEB_OBJ = $(WEB_SRC:%.c=$(B)/%.o) $(B)/web-files.o
MAIL_OBJ = $(MAIL_SRC:%.c=$(B)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(B)/%.o)
PAY_OBJ = $(PAY_SRC:%.c=$(B)/%.o)
LIB_OBJ = $(CORE_OBJ) $(CODEC_OBJ)
SERVE_OBJ = $(STORE_OBJ) $(DESK_OBJ) $(HTTP_OBJ) $(WEB_OBJ) $(MAIL_OBJ) $(PAY_OBJ)

.PHONY: all deps test test-unit test-store test-store-pg test-desk \
	test-desk-pg test-api-pg test-two-servers-pg test-pg-faults \
	test-migrate-pg test-replay-pg \
	test-scenarios test-san \
	mutate run bench \
	test-api test-api-one-cpu test-crash test-web test-web-unit screenshots \
	fuzz lint serve-objs \
	clean
all: deps $(B)/aftercare

# A plain `make` installs only what compiling needs, and only when it is
# missing (CONTRACT.md: every make target works on a fresh machine);
# `make run` and `make test` add what running and testing need.
deps:
	@scripts/deps.sh build

$(B)/aftercare: $(CLI_OBJ) $(LIB_OBJ) $(SERVE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_BASE)

$(B)/src/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(CORE_WARN) -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -c -o $@ $<

# The shop's policy is built into the program (it never reads ../shared).
$(B)/src/codec/policy_default.o: src/codec/policy_default.S policy/shop.policy
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

# The case desk's layers, compiled but not yet linked (work in progress).
serve-objs: $(SERVE_OBJ)

# Migrations and the OpenAPI description are built in the same way.
$(B)/src/store/migrations.o: src/store/migrations.S \
		$(wildcard src/store/migrations/*.sql)
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

$(B)/src/store/migrations_pg.o: src/store/migrations_pg.S \
		$(wildcard src/store/migrations/pg/*.sql)
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

$(B)/src/http/openapi.o: src/http/openapi.S web/openapi.json
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

# web/pages and web/static, listed in a table (src/web/web.h: web_files).
$(B)/web-files.S: scripts/embed-web.sh $(WEB_FILES)
	@mkdir -p $(@D)
	scripts/embed-web.sh $(WEB_FILES) > $@

$(B)/web-files.o: $(B)/web-files.S
	$(CC) -c -o $@ $<

# ---- tests ---------------------------------------------------------------
UNIT_SRC = $(wildcard tests/core/*.c) $(wildcard tests/codec/*.c)
UNIT_OBJ = $(UNIT_SRC:%.c=$(B)/%.o)

$(B)/unit-tests: $(UNIT_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_BASE) \
		$(shell pkg-config --libs criterion)

test-unit: $(B)/unit-tests
	$(B)/unit-tests --jobs 2

# The store suite: a real SQLite file per test, in a temporary directory.
STORE_TEST_SRC = $(wildcard tests/store/*.c)
STORE_TEST_OBJ = $(STORE_TEST_SRC:%.c=$(B)/%.o)

$(B)/store-tests: $(STORE_TEST_OBJ) $(STORE_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_BASE) \
		$(shell pkg-config --libs criterion)

test-store: $(B)/store-tests
	$(B)/store-tests --jobs 2

# The suites again on PostgreSQL: PG_RUN starts a private cluster in a
# temporary directory (scripts/pg-cluster.sh, as the postgres user when
# root), sets DSN to its database and stops and removes it whatever
# happens. test-store-pg: the store suite, a schema per test
# (tests/store/pgtest.h), and the desk suite (test-desk-pg) likewise;
# test-api-pg: tests/api/run.sh on serve --db
# DSN; test-two-servers-pg: two servers refunding the same cases at once.
PG_RUN = scripts/deps.sh pg && d=$$(mktemp -d /tmp/ac-pg-XXXXXX) && \
	trap 'scripts/pg-cluster.sh stop "$$d"; rm -rf "$$d"' EXIT INT TERM && \
	DSN=$$(scripts/pg-cluster.sh start "$$d") &&

test-store-pg: $(B)/store-tests
	@$(PG_RUN) AC_TEST_PG_DSN="$$DSN" $(B)/store-tests --jobs 2
test-desk-pg: $(B)/desk-tests
	@$(PG_RUN) AC_TEST_PG_DSN="$$DSN" $(B)/desk-tests --jobs 2
test-api-pg: $(B)/aftercare
	@$(PG_RUN) AC_TEST_DB="$$DSN" tests/api/run.sh $(B)/aftercare
# test-api-more-pg: the rest of test-api that runs on either backend (the
# pages' HTTP checks, /metrics, concurrency, deadlines), each server on a
# new database of one cluster (tests/api/lib.sh's serve_demo)
API_MORE = pages metrics concurrency deadlines hooks payments reports
test-api-more-pg: $(B)/aftercare
	@$(PG_RUN) for t in $(API_MORE); do \
		AC_TEST_PG_DSN="$$DSN" tests/api/$$t.sh $(B)/aftercare || exit 1; \
	done
test-two-servers-pg: $(B)/aftercare
	@$(PG_RUN) tests/api/pg-two-servers.sh $(B)/aftercare "$$DSN"
# test-import-pg: tests/cli/import.sh on a database of a private cluster
.PHONY: test-import-pg
test-import-pg: $(B)/aftercare
	@$(PG_RUN) AC_TEST_PG_DSN="$$DSN" tests/cli/import.sh $(B)/aftercare
# test-mail-pg: mail.sh on PostgreSQL, and two servers sharing one outbox
.PHONY: test-mail-pg
test-mail-pg: $(B)/aftercare
	@$(PG_RUN) AC_TEST_PG_DSN="$$DSN" tests/api/mail.sh $(B)/aftercare && \
		tests/api/mail-two.sh $(B)/aftercare "$$DSN"
# PostgreSQL stopped and started under load; kill -9 of the server.
test-pg-faults: $(B)/aftercare
	@$(PG_RUN) tests/api/pg-faults.sh $(B)/aftercare "$$d" "$$DSN"

# test-migrate-pg: aftercare migrate SQLite -> PostgreSQL -> SQLite on a
# cluster of its own (the script starts and stops it).
test-migrate-pg: $(B)/aftercare
	@scripts/deps.sh pg && tests/cli/migrate-pg.sh $(B)/aftercare
# test-replay-pg: tests/cli/replay.sh on a database of a private cluster
test-replay-pg: $(B)/aftercare
	@$(PG_RUN) AC_TEST_PG_DSN="$$DSN" tests/cli/replay.sh $(B)/aftercare
# issue 9: the policy's versions, activated from the CLI while serve runs
API_MORE += policies

# The desk suite: the desk's rules on a real SQLite file per test, with a
# fake clock and injected store faults (tests/desk/support.c is its door).
DESK_TEST_SRC = $(wildcard tests/desk/*.c)
DESK_TEST_OBJ = $(DESK_TEST_SRC:%.c=$(B)/%.o)

$(B)/desk-tests: $(DESK_TEST_OBJ) $(B)/tests/store/pgtest.o $(STORE_OBJ) \
		$(DESK_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_BASE) \
		$(shell pkg-config --libs criterion)

test-desk: $(B)/desk-tests
	$(B)/desk-tests --jobs 2

# The pages' own parts (templates, amounts typed by staff, times), linked
# with the server's objects.
WEB_TEST_SRC = $(wildcard tests/web-unit/*.c)
WEB_TEST_OBJ = $(WEB_TEST_SRC:%.c=$(B)/%.o)

$(B)/web-unit-tests: $(WEB_TEST_OBJ) $(SERVE_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_BASE) \
		$(shell pkg-config --libs criterion)

test-web-unit: $(B)/web-unit-tests
	$(B)/web-unit-tests --jobs 2

# Mutation check (not part of `make test`): small changes to src/desk,
# each built in a copy of the tree; fails when the desk suite passes one.
mutate:
	scripts/mutate.sh

test-scenarios: $(B)/aftercare
	tests/scenarios/run.sh $(B)/aftercare
	tests/scenarios/coverage.sh policy/shop.policy tests/scenarios
	tests/cli/run.sh $(B)/aftercare
	tests/cli/replay.sh $(B)/aftercare
	tests/cli/import.sh $(B)/aftercare

# The case desk over real HTTP on loopback (hostile.sh: smuggling, NUL,
# slow and idle floods), and kill -9 while it writes. test-api-one-cpu
# runs concurrency.sh again with the server on one CPU (taskset), where
# one event loop does all the loops' work (libmicrohttpd without its
# pool): in `make test` once, not again under the sanitizers (test-san),
# which keeps make test under 20 minutes. tests/api/suite.sh runs the
# scripts two at a time, those timed against the machine (=name) alone
# first.
API_SCRIPTS = =concurrency =hostile run mail payments hooks deadlines \
	      reports pages backup policies metrics openapi-check
test-api: $(B)/aftercare
	tests/api/suite.sh $(B)/aftercare $(API_SCRIPTS)
test-api-one-cpu: $(B)/aftercare
	SERVE_WRAP="taskset -c 0" tests/api/concurrency.sh $(B)/aftercare
test-crash: $(B)/aftercare
	tests/crash/run.sh $(B)/aftercare 20

# The pages end to end in headless Chromium (Debian's chromium driven by
# playwright-core; axe-core on every page); `make screenshots` also writes
# docs/screenshots/*.png, at 1280 and 360 px.
test-web: $(B)/aftercare
	tests/web/run.sh $(B)/aftercare
screenshots:
	@scripts/deps.sh build serve web
	$(MAKE) $(B)/aftercare
	WEB_SCREENSHOTS=1 WEB_TESTS="pages repair throttle" \
		tests/web/run.sh $(B)/aftercare

# The whole suite again under AddressSanitizer and UBSan (concurrency.sh's
# slow write with 8,000 orders, not 35,000: it took a minute there).
test-san:
	$(MAKE) -j2 B=build/san SANITIZE=address,undefined OPT=-O1 \
		$(TEST_BINS:%=build/san/%)
	CONC_ORDERS=8000 $(MAKE) B=build/san SANITIZE=address,undefined \
		OPT=-O1 test-unit test-store test-desk test-web-unit \
		test-scenarios test-api

# What the suites run, built first on both cores (the tests themselves run
# one target at a time: several are timed against the machine's load).
TEST_BINS = aftercare unit-tests store-tests desk-tests web-unit-tests

test:
	@scripts/deps.sh build serve test web pg
	$(MAKE) -j2 $(TEST_BINS:%=$(B)/%)
	$(MAKE) test-unit test-store test-desk test-web-unit test-scenarios \
		test-api test-api-one-cpu test-crash test-web
	$(MAKE) test-store-pg test-desk-pg test-api-pg test-two-servers-pg \
		test-pg-faults test-migrate-pg test-api-more-pg test-replay-pg
	$(MAKE) test-import-pg
	$(MAKE) test-mail-pg
	$(MAKE) test-san
	scripts/lint.sh
	$(MAKE) -j2 $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	$(MAKE) fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-6}

run:
	@scripts/deps.sh build serve
	$(MAKE) $(B)/aftercare
	@scripts/run.sh $(B)/aftercare

# ---- fuzz ----------------------------------------------------------------
FUZZ_SECONDS ?= 60
FUZZ_CC = clang
FUZZ_SAN = -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
	      -fsanitize=fuzzer,address,undefined $(FUZZ_SAN) \
	      $(shell pkg-config --cflags $(PKGS))
# The code under test is compiled once, instrumented without libFuzzer's
# main, into $(B)/fuzz/obj, and shared by the harnesses that link it (each
# harness compiled the whole of it again: a minute of make test's build).
# The embedded files (.S: the policy, migrations, OpenAPI, pages) are the
# build's own objects: data, nothing to instrument.
FUZZ_OBJ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g \
		  -O1 -MMD -MP -fsanitize=fuzzer-no-link,address,undefined \
		  $(FUZZ_SAN) $(shell pkg-config --cflags $(PKGS))
FUZZ_O = $(B)/fuzz/obj
FUZZ_LIB_OBJ = $(CORE_SRC:%.c=$(FUZZ_O)/%.o) $(CODEC_SRC:%.c=$(FUZZ_O)/%.o) \
	       $(B)/src/codec/policy_default.o
FUZZ_TARGETS = fuzz_case_json fuzz_policy_file fuzz_route fuzz_tmpl \
	       fuzz_import fuzz_hooks
# The harnesses' shared CHECK (fuzz/fuzz_check.h).
$(FUZZ_TARGETS:%=$(B)/fuzz/%): fuzz/fuzz_check.h
# The router's harness links the whole server (its tables name handlers).
FUZZ_ROUTE_OBJ = $(FUZZ_LIB_OBJ) \
		 $(patsubst %.c,$(FUZZ_O)/%.o,$(STORE_SRC) $(DESK_SRC) \
		   $(HTTP_SRC) $(WEB_SRC)) \
		 $(B)/src/store/migrations.o $(B)/src/store/migrations_pg.o \
		 $(B)/src/http/openapi.o $(B)/web-files.o

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -c -o $@ $<

$(B)/fuzz/fuzz_route: fuzz/fuzz_route.c $(FUZZ_ROUTE_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_ROUTE_OBJ) $(LDLIBS_BASE)

FUZZ_TMPL_OBJ = $(FUZZ_O)/src/web/tmpl.o $(FUZZ_O)/src/codec/buf.o \
		$(FUZZ_O)/src/core/err.o
$(B)/fuzz/fuzz_tmpl: fuzz/fuzz_tmpl.c $(FUZZ_TMPL_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_TMPL_OBJ) $(LDLIBS_BASE)

$(B)/fuzz/%: fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS_BASE)

fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/%)
	@scripts/deps.sh fuzz
	fuzz/run.sh $(B)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ---- bench ---------------------------------------------------------------
$(B)/bench/bench_decide: bench/bench_decide.c $(LIB_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $< $(LIB_OBJ) $(LDLIBS_BASE)

$(B)/bench/bench_sqlite: bench/bench_sqlite.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $< $(shell pkg-config --cflags --libs sqlite3)

bench: all $(B)/bench/bench_decide $(B)/bench/bench_sqlite
	@scripts/deps.sh build serve bench pg
	bench/run.sh $(B)
	bench/serve.sh $(B)
	bench/big.sh $(B)
	bench/replay.sh $(B)
	bench/reports.sh $(B)
	bench/pg.sh $(B)
	bench/pg-big.sh $(B)
	bench/mail.sh $(B)
	bench/hooks.sh $(B)
	bench/import.sh $(B)

lint:
	scripts/lint.sh

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
