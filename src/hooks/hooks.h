/* SPDX-License-Identifier: GPL-2.0 */
/* Every hooked kernel path, one set per file in this directory. */
#ifndef _GUP_TRACK_HOOKS_H
#define _GUP_TRACK_HOOKS_H

#include "../hook.h"

extern struct gt_hook_set gt_hooks_page_free;
extern struct gt_hook_set gt_hooks_gup_put;
extern struct gt_hook_set gt_hooks_bio_release;
extern struct gt_hook_set gt_hooks_add_pin;
extern struct gt_hook_set gt_hooks_gup_entry;

#endif /* _GUP_TRACK_HOOKS_H */
