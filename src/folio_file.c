// SPDX-License-Identifier: GPL-2.0
/*
 * From a folio to its file (folio_file.h).
 *
 * The folio may have been truncated, and its inode evicted, since the
 * caller last knew it: folio->mapping is read once, and only a file
 * mapping (no PAGE_MAPPING_ANON or PAGE_MAPPING_MOVABLE bit) is followed.
 * While a folio is in a mapping's page cache the inode cannot be freed,
 * and once read under rcu_read_lock() it stays readable until the grace
 * period ends: inodes and super_blocks are freed after one. The inode must
 * also say the mapping is its own, or what was read is not a file's. The
 * loads go through get_kernel_nofault() all the same, as dump_mapping()
 * does, so that a chain that still went wrong costs a missing file, not
 * an oops.
 */
#include <linux/fs.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>

#include "folio_file.h"

bool gt_folio_file_id(struct folio *folio, struct gt_file_id *id)
{
	struct address_space *mapping, *own;
	struct super_block *sb;
	struct inode *host;
	bool ok = false;

	/* A slab's cache pointer sits where a folio's mapping does. */
	if (folio_test_slab(folio))
		return false;
	rcu_read_lock();
	mapping = READ_ONCE(folio->mapping);
	if (!mapping || ((unsigned long)mapping & PAGE_MAPPING_FLAGS))
		goto out;
	if (get_kernel_nofault(host, &mapping->host) || !host ||
	    get_kernel_nofault(own, &host->i_mapping) || own != mapping ||
	    get_kernel_nofault(sb, &host->i_sb) || !sb ||
	    get_kernel_nofault(id->ino, &host->i_ino) ||
	    get_kernel_nofault(id->dev, &sb->s_dev))
		goto out;
	id->index = READ_ONCE(folio->index);
	ok = true;
out:
	rcu_read_unlock();
	return ok;
}

/*
 * A pfn whose memory was hot-removed has no struct page any more, and one
 * whose memory was offlined has one that may hold anything: neither is
 * read.
 */
bool gt_pfn_file_id(unsigned long pfn, struct gt_file_id *id)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return false;
	page = pfn_to_online_page(pfn);
	if (!page)
		return false;
	return gt_folio_file_id(page_folio(page), id);
}
