// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gup_track/format.h>

#include "parse.h"

static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, GT_ERR_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int oom(char *err)
{
	snprintf(err, GT_ERR_LEN, "out of memory");
	return -ENOMEM;
}

/*
 * The next line of f in *line (getline's buffer, grown as needed), without
 * its end: 1, or 0 at the end of the file. A line is read whole whatever
 * its length, never split in two; one with a NUL byte is an error, as a
 * view never prints one and what follows it would go unread.
 */
static int next_line(FILE *f, char **line, size_t *cap, size_t no, char *err)
{
	ssize_t n;

	errno = 0;
	n = getline(line, cap, f);
	if (n < 0) {
		if (ferror(f))
			return fail(err, "line %zu: read error: %s", no,
				    strerror(errno ?: EIO));
		return errno == ENOMEM ? oom(err) : 0;
	}
	if (memchr(*line, 0, n))
		return fail(err, "line %zu: a NUL byte: not a text view", no);
	while (n && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = 0;
	return 1;
}

int gt_parse_kvs(FILE *f, struct gt_kvs *out, char *err)
{
	size_t cap = 64, len = 0, no = 1;
	char *line = NULL, extra[2];
	int ret;

	out->nr = 0;
	out->kv = malloc(cap * sizeof(*out->kv));
	if (!out->kv)
		return oom(err);
	for (; (ret = next_line(f, &line, &len, no, err)) > 0; no++) {
		struct gt_kv kv;

		if (sscanf(line, "%63s %127s %1s", kv.key, kv.value, extra) != 2) {
			ret = fail(err, "line %zu: want \"key value\", got \"%s\"",
				   no, line);
			break;
		}
		if (out->nr == cap) {
			struct gt_kv *n = realloc(out->kv, 2 * cap * sizeof(*n));

			if (!n) {
				ret = oom(err);
				break;
			}
			out->kv = n;
			cap *= 2;
		}
		out->kv[out->nr++] = kv;
	}
	free(line);
	return ret;
}

const char *gt_kv_get(const struct gt_kvs *kvs, const char *key)
{
	for (size_t i = 0; i < kvs->nr; i++)
		if (!strcmp(kvs->kv[i].key, key))
			return kvs->kv[i].value;
	return NULL;
}

bool gt_kv_num(const struct gt_kvs *kvs, const char *key,
	       unsigned long long *val)
{
	const char *v = gt_kv_get(kvs, key);
	char *end;

	if (!v)
		return false;
	errno = 0;
	*val = strtoull(v, &end, 10);
	return !errno && end != v && !*end;
}

/*
 * A table view: the header line must be exactly header; every other line
 * goes to row(), which fills a row of size bytes and returns false if the
 * line does not fit, then to each(), which keeps it or not and returns
 * non-zero (an error, err set) to stop. Memory: one line and one row.
 */
static int scan_table(FILE *f, size_t size, const char *header,
		      bool (*row)(const char *line, void *dst),
		      int (*each)(const void *row, void *arg, char *err),
		      void *arg, char *err)
{
	size_t len = 0, no = 1;
	char *line = NULL;
	void *dst = malloc(size);
	int ret;

	if (!dst)
		return oom(err);
	ret = next_line(f, &line, &len, no, err);
	if (!ret)
		ret = fail(err, "empty file: want the header \"%s\"", header);
	else if (ret > 0 && strcmp(line, header))
		ret = fail(err, "line 1: header \"%s\", want \"%s\" (unknown format?)",
			   line, header);
	while (ret > 0 && (ret = next_line(f, &line, &len, ++no, err)) > 0) {
		if (line[0] == '#')
			continue;	/* a note, e.g. a truncated snapshot */
		if (!row(line, dst)) {
			ret = fail(err, "line %zu: malformed row \"%s\"", no, line);
			break;
		}
		ret = each(dst, arg, err);
		if (!ret)
			ret = 1;
	}
	free(line);
	free(dst);
	return ret;
}

struct table_fill {
	struct gt_table *out;
	size_t size, cap;
};

/* scan_table's each() for a whole table: append the row. */
static int table_keep(const void *row, void *arg, char *err)
{
	struct table_fill *tf = arg;

	if (tf->out->nr == tf->cap) {
		void *n = realloc(tf->out->rows, 2 * tf->cap * tf->size);

		if (!n)
			return oom(err);
		tf->out->rows = n;
		tf->cap *= 2;
	}
	memcpy((char *)tf->out->rows + tf->out->nr++ * tf->size, row, tf->size);
	return 0;
}

static int parse_table(FILE *f, struct gt_table *out, size_t size,
		       const char *header,
		       bool (*row)(const char *line, void *dst), char *err)
{
	struct table_fill tf = { out, size, 256 };

	out->nr = 0;
	out->rows = malloc(tf.cap * size);
	if (!out->rows)
		return oom(err);
	return scan_table(f, size, header, row, table_keep, &tf, err);
}

static bool flags_ok(const char *f)
{
	static const char * const pos[] = { "PX-", "G-", "L-", "W-", "FSA-" };

	if (strlen(f) != GT_FLAGS_LEN)
		return false;
	for (int i = 0; i < GT_FLAGS_LEN; i++)
		if (!strchr(pos[i], f[i]))
			return false;
	return true;
}

static bool page_row(const char *line, void *dst)
{
	struct gt_page *p = dst;
	char extra[2];

	return sscanf(line, "%lu %u %ld %ld %7s %ld %31s %lu %127s %lu %63s %1s",
		      &p->pfn, &p->order, &p->pins, &p->gets, p->flags, &p->pid,
		      p->comm, &p->age, p->caller, &p->stack, p->file,
		      extra) == 11 && flags_ok(p->flags) && p->order < 32;
}

static bool task_row(const char *line, void *dst)
{
	struct gt_task *t = dst;
	char extra[2];

	return sscanf(line, "%ld %31s %lu %lu %lu %lu %lu %lu %lu %1s", &t->pid,
		      t->comm, &t->folios, &t->pins, &t->gets, &t->longterm,
		      &t->file, &t->oldest, &t->misused, extra) == 9;
}

static bool file_row(const char *line, void *dst)
{
	struct gt_file *f = dst;
	unsigned long *p = f->policy;
	char extra[2];

	return sscanf(line, "%31s %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %1s",
		      f->dev, &f->ino, &f->folios, &f->pins, &f->gets,
		      &f->longterm, &f->write, &f->oldest, &p[0], &p[1], &p[2],
		      &p[3], &p[4], &p[5], extra) == 14;
}

static bool hook_row(const char *line, void *dst)
{
	struct gt_hook *h = dst;
	char extra[2];

	return sscanf(line, "%63s %15s %15s %llu %23s %1s", h->name, h->kind,
		      h->state, &h->hits, h->missed, extra) == 5;
}

bool gt_event_kind_known(const char *name)
{
	static const char * const kinds[] = { GT_EVENT_KINDS };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(name, kinds[i]))
			return true;
	return false;
}

bool gt_parse_event_row(const char *line, struct gt_event *e)
{
	char extra[2];

	return sscanf(line, "%llu %lu %31s %ld %31s %127s %lu %llu %lu %u %ld %ld %3s %63s %31s %1s",
		      &e->seq, &e->age, e->kind, &e->pid, e->comm, e->caller,
		      &e->stack, &e->held_ms, &e->pfn, &e->order, &e->pins,
		      &e->gets, e->flags, e->file, e->reason, extra) == 15 &&
	       e->seq && gt_event_kind_known(e->kind) && e->order < 32 &&
	       strlen(e->flags) == 2 && strchr("L-", e->flags[0]) &&
	       strchr("W-", e->flags[1]);
}

static bool event_row(const char *line, void *dst)
{
	return gt_parse_event_row(line, dst);
}

int gt_parse_pages(FILE *f, struct gt_table *out, char *err)
{
	return parse_table(f, out, sizeof(struct gt_page), GT_PAGES_HEADER,
			   page_row, err);
}

struct page_scan {
	int (*each)(const struct gt_page *, void *, char *);
	void *arg;
};

static int page_each(const void *row, void *arg, char *err)
{
	struct page_scan *ps = arg;

	return ps->each(row, ps->arg, err);
}

int gt_scan_pages(FILE *f, int (*each)(const struct gt_page *, void *, char *),
		  void *arg, char *err)
{
	struct page_scan ps = { each, arg };

	return scan_table(f, sizeof(struct gt_page), GT_PAGES_HEADER, page_row,
			  page_each, &ps, err);
}

int gt_parse_tasks(FILE *f, struct gt_table *out, char *err)
{
	return parse_table(f, out, sizeof(struct gt_task), GT_TASKS_HEADER,
			   task_row, err);
}

int gt_parse_files(FILE *f, struct gt_table *out, char *err)
{
	return parse_table(f, out, sizeof(struct gt_file), GT_FILES_HEADER,
			   file_row, err);
}

int gt_parse_hooks(FILE *f, struct gt_table *out, char *err)
{
	return parse_table(f, out, sizeof(struct gt_hook), GT_HOOKS_HEADER,
			   hook_row, err);
}

int gt_parse_events(FILE *f, struct gt_table *out, char *err)
{
	return parse_table(f, out, sizeof(struct gt_event), GT_EVENTS_HEADER,
			   event_row, err);
}

/* A " frame" line of the stacks view: one symbol, as long as the kernel's. */
static int stack_frame(struct gt_stack *cur, const char *line, size_t no,
		       char *err)
{
	char extra[2];
	size_t len;

	_Static_assert(GT_SYM_LEN == 576, "the %575s below");
	if (!cur)
		return fail(err, "line %zu: a frame before any \"stack N\" line", no);
	if (cur->nr == GT_STACK_FRAMES)
		return fail(err, "line %zu: more than %d frames in stack %lu",
			    no, GT_STACK_FRAMES, cur->id);
	line += strspn(line, " ");
	len = strcspn(line, " \t\v\f\r");
	if (len >= sizeof(cur->frames[0]))
		return fail(err, "line %zu: a frame of %zu bytes, longer than any kernel symbol (%zu)",
			    no, len, sizeof(cur->frames[0]) - 1);
	if (sscanf(line, "%575s %1s", cur->frames[cur->nr], extra) != 1)
		return fail(err, "line %zu: stray frame \"%s\"", no, line);
	cur->nr++;
	return 0;
}

int gt_parse_stacks(FILE *f, struct gt_table *out, char *err)
{
	size_t cap = 16, len = 0, no = 1;
	struct gt_stack *cur = NULL;
	char *line = NULL, extra[2];
	int ret;

	out->nr = 0;
	out->rows = malloc(cap * sizeof(*cur));
	if (!out->rows)
		return oom(err);
	for (; (ret = next_line(f, &line, &len, no, err)) > 0; no++) {
		if (!line[0]) {
			cur = NULL;
			continue;
		}
		if (line[0] == ' ') {
			ret = stack_frame(cur, line, no, err);
			if (ret)
				break;
			continue;
		}
		if (out->nr == cap) {
			void *n = realloc(out->rows, 2 * cap * sizeof(*cur));

			if (!n) {
				ret = oom(err);
				break;
			}
			out->rows = n;
			cap *= 2;
		}
		cur = (struct gt_stack *)out->rows + out->nr;
		cur->nr = 0;
		if (sscanf(line, "stack %lu %1s", &cur->id, extra) != 1) {
			ret = fail(err, "line %zu: want \"stack N\", got \"%s\"",
				   no, line);
			break;
		}
		out->nr++;
	}
	free(line);
	return ret;
}

const struct gt_stack *gt_stack_find(const struct gt_table *stacks,
				     unsigned long id)
{
	const struct gt_stack *s = stacks->rows;

	for (size_t i = 0; i < stacks->nr; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

void gt_kvs_free(struct gt_kvs *kvs)
{
	free(kvs->kv);
	kvs->kv = NULL;
	kvs->nr = 0;
}

void gt_table_free(struct gt_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nr = 0;
}
