// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback of pinned page-cache folios, watched, never refused.
 * do_writepages(mapping, wbc) tells which kind of writeback the task is
 * running; folio_clear_dirty_for_io(folio) is where a folio is cleaned.
 * The kretprobe's own instance holds the mode: the clean finds it on the
 * task's rethook list, without a lock or an allocation.
 *
 * Refusing here does not work: ext4 ignores the answer and cleans the
 * buffers anyway, leaving a dirty folio with clean buffers that makes the
 * dirtying at unpin a no-op, and folios kept dirty for as long as they are
 * pinned hold dirtiers in balance_dirty_pages() indefinitely. What the
 * device writes after writeback is saved instead by the policy dirtying
 * the folio when its last write pin goes (policy.c).
 */
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/writeback.h>

#include "../compat.h"
#include "../policy.h"
#include "hooks.h"

struct gt_wb {
	enum writeback_sync_modes mode;
};

static int writepages_entry(struct gt_hook *h, void *data,
			    struct pt_regs *regs)
{
	struct writeback_control *wbc = (void *)regs_get_kernel_argument(regs, 1);
	struct gt_wb *wb = data;

	wb->mode = wbc->sync_mode;
	return 0;
}

static void writepages_ret(struct gt_hook *h, void *data, struct pt_regs *regs)
{
}

static struct gt_hook writeback_hooks[];

static void clear_dirty_watch(struct gt_hook *h, struct ftrace_regs *fregs,
			      unsigned long parent_ip)
{
	struct folio *folio = (void *)gt_fregs_arg(fregs, 0);
	struct gt_wb *wb = gt_hook_instance(&writeback_hooks[0]);

	if (wb)
		gt_policy_seen(wb->mode == WB_SYNC_NONE ? GT_SEEN_WRITEBACK :
			       GT_SEEN_SYNC, folio);
}

static struct gt_hook writeback_hooks[] = {
	{ .name = "do_writepages", .kind = GT_KRETPROBE, .wanted = true,
	  .entry = writepages_entry, .ret = writepages_ret,
	  .data_size = sizeof(struct gt_wb) },
	{ .name = "folio_clear_dirty_for_io", .kind = GT_FENTRY,
	  .wanted = true, .watch = clear_dirty_watch },
};

struct gt_hook_set gt_hooks_writeback = {
	.hooks = writeback_hooks,
	.nr = ARRAY_SIZE(writeback_hooks),
};
