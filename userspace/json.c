// SPDX-License-Identifier: GPL-2.0
#include "json.h"

void gt_json_init(struct gt_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->pretty = pretty;
	j->depth = 0;
	j->first = true;
}

static void indent(struct gt_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/*
 * Strings come from the kernel as bytes, in no known encoding: a comm is
 * whatever a process set. Every byte outside printable ASCII is written as
 * \u00XX, its Latin-1 code point, so the output is ASCII, valid JSON and
 * valid UTF-8, and the bytes come back by encoding the string as Latin-1.
 */
static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Separator, indentation and key of the next member (key NULL in lists). */
static void member(struct gt_json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->out);
	if (j->depth)
		indent(j);
	j->first = false;
	if (key) {
		quoted(j->out, key);
		fputs(j->pretty ? ": " : ":", j->out);
	}
}

void gt_json_open(struct gt_json *j, const char *key, char bracket)
{
	member(j, key);
	fputc(bracket, j->out);
	j->depth++;
	j->first = true;
}

void gt_json_close(struct gt_json *j, char bracket)
{
	bool empty = j->first;

	j->depth--;
	if (!empty)
		indent(j);
	fputc(bracket, j->out);
	j->first = false;
}

void gt_json_str(struct gt_json *j, const char *key, const char *val)
{
	member(j, key);
	quoted(j->out, val);
}

void gt_json_num(struct gt_json *j, const char *key, unsigned long long val)
{
	member(j, key);
	fprintf(j->out, "%llu", val);
}

void gt_json_int(struct gt_json *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->out, "%lld", val);
}

void gt_json_bool(struct gt_json *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->out);
}

void gt_json_end(struct gt_json *j)
{
	fputc('\n', j->out);
}
