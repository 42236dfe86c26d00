// SPDX-License-Identifier: GPL-2.0
/*
 * gup_track: which pages are pinned by get_user_pages()/pin_user_pages(),
 * by whom, for how long, and are they file-backed.
 *
 * This file owns the init/exit order and the module parameters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/stackdepot.h>

#include <gup_track/version.h>

#include "debugfs.h"
#include "event.h"
#include "hook.h"
#include "policy.h"
#include "table.h"

static unsigned long max_entries = 1UL << 20;

static int max_entries_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_ulong(val, kp);

	if (!ret)
		gt_table_set_limit(max_entries);
	return ret;
}

static const struct kernel_param_ops max_entries_ops = {
	.set = max_entries_set,
	.get = param_get_ulong,
};
module_param_cb(max_entries, &max_entries_ops, &max_entries, 0644);
MODULE_PARM_DESC(max_entries,
		 "Most folios tracked at once; beyond it pins are counted as untracked (default 1048576)");

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

static int __init gup_track_init(void)
{
	int ret;

	ret = stack_depot_init();
	if (ret)
		return ret;
	ret = gt_table_init(max_entries);
	if (ret)
		return ret;
	ret = gt_event_init();
	if (ret)
		goto err_table;
	ret = gt_debugfs_init();
	if (ret) {
		pr_err("cannot create debugfs directory: %d\n", ret);
		goto err_event;
	}
	ret = gt_hooks_install();
	if (ret)
		goto err_debugfs;
	gt_policy_start();
	pr_info("version %s loaded\n", GUP_TRACK_VERSION);
	return 0;

err_debugfs:
	gt_debugfs_exit();
err_event:
	gt_event_exit();
err_table:
	gt_table_exit();
	return ret;
}

static void __exit gup_track_exit(void)
{
	gt_policy_stop();
	gt_hooks_remove();
	gt_policy_drain();
	gt_debugfs_exit();
	gt_event_exit();
	gt_table_exit();
	pr_info("unloaded\n");
}

module_init(gup_track_init);
module_exit(gup_track_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The gup_track developers");
MODULE_DESCRIPTION("Track get_user_pages()/pin_user_pages() pins per page");
MODULE_VERSION(GUP_TRACK_VERSION);
