// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prom.h"

/* Point-in-time values; every other number in stats is a counter. */
static const char * const gauges[] = {
	"active_", "peak_folios", "memory_bytes", "table_limit",
	"policy_available", "events_size", "idle_owners",
};

static const struct {
	const char *key, *help;
} helps[] = {
	{ "pins_acquired", "FOLL_PIN pins GUP handed out" },
	{ "pins_released", "Pins released after their GUP call returned" },
	{ "pins_rolled_back", "Pins taken and dropped inside one GUP call" },
	{ "gets_acquired", "FOLL_GET references handed out" },
	{ "active_folios", "Folios in the table" },
	{ "active_pins", "Pins held now" },
	{ "active_pinned_pages", "Sub-pages handed out in pinned folios" },
	{ "veto_unmap_done", "Reclaim unmaps of pinned page cache refused" },
	{ "veto_release_done", "Buffer strips of pinned page cache refused" },
	{ "truncated_while_pinned", "Pinned page cache removed by truncate or hole punch" },
	{ "memory_bytes", "Memory the table uses" },
	{ "idle_owners", "Owner records no folio refers to, kept a second for reuse" },
	{ "events_lost", "Events overwritten in the ring before anyone read them" },
	{ "events_next_seq", "Sequence number the next event will get" },
	{ "migrate_blocked_repeats", "Migration failures of a folio already reported for that reason" },
};

static bool is_gauge(const char *key)
{
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (!strncmp(key, gauges[i], strlen(gauges[i])))
			return true;
	return false;
}

static const char *help_of(const char *key)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!strcmp(key, helps[i].key))
			return helps[i].help;
	return "gup_track stats value, see the README";
}

/*
 * A label value must be UTF-8 with backslash, double quote and newline
 * escaped. The kernel's strings are bytes in no known encoding: as in the
 * JSON output, each byte 0x80-0xff stands for its Latin-1 code point, here
 * written as the two bytes of UTF-8 that encode it.
 */
static void label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		unsigned char c = *v;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c >= 0x80)
			fprintf(out, "%c%c", 0xc0 | c >> 6, 0x80 | (c & 0x3f));
		else
			fputc(c, out);
	}
}

/*
 * Is gup_track_<key> a metric name ([a-zA-Z0-9_], the prefix gives the
 * first letter), and the first line of stats with this key? Anything else
 * is left out rather than written as a line Prometheus would refuse.
 */
static bool metric_key(const struct gt_kvs *stats, size_t i)
{
	const char *key = stats->kv[i].key;

	if (!*key || key[strspn(key, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")])
		return false;
	for (size_t k = 0; k < i; k++)
		if (!strcmp(stats->kv[k].key, key))
			return false;
	return true;
}

void gt_prom_write(FILE *out, const struct gt_kvs *stats,
		   const struct gt_kvs *version)
{
	const char *ver = gt_kv_get(version, "version");
	const char *run = gt_kv_get(version, "running");
	const char *policy = gt_kv_get(stats, "policy");

	fputs("# HELP gup_track_info gup_track module version and kernel\n"
	      "# TYPE gup_track_info gauge\ngup_track_info{version=\"", out);
	label_value(out, ver ? ver : "");
	fputs("\",kernel=\"", out);
	label_value(out, run ? run : "");
	fputs("\"} 1\n", out);
	if (policy) {
		fputs("# HELP gup_track_policy The protection policy in force\n"
		      "# TYPE gup_track_policy gauge\ngup_track_policy{mode=\"", out);
		label_value(out, policy);
		fputs("\"} 1\n", out);
	}

	fputs("# HELP gup_track_events_total Events raised since load, by kind\n"
	      "# TYPE gup_track_events_total counter\n", out);
	for (size_t i = 0; i < stats->nr; i++) {
		const char *key = stats->kv[i].key;
		unsigned long long v;

		if (metric_key(stats, i) && !strncmp(key, "events_", 7) &&
		    gt_event_kind_known(key + 7) && gt_kv_num(stats, key, &v))
			fprintf(out, "gup_track_events_total{kind=\"%s\"} %llu\n",
				key + 7, v);
	}

	for (size_t i = 0; i < stats->nr; i++) {
		const char *key = stats->kv[i].key;
		unsigned long long v;
		bool gauge = is_gauge(key);

		/* "events" would be a second gup_track_events_total. */
		if (!strcmp(key, "format") || !strcmp(key, "events") ||
		    !metric_key(stats, i) ||
		    !gt_kv_num(stats, key, &v) ||
		    (!strncmp(key, "events_", 7) && gt_event_kind_known(key + 7)))
			continue;
		fprintf(out, "# HELP gup_track_%s%s %s\n", key,
			gauge ? "" : "_total", help_of(key));
		fprintf(out, "# TYPE gup_track_%s%s %s\n", key,
			gauge ? "" : "_total", gauge ? "gauge" : "counter");
		fprintf(out, "gup_track_%s%s %llu\n", key, gauge ? "" : "_total",
			v);
	}
}

int gt_prom_export(const char *path, const struct gt_kvs *stats,
		   const struct gt_kvs *version, char *err)
{
	size_t n = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(n);
	FILE *out;
	int fd;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	out = fd < 0 ? NULL : fdopen(fd, "w");
	if (!out) {
		snprintf(err, GT_ERR_LEN, "cannot create %s: %s", tmp,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		free(tmp);
		return -errno;
	}
	fchmod(fd, 0644);
	gt_prom_write(out, stats, version);
	if (fflush(out) || fsync(fd) || fclose(out) || rename(tmp, path)) {
		snprintf(err, GT_ERR_LEN, "cannot write %s: %s", path,
			 strerror(errno));
		unlink(tmp);
		free(tmp);
		return -EIO;
	}
	free(tmp);
	return 0;
}
