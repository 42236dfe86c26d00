/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP v1 emitter for the guest test programs.
 */
#ifndef _GT_KTAP_H
#define _GT_KTAP_H

#include <stdbool.h>

void ktap_plan(int n);
/* Record one result; returns cond so callers can chain on it. */
bool ktap_result(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ktap_skip(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Instead of a plan: this program cannot run on this kernel at all
 * ("1..0 # SKIP reason", as kselftest prints it). Returns 0 for main().
 */
int ktap_skip_all(const char *reason);
/* Exit status for main(): non-zero on any failure or a plan mismatch. */
int ktap_finish(void);

#endif /* _GT_KTAP_H */
