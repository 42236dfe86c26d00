// SPDX-License-Identifier: GPL-2.0
/*
 * folio_add_pin(folio): 6.12's legacy fs/direct-io.c adds a pin to a folio
 * it already pinned, without GUP and without the kernel's counters.
 */
#include <linux/mm.h>
#include <linux/ptrace.h>

#include "../compat.h"
#include "../event.h"
#include "hooks.h"

static void add_pin_pre(struct gt_hook *h, struct pt_regs *regs)
{
	gt_event_add_pin((void *)regs_get_kernel_argument(regs, 0));
}

static struct gt_hook add_pin_hooks[] = {
	{ .name = "folio_add_pin", .kind = GT_KPROBE,
	  .wanted = GT_HAVE_FOLIO_ADD_PIN, .pre = add_pin_pre },
};

struct gt_hook_set gt_hooks_add_pin = {
	.hooks = add_pin_hooks,
	.nr = ARRAY_SIZE(add_pin_hooks),
};
