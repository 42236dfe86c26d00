#!/bin/sh
# Module loaded against not loaded, in the same VM, alternating, five
# rounds each. Reports the median ratio per workload, never a bare time:
# the host is shared and noisy, only the ratio means anything.
MOD=/lib/gup_track/gup_track.ko
ROUNDS=5
: > /tmp/bench
i=0
while [ $i -lt $ROUNDS ]; do
	rmmod gup_track 2>/dev/null
	/tests/bench /mnt/ext4 | sed 's/^/off /' >> /tmp/bench
	insmod $MOD || exit 1
	/tests/bench /mnt/ext4 | sed 's/^/on /' >> /tmp/bench
	i=$((i + 1))
done
echo "workload  loaded/unloaded (median of $ROUNDS ratios)"
for w in exec file anon; do
	grep " $w " /tmp/bench | awk -v w=$w '
		$1 == "off" { off[n_off++] = $3 }
		$1 == "on" { on[n_on++] = $3 }
		END {
			for (i = 0; i < n_on; i++) r[i] = on[i] / off[i]
			for (i = 0; i < n_on; i++)
				for (j = i + 1; j < n_on; j++)
					if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
			printf "%-8s  %.3f\n", w, r[int(n_on / 2)]
		}'
done
