// SPDX-License-Identifier: GPL-2.0
/*
 * gup_test_pin: a test-only driver that pins or references pages of the
 * caller's buffer through the real GUP entry points and holds them until it
 * is told to let go, so tests can create exact, known pins.
 *
 * Each open file holds any number of sets; closing the file releases them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../../src/compat.h"
#include "gup_test_pin.h"

struct gtp_set {
	struct list_head node;
	u32 id;
	bool pinned;		/* FOLL_PIN, else FOLL_GET */
	unsigned long nr;
	struct page **pages;
};

struct gtp_file {
	struct mutex lock;	/* protects sets and next_id */
	struct list_head sets;
	u32 next_id;
};

static bool gtp_method_pins(u32 method)
{
	return (method >= GTP_PIN_FAST && method <= GTP_PIN_REMOTE) ||
	       method == GTP_GET_UNLOCKED_PIN;
}

/*
 * FOLL_LONGTERM is only valid with FOLL_PIN, and the unlocked variant
 * rejects it on 6.1 with a WARN. Refuse it here so bad input cannot warn.
 */
static bool gtp_method_allows_longterm(u32 method)
{
	return method == GTP_PIN_FAST || method == GTP_PIN ||
	       method == GTP_PIN_REMOTE;
}

static long gtp_take_locked(u32 method, unsigned long addr,
			    unsigned long nr, unsigned int gup_flags,
			    struct page **pages)
{
	struct mm_struct *mm = current->mm;
	int locked = 1;
	int *lockedp = (gup_flags & FOLL_LONGTERM) ? NULL : &locked;
	long ret;

	mmap_read_lock(mm);
	switch (method) {
	case GTP_PIN:
		ret = gt_pin_user_pages(addr, nr, gup_flags, pages);
		break;
	case GTP_GET:
		ret = gt_get_user_pages(addr, nr, gup_flags, pages);
		break;
	case GTP_PIN_REMOTE:
		ret = gt_pin_user_pages_remote(mm, addr, nr, gup_flags, pages,
					       lockedp);
		break;
	default:
		ret = gt_get_user_pages_remote(mm, addr, nr, gup_flags, pages,
					       lockedp);
		break;
	}
	if (locked)
		mmap_read_unlock(mm);
	return ret;
}

static long gtp_take(u32 method, unsigned long addr, unsigned long nr,
		     unsigned int gup_flags, struct page **pages)
{
	switch (method) {
	case GTP_PIN_FAST:
		return pin_user_pages_fast(addr, nr, gup_flags, pages);
	case GTP_PIN_UNLOCKED:
		return pin_user_pages_unlocked(addr, nr, pages, gup_flags);
	case GTP_GET_FAST:
		return get_user_pages_fast(addr, nr, gup_flags, pages);
	case GTP_GET_FAST_ONLY:
		return get_user_pages_fast_only(addr, nr, gup_flags, pages);
	case GTP_GET_UNLOCKED:
		return get_user_pages_unlocked(addr, nr, pages, gup_flags);
	case GTP_GET_UNLOCKED_PIN:
		if (!GT_PUBLIC_FOLL_PIN)
			return -EOPNOTSUPP;
		return get_user_pages_unlocked(addr, nr, pages,
					       gup_flags | GT_FOLL_PIN);
	default:
		return gtp_take_locked(method, addr, nr, gup_flags, pages);
	}
}

static void gtp_set_release(struct gtp_set *set, u32 how)
{
	unsigned long i;

	switch (how) {
	case GTP_REL_UNPIN:
		unpin_user_pages(set->pages, set->nr);
		break;
	case GTP_REL_UNPIN_PAGE:
		for (i = 0; i < set->nr; i++)
			unpin_user_page(set->pages[i]);
		break;
	case GTP_REL_UNPIN_DIRTY:
		unpin_user_pages_dirty_lock(set->pages, set->nr, true);
		break;
	case GTP_REL_PUT:
	case GTP_REL_CARELESS:
		for (i = 0; i < set->nr; i++)
			put_page(set->pages[i]);
		break;
	case GTP_REL_LEAK:
		break;
	case GTP_REL_UNPIN_GETS:
		for (i = 0; i < set->nr; i++) {
			folio_get(page_folio(set->pages[i]));
			unpin_user_page(set->pages[i]);
		}
		break;
	case GTP_REL_UNSEEN:
		for (i = 0; i < set->nr; i++) {
			struct folio *folio = page_folio(set->pages[i]);

			if (folio_test_large(folio))
				unpin_user_page(set->pages[i]);
			else
				folio_put_refs(folio, GUP_PIN_COUNTING_BIAS);
		}
		break;
	}
	kvfree(set->pages);
	kfree(set);
}

static struct gtp_set *gtp_find(struct gtp_file *f, u32 id)
{
	struct gtp_set *set;

	list_for_each_entry(set, &f->sets, node)
		if (set->id == id)
			return set;
	return NULL;
}

static long gtp_ioc_pin(struct gtp_file *f, void __user *uarg)
{
	struct gtp_pin arg;
	struct gtp_set *set;
	struct page **pages;
	unsigned int gup_flags = 0;
	long ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || (arg.flags & ~GTP_F_ALL) ||
	    arg.method < GTP_PIN_FAST || arg.method >= GTP_METHOD_MAX ||
	    !arg.nr_pages || arg.nr_pages > GTP_MAX_PAGES ||
	    !PAGE_ALIGNED(arg.addr))
		return -EINVAL;
	if ((arg.flags & GTP_F_LONGTERM) &&
	    !gtp_method_allows_longterm(arg.method))
		return -EINVAL;
	if (arg.flags & GTP_F_WRITE)
		gup_flags |= FOLL_WRITE;
	if (arg.flags & GTP_F_LONGTERM)
		gup_flags |= FOLL_LONGTERM;

	pages = kvcalloc(arg.nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set) {
		kvfree(pages);
		return -ENOMEM;
	}

	ret = gtp_take(arg.method, arg.addr, arg.nr_pages, gup_flags, pages);
	arg.result = ret;
	arg.id = 0;
	if (ret <= 0) {
		kvfree(pages);
		kfree(set);
	} else {
		set->pinned = gtp_method_pins(arg.method);
		set->nr = ret;
		set->pages = pages;
		mutex_lock(&f->lock);
		set->id = ++f->next_id;
		list_add_tail(&set->node, &f->sets);
		mutex_unlock(&f->lock);
		arg.id = set->id;
	}

	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

/* Does how fit the set? The deliberate bugs fit only where they are bugs. */
static bool gtp_release_fits(const struct gtp_set *set, u32 how)
{
	unsigned long i;

	switch (how) {
	case GTP_REL_LEAK:
		return true;
	case GTP_REL_PUT:
		return !set->pinned;
	case GTP_REL_UNPIN_GETS:
		for (i = 0; i < set->nr; i++)
			if (!folio_test_large(page_folio(set->pages[i])))
				return false;
		return !set->pinned;
	default:	/* the unpins, and put_page on pins (careless) */
		return set->pinned;
	}
}

static long gtp_ioc_release(struct gtp_file *f, void __user *uarg)
{
	struct gtp_release arg;
	struct gtp_set *set;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.how < GTP_REL_UNPIN || arg.how >= GTP_REL_MAX)
		return -EINVAL;

	mutex_lock(&f->lock);
	set = gtp_find(f, arg.id);
	if (!set || !gtp_release_fits(set, arg.how)) {
		mutex_unlock(&f->lock);
		return set ? -EINVAL : -ENOENT;
	}
	list_del(&set->node);
	mutex_unlock(&f->lock);

	gtp_set_release(set, arg.how);
	return 0;
}

static long gtp_ioc_query(struct gtp_file *f, void __user *uarg)
{
	struct gtp_page_info __user *out;
	struct gtp_page_info info;
	struct gtp_query arg;
	struct gtp_set *set;
	unsigned long i;
	long ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	out = u64_to_user_ptr(arg.info);

	mutex_lock(&f->lock);
	set = gtp_find(f, arg.id);
	if (!set) {
		ret = -ENOENT;
		goto out;
	}
	for (i = 0; i < set->nr && i < arg.nr; i++) {
		struct folio *folio = page_folio(set->pages[i]);

		memset(&info, 0, sizeof(info));
		info.pfn = page_to_pfn(set->pages[i]);
		info.maybe_dma_pinned = folio_maybe_dma_pinned(folio);
		info.order = folio_order(folio);
		if (copy_to_user(&out[i], &info, sizeof(info))) {
			ret = -EFAULT;
			goto out;
		}
	}
	arg.nr = set->nr;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
out:
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * Write through the kernel mapping only, never the user's page tables:
 * the page's dirty state is left alone, exactly as a device's DMA leaves it.
 */
static long gtp_ioc_dma_write(struct gtp_file *f, void __user *uarg)
{
	struct gtp_dma_write arg;
	struct gtp_set *set;
	unsigned long i;
	void *va;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	mutex_lock(&f->lock);
	set = gtp_find(f, arg.id);
	if (!set) {
		mutex_unlock(&f->lock);
		return -ENOENT;
	}
	for (i = 0; i < set->nr; i++) {
		va = kmap_local_page(set->pages[i]);
		memset(va, arg.pattern & 0xff, PAGE_SIZE);
		kunmap_local(va);
		flush_dcache_page(set->pages[i]);
	}
	mutex_unlock(&f->lock);
	return 0;
}

static long gtp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct gtp_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case GTP_IOC_PIN:
		return gtp_ioc_pin(f, uarg);
	case GTP_IOC_RELEASE:
		return gtp_ioc_release(f, uarg);
	case GTP_IOC_QUERY:
		return gtp_ioc_query(f, uarg);
	case GTP_IOC_DMA_WRITE:
		return gtp_ioc_dma_write(f, uarg);
	default:
		return -ENOTTY;
	}
}

static int gtp_open(struct inode *inode, struct file *file)
{
	struct gtp_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->sets);
	file->private_data = f;
	return 0;
}

static int gtp_release_file(struct inode *inode, struct file *file)
{
	struct gtp_file *f = file->private_data;
	struct gtp_set *set, *tmp;

	list_for_each_entry_safe(set, tmp, &f->sets, node) {
		list_del(&set->node);
		gtp_set_release(set, set->pinned ? GTP_REL_UNPIN : GTP_REL_PUT);
	}
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations gtp_fops = {
	.owner		= THIS_MODULE,
	.open		= gtp_open,
	.release	= gtp_release_file,
	.unlocked_ioctl	= gtp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice gtp_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "gup_test_pin",
	.fops	= &gtp_fops,
	.mode	= 0600,
};

module_misc_device(gtp_misc);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gup_track test-only driver: pins user pages on request");
MODULE_INFO(test, "Y");
