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

/* The policy's: vetoes and data-loss events. */
extern struct gt_hook_set gt_hooks_truncate;
extern struct gt_hook_set gt_hooks_writeback;
extern struct gt_hook_set gt_hooks_release_veto;
extern struct gt_hook_set gt_hooks_unmap_veto;

void gt_writeback_init(void);
void gt_writeback_exit(void);

#endif /* _GUP_TRACK_HOOKS_H */
