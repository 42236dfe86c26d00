// SPDX-License-Identifier: GPL-2.0
/*
 * The protection policy against the real data loss.
 *
 * The loss: an O_DIRECT read from a slow device (nbd, served by this
 * program, answering only when told to) into an ext4 MAP_SHARED mapping. While the
 * read is in flight, writeback cleans the pages and reclaim strips their
 * buffers; then the device's data arrives, and the read's completion
 * dirties pages that have no buffers: ext4 says "page N does not have
 * buffers attached" and drops them. The file on disk, read back with
 * O_DIRECT, lacks what the device wrote.
 *
 * With policy=off this must reproduce on 6.1 (FOLL_GET, invisible to the
 * kernel's own pin check) and must not on 6.12 (FOLL_PIN: reclaim keeps
 * pinned folios). With policy=enforce it must never happen, with vetoes
 * counted. Then: fsync and background writeback under enforce, truncate as
 * a reported data-loss event, memory pressure in a small memcg, a veto
 * point owned by someone else, and the reclaim-only unmap filter.
 *
 * usage: policy DIR     (DIR on ext4)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nbd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define NR		16
/*
 * Block O_DIRECT of at most 4 pages takes the simple path, which does not
 * dirty the pages before the I/O (bigger ones do, with bio_set_pages_dirty,
 * and dirty pages keep their buffers): the one that loses data on 6.1.
 */
#define DIO_NR		4
#define FILE_BYTE	0xa5	/* what the file holds before the I/O */
#define DEV_BYTE	0x5b	/* what the device writes */
#define NBD		"/dev/nbd0"
#define SLOW_FROM	(1 << 20)	/* reads from here wait for a go */
#define CG		"/sys/fs/cgroup"
#define LOST_MSG	"does not have buffers attached"

static const char *dir;
static int dev, seq;

/* How many times the kernel log says msg. */
static int klog_count(const char *msg)
{
	int len = klogctl(10, NULL, 0), n = 0;	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf = malloc(len + 1), *p;

	if (!buf)
		return -1;
	len = klogctl(3, buf, len);		/* SYSLOG_ACTION_READ_ALL */
	buf[len > 0 ? len : 0] = 0;
	for (p = buf; (p = strstr(p, msg)); p++)
		n++;
	free(buf);
	return n;
}

static void drop_caches(void)
{
	sync();
	gt_write_file("/proc/sys/vm/drop_caches", "3");
}

static int make_file(char *path, size_t len, int nr, int b)
{
	char page[GT_PAGE];
	int fd, i;

	snprintf(path, len, "%s/policy-%d.dat", dir, ++seq);
	memset(page, b, sizeof(page));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (i = 0; fd >= 0 && i < nr; i++)
		if (write(fd, page, GT_PAGE) != GT_PAGE)
			return -1;
	if (fd < 0 || fsync(fd))
		return -1;
	return fd;
}

static int nbd_sk[2];
static int nbd_go[2];	/* one byte lets one slow read answer */

static bool full_io(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* The device: reads past SLOW_FROM answer DEV_BYTE once told to. */
static void *nbd_serve(void *unused)
{
	static char data[1 << 17];
	struct nbd_request req;
	struct nbd_reply rep = { .magic = htonl(NBD_REPLY_MAGIC) };
	int sk = nbd_sk[1];
	char go;

	(void)unused;
	memset(data, DEV_BYTE, sizeof(data));
	while (full_io(sk, &req, sizeof(req), false)) {
		unsigned int type = ntohl(req.type) & 0xffff;
		unsigned int len = ntohl(req.len);
		unsigned long long from = be64toh(req.from);

		memcpy(rep.handle, req.handle, sizeof(rep.handle));
		if (type == NBD_CMD_DISC || len > sizeof(data))
			break;
		if (type == NBD_CMD_WRITE && !full_io(sk, data, len, false))
			break;
		if (type == NBD_CMD_READ && from >= SLOW_FROM &&
		    read(nbd_go[0], &go, 1) != 1)
			break;
		memset(data, DEV_BYTE, len);
		if (!full_io(sk, &rep, sizeof(rep), true) ||
		    (type == NBD_CMD_READ && !full_io(sk, data, len, true)))
			break;
	}
	return NULL;
}

static void *nbd_run(void *arg)
{
	ioctl(*(int *)arg, NBD_DO_IT);
	return NULL;
}

static int slowdev_setup(void)
{
	static int nbd;
	pthread_t t;

	if (system("insmod /lib/modules/extra/nbd.ko nbds_max=1"))
		return -1;
	nbd = open(NBD, O_RDWR);
	if (nbd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, nbd_sk) ||
	    pipe(nbd_go) ||
	    ioctl(nbd, NBD_SET_BLKSIZE, 4096UL) ||
	    ioctl(nbd, NBD_SET_SIZE_BLOCKS, 1024UL) ||
	    ioctl(nbd, NBD_SET_SOCK, (unsigned long)nbd_sk[0]))
		return -1;
	pthread_create(&t, NULL, nbd_serve, NULL);
	pthread_create(&t, NULL, nbd_run, &nbd);
	/* Ready once the device answers a (fast) read. */
	for (int i = 0; i < 500; i++) {
		char page[GT_PAGE];
		int fd = open(NBD, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : pread(fd, page, sizeof(page), 0);

		if (fd >= 0)
			close(fd);
		if (n == GT_PAGE)
			return 0;
		usleep(10000);
	}
	return -1;
}

static int cgroup_setup(const char *name, const char *max)
{
	char path[128];

	mkdir(CG, 0755);
	if (access(CG "/cgroup.procs", F_OK) &&
	    system("mount -t cgroup2 none " CG))
		return -1;
	gt_write_file(CG "/cgroup.subtree_control", "+memory");
	snprintf(path, sizeof(path), CG "/%s", name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), CG "/%s/memory.max", name);
	return gt_write_file(path, max);
}

static int cgroup_join(const char *name)
{
	char path[128], pid[32];

	snprintf(path, sizeof(path), CG "/%s/cgroup.procs", name);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return gt_write_file(path, pid);
}

struct dio {
	char *buf;
	ssize_t done;
};

static void *dio_read(void *arg)
{
	struct dio *d = arg;
	int fd = open(NBD, O_RDONLY | O_DIRECT);

	d->done = fd < 0 ? -errno :
		  pread(fd, d->buf, DIO_NR * GT_PAGE, SLOW_FROM);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Wait, with a bound, until the I/O holds its pages. */
static bool wait_pinned(long long pins0, long long gets0)
{
	for (int i = 0; i < 1000; i++) {
		if (gt_stat("pins_acquired") - pins0 >= DIO_NR ||
		    gt_stat("gets_acquired") - gets0 >= DIO_NR)
			return true;
		usleep(10000);
	}
	return false;
}

static long long vetoes(const char *kind)
{
	char key[64];

	snprintf(key, sizeof(key), "veto_%s_done", kind);
	return gt_stat(key);
}

/* What enforce did that is not a veto: "writeback_pinned", ... */
static long long done(const char *what)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_done", what);
	return gt_stat(key);
}

/*
 * One run of the loss scenario. reclaim: "pageout" (MADV_PAGEOUT on the
 * mapping) or "memcg" (the buffer unmapped, then memory.reclaim).
 * Returns pages lost, or -1; *msgs: new "no buffers" messages.
 */
static int loss_run(const char *reclaim, int *msgs)
{
	long long pins0 = gt_stat("pins_acquired");
	long long gets0 = gt_stat("gets_acquired");
	int before = klog_count(LOST_MSG), fd, kept;
	struct dio d = { 0 };
	char path[256];
	pthread_t t;

	fd = make_file(path, sizeof(path), DIO_NR, FILE_BYTE);
	*msgs = -1;
	d.buf = fd < 0 ? MAP_FAILED :
		mmap(NULL, DIO_NR * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     fd, 0);
	if (d.buf == MAP_FAILED)
		return -1;
	for (int i = 0; i < DIO_NR; i++)
		(void)*(volatile char *)(d.buf + i * GT_PAGE);

	pthread_create(&t, NULL, dio_read, &d);
	if (!wait_pinned(pins0, gets0))
		ktap_diag("the read never held its pages");
	/* Writeback cleans the pages the device is still writing. */
	fsync(fd);
	if (!strcmp(reclaim, "pageout")) {
		if (madvise(d.buf, DIO_NR * GT_PAGE, MADV_PAGEOUT))
			ktap_diag("MADV_PAGEOUT: %s", strerror(errno));
	} else {
		munmap(d.buf, DIO_NR * GT_PAGE);
		gt_write_file(CG "/gt-loss/memory.reclaim", "64M");
	}
	/* Only now does the device write and the read complete. */
	if (write(nbd_go[1], "", 1) != 1)
		ktap_diag("cannot release the read");
	pthread_join(t, NULL);
	if (d.done != DIO_NR * GT_PAGE)
		ktap_diag("O_DIRECT read: %zd", d.done);
	/* 6.1 dirties read pages from a work item after completion. */
	sleep(1);
	fsync(fd);
	if (!strcmp(reclaim, "pageout"))
		munmap(d.buf, DIO_NR * GT_PAGE);
	close(fd);
	kept = gt_pages_direct(path, DIO_NR, DEV_BYTE);
	*msgs = klog_count(LOST_MSG) - before;
	ktap_diag("%s: %d of %d pages of device data on disk, %d \"%s\" messages",
		  reclaim, kept, DIO_NR, *msgs, LOST_MSG);
	return DIO_NR - kept;
}

/* 6.1 O_DIRECT takes FOLL_GET references; 6.12 pins (FOLL_PIN). */
static bool dio_pins(void)
{
	return gt_kernel_at_least(6, 5);
}

static void loss(const char *mode, const char *reclaim, const char *veto)
{
	bool expect_loss = strcmp(mode, "enforce") && !dio_pins();
	long long v0 = vetoes(veto);
	int lost, msgs = -1, warns;
	long long w0;
	char key[64];

	snprintf(key, sizeof(key), "veto_%s_would", veto);
	w0 = gt_stat(key);
	gt_set_param("policy", mode);
	/*
	 * On 6.1 the dirtying of a page without buffers trips
	 * WARN_ON_ONCE(!folio_buffers()) in ext4_dirty_folio() before the
	 * data is dropped: that warning is the reproduction, not a failure.
	 */
	warns = klog_count("ext4_dirty_folio");
	if (expect_loss)
		gt_write_file("/proc/sys/kernel/panic_on_warn", "0");
	lost = loss_run(reclaim, &msgs);
	if (expect_loss)
		gt_write_file("/proc/sys/kernel/panic_on_warn", "1");
	warns = klog_count("ext4_dirty_folio") - warns;
	if (!strcmp(mode, "enforce")) {
		/* Where the kernel itself keeps pinned folios, we are not asked. */
		bool asked = strcmp(reclaim, "memcg") || !dio_pins();

		ktap_result(lost == 0 && msgs == 0 &&
			    (!asked || vetoes(veto) > v0),
			    "enforce, %s during O_DIRECT: no data lost, %lld %s vetoes",
			    reclaim, vetoes(veto) - v0, veto);
	} else if (dio_pins()) {
		ktap_result(lost == 0 && msgs == 0,
			    "%s, %s during O_DIRECT: upstream keeps FOLL_PIN pages (nothing lost)",
			    mode, reclaim);
	} else {
		ktap_diag("%s: the kernel warned %d times in ext4_dirty_folio",
			  mode, warns);
		ktap_result(lost > 0 && (msgs > 0 || warns > 0) &&
			    (strcmp(mode, "observe") || gt_stat(key) > w0),
			    "%s, %s during O_DIRECT: the data loss reproduces (%d pages lost%s)",
			    mode, reclaim, lost,
			    strcmp(mode, "observe") ? "" : ", would-veto counted");
	}
}

/* Data pinned by the test driver in an ext4 MAP_SHARED mapping. */
struct pinned {
	char path[256];
	int fd;
	char *map;
	struct gtp_pin p;
};

static bool pin_file(struct pinned *pf, int nr, int b)
{
	pf->fd = make_file(pf->path, sizeof(pf->path), nr, b);
	pf->map = pf->fd < 0 ? MAP_FAILED :
		  mmap(NULL, nr * GT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       pf->fd, 0);
	if (pf->map == MAP_FAILED)
		return false;
	/* Not long-term: 6.12 refuses long-term write pins of ext4 files. */
	return !gtp_pin(dev, pf->map, nr, GTP_PIN_FAST, GTP_F_WRITE, &pf->p) &&
	       pf->p.result == nr;
}

static void unpin_file(struct pinned *pf, int nr)
{
	if (pf->p.id)
		gtp_release(dev, pf->p.id, GTP_REL_UNPIN_DIRTY);
	if (pf->map != MAP_FAILED)
		munmap(pf->map, nr * GT_PAGE);
	if (pf->fd >= 0)
		close(pf->fd);
}

/*
 * The device writes pattern into the pinned pages, then a careless driver
 * unpins without dirtying (plain unpin_user_pages()). Returns how many of
 * those pages reach the disk.
 */
static int device_write_careless_unpin(struct pinned *pf, int pattern)
{
	struct gtp_dma_write w = { .id = pf->p.id, .pattern = pattern };
	long long dirtied = done("dirty_at_unpin");
	bool ok;

	ok = !ioctl(dev, GTP_IOC_DMA_WRITE, &w) &&
	     !gtp_release(dev, pf->p.id, GTP_REL_UNPIN);
	pf->p.id = 0;
	/* The policy dirties from a worker: wait for it, with a bound. */
	for (int i = 0; i < 1000 && done("dirty_at_unpin") - dirtied < NR; i++)
		usleep(10000);
	unpin_file(pf, NR);
	return ok ? gt_pages_direct(pf->path, NR, pattern) : -1;
}

/*
 * fsync of pinned pages writes the data and returns 0; what the device
 * writes afterwards reaches the disk once the pin goes, even from a driver
 * that unpins without dirtying: gup_track dirties the folio itself.
 */
static void fsync_enforced(void)
{
	long long seen0 = done("syncwrite_pinned");
	long long dirty0 = done("dirty_at_unpin");
	struct pinned pf;
	int rc, at_sync, after;
	bool ok;

	gt_set_param("policy", "enforce");
	ok = pin_file(&pf, NR, 0x11);
	memset(pf.map, 0x22, NR * GT_PAGE);
	rc = fsync(pf.fd);
	at_sync = gt_pages_direct(pf.path, NR, 0x22);
	ktap_result(ok && rc == 0 && at_sync == NR &&
		    done("syncwrite_pinned") - seen0 >= NR,
		    "enforce, fsync of pinned pages: returns 0 and the data is on disk (%d/%d)",
		    at_sync, NR);

	after = device_write_careless_unpin(&pf, 0x33);
	ktap_result(ok && after == NR && done("dirty_at_unpin") - dirty0 >= NR,
		    "enforce: what the device wrote after fsync reaches the disk, though the driver never dirtied it (%d/%d)",
		    after, NR);
}

/* The same through background writeback (WB_SYNC_NONE). */
static void background_enforced(void)
{
	long long seen0 = done("writeback_pinned");
	struct pinned pf;
	int after;
	bool ok;

	gt_set_param("policy", "enforce");
	ok = pin_file(&pf, NR, 0x44);
	memset(pf.map, 0x55, NR * GT_PAGE);
	/* SYNC_FILE_RANGE_WRITE alone is WB_SYNC_NONE writeback. */
	ok &= !sync_file_range(pf.fd, 0, 0, SYNC_FILE_RANGE_WRITE |
			       SYNC_FILE_RANGE_WAIT_AFTER);
	ok &= done("writeback_pinned") - seen0 >= NR;
	after = device_write_careless_unpin(&pf, 0x56);
	ktap_result(ok && after == NR,
		    "enforce, background writeback of pinned pages: seen (%lld), the device's later data still reaches the disk (%d/%d)",
		    done("writeback_pinned") - seen0, after, NR);
}

static void truncate_observed(void)
{
	long long t0 = gt_stat("truncated_while_pinned");
	FILE *f = NULL;
	char line[512], want[64];
	struct pinned pf;
	struct stat st;
	int events = 0;
	bool ok;

	gt_set_param("policy", "observe");
	ok = pin_file(&pf, 8, 0x66) && !fstat(pf.fd, &st) &&
	     !ftruncate(pf.fd, 0);
	snprintf(want, sizeof(want), ":%lu:", (unsigned long)st.st_ino);
	f = fopen(GT_DEBUGFS "/events", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char pid[16];

		snprintf(pid, sizeof(pid), " %d policy ", getpid());
		events += strstr(line, " truncate") && strstr(line, pid) &&
			  strstr(line, "[gup_test_pin]") && strstr(line, want);
	}
	if (f)
		fclose(f);
	ktap_result(ok && gt_stat("truncated_while_pinned") - t0 == 8 &&
		    events == 8,
		    "truncate of 8 pinned pages: 8 data-loss events with pid, caller and file");
	unpin_file(&pf, 0);
}

/*
 * Many pinned dirty file pages in a small memcg, and an unrelated task in
 * it that needs room: it reads a file three times the memcg's size.
 */
static void pressure(void)
{
	enum { PINNED = 2048, BIG_MB = 96 };
	long long v0 = vetoes("unmap") + vetoes("release");
	char big[256], line[128];
	char *buf = malloc(1 << 20);
	int st = -1, ooms = -1, fd;
	struct pinned pf;
	pid_t child;
	FILE *f;
	bool ok;

	gt_set_param("policy", "enforce");
	snprintf(big, sizeof(big), "%s/pressure-big.dat", dir);
	fd = open(big, O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(buf, 1, 1 << 20);
	for (int i = 0; fd >= 0 && i < BIG_MB; i++)
		if (write(fd, buf, 1 << 20) != 1 << 20)
			break;
	close(fd);
	if (!buf || cgroup_setup("gt-pressure", "32M") ||
	    cgroup_join("gt-pressure")) {
		ktap_result(false, "memory pressure: setup");
		return;
	}
	drop_caches();
	/* 8 MiB pinned and dirty, charged to the small memcg, inactive. */
	ok = pin_file(&pf, PINNED, 0x77);
	memset(pf.map, 0x78, PINNED * GT_PAGE);
	madvise(pf.map, PINNED * GT_PAGE, MADV_COLD);

	child = fork();
	if (!child) {
		alarm(120);
		fd = open(big, O_RDONLY);
		while (fd >= 0 && read(fd, buf, 1 << 20) > 0)
			;
		_exit(fd < 0);
	}
	waitpid(child, &st, 0);
	cgroup_join("gt-loss");
	f = fopen(CG "/gt-pressure/memory.events", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "oom_kill %d", &ooms);
	if (f)
		fclose(f);
	unpin_file(&pf, PINNED);
	unlink(big);
	free(buf);
	ktap_diag("pressure: reader %s %d, oom_kill %d, vetoes +%lld",
		  WIFSIGNALED(st) ? "signal" : "exit",
		  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), ooms,
		  vetoes("unmap") + vetoes("release") - v0);
	ktap_result(ok && WIFEXITED(st) && !WEXITSTATUS(st) && ooms == 0 &&
		    vetoes("unmap") + vetoes("release") > v0,
		    "enforce, 8 MiB pinned dirty in a 32 MiB memcg: a reader of 96 MiB finishes, no OOM kill, vetoes counted");
}

/* The mode the policy parameter reports. */
static bool policy_is(const char *mode)
{
	FILE *f = fopen("/sys/module/gup_track/parameters/policy", "r");
	char now[32] = "";
	bool ok = f && fscanf(f, "%31s", now) == 1 && !strcmp(now, mode);

	if (f)
		fclose(f);
	return ok;
}

/*
 * Another IPMODIFY user (a livepatch) and the veto points: observe owns
 * neither function, so the livepatch attaches; enforce cannot then take
 * them and stays in observe; tracking goes on regardless.
 */
static void unavailable(void)
{
	struct gtp_pin p;
	bool ok;

	gt_set_param("policy", "observe");
	ok = !system("insmod /lib/gup_track/gup_test_squat.ko");
	ktap_result(ok && gt_stat("policy_available") == 1,
		    "observe owns no function: a livepatch-style IPMODIFY user of try_to_unmap and filemap_release_folio attaches");

	ok &= gt_set_param("policy", "enforce") != 0 &&
	      gt_stat("enforce_available") == 0 &&
	      gt_stat("policy_available") == 1;
	ok &= klog_count("policy enforce is unavailable") > 0;
	ok &= policy_is("observe");
	ktap_result(ok, "enforce is refused with the functions owned, reported, and observe stays on");

	ok = !system("rmmod gup_track && "
		     "insmod /lib/gup_track/gup_track.ko policy=enforce");
	ok &= gt_stat("enforce_available") == 0 && policy_is("observe");
	dev = dev >= 0 ? dev : gtp_open();
	ok &= !gtp_pin(dev, gt_anon(4), 4, GTP_PIN_FAST, 0, &p) &&
	      p.result == 4 && gt_rows_of(getpid()) == 4;
	gtp_release(dev, p.id, GTP_REL_UNPIN);
	ktap_result(ok, "loading with policy=enforce still loads, in observe; tracking works");

	ok = !system("rmmod gup_test_squat") && gt_set_param("policy", "enforce") == 0 &&
	     gt_stat("enforce_available") == 1;
	ktap_result(ok, "once the slots are free, enforce attaches");
	ok = system("insmod /lib/gup_track/gup_test_squat.ko 2>/dev/null") != 0;
	ktap_result(ok, "under enforce the functions are owned: the IPMODIFY user cannot attach");
}

/*
 * The filter: memory failure's unmap is never refused. Its verdict shows in
 * the signal: SIGBUS after a successful unmap, SIGKILL ("failed to unmap")
 * if it had been refused.
 */
static void hwpoison(void)
{
	long long v0 = vetoes("unmap");
	int st = 0;
	pid_t child;

	/* This sysctl exists exactly when the kernel handles memory failure. */
	if (access("/proc/sys/vm/memory_failure_recovery", F_OK)) {
		ktap_skip("no memory failure handling: /proc/sys/vm/memory_failure_recovery absent",
			  "enforce never refuses memory failure's unmap (TTU_HWPOISON)");
		return;
	}
	gt_set_param("policy", "enforce");
	child = fork();
	if (!child) {
		struct pinned pf;

		dev = gtp_open();
		if (!pin_file(&pf, 4, 0x12))
			_exit(2);
		if (madvise(pf.map, GT_PAGE, MADV_HWPOISON)) {
			if (errno == EINVAL || errno == EPERM)
				_exit(3);
			/* 6.1: unmapped, then recovery fails on the pin. */
			_exit(errno == EBUSY && !gt_pfn(pf.map) ? 6 : 4);
		}
		/* Late kill: touching the page delivers the SIGBUS. */
		(void)*(volatile char *)pf.map;
		_exit(5);
	}
	waitpid(child, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		ktap_skip("MADV_HWPOISON refused with EINVAL or EPERM",
			  "enforce never refuses memory failure's unmap (TTU_HWPOISON)");
		return;
	}
	ktap_diag("hwpoison child: %s %d", WIFSIGNALED(st) ? "signal" : "exit",
		  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	ktap_result(((WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS) ||
		     (WIFEXITED(st) && WEXITSTATUS(st) == 6)) &&
		    vetoes("unmap") == v0,
		    "enforce never refuses memory failure's unmap (TTU_HWPOISON)");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	/* The slow device is nbd: without it nothing here can run. */
	if (gt_absent("nbd"))
		return ktap_skip_all(gt_absent("nbd"));
	ktap_plan(16);
	dev = gtp_open();
	if (dev < 0 || slowdev_setup() || cgroup_setup("gt-loss", "max") ||
	    cgroup_join("gt-loss")) {
		ktap_diag("setup failed: %s", strerror(errno));
		return ktap_finish() | 1;
	}

	/* Enforce first, while any kernel warning still panics. */
	loss("enforce", "pageout", "unmap");
	loss("enforce", "memcg", "release");
	fsync_enforced();
	background_enforced();
	truncate_observed();
	pressure();
	unavailable();
	loss("off", "pageout", "unmap");
	loss("observe", "pageout", "unmap");
	loss("off", "memcg", "release");
	hwpoison();
	gt_set_param("policy", "observe");
	return ktap_finish();
}
