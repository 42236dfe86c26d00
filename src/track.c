// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks → table. The acquire side records what an outermost GUP call
 * returned, once, when it returns, one table operation per folio however
 * many of its pages the call handed out. The release side takes every
 * FOLL_PIN drop from the kernel's single funnel; a drop made by a task
 * while it is still inside its own GUP call is that call rolling back pins
 * it never handed out (gup-fast rollback, long-term migration retry), so
 * it is counted apart and never touches the table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "track.h"
#include "owner.h"
#include "ring.h"
#include "site.h"
#include "table.h"

struct gt_pcpu {
	u64 pins_acquired, pins_released, pins_rolled_back;
	u64 pins_released_untracked, pins_added;
	u64 gets_acquired, gets_released, gets_freed, gets_internal;
	u64 freed_while_pinned, untracked_full, untracked_nomem;
	u64 untracked_overflow, calls_atomic, owners_none;
};

static DEFINE_PER_CPU(struct gt_pcpu, gt_pc);
#define gt_add(field, n)	this_cpu_add(gt_pc.field, n)

/*
 * The longest stretch of one call's pages recorded with preemption off: its
 * nanoseconds above GT_LONGEST_NR_BITS, its pages below, so that one
 * cmpxchg keeps the two together.
 */
#define GT_LONGEST_NR_BITS	24
#define GT_LONGEST_TIMED	64	/* shorter calls are not timed */
static atomic64_t gt_longest;
/* Followed GUP calls: begun, and not yet returned. */
static atomic_long_t gt_calls_begun;
static atomic_t gt_calls_running;

/*
 * Tasks that began a followed GUP call while the load watches (settle.c):
 * such a task is not inside an unfollowed one (calls do not nest but for
 * 6.1's unlocked pin, whose inner call hands out all the outer one
 * returns).
 */
#define GT_CALLS_SEEN	512
static bool gt_calls_watched;
static struct task_struct *gt_calls_seen[GT_CALLS_SEEN];
static atomic_t gt_calls_nr_seen;

static void gt_calls_note(struct task_struct *task)
{
	int i;

	if (!READ_ONCE(gt_calls_watched))
		return;
	i = atomic_inc_return(&gt_calls_nr_seen) - 1;
	if (i < GT_CALLS_SEEN)
		WRITE_ONCE(gt_calls_seen[i], task);
}

void gt_track_watch_calls(bool on)
{
	if (on)
		atomic_set(&gt_calls_nr_seen, 0);
	WRITE_ONCE(gt_calls_watched, on);
}

bool gt_track_began_since(struct task_struct *task)
{
	int i, n = min(atomic_read(&gt_calls_nr_seen), GT_CALLS_SEEN);

	for (i = 0; i < n; i++)
		if (READ_ONCE(gt_calls_seen[i]) == task)
			return true;
	return false;
}

bool gt_track_gup_enter(struct pt_regs *regs, long nr, u32 *site,
			u8 *site_flags)
{
	/* perf may look a page up from NMI or IRQ; nothing to follow there. */
	if (!in_task()) {
		gt_add(calls_atomic, 1);
		return false;
	}
	*site = gt_site_find(regs, site_flags);
	if (nr > 0)
		gt_table_expect(nr);
	gt_calls_note(current);
	atomic_long_inc(&gt_calls_begun);
	atomic_inc(&gt_calls_running);
	/* Counted running before the call takes anything. */
	smp_mb__after_atomic();
	return true;
}

void gt_track_gup_exit(void)
{
	/* Its pins are recorded before it stops counting as running. */
	smp_mb__before_atomic();
	atomic_dec(&gt_calls_running);
}

static u8 gt_folio_kind(struct folio *folio)
{
	if (folio_test_anon(folio) || !READ_ONCE(folio->mapping))
		return 0;
	return folio_test_swapbacked(folio) ? GT_E_FILE | GT_E_SHMEM :
					      GT_E_FILE;
}

static void gt_untracked(int err, u32 refs)
{
	if (err == -ENOSPC)
		gt_add(untracked_full, refs);
	else if (err == -EOVERFLOW)
		gt_add(untracked_overflow, refs);
	else
		gt_add(untracked_nomem, refs);
}

/* Is pages[m] want's m-th successor? Zero if so. */
static inline unsigned long gt_off(struct page * const *pages,
				   const struct page *want, int m)
{
	return (unsigned long)pages[m] ^ (unsigned long)(want + m);
}

/*
 * How many of pages[0..n) are the folio's pages from idx on, in order.
 * With a virtually contiguous memmap, eight at a time and one branch for
 * the eight: a THP comes as 512 of them.
 */
static long gt_folio_run(struct page * const *pages, long n,
			 struct folio *folio, unsigned long idx)
{
	const struct page *want;
	long k = 0;

	/* Past the folio's end want is never read, only compared. */
	if (IS_ENABLED(CONFIG_SPARSEMEM_VMEMMAP)) {
		want = folio_page(folio, idx);
		for (; k + 8 <= n; k += 8, want += 8)
			if (gt_off(pages + k, want, 0) |
			    gt_off(pages + k, want, 1) |
			    gt_off(pages + k, want, 2) |
			    gt_off(pages + k, want, 3) |
			    gt_off(pages + k, want, 4) |
			    gt_off(pages + k, want, 5) |
			    gt_off(pages + k, want, 6) |
			    gt_off(pages + k, want, 7))
				break;
	}
	for (; k < n && pages[k] == folio_page(folio, idx + k); k++)
		;
	return k;
}

static void gt_track_timed(u64 since, long nr)
{
	u64 ns = min(ktime_get_boottime_ns() - since,
		     (u64)U64_MAX >> GT_LONGEST_NR_BITS);
	u64 v = ns << GT_LONGEST_NR_BITS |
		min_t(u64, nr, BIT(GT_LONGEST_NR_BITS) - 1);
	s64 old = atomic64_read(&gt_longest);

	do {
		if ((u64)old >= v)
			return;
	} while (!atomic64_try_cmpxchg(&gt_longest, &old, v));
}

long gt_track_acquire(const struct gt_acquire *acq)
{
	struct gt_take t = {};
	struct folio *folio;
	unsigned long nr_pages, last;
	long i = 0, j, run, folios = 0;
	u32 refs;
	int ret;

	if (acq->nr <= 0)
		return 0;
	if (!acq->pin && (acq->site_flags & GT_SITE_INTERNAL)) {
		gt_add(gets_internal, acq->nr);
		return acq->nr;
	}
	t.owner = gt_owner_get(acq->site);
	if (!t.owner)
		gt_add(owners_none, 1);
	t.now = ktime_get_boottime_ns();
	while (i < acq->nr) {
		struct page *page = acq->pages ? acq->pages[i] : NULL;
		unsigned int bit;

		if (acq->max_folios && folios++ == acq->max_folios)
			break;
		run = i;
		folio = page ? page_folio(page) : acq->folios[i];
		t.pfn = folio_pfn(folio);
		t.order = folio_order(folio);
		bit = page ? folio_page_idx(folio, page) : 0;
		/*
		 * The run of pages of this folio the call handed out. GUP
		 * hands a large folio out page after page: while the next
		 * page is the folio's next one it is in the folio, known
		 * without reading its struct page, and the sub-page bits of
		 * such a run are one range.
		 */
		nr_pages = folio_nr_pages(folio);
		j = i + 1;
		if (page)
			j += gt_folio_run(acq->pages + j,
					  min_t(long, acq->nr - j,
						nr_pages - bit - 1),
					  folio, bit + 1);
		last = bit + (j - i - 1);
		t.subpages = GENMASK(gt_subpage_bit(t.order, last),
				     gt_subpage_bit(t.order, bit));
		/* Then any more of its pages, in whatever order. */
		for (; page && j < acq->nr &&
		     page_folio(acq->pages[j]) == folio; j++)
			t.subpages |= BIT(gt_subpage_bit(t.order,
				folio_page_idx(folio, acq->pages[j])));
		refs = j - i;
		i = j;
		/* The kernel neither pins nor frees the zero page. */
		if (is_zero_pfn(t.pfn))
			continue;
		t.pins = acq->pin ? refs : 0;
		t.gets = acq->pin ? 0 : refs;
		t.flags = gt_folio_kind(folio);
		if (acq->gup_flags & FOLL_LONGTERM)
			t.flags |= GT_E_LONGTERM;
		if (acq->gup_flags & FOLL_WRITE)
			t.flags |= GT_E_WRITE;
		ret = gt_table_take(&t);
		if (ret == -ENOMEM && acq->refill) {
			/* The caller fills the reserve and goes on from here. */
			i = run;
			break;
		}
		if (acq->pin)
			gt_add(pins_acquired, refs);
		else
			gt_add(gets_acquired, refs);
		if (ret)
			gt_untracked(ret, refs);
	}
	gt_owner_put(t.owner);
	if (acq->atomic && i >= GT_LONGEST_TIMED)
		gt_track_timed(t.now, i);
	return i;
}

void gt_track_longest(u64 *ns, u64 *nr)
{
	u64 v = atomic64_read(&gt_longest);

	*ns = v >> GT_LONGEST_NR_BITS;
	*nr = v & (BIT(GT_LONGEST_NR_BITS) - 1);
}

/*
 * An unpin of a folio that holds fewer pins than it gives back: the pin
 * bias of a small folio is not in its refcount, or a large folio's pin
 * count is short. Pins taken before load count in both, so this is never
 * one of them: it is FOLL_GET references, or pins already given back,
 * released with unpin_user_page().
 */
static noinline void gt_track_unpin_unpinned(struct folio *folio, int refs)
{
	struct gt_ev ev = { .kind = GT_EV_UNPIN_UNPINNED, .pins = refs };
	struct gt_owner owner = {};
	struct gt_entry e = {};

	if (gt_table_describe(folio_pfn(folio), &e, &owner))
		gt_ev_fill(&ev, &e, owner.tgid ? &owner : NULL, NULL);
	gt_ev_fill(&ev, NULL, NULL, folio);
	ev.gets = e.gets;
	gt_ring_emit(&ev);
}

/* The event's locals stay out of this path: zero-filled on every unpin. */
static void gt_track_check_unpin(struct folio *folio, int refs)
{
	bool short_pins;

	if (folio_test_large(folio))
		short_pins = gt_folio_pincount(folio) < refs;
	else
		short_pins = folio_ref_count(folio) <
			     refs * GUP_PIN_COUNTING_BIAS;
	if (unlikely(short_pins))
		gt_track_unpin_unpinned(folio, refs);
}

bool gt_track_unpin(struct folio *folio, int refs, bool rollback)
{
	unsigned long pfn = folio_pfn(folio);
	bool last_write;
	int n;

	if (is_zero_pfn(pfn))
		return false;
	if (rollback) {
		gt_add(pins_rolled_back, refs);
		return false;
	}
	gt_track_check_unpin(folio, refs);
	n = gt_table_unpin(pfn, refs, &last_write);
	gt_add(pins_released, refs);
	if (n < refs)
		gt_add(pins_released_untracked, refs - n);
	return last_write;
}

/*
 * folio_add_pin() adds a pin to a folio that is already pinned, outside
 * GUP and outside the kernel's counters; its release goes through the
 * funnel like any other.
 */
void gt_track_add_pin(struct folio *folio)
{
	struct gt_take t = {
		.pfn = folio_pfn(folio),
		.order = folio_order(folio),
		.pins = 1,
		.now = ktime_get_boottime_ns(),
	};
	int pins, gets;

	if (is_zero_pfn(t.pfn))
		return;
	gt_add(pins_added, 1);
	if (gt_table_lookup(t.pfn, &pins, &gets) && pins > 0)
		gt_table_take(&t);
}

/* A bio dropped refs FOLL_GET references of folio. */
void gt_track_put_refs(struct folio *folio, int refs)
{
	gt_add(gets_released, gt_table_unget(folio_pfn(folio), refs));
}

static noinline void gt_track_freed(struct page *page, unsigned int order)
{
	struct gt_owner owner = {};
	struct gt_entry e;
	struct gt_ev ev = { .kind = GT_EV_FREED_PINNED };

	if (!gt_table_freed_describe(page_to_pfn(page), &e, &owner))
		return;
	if (e.gets)
		gt_add(gets_freed, e.gets);
	if (e.pins) {
		gt_add(freed_while_pinned, e.pins);
		gt_ev_fill(&ev, &e, owner.tgid ? &owner : NULL, NULL);
		ev.order = order;
		ev.pins = e.pins;
		gt_ring_emit(&ev);
		pr_warn_ratelimited("freed_pinned: pfn %lu freed with %d pins we never saw released, pinned by pid %d %s\n",
				    page_to_pfn(page), e.pins, owner.tgid,
				    owner.tgid ? owner.comm : "(unknown)");
	}
}

/*
 * A folio went back to the page allocator: nothing can hold it now. Every
 * free in the system passes here; the locals of the rest would be
 * zero-filled for each.
 */
void gt_track_free(struct page *page, unsigned int order)
{
	if (gt_table_maybe(page_to_pfn(page)))
		gt_track_freed(page, order);
}

void gt_track_sum(struct gt_counters *c)
{
	int cpu;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		const struct gt_pcpu *p = per_cpu_ptr(&gt_pc, cpu);

		c->pins_acquired += p->pins_acquired;
		c->pins_released += p->pins_released;
		c->pins_rolled_back += p->pins_rolled_back;
		c->pins_released_untracked += p->pins_released_untracked;
		c->pins_added += p->pins_added;
		c->gets_acquired += p->gets_acquired;
		c->gets_released += p->gets_released;
		c->gets_freed += p->gets_freed;
		c->gets_internal += p->gets_internal;
		c->freed_while_pinned += p->freed_while_pinned;
		c->untracked_full += p->untracked_full;
		c->untracked_nomem += p->untracked_nomem;
		c->untracked_overflow += p->untracked_overflow;
		c->calls_atomic += p->calls_atomic;
		c->owners_none += p->owners_none;
	}
}

long gt_track_calls_begun(void)
{
	return atomic_long_read(&gt_calls_begun);
}

int gt_track_calls_running(void)
{
	return atomic_read(&gt_calls_running);
}
