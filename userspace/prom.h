/* SPDX-License-Identifier: GPL-2.0 */
/* The node_exporter textfile format, from the stats and version views. */
#ifndef _GT_PROM_H
#define _GT_PROM_H

#include <stdio.h>

#include "parse.h"

void gt_prom_write(FILE *out, const struct gt_kvs *stats,
		   const struct gt_kvs *version);
/* Write to path atomically: a temporary file beside it, then rename(). */
int gt_prom_export(const char *path, const struct gt_kvs *stats,
		   const struct gt_kvs *version, char *err);

#endif /* _GT_PROM_H */
