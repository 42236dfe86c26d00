// SPDX-License-Identifier: GPL-2.0
/*
 * gup_track against real pinning workloads: io_uring fixed buffers,
 * process_vm_readv/writev, O_DIRECT into an ext4 MAP_SHARED mapping,
 * vmsplice, and fork of a task holding pinned anonymous pages. The kernel's
 * nr_foll_pin_* counters are the oracle for every one of them.
 *
 * usage: track_workloads DIR     (DIR on ext4)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	64

static int me;

/* Does name contain one of the '|'-separated words of want? */
static bool caller_is(const char *name, const char *want)
{
	char words[128], *w, *save;

	snprintf(words, sizeof(words), "%s", want);
	for (w = strtok_r(words, "|", &save); w; w = strtok_r(NULL, "|", &save))
		if (strstr(name, w))
			return true;
	return false;
}

/*
 * Every page of buf is in the table, attributed to us, with the flags
 * (positions, '.' = any) and a caller whose name contains want_caller.
 */
static bool buffer_tracked(const char *buf, int nr, const char *flags,
			   const char *want_caller)
{
	struct gt_row *rows;
	int n = gt_rows(&rows), bad = 0;

	for (int i = 0; i < nr; i++) {
		const struct gt_row *r = gt_row_find(rows, n,
						     gt_pfn(buf + i * GT_PAGE));
		bool ok = r && r->pid == me && caller_is(r->caller, want_caller);

		for (int j = 0; ok && flags[j]; j++)
			ok = flags[j] == '.' || r->flags[j] == flags[j];
		if (!ok && bad++ < 3)
			ktap_diag("page %d: row %s %s %s", i, r ? r->flags : "none",
				  r ? r->caller : "-", r ? r->comm : "-");
	}
	free(rows);
	return !bad;
}

static void io_uring_fixed(const char *kind, char *buf, const char *flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = NR * GT_PAGE };
	struct io_uring_params params = { 0 };
	struct gt_oracle o;
	long long kacq;
	int ring;
	bool ok;

	gt_oracle_begin(&o);
	ring = syscall(__NR_io_uring_setup, 4, &params);
	ok = ring >= 0 && !syscall(__NR_io_uring_register, ring,
				   IORING_REGISTER_BUFFERS, &iov, 1);
	ktap_result(ok && buffer_tracked(buf, NR, flags, "io_"),
		    "io_uring %s: 64 registered pages tracked %s, caller in io_uring",
		    kind, flags);
	if (ring >= 0) {
		syscall(__NR_io_uring_register, ring, IORING_UNREGISTER_BUFFERS,
			NULL, 0);
		close(ring);
	}
	ktap_result(gt_none_left(me) & gt_oracle_ok(&o, kind, &kacq) && kacq == NR,
		    "io_uring %s: unregistered, nothing left, totals match the kernel",
		    kind);
}

static void vm_rw(bool write)
{
	char *buf = gt_anon(NR), *local = gt_anon(NR);
	struct iovec l = { .iov_base = local, .iov_len = NR * GT_PAGE };
	struct iovec r = { .iov_base = buf, .iov_len = NR * GT_PAGE };
	struct gt_oracle o;
	long long kacq;
	ssize_t n;
	int pfd[2], st;
	pid_t child;
	char c;

	if (pipe(pfd))
		return;
	child = fork();
	if (!child) {
		/* Keep the copied buffer alive until the parent is done. */
		close(pfd[1]);
		if (read(pfd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[0]);
	gt_oracle_begin(&o);
	n = write ? process_vm_writev(child, &l, 1, &r, 1, 0) :
		    process_vm_readv(child, &l, 1, &r, 1, 0);
	ktap_result(n == (ssize_t)(NR * GT_PAGE) && gt_none_left(me) &&
		    gt_oracle_ok(&o, "process_vm", &kacq) && kacq >= NR,
		    "process_vm_%s of 64 pages: pinned remotely, all released, totals match (kernel +%lld)",
		    write ? "writev" : "readv", kacq);
	close(pfd[1]);
	waitpid(child, &st, 0);
	munmap(buf, NR * GT_PAGE);
	munmap(local, NR * GT_PAGE);
}

/*
 * O_DIRECT with the buffer in an ext4 MAP_SHARED mapping: FOLL_GET
 * references released by the bio on 6.1, FOLL_PIN pins unpinned from the
 * completion interrupt on 6.12. Either way nothing may stay behind.
 */
static void odirect(const char *dir, bool write)
{
	char mapped[256], target[256];
	long long kacq, gets, rel, ngets, nrel;
	struct gt_oracle o;
	bool ok;
	int mfd, dfd;
	ssize_t n;
	char *buf;

	snprintf(mapped, sizeof(mapped), "%s/odirect-buffer", dir);
	snprintf(target, sizeof(target), "%s/odirect-target", dir);
	buf = gt_file_shared(mapped, NR, &mfd);
	dfd = open(target, O_RDWR | O_CREAT | O_DIRECT, 0600);
	if (!buf || dfd < 0 || ftruncate(dfd, NR * GT_PAGE)) {
		ktap_result(false, "O_DIRECT setup: %s", strerror(errno));
		return;
	}
	gt_oracle_begin(&o);
	gets = gt_stat("gets_acquired");
	rel = gt_stat("gets_released");
	n = write ? pwrite(dfd, buf, NR * GT_PAGE, 0) :
		    pread(dfd, buf, NR * GT_PAGE, 0);
	ok = gt_none_left_soon(me);
	ngets = gt_stat("gets_acquired") - gets;
	nrel = gt_stat("gets_released") - rel;
	ktap_diag("O_DIRECT %s: gets +%lld released +%lld", write ? "write" : "read",
		  ngets, nrel);
	ktap_result(n == (ssize_t)(NR * GT_PAGE) && ok &&
		    gt_oracle_ok(&o, "O_DIRECT", &kacq) && ngets == nrel &&
		    ngets + kacq >= NR,
		    "O_DIRECT %s with an ext4 MAP_SHARED buffer: every pin or reference released",
		    write ? "write" : "read");
	munmap(buf, NR * GT_PAGE);
	close(mfd);
	close(dfd);
}

static void vmsplice_gets(void)
{
	char *buf = gt_anon(16), *sink = malloc(16 * GT_PAGE);
	struct iovec iov = { .iov_base = buf, .iov_len = 16 * GT_PAGE };
	long long expired = gt_stat("gets_expired");
	int p[2];
	bool ok;

	ok = !pipe(p) && fcntl(p[1], F_SETPIPE_SZ, 64 * GT_PAGE) > 0 &&
	     vmsplice(p[1], &iov, 1, 0) == 16 * GT_PAGE;
	/* Each view reconciles first: the pipe's references survive it. */
	ktap_result(ok && buffer_tracked(buf, 16, "-G", "pipe|vmsplice") &&
		    gt_rows_of(me) == 16,
		    "vmsplice: 16 FOLL_GET references tracked while in the pipe, caller in vmsplice");
	ok = read(p[0], sink, 16 * GT_PAGE) == 16 * GT_PAGE;
	ktap_result(ok && gt_none_left(me) &&
		    gt_stat("gets_expired") - expired == 16,
		    "vmsplice: once the pipe is read the next view infers all 16 released");
	munmap(buf, 16 * GT_PAGE);
	free(sink);
	close(p[0]);
	close(p[1]);
}

/* Rows in the tasks view for pid. */
static int task_rows(int pid)
{
	FILE *f = fopen(GT_DEBUGFS "/tasks", "r");
	char line[256];
	int n = 0, p;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%d ", &p) == 1 && p == pid)
			n++;
	if (f)
		fclose(f);
	return n;
}

/*
 * The page cache case: a process vmsplices 16 pages of an ext4 MAP_SHARED
 * mapping into a pipe and exits; once the pipe is drained nothing holds
 * them, so the process leaves the tasks view, and deleting the file later
 * is not a data loss.
 */
static void vmsplice_file(const char *dir)
{
	long long trunc = gt_stat("truncated_while_pinned");
	char path[256], *sink = malloc(16 * GT_PAGE);
	int p[2], st, fd;
	bool held, ok;
	pid_t child;

	snprintf(path, sizeof(path), "%s/vmsplice.dat", dir);
	if (pipe(p) || fcntl(p[1], F_SETPIPE_SZ, 64 * GT_PAGE) < 0) {
		ktap_result(false, "vmsplice of page cache: pipe");
		return;
	}
	child = fork();
	if (!child) {
		char *buf = gt_file_shared(path, 16, &fd);
		struct iovec iov = { .iov_base = buf, .iov_len = 16 * GT_PAGE };

		_exit(buf && vmsplice(p[1], &iov, 1, 0) == 16 * GT_PAGE ? 0 : 1);
	}
	waitpid(child, &st, 0);
	held = WIFEXITED(st) && !WEXITSTATUS(st) && task_rows(child) == 1;
	ok = read(p[0], sink, 16 * GT_PAGE) == 16 * GT_PAGE;
	ktap_result(held && ok && task_rows(child) == 0,
		    "vmsplice of page cache: listed while in the pipe, gone once drained and exited");
	ok = !unlink(path);
	ktap_result(ok && gt_stat("truncated_while_pinned") == trunc,
		    "vmsplice of page cache: deleting the file afterwards is not a data loss");
	free(sink);
	close(p[0]);
	close(p[1]);
}

/*
 * fork() must leave the pinned pages with the parent (the child gets
 * copies), and the table must keep them.
 */
static void fork_cow(void)
{
	struct gtp_page_info info[16];
	char *buf = gt_anon(16);
	struct gt_oracle o;
	struct gtp_pin p;
	long long kacq;
	int dev = gtp_open(), st, moved = 0;
	pid_t child;
	bool ok;

	gt_oracle_begin(&o);
	ok = dev >= 0 && !gtp_pin(dev, buf, 16, GTP_PIN_FAST,
				  GTP_F_WRITE | GTP_F_LONGTERM, &p) &&
	     p.result == 16 && gtp_query(dev, p.id, info, 16) == 16;
	child = fork();
	if (!child) {
		memset(buf, 0x77, 16 * GT_PAGE);
		_exit(0);
	}
	waitpid(child, &st, 0);
	memset(buf, 0x66, 16 * GT_PAGE);
	for (int i = 0; i < 16; i++)
		moved += gt_pfn(buf + i * GT_PAGE) != info[i].pfn;
	ktap_result(ok && !moved && buffer_tracked(buf, 16, "P-LWA", "gup_test_pin"),
		    "fork with 16 pinned pages: they stay with the parent and in the table");
	if (ok)
		gtp_release(dev, p.id, GTP_REL_UNPIN_DIRTY);
	ktap_result(gt_none_left(me) & gt_oracle_ok(&o, "fork", &kacq),
		    "fork: released, nothing left, totals match the kernel");
	close(dev);
	munmap(buf, 16 * GT_PAGE);
}

int main(int argc, char **argv)
{
	char *anon, *mfd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	ktap_plan(14);
	me = getpid();
	anon = gt_anon(NR);
	mfd = gt_memfd(NR);
	if (!anon || !mfd || gt_stat("format") < 0 || !gt_pfn(anon)) {
		ktap_diag("setup failed");
		return ktap_finish() | 1;
	}
	io_uring_fixed("anon", anon, "P-LWA");
	io_uring_fixed("memfd", mfd, "P-LWS");
	vm_rw(false);
	vm_rw(true);
	odirect(argv[1], true);
	odirect(argv[1], false);
	vmsplice_gets();
	vmsplice_file(argv[1]);
	fork_cow();
	return ktap_finish();
}
