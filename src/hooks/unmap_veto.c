// SPDX-License-Identifier: GPL-2.0
/*
 * try_to_unmap(folio, flags) from reclaim, on a pinned page-cache folio:
 * observe watches it; enforce refuses it, and reclaim then finds the folio
 * still mapped and keeps it.
 *
 * Only reclaim's calls count: shrink_folio_list() passes TTU_BATCH_FLUSH
 * (plus TTU_SPLIT_HUGE_PMD or, on 6.12, TTU_SYNC for large folios). Memory
 * failure passes TTU_HWPOISON, THP split TTU_RMAP_LOCKED, khugepaged,
 * memory hot-unplug and truncate TTU_IGNORE_MLOCK, and migration does not
 * come here at all (try_to_migrate()).
 */
#include <linux/mm.h>
#include <linux/rmap.h>

#include "../compat.h"
#include "../policy.h"
#include "hooks.h"

#define GT_TTU_NOT_RECLAIM	(TTU_IGNORE_MLOCK | TTU_HWPOISON | TTU_RMAP_LOCKED)

static void gt_unmap_refused(struct folio *folio, enum ttu_flags flags)
{
}

static bool gt_reclaim_unmap(struct ftrace_regs *fregs)
{
	unsigned long flags = gt_fregs_arg(fregs, 1);

	return (flags & TTU_BATCH_FLUSH) && !(flags & GT_TTU_NOT_RECLAIM);
}

static void unmap_watch(struct gt_hook *h, struct ftrace_regs *fregs,
			unsigned long parent_ip)
{
	if (gt_reclaim_unmap(fregs))
		gt_policy_watch(GT_VETO_UNMAP, (void *)gt_fregs_arg(fregs, 0),
				parent_ip);
}

static unsigned long unmap_redirect(struct gt_hook *h,
				    struct ftrace_regs *fregs,
				    unsigned long parent_ip)
{
	if (!gt_reclaim_unmap(fregs) ||
	    !gt_policy_refuse(GT_VETO_UNMAP, (void *)gt_fregs_arg(fregs, 0),
			      parent_ip))
		return 0;
	return (unsigned long)gt_unmap_refused;
}

static struct gt_hook unmap_watch_hooks[] = {
	{ .name = "try_to_unmap", .kind = GT_FENTRY, .wanted = true,
	  .watch = unmap_watch },
};

static struct gt_hook unmap_veto_hooks[] = {
	{ .name = "try_to_unmap", .kind = GT_FREDIRECT, .wanted = true,
	  .redirect = unmap_redirect },
};

struct gt_hook_set gt_hooks_unmap_watch = {
	.hooks = unmap_watch_hooks,
	.nr = ARRAY_SIZE(unmap_watch_hooks),
};

struct gt_hook_set gt_hooks_unmap_veto = {
	.hooks = unmap_veto_hooks,
	.nr = ARRAY_SIZE(unmap_veto_hooks),
};
