/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migrate_blocked events: a tracked folio that a migration could not move,
 * with who holds it and why the kernel was migrating (ring.h).
 */
#ifndef _GUP_TRACK_BLOCKED_H
#define _GUP_TRACK_BLOCKED_H

#include <linux/mm_types.h>

/*
 * folio is isolated and held by the caller of migrate_pages(), which
 * failed to move it; reason is its enum migrate_reason. Any context but
 * NMI. Reported once per folio and reason while it is tracked.
 */
void gt_event_migrate_failed(struct folio *folio, int reason);

/* Failures not reported again: the folio's for that reason was. */
u64 gt_blocked_repeats(void);

/* The name of a migrate reason, as the events view prints it. */
const char *gt_migrate_reason_name(unsigned int reason);

#endif /* _GUP_TRACK_BLOCKED_H */
