/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A consistent-enough copy of the table for the views: one row per entry,
 * with its attribution and, for page cache, the file it belongs to, copied
 * under the table's locks so that printing can sleep. The table is
 * reconciled first, so what a view shows is what the kernel holds.
 */
#ifndef _GUP_TRACK_SNAPSHOT_H
#define _GUP_TRACK_SNAPSHOT_H

#include <linux/sched.h>
#include <linux/types.h>

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

struct gt_snapshot {
	size_t nr;
	size_t cap;
	bool truncated;		/* the table grew past cap while copied */
	struct gt_snap rows[];
};

struct gt_snapshot *gt_snapshot_take(void);
void gt_snapshot_free(struct gt_snapshot *snap);

#endif /* _GUP_TRACK_SNAPSHOT_H */
