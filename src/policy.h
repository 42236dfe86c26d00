/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The protection policy: off, observe or enforce. It reads the table,
 * folio_maybe_dma_pinned() and the folio's refcount and decides for the
 * veto hooks; it also keeps the veto counters, per veto point and per
 * file, and raises the data-loss events it cannot prevent (truncate and
 * hole punch of a pinned page) in the event ring.
 */
#ifndef _GUP_TRACK_POLICY_H
#define _GUP_TRACK_POLICY_H

#include <linux/mm_types.h>
#include <linux/types.h>

enum gt_policy_mode {
	GT_POLICY_OFF,
	GT_POLICY_OBSERVE,
	GT_POLICY_ENFORCE,
};

/* What the policy counts per file: vetoes, and what it only watches. */
enum gt_veto {
	GT_VETO_UNMAP,		/* reclaim unmapping a pinned page */
	GT_VETO_RELEASE,	/* stripping its buffers */
	GT_SEEN_WRITEBACK,	/* background writeback cleaning it */
	GT_SEEN_SYNC,		/* integrity writeback cleaning it */
	GT_DIRTY_AT_UNPIN,	/* dirtied when its last write pin went */
	GT_VETO_MAX,
};

#define GT_FILES_MAX	256

struct gt_policy_file {
	dev_t dev;
	unsigned long ino;
	u64 vetoes[GT_VETO_MAX];	/* would-veto in observe, vetoed in enforce */
	u64 truncated;			/* pinned pages truncated or punched */
};

struct gt_policy_stats {
	enum gt_policy_mode mode;
	bool available;			/* observe could attach */
	bool enforce_available;		/* enforce could own its functions */
	u64 would_veto[GT_VETO_MAX];
	u64 vetoed[GT_VETO_MAX];
	u64 allowed[GT_VETO_MAX];	/* pinned, but the caller is let through */
	u64 truncated;
	u64 truncated_expired;		/* only stale references: not a loss */
	u64 files_untracked;		/* veto counts not kept per file */
	u64 dirty_skipped;		/* write pins released, folio not dirtied */
};

int gt_policy_parse(const char *val, enum gt_policy_mode *mode);
const char *gt_policy_name(enum gt_policy_mode mode);

/* Switch modes, attaching or detaching the policy's hooks as needed. */
int gt_policy_set(enum gt_policy_mode mode);
int gt_policy_start(void);
void gt_policy_stop(void);
/* After every hook is gone: finish the dirtying still queued. */
void gt_policy_drain(void);

/* For the hooks. Any context but NMI. */
void gt_policy_watch(enum gt_veto veto, struct folio *folio,
		     unsigned long caller);
bool gt_policy_refuse(enum gt_veto veto, struct folio *folio,
		      unsigned long caller);
void gt_policy_seen(enum gt_veto veto, struct folio *folio);
void gt_policy_truncated(struct folio *folio);
void gt_policy_unpinned(struct folio *folio);

/* For the views. */
void gt_policy_stats(struct gt_policy_stats *st);
int gt_policy_files(struct gt_policy_file *files, int max);

#endif /* _GUP_TRACK_POLICY_H */
