/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reserve of preallocated objects for code that runs in probe handlers.
 * Those run with preemption disabled, sometimes with interrupts off, and on
 * PREEMPT_RT no allocator may be called there: the slab takes sleeping
 * locks. Handlers take objects from the reserve under a raw spinlock; a
 * worker refills it from the slab in process context, and grows it when
 * handlers found it empty. Objects go back to the reserve, never to the
 * slab, from any context, so they stay type-stable for lockless readers.
 * Each CPU keeps a few objects of its own, taken and given back with
 * interrupts off and no lock, and trades them with the reserve in batches.
 */
#ifndef _GUP_TRACK_POOL_H
#define _GUP_TRACK_POOL_H

#include <linux/atomic.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define GT_POOL_CPU	16

struct gt_pool_cpu {
	unsigned int nr;
	long used;			/* handed out on this CPU, net */
	void *obj[GT_POOL_CPU];
};

struct gt_pool {
	const char *name;
	size_t size;			/* object size */
	size_t link;			/* offset of a pointer free objects link through */
	struct kmem_cache *cache;
	raw_spinlock_t lock;		/* head, nr_free */
	void *head;
	unsigned long nr_free;
	unsigned long low;		/* refill below this */
	unsigned long high;		/* to this */
	unsigned long max;		/* never grow past this */
	unsigned long starved;		/* gets that found it empty since the refill */
	unsigned long expected;		/* most a coming burst takes, see expect */
	struct gt_pool_cpu __percpu *pcp;
	unsigned int cpu_max;		/* objects a CPU's cache holds at most */
	unsigned int cpu_fill;		/* and after it trades with the reserve */
	atomic_long_t total;		/* allocated from the slab */
	atomic_long_t empty;		/* gets that found nothing */
	atomic_long_t atomic;		/* gets served by an atomic allocation */
	atomic_long_t grown;		/* times an expected burst grew the reserve */
	struct work_struct work;
};

int gt_pool_init(struct gt_pool *pool, const char *name, size_t size,
		 size_t link, unsigned long reserve, unsigned long max,
		 slab_flags_t flags);
void gt_pool_exit(struct gt_pool *pool);
/* Any context but NMI. NULL when the reserve is empty. */
void *gt_pool_get(struct gt_pool *pool);
/* Any context but NMI. */
void gt_pool_put(struct gt_pool *pool, void *obj);
/*
 * A handler will soon take up to n objects: where the reserve holds fewer,
 * the worker grows it to n (up to max) while the caller is still on its
 * way. Any context but NMI; one read when the reserve already holds n.
 */
void gt_pool_expect(struct gt_pool *pool, unsigned long n);
/*
 * Is there room for n objects and as many again (what other CPUs take
 * meanwhile)? One unlocked read: a hint. Any context.
 */
static inline bool gt_pool_ready(const struct gt_pool *pool, unsigned long n)
{
	return READ_ONCE(pool->nr_free) >= 2 * n;
}

/*
 * Allocate here until the reserve holds n objects (up to max), for a
 * caller about to take them where it may not allocate. Process context
 * that may sleep; -ENOMEM if the slab ran out first.
 */
int gt_pool_reserve(struct gt_pool *pool, unsigned long n);
/* This CPU's cache is empty: fill it from the reserve; false if none. */
bool gt_pool_refill_cpu(struct gt_pool *pool);
/* This CPU's cache is full: give half of it back to the reserve. */
void gt_pool_drain_cpu(struct gt_pool *pool);

/*
 * The same with interrupts off (under a raw lock): never allocates. Inline
 * while this CPU's cache has an object, or room for one: every tracked
 * folio passes here twice.
 */
static inline void *gt_pool_get_irqoff(struct gt_pool *pool)
{
	struct gt_pool_cpu *c = this_cpu_ptr(pool->pcp);

	lockdep_assert_irqs_disabled();
	if (unlikely(!c->nr) && !gt_pool_refill_cpu(pool))
		return NULL;
	c->used++;
	return c->obj[--c->nr];
}

static inline void gt_pool_put_irqoff(struct gt_pool *pool, void *obj)
{
	struct gt_pool_cpu *c = this_cpu_ptr(pool->pcp);

	lockdep_assert_irqs_disabled();
	if (unlikely(c->nr >= pool->cpu_max))
		gt_pool_drain_cpu(pool);
	c->obj[c->nr++] = obj;
	c->used--;
}

/*
 * After gt_pool_get_irqoff() found the reserve empty, outside the table's
 * bucket lock: a GFP_ATOMIC allocation where the kernel allows it (not on
 * PREEMPT_RT).
 */
void *gt_pool_alloc(struct gt_pool *pool);
/* Objects handed out. */
unsigned long gt_pool_used(const struct gt_pool *pool);
/* Bytes of the objects handed out. */
unsigned long gt_pool_used_bytes(const struct gt_pool *pool);

#endif /* _GUP_TRACK_POOL_H */
