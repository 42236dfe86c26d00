/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events: what the hooks saw, turned into table operations. This is the
 * only code that changes the table, and where exactness lives: nesting of
 * GUP calls, rollbacks inside them, folios and their sub-pages.
 */
#ifndef _GUP_TRACK_EVENT_H
#define _GUP_TRACK_EVENT_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/sched.h>

#include "taskmap.h"

#define GT_STACK_DEPTH	16

/* One outermost GUP call in flight, from entry to return. */
struct gt_call {
	struct gt_task_node tn;
	unsigned int nr_stack;
	unsigned long stack[GT_STACK_DEPTH];	/* from the caller outwards */
};

/* What one GUP call handed out. */
struct gt_acquire {
	struct gt_call *call;
	bool pin;			/* FOLL_PIN, else FOLL_GET */
	unsigned int gup_flags;
	long nr;			/* entries in pages[] or folios[] */
	struct page **pages;
	struct folio **folios;		/* memfd_pin_folios() */
};

struct gt_counters {
	u64 pins_acquired;	/* pins GUP handed out */
	u64 pins_released;	/* pins released after the call returned */
	u64 pins_rolled_back;	/* pins taken and dropped inside one call */
	u64 pins_released_untracked;	/* released, never seen acquired */
	u64 pins_added;		/* folio_add_pin(): pins without GUP */
	u64 gets_acquired;
	u64 gets_released;	/* seen dropped at bio release */
	u64 gets_freed;		/* outstanding until the folio was freed */
	u64 gets_internal;	/* exec, ptrace, futex: not DMA, not tabled */
	u64 freed_while_pinned;	/* a pin we never saw released: a bug */
	u64 untracked;		/* pins and gets not tabled: full or no memory */
	u64 calls_nomem;	/* GUP calls not followed: no memory */
	u64 kernel_pin_acquired;	/* nr_foll_pin_acquired since load */
	u64 kernel_pin_released;	/* nr_foll_pin_released since load */
};

int gt_event_init(void);
void gt_event_exit(void);

struct gt_call *gt_event_gup_enter(unsigned long ret_addr);
void gt_event_gup_exit(struct gt_call *call);
void gt_event_acquire(const struct gt_acquire *acq);

/* True if that was the last pin and some pin was FOLL_WRITE. */
bool gt_event_unpin(struct folio *folio, int refs);
void gt_event_add_pin(struct folio *folio);
void gt_event_put_refs(struct folio *folio, int refs);
void gt_event_free(struct page *page, unsigned int order);

void gt_event_counters(struct gt_counters *c);

#endif /* _GUP_TRACK_EVENT_H */
