// SPDX-License-Identifier: GPL-2.0
/*
 * The call-site cache. Lookups are lockless: a site is filled in before its
 * id is published in the index, and never changes afterwards. Creation
 * takes a raw spinlock, so it may run in any probe handler; it is the only
 * place that unwinds a stack or looks up a symbol, once per call site.
 *
 * Once the sites are all used, a call from a new one is neither unwound
 * nor named: it gets no site, only what its return address alone tells
 * (gt_site_ip_flags()), so that kernel users of FOLL_GET stay untabled.
 */
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/sched/task_stack.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/unwind.h>

#include "compat.h"
#include "site.h"

/*
 * Each slot is remembered from both ends: frames below a syscall's random
 * stack offset (RANDOMIZE_KSTACK_OFFSET) keep their distance from the GUP
 * entry's sp, frames above it their distance from the top of the stack.
 */
struct gt_site {
	unsigned long ip;		/* key: return address of the GUP entry */
	u8 nr;
	u8 flags;			/* GT_SITE_* */
	bool by_ip;			/* the caller is ip's own function */
	u16 from_sp[GT_SITE_DEPTH];	/* slot - sp at the GUP entry */
	u16 from_top[GT_SITE_DEPTH];	/* stack top - slot */
	unsigned long raw[GT_SITE_DEPTH];	/* what each slot held */
	unsigned long frames[GT_SITE_DEPTH];	/* return addresses, recovered */
	char caller[GT_SITE_NAME];
};

static struct gt_site *gt_sites;	/* [0] is GT_SITE_NONE */
static u32 *gt_site_index;		/* open addressing: site ids */
static unsigned int gt_site_bits, gt_site_max;
static unsigned int gt_site_nr;		/* sites in use, [0] included */
static atomic_long_t gt_site_overflow;
static DEFINE_RAW_SPINLOCK(gt_site_lock);

/*
 * Return addresses without a site, each named once: their GT_SITE_* flags.
 * Open addressing, filled to three quarters; beyond that, flags 0.
 */
#define GT_SITE_IP_BITS		8
#define GT_SITE_IP_MAX		(3U << (GT_SITE_IP_BITS - 2))
static unsigned long gt_site_ip[1U << GT_SITE_IP_BITS];
static u8 gt_site_ip_flag[1U << GT_SITE_IP_BITS];
static unsigned int gt_site_ip_nr;

/* Frames that are GUP itself or its thin wrappers, never "the caller". */
static const char * const gt_helpers[] = {
	"pin_user_pages", "get_user_pages", "get_user_page", "__get_user_pages",
	"__gup_", "gup_", "internal_get_user_pages", "memfd_pin_folios",
	"iov_iter_", "__iov_iter_", "want_pages_array", "iter_xarray",
	"bio_iov_iter_get_pages", "__bio_iov_iter_get_pages",
	"bio_map_user_iov", "extract_user_to_", "get_user_page_vma_remote",
	"get_user_page_fast_only",
};

/*
 * Kernel users of FOLL_GET that touch the page with the CPU, not DMA, by
 * the frame they show on the Debian builds (inlining and tail calls move
 * it): exec, ptrace, futex, uprobes, TOMOYO, get_mempolicy, MADV_HWPOISON,
 * SGX EADD, perf physical addresses, KVM faults and prefetch, FUSE daemon
 * copies, shadow stack sigreturn (6.12) and ublk copies (6.12).
 */
static const char * const gt_internal[] = {
	"get_arg_page", "__access_remote_vm", "access_remote_vm",
	"get_futex_key", "uprobe_write_opcode", "__update_ref_ctr",
	"uprobe_notify_resume", "tomoyo_dump_page", "kernel_get_mempolicy",
	"do_madvise", "sgx_ioc_enclave_add_pages", "perf_prepare_sample",
	"perf_virt_to_phys", "hva_to_pfn", "direct_pte_prefetch_many",
	"__kvm_", "kvm_", "fuse_copy_fill", "restore_signal_shadow_stack",
	"ublk_copy_user_pages",
};

/*
 * Pins that live as long as a file, not as the process that took them:
 * io_uring's registered buffers and rings, RDMA memory regions. The file
 * may be passed on (SCM_RIGHTS, fork); the kernel releases the pins when
 * its last holder closes it.
 */
static const char * const gt_file_owned[] = {
	"io_pin_pages", "io_sqe_buffer_register", "ib_umem_get",
};

static bool gt_name_in(const char *name, const char * const *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strncmp(name, list[i], strlen(list[i])))
			return true;
	return false;
}

static unsigned long gt_stack_top(void)
{
	return (unsigned long)task_stack_page(current) + THREAD_SIZE;
}

static u32 gt_site_hash(unsigned long ip)
{
	return hash_long(ip, gt_site_bits);
}

/*
 * Do the slots this site recorded still hold the same return addresses?
 * Outermost first: the sites of one return address share their inner
 * frames (an O_DIRECT read from pread, libaio or io_uring) and differ in
 * the syscall path, where a mismatch is then found in a frame or two.
 * The slots of another call may fall in this call's live frames, on a
 * KASAN kernel in their redzones: read them as the unwinders read stacks.
 */
static bool gt_site_matches(const struct gt_site *s, unsigned long sp,
			    unsigned long top)
{
	int i;

	for (i = s->nr - 1; i >= 0; i--) {
		if (s->from_sp[i] < top - sp &&
		    READ_ONCE_NOCHECK(*(unsigned long *)(sp + s->from_sp[i])) ==
		    s->raw[i])
			continue;
		if (READ_ONCE_NOCHECK(*(unsigned long *)(top - s->from_top[i])) !=
		    s->raw[i])
			return false;
	}
	return true;
}

static u32 gt_site_lookup(unsigned long ip, unsigned long sp,
			  unsigned long top)
{
	u32 mask = (1U << gt_site_bits) - 1, h = gt_site_hash(ip);
	const struct gt_site *s;
	u32 i, id;

	for (i = 0; i <= mask; i++) {
		/* A published id's site is complete (release below). */
		id = smp_load_acquire(&gt_site_index[(h + i) & mask]);
		if (!id)
			return GT_SITE_NONE;
		s = &gt_sites[id];
		if (s->ip == ip && gt_site_matches(s, sp, top))
			return id;
	}
	return GT_SITE_NONE;
}

static bool gt_name_helper(const char *name)
{
	return gt_name_in(name, gt_helpers, ARRAY_SIZE(gt_helpers));
}

/* The flags of a caller, by its name. */
static u8 gt_name_flags(const char *name)
{
	u8 flags = 0;

	if (gt_name_in(name, gt_internal, ARRAY_SIZE(gt_internal)))
		flags |= GT_SITE_INTERNAL;
	if (gt_name_in(name, gt_file_owned, ARRAY_SIZE(gt_file_owned)))
		flags |= GT_SITE_FILE_OWNED;
	return flags;
}

/* The caller: the first frame outside GUP; is it a non-DMA kernel user? */
static void gt_site_classify(struct gt_site *s)
{
	char name[KSYM_SYMBOL_LEN];
	int i;

	for (i = 0; i < s->nr; i++) {
		sprint_symbol_no_offset(name, s->frames[i]);
		if (!gt_name_helper(name))
			break;
	}
	s->by_ip = !i && s->frames[0] == s->ip;
	if (i == s->nr)
		i = 0;
	sprint_symbol_no_offset(name, s->frames[i]);
	strscpy(s->caller, name, sizeof(s->caller));
	s->flags |= gt_name_flags(name);
}

/*
 * ip's flags by its own name, remembered; 0 where a stack would tell.
 * Out of line: the kernel zero-fills locals, and the name is large.
 */
static noinline u8 gt_site_ip_name(unsigned long ip, u32 h)
{
	u32 mask = (1U << GT_SITE_IP_BITS) - 1, i, k;
	char name[KSYM_SYMBOL_LEN];
	unsigned long flags;
	u8 f;

	if (READ_ONCE(gt_site_ip_nr) >= GT_SITE_IP_MAX)
		return 0;
	sprint_symbol_no_offset(name, ip);
	f = gt_name_helper(name) ? 0 : gt_name_flags(name);

	raw_spin_lock_irqsave(&gt_site_lock, flags);
	for (i = 0; i <= mask && gt_site_ip_nr < GT_SITE_IP_MAX; i++) {
		k = (h + i) & mask;
		if (gt_site_ip[k] == ip)
			break;
		if (!gt_site_ip[k]) {
			gt_site_ip_flag[k] = f;
			/* The flags before the key (acquire above). */
			smp_store_release(&gt_site_ip[k], ip);
			gt_site_ip_nr++;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&gt_site_lock, flags);
	return f;
}

/*
 * The flags of a call from ip that has no site: those of a site of the
 * same ip where ip's function is the caller, or else of ip's name. Where
 * ip lies in a GUP helper (an iov_iter or bio one) only the stack could
 * tell the caller: 0.
 */
static u8 gt_site_ip_flags(unsigned long ip)
{
	u32 mask = (1U << gt_site_bits) - 1, h = gt_site_hash(ip);
	const struct gt_site *s;
	u32 i, id, k;

	for (i = 0; i <= mask; i++) {
		/* A published id's site is complete (gt_site_add()). */
		id = smp_load_acquire(&gt_site_index[(h + i) & mask]);
		if (!id)
			break;
		s = &gt_sites[id];
		if (s->ip == ip)
			return s->by_ip ? s->flags : 0;
	}
	mask = (1U << GT_SITE_IP_BITS) - 1;
	h = hash_long(ip, GT_SITE_IP_BITS);
	for (i = 0; i <= mask; i++) {
		k = (h + i) & mask;
		/* Its flags are set before the key is published. */
		if (smp_load_acquire(&gt_site_ip[k]) == ip)
			return gt_site_ip_flag[k];
		if (!gt_site_ip[k])
			break;
	}
	return gt_site_ip_name(ip, h);
}

/* Unwind from the GUP entry's registers, noting where each frame lives. */
static void gt_site_unwind(struct gt_site *s, struct pt_regs *regs,
			   unsigned long sp, unsigned long top)
{
	unsigned long base = top - THREAD_SIZE, addr, *slot;
	struct unwind_state state;

	s->nr = 0;
	for (unwind_start(&state, current, regs, NULL);
	     !unwind_done(&state) && s->nr < GT_SITE_DEPTH;
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		slot = gt_unwind_ret_ptr(&state);
		if (!addr || !slot || (unsigned long)slot < base ||
		    (unsigned long)slot >= top)
			break;
		s->frames[s->nr] = addr;
		s->raw[s->nr] = *slot;
		s->from_sp[s->nr] = (unsigned long)slot - sp;
		s->from_top[s->nr] = top - (unsigned long)slot;
		s->nr++;
	}
}

/*
 * A new site: unwind and classify it before taking the lock, unless every
 * site is used. Out of line: the kernel zero-fills locals, and a site is
 * large.
 */
static noinline u32 gt_site_add(struct pt_regs *regs, unsigned long sp,
				unsigned long top, u8 *site_flags)
{
	u32 mask = (1U << gt_site_bits) - 1, id = 0, i, h;
	unsigned long flags;
	struct gt_site new;

	if (READ_ONCE(gt_site_nr) >= gt_site_max)
		goto none;
	memset(&new, 0, sizeof(new));
	new.ip = *(unsigned long *)sp;
	gt_site_unwind(&new, regs, sp, top);
	/* Or the unwinder did not start where we are. */
	if (!new.nr || new.from_sp[0])
		goto none;
	gt_site_classify(&new);

	raw_spin_lock_irqsave(&gt_site_lock, flags);
	id = gt_site_lookup(new.ip, sp, top);
	if (!id && gt_site_nr < gt_site_max) {
		h = gt_site_hash(new.ip);
		for (i = 0; i <= mask; i++) {
			if (!gt_site_index[(h + i) & mask]) {
				id = gt_site_nr;
				gt_sites[id] = new;
				/* The site is complete before it is counted... */
				smp_store_release(&gt_site_nr, id + 1);
				/* ... and before lookups can find it. */
				smp_store_release(&gt_site_index[(h + i) & mask],
						  id);
				break;
			}
		}
	}
	raw_spin_unlock_irqrestore(&gt_site_lock, flags);
	if (id) {
		*site_flags = gt_sites[id].flags;
		return id;
	}
none:
	atomic_long_inc(&gt_site_overflow);
	*site_flags = gt_site_ip_flags(*(unsigned long *)sp);
	return GT_SITE_NONE;
}

u32 gt_site_find(struct pt_regs *regs, u8 *flags)
{
	unsigned long top = gt_stack_top(), sp = kernel_stack_pointer(regs);
	u32 id;

	*flags = 0;
	if (sp < top - THREAD_SIZE || sp >= top)
		return GT_SITE_NONE;	/* not on the task stack */
	id = gt_site_lookup(*(unsigned long *)sp, sp, top);
	if (!id)
		return gt_site_add(regs, sp, top, flags);
	*flags = gt_sites[id].flags;
	return id;
}

u8 gt_site_flags(u32 id)
{
	return id && id < READ_ONCE(gt_site_nr) ? gt_sites[id].flags : 0;
}

bool gt_site_get(u32 id, struct gt_site_info *info)
{
	const struct gt_site *s;

	/* Sites below the count are complete (release in gt_site_find). */
	if (!id || id >= smp_load_acquire(&gt_site_nr))
		return false;
	s = &gt_sites[id];
	info->nr = s->nr;
	memcpy(info->frames, s->frames, sizeof(info->frames));
	memcpy(info->caller, s->caller, sizeof(info->caller));
	info->flags = s->flags;
	return true;
}

unsigned int gt_site_count(void)
{
	return READ_ONCE(gt_site_nr) - 1;
}

unsigned long gt_site_full(void)
{
	return atomic_long_read(&gt_site_overflow);
}

unsigned long gt_site_bytes(void)
{
	return (unsigned long)gt_site_max * sizeof(*gt_sites) +
	       (sizeof(*gt_site_index) << gt_site_bits) +
	       sizeof(gt_site_ip) + sizeof(gt_site_ip_flag);
}

int gt_site_init(unsigned int max)
{
	gt_site_max = max + 1;
	gt_site_bits = ilog2(roundup_pow_of_two(2 * gt_site_max));
	gt_sites = vzalloc(array_size(gt_site_max, sizeof(*gt_sites)));
	gt_site_index = vzalloc(sizeof(*gt_site_index) << gt_site_bits);
	if (!gt_sites || !gt_site_index) {
		gt_site_exit();
		return -ENOMEM;
	}
	gt_site_nr = 1;
	atomic_long_set(&gt_site_overflow, 0);
	memset(gt_site_ip, 0, sizeof(gt_site_ip));
	gt_site_ip_nr = 0;
	return 0;
}

void gt_site_exit(void)
{
	vfree(gt_sites);
	vfree(gt_site_index);
	gt_sites = NULL;
	gt_site_index = NULL;
}
