// SPDX-License-Identifier: GPL-2.0
/*
 * Migrations that failed. migrate_pages(from, ..., mode, reason, ...) is
 * where compaction, CMA and alloc_contig_range(), memory offlining, NUMA
 * balancing, mbind(), move_pages(2) and long-term pinning all migrate
 * folios, on both lines; when it returns how many it could not move,
 * those are back on the caller's from list, still isolated and held by
 * the caller. The return handler walks that list (bounded) and reports the
 * tracked ones with the reason the caller gave.
 *
 * Not seen: folios compaction and CMA never try, because
 * isolate_migratepages_block() skips anonymous folios whose refcount its
 * mappings do not explain (pinned or held ones) before migrate_pages();
 * shmem and page cache it does try.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/ptrace.h>

#include "../blocked.h"
#include "hooks.h"

/* Folios of one failed call looked at, at most. */
#define GT_MIGRATE_WALK		1024

struct gt_migrate {
	struct list_head *from;
	int reason;
};

static int migrate_pages_entry(struct gt_hook *h, void *data,
			       struct pt_regs *regs)
{
	struct gt_migrate *m = data;

	m->from = (void *)regs_get_kernel_argument(regs, 0);
	m->reason = (int)regs_get_kernel_argument(regs, 5);
	return 0;
}

static void migrate_pages_ret(struct gt_hook *h, void *data,
			      struct pt_regs *regs)
{
	struct gt_migrate *m = data;
	struct folio *folio;
	int n = 0;

	/*
	 * Below zero (-ENOMEM: no memory for a copy) it gave up and left
	 * folios it never tried on the list: not the pins' doing.
	 */
	if ((int)regs_return_value(regs) <= 0 || !m->from)
		return;
	list_for_each_entry(folio, m->from, lru) {
		if (n++ >= GT_MIGRATE_WALK)
			break;
		gt_event_migrate_failed(folio, m->reason);
	}
}

static struct gt_hook migrate_hooks[] = {
	{ .name = "migrate_pages", .kind = GT_KRETPROBE, .wanted = true,
	  .entry = migrate_pages_entry, .ret = migrate_pages_ret,
	  .data_size = sizeof(struct gt_migrate) },
};

struct gt_hook_set gt_hooks_migrate = {
	.hooks = migrate_hooks,
	.nr = ARRAY_SIZE(migrate_hooks),
};
