/* tmpl.h: templates for the pages (web layer).
 * A subset of mustache rendered from a cJSON model, every value
 * HTML-escaped unless the template says otherwise:
 *   {{name}}          the value, escaped (& < > " ' become entities);
 *                     dotted names ("order.id", "items.0.name": the first
 *                     part is looked up the context, the rest inside it)
 *                     and {{.}} (the current item)
 *   {{{name}}} {{&name}}  the value as it is: only for HTML the server made
 *   {{#name}}..{{/name}}  an array: once per element, the element on top
 *                     of the context; an object: once, pushed; true, a
 *                     non-empty string or a non-zero number: once
 *   {{^name}}..{{/name}}  once when the value is missing, false, null, 0,
 *                     "" or an empty array
 *   {{> name}}        another template, in the same context
 *   {{! text}}        a comment
 * Not supported: changing the delimiters, lambdas, standalone-line
 * trimming (whitespace around tags is kept as written).
 * A name is looked up from the top of the context down, as mustache does;
 * a name found nowhere renders as nothing. Strings print as they are (then
 * escaped), numbers as integers when they are integral (money comes as
 * strings made by the callers), true and false as words, null, objects and
 * arrays as nothing.
 * Templates are found through a lookup callback; nothing is cached and
 * nothing is allocated but out's bytes (the renderer is reentrant). */
#ifndef AC_TMPL_H
#define AC_TMPL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../codec/buf.h"
#include "../core/err.h"

/* Sections and partials open at once, at most (the 33rd is an error). */
#define TMPL_DEPTH_MAX 32
/* The bytes of template one rendering may read, re-reads of a section's
 * body included, each tag counting 64: a bound on the work a looping
 * template can cause (about a second; a page reads a few MB). */
#define TMPL_WORK_MAX ((size_t)1 << 28)

/* tmpl_lookup finds the template `name`: 0 with *src and *n set (the bytes
 * must outlive the rendering), or -1 when there is none. */
typedef int (*tmpl_lookup)(void *ctx, const char *name, const char **src,
			   size_t *n);

/* tmpl_render appends the template `name` rendered from model to out
 * (model may be NULL: every name is then missing). Returns 0, or:
 *   AC_EINVAL  a template is malformed or a partial is not found; err
 *              says "NAME:LINE: what: {{tag}}" (the template and line of
 *              the tag): a section not closed, a close that does not
 *              match, a tag not closed, a tag without a name, a {{{ tag
 *              not ending in }}}, no such template, nested deeper than
 *              TMPL_DEPTH_MAX;
 *   AC_ELIMIT  out met its cap (err says so; out is in error and must not
 *              be sent), or the rendering read more than TMPL_WORK_MAX
 *              bytes of template.
 * On an error out holds what was rendered before it. */
int tmpl_render(struct buf *out, const char *name, tmpl_lookup look,
		void *ctx, const cJSON *model, struct ac_err *err);

#endif
