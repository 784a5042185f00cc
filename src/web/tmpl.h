/* tmpl.h: templates for the pages (web layer).
 * A subset of mustache rendered from a cJSON model, every value
 * HTML-escaped unless the template says otherwise:
 *   {{name}}          the value, escaped (& < > " '); dotted names
 *                     ("order.id") and {{.}} (the current item)
 *   {{{name}}}        the value as it is: only for HTML the server made
 *   {{#name}}..{{/name}}  an array: once per element, the element on top
 *                     of the context; an object: once, pushed; true, a
 *                     non-empty string or a non-zero number: once
 *   {{^name}}..{{/name}}  once when the value is missing, false, null, 0,
 *                     "" or an empty array
 *   {{> name}}        another template, in the same context
 *   {{! text}}        a comment
 * A name is looked up from the top of the context down, as mustache does.
 * Numbers print as integers when they are (money comes as strings).
 * Templates are found through a lookup callback; nothing is cached. */
#ifndef AC_TMPL_H
#define AC_TMPL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../codec/buf.h"
#include "../core/err.h"

#define TMPL_DEPTH_MAX 32       /* sections and partials, nested */

/* tmpl_lookup finds the template `name`: 0 and its bytes, or -1. */
typedef int (*tmpl_lookup)(void *ctx, const char *name, const char **src,
			   size_t *n);

/* tmpl_render appends the template `name` rendered from model to out.
 * AC_EINVAL when a template is malformed (a section not closed, a close
 * that does not match, an unclosed tag, nesting over TMPL_DEPTH_MAX) or a
 * partial is not found: err says "name:line" and the tag. out's own
 * errors are its (buf_error). */
int tmpl_render(struct buf *out, const char *name, tmpl_lookup look,
		void *ctx, const cJSON *model, struct ac_err *err);

#endif
