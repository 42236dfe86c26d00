// SPDX-License-Identifier: GPL-2.0
/*
 * A deterministic fuzzer for the parsers and the writers: a fixed seed and
 * a fixed number of rounds, each a valid view mutated at random (bytes
 * flipped, high bytes, NULs, long tokens and lines, lines spliced, cut or
 * doubled). Each round checks that the parser neither crashes nor reads
 * or writes out of bounds (the test program runs under ASan and UBSan),
 * that it refuses with a message or returns exactly one record per line,
 * and that the JSON and Prometheus written from what it returned are
 * valid, in valid UTF-8. Last, the CLI itself on fuzzed views: exit 0 or
 * 1, never a signal, and valid JSON whenever it succeeds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gup_track/format.h>
#include <gup_track/version.h>

#include "json.h"
#include "parse.h"
#include "prom.h"
#include "tests.h"

#define SEED		0x67757074726b0001ULL
#define ROUNDS		2000	/* per parser */
#define CLI_ROUNDS	90	/* 10 a command: each is a process */
#define MAX_TEXT	8192

static uint64_t rng = SEED;

static uint64_t rnd(void)	/* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static size_t below(size_t n)
{
	return n ? rnd() % n : 0;
}

static const char * const pages_seeds[] = {
	GT_PAGES_HEADER "\n"
	"14076 0 1 0 P-LWA 135 hold_pins 3 io_pin_pages 67108864 -\n"
	"# truncated: the table grew while it was copied\n"
	"20000 9 512 0 P---F 7 fio 12 ib_umem_get[ib_uverbs] 5 254:0:12:512\n",
	GT_PAGES_HEADER "\n"
	"1 0 0 2 -G--S 88 caf\xe9_\xff\xa1 0 iomap_dio_bio_iter 1 8:1:77:0\n",
};

static const char * const tasks_seeds[] = {
	GT_TASKS_HEADER "\n135 hold_pins 256 256 0 256 0 4 0\n7 fio 1 512 0 0 1 12 0\n",
	GT_TASKS_HEADER "\n9 \xc3\xa9t\xe9\xfe 1 1 0 0 0 0 0\n",
};

static const char * const files_seeds[] = {
	GT_FILES_HEADER "\n254:0 12 4 4 0 0 4 9 1 2 3 4 5 6\n8:1 77 1 0 1 0 0 0 0 0 0 0 0 0\n",
};

static const char * const hooks_seeds[] = {
	GT_HOOKS_HEADER "\nmm_page_free tracepoint attached 99 -\n"
	"unpin_user_pages kretprobe attached 7 0\nmemfd_pin_folios kprobe absent 0 0\n",
};

static const char * const events_seeds[] = {
	GT_EVENTS_HEADER "\n"
	"1 9 misuse_put 212 events gtp_ioctl[gup_test_pin] 3 12 14076 0 1 0 -W anon -\n"
	"2 8 truncate 212 events gtp_ioctl[gup_test_pin] 3 40 14090 0 1 0 -- 254:0:12:3 -\n"
	"3 1 orphaned 0 - - 0 61000 20000 9 512 0 L- - -\n"
	"4 0 migrate_blocked 90 fio io_sqe_buffers_register 5 900 14100 0 1 0 LW anon syscall\n",
	GT_EVENTS_HEADER "\n"
	"7 2 long_held 5 \xa1\xff\xe0 vfio_pin_pages 1 5000 3 0 1 0 L- anon -\n",
};

static const char * const stacks_seeds[] = {
	"stack 3\n gtp_ioctl[gup_test_pin]\n __x64_sys_ioctl\n\nstack 4\n io_sqe_buffers_register\n\n",
	"stack 1\n " LONG_SYM "\n do_syscall_64\n\n",
};

static const char * const kvs_seeds[] = {
	"format 4\npins_acquired 5\nactive_pins 3\npolicy observe\n"
	"events_misuse_put 2\nevents_orphaned 0\nevents_lost 1\npeak_folios 4\n",
	"version 0.1.0\nformat 4\nbuilt_for 6.1.0-57-amd64\nrunning 6.1.0-57-amd64\n",
};

struct text {
	char b[MAX_TEXT];
	size_t len;
};

static void insert(struct text *t, size_t at, const char *s, size_t n)
{
	if (n > MAX_TEXT - t->len)
		n = MAX_TEXT - t->len;
	memmove(t->b + at + n, t->b + at, t->len - at);
	memcpy(t->b + at, s, n);
	t->len += n;
}

static const char * const limits[] = {
	"18446744073709551615", "18446744073709551616", "-1", "4294967296",
	"-9223372036854775809",
};

#define NUMS	(sizeof(limits) / sizeof(limits[0]))

static void mutate(struct text *t, const char * const *seeds, size_t nseeds)
{
	int ops = 1 + below(3);
	char tmp[1400];

	while (ops--) {
		size_t at = below(t->len + 1), n, from;

		switch (below(13)) {
		case 11:	/* a byte of a token, still a token: fields see anything */
		case 12:
			if (t->len) {
				n = below(t->len);
				if (!strchr(" \n", t->b[n]))
					t->b[n] = 0x21 + below(0xff - 0x21 + 1);
			}
			break;
		case 0:		/* any byte */
			if (t->len)
				t->b[below(t->len)] = rnd();
			break;
		case 1:		/* a byte 0x80-0xff */
			if (t->len)
				t->b[below(t->len)] = 0x80 | rnd();
			break;
		case 2:		/* a few random bytes */
			n = 1 + below(8);
			for (size_t i = 0; i < n; i++)
				tmp[i] = rnd();
			insert(t, at, tmp, n);
			break;
		case 3:		/* a range gone */
			n = below(t->len - at + 1);
			memmove(t->b + at, t->b + at + n, t->len - at - n);
			t->len -= n;
			break;
		case 4:		/* a range doubled: long tokens, repeated lines */
			from = below(t->len + 1);
			n = below(t->len - from + 1);
			if (n > sizeof(tmp))
				n = sizeof(tmp);
			memcpy(tmp, t->b + from, n);
			insert(t, at, tmp, n);
			break;
		case 5:		/* a long token, past every fixed buffer */
			n = 100 + below(sizeof(tmp) - 100);
			memset(tmp, below(2) ? 'A' : '0', n);
			insert(t, at, tmp, n);
			break;
		case 6:		/* a separator */
			insert(t, at, &" \n\n#\t\r"[below(6)], 1);
			break;
		case 7:
			insert(t, at, "", 1);	/* a NUL */
			break;
		case 8:		/* a line of another seed */
			from = below(nseeds);
			n = strcspn(seeds[from], "\n") + 1;
			if (n > strlen(seeds[from]))
				n = strlen(seeds[from]);
			insert(t, at, seeds[from], n);
			break;
		case 9:		/* cut short */
			t->len = at;
			break;
		default:	/* a number at its limits */
			from = below(NUMS);
			insert(t, at, limits[from], strlen(limits[from]));
			break;
		}
	}
}

/*
 * A seed, mutated. With keep, three times in four the first line (a
 * table's header) is kept as it is, so that the rows get fuzzed past it.
 */
static void seed(struct text *t, const char * const *seeds, size_t nseeds,
		 bool keep)
{
	const char *s = seeds[below(nseeds)];
	size_t head = keep && below(4) ? strcspn(s, "\n") + 1 : 0;
	static struct text body;

	if (head > strlen(s))
		head = strlen(s);
	body.len = strlen(s) - head;
	memcpy(body.b, s + head, body.len);
	mutate(&body, seeds, nseeds);
	memcpy(t->b, s, head);
	memcpy(t->b + head, body.b, body.len > MAX_TEXT - head ? MAX_TEXT - head :
	       body.len);
	t->len = head + (body.len > MAX_TEXT - head ? MAX_TEXT - head : body.len);
}

static FILE *open_text(const struct text *t)
{
	/* fmemopen() of 0 bytes fails: an empty view is /dev/null. */
	return t->len ? fmemopen((void *)t->b, t->len, "r") :
			fopen("/dev/null", "r");
}

/* Lines after the first skip ones, the last counting without its newline. */
static size_t count_lines(const struct text *t, size_t skip, bool notes,
			  bool (*want)(const char *line, size_t len))
{
	size_t n = 0, no = 0;

	for (size_t at = 0; at < t->len; no++) {
		const char *nl = memchr(t->b + at, '\n', t->len - at);
		size_t len = nl ? (size_t)(nl - t->b - at) : t->len - at;
		size_t end = len;

		while (end && t->b[at + end - 1] == '\r')
			end--;		/* as the parser drops them */
		if (no >= skip && !(notes && end && t->b[at] == '#') &&
		    (!want || want(t->b + at, end)))
			n++;
		at += len + 1;
	}
	return n;
}

/* NUL-terminated within its member, as every field must be. */
#define TERMINATED(f)	(strnlen((f), sizeof(f)) < sizeof(f))

static void json_page(struct gt_json *j, const void *row)
{
	const struct gt_page *p = row;

	gt_json_num(j, "pfn", p->pfn);
	gt_json_int(j, "pins", p->pins);
	gt_json_str(j, "flags", p->flags);
	gt_json_str(j, "comm", p->comm);
	gt_json_str(j, "caller", p->caller);
	gt_json_str(j, "file", p->file);
}

static void json_task(struct gt_json *j, const void *row)
{
	const struct gt_task *t = row;

	gt_json_int(j, "pid", t->pid);
	gt_json_str(j, "comm", t->comm);
	gt_json_num(j, "oldest_s", t->oldest);
	gt_json_num(j, "misused", t->misused);
}

static void json_file(struct gt_json *j, const void *row)
{
	const struct gt_file *f = row;

	gt_json_str(j, "dev", f->dev);
	gt_json_num(j, "truncated", f->policy[5]);
}

static void json_hook(struct gt_json *j, const void *row)
{
	const struct gt_hook *h = row;

	gt_json_str(j, "name", h->name);
	gt_json_str(j, "kind", h->kind);
	gt_json_str(j, "state", h->state);
	gt_json_str(j, "missed", h->missed);
}

static void json_event(struct gt_json *j, const void *row)
{
	const struct gt_event *e = row;

	gt_json_num(j, "seq", e->seq);
	gt_json_str(j, "kind", e->kind);
	gt_json_str(j, "comm", e->comm);
	gt_json_str(j, "caller", e->caller);
	gt_json_str(j, "flags", e->flags);
	gt_json_str(j, "file", e->file);
	gt_json_str(j, "reason", e->reason);
}

static void json_stack(struct gt_json *j, const void *row)
{
	const struct gt_stack *s = row;

	gt_json_num(j, "stack", s->id);
	gt_json_open(j, "frames", '[');
	for (unsigned int i = 0; i < s->nr; i++)
		gt_json_str(j, NULL, s->frames[i]);
	gt_json_close(j, ']');
}

static bool fields_ok(const char *view, const void *row)
{
	if (!strcmp(view, "pages")) {
		const struct gt_page *p = row;

		return TERMINATED(p->comm) && TERMINATED(p->caller) &&
		       TERMINATED(p->file) && strlen(p->flags) == GT_FLAGS_LEN;
	}
	if (!strcmp(view, "tasks"))
		return TERMINATED(((const struct gt_task *)row)->comm);
	if (!strcmp(view, "files"))
		return TERMINATED(((const struct gt_file *)row)->dev);
	if (!strcmp(view, "hooks")) {
		const struct gt_hook *h = row;

		return TERMINATED(h->name) && TERMINATED(h->kind) &&
		       TERMINATED(h->state) && TERMINATED(h->missed);
	}
	if (!strcmp(view, "events")) {
		const struct gt_event *e = row;

		return TERMINATED(e->kind) && TERMINATED(e->comm) &&
		       TERMINATED(e->caller) && strlen(e->flags) == 2 &&
		       TERMINATED(e->file) && TERMINATED(e->reason) &&
		       gt_event_kind_known(e->kind);
	}
	if (!strcmp(view, "stacks")) {
		const struct gt_stack *s = row;

		if (s->nr > GT_STACK_FRAMES)
			return false;
		for (unsigned int i = 0; i < s->nr; i++)
			if (!TERMINATED(s->frames[i]) || !s->frames[i][0])
				return false;
	}
	return true;
}

/* The rows as JSON, compact or indented, must be valid. */
static bool rows_json(const struct gt_table *t, size_t size, bool pretty,
		      void (*row)(struct gt_json *, const void *), char *why)
{
	char *buf = NULL;
	size_t len = 0;
	struct gt_json j;
	FILE *f = open_memstream(&buf, &len);
	bool ok;

	gt_json_init(&j, f, pretty);
	gt_json_open(&j, NULL, '[');
	for (size_t i = 0; i < t->nr; i++) {
		gt_json_open(&j, NULL, '{');
		row(&j, (const char *)t->rows + i * size);
		gt_json_close(&j, '}');
	}
	gt_json_close(&j, ']');
	gt_json_end(&j);
	fclose(f);
	ok = valid_json(buf, len, why);
	free(buf);
	return ok;
}

static bool is_frame(const char *line, size_t len)
{
	return len && line[0] == ' ';
}

static bool is_stack(const char *line, size_t len)
{
	return len && line[0] != ' ';
}

struct view {
	const char *name;
	int (*parse)(FILE *f, struct gt_table *out, char *err);
	const char * const *seeds;
	size_t nseeds, size;
	void (*json)(struct gt_json *j, const void *row);
};

#define NR(s)	(sizeof(s) / sizeof(s[0]))

static const struct view views[] = {
	{ "pages", gt_parse_pages, pages_seeds, NR(pages_seeds), sizeof(struct gt_page), json_page },
	{ "tasks", gt_parse_tasks, tasks_seeds, NR(tasks_seeds), sizeof(struct gt_task), json_task },
	{ "files", gt_parse_files, files_seeds, NR(files_seeds), sizeof(struct gt_file), json_file },
	{ "hooks", gt_parse_hooks, hooks_seeds, NR(hooks_seeds), sizeof(struct gt_hook), json_hook },
	{ "events", gt_parse_events, events_seeds, NR(events_seeds), sizeof(struct gt_event), json_event },
	{ "stacks", gt_parse_stacks, stacks_seeds, NR(stacks_seeds), sizeof(struct gt_stack), json_stack },
};

static void fuzz_view(const struct view *v)
{
	static struct text t;
	size_t parsed = 0, refused = 0;
	char why[WHY_LEN] = "";
	bool ok = true;

	for (int r = 0; r < ROUNDS && ok; r++) {
		char err[GT_ERR_LEN];
		struct gt_table tab;
		bool stacks = v->parse == gt_parse_stacks;
		size_t want;
		FILE *f;
		int ret;

		seed(&t, v->seeds, v->nseeds, !stacks);
		f = open_text(&t);
		memset(err, 0, sizeof(err));
		ret = v->parse(f, &tab, err);
		fclose(f);
		if (ret) {
			refused++;
			if (!err[0] || strnlen(err, sizeof(err)) == sizeof(err)) {
				ok = false;
				snprintf(why, sizeof(why), "round %d: a refusal without a message", r);
			}
			gt_table_free(&tab);
			continue;
		}
		parsed++;
		/* One record per line: never a line split in two, or lost. */
		want = stacks ? count_lines(&t, 0, false, is_stack) :
				count_lines(&t, 1, true, NULL);
		if (memchr(t.b, 0, t.len)) {
			ok = false;
			snprintf(why, sizeof(why), "round %d: a NUL byte was accepted", r);
		} else if (tab.nr != want) {
			ok = false;
			snprintf(why, sizeof(why), "round %d: %zu records from %zu lines",
				 r, tab.nr, want);
		} else if (stacks) {
			size_t frames = 0;

			for (size_t i = 0; i < tab.nr; i++)
				frames += ((struct gt_stack *)tab.rows)[i].nr;
			if (frames != count_lines(&t, 0, false, is_frame)) {
				ok = false;
				snprintf(why, sizeof(why), "round %d: %zu frames, not one a line",
					 r, frames);
			}
		}
		for (size_t i = 0; ok && i < tab.nr; i++)
			if (!fields_ok(v->name, (char *)tab.rows + i * v->size)) {
				ok = false;
				snprintf(why, sizeof(why), "round %d: row %zu has a bad field",
					 r, i);
			}
		if (ok && !rows_json(&tab, v->size, r & 1, v->json, why)) {
			ok = false;
			memmove(why + 24, why, WHY_LEN - 24);
			memcpy(why, "JSON of what was parsed:", 24);
			why[WHY_LEN - 1] = 0;
		}
		gt_table_free(&tab);
	}
	result(ok && parsed && refused,
	       "fuzz: %s: %d rounds, %zu parsed, %zu refused with a message, one record a line, valid JSON%s%s",
	       v->name, ROUNDS, parsed, refused, ok ? "" : ": ", why);
}

static int parse_kvs_text(const struct text *t, struct gt_kvs *kvs, char *err)
{
	FILE *f = open_text(t);
	int ret = gt_parse_kvs(f, kvs, err);

	fclose(f);
	return ret;
}

/* stats and version, fuzzed, then the Prometheus file written from them. */
static void fuzz_kvs_prom(void)
{
	static struct text t;
	struct gt_kvs fixed, kvs;
	size_t parsed = 0, refused = 0;
	char err[GT_ERR_LEN], why[WHY_LEN] = "";
	bool ok = true;

	t.len = strlen(kvs_seeds[1]);
	memcpy(t.b, kvs_seeds[1], t.len);
	parse_kvs_text(&t, &fixed, err);
	for (int r = 0; r < ROUNDS && ok; r++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		seed(&t, kvs_seeds, 2, false);
		err[0] = 0;
		if (parse_kvs_text(&t, &kvs, err)) {
			refused++;
			if (!err[0]) {
				ok = false;
				snprintf(why, sizeof(why), "round %d: a refusal without a message", r);
			}
			gt_kvs_free(&kvs);
			continue;
		}
		parsed++;
		if (kvs.nr != count_lines(&t, 0, false, NULL)) {
			ok = false;
			snprintf(why, sizeof(why), "round %d: %zu pairs from %zu lines",
				 r, kvs.nr, count_lines(&t, 0, false, NULL));
		}
		f = open_memstream(&buf, &len);
		if (r & 1)
			gt_prom_write(f, &kvs, &fixed, NULL);
		else
			gt_prom_write(f, &fixed, &kvs, NULL);
		fclose(f);
		if (ok && !valid_prom(buf, len, why)) {
			ok = false;
			fprintf(stderr, "# the input:\n%.*s# the output:\n%s",
				(int)t.len, t.b, buf);
		}
		free(buf);
		gt_kvs_free(&kvs);
	}
	gt_kvs_free(&fixed);
	result(ok && parsed && refused,
	       "fuzz: stats and version: %d rounds, %zu parsed, %zu refused, valid Prometheus text in UTF-8%s%s",
	       ROUNDS, parsed, refused, ok ? "" : ": ", why);
}

/* Any bytes at all through the JSON writer. */
static void fuzz_json_writer(void)
{
	char why[WHY_LEN] = "", s[64];
	bool ok = true;
	int r;

	for (r = 0; r < 4 * ROUNDS && ok; r++) {
		size_t n = below(sizeof(s)), len = 0;
		char *buf = NULL;
		struct gt_json j;
		FILE *f;

		for (size_t i = 0; i < n; i++)
			s[i] = 1 + below(255);
		s[n] = 0;
		f = open_memstream(&buf, &len);
		gt_json_init(&j, f, r & 1);
		gt_json_open(&j, NULL, '{');
		gt_json_str(&j, s, s);
		gt_json_open(&j, "list", '[');
		gt_json_str(&j, NULL, s);
		gt_json_close(&j, ']');
		gt_json_close(&j, '}');
		gt_json_end(&j);
		fclose(f);
		ok = valid_json(buf, len, why);
		free(buf);
	}
	result(ok, "fuzz: the JSON writer: %d random byte strings, valid JSON in UTF-8%s%s",
	       r, ok ? "" : ": ", why);
}

static void put_text(const char *dir, const char *name, const char *s, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(s, 1, n, f);
		fclose(f);
	}
}

/*
 * The CLI's stdout, stderr dropped; its exit status, or -1 on a signal.
 * Spawned without a shell: each run costs only gup-track's own start.
 */
static int run(const char *bin, const char *args, char **out, size_t *len)
{
	char words[256], *argv[8], chunk[4096], *save = NULL;
	posix_spawn_file_actions_t fa;
	FILE *o = open_memstream(out, len);
	int fd[2], argc = 0, st = 0;
	ssize_t got;
	pid_t pid;

	snprintf(words, sizeof(words), "%s", args);
	argv[argc++] = (char *)bin;
	for (char *w = strtok_r(words, " ", &save); w && argc < 7;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (pipe(fd))
		return -2;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, bin, &fa, NULL, argv, environ)) {
		pid = -1;
		st = -2;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	while ((got = read(fd[0], chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, got, o);
	close(fd[0]);
	fclose(o);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void fuzz_cli(const char *bin)
{
	static const struct {
		const char *file, *args;
		const char * const *seeds;
		size_t nseeds;
		bool lines;
	} cmds[] = {
		{ "pages", "-j pages", pages_seeds, NR(pages_seeds), false },
		{ "pages", "-p pages --stacks", pages_seeds, NR(pages_seeds), false },
		{ "tasks", "-j tasks", tasks_seeds, NR(tasks_seeds), false },
		{ "files", "-p files", files_seeds, NR(files_seeds), false },
		{ "events", "-j events", events_seeds, NR(events_seeds), true },
		{ "stacks", "-j stack 1", stacks_seeds, NR(stacks_seeds), false },
		{ "stacks", "-j pages --stacks", stacks_seeds, NR(stacks_seeds), false },
		{ "hooks", "-j status", hooks_seeds, NR(hooks_seeds), false },
		{ "stats", "-p status", kvs_seeds, 1, false },
	};
	char dir[] = "/tmp/gt-fuzz-XXXXXX", version[256], why[WHY_LEN] = "";
	size_t good = 0, refused = 0;
	static struct text t;
	bool ok = true;
	int r;

	if (!mkdtemp(dir)) {
		result(false, "fuzz: the CLI: no temporary directory");
		return;
	}
	snprintf(version, sizeof(version),
		 "version %s\nformat %d\nbuilt_for x\nrunning 6.1.0-\xe9\xff\n",
		 GUP_TRACK_VERSION, GUP_TRACK_FORMAT_VERSION);
	put_text(dir, "version", version, strlen(version));
	setenv("GUP_TRACK_DEBUGFS", dir, 1);
	for (r = 0; r < CLI_ROUNDS && ok; r++) {
		size_t c = r % (NR(cmds)), len = 0;
		char *out = NULL;
		int rc;

		/* Every view valid, then the command's own fuzzed. */
		put_text(dir, "pages", pages_seeds[1], strlen(pages_seeds[1]));
		put_text(dir, "tasks", tasks_seeds[1], strlen(tasks_seeds[1]));
		put_text(dir, "files", files_seeds[0], strlen(files_seeds[0]));
		put_text(dir, "events", events_seeds[1], strlen(events_seeds[1]));
		put_text(dir, "stacks", stacks_seeds[1], strlen(stacks_seeds[1]));
		put_text(dir, "hooks", hooks_seeds[0], strlen(hooks_seeds[0]));
		put_text(dir, "stats", kvs_seeds[0], strlen(kvs_seeds[0]));
		seed(&t, cmds[c].seeds, cmds[c].nseeds, strcmp(cmds[c].file, "stacks") &&
		     strcmp(cmds[c].file, "stats"));
		put_text(dir, cmds[c].file, t.b, t.len);
		rc = run(bin, cmds[c].args, &out, &len);
		if (rc == 1) {
			refused++;
		} else if (rc) {
			ok = false;
			snprintf(why, sizeof(why), "round %d: gup-track %s exited %d",
				 r, cmds[c].args, rc);
		} else if (cmds[c].lines ? !valid_json_lines(out, len, why) :
					   !valid_json(out, len, why)) {
			ok = false;
			fprintf(stderr, "# gup-track %s wrote:\n%s", cmds[c].args, out);
		} else {
			good++;
		}
		free(out);
	}
	unsetenv("GUP_TRACK_DEBUGFS");
	snprintf(version, sizeof(version), "rm -rf %s", dir);
	if (system(version))
		ok = false;
	result(ok && good && refused,
	       "fuzz: the CLI on fuzzed views: %d runs, %zu valid JSON, %zu refused (exit 1), no crash%s%s",
	       r, good, refused, ok ? "" : ": ", why);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void test_fuzz(const char *bin)
{
	double start = now(), t = start;

	for (size_t i = 0; i < NR(views); i++)
		fuzz_view(&views[i]);
	fuzz_kvs_prom();
	fuzz_json_writer();
	printf("# fuzz: seed %#llx, the parsers and writers in %.2f s\n",
	       (unsigned long long)SEED, now() - t);
	t = now();
	fuzz_cli(bin);
	printf("# fuzz: the CLI in %.2f s; %.2f s in all\n", now() - t,
	       now() - start);
}
