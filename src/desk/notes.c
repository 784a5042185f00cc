/* notes.c: staff notes, evidence photos and the audit log (desk layer).
 * Evidence is stored by the SHA-256 of its bytes; its type is checked
 * against the bytes' own magic numbers, not only the declared type. */
#include "desk_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int desk_add_note(struct desk *d, const char *actor, const char *case_id,
		  struct ac_str text, struct desk_note *out,
		  struct ac_err *err)
{
	int64_t id = 0, now = desk_now(d);
	int rc;

	memset(out, 0, sizeof *out);
	if (text.n == 0 || text.n > 65536)
		return ac_err_set(err, AC_EINVAL, "body",
				  "a note of 1 to 65536 bytes");
	struct store_note note = {
		.case_id = S(case_id),
		.author = S(actor),
		.body = text,
		.created_at = now,
	};

	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_add_note(d->store, &note, &id, err);
	if (!rc)
		rc = desk_audit(d, actor, "note.add", "case", S(case_id), NULL,
				NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		return desk_fail(d, rc);
	hold_reset(d);
	struct desk_note *v = hold_row(d, sizeof *v);

	v->id = id;
	v->created_at = now;
	hold_str(d, v, &v->case_id, S(case_id));
	hold_str(d, v, &v->author, S(actor));
	hold_str(d, v, &v->body, text);
	v = (struct desk_note *)hold_done(d, err);
	if (!v)
		return AC_ELIMIT;
	*out = *v;
	return 0;
}

int desk_list_notes(struct desk *d, const char *case_id,
		    struct desk_notes *out, struct ac_err *err)
{
	struct store_note_page *page = xcalloc(1, sizeof *page);
	struct store_case sc = { 0 };
	int64_t after = 0;
	int rc, k = 0;

	memset(out, 0, sizeof *out);
	hold_reset(d);
	rc = store_get_case(d->store, S(case_id), &sc, err);
	store_case_release(&sc);
	while (!rc) {
		rc = store_list_notes(d->store, S(case_id), after,
				      STORE_PAGE_MAX, page, err);
		for (int i = 0; !rc && i < page->n; i++, k++) {
			const struct store_note *nt = &page->rows[i];
			struct desk_note *v = hold_row(d, sizeof *v);

			v->id = nt->id;
			v->created_at = nt->created_at;
			hold_str(d, v, &v->case_id, nt->case_id);
			hold_str(d, v, &v->author, nt->author);
			hold_str(d, v, &v->body, nt->body);
			after = nt->id;
		}
		bool more = page->more;

		store_note_page_release(page);
		if (!more)
			break;
	}
	if (!rc) {
		out->notes = hold_done(d, err);
		if (!out->notes)
			rc = AC_ELIMIT;
		out->n = k;
	}
	free(page);
	return rc;
}

/* sniff returns the image type the bytes are, or NULL. */
static const char *sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

int desk_add_evidence(struct desk *d, const char *actor, const char *case_id,
		      const char *content_type, const char *bytes, size_t n,
		      struct desk_evidence *out, struct ac_err *err)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[65];
	const char *is;
	int rc;

	if (n > DESK_EVIDENCE_MAX)
		return ac_err_set(err, AC_ELIMIT, "evidence", "larger than "
				  "the %u-byte limit", DESK_EVIDENCE_MAX);
	if (!content_type || (strcmp(content_type, "image/png") &&
			      strcmp(content_type, "image/jpeg") &&
			      strcmp(content_type, "image/webp")))
		return ac_err_set(err, AC_EINVAL, "Content-Type", "evidence "
				  "is a photo: image/jpeg, image/png or "
				  "image/webp");
	is = sniff((const unsigned char *)bytes, n);
	if (!is || strcmp(is, content_type))
		return ac_err_set(err, AC_EINVAL, "evidence", "the bytes are "
				  "not a %s file", content_type);
	crypto_hash_sha256(h, (const unsigned char *)bytes, n);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);

	struct store_evidence e = {
		.case_id = S(case_id),
		.sha256 = S(hex),
		.content_type = S(content_type),
		.size = (int64_t)n,
		.data = { bytes, n },
		.created_at = desk_now(d),
	};
	struct record_field a[] = {
		RECORD_S("sha256", S(hex)),
		RECORD_I("size", (int64_t)n),
	};

	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_put_evidence(d->store, &e, err);
	if (!rc)
		rc = desk_audit_rec(d, actor, "evidence.add", "case",
				    S(case_id), NULL, 0, a, 2, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		return desk_fail(d, rc);
	memset(out, 0, sizeof *out);
	memcpy(out->sha256, hex, sizeof hex);
	out->content_type = S(is);     /* static: one of the sniffed types */
	out->size = (int64_t)n;
	out->created_at = e.created_at;
	return 0;
}

int desk_get_evidence(struct desk *d, const char *case_id, const char *sha256,
		      struct desk_evidence *out, struct ac_err *err)
{
	struct store_evidence *e = &d->v_ev;
	int rc;

	memset(out, 0, sizeof *out);
	store_evidence_release(e);
	rc = store_get_evidence(d->store, S(case_id), S(sha256), e, err);
	if (!rc) {
		snprintf(out->sha256, sizeof out->sha256, "%.*s",
			 (int)e->sha256.n, e->sha256.p);
		out->content_type = e->content_type;
		out->size = e->size;
		out->data = e->data;
		out->created_at = e->created_at;
	}
	return rc;
}

int desk_list_evidence(struct desk *d, const char *case_id,
		       struct desk_evidences *out, struct ac_err *err)
{
	struct store_evidence_page *page = xcalloc(1, sizeof *page);
	struct store_case sc = { 0 };
	int rc;

	memset(out, 0, sizeof *out);
	hold_reset(d);
	rc = store_get_case(d->store, S(case_id), &sc, err);
	store_case_release(&sc);
	if (!rc)
		rc = store_list_evidence(d->store, S(case_id), DESK_PAGE_MAX,
					 page, err);
	for (int i = 0; !rc && i < page->n; i++) {
		const struct store_evidence *e = &page->rows[i];
		struct desk_evidence *v = hold_row(d, sizeof *v);

		snprintf(v->sha256, sizeof v->sha256, "%.*s",
			 (int)e->sha256.n, e->sha256.p);
		hold_str(d, v, &v->content_type, e->content_type);
		hold_str(d, v, &v->data, S(""));
		v->size = e->size;
		v->created_at = e->created_at;
	}
	if (!rc) {
		out->evidences = hold_done(d, err);
		if (!out->evidences)
			rc = AC_ELIMIT;
		out->n = page->n;
		out->more = page->more;
	}
	store_evidence_page_release(page);
	free(page);
	return rc;
}

int desk_list_audit(struct desk *d, const char *entity, const char *entity_id,
		    int64_t since_id, int limit, struct desk_audit_page *out,
		    struct ac_err *err)
{
	struct store_audit_page *page;
	struct store_audit_filter f = {
		.entity = S(entity),
		.entity_id = S(entity_id),
		.since_id = since_id,
		.limit = limit ? limit : 100,
	};
	int rc;

	memset(out, 0, sizeof *out);
	if (f.limit < 1 || f.limit > STORE_PAGE_MAX)
		return ac_err_set(err, AC_EINVAL, "limit",
				  "not a number from 1 to %d", STORE_PAGE_MAX);
	page = desk_audit_page(d);
	rc = store_list_audit(d->store, &f, page, err);
	if (rc)
		return rc;
	for (int i = 0; i < page->n && i < DESK_PAGE_MAX; i++) {
		const struct store_audit *a = &page->rows[i];

		d->v_events[i] = (struct desk_audit_event){
			a->id, a->at, a->actor, a->action, a->entity,
			a->entity_id, a->before_json, a->after_json,
		};
	}
	out->n = page->n;
	out->rows = d->v_events;
	out->more = page->more && page->n > 0;
	return 0;
}
