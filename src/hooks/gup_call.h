/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two halves of a followed GUP call share: the entry points'
 * kretprobes (gup_entry.c), and the wrappers that record a large call in
 * the caller's context (gup_large.c).
 */
#ifndef _GUP_TRACK_GUP_CALL_H
#define _GUP_TRACK_GUP_CALL_H

#include <linux/types.h>

#include "../hook.h"

struct gt_gup_fn {
	bool pin;		/* pins whatever the flags say */
	bool ret_int;		/* returns int, not long; nr is an int too */
	bool folios;		/* fills a folio array */
	u8 nr_arg;		/* argument positions */
	u8 flags_arg;
	u8 array_arg;
};

/* A followed call, from its entry to its return. */
struct gt_gup_data {
	void *array;
	unsigned int gup_flags;
	u32 site;
	u8 site_flags;
	bool pin;
	bool recorded;		/* by its wrapper, before it returned */
};

enum gt_gup_entry {
	GT_GUP_PIN_FAST,
	GT_GUP_PIN_FAST_ONLY,
	GT_GUP_PIN,
	GT_GUP_PIN_REMOTE,
	GT_GUP_PIN_UNLOCKED,
	GT_GUP_GET_FAST,
	GT_GUP_GET_FAST_ONLY,
	GT_GUP_GET,
	GT_GUP_GET_REMOTE,
	GT_GUP_GET_UNLOCKED,
	GT_GUP_MEMFD,
	GT_GUP_ENTRIES
};

/* The kretprobes, by entry point; priv is the struct gt_gup_fn. */
extern struct gt_hook gt_gup_entry_hooks[GT_GUP_ENTRIES];

/* The count argument's value as the function reads it. */
static inline long gt_gup_nr(const struct gt_gup_fn *fn, unsigned long arg)
{
	/* An int's upper half of the register is not part of it. */
	if (fn->ret_int)
		return (int)arg;
	if (fn->folios)
		return (u32)arg;
	return arg;
}

/*
 * With large_calls, a call of more pages than this is recorded by its
 * wrapper, in the caller's context, this many folios at a time.
 */
#define GT_GUP_STRETCH	64

/* How many entries a call handed out, from what it returned. */
static inline long gt_gup_returned(const struct gt_gup_fn *fn,
				   unsigned long rv)
{
	/* an int -EFAULT must not read as 0xfffffff2 */
	return fn->ret_int ? (long)(int)rv : (long)rv;
}

/*
 * Record entries [i, nr) of what call d handed out: all of them, from the
 * return handler (max_folios 0: preemption off, timed), or from the
 * wrapper the runs of the first max_folios folios, stopping (with refill)
 * before the first that finds the reserve empty. Returns how many entries.
 */
long gt_gup_record(const struct gt_gup_fn *fn, struct gt_gup_data *d,
		   long i, long nr, long max_folios, bool refill);

#endif /* _GUP_TRACK_GUP_CALL_H */
