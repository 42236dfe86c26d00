// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring (see ring.h): one array, cut into a ring per kind, and a
 * raw spinlock. Events are rare (they are about mistakes), so a single
 * lock is enough, and a raw one is what handlers may take on PREEMPT_RT.
 * The j-th event of kind k lives at [k * size + j % size]; each kind's
 * events are in seq order, and a reader merges the kinds by seq.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "folio_file.h"
#include "ring.h"

static DEFINE_RAW_SPINLOCK(gt_ring_lock);
static struct gt_ev *gt_ring;
static unsigned int gt_ring_size;	/* per kind */
static u64 gt_ring_next = 1;		/* seq of the next event */
static u64 gt_ring_lost;
static u64 gt_ring_kinds[GT_EV_MAX];	/* events of each kind since load */

static const char * const gt_ev_names[GT_EV_MAX] = {
	[GT_EV_TRUNCATE] = "truncate",
	[GT_EV_MISUSE_PUT] = "misuse_put",
	[GT_EV_UNPIN_UNPINNED] = "unpin_unpinned",
	[GT_EV_FREED_PINNED] = "freed_pinned",
	[GT_EV_ORPHANED] = "orphaned",
	[GT_EV_LONG_HELD] = "long_held",
	[GT_EV_MIGRATE_BLOCKED] = "migrate_blocked",
};

const char *gt_ev_kind_name(unsigned int kind)
{
	return kind < GT_EV_MAX ? gt_ev_names[kind] : "?";
}

int gt_ring_init(unsigned int size)
{
	size = clamp_t(unsigned int, size, 1, GT_RING_MAX);
	gt_ring = kvcalloc(size * GT_EV_MAX, sizeof(*gt_ring), GFP_KERNEL);
	if (!gt_ring)
		return -ENOMEM;
	gt_ring_size = size;
	return 0;
}

void gt_ring_exit(void)
{
	kvfree(gt_ring);
	gt_ring = NULL;
	gt_ring_size = 0;
}

/* The file of a page-cache folio; callers keep the folio from going away. */
static void gt_ev_file(struct gt_ev *ev, struct folio *folio)
{
	struct gt_file_id id;

	if (!gt_folio_file_id(folio, &id))
		return;
	ev->dev = id.dev;
	ev->ino = id.ino;
	ev->index = id.index;
}

void gt_ev_fill(struct gt_ev *ev, const struct gt_entry *e,
		const struct gt_owner *owner, struct folio *folio)
{
	u64 now = ktime_get_boottime_ns();

	if (e) {
		ev->pfn = e->pfn;
		ev->order = e->order;
		ev->flags = e->flags;
		ev->held_ns = now > e->since ? now - e->since : 0;
	}
	if (owner) {
		ev->pid = owner->tgid;
		ev->site = owner->site;
		memcpy(ev->comm, owner->comm, sizeof(ev->comm));
	}
	if (folio) {
		ev->pfn = folio_pfn(folio);
		ev->order = folio_order(folio);
		gt_ev_file(ev, folio);
	}
}

static struct gt_ev *gt_ring_at(unsigned int kind, u64 j)
{
	return &gt_ring[kind * gt_ring_size + do_div(j, gt_ring_size)];
}

void gt_ring_emit(struct gt_ev *ev)
{
	unsigned long flags;
	u64 j;

	if (WARN_ON_ONCE(ev->kind >= GT_EV_MAX))
		return;
	ev->time_ns = ktime_get_boottime_ns();
	raw_spin_lock_irqsave(&gt_ring_lock, flags);
	j = gt_ring_kinds[ev->kind]++;
	if (gt_ring_size) {
		ev->seq = gt_ring_next++;
		if (j >= gt_ring_size)
			gt_ring_lost++;
		*gt_ring_at(ev->kind, j) = *ev;
	}
	raw_spin_unlock_irqrestore(&gt_ring_lock, flags);
}

void gt_ring_stats(struct gt_ring_stats *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&gt_ring_lock, flags);
	st->next_seq = gt_ring_next;
	st->lost = gt_ring_lost;
	memcpy(st->kind, gt_ring_kinds, sizeof(st->kind));
	st->size = gt_ring_size * GT_EV_MAX;
	st->per_kind = gt_ring_size;
	raw_spin_unlock_irqrestore(&gt_ring_lock, flags);
}

/* A few at a time, so that the lock is never held for long. */
#define GT_RING_BATCH	32

/* The first event of kind kept with seq >= from (a binary search). */
static u64 gt_ring_first(unsigned int kind, u64 from)
{
	u64 hi = gt_ring_kinds[kind];
	u64 lo = hi > gt_ring_size ? hi - gt_ring_size : 0;

	while (lo < hi) {
		u64 mid = lo + (hi - lo) / 2;

		if (gt_ring_at(kind, mid)->seq < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

unsigned int gt_ring_copy(u64 from, struct gt_ev *out, unsigned int max)
{
	unsigned int n = 0, i, k, best;
	u64 pos[GT_EV_MAX];
	unsigned long flags;

	if (!gt_ring_size)
		return 0;
	while (n < max) {
		raw_spin_lock_irqsave(&gt_ring_lock, flags);
		for (k = 0; k < GT_EV_MAX; k++)
			pos[k] = gt_ring_first(k, from);
		for (i = 0; i < GT_RING_BATCH && n < max; i++, n++) {
			/* The kind whose next event is oldest. */
			best = GT_EV_MAX;
			for (k = 0; k < GT_EV_MAX; k++)
				if (pos[k] < gt_ring_kinds[k] &&
				    (best == GT_EV_MAX ||
				     gt_ring_at(k, pos[k])->seq <
				     gt_ring_at(best, pos[best])->seq))
					best = k;
			if (best == GT_EV_MAX)
				break;
			out[n] = *gt_ring_at(best, pos[best]++);
			from = out[n].seq + 1;
		}
		raw_spin_unlock_irqrestore(&gt_ring_lock, flags);
		if (i < GT_RING_BATCH)
			break;
		cond_resched();
	}
	return n;
}
