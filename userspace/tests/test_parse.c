// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of gup-track: the parsers against good and malformed views,
 * the JSON and Prometheus writers, and the CLI run against a fixture
 * directory standing in for /sys/kernel/debug/gup_track. KTAP output.
 *
 * usage: test-parse [path/to/gup-track]
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gup_track/format.h>
#include <gup_track/version.h>

#include "json.h"
#include "parse.h"
#include "prom.h"

static int n, failed;

static void result(bool ok, const char *fmt, ...)
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

	f = mem(GT_TASKS_HEADER "\n135 hold_pins 256 256 0 256 0 4\n");
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

	f = mem("format 3\npins_acquired 5\nactive_pins 3\npolicy observe\n"
		"events_misuse_put 2\nevents_orphaned 0\nevents_lost 1\n");
	gt_parse_kvs(f, &stats, err);
	fclose(f);
	f = mem("version 0.1.0\nformat 2\nbuilt_for x\nrunning 6.1.0-56-amd64\n");
	gt_parse_kvs(f, &version, err);
	fclose(f);
	f = open_memstream(&buf, &len);
	gt_prom_write(f, &stats, &version);
	fclose(f);
	ok = strstr(buf, "# TYPE gup_track_pins_acquired_total counter\ngup_track_pins_acquired_total 5\n") &&
	     strstr(buf, "# TYPE gup_track_active_pins gauge\ngup_track_active_pins 3\n") &&
	     strstr(buf, "# HELP gup_track_active_pins ") &&
	     strstr(buf, "gup_track_policy{mode=\"observe\"} 1\n") &&
	     strstr(buf, "gup_track_info{version=\"0.1.0\",kernel=\"6.1.0-56-amd64\"} 1\n") &&
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
	ok = !gt_prom_export(path, &stats, &version, err) && !stat(path, &st) &&
	     st.st_size > 0 && (st.st_mode & 0777) == 0644;
	result(ok, "prometheus: export replaces the file whole, mode 0644");
	unlink(path);
	result(gt_prom_export("/nonexistent/dir/file.prom", &stats, &version, err) &&
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
	put(dir, "tasks", GT_TASKS_HEADER "\n135 hold_pins 256 256 0 256 0 4\n7 fio 1 512 0 0 1 12\n");

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

int main(int argc, char **argv)
{
	printf("KTAP version 1\n1..40\n");
	test_pages();
	test_kvs();
	test_other_views();
	test_json();
	test_prom();
	test_events();
	test_cli(argc > 1 ? argv[1] : "./gup-track");
	if (n != 40)
		printf("# planned 40 tests, ran %d\n", n);
	return failed || n != 40;
}
