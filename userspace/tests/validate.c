// SPDX-License-Identifier: GPL-2.0
/*
 * Strict validators for what gup-track writes: UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), JSON (RFC 8259)
 * and the Prometheus text exposition format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"

static bool bad(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, WHY_LEN, fmt, ap);
	va_end(ap);
	return false;
}

/* The length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (c == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;	/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;	/* past U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

bool valid_utf8(const char *s, size_t n, char *why)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0, len; i < n; i += len) {
		len = utf8_seq(u + i, n - i);
		if (!len)
			return bad(why, "invalid UTF-8 at byte %zu (0x%02x)", i, u[i]);
	}
	return true;
}

struct jp {
	const unsigned char *p, *end;
	int depth;
	char *why;
};

static int peek(struct jp *j)
{
	return j->p < j->end ? *j->p : -1;
}

static void ws(struct jp *j)
{
	while (j->p < j->end && strchr(" \t\n\r", *j->p) && *j->p)
		j->p++;
}

static bool jvalue(struct jp *j);

static bool jstring(struct jp *j)
{
	j->p++;		/* the opening quote */
	while (j->p < j->end) {
		unsigned char c = *j->p;
		size_t len;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return bad(j->why, "raw control byte 0x%02x in a string", c);
		if (c == '\\') {
			unsigned int cp = 0;

			if (j->end - j->p < 2)
				break;
			c = j->p[1];
			if (strchr("\"\\/bfnrt", c) && c) {
				j->p += 2;
				continue;
			}
			if (c != 'u' || j->end - j->p < 6)
				return bad(j->why, "bad escape \\%c", c);
			for (int i = 2; i < 6; i++) {
				c = j->p[i];
				if (c >= '0' && c <= '9')
					cp = cp * 16 + c - '0';
				else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
					cp = cp * 16 + (c | 0x20) - 'a' + 10;
				else
					return bad(j->why, "bad \\u escape");
			}
			/* gup-track never writes surrogates; a lone one is not Unicode. */
			if (cp >= 0xd800 && cp <= 0xdfff)
				return bad(j->why, "surrogate \\u%04x", cp);
			j->p += 6;
			continue;
		}
		len = utf8_seq(j->p, j->end - j->p);
		if (!len)
			return bad(j->why, "invalid UTF-8 in a string (0x%02x)", c);
		j->p += len;
	}
	return bad(j->why, "unterminated string");
}

static bool digits(struct jp *j)
{
	const unsigned char *from = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > from;
}

static bool jnumber(struct jp *j)
{
	if (peek(j) == '-')
		j->p++;
	if (peek(j) == '0')
		j->p++;
	else if (!digits(j))
		return bad(j->why, "bad number");
	if (peek(j) == '.') {
		j->p++;
		if (!digits(j))
			return bad(j->why, "bad fraction");
	}
	if (peek(j) == 'e' || peek(j) == 'E') {
		j->p++;
		if (peek(j) == '+' || peek(j) == '-')
			j->p++;
		if (!digits(j))
			return bad(j->why, "bad exponent");
	}
	return true;
}

static bool jword(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return bad(j->why, "unexpected byte 0x%02x", *j->p);
	j->p += n;
	return true;
}

/* An object or array: members, separated by commas, up to close. */
static bool jmembers(struct jp *j, int close)
{
	if (++j->depth > 64)
		return bad(j->why, "nested too deep");
	j->p++;
	ws(j);
	if (peek(j) == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (peek(j) != '"')
				return bad(j->why, "want a key");
			if (!jstring(j))
				return false;
			ws(j);
			if (peek(j) != ':')
				return bad(j->why, "want ':'");
			j->p++;
			ws(j);
		}
		if (!jvalue(j))
			return false;
		ws(j);
		if (peek(j) == close) {
			j->p++;
			j->depth--;
			return true;
		}
		if (peek(j) != ',')
			return bad(j->why, "want ',' or '%c'", close);
		j->p++;
		ws(j);
	}
}

static bool jvalue(struct jp *j)
{
	int c = peek(j);

	if (c == '{')
		return jmembers(j, '}');
	if (c == '[')
		return jmembers(j, ']');
	if (c == '"')
		return jstring(j);
	if (c == '-' || (c >= '0' && c <= '9'))
		return jnumber(j);
	if (c == 't')
		return jword(j, "true");
	if (c == 'f')
		return jword(j, "false");
	if (c == 'n')
		return jword(j, "null");
	return c < 0 ? bad(j->why, "truncated") :
		       bad(j->why, "unexpected byte 0x%02x", c);
}

bool valid_json(const char *s, size_t n, char *why)
{
	struct jp j = { (const unsigned char *)s, (const unsigned char *)s + n,
			0, why };

	ws(&j);
	if (!jvalue(&j))
		return false;
	if (j.p < j.end && *j.p == '\n')
		j.p++;
	if (j.p != j.end)
		return bad(why, "trailing bytes after the value");
	return true;
}

bool valid_json_lines(const char *s, size_t n, char *why)
{
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t len;

		if (!nl)
			return bad(why, "a last line without its newline");
		len = nl - s + 1;
		if (!valid_json(s, len, why))
			return false;
		s += len;
		n -= len;
	}
	return true;
}

static size_t name_len(const char *s, const char *first, const char *rest)
{
	size_t n = 0;

	if (!*s || !strchr(first, *s))
		return 0;
	while (s[++n] && strchr(rest, s[n]))
		;
	return n;
}

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS	"0123456789"

/* A label value up to its closing quote: only \\, \" and \n escapes. */
static const char *label_value(const char *p, char *why)
{
	for (; *p != '"'; p++) {
		if (!*p || *p == '\n')
			return bad(why, "unterminated label value"), NULL;
		if (*p == '\\' && (!*++p || !strchr("\\\"n", *p)))
			return bad(why, "bad escape in a label value"), NULL;
	}
	return p + 1;
}

bool valid_prom(const char *s, size_t n, char *why)
{
	static char seen[512][160], typed[512][128];
	size_t nseen = 0, ntyped = 0, no = 0;
	char line[1024];

	if (!valid_utf8(s, n, why))
		return false;
	if (memchr(s, 0, n))
		return bad(why, "a NUL byte");
	while (n) {
		const char *nl = memchr(s, '\n', n), *p = line;
		size_t len, k;

		no++;
		if (!nl)
			return bad(why, "line %zu has no newline", no);
		len = nl - s;
		if (len >= sizeof(line))
			return bad(why, "line %zu too long for this check", no);
		memcpy(line, s, len);
		line[len] = 0;
		s += len + 1;
		n -= len + 1;
		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7)) {
			bool type = line[2] == 'T';

			p += 7;
			k = name_len(p, LOWER UPPER "_:", LOWER UPPER DIGITS "_:");
			if (!k || p[k] != ' ')
				return bad(why, "line %zu: bad metric name", no);
			if (type) {
				if (strcmp(p + k + 1, "counter") && strcmp(p + k + 1, "gauge"))
					return bad(why, "line %zu: bad type", no);
				for (size_t i = 0; i < ntyped; i++)
					if (strlen(typed[i]) == k && !strncmp(typed[i], p, k))
						return bad(why, "line %zu: a second TYPE", no);
				if (ntyped == 512 || k >= sizeof(typed[0]))
					return bad(why, "too many metrics for this check");
				memcpy(typed[ntyped], p, k);
				typed[ntyped++][k] = 0;
				continue;
			}
			for (p += k + 1; *p; p++)
				if (*p == '\\' && (!*++p || !strchr("\\n", *p)))
					return bad(why, "line %zu: bad escape in HELP", no);
			continue;
		}
		if (line[0] == '#')
			return bad(why, "line %zu: a comment gup-track never writes", no);
		k = name_len(p, LOWER UPPER "_:", LOWER UPPER DIGITS "_:");
		if (!k)
			return bad(why, "line %zu: bad metric name", no);
		p += k;
		if (*p == '{') {
			p++;
			while (*p != '}') {
				k = name_len(p, LOWER UPPER "_", LOWER UPPER DIGITS "_");
				if (!k || p[k] != '=' || p[k + 1] != '"')
					return bad(why, "line %zu: bad label", no);
				p = label_value(p + k + 2, why);
				if (!p)
					return false;
				if (*p == ',')
					p++;
				else if (*p != '}')
					return bad(why, "line %zu: want ',' or '}'", no);
			}
			p++;
		}
		k = p - line;
		if (*p++ != ' ' || !name_len(p, DIGITS, DIGITS))
			return bad(why, "line %zu: want one unsigned value", no);
		p += name_len(p, DIGITS, DIGITS);
		if (*p == '.' && name_len(p + 1, DIGITS, DIGITS))
			p += 1 + name_len(p + 1, DIGITS, DIGITS);
		if (*p)
			return bad(why, "line %zu: want one unsigned value", no);
		for (size_t i = 0; i < nseen; i++)
			if (strlen(seen[i]) == k && !strncmp(seen[i], line, k))
				return bad(why, "line %zu: a series twice", no);
		if (nseen == 512 || k >= sizeof(seen[0]))
			return bad(why, "too many series for this check");
		memcpy(seen[nseen], line, k);
		seen[nseen++][k] = 0;
	}
	return true;
}
