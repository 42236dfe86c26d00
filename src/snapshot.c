// SPDX-License-Identifier: GPL-2.0
/*
 * The table a chunk at a time (snapshot.h).
 *
 * Under a bucket's lock the entries of the bucket are copied into the free
 * part of the chunk. While they fit they are appended; once the chunk is
 * full, the rows of this bucket are kept as a max-heap on pfn, and an
 * entry with a smaller pfn than the largest copied takes its place: what
 * is left is the smallest pfns of the bucket, so that the next visit can
 * take up the rest as the pfns above the largest copied. Per entry that
 * is a copy of 80 bytes and a few swaps, under a lock held for one bucket.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "folio_file.h"
#include "snapshot.h"
#include "table.h"

/* Empty buckets looked at between two preemption points. */
#define GT_SNAP_SPAN	4096

static void gt_snap_copy(struct gt_snap *s, const struct gt_entry *e)
{
	struct gt_file_id id;

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
	/*
	 * Under the bucket lock, while the entry's pin or reference keeps the
	 * folio where it is: the file is named now, not after the lock goes.
	 */
	if ((e->flags & GT_E_FILE) && gt_pfn_file_id(e->pfn, &id)) {
		s->has_file = true;
		s->dev = id.dev;
		s->ino = id.ino;
		s->index = id.index;
	}
}

/* rows[0..n): a max-heap on pfn but for rows[i], which may be too small. */
static void gt_snap_sift_down(struct gt_snap *rows, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;

		if (l < n && rows[l].pfn > rows[big].pfn)
			big = l;
		if (r < n && rows[r].pfn > rows[big].pfn)
			big = r;
		if (big == i)
			return;
		swap(rows[i], rows[big]);
		i = big;
	}
}

static void gt_snap_heapify(struct gt_snap *rows, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		gt_snap_sift_down(rows, n, i);
}

static void gt_snap_one(struct gt_entry *e, void *arg)
{
	struct gt_snap_walk *w = arg;
	struct gt_snap *heap = &w->rows[w->base];
	size_t n = w->nr - w->base;

	if (w->split && e->pfn <= w->after)
		return;		/* copied by the chunk before */
	if (w->nr < w->cap) {
		gt_snap_copy(&w->rows[w->nr++], e);
		return;
	}
	if (!w->overflow) {
		w->overflow = true;
		gt_snap_heapify(heap, n);
	}
	if (e->pfn < heap[0].pfn) {
		gt_snap_copy(&heap[0], e);
		gt_snap_sift_down(heap, n, 0);
	}
}

struct gt_snap_walk *gt_snap_walk_alloc(size_t cap)
{
	struct gt_snap_walk *w;

	if (!cap)
		cap = GT_SNAP_CHUNK;
	w = kvmalloc(struct_size(w, rows, cap), GFP_KERNEL);
	if (!w)
		return NULL;
	w->cap = cap;
	gt_snap_walk_rewind(w);
	return w;
}

void gt_snap_walk_free(struct gt_snap_walk *w)
{
	kvfree(w);
}

void gt_snap_walk_rewind(struct gt_snap_walk *w)
{
	w->bucket = 0;
	w->after = 0;
	w->split = false;
	w->done = false;
	w->nr = 0;
}

size_t gt_snap_walk_next(struct gt_snap_walk *w)
{
	unsigned long nb = gt_table_buckets();

	w->nr = 0;
	while (!w->done && w->nr < w->cap) {
		w->base = w->nr;
		w->overflow = false;
		/* A split bucket is visited alone: the skip is for it only. */
		if (!gt_table_visit(&w->bucket, w->split ? 1 : GT_SNAP_SPAN,
				    gt_snap_one, w)) {
			w->split = false;
			w->done = w->bucket >= nb;
			cond_resched();
			continue;
		}
		if (w->overflow) {
			/* The heap's top: the rest is above the largest pfn. */
			w->split = true;
			w->after = w->rows[w->base].pfn;
			break;
		}
		w->split = false;
		w->done = ++w->bucket >= nb;
		cond_resched();
	}
	return w->nr;
}
