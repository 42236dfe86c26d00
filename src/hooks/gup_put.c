// SPDX-License-Identifier: GPL-2.0
/*
 * gup_put_folio(folio, refs, flags): every FOLL_PIN release passes through
 * it on both lines (the exported unpins, gup-fast rollback, long-term
 * migration, 6.12 bio completion in IRQ context); no caller inlines it in
 * any Debian flavour. FOLL_GET drops through it are GUP failing inside a
 * call: those references were never handed out.
 */
#include <linux/mm.h>
#include <linux/preempt.h>

#include "../compat.h"
#include "../track.h"
#include "../policy.h"
#include "hooks.h"

static void gup_put_watch(struct gt_hook *h, struct ftrace_regs *fregs,
			  unsigned long parent_ip)
{
	struct folio *folio = (void *)gt_fregs_arg(fregs, 0);
	int refs = gt_fregs_arg(fregs, 1);
	unsigned int flags = gt_fregs_arg(fregs, 2);
	/*
	 * In IRQ context current is whoever was interrupted. Not exact: the
	 * call's own rollbacks (gup-fast retries, the long-term migration
	 * path's unpin_user_page()/unpin_folios(), memfd_pin_folios() on
	 * error) share the exported unpins with older pins dropped by the
	 * same task from inside the call (an MMU notifier run by a fault).
	 * Telling them apart needs the unpin's caller (a hook on every
	 * exported unpin, or an unwind per release) or the folios the call
	 * grabbed (only its pages array, O(nr) a release). Such a drop is
	 * counted rolled back and stays in the table until the reconciler
	 * finds the refcount short by the whole bias and drops it
	 * (pins_reconciled).
	 */
	bool rollback = in_task() && gt_gup_active();

	if ((flags & GT_FOLL_PIN) && gt_track_unpin(folio, refs, rollback))
		gt_policy_unpinned(folio);
}

static struct gt_hook gup_put_hooks[] = {
	{ .name = "gup_put_folio", .kind = GT_FENTRY, .wanted = true,
	  .watch = gup_put_watch },
};

struct gt_hook_set gt_hooks_gup_put = {
	.hooks = gup_put_hooks,
	.nr = ARRAY_SIZE(gup_put_hooks),
};

/*
 * Where gup_put_folio() lies, once it has been hit since load: a release
 * is counted by us there first, so before its first hit no task can be
 * between our count and the kernel's. (One that entered before the hook
 * went live may be: see gt_settle().)
 */
static unsigned long gup_put_start, gup_put_end;

bool gt_gup_put_seen(void)
{
	return gt_hook_ip(&gup_put_hooks[0]);
}

bool gt_gup_put_range_init(void)
{
	unsigned long ip = gt_hook_ip(&gup_put_hooks[0]);

	gup_put_start = 0;
	gup_put_end = 0;
	return !ip || gt_symbol_range(ip, &gup_put_start, &gup_put_end);
}

bool gt_gup_put_frame(unsigned long addr)
{
	return addr >= gup_put_start && addr < gup_put_end;
}
