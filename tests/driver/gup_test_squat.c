// SPDX-License-Identifier: GPL-2.0
/*
 * gup_test_squat: a test-only module that takes the IPMODIFY slot of one
 * kernel function, as a livepatch of it would, so tests can check what
 * gup_track does when it cannot own a veto point.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/string.h>

static char *func = "filemap_release_folio";
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "The function whose IPMODIFY slot to take");

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
	int ret;

	ret = ftrace_set_filter(&squat_ops, (unsigned char *)func,
				strlen(func), 1);
	if (ret)
		return ret;
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
