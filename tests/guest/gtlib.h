/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test programs: the kernel's own pin
 * counters, the test driver, and kernel version checks.
 */
#ifndef _GT_GTLIB_H
#define _GT_GTLIB_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "../driver/gup_test_pin.h"

#define GT_PAGE		4096UL

struct gt_pincount {
	long long acquired;	/* nr_foll_pin_acquired */
	long long released;	/* nr_foll_pin_released */
};

/* A /proc/vmstat value, or -1 if the key is missing. */
long long gt_vmstat(const char *key);
void gt_pincount(struct gt_pincount *pc);

/* True if the running kernel is at least major.minor. */
bool gt_kernel_at_least(int major, int minor);

/*
 * Why a kernel module cannot be used here ("rdma_rxe: not shipped by this
 * kernel"), or NULL. mkinitramfs.sh names the optional modules the kernel
 * does not ship in GT_ABSENT; a module that is loaded is never absent.
 */
#define GT_ABSENT	"/lib/modules/absent"
const char *gt_absent(const char *module);
/* Why transparent hugepages cannot be used here, or NULL. */
const char *gt_thp_unavailable(void);

int gtp_open(void);
/* Fills p->result and p->id; returns the ioctl's result (0 or -errno). */
int gtp_pin(int fd, void *addr, unsigned int nr, unsigned int method,
	    unsigned int flags, struct gtp_pin *p);
int gtp_release(int fd, unsigned int id, unsigned int how);
/* Number of pages in the set, or -errno; fills up to nr entries. */
int gtp_query(int fd, unsigned int id, struct gtp_page_info *info,
	      unsigned int nr);

/* mmap nr anonymous pages, THP off, every page written. */
void *gt_anon(size_t nr);
/* ... its pages on node (-1: anywhere), by the mapping's policy alone. */
void *gt_anon_on(size_t nr, int node);
/* True if the directory holding path is on ext4. */
bool gt_on_ext4(const char *path);
/* A file of nr pages filled with data, mapped MAP_SHARED. */
void *gt_file_shared(const char *path, size_t nr, int *fdp);

const char *gtp_method_name(unsigned int method);

#endif /* _GT_GTLIB_H */

/* Write val to a sysfs, procfs or cgroup file: 0 or -errno. */
int gt_write_file(const char *path, const char *val);
/* Set a gup_track module parameter: 0 or -errno (EBUSY, EINVAL, ...). */
int gt_set_param(const char *name, const char *val);

/* gup_track's debugfs views. */
#define GT_DEBUGFS	"/sys/kernel/debug/gup_track"

struct gt_row {
	unsigned long pfn;
	unsigned int order;
	int pins;
	int gets;
	char flags[8];
	int pid;
	char comm[32];
	unsigned int age;
	char caller[128];
	unsigned int stack;
	char file[64];
};

/* A value from the stats file, or -1. */
long long gt_stat(const char *key);
/* Parse the pages view; returns the number of rows (malloc'd in *rows). */
int gt_rows(struct gt_row **rows);
const struct gt_row *gt_row_find(const struct gt_row *rows, int n,
				 unsigned long pfn);
/* Rows attributed to pid. */
int gt_rows_of(int pid);
/* The pfn backing a mapped address (/proc/self/pagemap), or 0. */
unsigned long gt_pfn(const void *addr);
/* ... in process pid (0: this one). */
unsigned long gt_pid_pfn(int pid, const void *addr);
/* The highest pfn backing nr pages from addr in process pid. */
unsigned long gt_pid_pfn_max(int pid, const void *addr, int nr);

/* The kernel's pin counters and ours, compared over a stretch of a test. */
struct gt_oracle {
	struct gt_pincount kernel;
	long long ours_acquired;
	long long ours_released;
};

void gt_oracle_begin(struct gt_oracle *o);
/* True if our FOLL_PIN totals moved exactly as the kernel's did. */
bool gt_oracle_check(const struct gt_oracle *o, long long *kacq,
		     long long *krel);
/* The same, with a KTAP diagnostic naming what differed; kacq may be NULL. */
bool gt_oracle_ok(const struct gt_oracle *o, const char *what,
		  long long *kacq);
/* True if no row is attributed to pid; a diagnostic otherwise. */
bool gt_none_left(int pid);
/*
 * The same, once releases the kernel makes after the syscall returned have
 * landed (bounded): O_DIRECT wakes the caller before it unpins the bio's
 * pages, and dirties read pages from a work item.
 */
bool gt_none_left_soon(int pid);
/* Pages of the first nr of path holding byte b, read from disk (O_DIRECT). */
int gt_pages_direct(const char *path, int nr, int b);
/* A memfd of nr pages, mapped MAP_SHARED, every page written. */
void *gt_memfd(size_t nr);
/* ... its pages on node (-1: anywhere), by the mapping's policy alone. */
void *gt_memfd_on(size_t nr, int node);

/*
 * A child that runs take() (it pins a buffer and returns it, or NULL) and
 * then waits to be killed; *addr is what take() returned in the child.
 */
int gt_holder_child(char *(*take)(void), char **addr);
/*
 * A child that pins nr anonymous pages through the test driver, leaks
 * them (GTP_REL_LEAK: held for good) and exits, 0 if all went well.
 */
int gt_leaking_child(int nr);

/* One line of the events view. */
struct gt_event {
	unsigned long long seq;
	char kind[32];
	int pid;
	char comm[32];
	char caller[128];
	unsigned int stack;
	char flags[4];
	char reason[32];
	char line[512];
};

/*
 * Events of kind (NULL: any) attributed to pid (0: any) that keep (NULL:
 * all) accepts; the last in *last. -1 if the view cannot be read.
 */
int gt_events_match(const char *kind, int pid,
		    bool (*keep)(const struct gt_event *), struct gt_event *last);
int gt_events_of(const char *kind, int pid, struct gt_event *last);
/* The same, waiting (bounded) for one: the worker runs every second. */
int gt_events_soon(const char *kind, int pid, struct gt_event *last,
		   int secs);
/* A migrate_blocked event from move_pages(2) or migrate_pages(2). */
bool gt_event_by_syscall(const struct gt_event *e);
/* ... from compaction. */
bool gt_event_by_compaction(const struct gt_event *e);
/* ... from memory offlining. */
bool gt_event_by_offlining(const struct gt_event *e);

/* Allocate the calling process's memory from node only (-1: anywhere). */
int gt_bind_node(int node);
/*
 * Bind the caller to the CPU it runs on, its affinity until then in *was;
 * 0, or -1 with errno.
 */
int gt_bind_this_cpu(cpu_set_t *was);
/*
 * Compaction of node 1 with a child's pinned buffer in it: take() runs in
 * the child (as for gt_holder_child()) and puts nr pages on node 1. The
 * migrate_blocked events from compaction that name the child (the last in
 * *last); -EAGAIN if compaction never tried the whole buffer, in several
 * layouts; -1 if the buffer or the compaction failed. The child is gone
 * on return.
 */
int gt_compaction_blocked(char *(*take)(void), int nr,
			  struct gt_event *last);
