#!/bin/bash
# The monitoring pieces, on the host, in a few seconds: the CLI's
# Prometheus export from each fixture of monitoring/fixtures (views as the
# module prints them) and with no module, through `promtool check metrics`;
# the rules through `promtool check rules` and `promtool test rules`; the
# systemd units through `systemd-analyze verify`. Prints PASS/FAIL/SKIP
# lines. Needs the CLI built (make -C userspace O=$GT_BUILD/userspace) and
# promtool (Debian's prometheus package, from tests/host/deps.sh).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cli=${GT_CLI:-$GT_BUILD/userspace/gup-track}
mon=$GT_TOP/monitoring
units=$GT_TOP/packaging/systemd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() {	# check NAME COMMAND...: PASS, or FAIL with the output indented
	local name=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		echo "PASS host monitoring: $name"
	else
		sed 's/^/  /' "$work/out" >&2
		echo "FAIL host monitoring: $name"
	fi
}

# promtool check metrics prints its lint findings and exits 0 on some of
# them: clean means no output at all.
lint_metrics() {	# lint_metrics FILE
	local out

	out=$(promtool check metrics <"$1" 2>&1) || { printf '%s\n' "$out"; return 1; }
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

export_fixture() {	# export_fixture DIR OUT
	GUP_TRACK_DEBUGFS=$1 "$cli" export --prometheus "$2" --top-processes 10 &&
		lint_metrics "$2" &&
		grep -q '^gup_track_loaded 1$' "$2"
}

export_unloaded() {	# export_unloaded OUT: no module here, and none loaded
	[ ! -e /sys/module/gup_track ] || { echo "gup_track is loaded here"; return 1; }
	GUP_TRACK_DEBUGFS=$work/none "$cli" export --prometheus "$1" 2>"$work/err" &&
		[ "$(wc -l <"$work/err")" = 1 ] && grep -q 'not loaded' "$work/err" &&
		lint_metrics "$1" && grep -q '^gup_track_loaded 0$' "$1"
}

# systemd-analyze verify of the units as the package installs them: a root
# with the units, /usr/sbin/gup-track, and this machine's own system units
# for the targets they refer to. It warns and still exits 0: clean means
# no output.
verify_units() {
	local root=$work/root out

	mkdir -p "$root/usr/sbin" "$root/usr/lib/systemd/system"
	cp -r /lib/systemd/system/. "$root/usr/lib/systemd/system/"
	cp "$units"/gup-track-textfile.service "$units"/gup-track-textfile.timer \
		"$root/usr/lib/systemd/system/"
	cp "$cli" "$root/usr/sbin/gup-track"
	out=$(cd "$root" && systemd-analyze verify --man=no --root="$root" \
		gup-track-textfile.service gup-track-textfile.timer 2>&1) ||
		{ printf '%s\n' "$out"; return 1; }
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

if [ ! -x "$cli" ]; then
	echo "FAIL host monitoring: no CLI at $cli (make -C userspace O=$GT_BUILD/userspace)"
	exit 0
fi
if ! command -v promtool >/dev/null; then
	echo "FAIL host monitoring: no promtool (tests/host/deps.sh installs Debian's prometheus)"
	exit 0
fi

for fx in "$mon"/fixtures/*/; do
	fx=${fx%/}
	check "promtool check metrics: gup-track export of fixture $(basename "$fx")" \
		export_fixture "$fx" "$work/$(basename "$fx").prom"
done
if [ -e /sys/module/gup_track ]; then
	echo "SKIP host monitoring: export without the module (gup_track is loaded on this machine)"
else
	check "promtool check metrics: gup-track export without the module (gup_track_loaded 0)" \
		export_unloaded "$work/unloaded.prom"
fi
check "promtool check rules: monitoring/gup_track.rules.yml" \
	promtool check rules "$mon/gup_track.rules.yml"
check "promtool test rules: every alert fires, and stays quiet, as its tests say" \
	promtool test rules "$mon"/tests/*.yml

if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP host monitoring: systemd-analyze verify of the textfile units (no systemd-analyze here)"
elif [ ! -e /lib/systemd/system/timers.target ]; then
	echo "SKIP host monitoring: systemd-analyze verify of the textfile units (no system units to verify against)"
else
	check "systemd-analyze verify: gup-track-textfile.service and .timer" verify_units
fi
exit 0
