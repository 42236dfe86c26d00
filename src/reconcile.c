// SPDX-License-Identifier: GPL-2.0
/*
 * The reconciler (see reconcile.h). It reads folio state under the table's
 * bucket lock without holding a reference: the folio cannot be freed
 * without the free hook taking that same lock to remove the entry first,
 * and whatever it reads of a folio being freed only makes it correct more.
 * A folio may be split meanwhile, though: what cannot be a folio's shape
 * leaves the entry as it is until the next pass.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "reconcile.h"
#include "ring.h"
#include "site.h"
#include "table.h"

static atomic64_t gt_passes, gt_checked, gt_pins_fixed, gt_gets_expired;
static atomic64_t gt_gets_expired_worker, gt_stale, gt_ns;
static unsigned int gt_interval_ms;
static bool gt_running;
static unsigned long gt_worker_cursor;
static DEFINE_MUTEX(gt_view_mutex);	/* one whole-table pass at a time */
static DEFINE_MUTEX(gt_interval_mutex);	/* gt_interval_ms, gt_running */

static void gt_reconcile_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(gt_reconcile_dwork, gt_reconcile_work);

/*
 * A misuse_put line, printed once the scan has left its bucket locks (no
 * printk under a raw lock with interrupts off). A chunk keeps as many as
 * the rate limit lets through in a burst; the ring has every event.
 */
#define GT_MISUSE_LINES		DEFAULT_RATELIMIT_BURST

struct gt_misuse_line {
	unsigned long pfn;
	int gone;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

struct gt_rc {
	u64 checked, pins, gets, stale, ns;
	u64 now;			/* boot time (ns) the pass began */
	unsigned int nr_lines;
	struct gt_misuse_line lines[GT_MISUSE_LINES];
};

/* Event thresholds (module parameters); 0 turns an event off. */
static unsigned int gt_long_hold_ms;
static unsigned int gt_orphan_s = GT_ORPHAN_S_DEFAULT;

void gt_reconcile_set_events(unsigned int long_hold_ms, unsigned int orphan_s)
{
	WRITE_ONCE(gt_long_hold_ms, long_hold_ms);
	WRITE_ONCE(gt_orphan_s, orphan_s);
}

/* The largest folio: a gigantic hugetlb page. */
#define GT_FOLIO_NR_MAX		(1L << (PUD_SHIFT - PAGE_SHIFT))

/*
 * The size of a folio read without a reference: a THP split reuses the
 * first tail page, where the size lives, while the head still reads as
 * large. 0 if what is read is no size a folio at this pfn can have.
 */
static long gt_folio_size(struct folio *folio)
{
	long nr = folio_nr_pages(folio);

	if (nr > GT_FOLIO_NR_MAX || !is_power_of_2(nr) ||
	    !IS_ALIGNED(folio_pfn(folio), nr))
		return 0;
	return nr;
}

/* References the folio's own state explains, pins aside; -1: unknown. */
static long gt_folio_explained(struct folio *folio)
{
	long nr = gt_folio_size(folio), refs;

	if (!nr)
		return -1;
	refs = gt_folio_mapcount(folio);
	if (refs < 0)
		return -1;
	if (folio_test_anon(folio)) {
		if (folio_test_swapcache(folio))
			refs += nr;
	} else if (READ_ONCE(folio->mapping)) {
		refs += gt_folio_cache_refs(folio, nr) +
			folio_test_private(folio);
	}
	/* Split meanwhile: the counts mix two shapes. */
	smp_rmb();
	if (folio_nr_pages(folio) != nr)
		return -1;
	return refs;
}

/*
 * A folio off the LRU is in a per-CPU LRU batch (freshly faulted pages sit
 * there until the batch fills), or isolated by reclaim, compaction or
 * migration: either way the kernel holds one reference of its own on it.
 * hugetlb folios are never on the LRU and hold no such reference.
 */
int gt_folio_off_lru_refs(struct folio *folio)
{
	return !folio_test_lru(folio) && !folio_test_hugetlb(folio);
}

long gt_folio_unexplained(struct folio *folio, int pins, int holding)
{
	long before, after, explained;

	before = folio_ref_count(folio);
	explained = gt_folio_explained(folio);
	if (explained < 0)
		return LONG_MAX;	/* changing shape: as if moving */
	if (folio_test_large(folio))
		explained += gt_folio_pincount(folio);
	else
		explained += (long)pins * GUP_PIN_COUNTING_BIAS;
	after = folio_ref_count(folio);
	if (before != after)
		return LONG_MAX;	/* moving: assume the references exist */
	return after - explained - holding;
}

/*
 * Of the entry's pins, how many the kernel no longer holds (*gone: given
 * back unseen), and how many were released with put_page() (*misused).
 * An unpin takes the whole bias from a small folio, and one reference and
 * one pin count from a large one; put_page() takes one reference and
 * leaves the pin count. So what the refcount lacks of what the mappings,
 * the cache and the pins explain is 1024 per pin gone and one per pin
 * misused (small), or one per pin misused beside a pin count that fell
 * (large). The kernel's own transient references only ever add to the
 * refcount, so none is assumed here (a folio off the LRU is not taken to
 * hold one): the check can be late, never wrong.
 */
static void gt_pins_lost(struct folio *folio, int pins, long *gone,
			 long *misused)
{
	long short_by;

	*gone = 0;
	*misused = 0;
	if (folio_test_large(folio))
		*gone = clamp_t(long, pins - gt_folio_pincount(folio), 0, pins);
	short_by = -gt_folio_unexplained(folio, pins - *gone, 0);
	if (short_by <= 0)
		return;
	if (!folio_test_large(folio)) {
		*gone += short_by / GUP_PIN_COUNTING_BIAS;
		short_by %= GUP_PIN_COUNTING_BIAS;
	}
	*gone = min_t(long, *gone, pins);
	*misused = min_t(long, short_by, pins - *gone);
}

/*
 * Pins released with put_page() stay in the entry, flagged: the kernel
 * still counts them held (nr_foll_pin_released never moved) and the folio
 * keeps the references they leave for as long as it lives. Reported once
 * per entry. 1024 put_page()s of one small folio's pin would read as one
 * pin released unseen: late the other way, but no worse.
 */
static void gt_misuse_put(struct gt_entry *e, struct folio *folio,
			  struct gt_rc *rc, int misused)
{
	struct gt_ev ev = { .kind = GT_EV_MISUSE_PUT, .pins = misused };

	gt_ev_fill(&ev, e, e->owner, folio);
	ev.gets = e->gets;
	gt_ring_emit(&ev);
	if (rc->nr_lines < GT_MISUSE_LINES) {
		struct gt_misuse_line *l = &rc->lines[rc->nr_lines++];

		l->pfn = e->pfn;
		l->gone = misused;
		l->pid = ev.pid;
		memcpy(l->comm, ev.comm, sizeof(l->comm));
	}
	e->flags |= GT_E_MISUSE_SEEN;
}

/* Out of line: an event is zero-filled, and most entries emit none. */
static noinline void gt_watch_emit(u8 kind, struct gt_entry *e,
				   struct folio *folio)
{
	struct gt_ev ev = { .kind = kind, .pins = e->pins, .gets = e->gets };

	gt_ev_fill(&ev, e, e->owner, folio);
	gt_ring_emit(&ev);
}

/* Pins held too long, or by a process that is gone: once per entry. */
static void gt_watch_pins(struct gt_entry *e, struct folio *folio,
			  struct gt_rc *rc)
{
	unsigned int long_ms = READ_ONCE(gt_long_hold_ms);
	unsigned int orphan_s = READ_ONCE(gt_orphan_s);
	struct gt_owner *o = e->owner;
	u64 gone;

	if (long_ms && !(e->flags & (GT_E_LONGTERM | GT_E_LONG_SEEN)) &&
	    rc->now > e->since &&
	    rc->now - e->since >= (u64)long_ms * NSEC_PER_MSEC) {
		e->flags |= GT_E_LONG_SEEN;
		gt_watch_emit(GT_EV_LONG_HELD, e, folio);
	}
	/* A file's pins outlive their taker on purpose (site.h). */
	if (!orphan_s || !o || (e->flags & GT_E_ORPHAN_SEEN) ||
	    (gt_site_flags(o->site) & GT_SITE_FILE_OWNED) ||
	    gt_owner_alive(o))
		return;
	gone = READ_ONCE(o->gone_ns);
	if (!gone) {
		WRITE_ONCE(o->gone_ns, rc->now);
		return;
	}
	/* Still pinned as the kernel counts, a grace period after the exit. */
	if (rc->now - gone < (u64)orphan_s * NSEC_PER_SEC ||
	    !folio_maybe_dma_pinned(folio))
		return;
	e->flags |= GT_E_ORPHAN_SEEN;
	gt_watch_emit(GT_EV_ORPHANED, e, folio);
}

static void gt_reconcile_entry(struct gt_entry *e, void *arg)
{
	struct gt_rc *rc = arg;
	struct folio *folio;
	struct page *page;
	long gone, misused, extra, nr;
	u32 n;

	rc->checked++;
	if (!pfn_valid(e->pfn))
		goto stale;
	page = pfn_to_page(e->pfn);
	folio = page_folio(page);
	/* Freed behind our back, or now part of another folio. */
	if (&folio->page != page || !folio_ref_count(folio))
		goto stale;
	/*
	 * Split under way (no reference is held): its order and pin count
	 * read from a reused tail page. Look again at the next pass.
	 */
	nr = gt_folio_size(folio);
	if (!nr || folio_order(folio) != ilog2(nr))
		return;
	if (folio_order(folio) != e->order) {
		e->order = folio_order(folio);
		e->subpages = 0;
	}
	if (e->pins) {
		gt_pins_lost(folio, e->pins, &gone, &misused);
		rc->pins += gone;
		e->pins -= gone;
		/*
		 * The flag says what this pass saw: a transient reference can
		 * hide a misuse for a pass, or make a pin gone unseen look
		 * like one. The event goes once per entry.
		 */
		if (!misused) {
			e->flags &= ~GT_E_MISUSED;
		} else {
			e->flags |= GT_E_MISUSED;
			if (!(e->flags & GT_E_MISUSE_SEEN))
				gt_misuse_put(e, folio, rc, misused);
		}
	}
	if (e->pins)
		gt_watch_pins(e, folio, rc);
	/*
	 * A misused pin leaves its bias short by one, which the references
	 * would otherwise be blamed for too: they wait for the bio or the
	 * free to confirm them.
	 */
	if (e->gets && !(e->flags & GT_E_MISUSED)) {
		extra = gt_folio_unexplained(folio, e->pins,
					     gt_folio_off_lru_refs(folio));
		if (extra < (long)e->gets) {
			n = e->gets - max(extra, 0L);
			rc->gets += n;
			e->gets -= n;
		}
	}
	return;
stale:
	rc->stale++;
	rc->pins += e->pins;
	rc->gets += e->gets;
	e->pins = 0;
	e->gets = 0;
}

/* After a scan chunk, with no lock held. */
static void gt_misuse_print(struct gt_rc *rc)
{
	struct gt_misuse_line *l;
	unsigned int i;

	for (i = 0; i < rc->nr_lines; i++) {
		l = &rc->lines[i];
		pr_warn_ratelimited("misuse_put: %d pins of pfn %lu released with put_page(), pinned by pid %d %s\n",
				    l->gone, l->pfn, l->pid,
				    l->pid ? l->comm : "(unknown)");
	}
	rc->nr_lines = 0;
}

static void gt_rc_account(const struct gt_rc *rc, bool worker)
{
	atomic64_add(rc->checked, &gt_checked);
	atomic64_add(rc->pins, &gt_pins_fixed);
	atomic64_add(rc->gets, &gt_gets_expired);
	atomic64_add(rc->stale, &gt_stale);
	atomic64_add(rc->ns, &gt_ns);
	if (worker)
		atomic64_add(rc->gets, &gt_gets_expired_worker);
}

static void gt_reconcile_work(struct work_struct *work)
{
	struct gt_rc rc = { .now = ktime_get_boottime_ns() };
	u64 t0 = ktime_get_ns();
	unsigned int ms;

	if (gt_table_scan(&gt_worker_cursor, GT_RECONCILE_BUDGET, true,
			  gt_reconcile_entry, &rc))
		atomic64_inc(&gt_passes);
	rc.ns = ktime_get_ns() - t0;
	gt_misuse_print(&rc);
	gt_rc_account(&rc, true);
	ms = READ_ONCE(gt_interval_ms);
	if (ms && READ_ONCE(gt_running))
		queue_delayed_work(system_unbound_wq, &gt_reconcile_dwork,
				   msecs_to_jiffies(ms));
}

static bool gt_on_read = true;

void gt_reconcile_set_on_read(bool on)
{
	WRITE_ONCE(gt_on_read, on);
}

void gt_reconcile_view(void)
{
	if (READ_ONCE(gt_on_read))
		gt_reconcile_all();
}

void gt_reconcile_all(void)
{
	unsigned long cursor = 0;
	struct gt_rc rc = { .now = ktime_get_boottime_ns() };
	u64 t0;

	mutex_lock(&gt_view_mutex);
	t0 = ktime_get_ns();
	while (!gt_table_scan(&cursor, GT_RECONCILE_BUDGET, true,
			      gt_reconcile_entry, &rc)) {
		gt_misuse_print(&rc);
		cond_resched();
	}
	rc.ns = ktime_get_ns() - t0;
	mutex_unlock(&gt_view_mutex);
	gt_misuse_print(&rc);
	atomic64_inc(&gt_passes);
	gt_rc_account(&rc, false);
}

static void gt_reconcile_schedule(void)
{
	if (gt_running && gt_interval_ms)
		mod_delayed_work(system_unbound_wq, &gt_reconcile_dwork,
				 msecs_to_jiffies(gt_interval_ms));
	else
		cancel_delayed_work(&gt_reconcile_dwork);
}

/* Module parameter: may come before the table exists, or during unload. */
void gt_reconcile_set_interval(unsigned int ms)
{
	mutex_lock(&gt_interval_mutex);
	WRITE_ONCE(gt_interval_ms, ms);
	gt_reconcile_schedule();
	mutex_unlock(&gt_interval_mutex);
}

void gt_reconcile_start(unsigned int ms)
{
	mutex_lock(&gt_interval_mutex);
	WRITE_ONCE(gt_interval_ms, ms);
	WRITE_ONCE(gt_running, true);
	gt_reconcile_schedule();
	mutex_unlock(&gt_interval_mutex);
}

void gt_reconcile_stats(struct gt_reconcile_stats *st)
{
	st->passes = atomic64_read(&gt_passes);
	st->checked = atomic64_read(&gt_checked);
	st->pins_reconciled = atomic64_read(&gt_pins_fixed);
	st->gets_expired = atomic64_read(&gt_gets_expired);
	st->gets_expired_worker = atomic64_read(&gt_gets_expired_worker);
	st->stale = atomic64_read(&gt_stale);
	st->ns = atomic64_read(&gt_ns);
}

/* Stop the worker; a write of the interval can no longer restart it. */
void gt_reconcile_exit(void)
{
	mutex_lock(&gt_interval_mutex);
	WRITE_ONCE(gt_running, false);
	mutex_unlock(&gt_interval_mutex);
	cancel_delayed_work_sync(&gt_reconcile_dwork);
}
