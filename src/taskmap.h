/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small map from a task to the nodes it registered, for state that lives
 * from a probed function's entry to its return: "this task is inside GUP",
 * "this task is writing back with WB_SYNC_ALL". Only a task adds or
 * removes its own nodes, so a node found for current stays valid.
 */
#ifndef _GUP_TRACK_TASKMAP_H
#define _GUP_TRACK_TASKMAP_H

#include <linux/list.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

#define GT_TASKMAP_BITS	6

struct gt_task_node {
	struct hlist_node node;
	struct task_struct *task;
};

struct gt_taskmap {
	struct {
		spinlock_t lock;	/* protects nodes */
		struct hlist_head nodes;
	} buckets[1 << GT_TASKMAP_BITS];
	atomic_t active;
};

void gt_taskmap_init(struct gt_taskmap *map);
void gt_taskmap_add(struct gt_taskmap *map, struct gt_task_node *n);
void gt_taskmap_del(struct gt_taskmap *map, struct gt_task_node *n);
/* The newest node current registered, or NULL. */
struct gt_task_node *gt_taskmap_current(struct gt_taskmap *map);
/* After the probes are gone: hand every node left to free(). */
void gt_taskmap_drain(struct gt_taskmap *map,
		      void (*free)(struct gt_task_node *n));

#endif /* _GUP_TRACK_TASKMAP_H */
