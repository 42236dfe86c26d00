// SPDX-License-Identifier: GPL-2.0
/*
 * gup_track: which pages are pinned by get_user_pages()/pin_user_pages(),
 * by whom, for how long, and are they file-backed.
 *
 * This file owns the init/exit order and the module parameters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include <gup_track/version.h>

#include "debugfs.h"
#include "track.h"
#include "hook.h"
#include "hooks/hooks.h"
#include "owner.h"
#include "policy.h"
#include "reconcile.h"
#include "ring.h"
#include "settle.h"
#include "site.h"
#include "table.h"

/*
 * Preallocated so that handlers never allocate (pool.h); grown on demand.
 * By default one entry per 512 pages of memory (0.003%), within these.
 */
#define GT_ENTRY_RESERVE_MIN	4096UL
#define GT_ENTRY_RESERVE_MAX	BIT(18)
#define GT_OWNER_RESERVE	256
#define GT_OWNER_MAX		65536
#define GT_SITES		1024
/* How long a load waits for GUP calls that began before it (settle.h). */
#define GT_SETTLE_MS		2000

static unsigned long max_entries = 1UL << 20;
static unsigned long reserve_entries;
module_param(reserve_entries, ulong, 0444);
MODULE_PARM_DESC(reserve_entries,
		 "Table entries preallocated at load, for handlers that may not allocate (PREEMPT_RT): with large_calls a GUP call of more than 64 pages fills it for itself; any other that hands out more folios than are free when it returns loses the rest to untracked_nomem (default 0: one per 512 pages of memory, 4096 to 262144; at most max_entries)");
static int large_calls = -1;
module_param(large_calls, int, 0444);
MODULE_PARM_DESC(large_calls,
		 "Record GUP calls of more than 64 pages (or with the reserve short) in the caller's context, 64 folios at a time with preemption on, after filling the reserve for them: 1 on, 0 off (recorded whole in the return probe, preemption off), -1 (default) on for PREEMPT_RT only; shows the choice. On, every GUP call passes through ftrace's list function");
static unsigned int gup_calls;
module_param(gup_calls, uint, 0444);
MODULE_PARM_DESC(gup_calls,
		 "GUP calls of each entry point followed at once, each holding a preallocated return-probe instance while it runs, asleep or not; a call beyond them is counted in hooks_missed and not tracked (default 0: 4096, fewer on 6.12 past 128 possible CPUs; at most 65536)");
static unsigned int reconcile_ms = 1000;

/*
 * The hash table's buckets are sized for it at load, 8 bytes per 4 entries
 * rounded up to a power of two: 512 MiB at most, within what kvmalloc
 * serves. Afterwards it can be raised only that far (gt_table_capacity()).
 */
#define GT_MAX_ENTRIES_LIMIT	BIT(28)

static int max_entries_set(const char *val, const struct kernel_param *kp)
{
	unsigned long n;
	int ret = kstrtoul(val, 0, &n);

	if (ret || !n || n > GT_MAX_ENTRIES_LIMIT) {
		pr_err("max_entries must be between 1 and %lu\n",
		       GT_MAX_ENTRIES_LIMIT);
		return -EINVAL;
	}
	if (gt_table_set_limit(n)) {
		pr_warn("max_entries %lu is above %lu, what the table was sized for at load; reload gup_track with max_entries=%lu for more\n",
			n, gt_table_capacity(), n);
		return -EINVAL;
	}
	max_entries = n;
	return 0;
}

static const struct kernel_param_ops max_entries_ops = {
	.set = max_entries_set,
	.get = param_get_ulong,
};
module_param_cb(max_entries, &max_entries_ops, &max_entries, 0644);
MODULE_PARM_DESC(max_entries,
		 "Most folios tracked at once, 1 to 2^28; beyond it pins are counted as untracked. Sizes the table at load; at runtime it can be raised only up to that size, the load value rounded up to 4 times a power of two, at least 4096 (default 1048576)");

static int policy_set(const char *val, const struct kernel_param *kp)
{
	enum gt_policy_mode mode;
	int ret = gt_policy_parse(val, &mode);

	if (ret) {
		pr_err("policy must be off, observe or enforce\n");
		return ret;
	}
	return gt_policy_set(mode);
}

static int policy_get(char *buf, const struct kernel_param *kp)
{
	struct gt_policy_stats st;

	gt_policy_stats(&st);
	return sysfs_emit(buf, "%s\n", gt_policy_name(st.mode));
}

static const struct kernel_param_ops policy_ops = {
	.set = policy_set,
	.get = policy_get,
};
module_param_cb(policy, &policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy,
		 "Protection of pinned page-cache pages: off, observe (default: count what enforce would refuse) or enforce");

static int reconcile_ms_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		gt_reconcile_set_interval(reconcile_ms);
	return ret;
}

static const struct kernel_param_ops reconcile_ms_ops = {
	.set = reconcile_ms_set,
	.get = param_get_uint,
};
module_param_cb(reconcile_ms, &reconcile_ms_ops, &reconcile_ms, 0644);
MODULE_PARM_DESC(reconcile_ms,
		 "Milliseconds between reconciler runs, each checking up to 65536 folios against the kernel; 0: only when a view is read (default 1000)");

static bool reconcile_on_read = true;

static int reconcile_on_read_set(const char *val,
				 const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (!ret)
		gt_reconcile_set_on_read(reconcile_on_read);
	return ret;
}

static const struct kernel_param_ops reconcile_on_read_ops = {
	.set = reconcile_on_read_set,
	.get = param_get_bool,
};
module_param_cb(reconcile_on_read, &reconcile_on_read_ops, &reconcile_on_read,
		0644);
MODULE_PARM_DESC(reconcile_on_read,
		 "Reconcile the whole table before a view prints (default Y); N shows what the worker alone has done");

static unsigned int events_size = GT_RING_DEFAULT;
module_param(events_size, uint, 0444);
MODULE_PARM_DESC(events_size,
		 "Events the ring keeps of each kind, preallocated at load; a kind's oldest are overwritten and counted lost (default 512)");

static unsigned int long_hold_ms;
static unsigned int orphan_s = GT_ORPHAN_S_DEFAULT;

static int gt_event_param_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		gt_reconcile_set_events(long_hold_ms, orphan_s);
	return ret;
}

static const struct kernel_param_ops gt_event_param_ops = {
	.set = gt_event_param_set,
	.get = param_get_uint,
};
module_param_cb(long_hold_ms, &gt_event_param_ops, &long_hold_ms, 0644);
MODULE_PARM_DESC(long_hold_ms,
		 "long_held event: a folio pinned without FOLL_LONGTERM for this many milliseconds; 0: off (default)");
module_param_cb(orphan_s, &gt_event_param_ops, &orphan_s, 0644);
MODULE_PARM_DESC(orphan_s,
		 "orphaned event: pins still held this many seconds after their process exited; 0: off (default 60)");

static int __init gup_track_init(void)
{
	u64 t0 = ktime_get_ns(), t1, t2, t3, t4, t5;
	int ret;

	ret = gt_ring_init(events_size);
	if (ret)
		return ret;
	gt_reconcile_set_events(long_hold_ms, orphan_s);
	ret = gt_site_init(GT_SITES);
	if (ret)
		goto err_ring;
	ret = gt_owner_init(GT_OWNER_RESERVE, GT_OWNER_MAX);
	if (ret)
		goto err_site;
	if (!reserve_entries)
		reserve_entries = clamp(totalram_pages() / 512,
					GT_ENTRY_RESERVE_MIN,
					GT_ENTRY_RESERVE_MAX);
	reserve_entries = min(reserve_entries, max_entries);
	ret = gt_table_init(max_entries, reserve_entries);
	if (ret)
		goto err_owner;
	ret = gt_hooks_init();
	if (ret)
		goto err_table;
	gup_calls = gt_gup_set_slots(gup_calls);
	t1 = ktime_get_ns();
	ret = gt_hooks_attach(GT_HOOKS_TRACK);
	if (ret)
		goto err_hooks;
	if (large_calls < 0)
		large_calls = IS_ENABLED(CONFIG_PREEMPT_RT);
	large_calls = !!large_calls;
	if (large_calls) {
		ret = gt_hooks_attach(GT_HOOKS_LARGE);
		if (ret)
			goto err_hooks;
	}
	t2 = ktime_get_ns();
	gt_settle(GT_SETTLE_MS);
	t3 = ktime_get_ns();
	gt_settle_base(GT_SETTLE_MS);
	t4 = ktime_get_ns();
	ret = gt_debugfs_init();
	if (ret) {
		pr_err("cannot create debugfs directory: %d\n", ret);
		goto err_hooks;
	}
	gt_policy_start();
	t5 = ktime_get_ns();
	gt_settle_times((t2 - t1) / NSEC_PER_MSEC, (t4 - t3) / NSEC_PER_MSEC,
			(t5 - t4) / NSEC_PER_MSEC, (t5 - t0) / NSEC_PER_MSEC);
	gt_reconcile_start(reconcile_ms);
	pr_info("version %s loaded\n", GUP_TRACK_VERSION);
	return 0;

err_hooks:
	gt_hooks_detach(GT_HOOKS_LARGE);
	gt_gup_large_drain();
	gt_hooks_exit();
err_table:
	gt_table_exit();
err_owner:
	gt_owner_exit();
err_site:
	gt_site_exit();
err_ring:
	gt_ring_exit();
	return ret;
}

static void __exit gup_track_exit(void)
{
	gt_policy_stop();
	/* In-flight wrappers record into the table while it is followed. */
	gt_hooks_detach(GT_HOOKS_LARGE);
	gt_gup_large_drain();
	gt_hooks_detach(GT_HOOKS_TRACK);
	gt_policy_drain();
	gt_debugfs_exit();
	/* The views are gone: nothing reads the hooks' counters now. */
	gt_hooks_exit();
	gt_reconcile_exit();
	gt_table_exit();
	gt_owner_exit();
	gt_site_exit();
	gt_ring_exit();
	pr_info("unloaded\n");
}

module_init(gup_track_init);
module_exit(gup_track_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The gup_track developers");
MODULE_DESCRIPTION("Track get_user_pages()/pin_user_pages() pins per page");
MODULE_VERSION(GUP_TRACK_VERSION);
