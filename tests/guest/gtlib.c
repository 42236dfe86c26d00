// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <linux/mempolicy.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

long long gt_vmstat(const char *key)
{
	char name[128];
	long long val, ret = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%127s %lld", name, &val) == 2) {
		if (!strcmp(name, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Node counters are batched per cpu; stat_refresh folds them so that the
 * values read next are exact.
 */
static void gt_vmstat_refresh(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("stat_refresh");
		close(fd);
	}
}

void gt_pincount(struct gt_pincount *pc)
{
	gt_vmstat_refresh();
	pc->acquired = gt_vmstat("nr_foll_pin_acquired");
	pc->released = gt_vmstat("nr_foll_pin_released");
}

bool gt_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

const char *gt_absent(const char *module)
{
	static char why[256];
	char path[128], line[256], *reason;
	const char *ret = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	if (!access(path, F_OK))
		return NULL;
	f = fopen(GT_ABSENT, "r");
	if (!f)
		return NULL;
	while (!ret && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		reason = line + strcspn(line, " \t");
		if (*reason)
			*reason++ = '\0';
		if (strcmp(line, module))
			continue;
		reason += strspn(reason, " \t");
		snprintf(why, sizeof(why), "%s: %s", module, reason);
		ret = why;
	}
	fclose(f);
	return ret;
}

#define GT_THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"

const char *gt_thp_unavailable(void)
{
	char mode[128] = "";
	FILE *f;

	/* No CONFIG_TRANSPARENT_HUGEPAGE (PREEMPT_RT builds): no directory. */
	if (access(GT_THP_SYSFS, F_OK))
		return "no transparent hugepages: " GT_THP_SYSFS " absent";
	f = fopen(GT_THP_SYSFS "/enabled", "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = '\0';
		fclose(f);
	}
	if (strstr(mode, "[never]"))
		return "transparent hugepages disabled: " GT_THP_SYSFS "/enabled is never";
	return NULL;
}

int gtp_open(void)
{
	return open(GTP_DEVICE, O_RDWR | O_CLOEXEC);
}

int gtp_pin(int fd, void *addr, unsigned int nr, unsigned int method,
	    unsigned int flags, struct gtp_pin *p)
{
	memset(p, 0, sizeof(*p));
	p->addr = (unsigned long)addr;
	p->nr_pages = nr;
	p->method = method;
	p->flags = flags;
	return ioctl(fd, GTP_IOC_PIN, p) ? -errno : 0;
}

int gtp_release(int fd, unsigned int id, unsigned int how)
{
	struct gtp_release r = { .id = id, .how = how };

	return ioctl(fd, GTP_IOC_RELEASE, &r) ? -errno : 0;
}

int gtp_query(int fd, unsigned int id, struct gtp_page_info *info,
	      unsigned int nr)
{
	struct gtp_query q = {
		.id = id, .nr = nr, .info = (unsigned long)info,
	};

	return ioctl(fd, GTP_IOC_QUERY, &q) ? -errno : (int)q.nr;
}

void *gt_anon(size_t nr)
{
	return gt_anon_on(nr, -1);
}

/* Bind a fresh mapping's pages to node (-1: leave it); unmaps on failure. */
static void *gt_mbind(void *p, size_t len, int node)
{
	unsigned long mask = 1UL << (node < 0 ? 0 : node);

	if (node < 0 || !syscall(__NR_mbind, p, len, MPOL_BIND, &mask, 64, 0))
		return p;
	munmap(p, len);
	return NULL;
}

void *gt_anon_on(size_t nr, int node)
{
	void *p = mmap(NULL, nr * GT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || !gt_mbind(p, nr * GT_PAGE, node))
		return NULL;
	madvise(p, nr * GT_PAGE, MADV_NOHUGEPAGE);
	memset(p, 0x5a, nr * GT_PAGE);
	return p;
}

bool gt_on_ext4(const char *path)
{
	char dir[4096];
	struct statfs sf;

	snprintf(dir, sizeof(dir), "%s", path);
	return !statfs(dirname(dir), &sf) && sf.f_type == EXT4_SUPER_MAGIC;
}

void *gt_file_shared(const char *path, size_t nr, int *fdp)
{
	size_t len = nr * GT_PAGE;
	char *buf;
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return NULL;
	buf = malloc(len);
	if (!buf)
		goto fail;
	memset(buf, 0xa5, len);
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd)) {
		free(buf);
		goto fail;
	}
	free(buf);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	/* Fault every page in, writable, before any pin. */
	for (size_t i = 0; i < nr; i++)
		((volatile char *)p)[i * GT_PAGE] = 0x3c;
	*fdp = fd;
	return p;
fail:
	close(fd);
	return NULL;
}

const char *gtp_method_name(unsigned int method)
{
	static const char * const names[GTP_METHOD_MAX] = {
		[GTP_PIN_FAST] = "pin_user_pages_fast",
		[GTP_PIN] = "pin_user_pages",
		[GTP_PIN_UNLOCKED] = "pin_user_pages_unlocked",
		[GTP_PIN_REMOTE] = "pin_user_pages_remote",
		[GTP_GET_FAST] = "get_user_pages_fast",
		[GTP_GET_FAST_ONLY] = "get_user_pages_fast_only",
		[GTP_GET] = "get_user_pages",
		[GTP_GET_UNLOCKED] = "get_user_pages_unlocked",
		[GTP_GET_REMOTE] = "get_user_pages_remote",
		[GTP_GET_UNLOCKED_PIN] = "get_user_pages_unlocked+FOLL_PIN",
	};

	return method < GTP_METHOD_MAX && names[method] ? names[method] : "?";
}

long long gt_stat(const char *key)
{
	char line[256], name[128];
	long long val, ret = -1;
	FILE *f = fopen(GT_DEBUGFS "/stats", "r");

	if (!f)
		return -1;
	/* Line by line: a few values are words ("policy enforce"). */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lld", name, &val) == 2 &&
		    !strcmp(name, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

int gt_rows(struct gt_row **rows)
{
	FILE *f = fopen(GT_DEBUGFS "/pages", "r");
	char line[512];
	int n = 0, cap = 256;
	struct gt_row *r = malloc(cap * sizeof(*r));

	*rows = r;
	if (!f || !r) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct gt_row row;

		if (sscanf(line, "%lu %u %d %d %7s %d %31s %u %127s %u %63s",
			   &row.pfn, &row.order, &row.pins, &row.gets,
			   row.flags, &row.pid, row.comm, &row.age,
			   row.caller, &row.stack, row.file) != 11)
			continue;	/* the header, or a comment */
		if (n == cap) {
			cap *= 2;
			r = realloc(r, cap * sizeof(*r));
			if (!r)
				break;
			*rows = r;
		}
		r[n++] = row;
	}
	fclose(f);
	return n;
}

const struct gt_row *gt_row_find(const struct gt_row *rows, int n,
				 unsigned long pfn)
{
	for (int i = 0; i < n; i++)
		if (rows[i].pfn == pfn)
			return &rows[i];
	return NULL;
}

int gt_rows_of(int pid)
{
	struct gt_row *rows;
	int n = gt_rows(&rows), c = 0;

	for (int i = 0; i < n; i++)
		c += rows[i].pid == pid;
	free(rows);
	return n < 0 ? -1 : c;
}

unsigned long gt_pfn(const void *addr)
{
	return gt_pid_pfn(0, addr);
}

unsigned long gt_pid_pfn(int pid, const void *addr)
{
	off_t off = (unsigned long)addr / GT_PAGE * sizeof(unsigned long long);
	unsigned long long ent = 0;
	char path[64];
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), off) != sizeof(ent))
		ent = 0;
	close(fd);
	return (ent >> 63) & 1 ? ent & ((1ULL << 55) - 1) : 0;
}

unsigned long gt_pid_pfn_max(int pid, const void *addr, int nr)
{
	unsigned long high = 0, pfn;
	int i;

	for (i = 0; i < nr; i++) {
		pfn = gt_pid_pfn(pid, (const char *)addr + i * GT_PAGE);
		if (pfn > high)
			high = pfn;
	}
	return high;
}

void gt_oracle_begin(struct gt_oracle *o)
{
	gt_pincount(&o->kernel);
	o->ours_acquired = gt_stat("ours_foll_pin_acquired");
	o->ours_released = gt_stat("ours_foll_pin_released");
}

bool gt_oracle_check(const struct gt_oracle *o, long long *kacq,
		     long long *krel)
{
	struct gt_oracle now;

	gt_oracle_begin(&now);
	*kacq = now.kernel.acquired - o->kernel.acquired;
	*krel = now.kernel.released - o->kernel.released;
	return now.ours_acquired - o->ours_acquired == *kacq &&
	       now.ours_released - o->ours_released == *krel;
}

bool gt_oracle_ok(const struct gt_oracle *o, const char *what,
		  long long *kacq)
{
	long long acq, rel;
	bool ok = gt_oracle_check(o, &acq, &rel);

	if (!ok)
		ktap_diag("%s: kernel acquired +%lld released +%lld; ours: %lld/%lld",
			  what, acq, rel, gt_stat("ours_foll_pin_acquired"),
			  gt_stat("ours_foll_pin_released"));
	if (kacq)
		*kacq = acq;
	return ok;
}

bool gt_none_left(int pid)
{
	int n = gt_rows_of(pid);

	if (n)
		ktap_diag("%d rows still attributed to pid %d", n, pid);
	return n == 0;
}

bool gt_none_left_soon(int pid)
{
	for (int i = 0; i < 500 && gt_rows_of(pid) > 0; i++)
		usleep(10000);
	return gt_none_left(pid);
}

void *gt_memfd(size_t nr)
{
	return gt_memfd_on(nr, -1);
}

void *gt_memfd_on(size_t nr, int node)
{
	int fd = memfd_create("gt-test", 0);
	void *p;

	if (fd < 0 || ftruncate(fd, nr * GT_PAGE)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, nr * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || !gt_mbind(p, nr * GT_PAGE, node))
		return NULL;
	memset(p, 0x11, nr * GT_PAGE);
	return p;
}

int gt_pages_direct(const char *path, int nr, int b)
{
	char *page = aligned_alloc(GT_PAGE, GT_PAGE);
	int fd = open(path, O_RDONLY | O_DIRECT), i, n = 0;

	for (i = 0; fd >= 0 && page && i < nr; i++) {
		if (pread(fd, page, GT_PAGE, i * GT_PAGE) != GT_PAGE)
			break;
		n += page[0] == (char)b && page[GT_PAGE - 1] == (char)b;
	}
	if (fd >= 0)
		close(fd);
	free(page);
	return n;
}

int gt_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

int gt_set_param(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/gup_track/parameters/%s",
		 name);
	return gt_write_file(path, val);
}

int gt_events_match(const char *kind, int pid,
		    bool (*keep)(const struct gt_event *), struct gt_event *last)
{
	FILE *f = fopen(GT_DEBUGFS "/events", "r");
	struct gt_event e;
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long age;

		e.reason[0] = 0;
		if (sscanf(line, "%llu %lu %31s %d %31s %127s %u %*u %*u %*u %*d %*d %3s %*s %31s",
			   &e.seq, &age, e.kind, &e.pid, e.comm, e.caller,
			   &e.stack, e.flags, e.reason) < 8)
			continue;
		if ((kind && strcmp(kind, e.kind)) || (pid && e.pid != pid) ||
		    (keep && !keep(&e)))
			continue;
		snprintf(e.line, sizeof(e.line), "%s", line);
		e.line[strcspn(e.line, "\n")] = 0;
		if (last)
			*last = e;
		n++;
	}
	fclose(f);
	return n;
}

int gt_events_of(const char *kind, int pid, struct gt_event *last)
{
	return gt_events_match(kind, pid, NULL, last);
}

int gt_events_soon(const char *kind, int pid, struct gt_event *last, int secs)
{
	int n = 0, i;

	for (i = 0; i < secs * 4; i++) {
		n = gt_events_of(kind, pid, last);
		if (n > 0)
			break;
		usleep(250000);
	}
	return n;
}

bool gt_event_by_syscall(const struct gt_event *e)
{
	return !strcmp(e->reason, "syscall");
}

bool gt_event_by_compaction(const struct gt_event *e)
{
	return !strcmp(e->reason, "compaction");
}

bool gt_event_by_offlining(const struct gt_event *e)
{
	return !strcmp(e->reason, "memory_hotplug");
}

int gt_bind_node(int node)
{
	unsigned long mask = node < 0 ? 0 : 1UL << node;

	return syscall(__NR_set_mempolicy, node < 0 ? MPOL_DEFAULT : MPOL_BIND,
		       node < 0 ? NULL : &mask, node < 0 ? 0 : 64);
}

/* Free memory of node 1 in KiB, from its meminfo. */
static long gt_node1_free_kb(void)
{
	FILE *f = fopen("/sys/devices/system/node/node1/meminfo", "r");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Node 1 MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/*
 * Compaction of node 1 that reaches given pages. In a guest whose second
 * node is nearly empty its free memory is in blocks too large for
 * compaction to fill: its free scanner, coming down from the top, finds
 * nothing and meets the migration scanner wherever that is. So:
 *  - gt_fill_node1() takes most of node 1 and gives some of its first
 *    pages back to this CPU, to which it binds the caller until
 *    gt_compact_node1(): what is allocated on node 1 next, by the caller
 *    or a child, lies low;
 *  - gt_compact_node1() gives back all of the fill up to pfn upto and two
 *    pages in three above, then compacts node 1. -ENOSPC: no page of the
 *    fill was above upto. Either way the fill is gone and the caller
 *    unbound.
 */
struct gt_fill {
	char *mem;
	size_t nr;
	cpu_set_t cpus;		/* the caller's, given back at the end */
};

/* Pages of the fill given back first, for what is to be compacted. */
#define GT_FILL_LOW	1024

int gt_bind_this_cpu(cpu_set_t *was)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(*was), was))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

static int gt_fill_node1(struct gt_fill *f)
{
	long kb = gt_node1_free_kb();
	size_t i;

	memset(f, 0, sizeof(*f));
	/*
	 * Room left for the kernel (MPOL_BIND does not fall back: 32 MiB
	 * left made the OOM killer run on 6.12).
	 */
	if (kb < 262144)
		return -ENOMEM;
	f->nr = (kb - 131072) / (GT_PAGE / 1024);
	/* Given back to this CPU's free lists, taken again from there. */
	if (gt_bind_this_cpu(&f->cpus))
		return -errno;
	if (!gt_bind_node(1))
		f->mem = gt_anon(f->nr);
	gt_bind_node(-1);
	if (!f->mem) {
		sched_setaffinity(0, sizeof(f->cpus), &f->cpus);
		return -ENOMEM;
	}
	/* A child would keep what is given back mapped. */
	madvise(f->mem, f->nr * GT_PAGE, MADV_DONTFORK);
	/*
	 * Single pages, which the allocator hands out before it splits a
	 * larger block (pages given back together merge into one).
	 */
	for (i = 1; i < 2 * GT_FILL_LOW; i += 2)
		madvise(f->mem + i * GT_PAGE, GT_PAGE, MADV_DONTNEED);
	return 0;
}

/* Give the fill back without compacting. */
static void gt_fill_drop(struct gt_fill *f)
{
	munmap(f->mem, f->nr * GT_PAGE);
	f->mem = NULL;
	sched_setaffinity(0, sizeof(f->cpus), &f->cpus);
}

static int gt_compact_node1(struct gt_fill *f, unsigned long upto)
{
	size_t i, holes = 0;
	unsigned long long *map = calloc(f->nr, sizeof(*map));
	int fd = open("/proc/self/pagemap", O_RDONLY), ret;

	ret = map && fd >= 0 &&
	      pread(fd, map, f->nr * sizeof(*map),
		    (unsigned long)f->mem / GT_PAGE * sizeof(*map)) ==
	      (ssize_t)(f->nr * sizeof(*map)) ? 0 : -EIO;
	if (fd >= 0)
		close(fd);
	for (i = 0; !ret && i < f->nr; i++) {
		unsigned long pfn = map[i] & ((1ULL << 55) - 1);

		if (!(map[i] >> 63))
			continue;	/* given back already */
		/*
		 * Two pages in three: past a block where it found nothing,
		 * the free scanner looks at every 2nd, 4th... 32nd page of
		 * the next, so it would miss every odd one.
		 */
		if (pfn <= upto || pfn % 3)
			madvise(f->mem + i * GT_PAGE, GT_PAGE, MADV_DONTNEED);
		else
			holes++;
	}
	/* No hole above: compaction would not get there. */
	if (!ret && !holes)
		ret = -ENOSPC;
	if (!ret)
		ret = gt_write_file("/sys/devices/system/node/node1/compact",
				    "1");
	free(map);
	gt_fill_drop(f);
	return ret;
}

/* Layouts tried before the kernel is taken to never reach the buffer. */
#define GT_COMPACT_TRIES	4

static int gt_compaction_try(char *(*take)(void), int nr,
			     struct gt_event *last, long long *kfail)
{
	struct gt_fill fill;
	int pid, n, ret;
	char *buf = NULL;
	unsigned long upto = 0;
	long long before = gt_vmstat("pgmigrate_fail");

	ret = gt_fill_node1(&fill);
	pid = ret ? -1 : gt_holder_child(take, &buf);
	if (buf) {
		upto = gt_pid_pfn_max(pid, buf, nr);
		ret = gt_compact_node1(&fill, upto);
	} else if (!ret) {
		gt_fill_drop(&fill);
	}
	*kfail = gt_vmstat("pgmigrate_fail") - before;
	n = gt_events_match("migrate_blocked", pid, gt_event_by_compaction,
			    last);
	ktap_diag("compacting node 1 (buffer up to pfn %lu): %d; the kernel failed %lld migrations, %d migrate_blocked from compaction",
		  upto, ret, *kfail, n);
	if (n > 0)
		ktap_diag("%s", last->line);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (!buf)
		return -1;
	return ret ? ret : n;
}

/*
 * Where the scanners meet depends on what else node 1 holds: when the
 * kernel's own pgmigrate_fail says fewer migrations failed than the buffer
 * has pages, compaction did not try all of it (other failures count
 * there too); with no hole above the buffer it would not get there.
 * Either way another layout is tried. One it did try and gup_track did
 * not report is the answer.
 */
int gt_compaction_blocked(char *(*take)(void), int nr, struct gt_event *last)
{
	long long kfail = 0;
	int i, n = -1;

	for (i = 0; i < GT_COMPACT_TRIES; i++) {
		n = gt_compaction_try(take, nr, last, &kfail);
		if (n > 0 || (n == 0 && kfail >= nr) ||
		    (n < 0 && n != -ENOSPC))
			break;
	}
	if (n == -ENOSPC || (n == 0 && kfail < nr))
		return -EAGAIN;
	return n < 0 ? -1 : n;
}

int gt_leaking_child(int nr)
{
	pid_t pid = fork();

	if (!pid) {
		char *buf = gt_anon(nr);
		int dev = gtp_open();
		struct gtp_pin p;

		if (!buf || dev < 0 ||
		    gtp_pin(dev, buf, nr, GTP_PIN_FAST, 0, &p) ||
		    gtp_release(dev, p.id, GTP_REL_LEAK))
			_exit(1);
		_exit(0);
	}
	return pid;
}

int gt_holder_child(char *(*take)(void), char **addr)
{
	char *buf = NULL;
	int fds[2], pid;

	*addr = NULL;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		buf = take();
		if (write(fds[1], &buf, sizeof(buf)) != sizeof(buf))
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && read(fds[0], &buf, sizeof(buf)) == sizeof(buf))
		*addr = buf;
	close(fds[0]);
	return pid;
}
