// SPDX-License-Identifier: GPL-2.0
/*
 * gup_track: which pages are pinned by get_user_pages()/pin_user_pages(),
 * by whom, for how long, and are they file-backed.
 *
 * This file owns the init/exit order and the module parameters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>

#include <gup_track/version.h>

#include "debugfs.h"

static int __init gup_track_init(void)
{
	int ret;

	ret = gt_debugfs_init();
	if (ret) {
		pr_err("cannot create debugfs directory: %d\n", ret);
		return ret;
	}
	pr_info("version %s loaded\n", GUP_TRACK_VERSION);
	return 0;
}

static void __exit gup_track_exit(void)
{
	gt_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(gup_track_init);
module_exit(gup_track_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The gup_track developers");
MODULE_DESCRIPTION("Track get_user_pages()/pin_user_pages() pins per page");
MODULE_VERSION(GUP_TRACK_VERSION);
