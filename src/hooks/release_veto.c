// SPDX-License-Identifier: GPL-2.0
/*
 * filemap_release_folio(folio, gfp) on a pinned page-cache folio: refused,
 * so its buffers stay attached. Without buffers, the dirtying at unpin
 * makes ext4 drop the data ("page N does not have buffers attached").
 * Every caller copes with false: reclaim keeps the folio, invalidation and
 * migration give up on it.
 */
#include <linux/mm.h>
#include <linux/ptrace.h>

#include "../policy.h"
#include "hooks.h"

static bool gt_release_refused(struct folio *folio, gfp_t gfp)
{
	return false;
}

static unsigned long release_redirect(struct gt_hook *h, struct pt_regs *regs)
{
	struct folio *folio = (void *)regs_get_kernel_argument(regs, 0);

	if (!gt_policy_veto(GT_VETO_RELEASE, folio))
		return 0;
	return (unsigned long)gt_release_refused;
}

static struct gt_hook release_veto_hooks[] = {
	{ .name = "filemap_release_folio", .kind = GT_FTRACE, .wanted = true,
	  .redirect = release_redirect },
};

struct gt_hook_set gt_hooks_release_veto = {
	.hooks = release_veto_hooks,
	.nr = ARRAY_SIZE(release_veto_hooks),
};
