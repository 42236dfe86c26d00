#!/bin/sh
# gup-track against the real module: every read command while a workload
# holds pins, the policy command, Prometheus export, and load/unload
# through libkmod with its error messages.
GT=/tests/gup-track
KO=/lib/gup_track/gup_track.ko
n=0
check() {	# check NAME COMMAND...: one KTAP result
	name=$1
	shift
	n=$((n + 1))
	if "$@" > /tmp/cli.out 2>&1; then
		echo "ok $n $name"
	else
		sed 's/^/# /' /tmp/cli.out | head -n 5
		echo "not ok $n $name"
	fi
}

if [ "$1" = pinned ]; then
	pid=$(pidof hold_pins)
	echo 1 > /proc/sys/vm/stat_refresh
	check "status agrees with the kernel's counters" \
		sh -c "$GT status | grep -q 'agree' && $GT status | grep -q '^policy: '"
	check "pages --pid lists the 64 pinned pages" \
		sh -c "[ \$($GT pages --pid $pid | grep -c ' P-LW') -eq 64 ]"
	check "-j tasks --pid has the pins" \
		sh -c "$GT -j tasks --pid $pid | grep -q '\"pins\":64'"
	check "-p status is indented JSON with the oracle" \
		sh -c "$GT -p status | grep -q '^  \"oracle\": {'"
	check "files and --file-backed filters run" \
		sh -c "$GT files > /dev/null && $GT pages --file-backed > /dev/null"
	check "top -o shows the task" \
		sh -c "$GT top -o | grep -q hold_pins"
	check "export --prometheus writes the textfile" \
		sh -c "$GT export --prometheus /tmp/gt.prom --top-processes 10 &&
		       grep -q '^# TYPE gup_track_pins_acquired_total counter' /tmp/gt.prom &&
		       grep -q '^gup_track_active_pins 64' /tmp/gt.prom"
	# For the host's promtool (check.sh): the export of a real module.
	sed 's/^/# prom: /' /tmp/gt.prom
	exit 0
fi

echo "KTAP version 1"
echo "1..13"
/tests/hold_pins 64 sh "$0" pinned | grep -E '^(ok|not ok|#)'
n=7
check "policy sets and reads the mode" \
	sh -c "[ \$($GT policy enforce) = enforce ] && [ \$($GT policy observe) = observe ]"
check "policy refuses a bad mode" \
	sh -c "! $GT policy sideways && $GT policy sideways 2>&1 | grep -q 'off, observe or enforce'"
check "unload through libkmod" sh -c "$GT unload && [ ! -e /sys/module/gup_track ]"
check "load --path with a parameter" \
	sh -c "$GT load --path $KO policy=off && [ \$($GT policy) = off ]"
check "loading twice says already loaded" \
	sh -c "$GT load --path $KO 2>&1 | grep -q 'already loaded'"
check "a bad parameter value is refused clearly" \
	sh -c "$GT unload && $GT load --path $KO policy=sideways 2>&1 | grep -q 'invalid parameters' && [ ! -e /sys/module/gup_track ]"
# Leave the module as /init loaded it.
$GT load --path $KO
