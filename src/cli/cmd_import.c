/* cmd_import.c: `aftercare import shopify|woocommerce FILE --db DB`: a
 * shop's orders into aftercare (cli layer). The codec's import reader
 * maps each order onto the body POST /v1/orders takes; the order is
 * read by the same reader as the API's and put through the desk like
 * any integration's, a batch transaction per --batch orders. An order
 * already there is left as it is, except that a shipment (or a
 * delivery) the file knows and the store does not yet is added, so a
 * second import of the same file writes nothing. docs/IMPORT.md. */
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../codec/codec.h"
#include "../codec/import.h"
#include "../desk/desk.h"
#include "../desk/hooks.h"
#include "cli.h"

#define USAGE "usage: aftercare import shopify|woocommerce FILE --db DB " \
	      "[--format json|csv] [--prefix P] [--batch N] [--progress]\n"

struct counts {
	long read, created, updated, unchanged, failed;
};

struct progress {
	bool on;
	double last, start;
	long total;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(struct progress *p, const struct counts *c,
			  bool last)
{
	double t = now_s();

	if (!p->on || (!last && t - p->last < 0.25))
		return;
	p->last = t;
	if (p->total >= 0)
		fprintf(stderr, "\rimport: %ld/%ld orders", c->read, p->total);
	else
		fprintf(stderr, "\rimport: %ld orders", c->read);
	fprintf(stderr, ", %.0f a second%s", t > p->start ?
		(double)c->read / (t - p->start) : 0.0, last ? "\n" : "");
}

/* report prints "FILE:WHERE: field: why" for an order left out. */
static void report(const char *file, const char *where,
		   const struct ac_err *err)
{
	if (err->field[0])
		fprintf(stderr, "%s:%s: %s: %s\n", file, where, err->field,
			err->msg);
	else
		fprintf(stderr, "%s:%s: %s\n", file, where, err->msg);
}

/* add_tracking keeps each tracking number as a "shipped" event and, when
 * the order has shipped and the shop named the carrier, names the parcel
 * (desk_put_parcel), so the couriers' webhooks find the order by it. A
 * parcel already another order's (the same file imported again under
 * another --prefix) is said on stderr and kept as the event alone. */
static int add_tracking(struct desk *d, const char *actor, const char *file,
			const struct import_order *o, bool shipped,
			struct ac_err *err)
{
	for (int i = 0; i < o->n_tracking; i++) {
		struct desk_tracking t = {
			.at = o->tracking[i].at,
			.kind = AC_STR_LIT("shipped"),
			.detail = { o->tracking[i].detail,
				    strlen(o->tracking[i].detail) },
		};
		struct desk_facts f;
		int rc = desk_add_tracking(d, actor, o->id, &t, &f, err);

		if (!rc && shipped && o->tracking[i].carrier[0] &&
		    o->tracking[i].code[0]) {
			struct ac_err perr = { 0 };

			rc = desk_put_parcel(d, actor, o->id,
					     o->tracking[i].carrier,
					     o->tracking[i].code, &perr);
			if (rc == AC_ECONFLICT) {
				fprintf(stderr, "%s:%s: %s: %s; kept as a "
					"tracking event only\n", file,
					o->where, perr.field, perr.msg);
				rc = 0;
			} else if (rc) {
				*err = perr;
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* sync_shipment: the order is there; add what the file knows of its
 * shipment that the store does not (shipped, delivered), keeping the
 * courier's findings. 1 when something was added, 0 when nothing, or
 * an AC_E* code. */
static int sync_shipment(struct desk *d, const char *actor,
			 const char *file, const struct order_request *req,
			 const struct import_order *o, struct ac_err *err)
{
	struct desk_order have;
	struct desk_facts f;
	struct shipment sh;
	bool had_shipment;
	int rc;

	if (!req->shipped)
		return 0;
	rc = desk_get_order(d, o->id, &have, err);
	if (rc)
		return rc;
	had_shipment = have.shipped;
	if (have.shipped && (have.shipment->delivered ||
			     !req->shipment.delivered))
		return 0;
	sh = req->shipment;
	if (have.shipped) {
		/* only the delivery is new: the rest stays as aftercare has
		 * it (the address copied: have's strings are the desk's
		 * until its next call) */
		struct ac_str *to[] = { &sh.address.name, &sh.address.line1,
					&sh.address.line2, &sh.address.city,
					&sh.address.region,
					&sh.address.postal_code,
					&sh.address.country };
		const struct address *a = &have.shipment->address;
		const struct ac_str from[] = { a->name, a->line1, a->line2,
					       a->city, a->region,
					       a->postal_code, a->country };

		for (size_t i = 0; i < sizeof to / sizeof to[0]; i++) {
			to[i]->p = from[i].p ? xstrndup(from[i].p, from[i].n)
					     : NULL;
			to[i]->n = from[i].n;
		}
		sh.courier_finding = have.shipment->courier_finding;
		sh.customs = have.shipment->customs;
		sh.shipped_at = have.shipment->shipped_at;
		if (sh.delivered_at < sh.shipped_at)
			sh.delivered_at = sh.shipped_at;
		rc = desk_put_shipment(d, actor, o->id, &sh, &f, err);
		for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
			free((char *)to[i]->p);
		return rc ? rc : 1;
	}
	rc = desk_put_shipment(d, actor, o->id, &sh, &f, err);
	if (!rc && !had_shipment)
		rc = add_tracking(d, actor, file, o, true, err);
	return rc ? rc : 1;
}

/* The ids this run imported, to tell an order that comes twice in the
 * file from one that was there before: an open-addressing set. */
struct idset {
	char **slot;
	size_t cap, n;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* idset_add adds id; false when it was there already. */
static bool idset_add(struct idset *set, const char *id)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct idset big = { xcalloc(set->cap ? 2 * set->cap : 1024,
					     sizeof(char *)),
				     set->cap ? 2 * set->cap : 1024, 0 };

		for (size_t k = 0; k < set->cap; k++) {
			if (!set->slot[k])
				continue;
			i = id_hash(set->slot[k]) & (big.cap - 1);
			while (big.slot[i])
				i = (i + 1) & (big.cap - 1);
			big.slot[i] = set->slot[k];
			big.n++;
		}
		free(set->slot);
		*set = big;
	}
	i = id_hash(id) & (set->cap - 1);
	for (; set->slot[i]; i = (i + 1) & (set->cap - 1))
		if (!strcmp(set->slot[i], id))
			return false;
	set->slot[i] = xstrndup(id, strlen(id));
	set->n++;
	return true;
}

static void idset_release(struct idset *set)
{
	for (size_t k = 0; k < set->cap; k++)
		free(set->slot[k]);
	free(set->slot);
}

static int map_file(const char *path, char **p, size_t *n)
{
	struct stat st = { 0 };
	int fd = open(path, O_RDONLY);

	*p = NULL;
	*n = 0;
	if (fd < 0)
		return -1;
	errno = 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = errno;

		if (e == 0 || S_ISDIR(st.st_mode))  /* fstat succeeded */
			e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	*n = (size_t)st.st_size;
	if (*n) {
		/* private and writable: the CSV reader unquotes in place,
		 * and only the pages it touches are copied */
		void *m = mmap(NULL, *n, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			       fd, 0);

		if (m == MAP_FAILED) {
			close(fd);
			return -1;
		}
		madvise(m, *n, MADV_SEQUENTIAL);
		*p = m;
	}
	close(fd);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	const char *db = NULL, *file = NULL, *prefix = NULL, *src_name;
	enum import_format fmt = IMPORT_AUTO;
	enum import_source src;
	struct progress pg = { .on = isatty(2) != 0 };
	struct counts c = { 0 };
	struct import_reader *r = NULL;
	struct import_order o;
	struct idset seen = { 0 };
	struct order_request *req = NULL;
	struct case_reader *rd = NULL;
	struct cli_desk cd = { 0 };
	struct ac_err err;
	char actor[32], *bytes = NULL;
	size_t n = 0;
	long batch = 500, in_batch = 0;
	int status = 2, rc;

	if (argc < 2 || (strcmp(argv[1], "shopify") &&
			 strcmp(argv[1], "woocommerce"))) {
		fputs(USAGE, stderr);
		return 2;
	}
	src_name = argv[1];
	src = !strcmp(src_name, "shopify") ? IMPORT_SHOPIFY
					   : IMPORT_WOOCOMMERCE;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (!strcmp(argv[i], "--prefix") && i + 1 < argc) {
			prefix = argv[++i];
		} else if (!strcmp(argv[i], "--progress")) {
			pg.on = true;
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "json"))
				fmt = IMPORT_JSON;
			else if (!strcmp(argv[i], "csv"))
				fmt = IMPORT_CSV;
			else {
				fprintf(stderr, "aftercare: --format: json "
					"or csv, not %s\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
			char *end;

			batch = strtol(argv[++i], &end, 10);
			if (*end || batch < 1 || batch > 100000) {
				fputs("aftercare: --batch: a number of orders "
				      "from 1 to 100000\n", stderr);
				return 2;
			}
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (!db || !file) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (prefix && strlen(prefix) > 32) {
		fputs("aftercare: --prefix: at most 32 bytes\n", stderr);
		return 2;
	}
	/* keep freed memory instead of trimming the heap after every order
	 * and faulting it in again (as serve does; perf showed brk and page
	 * faults at a tenth of an import) */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	if (map_file(file, &bytes, &n)) {
		fprintf(stderr, "aftercare: %s: %s\n", file, strerror(errno));
		return 2;
	}
	ac_err_clear(&err);
	if (n == 0) {
		fprintf(stderr, "%s: empty: no orders\n", file);
		return 2;
	}
	if (import_reader_new(src, fmt, file, bytes, n, prefix, &r, &err)) {
		if (err.line)
			fprintf(stderr, "%s:%d: ", file, err.line);
		else
			fprintf(stderr, "%s: ", file);
		if (err.field[0])
			fprintf(stderr, "%s: ", err.field);
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	if ((rc = cli_desk_open(db, NULL, &cd)) != 0) {
		status = rc;
		goto out;
	}
	snprintf(actor, sizeof actor, "import:%s", src_name);
	import_order_init(&o);
	rd = case_reader_new();
	req = xmalloc(sizeof *req);
	pg.total = import_reader_total(r);
	pg.start = now_s();
	status = 1;
	for (;;) {
		if (!desk_batch_open(cd.desk) &&
		    desk_batch_begin(cd.desk, &err)) {
			fprintf(stderr, "aftercare: import: %s\n", err.msg);
			goto out_order;
		}
		rc = import_reader_next(r, &o, &err);
		if (rc == 0)
			break;
		c.read++;
		if (rc < 0) {
			report(file, o.where, &err);
			c.failed++;
			continue;
		}
		ac_err_clear(&err);
		rc = order_request_read(rd, o.json.p, o.json.len, req, &err);
		if (!rc && !idset_add(&seen, o.id))
			rc = ac_err_set(&err, AC_EINVAL, "", "the order %s is "
					"in the file twice (its rows must be "
					"together)", o.id);
		if (!rc) {
			rc = desk_create_order(cd.desk, actor, req, &err);
			if (!rc) {
				rc = add_tracking(cd.desk, actor, file, &o,
						  req->shipped, &err);
				c.created++;
			} else if (rc == AC_ECONFLICT) {
				rc = sync_shipment(cd.desk, actor, file, req,
						   &o,
						   &err);
				if (rc == 1)
					c.updated++;
				else if (rc == 0)
					c.unchanged++;
				rc = rc > 0 ? 0 : rc;
			}
		}
		if (rc) {
			report(file, o.where, &err);
			c.failed++;
		}
		if (++in_batch >= batch) {
			in_batch = 0;
			if (desk_batch_commit(cd.desk, &err)) {
				fprintf(stderr, "aftercare: import: the "
					"batch ending at %s:%s failed, not "
					"imported: %s\n", file, o.where,
					err.msg);
				goto out_order;
			}
		}
		show_progress(&pg, &c, false);
	}
	if (desk_batch_open(cd.desk) && desk_batch_commit(cd.desk, &err)) {
		fprintf(stderr, "aftercare: import: the last batch failed, "
			"not imported: %s\n", err.msg);
		goto out_order;
	}
	show_progress(&pg, &c, true);
	printf("%s: %ld orders: %ld imported, %ld updated, %ld already "
	       "there, %ld could not be imported\n", file, c.read, c.created,
	       c.updated, c.unchanged, c.failed);
	if (c.failed)
		fprintf(stderr, "aftercare: import: %ld of %ld orders could "
			"not be imported (listed above); the others were\n",
			c.failed, c.read);
	status = c.failed ? 1 : 0;
out_order:
	import_order_release(&o);
	idset_release(&seen);
	case_reader_free(rd);
	free(req);
out:
	import_reader_free(r);
	cli_desk_close(&cd);
	if (bytes)
		munmap(bytes, n);
	return status;
}
