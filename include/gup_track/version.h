/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formats shared by the gup_track module and its userspace tools.
 */
#ifndef _GUP_TRACK_VERSION_H
#define _GUP_TRACK_VERSION_H

#define GUP_TRACK_VERSION	"0.1.0"

/*
 * Bumped whenever a debugfs file changes in a way a parser would notice:
 * a column added, removed or reordered, or a key renamed.
 */
#define GUP_TRACK_FORMAT_VERSION	4

#define GUP_TRACK_DEBUGFS_DIR	"gup_track"

#endif /* _GUP_TRACK_VERSION_H */
