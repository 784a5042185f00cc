/* mail.h: e-mail to customers (mail layer, beside src/web).
 * The outbox's "mail" kind: each row names an event on a case (desk
 * outbox.h, enum desk_mail_event); the handler reads the case and its
 * order through the desk, renders the message from web/mail/ (subject,
 * plain text and HTML in one multipart/alternative) in the portal's words
 * (codec/words.c through web/view.c's case model), and sends it through
 * SMTP with libcurl to the order's customer e-mail.
 *
 * SMTP: `--smtp smtp://HOST:PORT` sends in the clear, or with STARTTLS
 * when the server offers it; `smtp://USER:PASS@HOST:PORT` logs in and
 * then requires STARTTLS (a password never goes in the clear);
 * `smtps://...` is TLS from the start. Each worker thread keeps its own
 * connection (libcurl's cache) between messages.
 *
 * What comes of a send: 2xx: sent. A 5xx to RCPT (the customer's address
 * refused for good): the address is recorded as bounced on the case
 * (desk_bounce_put) and the row is dead. Another 5xx (to MAIL FROM or
 * DATA): dead. No customer e-mail on the order: dead. The login refused
 * (535: the account may be fixed on the server): tried again, the error
 * saying so. Anything else (no connection, a 4xx, a bad certificate, a
 * timeout, the database): tried again later.
 *
 * Every message carries the row's Message-ID (outbox_message_id), the
 * same on every attempt, so a repeat after a crash is recognisable.
 * Ownership: the config's strings are copied; the handle is freed by
 * mail_free after the outbox has stopped. */
#ifndef AC_MAIL_H
#define AC_MAIL_H

#include <stddef.h>

#include "../codec/buf.h"
#include "../core/err.h"
#include "../desk/outbox.h"

struct desk;

struct mail_config {
	const char *smtp_url;           /* smtp://HOST:PORT, smtps://.. */
	const char *from;               /* the sender's address */
	const char *public_url;         /* https://shop.example (NULL: the
					 * mail has no link) */
	const char *ca_file;            /* PEM CA bundle that signs the
					 * server's certificate (NULL: the
					 * system's) */
};

struct mail;

/* mail_new checks the config and sets up libcurl (call it before any
 * thread starts). AC_EINVAL naming "--smtp" (not smtp:// or smtps://),
 * "--mail-from" (not an address: one @, no spaces or angle brackets) or
 * "--public-url" (not http:// or https://); AC_EIO naming "--smtp-ca"
 * when that file cannot be read. */
int mail_new(const struct mail_config *cfg, struct mail **out,
	     struct ac_err *err);
void mail_free(struct mail *m);

/* mail_kind fills *k with the outbox's "mail" kind for m. */
void mail_kind(struct mail *m, struct outbox_kind *k);

/* A rendered message, for the handler and for tests: the recipient and
 * the whole RFC 5322 message (CRLF line ends). */
struct mail_message {
	char to[321];
	char subject[512];
	struct buf data;                /* the caller's: buf_init first */
};

/* mail_render renders the row's message on desk d at the desk's now.
 * AC_EINVAL (field "payload") for a payload that is not a mail event;
 * AC_ENOTFOUND when the case or order is gone; AC_ESTATE ("email") when
 * the order has no customer e-mail; AC_EIO when the desk fails. */
int mail_render(struct mail *m, struct desk *d, const struct outbox_item *it,
		struct mail_message *out, struct ac_err *err);

#endif
