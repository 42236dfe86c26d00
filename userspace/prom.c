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

static void label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', out);
		fputc(*v, out);
	}
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

		if (!strncmp(key, "events_", 7) &&
		    gt_event_kind_known(key + 7) && gt_kv_num(stats, key, &v))
			fprintf(out, "gup_track_events_total{kind=\"%s\"} %llu\n",
				key + 7, v);
	}

	for (size_t i = 0; i < stats->nr; i++) {
		const char *key = stats->kv[i].key;
		unsigned long long v;
		bool gauge = is_gauge(key);

		if (!strcmp(key, "format") || !gt_kv_num(stats, key, &v) ||
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
