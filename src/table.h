/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The side table: one entry per tracked folio, keyed by the pfn of its
 * head page, with pin and reference counts and an attribution record.
 * It knows nothing about hooks or kernel versions.
 *
 * Entries live in a SLAB_TYPESAFE_BY_RCU cache: an entry read under RCU
 * may be freed and reused for another pfn at any moment, so readers check
 * the pfn again after reading what they need. That saves the rcu_head and
 * keeps an entry at 40 bytes.
 *
 * Counts change under a striped lock taken with interrupts off, from any
 * context. The hash table itself is only changed with interrupts on: an
 * entry whose counts reach zero in IRQ context is marked dead and unhashed
 * later by a worker on the same CPU.
 */
#ifndef _GUP_TRACK_TABLE_H
#define _GUP_TRACK_TABLE_H

#include <linux/bitops.h>
#include <linux/rhashtable-types.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/stackdepot.h>
#include <linux/types.h>

/* gt_entry.flags */
#define GT_E_LONGTERM	BIT(0)
#define GT_E_WRITE	BIT(1)
#define GT_E_FILE	BIT(2)	/* page cache */
#define GT_E_SHMEM	BIT(3)	/* page cache of shmem/memfd */
#define GT_E_DEAD	BIT(6)	/* no pins or gets left; awaiting removal */
#define GT_E_REMOVING	BIT(7)	/* being unhashed; takers wait */

/* Who took a pin or reference: one record per GUP call, shared by its folios. */
struct gt_attr {
	refcount_t ref;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long caller;		/* first frame outside GUP */
	depot_stack_handle_t stack;
	u64 time_ns;			/* ktime_get_boottime_ns() */
	struct rcu_head rcu;
};

struct gt_entry {
	struct rhash_head node;
	unsigned long pfn;		/* key: head page of the folio */
	struct gt_attr __rcu *attr;	/* the latest taker */
	u32 subpages;			/* sub-pages handed out, see below */
	u32 since;			/* boot time in seconds when first taken */
	int pins;			/* FOLL_PIN pins, as the kernel counts them */
	u16 gets;			/* FOLL_GET references not yet seen released */
	u8 order;
	u8 flags;			/* GT_E_* */
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

int gt_table_init(unsigned long limit);
void gt_table_exit(void);

struct gt_attr *gt_attr_alloc(gfp_t gfp);
void gt_attr_put(struct gt_attr *attr);

int gt_table_take(unsigned long pfn, unsigned int order, unsigned int subpage,
		  int pins, int gets, u8 flags, struct gt_attr *attr);
/* *last_write: the last pin went, and some pin had been FOLL_WRITE. */
int gt_table_unpin(unsigned long pfn, int refs, bool *last_write);
int gt_table_unget(unsigned long pfn, int refs);
bool gt_table_freed(unsigned long pfn, int *pins, int *gets);

bool gt_table_maybe(unsigned long pfn);
bool gt_table_lookup(unsigned long pfn, int *pins, int *gets);
/* Copy the live entry of pfn and its attribution; false if none. */
bool gt_table_describe(unsigned long pfn, struct gt_entry *e,
		       struct gt_attr *attr);

unsigned long gt_table_count(void);
unsigned long gt_table_peak(void);
/* Bytes the table uses: entries, hash buckets, attribution records. */
unsigned long gt_table_memory(void);
unsigned long gt_table_limit(void);
void gt_table_set_limit(unsigned long limit);

/*
 * Calls fn on a stable copy of every live entry, with attr (maybe NULL)
 * valid for the duration of the call; fn must not sleep.
 */
void gt_table_walk(void (*fn)(const struct gt_entry *e,
			      const struct gt_attr *attr, void *arg),
		   void *arg);

#endif /* _GUP_TRACK_TABLE_H */
