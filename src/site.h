/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call sites: where GUP calls come from, with their stacks.
 *
 * Unwinding a stack costs more than the GUP call it describes, so a call
 * site is unwound once and then recognised. A site is keyed by the GUP
 * entry's return address, and it remembers where on the stack each of its
 * return addresses lives, as distances from the entry's sp and from the
 * top of the stack (a syscall's random stack offset moves the frames
 * below it, not those above). A later call with the same key whose stack
 * holds the same return addresses in the same slots came down the same
 * call chain: the ORC unwinder, given the same starting point and the same
 * return addresses, takes the same path. The check costs a load or two per
 * frame; a mismatch unwinds and makes a new site.
 *
 * Sites are created in probe handlers (no allocation: a fixed array) and
 * live until unload; a site's id is the "stack" handle the views print.
 */
#ifndef _GUP_TRACK_SITE_H
#define _GUP_TRACK_SITE_H

#include <linux/ptrace.h>
#include <linux/types.h>

#define GT_SITE_DEPTH		16
#define GT_SITE_NAME		48
#define GT_SITE_NONE		0	/* no site: unknown, or the table is full */

#define GT_SITE_INTERNAL	BIT(0)	/* a kernel user that is not DMA */
/* pins owned by a file (io_uring, RDMA), not by the caller */
#define GT_SITE_FILE_OWNED	BIT(1)

struct gt_site_info {
	unsigned int nr;
	unsigned long frames[GT_SITE_DEPTH];	/* the caller's frame first */
	char caller[GT_SITE_NAME];		/* first frame outside GUP */
	u8 flags;
};

int gt_site_init(unsigned int max);
void gt_site_exit(void);

/*
 * The site of the GUP call whose entry registers are regs, found or made,
 * and its GT_SITE_* flags. Task context, preemption disabled. Returns
 * GT_SITE_NONE if it cannot (every site used: counted in gt_site_full());
 * *flags then holds what the caller's return address alone tells.
 */
u32 gt_site_find(struct pt_regs *regs, u8 *flags);
u8 gt_site_flags(u32 id);
/* Copy a site out for the views; false if there is no such site. */
bool gt_site_get(u32 id, struct gt_site_info *info);

unsigned int gt_site_count(void);
unsigned long gt_site_full(void);
unsigned long gt_site_bytes(void);

#endif /* _GUP_TRACK_SITE_H */
