// SPDX-License-Identifier: GPL-2.0
/*
 * gup_test_squat: a test-only module that takes the IPMODIFY slots of
 * kernel functions, as a livepatch of them would, so tests can check that
 * gup_track's observe mode leaves them free and what enforce does when it
 * cannot own a veto point.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *func = "filemap_release_folio,try_to_unmap";
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "Comma-separated functions whose IPMODIFY slots to take");

static void notrace squat_handler(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *op,
				  struct ftrace_regs *fregs)
{
}

static struct ftrace_ops squat_ops = {
	.func = squat_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY,
};

static int __init squat_init(void)
{
	char *list = kstrdup(func, GFP_KERNEL), *name, *rest = list;
	int ret = list ? 0 : -ENOMEM;
	bool reset = true;

	while (!ret && (name = strsep(&rest, ","))) {
		ret = ftrace_set_filter(&squat_ops, (unsigned char *)name,
					strlen(name), reset);
		reset = false;
	}
	kfree(list);
	if (ret) {
		ftrace_free_filter(&squat_ops);
		return ret;
	}
	ret = register_ftrace_function(&squat_ops);
	if (ret) {
		ftrace_free_filter(&squat_ops);
		return ret;
	}
	pr_info("holding the IPMODIFY slot of %s\n", func);
	return 0;
}

static void __exit squat_exit(void)
{
	unregister_ftrace_function(&squat_ops);
	ftrace_free_filter(&squat_ops);
}

module_init(squat_init);
module_exit(squat_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gup_track test-only module: squats on an IPMODIFY slot");
MODULE_INFO(test, "Y");
