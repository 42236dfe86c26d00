// SPDX-License-Identifier: GPL-2.0
/*
 * gup-track: load gup_track and read what it sees. It reads only the
 * documented debugfs views and module parameters, never kernel internals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <gup_track/version.h>

#include "json.h"
#include "opts.h"
#include "parse.h"
#include "prom.h"

#define DEBUGFS_MAGIC	0x64626720
#define MODULE_SYS	"/sys/module/gup_track"
#define PARAMS		MODULE_SYS "/parameters"

static const char *dir = "/sys/kernel/debug/" GUP_TRACK_DEBUGFS_DIR;
static bool json, pretty;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void usage(int status) __attribute__((noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gup-track: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Why the view cannot be opened, in words a user can act on. */
static void explain_open(const char *path, int err)
{
	struct statfs sf;

	if (err == EACCES)
		die("reading %s needs root (debugfs is root-only)", path);
	if (err == EPERM)
		die("the kernel refuses %s: kernel lockdown? (see /sys/kernel/security/lockdown)",
		    path);
	if (access(MODULE_SYS, F_OK))
		die("gup_track is not loaded: run 'gup-track load' or 'modprobe gup_track'");
	if (statfs("/sys/kernel/debug", &sf) || sf.f_type != DEBUGFS_MAGIC)
		die("debugfs is not mounted: mount -t debugfs none /sys/kernel/debug");
	die("cannot open %s: %s", path, strerror(err));
}

static FILE *view(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		explain_open(path, errno);
	return f;
}

static void read_kvs(const char *name, struct gt_kvs *kvs)
{
	char err[GT_ERR_LEN];
	FILE *f = view(name);
	int ret = gt_parse_kvs(f, kvs, err);

	fclose(f);
	if (ret)
		die("%s/%s: %s", dir, name, err);
}

static bool format_checked;

/* The module must speak the format this tool was built for. */
static void check_format(const struct gt_kvs *version)
{
	unsigned long long fmt;

	format_checked = true;
	if (!gt_kv_num(version, "format", &fmt))
		die("%s/version has no format: not gup_track's?", dir);
	if (fmt != GUP_TRACK_FORMAT_VERSION)
		die("gup_track speaks format %llu, this gup-track understands %d: use matching versions",
		    fmt, GUP_TRACK_FORMAT_VERSION);
}

static void read_table(const char *name,
		       int (*parse)(FILE *, struct gt_table *, char *),
		       struct gt_table *t)
{
	struct gt_kvs version;
	char err[GT_ERR_LEN];
	FILE *f;
	int ret;

	if (!format_checked) {
		read_kvs("version", &version);
		check_format(&version);
		gt_kvs_free(&version);
	}
	f = view(name);
	ret = parse(f, t, err);
	fclose(f);
	if (ret)
		die("%s/%s: %s", dir, name, err);
}

/* Filters shared by pages, tasks and files. */
static struct {
	long pid;
	const char *comm;
	const char *file;	/* major:minor:ino */
	bool longterm;
	bool file_backed;
	long older_than;
	const char *sort;
} flt = { .pid = -1, .older_than = -1 };

static unsigned long num_arg(const char *opt, const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end)
		die("%s wants a number, not '%s'", opt, v);
	return n;
}

/* dev:ino of a page's "major:minor:ino:index" file column. */
static bool file_matches(const char *col, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(col, want, n) && col[n] == ':';
}

/* JSON lists of rows, for pages, tasks and files. */
static void list_begin(struct gt_json *j)
{
	gt_json_init(j, stdout, pretty);
	gt_json_open(j, NULL, '[');
}

static void list_end(struct gt_json *j)
{
	gt_json_close(j, ']');
	gt_json_end(j);
}

static bool page_wanted(const struct gt_page *p)
{
	return (flt.pid < 0 || p->pid == flt.pid) &&
	       (!flt.comm || !strcmp(p->comm, flt.comm)) &&
	       (!flt.file || file_matches(p->file, flt.file)) &&
	       (!flt.longterm || p->flags[2] == 'L') &&
	       (!flt.file_backed || p->flags[4] == 'F' || p->flags[4] == 'S') &&
	       (flt.older_than < 0 || (long)p->age > flt.older_than);
}

static int cmp_pages(const void *a, const void *b)
{
	const struct gt_page *x = a, *y = b;
	const char *k = flt.sort ? flt.sort : "pfn";

	if (!strcmp(k, "pins"))
		return (y->pins > x->pins) - (y->pins < x->pins);
	if (!strcmp(k, "age"))
		return (y->age > x->age) - (y->age < x->age);
	if (!strcmp(k, "pid"))
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

static bool want_stacks;
static struct gt_table stacks;

static void print_frames(struct gt_json *j, unsigned long id, const char *indent)
{
	const struct gt_stack *s = gt_stack_find(&stacks, id);

	if (j)
		gt_json_open(j, "frames", '[');
	for (unsigned int i = 0; s && i < s->nr; i++) {
		if (j)
			gt_json_str(j, NULL, s->frames[i]);
		else
			printf("%s%s\n", indent, s->frames[i]);
	}
	if (j)
		gt_json_close(j, ']');
}

static void cmd_pages(void)
{
	struct gt_table t;
	struct gt_json j;
	size_t i;

	read_table("pages", gt_parse_pages, &t);
	if (want_stacks)
		read_table("stacks", gt_parse_stacks, &stacks);
	qsort(t.rows, t.nr, sizeof(struct gt_page), cmp_pages);
	if (json)
		list_begin(&j);
	else
		printf("%12s %5s %6s %6s %-5s %7s %-15s %7s %-28s %s\n", "PFN",
		       "ORDER", "PINS", "GETS", "FLAGS", "PID", "COMM", "AGE_S",
		       "CALLER", "FILE");
	for (i = 0; i < t.nr; i++) {
		const struct gt_page *p = (struct gt_page *)t.rows + i;

		if (!page_wanted(p))
			continue;
		if (!json) {
			printf("%12lu %5u %6ld %6ld %-5s %7ld %-15s %7lu %-28s %s\n",
			       p->pfn, p->order, p->pins, p->gets, p->flags,
			       p->pid, p->comm, p->age, p->caller, p->file);
			if (want_stacks)
				print_frames(NULL, p->stack, "             ");
			continue;
		}
		gt_json_open(&j, NULL, '{');
		gt_json_num(&j, "pfn", p->pfn);
		gt_json_num(&j, "order", p->order);
		gt_json_int(&j, "pins", p->pins);
		gt_json_int(&j, "gets", p->gets);
		gt_json_str(&j, "flags", p->flags);
		gt_json_bool(&j, "longterm", p->flags[2] == 'L');
		gt_json_bool(&j, "write", p->flags[3] == 'W');
		gt_json_int(&j, "pid", p->pid);
		gt_json_str(&j, "comm", p->comm);
		gt_json_num(&j, "age_s", p->age);
		gt_json_str(&j, "caller", p->caller);
		gt_json_num(&j, "stack", p->stack);
		gt_json_str(&j, "file", p->file);
		if (want_stacks)
			print_frames(&j, p->stack, NULL);
		gt_json_close(&j, '}');
	}
	if (json)
		list_end(&j);
	gt_table_free(&t);
	gt_table_free(&stacks);
}

static void cmd_stack(const char *arg)
{
	unsigned long id;
	struct gt_json j;

	if (!arg)
		usage(2);
	id = num_arg("stack", arg);
	read_table("stacks", gt_parse_stacks, &stacks);
	if (!gt_stack_find(&stacks, id))
		die("no stack %lu: not a handle this module load made", id);
	if (json) {
		gt_json_init(&j, stdout, pretty);
		gt_json_open(&j, NULL, '{');
		gt_json_num(&j, "stack", id);
		print_frames(&j, id, NULL);
		gt_json_close(&j, '}');
		gt_json_end(&j);
	} else {
		printf("stack %lu\n", id);
		print_frames(NULL, id, "  ");
	}
	gt_table_free(&stacks);
}

/* events: what the ring holds, oldest first, and with --follow what comes. */
static struct {
	const char *kind;
	unsigned long long since;
	bool follow;
} evf;

static void print_event(const struct gt_event *e)
{
	struct gt_json j;

	if (!json) {
		printf("[%llu] %s pid %ld %s caller %s stack %lu held %llums pfn %lu order %lu pins %ld gets %ld %s%s file %s%s%s\n",
		       e->seq, e->kind, e->pid, e->comm, e->caller, e->stack,
		       e->held_ms, e->pfn, (unsigned long)e->order, e->pins,
		       e->gets, e->flags[0] == 'L' ? "longterm " : "",
		       e->flags[1] == 'W' ? "write" : "read", e->file,
		       strcmp(e->reason, "-") ? " reason " : "",
		       strcmp(e->reason, "-") ? e->reason : "");
		return;
	}
	/* One object per line, whatever -p says: a stream, not a document. */
	gt_json_init(&j, stdout, false);
	gt_json_open(&j, NULL, '{');
	gt_json_num(&j, "seq", e->seq);
	gt_json_num(&j, "age_s", e->age);
	gt_json_str(&j, "kind", e->kind);
	gt_json_int(&j, "pid", e->pid);
	gt_json_str(&j, "comm", e->comm);
	gt_json_str(&j, "caller", e->caller);
	gt_json_num(&j, "stack", e->stack);
	gt_json_num(&j, "held_ms", e->held_ms);
	gt_json_num(&j, "pfn", e->pfn);
	gt_json_num(&j, "order", e->order);
	gt_json_int(&j, "pins", e->pins);
	gt_json_int(&j, "gets", e->gets);
	gt_json_bool(&j, "longterm", e->flags[0] == 'L');
	gt_json_bool(&j, "write", e->flags[1] == 'W');
	gt_json_str(&j, "file", e->file);
	if (strcmp(e->reason, "-"))
		gt_json_str(&j, "reason", e->reason);
	gt_json_close(&j, '}');
	gt_json_end(&j);
}

static void cmd_events(void)
{
	unsigned long long next = evf.since;
	struct gt_table t;

	if (evf.kind && !gt_event_kind_known(evf.kind))
		die("unknown event kind %s", evf.kind);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		read_table("events", gt_parse_events, &t);
		for (size_t i = 0; i < t.nr; i++) {
			const struct gt_event *e = (struct gt_event *)t.rows + i;

			if (e->seq < next)
				continue;
			if (next && e->seq > next && next > evf.since)
				fprintf(stderr, "gup-track: %llu events lost (overwritten before read)\n",
					e->seq - next);
			next = e->seq + 1;
			if (!evf.kind || !strcmp(evf.kind, e->kind))
				print_event(e);
		}
		gt_table_free(&t);
		if (!evf.follow)
			break;
		if (!next)
			next = 1;
		sleep(1);
	}
}

static int cmp_tasks(const void *a, const void *b)
{
	const struct gt_task *x = a, *y = b;
	const char *k = flt.sort ? flt.sort : "pins";

	if (!strcmp(k, "pid"))
		return (x->pid > y->pid) - (x->pid < y->pid);
	if (!strcmp(k, "age"))
		return (y->oldest > x->oldest) - (y->oldest < x->oldest);
	if (!strcmp(k, "folios"))
		return (y->folios > x->folios) - (y->folios < x->folios);
	return (y->pins + y->gets > x->pins + x->gets) -
	       (y->pins + y->gets < x->pins + x->gets);
}

static bool task_wanted(const struct gt_task *t)
{
	return (flt.pid < 0 || t->pid == flt.pid) &&
	       (!flt.comm || !strcmp(t->comm, flt.comm)) &&
	       (!flt.longterm || t->longterm) &&
	       (!flt.file_backed || t->file) &&
	       (flt.older_than < 0 || (long)t->oldest > flt.older_than);
}

static void print_tasks(const struct gt_table *t, size_t limit)
{
	struct gt_json j;
	size_t i, shown = 0;

	if (json)
		list_begin(&j);
	else
		printf("%7s %-15s %8s %8s %8s %8s %8s %9s %8s\n", "PID", "COMM",
		       "FOLIOS", "PINS", "GETS", "LONGTERM", "FILE", "OLDEST_S",
		       "MISUSED");
	for (i = 0; i < t->nr && shown < limit; i++) {
		const struct gt_task *k = (struct gt_task *)t->rows + i;

		if (!task_wanted(k))
			continue;
		shown++;
		if (!json) {
			printf("%7ld %-15s %8lu %8lu %8lu %8lu %8lu %9lu %8lu\n",
			       k->pid, k->comm, k->folios, k->pins, k->gets,
			       k->longterm, k->file, k->oldest, k->misused);
			continue;
		}
		gt_json_open(&j, NULL, '{');
		gt_json_int(&j, "pid", k->pid);
		gt_json_str(&j, "comm", k->comm);
		gt_json_num(&j, "folios", k->folios);
		gt_json_num(&j, "pins", k->pins);
		gt_json_num(&j, "gets", k->gets);
		gt_json_num(&j, "longterm", k->longterm);
		gt_json_num(&j, "file", k->file);
		gt_json_num(&j, "oldest_s", k->oldest);
		gt_json_num(&j, "misused", k->misused);
		gt_json_close(&j, '}');
	}
	if (json)
		list_end(&j);
}

static void cmd_tasks(void)
{
	struct gt_table t;

	read_table("tasks", gt_parse_tasks, &t);
	qsort(t.rows, t.nr, sizeof(struct gt_task), cmp_tasks);
	print_tasks(&t, (size_t)-1);
	gt_table_free(&t);
}

static const char * const file_policy_cols[GT_FILE_POLICY_COLS] = {
	"veto_unmap", "veto_release", "writeback_pinned", "syncwrite_pinned",
	"dirty_at_unpin", "truncated",
};

static void cmd_files(void)
{
	struct gt_table t;
	struct gt_json j;
	char id[64];
	size_t i;

	read_table("files", gt_parse_files, &t);
	if (json)
		list_begin(&j);
	else
		printf("%-9s %10s %7s %7s %7s %8s %6s %9s %6s %8s %9s\n", "DEV",
		       "INO", "FOLIOS", "PINS", "GETS", "LONGTERM", "WRITE",
		       "OLDEST_S", "VETOES", "DIRTIED", "TRUNCATED");
	for (i = 0; i < t.nr; i++) {
		const struct gt_file *f = (struct gt_file *)t.rows + i;

		snprintf(id, sizeof(id), "%s:%lu", f->dev, f->ino);
		if ((flt.file && strcmp(id, flt.file)) ||
		    (flt.longterm && !f->longterm) ||
		    (flt.older_than >= 0 && (long)f->oldest <= flt.older_than))
			continue;
		if (!json) {
			printf("%-9s %10lu %7lu %7lu %7lu %8lu %6lu %9lu %6lu %8lu %9lu\n",
			       f->dev, f->ino, f->folios, f->pins, f->gets,
			       f->longterm, f->write, f->oldest,
			       f->policy[0] + f->policy[1], f->policy[4],
			       f->policy[5]);
			continue;
		}
		gt_json_open(&j, NULL, '{');
		gt_json_str(&j, "dev", f->dev);
		gt_json_num(&j, "ino", f->ino);
		gt_json_num(&j, "folios", f->folios);
		gt_json_num(&j, "pins", f->pins);
		gt_json_num(&j, "gets", f->gets);
		gt_json_num(&j, "longterm", f->longterm);
		gt_json_num(&j, "write", f->write);
		gt_json_num(&j, "oldest_s", f->oldest);
		for (int c = 0; c < GT_FILE_POLICY_COLS; c++)
			gt_json_num(&j, file_policy_cols[c], f->policy[c]);
		gt_json_close(&j, '}');
	}
	if (json)
		list_end(&j);
	gt_table_free(&t);
}

static unsigned long long stat_num(const struct gt_kvs *s, const char *key)
{
	unsigned long long v = 0;

	gt_kv_num(s, key, &v);
	return v;
}

static void cmd_status(void)
{
	static const char * const active[] = {
		"active_pinned_folios", "active_pinned_pages", "active_pins",
		"active_longterm_folios", "active_file_folios",
		"active_get_folios", "active_gets_unconfirmed",
	};
	struct gt_kvs version, stats;
	struct gt_table hooks;
	unsigned long long ka, kr, oa, orel;
	size_t i, attached = 0;
	struct gt_json j;

	read_kvs("version", &version);
	check_format(&version);
	read_table("hooks", gt_parse_hooks, &hooks);
	read_kvs("stats", &stats);
	for (i = 0; i < hooks.nr; i++)
		attached += !strcmp(((struct gt_hook *)hooks.rows)[i].state,
				    "attached");
	ka = stat_num(&stats, "kernel_foll_pin_acquired");
	kr = stat_num(&stats, "kernel_foll_pin_released");
	oa = stat_num(&stats, "ours_foll_pin_acquired");
	orel = stat_num(&stats, "ours_foll_pin_released");

	if (json) {
		gt_json_init(&j, stdout, pretty);
		gt_json_open(&j, NULL, '{');
		gt_json_str(&j, "version", gt_kv_get(&version, "version") ?: "");
		gt_json_str(&j, "kernel", gt_kv_get(&version, "running") ?: "");
		gt_json_str(&j, "policy", gt_kv_get(&stats, "policy") ?: "");
		gt_json_bool(&j, "policy_available",
			     stat_num(&stats, "policy_available"));
		gt_json_open(&j, "hooks", '[');
		for (i = 0; i < hooks.nr; i++) {
			const struct gt_hook *h = (struct gt_hook *)hooks.rows + i;

			gt_json_open(&j, NULL, '{');
			gt_json_str(&j, "name", h->name);
			gt_json_str(&j, "kind", h->kind);
			gt_json_str(&j, "state", h->state);
			gt_json_num(&j, "hits", h->hits);
			gt_json_close(&j, '}');
		}
		gt_json_close(&j, ']');
		gt_json_open(&j, "active", '{');
		for (i = 0; i < sizeof(active) / sizeof(active[0]); i++)
			gt_json_num(&j, active[i] + 7, stat_num(&stats, active[i]));
		gt_json_close(&j, '}');
		gt_json_open(&j, "oracle", '{');
		gt_json_num(&j, "kernel_acquired", ka);
		gt_json_num(&j, "kernel_released", kr);
		gt_json_num(&j, "ours_acquired", oa);
		gt_json_num(&j, "ours_released", orel);
		gt_json_close(&j, '}');
		gt_json_close(&j, '}');
		gt_json_end(&j);
	} else {
		printf("gup_track %s on %s (built for %s)\n",
		       gt_kv_get(&version, "version") ?: "?",
		       gt_kv_get(&version, "running") ?: "?",
		       gt_kv_get(&version, "built_for") ?: "?");
		printf("policy:   %s%s\n", gt_kv_get(&stats, "policy") ?: "?",
		       stat_num(&stats, "policy_available") ? "" :
		       " (unavailable: its hooks cannot attach)");
		printf("hooks:    %zu attached of %zu\n", attached, hooks.nr);
		for (i = 0; i < sizeof(active) / sizeof(active[0]); i++)
			printf("%-24s %llu\n", active[i] + 7,
			       stat_num(&stats, active[i]));
		printf("FOLL_PIN since load:    kernel +%llu/-%llu, gup_track +%llu/-%llu (%s)\n",
		       ka, kr, oa, orel,
		       ka == oa && kr == orel ? "agree" :
		       "differ; the kernel's counters are batched per CPU");
	}
	gt_table_free(&hooks);
	gt_kvs_free(&version);
	gt_kvs_free(&stats);
}

static void cmd_top(double delay, bool once)
{
	for (;;) {
		struct gt_table t;

		if (!once && !json)
			fputs("\033[H\033[2J", stdout);
		cmd_status();
		putchar('\n');
		read_table("tasks", gt_parse_tasks, &t);
		qsort(t.rows, t.nr, sizeof(struct gt_task), cmp_tasks);
		print_tasks(&t, 20);
		gt_table_free(&t);
		fflush(stdout);
		if (once)
			return;
		usleep((useconds_t)(delay * 1e6));
	}
}

static void cmd_policy(const char *mode)
{
	char cur[32] = "";
	FILE *f;

	if (mode) {
		if (strcmp(mode, "off") && strcmp(mode, "observe") &&
		    strcmp(mode, "enforce"))
			die("policy must be off, observe or enforce");
		f = fopen(PARAMS "/policy", "w");
		if (!f)
			die(access(MODULE_SYS, F_OK) ? "gup_track is not loaded" :
			    "cannot set the policy: %s", strerror(errno));
		if (fputs(mode, f) < 0 || fclose(f))
			die("the kernel refused policy %s: %s%s", mode,
			    strerror(errno), errno == EBUSY ?
			    " (a veto point is owned by another tracer or a livepatch)" : "");
	}
	f = fopen(PARAMS "/policy", "r");
	if (!f || !fgets(cur, sizeof(cur), f))
		die("gup_track is not loaded");
	fclose(f);
	fputs(cur, stdout);
}

/*
 * export --prometheus: stats and version, then what only the other views
 * tell: hooks attached, pinned bytes and the oldest long-term pin (pages,
 * a row at a time), pins of exited processes (orphaned events joined with
 * pages), and the top processes by pins (tasks). Module not loaded: a file
 * that says so (gup_track_loaded 0), one line on stderr, and success, so
 * that a timer running this stays quiet until the module is loaded.
 */
static void cmd_export(const char *path, unsigned long top)
{
	struct gt_prom_extra x = { .page_size = sysconf(_SC_PAGESIZE) };
	struct gt_kvs version, stats;
	struct gt_table hooks, events, tasks = { 0 };
	char err[GT_ERR_LEN], vpath[512];
	FILE *f;
	int ret;

	snprintf(vpath, sizeof(vpath), "%s/version", dir);
	if (access(vpath, F_OK) && errno == ENOENT && access(MODULE_SYS, F_OK)) {
		if (gt_prom_export(path, NULL, NULL, NULL, err))
			die("%s", err);
		fprintf(stderr, "gup-track: gup_track is not loaded: wrote gup_track_loaded 0 to %s\n",
			path);
		return;
	}
	read_kvs("version", &version);
	check_format(&version);
	read_kvs("stats", &stats);
	read_table("hooks", gt_parse_hooks, &hooks);
	x.have_hooks = true;
	x.hooks = hooks.nr;
	for (size_t i = 0; i < hooks.nr; i++)
		x.hooks_attached += !strcmp(((struct gt_hook *)hooks.rows)[i].state,
					    "attached");
	gt_table_free(&hooks);
	/* The events first: a folio they name only gets older after. */
	read_table("events", gt_parse_events, &events);
	if (!gt_prom_orphans(&x, &events))
		die("out of memory");
	gt_table_free(&events);
	f = view("pages");
	ret = gt_scan_pages(f, gt_prom_page, &x, err);
	fclose(f);
	if (ret)
		die("%s/pages: %s", dir, err);
	x.have_pages = true;
	if (top) {
		read_table("tasks", gt_parse_tasks, &tasks);
		gt_prom_top(&tasks, top);
		x.top = tasks.rows;
		x.ntop = tasks.nr;
	}
	if (gt_prom_export(path, &stats, &version, &x, err))
		die("%s", err);
	gt_prom_extra_free(&x);
	gt_table_free(&tasks);
	gt_kvs_free(&version);
	gt_kvs_free(&stats);
}

/* Errors the way kmod's insmod/modprobe word them. */
static const char *kmod_error(int err)
{
	switch (err) {
	case -ENOEXEC:
		return "invalid module format (built for another kernel?)";
	case -ENOENT:
		return "unknown symbol in module, or unknown parameter (see dmesg)";
	case -EINVAL:
		return "invalid parameters (see dmesg)";
	case -EEXIST:
		return "gup_track is already loaded";
	case -EPERM:
		return "operation not permitted: root needed, or lockdown refused an unsigned module";
	case -EKEYREJECTED:
	case -ENOKEY:
		return "the module's signature was rejected (Secure Boot: sign it with the DKMS MOK key)";
	case -EBUSY:
		return "gup_track is in use";
	default:
		return strerror(-err);
	}
}

static void cmd_load(const char *path, int argc, char **argv)
{
	struct kmod_module *mod = NULL;
	char err[GT_ERR_LEN], *opts;
	struct kmod_ctx *ctx;
	int ret;

	/* Refuse what the kernel would not take before anything else. */
	if (gt_load_opts(argc, argv, &opts, err))
		die("cannot load gup_track: %s", err);
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		die("cannot initialise libkmod");
	if (geteuid())
		die("loading a module needs root");
	ret = path ? kmod_module_new_from_path(ctx, path, &mod) :
		     kmod_module_new_from_name(ctx, "gup_track", &mod);
	if (ret)
		die("cannot find %s: %s", path ? path : "gup_track",
		    strerror(-ret));
	if (!path && !access(MODULE_SYS, F_OK))
		die("cannot load gup_track: %s", kmod_error(-EEXIST));
	if (!path && !kmod_module_get_path(mod))
		die("gup_track is not installed for this kernel: 'dkms install gup_track/%s', or --path FILE.ko",
		    GUP_TRACK_VERSION);
	if (path)
		ret = kmod_module_insert_module(mod, 0, opts);
	else
		ret = kmod_module_probe_insert_module(mod,
			KMOD_PROBE_FAIL_ON_LOADED, opts, NULL, NULL, NULL);
	if (ret == KMOD_PROBE_APPLY_BLACKLIST)
		die("gup_track is blacklisted");
	if (ret < 0)
		die("cannot load gup_track: %s", kmod_error(ret));
	free(opts);
	kmod_module_unref(mod);
	kmod_unref(ctx);
}

static void cmd_unload(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_module *mod = NULL;
	int ret;

	if (!ctx || kmod_module_new_from_name(ctx, "gup_track", &mod))
		die("cannot initialise libkmod");
	if (access(MODULE_SYS, F_OK))
		die("gup_track is not loaded");
	if (geteuid())
		die("unloading a module needs root");
	ret = kmod_module_remove_module(mod, 0);
	if (ret < 0)
		die("cannot unload gup_track: %s", kmod_error(ret));
	kmod_module_unref(mod);
	kmod_unref(ctx);
}

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: gup-track [-j|--json] [-p|--pretty] COMMAND [ARGS]\n"
		"  status                      module, policy, hooks, active pins, oracle\n"
		"  pages | tasks | files       [--pid N] [--comm NAME] [--file MAJ:MIN:INO]\n"
		"                              [--longterm] [--file-backed] [--older-than SECS]\n"
		"                              [-s|--sort pfn|pins|age|pid|folios]\n"
		"  top [-d SECS] [-o] [-s KEY] refreshing view (-o: once)\n"
		"  policy [off|observe|enforce]\n"
		"  pages --stacks              each row's stack inline\n"
		"  stack HANDLE                the frames of a stack handle\n"
		"  events [--follow] [--kind K] [--since SEQ]\n"
		"                              the event ring, oldest first (-j: a line each)\n"
		"  export --prometheus FILE [--top-processes N]\n"
		"                              node_exporter textfile, written atomically;\n"
		"                              per-process series for the N (10) top pinners\n"
		"  load [--path KO] [param=value ...]\n"
		"  unload\n"
		"  --version\n"
		"GUP_TRACK_DEBUGFS overrides %s\n", dir);
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'P' },
		{ "comm", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "longterm", no_argument, NULL, 'L' },
		{ "file-backed", no_argument, NULL, 'F' },
		{ "older-than", required_argument, NULL, 'O' },
		{ "sort", required_argument, NULL, 's' },
		{ "path", required_argument, NULL, 'k' },
		{ "prometheus", required_argument, NULL, 'm' },
		{ "version", no_argument, NULL, 'V' },
		{ "stacks", no_argument, NULL, 'S' },
		{ "follow", no_argument, NULL, 'w' },
		{ "kind", required_argument, NULL, 'K' },
		{ "since", required_argument, NULL, 'n' },
		{ "top-processes", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ko = NULL, *prom = NULL, *cmd;
	unsigned long top = 10;
	double delay = 2;
	bool once = false;
	int c;

	if (getenv("GUP_TRACK_DEBUGFS"))
		dir = getenv("GUP_TRACK_DEBUGFS");
	/* Options before the command apply to every command. */
	while ((c = getopt_long(argc, argv, "+jphV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'p': json = pretty = true; break;
		case 'V':
			printf("gup-track %s (debugfs format %d)\n",
			       GUP_TRACK_VERSION, GUP_TRACK_FORMAT_VERSION);
			return 0;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind >= argc)
		usage(2);
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jpd:os:", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'p': json = pretty = true; break;
		case 'P': flt.pid = num_arg("--pid", optarg); break;
		case 'c': flt.comm = optarg; break;
		case 'f': flt.file = optarg; break;
		case 'L': flt.longterm = true; break;
		case 'F': flt.file_backed = true; break;
		case 'O': flt.older_than = num_arg("--older-than", optarg); break;
		case 's': flt.sort = optarg; break;
		case 'd':
			delay = strtod(optarg, NULL);
			if (delay <= 0)
				die("-d wants a positive number of seconds");
			break;
		case 'o': once = true; break;
		case 'k': ko = optarg; break;
		case 'm': prom = optarg; break;
		case 'S': want_stacks = true; break;
		case 'w': evf.follow = true; break;
		case 'K': evf.kind = optarg; break;
		case 'n': evf.since = num_arg("--since", optarg); break;
		case 'T': top = num_arg("--top-processes", optarg); break;
		default: usage(2);
		}
	}

	if (!strcmp(cmd, "status"))
		cmd_status();
	else if (!strcmp(cmd, "pages"))
		cmd_pages();
	else if (!strcmp(cmd, "tasks"))
		cmd_tasks();
	else if (!strcmp(cmd, "files"))
		cmd_files();
	else if (!strcmp(cmd, "events"))
		cmd_events();
	else if (!strcmp(cmd, "stack"))
		cmd_stack(optind < argc ? argv[optind] : NULL);
	else if (!strcmp(cmd, "top"))
		cmd_top(delay, once);
	else if (!strcmp(cmd, "policy"))
		cmd_policy(optind < argc ? argv[optind] : NULL);
	else if (!strcmp(cmd, "export") && prom)
		cmd_export(prom, top);
	else if (!strcmp(cmd, "load"))
		cmd_load(ko, argc - optind, argv + optind);
	else if (!strcmp(cmd, "unload"))
		cmd_unload();
	else
		usage(2);
	return 0;
}
