// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback of pinned page-cache folios, watched, never refused.
 * do_writepages(mapping, wbc) tells us per task which kind of writeback is
 * running; folio_clear_dirty_for_io(folio) is where a folio is cleaned.
 *
 * Refusing here does not work: ext4 ignores the answer and cleans the
 * buffers anyway, leaving a dirty folio with clean buffers that makes the
 * dirtying at unpin a no-op, and folios kept dirty for as long as they are
 * pinned hold dirtiers in balance_dirty_pages() indefinitely. What the
 * device writes after writeback is saved instead by the policy dirtying
 * the folio when its last write pin goes (policy.c).
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "../policy.h"
#include "../taskmap.h"
#include "hooks.h"

struct gt_wb {
	struct gt_task_node tn;
	enum writeback_sync_modes mode;
};

static struct gt_taskmap gt_writers;

static int writepages_entry(struct gt_hook *h, void *data,
			    struct pt_regs *regs)
{
	struct writeback_control *wbc = (void *)regs_get_kernel_argument(regs, 1);
	struct gt_wb **slot = data;
	struct gt_wb *wb;

	wb = kmalloc(sizeof(*wb), GFP_NOWAIT | __GFP_NOWARN);
	if (!wb)
		return 1;	/* unknown mode: not counted */
	wb->mode = wbc->sync_mode;
	gt_taskmap_add(&gt_writers, &wb->tn);
	*slot = wb;
	return 0;
}

static void writepages_ret(struct gt_hook *h, void *data, struct pt_regs *regs)
{
	struct gt_wb *wb = *(struct gt_wb **)data;

	gt_taskmap_del(&gt_writers, &wb->tn);
	kfree(wb);
}

static void clear_dirty_pre(struct gt_hook *h, struct pt_regs *regs)
{
	struct folio *folio = (void *)regs_get_kernel_argument(regs, 0);
	struct gt_task_node *tn = gt_taskmap_current(&gt_writers);

	if (!tn || !gt_policy_pinned(folio))
		return;
	gt_policy_count(container_of(tn, struct gt_wb, tn)->mode == WB_SYNC_NONE ?
			GT_SEEN_WRITEBACK : GT_SEEN_SYNC, folio);
}

static void gt_wb_free(struct gt_task_node *tn)
{
	kfree(container_of(tn, struct gt_wb, tn));
}

static struct gt_hook writeback_hooks[] = {
	{ .name = "do_writepages", .kind = GT_KRETPROBE, .wanted = true,
	  .entry = writepages_entry, .ret = writepages_ret,
	  .data_size = sizeof(struct gt_wb *) },
	{ .name = "folio_clear_dirty_for_io", .kind = GT_KPROBE, .wanted = true,
	  .pre = clear_dirty_pre },
};

struct gt_hook_set gt_hooks_writeback = {
	.hooks = writeback_hooks,
	.nr = ARRAY_SIZE(writeback_hooks),
};

void gt_writeback_init(void)
{
	gt_taskmap_init(&gt_writers);
}

/* After the hooks are gone: writers whose return we never saw. */
void gt_writeback_exit(void)
{
	gt_taskmap_drain(&gt_writers, gt_wb_free);
}
