/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table for the views, a chunk at a time: rows with the attribution
 * and, for page cache, the file of each entry, copied under the table's
 * bucket locks so that printing can sleep. Memory is one chunk, whatever
 * the size of the table: no view copies the table whole.
 *
 * A walk visits the buckets in order and copies whole buckets into the
 * chunk while they fit. A bucket that does not fit is copied in parts, the
 * smallest pfns first, and the next chunk takes it up from the last pfn
 * copied: an entry present for the whole walk is copied exactly once, an
 * entry taken or dropped during it maybe. Rows come in no particular order
 * (the order of the hash, not of pfns).
 */
#ifndef _GUP_TRACK_SNAPSHOT_H
#define _GUP_TRACK_SNAPSHOT_H

#include <linux/sched.h>
#include <linux/types.h>

/* Rows per chunk: 80 KiB of them. */
#define GT_SNAP_CHUNK	1024

struct gt_snap {
	unsigned long pfn;
	u32 subpages;
	int pins;
	int gets;
	u8 order;
	u8 flags;		/* GT_E_* */
	bool has_file;
	u64 since;		/* boot time (ns) when first taken */
	pid_t pid;		/* 0: no attribution */
	char comm[TASK_COMM_LEN];
	u32 site;		/* the taker's call site (site.h) */
	dev_t dev;
	unsigned long ino;
	unsigned long index;
};

struct gt_snap_walk {
	unsigned long bucket;	/* the next bucket to visit */
	unsigned long after;	/* when split: pfns up to it are copied */
	bool split;		/* bucket was copied in part */
	bool done;		/* the walk reached the end of the table */
	size_t nr;		/* rows in the chunk */
	size_t cap;
	/* Filling: the rows of the bucket under visit start here. */
	size_t base;
	bool overflow;		/* ... and not all of them fit */
	struct gt_snap rows[];
};

/* A walk with a chunk of cap rows (0: GT_SNAP_CHUNK); NULL if no memory. */
struct gt_snap_walk *gt_snap_walk_alloc(size_t cap);
void gt_snap_walk_free(struct gt_snap_walk *w);
/* Back to the start of the table; the chunk is emptied. */
void gt_snap_walk_rewind(struct gt_snap_walk *w);
/*
 * Replace the chunk with the next rows of the table, sleeping between
 * buckets; returns their number, 0 at the end. Process context.
 */
size_t gt_snap_walk_next(struct gt_snap_walk *w);

#endif /* _GUP_TRACK_SNAPSHOT_H */
