/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way from a folio to the file it caches. Every reader of
 * folio → mapping → inode → super_block goes through here, under one rule:
 * the caller keeps the folio's struct page in place (a pin or reference
 * it holds, the folio lock, or a table bucket lock over the entry of a
 * pin), and everything past the folio is read under RCU, which is how
 * inodes and super_blocks are freed, without trusting any link.
 */
#ifndef _GUP_TRACK_FOLIO_FILE_H
#define _GUP_TRACK_FOLIO_FILE_H

#include <linux/mm_types.h>
#include <linux/types.h>

struct gt_file_id {
	dev_t dev;
	unsigned long ino;
	unsigned long index;	/* of the folio in the file, in pages */
};

/*
 * Fill id and return true if folio is page cache of a file (shmem and
 * memfd included); false for anonymous, movable or unmapped folios, or a
 * chain that does not hold together. Any context but NMI; never sleeps.
 */
bool gt_folio_file_id(struct folio *folio, struct gt_file_id *id);
/* The same from a pfn, which may be invalid (memory hot-removed since). */
bool gt_pfn_file_id(unsigned long pfn, struct gt_file_id *id);

#endif /* _GUP_TRACK_FOLIO_FILE_H */
