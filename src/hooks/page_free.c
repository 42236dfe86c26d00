// SPDX-License-Identifier: GPL-2.0
/*
 * The mm_page_free tracepoint fires for every page or folio going back to
 * the allocator. A freed folio holds no pin and no reference, so whatever
 * FOLL_GET references were still outstanding are confirmed gone. This runs
 * on every free in the system: an untracked page costs one load of its
 * table bucket.
 */
#include <linux/mm.h>

#include "../track.h"
#include "hooks.h"

static void page_free_probe(void *data, struct page *page, unsigned int order)
{
	gt_hook_hit(data);
	gt_track_free(page, order);
}

static struct gt_hook page_free_hooks[] = {
	{ .name = "mm_page_free", .kind = GT_TRACEPOINT, .wanted = true,
	  .probe = page_free_probe },
};

struct gt_hook_set gt_hooks_page_free = {
	.hooks = page_free_hooks,
	.nr = ARRAY_SIZE(page_free_hooks),
};
