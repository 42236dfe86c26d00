// SPDX-License-Identifier: GPL-2.0
/*
 * The stress suite's RDMA workload: soft-RoCE memory regions registered
 * and deregistered until SIGINT (or a deadline), on anonymous memory and,
 * read-only, on an ext4 MAP_SHARED mapping. Prints "rdma N" at the end.
 *
 * usage: stress_rdma SECONDS DIR     (an rxe device must exist)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <infiniband/verbs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gtlib.h"

#define NR	64

static volatile sig_atomic_t stop;

static void on_signal(int sig __attribute__((unused)))
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct ibv_device **devs;
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	char path[256], *anon, *file;
	long ops = 0;
	time_t deadline;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SECONDS DIR\n", argv[0]);
		return 2;
	}
	deadline = time(NULL) + atoi(argv[1]);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(path, sizeof(path), "%s/stress-rdma.dat", argv[2]);
	anon = gt_anon(NR);
	file = gt_file_shared(path, NR, &fd);
	devs = ibv_get_device_list(NULL);
	ctx = devs && devs[0] ? ibv_open_device(devs[0]) : NULL;
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!anon || !file || !pd) {
		fprintf(stderr, "rdma: setup failed: %s\n", strerror(errno));
		return 1;
	}
	while (!stop && time(NULL) < deadline) {
		bool on_file = ops & 1;
		struct ibv_mr *mr = ibv_reg_mr(pd, on_file ? file : anon,
					       NR * GT_PAGE,
					       on_file ? 0 :
					       IBV_ACCESS_LOCAL_WRITE |
					       IBV_ACCESS_REMOTE_WRITE);

		if (!mr) {
			fprintf(stderr, "rdma: ibv_reg_mr: %s\n", strerror(errno));
			return 1;
		}
		if (ibv_dereg_mr(mr)) {
			fprintf(stderr, "rdma: ibv_dereg_mr failed\n");
			return 1;
		}
		ops++;
	}
	printf("rdma %ld\n", ops);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(devs);
	return 0;
}
