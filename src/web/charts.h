/* charts.h: bar and line charts as SVG drawn by the server (web layer,
 * issue 9.3). No script and no style attribute (the pages' CSP): only
 * SVG presentation attributes. Each chart is an <svg role="img"> named
 * by its <title> and <desc> through aria-labelledby, its axes labelled,
 * every bar or point with a <title> of its own; the page puts the same
 * numbers in a table beside it. Geometry is integer arithmetic (tenths
 * of a pixel): a value v is drawn v * plot height / axis top tall, the
 * axis top being the smallest 1, 2 or 5 times a power of ten at or above
 * the largest value.
 * Ownership: everything is borrowed; the SVG is appended to out. */
#ifndef AC_WEB_CHARTS_H
#define AC_WEB_CHARTS_H

#include <stdbool.h>
#include <stdint.h>

#include "../codec/buf.h"

enum chart_kind { CHART_BAR, CHART_LINE };

struct chart_point {
	const char *label;              /* under the x axis; escaped */
	int64_t value;                  /* >= 0; a negative is drawn as 0 */
};

struct chart {
	enum chart_kind kind;
	const char *id;                 /* unique in the page: [a-z0-9-] */
	const char *title;              /* the chart's name */
	const char *desc;               /* what it shows, in words */
	const char *y_label;            /* the y axis: "Cases", "EUR" */
	int decimals;                   /* values are in 10^-decimals units
					 * (money's minor units): 0..3 */
	const struct chart_point *pts;
	int n;
};

#define CHART_W 640                     /* the viewBox, in pixels */
#define CHART_H 320
#define CHART_PLOT_H 200                /* the plot area's height */

/* chart_axis_top: the axis' top for a largest value max (>= 1). */
int64_t chart_axis_top(int64_t max);

/* chart_svg appends the chart; the desc ends with the largest value and
 * its label. A chart without points says so in its place. Returns
 * buf_error(out). */
int chart_svg(const struct chart *c, struct buf *out);

/* chart_xml_escape appends s with & < > " ' escaped. */
void chart_xml_escape(struct buf *out, const char *s);

#endif
