// SPDX-License-Identifier: GPL-2.0
/*
 * The side table (see table.h for the rules).
 *
 * Lock order: a bucket lock, then an owner lock, then a pool lock. Nothing
 * here sleeps, allocates from the slab, or takes a lock that sleeps on
 * PREEMPT_RT. Releases that find their bucket empty return after one load.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/rculist.h>
#include <linux/rculist_nulls.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "pool.h"
#include "table.h"

#define GT_LOCK_BITS		10
#define GT_PFN_NONE		ULONG_MAX
/* Entries per bucket at max_entries. */
#define GT_LOAD			4

/* 56 bytes of the 64 a folio may cost (issue "hot path"): keep it so. */
static_assert(sizeof(struct gt_entry) <= 56);

static struct hlist_nulls_head *gt_buckets;
static unsigned int gt_bucket_bits;
static raw_spinlock_t gt_locks[1 << GT_LOCK_BITS];
static struct gt_pool gt_entries;
static atomic_long_t gt_count, gt_peak;
static unsigned long gt_limit;
/* The most entries the buckets were sized for; 0 before init. */
static unsigned long gt_capacity;

static u32 gt_bucket(unsigned long pfn)
{
	return hash_long(pfn, gt_bucket_bits);
}

static raw_spinlock_t *gt_lock(u32 b)
{
	return &gt_locks[b & ((1U << GT_LOCK_BITS) - 1)];
}

static bool gt_bucket_empty(u32 b)
{
	return is_a_nulls(READ_ONCE(gt_buckets[b].first));
}

static struct gt_entry *gt_find_locked(u32 b, unsigned long pfn)
{
	struct hlist_nulls_node *n;
	struct gt_entry *e;

	hlist_nulls_for_each_entry(e, n, &gt_buckets[b], node)
		if (e->pfn == pfn)
			return e;
	return NULL;
}

/* Under RCU. An entry found may be reused at once: recheck its pfn. */
static struct gt_entry *gt_find_rcu(u32 b, unsigned long pfn)
{
	struct hlist_nulls_node *n;
	struct gt_entry *e;

restart:
	hlist_nulls_for_each_entry_rcu(e, n, &gt_buckets[b], node)
		if (READ_ONCE(e->pfn) == pfn)
			return e;
	/* Ended in another bucket's chain: an entry moved under us. */
	if (get_nulls_value(n) != b)
		goto restart;
	return NULL;
}

static void gt_peak_update(long now)
{
	long peak = atomic_long_read(&gt_peak);

	while (now > peak && !atomic_long_try_cmpxchg(&gt_peak, &peak, now))
		;
}

/* Unlink an entry whose counts reached zero; the caller frees it. */
static void gt_entry_unlink(struct gt_entry *e)
{
	hlist_nulls_del_rcu(&e->node);
	WRITE_ONCE(e->pfn, GT_PFN_NONE);
	atomic_long_dec(&gt_count);
}

/* Also under a bucket lock: the owner and pool locks come after it. */
static void gt_entry_free(struct gt_entry *e)
{
	gt_owner_put(e->owner);
	gt_pool_put(&gt_entries, e);
}

static void gt_entry_init(struct gt_entry *e, const struct gt_take *t)
{
	e->owner = NULL;
	e->since = t->now;
	e->pins = 0;
	e->gets = 0;
	e->subpages = 0;
	e->order = t->order;
	e->flags = 0;
	e->blocked = 0;
	WRITE_ONCE(e->pfn, t->pfn);
}

/*
 * How strongly a taker holds a folio: a long-term pin, a pin, a reference.
 * A weaker take does not become the folio's taker: a debugger's
 * process_vm_readv() of a VM's long-term pinned memory would otherwise
 * own it, and its exit look like the VM's pins orphaned.
 */
static int gt_hold_rank(int pins, u8 flags)
{
	if (!pins)
		return 0;
	return flags & GT_E_LONGTERM ? 2 : 1;
}

/* One lock round per take; a new entry comes from this CPU's cache. */
int gt_table_take(const struct gt_take *t)
{
	struct gt_entry *e, *new = NULL;
	struct gt_owner *old = NULL;
	u32 b = gt_bucket(t->pfn);
	unsigned long flags;
	int ret = 0;

retry:
	raw_spin_lock_irqsave(gt_lock(b), flags);
	e = gt_find_locked(b, t->pfn);
	if (!e) {
		if (!new) {
			if (atomic_long_read(&gt_count) >= READ_ONCE(gt_limit)) {
				raw_spin_unlock_irqrestore(gt_lock(b), flags);
				return -ENOSPC;
			}
			new = gt_pool_get_irqoff(&gt_entries);
		}
		if (!new) {
			/* The reserve is dry: the slab, outside our locks. */
			raw_spin_unlock_irqrestore(gt_lock(b), flags);
			new = gt_pool_alloc(&gt_entries);
			if (!new)
				return -ENOMEM;
			goto retry;
		}
		e = new;
		new = NULL;
		gt_entry_init(e, t);
		hlist_nulls_add_head_rcu(&e->node, &gt_buckets[b]);
		gt_peak_update(atomic_long_inc_return(&gt_count));
	}
	if (e->order != t->order) {
		/* The folio changed shape since a stale entry was made. */
		e->order = t->order;
		e->subpages = 0;
		e->flags &= ~GT_E_KIND;
	}
	if ((u64)e->gets + t->gets > U32_MAX) {
		ret = -EOVERFLOW;
	} else {
		bool taker = t->owner && e->owner != t->owner &&
			     (!e->owner || gt_hold_rank(t->pins, t->flags) >=
					   gt_hold_rank(e->pins, e->flags));

		e->pins += t->pins;
		e->gets += t->gets;
		e->subpages |= t->subpages;
		e->flags |= t->flags;
		if (taker) {
			old = e->owner;
			gt_owner_hold(t->owner);
			e->owner = t->owner;
		}
	}
	raw_spin_unlock_irqrestore(gt_lock(b), flags);
	gt_owner_put(old);
	if (new)
		gt_pool_put(&gt_entries, new);
	return ret;
}

static int gt_table_drop(unsigned long pfn, int refs, bool pin,
			 bool *last_write)
{
	struct gt_owner *owner = NULL;
	u32 b = gt_bucket(pfn);
	unsigned long flags;
	struct gt_entry *e;
	int n = 0;

	if (gt_bucket_empty(b))
		return 0;
	raw_spin_lock_irqsave(gt_lock(b), flags);
	e = gt_find_locked(b, pfn);
	if (e) {
		if (pin) {
			n = min(e->pins, refs);
			e->pins -= n;
			if (last_write && n && !e->pins &&
			    (e->flags & GT_E_WRITE))
				*last_write = true;
		} else {
			n = min_t(u32, e->gets, refs);
			e->gets -= n;
		}
		if (!e->pins && !e->gets) {
			gt_entry_unlink(e);
			owner = e->owner;
			raw_spin_unlock(gt_lock(b));
			/* Back to this CPU's cache while interrupts are off. */
			gt_pool_put_irqoff(&gt_entries, e);
			local_irq_restore(flags);
			gt_owner_put(owner);
			return n;
		}
	}
	raw_spin_unlock_irqrestore(gt_lock(b), flags);
	return n;
}

int gt_table_unpin(unsigned long pfn, int refs, bool *last_write)
{
	*last_write = false;
	return gt_table_drop(pfn, refs, true, last_write);
}

int gt_table_unget(unsigned long pfn, int refs)
{
	return gt_table_drop(pfn, refs, false, NULL);
}

bool gt_table_freed_describe(unsigned long pfn, struct gt_entry *copy,
			     struct gt_owner *owner)
{
	u32 b = gt_bucket(pfn);
	struct gt_entry *e;
	unsigned long flags;

	if (gt_bucket_empty(b))
		return false;
	raw_spin_lock_irqsave(gt_lock(b), flags);
	e = gt_find_locked(b, pfn);
	if (e) {
		*copy = *e;
		if (owner && e->owner && e->pins)
			*owner = *e->owner;
		gt_entry_unlink(e);
	}
	raw_spin_unlock_irqrestore(gt_lock(b), flags);
	if (e)
		gt_entry_free(e);
	return e;
}

bool gt_table_maybe(unsigned long pfn)
{
	return !gt_bucket_empty(gt_bucket(pfn));
}

bool gt_table_lookup(unsigned long pfn, int *pins, int *gets)
{
	u32 b = gt_bucket(pfn);
	struct gt_entry *e;
	bool found = false;

	if (gt_bucket_empty(b))
		return false;
	rcu_read_lock();
	e = gt_find_rcu(b, pfn);
	if (e) {
		*pins = READ_ONCE(e->pins);
		*gets = READ_ONCE(e->gets);
		smp_rmb();	/* the counts before the recheck of their owner */
		found = READ_ONCE(e->pfn) == pfn;
	}
	rcu_read_unlock();
	return found;
}

int gt_table_describe_once(unsigned long pfn, u16 bit, struct gt_entry *copy,
			   struct gt_owner *owner)
{
	u32 b = gt_bucket(pfn);
	struct gt_entry *e;
	unsigned long flags;
	int ret = -ENOENT;

	if (gt_bucket_empty(b))
		return ret;
	raw_spin_lock_irqsave(gt_lock(b), flags);
	e = gt_find_locked(b, pfn);
	if (e && (e->blocked & bit)) {
		ret = -EEXIST;
	} else if (e) {
		e->blocked |= bit;
		*copy = *e;
		if (e->owner)
			*owner = *e->owner;
		ret = 0;
	}
	raw_spin_unlock_irqrestore(gt_lock(b), flags);
	return ret;
}

/* With no bit, every time. */
bool gt_table_describe(unsigned long pfn, struct gt_entry *copy,
		       struct gt_owner *owner)
{
	return !gt_table_describe_once(pfn, 0, copy, owner);
}

bool gt_table_scan(unsigned long *cursor, unsigned long budget, bool fix,
		   void (*fn)(struct gt_entry *e, void *arg), void *arg)
{
	unsigned long nb = 1UL << gt_bucket_bits, seen = 0, b, flags;
	struct hlist_nulls_node *n, *next;
	struct gt_entry *e;

	for (b = *cursor; b < nb; b++) {
		if (gt_bucket_empty(b))
			continue;
		raw_spin_lock_irqsave(gt_lock(b), flags);
		for (n = gt_buckets[b].first; !is_a_nulls(n); n = next) {
			next = n->next;
			e = hlist_nulls_entry(n, struct gt_entry, node);
			fn(e, arg);
			seen++;
			if (fix && !e->pins && !e->gets) {
				gt_entry_unlink(e);
				gt_entry_free(e);
			}
		}
		raw_spin_unlock_irqrestore(gt_lock(b), flags);
		if (seen >= budget && b + 1 < nb) {
			*cursor = b + 1;
			return false;
		}
	}
	*cursor = 0;
	return true;
}

unsigned long gt_table_buckets(void)
{
	return 1UL << gt_bucket_bits;
}

bool gt_table_visit(unsigned long *bucket, unsigned long span,
		    void (*fn)(struct gt_entry *e, void *arg), void *arg)
{
	unsigned long nb = 1UL << gt_bucket_bits, b, end, flags;
	struct hlist_nulls_node *n;
	struct gt_entry *e;

	end = *bucket + min(span, nb);
	for (b = *bucket; b < min(end, nb); b++) {
		if (gt_bucket_empty(b))
			continue;
		raw_spin_lock_irqsave(gt_lock(b), flags);
		hlist_nulls_for_each_entry(e, n, &gt_buckets[b], node)
			fn(e, arg);
		raw_spin_unlock_irqrestore(gt_lock(b), flags);
		*bucket = b;
		return true;
	}
	*bucket = min(end, nb);
	return false;
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
	return gt_pool_used_bytes(&gt_entries) +
	       (sizeof(*gt_buckets) << gt_bucket_bits) + sizeof(gt_locks);
}

unsigned long gt_table_reserve_empty(void)
{
	return atomic_long_read(&gt_entries.empty);
}

void gt_table_expect(unsigned long nr)
{
	gt_pool_expect(&gt_entries, nr);
}

bool gt_table_ready(unsigned long nr)
{
	return gt_pool_ready(&gt_entries, nr);
}

int gt_table_reserve(unsigned long nr)
{
	return gt_pool_reserve(&gt_entries, nr);
}

unsigned long gt_table_reserve_grown(void)
{
	return atomic_long_read(&gt_entries.grown);
}

unsigned long gt_table_limit(void)
{
	return READ_ONCE(gt_limit);
}

unsigned long gt_table_capacity(void)
{
	return READ_ONCE(gt_capacity);
}

/*
 * Lowering the limit evicts nothing; it only stops new entries. Raising it
 * past the capacity would lengthen the chains walked with interrupts off.
 */
int gt_table_set_limit(unsigned long limit)
{
	unsigned long cap = READ_ONCE(gt_capacity);

	if (cap && limit > cap)
		return -EINVAL;
	WRITE_ONCE(gt_limit, limit);
	return 0;
}

int gt_table_init(unsigned long limit, unsigned long reserve)
{
	unsigned long nb, i;
	int ret;

	gt_limit = limit;
	atomic_long_set(&gt_count, 0);
	atomic_long_set(&gt_peak, 0);
	for (i = 0; i < ARRAY_SIZE(gt_locks); i++)
		raw_spin_lock_init(&gt_locks[i]);
	nb = roundup_pow_of_two(max(DIV_ROUND_UP(limit, GT_LOAD), 1024UL));
	gt_bucket_bits = ilog2(nb);
	gt_buckets = kvmalloc_array(nb, sizeof(*gt_buckets), GFP_KERNEL);
	if (!gt_buckets)
		return -ENOMEM;
	for (i = 0; i < nb; i++)
		INIT_HLIST_NULLS_HEAD(&gt_buckets[i], i);
	WRITE_ONCE(gt_capacity, nb * GT_LOAD);
	ret = gt_pool_init(&gt_entries, "gup_track_entry",
			   sizeof(struct gt_entry),
			   offsetof(struct gt_entry, owner), reserve, limit,
			   SLAB_TYPESAFE_BY_RCU);
	if (ret)
		kvfree(gt_buckets);
	return ret;
}

static void gt_entry_forget(struct gt_entry *e, void *arg)
{
	e->pins = 0;
	e->gets = 0;
}

/* No hook and no view can reach the table any more. */
void gt_table_exit(void)
{
	unsigned long cursor = 0;

	gt_table_scan(&cursor, ULONG_MAX, true, gt_entry_forget, NULL);
	gt_pool_exit(&gt_entries);
	kvfree(gt_buckets);
	gt_buckets = NULL;
}
