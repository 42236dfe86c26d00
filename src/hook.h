/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic attach/detach layer. A hook names one kernel function (a
 * kprobe or kretprobe) or tracepoint; the files in hooks/ say what each
 * one means. This layer only attaches, counts hits, and detaches.
 */
#ifndef _GUP_TRACK_HOOK_H
#define _GUP_TRACK_HOOK_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/tracepoint.h>

enum gt_hook_kind {
	GT_KRETPROBE,
	GT_KPROBE,
	GT_TRACEPOINT,
	GT_FTRACE,		/* may redirect the call: IPMODIFY */
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
	/* GT_KPROBE */
	void (*pre)(struct gt_hook *h, struct pt_regs *regs);
	/* GT_TRACEPOINT: the probe gets this hook as its data argument */
	void *probe;
	/*
	 * GT_FTRACE: return the address to run instead of the function, or
	 * 0 to let it run. Calls made from this module are never redirected.
	 */
	unsigned long (*redirect)(struct gt_hook *h, struct pt_regs *regs);

	/* owned by hook.c */
	union {
		struct kretprobe rp;
		struct kprobe kp;
		struct ftrace_ops fops;
	};
	struct tracepoint *tp;
	bool attached;
	u64 __percpu *hits;
};

struct gt_hook_set {
	struct gt_hook *hooks;
	unsigned int nr;
};

static inline void gt_hook_hit(struct gt_hook *h)
{
	this_cpu_inc(*h->hits);
}

/* The tracking hooks: all of them, or the module does not load. */
int gt_hooks_install(void);
void gt_hooks_remove(void);

/* The policy's hooks: attached while a policy is on; all or none. */
int gt_policy_hooks_attach(void);
void gt_policy_hooks_detach(void);

/* For the views. */
unsigned long gt_hook_missed(const struct gt_hook *h);
void gt_hooks_for_each(void (*fn)(const struct gt_hook *h, u64 hits,
				  void *arg), void *arg);

#endif /* _GUP_TRACK_HOOK_H */
