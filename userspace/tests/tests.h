/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the host test program's files. */
#ifndef _GT_TESTS_H
#define _GT_TESTS_H

#include <stdbool.h>
#include <stddef.h>

#define WHY_LEN	128

/* A Rust-length symbol of 544 bytes, as 6.1+ kallsyms can print. */
#define LONG_SYM "_RNvNtNtCs1234567890_6kernel4sync4lock" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx[rust_mod]"

/* One KTAP result line. */
void result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* validate.c: false with why (WHY_LEN bytes) naming the first fault. */
bool valid_utf8(const char *s, size_t n, char *why);
/* One JSON value, then at most a newline: gt_json_end()'s documents. */
bool valid_json(const char *s, size_t n, char *why);
/* JSON lines: every line one JSON value (events -j). */
bool valid_json_lines(const char *s, size_t n, char *why);
/* The Prometheus text format as gt_prom_write() writes it, no series twice. */
bool valid_prom(const char *s, size_t n, char *why);

/* fuzz.c */
void test_fuzz(const char *bin);
#define FUZZ_TESTS	9

#endif /* _GT_TESTS_H */
