/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reconciler: makes the table converge to what the kernel's own state
 * of each folio says, so that a lost release or a reference dropped with
 * put_page() does not stay in the table for good.
 *
 * For each entry, under its bucket lock:
 * - pins: a small folio holds at most refcount / GUP_PIN_COUNTING_BIAS
 *   pins (none when folio_maybe_dma_pinned() is false); a large folio at
 *   most its exact pin count. Pins above that were released unseen.
 * - references: what the folio's mappings, page cache or swap cache,
 *   private data and pins explain of its refcount is not a GUP reference,
 *   nor is the one reference the kernel holds on a folio off the LRU (a
 *   per-CPU LRU batch, or isolation).
 *   Unconfirmed references beyond what is left are gone: released, as
 *   inferred. The refcount is read before and after the rest and must not
 *   move, so a reference being taken or dropped meanwhile keeps them.
 *
 * Pins above what the refcount has room for were released with put_page()
 * (or unseen): each such correction is a misuse_put event.
 *
 * A worker does it every reconcile_ms, at most GT_RECONCILE_BUDGET entries
 * a time, and the views do it for the whole table before they print.
 */
#ifndef _GUP_TRACK_RECONCILE_H
#define _GUP_TRACK_RECONCILE_H

#include <linux/mm_types.h>
#include <linux/types.h>

#define GT_RECONCILE_BUDGET	65536

struct gt_reconcile_stats {
	u64 passes;		/* whole-table passes, worker and views */
	u64 checked;		/* entries compared with their folio */
	u64 pins_reconciled;	/* pins the kernel no longer held */
	u64 gets_expired;	/* references inferred released */
	u64 gets_expired_worker;	/* ... of which found by the worker */
	u64 stale;		/* entries whose pfn no longer heads a folio */
	u64 ns;			/* time spent in passes */
};

/* The worker runs from start to exit, every interval when one is set. */
void gt_reconcile_start(unsigned int ms);
void gt_reconcile_exit(void);
/* Reconcile the whole table now. Process context. */
void gt_reconcile_all(void);
/* The same, before a view prints, unless views are told not to. */
void gt_reconcile_view(void);
void gt_reconcile_set_on_read(bool on);
void gt_reconcile_set_interval(unsigned int ms);
void gt_reconcile_stats(struct gt_reconcile_stats *st);

/*
 * Events the reconciler raises (ring.h): long_held, pins without
 * FOLL_LONGTERM held long_hold_ms; orphaned, pins the kernel still counts
 * orphan_s after their owner exited. 0 turns either off.
 */
#define GT_ORPHAN_S_DEFAULT	60
void gt_reconcile_set_events(unsigned int long_hold_ms, unsigned int orphan_s);

/* The reference a folio off the LRU is held by, meanwhile: 0 or 1. */
int gt_folio_off_lru_refs(struct folio *folio);

/*
 * References of folio that its state does not explain: how many GUP
 * references can exist at most, beyond pins and the caller's own
 * (holding) references. Negative when fewer than nothing.
 */
long gt_folio_unexplained(struct folio *folio, int pins, int holding);

#endif /* _GUP_TRACK_RECONCILE_H */
