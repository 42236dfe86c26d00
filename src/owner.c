// SPDX-License-Identifier: GPL-2.0
/*
 * The owner records, hashed by (tgid, start time, site). Lookups and the
 * last put take the bucket's raw spinlock, so both work in any context but
 * NMI; a put that is not the last is one atomic decrement. A record left
 * with no reference is revived by a lookup, under that lock, or freed by
 * the reaper once it has been idle for GT_OWNER_IDLE.
 */
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "owner.h"
#include "pool.h"

#define GT_OWNER_BITS	10
#define GT_OWNER_IDLE	HZ

static struct gt_pool gt_owner_pool;
static struct hlist_head gt_owners[1 << GT_OWNER_BITS];
static raw_spinlock_t gt_owner_locks[1 << GT_OWNER_BITS];
static atomic_long_t gt_owner_idle_nr;
static void gt_owner_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(gt_owner_reaper, gt_owner_reap_work);

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
			/* Only here, under the lock, does a count leave 0. */
			if (atomic_inc_return(&o->ref) == 1)
				atomic_long_dec(&gt_owner_idle_nr);
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

/* Maybe the last reference: decide under the lock lookups take. */
void gt_owner_put_last(struct gt_owner *o)
{
	unsigned long flags;
	bool idle;
	u32 b;

	b = gt_owner_hash(o->tgid, o->start_time, o->site);
	raw_spin_lock_irqsave(&gt_owner_locks[b], flags);
	idle = atomic_dec_and_test(&o->ref);
	if (idle) {
		o->idle = jiffies;
		atomic_long_inc(&gt_owner_idle_nr);
	}
	raw_spin_unlock_irqrestore(&gt_owner_locks[b], flags);
	/* Timers and work queues take raw locks only: fine on RT too. */
	if (idle && !delayed_work_pending(&gt_owner_reaper))
		queue_delayed_work(system_unbound_wq, &gt_owner_reaper,
				   GT_OWNER_IDLE);
}

/* Free the records idle for at least min_idle jiffies; how many are left. */
static unsigned long gt_owner_reap(unsigned long min_idle)
{
	struct hlist_node *next;
	struct gt_owner *o;
	unsigned long flags;
	int b;

	for (b = 0; b < ARRAY_SIZE(gt_owners); b++) {
		if (hlist_empty(&gt_owners[b]))
			continue;
		raw_spin_lock_irqsave(&gt_owner_locks[b], flags);
		hlist_for_each_entry_safe(o, next, &gt_owners[b], node) {
			if (atomic_read(&o->ref) ||
			    time_before(jiffies, o->idle + min_idle))
				continue;
			hlist_del(&o->node);
			atomic_long_dec(&gt_owner_idle_nr);
			gt_pool_put(&gt_owner_pool, o);
		}
		raw_spin_unlock_irqrestore(&gt_owner_locks[b], flags);
		cond_resched();
	}
	return atomic_long_read(&gt_owner_idle_nr);
}

static void gt_owner_reap_work(struct work_struct *work)
{
	if (gt_owner_reap(GT_OWNER_IDLE))
		queue_delayed_work(system_unbound_wq, &gt_owner_reaper,
				   GT_OWNER_IDLE);
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
	long n = gt_pool_used(&gt_owner_pool) -
		 atomic_long_read(&gt_owner_idle_nr);

	return max(n, 0L);
}

unsigned long gt_owner_idle(void)
{
	return max(atomic_long_read(&gt_owner_idle_nr), 0L);
}

unsigned long gt_owner_memory(void)
{
	return gt_pool_used_bytes(&gt_owner_pool);
}

int gt_owner_init(unsigned long reserve, unsigned long max)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(gt_owners); i++) {
		INIT_HLIST_HEAD(&gt_owners[i]);
		raw_spin_lock_init(&gt_owner_locks[i]);
	}
	atomic_long_set(&gt_owner_idle_nr, 0);
	return gt_pool_init(&gt_owner_pool, "gup_track_owner",
			    sizeof(struct gt_owner),
			    offsetof(struct gt_owner, node.next), reserve, max, 0);
}

/* Every folio has dropped its reference: every record left is idle. */
void gt_owner_exit(void)
{
	cancel_delayed_work_sync(&gt_owner_reaper);
	gt_owner_reap(0);
	gt_pool_exit(&gt_owner_pool);
}
