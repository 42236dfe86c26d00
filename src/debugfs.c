// SPDX-License-Identifier: GPL-2.0
/*
 * The read-only views under /sys/kernel/debug/gup_track. Every file is a
 * 0444 seq_file: kernel lockdown refuses to open anything writable in
 * debugfs, so controls live in module parameters instead.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>

#include <gup_track/version.h>

#include "debugfs.h"

static struct dentry *gt_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "version %s\n", GUP_TRACK_VERSION);
	seq_printf(m, "format %d\n", GUP_TRACK_FORMAT_VERSION);
	seq_printf(m, "built_for %s\n", UTS_RELEASE);
	seq_printf(m, "running %s\n", init_utsname()->release);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

int gt_debugfs_init(void)
{
	struct dentry *d;

	gt_dir = debugfs_create_dir(GUP_TRACK_DEBUGFS_DIR, NULL);
	if (IS_ERR(gt_dir))
		return PTR_ERR(gt_dir);

	d = debugfs_create_file("version", 0444, gt_dir, NULL, &version_fops);
	if (IS_ERR(d)) {
		debugfs_remove_recursive(gt_dir);
		return PTR_ERR(d);
	}
	return 0;
}

void gt_debugfs_exit(void)
{
	debugfs_remove_recursive(gt_dir);
	gt_dir = NULL;
}
