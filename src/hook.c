// SPDX-License-Identifier: GPL-2.0
/*
 * Attach and detach every hook, in an order that never loses a release:
 * the release paths go first and leave last, so a pin recorded at acquire
 * is always seen when it is dropped. A group attaches all of its hooks or,
 * if one fails, none: whatever did attach is detached again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/random.h>
#include <linux/rethook.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "hook.h"
#include "hooks/hooks.h"

/* Enough for GUP calls that sleep in faults on many CPUs at once. */
#define GT_KRETPROBE_MAXACTIVE	256

static struct gt_hook_set * const gt_track_sets[] = {
	&gt_hooks_page_free,
	&gt_hooks_gup_put,
	&gt_hooks_bio_release,
	&gt_hooks_add_pin,
	&gt_hooks_gup_entry,
};

static struct gt_hook_set * const gt_watch_sets[] = {
	&gt_hooks_truncate,
	&gt_hooks_writeback,
	&gt_hooks_release_watch,
	&gt_hooks_unmap_watch,
};

static struct gt_hook_set * const gt_enforce_sets[] = {
	&gt_hooks_release_veto,
	&gt_hooks_unmap_veto,
};

static const struct {
	struct gt_hook_set * const *sets;
	int nr;
	const char *what;	/* what a failed attach means */
} gt_groups[GT_HOOK_GROUPS] = {
	[GT_HOOKS_TRACK] = { gt_track_sets, ARRAY_SIZE(gt_track_sets),
			     "refusing to load" },
	[GT_HOOKS_WATCH] = { gt_watch_sets, ARRAY_SIZE(gt_watch_sets),
			     "the policy is unavailable" },
	[GT_HOOKS_ENFORCE] = { gt_enforce_sets, ARRAY_SIZE(gt_enforce_sets),
			       "enforce is unavailable" },
};

static bool gt_group_on[GT_HOOK_GROUPS];

static const char * const gt_kind_names[] = {
	[GT_KRETPROBE] = "kretprobe",
	[GT_FENTRY] = "ftrace",
	[GT_FREDIRECT] = "ftrace-ipmodify",
	[GT_TRACEPOINT] = "tracepoint",
};

static_assert(ARRAY_SIZE(gt_kind_names) == GT_HOOK_KINDS);

const char *gt_hook_kind_name(enum gt_hook_kind kind)
{
	return kind < GT_HOOK_KINDS ? gt_kind_names[kind] : "?";
}

/*
 * Every kretprobe instance starts with the load generation, so that an
 * instance armed by an earlier load of this module (still running after
 * that load went, perhaps at the same address) is never taken for ours.
 */
struct gt_krp_data {
	u64 gen;
	char data[];
};

static u64 gt_gen;

static int gt_krp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gt_hook *h = container_of(get_kretprobe(ri), struct gt_hook, rp);
	struct gt_krp_data *d = (void *)ri->data;

	gt_hook_hit(h);
	d->gen = gt_gen;
	return h->entry(h, d->data, regs);
}

static int gt_krp_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct gt_hook *h = container_of(get_kretprobe(ri), struct gt_hook, rp);
	struct gt_krp_data *d = (void *)ri->data;

	h->ret(h, d->data, regs);
	return 0;
}

static void notrace gt_ftrace_entry(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct gt_hook *h = container_of(op, struct gt_hook, fops);
	unsigned long to;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0) {
		this_cpu_inc(*h->missed);
		return;
	}
	gt_hook_hit(h);
	if (h->kind == GT_FENTRY) {
		h->watch(h, fregs, parent_ip);
	} else if (!within_module(parent_ip, THIS_MODULE)) {
		to = h->redirect(h, fregs, parent_ip);
		if (to)
			gt_fregs_set_ip(fregs, to);
	}
	ftrace_test_recursion_unlock(bit);
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
	/* We take ftrace's recursion lock ourselves, to count refusals. */
	h->fops.flags = FTRACE_OPS_FL_RECURSION;
	if (h->kind == GT_FREDIRECT)
		h->fops.flags |= FTRACE_OPS_FL_IPMODIFY;
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
		h->rp.data_size = sizeof(struct gt_krp_data) + h->data_size;
		h->rp.maxactive = h->maxactive ?:
			max_t(int, GT_KRETPROBE_MAXACTIVE,
			      8 * num_possible_cpus());
		return register_kretprobe(&h->rp);
	case GT_FENTRY:
	case GT_FREDIRECT:
		return gt_ftrace_attach(h);
	case GT_TRACEPOINT:
		h->tp = NULL;
		for_each_kernel_tracepoint(gt_find_tp, h);
		if (!h->tp)
			return -ENOENT;
		return tracepoint_probe_register(h->tp, h->probe, h);
	default:
		return -EINVAL;
	}
}

static void gt_hook_detach(struct gt_hook *h)
{
	switch (h->kind) {
	case GT_KRETPROBE:
		unregister_kretprobe(&h->rp);
		break;
	case GT_FENTRY:
	case GT_FREDIRECT:
		unregister_ftrace_function(&h->fops);
		ftrace_free_filter(&h->fops);
		break;
	case GT_TRACEPOINT:
		tracepoint_probe_unregister(h->tp, h->probe, h);
		break;
	default:
		break;
	}
	WRITE_ONCE(h->attached, false);
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

static void gt_hook_free_counters(struct gt_hook *h)
{
	free_percpu(h->hits);
	free_percpu(h->missed);
	h->hits = NULL;
	h->missed = NULL;
}

static int gt_hook_install(struct gt_hook *h, const char *what)
{
	int ret;

	if (!h->wanted)
		return 0;
	h->hits = alloc_percpu(u64);
	h->missed = alloc_percpu(u64);
	if (!h->hits || !h->missed) {
		gt_hook_free_counters(h);
		return -ENOMEM;
	}
	ret = gt_hook_attach(h);
	if (ret) {
		pr_err("cannot hook %s: %s (%d); %s\n", h->name,
		       gt_attach_error(ret), ret, what);
		gt_hook_free_counters(h);
		return ret;
	}
	WRITE_ONCE(h->attached, true);
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
	for (s = 0; s < nr; s++)
		for (i = 0; i < sets[s]->nr; i++)
			gt_hook_free_counters(&sets[s]->hooks[i]);
}

int gt_hooks_attach(enum gt_hook_group group)
{
	struct gt_hook_set * const *sets = gt_groups[group].sets;
	int s, i, ret;

	if (gt_group_on[group])
		return 0;
	for (s = 0; s < gt_groups[group].nr; s++) {
		for (i = 0; i < sets[s]->nr; i++) {
			ret = gt_hook_install(&sets[s]->hooks[i],
					      gt_groups[group].what);
			if (ret) {
				gt_sets_remove(sets, gt_groups[group].nr);
				return ret;
			}
		}
	}
	gt_group_on[group] = true;
	return 0;
}

void gt_hooks_detach(enum gt_hook_group group)
{
	if (!gt_group_on[group])
		return;
	gt_sets_remove(gt_groups[group].sets, gt_groups[group].nr);
	gt_group_on[group] = false;
}

bool gt_hooks_attached(enum gt_hook_group group)
{
	return gt_group_on[group];
}

/* An instance of ours, of this load, in a set's kretprobes? */
static struct gt_krp_data *gt_our_instance(struct rethook_node *rhn,
					   const struct gt_hook *first,
					   unsigned int nr)
{
	const void *rp = gt_rethook_data(rhn);
	struct gt_krp_data *d;

	if (rp < (void *)first || rp >= (void *)(first + nr))
		return NULL;
	d = (void *)gt_rethook_kretprobe_instance(rhn)->data;
	return READ_ONCE(d->gen) == gt_gen ? d : NULL;
}

void *gt_hook_instance(const struct gt_hook *h)
{
	struct rethook_node *rhn;
	struct gt_krp_data *d;

	if (!READ_ONCE(h->attached))
		return NULL;
	gt_for_each_rethook(current, rhn) {
		d = gt_our_instance(rhn, h, 1);
		if (d && gt_rethook_data(rhn) == &h->rp)
			return d->data;
	}
	return NULL;
}

bool gt_hook_set_active(const struct gt_hook_set *set,
			struct task_struct *task)
{
	struct rethook_node *rhn;

	gt_for_each_rethook(task, rhn)
		if (gt_our_instance(rhn, set->hooks, set->nr))
			return true;
	return false;
}

void gt_hooks_init(void)
{
	gt_gen = ktime_get_boottime_ns() ^ get_random_u64();
}

/* Handler runs the machinery skipped: recursion, no free instance. */
unsigned long gt_hook_missed(const struct gt_hook *h)
{
	unsigned long n = 0;
	int cpu;

	if (!h->attached)
		return 0;
	if (h->kind == GT_KRETPROBE)
		n = (unsigned long)h->rp.nmissed + h->rp.kp.nmissed;
	if (h->missed)
		for_each_possible_cpu(cpu)
			n += *per_cpu_ptr(h->missed, cpu);
	return n;
}

void gt_hooks_for_each(void (*fn)(const struct gt_hook *h, u64 hits,
				  void *arg), void *arg)
{
	struct gt_hook_set * const *sets;
	unsigned int g, s, i;
	struct gt_hook *h;
	int cpu;

	for (g = 0; g < GT_HOOK_GROUPS; g++) {
		sets = gt_groups[g].sets;
		for (s = 0; s < gt_groups[g].nr; s++) {
			for (i = 0; i < sets[s]->nr; i++) {
				u64 hits = 0;

				h = &sets[s]->hooks[i];
				if (h->hits)
					for_each_possible_cpu(cpu)
						hits += *per_cpu_ptr(h->hits,
								     cpu);
				fn(h, hits, arg);
			}
		}
	}
}
