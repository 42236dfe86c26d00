// SPDX-License-Identifier: GPL-2.0
/*
 * off / observe / enforce.
 *
 * A folio counts as pinned when it is page cache and FOLL_PIN pins hold it
 * (the table's, or folio_maybe_dma_pinned(), which closes the window in
 * which gup-fast has pinned a folio but not yet returned it to us), or when
 * the table holds unconfirmed FOLL_GET references and the refcount shows
 * that a reference beyond the caller's really exists right now. A stale
 * reference never changes what the kernel does.
 *
 * off attaches nothing and costs nothing. observe attaches watchers only
 * and counts what enforce would refuse: it owns no function, so a
 * livepatch of the same functions still applies. enforce swaps those
 * watchers for vetoes, which own their functions (IPMODIFY) and count the
 * same calls, and dirties a page-cache folio when its last write pin goes,
 * from a worker that takes the folio lock, so what the device wrote after
 * the last writeback reaches the disk even if the driver unpins without
 * dirtying.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "folio_file.h"
#include "hook.h"
#include "policy.h"
#include "reconcile.h"
#include "ring.h"
#include "table.h"

/*
 * Every caller of a veto point holds one reference: reclaim's isolation,
 * truncate's lookup batch.
 */
#define GT_CALLER_REFS	1
#define GT_REDIRTY_MAX	1024
#define GT_CALLER_BITS	8

static const char * const gt_mode_names[] = {
	[GT_POLICY_OFF] = "off",
	[GT_POLICY_OBSERVE] = "observe",
	[GT_POLICY_ENFORCE] = "enforce",
};

static DEFINE_MUTEX(gt_policy_mutex);	/* mode switches */
static enum gt_policy_mode gt_mode = GT_POLICY_OBSERVE;
static bool gt_started, gt_available = true, gt_enforce_available = true;

static atomic64_t gt_would[GT_VETO_MAX], gt_done[GT_VETO_MAX];
static atomic64_t gt_allowed[GT_VETO_MAX];
static atomic64_t gt_truncated, gt_truncated_expired, gt_files_untracked;
static atomic64_t gt_dirty_skipped;

/* Folios to dirty, each with a reference; filled from any context. */
static DEFINE_RAW_SPINLOCK(gt_redirty_lock);
static struct folio *gt_redirty_ring[GT_REDIRTY_MAX];
static unsigned int gt_redirty_nr;
static void gt_redirty_work(struct work_struct *work);
static DECLARE_WORK(gt_redirty, gt_redirty_work);

static DEFINE_RAW_SPINLOCK(gt_files_lock);	/* gt_files, gt_nr_files */
static struct gt_policy_file gt_files[GT_FILES_MAX];
static int gt_nr_files;

/*
 * Which callers of filemap_release_folio() enforce refuses: those that cope
 * with false and would otherwise strip a pinned folio's buffers before
 * finding it busy. The README has the table and the reasons.
 */
enum gt_caller_class {
	GT_CALLER_UNKNOWN,
	GT_CALLER_REFUSE,
	GT_CALLER_ALLOW,
};

static const char * const gt_release_refused[] = {
	"shrink_folio_list", "shrink_active_list", "move_to_new_folio",
	"page_cache_pipe_buf_try_steal", "collapse_file",
	"split_huge_page_to_list",
};

/* Call site -> class, filled once per call site. */
static DEFINE_RAW_SPINLOCK(gt_callers_lock);
static unsigned long gt_caller_ip[1 << GT_CALLER_BITS];
static u8 gt_caller_class[1 << GT_CALLER_BITS];

static u8 gt_classify(unsigned long ip)
{
	char name[KSYM_SYMBOL_LEN];
	int i;

	sprint_symbol_no_offset(name, ip);
	for (i = 0; i < ARRAY_SIZE(gt_release_refused); i++)
		if (!strncmp(name, gt_release_refused[i],
			     strlen(gt_release_refused[i])))
			return GT_CALLER_REFUSE;
	return GT_CALLER_ALLOW;
}

static u8 gt_caller(unsigned long ip)
{
	u32 mask = (1U << GT_CALLER_BITS) - 1, h = hash_long(ip, GT_CALLER_BITS);
	unsigned long flags, seen;
	u32 i;
	u8 class;

	for (i = 0; i <= mask; i++) {
		/* The class is written before the ip is published. */
		seen = smp_load_acquire(&gt_caller_ip[(h + i) & mask]);
		if (seen == ip)
			return gt_caller_class[(h + i) & mask];
		if (!seen)
			break;
	}
	class = gt_classify(ip);
	raw_spin_lock_irqsave(&gt_callers_lock, flags);
	for (i = 0; i <= mask; i++) {
		if (!gt_caller_ip[(h + i) & mask]) {
			gt_caller_class[(h + i) & mask] = class;
			/* Pairs with the acquire in the lockless lookup. */
			smp_store_release(&gt_caller_ip[(h + i) & mask], ip);
			break;
		}
		if (gt_caller_ip[(h + i) & mask] == ip)
			break;
	}
	raw_spin_unlock_irqrestore(&gt_callers_lock, flags);
	return class;
}

/* Without private data, filemap_release_folio() strips nothing. */
static bool gt_veto_applies(enum gt_veto veto, struct folio *folio)
{
	return veto != GT_VETO_RELEASE || folio_test_private(folio);
}

static bool gt_refused_caller(enum gt_veto veto, unsigned long caller)
{
	/* The unmap hooks only ever see reclaim's calls. */
	return veto != GT_VETO_RELEASE || gt_caller(caller) == GT_CALLER_REFUSE;
}

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

/* Detach what mode does not need. */
static void gt_policy_trim(enum gt_policy_mode mode)
{
	if (mode != GT_POLICY_ENFORCE)
		gt_hooks_detach(GT_HOOKS_ENFORCE);
	if (mode != GT_POLICY_OBSERVE)
		gt_hooks_detach(GT_HOOKS_OBSERVE);
	if (mode == GT_POLICY_OFF)
		gt_hooks_detach(GT_HOOKS_WATCH);
}

/*
 * Attach what the new mode needs before dropping what it does not, so a
 * switch between observe and enforce never leaves a pinned folio unwatched.
 */
static int gt_policy_apply(enum gt_policy_mode mode)
{
	int ret;

	if (mode != GT_POLICY_OFF) {
		ret = gt_hooks_attach(GT_HOOKS_WATCH);
		if (!ret && mode == GT_POLICY_OBSERVE)
			ret = gt_hooks_attach(GT_HOOKS_OBSERVE);
		gt_available = !ret;
		if (ret) {
			pr_warn("policy %s is unavailable: its hooks cannot attach (%d); tracking goes on\n",
				gt_mode_names[mode], ret);
			gt_policy_trim(gt_mode);
			return ret;
		}
	}
	if (mode == GT_POLICY_ENFORCE) {
		ret = gt_hooks_attach(GT_HOOKS_ENFORCE);
		gt_enforce_available = !ret;
		if (ret) {
			pr_warn("policy enforce is unavailable: another tracer or livepatch owns a function it needs (%d); staying in %s\n",
				ret, gt_mode_names[gt_mode]);
			gt_policy_trim(gt_mode);
			return ret;
		}
	}
	WRITE_ONCE(gt_mode, mode);
	gt_policy_trim(mode);
	return 0;
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
	enum gt_policy_mode want;

	mutex_lock(&gt_policy_mutex);
	gt_started = true;
	want = gt_mode;
	gt_mode = GT_POLICY_OFF;
	if (gt_policy_apply(want) && want == GT_POLICY_ENFORCE)
		gt_policy_apply(GT_POLICY_OBSERVE);
	mutex_unlock(&gt_policy_mutex);
	return 0;
}

void gt_policy_stop(void)
{
	mutex_lock(&gt_policy_mutex);
	gt_policy_trim(GT_POLICY_OFF);
	gt_started = false;
	mutex_unlock(&gt_policy_mutex);
}

void gt_policy_drain(void)
{
	flush_work(&gt_redirty);
}

static bool gt_enforcing(void)
{
	return READ_ONCE(gt_mode) == GT_POLICY_ENFORCE;
}

/*
 * Page cache of a file? The callers hold the folio lock or the mapping's
 * i_pages lock. Cheap, for every folio; which file it is, only for those
 * counted, comes from gt_folio_file_id().
 */
static bool gt_folio_cached(struct folio *folio)
{
	struct address_space *mapping;

	if (folio_test_anon(folio))
		return false;
	mapping = READ_ONCE(folio->mapping);
	return mapping && !((unsigned long)mapping & PAGE_MAPPING_FLAGS);
}

/* Pinned page cache, as the header comment defines it. */
static bool gt_policy_pinned(struct folio *folio)
{
	int pins = 0, gets = 0;

	if (!gt_folio_cached(folio))
		return false;
	if (folio_maybe_dma_pinned(folio))
		return true;
	if (!gt_table_lookup(folio_pfn(folio), &pins, &gets))
		return false;
	if (pins)
		return true;
	return gets && gt_folio_unexplained(folio, pins, GT_CALLER_REFS) > 0;
}

static struct gt_policy_file *gt_file_slot(const struct gt_file_id *id)
{
	int i;

	for (i = 0; i < gt_nr_files; i++)
		if (gt_files[i].dev == id->dev && gt_files[i].ino == id->ino)
			return &gt_files[i];
	if (gt_nr_files == GT_FILES_MAX)
		return NULL;
	gt_files[gt_nr_files].dev = id->dev;
	gt_files[gt_nr_files].ino = id->ino;
	return &gt_files[gt_nr_files++];
}

static void gt_file_count(struct folio *folio, int veto)
{
	struct gt_policy_file *f;
	struct gt_file_id id;
	unsigned long flags;

	if (!gt_folio_file_id(folio, &id))
		return;
	raw_spin_lock_irqsave(&gt_files_lock, flags);
	f = gt_file_slot(&id);
	if (!f)
		atomic64_inc(&gt_files_untracked);
	else if (veto < 0)
		f->truncated++;
	else
		f->vetoes[veto]++;
	raw_spin_unlock_irqrestore(&gt_files_lock, flags);
}

static void gt_count(enum gt_veto veto, struct folio *folio)
{
	atomic64_inc(gt_enforcing() ? &gt_done[veto] : &gt_would[veto]);
	gt_file_count(folio, veto);
}

void gt_policy_watch(enum gt_veto veto, struct folio *folio,
		     unsigned long caller)
{
	/* Under enforce the veto hook counts what it refuses. */
	if (READ_ONCE(gt_mode) != GT_POLICY_OBSERVE ||
	    !gt_veto_applies(veto, folio) || !gt_policy_pinned(folio))
		return;
	if (gt_refused_caller(veto, caller))
		gt_count(veto, folio);
	else
		atomic64_inc(&gt_allowed[veto]);
}

bool gt_policy_refuse(enum gt_veto veto, struct folio *folio,
		      unsigned long caller)
{
	if (!gt_enforcing() || !gt_veto_applies(veto, folio) ||
	    !gt_policy_pinned(folio))
		return false;
	if (!gt_refused_caller(veto, caller)) {
		atomic64_inc(&gt_allowed[veto]);
		return false;
	}
	gt_count(veto, folio);
	return true;
}

void gt_policy_seen(enum gt_veto veto, struct folio *folio)
{
	if (gt_policy_pinned(folio))
		gt_count(veto, folio);
}

static void gt_redirty_work(struct work_struct *work)
{
	struct folio *batch[64];
	unsigned long flags;
	unsigned int n, i;

	do {
		raw_spin_lock_irqsave(&gt_redirty_lock, flags);
		n = min_t(unsigned int, gt_redirty_nr, ARRAY_SIZE(batch));
		gt_redirty_nr -= n;
		memcpy(batch, gt_redirty_ring + gt_redirty_nr,
		       n * sizeof(*batch));
		raw_spin_unlock_irqrestore(&gt_redirty_lock, flags);

		for (i = 0; i < n; i++) {
			struct folio *folio = batch[i];

			folio_lock(folio);
			/* Still page cache, buffers still there. */
			if (folio->mapping && folio_test_private(folio)) {
				folio_mark_dirty(folio);
				gt_count(GT_DIRTY_AT_UNPIN, folio);
			} else {
				atomic64_inc(&gt_dirty_skipped);
			}
			folio_unlock(folio);
			folio_put(folio);
		}
	} while (n);
}

/*
 * The last write pin of a page-cache folio is about to go; the caller still
 * holds it, so the folio can be referenced. Any context.
 */
void gt_policy_unpinned(struct folio *folio)
{
	unsigned long flags;
	bool queued = false;

	if (!gt_enforcing() || !gt_folio_cached(folio) ||
	    folio_test_swapbacked(folio))
		return;
	raw_spin_lock_irqsave(&gt_redirty_lock, flags);
	if (gt_redirty_nr < GT_REDIRTY_MAX) {
		folio_get(folio);
		gt_redirty_ring[gt_redirty_nr++] = folio;
		queued = true;
	}
	raw_spin_unlock_irqrestore(&gt_redirty_lock, flags);
	if (queued)
		queue_work(system_unbound_wq, &gt_redirty);
	else
		atomic64_inc(&gt_dirty_skipped);
}

/*
 * A folio left the page cache: truncate or hole punch. If pins hold it, or
 * a reference the refcount confirms, nothing can refuse that and whatever
 * the device writes from now on is lost: report it. References the
 * refcount no longer shows are stale and are released here.
 */
static noinline void gt_policy_truncated_tracked(struct folio *folio)
{
	struct gt_ev ev = { .kind = GT_EV_TRUNCATE };
	struct gt_owner owner = {};
	struct gt_entry e = {};
	int pins = 0, gets = 0;

	if (!gt_table_lookup(folio_pfn(folio), &pins, &gets) &&
	    !folio_maybe_dma_pinned(folio))
		return;
	if (!pins && !folio_maybe_dma_pinned(folio)) {
		if (!gets)
			return;
		if (gt_folio_unexplained(folio, 0, GT_CALLER_REFS +
					 gt_folio_off_lru_refs(folio)) <= 0) {
			atomic64_add(gt_table_unget(folio_pfn(folio), gets),
				     &gt_truncated_expired);
			return;
		}
	}
	atomic64_inc(&gt_truncated);
	gt_file_count(folio, -1);
	gt_table_describe(folio_pfn(folio), &e, &owner);

	ev.pins = e.pins;
	ev.gets = e.gets;
	gt_ev_fill(&ev, &e, owner.tgid ? &owner : NULL, folio);
	gt_ring_emit(&ev);

	pr_warn_ratelimited("data loss: page %lu of inode %lu (dev %u:%u) left the page cache while pinned by pid %d %s\n",
			    folio->index, ev.ino, MAJOR(ev.dev), MINOR(ev.dev),
			    owner.tgid,
			    owner.tgid ? owner.comm : "(before load)");
}

/* Every page leaving the page cache: the locals above cost each one. */
void gt_policy_truncated(struct folio *folio)
{
	if (gt_folio_cached(folio) && (gt_table_maybe(folio_pfn(folio)) ||
				       folio_maybe_dma_pinned(folio)))
		gt_policy_truncated_tracked(folio);
}

void gt_policy_stats(struct gt_policy_stats *st)
{
	int i;

	mutex_lock(&gt_policy_mutex);
	st->mode = gt_mode;
	st->available = gt_available;
	st->enforce_available = gt_enforce_available;
	mutex_unlock(&gt_policy_mutex);
	for (i = 0; i < GT_VETO_MAX; i++) {
		st->would_veto[i] = atomic64_read(&gt_would[i]);
		st->vetoed[i] = atomic64_read(&gt_done[i]);
		st->allowed[i] = atomic64_read(&gt_allowed[i]);
	}
	st->truncated = atomic64_read(&gt_truncated);
	st->truncated_expired = atomic64_read(&gt_truncated_expired);
	st->files_untracked = atomic64_read(&gt_files_untracked);
	st->dirty_skipped = atomic64_read(&gt_dirty_skipped);
}

int gt_policy_files(struct gt_policy_file *files, int max)
{
	unsigned long flags;
	int n;

	raw_spin_lock_irqsave(&gt_files_lock, flags);
	n = min(max, gt_nr_files);
	memcpy(files, gt_files, n * sizeof(*files));
	raw_spin_unlock_irqrestore(&gt_files_lock, flags);
	return n;
}
