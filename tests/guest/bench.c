// SPDX-License-Identifier: GPL-2.0
/*
 * One timed run of one benchmark of gup_track's hot paths, for bench.sh,
 * which alternates module loaded and unloaded around it. Prints
 *
 *	name ops wall_ns cpu_ns
 *
 * cpu_ns is the CPU time of this process (and of the children it waited
 * for, for exec). Nothing here knows whether gup_track is loaded.
 *
 * usage: bench NAME DIR [PCT]       PCT (default 100): percent of the
 *                                   standard iterations (the smoke run: 5)
 *        bench hold NR              pin NR pages with the test driver, print
 *                                   "held NR", hold them until killed
 *        bench uring_load MIB       on CPU 0, register and unregister MIB
 *                                   MiB of 4 KiB pages with io_uring (one
 *                                   GUP call each time), until killed
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gtlib.h"

#define MB		(1024UL * 1024)
#define HPAGE		(2 * MB)
#define NR		512		/* pages per pin benchmark: 2 MiB */
#define HOLD_CHUNK	1024

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << 26)
#endif

static const char *dir;
static int pct = 100;

/* base iterations, scaled by pct percent, at least one */
static int n_iter(int base)
{
	int n = base * pct / 100;

	return n > 0 ? n : 1;
}

static long long ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long children_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Buffers of 512 pages: order-0, one THP, one hugetlb page. */
enum buf_kind { BUF_4K, BUF_THP, BUF_HUGETLB };

static void *buffer(enum buf_kind kind)
{
	char *p, *a;

	switch (kind) {
	case BUF_4K:
		p = gt_anon(NR);
		if (!p)
			die("mmap");
		return p;
	case BUF_THP:
		p = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		a = (char *)(((unsigned long)p + HPAGE - 1) & ~(HPAGE - 1));
		if (madvise(a, HPAGE, MADV_HUGEPAGE))
			die("MADV_HUGEPAGE");
		memset(a, 0x5a, HPAGE);
		return a;
	case BUF_HUGETLB:
		p = mmap(NULL, HPAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			 MAP_HUGE_2MB, -1, 0);
		if (p == MAP_FAILED)
			die("mmap MAP_HUGETLB");
		memset(p, 0x5a, HPAGE);
		return p;
	}
	return NULL;
}

/* One run: ops operations. */
struct run {
	long long ops, wall, cpu;
};

static void start(struct run *r, long long *w, long long *c)
{
	r->ops = 0;
	*w = ns(CLOCK_MONOTONIC);
	*c = ns(CLOCK_PROCESS_CPUTIME_ID) + children_ns();
}

static void stop(struct run *r, long long w, long long c)
{
	r->wall = ns(CLOCK_MONOTONIC) - w;
	r->cpu = ns(CLOCK_PROCESS_CPUTIME_ID) + children_ns() - c;
}

static int uring_reg(int ring, unsigned int op, struct iovec *iov, int n)
{
	return syscall(__NR_io_uring_register, ring, op, iov, n);
}

static int uring_open(void)
{
	struct io_uring_params params;
	int ring;

	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		die("io_uring_setup");
	return ring;
}

/* One registration of the buffer and its release. */
static void uring_cycle(int ring, struct iovec *iov)
{
	if (uring_reg(ring, IORING_REGISTER_BUFFERS, iov, 1))
		die("IORING_REGISTER_BUFFERS");
	if (uring_reg(ring, IORING_UNREGISTER_BUFFERS, NULL, 0))
		die("IORING_UNREGISTER_BUFFERS");
}

static void uring(struct run *r, enum buf_kind kind, int iters)
{
	struct iovec iov = { .iov_base = buffer(kind), .iov_len = NR * GT_PAGE };
	int ring = uring_open();
	long long w, c;

	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++)
		uring_cycle(ring, &iov);
	stop(r, w, c);
	close(ring);
}

static void drv(struct run *r, enum buf_kind kind, int iters)
{
	void *buf = buffer(kind);
	struct gtp_pin p;
	long long w, c;
	int fd = gtp_open();

	if (fd < 0)
		die("open " GTP_DEVICE);
	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++) {
		if (gtp_pin(fd, buf, NR, GTP_PIN_FAST, GTP_F_WRITE, &p) ||
		    p.result != NR)
			die("GTP_IOC_PIN");
		if (gtp_release(fd, p.id, GTP_REL_UNPIN))
			die("GTP_IOC_RELEASE");
	}
	stop(r, w, c);
	close(fd);
}

static void pvm(struct run *r, int iters)
{
	char *src = gt_anon(NR), *dst = gt_anon(NR);
	struct iovec l = { dst, NR * GT_PAGE }, rv = { src, NR * GT_PAGE };
	long long w, c;

	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++)
		if (process_vm_readv(getpid(), &l, 1, &rv, 1, 0) !=
		    (ssize_t)(NR * GT_PAGE))
			die("process_vm_readv");
	stop(r, w, c);
}

/* 4 KiB O_DIRECT psync reads over a 4 MiB file, into anon or ext4 pages. */
static void odirect(struct run *r, int file_buf, int iters)
{
	char path[256], bpath[256];
	char *buf;
	long long w, c;
	int fd, bfd;

	snprintf(path, sizeof(path), "%s/bench-odirect.dat", dir);
	buf = gt_file_shared(path, 1024, &fd);
	if (!buf)
		die("data file");
	/*
	 * Clean and out of the page cache, as a database's files are: a read
	 * of a dirty cached page would write it back first, and that is not
	 * what this measures.
	 */
	if (munmap(buf, 1024 * GT_PAGE) || fsync(fd) ||
	    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		die("data file clean");
	close(fd);
	fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		die("O_DIRECT open");
	if (file_buf) {
		snprintf(bpath, sizeof(bpath), "%s/bench-odirect.buf", dir);
		buf = gt_file_shared(bpath, 1, &bfd);
		if (!buf)
			die("buffer file");
	} else {
		buf = gt_anon(1);
	}
	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++)
		if (pread(fd, buf, 4096, (off_t)(i % 1024) * 4096) != 4096)
			die("pread");
	stop(r, w, c);
	close(fd);
	unlink(path);
	if (file_buf) {
		close(bfd);
		unlink(bpath);
	}
}

static void page_free(struct run *r, int iters)
{
	long long w, c;

	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++) {
		char *p = mmap(NULL, 64 * MB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		madvise(p, 64 * MB, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < 64 * MB; off += 4096)
			p[off] = 1;
		munmap(p, 64 * MB);
	}
	stop(r, w, c);
}

static void exec_loop(struct run *r, int iters)
{
	long long w, c;

	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++) {
		pid_t pid = fork();

		if (!pid) {
			execl("/bin/true", "true", "arg", NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	stop(r, w, c);
}

/* Dirty 64 KiB of a file, fsync it. */
static void fsync_loop(struct run *r, int iters)
{
	static char buf[64 * 1024];
	char path[256];
	long long w, c;
	int fd;

	snprintf(path, sizeof(path), "%s/bench-fsync.dat", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open");
	memset(buf, 7, sizeof(buf));
	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++)
		if (pwrite(fd, buf, sizeof(buf), (i % 16) * sizeof(buf)) !=
		    sizeof(buf) || fsync(fd))
			die("pwrite/fsync");
	stop(r, w, c);
	close(fd);
	unlink(path);
}

/* Fault 4 MiB of a shared ext4 mapping in, page it out. */
static void pageout(struct run *r, int iters)
{
	char path[256];
	long long w, c;
	char *p;
	int fd;
	volatile char sink;

	snprintf(path, sizeof(path), "%s/bench-pageout.dat", dir);
	p = gt_file_shared(path, 1024, &fd);
	if (!p)
		die("file");
	start(r, &w, &c);
	for (int i = 0; i < iters; i++, r->ops++) {
		for (size_t off = 0; off < 4 * MB; off += 4096)
			sink = p[off];
		if (madvise(p, 4 * MB, MADV_PAGEOUT))
			die("MADV_PAGEOUT");
	}
	stop(r, w, c);
	(void)sink;
	close(fd);
	unlink(path);
}

/* Pin nr pages in sets the driver holds until this process dies. */
static int hold(long nr)
{
	int fd = gtp_open();
	struct gtp_pin p;
	char *buf;

	if (fd < 0)
		die("open " GTP_DEVICE);
	buf = mmap(NULL, nr * GT_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	/* order-0 folios: one table entry per page */
	madvise(buf, nr * GT_PAGE, MADV_NOHUGEPAGE);
	for (long i = 0; i < nr; i++)
		buf[i * GT_PAGE] = 1;
	/*
	 * A set at a time of HOLD_CHUNK pages, a pause between: gup_track
	 * tables new folios from a reserve its worker refills, and one
	 * 65536-page call would drain it (untracked_nomem).
	 */
	for (long done = 0; done < nr; ) {
		long n = nr - done > HOLD_CHUNK ? HOLD_CHUNK : nr - done;

		if (gtp_pin(fd, buf + done * GT_PAGE, n, GTP_PIN_FAST,
			    GTP_F_WRITE, &p) || p.result != n)
			die("GTP_IOC_PIN");
		done += n;
		usleep(1000);
	}
	printf("held %ld\n", nr);
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

/* The load under the latency row: large registrations, back to back. */
static int uring_load(long mb)
{
	struct iovec iov;
	cpu_set_t cpus;
	int ring;

	/* On the measuring thread's CPU: it waits for what cannot preempt. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("sched_setaffinity");
	iov.iov_len = mb * MB;
	iov.iov_base = gt_anon(iov.iov_len / GT_PAGE);
	if (!iov.iov_base)
		die("mmap");
	ring = uring_open();
	printf("loading\n");
	fflush(stdout);
	for (;;)
		uring_cycle(ring, &iov);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	struct run r;

	if (argc == 3 && !strcmp(name, "hold"))
		return hold(atol(argv[2]));
	if (argc == 3 && !strcmp(name, "uring_load"))
		return uring_load(atol(argv[2]) > 0 ? atol(argv[2]) : 64);
	if (argc < 3) {
		fprintf(stderr, "usage: %s NAME DIR [PCT] | hold NR\n",
			argv[0]);
		return 2;
	}
	dir = argv[2];
	if (argc > 3)
		pct = atoi(argv[3]) > 0 ? atoi(argv[3]) : 100;

	if (!strcmp(name, "uring_4k"))
		uring(&r, BUF_4K, n_iter(20));
	else if (!strcmp(name, "uring_thp"))
		uring(&r, BUF_THP, n_iter(20));
	else if (!strcmp(name, "uring_hugetlb"))
		uring(&r, BUF_HUGETLB, n_iter(20));
	else if (!strcmp(name, "pin_4k"))
		drv(&r, BUF_4K, n_iter(40));
	else if (!strcmp(name, "pin_thp"))
		drv(&r, BUF_THP, n_iter(40));
	else if (!strcmp(name, "pin_hugetlb"))
		drv(&r, BUF_HUGETLB, n_iter(40));
	else if (!strcmp(name, "pvm_readv"))
		pvm(&r, n_iter(40));
	else if (!strcmp(name, "odirect_anon"))
		odirect(&r, 0, n_iter(400));
	else if (!strcmp(name, "odirect_file"))
		odirect(&r, 1, n_iter(400));
	else if (!strcmp(name, "free"))
		page_free(&r, n_iter(2));
	else if (!strcmp(name, "exec"))
		exec_loop(&r, n_iter(20));
	else if (!strcmp(name, "fsync"))
		fsync_loop(&r, n_iter(20));
	else if (!strcmp(name, "pageout"))
		pageout(&r, n_iter(4));
	else {
		fprintf(stderr, "bench: unknown benchmark '%s'\n", name);
		return 2;
	}
	printf("%s %lld %lld %lld\n", name, r.ops, r.wall, r.cpu);
	return 0;
}
