/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracking: what the hooks saw, turned into table operations. This is the
 * only code that changes the table's counts from the hooks, and where
 * exactness lives: which pages a GUP call handed out, rollbacks inside a
 * call, folios and their sub-pages. Every function here works in any
 * context but NMI and never sleeps. (The ring's "events", misuse and the
 * like, are ring.h's.)
 */
#ifndef _GUP_TRACK_TRACK_H
#define _GUP_TRACK_TRACK_H

#include <linux/mm_types.h>
#include <linux/ptrace.h>
#include <linux/types.h>

/* What one GUP call handed out. */
struct gt_acquire {
	u32 site;			/* site.h */
	u8 site_flags;			/* GT_SITE_*, with or without a site */
	bool pin;			/* FOLL_PIN, else FOLL_GET */
	unsigned int gup_flags;
	long nr;			/* entries in pages[] or folios[] */
	long max_folios;		/* no more runs of a folio's pages; 0: all */
	bool atomic;			/* recorded with preemption off: timed */
	bool refill;			/* stop before the first that finds no entry */
	struct page **pages;
	struct folio **folios;		/* memfd_pin_folios() */
};

struct gt_counters {
	u64 pins_acquired;	/* pins GUP handed out */
	u64 pins_released;	/* pins released after their call returned */
	u64 pins_rolled_back;	/* pins taken and dropped inside one call */
	u64 pins_released_untracked;	/* released, not in the table */
	u64 pins_added;		/* folio_add_pin(): pins without GUP */
	u64 gets_acquired;
	u64 gets_released;	/* seen dropped at bio release */
	u64 gets_freed;		/* outstanding until the folio was freed */
	u64 gets_internal;	/* exec, ptrace, KVM...: not DMA, not tabled */
	u64 freed_while_pinned;	/* a pin we never saw released */
	u64 untracked_full;	/* pins and gets not tabled: at max_entries */
	u64 untracked_nomem;	/* ... no entry free in the reserve */
	u64 untracked_overflow;	/* ... too many references on one folio */
	u64 calls_atomic;	/* GUP calls outside task context: not followed */
	u64 owners_none;	/* calls recorded without attribution */
	u64 kernel_pin_acquired;	/* nr_foll_pin_acquired since load */
	u64 kernel_pin_released;	/* nr_foll_pin_released since load */
	u64 base_exact;		/* both counted from one instant */
};

/* A GUP call for nr pages begins; false if it is not to be followed. */
bool gt_track_gup_enter(struct pt_regs *regs, long nr, u32 *site,
			u8 *site_flags);
/* ... and a followed one has returned, its pages recorded. */
void gt_track_gup_exit(void);
/* Returns how many of the nr entries it recorded (max_folios, refill). */
long gt_track_acquire(const struct gt_acquire *acq);

/*
 * gup_put_folio() drops refs FOLL_PIN pins. rollback: the task is inside
 * its own GUP call, giving back what it never handed out. True if that was
 * the last pin and some pin was FOLL_WRITE.
 */
bool gt_track_unpin(struct folio *folio, int refs, bool rollback);
void gt_track_add_pin(struct folio *folio);
void gt_track_put_refs(struct folio *folio, int refs);
void gt_track_free(struct page *page, unsigned int order);

/* Our counters since the module loaded; the kernel's fields left 0. */
void gt_track_sum(struct gt_counters *c);
/* Followed GUP calls begun, and running now (not yet returned). */
long gt_track_calls_begun(void);
int gt_track_calls_running(void);
/*
 * While on, note the tasks that begin a followed call, for
 * gt_track_began_since(): the load's watch (settle.c).
 */
void gt_track_watch_calls(bool on);
bool gt_track_began_since(struct task_struct *task);
/*
 * The longest stretch of a call's pages recorded with preemption off: its
 * time and its pages.
 */
void gt_track_longest(u64 *ns, u64 *nr);

#endif /* _GUP_TRACK_TRACK_H */
