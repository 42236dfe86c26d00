// SPDX-License-Identifier: GPL-2.0
/*
 * With large_calls, large GUP calls, and calls that would find the
 * reserve short, run through a wrapper of the same signature (ftrace
 * IPMODIFY) instead of straight into the kernel. The wrapper runs in the
 * caller's context, which may sleep (every entry point here may fault),
 * so before the call it fills the reserve for all of its pages, and after
 * it records them GT_GUP_STRETCH folios at a time with preemption on,
 * refilling the reserve whenever it runs dry: a 1 GiB registration then
 * neither loses pins to an empty reserve on PREEMPT_RT nor holds a CPU for
 * its whole array. The kretprobe still follows the call (its instance
 * holds the attribution taken at entry); the wrapper's own call into the
 * kernel is nested, and its entry declines it. Should the kretprobe have
 * missed the outer call, the inner one is followed instead, and the
 * unwinder skips the wrapper as a GUP helper ("gup_" in site.c). The
 * *_fast_only() entry points may be called in atomic context and are
 * never redirected.
 *
 * A redirected call returns into this module: unload waits until none is
 * in flight.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>

#include "../compat.h"
#include "../table.h"
#include "gup_call.h"
#include "hooks.h"

/*
 * Redirected calls not yet returned (a CPU's count may wrap: a call can
 * return on another CPU; the sum is right), and all of them.
 */
static DEFINE_PER_CPU(unsigned long, gup_large_running);
static DEFINE_PER_CPU(unsigned long, gup_large_calls);

/* Tries of one stretch that the reserve may refuse before it counts. */
#define GUP_LARGE_TRIES	4

/*
 * After the call into the kernel: record what it handed out in array,
 * then leave. may_sleep: what gup_large_fill() found.
 */
static long gup_large_done(enum gt_gup_entry e, void *array, bool may_sleep,
			   long rv)
{
	struct gt_hook *h = &gt_gup_entry_hooks[e];
	struct gt_gup_data *d = may_sleep ? gt_hook_instance(h) : NULL;
	long i = 0, n, nr = gt_gup_returned(h->priv, rv);
	int dry = 0;

	/* Another's: an outer call of this entry point; this one is nested. */
	if (d && d->array != array)
		d = NULL;
	while (d && !d->recorded && i < nr) {
		n = gt_gup_record(h->priv, d, i, nr, GT_GUP_STRETCH,
				  dry < GUP_LARGE_TRIES);
		if (!n) {
			dry++;
			gt_table_reserve(GT_GUP_STRETCH);
		} else {
			dry = 0;
		}
		i += n;
		cond_resched();
	}
	if (d)
		d->recorded = true;
	this_cpu_dec(gup_large_running);
	return rv;
}

/*
 * Before it: room in the reserve for every page it may hand out, and
 * whether the caller may sleep. One that may not (preemption or
 * interrupts off) relies on the pages being there already; the return
 * probe records its call.
 */
static bool gup_large_fill(unsigned long nr)
{
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible())
		return false;
	gt_table_reserve(nr);
	return true;
}

static long gup_large_pin(unsigned long start, unsigned long nr_pages,
			  unsigned int gup_flags, GT_PAGES_PARAM)
{
	bool may_sleep = gup_large_fill(nr_pages);

	return gup_large_done(GT_GUP_PIN, pages, may_sleep,
			     gt_gup_pass(pin_user_pages, start, nr_pages,
					 gup_flags));
}

static long gup_large_get(unsigned long start, unsigned long nr_pages,
			  unsigned int gup_flags, GT_PAGES_PARAM)
{
	bool may_sleep = gup_large_fill(nr_pages);

	return gup_large_done(GT_GUP_GET, pages, may_sleep,
			     gt_gup_pass(get_user_pages, start, nr_pages,
					 gup_flags));
}

static long gup_large_pin_remote(struct mm_struct *mm, unsigned long start,
				 unsigned long nr_pages,
				 unsigned int gup_flags, GT_PAGES_PARAM,
				 int *locked)
{
	bool may_sleep = gup_large_fill(nr_pages);

	return gup_large_done(GT_GUP_PIN_REMOTE, pages, may_sleep,
			     gt_gup_pass_remote(pin_user_pages_remote, mm,
						start, nr_pages, gup_flags,
						locked));
}

static long gup_large_get_remote(struct mm_struct *mm, unsigned long start,
				 unsigned long nr_pages,
				 unsigned int gup_flags, GT_PAGES_PARAM,
				 int *locked)
{
	bool may_sleep = gup_large_fill(nr_pages);

	return gup_large_done(GT_GUP_GET_REMOTE, pages, may_sleep,
			     gt_gup_pass_remote(get_user_pages_remote, mm,
						start, nr_pages, gup_flags,
						locked));
}

static long gup_large_pin_unlocked(unsigned long start,
				   unsigned long nr_pages,
				   struct page **pages,
				   unsigned int gup_flags)
{
	bool may_sleep = gup_large_fill(nr_pages);

	return gup_large_done(GT_GUP_PIN_UNLOCKED, pages, may_sleep,
			     pin_user_pages_unlocked(start, nr_pages, pages,
						     gup_flags));
}

static long gup_large_get_unlocked(unsigned long start,
				   unsigned long nr_pages,
				   struct page **pages,
				   unsigned int gup_flags)
{
	bool may_sleep = gup_large_fill(nr_pages);

	return gup_large_done(GT_GUP_GET_UNLOCKED, pages, may_sleep,
			     get_user_pages_unlocked(start, nr_pages, pages,
						     gup_flags));
}

static int gup_large_pin_fast(unsigned long start, int nr_pages,
			      unsigned int gup_flags, struct page **pages)
{
	bool may_sleep = gup_large_fill(max(nr_pages, 0));

	return gup_large_done(GT_GUP_PIN_FAST, pages, may_sleep,
			     pin_user_pages_fast(start, nr_pages, gup_flags,
						 pages));
}

static int gup_large_get_fast(unsigned long start, int nr_pages,
			      unsigned int gup_flags, struct page **pages)
{
	bool may_sleep = gup_large_fill(max(nr_pages, 0));

	return gup_large_done(GT_GUP_GET_FAST, pages, may_sleep,
			     get_user_pages_fast(start, nr_pages, gup_flags,
						 pages));
}

static long gup_large_memfd(struct file *memfd, loff_t start, loff_t end,
			    struct folio **folios, unsigned int max_folios,
			    pgoff_t *offset)
{
	bool may_sleep = gup_large_fill(max_folios);

	return gup_large_done(GT_GUP_MEMFD, folios, may_sleep,
			     gt_memfd_pin_folios(memfd, start, end, folios,
						 max_folios, offset));
}

struct gup_large {
	enum gt_gup_entry entry;
	void *wrapper;
};

static unsigned long gup_large_redirect(struct gt_hook *h,
					struct ftrace_regs *fregs,
					unsigned long parent_ip)
{
	const struct gup_large *l = h->priv;
	const struct gt_hook *entry = &gt_gup_entry_hooks[l->entry];
	const struct gt_gup_fn *fn = entry->priv;
	long nr = gt_gup_nr(fn, gt_fregs_arg(fregs, fn->nr_arg));

	if (nr <= 0 || (nr <= GT_GUP_STRETCH && gt_table_ready(nr)))
		return 0;
	/* Only faulting in, in an interrupt, or not followed at all. */
	if (!gt_fregs_arg(fregs, fn->array_arg) || !in_task() ||
	    !READ_ONCE(entry->attached))
		return 0;
	this_cpu_inc(gup_large_running);
	this_cpu_inc(gup_large_calls);
	return (unsigned long)l->wrapper;
}

#define GUP_LARGE(_name, _wanted, _entry, _wrapper) {			\
	.name = _name, .kind = GT_FREDIRECT, .wanted = _wanted,		\
	.redirect = gup_large_redirect,					\
	.priv = &(const struct gup_large){ _entry, _wrapper },		\
}

static struct gt_hook gup_large_hooks[] = {
	GUP_LARGE("pin_user_pages_fast", true, GT_GUP_PIN_FAST,
		  gup_large_pin_fast),
	GUP_LARGE("pin_user_pages", true, GT_GUP_PIN, gup_large_pin),
	GUP_LARGE("pin_user_pages_remote", true, GT_GUP_PIN_REMOTE,
		  gup_large_pin_remote),
	GUP_LARGE("pin_user_pages_unlocked", true, GT_GUP_PIN_UNLOCKED,
		  gup_large_pin_unlocked),
	GUP_LARGE("get_user_pages_fast", true, GT_GUP_GET_FAST,
		  gup_large_get_fast),
	GUP_LARGE("get_user_pages", true, GT_GUP_GET, gup_large_get),
	GUP_LARGE("get_user_pages_remote", true, GT_GUP_GET_REMOTE,
		  gup_large_get_remote),
	GUP_LARGE("get_user_pages_unlocked", true, GT_GUP_GET_UNLOCKED,
		  gup_large_get_unlocked),
	GUP_LARGE("memfd_pin_folios", GT_HAVE_MEMFD_PIN_FOLIOS, GT_GUP_MEMFD,
		  gup_large_memfd),
};

struct gt_hook_set gt_hooks_gup_large = {
	.hooks = gup_large_hooks,
	.nr = ARRAY_SIZE(gup_large_hooks),
};

static unsigned long gup_large_sum(unsigned long __percpu *count)
{
	unsigned long n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += *per_cpu_ptr(count, cpu);
	return n;
}

unsigned long gt_gup_large_calls(void)
{
	return gup_large_sum(&gup_large_calls);
}

void gt_gup_large_drain(void)
{
	unsigned int waited = 0;
	unsigned long n;

	if (!gt_gup_large_calls())
		return;		/* nothing ever ran in the wrapper */
	/* Not redirected any more: the sum only falls. */
	while ((n = gup_large_sum(&gup_large_running))) {
		if (waited++ % 1000 == 0)
			pr_info("unload waits for %lu large GUP calls in flight\n",
				n);
		msleep(20);
	}
	/* The last may still be between its count and its return. */
	synchronize_rcu_tasks();
}
