// SPDX-License-Identifier: GPL-2.0
/*
 * The table folded by a key for the tasks and files views (group.h).
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>

#include "group.h"
#include "policy.h"
#include "reconcile.h"
#include "snapshot.h"
#include "table.h"

#define GT_GROUPS_MIN	256

static u32 gt_group_hash(u64 k0, u64 k1, unsigned int bits)
{
	return hash_64(k0 ^ hash_64(k1, 64), bits);
}

static int gt_groups_resize(struct gt_groups *gs, size_t cap)
{
	unsigned int bits = ilog2(roundup_pow_of_two(2 * cap));
	struct gt_group *g;
	u32 *slot, h;
	size_t i;

	g = kvcalloc(cap, sizeof(*g), GFP_KERNEL);
	slot = kvcalloc(1U << bits, sizeof(*slot), GFP_KERNEL);
	if (!g || !slot) {
		kvfree(g);
		kvfree(slot);
		return -ENOMEM;
	}
	if (gs->nr)
		memcpy(g, gs->g, gs->nr * sizeof(*g));
	for (i = 0; i < gs->nr; i++) {
		h = gt_group_hash(g[i].key[0], g[i].key[1], bits);
		while (slot[h])
			h = (h + 1) & ((1U << bits) - 1);
		slot[h] = i + 1;
	}
	kvfree(gs->g);
	kvfree(gs->slot);
	gs->g = g;
	gs->slot = slot;
	gs->bits = bits;
	gs->cap = cap;
	return 0;
}

/* The group of key, made if new; NULL past GT_GROUPS_MAX or on -ENOMEM. */
static struct gt_group *gt_group_get(struct gt_groups *gs, u64 k0, u64 k1,
				     int *err)
{
	u32 mask = (1U << gs->bits) - 1, h = gt_group_hash(k0, k1, gs->bits);
	struct gt_group *g;

	for (; gs->slot[h]; h = (h + 1) & mask) {
		g = &gs->g[gs->slot[h] - 1];
		if (g->key[0] == k0 && g->key[1] == k1)
			return g;
	}
	if (gs->nr == gs->cap) {
		if (gs->cap == GT_GROUPS_MAX)
			return NULL;
		*err = gt_groups_resize(gs, min_t(size_t, 4 * gs->cap,
						  GT_GROUPS_MAX));
		if (*err)
			return NULL;
		return gt_group_get(gs, k0, k1, err);
	}
	g = &gs->g[gs->nr++];
	gs->slot[h] = gs->nr;
	g->key[0] = k0;
	g->key[1] = k1;
	return g;
}

static int gt_groups_add(struct gt_groups *gs, const struct gt_snap *s)
{
	bool by_file = gs->by_file;
	struct gt_group *g;
	int err = 0;

	if (by_file && !s->has_file)
		return 0;
	g = gt_group_get(gs, by_file ? s->dev : s->pid, by_file ? s->ino : 0,
			 &err);
	if (!g) {
		gs->lost_folios++;
		gs->lost_pins += s->pins;
		gs->lost_gets += s->gets;
		return err;
	}
	if (!g->folios) {
		memcpy(g->comm, s->comm, sizeof(g->comm));
		g->oldest = s->since;
	}
	g->folios++;
	g->pins += s->pins;
	g->gets += s->gets;
	g->longterm += !!(s->flags & GT_E_LONGTERM);
	g->misused += s->pins && (s->flags & GT_E_MISUSED);
	g->file += !!(s->flags & GT_E_FILE);
	g->write += !!(s->flags & GT_E_WRITE);
	g->oldest = min(g->oldest, s->since);
	return 0;
}

/* Files the policy acted on, pinned now or not. */
static int gt_groups_add_policy(struct gt_groups *gs)
{
	struct gt_policy_file *pf;
	struct gt_group *g;
	int i, nf, err = 0;

	pf = kcalloc(GT_FILES_MAX, sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	nf = gt_policy_files(pf, GT_FILES_MAX);
	for (i = 0; i < nf && !err; i++) {
		g = gt_group_get(gs, pf[i].dev, pf[i].ino, &err);
		if (!g) {
			gs->lost_files++;
			continue;
		}
		if (!g->folios)
			g->oldest = gs->now;
		memcpy(g->vetoes, pf[i].vetoes, sizeof(g->vetoes));
		g->truncated = pf[i].truncated;
	}
	kfree(pf);
	return err;
}

static int gt_cmp_group(const void *a, const void *b)
{
	const struct gt_group *x = a, *y = b;

	if (x->key[0] != y->key[0])
		return x->key[0] < y->key[0] ? -1 : 1;
	return x->key[1] < y->key[1] ? -1 : x->key[1] > y->key[1];
}

int gt_groups_build(struct gt_groups *gs, bool by_file)
{
	struct gt_snap_walk *w;
	int err;
	size_t i;

	gs->by_file = by_file;
	err = gt_groups_resize(gs, GT_GROUPS_MIN);
	if (err)
		return err;
	w = gt_snap_walk_alloc(0);
	if (!w)
		return -ENOMEM;
	gt_reconcile_view();
	gs->now = ktime_get_boottime_ns();
	while (!err && gt_snap_walk_next(w))
		for (i = 0; i < w->nr && !err; i++)
			err = gt_groups_add(gs, &w->rows[i]);
	gt_snap_walk_free(w);
	if (!err && by_file)
		err = gt_groups_add_policy(gs);
	kvfree(gs->slot);
	gs->slot = NULL;
	if (!err)
		sort(gs->g, gs->nr, sizeof(*gs->g), gt_cmp_group, NULL);
	return err;
}

void gt_groups_free(struct gt_groups *gs)
{
	kvfree(gs->g);
	kvfree(gs->slot);
	gs->g = NULL;
	gs->slot = NULL;
}
