/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event ring: what a human must hear about (misuse, leaks, long
 * holds, blocked migrations, truncation of pinned pages), bounded, with
 * sequence numbers. Each kind has a ring of its own, so that a flood of
 * one kind (move_pages(2) of one's own pinned buffers, which any user may
 * repeat) never pushes out another: an event that finds its kind's ring
 * full overwrites that kind's oldest, which is counted as lost.
 * Preallocated at load. Emitting works in any context but NMI and never
 * sleeps (a raw spinlock).
 */
#ifndef _GUP_TRACK_RING_H
#define _GUP_TRACK_RING_H

#include <linux/bits.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "owner.h"
#include "table.h"

enum gt_ev_kind {
	GT_EV_TRUNCATE,
	GT_EV_MISUSE_PUT,
	GT_EV_UNPIN_UNPINNED,
	GT_EV_FREED_PINNED,
	GT_EV_ORPHANED,
	GT_EV_LONG_HELD,
	GT_EV_MIGRATE_BLOCKED,
	GT_EV_MAX,
};

struct gt_ev {
	u64 seq;			/* 1, 2, ... since load */
	u64 time_ns;			/* boot time of the event */
	u64 held_ns;			/* how long the folio had been tracked */
	unsigned long pfn;
	unsigned long ino;		/* 0: anonymous */
	unsigned long index;
	dev_t dev;
	pid_t pid;			/* 0: taken before load */
	u32 site;
	int pins;			/* pins the event is about */
	int gets;
	u8 kind;			/* enum gt_ev_kind */
	u8 order;
	u8 flags;			/* GT_E_* of the entry */
	u8 reason;			/* migrate_blocked: enum migrate_reason */
	char comm[TASK_COMM_LEN];
};

/* Events kept of each kind. */
#define GT_RING_DEFAULT		512
#define GT_RING_MAX		BIT(16)

int gt_ring_init(unsigned int size);
void gt_ring_exit(void);

/*
 * Fill an event from a table entry and its owner (either may be NULL) and
 * the folio (may be NULL): kind, pins and gets are the caller's.
 */
void gt_ev_fill(struct gt_ev *ev, const struct gt_entry *e,
		const struct gt_owner *owner, struct folio *folio);
/* Add an event; the ring sets seq and time_ns. */
void gt_ring_emit(struct gt_ev *ev);

const char *gt_ev_kind_name(unsigned int kind);

struct gt_ring_stats {
	u64 next_seq;			/* the seq the next event will get */
	u64 lost;			/* overwritten before anyone could read them */
	u64 kind[GT_EV_MAX];		/* events of each kind since load */
	unsigned int size;		/* events kept, of all kinds */
	unsigned int per_kind;		/* ... of each kind */
};

void gt_ring_stats(struct gt_ring_stats *st);
/*
 * Copy the events with seq >= from, oldest first, up to max; returns how
 * many. Process context.
 */
unsigned int gt_ring_copy(u64 from, struct gt_ev *out, unsigned int max);

#endif /* _GUP_TRACK_RING_H */
