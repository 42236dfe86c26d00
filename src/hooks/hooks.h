/* SPDX-License-Identifier: GPL-2.0 */
/* Every hooked kernel path, one or two sets per file in this directory. */
#ifndef _GUP_TRACK_HOOKS_H
#define _GUP_TRACK_HOOKS_H

#include "../hook.h"

/* Tracking. */
extern struct gt_hook_set gt_hooks_page_free;
extern struct gt_hook_set gt_hooks_gup_put;
extern struct gt_hook_set gt_hooks_bio_release;
extern struct gt_hook_set gt_hooks_add_pin;
extern struct gt_hook_set gt_hooks_gup_entry;
extern struct gt_hook_set gt_hooks_gup_large;
extern struct gt_hook_set gt_hooks_migrate;

/* The policy's watchers (observe and enforce). */
extern struct gt_hook_set gt_hooks_truncate;
extern struct gt_hook_set gt_hooks_writeback;
extern struct gt_hook_set gt_hooks_release_watch;
extern struct gt_hook_set gt_hooks_unmap_watch;

/* The policy's vetoes (enforce). */
extern struct gt_hook_set gt_hooks_release_veto;
extern struct gt_hook_set gt_hooks_unmap_veto;

/*
 * Return-probe instances of each GUP entry point: how many calls of it may
 * be followed at once (0: sized from the machine). Before attach; returns
 * the number.
 */
unsigned int gt_gup_set_slots(unsigned int slots);
/* Is current inside a GUP call we follow? */
bool gt_gup_active(void);
/* The same for another task (takes the RCU read lock itself). */
bool gt_gup_followed(struct task_struct *task);
/* GUP calls recorded in the caller's context (gup_large.c), since load. */
unsigned long gt_gup_large_calls(void);
/* After the large-call hooks are detached: wait until none is in flight. */
void gt_gup_large_drain(void);
/* Is addr inside one of the GUP entry points? After they are attached. */
void gt_gup_ranges_init(void);
/* How many code ranges the settle scan looks for (entry points, tail calls). */
unsigned int gt_gup_ranges(void);
bool gt_gup_frame(unsigned long addr);
/* The same for the release funnel, once it has been hit; false: unknown. */
bool gt_gup_put_seen(void);
bool gt_gup_put_range_init(void);
bool gt_gup_put_frame(unsigned long addr);

#endif /* _GUP_TRACK_HOOKS_H */
