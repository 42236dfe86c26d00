// SPDX-License-Identifier: GPL-2.0
/*
 * The side table.
 *
 * Lookups are lockless under RCU. The counts of one pfn are changed under
 * one of a set of striped locks, with interrupts off, because releases
 * arrive from bio completion in hard IRQ context. The rhashtable is only
 * changed with interrupts on, because its bucket locks disable bottom
 * halves: an entry that dies with interrupts off is marked GT_E_DEAD, its
 * pfn is queued on this CPU, and a worker on this CPU unhashes it. A taker
 * that finds a dead entry simply brings it back.
 *
 * A counting filter indexed by a hash of the pfn sits in front of the hash
 * table, so hooks on hot paths (page freeing) can dismiss an untracked page
 * with one load. Attribution records are freed after a grace period;
 * entries are type-safe under RCU (table.h).
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "table.h"

#define GT_LOCK_BITS	6
#define GT_FILTER_BITS	16
#define GT_REAP_BATCH	64

static struct rhashtable gt_table;
static const struct rhashtable_params gt_params = {
	.key_len = sizeof(unsigned long),
	.key_offset = offsetof(struct gt_entry, pfn),
	.head_offset = offsetof(struct gt_entry, node),
	.automatic_shrinking = true,
};

static struct kmem_cache *gt_entry_cache;
static struct kmem_cache *gt_attr_cache;
static spinlock_t gt_locks[1 << GT_LOCK_BITS];
static atomic_t *gt_filter;
static atomic_long_t gt_count;		/* hashed entries, dead ones too */
static atomic_long_t gt_dead;
static atomic_long_t gt_peak;
static atomic_long_t gt_attrs;
static unsigned long gt_limit;

/* Pfns of entries that died with interrupts off, per CPU. */
struct gt_reap {
	unsigned int nr;
	bool overflow;		/* some did not fit: scan the table */
	unsigned long pfn[GT_REAP_BATCH];
	struct work_struct work;
};

static DEFINE_PER_CPU(struct gt_reap, gt_reap);

static spinlock_t *gt_lock(unsigned long pfn)
{
	return &gt_locks[hash_long(pfn, GT_LOCK_BITS)];
}

static atomic_t *gt_filter_slot(unsigned long pfn)
{
	return &gt_filter[hash_long(pfn, GT_FILTER_BITS)];
}

struct gt_attr *gt_attr_alloc(gfp_t gfp)
{
	struct gt_attr *attr = kmem_cache_zalloc(gt_attr_cache, gfp);

	if (attr) {
		refcount_set(&attr->ref, 1);
		atomic_long_inc(&gt_attrs);
	}
	return attr;
}

static void gt_attr_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(gt_attr_cache, container_of(rcu, struct gt_attr, rcu));
	atomic_long_dec(&gt_attrs);
}

void gt_attr_put(struct gt_attr *attr)
{
	if (attr && refcount_dec_and_test(&attr->ref))
		call_rcu(&attr->rcu, gt_attr_free_rcu);
}

static bool gt_can_unhash(void)
{
	return !in_hardirq() && !in_nmi() && !irqs_disabled();
}

/* Unhash and free the entry of pfn if it is (still) dead. IRQs on. */
static void gt_unhash_dead(unsigned long pfn)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_entry *e;
	unsigned long irq;

	/* A taker spins on GT_E_REMOVING: never be preempted holding it. */
	preempt_disable();
	spin_lock_irqsave(lock, irq);
	e = rhashtable_lookup_fast(&gt_table, &pfn, gt_params);
	if (e && (e->flags & GT_E_DEAD) && !(e->flags & GT_E_REMOVING))
		e->flags |= GT_E_REMOVING;
	else
		e = NULL;
	spin_unlock_irqrestore(lock, irq);
	if (e) {
		rhashtable_remove_fast(&gt_table, &e->node, gt_params);
		atomic_dec(gt_filter_slot(pfn));
		atomic_long_dec(&gt_dead);
		atomic_long_dec(&gt_count);
		kmem_cache_free(gt_entry_cache, e);
	}
	preempt_enable();
}

static void gt_reap_later(unsigned long pfn)
{
	struct gt_reap *r;
	unsigned long irq;

	local_irq_save(irq);
	r = this_cpu_ptr(&gt_reap);
	if (r->nr < GT_REAP_BATCH)
		r->pfn[r->nr++] = pfn;
	else
		r->overflow = true;
	queue_work_on(smp_processor_id(), system_wq, &r->work);
	local_irq_restore(irq);
}

static void gt_collect_dead(unsigned long *pfns, unsigned int *nr)
{
	struct rhashtable_iter iter;
	struct gt_entry *e;

	rhashtable_walk_enter(&gt_table, &iter);
	rhashtable_walk_start(&iter);
	while (*nr < GT_REAP_BATCH && (e = rhashtable_walk_next(&iter))) {
		if (!IS_ERR(e) && (READ_ONCE(e->flags) & GT_E_DEAD))
			pfns[(*nr)++] = READ_ONCE(e->pfn);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void gt_reap_work(struct work_struct *work)
{
	struct gt_reap *r = container_of(work, struct gt_reap, work);
	unsigned long pfns[GT_REAP_BATCH];
	unsigned int nr, i;
	bool overflow;

	local_irq_disable();
	nr = r->nr;
	memcpy(pfns, r->pfn, nr * sizeof(*pfns));
	overflow = r->overflow;
	r->nr = 0;
	r->overflow = false;
	local_irq_enable();

	for (i = 0; i < nr; i++)
		gt_unhash_dead(pfns[i]);
	while (overflow && atomic_long_read(&gt_dead)) {
		nr = 0;
		gt_collect_dead(pfns, &nr);
		for (i = 0; i < nr; i++)
			gt_unhash_dead(pfns[i]);
		overflow = nr == GT_REAP_BATCH;
		cond_resched();
	}
}

/* Caller holds the pfn's lock: the entry has nothing left. */
static void gt_entry_die(struct gt_entry *e)
{
	e->flags |= GT_E_DEAD;
	e->flags &= ~(GT_E_LONGTERM | GT_E_WRITE);
	gt_attr_put(rcu_dereference_protected(e->attr, true));
	RCU_INIT_POINTER(e->attr, NULL);
	atomic_long_inc(&gt_dead);
}

static void gt_entry_buried(unsigned long pfn)
{
	if (gt_can_unhash())
		gt_unhash_dead(pfn);
	else
		gt_reap_later(pfn);
}

static void gt_peak_update(long now)
{
	long peak = atomic_long_read(&gt_peak);

	while (now > peak && !atomic_long_try_cmpxchg(&gt_peak, &peak, now))
		;
}

/* Caller holds the pfn's lock. */
static void gt_entry_add(struct gt_entry *e, unsigned int order,
			 unsigned int subpage, int pins, int gets, u8 flags,
			 struct gt_attr *attr)
{
	struct gt_attr *old;

	if (e->flags & GT_E_DEAD) {
		e->flags &= ~GT_E_DEAD;
		e->subpages = 0;
		e->since = ktime_get_boottime_seconds();
		atomic_long_dec(&gt_dead);
	}
	e->pins += pins;
	e->gets += gets;
	e->flags |= flags;
	e->subpages |= BIT(gt_subpage_bit(order, subpage));
	old = rcu_dereference_protected(e->attr, true);
	if (attr && old != attr) {
		refcount_inc(&attr->ref);
		rcu_assign_pointer(e->attr, attr);
		gt_attr_put(old);
	}
}

/*
 * Add pins or references to the folio at pfn, creating its entry; attr,
 * if given, becomes the entry's latest taker. Must run with interrupts on.
 * Returns -ENOSPC when the table is at its limit, -ENOMEM when an entry
 * cannot be allocated without sleeping, -EOVERFLOW past 65535 references
 * on one folio.
 */
int gt_table_take(unsigned long pfn, unsigned int order, unsigned int subpage,
		  int pins, int gets, u8 flags, struct gt_attr *attr)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_entry *e, *old;
	unsigned long irq;
	int ret;

	/* Inserting takes bucket locks that must not nest in irqs-off. */
	if (!gt_can_unhash())
		return -EINVAL;
retry:
	spin_lock_irqsave(lock, irq);
	e = rhashtable_lookup_fast(&gt_table, &pfn, gt_params);
	if (e) {
		if (e->flags & GT_E_REMOVING) {
			spin_unlock_irqrestore(lock, irq);
			cpu_relax();
			goto retry;
		}
		ret = e->gets + gets > U16_MAX ? -EOVERFLOW : 0;
		if (!ret)
			gt_entry_add(e, order, subpage, pins, gets, flags, attr);
		spin_unlock_irqrestore(lock, irq);
		return ret;
	}
	spin_unlock_irqrestore(lock, irq);

	if (atomic_long_read(&gt_count) >= READ_ONCE(gt_limit))
		return -ENOSPC;
	e = kmem_cache_alloc(gt_entry_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!e)
		return -ENOMEM;
	/*
	 * A reader may still hold this object from its previous life: set it
	 * up under the lock it will check, complete before it is hashed.
	 */
	spin_lock_irqsave(lock, irq);
	WRITE_ONCE(e->pfn, pfn);
	e->flags = 0;
	e->pins = 0;
	e->gets = 0;
	e->order = order;
	e->subpages = 0;
	e->since = ktime_get_boottime_seconds();
	RCU_INIT_POINTER(e->attr, NULL);
	gt_entry_add(e, order, subpage, pins, gets, flags, attr);
	spin_unlock_irqrestore(lock, irq);

	/* Filter first: a release must never miss a hashed entry. */
	atomic_inc(gt_filter_slot(pfn));
	old = rhashtable_lookup_get_insert_fast(&gt_table, &e->node, gt_params);
	if (old) {
		atomic_dec(gt_filter_slot(pfn));
		gt_attr_put(rcu_dereference_protected(e->attr, true));
		kmem_cache_free(gt_entry_cache, e);
		if (IS_ERR(old))
			return PTR_ERR(old);
		goto retry;	/* someone else inserted it first */
	}
	gt_peak_update(atomic_long_inc_return(&gt_count));
	return 0;
}

/* The live entry of pfn; the caller holds the pfn's lock. */
static struct gt_entry *gt_lookup_live(unsigned long pfn)
{
	struct gt_entry *e = rhashtable_lookup_fast(&gt_table, &pfn, gt_params);

	return e && !(e->flags & GT_E_DEAD) ? e : NULL;
}

/* Drop up to refs pins or references; returns how many were tracked. */
static int gt_table_drop(unsigned long pfn, int refs, bool pin,
			 bool *last_write)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_entry *e;
	unsigned long irq;
	bool died = false;
	int n = 0;

	if (last_write)
		*last_write = false;

	if (!gt_table_maybe(pfn))
		return 0;
	spin_lock_irqsave(lock, irq);
	e = gt_lookup_live(pfn);
	if (e) {
		n = min(pin ? e->pins : e->gets, refs);
		if (pin)
			e->pins -= n;
		else
			e->gets -= n;
		if (last_write && n && !e->pins && (e->flags & GT_E_WRITE))
			*last_write = true;
		if (!e->pins && !e->gets) {
			gt_entry_die(e);
			died = true;
		}
	}
	spin_unlock_irqrestore(lock, irq);
	if (died)
		gt_entry_buried(pfn);
	return n;
}

int gt_table_unpin(unsigned long pfn, int refs, bool *last_write)
{
	return gt_table_drop(pfn, refs, true, last_write);
}

int gt_table_unget(unsigned long pfn, int refs)
{
	return gt_table_drop(pfn, refs, false, NULL);
}

/* The folio at pfn was freed: forget it. Returns true if it was tracked. */
bool gt_table_freed(unsigned long pfn, int *pins, int *gets)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_entry *e;
	unsigned long irq;
	bool found = false;

	if (!gt_table_maybe(pfn))
		return false;
	spin_lock_irqsave(lock, irq);
	e = gt_lookup_live(pfn);
	if (e) {
		*pins = e->pins;
		*gets = e->gets;
		e->pins = 0;
		e->gets = 0;
		gt_entry_die(e);
		found = true;
	}
	spin_unlock_irqrestore(lock, irq);
	if (found)
		gt_entry_buried(pfn);
	return found;
}

bool gt_table_maybe(unsigned long pfn)
{
	return atomic_long_read(&gt_count) &&
	       atomic_read(gt_filter_slot(pfn));
}

bool gt_table_lookup(unsigned long pfn, int *pins, int *gets)
{
	struct gt_entry *e;

	if (!gt_table_maybe(pfn))
		return false;
	rcu_read_lock();
	e = rhashtable_lookup(&gt_table, &pfn, gt_params);
	if (e) {
		*pins = READ_ONCE(e->pins);
		*gets = READ_ONCE(e->gets);
		smp_rmb();	/* counts before the recheck of their owner */
		if (READ_ONCE(e->pfn) != pfn ||
		    (READ_ONCE(e->flags) & GT_E_DEAD))
			e = NULL;
	}
	rcu_read_unlock();
	return e;
}

bool gt_table_describe(unsigned long pfn, struct gt_entry *copy,
		       struct gt_attr *attr_copy)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_attr *attr;
	struct gt_entry *e;
	unsigned long irq;
	bool found = false;

	if (!gt_table_maybe(pfn))
		return false;
	spin_lock_irqsave(lock, irq);
	e = gt_lookup_live(pfn);
	if (e) {
		*copy = *e;
		attr = rcu_dereference_protected(e->attr, true);
		if (attr)
			*attr_copy = *attr;
		found = true;
	}
	spin_unlock_irqrestore(lock, irq);
	return found;
}

unsigned long gt_table_count(void)
{
	return atomic_long_read(&gt_count) - atomic_long_read(&gt_dead);
}

unsigned long gt_table_peak(void)
{
	return atomic_long_read(&gt_peak);
}

unsigned long gt_table_memory(void)
{
	const struct bucket_table *tbl;
	unsigned long buckets;

	rcu_read_lock();
	tbl = rcu_dereference(gt_table.tbl);
	buckets = tbl->size;
	rcu_read_unlock();
	return atomic_long_read(&gt_count) * kmem_cache_size(gt_entry_cache) +
	       buckets * sizeof(tbl->buckets[0]) +
	       atomic_long_read(&gt_attrs) * kmem_cache_size(gt_attr_cache);
}

unsigned long gt_table_limit(void)
{
	return READ_ONCE(gt_limit);
}

/* Lowering the limit evicts nothing; it only stops new entries. */
void gt_table_set_limit(unsigned long limit)
{
	WRITE_ONCE(gt_limit, limit);
}

void gt_table_walk(void (*fn)(const struct gt_entry *e,
			      const struct gt_attr *attr, void *arg),
		   void *arg)
{
	struct rhashtable_iter iter;
	struct gt_entry *e, copy;
	unsigned long pfn, irq;
	spinlock_t *lock;	/* the stripe of the entry's pfn */

	rhashtable_walk_enter(&gt_table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e))
			continue;	/* -EAGAIN: a resize; keep walking */
		pfn = READ_ONCE(e->pfn);
		lock = gt_lock(pfn);
		spin_lock_irqsave(lock, irq);
		/* The entry may have been reused for another pfn since. */
		if (e->pfn == pfn && !(e->flags & GT_E_DEAD)) {
			copy = *e;
			fn(&copy, rcu_dereference_protected(e->attr, true), arg);
		}
		spin_unlock_irqrestore(lock, irq);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

int gt_table_init(unsigned long limit)
{
	int i, cpu, ret;

	gt_limit = limit;
	for (i = 0; i < ARRAY_SIZE(gt_locks); i++)
		spin_lock_init(&gt_locks[i]);
	for_each_possible_cpu(cpu)
		INIT_WORK(&per_cpu(gt_reap, cpu).work, gt_reap_work);
	gt_filter = vzalloc(sizeof(*gt_filter) << GT_FILTER_BITS);
	if (!gt_filter)
		return -ENOMEM;
	gt_entry_cache = kmem_cache_create("gup_track_entry",
					   sizeof(struct gt_entry), 0,
					   SLAB_TYPESAFE_BY_RCU, NULL);
	gt_attr_cache = kmem_cache_create("gup_track_attr",
					  sizeof(struct gt_attr), 0, 0, NULL);
	if (!gt_entry_cache || !gt_attr_cache) {
		ret = -ENOMEM;
		goto err;
	}
	ret = rhashtable_init(&gt_table, &gt_params);
	if (ret)
		goto err;
	return 0;
err:
	kmem_cache_destroy(gt_attr_cache);
	kmem_cache_destroy(gt_entry_cache);
	vfree(gt_filter);
	return ret;
}

static void gt_entry_free_now(void *ptr, void *arg)
{
	struct gt_entry *e = ptr;

	gt_attr_put(rcu_dereference_protected(e->attr, true));
	kmem_cache_free(gt_entry_cache, e);
}

/* Called once no hook and no view can reach the table any more. */
void gt_table_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		flush_work(&per_cpu(gt_reap, cpu).work);
	rhashtable_free_and_destroy(&gt_table, gt_entry_free_now, NULL);
	atomic_long_set(&gt_count, 0);
	atomic_long_set(&gt_dead, 0);
	/* Wait for every call_rcu() free of an attribution record. */
	rcu_barrier();
	kmem_cache_destroy(gt_attr_cache);
	kmem_cache_destroy(gt_entry_cache);
	vfree(gt_filter);
}
