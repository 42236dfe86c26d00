// SPDX-License-Identifier: GPL-2.0
/*
 * No view prints a kernel address, not even for a frame that no longer
 * resolves: pins taken by the test driver are leaked, the driver is
 * unloaded, and every debugfs file is read and searched for anything that
 * looks like an address. gup_track is reloaded afterwards, so that the
 * leaked pins (still held by the kernel) are outside the table.
 *
 * Then the views at scale: 64K pinned pages in a table loaded for 128K
 * entries (32K buckets: max_entries cannot be raised past what the
 * buckets were sized for), so that the chunks the views are read in
 * split buckets. Every
 * view is read in full: pages shows each entry exactly once (read in
 * large and in tiny reads), and its rows, the tasks and the files totals
 * agree with stats. A pin the table could not take (on PREEMPT_RT a burst
 * larger than the reserve is counted, not tracked) must be counted so.
 *
 * usage: views
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	8
#define BIG	GTP_MAX_PAGES	/* anon pages pinned at scale: 256 MiB */
#define SET	4096		/* ... in sets this big */
#define SETS	(BIG / SET)
#define BIG_FILE	512		/* memfd pages pinned at scale */

/* A token that is 0x-prefixed hex, or 12+ hex digits with a letter. */
static bool looks_like_address(const char *s)
{
	const char *t;
	bool letter;

	while (*s) {
		while (*s && !isalnum((unsigned char)*s))
			s++;
		if (s[0] == '0' && s[1] == 'x' && isxdigit((unsigned char)s[2]))
			return true;
		for (t = s, letter = false; isxdigit((unsigned char)*t); t++)
			letter |= isalpha((unsigned char)*t);
		if (letter && t - s >= 12 && !isalnum((unsigned char)*t))
			return true;
		while (*s && isalnum((unsigned char)*s))
			s++;
	}
	return false;
}

/* Lines of every view with an address in them; names the first few. */
static int addresses_in_views(int *unresolved)
{
	DIR *d = opendir(GT_DEBUGFS);
	struct dirent *de;
	char path[512], line[1024];
	int bad = 0;

	*unresolved = 0;
	while (d && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", GT_DEBUGFS, de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			if (!strcmp(de->d_name, "stacks") && !strcmp(line, " ?\n"))
				(*unresolved)++;
			if (looks_like_address(line) && bad++ < 3)
				ktap_diag("%s: %s", de->d_name, line);
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return bad;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/*
 * The pfns of the pages view, read with read(2) of len bytes at a time
 * (seq_file restarts its chunk at every read), sorted; their number, or
 * -1. *notes counts lines starting with '#'.
 */
static long pages_pfns(size_t len, unsigned long **out, int *notes)
{
	int fd = open(GT_DEBUGFS "/pages", O_RDONLY);
	size_t cap = 1 << 16, have = 0, nline = 0;
	unsigned long *pfns = malloc(cap * sizeof(*pfns));
	char *buf = malloc(len), line[512];
	long n = 0;
	ssize_t r;

	*out = pfns;
	*notes = 0;
	if (fd < 0 || !pfns || !buf)
		goto fail;
	while ((r = read(fd, buf, len)) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (nline < sizeof(line) - 1)
					line[nline++] = buf[i];
				continue;
			}
			line[nline] = 0;
			nline = 0;
			if (line[0] == '#') {
				(*notes)++;
				continue;
			}
			if (!isdigit((unsigned char)line[0]))
				continue;	/* the header */
			if (have == cap) {
				cap *= 2;
				pfns = realloc(pfns, cap * sizeof(*pfns));
				if (!pfns)
					goto fail;
				*out = pfns;
			}
			pfns[have++] = strtoul(line, NULL, 10);
		}
	}
	if (r < 0)
		goto fail;
	n = have;
	qsort(pfns, have, sizeof(*pfns), cmp_ulong);
	close(fd);
	free(buf);
	return n;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

/* Sums of columns col (1-based, after the first) of a group view; -1. */
static long long view_sum(const char *view, int col, int *rows, int *notes)
{
	char path[256], line[512];
	long long sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", GT_DEBUGFS, view);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*rows = *notes = 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tok = strtok(line, " \n");

		if (line[0] == '#') {
			(*notes)++;
			continue;
		}
		for (int i = 1; tok && i < col; i++)
			tok = strtok(NULL, " \n");
		if (!tok) {
			fclose(f);
			return -1;
		}
		sum += strtoll(tok, NULL, 10);
		(*rows)++;
	}
	fclose(f);
	return sum;
}

/* Every pfn of the set in the sorted pfns. */
static int pfns_missing(int dev, unsigned int id, const unsigned long *pfns,
			long n, unsigned int nr)
{
	struct gtp_page_info *info = calloc(nr, sizeof(*info));
	int got = info ? gtp_query(dev, id, info, nr) : -1, bad = 0;

	if (got != (int)nr) {
		free(info);
		return nr;
	}
	for (unsigned int i = 0; i < nr; i++) {
		unsigned long head = info[i].pfn & ~((1UL << info[i].order) - 1);

		if (!bsearch(&head, pfns, n, sizeof(*pfns), cmp_ulong))
			bad++;
	}
	free(info);
	return bad;
}

static void views_at_scale(void)
{
	long long folios, pins, files, tasks_f, tasks_p, files_f;
	unsigned long *big = NULL, *tiny = NULL;
	int dev, bad = 0, dups = 0, notes, tnotes, fnotes, trows, frows, i;
	long long untracked, pinned = 0;
	struct gtp_pin pa[SETS] = {}, pf = {};
	char *anon, *mfd;
	long n, nt;
	bool ok;

	ok = !system("rmmod gup_test_pin; rmmod gup_track && "
		     "insmod /lib/gup_track/gup_track.ko max_entries=131072 && "
		     "insmod /lib/gup_track/gup_test_pin.ko");
	anon = gt_anon(BIG);
	mfd = gt_memfd(BIG_FILE);
	dev = gtp_open();
	untracked = gt_stat("untracked_nomem") + gt_stat("untracked_full");
	ok = ok && dev >= 0 && anon && mfd;
	for (i = 0; ok && i < SETS; i++) {
		ok = !gtp_pin(dev, anon + i * SET * GT_PAGE, SET, GTP_PIN_FAST,
			      GTP_F_WRITE, &pa[i]) && pa[i].result == SET;
		pinned += pa[i].result;
		usleep(20000);	/* the pool's refill worker */
	}
	ok = ok && !gtp_pin(dev, mfd, BIG_FILE, GTP_PIN_FAST, 0, &pf) &&
	     pf.result == BIG_FILE;
	untracked = gt_stat("untracked_nomem") + gt_stat("untracked_full") -
		    untracked;
	ktap_diag("pinned %lld anon and %d memfd pages in 32768 buckets, %lld untracked",
		  pinned, pf.result, untracked);

	folios = gt_stat("active_folios");
	pins = gt_stat("active_pins");
	files = gt_stat("active_file_folios");
	n = pages_pfns(1 << 20, &big, &notes);
	for (long i = 1; i < n; i++)
		dups += big[i] == big[i - 1];
	for (i = 0; ok && i < SETS; i++)
		bad += pfns_missing(dev, pa[i].id, big, n, SET);
	if (ok)
		bad += pfns_missing(dev, pf.id, big, n, BIG_FILE);
	ktap_diag("pages: %ld rows, %d notes, %d repeated, %d pinned missing; stats: %lld folios",
		  n, notes, dups, bad, folios);
	ktap_result(ok && n == folios && folios >= BIG / 2 && !dups &&
		    bad == untracked && !notes,
		    "pages at scale: every entry once, as many rows as stats counts folios, every pin not counted untracked");

	nt = pages_pfns(61, &tiny, &notes);
	ktap_result(ok && n > 0 && nt == n &&
		    !memcmp(tiny, big, n * sizeof(*big)),
		    "pages read 61 bytes at a time: the same rows (%ld)", nt);

	tasks_f = view_sum("tasks", 3, &trows, &tnotes);
	tasks_p = view_sum("tasks", 4, &trows, &tnotes);
	files_f = view_sum("files", 3, &frows, &fnotes);
	ktap_diag("tasks: %d rows, %lld folios, %lld pins; files: %d rows, %lld folios; stats: %lld pins, %lld file folios",
		  trows, tasks_f, tasks_p, frows, files_f, pins, files);
	ktap_result(ok && tasks_f == folios && tasks_p == pins && !tnotes &&
		    files_f == files && files > 0 && !fnotes,
		    "tasks and files at scale add up to the stats totals");

	for (i = 0; ok && i < SETS; i++)
		ok = !gtp_release(dev, pa[i].id, GTP_REL_UNPIN);
	ok = ok && !gtp_release(dev, pf.id, GTP_REL_UNPIN);
	if (dev >= 0)
		close(dev);
	free(tiny);
	n = pages_pfns(4096, &tiny, &notes);
	ktap_result(ok && n == gt_stat("active_folios") && n < BIG,
		    "released: pages shows what is left (%ld)", n);
	free(big);
	free(tiny);
	if (anon)
		munmap(anon, BIG * GT_PAGE);
	if (mfd)
		munmap(mfd, BIG_FILE * GT_PAGE);
	ok = !system("rmmod gup_test_pin; rmmod gup_track && "
		     "insmod /lib/gup_track/gup_track.ko && "
		     "insmod /lib/gup_track/gup_test_pin.ko");
	ktap_result(ok, "reloaded with the default table");
}

int main(void)
{
	struct gtp_pin p;
	int dev, bad, unresolved;
	char *buf;
	bool ok;

	ktap_plan(8);
	buf = gt_anon(NR);
	dev = gtp_open();
	ok = dev >= 0 && buf && !gtp_pin(dev, buf, NR, GTP_PIN_FAST, 0, &p) &&
	     p.result == NR;
	bad = addresses_in_views(&unresolved);
	ktap_result(ok && !bad, "no view prints a kernel address while the driver holds pins");

	ok &= !gtp_release(dev, p.id, GTP_REL_LEAK);
	close(dev);
	ok &= !system("rmmod gup_test_pin");
	bad = addresses_in_views(&unresolved);
	ktap_diag("%d frames no longer resolve", unresolved);
	ktap_result(ok && !bad && unresolved > 0,
		    "frames of an unloaded module print as ?, never as an address");

	ok = !system("rmmod gup_track && insmod /lib/gup_track/gup_track.ko && "
		     "insmod /lib/gup_track/gup_test_pin.ko");
	ktap_result(ok && gt_stat("active_pins") == 0,
		    "reloaded: the leaked pins are the kernel's, outside the table");
	views_at_scale();
	return ktap_finish();
}
