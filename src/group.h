/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table folded by a key, for the tasks and files views: by pid, or by
 * file (dev, ino) with the policy's counters of the files it acted on.
 * Groups are few (processes, files), but nothing bounds them but the
 * table: past GT_GROUPS_MAX the rest is counted in lost_*, never dropped
 * unsaid.
 */
#ifndef _GUP_TRACK_GROUP_H
#define _GUP_TRACK_GROUP_H

#include <linux/bits.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "policy.h"

#define GT_GROUPS_MAX	BIT(17)	/* 17 MiB of groups */

struct gt_group {
	u64 key[2];		/* pid, 0; or dev, ino */
	char comm[TASK_COMM_LEN];
	unsigned long folios, pins, gets, longterm, file, write, misused;
	u64 oldest;		/* smallest since */
	u64 vetoes[GT_VETO_MAX];
	u64 truncated;
};

struct gt_groups {
	bool by_file;
	struct gt_group *g;	/* nr of cap in use; sorted by key when built */
	size_t nr, cap;
	u32 *slot;		/* while building: 1 + index into g, 0 free */
	unsigned int bits;
	/* What did not fit in GT_GROUPS_MAX groups. */
	unsigned long lost_folios, lost_pins, lost_gets, lost_files;
	u64 now;		/* when the fold began */
};

/* Fold the whole table into gs, zeroed before. Process context. */
int gt_groups_build(struct gt_groups *gs, bool by_file);
void gt_groups_free(struct gt_groups *gs);

#endif /* _GUP_TRACK_GROUP_H */
