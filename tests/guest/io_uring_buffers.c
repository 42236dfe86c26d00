// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring IORING_REGISTER_BUFFERS pins its buffers long-term. Registering
 * must raise the kernel's pin counters by the page count, and unregistering
 * or closing the ring must bring them back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	64

static int ring_setup(void)
{
	struct io_uring_params params;

	memset(&params, 0, sizeof(params));
	return syscall(__NR_io_uring_setup, 4, &params);
}

static int ring_register(int ring, unsigned int op, struct iovec *iov,
			 unsigned int n)
{
	return syscall(__NR_io_uring_register, ring, op, iov, n) ? -errno : 0;
}

/* Register, check, unregister, check: two results. */
static void register_cycle(const char *kind, void *buf)
{
	struct iovec iov = { .iov_base = buf, .iov_len = NR * GT_PAGE };
	struct gt_pincount before, held, after;
	int ring, ret;

	ring = ring_setup();
	gt_pincount(&before);
	ret = ring < 0 ? -errno : ring_register(ring, IORING_REGISTER_BUFFERS,
						&iov, 1);
	gt_pincount(&held);
	if (ret)
		ktap_diag("register: %s", strerror(-ret));
	ktap_result(!ret && held.acquired - before.acquired == NR &&
		    held.released == before.released,
		    "%s: REGISTER_BUFFERS of %d pages pins %d (acquired +%lld)",
		    kind, NR, NR, held.acquired - before.acquired);

	ret = ring < 0 ? -EBADF :
	      ring_register(ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
	gt_pincount(&after);
	if (ret)
		ktap_diag("unregister: %s", strerror(-ret));
	ktap_result(!ret && after.released - before.released == NR &&
		    after.acquired == held.acquired,
		    "%s: UNREGISTER_BUFFERS releases %d (released +%lld)",
		    kind, NR, after.released - before.released);
	if (ring >= 0)
		close(ring);
}

/* Ring teardown is asynchronous: wait, with a bound, for the unpin. */
static void close_releases(void *buf)
{
	struct iovec iov[2] = {
		{ .iov_base = buf, .iov_len = 16 * GT_PAGE },
		{ .iov_base = (char *)buf + 16 * GT_PAGE,
		  .iov_len = (NR - 16) * GT_PAGE },
	};
	struct gt_pincount before, now;
	int ring, ret, i;

	ring = ring_setup();
	gt_pincount(&before);
	ret = ring < 0 ? -errno : ring_register(ring, IORING_REGISTER_BUFFERS,
						iov, 2);
	if (ring >= 0)
		close(ring);
	for (i = 0; i < 1000; i++) {
		gt_pincount(&now);
		if (now.released - before.released >= NR)
			break;
		usleep(10000);
	}
	ktap_result(!ret && now.acquired - before.acquired == NR &&
		    now.released - before.released == NR,
		    "anon: closing a ring with 2 registered buffers releases all %d pages (acquired +%lld, released +%lld)",
		    NR, now.acquired - before.acquired,
		    now.released - before.released);
}

int main(void)
{
	void *anon, *mfd;

	ktap_plan(5);
	anon = gt_anon(NR);
	mfd = gt_memfd(NR);
	if (!anon || !mfd) {
		ktap_diag("buffer setup failed: %s", strerror(errno));
		return ktap_finish() | 1;
	}
	register_cycle("anon", anon);
	register_cycle("memfd", mfd);
	close_releases(anon);
	return ktap_finish();
}
