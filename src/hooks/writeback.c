// SPDX-License-Identifier: GPL-2.0
/*
 * Writeback of pinned page-cache folios. do_writepages(mapping, wbc) tells
 * us, per task, which kind of writeback is running; folio_clear_dirty_for_io
 * (folio) is where a folio is about to be cleaned.
 *
 * Background writeback (WB_SYNC_NONE): refused, the folio stays dirty and
 * writable, so what the device writes later is not mistaken for clean data.
 * Filesystems on write_cache_pages() skip it; ext4 ignores the answer and
 * writes its dirty buffers anyway, which is harmless.
 *
 * Integrity writeback (fsync, sync: WB_SYNC_ALL): never refused, since that
 * would silently skip fsync data. The current data is written, and the
 * folio is marked dirty again so it ends up dirty after the sync.
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
		return 1;	/* unknown mode: nothing is refused */
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

static bool gt_clear_dirty_refused(struct folio *folio)
{
	return false;
}

/* Not redirected again: calls from this module pass straight through. */
static bool gt_clear_dirty_keep(struct folio *folio)
{
	bool dirty = folio_clear_dirty_for_io(folio);

	if (dirty)
		folio_mark_dirty(folio);
	return dirty;
}

static unsigned long clear_dirty_redirect(struct gt_hook *h,
					  struct pt_regs *regs)
{
	struct folio *folio = (void *)regs_get_kernel_argument(regs, 0);
	struct gt_task_node *tn = gt_taskmap_current(&gt_writers);
	enum writeback_sync_modes mode;

	if (!tn)
		return 0;
	mode = container_of(tn, struct gt_wb, tn)->mode;
	if (mode == WB_SYNC_NONE)
		return gt_policy_veto(GT_VETO_WRITEBACK, folio) ?
		       (unsigned long)gt_clear_dirty_refused : 0;
	return gt_policy_veto(GT_VETO_SYNC, folio) ?
	       (unsigned long)gt_clear_dirty_keep : 0;
}

static void gt_wb_free(struct gt_task_node *tn)
{
	kfree(container_of(tn, struct gt_wb, tn));
}

static struct gt_hook writeback_hooks[] = {
	{ .name = "do_writepages", .kind = GT_KRETPROBE, .wanted = true,
	  .entry = writepages_entry, .ret = writepages_ret,
	  .data_size = sizeof(struct gt_wb *) },
	{ .name = "folio_clear_dirty_for_io", .kind = GT_FTRACE, .wanted = true,
	  .redirect = clear_dirty_redirect },
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
