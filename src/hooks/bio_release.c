// SPDX-License-Identifier: GPL-2.0
/*
 * __bio_release_pages(bio, mark_dirty): on 6.1 block O_DIRECT holds
 * FOLL_GET references, and this is where they are dropped, per folio, from
 * task, softirq or IRQ context. On 6.12 the same function unpins through
 * gup_put_folio() instead.
 */
#include <linux/bio.h>

#include "../compat.h"
#include "../track.h"
#include "hooks.h"

static void bio_release_watch(struct gt_hook *h, struct ftrace_regs *fregs,
			      unsigned long parent_ip)
{
	struct bio *bio = (void *)gt_fregs_arg(fregs, 0);
	struct folio_iter fi;

	bio_for_each_folio_all(fi, bio) {
		size_t nr = (fi.offset + fi.length - 1) / PAGE_SIZE -
			    fi.offset / PAGE_SIZE + 1;

		gt_track_put_refs(fi.folio, nr);
	}
}

static struct gt_hook bio_release_hooks[] = {
	{ .name = "__bio_release_pages", .kind = GT_FENTRY,
	  .wanted = GT_BIO_RELEASE_PUTS_REFS, .watch = bio_release_watch },
};

struct gt_hook_set gt_hooks_bio_release = {
	.hooks = bio_release_hooks,
	.nr = ARRAY_SIZE(bio_release_hooks),
};
