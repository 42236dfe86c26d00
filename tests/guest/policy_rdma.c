// SPDX-License-Identifier: GPL-2.0
/*
 * The RDMA path of the data loss: a writable memory region on an ext4
 * MAP_SHARED mapping, written by RDMA WRITE through rxe loopback (one RC
 * queue pair writing to another on the same soft-RoCE device), while
 * writeback and reclaim run on the mapping. The region is a long-term
 * FOLL_PIN: 6.1 grants it, 6.12 refuses it with EFAULT. A read-only region
 * on the same file is granted by both and must not be harmed.
 *
 * Each run compares the file on disk (read with O_DIRECT) with what the
 * remote side wrote, after deregistration.
 *
 * usage: policy_rdma DIR     (DIR on ext4; an rxe device must exist)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <infiniband/verbs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR		4
#define FILE_BYTE	0xa5
#define WIRE_BYTE	0x3c

static struct ibv_context *ctx;
static struct ibv_pd *pd;
static struct ibv_cq *cq;
static struct ibv_qp *qp[2];
static union ibv_gid gid;
static const char *dir;
static int seq;

static int qp_connect(struct ibv_qp *q, uint32_t remote)
{
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT,
		.port_num = 1,
		.qp_access_flags = IBV_ACCESS_LOCAL_WRITE |
				   IBV_ACCESS_REMOTE_WRITE |
				   IBV_ACCESS_REMOTE_READ,
	};

	if (ibv_modify_qp(q, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			  IBV_QP_PORT | IBV_QP_ACCESS_FLAGS))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTR;
	a.path_mtu = IBV_MTU_1024;
	a.dest_qp_num = remote;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 12;
	a.ah_attr.is_global = 1;
	a.ah_attr.grh.dgid = gid;
	a.ah_attr.grh.hop_limit = 1;
	a.ah_attr.port_num = 1;
	if (ibv_modify_qp(q, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		return -1;
	memset(&a, 0, sizeof(a));
	a.qp_state = IBV_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	return ibv_modify_qp(q, &a, IBV_QP_STATE | IBV_QP_TIMEOUT |
			     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			     IBV_QP_SQ_PSN | IBV_QP_MAX_QP_RD_ATOMIC);
}

static int setup(void)
{
	struct ibv_qp_init_attr ia = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_device **devs;
	int n, i;

	devs = ibv_get_device_list(&n);
	for (i = 0; devs && i < n && !ctx; i++)
		if (!strcmp(ibv_get_device_name(devs[i]), "rxe0"))
			ctx = ibv_open_device(devs[i]);
	if (!ctx || !(pd = ibv_alloc_pd(ctx)) ||
	    !(cq = ibv_create_cq(ctx, 8, NULL, NULL, 0)))
		return -1;
	/* The GID follows eth0's IPv6 link-local address, once it exists. */
	for (i = 0; i < 500; i++) {
		if (!ibv_query_gid(ctx, 1, 0, &gid) && gid.global.interface_id)
			break;
		usleep(10000);
	}
	ia.send_cq = ia.recv_cq = cq;
	qp[0] = ibv_create_qp(pd, &ia);
	qp[1] = ibv_create_qp(pd, &ia);
	if (!qp[0] || !qp[1] || qp_connect(qp[0], qp[1]->qp_num) ||
	    qp_connect(qp[1], qp[0]->qp_num))
		return -1;
	return 0;
}

/* One RDMA WRITE of len bytes from src to the region, waited for. */
static int rdma_write(struct ibv_mr *src, struct ibv_mr *dst, size_t len)
{
	struct ibv_sge sge = {
		.addr = (uintptr_t)src->addr, .length = len, .lkey = src->lkey,
	};
	struct ibv_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = IBV_WR_RDMA_WRITE,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = (uintptr_t)dst->addr,
			     .rkey = dst->rkey },
	}, *bad;
	struct ibv_wc wc;
	int n = 0;

	if (ibv_post_send(qp[0], &wr, &bad))
		return -1;
	for (int i = 0; i < 5000 && !n; i++) {
		n = ibv_poll_cq(cq, 1, &wc);
		if (!n)
			usleep(1000);
	}
	return n == 1 && wc.status == IBV_WC_SUCCESS ? 0 : -1;
}

/*
 * Register the file's pages, let writeback clean them and reclaim try to
 * take them, RDMA WRITE into them, deregister; then count what is on disk.
 * Returns pages of wire data on disk, or -errno if registration failed.
 */
static int run(int access, struct ibv_mr *src)
{
	char path[256];
	struct ibv_mr *mr;
	int fd, kept;
	char *map;

	snprintf(path, sizeof(path), "%s/rdma-%d.dat", dir, ++seq);
	map = gt_file_shared(path, NR, &fd);
	if (!map)
		return -EIO;
	memset(map, FILE_BYTE, NR * GT_PAGE);
	fsync(fd);
	mr = ibv_reg_mr(pd, map, NR * GT_PAGE, access);
	if (!mr) {
		int err = -errno;

		munmap(map, NR * GT_PAGE);
		close(fd);
		return err;
	}
	fsync(fd);
	madvise(map, NR * GT_PAGE, MADV_PAGEOUT);
	if ((access & IBV_ACCESS_REMOTE_WRITE) &&
	    rdma_write(src, mr, NR * GT_PAGE))
		ktap_diag("RDMA WRITE failed");
	madvise(map, NR * GT_PAGE, MADV_PAGEOUT);
	ibv_dereg_mr(mr);
	usleep(200000);		/* the policy's dirtying worker */
	fsync(fd);
	munmap(map, NR * GT_PAGE);
	close(fd);
	kept = gt_pages_direct(path, NR, WIRE_BYTE);
	ktap_diag("%s region: %d of %d pages of RDMA data on disk",
		  access & IBV_ACCESS_REMOTE_WRITE ? "writable" : "read-only",
		  kept, NR);
	return kept;
}

int main(int argc, char **argv)
{
	const int rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	bool refused = gt_kernel_at_least(6, 5);
	static const char * const modes[] = { "off", "enforce" };
	struct ibv_mr *src;
	char *wire;
	int i, r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	ktap_plan(4);
	wire = gt_anon(NR);
	if (!wire || setup()) {
		ktap_diag("verbs setup: %s", strerror(errno));
		return ktap_finish() | 1;
	}
	memset(wire, WIRE_BYTE, NR * GT_PAGE);
	src = ibv_reg_mr(pd, wire, NR * GT_PAGE, IBV_ACCESS_LOCAL_WRITE);
	if (!src) {
		ktap_diag("source region: %s", strerror(errno));
		return ktap_finish() | 1;
	}

	for (i = 0; i < 2; i++) {
		gt_set_param("policy", modes[i]);
		r = run(rw, src);
		if (refused)
			ktap_result(r == -EFAULT,
				    "%s: a writable region on ext4 is refused upstream (EFAULT)",
				    modes[i]);
		else
			ktap_result(r == NR,
				    "%s: RDMA WRITE into a writable ext4 region under writeback and reclaim reaches the disk (%d/%d)",
				    modes[i], r, NR);
		/* Read-only: nothing is written, and nothing may break. */
		r = run(IBV_ACCESS_REMOTE_READ, src);
		ktap_result(r == 0, "%s: a read-only region on ext4 registers and deregisters cleanly",
			    modes[i]);
	}
	gt_set_param("policy", "observe");
	return ktap_finish();
}
