/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer: enough for gup-track's objects and lists. */
#ifndef _GT_JSON_H
#define _GT_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct gt_json {
	FILE *out;
	bool pretty;
	int depth;
	bool first;	/* no member written yet at this depth */
};

void gt_json_init(struct gt_json *j, FILE *out, bool pretty);
void gt_json_open(struct gt_json *j, const char *key, char bracket);
void gt_json_close(struct gt_json *j, char bracket);
void gt_json_str(struct gt_json *j, const char *key, const char *val);
void gt_json_num(struct gt_json *j, const char *key, unsigned long long val);
void gt_json_int(struct gt_json *j, const char *key, long long val);
void gt_json_bool(struct gt_json *j, const char *key, bool val);
/* After the outermost close. */
void gt_json_end(struct gt_json *j);

#endif /* _GT_JSON_H */
