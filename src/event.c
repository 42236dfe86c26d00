// SPDX-License-Identifier: GPL-2.0
/*
 * Events → table. The acquire side records what an outermost GUP call
 * returned, once, when it returns. The release side takes every FOLL_PIN
 * drop from the kernel's single funnel; a drop made by a task while it is
 * still inside its own GUP call is that call rolling back pins it never
 * handed out (gup-fast rollback, long-term migration retry), so it is
 * counted apart and never touches the table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmstat.h>

#include "compat.h"
#include "event.h"
#include "table.h"

#define GT_GFP		(GFP_NOWAIT | __GFP_NOWARN)

static struct gt_taskmap gt_calls;
static struct kmem_cache *gt_call_cache;

static struct {
	atomic64_t pins_acquired, pins_released, pins_rolled_back;
	atomic64_t pins_released_untracked, pins_added;
	atomic64_t gets_acquired, gets_released, gets_freed, gets_internal;
	atomic64_t freed_while_pinned, untracked, calls_nomem;
} gt_ctr;

static unsigned long gt_kernel_pin_base[2];

/* Frames that are GUP itself or its thin wrappers, never "the caller". */
static const char * const gt_helpers[] = {
	"pin_user_pages", "get_user_pages", "__get_user_pages",
	"__gup_", "gup_", "internal_get_user_pages", "memfd_pin_folios",
	"iov_iter_", "__iov_iter_", "want_pages_array", "iter_xarray",
	"bio_iov_iter_get_pages", "__bio_iov_iter_get_pages",
	"bio_map_user_iov", "extract_user_to_", "get_user_page_vma_remote",
};

/* Kernel-internal FOLL_GET users that are not DMA: counted apart. */
static const char * const gt_internal[] = {
	"get_arg_page", "__access_remote_vm", "access_remote_vm",
	"get_futex_key", "uprobe_write_opcode", "__update_ref_ctr",
};

static bool gt_name_in(const char *name, const char * const *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strncmp(name, list[i], strlen(list[i])))
			return true;
	return false;
}

static bool gt_in_gup(void)
{
	return gt_taskmap_current(&gt_calls);
}

/*
 * A GUP entry point was called. Returns the call to hand back at return,
 * or NULL if this call is nested in another one of the same task (only the
 * outermost records) or cannot be followed.
 */
struct gt_call *gt_event_gup_enter(unsigned long ret_addr)
{
	unsigned long stack[GT_STACK_DEPTH * 2];
	struct gt_call *call;
	unsigned int nr, i;

	if (gt_in_gup())
		return NULL;
	call = kmem_cache_alloc(gt_call_cache, GT_GFP);
	if (!call) {
		atomic64_inc(&gt_ctr.calls_nomem);
		return NULL;
	}

	/* Keep the stack from the caller outwards, not our own frames. */
	nr = stack_trace_save(stack, ARRAY_SIZE(stack), 0);
	for (i = 0; i < nr && stack[i] != ret_addr; i++)
		;
	if (i == nr)
		i = 0;
	call->nr_stack = min_t(unsigned int, nr - i, GT_STACK_DEPTH);
	memcpy(call->stack, stack + i, call->nr_stack * sizeof(*stack));
	gt_taskmap_add(&gt_calls, &call->tn);
	return call;
}

void gt_event_gup_exit(struct gt_call *call)
{
	gt_taskmap_del(&gt_calls, &call->tn);
	kmem_cache_free(gt_call_cache, call);
}

/* The first frame outside GUP; *internal if it is a non-DMA kernel user. */
static unsigned long gt_caller(const struct gt_call *call, bool *internal)
{
	char name[KSYM_SYMBOL_LEN];
	unsigned int i;

	*internal = false;
	for (i = 0; i < call->nr_stack; i++) {
		sprint_symbol_no_offset(name, call->stack[i]);
		if (gt_name_in(name, gt_helpers, ARRAY_SIZE(gt_helpers)))
			continue;
		*internal = gt_name_in(name, gt_internal,
				       ARRAY_SIZE(gt_internal));
		return call->stack[i];
	}
	return call->nr_stack ? call->stack[0] : 0;
}

static u8 gt_folio_kind(struct folio *folio)
{
	if (folio_test_anon(folio))
		return 0;
	if (!READ_ONCE(folio->mapping))
		return 0;
	return folio_test_swapbacked(folio) ? GT_E_FILE | GT_E_SHMEM :
					      GT_E_FILE;
}

static struct gt_attr *gt_attr_new(const struct gt_call *call,
				   unsigned long caller)
{
	struct gt_attr *attr = gt_attr_alloc(GT_GFP);

	if (!attr)
		return NULL;
	attr->pid = current->tgid;
	strscpy(attr->comm, current->comm, sizeof(attr->comm));
	attr->caller = caller;
	attr->stack = stack_depot_save((unsigned long *)call->stack,
				       call->nr_stack, GT_GFP);
	attr->time_ns = ktime_get_boottime_ns();
	return attr;
}

void gt_event_acquire(const struct gt_acquire *acq)
{
	atomic64_t *acquired = acq->pin ? &gt_ctr.pins_acquired :
					  &gt_ctr.gets_acquired;
	struct gt_attr *attr;
	unsigned long caller;
	bool internal;
	u8 flags = 0;
	long i;

	if (acq->nr <= 0)
		return;
	caller = gt_caller(acq->call, &internal);
	if (!acq->pin && internal) {
		atomic64_add(acq->nr, &gt_ctr.gets_internal);
		return;
	}
	if (acq->gup_flags & FOLL_LONGTERM)
		flags |= GT_E_LONGTERM;
	if (acq->gup_flags & FOLL_WRITE)
		flags |= GT_E_WRITE;

	attr = gt_attr_new(acq->call, caller);
	for (i = 0; i < acq->nr; i++) {
		struct page *page = acq->pages ? acq->pages[i] : NULL;
		struct folio *folio = page ? page_folio(page) : acq->folios[i];
		unsigned int idx = page ? folio_page_idx(folio, page) : 0;
		unsigned long pfn = folio_pfn(folio);

		/* The kernel neither pins nor frees the zero page. */
		if (is_zero_pfn(pfn))
			continue;
		atomic64_inc(acquired);
		if (!attr ||
		    gt_table_take(pfn, folio_order(folio), idx,
				  acq->pin, !acq->pin,
				  flags | gt_folio_kind(folio), attr))
			atomic64_inc(&gt_ctr.untracked);
	}
	gt_attr_put(attr);
}

/* gup_put_folio() is dropping refs FOLL_PIN pins of folio. */
bool gt_event_unpin(struct folio *folio, int refs)
{
	unsigned long pfn = folio_pfn(folio);
	bool last_write = false;
	int n;

	if (is_zero_pfn(pfn))
		return false;
	/* In IRQ context current is whoever was interrupted. */
	if (in_task() && gt_in_gup()) {
		atomic64_add(refs, &gt_ctr.pins_rolled_back);
		return false;
	}
	n = gt_table_unpin(pfn, refs, &last_write);
	atomic64_add(refs, &gt_ctr.pins_released);
	if (n < refs)
		atomic64_add(refs - n, &gt_ctr.pins_released_untracked);
	return last_write;
}

/*
 * folio_add_pin() adds a pin to a folio that is already pinned, outside
 * GUP and outside the kernel's counters; its release goes through the
 * funnel like any other.
 */
void gt_event_add_pin(struct folio *folio)
{
	int pins, gets;

	if (is_zero_pfn(folio_pfn(folio)))
		return;
	atomic64_inc(&gt_ctr.pins_added);
	if (gt_table_lookup(folio_pfn(folio), &pins, &gets) && pins > 0)
		gt_table_take(folio_pfn(folio), folio_order(folio), 0, 1, 0,
			      0, NULL);
}

/* A bio dropped refs FOLL_GET references of folio. */
void gt_event_put_refs(struct folio *folio, int refs)
{
	atomic64_add(gt_table_unget(folio_pfn(folio), refs),
		     &gt_ctr.gets_released);
}

/* A folio went back to the page allocator: nothing can hold it now. */
void gt_event_free(struct page *page, unsigned int order)
{
	int pins, gets;

	if (!gt_table_freed(page_to_pfn(page), &pins, &gets))
		return;
	if (gets)
		atomic64_add(gets, &gt_ctr.gets_freed);
	if (pins) {
		atomic64_add(pins, &gt_ctr.freed_while_pinned);
		pr_warn_ratelimited("pfn %#lx freed with %d pins we never saw released\n",
				    page_to_pfn(page), pins);
	}
}

static void gt_kernel_pins(unsigned long *acq, unsigned long *rel)
{
	*acq = global_node_page_state(NR_FOLL_PIN_ACQUIRED);
	*rel = global_node_page_state(NR_FOLL_PIN_RELEASED);
}

void gt_event_counters(struct gt_counters *c)
{
	unsigned long acq, rel;

	c->pins_acquired = atomic64_read(&gt_ctr.pins_acquired);
	c->pins_released = atomic64_read(&gt_ctr.pins_released);
	c->pins_rolled_back = atomic64_read(&gt_ctr.pins_rolled_back);
	c->pins_released_untracked =
		atomic64_read(&gt_ctr.pins_released_untracked);
	c->pins_added = atomic64_read(&gt_ctr.pins_added);
	c->gets_acquired = atomic64_read(&gt_ctr.gets_acquired);
	c->gets_released = atomic64_read(&gt_ctr.gets_released);
	c->gets_freed = atomic64_read(&gt_ctr.gets_freed);
	c->gets_internal = atomic64_read(&gt_ctr.gets_internal);
	c->freed_while_pinned = atomic64_read(&gt_ctr.freed_while_pinned);
	c->untracked = atomic64_read(&gt_ctr.untracked);
	c->calls_nomem = atomic64_read(&gt_ctr.calls_nomem);
	gt_kernel_pins(&acq, &rel);
	c->kernel_pin_acquired = acq - gt_kernel_pin_base[0];
	c->kernel_pin_released = rel - gt_kernel_pin_base[1];
}

int gt_event_init(void)
{
	gt_taskmap_init(&gt_calls);
	gt_call_cache = kmem_cache_create("gup_track_call",
					  sizeof(struct gt_call), 0, 0, NULL);
	if (!gt_call_cache)
		return -ENOMEM;
	gt_kernel_pins(&gt_kernel_pin_base[0], &gt_kernel_pin_base[1]);
	return 0;
}

static void gt_call_free(struct gt_task_node *tn)
{
	kmem_cache_free(gt_call_cache, container_of(tn, struct gt_call, tn));
}

/*
 * Called after every hook is gone. Calls whose return was never seen
 * (their kretprobe was unregistered under them) are freed here.
 */
void gt_event_exit(void)
{
	gt_taskmap_drain(&gt_calls, gt_call_free);
	kmem_cache_destroy(gt_call_cache);
}
