// SPDX-License-Identifier: GPL-2.0
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/page-flags.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "reconcile.h"
#include "snapshot.h"
#include "table.h"

/* Entries that may appear while we copy, beyond the count we sized for. */
#define GT_SNAP_SLACK	256

/*
 * The folio may be truncated or its inode evicted under us: read the chain
 * folio → mapping → inode → super_block without trusting any link, the way
 * dump_mapping() does.
 */
static void gt_snap_file(struct gt_snap *s)
{
	struct folio *folio = pfn_folio(s->pfn);
	struct address_space *mapping;
	struct super_block *sb;
	struct inode *host;

	if (get_kernel_nofault(mapping, &folio->mapping) || !mapping ||
	    ((unsigned long)mapping & PAGE_MAPPING_FLAGS))
		return;
	if (get_kernel_nofault(host, &mapping->host) || !host ||
	    get_kernel_nofault(sb, &host->i_sb) || !sb ||
	    get_kernel_nofault(s->ino, &host->i_ino) ||
	    get_kernel_nofault(s->dev, &sb->s_dev) ||
	    get_kernel_nofault(s->index, &folio->index))
		return;
	s->has_file = true;
}

static void gt_snap_one(struct gt_entry *e, void *arg)
{
	struct gt_snapshot *snap = arg;
	struct gt_snap *s;

	if (snap->nr == snap->cap) {
		snap->truncated = true;
		return;
	}
	s = &snap->rows[snap->nr++];
	memset(s, 0, sizeof(*s));
	s->pfn = e->pfn;
	s->subpages = e->subpages;
	s->pins = e->pins;
	s->gets = e->gets;
	s->order = e->order;
	s->flags = e->flags;
	s->since = e->since;
	if (e->owner) {
		s->pid = e->owner->tgid;
		memcpy(s->comm, e->owner->comm, sizeof(s->comm));
		s->site = e->owner->site;
	}
}

struct gt_snapshot *gt_snapshot_take(void)
{
	unsigned long cursor = 0;
	struct gt_snapshot *snap;
	size_t cap, i;

	gt_reconcile_view();
	cap = gt_table_count() + GT_SNAP_SLACK;
	snap = kvmalloc(struct_size(snap, rows, cap), GFP_KERNEL);
	if (!snap)
		return NULL;
	snap->nr = 0;
	snap->cap = cap;
	snap->truncated = false;
	while (!gt_table_scan(&cursor, GT_RECONCILE_BUDGET, false, gt_snap_one,
			      snap))
		cond_resched();
	/* Outside the table's locks: this may fault on a freed inode. */
	for (i = 0; i < snap->nr; i++)
		if (snap->rows[i].flags & GT_E_FILE)
			gt_snap_file(&snap->rows[i]);
	return snap;
}

void gt_snapshot_free(struct gt_snapshot *snap)
{
	kvfree(snap);
}
