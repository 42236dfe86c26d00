// SPDX-License-Identifier: GPL-2.0
/*
 * The mm_filemap_delete_from_page_cache tracepoint: a folio leaves the page
 * cache. Reclaim and invalidation cannot take a pinned folio (its extra
 * references stop them), so a pinned folio leaving is truncate or hole
 * punch: a data-loss event that nothing can refuse, only report.
 */
#include <linux/mm.h>

#include "../policy.h"
#include "hooks.h"

static void truncate_probe(void *data, struct folio *folio)
{
	gt_hook_hit(data);
	gt_policy_truncated(folio);
}

static struct gt_hook truncate_hooks[] = {
	{ .name = "mm_filemap_delete_from_page_cache", .kind = GT_TRACEPOINT,
	  .wanted = true, .probe = truncate_probe },
};

struct gt_hook_set gt_hooks_truncate = {
	.hooks = truncate_hooks,
	.nr = ARRAY_SIZE(truncate_hooks),
};
