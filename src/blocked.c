// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_blocked events (blocked.h). A folio the table holds pins or
 * references on that a migration gave back is reported, attributed to its
 * taker; one the table does not know failed for some other reason
 * (a folio lock, no memory for the copy) and is not. Once per folio and
 * reason while the table holds it: memory offlining retries a pinned
 * folio until a signal stops it, thousands of times a second, and would
 * flood the ring.
 */
#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/migrate_mode.h>
#include <linux/mm.h>

#include "blocked.h"
#include "ring.h"
#include "table.h"

static const char * const gt_reasons[] = {
	[MR_COMPACTION] = "compaction",
	[MR_MEMORY_FAILURE] = "memory_failure",
	[MR_MEMORY_HOTPLUG] = "memory_hotplug",
	[MR_SYSCALL] = "syscall",
	[MR_MEMPOLICY_MBIND] = "mbind",
	[MR_NUMA_MISPLACED] = "numa_misplaced",
	[MR_CONTIG_RANGE] = "contig_range",
	[MR_LONGTERM_PIN] = "longterm_pin",
	[MR_DEMOTION] = "demotion",
};

const char *gt_migrate_reason_name(unsigned int reason)
{
	if (reason < ARRAY_SIZE(gt_reasons) && gt_reasons[reason])
		return gt_reasons[reason];
	return "other";
}

static atomic64_t gt_repeats;

u64 gt_blocked_repeats(void)
{
	return atomic64_read(&gt_repeats);
}

void gt_event_migrate_failed(struct folio *folio, int reason)
{
	struct gt_ev ev = { .kind = GT_EV_MIGRATE_BLOCKED };
	struct gt_owner owner = {};
	struct gt_entry e;
	u16 bit;
	int ret;

	/* A reason of our own past the last bit: the last bit. */
	bit = BIT(clamp(reason, 0, (int)BITS_PER_TYPE(e.blocked) - 1));
	ret = gt_table_describe_once(folio_pfn(folio), bit, &e, &owner);
	if (ret == -EEXIST)
		atomic64_inc(&gt_repeats);
	if (ret || (!e.pins && !e.gets))
		return;
	gt_ev_fill(&ev, &e, owner.tgid ? &owner : NULL, folio);
	ev.pins = e.pins;
	ev.gets = e.gets;
	ev.reason = reason < 0 || reason > U8_MAX ? U8_MAX : reason;
	gt_ring_emit(&ev);
}
