// SPDX-License-Identifier: GPL-2.0
/*
 * Events → table. The acquire side records what an outermost GUP call
 * returned, once, when it returns, one table operation per folio however
 * many of its pages the call handed out. The release side takes every
 * FOLL_PIN drop from the kernel's single funnel; a drop made by a task
 * while it is still inside its own GUP call is that call rolling back pins
 * it never handed out (gup-fast rollback, long-term migration retry), so
 * it is counted apart and never touches the table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/timekeeping.h>
#include <linux/vmstat.h>

#include "compat.h"
#include "event.h"
#include "owner.h"
#include "ring.h"
#include "settle.h"
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

static unsigned long gt_kernel_base[2];
static struct gt_counters gt_base;	/* ours, when the kernel's were read */
static bool gt_base_exact;
/*
 * The longest one call's pages took to record, with preemption off: its
 * nanoseconds above GT_LONGEST_NR_BITS, its pages below, so that one
 * cmpxchg keeps the two together.
 */
#define GT_LONGEST_NR_BITS	24
#define GT_LONGEST_TIMED	64	/* shorter calls are not timed */
static atomic64_t gt_longest;
/* Followed GUP calls: begun, and not yet returned. */
static atomic_long_t gt_calls_begun;
static atomic_t gt_calls_running;

bool gt_event_gup_enter(struct pt_regs *regs, long nr, u32 *site,
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
	gt_settle_note(current);
	atomic_long_inc(&gt_calls_begun);
	atomic_inc(&gt_calls_running);
	/* Counted running before the call takes anything. */
	smp_mb__after_atomic();
	return true;
}

void gt_event_gup_exit(void)
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

static void gt_event_timed(u64 since, long nr)
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

void gt_event_acquire(const struct gt_acquire *acq)
{
	struct gt_take t = {};
	struct folio *folio;
	unsigned long nr_pages, last;
	long i = 0, j;
	u32 refs;
	int ret;

	if (acq->nr <= 0)
		return;
	if (!acq->pin && (acq->site_flags & GT_SITE_INTERNAL)) {
		gt_add(gets_internal, acq->nr);
		return;
	}
	t.owner = gt_owner_get(acq->site);
	if (!t.owner)
		gt_add(owners_none, 1);
	t.now = ktime_get_boottime_ns();
	while (i < acq->nr) {
		struct page *page = acq->pages ? acq->pages[i] : NULL;
		unsigned int bit;

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
		if (acq->pin)
			gt_add(pins_acquired, refs);
		else
			gt_add(gets_acquired, refs);
		t.pins = acq->pin ? refs : 0;
		t.gets = acq->pin ? 0 : refs;
		t.flags = gt_folio_kind(folio);
		if (acq->gup_flags & FOLL_LONGTERM)
			t.flags |= GT_E_LONGTERM;
		if (acq->gup_flags & FOLL_WRITE)
			t.flags |= GT_E_WRITE;
		ret = gt_table_take(&t);
		if (ret)
			gt_untracked(ret, refs);
	}
	gt_owner_put(t.owner);
	if (acq->nr >= GT_LONGEST_TIMED)
		gt_event_timed(t.now, acq->nr);
}

void gt_event_longest(u64 *ns, u64 *nr)
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
static noinline void gt_event_unpin_unpinned(struct folio *folio, int refs)
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
static void gt_event_check_unpin(struct folio *folio, int refs)
{
	bool short_pins;

	if (folio_test_large(folio))
		short_pins = gt_folio_pincount(folio) < refs;
	else
		short_pins = folio_ref_count(folio) <
			     refs * GUP_PIN_COUNTING_BIAS;
	if (unlikely(short_pins))
		gt_event_unpin_unpinned(folio, refs);
}

bool gt_event_unpin(struct folio *folio, int refs, bool rollback)
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
	gt_event_check_unpin(folio, refs);
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
void gt_event_add_pin(struct folio *folio)
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
void gt_event_put_refs(struct folio *folio, int refs)
{
	gt_add(gets_released, gt_table_unget(folio_pfn(folio), refs));
}

static noinline void gt_event_freed(struct page *page, unsigned int order)
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
void gt_event_free(struct page *page, unsigned int order)
{
	if (gt_table_maybe(page_to_pfn(page)))
		gt_event_freed(page, order);
}

/*
 * A node counter with what each CPU has not folded in yet. Each node's own
 * total, not the global one: a CPU folding its differences adds them to
 * its node at once, but to the global total only after every item.
 */
static long gt_kernel_stat(enum node_stat_item item)
{
	long sum = 0;
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		sum += atomic_long_read(&pgdat->vm_stat[item]);
		for_each_online_cpu(cpu)
			sum += per_cpu_ptr(pgdat->per_cpu_nodestats,
					   cpu)->vm_node_stat_diff[item];
	}
	return sum;
}

static long gt_kernel_nodes(void)
{
	long sum = 0;
	int nid;

	for_each_online_node(nid)
		sum += atomic_long_read(&NODE_DATA(nid)->vm_stat[NR_FOLL_PIN_ACQUIRED]) +
		       atomic_long_read(&NODE_DATA(nid)->vm_stat[NR_FOLL_PIN_RELEASED]);
	return sum;
}

/*
 * Both counters at one instant: a CPU moving its differences into its
 * node while we add them up would make us miss them, so read until the
 * node totals did not move underneath (bounded; they settle quickly).
 */
static void gt_kernel_pins(unsigned long *acq, unsigned long *rel)
{
	long n1, n2;
	int i;

	for (i = 0; i < 1000; i++) {
		n1 = gt_kernel_nodes();
		*acq = gt_kernel_stat(NR_FOLL_PIN_ACQUIRED);
		*rel = gt_kernel_stat(NR_FOLL_PIN_RELEASED);
		n2 = gt_kernel_nodes();
		if (n1 == n2)
			break;
		cpu_relax();
	}
}

static void gt_counters_sum(struct gt_counters *c)
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

void gt_event_counters(struct gt_counters *c)
{
	unsigned long acq, rel;
	u64 *now = (u64 *)c;
	const u64 *base = (const u64 *)&gt_base;
	size_t i;

	gt_counters_sum(c);
	for (i = 0; i < sizeof(*c) / sizeof(u64); i++)
		now[i] -= base[i];
	gt_kernel_pins(&acq, &rel);
	c->kernel_pin_acquired = acq - gt_kernel_base[0];
	c->kernel_pin_released = rel - gt_kernel_base[1];
	c->base_exact = gt_base_exact;
}

/* Ours and the kernel's releases: ours counts first, so ours - kernel >= 0. */
static long gt_release_lead(void)
{
	struct gt_counters c;
	unsigned long acq, rel;

	gt_kernel_pins(&acq, &rel);	/* the kernel's first: see below */
	gt_counters_sum(&c);
	return (long)(c.pins_released + c.pins_rolled_back) - (long)rel;
}

static void gt_release_offset(void *arg)
{
	*(long *)arg = gt_release_lead();
}

/*
 * Start counting: our counters and the kernel's from the same instant.
 *
 * Pins: the kernel counts a pin when GUP grabs it, we when the call
 * returns, so the instant must have no followed call running: one that
 * began earlier and returns later would be ours and not the kernel's. Wait
 * (bounded) for such an instant, and make sure no call began meanwhile.
 *
 * Releases: we count one just before the kernel does, in the same
 * function, but a task may be preempted in between. So ours minus the
 * kernel's is a fixed offset plus the releases in flight: read it when
 * none is (settle.h). Failing that, the least of many looks, read kernel
 * first, is the offset unless a release stayed in flight through all.
 */
void gt_event_start(unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	unsigned long wait_us;
	long begun, lead = LONG_MAX;
	bool exact = false;
	int i, ret;

	for (;;) {
		begun = atomic_long_read(&gt_calls_begun);
		/* Pairs with the barrier after a call starts running. */
		smp_mb();
		if (!atomic_read(&gt_calls_running)) {
			gt_counters_sum(&gt_base);
			gt_kernel_pins(&gt_kernel_base[0], &gt_kernel_base[1]);
			/* The counts read before the second look at the calls. */
			smp_mb();
			if (atomic_long_read(&gt_calls_begun) == begun &&
			    !atomic_read(&gt_calls_running)) {
				exact = true;
				break;
			}
		}
		if (time_after(jiffies, deadline)) {
			gt_counters_sum(&gt_base);
			gt_kernel_pins(&gt_kernel_base[0], &gt_kernel_base[1]);
			break;
		}
		usleep_range(100, 200);
	}
	/*
	 * Each look stops every CPU: back off, from 1 ms to 64, so that a
	 * task kept off the CPU in the funnel costs a few dozen stops.
	 */
	deadline = jiffies + msecs_to_jiffies(timeout_ms);
	gt_settle_releases_begin();
	for (wait_us = 1000;
	     (ret = gt_settle_releases(gt_release_offset, &lead));
	     wait_us = min(2 * wait_us, 64000UL)) {
		if (ret != -EBUSY || time_after(jiffies, deadline)) {
			pr_info("%s: totals since load may differ from the kernel's\n",
				ret == -EBUSY ? "a release stayed in flight through the load" :
				"the release funnel could not be looked at");
			exact = false;
			for (i = 0; i < 32; i++) {
				lead = min(lead, gt_release_lead());
				usleep_range(100, 200);
			}
			break;
		}
		usleep_range(wait_us, 2 * wait_us);
	}
	gt_settle_releases_end();
	gt_kernel_base[1] = gt_base.pins_released + gt_base.pins_rolled_back -
			    lead;
	gt_base_exact = exact;
}
