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
 *
 * The release look stops every CPU, so it must not read every thread: only
 * a preempted task can be between our count and the kernel's (nothing there
 * sleeps), so it reads the candidates only. Those are the tasks on a
 * runqueue when the looks began, and every task switched out while
 * runnable or preempted since then, which a sched_switch probe collects.
 * A task in the funnel at the look was preempted there, either before the
 * walk (and stayed on its runqueue, so the walk saw it) or after the probe
 * went live. When the candidates do not fit, the look reads every thread,
 * and says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/stop_machine.h>
#include <linux/tracepoint.h>
#include <linux/vmstat.h>
#include <asm/unwind.h>

#include "track.h"
#include "hook.h"
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
	bool all;		/* read every thread: the candidates overflowed */
	unsigned int tasks;	/* threads read while stopped */
	u64 t0, t1;
};

/*
 * The release look's candidates: an open-addressed set of task pointers,
 * each holding a reference, filled by the walk and by the sched_switch
 * probe. Probing is bounded; a task that finds no slot makes the look read
 * every thread.
 */
#define GT_CAND_BITS	13
#define GT_CAND_PROBE	16
static struct task_struct **gt_cand;
static bool gt_cand_overflow;
static struct tracepoint *gt_switch_tp;

static void gt_cand_add(struct task_struct *t)
{
	u32 h = hash_ptr(t, GT_CAND_BITS);
	struct task_struct **slot, *old;
	int i;

	for (i = 0; i < GT_CAND_PROBE; i++) {
		slot = &gt_cand[(h + i) & ((1U << GT_CAND_BITS) - 1)];
		old = READ_ONCE(*slot);
		if (old == t)
			return;
		if (old)
			continue;
		/*
		 * The reference follows the publication: no look runs while
		 * a probe does (every CPU is stopped in its stopper first),
		 * nor during the walk (the looks begin after it). No put
		 * here: on 6.1-rt the last one would free in this context.
		 */
		old = cmpxchg(slot, NULL, t);
		if (!old) {
			get_task_struct(t);
			return;
		}
		if (old == t)
			return;
	}
	WRITE_ONCE(gt_cand_overflow, true);
}

/* Switched out while runnable: preempted, perhaps inside the funnel. */
static void gt_switch_probe(void *data, bool preempt, struct task_struct *prev,
			    struct task_struct *next, unsigned int prev_state)
{
	if (preempt || prev_state == TASK_RUNNING)
		gt_cand_add(prev);
}

/* The probe goes live before the walk: no preempted task falls between. */
static int gt_cand_start(void)
{
	struct task_struct *g, *t;
	int ret;

	gt_cand = kvcalloc(1U << GT_CAND_BITS, sizeof(*gt_cand), GFP_KERNEL);
	if (!gt_cand)
		return -ENOMEM;
	gt_cand_overflow = false;
	gt_switch_tp = gt_tracepoint_find("sched_switch");
	ret = gt_switch_tp ? tracepoint_probe_register(gt_switch_tp,
						       gt_switch_probe, NULL) :
			     -ENOENT;
	if (ret) {
		kvfree(gt_cand);
		gt_cand = NULL;
		return ret;
	}
	rcu_read_lock();
	for_each_process_thread(g, t)
		if (!t->exit_state && READ_ONCE(t->on_rq))
			gt_cand_add(t);
	rcu_read_unlock();
	return 0;
}

static void gt_cand_stop(void)
{
	unsigned int i;

	if (!gt_cand)
		return;
	tracepoint_probe_unregister(gt_switch_tp, gt_switch_probe, NULL);
	tracepoint_synchronize_unregister();
	for (i = 0; i < 1U << GT_CAND_BITS; i++)
		if (gt_cand[i])
			put_task_struct(gt_cand[i]);
	kvfree(gt_cand);
	gt_cand = NULL;
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

	if (task == current || task->exit_state || gt_track_began_since(task))
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
	u64 t0 = ktime_get_ns();

	if (!gt_gup_put_seen())
		synchronize_rcu_tasks();
	gt_last.rcu_tasks_ms = (ktime_get_ns() - t0) / NSEC_PER_MSEC;
	gt_gup_ranges_init();
	gt_last.release_looks = 0;
	gt_last.stopped_us = 0;
	gt_last.stop_tasks = 0;
	gt_last.stop_walks = 0;
	gt_track_watch_calls(true);

	rcu_read_lock();
	for_each_process_thread(g, t)
		cap++;
	rcu_read_unlock();
	cap += 64;	/* threads born since cannot be in an unfollowed call */
	list = kvmalloc_array(cap, sizeof(*list), GFP_KERNEL);
	if (!list) {
		gt_track_watch_calls(false);
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
	gt_track_watch_calls(false);
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
 * May t, stopped, be between our count of a release and the kernel's? Only
 * a task on a runqueue can be: nothing there sleeps. Its state may still
 * read other than running (preempted between set_current_state() and
 * schedule()), so it is on_rq that tells. Such a task is never unwound:
 * the unwinder refuses (and warns about) the rethook frames of another
 * task that is runnable. A word of its stack naming the funnel will do.
 */
static bool gt_in_funnel(struct task_struct *t)
{
	/* On a CPU now: the stoppers, and us. */
	if (t->exit_state || READ_ONCE(t->on_cpu) || !READ_ONCE(t->on_rq))
		return false;
	return gt_stack_mentions(t, gt_gup_put_frame);
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
	bool busy = false;
	unsigned int i;

	q->t0 = local_clock();
	if (!gt_gup_put_range_init()) {
		q->unknown = true;
		goto out;
	}
	q->all = !gt_cand || READ_ONCE(gt_cand_overflow);
	if (!q->all) {
		for (i = 0; i < 1U << GT_CAND_BITS && !busy; i++) {
			t = READ_ONCE(gt_cand[i]);
			if (t) {
				q->tasks++;
				busy = gt_in_funnel(t);
			}
		}
	} else {
		rcu_read_lock();
		for_each_process_thread(g, t) {
			q->tasks++;
			if (gt_in_funnel(t)) {
				busy = true;
				break;
			}
		}
		rcu_read_unlock();
	}
	if (!busy) {
		q->fn(q->arg);
		q->ran = true;
	}
out:
	q->t1 = local_clock();
	return 0;
}

int gt_settle_releases_begin(void)
{
	int ret = gt_cand_start();

	if (ret)
		pr_info("no sched_switch probe (%d): each release look reads every thread\n",
			ret);
	return ret;
}

void gt_settle_releases_end(void)
{
	gt_cand_stop();
}

int gt_settle_releases(void (*fn)(void *arg), void *arg)
{
	struct gt_quiet q = { .fn = fn, .arg = arg };
	u64 us;
	int ret;

	ret = stop_machine(gt_quiet_stopped, &q, NULL);
	if (ret)
		return ret;
	gt_last.release_looks++;
	if (q.all)
		gt_last.stop_walks++;
	us = (q.t1 - q.t0) / NSEC_PER_USEC;
	if (us >= gt_last.stopped_us) {
		gt_last.stopped_us = us;
		gt_last.stop_tasks = q.tasks;
	}
	if (q.unknown)
		return -ENOENT;
	return q.ran ? 0 : -EBUSY;
}

void gt_settle_times(unsigned int attach_ms, unsigned int releases_ms,
		     unsigned int policy_ms, unsigned int total_ms)
{
	gt_last.attach_ms = attach_ms;
	gt_last.releases_ms = releases_ms;
	gt_last.policy_ms = policy_ms;
	gt_last.total_ms = total_ms;
}

/*
 * "Since load": ours and the kernel's counters when the load found its
 * instant (gt_settle_base()).
 */
static unsigned long gt_kernel_base[2];
static struct gt_counters gt_base;	/* ours, when the kernel's were read */
static bool gt_base_exact;

/*
 * A node counter with what each CPU has not folded in yet. Each node's own
 * total, not the global one: a CPU folding its differences adds them to
 * its node at once, but to the global total only after every item.
 */
static long gt_kernel_stat(enum node_stat_item item)
{
	long sum = 0;
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		sum += atomic_long_read(&pgdat->vm_stat[item]);
		for_each_online_cpu(cpu)
			sum += per_cpu_ptr(pgdat->per_cpu_nodestats,
					   cpu)->vm_node_stat_diff[item];
	}
	return sum;
}

static long gt_kernel_nodes(void)
{
	long sum = 0;
	int nid;

	for_each_online_node(nid)
		sum += atomic_long_read(&NODE_DATA(nid)->vm_stat[NR_FOLL_PIN_ACQUIRED]) +
		       atomic_long_read(&NODE_DATA(nid)->vm_stat[NR_FOLL_PIN_RELEASED]);
	return sum;
}

/*
 * Both counters at one instant: a CPU moving its differences into its
 * node while we add them up would make us miss them, so read until the
 * node totals did not move underneath (bounded; they settle quickly).
 */
static void gt_kernel_pins(unsigned long *acq, unsigned long *rel)
{
	long n1, n2;
	int i;

	for (i = 0; i < 1000; i++) {
		n1 = gt_kernel_nodes();
		*acq = gt_kernel_stat(NR_FOLL_PIN_ACQUIRED);
		*rel = gt_kernel_stat(NR_FOLL_PIN_RELEASED);
		n2 = gt_kernel_nodes();
		if (n1 == n2)
			break;
		cpu_relax();
	}
}

void gt_settle_counters(struct gt_counters *c)
{
	unsigned long acq, rel;
	u64 *now = (u64 *)c;
	const u64 *base = (const u64 *)&gt_base;
	size_t i;

	gt_track_sum(c);
	for (i = 0; i < sizeof(*c) / sizeof(u64); i++)
		now[i] -= base[i];
	gt_kernel_pins(&acq, &rel);
	c->kernel_pin_acquired = acq - gt_kernel_base[0];
	c->kernel_pin_released = rel - gt_kernel_base[1];
	c->base_exact = gt_base_exact;
}

/* Ours and the kernel's releases: ours counts first, so ours - kernel >= 0. */
static long gt_release_lead(void)
{
	struct gt_counters c;
	unsigned long acq, rel;

	gt_kernel_pins(&acq, &rel);	/* the kernel's first: see below */
	gt_track_sum(&c);
	return (long)(c.pins_released + c.pins_rolled_back) - (long)rel;
}

static void gt_release_offset(void *arg)
{
	*(long *)arg = gt_release_lead();
}

/*
 * Start counting: our counters and the kernel's from the same instant.
 *
 * Pins: the kernel counts a pin when GUP grabs it, we when the call
 * returns, so the instant must have no followed call running: one that
 * began earlier and returns later would be ours and not the kernel's. Wait
 * (bounded) for such an instant, and make sure no call began meanwhile.
 *
 * Releases: we count one just before the kernel does, in the same
 * function, but a task may be preempted in between. So ours minus the
 * kernel's is a fixed offset plus the releases in flight: read it when
 * none is (gt_settle_releases()). Failing that, the least of many looks, read kernel
 * first, is the offset unless a release stayed in flight through all.
 */
void gt_settle_base(unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	unsigned long wait_us;
	long begun, lead = LONG_MAX;
	bool exact = false;
	int i, ret;

	for (;;) {
		begun = gt_track_calls_begun();
		/* Pairs with the barrier after a call starts running. */
		smp_mb();
		if (!gt_track_calls_running()) {
			gt_track_sum(&gt_base);
			gt_kernel_pins(&gt_kernel_base[0], &gt_kernel_base[1]);
			/* The counts read before the second look at the calls. */
			smp_mb();
			if (gt_track_calls_begun() == begun &&
			    !gt_track_calls_running()) {
				exact = true;
				break;
			}
		}
		if (time_after(jiffies, deadline)) {
			gt_track_sum(&gt_base);
			gt_kernel_pins(&gt_kernel_base[0], &gt_kernel_base[1]);
			break;
		}
		usleep_range(100, 200);
	}
	/*
	 * Each look stops every CPU: back off, from 1 ms to 64, so that a
	 * task kept off the CPU in the funnel costs a few dozen stops.
	 */
	deadline = jiffies + msecs_to_jiffies(timeout_ms);
	gt_settle_releases_begin();
	for (wait_us = 1000;
	     (ret = gt_settle_releases(gt_release_offset, &lead));
	     wait_us = min(2 * wait_us, 64000UL)) {
		if (ret != -EBUSY || time_after(jiffies, deadline)) {
			pr_info("%s: totals since load may differ from the kernel's\n",
				ret == -EBUSY ? "a release stayed in flight through the load" :
				"the release funnel could not be looked at");
			exact = false;
			for (i = 0; i < 32; i++) {
				lead = min(lead, gt_release_lead());
				usleep_range(100, 200);
			}
			break;
		}
		usleep_range(wait_us, 2 * wait_us);
	}
	gt_settle_releases_end();
	gt_kernel_base[1] = gt_base.pins_released + gt_base.pins_rolled_back -
			    lead;
	gt_base_exact = exact;
}
