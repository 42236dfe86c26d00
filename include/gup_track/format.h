/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs formats, shared by the module (which prints them) and the
 * userspace tools (which parse them). GUP_TRACK_FORMAT_VERSION in
 * version.h changes whenever anything here does.
 */
#ifndef _GUP_TRACK_FORMAT_H
#define _GUP_TRACK_FORMAT_H

/*
 * In the table views (pages, tasks, files, events, hooks) a line that
 * starts with '#' is a note, not a row. A note that starts with
 * GT_NOTE_TRUNCATED says rows were left out, and counts what they held:
 *   "# truncated: more than N groups: F folios P pins G gets X policy files not shown"
 */
#define GT_NOTE_TRUNCATED	"# truncated: more than"

/*
 * pages: one line per tracked folio, after this header, in no particular
 * order: the module streams the table, it does not sort it.
 */
#define GT_PAGES_HEADER \
	"pfn order pins gets flags pid comm age_s caller stack file"

/*
 * tasks: one line per pid, after this header. misused: folios whose pins
 * it released with put_page() (flag X in pages), still held.
 */
#define GT_TASKS_HEADER \
	"pid comm folios pins gets longterm file oldest_s misused"

/*
 * files: one line per inode that has pins now or that the policy acted on,
 * after this header. The policy columns count in observe mode what enforce
 * would do, and in enforce mode what it did.
 */
#define GT_FILES_HEADER \
	"dev ino folios pins gets longterm write oldest_s " \
	"veto_unmap veto_release writeback_pinned syncwrite_pinned " \
	"dirty_at_unpin truncated"

/*
 * events: the event ring, oldest first, after this header. seq counts
 * from 1 since load; a gap means events were overwritten (stats
 * events_lost). pid 0 and comm '-': taken before load or unknown. stack:
 * a handle for the stacks view (0: none). held_ms: how long the folio had
 * been tracked. flags: L FOLL_LONGTERM, W FOLL_WRITE, '-' unset. file:
 * major:minor:inode:index, "anon", or '-' for page cache no longer known.
 * reason: for migrate_blocked why the kernel migrated (compaction,
 * contig_range, memory_hotplug, syscall, numa_misplaced, mbind,
 * longterm_pin, demotion, memory_failure, other), '-' for other kinds.
 */
#define GT_EVENTS_HEADER \
	"seq age_s kind pid comm caller stack held_ms pfn order pins gets flags file reason"

/* The kinds of event, as the kind column spells them. */
#define GT_EVENT_KINDS \
	"truncate", "misuse_put", "unpin_unpinned", "freed_pinned", \
	"orphaned", "long_held", "migrate_blocked"

/* hooks: one line per hooked kernel function or tracepoint. */
#define GT_HOOKS_HEADER \
	"name kind state hits missed"

/*
 * The flags column of pages: five fixed positions, '-' when unset.
 *   0  P  FOLL_PIN pins are held; X held, and some pin was released with
 *         put_page(): the kernel still counts it, the folio leaks it
 *   1  G  FOLL_GET references not yet seen released (unconfirmed)
 *   2  L  some pin or reference was FOLL_LONGTERM
 *   3  W  some pin or reference was FOLL_WRITE
 *   4  F  page cache of a file; S shmem/memfd; A anonymous
 */
#define GT_FLAGS_LEN		5
#define GT_FLAG_PIN		'P'
#define GT_FLAG_MISUSED		'X'
#define GT_FLAG_GET		'G'
#define GT_FLAG_LONGTERM	'L'
#define GT_FLAG_WRITE		'W'
#define GT_FLAG_FILE		'F'
#define GT_FLAG_SHMEM		'S'
#define GT_FLAG_ANON		'A'

#endif /* _GUP_TRACK_FORMAT_H */
