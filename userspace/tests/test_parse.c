// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of gup-track: the parsers against good and malformed views,
 * the JSON and Prometheus writers, and the CLI run against a fixture
 * directory standing in for /sys/kernel/debug/gup_track. KTAP output.
 *
 * Then lines longer than any fixed buffer, bytes 0x80-0xff, gup-track
 * load's parameter string, and the fuzzer (fuzz.c).
 *
 * usage: test-parse [path/to/gup-track]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gup_track/format.h>
#include <gup_track/version.h>

#include "json.h"
#include "opts.h"
#include "parse.h"
#include "prom.h"
#include "tests.h"

#define PLAN	(40 + 20 + 6 + FUZZ_TESTS)

static int n, failed;

void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed += !ok;
}

static FILE *mem(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

#define PAGES_OK GT_PAGES_HEADER "\n" \
	"14076 0 1 0 P-LWA 135 hold_pins 3 io_pin_pages 67108864 -\n" \
	"# truncated: the table grew while it was copied\n" \
	"20000 9 512 0 P---F 7 fio 12 ib_umem_get[ib_uverbs] 5 254:0:12:512\n"

static int parse_pages(const char *text, struct gt_table *t, char *err)
{
	FILE *f = mem(text);
	int ret = gt_parse_pages(f, t, err);

	fclose(f);
	return ret;
}

static void test_pages(void)
{
	static const struct {
		const char *text, *why, *want;
	} bad[] = {
		{ "", "an empty file", "empty file" },
		{ "pfn order pins\n1 0 1\n", "another header", "header" },
		{ GT_PAGES_HEADER "\nx 0 1 0 P---A 1 a 0 f 0 -\n", "a word for a pfn", "line 2" },
		{ GT_PAGES_HEADER "\n1 0 1 0 PXLWA 1 a 0 f 0 -\n", "an unknown flag", "line 2" },
		{ GT_PAGES_HEADER "\n1 0 1 0 P---A 1 a 0 f 0 - extra\n", "an extra column", "line 2" },
		{ GT_PAGES_HEADER "\n1 0 1 0 P---A 1 a 0 f 0\n", "a missing column", "line 2" },
	};
	char err[GT_ERR_LEN];
	struct gt_table t;
	struct gt_page *p;

	result(!parse_pages(PAGES_OK, &t, err) && t.nr == 2 &&
	       (p = t.rows)[1].order == 9 && p[1].pins == 512 &&
	       !strcmp(p[1].caller, "ib_umem_get[ib_uverbs]") &&
	       !strcmp(p[1].file, "254:0:12:512") && !strcmp(p[0].comm, "hold_pins"),
	       "pages: rows parse, notes are skipped");
	gt_table_free(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		result(parse_pages(bad[i].text, &t, err) && strstr(err, bad[i].want),
		       "pages: %s is an error naming \"%s\" (%s)", bad[i].why,
		       bad[i].want, err);
		gt_table_free(&t);
	}
}

static void test_kvs(void)
{
	char err[GT_ERR_LEN] = "";
	unsigned long long v;
	struct gt_kvs kvs;
	FILE *f;
	int ret;

	f = mem("format 2\npolicy enforce\npins_acquired 42\n");
	ret = gt_parse_kvs(f, &kvs, err);
	fclose(f);
	result(!ret && gt_kv_num(&kvs, "pins_acquired", &v) && v == 42 &&
	       !gt_kv_num(&kvs, "policy", &v) &&
	       !strcmp(gt_kv_get(&kvs, "policy"), "enforce") &&
	       !gt_kv_get(&kvs, "missing"),
	       "stats: numbers and words parse, a word is not a number");
	gt_kvs_free(&kvs);
	f = mem("format 2\npins acquired 42\n");
	ret = gt_parse_kvs(f, &kvs, err);
	fclose(f);
	result(ret && strstr(err, "line 2"), "stats: three words on a line is an error (%s)",
	       err);
	gt_kvs_free(&kvs);
}

static void test_other_views(void)
{
	char err[GT_ERR_LEN] = "";
	struct gt_table t;
	FILE *f;
	int ret;

	f = mem(GT_TASKS_HEADER "\n135 hold_pins 256 256 0 256 0 4 1\n");
	ret = gt_parse_tasks(f, &t, err);
	fclose(f);
	result(!ret && t.nr == 1 && ((struct gt_task *)t.rows)->pins == 256,
	       "tasks: a row parses");
	gt_table_free(&t);
	f = mem(GT_FILES_HEADER "\n254:0 12 4 4 0 0 4 9 1 2 3 4 5 6\n");
	ret = gt_parse_files(f, &t, err);
	fclose(f);
	result(!ret && t.nr == 1 && ((struct gt_file *)t.rows)->policy[5] == 6,
	       "files: a row with the policy columns parses");
	gt_table_free(&t);
	f = mem(GT_FILES_HEADER "\n254:0 12 4 4 0 0 4 9\n");
	ret = gt_parse_files(f, &t, err);
	fclose(f);
	result(ret != 0, "files: a row of format 1 (no policy columns) is an error");
	gt_table_free(&t);
	f = mem(GT_HOOKS_HEADER "\nmm_page_free tracepoint attached 99 -\n");
	ret = gt_parse_hooks(f, &t, err);
	fclose(f);
	result(!ret && t.nr == 1 && ((struct gt_hook *)t.rows)->hits == 99,
	       "hooks: a row parses");
	gt_table_free(&t);
}

#define EVENTS_OK GT_EVENTS_HEADER "\n" \
	"1 9 misuse_put 212 events gtp_ioctl[gup_test_pin] 3 12 14076 0 1 0 -W anon -\n" \
	"2 8 truncate 212 events gtp_ioctl[gup_test_pin] 3 40 14090 0 1 0 -- 254:0:12:3 -\n" \
	"3 1 orphaned 0 - - 0 61000 20000 9 512 0 L- - -\n" \
	"4 0 migrate_blocked 90 fio io_sqe_buffers_register 5 900 14100 0 1 0 LW anon syscall\n"

#define STACKS_OK "stack 3\n gtp_ioctl[gup_test_pin]\n __x64_sys_ioctl\n\n" \
	"stack 4\n io_sqe_buffers_register\n\n"

static void test_events(void)
{
	static const char * const bad[] = {
		"1 9 misuse_put 212 events x 3 12 14076 0 1 0 -W anon\n", /* short */
		"1 9 frobbed 212 events x 3 12 14076 0 1 0 -W anon -\n", /* kind */
		"0 9 misuse_put 212 events x 3 12 14076 0 1 0 -W anon -\n", /* seq 0 */
		"1 9 misuse_put 212 events x 3 12 14076 0 1 0 WL anon -\n", /* flags */
		"1 9 misuse_put 212 events x 3 12 14076 0 1 0 -W anon - 7\n", /* extra */
	};
	char err[GT_ERR_LEN] = "", text[512];
	const struct gt_event *e;
	const struct gt_stack *st;
	struct gt_table t;
	bool ok = true;
	FILE *f;
	int ret;

	f = mem(EVENTS_OK);
	ret = gt_parse_events(f, &t, err);
	fclose(f);
	e = t.rows;
	result(!ret && t.nr == 4 && e[0].seq == 1 && !strcmp(e[0].kind, "misuse_put") &&
	       !strcmp(e[3].reason, "syscall") &&
	       e[0].pid == 212 && e[0].stack == 3 && e[1].held_ms == 40 &&
	       !strcmp(e[1].file, "254:0:12:3") && e[2].order == 9 &&
	       e[2].flags[0] == 'L', "events: rows of every shape parse (%s)", err);
	gt_table_free(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s\n%s", GT_EVENTS_HEADER, bad[i]);
		f = mem(text);
		ret = gt_parse_events(f, &t, err);
		fclose(f);
		ok &= ret != 0 && strstr(err, "line 2");
		gt_table_free(&t);
	}
	result(ok, "events: short, unknown kind, seq 0, bad flags, extra column are errors");
	f = mem("seq age_s kind pid comm caller stack held_ms pfn order pins gets flags file\n");
	ret = gt_parse_events(f, &t, err);
	fclose(f);
	result(ret != 0 && strstr(err, "header"), "events: a header without the reason column is refused");
	gt_table_free(&t);

	f = mem(STACKS_OK);
	ret = gt_parse_stacks(f, &t, err);
	fclose(f);
	st = gt_stack_find(&t, 3);
	result(!ret && t.nr == 2 && st && st->nr == 2 &&
	       !strcmp(st->frames[1], "__x64_sys_ioctl") && !gt_stack_find(&t, 9),
	       "stacks: blocks parse and are found by handle");
	gt_table_free(&t);
	f = mem(" orphan_frame\n");
	ret = gt_parse_stacks(f, &t, err);
	fclose(f);
	result(ret != 0, "stacks: a frame before any stack line is an error");
	gt_table_free(&t);
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	struct gt_json j;
	FILE *f = open_memstream(&buf, &len);

	gt_json_init(&j, f, false);
	gt_json_open(&j, NULL, '{');
	gt_json_str(&j, "comm", "a\"b\\c\n");
	gt_json_open(&j, "list", '[');
	gt_json_num(&j, NULL, 1);
	gt_json_num(&j, NULL, 2);
	gt_json_close(&j, ']');
	gt_json_open(&j, "empty", '[');
	gt_json_close(&j, ']');
	gt_json_close(&j, '}');
	fclose(f);
	result(!strcmp(buf, "{\"comm\":\"a\\\"b\\\\c\\u000a\",\"list\":[1,2],\"empty\":[]}"),
	       "json: escaping, lists, empty lists (%s)", buf);
	free(buf);
}

static void test_prom(void)
{
	char err[GT_ERR_LEN] = "", *buf = NULL, path[] = "/tmp/gt-prom-XXXXXX";
	struct gt_kvs stats, version;
	size_t len = 0;
	struct stat st;
	FILE *f;
	bool ok;

	f = mem("format 4\npins_acquired 5\nactive_pins 3\npolicy observe\n"
		"events_misuse_put 2\nevents_orphaned 0\nevents_lost 1\n");
	gt_parse_kvs(f, &stats, err);
	fclose(f);
	f = mem("version 0.1.0\nformat 2\nbuilt_for x\nrunning 6.1.0-56-amd64\n");
	gt_parse_kvs(f, &version, err);
	fclose(f);
	f = open_memstream(&buf, &len);
	gt_prom_write(f, &stats, &version, NULL);
	fclose(f);
	ok = strstr(buf, "# TYPE gup_track_pins_acquired_total counter\ngup_track_pins_acquired_total 5\n") &&
	     strstr(buf, "# TYPE gup_track_active_pins gauge\ngup_track_active_pins 3\n") &&
	     strstr(buf, "# HELP gup_track_active_pins ") &&
	     strstr(buf, "gup_track_policy{policy=\"observe\"} 1\n") &&
	     strstr(buf, "gup_track_policy{policy=\"enforce\"} 0\n") &&
	     strstr(buf, "gup_track_info{version=\"0.1.0\",kernel=\"6.1.0-56-amd64\",flavour=\"generic\"} 1\n") &&
	     strstr(buf, "gup_track_loaded 1\n") &&
	     !strstr(buf, "gup_track_format");
	result(ok, "prometheus: HELP/TYPE, _total on counters, gauges bare, policy and info labels");
	ok = strstr(buf, "# TYPE gup_track_events_total counter\n") &&
	     strstr(buf, "gup_track_events_total{kind=\"misuse_put\"} 2\n") &&
	     strstr(buf, "gup_track_events_total{kind=\"orphaned\"} 0\n") &&
	     strstr(buf, "gup_track_events_lost_total 1\n") &&
	     !strstr(buf, "gup_track_events_misuse_put");
	result(ok, "prometheus: one counter per event kind, labelled, and events_lost");
	free(buf);

	close(mkstemp(path));
	ok = !gt_prom_export(path, &stats, &version, NULL, err) && !stat(path, &st) &&
	     st.st_size > 0 && (st.st_mode & 0777) == 0644;
	result(ok, "prometheus: export replaces the file whole, mode 0644");
	unlink(path);
	result(gt_prom_export("/nonexistent/dir/file.prom", &stats, &version, NULL, err) &&
	       strstr(err, "/nonexistent/dir"),
	       "prometheus: an unwritable path is a clear error (%s)", err);
	gt_kvs_free(&stats);
	gt_kvs_free(&version);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Run the CLI on the fixture directory; its stdout+stderr in out. */
static int cli(const char *bin, const char *dir, const char *args, char *out,
	       size_t len)
{
	char cmd[1024];
	FILE *p;
	size_t got;
	int st;

	snprintf(cmd, sizeof(cmd), "GUP_TRACK_DEBUGFS=%s %s %s 2>&1", dir, bin,
		 args);
	p = popen(cmd, "r");
	got = fread(out, 1, len - 1, p);
	out[got] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(const char *bin)
{
	char dir[] = "/tmp/gt-cli-XXXXXX", out[8192], version[256];
	int rc;

	if (!mkdtemp(dir))
		return;
	snprintf(version, sizeof(version),
		 "version %s\nformat %d\nbuilt_for x\nrunning x\n",
		 GUP_TRACK_VERSION, GUP_TRACK_FORMAT_VERSION);
	put(dir, "version", version);
	put(dir, "pages", PAGES_OK);
	put(dir, "tasks", GT_TASKS_HEADER "\n135 hold_pins 256 256 0 256 0 4 0\n7 fio 1 512 0 0 1 12 0\n");

	rc = cli(bin, dir, "pages --pid 7", out, sizeof(out));
	result(!rc && strstr(out, "ib_umem_get") && !strstr(out, "hold_pins"),
	       "cli: pages --pid filters");
	rc = cli(bin, dir, "-j pages --longterm", out, sizeof(out));
	result(!rc && out[0] == '[' && strstr(out, "\"longterm\":true") &&
	       !strstr(out, "\"pid\":7"),
	       "cli: -j pages --longterm is a JSON list of the long-term rows");
	rc = cli(bin, dir, "tasks -s pid", out, sizeof(out));
	result(!rc && strstr(out, "fio") < strstr(out, "hold_pins"),
	       "cli: tasks -s pid sorts");
	rc = cli(bin, dir, "pages --older-than x", out, sizeof(out));
	result(rc == 1 && strstr(out, "--older-than wants a number"),
	       "cli: a bad option value is a clear error");

	put(dir, "pages", "pfn order\n");
	rc = cli(bin, dir, "pages", out, sizeof(out));
	result(rc == 1 && strstr(out, "header"), "cli: a malformed view is a clear error");
	put(dir, "version", "version 9.9\nformat 99\nbuilt_for x\nrunning x\n");
	rc = cli(bin, dir, "pages", out, sizeof(out));
	result(rc == 1 && strstr(out, "format 99"),
	       "cli: an unknown format version is refused (%s)", strtok(out, "\n"));
	rc = cli(bin, "/nonexistent", "status", out, sizeof(out));
	result(rc == 1 && (strstr(out, "not loaded") || strstr(out, "debugfs")),
	       "cli: no module is a clear error (%s)", strtok(out, "\n"));
	put(dir, "version", version);
	put(dir, "events", EVENTS_OK);
	put(dir, "stacks", STACKS_OK);
	rc = cli(bin, dir, "events", out, sizeof(out));
	result(!rc && strstr(out, "[1] misuse_put pid 212") &&
	       strstr(out, "[3] orphaned") && strstr(out, "file 254:0:12:3") &&
	       strstr(out, "file anon reason syscall"),
	       "cli: events prints every event, oldest first");
	rc = cli(bin, dir, "-j events --kind truncate", out, sizeof(out));
	result(!rc && !strncmp(out, "{\"seq\":2,", 9) &&
	       strchr(out, '\n') == out + strlen(out) - 1 &&
	       strstr(out, "\"kind\":\"truncate\""),
	       "cli: -j events --kind is one JSON object per line, filtered");
	rc = cli(bin, dir, "events --since 3", out, sizeof(out));
	result(!rc && !strstr(out, "misuse_put") && strstr(out, "[3] orphaned"),
	       "cli: events --since skips what came before");
	rc = cli(bin, dir, "events --kind bogus", out, sizeof(out));
	result(rc == 1 && strstr(out, "unknown event kind"),
	       "cli: an unknown event kind is a clear error");
	rc = cli(bin, dir, "stack 3", out, sizeof(out));
	result(!rc && strstr(out, "stack 3\n  gtp_ioctl[gup_test_pin]\n  __x64_sys_ioctl\n"),
	       "cli: stack prints the frames of a handle");
	rc = cli(bin, dir, "stack 99", out, sizeof(out));
	result(rc == 1 && strstr(out, "no stack 99"), "cli: an unknown stack handle is a clear error");
	put(dir, "pages", PAGES_OK);
	rc = cli(bin, dir, "pages --stacks --pid 135", out, sizeof(out));
	result(!rc && strstr(out, "io_pin_pages"), "cli: pages --stacks runs");
	put(dir, "pages", GT_PAGES_HEADER "\n14076 0 1 0 P-LWA 135 hold_pins 3 io_pin_pages 3 -\n");
	rc = cli(bin, dir, "-j pages --stacks", out, sizeof(out));
	result(!rc && strstr(out, "\"frames\":[\"gtp_ioctl[gup_test_pin]\",\"__x64_sys_ioctl\"]"),
	       "cli: -j pages --stacks has each row's frames");
	rc = cli(bin, dir, "frobnicate", out, sizeof(out));
	result(rc == 2 && strstr(out, "usage"), "cli: an unknown command prints usage");
	rc = cli(bin, dir, "--version", out, sizeof(out));
	result(!rc && strstr(out, GUP_TRACK_VERSION), "cli: --version");

	snprintf(out, sizeof(out), "rm -rf %s", dir);
	if (system(out))
		return;
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *o = open_memstream(&buf, &len);
	int c;

	while (f && (c = fgetc(f)) != EOF)
		fputc(c, o);
	if (f)
		fclose(f);
	fclose(o);
	return buf;
}

/* Files in dir whose name starts with prefix. */
static int count_named(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

/*
 * export --prometheus from every view it reads: the orphaned events joined
 * with pages (same pfn and pid, and old enough to be the same pin), pinned
 * bytes, the oldest long-term pin, hooks, and the top processes.
 */
static void test_export(const char *bin)
{
	char dir[] = "/tmp/gt-export-XXXXXX", out[8192], path[512], want[256];
	char why[WHY_LEN] = "", *buf;
	unsigned long ps = sysconf(_SC_PAGESIZE);
	struct stat st;
	ino_t ino;
	bool ok;
	int rc;

	if (!mkdtemp(dir)) {
		result(false, "export: no temporary directory");
		return;
	}
	snprintf(out, sizeof(out), "version %s\nformat %d\nbuilt_for x\nrunning 6.1.0-57-rt-amd64\n",
		 GUP_TRACK_VERSION, GUP_TRACK_FORMAT_VERSION);
	put(dir, "version", out);
	put(dir, "stats", "format 4\npins_acquired 10\nactive_pins 515\npolicy enforce\n"
	    "events_orphaned 3\nreconcile_ns 1500000000\nload_settle_ms 12\nsites 4\n");
	put(dir, "hooks", GT_HOOKS_HEADER "\na kretprobe attached 1 0\nb tracepoint absent 0 -\n");
	put(dir, "events", GT_EVENTS_HEADER "\n"
	    "1 30 orphaned 212 leak gtp_ioctl[gup_test_pin] 3 61000 14076 0 1 0 LW anon -\n"
	    "2 30 orphaned 213 gone gtp_ioctl[gup_test_pin] 3 61000 14077 0 1 0 LW anon -\n"
	    "3 30 orphaned 212 leak gtp_ioctl[gup_test_pin] 3 61000 14078 0 1 0 LW anon -\n");
	put(dir, "pages", GT_PAGES_HEADER "\n"
	    "14076 0 1 0 P-LWA 212 leak 91 gtp_ioctl[gup_test_pin] 3 -\n"
	    "14077 0 1 0 P-LWA 7 fio 100 x 3 -\n"
	    "14078 0 1 0 P-LWA 212 leak 5 x 3 -\n"
	    "20000 9 512 0 P---F 7 fio 12 ib_umem_get[ib_uverbs] 5 254:0:12:512\n"
	    "30000 0 0 1 -GL-A 7 fio 400 x 3 -\n");
	put(dir, "tasks", GT_TASKS_HEADER "\n212 leak 2 2 0 2 0 91 2\n7 fio 3 514 1 1 1 400 0\n9 idle 1 0 1 0 0 3 0\n");
	snprintf(path, sizeof(path), "%s/gup_track.prom", dir);
	put(dir, "gup_track.prom", "stale\n");
	stat(path, &st);
	ino = st.st_ino;

	snprintf(out, sizeof(out), "export --prometheus %s --top-processes 1", path);
	rc = cli(bin, dir, out, out, sizeof(out));
	buf = slurp(path);
	ok = !rc && !out[0] && valid_prom(buf, strlen(buf), why);
	result(ok, "export: writes valid Prometheus text, silently (%s%s)", why, out);
	ok = strstr(buf, "gup_track_orphaned_pins 1\n") &&
	     strstr(buf, "gup_track_orphaned_folios 1\n") &&
	     strstr(buf, "gup_track_oldest_longterm_pin_age_seconds 100\n");
	snprintf(want, sizeof(want), "gup_track_pinned_bytes %lu\n", ps * 515);
	ok = ok && strstr(buf, want);
	snprintf(want, sizeof(want), "gup_track_longterm_pinned_bytes %lu\n", ps * 3);
	result(ok && strstr(buf, want),
	       "export: orphaned pins are the pages an orphaned event names, same pid and old enough; pinned and long-term bytes, oldest long-term pin");
	ok = strstr(buf, "gup_track_process_pins{pid=\"7\",comm=\"fio\"} 514\n") &&
	     strstr(buf, "gup_track_process_oldest_age_seconds{pid=\"7\",comm=\"fio\"} 400\n") &&
	     !strstr(buf, "pid=\"212\"") && strstr(buf, "gup_track_hooks_attached 1\n") &&
	     strstr(buf, "gup_track_hooks 2\n") &&
	     strstr(buf, "gup_track_reconcile_seconds_total 1.500000000\n") &&
	     strstr(buf, "gup_track_load_settle_seconds 0.012\n") &&
	     strstr(buf, "# TYPE gup_track_sites gauge\n") &&
	     strstr(buf, "flavour=\"rt\"") && strstr(buf, "gup_track_policy{policy=\"enforce\"} 1\n") &&
	     !strstr(buf, "_ns") && !strstr(buf, "_ms") && !strstr(buf, "next_seq");
	result(ok, "export: --top-processes 1 keeps the top pinner; seconds not ns or ms; hooks; flavour; policy as a state set");
	free(buf);
	ok = !stat(path, &st) && st.st_ino != ino && (st.st_mode & 0777) == 0644 &&
	     count_named(dir, "gup_track.prom") == 1;
	result(ok, "export: the old file is replaced by rename, mode 0644, no temporary file left");

	snprintf(out, sizeof(out), "export --prometheus %s --top-processes 0", path);
	rc = cli(bin, dir, out, out, sizeof(out));
	buf = slurp(path);
	result(!rc && !strstr(buf, "gup_track_process_") && strstr(buf, "gup_track_active_pins 515\n"),
	       "export: --top-processes 0 writes no per-process series");
	free(buf);

	if (!access("/sys/module/gup_track", F_OK)) {
		result(true, "# SKIP export: gup_track is loaded here");
	} else {
		snprintf(out, sizeof(out), "export --prometheus %s", path);
		rc = cli(bin, "/nonexistent", out, out, sizeof(out));
		buf = slurp(path);
		ok = strchr(out, '\n') == out + strlen(out) - 1;
		result(!rc && ok && strstr(out, "not loaded") &&
		       !strcmp(buf, "# HELP gup_track_loaded 1 when the gup_track module is loaded\n"
			       "# TYPE gup_track_loaded gauge\ngup_track_loaded 0\n"),
		       "export: no module: one line on stderr, exit 0, a file of gup_track_loaded 0 (%s)",
		       strtok(out, "\n"));
		free(buf);
	}
	snprintf(out, sizeof(out), "rm -rf %s", dir);
	if (system(out))
		return;
}

static void xasprintf(char **s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		abort();
}

static char *repeat(int c, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memset(s, c, len);
	s[len] = 0;
	return s;
}

/* A view as text built at run time, parsed by parse; its error in err. */
static int parse_text(int (*parse)(FILE *, struct gt_table *, char *),
		      const char *text, struct gt_table *t, char *err)
{
	FILE *f = mem(text);
	int ret;

	err[0] = 0;
	ret = parse(f, t, err);
	fclose(f);
	return ret;
}

/* Lines longer than the 512 and 1024 bytes the parsers once read at most. */
static void test_long_lines(void)
{
	char err[GT_ERR_LEN], *text, *pad = repeat('0', 1500), *big = repeat('c', 1100);
	const struct gt_stack *st;
	struct gt_table t;
	struct gt_kvs kvs;
	FILE *f;
	int ret;

	ret = parse_text(gt_parse_stacks, "stack 1\n " LONG_SYM "\n do_syscall_64\n\nstack 2\n x\n",
			 &t, err);
	st = gt_stack_find(&t, 1);
	result(!ret && t.nr == 2 && st && st->nr == 2 &&
	       !strcmp(st->frames[0], LONG_SYM) && !strcmp(st->frames[1], "do_syscall_64"),
	       "stacks: a %zu-byte frame (a 6.1+ Rust symbol) parses whole (%s)",
	       strlen(LONG_SYM), err);
	gt_table_free(&t);

	xasprintf(&text, "stack 1\n %s%s\n f\n", LONG_SYM, big);
	ret = parse_text(gt_parse_stacks, text, &t, err);
	result(ret && strstr(err, "line 2:") && strstr(err, "longer than any kernel symbol"),
	       "stacks: a frame longer than any symbol is refused, naming its line (%s)", err);
	gt_table_free(&t);
	free(text);

	xasprintf(&text, "%s\n%s14076 0 1 0 P-LWA 135 hold_pins 3 io_pin_pages 7 -\n"
		 "1 0 1 0 P---A 2 b 0 g 0 -\n", GT_PAGES_HEADER, pad);
	ret = parse_text(gt_parse_pages, text, &t, err);
	result(!ret && t.nr == 2 && ((struct gt_page *)t.rows)->pfn == 14076 &&
	       ((struct gt_page *)t.rows)[1].pid == 2,
	       "pages: a %zu-byte row is one row, not split in two (%s)", strlen(text), err);
	gt_table_free(&t);
	free(text);

	xasprintf(&text, "%s\n1 0 1 0 P---A 1 a 0 %s 0 -\n2 0 1 0 P---A 1 a 0 f 0 -\n",
		 GT_PAGES_HEADER, big);
	ret = parse_text(gt_parse_pages, text, &t, err);
	result(ret && strstr(err, "line 2:") && t.nr == 0,
	       "pages: a 1100-byte caller is a malformed row at line 2, never cut");
	gt_table_free(&t);
	free(text);

	xasprintf(&text, "%s\n1 9 misuse_put 212 events %s 3 12 14076 0 1 0 -W anon -\n"
		 "2 9 misuse_put 212 events x 3 12 14076 0 1 0 -W anon -\n",
		 GT_EVENTS_HEADER, big);
	ret = parse_text(gt_parse_events, text, &t, err);
	result(ret && strstr(err, "line 2:"), "events: an over-long row is refused at its own line");
	gt_table_free(&t);
	free(text);

	xasprintf(&text, "format 4\npins_acquired %s7\nactive_pins 1\n", pad);
	f = mem(text);
	err[0] = 0;
	ret = gt_parse_kvs(f, &kvs, err);
	fclose(f);
	result(ret && strstr(err, "line 2:") && kvs.nr == 1,
	       "stats: a 1500-byte line is refused at line 2, not read as two pairs");
	gt_kvs_free(&kvs);
	free(text);

	xasprintf(&text, "version 0.1.0\nrunning 6.12.0-%s\n", pad + 1500 - 57);
	f = mem(text);
	ret = gt_parse_kvs(f, &kvs, err);
	fclose(f);
	result(!ret && kvs.nr == 2 && strlen(gt_kv_get(&kvs, "running")) == 64,
	       "version: a 64-byte kernel release (__NEW_UTS_LEN) parses whole");
	gt_kvs_free(&kvs);
	free(text);

	f = fmemopen((void *)GT_TASKS_HEADER "\n1 a\0 1 1 0 0 0 0\n",
		     sizeof(GT_TASKS_HEADER "\n1 a\0 1 1 0 0 0 0\n") - 1, "r");
	ret = gt_parse_tasks(f, &t, err);
	fclose(f);
	result(ret && strstr(err, "line 2:") && strstr(err, "NUL"),
	       "tasks: a NUL byte in a line is refused, not read past (%s)", err);
	gt_table_free(&t);
	free(pad);
	free(big);
}

static char *json_of(const char *key, const char *val)
{
	char *buf = NULL;
	size_t len = 0;
	struct gt_json j;
	FILE *f = open_memstream(&buf, &len);

	gt_json_init(&j, f, false);
	gt_json_open(&j, NULL, '{');
	gt_json_str(&j, key, val);
	gt_json_close(&j, '}');
	gt_json_end(&j);
	fclose(f);
	return buf;
}

/* comm and other strings with bytes 0x80-0xff, as the kernel passes them. */
static void test_high_bytes(const char *bin)
{
	char err[GT_ERR_LEN], why[WHY_LEN] = "", *text, *buf;
	char dir[] = "/tmp/gt-high-XXXXXX", out[16384], comm[17];
	struct gt_kvs stats, version;
	struct gt_kv kv[4];
	struct gt_table t;
	bool ok = true;
	size_t len = 0;
	FILE *f;
	int rc;

	f = open_memstream(&text, &len);
	fputs(GT_PAGES_HEADER "\n", f);
	for (int r = 0; r < 8; r++) {
		for (int i = 0; i < 16; i++)
			comm[i] = 0x80 + r * 16 + i;
		comm[16] = 0;
		fprintf(f, "%d 0 1 0 P---A 1 %s 0 f 0 -\n", r, comm);
	}
	fclose(f);
	ok = !parse_text(gt_parse_pages, text, &t, err) && t.nr == 8;
	for (size_t r = 0; ok && r < t.nr; r++) {
		const struct gt_page *pg = (struct gt_page *)t.rows + r;

		ok = strlen(pg->comm) == 16 &&
		     (unsigned char)pg->comm[0] == 0x80 + r * 16 &&
		     (unsigned char)pg->comm[15] == 0x8f + r * 16;
		buf = json_of("comm", pg->comm);
		ok = ok && valid_json(buf, strlen(buf), why) &&
		     strlen(buf) == strlen("{\"comm\":\"\"}\n") + 16 * 6;
		if (r == 7)
			ok = ok && strstr(buf, "\\u00f0\\u00f1") && strstr(buf, "\\u00ff\"}");
		free(buf);
	}
	result(ok, "json: comm bytes 0x80-0xff parse whole and are written as \\u0080-\\u00ff, valid JSON in UTF-8 %s",
	       why);
	gt_table_free(&t);

	buf = json_of("k\xe9y\x7f", "\xc3\xa9t\xe9\"\x01");
	result(!strcmp(buf, "{\"k\\u00e9y\\u007f\":\"\\u00c3\\u00a9t\\u00e9\\\"\\u0001\"}\n") &&
	       valid_json(buf, strlen(buf), why),
	       "json: every byte outside printable ASCII, keys too, is its Latin-1 \\u00XX (%.*s)",
	       (int)strcspn(buf, "\n"), buf);
	free(buf);

	/* Prometheus: the same bytes as UTF-8, and \ " newline escaped. */
	strcpy(kv[0].key, "version");
	strcpy(kv[0].value, "0.1\xe9");
	strcpy(kv[1].key, "running");
	strcpy(kv[1].value, "6.1-\xff\"\\\nx");
	version = (struct gt_kvs){ kv, 2 };
	strcpy(kv[2].key, "policy");
	strcpy(kv[2].value, "obs\xa0");
	strcpy(kv[3].key, "pins_acquired");
	strcpy(kv[3].value, "5");
	stats = (struct gt_kvs){ kv + 2, 2 };
	buf = NULL;
	f = open_memstream(&buf, &len);
	gt_prom_write(f, &stats, &version, NULL);
	fclose(f);
	result(valid_prom(buf, len, why) &&
	       strstr(buf, "{version=\"0.1\xc3\xa9\",kernel=\"6.1-\xc3\xbf\\\"\\\\\\nx\",flavour=\"generic\"} 1\n") &&
	       strstr(buf, "{policy=\"obs\xc2\xa0\"} 1\n"),
	       "prometheus: label values are UTF-8 (bytes as Latin-1) with \\ \" and newline escaped %s",
	       why);
	free(buf);

	f = mem("pins_acquired 5\nbad-key 1\nk\xe9y 2\npins_acquired 6\nevents 3\n"
		"events_orphaned 1\nevents_orphaned 2\n");
	gt_parse_kvs(f, &stats, err);
	fclose(f);
	buf = NULL;
	f = open_memstream(&buf, &len);
	gt_prom_write(f, &stats, &version, NULL);
	fclose(f);
	result(valid_prom(buf, len, why) && !strstr(buf, "bad") && !strstr(buf, "\xe9") &&
	       strstr(buf, "gup_track_pins_acquired_total 5\n") &&
	       strstr(buf, "{kind=\"orphaned\"} 1\n") && !strstr(buf, " 6\n"),
	       "prometheus: keys that are no metric name, and repeated keys, are left out %s",
	       why);
	free(buf);
	gt_kvs_free(&stats);

	/* The CLI end to end. */
	if (!mkdtemp(dir)) {
		result(false, "cli: no temporary directory");
		free(text);
		return;
	}
	snprintf(out, sizeof(out), "version %s\nformat %d\nbuilt_for x\nrunning x\n",
		 GUP_TRACK_VERSION, GUP_TRACK_FORMAT_VERSION);
	put(dir, "version", out);
	put(dir, "pages", text);
	put(dir, "events", GT_EVENTS_HEADER
	    "\n7 2 long_held 5 \xa1\xff\xe0\xc3\xa9 vfio_pin_pages 1 5000 3 0 1 0 L- anon -\n");
	rc = cli(bin, dir, "-j pages 2>/dev/null", out, sizeof(out));
	ok = !rc && valid_json(out, strlen(out), why) && strstr(out, "\\u00ff");
	rc = cli(bin, dir, "-j events 2>/dev/null", out, sizeof(out));
	ok = ok && !rc && valid_json_lines(out, strlen(out), why) &&
	     strstr(out, "\"comm\":\"\\u00a1\\u00ff\\u00e0\\u00c3\\u00a9\"");
	result(ok, "cli: -j pages and -j events with comm bytes 0xa1-0xff are valid JSON in UTF-8 %s",
	       why);
	free(text);
	snprintf(out, sizeof(out), "rm -rf %s", dir);
	if (system(out))
		return;
}

/* gup-track load's parameter string, built as libkmod will get it. */
static void test_load_opts(const char *bin)
{
	char *big = repeat('1', 1100), *max = repeat('9', GT_LOAD_OPTS_MAX);
	char err[GT_ERR_LEN] = "", out[4096], *opts;
	char *argv[4];
	int ret, rc;

	argv[0] = "policy=observe";
	argv[1] = "max_entries=4096";
	ret = gt_load_opts(2, argv, &opts, err);
	result(!ret && !strcmp(opts, "policy=observe max_entries=4096"),
	       "load: parameters are joined by single spaces, as insmod joins them");
	free(opts);
	ret = gt_load_opts(0, argv, &opts, err);
	result(!ret && !strcmp(opts, ""), "load: no parameters is an empty string");
	free(opts);

	/* 1100 bytes: past the 1 KiB buffer that overflowed, or cut. */
	memcpy(big, "orphan_s=", 9);
	argv[0] = "policy=observe";
	argv[1] = big;
	argv[2] = big;
	ret = gt_load_opts(3, argv, &opts, err);
	result(!ret && strlen(opts) == 15 + 2 * 1101 - 1 &&
	       !strncmp(opts + 15, big, 1100) && !strcmp(opts + 15 + 1101, big),
	       "load: %zu bytes of parameters are passed whole, never cut",
	       opts ? strlen(opts) : 0);
	free(opts);

	memcpy(max, "x=", 2);
	argv[0] = max;
	ret = gt_load_opts(1, argv, &opts, err);
	result(!ret && strlen(opts) == GT_LOAD_OPTS_MAX,
	       "load: %lu bytes, the most the kernel takes, are passed", GT_LOAD_OPTS_MAX);
	free(opts);
	max[GT_LOAD_OPTS_MAX - 1] = 0;
	argv[1] = "y=1";	/* one byte too many, with the space */
	ret = gt_load_opts(2, argv, &opts, err);
	result(ret == -E2BIG && !opts && strstr(err, "4194303 bytes"),
	       "load: one byte more than the kernel takes is refused (%s)", err);
	argv[0] = "policy";
	ret = gt_load_opts(1, argv, &opts, err);
	rc = !ret;
	argv[0] = "=observe";
	ret = gt_load_opts(1, argv, &opts, err);
	result(!rc && ret == -EINVAL && !opts && strstr(err, "'=observe' is not param=value"),
	       "load: a word without '=' or a name is refused (%s)", err);
	free(big);
	free(max);

	/* Refused before libkmod is touched: no module is loaded here. */
	rc = cli(bin, "/nonexistent", "load --path /nonexistent/gup_track.ko policy", out,
		 sizeof(out));
	result(rc == 1 && strstr(out, "'policy' is not param=value"),
	       "cli: load refuses a bad parameter with a clear error (%s)", strtok(out, "\n"));
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "./gup-track";

	printf("KTAP version 1\n1..%d\n", PLAN);
	test_pages();
	test_kvs();
	test_other_views();
	test_json();
	test_prom();
	test_events();
	test_cli(bin);
	test_export(bin);
	test_long_lines();
	test_high_bytes(bin);
	test_load_opts(bin);
	test_fuzz(bin);
	if (n != PLAN)
		printf("# planned %d tests, ran %d\n", PLAN, n);
	return failed || n != PLAN;
}
