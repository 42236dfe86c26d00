// SPDX-License-Identifier: GPL-2.0
/*
 * Registrations of 1 GiB of 4 KiB pages: 262 144 folios, far more than
 * the entry reserve holds at load, with every page already faulted in, so
 * that the GUP calls are as quick as they get.
 *   io_uring: IORING_REGISTER_BUFFERS pins the whole buffer in one GUP
 *             call;
 *   rdma:     ibv_reg_mr() pins it in calls of 512 pages, back to back.
 * Twice each, on every flavour, PREEMPT_RT included, where no handler may
 * allocate, with large_calls=1 (the default on PREEMPT_RT; elsewhere the
 * module is reloaded with it, and at the end with its defaults, as the
 * suite loads it): such
 * calls run through the module's wrapper, which fills the reserve before
 * the call and records its pages after it, 64 folios at a time, in the
 * caller's context. Ours equal the kernel's, all of it is in the
 * table, nothing is counted untracked, and no call recorded more than 64
 * pages with preemption off. How long the longest took is printed, never
 * judged.
 *
 * usage: large_register io_uring|rdma [MiB]    (default 1024)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <infiniband/verbs.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

/* Beside the buffer: the table's entries, page tables, the test's own. */
#define SPARE_MB	192
#define KO		"/lib/gup_track/gup_track.ko"
#define LARGE_CALLS	"/sys/module/gup_track/parameters/large_calls"

static int large_calls(void)
{
	FILE *f = fopen(LARGE_CALLS, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

struct counts {
	long long pins, folios, nomem, full, overflow, missed, empty, large;
};

static void counts(struct counts *c)
{
	c->pins = gt_stat("active_pins");
	c->folios = gt_stat("active_pinned_folios");
	c->nomem = gt_stat("untracked_nomem");
	c->full = gt_stat("untracked_full");
	c->overflow = gt_stat("untracked_overflow");
	c->missed = gt_stat("hooks_missed");
	c->empty = gt_stat("reserve_empty");
	c->large = gt_stat("calls_large");
}

static long long mem_available_mb(void)
{
	char line[128];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

static struct ibv_context *ctx;
static struct ibv_pd *pd;
static struct ibv_mr *mr;
static int ring = -1;

static int io_uring_take(void *buf, size_t len)
{
	struct io_uring_params params;
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	memset(&params, 0, sizeof(params));
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		return -errno;
	return syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		       &iov, 1) ? -errno : 0;
}

static int io_uring_give(void)
{
	return syscall(__NR_io_uring_register, ring,
		       IORING_UNREGISTER_BUFFERS, NULL, 0) ? -errno : 0;
}

static int rdma_open(void)
{
	struct ibv_device **devs;
	int i, n;

	devs = ibv_get_device_list(&n);
	for (i = 0; devs && i < n && !ctx; i++)
		if (!strcmp(ibv_get_device_name(devs[i]), "rxe0"))
			ctx = ibv_open_device(devs[i]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (devs)
		ibv_free_device_list(devs);
	return pd ? 0 : -ENODEV;
}

static int rdma_take(void *buf, size_t len)
{
	mr = ibv_reg_mr(pd, buf, len, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE);
	return mr ? 0 : -errno;
}

static int rdma_give(void)
{
	return ibv_dereg_mr(mr) ? -errno : 0;
}

static bool back_to(const struct counts *was, struct counts *now)
{
	int i;

	/* A ring may give its buffers back after the call returns. */
	for (i = 0; i < 500; i++) {
		counts(now);
		if (now->pins == was->pins)
			return true;
		usleep(10000);
	}
	return false;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/*
 * One registration and its release: every pin in the table, recorded in
 * the caller's context.
 */
static void round_trip(const char *kind, bool uring, void *buf, size_t len)
{
	long long nr = len / GT_PAGE, kacq = -1, tabled, lost, t, longest;
	struct counts before, held, after;
	struct gt_oracle o;
	bool ok;
	int ret;

	counts(&before);
	gt_oracle_begin(&o);
	t = now_us();
	ret = uring ? io_uring_take(buf, len) : rdma_take(buf, len);
	t = now_us() - t;
	counts(&held);
	if (ret)
		ktap_diag("register: %s", strerror(-ret));
	ktap_result(!ret, "%s: %zu MiB of 4 KiB pages registered", kind,
		    len >> 20);
	ok = gt_oracle_ok(&o, "register", &kacq) && kacq == nr;
	ktap_result(ok, "%s: ours equal the kernel's: %lld pins acquired",
		    kind, kacq);
	tabled = held.pins - before.pins;
	lost = held.nomem - before.nomem;
	ktap_result(tabled == held.folios - before.folios &&
		    tabled + lost == nr,
		    "%s: every pin is in the table or counted untracked (%lld in the table on %lld folios, %lld untracked_nomem, %lld wanted)",
		    kind, tabled, held.folios - before.folios, lost, nr);
	ktap_result(tabled == nr && !lost &&
		    held.full == before.full &&
		    held.overflow == before.overflow &&
		    held.missed == before.missed &&
		    held.empty == before.empty,
		    "%s: all %lld in the table, nothing untracked, missed or short (nomem +%lld, full +%lld, overflow +%lld, hooks missed +%lld, reserve_empty +%lld)",
		    kind, nr, lost, held.full - before.full,
		    held.overflow - before.overflow,
		    held.missed - before.missed,
		    held.empty - before.empty);
	longest = gt_stat("acquire_longest_pages");
	ktap_result(held.large > before.large && longest <= 64,
		    "%s: recorded in the caller's context (calls_large +%lld); since load no call recorded more than 64 pages with preemption off (the longest: %lld)",
		    kind, held.large - before.large, longest);
	ktap_diag("%s: registering took %lld us; the longest stretch with preemption off since load: %lld us",
		  kind, t, gt_stat("acquire_longest_us"));

	gt_oracle_begin(&o);
	ret = uring ? io_uring_give() : rdma_give();
	if (ret)
		ktap_diag("unregister: %s", strerror(-ret));
	ok = !ret && back_to(&before, &after);
	ktap_result(ok, "%s: unregistering empties the table again (%lld pins, %lld before)",
		    kind, after.pins, before.pins);
	ok = gt_oracle_ok(&o, "unregister", NULL);
	ktap_result(ok, "%s: ours equal the kernel's after unregistering",
		    kind);
	if (ring >= 0)
		close(ring);
	ring = -1;
}

int main(int argc, char **argv)
{
	bool uring = argc > 1 && !strcmp(argv[1], "io_uring");
	long long mb = argc > 2 ? atoll(argv[2]) : 1024, avail;
	char why[128], kind[64];
	int was;
	size_t len;
	void *buf;

	if (argc < 2 || (!uring && strcmp(argv[1], "rdma")) || mb <= 0) {
		fprintf(stderr, "usage: %s io_uring|rdma [MiB]\n", argv[0]);
		return 2;
	}
	avail = mem_available_mb();
	if (avail < mb + SPARE_MB) {
		snprintf(why, sizeof(why),
			 "%lld MiB available, %lld MiB wanted: more guest memory (GT_VM_MEM)",
			 avail, mb + SPARE_MB);
		return ktap_skip_all(why);
	}
	if (!uring && rdma_open())
		return ktap_skip_all("no rxe0 device");
	ktap_plan(16);
	was = large_calls();
	if (was != 1 &&
	    system("rmmod gup_track && insmod " KO " large_calls=1"))
		ktap_diag("reloading gup_track with large_calls=1 failed");
	ktap_result(large_calls() == 1,
		    "gup_track runs with large_calls=1 (it was %d)", was);
	len = mb << 20;
	buf = gt_anon(len / GT_PAGE);
	if (!buf) {
		ktap_diag("mmap of %lld MiB: %s", mb, strerror(errno));
		return ktap_finish() | 1;
	}
	snprintf(kind, sizeof(kind), "%s, first", argv[1]);
	round_trip(kind, uring, buf, len);
	snprintf(kind, sizeof(kind), "%s, again", argv[1]);
	round_trip(kind, uring, buf, len);
	if (pd) {
		ibv_dealloc_pd(pd);
		ibv_close_device(ctx);
	}
	munmap(buf, len);
	ktap_result(was == 1 || !system("rmmod gup_track && insmod " KO),
		    "gup_track reloaded with its defaults");
	return ktap_finish();
}
