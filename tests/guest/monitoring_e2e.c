// SPDX-License-Identifier: GPL-2.0
/*
 * The monitoring path end to end, with the real programs: Debian's
 * prometheus-node-exporter in the guest, its textfile collector fed by the
 * command of the shipped gup-track-textfile.service, and Debian's
 * Prometheus on the host (tests/host/run-vm.sh) scraping it through QEMU's
 * port forward on the host's loopback, with the shipped rules loaded. The
 * guest asks the host's Prometheus, at 10.0.2.2 (QEMU's user network),
 * over its HTTP API:
 *   - it scrapes gup_track's metrics;
 *   - a clean run fires no gup_track alert, pending or firing;
 *   - a driver pin leaked by a process that exits fires
 *     GupTrackOrphanedPins (after its "for: 2m"), and nothing else.
 * Skipped where the host runs no Prometheus for this kernel (gtt.prom).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gtlib.h"
#include "ktap.h"

#define KO		"/lib/gup_track/gup_track.ko"
#define UNIT		"/tests/gup-track-textfile.service"
#define TEXTFILE_DIR	"/var/lib/prometheus/node-exporter"
#define EXPORTER	"/usr/bin/prometheus-node-exporter"
/* The rule's "for: 2m", evaluations every second, and room for a slow VM. */
#define FIRE_WAIT_S	420

static int port;

static int prom_port(void)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cmdline", "r");
	int port = 0;

	if (f && fgets(line, sizeof(line), f)) {
		p = strstr(line, "gtt.prom=");
		if (p)
			port = atoi(p + strlen("gtt.prom="));
	}
	if (f)
		fclose(f);
	return port;
}

/*
 * The body of an HTTP GET of path from addr:port, malloc'd; NULL on any
 * error or a status other than 200. busybox's wget is no use here: the
 * static build crashes resolving even a numeric address.
 */
static char *http_get(const char *addr, int port, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 10 };
	size_t len = 0, cap = 65536;
	char req[512], *buf, *body;
	ssize_t n;
	int fd;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return NULL;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s:%d\r\nConnection: close\r\n\r\n",
		     path, addr, port);
	buf = malloc(cap);
	if (!buf || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, n) != n) {
		free(buf);
		close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *more = realloc(buf, cap *= 2);

			if (!more)
				break;
			buf = more;
		}
	}
	close(fd);
	buf[len] = '\0';
	body = strstr(buf, "\r\n\r\n");
	if (n < 0 || strncmp(buf, "HTTP/1.", 7) || strncmp(buf + 8, " 200", 4) ||
	    !body) {
		free(buf);
		return NULL;
	}
	memmove(buf, body + 4, len - (body + 4 - buf) + 1);
	return buf;
}

/* GET /api/PATH from the host's Prometheus. */
static char *prom_get(const char *path)
{
	char url[256];

	snprintf(url, sizeof(url), "/api/%s", path);
	return http_get("10.0.2.2", port, url);
}

/* How many gup_track alerts are pending or firing; name's state if any. */
static int alerts(const char *name, char *state, size_t size)
{
	char *body = prom_get("v1/alerts"), *p, *s;
	char key[128];
	int n = 0;

	if (state)
		state[0] = '\0';
	if (!body || !strstr(body, "\"status\":\"success\"")) {
		free(body);
		return -1;
	}
	for (p = body; (p = strstr(p, "\"alertname\":\"GupTrack")); p++)
		n++;
	snprintf(key, sizeof(key), "\"alertname\":\"%s\"", name ?: "");
	p = name ? strstr(body, key) : NULL;
	/* Each alert is an object: its state follows its labels. */
	s = p ? strstr(p, "\"state\":\"") : NULL;
	if (s && state)
		snprintf(state, size, "%.*s", (int)strcspn(s + 9, "\""),
			 s + 9);
	free(body);
	return n;
}

/* True once Prometheus has a sample of gup_track_loaded 1 from the guest. */
static bool scraped(void)
{
	char *body = prom_get("v1/query?query=gup_track_loaded");
	bool ok = body && strstr(body, "\"gup_track_loaded\"") &&
		  strstr(body, "\"1\"]");

	free(body);
	return ok;
}

/* The shipped unit's command line, as its timer would run it. */
static bool unit_command(char *cmd, size_t size)
{
	char line[512];
	FILE *f = fopen(UNIT, "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "ExecStart=", 10) || !line[10] ||
		    line[10] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(cmd, size, "%s", line + 10);
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

/* The timer's job, every second: a child that runs cmd until killed. */
static pid_t textfile_loop(const char *cmd)
{
	pid_t pid = fork();

	if (!pid) {
		for (;;) {
			if (system(cmd))
				fprintf(stderr, "# %s failed\n", cmd);
			sleep(1);
		}
	}
	return pid;
}

static pid_t node_exporter(void)
{
	pid_t pid = fork();

	if (!pid) {
		if (!freopen("/tmp/node_exporter.log", "w", stderr))
			_exit(126);
		execl(EXPORTER, EXPORTER, "--web.listen-address=:9100",
		      "--collector.disable-defaults", "--collector.textfile",
		      "--collector.textfile.directory=" TEXTFILE_DIR,
		      "--log.level=warn", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void diag_lines(const char *what, const char *text, int most)
{
	int n = 0;

	ktap_diag("%s:%s", what, text ? "" : " nothing (no answer)");
	while (text && *text && n++ < most) {
		ktap_diag("  %.*s", (int)strcspn(text, "\n"), text);
		text += strcspn(text, "\n");
		text += *text == '\n';
	}
}

/* Where the path broke: the guest's end of it, then the host's. */
static void diagnose(pid_t exporter)
{
	char *metrics = http_get("127.0.0.1", 9100, "/metrics");
	char *targets = prom_get("v1/targets");
	char line[256];
	FILE *f;
	int n = 0;

	ktap_diag("node_exporter %s", kill(exporter, 0) ? "is not running" :
		  "runs");
	for (char *p = metrics; p && (p = strstr(p, "\ngup_track_")); p++)
		n++;
	ktap_diag("gup_track series node_exporter serves: %d", n);
	f = fopen("/tmp/node_exporter.log", "r");
	while (f && fgets(line, sizeof(line), f))
		ktap_diag("node_exporter: %.*s", (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
	diag_lines("the host's Prometheus, its targets", targets, 20);
	free(metrics);
	free(targets);
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

int main(void)
{
	pid_t exporter = -1, loop = -1, leaker;
	int i, n, st;
	char cmd[512], state[32];
	bool ok;

	port = prom_port();
	if (!port)
		return ktap_skip_all("no Prometheus on the host for this kernel (run-vm.sh starts one for the generic flavour)");
	if (gt_absent("e1000"))
		return ktap_skip_all("no network device: e1000 not shipped");
	ktap_plan(6);

	/* Begin without the pins earlier tests leaked on purpose. */
	ok = !system("rmmod gup_track && insmod " KO);
	ok = ok && !system("ip link set lo up && ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 2>/dev/null; ip addr show eth0 | grep -q 10.0.2.15");
	ok = ok && unit_command(cmd, sizeof(cmd));
	ok = ok && !system("mkdir -p " TEXTFILE_DIR);
	if (ok) {
		exporter = node_exporter();
		loop = textfile_loop(cmd);
	}
	ktap_result(ok && exporter > 0 && loop > 0,
		    "gup_track reloaded, node_exporter and the unit's command (%s) running",
		    ok ? cmd : "-");

	for (i = 0; i < 120 && !scraped(); i++)
		sleep(1);
	if (!ktap_result(i < 120,
			 "the host's Prometheus scrapes gup_track_loaded 1 through node_exporter (%d s)",
			 i))
		diagnose(exporter);

	/* Many rule evaluations over the clean metrics. */
	sleep(15);
	n = alerts(NULL, NULL, 0);
	ktap_result(n == 0, "a clean run fires no gup_track alert (%d pending or firing)",
		    n);

	gt_set_param("orphan_s", "1");
	leaker = gt_leaking_child(4);
	ok = leaker > 0 && waitpid(leaker, &st, 0) == leaker &&
	     WIFEXITED(st) && !WEXITSTATUS(st);
	ktap_result(ok, "a process leaks 4 driver pins and exits");
	for (i = 0; i < FIRE_WAIT_S; i += 5) {
		n = alerts("GupTrackOrphanedPins", state, sizeof(state));
		if (!strcmp(state, "firing"))
			break;
		sleep(5);
	}
	ktap_result(!strcmp(state, "firing"),
		    "GupTrackOrphanedPins fires (%s after %d s)",
		    state[0] ? state : "not even pending", i);
	ktap_result(n == 1, "no other gup_track alert (%d in all)", n);

	gt_set_param("orphan_s", "60");
	stop(loop);
	stop(exporter);
	return ktap_finish();
}
