/* SPDX-License-Identifier: GPL-2.0 */
/* The parameter string gup-track load hands to libkmod. */
#ifndef _GT_OPTS_H
#define _GT_OPTS_H

/*
 * The most bytes the kernel takes: init_module(2) and finit_module(2) copy
 * the string with strndup_user() into one kmalloc() buffer, its NUL
 * included, so KMALLOC_MAX_SIZE (4 MiB on x86-64, on 6.1 and 6.12 alike)
 * less one, and ENOMEM beyond. libkmod passes the string unchanged.
 */
#define GT_LOAD_OPTS_MAX	((4UL << 20) - 1)

/*
 * argv's param=value words joined by spaces, as insmod joins them, in a
 * string to free(); 0, or -EINVAL (not param=value), -E2BIG (longer than
 * GT_LOAD_OPTS_MAX) or -ENOMEM with err (GT_ERR_LEN bytes) saying why.
 * Nothing is ever cut short.
 */
int gt_load_opts(int argc, char *const argv[], char **opts, char *err);

#endif /* _GT_OPTS_H */
