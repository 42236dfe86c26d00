// SPDX-License-Identifier: GPL-2.0
/*
 * GUP calls that sleep hold a return-probe instance each. Put 2000 of them
 * to sleep at once: 2000 threads each read one page with O_DIRECT into a
 * buffer registered with userfaultfd, so that GUP faults on it and waits
 * for us. Once every thread is asleep inside GUP, resolve the faults and
 * let the reads finish. No GUP call may go unfollowed (hooks_missed does
 * not move), every page is tracked on the way, and our FOLL_PIN totals
 * move as the kernel's did.
 *
 * usage: gup_sleepers DIR     (DIR on ext4, for O_DIRECT)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define SLEEPERS	2000
#define PAGE		4096

static char *buf;
static int dfd;
static int done_ok;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *reader(void *arg)
{
	long i = (long)arg;
	ssize_t n = pread(dfd, buf + i * PAGE, PAGE, (off_t)i * PAGE);

	if (n == PAGE && buf[i * PAGE] == (char)(i & 0x7f)) {
		pthread_mutex_lock(&lock);
		done_ok++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

/* A file of n pages, page i filled with byte i & 0x7f, on disk. */
static int make_file(const char *path, int n)
{
	char page[PAGE];
	int fd, i;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(page, i & 0x7f, sizeof(page));
		if (write(fd, page, sizeof(page)) != sizeof(page)) {
			close(fd);
			return -1;
		}
	}
	fsync(fd);
	close(fd);
	return open(path, O_RDONLY | O_DIRECT);
}

/* Wait until n faults arrived on uffd (bounded); returns how many did. */
static int faults(int uffd, int n)
{
	struct uffd_msg msg;
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	int got = 0;

	while (got < n && poll(&p, 1, 60000) > 0) {
		ssize_t r = read(uffd, &msg, sizeof(msg));

		if (r == sizeof(msg) && msg.event == UFFD_EVENT_PAGEFAULT)
			got++;
		else if (r < 0 && errno != EAGAIN)
			break;
	}
	return got;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {};
	struct uffdio_zeropage zero = {};
	long long missed, acq, rel, kacq, krel;
	pthread_t *t;
	pthread_attr_t attr;
	char path[256];
	int uffd, got, made = 0;
	long i;

	if (argc != 2)
		return ktap_skip_all("usage: gup_sleepers DIR");
	snprintf(path, sizeof(path), "%s/gup_sleepers.dat", argv[1]);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return ktap_skip_all("no userfaultfd in this kernel");
	ktap_plan(5);

	dfd = make_file(path, SLEEPERS);
	buf = mmap(NULL, (size_t)SLEEPERS * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)buf;
	reg.range.len = (unsigned long)SLEEPERS * PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	t = calloc(SLEEPERS, sizeof(*t));
	if (!ktap_result(dfd >= 0 && buf != MAP_FAILED && t &&
			 !ioctl(uffd, UFFDIO_REGISTER, &reg),
			 "an O_DIRECT file and a userfaultfd buffer of %d pages",
			 SLEEPERS)) {
		ktap_skip("no setup", "every reader asleep inside GUP");
		ktap_skip("no setup", "no GUP call unfollowed");
		ktap_skip("no setup", "every read completes");
		ktap_skip("no setup", "totals move as the kernel's");
		return ktap_finish();
	}

	missed = gt_stat("hooks_missed");
	acq = gt_stat("ours_foll_pin_acquired");
	rel = gt_stat("ours_foll_pin_released");
	kacq = gt_stat("kernel_foll_pin_acquired");
	krel = gt_stat("kernel_foll_pin_released");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < SLEEPERS; i++) {
		if (pthread_create(&t[i], &attr, reader, (void *)i))
			break;
		made++;
	}
	got = faults(uffd, made);
	ktap_result(made == SLEEPERS && got == made,
		    "every reader asleep inside GUP: %d threads, %d faults waiting",
		    made, got);
	ktap_diag("while %d GUP calls sleep: hooks_missed +%lld", got,
		  gt_stat("hooks_missed") - missed);
	/* Wake them all: each page becomes a zero page of its own. */
	zero.range = reg.range;
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zero))
		ktap_diag("UFFDIO_ZEROPAGE: %s", strerror(errno));
	for (i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	ktap_result(gt_stat("hooks_missed") == missed,
		    "no GUP call unfollowed (hooks_missed +%lld)",
		    gt_stat("hooks_missed") - missed);
	ktap_result(done_ok == made, "every read completes with the file's data (%d of %d)",
		    done_ok, made);
	/*
	 * The kernel counts pins on 6.12's O_DIRECT; 6.1 takes references.
	 * A read may return before its bio's pages are unpinned: wait
	 * (bounded) for both sides to settle.
	 */
	for (i = 0; i < 50; i++) {
		long long ka = gt_stat("kernel_foll_pin_acquired") - kacq;
		long long kr = gt_stat("kernel_foll_pin_released") - krel;
		long long oa = gt_stat("ours_foll_pin_acquired") - acq;
		long long or = gt_stat("ours_foll_pin_released") - rel;

		if ((oa == ka && or == kr) || i == 49) {
			kacq = ka;
			krel = kr;
			acq = oa;
			rel = or;
			break;
		}
		usleep(100000);
	}
	ktap_result(acq == kacq && rel == krel,
		    "totals move as the kernel's: acquired +%lld/+%lld, released +%lld/+%lld",
		    acq, kacq, rel, krel);
	close(dfd);
	unlink(path);
	return ktap_finish();
}
