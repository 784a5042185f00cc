/* messages.c: messages between a customer and staff on a case (desk
 * layer). Both ways in one list, oldest first; a closed case takes no
 * more. Which case a customer may write on is the caller's to check (the
 * session names the order). */
#include "desk_int.h"

#include <stdlib.h>
#include <string.h>

static const char *sender_name(enum desk_msg_from f)
{
	return f == MSG_FROM_STAFF ? "staff" : "customer";
}

static enum desk_msg_from sender_of(struct ac_str s)
{
	return s.n == 5 && !memcmp(s.p, "staff", 5) ? MSG_FROM_STAFF
						     : MSG_FROM_CUSTOMER;
}

int desk_add_message(struct desk *d, const char *actor, const char *case_id,
		     enum desk_msg_from from, struct ac_str body,
		     struct desk_message *out, struct ac_err *err)
{
	struct store_case sc = { 0 };
	int64_t id = 0, now = desk_now(d);
	int rc;

	memset(out, 0, sizeof *out);
	if (body.n == 0 || body.n > DESK_MESSAGE_MAX || !body.p ||
	    memchr(body.p, '\0', body.n))
		return ac_err_set(err, AC_EINVAL, "message", "a message of 1 "
				  "to %d bytes", DESK_MESSAGE_MAX);
	if (from != MSG_FROM_CUSTOMER && from != MSG_FROM_STAFF)
		return ac_err_set(err, AC_EINVAL, "from",
				  "customer or staff");

	struct store_message m = {
		.case_id = S(case_id),
		.sender = S(sender_name(from)),
		.author = S(actor),
		.body = body,
		.created_at = now,
	};
	struct record_field a[] = {
		RECORD_S("from", S(sender_name(from))),
	};

	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc && sc.status == CASE_STATUS_CLOSED)
		rc = ac_err_set(err, AC_ESTATE, "case", "case %s is closed: "
				"it takes no more messages", case_id);
	if (!rc)
		rc = store_add_message(d->store, &m, &id, err);
	if (!rc)
		rc = desk_audit_rec(d, actor, "message.add", "case",
				    S(case_id), NULL, 0, a, 1, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_case_release(&sc);
	if (rc)
		return desk_fail(d, rc);
	hold_reset(d);
	struct desk_message *v = hold_row(d, sizeof *v);

	v->id = id;
	v->from = from;
	v->created_at = now;
	hold_str(d, v, &v->case_id, S(case_id));
	hold_str(d, v, &v->author, S(actor));
	hold_str(d, v, &v->body, body);
	v = (struct desk_message *)hold_done(d, err);
	if (!v)
		return AC_ELIMIT;
	*out = *v;
	return 0;
}

int desk_list_messages(struct desk *d, const char *case_id,
		       struct desk_messages *out, struct ac_err *err)
{
	struct store_message_page *page = xcalloc(1, sizeof *page);
	struct store_case sc = { 0 };
	int64_t after = 0;
	int rc, k = 0;

	memset(out, 0, sizeof *out);
	hold_reset(d);
	rc = store_get_case(d->store, S(case_id), &sc, err);
	store_case_release(&sc);
	while (!rc) {
		rc = store_list_messages(d->store, S(case_id), after,
					 STORE_PAGE_MAX, page, err);
		for (int i = 0; !rc && i < page->n; i++, k++) {
			const struct store_message *m = &page->rows[i];
			struct desk_message *v = hold_row(d, sizeof *v);

			v->id = m->id;
			v->from = sender_of(m->sender);
			v->created_at = m->created_at;
			hold_str(d, v, &v->case_id, m->case_id);
			hold_str(d, v, &v->author, m->author);
			hold_str(d, v, &v->body, m->body);
			after = m->id;
		}
		bool more = !rc && page->more;

		store_message_page_release(page);
		if (!more)
			break;
	}
	if (!rc) {
		out->messages = hold_done(d, err);
		if (!out->messages)
			rc = AC_ELIMIT;
		out->n = k;
	}
	free(page);
	return rc;
}
