/* charts.c: bar and line charts as server-drawn SVG (web layer, issue
 * 9.3); see charts.h. Coordinates are kept in tenths of a pixel, as
 * integers, and written as "123.4". */
#include <stdio.h>
#include <string.h>

#include "charts.h"

#define ML 72                           /* left margin: the y ticks */
#define MR 16
#define MT 24                           /* above the plot */
#define PW (CHART_W - ML - MR)          /* the plot's width */
#define BASE (MT + CHART_PLOT_H)        /* the x axis' y */
#define LABEL_MAX 24                    /* bytes of an x label shown */
#define LABELS_MAX 24                   /* x labels shown, at most */

int64_t chart_axis_top(int64_t max)
{
	int64_t p = 1;

	if (max < 1)
		return 1;
	for (;;) {
		if (max <= p)
			return p;
		if (p <= INT64_MAX / 2 && max <= 2 * p)
			return 2 * p;
		if (p <= INT64_MAX / 5 && max <= 5 * p)
			return 5 * p;
		if (p > INT64_MAX / 10)
			return max;
		p *= 10;
	}
}

void chart_xml_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addc(out, *s);
		}
	}
}

/* tenths: a coordinate in tenths of a pixel, as "12.3". */
static void tenths(struct buf *out, int64_t t)
{
	buf_addf(out, "%lld.%lld", (long long)(t / 10), (long long)(t % 10));
}

/* amount: a value in 10^-decimals units, as "12.50" or "12". */
static void amount(char *s, size_t cap, int64_t v, int decimals)
{
	int64_t div = 1;

	for (int i = 0; i < decimals; i++)
		div *= 10;
	if (decimals <= 0)
		snprintf(s, cap, "%lld", (long long)v);
	else
		snprintf(s, cap, "%lld.%0*lld", (long long)(v / div),
			 decimals, (long long)(v % div));
}

/* short_label: the label cut to LABEL_MAX bytes, not inside a UTF-8
 * sequence, with an ellipsis when cut. */
static void short_label(char *s, size_t cap, const char *label)
{
	size_t n = strlen(label);

	if (n <= LABEL_MAX) {
		snprintf(s, cap, "%s", label);
		return;
	}
	n = LABEL_MAX;
	while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80)
		n--;
	snprintf(s, cap, "%.*s\xE2\x80\xA6", (int)n, label);
}

static int64_t clamp0(int64_t v)
{
	return v < 0 ? 0 : v;
}

/* height: v drawn against the axis top, in tenths; never past the top. */
static int64_t height(int64_t v, int64_t top)
{
	v = clamp0(v);
	if (v >= top)
		return CHART_PLOT_H * 10;
	/* v < top, so v * 2000 / top cannot overflow for top < 2^52 */
	if (top > (INT64_C(1) << 52))
		return v / (top / (CHART_PLOT_H * 10));
	return v * CHART_PLOT_H * 10 / top;
}

static void axes(const struct chart *c, struct buf *out, int64_t top)
{
	int d = top % 5 == 0 ? 5 : top % 4 == 0 ? 4 : top % 2 == 0 ? 2 : 1;
	char s[40];

	buf_addf(out, "<g class=\"axes\" fill=\"#222\" font-size=\"12\">"
		 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		 "stroke=\"#555\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		 "y2=\"%d\" stroke=\"#555\"/>", ML, MT, ML, BASE, ML, BASE,
		 ML + PW, BASE);
	for (int i = 0; i <= d; i++) {
		int64_t v = top / d * i;
		int64_t y = (int64_t)BASE * 10 - height(v, top);

		amount(s, sizeof s, v, c->decimals);
		buf_adds(out, "<line x1=\"");
		tenths(out, (ML - 4) * 10);
		buf_adds(out, "\" y1=\"");
		tenths(out, y);
		buf_addf(out, "\" x2=\"%d\" y2=\"", ML + PW);
		tenths(out, y);
		buf_addf(out, "\" stroke=\"%s\"/><text x=\"%d\" y=\"",
			 i ? "#ddd" : "#555", ML - 8);
		tenths(out, y + 40);
		buf_adds(out, "\" text-anchor=\"end\">");
		chart_xml_escape(out, s);
		buf_adds(out, "</text>");
	}
	buf_addf(out, "<text transform=\"rotate(-90)\" x=\"%d\" y=\"16\" "
		 "text-anchor=\"middle\">", -(MT + CHART_PLOT_H / 2));
	chart_xml_escape(out, c->y_label ? c->y_label : "");
	buf_adds(out, "</text></g>");
}

int chart_svg(const struct chart *c, struct buf *out)
{
	int64_t max = 0, top, slot;
	int imax = -1, every;
	char s[64], lab[64];

	for (int i = 0; i < c->n; i++)
		if (imax < 0 || c->pts[i].value > max) {
			max = clamp0(c->pts[i].value);
			imax = i;
		}
	top = chart_axis_top(max);
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		 "class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
		 "aria-labelledby=\"%s-t %s-d\"><title id=\"%s-t\">",
		 CHART_W, CHART_H, c->id, c->id, c->id);
	chart_xml_escape(out, c->title);
	buf_addf(out, "</title><desc id=\"%s-d\">", c->id);
	chart_xml_escape(out, c->desc ? c->desc : "");
	if (c->n == 0) {
		buf_adds(out, " No figures in this range.</desc>");
		buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			 "fill=\"#222\" font-size=\"14\">No figures in this "
			 "range</text></svg>", CHART_W / 2, CHART_H / 2);
		return buf_error(out);
	}
	amount(s, sizeof s, max, c->decimals);
	buf_addf(out, " %s chart of %d %s; the largest is ",
		 c->kind == CHART_BAR ? "A bar" : "A line", c->n,
		 c->kind == CHART_BAR ? (c->n == 1 ? "bar" : "bars")
				      : (c->n == 1 ? "point" : "points"));
	chart_xml_escape(out, c->pts[imax].label);
	buf_adds(out, ", ");
	chart_xml_escape(out, s);
	if (c->y_label) {
		buf_adds(out, " (");
		chart_xml_escape(out, c->y_label);
		buf_adds(out, ")");
	}
	buf_adds(out, ".</desc>");
	axes(c, out, top);

	slot = (int64_t)PW * 10 / c->n;
	every = (c->n + LABELS_MAX - 1) / LABELS_MAX;
	if (c->kind == CHART_LINE) {
		buf_adds(out, "<polyline class=\"series\" fill=\"none\" "
			 "stroke=\"#2f6690\" stroke-width=\"2\" points=\"");
		for (int i = 0; i < c->n; i++) {
			buf_adds(out, i ? " " : "");
			tenths(out, (int64_t)ML * 10 + slot * i + slot / 2);
			buf_adds(out, ",");
			tenths(out, (int64_t)BASE * 10 -
			       height(c->pts[i].value, top));
		}
		buf_adds(out, "\"/>");
	}
	buf_adds(out, "<g class=\"marks\" fill=\"#2f6690\">");
	for (int i = 0; i < c->n; i++) {
		int64_t h = height(c->pts[i].value, top);
		int64_t x = (int64_t)ML * 10 + slot * i;

		amount(s, sizeof s, clamp0(c->pts[i].value), c->decimals);
		if (c->kind == CHART_BAR) {
			buf_adds(out, "<rect x=\"");
			tenths(out, x + slot * 15 / 100);
			buf_adds(out, "\" y=\"");
			tenths(out, (int64_t)BASE * 10 - h);
			buf_adds(out, "\" width=\"");
			tenths(out, slot * 70 / 100);
			buf_adds(out, "\" height=\"");
			tenths(out, h);
			buf_adds(out, "\">");
		} else {
			buf_adds(out, "<circle cx=\"");
			tenths(out, x + slot / 2);
			buf_adds(out, "\" cy=\"");
			tenths(out, (int64_t)BASE * 10 - h);
			buf_adds(out, "\" r=\"3\">");
		}
		buf_adds(out, "<title>");
		chart_xml_escape(out, c->pts[i].label);
		buf_adds(out, ": ");
		chart_xml_escape(out, s);
		buf_adds(out, c->kind == CHART_BAR ? "</title></rect>"
			 : "</title></circle>");
	}
	buf_adds(out, "</g><g class=\"labels\" fill=\"#222\" "
		 "font-size=\"11\">");
	for (int i = 0; i < c->n; i += every) {
		int64_t x = (int64_t)ML * 10 + slot * i + slot / 2;

		short_label(lab, sizeof lab, c->pts[i].label);
		buf_adds(out, "<text x=\"");
		tenths(out, x);
		buf_addf(out, "\" y=\"%d\" text-anchor=\"end\" "
			 "transform=\"rotate(-40 ", BASE + 14);
		tenths(out, x);
		buf_addf(out, " %d)\">", BASE + 14);
		chart_xml_escape(out, lab);
		buf_adds(out, "</text>");
	}
	buf_adds(out, "</g></svg>");
	return buf_error(out);
}
