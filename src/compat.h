/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference gup_track cares about lives here, so the
 * rest of the code reads the same on 6.1 and 6.12.
 */
#ifndef _GUP_TRACK_COMPAT_H
#define _GUP_TRACK_COMPAT_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rethook.h>
#include <linux/sched.h>
#include <linux/version.h>
#include <asm/unwind.h>

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
/*
 * A wrapper of a GUP entry point declares its pages argument (and vmas,
 * before 6.5) with GT_PAGES_PARAM, and passes them on with these.
 */
#define GT_PAGES_PARAM	struct page **pages, struct vm_area_struct **vmas
#define gt_gup_pass(fn, start, nr, flags) \
	fn(start, nr, flags, pages, vmas)
#define gt_gup_pass_remote(fn, mm, start, nr, flags, locked) \
	fn(mm, start, nr, flags, pages, vmas, locked)
#else
#define gt_pin_user_pages(start, nr, flags, pages) \
	pin_user_pages(start, nr, flags, pages)
#define gt_get_user_pages(start, nr, flags, pages) \
	get_user_pages(start, nr, flags, pages)
#define gt_pin_user_pages_remote(mm, start, nr, flags, pages, locked) \
	pin_user_pages_remote(mm, start, nr, flags, pages, locked)
#define gt_get_user_pages_remote(mm, start, nr, flags, pages, locked) \
	get_user_pages_remote(mm, start, nr, flags, pages, locked)
#define GT_PAGES_PARAM	struct page **pages
#define gt_gup_pass(fn, start, nr, flags)	fn(start, nr, flags, pages)
#define gt_gup_pass_remote(fn, mm, start, nr, flags, locked) \
	fn(mm, start, nr, flags, pages, locked)
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
#define GT_PUBLIC_FOLL_PIN		true
#define GT_HAVE_PIN_FAST_ONLY		true
#define GT_HAVE_MEMFD_PIN_FOLIOS	false
#define GT_HAVE_FOLIO_ADD_PIN		false
#define GT_BIO_RELEASE_PUTS_REFS	true
struct file;
/* Never called: its hooks are not wanted on this kernel. */
static inline long gt_memfd_pin_folios(struct file *memfd, loff_t start,
				       loff_t end, struct folio **folios,
				       unsigned int max_folios,
				       pgoff_t *offset)
{
	return -EOPNOTSUPP;
}
#else
#define GT_FOLL_PIN			BIT(19)
#define GT_PUBLIC_FOLL_PIN		false
#define GT_HAVE_PIN_FAST_ONLY		false
#define GT_HAVE_MEMFD_PIN_FOLIOS	true
#define GT_HAVE_FOLIO_ADD_PIN		true
#define GT_BIO_RELEASE_PUTS_REFS	false
#define gt_memfd_pin_folios		memfd_pin_folios
#endif

/* ftrace callbacks see the arguments through ftrace_regs. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define gt_fregs_arg(fregs, n) \
	regs_get_kernel_argument(&(fregs)->regs, n)
#define gt_fregs_set_ip(fregs, ip)	ftrace_instruction_pointer_set(fregs, ip)
#else
#define gt_fregs_arg(fregs, n)		ftrace_regs_get_argument(fregs, n)
#define gt_fregs_set_ip(fregs, ip) \
	ftrace_regs_set_instruction_pointer(fregs, ip)
#endif

/*
 * The exact pin count of a large folio, and how many times a folio is
 * mapped (one reference per mapping on both lines), or -1 when that cannot
 * be read now. 6.1's folio_mapcount() is not exported; this is its body,
 * made safe for a caller that holds no reference, maybe with interrupts
 * off: a THP split reuses the first tail page, where the size lives, while
 * the head still reads as large (nr then reads about 4e9), so the loop is
 * bounded by what a THP can be and the size is read again after it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
static inline int gt_folio_pincount(struct folio *folio)
{
	return atomic_read(folio_pincount_ptr(folio));
}

static inline int gt_folio_mapcount(struct folio *folio)
{
	int i, compound, ret;
	long nr;

	if (likely(!folio_test_large(folio)))
		return atomic_read(&folio->_mapcount) + 1;
	compound = folio_entire_mapcount(folio);
	if (folio_test_hugetlb(folio))
		return compound;
	nr = folio_nr_pages(folio);
	if (nr > MAX_ORDER_NR_PAGES || !is_power_of_2(nr) ||
	    !IS_ALIGNED(folio_pfn(folio), nr))
		return -1;
	ret = compound;
	for (i = 0; i < nr; i++)
		ret += atomic_read(&folio_page(folio, i)->_mapcount) + 1;
	/* Split meanwhile: the sum mixes two shapes. */
	smp_rmb();
	if (!folio_test_large(folio) || folio_nr_pages(folio) != nr)
		return -1;
	if (!folio_test_anon(folio))
		return ret - compound * nr;
	if (folio_test_double_map(folio))
		ret -= nr;
	return ret;
}

/*
 * The page cache's references on a folio of nr pages: 6.1 adds a hugetlb
 * folio with one.
 */
static inline long gt_folio_cache_refs(struct folio *folio, long nr)
{
	return folio_test_hugetlb(folio) ? 1 : nr;
}
#else
static inline int gt_folio_pincount(struct folio *folio)
{
	return atomic_read(&folio->_pincount);
}

/* No loop here: the large mapcount is one counter. */
static inline int gt_folio_mapcount(struct folio *folio)
{
	return folio_mapcount(folio);
}

static inline long gt_folio_cache_refs(struct folio *folio, long nr)
{
	return nr;
}
#endif

/*
 * 6.7 moved rethook onto objpool, whose per-CPU rings are each sized for
 * every instance: a kretprobe of maxactive instances then costs possible
 * CPUs x maxactive x 8 bytes beside the instances themselves.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define GT_RETHOOK_RING_PER_CPU		false
#else
#define GT_RETHOOK_RING_PER_CPU		true
#endif

/* Where the unwinder read the current frame's return address. */
static inline unsigned long *gt_unwind_ret_ptr(struct unwind_state *state)
{
	if (unwind_done(state))
		return NULL;
	if (state->regs)
		return &state->regs->ip;
	if (state->sp)
		return (unsigned long *)state->sp - 1;
	return NULL;
}

/*
 * Both lines run kretprobes on rethook: each running instance is a node on
 * the task's rethook list, newest first, whose rethook's data is the
 * kretprobe. Only the task itself (and its interrupts, which restore what
 * they change) edits that list, so current may walk it without a lock;
 * another task's list is read under RCU, which keeps its nodes. Nodes of
 * other rethook users (fprobe) are compared, never dereferenced as
 * kretprobe instances.
 */
#define gt_for_each_rethook(task, rhn)					\
	for (struct llist_node *__n = READ_ONCE((task)->rethooks.first); \
	     __n && ((rhn) = container_of(__n, struct rethook_node, llist)); \
	     __n = READ_ONCE(__n->next))

static inline const void *gt_rethook_data(const struct rethook_node *rhn)
{
	return READ_ONCE(rhn->rethook->data);
}

static inline struct kretprobe_instance *
gt_rethook_kretprobe_instance(struct rethook_node *rhn)
{
	return container_of(rhn, struct kretprobe_instance, node);
}

#endif /* _GUP_TRACK_COMPAT_H */
