/* cmd_demo.c: `aftercare demo --db PATH`: a demo shop (cli layer).
 * A dozen orders in every state a claim can meet, placed through the desk
 * like any integration's, with times relative to now: in production,
 * shipped, delivered yesterday, delivered last year, lost, held at
 * customs. Orders that already exist are left as they are. Two staff
 * accounts, manager and agent, are added when absent. With --cases (make
 * run), a new shop also gets a few claims decided, a history for the
 * console's policy preview (issue 9) and reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/codec.h"
#include "../core/instant.h"
#include "../desk/desk.h"
#include "../store/store.h"
#include "cli.h"

#define HOUR (3600 * AC_US_PER_S)
#define DAY (24 * HOUR)

struct demo_order {
	const char *id;
	const char *currency;
	int64_t placed_ago, shipped_ago, delivered_ago;  /* < 0: not yet */
	const char *finding, *customs;
	bool wrong_address;                               /* shop's mistake */
	const char *note;
};

static const struct demo_order demo[] = {
	{ "D-1001", "USD", 2 * HOUR, -1, -1, "none", "none", false,
	  "in production for 2 hours: cancel gets a full refund" },
	{ "D-1002", "USD", 3 * DAY, -1, -1, "none", "none", false,
	  "placed 3 days ago, not shipped: too late to cancel" },
	{ "D-1003", "EUR", 6 * DAY, 2 * DAY, -1, "none", "none", false,
	  "shipped 2 days ago, in transit" },
	{ "D-1004", "USD", 10 * DAY, 6 * DAY, 1 * DAY, "none", "cleared",
	  false, "delivered yesterday: wrong item or damage is in time" },
	{ "D-1005", "USD", 14 * DAY, 10 * DAY, 5 * DAY, "none", "none", false,
	  "delivered 5 days ago: past the 48 hours" },
	{ "D-1006", "GBP", 420 * DAY, 410 * DAY, 400 * DAY, "none", "none",
	  false, "delivered last year: repairs are paid" },
	{ "D-1007", "USD", 110 * DAY, 105 * DAY, 100 * DAY, "none", "none",
	  false, "delivered 100 days ago: under warranty" },
	{ "D-1008", "USD", 20 * DAY, 15 * DAY, -1, "lost_confirmed", "none",
	  false, "lost: the courier confirmed it" },
	{ "D-1009", "USD", 20 * DAY, 15 * DAY, 9 * DAY, "delivered_proven",
	  "none", false, "the courier proves delivery" },
	{ "D-1010", "AUD", 12 * DAY, 8 * DAY, -1, "none", "held", false,
	  "held at customs" },
	{ "D-1011", "CAD", 30 * DAY, 25 * DAY, -1, "none",
	  "refused_by_customer", false, "customs refused by the customer" },
	{ "D-1012", "USD", 9 * DAY, 5 * DAY, 2 * DAY, "none", "none", true,
	  "shipped to the wrong address by the shop" },
	{ "D-1013", "JPY", 8 * DAY, 4 * DAY, 1 * DAY, "none", "cleared", false,
	  "two items, yen, delivered yesterday" },
};

/* The claims --cases files on a new demo shop: one per line, as POST
 * /v1/cases takes them (opened now). */
static const char *const demo_claims[] = {
	"{\"order\":\"D-1004\",\"claim\":{\"type\":\"wrong_item\","
	"\"lines\":[1],\"received\":[{\"line\":1,\"material\":"
	"\"sterling silver\"}]}}",
	/* past the 48 hours: no refund; a longer window would give one */
	"{\"order\":\"D-1005\",\"claim\":{\"type\":\"damaged\","
	"\"defects\":[\"scratch\"]}}",
	"{\"order\":\"D-1007\",\"claim\":{\"type\":\"repair\","
	"\"defects\":[\"clasp\"]}}",
	"{\"order\":\"D-1008\",\"claim\":{\"type\":\"not_received\"}}",
	"{\"order\":\"D-1013\",\"claim\":{\"type\":\"damaged\","
	"\"lines\":[2],\"defects\":[\"scratch\"]}}",
};

static int demo_cases(struct cli_desk *cd, struct case_reader *rd)
{
	for (size_t i = 0; i < sizeof demo_claims / sizeof demo_claims[0];
	     i++) {
		struct desk_open req = { 0 };
		struct desk_case c;
		struct ac_err err;
		const char *j = demo_claims[i];

		ac_err_clear(&err);
		if (claim_request_parse(rd, j, strlen(j), &req.order_id,
					&req.claim, &req.has_opened_at,
					&err) ||
		    desk_open_case(cd->desk, "system:demo", &req, &c, &err)) {
			fprintf(stderr, "aftercare: demo claim %zu: %s: %s\n",
				i + 1, err.field, err.msg);
			return 1;
		}
		printf("  %.*s  on %.*s: %s\n", (int)c.id.n, c.id.p,
		       (int)c.order_id.n, c.order_id.p,
		       verdict_name(c.decision.verdict));
	}
	return 0;
}

/* The demo's staff: their sign-in is printed, it is a demo. */
static const struct demo_user {
	const char *name, *password;
	enum staff_role role;
} demo_users[] = {
	{ "manager", "manager-demo-1", STAFF_MANAGER },
	{ "agent", "agent-demo-1", STAFF_AGENT },
};

static void address(char *out, size_t cap, bool wrong)
{
	snprintf(out, cap, "{\"name\":\"Ana Li\",\"line1\":\"%s\","
		 "\"city\":\"Auckland\",\"postal_code\":\"1010\","
		 "\"country\":\"NZ\"}", wrong ? "55 Queen St" : "5 Quay St");
}

static void order_json(struct buf *b, const struct demo_order *o,
		       int64_t now)
{
	char t[40], addr[256], ship_addr[256];
	bool yen = !strcmp(o->currency, "JPY");

	address(addr, sizeof addr, false);
	address(ship_addr, sizeof ship_addr, o->wrong_address);
	instant_format(now - o->placed_ago, t, sizeof t);
	buf_addf(b, "{\"id\":\"%s\",\"placed_at\":\"%s\",\"currency\":\"%s\","
		 "\"shipping_minor\":%d,\"address\":%s,\"items\":[{\"line\":1,"
		 "\"sku\":\"R-14W-7\",\"kind\":\"ring\",\"style\":\"halo\","
		 "\"shape\":\"oval\",\"material\":\"14k white gold\","
		 "\"color\":\"white\",\"size\":\"7\",\"price_minor\":%d,"
		 "\"certificate\":\"IGI-%s\"}", o->id, t, o->currency,
		 yen ? 2000 : 1500, addr, yen ? 78000 : 52000, o->id + 2);
	if (yen)
		buf_addf(b, ",{\"line\":2,\"sku\":\"N-SV-45\",\"kind\":"
			 "\"necklace\",\"style\":\"chain\",\"shape\":\"round\","
			 "\"material\":\"sterling silver\",\"color\":"
			 "\"silver\",\"size\":\"45\",\"price_minor\":12000}");
	buf_adds(b, "],\"customer\":{\"name\":\"Ana Li\",\"email\":"
		 "\"ana@example.com\"}");
	if (o->shipped_ago >= 0) {
		instant_format(now - o->shipped_ago, t, sizeof t);
		buf_addf(b, ",\"shipment\":{\"shipped_at\":\"%s\","
			 "\"address\":%s,"
			 "\"courier_finding\":\"%s\",\"customs\":\"%s\"", t,
			 ship_addr, o->finding, o->customs);
		if (o->delivered_ago >= 0) {
			instant_format(now - o->delivered_ago, t, sizeof t);
			buf_addf(b, ",\"delivered_at\":\"%s\"", t);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, '}');
}

int cmd_demo(int argc, char **argv)
{
	const char *db = NULL;
	bool cases = false;
	struct cli_desk cd;
	struct ac_err err;
	struct buf b;
	struct case_reader *rd;
	struct order_request *req;
	int created = 0, status = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--cases"))
			cases = true;
		else
			break;
	}
	if (!db) {
		fputs("usage: aftercare demo --db PATH [--cases]\n", stderr);
		return 2;
	}
	if (cli_desk_open(db, NULL, &cd))
		return 1;
	buf_init(&b, 1u << 20);
	rd = case_reader_new();
	req = xmalloc(sizeof *req);
	int64_t now = desk_clock_real(NULL);

	for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++) {
		buf_reset(&b);
		order_json(&b, &demo[i], now);
		ac_err_clear(&err);
		/* the demo orders are JSON, read as an integration's are */
		int rc = buf_error(&b) ? ac_err_set(&err, AC_ELIMIT, "order",
						    "too large") :
			 order_request_read(rd, b.p, b.len, req, &err);

		if (!rc)
			rc = desk_create_order(cd.desk, "system:demo", req,
					       &err);

		if (rc == 0) {
			created++;
			printf("  %s  %s\n", demo[i].id, demo[i].note);
		} else if (rc != AC_ECONFLICT) {
			fprintf(stderr, "aftercare: demo order %s: %s: %s\n",
				demo[i].id, err.field, err.msg);
			goto out_bufs;
		}
	}
	printf("demo shop: %d new orders in %s\n", created, db);
	/* a new shop's history: only once, with its orders */
	if (cases && created == (int)(sizeof demo / sizeof demo[0]) &&
	    demo_cases(&cd, rd))
		goto out_bufs;
	/* the demo's staff, added once (a name taken is left as it is) */
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0];
	     i++) {
		const struct demo_user *u = &demo_users[i];
		int rc;

		ac_err_clear(&err);
		rc = desk_user_add(cd.desk, "system:demo", u->name, u->role,
				   u->password, &err);
		if (rc && rc != AC_ECONFLICT) {
			fprintf(stderr, "aftercare: demo user %s: %s: %s\n",
				u->name, err.field, err.msg);
			goto out_bufs;
		}
		printf("staff sign-in: %s / %s (%s)\n", u->name,
		       u->password, staff_role_name(u->role));
	}
	status = 0;
out_bufs:
	buf_release(&b);
	case_reader_free(rd);
	free(req);
	cli_desk_close(&cd);
	return status;
}
