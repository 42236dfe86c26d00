// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "ktap.h"

static int planned = -1, done, failed;

void ktap_plan(int n)
{
	planned = n;
	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
}

static void emit(const char *status, const char *suffix, const char *fmt,
		 va_list ap)
{
	printf("%s %d ", status, ++done);
	vprintf(fmt, ap);
	printf("%s\n", suffix);
	fflush(stdout);
}

bool ktap_result(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(cond ? "ok" : "not ok", "", fmt, ap);
	va_end(ap);
	if (!cond)
		failed++;
	return cond;
}

void ktap_skip(const char *reason, const char *fmt, ...)
{
	char suffix[256];
	va_list ap;

	snprintf(suffix, sizeof(suffix), " # SKIP %s", reason);
	va_start(ap, fmt);
	emit("ok", suffix, fmt, ap);
	va_end(ap);
}

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int ktap_skip_all(const char *reason)
{
	printf("KTAP version 1\n1..0 # SKIP %s\n", reason);
	fflush(stdout);
	return 0;
}

int ktap_finish(void)
{
	if (planned != done) {
		ktap_diag("planned %d tests, ran %d", planned, done);
		return 1;
	}
	return failed ? 1 : 0;
}
