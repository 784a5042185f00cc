/* tests/codec/records.c: unit tests for what the desk stores through the
 * codec (Criterion): a decision read back from its record writes the same
 * bytes again, an override's who and why included; a record that is not
 * a decision's is refused by name; a claim written from its struct reads
 * back to the same claim, its lines checked against the order. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/codec/codec.h"
#include "../../src/codec/json_util.h"

static const char example[] =
	"{\"order\": {\"id\": \"A-\\\"1001\", \"placed_at\": "
	"\"2026-05-04T08:00:00Z\", \"currency\": \"USD\", \"shipping_minor\": "
	"1500, \"address\": {\"name\": \"Ana Li\", \"line1\": \"5 Quay St\", "
	"\"city\": \"Auckland\", \"postal_code\": \"1010\", \"country\": "
	"\"NZ\"}, \"items\": [{\"line\": 1, \"sku\": \"R\", \"kind\": "
	"\"ring\", \"style\": \"halo\", \"shape\": \"oval\", \"material\": "
	"\"14k white gold\", \"color\": \"white\", \"size\": \"7\", "
	"\"price_minor\": 52000}]}, \"shipment\": {\"shipped_at\": "
	"\"2026-05-07T03:00:00Z\", \"address\": {\"name\": \"Ana Li\", "
	"\"line1\": \"5 Quay St\", \"city\": \"Auckland\", \"postal_code\": "
	"\"1010\", \"country\": \"NZ\"}, \"delivered_at\": "
	"\"2026-05-12T16:20:00Z\"}, \"claim\": {\"type\": \"wrong_item\", "
	"\"opened_at\": \"2026-05-13T09:05:00Z\", \"lines\": [1], "
	"\"received\": [{\"line\": 1, \"material\": \"sterling silver\", "
	"\"size\": \"7.25\"}]}}";

static struct ac_case c;
static struct decision d;

static void decide_example(struct policy_file **pf, struct case_reader **rd)
{
	struct ac_err err;

	*pf = policy_file_default();
	*rd = case_reader_new();
	cr_assert_eq(case_reader_read(*rd, example, strlen(example), &c,
				      &err), 0, "%s: %s", err.field, err.msg);
	cr_assert_eq(decide(policy_file_policy(*pf), &c, &d, &err), 0);
}

Test(records, decision_round_trip)
{
	struct policy_file *pf;
	struct case_reader *rd;
	struct decision_override ov = {
		true, AC_STR_LIT("he said \"ok\" \xc3\xa9"),
		AC_STR_LIT("token:ana"),
	}, back_ov;
	struct decision back;
	struct buf a, b, mem;
	struct json_arena arena;
	struct ac_err err;

	decide_example(&pf, &rd);
	buf_init(&a, 1u << 16);
	buf_init(&b, 1u << 16);
	buf_init(&mem, 1u << 16);
	json_arena_init(&arena);
	/* with: 1 an override, 2 the parse's nodes in an arena */
	for (int with = 0; with < 4; with++) {
		buf_reset(&a);
		buf_reset(&b);
		cr_assert_eq(decision_record_write(&d, with & 1 ? &ov : NULL,
						   &a), 0);
		cr_assert_eq(decision_record_read(a.p, a.len, &back, &back_ov,
						  &mem, with & 2 ? &arena
								 : NULL,
						  &err), 0, "%s: %s",
			     err.field, err.msg);
		cr_assert_eq(back_ov.present, (with & 1) == 1);
		cr_assert_eq(back.verdict, d.verdict);
		cr_assert_eq(back.n_clauses, d.n_clauses);
		cr_assert_eq(back.clauses[0], d.clauses[0]);
		cr_assert_eq(back.deadline, d.deadline);
		cr_assert_eq(decision_record_write(&back, &back_ov, &b), 0);
		cr_assert_eq(a.len, b.len, "%s\n%s", buf_cstr(&a),
			     buf_cstr(&b));
		cr_assert(memcmp(a.p, b.p, a.len) == 0);
	}
	cr_assert(strstr(buf_cstr(&a), ",\"override\":{\"reason\":"));
	json_arena_release(&arena);
	buf_release(&a);
	buf_release(&b);
	buf_release(&mem);
	case_reader_free(rd);
	policy_file_free(pf);
}

Test(records, not_a_decision_is_refused_by_name)
{
	static const struct {
		const char *json, *field;
	} bad[] = {
		{ "{", "decision" },
		{ "[]", "decision" },
		{ "{\"order\":\"A\",\"verdict\":\"maybe\"}",
		  "decision.verdict" },
		{ "{\"order\":\"A\",\"verdict\":\"pending\",\"clauses\":"
		  "[\"refund.9\"]}", "decision.clauses" },
		{ "{\"order\":\"A\",\"verdict\":\"pending\",\"clauses\":[],"
		  "\"currency\":\"XXX\"}", "decision.currency" },
	};
	struct decision back;
	struct decision_override ov;
	struct buf mem;
	struct ac_err err;

	buf_init(&mem, 4096);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ac_err_clear(&err);
		cr_assert_neq(decision_record_read(bad[i].json,
						   strlen(bad[i].json), &back,
						   &ov, &mem, NULL, &err), 0,
			      "%s", bad[i].json);
		cr_assert_str_eq(err.field, bad[i].field, "%s", bad[i].json);
	}
	buf_release(&mem);
}

/* A decision read in its own arena inside another's enter/leave gives the
 * other back: a document parsed in the outer arena is then freed there
 * (leaving the inner one used to leave no arena at all, and cJSON_Delete
 * handed arena memory to free()). */
Test(records, an_arena_inside_another_gives_it_back)
{
	static const char rec[] = "{\"order\":\"A\",\"verdict\":\"pending\","
		"\"clauses\":[],\"currency\":\"USD\",\"refund_max_minor\":0,"
		"\"charge_minor\":0,\"remedies\":[],\"needs\":[],"
		"\"policy\":\"p\"}";
	struct json_arena outer, inner;
	struct decision back;
	struct decision_override ov;
	struct buf mem;
	struct ac_err err;
	cJSON *doc;

	buf_init(&mem, 4096);
	json_arena_init(&outer);
	json_arena_init(&inner);
	json_arena_enter(&outer);
	doc = cJSON_Parse("{\"a\": [1, 2, {\"b\": \"c\"}]}");
	cr_assert_not_null(doc);
	cr_assert_eq(decision_record_read(rec, sizeof rec - 1, &back, &ov,
					  &mem, &inner, &err), 0, "%s: %s",
		     err.field, err.msg);
	cr_assert_eq(back.verdict, VERDICT_PENDING);
	/* still the outer arena's: a new node comes from it */
	cJSON_AddNumberToObject(doc, "d", 4);
	cr_assert(outer.used > 0);
	cJSON_Delete(doc);
	json_arena_leave(&outer);
	json_arena_release(&inner);
	json_arena_release(&outer);
	buf_release(&mem);
}

Test(records, claim_round_trip_and_order_check)
{
	struct policy_file *pf;
	struct case_reader *rd;
	struct claim cl;
	struct ac_str order_id;
	bool opened;
	struct buf a, b;
	struct ac_err err;
	static const char req[] = "{\"order\": \"A\", \"claim\": {\"type\": "
		"\"wrong_item\", \"lines\": [1], \"received\": [{\"line\": 1, "
		"\"material\": \"sterling silver\", \"size\": \"7.25\"}]}}";
	static const char bad_line[] = "{\"order\": \"A\", \"claim\": "
		"{\"type\": \"damaged\", \"defects\": [\"broken\"], "
		"\"lines\": [2]}}";

	decide_example(&pf, &rd);
	buf_init(&a, 4096);
	buf_init(&b, 4096);
	cr_assert_eq(claim_request_parse(rd, req, strlen(req), &order_id, &cl,
					 &opened, &err), 0, "%s", err.msg);
	cr_assert_not(opened);
	cl.opened_at = c.claim.opened_at;
	cr_assert_eq(claim_check_order(&cl, &c.order, &err), 0);
	cr_assert_eq(claim_json_write(&cl, &a), 0);
	cr_assert_str_eq(buf_cstr(&a), "{\"type\":\"wrong_item\",\"opened_at\":"
			 "\"2026-05-13T09:05:00Z\",\"lines\":[1],\"received\":"
			 "[{\"line\":1,\"material\":\"sterling silver\","
			 "\"size\":\"7.25\"}]}");
	/* the stored claim reads back against the order to the same */
	cr_assert_eq(claim_json_read(rd, a.p, a.len, &c, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(claim_json_write(&c.claim, &b), 0);
	cr_assert_str_eq(buf_cstr(&b), buf_cstr(&a));
	/* a line the order does not have: parsed, then refused by name */
	cr_assert_eq(claim_request_parse(rd, bad_line, strlen(bad_line),
					 &order_id, &cl, &opened, &err), 0);
	cr_assert_eq(claim_check_order(&cl, &c.order, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "claim.lines[0]");
	buf_release(&a);
	buf_release(&b);
	case_reader_free(rd);
	policy_file_free(pf);
}
