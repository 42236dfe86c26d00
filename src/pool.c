// SPDX-License-Identifier: GPL-2.0
/*
 * The reserve behind the table's entries and the attribution records.
 *
 * gt_pool_get() pops under a raw spinlock, which is legal in every context
 * on every flavour. When the reserve runs low it queues the refill worker;
 * when it is empty a non-RT kernel may still allocate atomically, with no
 * lock of ours held, while an RT kernel counts the miss. Either way the
 * worker then grows the reserve (up to max) so that a burst of that size
 * fits the next time.
 */
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "pool.h"

#define GT_POOL_BATCH	64

static void **gt_pool_linkp(struct gt_pool *pool, void *obj)
{
	return obj + pool->link;
}

static void gt_pool_push(struct gt_pool *pool, void *obj)
{
	*gt_pool_linkp(pool, obj) = pool->head;
	pool->head = obj;
	pool->nr_free++;
}

static void *gt_pool_pop(struct gt_pool *pool)
{
	void *obj = pool->head;

	if (obj) {
		pool->head = *gt_pool_linkp(pool, obj);
		pool->nr_free--;
	}
	return obj;
}

/* Refill to high, or give back what is far above it. Process context. */
static void gt_pool_work(struct work_struct *work)
{
	struct gt_pool *pool = container_of(work, struct gt_pool, work);
	void *batch[GT_POOL_BATCH];
	unsigned long flags, want;
	int i, n, got;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->starved) {
		/* Room for the burst that found it empty, and as much again. */
		pool->high = min(pool->max, max(2 * pool->high,
						2 * pool->starved));
		pool->low = pool->high / 2;
		pool->starved = 0;
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);

	for (;;) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		want = pool->nr_free < pool->high ? pool->high - pool->nr_free : 0;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		if (!want)
			break;
		n = min_t(unsigned long, want, GT_POOL_BATCH);
		for (i = 0; i < n; i++) {
			batch[i] = kmem_cache_alloc(pool->cache, GFP_KERNEL |
						    __GFP_NOWARN);
			if (!batch[i])
				break;
		}
		atomic_long_add(i, &pool->total);
		raw_spin_lock_irqsave(&pool->lock, flags);
		for (got = i; i; )
			gt_pool_push(pool, batch[--i]);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		if (got < n)
			break;	/* the slab is out of memory too */
		cond_resched();
	}

	for (;;) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		for (n = 0; n < GT_POOL_BATCH && pool->nr_free > 2 * pool->high;
		     n++)
			batch[n] = gt_pool_pop(pool);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		if (!n)
			break;
		for (i = 0; i < n; i++)
			kmem_cache_free(pool->cache, batch[i]);
		atomic_long_sub(n, &pool->total);
		cond_resched();
	}
}

void *gt_pool_get(struct gt_pool *pool)
{
	unsigned long flags;
	bool refill;
	void *obj;

	raw_spin_lock_irqsave(&pool->lock, flags);
	obj = gt_pool_pop(pool);
	if (!obj)
		pool->starved++;
	refill = pool->nr_free < pool->low;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (refill)
		queue_work(system_unbound_wq, &pool->work);
	if (!obj && !IS_ENABLED(CONFIG_PREEMPT_RT)) {
		obj = kmem_cache_alloc(pool->cache, GFP_ATOMIC | __GFP_NOWARN);
		if (obj) {
			atomic_long_inc(&pool->total);
			atomic_long_inc(&pool->atomic);
		}
	}
	if (obj)
		atomic_long_inc(&pool->used);
	else
		atomic_long_inc(&pool->empty);
	return obj;
}

void gt_pool_put(struct gt_pool *pool, void *obj)
{
	unsigned long flags;
	bool shrink;

	raw_spin_lock_irqsave(&pool->lock, flags);
	gt_pool_push(pool, obj);
	shrink = pool->nr_free > 4 * pool->high;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	atomic_long_dec(&pool->used);
	if (shrink)
		queue_work(system_unbound_wq, &pool->work);
}

unsigned long gt_pool_bytes(const struct gt_pool *pool)
{
	return atomic_long_read(&pool->total) * kmem_cache_size(pool->cache);
}

int gt_pool_init(struct gt_pool *pool, const char *name, size_t size,
		 size_t link, unsigned long reserve, unsigned long max,
		 slab_flags_t flags)
{
	memset(pool, 0, sizeof(*pool));
	pool->name = name;
	pool->size = size;
	pool->link = link;
	pool->high = reserve;
	pool->low = reserve / 2;
	pool->max = max(max, reserve);
	raw_spin_lock_init(&pool->lock);
	INIT_WORK(&pool->work, gt_pool_work);
	pool->cache = kmem_cache_create(name, size, 0, flags, NULL);
	if (!pool->cache)
		return -ENOMEM;
	gt_pool_work(&pool->work);
	if (pool->nr_free < reserve) {
		gt_pool_exit(pool);
		return -ENOMEM;
	}
	return 0;
}

/* Every object must be back: no handler can run and none is in use. */
void gt_pool_exit(struct gt_pool *pool)
{
	void *obj;

	if (!pool->cache)
		return;
	cancel_work_sync(&pool->work);
	while ((obj = gt_pool_pop(pool)))
		kmem_cache_free(pool->cache, obj);
	WARN_ON(atomic_long_read(&pool->used));
	kmem_cache_destroy(pool->cache);
	pool->cache = NULL;
}
