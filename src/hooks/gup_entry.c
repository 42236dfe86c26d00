// SPDX-License-Identifier: GPL-2.0
/*
 * The GUP entry points: a kretprobe on each exported pin_user_pages*(),
 * get_user_pages*() and memfd_pin_folios(). At entry we note the pages
 * array, the flags and the call site; at return we record what the call
 * actually handed out. Only the outermost call of a task is followed:
 * 6.1's pin_user_pages_unlocked() calls get_user_pages_unlocked().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../compat.h"
#include "../track.h"
#include "gup_call.h"
#include "hooks.h"

#define GUP_FN(_pin, _int, _nr, _flags, _array) \
	(&(const struct gt_gup_fn){ .pin = _pin, .ret_int = _int, \
				    .nr_arg = _nr, .flags_arg = _flags, \
				    .array_arg = _array })

static int gup_entry(struct gt_hook *h, void *data, struct pt_regs *regs)
{
	const struct gt_gup_fn *fn = h->priv;
	struct gt_gup_data *d = data;
	long nr;

	d->array = (void *)regs_get_kernel_argument(regs, fn->array_arg);
	if (!d->array || gt_gup_active())
		return 1;	/* only faulting in, or nested: not followed */
	/* memfd_pin_folios() always pins long-term */
	d->gup_flags = fn->folios ? FOLL_LONGTERM :
		       regs_get_kernel_argument(regs, fn->flags_arg);
	/* 6.1's get_user_pages_unlocked() pins for pin_user_pages_unlocked() */
	d->pin = fn->pin || (d->gup_flags & GT_FOLL_PIN);
	d->recorded = false;
	nr = gt_gup_nr(fn, regs_get_kernel_argument(regs, fn->nr_arg));
	return gt_track_gup_enter(regs, nr, &d->site, &d->site_flags) ? 0 : 1;
}

long gt_gup_record(const struct gt_gup_fn *fn, struct gt_gup_data *d,
		   long i, long nr, long max_folios, bool refill)
{
	struct gt_acquire acq = {
		.site = d->site,
		.site_flags = d->site_flags,
		.pin = d->pin,
		.gup_flags = d->gup_flags,
		.nr = nr - i,
		.max_folios = max_folios,
		.atomic = !max_folios,
		.refill = refill,
	};

	if (fn->folios)
		acq.folios = (struct folio **)d->array + i;
	else
		acq.pages = (struct page **)d->array + i;
	return gt_track_acquire(&acq);
}

/*
 * A call whose wrapper recorded it (large_calls) has only to end; any
 * other is recorded here whole, with preemption off.
 */
static void gup_ret(struct gt_hook *h, void *data, struct pt_regs *regs)
{
	struct gt_gup_data *d = data;

	if (!d->recorded)
		gt_gup_record(h->priv, d, 0,
			      gt_gup_returned(h->priv, regs_return_value(regs)),
			      0, false);
	gt_track_gup_exit();
}

#define GUP_HOOK(_name, _wanted, _fn) {				\
	.name = _name, .kind = GT_KRETPROBE, .wanted = _wanted,	\
	.priv = _fn, .entry = gup_entry, .ret = gup_ret,	\
	.data_size = sizeof(struct gt_gup_data),		\
}

struct gt_hook gt_gup_entry_hooks[GT_GUP_ENTRIES] = {
	/* name, on this kernel, (pin, returns int, nr, flags and array arg) */
	[GT_GUP_PIN_FAST] = GUP_HOOK("pin_user_pages_fast", true,
				     GUP_FN(true, true, 1, 2, 3)),
	[GT_GUP_PIN_FAST_ONLY] = GUP_HOOK("pin_user_pages_fast_only",
					  GT_HAVE_PIN_FAST_ONLY,
					  GUP_FN(true, true, 1, 2, 3)),
	[GT_GUP_PIN] = GUP_HOOK("pin_user_pages", true,
				GUP_FN(true, false, 1, 2, 3)),
	[GT_GUP_PIN_REMOTE] = GUP_HOOK("pin_user_pages_remote", true,
				       GUP_FN(true, false, 2, 3, 4)),
	[GT_GUP_PIN_UNLOCKED] = GUP_HOOK("pin_user_pages_unlocked", true,
					 GUP_FN(true, false, 1, 3, 2)),
	[GT_GUP_GET_FAST] = GUP_HOOK("get_user_pages_fast", true,
				     GUP_FN(false, true, 1, 2, 3)),
	[GT_GUP_GET_FAST_ONLY] = GUP_HOOK("get_user_pages_fast_only", true,
					  GUP_FN(false, true, 1, 2, 3)),
	[GT_GUP_GET] = GUP_HOOK("get_user_pages", true,
				GUP_FN(false, false, 1, 2, 3)),
	[GT_GUP_GET_REMOTE] = GUP_HOOK("get_user_pages_remote", true,
				       GUP_FN(false, false, 2, 3, 4)),
	[GT_GUP_GET_UNLOCKED] = GUP_HOOK("get_user_pages_unlocked", true,
					 GUP_FN(false, false, 1, 3, 2)),
	[GT_GUP_MEMFD] = GUP_HOOK("memfd_pin_folios", GT_HAVE_MEMFD_PIN_FOLIOS,
		(&(const struct gt_gup_fn){ .pin = true, .folios = true,
					    .nr_arg = 4, .array_arg = 3 })),
};

struct gt_hook_set gt_hooks_gup_entry = {
	.hooks = gt_gup_entry_hooks,
	.nr = ARRAY_SIZE(gt_gup_entry_hooks),
};

/*
 * GUP calls asleep in faults, userfaultfd or on a slow device hold an
 * instance each. Where each CPU has a ring for all of them (6.7+), fewer
 * by default on machines with many possible CPUs, so that one entry
 * point's rings stay within GT_GUP_RING_BYTES.
 */
#define GT_GUP_SLOTS		4096U
#define GT_GUP_SLOTS_MAX	65536U
#define GT_GUP_RING_BYTES	(4UL << 20)

unsigned int gt_gup_set_slots(unsigned int slots)
{
	unsigned long fit;
	unsigned int i;

	if (!slots) {
		slots = GT_GUP_SLOTS;
		fit = GT_GUP_RING_BYTES / (sizeof(void *) * num_possible_cpus());
		if (GT_RETHOOK_RING_PER_CPU)
			slots = clamp_t(unsigned long, fit, 256, slots);
	} else if (slots > GT_GUP_SLOTS_MAX) {
		pr_warn("gup_calls %u is more than %u: %u\n", slots,
			GT_GUP_SLOTS_MAX, GT_GUP_SLOTS_MAX);
		slots = GT_GUP_SLOTS_MAX;
	}
	for (i = 0; i < ARRAY_SIZE(gt_gup_entry_hooks); i++)
		gt_gup_entry_hooks[i].maxactive = slots;
	return slots;
}

bool gt_gup_active(void)
{
	return gt_hook_set_active(&gt_hooks_gup_entry, current);
}

bool gt_gup_followed(struct task_struct *task)
{
	bool ret;

	/* Another task's rethook nodes are freed after a grace period. */
	rcu_read_lock();
	ret = gt_hook_set_active(&gt_hooks_gup_entry, task);
	rcu_read_unlock();
	return ret;
}

/*
 * Where the attached entry points' code lies, for the settle scan, and
 * the code they leave by a tail call: 6.1's pin_user_pages_fast() ends in
 * "jmp internal_get_user_pages_fast", so a call asleep in there has no
 * frame of the entry point on its stack.
 */
#define GT_GUP_RANGES		48
#define GT_GUP_TAIL_DEPTH	2
/* Tail calls leaving mm/gup.c's text by more than this are not GUP's. */
#define GT_GUP_NEAR		(64UL << 10)

static struct {
	unsigned long start, end;
} gup_ranges[GT_GUP_RANGES];
static unsigned int gup_nr_ranges;

static bool gup_range_add(unsigned long start, unsigned long end)
{
	unsigned int i;

	for (i = 0; i < gup_nr_ranges; i++)
		if (gup_ranges[i].start == start)
			return false;
	if (gup_nr_ranges == GT_GUP_RANGES)
		return false;
	gup_ranges[gup_nr_ranges].start = start;
	gup_ranges[gup_nr_ranges++].end = end;
	return true;
}

/*
 * Direct jumps (e9 rel32) out of [start, end) to the first byte of a
 * function near GUP's own code: its tail calls. A byte pattern, not a
 * decoder: a stray match can only add a range, which makes the scan wait
 * for more tasks, never fewer.
 */
static void gup_tail_calls(unsigned long start, unsigned long end,
			   unsigned long lo, unsigned long hi, int depth)
{
	unsigned long a, target, s, e;
	s32 rel;
	u8 op;

	for (a = start; a + 5 <= end; a++) {
		if (copy_from_kernel_nofault(&op, (void *)a, 1) || op != 0xe9 ||
		    copy_from_kernel_nofault(&rel, (void *)(a + 1), 4))
			continue;
		target = a + 5 + (long)rel;
		if ((target >= start && target < end) || target < lo ||
		    target >= hi || !gt_symbol_range(target, &s, &e) ||
		    s != target)
			continue;
		if (gup_range_add(s, e) && depth > 0)
			gup_tail_calls(s, e, lo, hi, depth - 1);
	}
}

void gt_gup_ranges_init(void)
{
	unsigned long lo = ULONG_MAX, hi = 0, s, e;
	unsigned int i, n;

	gup_nr_ranges = 0;
	for (i = 0; i < ARRAY_SIZE(gt_gup_entry_hooks); i++) {
		struct gt_hook *h = &gt_gup_entry_hooks[i];
		unsigned long addr = (unsigned long)h->rp.kp.addr;

		if (h->attached && addr && gt_symbol_range(addr, &s, &e) &&
		    gup_range_add(s, e)) {
			lo = min(lo, s);
			hi = max(hi, e);
		}
	}
	if (!gup_nr_ranges)
		return;
	lo = lo > GT_GUP_NEAR ? lo - GT_GUP_NEAR : 0;
	hi = hi + GT_GUP_NEAR;
	for (i = 0, n = gup_nr_ranges; i < n; i++)
		gup_tail_calls(gup_ranges[i].start, gup_ranges[i].end, lo, hi,
			       GT_GUP_TAIL_DEPTH - 1);
	for (i = n; i < gup_nr_ranges; i++)
		pr_debug("settle: tail call target %ps\n",
			 (void *)gup_ranges[i].start);
}

unsigned int gt_gup_ranges(void)
{
	return gup_nr_ranges;
}

bool gt_gup_frame(unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < gup_nr_ranges; i++)
		if (addr >= gup_ranges[i].start && addr < gup_ranges[i].end)
			return true;
	return false;
}
