// SPDX-License-Identifier: GPL-2.0
/*
 * gup_put_folio(folio, refs, flags): every FOLL_PIN release passes through
 * it on both lines (the exported unpins, gup-fast rollback, long-term
 * migration, 6.12 bio completion in IRQ context). FOLL_GET drops through
 * it are GUP failing inside a call; those references were never handed out.
 */
#include <linux/mm.h>
#include <linux/ptrace.h>

#include "../compat.h"
#include "../event.h"
#include "../policy.h"
#include "hooks.h"

static void gup_put_pre(struct gt_hook *h, struct pt_regs *regs)
{
	struct folio *folio = (void *)regs_get_kernel_argument(regs, 0);
	int refs = regs_get_kernel_argument(regs, 1);
	unsigned int flags = regs_get_kernel_argument(regs, 2);

	if ((flags & GT_FOLL_PIN) && gt_event_unpin(folio, refs))
		gt_policy_unpinned(folio);
}

static struct gt_hook gup_put_hooks[] = {
	{ .name = "gup_put_folio", .kind = GT_KPROBE, .wanted = true,
	  .pre = gup_put_pre },
};

struct gt_hook_set gt_hooks_gup_put = {
	.hooks = gup_put_hooks,
	.nr = ARRAY_SIZE(gup_put_hooks),
};
