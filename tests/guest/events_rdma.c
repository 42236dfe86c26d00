// SPDX-License-Identifier: GPL-2.0
/*
 * Events from RDMA memory regions (soft-RoCE), the long-term pins that
 * VMs and storage targets hold:
 *  - move_pages(2) of another process's MR pages fails on the pins, and
 *    the migrate_blocked events name that process and ib_umem_get;
 *  - so does compaction of a node that holds an MR of shmem (compaction
 *    does not try pinned anonymous memory);
 *  - a process killed with its MR registered is torn down by the kernel
 *    (uverbs closes, the MR is deregistered): no orphaned event.
 *
 * usage: events_rdma     (run by rdma.sh: an rxe device exists)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <infiniband/verbs.h>
#include <linux/mempolicy.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR	16

static struct ibv_pd *rxe_pd(void)
{
	struct ibv_context *ctx = NULL;
	struct ibv_device **devs;
	int n = 0;

	devs = ibv_get_device_list(&n);
	for (int i = 0; devs && i < n && !ctx; i++)
		if (!strcmp(ibv_get_device_name(devs[i]), "rxe0"))
			ctx = ibv_open_device(devs[i]);
	return ctx ? ibv_alloc_pd(ctx) : NULL;
}

/* buf (NR pages) in a writable MR of the calling process, or NULL. */
static char *mr_register(char *buf)
{
	struct ibv_pd *pd = buf ? rxe_pd() : NULL;

	if (!pd || !ibv_reg_mr(pd, buf, NR * GT_PAGE,
			       IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE))
		return NULL;
	return buf;
}

/* NR anon pages in an MR, in the calling process. */
static char *mr_buffer(void)
{
	return mr_register(gt_anon(NR));
}

/* NR pages of a memfd on node 1 in an MR, in the calling process. */
static char *mr_memfd_node1(void)
{
	return mr_register(gt_memfd_on(NR, 1));
}

static bool from_umem(const struct gt_event *e)
{
	return strstr(e->caller, "ib_umem_get") != NULL;
}

static void migrate_blocked(int pid, char *buf)
{
	int nodes[NR], status[NR], n, i;
	void *pages[NR];
	struct gt_event e;
	long ret;

	if (access("/sys/devices/system/node/node1", F_OK)) {
		ktap_skip("one NUMA node", "move_pages of MR pages: migrate_blocked");
		return;
	}
	for (i = 0; i < NR; i++)
		pages[i] = buf + i * GT_PAGE;
	ret = syscall(__NR_move_pages, pid, NR, pages, NULL, status, 0);
	for (i = 0; i < NR; i++)
		nodes[i] = !ret && status[i] == 0 ? 1 : 0;
	ret = syscall(__NR_move_pages, pid, NR, pages, nodes, status,
		      MPOL_MF_MOVE);
	ktap_diag("move_pages: %ld, page 0 status %d", ret, status[0]);
	n = gt_events_match("migrate_blocked", pid, gt_event_by_syscall, &e);
	if (n > 0)
		ktap_diag("%s", e.line);
	ktap_result(n >= NR && from_umem(&e) && e.flags[0] == 'L',
		    "move_pages of MR pages: migrate_blocked, reason syscall, long-term, naming the MR's owner and ib_umem_get (%d)",
		    n);
}

static void compaction(void)
{
	struct gt_event e;
	int n;

	if (access("/sys/devices/system/node/node1", F_OK)) {
		ktap_skip("one NUMA node", "compaction of an MR: migrate_blocked");
		return;
	}
	n = gt_compaction_blocked(mr_memfd_node1, NR, &e);
	if (n == -EAGAIN) {
		ktap_skip("compaction never reached the MR",
			  "compaction of an MR: migrate_blocked");
		return;
	}
	ktap_result(n > 0 && from_umem(&e) && e.flags[0] == 'L',
		    "compaction of node 1 with an MR of shmem in it: migrate_blocked, reason compaction, naming the MR's owner and ib_umem_get (%d)",
		    n);
}

int main(void)
{
	int pid, st, tracked, n;
	char *buf;

	ktap_plan(4);
	gt_set_param("orphan_s", "2");
	pid = gt_holder_child(mr_buffer, &buf);
	tracked = buf ? gt_rows_of(pid) : 0;
	ktap_result(buf && tracked == NR,
		    "a child's MR of %d pages: %d folios tracked to it", NR,
		    tracked);
	if (buf)
		migrate_blocked(pid, buf);
	else
		ktap_skip("no MR", "move_pages of MR pages: migrate_blocked");
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	sleep(6);	/* three times the grace period */
	n = gt_events_of("orphaned", pid, NULL);
	ktap_result(buf && n == 0 && gt_none_left_soon(pid),
		    "MR of a killed process: deregistered by the kernel, no orphaned event (%d)",
		    n);
	compaction();
	gt_set_param("orphan_s", "60");
	return ktap_finish();
}
