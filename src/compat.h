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

/*
 * The GUP paths of the two supported lines.
 *
 * 6.1:  FOLL_PIN is public; pin_user_pages_fast_only() exists; O_DIRECT
 *       takes FOLL_GET references that __bio_release_pages() drops.
 * 6.12: FOLL_PIN is private to mm/ (1 << 19); memfd_pin_folios() pins for
 *       udmabuf; fs/direct-io.c adds pins with folio_add_pin(); block I/O
 *       pins, and __bio_release_pages() unpins through the common funnel.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define GT_FOLL_PIN			FOLL_PIN
#define GT_HAVE_PIN_FAST_ONLY		true
#define GT_HAVE_MEMFD_PIN_FOLIOS	false
#define GT_HAVE_FOLIO_ADD_PIN		false
#define GT_BIO_RELEASE_PUTS_REFS	true
#else
#define GT_FOLL_PIN			BIT(19)
#define GT_HAVE_PIN_FAST_ONLY		false
#define GT_HAVE_MEMFD_PIN_FOLIOS	true
#define GT_HAVE_FOLIO_ADD_PIN		true
#define GT_BIO_RELEASE_PUTS_REFS	false
#endif

#endif /* _GUP_TRACK_COMPAT_H */
