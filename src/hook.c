// SPDX-License-Identifier: GPL-2.0
/*
 * Attach and detach every hook, in an order that never loses a release:
 * the release paths go first and leave last, so a pin recorded at acquire
 * is always seen when it is dropped. The policy's hooks come and go with
 * the policy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/string.h>

#include "hook.h"
#include "hooks/hooks.h"

/* Enough for GUP calls that sleep in faults on every CPU at once. */
#define GT_KRETPROBE_MAXACTIVE	256

static struct gt_hook_set * const gt_sets[] = {
	&gt_hooks_page_free,
	&gt_hooks_gup_put,
	&gt_hooks_bio_release,
	&gt_hooks_add_pin,
	&gt_hooks_gup_entry,
};

static struct gt_hook_set * const gt_policy_sets[] = {
	&gt_hooks_truncate,
	&gt_hooks_writeback,
	&gt_hooks_release_veto,
	&gt_hooks_unmap_veto,
};

static int gt_krp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gt_hook *h = container_of(get_kretprobe(ri), struct gt_hook, rp);

	gt_hook_hit(h);
	return h->entry(h, ri->data, regs);
}

static int gt_krp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gt_hook *h = container_of(get_kretprobe(ri), struct gt_hook, rp);

	h->ret(h, ri->data, regs);
	return 0;
}

static int gt_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct gt_hook *h = container_of(kp, struct gt_hook, kp);

	gt_hook_hit(h);
	h->pre(h, regs);
	return 0;
}

static void notrace gt_ftrace_entry(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct gt_hook *h = container_of(op, struct gt_hook, fops);
	struct pt_regs *regs = ftrace_get_regs(fregs);
	unsigned long to;

	gt_hook_hit(h);
	if (!regs || within_module(parent_ip, THIS_MODULE))
		return;
	to = h->redirect(h, regs);
	if (to)
		instruction_pointer_set(regs, to);
}

static void gt_find_tp(struct tracepoint *tp, void *arg)
{
	struct gt_hook *h = arg;

	if (!strcmp(tp->name, h->name))
		h->tp = tp;
}

static int gt_ftrace_attach(struct gt_hook *h)
{
	int ret;

	memset(&h->fops, 0, sizeof(h->fops));
	h->fops.func = gt_ftrace_entry;
	h->fops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY;
	ret = ftrace_set_filter(&h->fops, (unsigned char *)h->name,
				strlen(h->name), 1);
	if (ret)
		return -ENOENT;	/* not a traceable function here */
	ret = register_ftrace_function(&h->fops);
	if (ret)
		ftrace_free_filter(&h->fops);
	return ret;
}

static int gt_hook_attach(struct gt_hook *h)
{
	switch (h->kind) {
	case GT_KRETPROBE:
		memset(&h->rp, 0, sizeof(h->rp));
		h->rp.kp.symbol_name = h->name;
		h->rp.entry_handler = gt_krp_entry;
		h->rp.handler = gt_krp_ret;
		h->rp.data_size = h->data_size;
		h->rp.maxactive = max_t(int, GT_KRETPROBE_MAXACTIVE,
					4 * num_possible_cpus());
		return register_kretprobe(&h->rp);
	case GT_KPROBE:
		memset(&h->kp, 0, sizeof(h->kp));
		h->kp.symbol_name = h->name;
		h->kp.pre_handler = gt_kp_pre;
		return register_kprobe(&h->kp);
	case GT_TRACEPOINT:
		h->tp = NULL;
		for_each_kernel_tracepoint(gt_find_tp, h);
		if (!h->tp)
			return -ENOENT;
		return tracepoint_probe_register(h->tp, h->probe, h);
	case GT_FTRACE:
		return gt_ftrace_attach(h);
	}
	return -EINVAL;
}

static void gt_hook_detach(struct gt_hook *h)
{
	switch (h->kind) {
	case GT_KRETPROBE:
		unregister_kretprobe(&h->rp);
		break;
	case GT_KPROBE:
		unregister_kprobe(&h->kp);
		break;
	case GT_TRACEPOINT:
		tracepoint_probe_unregister(h->tp, h->probe, h);
		break;
	case GT_FTRACE:
		unregister_ftrace_function(&h->fops);
		ftrace_free_filter(&h->fops);
		break;
	}
	h->attached = false;
}

static const char *gt_attach_error(int err)
{
	switch (err) {
	case -ENOENT:
		return "no such function or tracepoint in this kernel";
	case -EINVAL:
	case -EILSEQ:
		return "the address cannot be probed";
	case -EBUSY:
	case -EEXIST:
		return "another tracer or a livepatch owns it";
	case -ENOMEM:
		return "out of memory";
	default:
		return "register failed";
	}
}

static int gt_hook_install(struct gt_hook *h, const char *what)
{
	int ret;

	if (!h->wanted)
		return 0;
	h->hits = alloc_percpu(u64);
	if (!h->hits)
		return -ENOMEM;
	ret = gt_hook_attach(h);
	if (ret) {
		pr_err("cannot hook %s: %s (%d); %s\n", h->name,
		       gt_attach_error(ret), ret, what);
		free_percpu(h->hits);
		h->hits = NULL;
		return ret;
	}
	h->attached = true;
	return 0;
}

/* Detach in reverse order and wait until no handler runs any more. */
static void gt_sets_remove(struct gt_hook_set * const *sets, int nr)
{
	struct gt_hook *h;
	bool tp = false;
	int s, i;

	for (s = nr - 1; s >= 0; s--) {
		for (i = sets[s]->nr - 1; i >= 0; i--) {
			h = &sets[s]->hooks[i];
			if (h->attached) {
				tp |= h->kind == GT_TRACEPOINT;
				gt_hook_detach(h);
			}
		}
	}
	/* kprobe and ftrace unregistration already waited; not these. */
	if (tp)
		tracepoint_synchronize_unregister();
	for (s = 0; s < nr; s++) {
		for (i = 0; i < sets[s]->nr; i++) {
			h = &sets[s]->hooks[i];
			free_percpu(h->hits);
			h->hits = NULL;
		}
	}
}

static int gt_sets_install(struct gt_hook_set * const *sets, int nr,
			   const char *what)
{
	unsigned int s, i;
	int ret;

	for (s = 0; s < nr; s++) {
		for (i = 0; i < sets[s]->nr; i++) {
			ret = gt_hook_install(&sets[s]->hooks[i], what);
			if (ret) {
				gt_sets_remove(sets, nr);
				return ret;
			}
		}
	}
	return 0;
}

int gt_hooks_install(void)
{
	gt_writeback_init();
	return gt_sets_install(gt_sets, ARRAY_SIZE(gt_sets),
			       "refusing to load");
}

void gt_hooks_remove(void)
{
	gt_sets_remove(gt_sets, ARRAY_SIZE(gt_sets));
}

int gt_policy_hooks_attach(void)
{
	return gt_sets_install(gt_policy_sets, ARRAY_SIZE(gt_policy_sets),
			       "the policy is unavailable");
}

void gt_policy_hooks_detach(void)
{
	gt_sets_remove(gt_policy_sets, ARRAY_SIZE(gt_policy_sets));
	gt_writeback_exit();
}

/* Handler runs the probe machinery skipped (recursion, no free instance). */
unsigned long gt_hook_missed(const struct gt_hook *h)
{
	if (!h->attached)
		return 0;
	if (h->kind == GT_KRETPROBE)
		return (unsigned long)h->rp.nmissed + h->rp.kp.nmissed;
	if (h->kind == GT_KPROBE)
		return h->kp.nmissed;
	return 0;
}

static void gt_sets_for_each(struct gt_hook_set * const *sets, int nr,
			     void (*fn)(const struct gt_hook *h, u64 hits,
					void *arg), void *arg)
{
	struct gt_hook *h;
	unsigned int s, i;
	int cpu;

	for (s = 0; s < nr; s++) {
		for (i = 0; i < sets[s]->nr; i++) {
			u64 hits = 0;

			h = &sets[s]->hooks[i];
			if (h->hits)
				for_each_possible_cpu(cpu)
					hits += *per_cpu_ptr(h->hits, cpu);
			fn(h, hits, arg);
		}
	}
}

void gt_hooks_for_each(void (*fn)(const struct gt_hook *h, u64 hits,
				  void *arg), void *arg)
{
	gt_sets_for_each(gt_sets, ARRAY_SIZE(gt_sets), fn, arg);
	gt_sets_for_each(gt_policy_sets, ARRAY_SIZE(gt_policy_sets), fn, arg);
}
