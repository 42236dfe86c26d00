// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring: each kind of event from a real cause, attributed to the
 * process that took the pins, in the events view, the CLI stream and the
 * Prometheus export.
 *
 *  - misuse_put: the test driver pins, then releases with put_page();
 *  - freed_pinned: the driver drops the pins behind the unpin path's back
 *    (reconciler off), then the pages are freed;
 *  - long_held: a pin without FOLL_LONGTERM held past long_hold_ms, and
 *    none for a FOLL_LONGTERM one;
 *  - orphaned: a child leaks driver pins and exits; a child that
 *    registered io_uring buffers and is killed leaves none, nor one that
 *    handed its ring on (fork) before it exited, nor one that read
 *    another's long-term pinned memory with process_vm_readv(2);
 *  - migrate_blocked: move_pages(2) of a child's io_uring buffers,
 *    compaction of a node holding them (memfd), and offlining a block of
 *    ZONE_MOVABLE a driver holds pinned, once per folio however often the
 *    kernel retries;
 *  - truncate: a pinned page-cache page is truncated;
 *  - the ring: sequence numbers in order, overflow counted in events_lost,
 *    a ring per kind, so that a flood of one kind keeps the others.
 *
 * usage: events DIR (on ext4)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/mempolicy.h>
#include <signal.h>
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
#define GT_CLI	"/tests/gup-track"

/* Kinds whose test was skipped here, not looked for in the CLI. */
static bool no_thp, no_numa;

static bool longterm(const struct gt_event *e)
{
	return e->flags[0] == 'L';
}

static bool from_driver(const struct gt_event *e)
{
	return strstr(e->caller, "gup_test_pin") != NULL;
}

static bool cli_has(const char *cmd, const char *what);

/* The pins a careless release leaked stay held, flagged, attributed. */
static bool misused_shown(int events)
{
	struct gt_row *rows;
	char cmd[128], want[32];
	int i, nr, x = 0;
	bool ok;

	/*
	 * A page still in a per-CPU LRU batch holds the kernel's reference
	 * there, which hides the one put_page() took until the batch drains:
	 * compaction drains them all. Then wait for the worker's next pass.
	 */
	gt_write_file("/proc/sys/vm/compact_memory", "1");
	for (i = 0; i < 50 && gt_events_of("misuse_put", getpid(), NULL) < NR; i++)
		usleep(100000);
	nr = gt_rows(&rows);
	for (i = 0; i < nr; i++)
		x += rows[i].pid == getpid() && rows[i].flags[0] == 'X' &&
		     rows[i].pins == 1;
	free(rows);
	snprintf(cmd, sizeof(cmd), "/tests/gup-track -j tasks --pid %d", getpid());
	snprintf(want, sizeof(want), "\"misused\":%d", NR);
	events = gt_events_of("misuse_put", getpid(), NULL);
	ok = ktap_result(x == NR && events == NR &&
			 gt_stat("active_misused_folios") >= NR &&
			 gt_stat("active_misused_pins") >= NR &&
			 cli_has(cmd, want) &&
			 gt_stat("kernel_foll_pin_acquired") ==
			 gt_stat("ours_foll_pin_acquired") &&
			 gt_stat("kernel_foll_pin_released") ==
			 gt_stat("ours_foll_pin_released"),
			 "the leaked pins stay held: %d rows flagged X, tasks misused %d, stats %lld folios, totals agree",
			 x, NR, gt_stat("active_misused_folios"));
	return ok;
}

static void misuse_put(void)
{
	char *buf = gt_anon(NR);
	int dev = gtp_open();
	struct gtp_pin p;
	struct gt_event e;
	bool ok;
	int n;

	ok = buf && dev >= 0 && !gtp_pin(dev, buf, NR, GTP_PIN_FAST, GTP_F_WRITE, &p) &&
	     p.result == NR && !gtp_release(dev, p.id, GTP_REL_CARELESS);
	n = gt_events_soon("misuse_put", getpid(), &e, 5);
	if (n > 0)
		ktap_diag("%s", e.line);
	ktap_result(ok && n > 0 && from_driver(&e) && e.flags[1] == 'W' &&
		    gt_stat("events_misuse_put") >= n,
		    "careless driver (pin, then put_page): misuse_put naming the driver (%d)", n);
	/*
	 * The pages keep the references put_page() did not drop: leaked, and
	 * the kernel counts the pins held. So does gup_track: in pages (flag
	 * X), tasks (misused), stats, and the totals still agree.
	 */
	ok &= misused_shown(n);
	if (dev >= 0)
		close(dev);
}

static void freed_pinned(void)
{
	char *buf = gt_anon(NR);
	int dev = gtp_open();
	struct gtp_pin p;
	struct gt_event e;
	bool ok;
	int n;

	/* The reconciler would see the pins gone first: keep it away. */
	gt_set_param("reconcile_ms", "0");
	gt_set_param("reconcile_on_read", "0");
	ok = buf && dev >= 0 && !gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p) &&
	     p.result == NR && !gtp_release(dev, p.id, GTP_REL_UNSEEN);
	ok &= buf && !munmap(buf, NR * GT_PAGE);
	n = gt_events_soon("freed_pinned", getpid(), &e, 3);
	gt_set_param("reconcile_on_read", "1");
	gt_set_param("reconcile_ms", "1000");
	if (n > 0)
		ktap_diag("%s", e.line);
	ktap_result(ok && n > 0 && from_driver(&e) &&
		    gt_stat("freed_while_pinned") >= n,
		    "pins dropped unseen, pages freed: freed_pinned naming the driver (%d)", n);
	if (dev >= 0)
		close(dev);
}

static void long_held(void)
{
	char *a = gt_anon(4), *b = gt_anon(4);
	int dev = gtp_open();
	struct gtp_pin pa, pb;
	struct gt_event e;
	int n, nl;
	bool ok;

	gt_set_param("long_hold_ms", "300");
	ok = a && b && dev >= 0 && !gtp_pin(dev, a, 4, GTP_PIN_FAST, 0, &pa) &&
	     !gtp_pin(dev, b, 4, GTP_PIN_FAST, GTP_F_LONGTERM, &pb);
	n = gt_events_soon("long_held", getpid(), &e, 5);
	if (n > 0)
		ktap_diag("%s", e.line);
	sleep(1);
	n = gt_events_of("long_held", getpid(), &e);
	/* Every long_held of ours is a short-term one: 4 folios, no more. */
	nl = gt_events_match("long_held", getpid(), longterm, NULL);
	ok &= !gtp_release(dev, pa.id, GTP_REL_UNPIN) &&
	      !gtp_release(dev, pb.id, GTP_REL_UNPIN);
	gt_set_param("long_hold_ms", "0");
	ktap_result(ok && n >= 4 && !nl && from_driver(&e),
		    "a pin held past long_hold_ms: long_held, once per folio, none for FOLL_LONGTERM (%d)",
		    n);
	close(dev);
}

/* An order-9 folio, if THP gives one: 512 pages, aligned, written. */
static char *thp_buffer(void)
{
	size_t len = 2 * 512 * GT_PAGE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)p + 512 * GT_PAGE - 1) &
		     ~(512 * GT_PAGE - 1));
	madvise(p, 512 * GT_PAGE, MADV_HUGEPAGE);
	memset(p, 1, 512 * GT_PAGE);
	return p;
}

/*
 * unpin_user_page() on a FOLL_GET reference: the opposite mistake. Only on
 * a large folio, where the kernel survives it (its pin count goes below
 * zero; the driver keeps the folio from ever being freed).
 */
static void unpin_unpinned(void)
{
	const char *why = gt_thp_unavailable();
	struct gtp_page_info info;
	struct gtp_pin p;
	struct gt_event e;
	int dev, n;
	char *buf;
	bool ok;

	if (why) {
		ktap_skip(why, "unpin of a FOLL_GET reference: unpin_unpinned");
		no_thp = true;
		return;
	}
	buf = thp_buffer();
	dev = gtp_open();
	ok = buf && dev >= 0 && !gtp_pin(dev, buf, 1, GTP_GET_FAST, 0, &p) &&
	     p.result == 1 && gtp_query(dev, p.id, &info, 1) == 1;
	if (ok && info.order != 9) {
		ktap_diag("not an order-9 folio (order %u)", info.order);
		ok = false;
	}
	ok = ok && !gtp_release(dev, p.id, GTP_REL_UNPIN_GETS);
	n = gt_events_of("unpin_unpinned", getpid(), &e);
	if (n > 0)
		ktap_diag("%s", e.line);
	ktap_result(ok && n == 1 && from_driver(&e),
		    "unpin of a FOLL_GET reference on a THP: unpin_unpinned naming the taker (%d)", n);
	if (dev >= 0)
		close(dev);
}

/*
 * buf (16 pages) pinned through the driver with GTP_F_* flags, or NULL;
 * the pins go when the process closes the device, at its exit.
 */
static char *driver_pins(char *buf, unsigned int flags)
{
	int dev = gtp_open();
	struct gtp_pin p;

	if (!buf || dev < 0 || gtp_pin(dev, buf, 16, GTP_PIN_FAST, flags, &p) ||
	    p.result != 16)
		return NULL;
	return buf;
}

/* 16 pages pinned long-term through the driver, in the calling process. */
static char *driver_longterm(void)
{
	return driver_pins(gt_anon(16), GTP_F_LONGTERM);
}

/*
 * A process that reads another's long-term pinned memory with
 * process_vm_readv(2) (a debugger, a checkpointer) pins it for a moment
 * and exits. The folios stay the long-term holder's: no orphaned event
 * names the reader.
 */
static void transient_reader(void)
{
	char *buf, copy[16 * GT_PAGE];
	int holder, reader, st, n, tracked;

	gt_set_param("orphan_s", "1");
	holder = gt_holder_child(driver_longterm, &buf);
	reader = buf ? fork() : -1;
	if (reader == 0) {
		struct iovec local = { copy, sizeof(copy) };
		struct iovec remote = { buf, sizeof(copy) };

		_exit(process_vm_readv(holder, &local, 1, &remote, 1, 0) !=
		      (ssize_t)sizeof(copy));
	}
	st = 1;
	if (reader > 0)
		waitpid(reader, &st, 0);
	sleep(4);	/* the grace period, and the reconciler's pass */
	n = gt_events_of("orphaned", reader, NULL);
	tracked = gt_rows_of(holder);
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	gt_set_param("orphan_s", "60");
	ktap_result(buf && WIFEXITED(st) && !WEXITSTATUS(st) && n == 0 &&
		    tracked == 16,
		    "a reader's process_vm_readv of long-term pinned pages: they stay the holder's (%d folios), no orphaned event when the reader exits (%d)",
		    tracked, n);
}

/* A child that leaks pins through the driver and exits: its pid. */
static int ring_setup(void)
{
	struct io_uring_params params;

	memset(&params, 0, sizeof(params));
	return syscall(__NR_io_uring_setup, 4, &params);
}

/* buf (16 pages) registered as io_uring buffers of a new ring; or NULL. */
static char *ring_register(char *buf)
{
	struct iovec iov = { buf, 16 * GT_PAGE };
	int ring = ring_setup();

	if (ring < 0 || !buf ||
	    syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		    &iov, 1))
		return NULL;
	return buf;
}

/* 16 pages registered as io_uring buffers, in the calling process. */
static char *ring_buffers(void)
{
	return ring_register(gt_anon(16));
}

/*
 * A child that registers 16 pages as io_uring buffers and waits to be
 * killed; *addr is the buffer, NULL if registering failed.
 */
static int io_uring_child(char **addr)
{
	return gt_holder_child(ring_buffers, addr);
}

static void orphaned(void)
{
	int leaker, ring_pid, st, n_ring, tracked;
	char *ring_buf;
	struct gt_event e;
	bool ok;
	int n;

	gt_set_param("orphan_s", "2");
	leaker = gt_leaking_child(4);
	ok = leaker > 0 && waitpid(leaker, &st, 0) == leaker &&
	     WIFEXITED(st) && !WEXITSTATUS(st);
	n = gt_events_soon("orphaned", leaker, &e, 8);
	sleep(2);
	n = gt_events_of("orphaned", leaker, &e);
	if (n > 0)
		ktap_diag("%s", e.line);
	ktap_result(ok && n == 4 && from_driver(&e),
		    "pins leaked by the driver outlive their process: orphaned, once per folio (%d)",
		    n);

	ring_pid = io_uring_child(&ring_buf);
	tracked = ring_pid > 0 ? gt_rows_of(ring_pid) : 0;
	if (ring_pid > 0) {
		kill(ring_pid, SIGKILL);
		waitpid(ring_pid, &st, 0);
	}
	sleep(6);	/* three times the grace period */
	n_ring = gt_events_of("orphaned", ring_pid, NULL);
	ktap_result(ring_buf && tracked > 0 && n_ring == 0 &&
		    gt_none_left_soon(ring_pid),
		    "io_uring buffers of a killed process: torn down, no orphaned event (%d folios tracked)",
		    tracked);
	gt_set_param("orphan_s", "60");
}

/*
 * A child registers io_uring buffers, forks, and exits: its own child
 * holds the ring on. The pins live with the ring, which the kernel owns on
 * purpose: no orphaned event for the registrant; they go when the last
 * holder closes the ring. (An io_uring file cannot be sent over a unix
 * socket on these kernels: fork is how a ring is handed on.)
 */
static void ring_handed_over(void)
{
	int ready[2], hold[2], pid, holder = -1, st, tracked, n;
	bool ok;

	gt_set_param("orphan_s", "2");
	if (pipe(ready) || pipe(hold)) {
		ktap_result(false, "io_uring ring handed on: pipe: %s",
			    strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (!ring_buffers())
			_exit(1);
		holder = fork();
		if (holder == 0) {
			char c;

			/* Until the test closes its end of hold. */
			while (read(hold[0], &c, 1) > 0)
				;
			_exit(0);
		}
		if (holder < 0 || write(ready[1], &holder, sizeof(holder)) !=
				  sizeof(holder))
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	ok = pid > 0 && read(ready[0], &holder, sizeof(holder)) ==
			sizeof(holder) && holder > 0;
	close(ready[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	sleep(6);	/* three times the grace period */
	tracked = gt_rows_of(pid);
	n = gt_events_of("orphaned", pid, NULL);
	close(hold[1]);	/* the holder exits, the ring closes */
	ok &= tracked == 16 && n == 0 && gt_none_left_soon(pid);
	ktap_result(ok,
		    "io_uring ring handed on by fork, its registrant gone: pins held (%d folios), no orphaned event (%d), released when the ring closes",
		    tracked, n);
	gt_set_param("orphan_s", "60");
}

/*
 * move_pages(2) of another process's io_uring buffers to the other node:
 * the pins make it fail, and the event names the child that holds them,
 * not the mover.
 */
static void migrate_blocked(void)
{
	void *pages[16];
	int nodes[16], status[16], i, pid, st, n, syscall_n;
	char *buf;
	struct gt_event e;
	long ret;

	if (access("/sys/devices/system/node/node1", F_OK)) {
		ktap_skip("one NUMA node", "move_pages of io_uring buffers: migrate_blocked");
		no_numa = true;
		return;
	}
	pid = io_uring_child(&buf);
	for (i = 0; i < 16; i++)
		pages[i] = buf + i * GT_PAGE;
	ret = buf ? syscall(__NR_move_pages, pid, 16, pages, NULL, status, 0) : -1;
	for (i = 0; i < 16; i++)
		nodes[i] = !ret && status[i] == 0 ? 1 : 0;
	ret = buf ? syscall(__NR_move_pages, pid, 16, pages, nodes, status,
			    MPOL_MF_MOVE) : -1;
	ktap_diag("move_pages: %ld, page 0 status %d", ret, status[0]);
	n = gt_events_of("migrate_blocked", pid, &e);
	syscall_n = gt_events_match("migrate_blocked", pid, gt_event_by_syscall, NULL);
	if (n > 0)
		ktap_diag("%s", e.line);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	ktap_result(buf && n >= 16 && syscall_n >= 16 && strstr(e.caller, "io_"),
		    "move_pages of io_uring buffers: migrate_blocked, reason syscall, naming the ring's owner (%d)",
		    syscall_n);
}

/* 16 pages of a memfd on node 1 registered as io_uring buffers. */
static char *ring_memfd_node1(void)
{
	return ring_register(gt_memfd_on(16, 1));
}

/*
 * Compaction with another process's io_uring buffers in the way. The
 * kernel skips pinned anonymous memory while it isolates, without trying
 * it, so the buffers are shmem, which it does try.
 */
static void compaction(void)
{
	struct gt_event e;
	int n;

	if (no_numa) {
		ktap_skip("one NUMA node", "compaction of io_uring buffers: migrate_blocked");
		return;
	}
	n = gt_compaction_blocked(ring_memfd_node1, 16, &e);
	if (n == -EAGAIN) {
		ktap_skip("compaction never reached the buffers",
			  "compaction of io_uring buffers: migrate_blocked");
		return;
	}
	ktap_result(n > 0 && strstr(e.caller, "io_") && e.flags[0] == 'L',
		    "compaction of node 1 with io_uring buffers (memfd) in it: migrate_blocked, reason compaction, naming the ring's owner (%d)",
		    n);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Write what to memory block nr's state, interrupted after secs (0: never). */
static int block_state(unsigned long nr, const char *what, unsigned int secs)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	char path[96];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%lu/state",
		 nr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	sigaction(SIGALRM, &sa, &old);	/* no SA_RESTART */
	alarm(secs);
	if (write(fd, what, strlen(what)) < 0)
		err = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	close(fd);
	return err;
}

/*
 * A block of node 1 that can be offlined (no unmovable page in it), found
 * by offlining it, then put back online in ZONE_MOVABLE: the only movable
 * zone, where node 1's next user pages go. -1 if none.
 */
static long movable_block(void)
{
	DIR *d = opendir("/sys/devices/system/node/node1");
	struct dirent *de;
	unsigned long n;
	long nr, high = -1;

	/* Highest first: the lowest holds what came first, the highest the memmap. */
	while (d && (de = readdir(d)))
		if (sscanf(de->d_name, "memory%lu", &n) == 1 && (long)n > high)
			high = n;
	if (d)
		closedir(d);
	for (nr = high; nr >= 0; nr--) {
		char node[96];

		snprintf(node, sizeof(node),
			 "/sys/devices/system/node/node1/memory%ld", nr);
		if (access(node, F_OK) || block_state(nr, "offline", 5))
			continue;
		if (!block_state(nr, "online_movable", 0))
			return nr;
		if (block_state(nr, "online", 0))
			ktap_diag("memory%ld left offline", nr);
		return -1;
	}
	return -1;
}

/* Back online in the kernel's zone, from wherever it is; true if so. */
static bool block_restore(long nr)
{
	char path[96], state[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%ld/state",
		 nr);
	f = fopen(path, "r");
	if (f && !fgets(state, sizeof(state), f))
		state[0] = 0;
	if (f)
		fclose(f);
	/* Writing its own state to a block is an error: offline only if online. */
	if (!strncmp(state, "online", 6) && block_state(nr, "offline", 10))
		return false;
	return !block_state(nr, "online", 0);
}

/* 16 pages on node 1 pinned (not long-term) through the driver. */
static char *driver_pin_node1(void)
{
	return driver_pins(gt_anon_on(16, 1), 0);
}

/*
 * Hot-unplug of movable memory held by a short-term pin: offlining the
 * block retries the pinned folios until a signal stops it, and each is
 * reported once, the retries counted.
 */
static void offlining(void)
{
	unsigned long block;
	long long repeats;
	char *buf = NULL;
	struct gt_event e;
	int pid = -1, st, n, i, in_block = 0, err = 0;
	bool restored;
	long nr = -1;
	FILE *f;

	f = fopen("/sys/devices/system/memory/block_size_bytes", "r");
	if (!f || fscanf(f, "%lx", &block) != 1 || no_numa) {
		if (f)
			fclose(f);
		ktap_skip("no memory blocks or one NUMA node", "offlining pinned movable memory: migrate_blocked");
		return;
	}
	fclose(f);
	block /= GT_PAGE;
	nr = movable_block();
	if (nr >= 0)
		pid = gt_holder_child(driver_pin_node1, &buf);
	for (i = 0; buf && i < 16; i++)
		in_block += gt_pid_pfn(pid, buf + i * GT_PAGE) / block ==
			    (unsigned long)nr;
	repeats = gt_stat("migrate_blocked_repeats");
	if (buf)
		err = block_state(nr, "offline", 2);
	n = gt_events_match("migrate_blocked", pid, gt_event_by_offlining, &e);
	repeats = gt_stat("migrate_blocked_repeats") - repeats;
	ktap_diag("memory%ld in ZONE_MOVABLE: %d of the 16 pinned folios in it, offline: %s, %d migrate_blocked from offlining, %lld repeats",
		  nr, in_block, strerror(err), n, repeats);
	if (n > 0)
		ktap_diag("%s", e.line);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	/* Back to the kernel zone, now that nothing holds it. */
	restored = nr < 0 || block_restore(nr);
	if (!restored)
		ktap_diag("memory%ld could not be put back online", nr);
	ktap_result(buf && in_block == 16 && err == EINTR && n == 16 &&
		    repeats > 0 && from_driver(&e) && restored,
		    "offlining movable memory a driver holds pinned: migrate_blocked once per folio (%d), reason memory_hotplug, the retries counted (%lld)",
		    n, repeats);
}

static void truncate_event(const char *dir)
{
	char path[256];
	int dev = gtp_open(), fd = -1, n;
	struct gtp_pin p;
	struct gt_event e;
	char *buf;
	bool ok;

	snprintf(path, sizeof(path), "%s/events.dat", dir);
	buf = gt_file_shared(path, 4, &fd);
	gt_set_param("policy", "observe");
	ok = buf && dev >= 0 && !gtp_pin(dev, buf, 4, GTP_PIN_FAST, GTP_F_WRITE, &p) &&
	     p.result == 4 && !ftruncate(fd, 0);
	n = gt_events_of("truncate", getpid(), &e);
	if (n > 0)
		ktap_diag("%s", e.line);
	ok &= !gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(ok && n == 4 && from_driver(&e) && strchr(e.line, ':'),
		    "truncate of 4 pinned pages: 4 truncate events with the file (%d)", n);
	if (buf)
		munmap(buf, 4 * GT_PAGE);
	if (fd >= 0)
		close(fd);
	unlink(path);
	close(dev);
}

/* The whole ring: sequence numbers rise by one, oldest first. */
static void ring_order(void)
{
	FILE *f = fopen(GT_DEBUGFS "/events", "r");
	unsigned long long seq, prev = 0;
	char line[512];
	bool ok = f && fgets(line, sizeof(line), f) &&
		  !strncmp(line, "seq ", 4);
	int n = 0;

	while (ok && fgets(line, sizeof(line), f)) {
		ok &= sscanf(line, "%llu", &seq) == 1 && (!prev || seq == prev + 1);
		prev = seq;
		n++;
	}
	if (f)
		fclose(f);
	ktap_result(ok && n > 0 && gt_stat("events_next_seq") >= (long long)prev + 1,
		    "events view: %d events oldest first, sequence numbers without gaps", n);
}

static bool cli_has(const char *cmd, const char *what)
{
	char buf[1024];
	FILE *p = popen(cmd, "r");
	bool found = false;

	while (p && fgets(buf, sizeof(buf), p))
		found |= strstr(buf, what) != NULL;
	if (p)
		pclose(p);
	if (!found)
		ktap_diag("%s: no %s", cmd, what);
	return found;
}

static const char * const kinds[] = {
	"misuse_put", "freed_pinned", "long_held", "orphaned", "truncate",
	"migrate_blocked", "unpin_unpinned",
};

static void cli(void)
{
	char what[128];
	bool ok = true, okj = true, okp = true;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if ((no_thp && !strcmp(kinds[i], "unpin_unpinned")) ||
		    (no_numa && !strcmp(kinds[i], "migrate_blocked")))
			continue;
		snprintf(what, sizeof(what), "] %s pid ", kinds[i]);
		ok &= cli_has(GT_CLI " events", what);
		snprintf(what, sizeof(what), "\"kind\":\"%s\"", kinds[i]);
		okj &= cli_has(GT_CLI " -j events", what);
		snprintf(what, sizeof(what), "gup_track_events_total{kind=\"%s\"} ", kinds[i]);
		okp &= cli_has(GT_CLI " export --prometheus /tmp/gt.prom && cat /tmp/gt.prom", what);
	}
	ktap_result(ok, "gup-track events lists every kind raised");
	ktap_result(okj, "gup-track -j events: every kind, one JSON object per line");
	ktap_result(okp, "export --prometheus: a counter for every kind");
}

/* --follow prints what happens after it started, like dmesg -w. */
static void cli_follow(void)
{
	int leaker, st;
	bool ok;

	ok = !system("timeout 8 " GT_CLI " -j events --follow --kind orphaned "
		     "--since $(awk '$1 == \"events_next_seq\" {print $2}' "
		     GT_DEBUGFS "/stats) > /tmp/follow.out 2>&1 &");
	gt_set_param("orphan_s", "1");
	leaker = gt_leaking_child(4);
	waitpid(leaker, &st, 0);
	sleep(9);
	gt_set_param("orphan_s", "60");
	ok &= cli_has("cat /tmp/follow.out", "\"kind\":\"orphaned\"");
	ok &= !cli_has("cat /tmp/follow.out", "\"kind\":\"misuse_put\"");
	ktap_result(ok, "gup-track events --follow --kind --since streams new events only");
}

/*
 * A ring of 4 events per kind: a flood of one kind (NR misuse_put) drops
 * that kind's oldest and counts them lost, and never pushes out an older
 * event of another kind (a long_held).
 */
static void overflow(void)
{
	char *buf, *held;
	int dev, n, nm, nl;
	struct gtp_pin p, ph;
	bool ok;

	ok = !system("rmmod gup_track && insmod /lib/gup_track/gup_track.ko events_size=4");
	buf = gt_anon(NR);
	held = gt_anon(1);
	dev = gtp_open();
	gt_set_param("long_hold_ms", "300");
	ok &= held && dev >= 0 && !gtp_pin(dev, held, 1, GTP_PIN_FAST, 0, &ph);
	ok &= gt_events_soon("long_held", getpid(), NULL, 5) == 1;
	gt_set_param("long_hold_ms", "0");
	ok &= buf && !gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p) &&
	      !gtp_release(dev, p.id, GTP_REL_CARELESS);
	gt_events_soon("misuse_put", getpid(), NULL, 5);
	sleep(2);
	n = gt_events_of(NULL, 0, NULL);
	nm = gt_events_of("misuse_put", getpid(), NULL);
	nl = gt_events_of("long_held", getpid(), NULL);
	ktap_diag("events_lost %lld, events_next_seq %lld, events_size %lld, %d in view: %d misuse_put, %d long_held",
		  gt_stat("events_lost"), gt_stat("events_next_seq"),
		  gt_stat("events_size"), n, nm, nl);
	ktap_result(ok && nm == 4 && nl == 1 && gt_stat("events_lost") > 0 &&
		    gt_stat("events_lost") + n == gt_stat("events_next_seq") - 1 &&
		    gt_stat("events_per_kind") == 4,
		    "a ring of 4 per kind: the newest 4 misuse_put kept, the rest counted lost, the older long_held kept");
	if (dev >= 0) {
		gtp_release(dev, ph.id, GTP_REL_UNPIN);
		close(dev);
	}
	ok = !system("rmmod gup_track && insmod /lib/gup_track/gup_track.ko");
	ktap_result(ok, "reloaded with the default ring");
}

int main(int argc, char **argv)
{
	ktap_plan(20);
	if (argc < 2)
		return ktap_skip_all("usage: events DIR");
	misuse_put();
	freed_pinned();
	long_held();
	orphaned();
	transient_reader();
	ring_handed_over();
	truncate_event(argv[1]);
	migrate_blocked();
	compaction();
	offlining();
	unpin_unpinned();
	ring_order();
	cli();
	cli_follow();
	overflow();
	return ktap_finish();
}
