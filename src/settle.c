// SPDX-License-Identifier: GPL-2.0
/*
 * The settle step (see settle.h).
 *
 * A task is a straddler if its stack holds a frame in a GUP entry point
 * while no instance of ours is on its rethook list. The property can only
 * go away: every call that begins after attach is followed. So tasks are
 * checked one at a time, and only straddlers, or tasks whose stack could
 * not be read (they were running, or switched while we read), are looked
 * at again.
 *
 * A task whose stack holds no address in a GUP entry point is clear at
 * once. Others are unwound. Stacks are read under RCU: a task's stack
 * memory is freed after a grace
 * period or cached for reuse, and the unwinder checks every address it
 * reads against the stack's bounds, so a task that wakes mid-read costs a
 * wrong answer, which the context-switch count then discards. Only tasks
 * that are asleep are read this way; runnable ones are read from an IPI
 * once they run, as current.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/stop_machine.h>
#include <asm/unwind.h>

#include "hooks/hooks.h"
#include "settle.h"

#define GT_SETTLE_POLL_MS	10

enum gt_verdict {
	GT_CLEAR,
	GT_STRADDLING,
	GT_UNKNOWN,
};

static struct gt_settle_stats gt_last;

struct gt_quiet {
	void (*fn)(void *arg);
	void *arg;
	bool ran;
	bool unknown;		/* where gup_put_folio() lies */
	u64 t0, t1;
};

/*
 * Tasks that began a followed GUP call while we settle: such a task is not
 * inside an unfollowed one (calls do not nest but for 6.1's unlocked pin,
 * whose inner call hands out all the outer one returns).
 */
#define GT_SETTLE_SEEN	512
static bool gt_settling;
static struct task_struct *gt_seen[GT_SETTLE_SEEN];
static atomic_t gt_nr_seen;

void gt_settle_note(struct task_struct *task)
{
	int i;

	if (!READ_ONCE(gt_settling))
		return;
	i = atomic_inc_return(&gt_nr_seen) - 1;
	if (i < GT_SETTLE_SEEN)
		WRITE_ONCE(gt_seen[i], task);
}

static bool gt_began_since(struct task_struct *task)
{
	int i, n = min(atomic_read(&gt_nr_seen), GT_SETTLE_SEEN);

	for (i = 0; i < n; i++)
		if (READ_ONCE(gt_seen[i]) == task)
			return true;
	return false;
}

/* Does the unwound stack hold a frame in fn? Unreadable counts as yes. */
static bool gt_stack_in(struct task_struct *task,
			bool (*fn)(unsigned long addr))
{
	struct unwind_state state;

	for (unwind_start(&state, task, NULL, NULL); !unwind_done(&state);
	     unwind_next_frame(&state))
		if (fn(unwind_get_return_address(&state)))
			return true;
	return unwind_error(&state);
}

/*
 * Does any word of the task's stack, from its saved sp up, point into a
 * GUP entry point? A call in progress keeps its return address there,
 * above wherever the task now runs, so "no" is certain even if the task
 * runs while we look; "yes" may be an old word, and is then unwound.
 */
static bool gt_stack_mentions(struct task_struct *task,
			      bool (*fn)(unsigned long addr))
{
	unsigned long top, base, *p;

	base = (unsigned long)task_stack_page(task);
	if (!base)
		return false;
	top = base + THREAD_SIZE;
	p = (unsigned long *)READ_ONCE(task->thread.sp);
	if ((unsigned long)p < base || (unsigned long)p >= top)
		p = (unsigned long *)base;
	for (; (unsigned long)p < top; p++)
		if (fn(READ_ONCE_NOCHECK(*p)))
			return true;
	return false;
}

static enum gt_verdict gt_judge(struct task_struct *task)
{
	return gt_stack_in(task, gt_gup_frame) && !gt_gup_followed(task) ?
	       GT_STRADDLING : GT_CLEAR;
}

struct gt_remote {
	struct task_struct *task;
	enum gt_verdict verdict;
};

/* IPI: the stack of whatever the target CPU was running. */
static void gt_judge_remote(void *arg)
{
	struct gt_remote *r = arg;

	r->verdict = current == r->task ? gt_judge(current) : GT_UNKNOWN;
}

static enum gt_verdict gt_check(struct task_struct *task)
{
	struct gt_remote r = { .task = task, .verdict = GT_UNKNOWN };
	unsigned long switches;
	enum gt_verdict v;

	if (task == current || task->exit_state || gt_began_since(task))
		return GT_CLEAR;
	if (gt_gup_followed(task))
		return GT_CLEAR;
	rcu_read_lock();
	v = gt_stack_mentions(task, gt_gup_frame) ? GT_UNKNOWN : GT_CLEAR;
	rcu_read_unlock();
	if (v == GT_CLEAR)
		return v;
	if (READ_ONCE(task->on_cpu)) {
		smp_call_function_single(task_cpu(task), gt_judge_remote, &r,
					 1);
		return r.verdict;
	}
	/*
	 * A runnable task may run any moment: the unwinder must not read the
	 * stack of a running task through a kretprobe's trampoline. Catch it
	 * on a CPU, or asleep, at a later look.
	 */
	if (task_is_running(task))
		return GT_UNKNOWN;
	switches = READ_ONCE(task->nvcsw) + READ_ONCE(task->nivcsw);
	rcu_read_lock();
	v = gt_judge(task);
	rcu_read_unlock();
	if (READ_ONCE(task->on_cpu) || task_is_running(task) ||
	    switches != READ_ONCE(task->nvcsw) + READ_ONCE(task->nivcsw))
		return GT_UNKNOWN;
	return v;
}

void gt_settle(unsigned int timeout_ms)
{
	unsigned long start = jiffies, deadline;
	struct task_struct *g, *t, **list;
	unsigned int nr = 0, cap = 0, i, n;
	bool first = true;

	/*
	 * A release that entered gup_put_folio() just before its hook went
	 * live reaches the kernel's counter only. Once the hook has been hit,
	 * the release look finds such a task on its stack; until then, wait
	 * until every task has scheduled voluntarily, and so left it.
	 */
	if (!gt_gup_put_seen())
		synchronize_rcu_tasks();
	gt_gup_ranges_init();
	gt_last.release_looks = 0;
	gt_last.stopped_us = 0;
	atomic_set(&gt_nr_seen, 0);
	WRITE_ONCE(gt_settling, true);

	rcu_read_lock();
	for_each_process_thread(g, t)
		cap++;
	rcu_read_unlock();
	cap += 64;	/* threads born since cannot be in an unfollowed call */
	list = kvmalloc_array(cap, sizeof(*list), GFP_KERNEL);
	if (!list) {
		WRITE_ONCE(gt_settling, false);
		gt_last.straddlers = UINT_MAX;
		return;
	}
	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (nr == cap)
			break;
		if (t == current)
			continue;
		get_task_struct(t);
		list[nr++] = t;
	}
	rcu_read_unlock();

	/* First pass over everyone; then only the undecided, until clear. */
	deadline = start + msecs_to_jiffies(timeout_ms);
	gt_last.seen = 0;
	for (;;) {
		for (i = 0, n = 0; i < nr; i++) {
			enum gt_verdict v = gt_check(list[i]);

			if (v == GT_CLEAR) {
				put_task_struct(list[i]);
				continue;
			}
			if (v == GT_STRADDLING && first)
				gt_last.seen++;
			list[n++] = list[i];
		}
		nr = n;
		first = false;
		if (!nr || time_after(jiffies, deadline))
			break;
		msleep(GT_SETTLE_POLL_MS);
	}
	WRITE_ONCE(gt_settling, false);
	gt_last.straddlers = nr;
	gt_last.waited_ms = jiffies_to_msecs(jiffies - start);
	for (i = 0; i < nr; i++) {
		if (i < 4)
			pr_info("pid %d (%s) has been inside a GUP call since before load (or its stack could not be read): totals since load may differ from the kernel's\n",
				task_pid_nr(list[i]), list[i]->comm);
		put_task_struct(list[i]);
	}
	kvfree(list);
}

void gt_settle_stats(struct gt_settle_stats *st)
{
	*st = gt_last;
}

/*
 * Runs on one CPU while every other spins with interrupts off: no task
 * moves, so a task not inside gup_put_folio() now has no release counted
 * by us and not yet by the kernel.
 */
static int gt_quiet_stopped(void *arg)
{
	struct gt_quiet *q = arg;
	struct task_struct *g, *t;

	q->t0 = local_clock();
	if (!gt_gup_put_range_init()) {
		q->unknown = true;
		goto out;
	}
	rcu_read_lock();
	for_each_process_thread(g, t) {
		/* On a CPU now: the stoppers, and us. */
		if (t->exit_state || READ_ONCE(t->on_cpu))
			continue;
		/*
		 * A preempted task is unwound by no one (see gt_check()): a
		 * word of its stack naming the funnel will do.
		 */
		if (gt_stack_mentions(t, gt_gup_put_frame) &&
		    (task_is_running(t) || gt_stack_in(t, gt_gup_put_frame))) {
			rcu_read_unlock();
			goto out;
		}
	}
	rcu_read_unlock();
	q->fn(q->arg);
	q->ran = true;
out:
	q->t1 = local_clock();
	return 0;
}

int gt_settle_releases(void (*fn)(void *arg), void *arg)
{
	struct gt_quiet q = { .fn = fn, .arg = arg };
	int ret;

	ret = stop_machine(gt_quiet_stopped, &q, NULL);
	if (ret)
		return ret;
	gt_last.release_looks++;
	gt_last.stopped_us = max_t(u64, gt_last.stopped_us,
				   (q.t1 - q.t0) / NSEC_PER_USEC);
	if (q.unknown)
		return -ENOENT;
	return q.ran ? 0 : -EBUSY;
}
