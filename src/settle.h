/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load boundary. A GUP call that began before our kretprobes were
 * armed is not followed, so the pins it takes after load would reach the
 * kernel's counters and never ours. After attaching, gt_settle() waits
 * (bounded) until no task is inside such a call, by reading task stacks:
 * a sleeping task's directly, a running one's from an IPI on its CPU.
 * Only then are the kernel's counters read as the base of "since load",
 * so that our totals and the kernel's count the same events.
 *
 * Releases are counted by us on entry to gup_put_folio() and by the kernel
 * a few instructions later; a task may be preempted in between, for long
 * on PREEMPT_RT. gt_settle_releases() finds an instant with no task in
 * there, by stopping every CPU and reading the stacks of the tasks that
 * may be there: those preempted while the looks go on (settle.c). A
 * release that began before the hook went live is one of those.
 */
#ifndef _GUP_TRACK_SETTLE_H
#define _GUP_TRACK_SETTLE_H

#include <linux/types.h>

struct gt_counters;
struct task_struct;

struct gt_settle_stats {
	unsigned int waited_ms;		/* how long the last load waited */
	unsigned int straddlers;	/* calls still unfollowed: base inexact */
	unsigned int seen;		/* calls found in flight at load */
	unsigned int release_looks;	/* stops until no release was in flight */
	unsigned int stopped_us;	/* the longest of them */
	unsigned int stop_tasks;	/* threads it read */
	unsigned int stop_walks;	/* stops that read every thread */
	unsigned int rcu_tasks_ms;	/* waiting for releases begun unhooked */
	unsigned int attach_ms;		/* attaching the tracking hooks */
	unsigned int releases_ms;	/* finding an instant with none in flight */
	unsigned int policy_ms;		/* attaching the policy's hooks */
	unsigned int total_ms;		/* the module's init, all of it */
};

/* Process context, after the tracking hooks are attached. */
void gt_settle(unsigned int timeout_ms);
void gt_settle_stats(struct gt_settle_stats *st);
/*
 * From now on our counters and the kernel's count the same events: after
 * the tracking hooks are attached and no unfollowed call is left.
 */
void gt_settle_base(unsigned int timeout_ms);
/* Ours and the kernel's since that instant. Process context. */
void gt_settle_counters(struct gt_counters *c);
/*
 * Run fn with every CPU stopped, if no task is then inside the release
 * funnel. 0 if it ran, -EBUSY if a task was (try again later), another
 * error if it cannot be known. Process context.
 */
int gt_settle_releases(void (*fn)(void *arg), void *arg);
/* Around the looks: collect the tasks they read (settle.c). */
int gt_settle_releases_begin(void);
void gt_settle_releases_end(void);
/* Where the load's time went, for the stats. */
void gt_settle_times(unsigned int attach_ms, unsigned int releases_ms,
		     unsigned int policy_ms, unsigned int total_ms);

#endif /* _GUP_TRACK_SETTLE_H */
