// SPDX-License-Identifier: GPL-2.0
/*
 * off / observe / enforce. A folio counts as pinned when it is page cache
 * and either the table holds pins or unconfirmed references for it, or
 * folio_maybe_dma_pinned() says so; the latter closes the window in which
 * gup-fast has pinned a folio but not yet returned it to us.
 *
 * off detaches every policy hook, so it costs nothing. observe counts what
 * enforce would veto and changes nothing.
 *
 * enforce also dirties a page-cache folio when its last write pin goes,
 * from a worker that takes the folio lock, so what the device wrote after
 * the last writeback reaches the disk even if the driver unpins without
 * dirtying.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "hook.h"
#include "policy.h"
#include "table.h"

static const char * const gt_mode_names[] = {
	[GT_POLICY_OFF] = "off",
	[GT_POLICY_OBSERVE] = "observe",
	[GT_POLICY_ENFORCE] = "enforce",
};

static DEFINE_MUTEX(gt_policy_mutex);	/* mode switches */
static enum gt_policy_mode gt_mode = GT_POLICY_OBSERVE;
static bool gt_started, gt_hooks_on, gt_available = true;

static atomic64_t gt_would[GT_VETO_MAX], gt_done[GT_VETO_MAX];
static atomic64_t gt_truncated, gt_files_untracked, gt_dirty_skipped;

struct gt_redirty {
	struct llist_node node;
	struct folio *folio;
};

static LLIST_HEAD(gt_redirty_list);
static void gt_redirty_work(struct work_struct *work);
static DECLARE_WORK(gt_redirty, gt_redirty_work);

static DEFINE_SPINLOCK(gt_files_lock);	/* gt_files, gt_nr_files */
static struct gt_policy_file gt_files[GT_FILES_MAX];
static int gt_nr_files;

static DEFINE_SPINLOCK(gt_loss_lock);	/* the ring */
static struct gt_loss gt_loss_ring[GT_LOSS_RING];
static unsigned int gt_loss_next;

int gt_policy_parse(const char *val, enum gt_policy_mode *mode)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(gt_mode_names); i++) {
		if (sysfs_streq(val, gt_mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *gt_policy_name(enum gt_policy_mode mode)
{
	return gt_mode_names[mode];
}

static int gt_policy_apply(enum gt_policy_mode mode)
{
	int ret = 0;

	if (mode != GT_POLICY_OFF && !gt_hooks_on) {
		ret = gt_policy_hooks_attach();
		gt_hooks_on = !ret;
		gt_available = !ret;
		if (ret)
			pr_warn("policy %s is unavailable: its hooks cannot attach (%d); tracking goes on\n",
				gt_mode_names[mode], ret);
	} else if (mode == GT_POLICY_OFF && gt_hooks_on) {
		gt_policy_hooks_detach();
		gt_hooks_on = false;
		gt_available = true;
	}
	WRITE_ONCE(gt_mode, mode);
	return ret;
}

/* Before the module is up, only remember the mode asked for at load. */
int gt_policy_set(enum gt_policy_mode mode)
{
	int ret = 0;

	mutex_lock(&gt_policy_mutex);
	if (gt_started)
		ret = gt_policy_apply(mode);
	else
		gt_mode = mode;
	mutex_unlock(&gt_policy_mutex);
	return ret;
}

/* A policy that cannot attach does not stop the module from loading. */
int gt_policy_start(void)
{
	mutex_lock(&gt_policy_mutex);
	gt_started = true;
	gt_policy_apply(gt_mode);
	mutex_unlock(&gt_policy_mutex);
	return 0;
}

void gt_policy_stop(void)
{
	mutex_lock(&gt_policy_mutex);
	if (gt_hooks_on)
		gt_policy_hooks_detach();
	gt_hooks_on = false;
	gt_started = false;
	mutex_unlock(&gt_policy_mutex);
}

void gt_policy_drain(void)
{
	flush_work(&gt_redirty);
}

bool gt_policy_enforcing(void)
{
	return READ_ONCE(gt_mode) == GT_POLICY_ENFORCE;
}

/* The callers hold the folio lock or the mapping's i_pages lock. */
static struct inode *gt_folio_inode(struct folio *folio)
{
	struct address_space *mapping;

	if (folio_test_anon(folio))
		return NULL;
	mapping = READ_ONCE(folio->mapping);
	if (!mapping || ((unsigned long)mapping & PAGE_MAPPING_FLAGS))
		return NULL;
	return mapping->host;
}

bool gt_policy_pinned(struct folio *folio)
{
	int pins, gets;

	if (!gt_folio_inode(folio))
		return false;
	if (gt_table_lookup(folio_pfn(folio), &pins, &gets) && (pins || gets))
		return true;
	return folio_maybe_dma_pinned(folio);
}

static struct gt_policy_file *gt_file_slot(struct inode *inode)
{
	dev_t dev = inode->i_sb->s_dev;
	int i;

	for (i = 0; i < gt_nr_files; i++)
		if (gt_files[i].dev == dev && gt_files[i].ino == inode->i_ino)
			return &gt_files[i];
	if (gt_nr_files == GT_FILES_MAX)
		return NULL;
	gt_files[gt_nr_files].dev = dev;
	gt_files[gt_nr_files].ino = inode->i_ino;
	return &gt_files[gt_nr_files++];
}

static void gt_file_count(struct folio *folio, int veto)
{
	struct inode *inode = gt_folio_inode(folio);
	struct gt_policy_file *f;
	unsigned long flags;

	if (!inode)
		return;
	spin_lock_irqsave(&gt_files_lock, flags);
	f = gt_file_slot(inode);
	if (!f)
		atomic64_inc(&gt_files_untracked);
	else if (veto < 0)
		f->truncated++;
	else
		f->vetoes[veto]++;
	spin_unlock_irqrestore(&gt_files_lock, flags);
}

void gt_policy_count(enum gt_veto veto, struct folio *folio)
{
	atomic64_inc(gt_policy_enforcing() ? &gt_done[veto] : &gt_would[veto]);
	gt_file_count(folio, veto);
}

static void gt_redirty_work(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&gt_redirty_list);
	struct gt_redirty *r, *tmp;

	llist_for_each_entry_safe(r, tmp, list, node) {
		struct folio *folio = r->folio;

		folio_lock(folio);
		/* Still page cache, buffers still there (never strip-dirty). */
		if (folio->mapping && folio_test_private(folio)) {
			folio_mark_dirty(folio);
			gt_policy_count(GT_DIRTY_AT_UNPIN, folio);
		} else {
			atomic64_inc(&gt_dirty_skipped);
		}
		folio_unlock(folio);
		folio_put(folio);
		kfree(r);
	}
}

/*
 * The last write pin of a page-cache folio is about to go; the caller still
 * holds it, so the folio can be referenced. Any context.
 */
void gt_policy_unpinned(struct folio *folio)
{
	struct gt_redirty *r;

	if (!gt_policy_enforcing() || !gt_folio_inode(folio) ||
	    folio_test_swapbacked(folio))
		return;
	r = kmalloc(sizeof(*r), GFP_ATOMIC | __GFP_NOWARN);
	if (!r) {
		atomic64_inc(&gt_dirty_skipped);
		return;
	}
	folio_get(folio);
	r->folio = folio;
	llist_add(&r->node, &gt_redirty_list);
	queue_work(system_unbound_wq, &gt_redirty);
}

/* Count a pinned folio at this veto point; true if it must be refused. */
bool gt_policy_veto(enum gt_veto veto, struct folio *folio)
{
	if (!gt_policy_pinned(folio))
		return false;
	gt_policy_count(veto, folio);
	return gt_policy_enforcing();
}

/*
 * A pinned folio left the page cache: truncate or hole punch. Nothing can
 * refuse that; whatever the device writes from now on is lost. Report it.
 */
void gt_policy_truncated(struct folio *folio)
{
	struct inode *inode = gt_folio_inode(folio);
	struct gt_entry e = {};
	struct gt_attr attr = {};
	struct gt_loss *l;
	unsigned long flags;

	if (!inode || !gt_policy_pinned(folio))
		return;
	atomic64_inc(&gt_truncated);
	gt_file_count(folio, -1);
	gt_table_describe(folio_pfn(folio), &e, &attr);

	spin_lock_irqsave(&gt_loss_lock, flags);
	l = &gt_loss_ring[gt_loss_next++ % GT_LOSS_RING];
	l->time_ns = ktime_get_boottime_ns();
	l->pid = attr.pid;
	memcpy(l->comm, attr.comm, sizeof(l->comm));
	l->caller = attr.caller;
	l->pins = e.pins;
	l->gets = e.gets;
	l->dev = inode->i_sb->s_dev;
	l->ino = inode->i_ino;
	l->index = folio->index;
	spin_unlock_irqrestore(&gt_loss_lock, flags);

	pr_warn_ratelimited("data loss: page %lu of inode %lu (dev %u:%u) left the page cache while pinned by pid %d %s\n",
			    folio->index, inode->i_ino, MAJOR(inode->i_sb->s_dev),
			    MINOR(inode->i_sb->s_dev), attr.pid,
			    attr.pid ? attr.comm : "(before load)");
}

void gt_policy_stats(struct gt_policy_stats *st)
{
	int i;

	mutex_lock(&gt_policy_mutex);
	st->mode = gt_mode;
	st->available = gt_available;
	mutex_unlock(&gt_policy_mutex);
	for (i = 0; i < GT_VETO_MAX; i++) {
		st->would_veto[i] = atomic64_read(&gt_would[i]);
		st->vetoed[i] = atomic64_read(&gt_done[i]);
	}
	st->truncated = atomic64_read(&gt_truncated);
	st->files_untracked = atomic64_read(&gt_files_untracked);
	st->dirty_skipped = atomic64_read(&gt_dirty_skipped);
}

int gt_policy_files(struct gt_policy_file *files, int max)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(&gt_files_lock, flags);
	n = min(max, gt_nr_files);
	memcpy(files, gt_files, n * sizeof(*files));
	spin_unlock_irqrestore(&gt_files_lock, flags);
	return n;
}

/* The newest losses first. */
int gt_policy_losses(struct gt_loss *ring, int max)
{
	unsigned long flags;
	unsigned int i, n;

	spin_lock_irqsave(&gt_loss_lock, flags);
	n = min_t(unsigned int, gt_loss_next, GT_LOSS_RING);
	n = min_t(unsigned int, n, max);
	for (i = 0; i < n; i++)
		ring[i] = gt_loss_ring[(gt_loss_next - 1 - i) % GT_LOSS_RING];
	spin_unlock_irqrestore(&gt_loss_lock, flags);
	return n;
}
