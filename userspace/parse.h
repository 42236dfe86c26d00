/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for gup_track's debugfs views. Every format is documented in the
 * README and described by include/gup_track/format.h; a file that does not
 * match is an error with its line number, never a guess. Lines are read
 * whole, whatever their length; a field longer than its row member holds
 * makes the row malformed, never cut or split.
 */
#ifndef _GT_PARSE_H
#define _GT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define GT_ERR_LEN	256

/*
 * "key value" files: version and stats. Values may be words, up to a
 * kernel release (__NEW_UTS_LEN: 64 bytes) and more.
 */
struct gt_kv {
	char key[64];
	char value[128];
};

struct gt_kvs {
	struct gt_kv *kv;
	size_t nr;
};

struct gt_page {
	unsigned long pfn;
	unsigned int order;
	long pins;
	long gets;
	char flags[8];
	long pid;
	char comm[32];
	unsigned long age;
	char caller[128];
	unsigned long stack;
	char file[64];		/* "-" or major:minor:ino:index */
};

struct gt_task {
	long pid;
	char comm[32];
	unsigned long folios, pins, gets, longterm, file, oldest;
	unsigned long misused;	/* folios with pins released by put_page() */
};

#define GT_FILE_POLICY_COLS	6

struct gt_file {
	char dev[32];
	unsigned long ino;
	unsigned long folios, pins, gets, longterm, write, oldest;
	unsigned long policy[GT_FILE_POLICY_COLS];
};

struct gt_hook {
	char name[64];
	char kind[16];
	char state[16];
	unsigned long long hits;
	char missed[24];
};

struct gt_event {
	unsigned long long seq;
	unsigned long age;
	char kind[32];
	long pid;
	char comm[32];
	char caller[128];
	unsigned long stack;
	unsigned long long held_ms;
	unsigned long pfn;
	unsigned int order;
	long pins;
	long gets;
	char flags[4];		/* L, W or '-' at each of two positions */
	char file[64];		/* major:minor:ino:index, "anon" or "-" */
	char reason[32];	/* migrate_blocked: why the kernel migrated */
};

#define GT_STACK_FRAMES	16
/*
 * A frame is a whole kernel symbol, "name" or "name[module]": since 6.1 a
 * name has up to KSYM_NAME_LEN - 1 = 511 bytes (Rust's are long), a module
 * name up to MODULE_NAME_LEN - 1 = 55: 568 bytes and the NUL.
 */
#define GT_SYM_LEN	576

/* One block of the stacks view: "stack N", then a " frame" line each. */
struct gt_stack {
	unsigned long id;
	unsigned int nr;
	char frames[GT_STACK_FRAMES][GT_SYM_LEN];
};

struct gt_table {
	void *rows;
	size_t nr;
};

int gt_parse_kvs(FILE *f, struct gt_kvs *out, char *err);
int gt_parse_pages(FILE *f, struct gt_table *out, char *err);
/*
 * The pages view a row at a time, in the memory of one row: each() is
 * called for every row, and a non-zero return (err set) stops the scan.
 */
int gt_scan_pages(FILE *f, int (*each)(const struct gt_page *, void *, char *),
		  void *arg, char *err);
int gt_parse_tasks(FILE *f, struct gt_table *out, char *err);
int gt_parse_files(FILE *f, struct gt_table *out, char *err);
int gt_parse_hooks(FILE *f, struct gt_table *out, char *err);
int gt_parse_stacks(FILE *f, struct gt_table *out, char *err);
const struct gt_stack *gt_stack_find(const struct gt_table *stacks,
				     unsigned long id);
int gt_parse_events(FILE *f, struct gt_table *out, char *err);
/* One row of the events view; false if it does not fit. */
bool gt_parse_event_row(const char *line, struct gt_event *ev);
/* Is name one of the event kinds (format.h GT_EVENT_KINDS)? */
bool gt_event_kind_known(const char *name);

const char *gt_kv_get(const struct gt_kvs *kvs, const char *key);
/* A numeric value; false if missing or not a number. */
bool gt_kv_num(const struct gt_kvs *kvs, const char *key,
	       unsigned long long *val);

void gt_kvs_free(struct gt_kvs *kvs);
void gt_table_free(struct gt_table *t);

#endif /* _GT_PARSE_H */
