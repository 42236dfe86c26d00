// SPDX-License-Identifier: GPL-2.0
/*
 * folio_add_pin(folio): 6.12's legacy fs/direct-io.c adds a pin to a folio
 * it already pinned, without GUP and without the kernel's counters.
 */
#include <linux/mm.h>

#include "../compat.h"
#include "../track.h"
#include "hooks.h"

static void add_pin_watch(struct gt_hook *h, struct ftrace_regs *fregs,
			  unsigned long parent_ip)
{
	gt_track_add_pin((void *)gt_fregs_arg(fregs, 0));
}

static struct gt_hook add_pin_hooks[] = {
	{ .name = "folio_add_pin", .kind = GT_FENTRY,
	  .wanted = GT_HAVE_FOLIO_ADD_PIN, .watch = add_pin_watch },
};

struct gt_hook_set gt_hooks_add_pin = {
	.hooks = add_pin_hooks,
	.nr = ARRAY_SIZE(add_pin_hooks),
};
