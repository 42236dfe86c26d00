// SPDX-License-Identifier: GPL-2.0
#include <linux/hash.h>

#include "taskmap.h"

void gt_taskmap_init(struct gt_taskmap *map)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(map->buckets); i++) {
		spin_lock_init(&map->buckets[i].lock);
		INIT_HLIST_HEAD(&map->buckets[i].nodes);
	}
	atomic_set(&map->active, 0);
}

static unsigned int gt_taskmap_hash(struct task_struct *task)
{
	return hash_ptr(task, GT_TASKMAP_BITS);
}

void gt_taskmap_add(struct gt_taskmap *map, struct gt_task_node *n)
{
	unsigned int b = gt_taskmap_hash(current);
	unsigned long flags;

	n->task = current;
	spin_lock_irqsave(&map->buckets[b].lock, flags);
	hlist_add_head(&n->node, &map->buckets[b].nodes);
	atomic_inc(&map->active);
	spin_unlock_irqrestore(&map->buckets[b].lock, flags);
}

void gt_taskmap_del(struct gt_taskmap *map, struct gt_task_node *n)
{
	unsigned int b = gt_taskmap_hash(n->task);
	unsigned long flags;

	spin_lock_irqsave(&map->buckets[b].lock, flags);
	hlist_del(&n->node);
	atomic_dec(&map->active);
	spin_unlock_irqrestore(&map->buckets[b].lock, flags);
}

struct gt_task_node *gt_taskmap_current(struct gt_taskmap *map)
{
	unsigned int b;
	struct gt_task_node *n, *found = NULL;
	unsigned long flags;

	if (!atomic_read(&map->active))
		return NULL;
	b = gt_taskmap_hash(current);
	spin_lock_irqsave(&map->buckets[b].lock, flags);
	hlist_for_each_entry(n, &map->buckets[b].nodes, node) {
		if (n->task == current) {
			found = n;
			break;
		}
	}
	spin_unlock_irqrestore(&map->buckets[b].lock, flags);
	return found;
}

void gt_taskmap_drain(struct gt_taskmap *map,
		      void (*free)(struct gt_task_node *n))
{
	struct gt_task_node *n;
	struct hlist_node *tmp;
	int i;

	for (i = 0; i < ARRAY_SIZE(map->buckets); i++) {
		hlist_for_each_entry_safe(n, tmp, &map->buckets[i].nodes, node) {
			hlist_del(&n->node);
			free(n);
		}
	}
	atomic_set(&map->active, 0);
}
