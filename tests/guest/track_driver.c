// SPDX-License-Identifier: GPL-2.0
/*
 * gup_track's table against exact pins from the test driver: every pinned
 * page is in `pages` with the right counts, flags and attribution; after
 * release nothing of ours is left; and our FOLL_PIN totals move exactly as
 * the kernel's nr_foll_pin_{acquired,released} do.
 *
 * usage: track_driver EXT4_FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	64
#define THP_NR	512

static int dev, me;

/* flags: the letters that must be set, e.g. "P..W" ('.' = don't care). */
static bool rows_match(const struct gtp_page_info *info, int n, int pins,
		       int gets, const char *flags, int want_order)
{
	struct gt_row *rows;
	int nrows = gt_rows(&rows), i, j, bad = 0;

	for (i = 0; i < n; i++) {
		/* The table is keyed by the folio's head page. */
		unsigned long head = info[i].pfn & ~((1UL << info[i].order) - 1);
		const struct gt_row *r = gt_row_find(rows, nrows, head);
		const char *why = NULL;

		if (!r)
			why = "missing";
		else if (r->pins != pins || r->gets != gets)
			why = "counts";
		else if (r->pid != me || strcmp(r->comm, "track_driver"))
			why = "task";
		else if (!strstr(r->caller, "[gup_test_pin]"))
			why = "caller";
		else if (want_order >= 0 && (int)r->order != want_order)
			why = "order";
		for (j = 0; !why && flags[j]; j++)
			if (flags[j] != '.' && r->flags[j] != flags[j])
				why = "flags";
		if (why && bad++ < 3)
			ktap_diag("pfn %llu: %s (row: %s)", (unsigned long long)info[i].pfn, why,
				  r ? r->flags : "none");
	}
	free(rows);
	return !bad;
}

/* Pin, check rows while held, release, check: two results. */
static void pin_cycle(void *buf, unsigned int method, unsigned int flags,
		      const char *want_flags, const char *name)
{
	struct gtp_page_info info[NR];
	struct gt_oracle o;
	struct gtp_pin p;
	bool ok;

	gt_oracle_begin(&o);
	ok = !gtp_pin(dev, buf, NR, method, flags, &p) && p.result == NR &&
	     gtp_query(dev, p.id, info, NR) == NR;
	ktap_result(ok && rows_match(info, NR, 1, 0, want_flags, 0),
		    "%s: 64 pins in the table with task, caller and flags %s",
		    name, want_flags);
	if (p.id)
		gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(gt_none_left(me) & gt_oracle_ok(&o, name, NULL),
		    "%s: released, nothing left, totals match the kernel",
		    name);
}

static void *thp_buffer(void)
{
	size_t len = 2 * THP_NR * GT_PAGE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)p + THP_NR * GT_PAGE - 1) &
		     ~(THP_NR * GT_PAGE - 1));
	madvise(p, THP_NR * GT_PAGE, MADV_HUGEPAGE);
	memset(p, 1, THP_NR * GT_PAGE);
	return p;
}

/* A THP is one folio: the table counts per folio, like the kernel. */
static void thp(void)
{
	static const char *const names[] = {
		"THP: 512 pinned sub-pages are one order-9 folio with 512 pins",
		"THP: 8 sub-pages pinned: 8 pins, one 1/32nd chunk handed out",
		"THP: released, nothing left, totals match the kernel",
	};
	static struct gtp_page_info info[THP_NR];
	const char *why = gt_thp_unavailable();
	struct gt_oracle o;
	struct gtp_pin p;
	char *buf;
	bool ok;

	if (why) {
		for (int i = 0; i < 3; i++)
			ktap_skip(why, "%s", names[i]);
		return;
	}
	/* THP is on: a buffer that is not one order-9 folio is a failure. */
	buf = thp_buffer();
	ok = buf && !gtp_pin(dev, buf, 1, GTP_PIN_FAST, 0, &p) &&
	     p.result == 1 && gtp_query(dev, p.id, info, 1) == 1;
	if (buf && p.id)
		gtp_release(dev, p.id, GTP_REL_UNPIN);
	if (!ok || info[0].order != 9) {
		ktap_diag("THP: %s; thp_fault_alloc %lld, thp_fault_fallback %lld",
			  !ok ? "could not pin the buffer" :
			  "the MADV_HUGEPAGE buffer is not an order-9 folio",
			  gt_vmstat("thp_fault_alloc"),
			  gt_vmstat("thp_fault_fallback"));
		for (int i = 0; i < 3; i++)
			ktap_result(false, "%s", names[i]);
		return;
	}

	gt_oracle_begin(&o);
	ok = !gtp_pin(dev, buf, THP_NR, GTP_PIN_FAST, GTP_F_WRITE, &p) &&
	     p.result == THP_NR && gtp_query(dev, p.id, info, 1) == THP_NR;
	ktap_result(ok && rows_match(info, 1, THP_NR, 0, "P..W", 9) &&
		    gt_stat("active_pinned_pages") == THP_NR, "%s", names[0]);
	gtp_release(dev, p.id, GTP_REL_UNPIN);

	ok = !gtp_pin(dev, buf + 100 * GT_PAGE, 8, GTP_PIN, 0, &p) &&
	     p.result == 8 && gtp_query(dev, p.id, info, 8) == 8;
	ktap_result(ok && rows_match(info, 1, 8, 0, "P", 9) &&
		    gt_stat("active_pinned_pages") == THP_NR / 32, "%s", names[1]);
	gtp_release(dev, p.id, GTP_REL_UNPIN_DIRTY);
	ktap_result(gt_none_left(me) & gt_oracle_ok(&o, "THP", NULL),
		    "%s", names[2]);
}

/* Move the n pages mapped at src to dst. */
static bool pages_move(char *src, int n, char *dst)
{
	return mremap(src, n * GT_PAGE, n * GT_PAGE,
		      MREMAP_MAYMOVE | MREMAP_FIXED, dst) == dst;
}

/*
 * A THP's pages handed out out of order: mremap() lays pages 16-27 of one
 * order-9 folio, a page of another folio, then pages 200 and 40-44 of the
 * first side by side. The run in order ends inside a block of eight, at
 * the other folio's page, which is its own entry; the THP's 18 pins are
 * one entry with the 1/32nd chunks 1, 2 and 12 handed out.
 */
static void thp_out_of_order(void)
{
	const char *name = "THP pages out of order (mremap): 18 pins on one order-9 folio, chunks 1, 2 and 12 handed out; a page between them is its own";
	const char *why = gt_thp_unavailable();
	static struct gtp_page_info info[19];
	struct gt_oracle o;
	struct gtp_pin p = {};
	char *buf, *win, *other;
	bool ok;

	if (why) {
		ktap_skip(why, "%s", name);
		return;
	}
	other = gt_anon(1);
	buf = thp_buffer();
	win = mmap(NULL, 19 * GT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	ok = buf && other && win != MAP_FAILED &&
	     pages_move(buf + 16 * GT_PAGE, 12, win) &&
	     pages_move(other, 1, win + 12 * GT_PAGE) &&
	     pages_move(buf + 200 * GT_PAGE, 1, win + 13 * GT_PAGE) &&
	     pages_move(buf + 40 * GT_PAGE, 5, win + 14 * GT_PAGE);
	gt_oracle_begin(&o);
	ok = ok && !gtp_pin(dev, win, 19, GTP_PIN, 0, &p) && p.result == 19 &&
	     gtp_query(dev, p.id, info, 19) == 19 && info[0].order == 9 &&
	     info[12].order == 0 && info[13].pfn == info[0].pfn + 184 &&
	     info[14].pfn == info[0].pfn + 24;
	if (!ok)
		ktap_diag("setup: pinned %d, orders %u %u", p.result,
			  info[0].order, info[12].order);
	ok = ok && rows_match(info, 1, 18, 0, "P", 9) &&
	     rows_match(info + 12, 1, 1, 0, "P", 0) &&
	     gt_stat("active_pinned_pages") == 3 * THP_NR / 32 + 1;
	if (p.id)
		gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(ok && gt_none_left(me) && gt_oracle_ok(&o, "THP moved", NULL),
		    "%s", name);
	if (win != MAP_FAILED)
		munmap(win, 19 * GT_PAGE);
}

/*
 * A stale entry (a reference the reconciler has not looked at yet) on a
 * THP whose folio is then split: pinning the head page again must record
 * the folio as it is now, order 0, not as the entry remembered it.
 */
static void reshaped(void)
{
	const char *name = "a THP split under a stale entry: the next pin records order 0, then the stale reference expires";
	const char *why = gt_thp_unavailable();
	static struct gtp_page_info info[1];
	char *buf, cmd[128];
	struct gtp_pin p;
	bool ok;

	if (why) {
		ktap_skip(why, "%s", name);
		return;
	}
	buf = thp_buffer();
	ok = buf && !gtp_pin(dev, buf, 1, GTP_GET_FAST, 0, &p) &&
	     p.result == 1 && gtp_query(dev, p.id, info, 1) == 1;
	if (!ok || info[0].order != 9) {
		if (ok)
			gtp_release(dev, p.id, GTP_REL_PUT);
		ktap_result(false, "%s (no order-9 folio)", name);
		return;
	}
	gt_set_param("reconcile_ms", "0");
	gt_set_param("reconcile_on_read", "N");
	gtp_release(dev, p.id, GTP_REL_PUT);
	snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", me, (unsigned long)buf,
		 (unsigned long)buf + THP_NR * GT_PAGE);
	ok = !gt_write_file("/sys/kernel/debug/split_huge_pages", cmd) &&
	     !gtp_pin(dev, buf, 1, GTP_PIN_FAST, 0, &p) && p.result == 1 &&
	     gtp_query(dev, p.id, info, 1) == 1 && info[0].order == 0;
	ok = ok && rows_match(info, 1, 1, 1, "PG", 0);
	gt_set_param("reconcile_on_read", "Y");
	gt_set_param("reconcile_ms", "1000");
	ok = ok && rows_match(info, 1, 1, 0, "P-", 0);
	gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(ok && gt_none_left(me), "%s", name);
}

/*
 * 6.1's pin_user_pages_unlocked() pins through get_user_pages_unlocked():
 * whether a call hands out pins is decided by its flags, not its name.
 */
static void pin_by_flags(void)
{
	struct gtp_page_info info[NR];
	char *buf = gt_anon(NR);
	struct gt_oracle o;
	struct gtp_pin p;
	bool ok;

	gt_oracle_begin(&o);
	ok = !gtp_pin(dev, buf, NR, GTP_GET_UNLOCKED_PIN, GTP_F_WRITE, &p);
	if (ok && p.result == -EOPNOTSUPP) {
		ktap_skip("FOLL_PIN is private to mm/ on this kernel",
			  "get_user_pages_unlocked with FOLL_PIN");
		munmap(buf, NR * GT_PAGE);
		return;
	}
	ok = ok && p.result == NR && gtp_query(dev, p.id, info, NR) == NR &&
	     rows_match(info, NR, 1, 0, "P-.W", 0);
	if (p.id)
		gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(ok && gt_none_left(me) &
		    gt_oracle_ok(&o, "FOLL_PIN by flags", NULL),
		    "get_user_pages_unlocked with FOLL_PIN: recorded as pins, as its flags say");
	munmap(buf, NR * GT_PAGE);
}

static void partial(void)
{
	char *buf = gt_anon(NR);
	struct gt_oracle o;
	struct gtp_pin p;
	long long acq = gt_stat("pins_acquired");
	bool ok;

	munmap(buf + 32 * GT_PAGE, GT_PAGE);
	gt_oracle_begin(&o);
	ok = !gtp_pin(dev, buf, NR, GTP_PIN_FAST, GTP_F_WRITE, &p) &&
	     p.result == 32;
	ktap_result(ok && gt_rows_of(me) == 32,
		    "a range with a hole: the 32 pages returned are tracked, no more");
	gtp_release(dev, p.id, GTP_REL_UNPIN);

	acq = gt_stat("pins_acquired");
	ok = !gtp_pin(dev, buf + 32 * GT_PAGE, 4, GTP_PIN_FAST, 0, &p) &&
	     p.result == -EFAULT;
	ktap_result(ok && gt_stat("pins_acquired") == acq && gt_none_left(me) &&
		    gt_oracle_ok(&o, "partial", NULL),
		    "a failed pin_user_pages_fast (int -EFAULT) records nothing");
	munmap(buf, NR * GT_PAGE);
}

/*
 * FOLL_GET references: tracked while held (the refcount shows them, so the
 * reconciler keeps them); after put_page() the next view infers them
 * released. With the reconciler off, freeing the pages confirms them gone.
 *
 * On one CPU throughout: a page just faulted in sits in its CPU's LRU
 * batch, which holds a reference, and munmap() drains only its own CPU's
 * batch; from another CPU the pages of the last, unfilled batch (2 of the
 * 64 where a batch holds 31) would outlive the munmap() and stay tracked.
 */
static void gets(unsigned int method, const char *name)
{
	struct gtp_page_info info[NR];
	cpu_set_t was;
	bool bound = !gt_bind_this_cpu(&was), ok;
	long long expired = gt_stat("gets_expired"), freed;
	char *buf = gt_anon(NR);
	struct gtp_pin p;

	ok = !gtp_pin(dev, buf, NR, method, 0, &p) && p.result == NR &&
	     gtp_query(dev, p.id, info, NR) == NR;
	ktap_result(ok && rows_match(info, NR, 0, 1, "-G", 0) &&
		    gt_rows_of(me) == NR,
		    "%s: 64 FOLL_GET references tracked while held", name);
	gtp_release(dev, p.id, GTP_REL_PUT);
	ktap_result(gt_none_left(me) && gt_stat("gets_expired") - expired == NR,
		    "%s: after put_page the next view infers all 64 released",
		    name);

	ok = !gt_set_param("reconcile_ms", "0") &&
	     !gt_set_param("reconcile_on_read", "N") &&
	     !gtp_pin(dev, buf, NR, method, 0, &p) && p.result == NR;
	gtp_release(dev, p.id, GTP_REL_PUT);
	ok &= gt_rows_of(me) == NR;
	freed = gt_stat("gets_freed");
	munmap(buf, NR * GT_PAGE);
	ok &= gt_none_left(me) && gt_stat("gets_freed") - freed == NR;
	gt_set_param("reconcile_on_read", "Y");
	gt_set_param("reconcile_ms", "1000");
	if (bound)
		sched_setaffinity(0, sizeof(was), &was);
	ktap_result(ok && bound, "%s: reconciler off: unconfirmed after put_page, confirmed gone when freed",
		    name);
}

struct racer {
	char *buf;
	int iters;
	int fails;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct gtp_pin p;

	for (int i = 0; i < r->iters; i++) {
		if (gtp_pin(dev, r->buf, 16, i & 1 ? GTP_PIN_FAST : GTP_PIN,
			    GTP_F_WRITE, &p) || p.result != 16) {
			r->fails++;
			continue;
		}
		gtp_release(dev, p.id, i & 2 ? GTP_REL_UNPIN :
					       GTP_REL_UNPIN_PAGE);
	}
	return NULL;
}

/* Two threads on the same pages, one on its own, for a fixed count. */
static void concurrency(void)
{
	char *buf = gt_anon(32);
	struct racer r[3] = {
		{ buf, 300, 0 }, { buf, 300, 0 }, { buf + 16 * GT_PAGE, 300, 0 },
	};
	pthread_t t[3];
	struct gt_oracle o;

	gt_oracle_begin(&o);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, race, &r[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ktap_result(!r[0].fails && !r[1].fails && !r[2].fails && gt_none_left(me) &&
		    gt_oracle_ok(&o, "concurrency", NULL),
		    "3 threads x 300 pin/unpin cycles on shared and own pages: balanced");
	munmap(buf, 32 * GT_PAGE);
}

static void table_limit(void)
{
	char *buf = gt_anon(NR);
	long long untracked = gt_stat("untracked_full");
	long long unrel = gt_stat("pins_released_untracked");
	long long base = gt_stat("active_folios");
	struct gt_oracle o;
	char limit[32];
	struct gtp_pin p;
	bool ok;

	/* Entries of other processes may come and go. */
	snprintf(limit, sizeof(limit), "%lld", base + 16);
	gt_oracle_begin(&o);
	ok = !gt_set_param("max_entries", limit) &&
	     !gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p) && p.result == NR;
	ktap_diag("limit %s: %d rows, untracked +%lld, %lld folios in the table",
		  limit, gt_rows_of(me), gt_stat("untracked_full") - untracked,
		  gt_stat("active_folios"));
	ok &= gt_rows_of(me) == 16 &&
	      gt_stat("untracked_full") - untracked == 48;
	gtp_release(dev, p.id, GTP_REL_UNPIN);
	gt_set_param("max_entries", "1048576");
	/* The buckets were sized at load for 1048576: no further now. */
	ok &= gt_set_param("max_entries", "1048577") == -EINVAL &&
	      gt_stat("table_limit") == 1048576;
	ktap_result(ok && gt_none_left(me) &&
		    gt_stat("pins_released_untracked") - unrel == 48 &&
		    gt_oracle_ok(&o, "limit", NULL),
		    "a full table counts 48 of 64 pins as untracked, never loses count; max_entries cannot outgrow the buckets");
	munmap(buf, NR * GT_PAGE);
}

/* Memory per tracked folio, attribution and hash buckets included. */
static void memory(void)
{
	enum { N = 2048 };
	char *buf = gt_anon(N);
	long long base = gt_stat("memory_bytes"), bytes, folios;
	long long folios0 = gt_stat("active_folios");
	struct gtp_pin p;

	if (gtp_pin(dev, buf, N, GTP_PIN_FAST, 0, &p) || p.result != N) {
		ktap_result(false, "memory per tracked folio");
		return;
	}
	bytes = gt_stat("memory_bytes") - base;
	folios = gt_stat("active_folios") - folios0;
	ktap_diag("%lld bytes for %lld folios (%d pinned): %lld per folio",
		  bytes, folios, N, bytes / N);
	ktap_result(folios == N && bytes > 0 && bytes <= 64LL * N,
		    "memory per tracked folio is at most 64 bytes (%lld)",
		    bytes / N);
	/* What one reconciler check costs here (each view read does N). */
	long long ns = gt_stat("reconcile_ns"), n = gt_stat("reconcile_checked");
	int i;

	for (i = 0; i < 10; i++)
		gt_stat("pins_acquired");
	ns = gt_stat("reconcile_ns") - ns;
	n = gt_stat("reconcile_checked") - n;
	ktap_diag("reconciler: %lld entries checked in %lld us, %lld ns each",
		  n, ns / 1000, n ? ns / n : 0);
	gtp_release(dev, p.id, GTP_REL_UNPIN);
	munmap(buf, N * GT_PAGE);
}

/*
 * An owner whose last folio went is kept idle, not freed: the next call
 * of the same process and site takes it back, and the reaper frees it
 * after a second of idleness.
 */
static void owners(void)
{
	char *buf = gt_anon(NR);
	long long a0 = gt_stat("active_owners"), a1, a2, i2, i3;
	struct gtp_pin p;
	int waited;

	if (!buf || gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p) ||
	    p.result != NR) {
		ktap_result(false, "owners: pin");
		ktap_result(false, "owners: reaped");
		return;
	}
	a1 = gt_stat("active_owners");
	gtp_release(dev, p.id, GTP_REL_UNPIN);
	a2 = gt_stat("active_owners");
	i2 = gt_stat("idle_owners");
	/* The same site again: its idle record comes back, none is added. */
	if (!gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p))
		gtp_release(dev, p.id, GTP_REL_UNPIN);
	i3 = gt_stat("idle_owners");
	ktap_diag("owners: active %lld, pinned %lld, released %lld; idle %lld, after a second call %lld",
		  a0, a1, a2, i2, i3);
	ktap_result(p.result == NR && a1 == a0 + 1 && a2 == a0 && i2 >= 1 &&
		    i3 <= i2,
		    "owners: a released owner is idle, not active, and the next call takes it back");
	for (waited = 0; waited < 50 && gt_stat("idle_owners"); waited++)
		usleep(100000);
	ktap_result(!gt_stat("idle_owners") && gt_stat("active_owners") == a0,
		    "owners: idle records are freed within 5 s (%d ms)",
		    waited * 100);
	munmap(buf, NR * GT_PAGE);
}

/* exec's argument pages are FOLL_GET by the kernel itself: counted apart. */
static void internal_gets(void)
{
	long long before = gt_stat("gets_internal");
	long long rows_before = gt_stat("active_folios");
	pid_t pid = fork();
	int st;

	if (!pid) {
		execl("/bin/true", "true", "an argument", NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	ktap_result(WIFEXITED(st) && !WEXITSTATUS(st) &&
		    gt_stat("gets_internal") > before &&
		    gt_stat("active_folios") == rows_before,
		    "exec's argument pages count as internal, not in the table");

	/* get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) looks the page up by GUP. */
	char *page = mmap(NULL, GT_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int node = -1;
	long ret;

	page[0] = 1;
	before = gt_stat("gets_internal");
	ret = syscall(SYS_get_mempolicy, &node, NULL, 0, page,
		      1 /* MPOL_F_NODE */ | 2 /* MPOL_F_ADDR */);
	ktap_result(ret == 0 && node >= 0 &&
		    gt_stat("gets_internal") > before &&
		    gt_stat("active_folios") == rows_before,
		    "get_mempolicy's page lookup counts as internal (node %d)",
		    node);
	munmap(page, GT_PAGE);
}

/* Page cache of an ext4 file: flagged F, with dev:ino:index. */
static void file_backed(const char *path)
{
	struct gtp_page_info info[NR];
	struct gt_row *rows;
	struct stat st;
	char want[64];
	int fd, n, bad = 0;
	struct gtp_pin p;
	char *buf;
	FILE *f;
	char line[256];
	bool in_files = false;

	buf = gt_file_shared(path, NR, &fd);
	if (!buf || fstat(fd, &st) ||
	    gtp_pin(dev, buf, NR, GTP_PIN_FAST, GTP_F_WRITE, &p) ||
	    p.result != NR || gtp_query(dev, p.id, info, NR) != NR) {
		ktap_result(false, "ext4 MAP_SHARED: setup");
		ktap_result(false, "ext4 MAP_SHARED: files view");
		return;
	}
	n = gt_rows(&rows);
	for (int i = 0; i < NR; i++) {
		const struct gt_row *r = gt_row_find(rows, n, info[i].pfn);

		snprintf(want, sizeof(want), "%u:%u:%lu:%d", major(st.st_dev),
			 minor(st.st_dev), (unsigned long)st.st_ino, i);
		if (!r || r->flags[4] != 'F' || strcmp(r->file, want)) {
			if (bad++ < 3)
				ktap_diag("page %d: want %s, row %s %s", i, want,
					  r ? r->flags : "-", r ? r->file : "-");
		}
	}
	free(rows);
	ktap_result(!bad, "ext4 MAP_SHARED: 64 pages flagged F with dev:ino:index");

	snprintf(want, sizeof(want), "%u:%u %lu 64 64 0 0 64 ",
		 major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	f = fopen(GT_DEBUGFS "/files", "r");
	while (f && fgets(line, sizeof(line), f))
		in_files |= !strncmp(line, want, strlen(want));
	if (f)
		fclose(f);
	ktap_result(in_files, "files view: the inode with 64 folios, 64 pins, 64 for write");
	gtp_release(dev, p.id, GTP_REL_UNPIN_DIRTY);
	munmap(buf, NR * GT_PAGE);
	close(fd);
}

/*
 * Every hook of this kernel is attached, with a kind the view defines, the
 * release funnel is hit, and nothing was missed.
 */
static void hooks_view(void)
{
	static const char * const kinds[] = {
		"kretprobe", "ftrace", "ftrace-ipmodify", "tracepoint",
	};
	FILE *f = fopen(GT_DEBUGFS "/hooks", "r");
	char name[64], kind[32], state[16], missed[32];
	unsigned long long hits, funnel = 0;
	int attached = 0, bad = 0, k;
	char header[128];

	if (f && !fgets(header, sizeof(header), f))
		bad++;
	while (f && fscanf(f, "%63s %31s %15s %llu %31s", name, kind, state,
			   &hits, missed) == 5) {
		for (k = 0; k < 4 && strcmp(kind, kinds[k]); k++)
			;
		if (k == 4) {
			ktap_diag("hook %s: kind %s", name, kind);
			bad++;
		}
		if (!strcmp(state, "attached")) {
			attached++;
			if (strcmp(missed, "0") && strcmp(missed, "-")) {
				ktap_diag("hook %s missed %s", name, missed);
				bad++;
			}
		} else if (strcmp(state, "absent") && strcmp(state, "detached")) {
			bad++;
		}
		if (!strcmp(name, "gup_put_folio"))
			funnel = hits;
	}
	if (f)
		fclose(f);
	ktap_diag("hooks: %d attached, gup_put_folio hit %llu times", attached,
		  funnel);
	ktap_result(f && attached >= 10 && !bad && funnel > 0,
		    "hooks view: every hook of this kernel attached with a known kind, the funnel hit, none missed");
}

/* Unload with pins held: entries freed, caches gone; reload sees the rest. */
static void unload_with_pins(void)
{
	char *buf = gt_anon(NR);
	struct gtp_pin p;
	bool ok, gone;

	ok = !gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p) && p.result == NR;
	ok &= system("rmmod gup_track") == 0;
	gone = system("grep -q gup_track_entry /proc/slabinfo") != 0;
	ok &= system("insmod /lib/gup_track/gup_track.ko") == 0;
	gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(ok && gone && gt_stat("pins_released_untracked") == NR &&
		    gt_stat("active_folios") == 0,
		    "unload with 64 pins held frees everything; after reload their release is untracked");
	munmap(buf, NR * GT_PAGE);
}

int main(int argc, char **argv)
{
	char *buf;

	if (argc != 2) {
		fprintf(stderr, "usage: %s EXT4_FILE\n", argv[0]);
		return 2;
	}
	ktap_plan(42);
	me = getpid();
	dev = gtp_open();
	buf = gt_anon(NR);
	if (dev < 0 || !buf || gt_stat("format") < 0) {
		ktap_diag("setup: driver %d, gup_track stats %lld", dev,
			  gt_stat("format"));
		return ktap_finish() | 1;
	}

	pin_cycle(buf, GTP_PIN_FAST, GTP_F_WRITE, "P--WA", "pin_user_pages_fast W");
	pin_cycle(buf, GTP_PIN, GTP_F_LONGTERM, "P-L-A", "pin_user_pages L");
	pin_cycle(buf, GTP_PIN_REMOTE, GTP_F_WRITE | GTP_F_LONGTERM, "P-LWA",
		  "pin_user_pages_remote LW");
	pin_cycle(buf, GTP_PIN_UNLOCKED, 0, "P---A", "pin_user_pages_unlocked");
	thp();
	thp_out_of_order();
	reshaped();
	pin_by_flags();
	partial();
	gets(GTP_GET_FAST, "get_user_pages_fast");
	gets(GTP_GET_FAST_ONLY, "get_user_pages_fast_only");
	gets(GTP_GET, "get_user_pages");
	gets(GTP_GET_UNLOCKED, "get_user_pages_unlocked");
	gets(GTP_GET_REMOTE, "get_user_pages_remote");
	concurrency();
	table_limit();
	memory();
	owners();
	internal_gets();
	file_backed(argv[1]);
	hooks_view();
	unload_with_pins();
	return ktap_finish();
}
