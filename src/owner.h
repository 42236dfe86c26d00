/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Owners: who took a pin or reference. One record per process and call
 * site, shared by every folio that process took from that site, so that
 * attribution costs a pointer per folio however many calls it took.
 * A process is its tgid and the start time of its leader, which a reused
 * pid does not share. Records come from a pool (pool.h) and are counted
 * references: a folio holds one on its taker (table.h). A record whose last
 * reference goes stays in the hash, idle, for a second or so: the next GUP
 * call of the same process and site (an O_DIRECT read after the last one
 * completed) finds it instead of building it again.
 */
#ifndef _GUP_TRACK_OWNER_H
#define _GUP_TRACK_OWNER_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/types.h>

struct gt_owner {
	struct hlist_node node;		/* free-list link while in the pool */
	atomic_t ref;
	pid_t tgid;
	u64 start_time;			/* of the thread group leader */
	u32 site;			/* site.h */
	u64 gone_ns;			/* boot time first seen exited, or 0 */
	unsigned long idle;		/* jiffies when its last reference went */
	char comm[TASK_COMM_LEN];
};

int gt_owner_init(unsigned long reserve, unsigned long max);
void gt_owner_exit(void);

/* current's record for this site, with a reference; NULL if none free. */
struct gt_owner *gt_owner_get(u32 site);
/* Another reference on a record the caller holds one on. */
static inline void gt_owner_hold(struct gt_owner *owner)
{
	atomic_inc(&owner->ref);
}

void gt_owner_put_last(struct gt_owner *owner);

/* Any context but NMI. Inline unless it may be the last reference. */
static inline void gt_owner_put(struct gt_owner *owner)
{
	if (owner && !atomic_add_unless(&owner->ref, -1, 1))
		gt_owner_put_last(owner);
}

/* Is the process that owns the record still alive? Process context. */
bool gt_owner_alive(const struct gt_owner *owner);

/* Records referenced by something, idle ones left out. */
unsigned long gt_owner_count(void);
/* Records no folio refers to, kept for reuse until the reaper frees them. */
unsigned long gt_owner_idle(void);
/* Bytes of the records in use, idle ones included. */
unsigned long gt_owner_memory(void);

#endif /* _GUP_TRACK_OWNER_H */
