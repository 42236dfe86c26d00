// SPDX-License-Identifier: GPL-2.0
/*
 * The reserve behind the table's entries and the attribution records.
 *
 * A get pops from this CPU's cache with interrupts off, and trades with
 * the reserve under a raw spinlock, both legal in every context on every
 * flavour. When the reserve runs low it queues the refill worker; when it
 * is empty a non-RT kernel may still allocate with GFP_ATOMIC, while an RT
 * kernel counts the miss. Either way the worker then grows the reserve (up
 * to max) so that a burst of that size fits the next time.
 */
#include <linux/cpumask.h>
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
	WRITE_ONCE(pool->nr_free, pool->nr_free + 1);
}

static void *gt_pool_pop(struct gt_pool *pool)
{
	void *obj = pool->head;

	if (obj) {
		pool->head = *gt_pool_linkp(pool, obj);
		WRITE_ONCE(pool->nr_free, pool->nr_free - 1);
	}
	return obj;
}

/* Up to n (at most a batch) objects from the slab; how many. May sleep. */
static int gt_pool_add(struct gt_pool *pool, int n)
{
	void *batch[GT_POOL_BATCH];
	unsigned long flags;
	int i, got;

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
	return got;
}

/* Refill to high, or give back what is far above it. Process context. */
static void gt_pool_work(struct work_struct *work)
{
	struct gt_pool *pool = container_of(work, struct gt_pool, work);
	void *batch[GT_POOL_BATCH];
	unsigned long flags, want;
	int i, n;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (pool->starved) {
		/* Room for the burst that found it empty, and as much again. */
		pool->high = min(pool->max, max(2 * pool->high,
						2 * pool->starved));
		pool->low = pool->high / 2;
		pool->starved = 0;
	}
	if (pool->expected > pool->high && pool->high < pool->max) {
		pool->high = min(pool->max, pool->expected);
		pool->low = pool->high / 2;
		atomic_long_inc(&pool->grown);
	}
	WRITE_ONCE(pool->expected, 0);
	raw_spin_unlock_irqrestore(&pool->lock, flags);

	for (;;) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		want = pool->nr_free < pool->high ? pool->high - pool->nr_free : 0;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		if (!want)
			break;
		n = min_t(unsigned long, want, GT_POOL_BATCH);
		if (gt_pool_add(pool, n) < n)
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

/* An empty CPU cache takes half its size from the reserve. IRQs off. */
static bool gt_pool_fill(struct gt_pool *pool, struct gt_pool_cpu *c)
{
	bool refill;

	raw_spin_lock(&pool->lock);
	while (c->nr < pool->cpu_fill && pool->head)
		c->obj[c->nr++] = gt_pool_pop(pool);
	if (!c->nr)
		pool->starved++;
	refill = pool->nr_free < pool->low;
	raw_spin_unlock(&pool->lock);
	return refill;
}

/* A full CPU cache gives half back to the reserve. IRQs off. */
static bool gt_pool_spill(struct gt_pool *pool, struct gt_pool_cpu *c)
{
	bool shrink;

	raw_spin_lock(&pool->lock);
	while (c->nr > pool->cpu_fill)
		gt_pool_push(pool, c->obj[--c->nr]);
	shrink = pool->nr_free > 4 * pool->high;
	raw_spin_unlock(&pool->lock);
	return shrink;
}

void gt_pool_expect(struct gt_pool *pool, unsigned long n)
{
	unsigned long flags;
	bool grow = false;

	/* Past max the worker cannot grow it: asking again costs a lock. */
	n = min(n, pool->max);
	/* Unlocked reads: only a hint; a stale one costs a lock round. */
	if (likely(READ_ONCE(pool->nr_free) >= n) ||
	    READ_ONCE(pool->expected) >= n)
		return;
	raw_spin_lock_irqsave(&pool->lock, flags);
	if (n > pool->expected) {
		WRITE_ONCE(pool->expected, n);
		grow = true;
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (grow)
		queue_work(system_unbound_wq, &pool->work);
}

int gt_pool_reserve(struct gt_pool *pool, unsigned long n)
{
	unsigned long have;
	int got;

	might_sleep();
	n = min(n, pool->max);
	while ((have = READ_ONCE(pool->nr_free)) < n) {
		got = gt_pool_add(pool, min_t(unsigned long, n - have,
					      GT_POOL_BATCH));
		if (!got)
			return -ENOMEM;
		cond_resched();
	}
	return 0;
}

bool gt_pool_refill_cpu(struct gt_pool *pool)
{
	struct gt_pool_cpu *c = this_cpu_ptr(pool->pcp);

	if (gt_pool_fill(pool, c))
		queue_work(system_unbound_wq, &pool->work);
	return c->nr;
}

void *gt_pool_get(struct gt_pool *pool)
{
	unsigned long flags;
	void *obj;

	local_irq_save(flags);
	obj = gt_pool_get_irqoff(pool);
	local_irq_restore(flags);
	return obj ?: gt_pool_alloc(pool);
}

void *gt_pool_alloc(struct gt_pool *pool)
{
	void *obj = NULL;

	if (!IS_ENABLED(CONFIG_PREEMPT_RT)) {
		obj = kmem_cache_alloc(pool->cache, GFP_ATOMIC | __GFP_NOWARN);
		if (obj) {
			atomic_long_inc(&pool->total);
			atomic_long_inc(&pool->atomic);
			this_cpu_inc(pool->pcp->used);
		}
	}
	if (!obj)
		atomic_long_inc(&pool->empty);
	return obj;
}

void gt_pool_drain_cpu(struct gt_pool *pool)
{
	if (gt_pool_spill(pool, this_cpu_ptr(pool->pcp)))
		queue_work(system_unbound_wq, &pool->work);
}

void gt_pool_put(struct gt_pool *pool, void *obj)
{
	unsigned long flags;

	local_irq_save(flags);
	gt_pool_put_irqoff(pool, obj);
	local_irq_restore(flags);
}

/* Signed: a put without its get would show as less than zero. */
static long gt_pool_net(const struct gt_pool *pool)
{
	long used = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		used += READ_ONCE(per_cpu_ptr(pool->pcp, cpu)->used);
	return used;
}

unsigned long gt_pool_used(const struct gt_pool *pool)
{
	return max(gt_pool_net(pool), 0L);
}

unsigned long gt_pool_used_bytes(const struct gt_pool *pool)
{
	return gt_pool_used(pool) * kmem_cache_size(pool->cache);
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
	/* The CPUs' caches together hold at most a quarter of the reserve. */
	pool->cpu_max = clamp_t(unsigned long,
				reserve / (4 * num_possible_cpus()), 1,
				GT_POOL_CPU);
	pool->cpu_fill = max(pool->cpu_max / 2, 1U);
	raw_spin_lock_init(&pool->lock);
	INIT_WORK(&pool->work, gt_pool_work);
	pool->pcp = alloc_percpu(struct gt_pool_cpu);
	if (!pool->pcp)
		return -ENOMEM;
	pool->cache = kmem_cache_create(name, size, 0, flags, NULL);
	if (!pool->cache) {
		free_percpu(pool->pcp);
		pool->pcp = NULL;
		return -ENOMEM;
	}
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
	struct gt_pool_cpu *c;
	void *obj;
	int cpu;

	if (!pool->cache)
		return;
	cancel_work_sync(&pool->work);
	WARN_ON(gt_pool_net(pool));
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(pool->pcp, cpu);
		while (c->nr)
			kmem_cache_free(pool->cache, c->obj[--c->nr]);
	}
	while ((obj = gt_pool_pop(pool)))
		kmem_cache_free(pool->cache, obj);
	free_percpu(pool->pcp);
	pool->pcp = NULL;
	kmem_cache_destroy(pool->cache);
	pool->cache = NULL;
}
