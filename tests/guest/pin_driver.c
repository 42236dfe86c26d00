// SPDX-License-Identifier: GPL-2.0
/*
 * Pin and reference pages through every GUP entry point the test driver
 * offers, and check each against the kernel's own oracles:
 * folio_maybe_dma_pinned() and /proc/vmstat nr_foll_pin_{acquired,released}.
 *
 * usage: pin_driver anon
 *        pin_driver file PATH     (PATH on ext4: a MAP_SHARED mapping)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	64

struct pin_case {
	unsigned int method;
	unsigned int flags;
	unsigned int how;
};

static const struct pin_case cases[] = {
	{ GTP_PIN_FAST, 0, GTP_REL_UNPIN },
	{ GTP_PIN_FAST, GTP_F_WRITE, GTP_REL_UNPIN_DIRTY },
	{ GTP_PIN_FAST, GTP_F_WRITE | GTP_F_LONGTERM, GTP_REL_UNPIN_DIRTY },
	{ GTP_PIN, 0, GTP_REL_UNPIN_PAGE },
	{ GTP_PIN, GTP_F_WRITE, GTP_REL_UNPIN_DIRTY },
	{ GTP_PIN, GTP_F_LONGTERM, GTP_REL_UNPIN },
	{ GTP_PIN, GTP_F_LONGTERM | GTP_F_WRITE, GTP_REL_UNPIN_DIRTY },
	{ GTP_PIN_UNLOCKED, GTP_F_WRITE, GTP_REL_UNPIN },
	{ GTP_PIN_REMOTE, GTP_F_WRITE, GTP_REL_UNPIN_PAGE },
	{ GTP_PIN_REMOTE, GTP_F_LONGTERM, GTP_REL_UNPIN },
	{ GTP_GET_FAST, 0, GTP_REL_PUT },
	{ GTP_GET_FAST, GTP_F_WRITE, GTP_REL_PUT },
	{ GTP_GET_FAST_ONLY, 0, GTP_REL_PUT },
	{ GTP_GET, GTP_F_WRITE, GTP_REL_PUT },
	{ GTP_GET_UNLOCKED, 0, GTP_REL_PUT },
	{ GTP_GET_REMOTE, GTP_F_WRITE, GTP_REL_PUT },
};

#define NCASES		(sizeof(cases) / sizeof(cases[0]))
#define NPARTIAL	3
#define NBAD		5

static const char *kind;
static bool file_backed;
static int dev;

static bool is_pin(unsigned int method)
{
	return method <= GTP_PIN_REMOTE;
}

static const char *flag_str(unsigned int flags)
{
	static const char * const s[] = { "", "W", "L", "LW" };

	return s[flags & GTP_F_ALL];
}

/*
 * Since 6.5 the kernel refuses FOLL_LONGTERM|FOLL_WRITE pins of shared
 * file mappings with -EFAULT (writable_file_mapping_allowed()).
 */
static bool expect_refused(const struct pin_case *c)
{
	return file_backed && is_pin(c->method) &&
	       (c->flags & GTP_F_LONGTERM) && (c->flags & GTP_F_WRITE) &&
	       gt_kernel_at_least(6, 5);
}

/* Check a held set: page count, maybe_dma_pinned on each, pin counters. */
static bool check_held(const struct gtp_pin *p, int want, bool pinned,
		       const struct gt_pincount *before)
{
	struct gtp_page_info info[NR];
	struct gt_pincount now;
	int n, i, bad = 0;

	gt_pincount(&now);
	if (p->result != want) {
		ktap_diag("result %d, want %d", p->result, want);
		return false;
	}
	n = gtp_query(dev, p->id, info, NR);
	if (n != want) {
		ktap_diag("query gave %d pages, want %d", n, want);
		return false;
	}
	for (i = 0; i < n; i++)
		if (!!info[i].maybe_dma_pinned != pinned)
			bad++;
	if (bad) {
		ktap_diag("%d of %d pages have maybe_dma_pinned != %d",
			  bad, n, pinned);
		return false;
	}
	if (now.acquired - before->acquired != (pinned ? want : 0)) {
		ktap_diag("nr_foll_pin_acquired delta %lld, want %d",
			  now.acquired - before->acquired, pinned ? want : 0);
		return false;
	}
	if (now.released != before->released) {
		ktap_diag("nr_foll_pin_released moved by %lld while held",
			  now.released - before->released);
		return false;
	}
	return true;
}

/*
 * After release the counters must have moved by exactly the pages held.
 * A refused call (want < 0) may still pin and roll back inside GUP (6.12
 * gup-fast grabs a folio before gup_fast_folio_allowed() says no), so
 * there only the balance is checked.
 */
static bool check_released(int want, bool pinned,
			   const struct gt_pincount *before)
{
	struct gt_pincount now;
	long long acq, rel;

	gt_pincount(&now);
	acq = now.acquired - before->acquired;
	rel = now.released - before->released;
	if (want < 0) {
		if (acq == rel)
			return true;
		ktap_diag("after a refused call: acquired +%lld released +%lld",
			  acq, rel);
		return false;
	}
	if (acq != (pinned ? want : 0) || rel != (pinned ? want : 0)) {
		ktap_diag("after release: acquired +%lld released +%lld, want +%d each",
			  acq, rel, pinned ? want : 0);
		return false;
	}
	return true;
}

/*
 * Pin/get, check while held, release, check the release: two results.
 * A negative want is the error the GUP call must fail with, taking nothing.
 */
static void run_case(void *buf, unsigned int nr, int want,
		     const struct pin_case *c, const char *what)
{
	struct gt_pincount before;
	struct gtp_pin p;
	bool pinned = is_pin(c->method);
	char name[160];
	bool ok;
	int ret;

	snprintf(name, sizeof(name), "%s %s%s%s", kind, what,
		 *flag_str(c->flags) ? " " : "", flag_str(c->flags));

	gt_pincount(&before);
	ret = gtp_pin(dev, buf, nr, c->method, c->flags, &p);
	if (ret) {
		ktap_diag("GTP_IOC_PIN: %s", strerror(-ret));
		ok = false;
	} else if (want < 0) {
		ok = p.result == want && !p.id;
		if (!ok)
			ktap_diag("result %d, want %d", p.result, want);
	} else {
		ok = check_held(&p, want, pinned, &before);
	}
	ktap_result(ok, "%s: %s", name,
		    want < 0 ? "refused, nothing taken" : "pages held");

	if (!ret && p.id) {
		ret = gtp_release(dev, p.id, c->how);
		if (ret)
			ktap_diag("GTP_IOC_RELEASE: %s", strerror(-ret));
	}
	ktap_result(!ret && check_released(want, pinned, &before),
		    "%s: counters balanced after release", name);
}

static void *make_buffer(const char *path)
{
	int fd;

	if (!file_backed)
		return gt_anon(NR);
	return gt_file_shared(path, NR, &fd);
}

/* A range with a hole must give a short count, and none at the hole. */
static void run_partial(void *buf)
{
	static const struct pin_case partial[NPARTIAL] = {
		{ GTP_PIN_FAST, GTP_F_WRITE, GTP_REL_UNPIN },
		{ GTP_PIN, 0, GTP_REL_UNPIN },
		{ GTP_GET_FAST, 0, GTP_REL_PUT },
	};
	char *hole = (char *)buf + (NR / 2) * GT_PAGE;
	struct gt_pincount before, now;
	struct gtp_pin p;
	int i, ret;

	if (munmap(hole, GT_PAGE)) {
		ktap_diag("munmap: %s", strerror(errno));
		for (i = 0; i < NPARTIAL * 2 + 1; i++)
			ktap_result(false, "%s partial range setup", kind);
		return;
	}
	for (i = 0; i < NPARTIAL; i++) {
		char what[96];

		snprintf(what, sizeof(what), "%s over a hole at page %d",
			 gtp_method_name(partial[i].method), NR / 2);
		run_case(buf, NR, NR / 2, &partial[i], what);
	}

	gt_pincount(&before);
	ret = gtp_pin(dev, hole, 4, GTP_PIN_FAST, 0, &p);
	gt_pincount(&now);
	ktap_result(!ret && p.result == -EFAULT && !p.id &&
		    now.acquired == before.acquired,
		    "%s pin starting in a hole fails with EFAULT, pins nothing",
		    kind);
}

static void run_bad_input(void *buf)
{
	struct gtp_pin p;
	int ret;

	ret = gtp_pin(dev, buf, NR, GTP_GET_FAST, GTP_F_LONGTERM, &p);
	ktap_result(ret == -EINVAL, "driver refuses FOLL_LONGTERM without FOLL_PIN");
	ret = gtp_pin(dev, buf, 0, GTP_PIN_FAST, 0, &p);
	ktap_result(ret == -EINVAL, "driver refuses zero pages");
	ret = gtp_pin(dev, (char *)buf + 1, 1, GTP_PIN_FAST, 0, &p);
	ktap_result(ret == -EINVAL, "driver refuses an unaligned address");
	ret = gtp_release(dev, 12345, GTP_REL_UNPIN);
	ktap_result(ret == -ENOENT, "driver refuses to release an unknown set");

	ret = gtp_pin(dev, buf, 1, GTP_PIN_FAST, 0, &p);
	if (!ret && p.id) {
		int wrong = gtp_release(dev, p.id, GTP_REL_PUT);
		int right = gtp_release(dev, p.id, GTP_REL_UNPIN);

		ktap_result(wrong == -EINVAL && right == 0,
			    "driver refuses put_page on a pinned set");
	} else {
		ktap_result(false, "driver refuses put_page on a pinned set");
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	void *buf;
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "anon")) {
		kind = "anon";
	} else if (argc == 3 && !strcmp(argv[1], "file")) {
		kind = "ext4-shared";
		file_backed = true;
		path = argv[2];
	} else {
		fprintf(stderr, "usage: %s anon | file PATH\n", argv[0]);
		return 2;
	}

	ktap_plan(NCASES * 2 + NPARTIAL * 2 + 1 + (file_backed ? 0 : NBAD));

	if (file_backed && !gt_on_ext4(path)) {
		ktap_diag("%s is not on ext4", path);
		return ktap_finish() | 1;
	}
	dev = gtp_open();
	buf = dev < 0 ? NULL : make_buffer(path);
	if (!buf) {
		ktap_diag("setup failed: %s", strerror(errno));
		return ktap_finish() | 1;
	}

	for (i = 0; i < NCASES; i++) {
		const struct pin_case *c = &cases[i];
		bool refused = expect_refused(c);

		run_case(buf, NR, refused ? -EFAULT : NR, c,
			 gtp_method_name(c->method));
	}
	if (!file_backed)
		run_bad_input(buf);
	run_partial(buf);
	return ktap_finish();
}
