/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GUP_TRACK_DEBUGFS_H
#define _GUP_TRACK_DEBUGFS_H

int gt_debugfs_init(void);
void gt_debugfs_exit(void);

#endif /* _GUP_TRACK_DEBUGFS_H */
