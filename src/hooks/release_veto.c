// SPDX-License-Identifier: GPL-2.0
/*
 * filemap_release_folio(folio, gfp) on a pinned page-cache folio strips
 * its buffers; when the device's write then dirties it, ext4 finds no
 * buffers and drops the data ("page N does not have buffers attached").
 * observe watches the call; enforce owns it instead (IPMODIFY) and, where
 * the policy says the caller copes and needs it, returns false.
 */
#include <linux/mm.h>

#include "../compat.h"
#include "../policy.h"
#include "hooks.h"

static bool gt_release_refused(struct folio *folio, gfp_t gfp)
{
	return false;
}

static void release_watch(struct gt_hook *h, struct ftrace_regs *fregs,
			  unsigned long parent_ip)
{
	gt_policy_watch(GT_VETO_RELEASE, (void *)gt_fregs_arg(fregs, 0),
			parent_ip);
}

static unsigned long release_redirect(struct gt_hook *h,
				      struct ftrace_regs *fregs,
				      unsigned long parent_ip)
{
	if (!gt_policy_refuse(GT_VETO_RELEASE, (void *)gt_fregs_arg(fregs, 0),
			      parent_ip))
		return 0;
	return (unsigned long)gt_release_refused;
}

static struct gt_hook release_watch_hooks[] = {
	{ .name = "filemap_release_folio", .kind = GT_FENTRY, .wanted = true,
	  .watch = release_watch },
};

static struct gt_hook release_veto_hooks[] = {
	{ .name = "filemap_release_folio", .kind = GT_FREDIRECT,
	  .wanted = true, .redirect = release_redirect },
};

struct gt_hook_set gt_hooks_release_watch = {
	.hooks = release_watch_hooks,
	.nr = ARRAY_SIZE(release_watch_hooks),
};

struct gt_hook_set gt_hooks_release_veto = {
	.hooks = release_veto_hooks,
	.nr = ARRAY_SIZE(release_veto_hooks),
};
