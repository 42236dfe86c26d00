// SPDX-License-Identifier: GPL-2.0
/*
 * The owner records, hashed by (tgid, start time, site). Lookups and the
 * last put take the bucket's raw spinlock, so both work in any context but
 * NMI; a put that is not the last is one atomic decrement.
 */
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "owner.h"
#include "pool.h"

#define GT_OWNER_BITS	10

static struct gt_pool gt_owner_pool;
static struct hlist_head gt_owners[1 << GT_OWNER_BITS];
static raw_spinlock_t gt_owner_locks[1 << GT_OWNER_BITS];

static u32 gt_owner_hash(pid_t tgid, u64 start, u32 site)
{
	return hash_64(((u64)tgid << 32 | site) ^ start, GT_OWNER_BITS);
}

struct gt_owner *gt_owner_get(u32 site)
{
	struct task_struct *leader = current->group_leader;
	u64 start = leader->start_time;
	pid_t tgid = current->tgid;
	u32 b = gt_owner_hash(tgid, start, site);
	struct gt_owner *o;
	unsigned long flags;

	raw_spin_lock_irqsave(&gt_owner_locks[b], flags);
	hlist_for_each_entry(o, &gt_owners[b], node) {
		if (o->tgid == tgid && o->start_time == start &&
		    o->site == site) {
			atomic_inc(&o->ref);
			goto out;
		}
	}
	o = gt_pool_get(&gt_owner_pool);
	if (o) {
		atomic_set(&o->ref, 1);
		o->tgid = tgid;
		o->start_time = start;
		o->site = site;
		o->gone_ns = 0;
		/* The leader's name: a thread's may be a worker's. */
		strscpy(o->comm, leader->comm, sizeof(o->comm));
		hlist_add_head(&o->node, &gt_owners[b]);
	}
out:
	raw_spin_unlock_irqrestore(&gt_owner_locks[b], flags);
	return o;
}

void gt_owner_hold(struct gt_owner *owner)
{
	atomic_inc(&owner->ref);
}

void gt_owner_put(struct gt_owner *o)
{
	unsigned long flags;
	u32 b;

	if (!o || atomic_add_unless(&o->ref, -1, 1))
		return;
	/* Maybe the last reference: decide under the lock lookups take. */
	b = gt_owner_hash(o->tgid, o->start_time, o->site);
	raw_spin_lock_irqsave(&gt_owner_locks[b], flags);
	if (atomic_dec_and_test(&o->ref))
		hlist_del(&o->node);
	else
		o = NULL;
	raw_spin_unlock_irqrestore(&gt_owner_locks[b], flags);
	if (o)
		gt_pool_put(&gt_owner_pool, o);
}

bool gt_owner_alive(const struct gt_owner *owner)
{
	struct task_struct *task;
	bool alive = false;

	rcu_read_lock();
	task = pid_task(find_pid_ns(owner->tgid, &init_pid_ns), PIDTYPE_TGID);
	if (task && task->start_time == owner->start_time)
		alive = !(task->flags & PF_EXITING) || !thread_group_empty(task);
	rcu_read_unlock();
	return alive;
}

unsigned long gt_owner_count(void)
{
	return gt_pool_used(&gt_owner_pool);
}

unsigned long gt_owner_bytes(void)
{
	return gt_pool_bytes(&gt_owner_pool);
}

int gt_owner_init(unsigned long reserve, unsigned long max)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(gt_owners); i++) {
		INIT_HLIST_HEAD(&gt_owners[i]);
		raw_spin_lock_init(&gt_owner_locks[i]);
	}
	return gt_pool_init(&gt_owner_pool, "gup_track_owner",
			    sizeof(struct gt_owner),
			    offsetof(struct gt_owner, node.next), reserve, max, 0);
}

/* Every folio has dropped its reference: no record is left in use. */
void gt_owner_exit(void)
{
	gt_pool_exit(&gt_owner_pool);
}
