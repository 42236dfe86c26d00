// SPDX-License-Identifier: GPL-2.0
/*
 * The side table. Lookups are lockless under RCU; changes to one pfn are
 * serialised by one of a small set of striped locks, taken with interrupts
 * off because releases arrive from bio completion. Entries and attribution
 * records are freed after a grace period.
 *
 * A counting filter indexed by a hash of the pfn sits in front of the hash
 * table, so hooks on hot paths (page freeing) can dismiss an untracked page
 * with one load.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "table.h"

#define GT_LOCK_BITS	6
#define GT_FILTER_BITS	16

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
static atomic_long_t gt_count;
static atomic_long_t gt_peak;
static atomic_long_t gt_attrs;
static unsigned long gt_limit;

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

/* Caller holds the pfn's lock. */
static void gt_entry_remove(struct gt_entry *e)
{
	rhashtable_remove_fast(&gt_table, &e->node, gt_params);
	atomic_dec(gt_filter_slot(e->pfn));
	atomic_long_dec(&gt_count);
	gt_attr_put(rcu_dereference_protected(e->attr, true));
	kmem_cache_free(gt_entry_cache, e);
}

static void gt_peak_update(long now)
{
	long peak = atomic_long_read(&gt_peak);

	while (now > peak && !atomic_long_try_cmpxchg(&gt_peak, &peak, now))
		;
}

/*
 * Add pins or references to the folio at pfn, creating its entry; attr,
 * if given, becomes the entry's latest taker.
 * Returns -ENOSPC when the table is at its limit, -ENOMEM when an entry
 * cannot be allocated without sleeping, -EOVERFLOW past 65535 references
 * on one folio.
 */
int gt_table_take(unsigned long pfn, unsigned int order, unsigned int subpage,
		  int pins, int gets, u8 flags, struct gt_attr *attr)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_attr *old;
	struct gt_entry *e;
	unsigned long irq;
	int ret = 0;

	spin_lock_irqsave(lock, irq);
	e = rhashtable_lookup_fast(&gt_table, &pfn, gt_params);
	if (e && e->gets + gets > U16_MAX) {
		ret = -EOVERFLOW;
		goto out;
	}
	if (!e) {
		if (atomic_long_read(&gt_count) >= READ_ONCE(gt_limit)) {
			ret = -ENOSPC;
			goto out;
		}
		e = kmem_cache_alloc(gt_entry_cache, GFP_NOWAIT | __GFP_NOWARN);
		if (!e) {
			ret = -ENOMEM;
			goto out;
		}
		/* A reader may still look at the old life of this object. */
		WRITE_ONCE(e->pfn, pfn);
		e->pins = 0;
		e->gets = 0;
		e->subpages = 0;
		e->flags = 0;
		e->order = order;
		e->since = ktime_get_boottime_seconds();
		RCU_INIT_POINTER(e->attr, NULL);
		ret = rhashtable_insert_fast(&gt_table, &e->node, gt_params);
		if (ret) {
			kmem_cache_free(gt_entry_cache, e);
			goto out;
		}
		atomic_inc(gt_filter_slot(pfn));
		gt_peak_update(atomic_long_inc_return(&gt_count));
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
out:
	spin_unlock_irqrestore(lock, irq);
	return ret;
}

/* Drop up to refs pins or references; returns how many were tracked. */
static int gt_table_drop(unsigned long pfn, int refs, bool pin)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_entry *e;
	unsigned long irq;
	int n = 0;

	if (!gt_table_maybe(pfn))
		return 0;
	spin_lock_irqsave(lock, irq);
	e = rhashtable_lookup_fast(&gt_table, &pfn, gt_params);
	if (e) {
		n = min(pin ? e->pins : e->gets, refs);
		if (pin)
			e->pins -= n;
		else
			e->gets -= n;
		if (!e->pins)
			e->flags &= ~(GT_E_LONGTERM | GT_E_WRITE);
		if (!e->pins && !e->gets)
			gt_entry_remove(e);
	}
	spin_unlock_irqrestore(lock, irq);
	return n;
}

int gt_table_unpin(unsigned long pfn, int refs)
{
	return gt_table_drop(pfn, refs, true);
}

int gt_table_unget(unsigned long pfn, int refs)
{
	return gt_table_drop(pfn, refs, false);
}

/* The folio at pfn was freed: forget it. Returns true if it was tracked. */
bool gt_table_freed(unsigned long pfn, int *pins, int *gets)
{
	spinlock_t *lock = gt_lock(pfn);
	struct gt_entry *e;
	unsigned long irq;

	if (!gt_table_maybe(pfn))
		return false;
	spin_lock_irqsave(lock, irq);
	e = rhashtable_lookup_fast(&gt_table, &pfn, gt_params);
	if (e) {
		*pins = e->pins;
		*gets = e->gets;
		gt_entry_remove(e);
	}
	spin_unlock_irqrestore(lock, irq);
	return e;
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
		if (READ_ONCE(e->pfn) != pfn)
			e = NULL;
	}
	rcu_read_unlock();
	return e;
}

unsigned long gt_table_count(void)
{
	return atomic_long_read(&gt_count);
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

void gt_table_walk(void (*fn)(const struct gt_entry *e, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	struct gt_entry *e;

	rhashtable_walk_enter(&gt_table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e))
			continue;	/* -EAGAIN: a resize; keep walking */
		fn(e, arg);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

int gt_table_init(unsigned long limit)
{
	int i, ret;

	gt_limit = limit;
	for (i = 0; i < ARRAY_SIZE(gt_locks); i++)
		spin_lock_init(&gt_locks[i]);
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
	rhashtable_free_and_destroy(&gt_table, gt_entry_free_now, NULL);
	atomic_long_set(&gt_count, 0);
	/* Wait for every call_rcu() free of an attribution record. */
	rcu_barrier();
	kmem_cache_destroy(gt_attr_cache);
	kmem_cache_destroy(gt_entry_cache);
	vfree(gt_filter);
}
