// SPDX-License-Identifier: GPL-2.0
/*
 * soft-RoCE memory registration: ibv_reg_mr() pins the region long-term
 * through ib_umem_get(). The table must show every page with the right
 * flags and caller, and deregistration must release them all. On an ext4
 * MAP_SHARED mapping 6.1 grants a writable long-term pin of page cache;
 * 6.12 refuses it with EFAULT but still allows read-only access.
 *
 * usage: track_rdma DIR     (DIR on ext4; an rxe device must exist)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <infiniband/verbs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	64

static struct ibv_pd *pd;
static int me;

static bool rows_ok(const char *buf, const char *flags)
{
	struct gt_row *rows;
	int n = gt_rows(&rows), bad = 0;

	for (int i = 0; i < NR; i++) {
		const struct gt_row *r = gt_row_find(rows, n,
						     gt_pfn(buf + i * GT_PAGE));
		bool ok = r && r->pid == me && strstr(r->caller, "ib_umem_get");

		for (int j = 0; ok && flags[j]; j++)
			ok = flags[j] == '.' || r->flags[j] == flags[j];
		if (!ok && bad++ < 3)
			ktap_diag("page %d: %s %s", i, r ? r->flags : "none",
				  r ? r->caller : "-");
	}
	free(rows);
	return !bad;
}

/* Register, check, deregister, check: two results. */
static void reg(const char *kind, char *buf, int access, const char *flags,
		bool refused)
{
	struct gt_oracle o;
	struct ibv_mr *mr;
	bool ok;

	gt_oracle_begin(&o);
	mr = ibv_reg_mr(pd, buf, NR * GT_PAGE, access);
	if (refused) {
		ok = !mr && errno == EFAULT;
		ktap_result(ok, "%s: ibv_reg_mr refused with EFAULT (%s)", kind,
			    mr ? "registered" : strerror(errno));
	} else {
		if (!mr)
			ktap_diag("ibv_reg_mr: %s", strerror(errno));
		ktap_result(mr && rows_ok(buf, flags),
			    "%s: 64 registered pages tracked %s, caller ib_umem_get",
			    kind, flags);
	}
	if (mr)
		ibv_dereg_mr(mr);
	ktap_result(gt_none_left(me) & gt_oracle_ok(&o, kind, NULL),
		    "%s: deregistered, nothing left, totals match the kernel",
		    kind);
}

static char *file_map(const char *dir, const char *name)
{
	char path[256];
	int fd;
	char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	p = gt_file_shared(path, NR, &fd);
	if (p)
		close(fd);
	return p;
}

int main(int argc, char **argv)
{
	const int rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		       IBV_ACCESS_REMOTE_READ;
	struct ibv_device **devs;
	struct ibv_context *ctx = NULL;
	bool late = gt_kernel_at_least(6, 5);
	char *anon, *mfd, *f1, *f2;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	ktap_plan(8);
	me = getpid();
	devs = ibv_get_device_list(&n);
	for (int i = 0; devs && i < n && !ctx; i++)
		if (!strcmp(ibv_get_device_name(devs[i]), "rxe0"))
			ctx = ibv_open_device(devs[i]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	anon = gt_anon(NR);
	mfd = gt_memfd(NR);
	f1 = file_map(argv[1], "rdma-rw");
	f2 = file_map(argv[1], "rdma-ro");
	if (!pd || !anon || !mfd || !f1 || !f2) {
		ktap_diag("setup: rxe0 %s, pd %p: %s", ctx ? "open" : "missing",
			  (void *)pd, strerror(errno));
		return ktap_finish() | 1;
	}

	reg("anon", anon, rw, "P-LWA", false);
	reg("memfd", mfd, rw, "P-LWS", false);
	/* 6.5 stopped long-term write pins of file mappings that need writeback. */
	reg("ext4 MAP_SHARED writable", f1, rw, "P-LWF", late);
	/* 6.1's ib_umem_get() asks for FOLL_WRITE|FOLL_FORCE even here. */
	reg("ext4 MAP_SHARED read-only", f2, IBV_ACCESS_REMOTE_READ,
	    late ? "P-L-F" : "P-LWF", false);

	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(devs);
	return ktap_finish();
}
