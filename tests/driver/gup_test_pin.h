/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Interface of the test-only pinning driver, /dev/gup_test_pin. Shared by
 * the driver and the guest test programs.
 */
#ifndef _GUP_TEST_PIN_H
#define _GUP_TEST_PIN_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GTP_DEVICE		"/dev/gup_test_pin"
#define GTP_MAX_PAGES		65536

/* How the pages are taken. */
enum gtp_method {
	GTP_PIN_FAST = 1,	/* pin_user_pages_fast */
	GTP_PIN,		/* pin_user_pages, mmap_lock held */
	GTP_PIN_UNLOCKED,	/* pin_user_pages_unlocked */
	GTP_PIN_REMOTE,		/* pin_user_pages_remote on current->mm */
	GTP_GET_FAST,		/* get_user_pages_fast (FOLL_GET) */
	GTP_GET_FAST_ONLY,	/* get_user_pages_fast_only */
	GTP_GET,		/* get_user_pages, mmap_lock held */
	GTP_GET_UNLOCKED,	/* get_user_pages_unlocked */
	GTP_GET_REMOTE,		/* get_user_pages_remote on current->mm */
	/*
	 * get_user_pages_unlocked with FOLL_PIN, as 6.1's
	 * pin_user_pages_unlocked calls it: pins. EOPNOTSUPP where FOLL_PIN
	 * is private to mm/ (6.12).
	 */
	GTP_GET_UNLOCKED_PIN,
	GTP_METHOD_MAX,
};

#define GTP_F_WRITE		0x1	/* FOLL_WRITE */
#define GTP_F_LONGTERM		0x2	/* FOLL_LONGTERM */
#define GTP_F_ALL		(GTP_F_WRITE | GTP_F_LONGTERM)

/*
 * How a held set is given back. The first four must match how it was
 * taken; the last four are deliberate driver bugs, for the detector.
 */
enum gtp_release_how {
	GTP_REL_UNPIN = 1,	/* unpin_user_pages */
	GTP_REL_UNPIN_PAGE,	/* unpin_user_page, one page at a time */
	GTP_REL_UNPIN_DIRTY,	/* unpin_user_pages_dirty_lock(..., true) */
	GTP_REL_PUT,		/* put_page, for FOLL_GET sets */
	GTP_REL_CARELESS,	/* put_page on a FOLL_PIN set: misuse */
	GTP_REL_LEAK,		/* forget the set: its pages stay held forever */
	/*
	 * Drop each small folio's pin references behind the unpin path's
	 * back, as a release nobody saw; large folios are unpinned properly.
	 */
	GTP_REL_UNSEEN,
	/*
	 * unpin_user_page() on a FOLL_GET set of large folios only (on a
	 * small folio the kernel's refcount would underflow). Each folio also
	 * gets a reference that is never dropped, so that it is never freed
	 * with the pin count this leaves below zero.
	 */
	GTP_REL_UNPIN_GETS,
	GTP_REL_MAX,
};

struct gtp_pin {
	__u64 addr;		/* in: user address, page aligned */
	__u32 nr_pages;		/* in: pages requested */
	__u32 method;		/* in: enum gtp_method */
	__u32 flags;		/* in: GTP_F_* */
	__u32 id;		/* out: handle of the held set, 0 if none */
	__s32 result;		/* out: pages taken, or the GUP call's -errno */
	__u32 reserved;		/* must be 0 */
};

struct gtp_release {
	__u32 id;		/* in: a handle from GTP_IOC_PIN */
	__u32 how;		/* in: enum gtp_release_how */
};

struct gtp_page_info {
	__u64 pfn;
	__u32 maybe_dma_pinned;	/* folio_maybe_dma_pinned() */
	__u32 order;		/* folio order */
};

struct gtp_query {
	__u32 id;		/* in: a held set */
	__u32 nr;		/* in: capacity of info[]; out: pages in the set */
	__u64 info;		/* in: user pointer to struct gtp_page_info[nr] */
};

/* Write a byte pattern into every page of a set, as a device's DMA would. */
struct gtp_dma_write {
	__u32 id;		/* in: a held set */
	__u32 pattern;		/* in: the byte written (low 8 bits) */
};

#define GTP_IOC_MAGIC	'G'
#define GTP_IOC_PIN	_IOWR(GTP_IOC_MAGIC, 1, struct gtp_pin)
#define GTP_IOC_RELEASE	_IOW(GTP_IOC_MAGIC, 2, struct gtp_release)
#define GTP_IOC_QUERY	_IOWR(GTP_IOC_MAGIC, 3, struct gtp_query)
#define GTP_IOC_DMA_WRITE _IOW(GTP_IOC_MAGIC, 4, struct gtp_dma_write)

#endif /* _GUP_TEST_PIN_H */
