// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "parse.h"

int gt_load_opts(int argc, char *const argv[], char **opts, char *err)
{
	size_t total = 0, at = 0;
	char *s;

	*opts = NULL;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (argv[i][0] == '=' || !strchr(argv[i], '=')) {
			snprintf(err, GT_ERR_LEN, "'%.64s%s' is not param=value",
				 argv[i], len > 64 ? "..." : "");
			return -EINVAL;
		}
		if (len + !!i > GT_LOAD_OPTS_MAX - total) {
			snprintf(err, GT_ERR_LEN,
				 "the parameters are more than %lu bytes, the most the kernel takes",
				 GT_LOAD_OPTS_MAX);
			return -E2BIG;
		}
		total += len + !!i;
	}
	s = malloc(total + 1);
	if (!s) {
		snprintf(err, GT_ERR_LEN, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (i)
			s[at++] = ' ';
		memcpy(s + at, argv[i], len);
		at += len;
	}
	s[at] = 0;
	*opts = s;
	return 0;
}
