/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference gup_track cares about lives here, so the
 * rest of the code reads the same on 6.1 and 6.12.
 */
#ifndef _GUP_TRACK_COMPAT_H
#define _GUP_TRACK_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/* 6.5 dropped the vmas argument of the GUP entry points. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define gt_pin_user_pages(start, nr, flags, pages) \
	pin_user_pages(start, nr, flags, pages, NULL)
#define gt_get_user_pages(start, nr, flags, pages) \
	get_user_pages(start, nr, flags, pages, NULL)
#define gt_pin_user_pages_remote(mm, start, nr, flags, pages, locked) \
	pin_user_pages_remote(mm, start, nr, flags, pages, NULL, locked)
#define gt_get_user_pages_remote(mm, start, nr, flags, pages, locked) \
	get_user_pages_remote(mm, start, nr, flags, pages, NULL, locked)
#else
#define gt_pin_user_pages(start, nr, flags, pages) \
	pin_user_pages(start, nr, flags, pages)
#define gt_get_user_pages(start, nr, flags, pages) \
	get_user_pages(start, nr, flags, pages)
#define gt_pin_user_pages_remote(mm, start, nr, flags, pages, locked) \
	pin_user_pages_remote(mm, start, nr, flags, pages, locked)
#define gt_get_user_pages_remote(mm, start, nr, flags, pages, locked) \
	get_user_pages_remote(mm, start, nr, flags, pages, locked)
#endif

#endif /* _GUP_TRACK_COMPAT_H */
