/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The side table: one entry per tracked folio, keyed by the pfn of its
 * head page, with pin and reference counts and an attribution record.
 * It knows nothing about hooks or kernel versions.
 */
#ifndef _GUP_TRACK_TABLE_H
#define _GUP_TRACK_TABLE_H

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
	u64 subpages;			/* sub-pages handed out, see gt_subpage_bit() */
	int pins;			/* FOLL_PIN pins, as the kernel counts them */
	int gets;			/* FOLL_GET references not yet seen released */
	u8 order;
	u8 flags;			/* GT_E_* */
	u32 since;			/* boot time in seconds when first taken */
	struct rcu_head rcu;
};

/*
 * Sub-pages handed out: one bit per sub-page up to order 6, one bit per
 * 1/64th of the folio above that.
 */
static inline unsigned int gt_subpage_bit(unsigned int order, unsigned int idx)
{
	return order > 6 ? idx >> (order - 6) : idx;
}

int gt_table_init(unsigned long limit);
void gt_table_exit(void);

struct gt_attr *gt_attr_alloc(gfp_t gfp);
void gt_attr_put(struct gt_attr *attr);

int gt_table_take(unsigned long pfn, unsigned int order, unsigned int subpage,
		  int pins, int gets, u8 flags, struct gt_attr *attr);
int gt_table_unpin(unsigned long pfn, int refs);
int gt_table_unget(unsigned long pfn, int refs);
bool gt_table_freed(unsigned long pfn, int *pins, int *gets);

bool gt_table_maybe(unsigned long pfn);
bool gt_table_lookup(unsigned long pfn, int *pins, int *gets);

unsigned long gt_table_count(void);
unsigned long gt_table_peak(void);
unsigned long gt_table_limit(void);
void gt_table_set_limit(unsigned long limit);

/* Calls fn on every entry under RCU; fn must not sleep. */
void gt_table_walk(void (*fn)(const struct gt_entry *e, void *arg), void *arg);

#endif /* _GUP_TRACK_TABLE_H */
