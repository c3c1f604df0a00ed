// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SVG flame graph: see flame-svg.h.
 *
 * The stacks come sorted (lden_fold__each()), so the frames of a subtree
 * are consecutive and one pass builds the tree: a new frame starts where
 * its parent's children so far end.  Frames are then written in that
 * order, the root at the bottom.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flame-svg.h"

/* dashboard/flame.js, as a string (made by the build from the file) */
const char lden_flame_js[] =
#include "flame-js.h"
	;

#define SVG_WIDTH 1200
#define MARGIN 10
#define FRAME_H 16
#define HEAD_H 70		/* title, totals, notes, the buttons */
#define FOOT_H 28		/* the line that names the frame under the pointer */
/* A label's characters, roughly, in 12 px monospace. */
#define CHAR_W 7.2
/* Positions are whole hundredths of a pixel. */
#define POS_SCALE 100

struct frame {
	const char *name;	/* in the stack string: not terminated */
	size_t len;
	uint64_t start;		/* from the left, in the stacks' units */
	uint64_t value;		/* its stacks' sum, its children's included */
	uint64_t filled;	/* its children's values so far */
	int depth;
	int parent;
};

struct tree {
	struct frame *f;
	size_t n, cap;
	int path[256];		/* the frames of the last stack, by depth */
	int depth;		/* of the last stack */
	int max_depth;
	int err;
};

static int new_frame(struct tree *t, int parent, const char *name,
		     size_t len)
{
	struct frame *fr;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct frame *more = realloc(t->f, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		t->f = more;
		t->cap = cap;
	}
	fr = &t->f[t->n];
	memset(fr, 0, sizeof(*fr));
	fr->name = name;
	fr->len = len;
	fr->parent = parent;
	if (parent >= 0) {
		fr->depth = t->f[parent].depth + 1;
		fr->start = t->f[parent].start + t->f[parent].filled;
	}
	if (fr->depth > t->max_depth)
		t->max_depth = fr->depth;
	return (int)t->n++;
}

static int add_stack(const char *stack, uint64_t value, void *ctx)
{
	struct tree *t = ctx;
	const char *p = stack;
	int depth = 0, node = 0;

	t->f[0].value += value;
	while (*p && depth + 1 < (int)(sizeof(t->path) / sizeof(t->path[0]))) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		int parent = node;

		depth++;
		/* the same frame as the last stack's at this depth? */
		if (depth <= t->depth && t->f[t->path[depth]].parent == parent &&
		    t->f[t->path[depth]].len == len &&
		    !memcmp(t->f[t->path[depth]].name, p, len)) {
			node = t->path[depth];
		} else {
			node = new_frame(t, parent, p, len);
			if (node < 0)
				return node;
			t->path[depth] = node;
			t->depth = depth;
		}
		t->f[node].value += value;
		t->f[parent].filled += value;
		p = semi ? semi + 1 : p + len;
	}
	t->depth = depth;
	return 0;
}

/* The x of @v, in hundredths of a px, exact in integers. */
static uint64_t pos(uint64_t v, uint64_t total)
{
	unsigned __int128 x = (unsigned __int128)v * LDEN_FLAME_WIDTH * POS_SCALE;

	return total ? (uint64_t)((x + total / 2) / total) : 0;
}

static void put_pos(FILE *out, uint64_t hundredths)
{
	fprintf(out, "%llu.%02llu", (unsigned long long)(hundredths / POS_SCALE),
		(unsigned long long)(hundredths % POS_SCALE));
}

/* Length of the UTF-8 sequence at @s (at most @n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond Unicode, and XML's non-characters */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

/* The bytes of the character at @u and how many columns it shows as. */
static size_t char_at(const unsigned char *u, size_t n, size_t *columns)
{
	size_t len = utf8_len(u, n);

	*columns = len && u[0] >= 0x20 && u[0] != 0x7f ? 1 : 4;
	return len ? len : 1;
}

/*
 * @s (@n bytes) as XML text: markup characters escaped, bytes that are
 * not valid UTF-8 or not allowed in XML (control characters) as "\xNN",
 * in at most @max columns, ending in ".." when it is cut.
 */
static void put_text(FILE *out, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t columns = 0, w;

	for (size_t i = 0; i < n;) {
		i += char_at(u + i, n - i, &w);
		columns += w;
	}
	if (columns > max)
		max = max > 2 ? max - 2 : 0;
	columns = 0;
	for (size_t i = 0, len; i < n; i += len) {
		len = char_at(u + i, n - i, &w);
		if (columns + w > max) {
			fputs("..", out);
			return;
		}
		columns += w;
		if (w == 4)
			fprintf(out, "\\x%02x", u[i]);
		else if (u[i] == '&')
			fputs("&amp;", out);
		else if (u[i] == '<')
			fputs("&lt;", out);
		else if (u[i] == '>')
			fputs("&gt;", out);
		else if (u[i] == '"')
			fputs("&quot;", out);
		else
			fwrite(u + i, 1, len, out);
	}
}

static void put_value(FILE *out, uint64_t v, const char *unit)
{
	static const struct {
		double div;
		const char *name;
	} units[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" } };

	fprintf(out, "%llu %s", (unsigned long long)v,
		v == 1 && !strcmp(unit, "calls") ? "call" : unit);
	if (strcmp(unit, "ns"))
		return;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if ((double)v >= units[i].div) {
			fprintf(out, " (%.3f %s)", (double)v / units[i].div,
				units[i].name);
			return;
		}
}

/* A warm colour of its own for each name, by depth (root grey). */
static void put_fill(FILE *out, const struct frame *fr)
{
	static const unsigned char base[3][3] = {
		{ 226, 120, 40 }, { 230, 180, 50 }, { 215, 70, 50 },
	};
	uint32_t h = 2166136261u;
	const unsigned char *b;

	if (!fr->depth) {
		fputs("#c8c8c8", out);
		return;
	}
	for (size_t i = 0; i < fr->len; i++)
		h = (h ^ (unsigned char)fr->name[i]) * 16777619u;
	b = base[(fr->depth - 1) % 3];
	fprintf(out, "#%02x%02x%02x", b[0] + (h & 15), b[1] + (h >> 8) % 40,
		b[2] + (h >> 16) % 30);
}

static void put_frame(FILE *out, const struct frame *fr, uint64_t total,
		      const struct lden_flame_opts *o, int y)
{
	uint64_t x0 = pos(fr->start, total);
	uint64_t x1 = pos(fr->start + fr->value, total);
	double width = (double)(x1 - x0) / POS_SCALE;
	size_t chars = width > 6 ? (size_t)((width - 6) / CHAR_W) : 0;

	fprintf(out, "<g data-s=\"%llu\" data-v=\"%llu\" data-d=\"%d\"><title>",
		(unsigned long long)fr->start, (unsigned long long)fr->value,
		fr->depth);
	put_text(out, fr->name, fr->len, SIZE_MAX);
	fputc('\n', out);
	put_value(out, fr->value, o->unit);
	fprintf(out, ", %.2f%%</title><rect x=\"", total ?
		100.0 * (double)fr->value / (double)total : 0.0);
	put_pos(out, x0 + MARGIN * POS_SCALE);
	fprintf(out, "\" y=\"%d\" width=\"", y);
	put_pos(out, x1 - x0);
	fprintf(out, "\" height=\"%d\" rx=\"2\" fill=\"", FRAME_H - 1);
	put_fill(out, fr);
	fputs("\"/>", out);
	if (chars >= 3) {
		fputs("<text x=\"", out);
		put_pos(out, x0 + (MARGIN + 3) * POS_SCALE);
		fprintf(out, "\" y=\"%d\">", y + FRAME_H - 4);
		put_text(out, fr->name, fr->len, chars);
		fputs("</text>", out);
	}
	fputs("</g>\n", out);
}

/* A line of text at (@x, @y) with attributes @attrs, or nothing. */
static void put_line(FILE *out, const char *id, int x, int y,
		     const char *attrs, const char *text)
{
	fprintf(out, "<text id=\"%s\" x=\"%d\" y=\"%d\" %s>", id, x, y, attrs);
	if (text)
		put_text(out, text, strlen(text), SIZE_MAX);
	fputs("</text>\n", out);
}

static void put_head(FILE *out, const struct lden_flame_opts *o,
		     uint64_t total, int height)
{
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"monospace\" font-size=\"12\" "
		"data-lden-flame=\"1\" data-x0=\"%d\" data-w=\"%d\" "
		"data-total=\"%llu\" data-unit=\"%s\">\n<title>",
		SVG_WIDTH, height, SVG_WIDTH, height, MARGIN,
		LDEN_FLAME_WIDTH, (unsigned long long)total,
		strcmp(o->unit, "ns") ? "calls" : "ns");
	put_text(out, o->title, strlen(o->title), SIZE_MAX);
	fprintf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		"fill=\"#fbf8f0\"/>\n", SVG_WIDTH, height);
	put_line(out, "title", SVG_WIDTH / 2, 22,
		 "text-anchor=\"middle\" font-size=\"17\"", o->title);
	put_line(out, "subtitle", SVG_WIDTH / 2, 40,
		 "text-anchor=\"middle\" fill=\"#444\"", o->subtitle);
	put_line(out, "notes", SVG_WIDTH / 2, 56,
		 "text-anchor=\"middle\" fill=\"#b00000\"", o->notes);
	put_line(out, "reset", MARGIN, 22,
		 "fill=\"#0645ad\" cursor=\"pointer\" visibility=\"hidden\"",
		 "Reset");
	put_line(out, "search", SVG_WIDTH - MARGIN, 22,
		 "text-anchor=\"end\" fill=\"#0645ad\" cursor=\"pointer\"",
		 "Search");
	put_line(out, "matched", SVG_WIDTH - MARGIN, height - 10,
		 "text-anchor=\"end\"", NULL);
	put_line(out, "details", MARGIN, height - 10, "", NULL);
}

int lden_flame_svg__write(const struct lden_fold *f,
			 const struct lden_flame_opts *o, FILE *out)
{
	struct tree t = { 0 };
	uint64_t total;
	int rc, height, base;

	if (new_frame(&t, -1, "all", 3) < 0)
		return -ENOMEM;
	rc = lden_fold__each(f, add_stack, &t);
	if (rc < 0) {
		free(t.f);
		return rc;
	}
	total = t.f[0].value;
	height = HEAD_H + (t.max_depth + 1) * FRAME_H + FOOT_H;
	/* the root's row: the frames grow upwards from it */
	base = HEAD_H + t.max_depth * FRAME_H;
	put_head(out, o, total, height);
	fputs("<g id=\"frames\">\n", out);
	for (size_t i = 0; i < t.n; i++)
		put_frame(out, &t.f[i], total, o, base - t.f[i].depth * FRAME_H);
	fputs("</g>\n", out);
	if (o->script)
		fprintf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s"
			"ldenFlame(document.documentElement);\n]]></script>\n",
			lden_flame_js);
	fputs("</svg>\n", out);
	free(t.f);
	return ferror(out) ? -EIO : 0;
}
