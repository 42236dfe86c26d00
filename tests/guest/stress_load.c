// SPDX-License-Identifier: GPL-2.0
/*
 * The stress suite's own workloads, each run until SIGINT (or a deadline)
 * and then printing how much it did, so a clean end-of-stress table can be
 * told from a stress that never ran:
 *
 *   stress_load SECONDS iouring DIR    io_uring register/unregister: anon,
 *                                      memfd; and fork with pinned pages
 *   stress_load SECONDS pvm            process_vm_readv/writev
 *   stress_load SECONDS vmsplice DIR   vmsplice of anon and ext4 pages
 *   stress_load SECONDS odirect DIR N  O_DIRECT from N threads, into anon
 *                                      and ext4 MAP_SHARED buffers
 *   stress_load SECONDS driver         the test driver: every entry point
 *                                      and release helper
 *
 * Errors the kernel may legitimately return under load (EAGAIN, ENOMEM)
 * are counted, not fatal; an unexpected one ends the workload with a
 * non-zero exit status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gtlib.h"

#define NR	64

static time_t deadline;
static const char *name;
static volatile sig_atomic_t stop;

static void on_signal(int sig __attribute__((unused)))
{
	stop = 1;
}

/* Until SIGINT or SIGTERM, or the deadline as a safety net. */
static bool running(void)
{
	return !stop && time(NULL) < deadline;
}

static void fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", name, what, strerror(errno));
	exit(1);
}

static int iouring_register(const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct io_uring_params params = { 0 };
	int ring = syscall(__NR_io_uring_setup, 4, &params);

	if (ring < 0)
		return -1;
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		    &iov, 1)) {
		close(ring);
		return -1;
	}
	return ring;
}

/* Register and unregister; every 8th time keep them across a fork. */
static long iouring(const char *dir)
{
	char *anon = gt_anon(NR), *mfd = gt_memfd(NR);
	long ops = 0;

	(void)dir;
	if (!anon || !mfd)
		fail("buffers");
	while (running()) {
		char *buf = ops & 1 ? mfd : anon;
		int ring = iouring_register(buf, NR * GT_PAGE), st;
		pid_t child;

		if (ring < 0) {
			if (errno == EAGAIN || errno == ENOMEM)
				continue;
			fail("io_uring register");
		}
		if (!(ops % 8)) {
			child = fork();
			if (!child) {
				memset(buf, 3, NR * GT_PAGE);
				_exit(0);
			}
			waitpid(child, &st, 0);
		}
		syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
			NULL, 0);
		close(ring);
		ops++;
	}
	return ops;
}

static long pvm(void)
{
	char *remote = gt_anon(NR), *local = gt_anon(NR);
	struct iovec l = { .iov_base = local, .iov_len = NR * GT_PAGE };
	struct iovec r = { .iov_base = remote, .iov_len = NR * GT_PAGE };
	int pfd[2], st;
	long ops = 0;
	pid_t child;
	char c;

	if (!remote || !local || pipe(pfd))
		fail("setup");
	child = fork();
	if (!child) {
		close(pfd[1]);
		_exit(read(pfd[0], &c, 1) < 0);
	}
	close(pfd[0]);
	while (running()) {
		ssize_t n = ops & 1 ? process_vm_writev(child, &l, 1, &r, 1, 0) :
				      process_vm_readv(child, &l, 1, &r, 1, 0);

		if (n != NR * GT_PAGE && errno != ENOMEM)
			fail("process_vm_rw");
		ops++;
	}
	close(pfd[1]);
	waitpid(child, &st, 0);
	return ops;
}

static long vmsplice_loop(const char *dir)
{
	char path[256], *file, *anon = gt_anon(16), *sink = malloc(16 * GT_PAGE);
	long ops = 0;
	int p[2], fd;

	snprintf(path, sizeof(path), "%s/stress-vmsplice.dat", dir);
	file = gt_file_shared(path, 16, &fd);
	if (!file || !anon || !sink || pipe(p) ||
	    fcntl(p[1], F_SETPIPE_SZ, 64 * GT_PAGE) < 0)
		fail("setup");
	while (running()) {
		struct iovec iov = { .iov_base = ops & 1 ? file : anon,
				     .iov_len = 16 * GT_PAGE };

		if (vmsplice(p[1], &iov, 1, 0) != 16 * GT_PAGE ||
		    read(p[0], sink, 16 * GT_PAGE) != 16 * GT_PAGE)
			fail("vmsplice");
		ops++;
	}
	return ops;
}

struct odirect_arg {
	const char *dir;
	int id;
	long ops;
};

static void *odirect_thread(void *p)
{
	struct odirect_arg *a = p;
	char path[256], *anon = gt_anon(NR), *mapped;
	int fd, mfd;

	snprintf(path, sizeof(path), "%s/stress-dio-map-%d.dat", a->dir, a->id);
	mapped = gt_file_shared(path, NR, &mfd);
	snprintf(path, sizeof(path), "%s/stress-dio-%d.dat", a->dir, a->id);
	fd = open(path, O_RDWR | O_CREAT | O_DIRECT, 0600);
	if (!anon || !mapped || fd < 0 || ftruncate(fd, NR * GT_PAGE))
		fail("O_DIRECT setup");
	while (running()) {
		char *buf = (a->ops & 2) ? mapped : anon;
		size_t len = ((a->ops % 4) + 1) * GT_PAGE;
		off_t off = (a->ops % (NR - 4)) * GT_PAGE;
		ssize_t n = (a->ops & 1) ? pwrite(fd, buf, len, off) :
					   pread(fd, buf, len, off);

		if (n != (ssize_t)len)
			fail("O_DIRECT");
		a->ops++;
	}
	close(fd);
	return NULL;
}

static long odirect(const char *dir, int threads)
{
	struct odirect_arg args[16];
	pthread_t tid[16];
	long ops = 0;
	int i;

	if (threads < 1 || threads > 16)
		threads = 4;
	for (i = 0; i < threads; i++) {
		args[i] = (struct odirect_arg){ .dir = dir, .id = i };
		if (pthread_create(&tid[i], NULL, odirect_thread, &args[i]))
			fail("pthread_create");
	}
	for (i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		ops += args[i].ops;
	}
	return ops;
}

/* Every entry point, with its matching release helper. */
static long driver(void)
{
	static const struct { unsigned int method, how; } ways[] = {
		{ GTP_PIN_FAST, GTP_REL_UNPIN },
		{ GTP_PIN, GTP_REL_UNPIN_DIRTY },
		{ GTP_PIN_UNLOCKED, GTP_REL_UNPIN_PAGE },
		{ GTP_PIN_REMOTE, GTP_REL_UNPIN },
		{ GTP_GET_FAST, GTP_REL_PUT },
		{ GTP_GET_FAST_ONLY, GTP_REL_PUT },
		{ GTP_GET, GTP_REL_PUT },
		{ GTP_GET_UNLOCKED, GTP_REL_PUT },
		{ GTP_GET_REMOTE, GTP_REL_PUT },
	};
	char *buf = gt_anon(NR);
	int dev = gtp_open();
	struct gtp_pin p;
	long ops = 0;

	if (!buf || dev < 0)
		fail("driver setup");
	while (running()) {
		unsigned int w = ops % (sizeof(ways) / sizeof(ways[0]));

		if (gtp_pin(dev, buf, NR, ways[w].method, GTP_F_WRITE, &p))
			fail("driver pin");
		if (p.result > 0 && gtp_release(dev, p.id, ways[w].how))
			fail("driver release");
		ops++;
	}
	close(dev);
	return ops;
}

int main(int argc, char **argv)
{
	long ops;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SECONDS WORKLOAD [ARGS]\n", argv[0]);
		return 2;
	}
	deadline = time(NULL) + atoi(argv[1]);
	name = argv[2];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!strcmp(name, "iouring") && argc == 4)
		ops = iouring(argv[3]);
	else if (!strcmp(name, "pvm"))
		ops = pvm();
	else if (!strcmp(name, "vmsplice") && argc == 4)
		ops = vmsplice_loop(argv[3]);
	else if (!strcmp(name, "odirect") && argc == 5)
		ops = odirect(argv[3], atoi(argv[4]));
	else if (!strcmp(name, "driver"))
		ops = driver();
	else {
		fprintf(stderr, "%s: unknown workload or arguments\n", name);
		return 2;
	}
	printf("%s %ld\n", name, ops);
	return 0;
}
