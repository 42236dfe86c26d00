/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The side table: one entry per tracked folio, keyed by the pfn of its
 * head page, with pin and reference counts and its taker: the latest,
 * unless it holds the folio more weakly than the one before (a pin
 * against a long-term pin, a reference against a pin). It knows
 * nothing about hooks or kernel versions.
 *
 * Every operation works in any context but NMI, on every flavour: buckets
 * are hlist_nulls chains guarded by striped raw spinlocks, entries come
 * from a preallocated pool (pool.h) and go back to it the moment their
 * counts reach zero. Entries are type-stable, so lockless readers walk the
 * chains under RCU, restart when a chain's nulls value says they strayed
 * into another bucket, and check the pfn again after reading.
 *
 * The bucket array is sized once, from max_entries, for GT_LOAD entries a
 * bucket: the table never resizes, so the limit can later be raised only
 * up to that capacity.
 */
#ifndef _GUP_TRACK_TABLE_H
#define _GUP_TRACK_TABLE_H

#include <linux/bitops.h>
#include <linux/list_nulls.h>
#include <linux/types.h>

#include "owner.h"

/* gt_entry.flags */
#define GT_E_LONGTERM	BIT(0)
#define GT_E_WRITE	BIT(1)
#define GT_E_FILE	BIT(2)	/* page cache */
#define GT_E_SHMEM	BIT(3)	/* page cache of shmem/memfd */
#define GT_E_KIND	(GT_E_FILE | GT_E_SHMEM)
/* Some pin was released with put_page(): it stays, and is leaked. */
#define GT_E_MISUSED	BIT(4)
/* Events already reported for the entry (ring.h): once per entry. */
#define GT_E_MISUSE_SEEN	BIT(5)
#define GT_E_LONG_SEEN	BIT(6)
#define GT_E_ORPHAN_SEEN	BIT(7)

struct gt_entry {
	struct hlist_nulls_node node;
	unsigned long pfn;		/* key: head page of the folio */
	struct gt_owner *owner;		/* taker (see above), or NULL */
	u64 since;			/* boot time (ns) when first taken */
	int pins;			/* FOLL_PIN pins, as the kernel counts them */
	u32 gets;			/* FOLL_GET references not seen released */
	u32 subpages;			/* sub-pages handed out, see below */
	u8 order;
	u8 flags;			/* GT_E_* */
	u16 blocked;			/* migrate reasons reported, a bit each */
};

/*
 * Sub-pages handed out: one bit per sub-page up to order 5, one bit per
 * 1/32nd of the folio above that.
 */
#define GT_SUBPAGE_ORDER	5

static inline unsigned int gt_subpage_bit(unsigned int order, unsigned int idx)
{
	return order > GT_SUBPAGE_ORDER ? idx >> (order - GT_SUBPAGE_ORDER) :
					  idx;
}

/* How many sub-pages the bitmap stands for (exact up to order 5). */
static inline unsigned long gt_subpages_count(unsigned int order, u32 map)
{
	unsigned long n = hweight32(map);

	return order > GT_SUBPAGE_ORDER ? n << (order - GT_SUBPAGE_ORDER) : n;
}

/* What one take adds to a folio. */
struct gt_take {
	unsigned long pfn;
	int pins;
	u32 gets;
	u32 subpages;
	u8 order;
	u8 flags;
	struct gt_owner *owner;		/* may become the taker; may be NULL */
	u64 now;			/* boot time (ns), read once per call */
};

int gt_table_init(unsigned long limit, unsigned long reserve);
void gt_table_exit(void);

/*
 * Returns -ENOSPC when the table is at its limit, -ENOMEM when no entry is
 * free, -EOVERFLOW past U32_MAX references on one folio.
 */
int gt_table_take(const struct gt_take *t);
/*
 * Drop up to refs pins (or references) of pfn; returns how many the table
 * held. *last_write: the last pin went, and some pin had been FOLL_WRITE.
 */
int gt_table_unpin(unsigned long pfn, int refs, bool *last_write);
int gt_table_unget(unsigned long pfn, int refs);
/*
 * The folio was freed: forget it. True if it was tracked, with a copy of
 * the entry, and of its owner (when pinned).
 */
bool gt_table_freed_describe(unsigned long pfn, struct gt_entry *copy,
			     struct gt_owner *owner);

/* Lockless and cheap: false if pfn is surely not tracked. */
bool gt_table_maybe(unsigned long pfn);
/* Lockless: is pfn tracked, with which counts? */
bool gt_table_lookup(unsigned long pfn, int *pins, int *gets);
/* Copy the entry of pfn and its owner; false if none. */
bool gt_table_describe(unsigned long pfn, struct gt_entry *e,
		       struct gt_owner *owner);
/*
 * The same, but only the first time it is asked for bit (of
 * gt_entry.blocked) while the entry lives, 0 every time: -ENOENT if there
 * is no entry, -EEXIST if bit was set already.
 */
int gt_table_describe_once(unsigned long pfn, u16 bit, struct gt_entry *e,
			   struct gt_owner *owner);

/*
 * Call fn on every entry, under its bucket's lock (fn must not sleep, and
 * sees the owner as valid for the duration of the call). With fix, fn may
 * change the entry's pins and gets, and entries left with neither are
 * removed. Visits buckets from *cursor for at most budget entries and
 * moves the cursor on; returns true when it reached the end.
 */
bool gt_table_scan(unsigned long *cursor, unsigned long budget, bool fix,
		   void (*fn)(struct gt_entry *e, void *arg), void *arg);

/*
 * For the views, a bucket at a time: call fn on every entry of the first
 * non-empty bucket in [*bucket, *bucket + span), under its lock (fn must
 * not sleep), set *bucket to it and return true. False if those buckets
 * were all empty: *bucket is then past them, gt_table_buckets() at the end.
 */
bool gt_table_visit(unsigned long *bucket, unsigned long span,
		    void (*fn)(struct gt_entry *e, void *arg), void *arg);
unsigned long gt_table_buckets(void);

unsigned long gt_table_count(void);
unsigned long gt_table_peak(void);
/* Bytes the table holds: entries in use and in reserve, buckets, locks. */
unsigned long gt_table_memory(void);
unsigned long gt_table_reserve_empty(void);
/*
 * A GUP call may hand out up to nr folios: the worker grows the reserve
 * while the call runs, so that its return, where RT may not allocate,
 * finds them.
 */
void gt_table_expect(unsigned long nr);
/* Does the reserve hold nr entries to spare? A hint; any context. */
bool gt_table_ready(unsigned long nr);
/* Fill the reserve to nr entries here: process context that may sleep. */
int gt_table_reserve(unsigned long nr);
/* Times that grew the reserve. */
unsigned long gt_table_reserve_grown(void);
unsigned long gt_table_limit(void);
/* What the buckets were sized for at init (0 before). */
unsigned long gt_table_capacity(void);
/* -EINVAL above the capacity. */
int gt_table_set_limit(unsigned long limit);

#endif /* _GUP_TRACK_TABLE_H */
