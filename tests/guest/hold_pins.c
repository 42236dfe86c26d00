// SPDX-License-Identifier: GPL-2.0
/*
 * A real pinning workload for the demo: register an anonymous buffer with
 * io_uring (a long-term FOLL_PIN), run a command while it is pinned, then
 * unregister. Prints the kernel's pin counters at each step.
 *
 * usage: hold_pins PAGES [CMD ARGS...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtlib.h"

static void show(const char *when, const struct gt_pincount *base)
{
	struct gt_pincount pc;

	gt_pincount(&pc);
	printf("%-24s nr_foll_pin_acquired %+lld  nr_foll_pin_released %+lld\n",
	       when, pc.acquired - base->acquired,
	       pc.released - base->released);
	fflush(stdout);
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	struct io_uring_params params;
	struct gt_pincount base;
	struct iovec iov;
	long pages;
	char *end;
	int ring, rc = 0;

	if (argc < 2 || (pages = strtol(argv[1], &end, 0)) <= 0 || *end ||
	    pages > GTP_MAX_PAGES) {
		fprintf(stderr, "usage: %s PAGES [CMD ARGS...]\n", argv[0]);
		return 2;
	}
	iov.iov_base = gt_anon(pages);
	iov.iov_len = pages * GT_PAGE;
	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (!iov.iov_base || ring < 0) {
		perror("setup");
		return 1;
	}

	gt_pincount(&base);
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		perror("IORING_REGISTER_BUFFERS");
		return 1;
	}
	printf("pid %d registered %ld pages with io_uring\n", getpid(), pages);
	show("while pinned:", &base);
	if (argc > 2)
		rc = run(argv + 2);

	if (syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
		    NULL, 0)) {
		perror("IORING_UNREGISTER_BUFFERS");
		return 1;
	}
	show("after unregister:", &base);
	close(ring);
	return rc;
}
