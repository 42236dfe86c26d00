// SPDX-License-Identifier: GPL-2.0
/*
 * A load stops every CPU to find an instant with no release in flight.
 * That stop must read the tasks that may be in the release funnel, the
 * preempted ones, and not every thread of the machine. Load gup_track
 * with a hundred threads, then with as many sleeping threads as the guest
 * holds (20 000 wanted), while a child pins and unpins through the test
 * driver on every CPU; each time:
 *   - no stop read every thread (load_stop_walks 0), and the longest stop
 *     read far fewer threads than there are;
 *   - the totals since load start from one instant (load_base_exact 1);
 *   - after more pinning, our FOLL_PIN totals equal the kernel's.
 * The times (insmod, the longest stop, where the load's time went) are
 * printed, never judged: this is a shared machine.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define KO		"/lib/gup_track/gup_track.ko"
#define FEW		100
#define MANY		20000
/* Fewer than this many threads would not show the scale. */
#define ENOUGH		5000
#define PIN_NR		16

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * A child holding up to want sleeping threads; writes how many it made
 * to the pipe, then sleeps until killed.
 */
static pid_t sleepers(int want, int *made)
{
	int fds[2], n = 0;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		pthread_attr_t attr;
		pthread_t t;

		close(fds[0]);
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		while (n < want && !pthread_create(&t, &attr, sleeper, NULL))
			n++;
		if (write(fds[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], made, sizeof(*made)) != sizeof(*made)) {
		if (pid > 0)
			kill(pid, SIGKILL);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

/* One child per CPU, pinning and unpinning until killed. */
static pid_t pinner(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int dev = gtp_open();
		void *buf = gt_anon(PIN_NR);
		struct gtp_pin p;

		if (dev < 0 || !buf)
			_exit(1);
		for (;;)
			if (!gtp_pin(dev, buf, PIN_NR, GTP_PIN_FAST, 0, &p))
				gtp_release(dev, p.id, GTP_REL_UNPIN);
	}
	return pid;
}

static int threads(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	int run, all = -1;

	if (f) {
		if (fscanf(f, "%*s %*s %*s %d/%d", &run, &all) != 2)
			all = -1;
		fclose(f);
	}
	return all;
}

static void pinners(pid_t *pins, int n, bool start)
{
	int i;

	for (i = 0; i < n; i++) {
		if (start) {
			pins[i] = pinner();
		} else if (pins[i] > 0) {
			kill(pins[i], SIGKILL);
			waitpid(pins[i], NULL, 0);
		}
	}
}

/* Reload gup_track under the pinners and judge the load. */
static void load(const char *what, int nthreads)
{
	int n = sysconf(_SC_NPROCESSORS_ONLN);
	long long tasks, walks, ka, kr, oa, or;
	pid_t pins[64];
	double t0, t1;
	bool loaded;

	n = n > 64 ? 64 : n;
	pinners(pins, n, true);
	sleep(1);
	if (system("rmmod gup_track 2>/dev/null"))
		ktap_diag("gup_track was not loaded before the %s load", what);
	t0 = now_s();
	loaded = !system("insmod " KO);
	t1 = now_s();
	sleep(1);
	pinners(pins, n, false);
	if (!ktap_result(loaded, "%s: gup_track loads", what)) {
		ktap_skip("not loaded", "%s: the stop reads the candidates", what);
		ktap_skip("not loaded", "%s: the base is exact", what);
		ktap_skip("not loaded", "%s: totals equal the kernel's", what);
		return;
	}
	tasks = gt_stat("load_stop_tasks");
	walks = gt_stat("load_stop_walks");
	ktap_diag("%s: %d threads, insmod %.3f s, init %lld ms (attach %lld, rcu_tasks %lld, settle %lld, releases %lld, policy %lld), %lld looks, longest stop %lld us reading %lld threads, %lld stops read every thread",
		  what, nthreads, t1 - t0, gt_stat("load_ms"),
		  gt_stat("load_attach_ms"), gt_stat("load_rcu_tasks_ms"),
		  gt_stat("load_settle_ms"), gt_stat("load_releases_ms"),
		  gt_stat("load_policy_ms"),
		  gt_stat("load_release_looks"), gt_stat("load_stopped_us"),
		  tasks, walks);
	ktap_result(walks == 0 && tasks >= 0 && tasks < nthreads / 4,
		    "%s: the stop reads %lld of %d threads, never all of them",
		    what, tasks, nthreads);
	ktap_result(gt_stat("load_base_exact") == 1,
		    "%s: the base is exact", what);
	ka = gt_stat("kernel_foll_pin_acquired");
	kr = gt_stat("kernel_foll_pin_released");
	oa = gt_stat("ours_foll_pin_acquired");
	or = gt_stat("ours_foll_pin_released");
	ktap_result(ka > 0 && ka == oa && kr == or,
		    "%s: totals since load equal the kernel's (acquired %lld/%lld, released %lld/%lld)",
		    what, oa, ka, or, kr);
}

int main(void)
{
	int made = 0, i, all;
	pid_t many;

	ktap_plan(8);
	if (gt_write_file("/proc/sys/kernel/threads-max", "40000"))
		ktap_diag("cannot raise threads-max");

	load("few threads", threads() > FEW ? threads() : FEW);

	many = sleepers(MANY, &made);
	all = threads();
	ktap_diag("%d sleeping threads made of %d wanted; %d threads in all",
		  made, MANY, all);
	if (many > 0 && made >= ENOUGH) {
		load("many threads", all);
	} else {
		ktap_result(false, "%d sleeping threads made, at least %d wanted",
			    made, ENOUGH);
		for (i = 0; i < 3; i++)
			ktap_skip("too few threads", "many threads: check %d", i);
	}
	if (many > 0) {
		kill(many, SIGKILL);
		waitpid(many, NULL, 0);
	}
	return ktap_finish();
}
