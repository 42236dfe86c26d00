// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prom.h"

/*
 * Every stats key we know, by the Prometheus name it gets (prefixed with
 * gup_track_; counters also get _total). Base units: a key in ms, us or ns
 * becomes _seconds, its value divided by 10^scale. A key that is no metric
 * of its own has no name: format, the events_<kind> counters (one labelled
 * counter), events_next_seq (their sum plus one) and policy (a word).
 */
static const struct metric {
	const char *key, *name;
	char type;		/* 'c' counter, 'g' gauge */
	unsigned char scale;	/* value / 10^scale */
	const char *help;
} metrics[] = {
	{ "format", NULL, 0, 0, NULL },
	{ "events_next_seq", NULL, 0, 0, NULL },
	{ "pins_acquired", "pins_acquired", 'c', 0, "FOLL_PIN pins GUP handed out" },
	{ "pins_released", "pins_released", 'c', 0, "Pins released after their GUP call returned" },
	{ "pins_rolled_back", "pins_rolled_back", 'c', 0, "Pins taken and dropped inside one GUP call" },
	{ "pins_released_untracked", "pins_released_untracked", 'c', 0,
	  "Released pins the table did not hold (pinned before load, or over the limit)" },
	{ "pins_added", "pins_added", 'c', 0, "Pins added by folio_add_pin() (6.12 legacy direct I/O), outside GUP" },
	{ "pins_reconciled", "pins_reconciled", 'c', 0,
	  "Pins the reconciler found the kernel no longer holds: releases not seen" },
	{ "gets_acquired", "gets_acquired", 'c', 0, "FOLL_GET references handed out, internal users excluded" },
	{ "gets_released", "gets_released", 'c', 0, "FOLL_GET references confirmed dropped at bio release" },
	{ "gets_freed", "gets_freed", 'c', 0, "FOLL_GET references still outstanding when their folio was freed" },
	{ "gets_expired", "gets_expired", 'c', 0, "FOLL_GET references the reconciler inferred released" },
	{ "gets_expired_worker", "gets_expired_worker", 'c', 0,
	  "FOLL_GET references the reconciler's worker inferred released" },
	{ "gets_internal", "gets_internal", 'c', 0,
	  "FOLL_GET references of the kernel's own CPU-only users, not tracked" },
	{ "freed_while_pinned", "freed_while_pinned", 'c', 0,
	  "Pins on folios freed while the table counted them: releases never seen" },
	{ "untracked_full", "untracked_full", 'c', 0, "Pins and references not tracked: the table was full" },
	{ "untracked_nomem", "untracked_nomem", 'c', 0, "Pins and references not tracked: no memory" },
	{ "untracked_overflow", "untracked_overflow", 'c', 0,
	  "Pins and references not tracked: too many references on one folio" },
	{ "calls_atomic", "calls_atomic", 'c', 0, "GUP calls in NMI or IRQ context, counted only" },
	{ "owners_none", "owners_none", 'c', 0, "GUP calls recorded without an owner (no memory)" },
	{ "hooks_missed", "hooks_missed", 'c', 0, "Handler runs the probe machinery skipped, all hooks" },
	{ "reconcile_passes", "reconcile_passes", 'c', 0, "Reconciler passes over the whole table" },
	{ "reconcile_checked", "reconcile_checked", 'c', 0, "Table entries the reconciler checked" },
	{ "reconcile_stale", "reconcile_stale", 'c', 0, "Stale table entries the reconciler dropped" },
	{ "reconcile_ns", "reconcile_seconds", 'c', 9, "Time the reconciler spent" },
	{ "active_folios", "active_folios", 'g', 0, "Folios in the table" },
	{ "active_pinned_folios", "active_pinned_folios", 'g', 0, "Folios with pins" },
	{ "active_pinned_pages", "active_pinned_pages", 'g', 0, "Sub-pages handed out in pinned folios" },
	{ "active_pins", "active_pins", 'g', 0, "Pins held now" },
	{ "active_get_folios", "active_get_folios", 'g', 0, "Folios with outstanding FOLL_GET references" },
	{ "active_gets_unconfirmed", "active_gets_unconfirmed", 'g', 0,
	  "FOLL_GET references not yet seen released" },
	{ "active_longterm_folios", "active_longterm_folios", 'g', 0,
	  "Folios with a FOLL_LONGTERM pin or reference" },
	{ "active_file_folios", "active_file_folios", 'g', 0, "Page cache folios in the table" },
	{ "active_misused_folios", "active_misused_folios", 'g', 0,
	  "Folios whose pins were released with put_page(): held and leaked" },
	{ "active_misused_pins", "active_misused_pins", 'g', 0, "Pins on those folios" },
	{ "active_owners", "active_owners", 'g', 0, "Distinct owners (process and call site) the table refers to" },
	{ "idle_owners", "idle_owners", 'g', 0, "Owner records no folio refers to, kept a second for reuse" },
	{ "peak_folios", "peak_folios", 'g', 0, "Most folios in the table at once" },
	{ "memory_bytes", "memory_bytes", 'g', 0, "Memory the table, owners and call sites use" },
	{ "reserve_empty", "reserve_empty", 'c', 0, "Times the preallocated entry pool ran dry in a handler" },
	{ "reserve_grown", "reserve_grown", 'c', 0,
	  "Times a GUP call larger than the entry pool grew it before its return" },
	{ "calls_large", "calls_large", 'c', 0,
	  "GUP calls recorded in the caller's context: large, or the entry pool short" },
	{ "acquire_longest_us", "acquire_longest_seconds", 'g', 6,
	  "The longest stretch of one GUP call's pages recorded at once" },
	{ "acquire_longest_pages", "acquire_longest_pages", 'g', 0, "Pages of that stretch" },
	{ "sites", "sites", 'g', 0, "Call sites known" },
	{ "sites_full", "sites_full", 'c', 0, "GUP calls whose call site did not fit, attributed without a stack" },
	{ "table_limit", "table_limit", 'g', 0, "Most folios the table holds (max_entries)" },
	{ "load_settle_ms", "load_settle_seconds", 'g', 3,
	  "How long the load waited for GUP calls begun before it" },
	{ "load_calls_in_flight", "load_calls_in_flight", 'g', 0, "GUP calls found in flight at load" },
	{ "load_calls_unfollowed", "load_calls_unfollowed", 'g', 0,
	  "GUP calls in flight at load that could not be waited out" },
	{ "load_base_exact", "load_base_exact", 'g', 0,
	  "1 when the kernel's FOLL_PIN counters were read at an exact instant at load" },
	{ "load_release_looks", "load_release_looks", 'g', 0,
	  "CPU stops at load until no release was in flight" },
	{ "load_stopped_us", "load_stopped_seconds", 'g', 6, "The longest of those stops" },
	{ "load_stop_tasks", "load_stop_tasks", 'g', 0, "Threads the longest stop read" },
	{ "load_stop_walks", "load_stop_walks", 'g', 0,
	  "Stops at load that read every thread: the candidates did not fit" },
	{ "load_gup_ranges", "load_gup_ranges", 'g', 0,
	  "Code ranges the load looks for on task stacks: GUP entry points and their tail calls" },
	{ "load_rcu_tasks_ms", "load_rcu_tasks_seconds", 'g', 3,
	  "How long the load waited for releases begun before the hooks" },
	{ "load_attach_ms", "load_attach_seconds", 'g', 3, "How long the load took to attach the hooks" },
	{ "load_releases_ms", "load_releases_seconds", 'g', 3,
	  "How long the load took to find an instant with no release in flight" },
	{ "load_policy_ms", "load_policy_seconds", 'g', 3,
	  "How long the load took to attach the policy's hooks" },
	{ "load_ms", "load_seconds", 'g', 3, "How long the module's init took, all of it" },
	{ "kernel_foll_pin_acquired", "kernel_foll_pin_acquired", 'c', 0,
	  "The kernel's nr_foll_pin_acquired since load (batched per CPU)" },
	{ "kernel_foll_pin_released", "kernel_foll_pin_released", 'c', 0,
	  "The kernel's nr_foll_pin_released since load (batched per CPU)" },
	{ "ours_foll_pin_acquired", "ours_foll_pin_acquired", 'c', 0,
	  "FOLL_PIN pins acquired, as gup_track counts them the kernel's way" },
	{ "ours_foll_pin_released", "ours_foll_pin_released", 'c', 0,
	  "FOLL_PIN pins released, as gup_track counts them the kernel's way" },
	{ "events_size", "events_size", 'g', 0, "Events the ring holds, of all kinds" },
	{ "events_per_kind", "events_per_kind", 'g', 0, "Events the ring holds of each kind" },
	{ "events_lost", "events_lost", 'c', 0, "Events overwritten in the ring before anyone read them" },
	{ "migrate_blocked_repeats", "migrate_blocked_repeats", 'c', 0,
	  "Migration failures of a folio already reported for that reason" },
	{ "policy_available", "policy_available", 'g', 0, "0 when the policy's watch hooks could not attach" },
	{ "enforce_available", "enforce_available", 'g', 0, "0 when enforce's hooks could not attach" },
	{ "veto_unmap_would", "veto_unmap_would", 'c', 0, "Reclaim unmaps of pinned page cache observe would refuse" },
	{ "veto_unmap_done", "veto_unmap_done", 'c', 0, "Reclaim unmaps of pinned page cache refused" },
	{ "veto_release_would", "veto_release_would", 'c', 0, "Buffer strips of pinned page cache observe would refuse" },
	{ "veto_release_done", "veto_release_done", 'c', 0, "Buffer strips of pinned page cache refused" },
	{ "veto_release_allowed", "veto_release_allowed", 'c', 0,
	  "Buffer strips of pinned page cache enforce let through" },
	{ "writeback_pinned_would", "writeback_pinned_would", 'c', 0,
	  "Background writeback of a pinned page, seen in observe" },
	{ "writeback_pinned_done", "writeback_pinned_done", 'c', 0,
	  "Background writeback of a pinned page, seen in enforce" },
	{ "syncwrite_pinned_would", "syncwrite_pinned_would", 'c', 0,
	  "Integrity writeback of a pinned page, seen in observe" },
	{ "syncwrite_pinned_done", "syncwrite_pinned_done", 'c', 0,
	  "Integrity writeback of a pinned page, seen in enforce" },
	{ "dirty_at_unpin_would", "dirty_at_unpin_would", 'c', 0,
	  "Page cache enforce would dirty when its last write pin went" },
	{ "dirty_at_unpin_done", "dirty_at_unpin_done", 'c', 0,
	  "Page cache dirtied when its last write pin went" },
	{ "dirty_at_unpin_skipped", "dirty_at_unpin_skipped", 'c', 0,
	  "Page cache not dirtied at unpin: no buffers, truncated, or no memory" },
	{ "truncated_while_pinned", "truncated_while_pinned", 'c', 0,
	  "Pinned page cache folios removed by truncate or hole punch" },
	{ "truncated_gets_expired", "truncated_gets_expired", 'c', 0,
	  "Truncated folios whose only references had already gone" },
	{ "policy_files_untracked", "policy_files_untracked", 'c', 0,
	  "Policy counts not kept per file (more than 256 files)" },
};

static const char * const policies[] = { "off", "observe", "enforce" };

static const struct metric *metric_of(const char *key)
{
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (!strcmp(key, metrics[i].key))
			return &metrics[i];
	return NULL;
}

/*
 * A label value must be UTF-8 with backslash, double quote and newline
 * escaped. The kernel's strings are bytes in no known encoding: as in the
 * JSON output, each byte 0x80-0xff stands for its Latin-1 code point, here
 * written as the two bytes of UTF-8 that encode it.
 */
static void label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		unsigned char c = *v;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c >= 0x80)
			fprintf(out, "%c%c", 0xc0 | c >> 6, 0x80 | (c & 0x3f));
		else
			fputc(c, out);
	}
}

/*
 * Is gup_track_<key> a metric name ([a-zA-Z0-9_], the prefix gives the
 * first letter), and the first line of stats with this key? Anything else
 * is left out rather than written as a line Prometheus would refuse.
 */
static bool metric_key(const struct gt_kvs *stats, size_t i)
{
	const char *key = stats->kv[i].key;

	if (!*key || key[strspn(key, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")])
		return false;
	for (size_t k = 0; k < i; k++)
		if (!strcmp(stats->kv[k].key, key))
			return false;
	return true;
}

static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP gup_track_%s %s\n# TYPE gup_track_%s %s\n",
		name, help, name, type);
}

/* v / 10^scale, exactly: 1234 with scale 3 is 1.234. */
static void value(FILE *out, unsigned long long v, unsigned int scale)
{
	unsigned long long div = 1;

	for (unsigned int i = 0; i < scale; i++)
		div *= 10;
	if (scale)
		fprintf(out, "%llu.%0*llu\n", v / div, (int)scale, v % div);
	else
		fprintf(out, "%llu\n", v);
}

static void gauge(FILE *out, const char *name, const char *help,
		  unsigned long long v)
{
	family(out, name, "gauge", help);
	fprintf(out, "gup_track_%s %llu\n", name, v);
}

/* The flavour of a Debian kernel release: 6.1.0-57-rt-amd64 is rt. */
static void flavour(FILE *out, const char *release)
{
	const char *end = strrchr(release, '-'), *start;
	size_t n;

	if (end) {
		for (start = end; start > release && start[-1] != '-'; start--)
			;
		n = end - start;
		if (start > release && n &&
		    strspn(start, "abcdefghijklmnopqrstuvwxyz") == n) {
			fprintf(out, "%.*s", (int)n, start);
			return;
		}
	}
	fputs("generic", out);
}

static void write_info(FILE *out, const struct gt_kvs *stats,
		       const struct gt_kvs *version)
{
	const char *ver = gt_kv_get(version, "version");
	const char *run = gt_kv_get(version, "running");
	const char *policy = gt_kv_get(stats, "policy");

	fputs("# HELP gup_track_loaded 1 when the gup_track module is loaded\n"
	      "# TYPE gup_track_loaded gauge\ngup_track_loaded 1\n", out);
	fputs("# HELP gup_track_info gup_track module version, kernel and its flavour\n"
	      "# TYPE gup_track_info gauge\ngup_track_info{version=\"", out);
	label_value(out, ver ? ver : "");
	fputs("\",kernel=\"", out);
	label_value(out, run ? run : "");
	fputs("\",flavour=\"", out);
	flavour(out, run ? run : "");
	fputs("\"} 1\n", out);
	if (!policy)
		return;
	family(out, "policy", "gauge", "The protection policy in force: 1 for it, 0 for the others");
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		fprintf(out, "gup_track_policy{policy=\"%s\"} %d\n", policies[i],
			!strcmp(policy, policies[i]));
	/* A policy this tool does not know, rather than none at all. */
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(policy, policies[i]))
			return;
	fputs("gup_track_policy{policy=\"", out);
	label_value(out, policy);
	fputs("\"} 1\n", out);
}

static void write_stats(FILE *out, const struct gt_kvs *stats)
{
	fputs("# HELP gup_track_events_total Events raised since load, by kind\n"
	      "# TYPE gup_track_events_total counter\n", out);
	for (size_t i = 0; i < stats->nr; i++) {
		const char *key = stats->kv[i].key;
		unsigned long long v;

		if (metric_key(stats, i) && !strncmp(key, "events_", 7) &&
		    gt_event_kind_known(key + 7) && gt_kv_num(stats, key, &v))
			fprintf(out, "gup_track_events_total{kind=\"%s\"} %llu\n",
				key + 7, v);
	}

	for (size_t i = 0; i < stats->nr; i++) {
		const char *key = stats->kv[i].key;
		const struct metric *m = metric_of(key);
		unsigned long long v;
		char name[80];
		bool counter;

		/* "events" would be a second gup_track_events_total. */
		if ((m && !m->name) || !strcmp(key, "events") ||
		    !metric_key(stats, i) || !gt_kv_num(stats, key, &v) ||
		    (!strncmp(key, "events_", 7) && gt_event_kind_known(key + 7)))
			continue;
		/* A key newer than this tool: a counter, unless it is active_. */
		counter = m ? m->type == 'c' : !!strncmp(key, "active_", 7);
		snprintf(name, sizeof(name), "%s%s", m ? m->name : key,
			 counter ? "_total" : "");
		family(out, name, counter ? "counter" : "gauge",
		       m ? m->help : "gup_track stats value, see the README");
		fprintf(out, "gup_track_%s ", name);
		value(out, v, m ? m->scale : 0);
	}
}

static void write_extra(FILE *out, const struct gt_prom_extra *x)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} per_task[] = {
		{ "process_pins", "Pins held by the process, for the top processes by pins",
		  offsetof(struct gt_task, pins) },
		{ "process_folios", "Folios the process holds pins or references on, for the top processes",
		  offsetof(struct gt_task, folios) },
		{ "process_longterm_folios", "Folios the process holds FOLL_LONGTERM, for the top processes",
		  offsetof(struct gt_task, longterm) },
		{ "process_oldest_age_seconds", "Age of the process's oldest pin or reference, for the top processes",
		  offsetof(struct gt_task, oldest) },
	};

	if (x->have_hooks) {
		gauge(out, "hooks", "Kernel functions and tracepoints gup_track knows on this kernel",
		      x->hooks);
		gauge(out, "hooks_attached", "Hooks attached now", x->hooks_attached);
	}
	if (x->have_pages) {
		gauge(out, "pinned_bytes", "Memory in folios holding pins", x->pinned_bytes);
		gauge(out, "longterm_pinned_bytes",
		      "Memory in folios holding pins, one of them FOLL_LONGTERM",
		      x->longterm_pinned_bytes);
		gauge(out, "oldest_longterm_pin_age_seconds",
		      "Age of the oldest folio holding a FOLL_LONGTERM pin; 0 when none",
		      x->oldest_longterm_age);
		gauge(out, "orphaned_pins",
		      "Pins still held on folios an orphaned event named: their process exited",
		      x->orphaned_pins);
		gauge(out, "orphaned_folios", "Folios counted in gup_track_orphaned_pins",
		      x->orphaned_folios);
	}
	if (!x->top || !x->ntop)
		return;
	for (size_t m = 0; m < sizeof(per_task) / sizeof(per_task[0]); m++) {
		family(out, per_task[m].name, "gauge", per_task[m].help);
		for (size_t i = 0; i < x->ntop; i++) {
			const struct gt_task *t = &x->top[i];

			fprintf(out, "gup_track_%s{pid=\"%ld\",comm=\"", per_task[m].name,
				t->pid);
			label_value(out, t->comm);
			fprintf(out, "\"} %lu\n",
				*(const unsigned long *)((const char *)t + per_task[m].off));
		}
	}
}

void gt_prom_write(FILE *out, const struct gt_kvs *stats,
		   const struct gt_kvs *version,
		   const struct gt_prom_extra *extra)
{
	write_info(out, stats, version);
	write_stats(out, stats);
	if (extra)
		write_extra(out, extra);
}

void gt_prom_write_unloaded(FILE *out)
{
	fputs("# HELP gup_track_loaded 1 when the gup_track module is loaded\n"
	      "# TYPE gup_track_loaded gauge\ngup_track_loaded 0\n", out);
}

static int cmp_orphan(const void *a, const void *b)
{
	const struct gt_prom_orphan *x = a, *y = b;

	if (x->pfn != y->pfn)
		return (x->pfn > y->pfn) - (x->pfn < y->pfn);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

bool gt_prom_orphans(struct gt_prom_extra *x, const struct gt_table *events)
{
	const struct gt_event *e = events->rows;
	size_t n = 0;

	free(x->orphans);
	x->norphans = 0;
	x->orphans = malloc((events->nr ? events->nr : 1) * sizeof(*x->orphans));
	if (!x->orphans)
		return false;
	for (size_t i = 0; i < events->nr; i++) {
		if (strcmp(e[i].kind, "orphaned") || !e[i].pid)
			continue;
		/*
		 * The folio was held_ms when the event came, age_s ago: the
		 * same entry is at least that old now (each is rounded down).
		 * A younger one is a later pin of a folio freed since.
		 */
		x->orphans[n].pfn = e[i].pfn;
		x->orphans[n].pid = e[i].pid;
		x->orphans[n++].min_age = e[i].age + e[i].held_ms / 1000;
	}
	qsort(x->orphans, n, sizeof(*x->orphans), cmp_orphan);
	x->norphans = n;
	return true;
}

int gt_prom_page(const struct gt_page *p, void *arg, char *err)
{
	struct gt_prom_extra *x = arg;
	struct gt_prom_orphan key = { p->pfn, p->pid, 0 }, *o;
	unsigned long long bytes = (unsigned long long)x->page_size << p->order;

	(void)err;
	x->have_pages = true;
	if (p->pins <= 0)
		return 0;
	x->pinned_bytes += bytes;
	if (p->flags[2] == 'L') {
		x->longterm_pinned_bytes += bytes;
		if (p->age > x->oldest_longterm_age)
			x->oldest_longterm_age = p->age;
	}
	o = x->norphans ? bsearch(&key, x->orphans, x->norphans,
				  sizeof(*x->orphans), cmp_orphan) : NULL;
	if (o && p->age >= o->min_age) {
		x->orphaned_pins += p->pins;
		x->orphaned_folios++;
	}
	return 0;
}

static int cmp_top(const void *a, const void *b)
{
	const struct gt_task *x = a, *y = b;

	if (x->pins != y->pins)
		return (y->pins > x->pins) - (y->pins < x->pins);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

void gt_prom_top(struct gt_table *tasks, size_t n)
{
	qsort(tasks->rows, tasks->nr, sizeof(struct gt_task), cmp_top);
	if (tasks->nr > n)
		tasks->nr = n;
}

void gt_prom_extra_free(struct gt_prom_extra *x)
{
	free(x->orphans);
	x->orphans = NULL;
	x->norphans = 0;
}

/* Make the rename itself durable: fsync the directory that holds path. */
static int sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, ret;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

int gt_prom_export(const char *path, const struct gt_kvs *stats,
		   const struct gt_kvs *version,
		   const struct gt_prom_extra *extra, char *err)
{
	size_t n = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(n);
	FILE *out;
	bool ok;
	int fd, e;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	out = fd < 0 ? NULL : fdopen(fd, "w");
	if (!out) {
		e = errno;
		snprintf(err, GT_ERR_LEN, "cannot create %s: %s", tmp,
			 strerror(e));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -e;
	}
	/* mkstemp makes it 0600: node_exporter runs as another user. */
	ok = !fchmod(fd, 0644);
	if (ok) {
		if (stats)
			gt_prom_write(out, stats, version, extra);
		else
			gt_prom_write_unloaded(out);
		ok = !ferror(out) && !fflush(out) && !fsync(fd);
	}
	e = errno;
	if (fclose(out) && ok) {
		ok = false;
		e = errno;
	}
	if (ok && rename(tmp, path)) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		snprintf(err, GT_ERR_LEN, "cannot write %s: %s", path,
			 strerror(e ? e : EIO));
		unlink(tmp);
		free(tmp);
		return -EIO;
	}
	free(tmp);
	/* The file is in place; a directory that cannot be synced is no error. */
	sync_dir(path);
	return 0;
}
