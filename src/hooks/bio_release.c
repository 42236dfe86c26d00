// SPDX-License-Identifier: GPL-2.0
/*
 * __bio_release_pages(bio, mark_dirty): on 6.1 block O_DIRECT holds
 * FOLL_GET references, and this is where they are dropped, per folio.
 * On 6.12 the same function unpins through gup_put_folio() instead.
 */
#include <linux/bio.h>
#include <linux/ptrace.h>

#include "../compat.h"
#include "../event.h"
#include "hooks.h"

static void bio_release_pre(struct gt_hook *h, struct pt_regs *regs)
{
	struct bio *bio = (void *)regs_get_kernel_argument(regs, 0);
	struct folio_iter fi;

	bio_for_each_folio_all(fi, bio) {
		size_t nr = (fi.offset + fi.length - 1) / PAGE_SIZE -
			    fi.offset / PAGE_SIZE + 1;

		gt_event_put_refs(fi.folio, nr);
	}
}

static struct gt_hook bio_release_hooks[] = {
	{ .name = "__bio_release_pages", .kind = GT_KPROBE,
	  .wanted = GT_BIO_RELEASE_PUTS_REFS, .pre = bio_release_pre },
};

struct gt_hook_set gt_hooks_bio_release = {
	.hooks = bio_release_hooks,
	.nr = ARRAY_SIZE(bio_release_hooks),
};
