/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic attach/detach layer. A hook names one kernel function or
 * tracepoint; the files in hooks/ say what each one means. This layer
 * only attaches, counts hits and misses, and detaches.
 *
 * Entry hooks are ftrace callbacks, not kprobes: a kprobe that fires while
 * any kprobe handler runs on its CPU is dropped, so a bio completion in
 * IRQ context inside a task's handler would be lost, while ftrace's
 * recursion guard is per context (task, softirq, IRQ, NMI). Return hooks
 * (GUP calls, writeback) are kretprobes; their instances live on the task's
 * rethook shadow stack, which gt_hook_instance() reads without a lock.
 */
#ifndef _GUP_TRACK_HOOK_H
#define _GUP_TRACK_HOOK_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/tracepoint.h>

struct task_struct;

enum gt_hook_kind {
	GT_KRETPROBE,		/* entry and return */
	GT_FENTRY,		/* ftrace, watches the entry */
	GT_FREDIRECT,		/* ftrace with IPMODIFY: may replace the call */
	GT_TRACEPOINT,
	GT_HOOK_KINDS
};

struct gt_hook {
	const char *name;		/* kernel function or tracepoint */
	enum gt_hook_kind kind;
	bool wanted;			/* false: not part of this kernel */
	const void *priv;		/* for the hook's own handlers */

	/* GT_KRETPROBE: entry returns non-zero to skip the return handler */
	int (*entry)(struct gt_hook *h, void *data, struct pt_regs *regs);
	void (*ret)(struct gt_hook *h, void *data, struct pt_regs *regs);
	size_t data_size;
	unsigned int maxactive;		/* 0: the default */
	/* GT_FENTRY */
	void (*watch)(struct gt_hook *h, struct ftrace_regs *fregs,
		      unsigned long parent_ip);
	/*
	 * GT_FREDIRECT: the address to run instead of the function, or 0 to
	 * let it run. Calls made from this module are never redirected.
	 */
	unsigned long (*redirect)(struct gt_hook *h, struct ftrace_regs *fregs,
				  unsigned long parent_ip);
	/* GT_TRACEPOINT: the probe gets this hook as its data argument */
	void *probe;

	/* owned by hook.c */
	struct kretprobe rp;
	struct tracepoint *tp;
	bool attached;
	/* Since load, across detach and attach (hook.c) */
	u64 __percpu *hits;
	u64 __percpu *missed;		/* ftrace recursion refused it */
};

struct gt_hook_set {
	struct gt_hook *hooks;
	unsigned int nr;
};

/* Attached together, all or none. */
enum gt_hook_group {
	GT_HOOKS_TRACK,		/* tracking: while the module is loaded */
	GT_HOOKS_WATCH,		/* the policy's watchers: observe and enforce */
	GT_HOOKS_OBSERVE,	/* what the vetoes would refuse: observe only */
	GT_HOOKS_ENFORCE,	/* the policy's vetoes: enforce only */
	GT_HOOKS_LARGE,		/* large GUP calls to the wrapper: large_calls */
	GT_HOOK_GROUPS
};

static inline void gt_hook_hit(struct gt_hook *h)
{
	this_cpu_inc(*h->hits);
}

/* Before any group is attached; exit detaches all, then frees. */
int gt_hooks_init(void);
void gt_hooks_exit(void);
int gt_hooks_attach(enum gt_hook_group group);
void gt_hooks_detach(enum gt_hook_group group);

/* current's innermost running call of kretprobe h: its data, or NULL. */
void *gt_hook_instance(const struct gt_hook *h);
/* Is task (current, or under RCU) inside a call of a kretprobe of set? */
bool gt_hook_set_active(const struct gt_hook_set *set,
			struct task_struct *task);

/* Where an ftrace hook's function was hit: 0 until it first is. */
unsigned long gt_hook_ip(const struct gt_hook *h);
/* The bounds of the function that holds addr. */
/* The kernel's tracepoint of that name, or NULL. */
struct tracepoint *gt_tracepoint_find(const char *name);
bool gt_symbol_range(unsigned long addr, unsigned long *start,
		     unsigned long *end);

/*
 * For the views: fn gets every hook with its hits since load, and may call
 * gt_hook_missed() on it (only there: it needs the lock for_each holds).
 */
const char *gt_hook_kind_name(enum gt_hook_kind kind);
unsigned long gt_hook_missed(const struct gt_hook *h);
void gt_hooks_for_each(void (*fn)(const struct gt_hook *h, u64 hits,
				  void *arg), void *arg);

#endif /* _GUP_TRACK_HOOK_H */
