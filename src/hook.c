// SPDX-License-Identifier: GPL-2.0
/*
 * Attach and detach every hook, in an order that never loses a release:
 * the release paths go first and leave last, so a pin recorded at acquire
 * is always seen when it is dropped. A group attaches all of its hooks or,
 * if one fails, none: whatever did attach is detached again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kallsyms.h>
#include <linux/mutex.h>
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
	&gt_hooks_migrate,
};

static struct gt_hook_set * const gt_watch_sets[] = {
	&gt_hooks_truncate,
	&gt_hooks_writeback,
};

/*
 * Gone under enforce, whose vetoes count the same calls: a second ftrace_ops
 * on a function sends every call of it through ftrace's list function.
 */
static struct gt_hook_set * const gt_observe_sets[] = {
	&gt_hooks_release_watch,
	&gt_hooks_unmap_watch,
};

/*
 * A second ftrace_ops on each GUP entry point, beside the kretprobe's:
 * ftrace then calls both through its list function, on every GUP call.
 */
static struct gt_hook_set * const gt_large_sets[] = {
	&gt_hooks_gup_large,
};

static struct gt_hook_set * const gt_enforce_sets[] = {
	&gt_hooks_release_veto,
	&gt_hooks_unmap_veto,
};

/*
 * A group's ftrace hooks share one ftrace_ops per kind: registering and
 * unregistering an ops costs RCU-tasks grace periods, which under load
 * take seconds. The handler finds the hook by the traced function's
 * address, learnt from its name the first time that function is hit.
 */
#define GT_GROUP_FTRACE_MAX	12

struct gt_group {
	struct gt_hook_set * const *sets;
	int nr;
	const char *what;	/* what a failed attach means */
	bool on;
	struct ftrace_ops ops[2];	/* GT_FENTRY, GT_FREDIRECT */
	bool ops_on[2];
	struct gt_group_map {
		unsigned long ip;
		struct gt_hook *hook;
	} map[2][GT_GROUP_FTRACE_MAX];	/* per ops, so each looks at its own */
};

/* The functions learnt by the group's ops of kind. */
static struct gt_group_map *gt_group_map(struct gt_group *g,
					 enum gt_hook_kind kind)
{
	return g->map[kind == GT_FREDIRECT];
}

static struct gt_group gt_groups[GT_HOOK_GROUPS] = {
	[GT_HOOKS_TRACK] = { gt_track_sets, ARRAY_SIZE(gt_track_sets),
			     "refusing to load" },
	[GT_HOOKS_WATCH] = { gt_watch_sets, ARRAY_SIZE(gt_watch_sets),
			     "the policy is unavailable" },
	[GT_HOOKS_OBSERVE] = { gt_observe_sets, ARRAY_SIZE(gt_observe_sets),
			       "the policy is unavailable" },
	[GT_HOOKS_ENFORCE] = { gt_enforce_sets, ARRAY_SIZE(gt_enforce_sets),
			       "enforce is unavailable" },
	[GT_HOOKS_LARGE] = { gt_large_sets, ARRAY_SIZE(gt_large_sets),
			     "refusing to load" },
};

/* The n-th hook of a group across its sets, or NULL past the last. */
static struct gt_hook *gt_group_nth(struct gt_group *g, unsigned int n)
{
	unsigned int s;

	for (s = 0; s < g->nr; s++) {
		if (n < g->sets[s]->nr)
			return &g->sets[s]->hooks[n];
		n -= g->sets[s]->nr;
	}
	return NULL;
}

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

/*
 * Out of line: the kernel zero-fills locals (INIT_STACK_ALL_ZERO), and the
 * name buffer would cost every hit.
 */
static noinline struct gt_hook *gt_group_learn(struct gt_group *g,
					       enum gt_hook_kind kind,
					       unsigned long ip)
{
	struct gt_group_map *map = gt_group_map(g, kind);
	char name[KSYM_SYMBOL_LEN];
	struct gt_hook *h;
	int i, m;

	sprint_symbol_no_offset(name, ip);
	for (i = 0; (h = gt_group_nth(g, i)); i++) {
		if (h->kind != kind || !h->attached || strcmp(h->name, name))
			continue;
		for (m = 0; m < GT_GROUP_FTRACE_MAX; m++) {
			if (!cmpxchg(&map[m].ip, 0, ip)) {
				/* The ip first: a reader matches both. */
				smp_store_release(&map[m].hook, h);
				break;
			}
		}
		return h;
	}
	return NULL;
}

/*
 * The hook of kind for the function at ip, learnt once per function (not
 * while recursing: then only what is known already).
 */
static struct gt_hook *gt_group_hook(struct gt_group *g,
				     enum gt_hook_kind kind, unsigned long ip,
				     bool learn)
{
	struct gt_group_map *map = gt_group_map(g, kind);
	struct gt_hook *h;
	int m;

	for (m = 0; m < GT_GROUP_FTRACE_MAX; m++) {
		if (READ_ONCE(map[m].ip) != ip)
			continue;
		/* Pairs with the release that published the hook. */
		h = smp_load_acquire(&map[m].hook);
		if (h)
			return h;
	}
	return learn ? gt_group_learn(g, kind, ip) : NULL;
}

static void notrace gt_ftrace_entry(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct gt_group *g = op->private;
	enum gt_hook_kind kind = op == &g->ops[0] ? GT_FENTRY : GT_FREDIRECT;
	struct gt_hook *h;
	unsigned long to;
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	h = gt_group_hook(g, kind, ip, bit >= 0);
	if (!h)
		goto out;
	if (bit < 0) {
		this_cpu_inc(*h->missed);
		return;
	}
	gt_hook_hit(h);
	if (kind == GT_FENTRY) {
		h->watch(h, fregs, parent_ip);
	} else if (!within_module(parent_ip, THIS_MODULE)) {
		to = h->redirect(h, fregs, parent_ip);
		if (to)
			gt_fregs_set_ip(fregs, to);
	}
out:
	if (bit >= 0)
		ftrace_test_recursion_unlock(bit);
}

struct gt_tp_find {
	const char *name;
	struct tracepoint *tp;
};

static void gt_find_tp(struct tracepoint *tp, void *arg)
{
	struct gt_tp_find *f = arg;

	if (!strcmp(tp->name, f->name))
		f->tp = tp;
}

struct tracepoint *gt_tracepoint_find(const char *name)
{
	struct gt_tp_find f = { .name = name };

	for_each_kernel_tracepoint(gt_find_tp, &f);
	return f.tp;
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

static int gt_hook_failed(struct gt_group *g, const char *name, int err)
{
	pr_err("cannot hook %s: %s (%d); %s\n", name, gt_attach_error(err),
	       err, g->what);
	return err;
}

/*
 * Each hook's counters live from gt_hooks_init() to gt_hooks_exit(), so the
 * views may read them across any policy switch. They count since load: a
 * group attached again goes on from where it stopped. A kretprobe's own
 * miss counts are folded into ours when it is detached, under this lock,
 * which the readers hold.
 */
static DEFINE_MUTEX(gt_hook_counts_lock);

/* One hook that is not an ftrace one, on its own. */
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
	case GT_TRACEPOINT:
		h->tp = gt_tracepoint_find(h->name);
		if (!h->tp)
			return -ENOENT;
		return tracepoint_probe_register(h->tp, h->probe, h);
	default:
		return -EINVAL;
	}
}

/* The group's ftrace ops of kind, covering each of its hooks of kind. */
static int gt_group_ftrace_attach(struct gt_group *g, enum gt_hook_kind kind)
{
	struct ftrace_ops *ops = &g->ops[kind == GT_FREDIRECT];
	bool any = false;
	struct gt_hook *h;
	int i, ret;

	memset(ops, 0, sizeof(*ops));
	ops->func = gt_ftrace_entry;
	ops->private = g;
	/*
	 * No FTRACE_OPS_FL_RECURSION: that asks ftrace to guard recursion in
	 * a wrapper, which drops a refusal without a count. The handler takes
	 * the guard itself, and counts, where this ops is the function's only
	 * one; where several share it (our ops beside another tracer's),
	 * ftrace's list function guards first, uncounted.
	 */
	if (kind == GT_FREDIRECT)
		ops->flags = FTRACE_OPS_FL_IPMODIFY;
	for (i = 0; (h = gt_group_nth(g, i)); i++) {
		if (h->kind != kind || !h->wanted)
			continue;
		ret = ftrace_set_filter(ops, (unsigned char *)h->name,
					strlen(h->name), !any);
		if (ret) {
			ftrace_free_filter(ops);
			return gt_hook_failed(g, h->name, -ENOENT);
		}
		any = true;
	}
	if (!any)
		return 0;
	ret = register_ftrace_function(ops);
	if (ret) {
		ftrace_free_filter(ops);
		for (i = 0; (h = gt_group_nth(g, i)); i++)
			if (h->kind == kind && h->wanted)
				gt_hook_failed(g, h->name, ret);
		return ret;
	}
	g->ops_on[kind == GT_FREDIRECT] = true;
	for (i = 0; (h = gt_group_nth(g, i)); i++)
		if (h->kind == kind && h->wanted)
			WRITE_ONCE(h->attached, true);
	return 0;
}

/*
 * Detach everything attached, acquire paths first, and wait until no
 * handler runs any more: one grace period for all the kretprobes, one per
 * ftrace ops, one for the tracepoints.
 */
static void gt_group_remove(struct gt_group *g)
{
	struct kretprobe *rps[32];
	bool tp = false;
	struct gt_hook *h;
	int i, n = 0, k;

	for (i = 0; (h = gt_group_nth(g, i)); i++) {
		if (!h->attached || h->kind != GT_KRETPROBE)
			continue;
		rps[n++] = &h->rp;
		if (n == ARRAY_SIZE(rps)) {
			unregister_kretprobes(rps, n);
			n = 0;
		}
	}
	if (n)
		unregister_kretprobes(rps, n);
	for (k = 0; k < 2; k++) {
		if (!g->ops_on[k])
			continue;
		unregister_ftrace_function(&g->ops[k]);
		ftrace_free_filter(&g->ops[k]);
		g->ops_on[k] = false;
	}
	for (i = 0; (h = gt_group_nth(g, i)); i++) {
		if (h->attached && h->kind == GT_TRACEPOINT) {
			tracepoint_probe_unregister(h->tp, h->probe, h);
			tp = true;
		}
	}
	if (tp)
		tracepoint_synchronize_unregister();
	mutex_lock(&gt_hook_counts_lock);
	for (i = 0; (h = gt_group_nth(g, i)); i++) {
		if (h->attached && h->kind == GT_KRETPROBE) {
			this_cpu_add(*h->missed,
				     h->rp.nmissed + h->rp.kp.nmissed);
			h->rp.nmissed = 0;
			h->rp.kp.nmissed = 0;
		}
		WRITE_ONCE(h->attached, false);
	}
	mutex_unlock(&gt_hook_counts_lock);
	memset(g->map, 0, sizeof(g->map));
}

/* Tracepoints and kretprobes of one kind, one registration each. */
static int gt_group_attach_each(struct gt_group *g, enum gt_hook_kind kind)
{
	struct gt_hook *h;
	int i, ret;

	for (i = 0; (h = gt_group_nth(g, i)); i++) {
		if (!h->wanted || h->kind != kind)
			continue;
		ret = gt_hook_attach(h);
		if (ret)
			return gt_hook_failed(g, h->name, ret);
		WRITE_ONCE(h->attached, true);
	}
	return 0;
}

int gt_hooks_attach(enum gt_hook_group group)
{
	struct gt_group *g = &gt_groups[group];
	int ret;

	if (g->on)
		return 0;
	/* Release paths first: nothing acquired goes unseen when dropped. */
	ret = gt_group_attach_each(g, GT_TRACEPOINT) ?:
	      gt_group_ftrace_attach(g, GT_FENTRY) ?:
	      gt_group_ftrace_attach(g, GT_FREDIRECT) ?:
	      gt_group_attach_each(g, GT_KRETPROBE);
	if (ret) {
		gt_group_remove(g);
		return ret;
	}
	g->on = true;
	return 0;
}

void gt_hooks_detach(enum gt_hook_group group)
{
	struct gt_group *g = &gt_groups[group];

	if (!g->on)
		return;
	gt_group_remove(g);
	g->on = false;
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

void gt_hooks_exit(void)
{
	struct gt_hook *h;
	unsigned int g, i;

	for (g = 0; g < GT_HOOK_GROUPS; g++) {
		gt_hooks_detach(g);
		for (i = 0; (h = gt_group_nth(&gt_groups[g], i)); i++) {
			free_percpu(h->hits);
			free_percpu(h->missed);
			h->hits = NULL;
			h->missed = NULL;
		}
	}
}

int gt_hooks_init(void)
{
	struct gt_hook *h;
	unsigned int g, i;

	gt_gen = ktime_get_boottime_ns() ^ get_random_u64();
	for (g = 0; g < GT_HOOK_GROUPS; g++) {
		for (i = 0; (h = gt_group_nth(&gt_groups[g], i)); i++) {
			h->hits = alloc_percpu(u64);
			h->missed = alloc_percpu(u64);
			if (!h->hits || !h->missed) {
				gt_hooks_exit();
				return -ENOMEM;
			}
		}
	}
	return 0;
}

unsigned long gt_hook_ip(const struct gt_hook *h)
{
	struct gt_group_map *map;
	unsigned int g, m;

	for (g = 0; g < GT_HOOK_GROUPS; g++) {
		map = gt_group_map(&gt_groups[g], h->kind);
		for (m = 0; m < GT_GROUP_FTRACE_MAX; m++)
			if (READ_ONCE(map[m].hook) == h)
				return READ_ONCE(map[m].ip);
	}
	return 0;
}

bool gt_symbol_range(unsigned long addr, unsigned long *start,
		     unsigned long *end)
{
	char sym[KSYM_SYMBOL_LEN], *p;
	unsigned long off, size;

	/* "name+0x4/0x1a0": the offset and size of the symbol */
	sprint_symbol(sym, addr);
	p = strchr(sym, '+');
	if (!p || sscanf(p, "+%lx/%lx", &off, &size) != 2)
		return false;
	*start = addr - off;
	*end = addr - off + size;
	return true;
}

/* Handler runs the machinery skipped: recursion, no free instance. */
unsigned long gt_hook_missed(const struct gt_hook *h)
{
	unsigned long n = 0;
	int cpu;

	/* The kretprobe's counts are folded into ours, not yet, not twice. */
	lockdep_assert_held(&gt_hook_counts_lock);
	if (h->attached && h->kind == GT_KRETPROBE)
		n = (unsigned long)h->rp.nmissed + h->rp.kp.nmissed;
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

	mutex_lock(&gt_hook_counts_lock);
	for (g = 0; g < GT_HOOK_GROUPS; g++) {
		sets = gt_groups[g].sets;
		for (s = 0; s < gt_groups[g].nr; s++) {
			for (i = 0; i < sets[s]->nr; i++) {
				u64 hits = 0;

				h = &sets[s]->hooks[i];
				for_each_possible_cpu(cpu)
					hits += *per_cpu_ptr(h->hits, cpu);
				fn(h, hits, arg);
			}
		}
	}
	mutex_unlock(&gt_hook_counts_lock);
}
