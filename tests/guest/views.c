// SPDX-License-Identifier: GPL-2.0
/*
 * No view prints a kernel address, not even for a frame that no longer
 * resolves: pins taken by the test driver are leaked, the driver is
 * unloaded, and every debugfs file is read and searched for anything that
 * looks like an address. gup_track is reloaded afterwards, so that the
 * leaked pins (still held by the kernel) are outside the table.
 *
 * usage: views
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	8

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

int main(void)
{
	struct gtp_pin p;
	int dev, bad, unresolved;
	char *buf;
	bool ok;

	ktap_plan(3);
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
	return ktap_finish();
}
