/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node_exporter textfile format: every statistic of the stats view
 * under a Prometheus name (README "Monitoring"), and what the other views
 * add that a query could not compute: pinned bytes, the oldest long-term
 * pin, pins of exited processes, the hooks attached, the top processes.
 */
#ifndef _GT_PROM_H
#define _GT_PROM_H

#include <stdio.h>

#include "parse.h"

/* An orphaned event of the ring: its folio, taker, and least age now. */
struct gt_prom_orphan {
	unsigned long pfn;
	long pid;
	unsigned long long min_age;	/* seconds the folio was tracked, at least */
};

/* What export reads besides stats and version; any part may be absent. */
struct gt_prom_extra {
	bool have_hooks;
	size_t hooks, hooks_attached;

	/* The pages view, folded row by row (gt_prom_page). */
	bool have_pages;
	unsigned long page_size;
	unsigned long long pinned_bytes, longterm_pinned_bytes;
	unsigned long long oldest_longterm_age;	/* seconds; 0: none */
	unsigned long long orphaned_pins, orphaned_folios;
	/* The orphaned events, by pfn, from gt_prom_orphans(). */
	struct gt_prom_orphan *orphans;
	size_t norphans;

	/* The tasks view, sorted and cut by gt_prom_top(); NULL: left out. */
	const struct gt_task *top;
	size_t ntop;
};

/*
 * Keep the orphaned events of an events table; false when out of memory.
 * Read the events before the pages: a folio's age only grows after.
 */
bool gt_prom_orphans(struct gt_prom_extra *x, const struct gt_table *events);
/* gt_scan_pages()'s callback: fold one row into x (a struct gt_prom_extra). */
int gt_prom_page(const struct gt_page *p, void *x, char *err);
/* Sort a tasks table by pins (then pid) and keep its first n rows. */
void gt_prom_top(struct gt_table *tasks, size_t n);
void gt_prom_extra_free(struct gt_prom_extra *x);

/* Everything; extra may be NULL. */
void gt_prom_write(FILE *out, const struct gt_kvs *stats,
		   const struct gt_kvs *version,
		   const struct gt_prom_extra *extra);
/* Only gup_track_loaded 0: the module is not loaded. */
void gt_prom_write_unloaded(FILE *out);
/*
 * Write to path atomically: a temporary file beside it (path.XXXXXX, which
 * the textfile collector ignores), mode 0644, fsync, rename(), and an
 * fsync of the directory. stats NULL: the gt_prom_write_unloaded() file.
 */
int gt_prom_export(const char *path, const struct gt_kvs *stats,
		   const struct gt_kvs *version,
		   const struct gt_prom_extra *extra, char *err);

#endif /* _GT_PROM_H */
