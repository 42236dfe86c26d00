#!/bin/sh
# gup_track's overhead on the paths it hooks: module loaded (policy=observe
# and policy=enforce) against not loaded, in this one boot.
#
# usage: bench.sh DIR [ROUNDS]   the benchmark: one "bench" row per run,
#                                read by tests/host/bench-report.py
#        bench.sh smoke DIR      one short round of everything, as KTAP:
#                                checks the rows are well-formed, never
#                                what they say (make check)
#
# Each round reloads the module and runs every benchmark in each mode,
# the order of the modes reversed every other round (ABC CBA), so a drift
# of the machine falls on all modes alike. Rows:
#   bench ROUND MODE NAME OPS WALL_NS CPU_NS
#   stat NAME VALUE
# MODE is off, observe or enforce; NAME as in /tests/bench, plus
# fio_libaio and fio_uring_fixed (OPS: I/Os done, CPU_NS: fio's own),
# latency_uring (OPS 1, WALL_NS and CPU_NS: cyclictest's worst latency),
# and pin_4k_held_few / pin_4k_held_many (the driver's 512-page pin with
# about a thousand, or HELD, folios tracked; module loaded, observe).
MOD=/lib/gup_track/gup_track.ko
PARAMS=/sys/module/gup_track/parameters
STATS=/sys/kernel/debug/gup_track/stats

smoke=0
if [ "$1" = smoke ]; then
	smoke=1
	shift
fi
DIR=${1:-/mnt/ext4}
ROUNDS=${2:-5}
PCT=100
FIO_SEC=2
LAT_SEC=5
LAT_MB=256
HELD=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^gtt\.held=//p')
HELD=${HELD:-1000000}
if [ $smoke -eq 1 ]; then
	ROUNDS=1
	PCT=5
	FIO_SEC=1
	LAT_SEC=1
	LAT_MB=32
	HELD=4096
fi

BENCHES="uring_4k uring_thp uring_hugetlb pin_4k pin_thp pin_hugetlb
	pvm_readv odirect_anon odirect_file free exec fsync pageout"
if [ ! -d /sys/kernel/mm/transparent_hugepage ]; then
	BENCHES=$(echo $BENCHES | tr ' ' '\n' | grep -v _thp)
	echo "# no transparent hugepages on this kernel: the _thp rows are missing"
else
	thp=/sys/kernel/mm/transparent_hugepage
	thp_was=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled)
	defrag_was=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/defrag)
	echo always > /sys/kernel/mm/transparent_hugepage/enabled
	echo always > /sys/kernel/mm/transparent_hugepage/defrag
fi
# gtt.only=a,b (GT_BENCH_ONLY): only these benchmarks (pin_held: the
# many-folios rows), to look at a few quickly.
# (Smoke runs everything: there gtt.only names the suite's tests.)
ONLY=
[ $smoke -eq 1 ] ||
	ONLY=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^gtt\.only=//p')
only() {
	[ -z "$ONLY" ] || case ",$ONLY," in *",$1,"*) ;; *) return 1 ;; esac
}
EXTRA=
for b in fio_libaio fio_uring_fixed latency_uring; do
	only $b && EXTRA="$EXTRA $b"
done
if [ -n "$ONLY" ]; then
	BENCHES=$(for b in $BENCHES; do only $b && echo $b; done)
fi
huge_was=$(cat /proc/sys/vm/nr_hugepages)
echo 4 > /proc/sys/vm/nr_hugepages
[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 1 ] ||
	BENCHES=$(echo $BENCHES | tr ' ' '\n' | grep -v _hugetlb)

# Under QEMU -icount (6.12) guest time jumps ahead while the vCPUs idle,
# so a wait on the virtio disk can read as minutes: no hung-task reports.
echo 0 > /proc/sys/kernel/hung_task_timeout_secs 2> /dev/null
# The I/O benchmarks run on ext4 on a RAM disk (brd), where an I/O
# completes on the CPU that submitted it: no wait on the host, so their
# times mean the same under -icount. Without brd, on DIR.
IODIR=$DIR
if [ -f /lib/modules/extra/brd.ko ] &&
	insmod /lib/modules/extra/brd.ko rd_nr=1 rd_size=131072 2> /dev/null &&
	/sbin/mke2fs -q -F -t ext4 /dev/ram0 && mkdir -p /mnt/ram &&
	mount -t ext4 /dev/ram0 /mnt/ram; then
	IODIR=/mnt/ram
	echo "# I/O benchmarks on ext4 on /dev/ram0 (brd)"
else
	echo "# no brd: I/O benchmarks on $DIR"
fi

OUT=/tmp/bench.out
: > $OUT
: > /tmp/bench.fails
: > /tmp/bench.modes

failed() {
	echo "# $*"
	echo "$*" >> /tmp/bench.fails
}

run() {	# ROUND MODE NAME: one row
	if [ "${3#fio_}" != "$3" ]; then
		fio_run "$@"
		return
	fi
	if [ "$3" = latency_uring ]; then
		latency_run "$@"
		return
	fi
	if r=$(/tests/bench "$3" "$IODIR" $PCT 2> /tmp/bench.err); then
		echo "bench $1 $2 $r"
	else
		failed "$3 ($2) failed: $(head -c 300 /tmp/bench.err)"
	fi
}

# fio's 4 KiB O_DIRECT random reads, FIO_SEC seconds; terse v3 fields 6
# and 9 are the KiB read and the read runtime in ms, 88 and 89 its user
# and system CPU in percent.
fio_run() {
	case $3 in
	fio_libaio) eng="--ioengine=libaio" ;;
	*) eng="--ioengine=io_uring --fixedbufs" ;;
	esac
	if fio --name=b $eng --iodepth=8 --bs=4k --direct=1 --rw=randread \
		--size=16m --filename=$IODIR/bench-fio.dat --iomem=malloc \
		--time_based --runtime=$FIO_SEC --output-format=terse \
		> /tmp/fio.out 2> /tmp/bench.err; then
		awk -F';' -v p="bench $1 $2 $3" 'NF > 89 {
			printf "%s %d %d %d\n", p, $6 / 4, $9 * 1000000,
				($88 + $89) * $9 * 10000 }' \
			/tmp/fio.out
	else
		failed "$3 ($2) failed: $(head -c 300 /tmp/bench.err)"
	fi
}

# cyclictest's worst wakeup latency (one SCHED_FIFO thread on CPU 0, a
# 500 us period, LAT_SEC seconds) while io_uring registers LAT_MB MiB of
# 4 KiB pages in a loop on the same CPU, one GUP call each time: what a
# non-preemptible stretch of the module's costs a real-time task.
latency_run() {
	max=
	: > /tmp/bench.err
	/tests/bench uring_load $LAT_MB > /tmp/load.out 2> /tmp/load.err &
	lpid=$!
	i=0
	until grep -q loading /tmp/load.out || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if cyclictest -q -m -p 95 -i 500 -t 1 -a 0 -D $LAT_SEC \
		> /tmp/cyclic.out 2>> /tmp/bench.err; then
		max=$(sed -n 's/.*Max: *\([0-9]*\).*/\1/p' /tmp/cyclic.out |
			sort -n | tail -1)
	fi
	kill $lpid 2> /dev/null
	wait $lpid 2> /dev/null
	# A load that died (die() says why) gives no row: the CPU was idle.
	[ -s /tmp/load.err ] && max=
	if [ -n "$max" ] && [ "$max" -gt 0 ]; then
		echo "bench $1 $2 $3 1 $((max * 1000)) $((max * 1000))"
	else
		failed "$3 ($2) failed: $(cat /tmp/load.err /tmp/bench.err /tmp/cyclic.out | head -c 300)"
	fi
}

# Runs every benchmark in one mode: off unloads, observe and enforce load.
mode() {	# ROUND MODE
	case $2 in
	off) rmmod gup_track 2> /dev/null ;;
	*)
		grep -q '^gup_track ' /proc/modules || insmod $MOD || {
			failed "insmod gup_track failed"
			return
		}
		if ! echo $2 > $PARAMS/policy 2> /dev/null; then
			echo "# policy=$2 refused: that mode is not measured"
			return
		fi
		;;
	esac
	echo $2 >> /tmp/bench.modes
	for b in $BENCHES $EXTRA; do
		run $1 $2 $b | tee -a $OUT
	done
}

# gtt.profile=a,b (GT_BENCH_PROFILE, with perf in the initramfs): no
# rounds; where the time of these benchmarks goes with the module loaded,
# from perf's cpu-clock samples, kernel symbols, the module's included.
PROFILE=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^gtt\.profile=//p')
if [ -n "$PROFILE" ]; then
	if ! command -v perf > /dev/null; then
		echo "# no perf in this initramfs (GT_BENCH_PERF=1 mkinitramfs.sh)"
		exit 1
	fi
	echo 0 > /proc/sys/kernel/kptr_restrict
	echo -1 > /proc/sys/kernel/perf_event_paranoid
	grep -q '^gup_track ' /proc/modules || insmod $MOD
	for b in $(echo $PROFILE | tr ',' ' '); do
		for m in observe off; do
			[ $m = off ] && rmmod gup_track
			[ $m = observe ] && { grep -q '^gup_track ' /proc/modules || insmod $MOD; }
			echo "# profile $b, module $m"
			perf record -q -e cpu-clock -F 20000 -a -g -o /tmp/perf.data \
				/tests/bench $b $IODIR 1000 > /dev/null 2>&1
			perf report -q -i /tmp/perf.data --stdio --no-children \
				--sort sym -g none --percent-limit 0.7 2> /dev/null |
				grep -v '^$' | head -45
			[ $m = observe ] && sed 's/^/# hooks: /' \
				/sys/kernel/debug/gup_track/hooks
		done
	done
	exit 0
fi

# Build the fio file once, outside the timing.
# Written back before fio reads it: a read of a dirty cached page would
# write it back first, and that is not what the fio rows measure.
dd if=/dev/zero of=$IODIR/bench-fio.dat bs=1M count=16 conv=fsync 2> /dev/null

echo "# bench kernel $(uname -r), $ROUNDS rounds, iterations at $PCT%"
r=0
while [ $r -lt $ROUNDS ]; do
	rmmod gup_track 2> /dev/null
	if [ $((r % 2)) -eq 0 ]; then
		mode $r off
		mode $r observe
		mode $r enforce
	else
		insmod $MOD
		mode $r enforce
		mode $r observe
		mode $r off
	fi
	r=$((r + 1))
done

# Pin cost and memory with many folios tracked, against few: the test
# driver holds the pins in a process of its own. Few before and after many.
held() {	# NR ROUNDS TAG
	: > /tmp/held.out
	/tests/bench hold $1 > /tmp/held.out 2> /tmp/bench.err &
	pid=$!
	i=0
	while ! grep -q held /tmp/held.out && [ $i -lt 600 ] &&
		kill -0 $pid 2> /dev/null; do
		sleep 1
		i=$((i + 1))
	done
	if ! grep -q held /tmp/held.out; then
		failed "could not hold $1 pins: $(head -c 300 /tmp/bench.err)"
		kill $pid 2> /dev/null
		wait $pid 2> /dev/null
		return
	fi
	f=$(awk '$1 == "active_folios" { print $2 }' $STATS)
	m=$(awk '$1 == "memory_bytes" { print $2 }' $STATS)
	echo "stat folios_$3 $f" | tee -a $OUT
	echo "stat memory_bytes_$3 $m" | tee -a $OUT
	awk -v t=$3 '$1 ~ /untracked|^pins_acquired$/ {
		print "stat " $1 "_" t " " $2 }' $STATS | tee -a $OUT
	i=0
	while [ $i -lt $2 ]; do
		run $i observe pin_4k | sed "s/ pin_4k / pin_4k_held_$3 /" |
			tee -a $OUT
		i=$((i + 1))
	done
	kill $pid
	wait $pid 2> /dev/null
}
if only pin_held; then
	rmmod gup_track 2> /dev/null
	insmod $MOD && echo observe > $PARAMS/policy
	few=3
	[ $smoke -eq 1 ] && few=1
	held 1024 $few few
	held $HELD $((ROUNDS > 1 ? ROUNDS : 1)) many
	[ $smoke -eq 1 ] || held 1024 2 few
fi
rm -f $IODIR/bench-fio.dat
if [ $IODIR = /mnt/ram ]; then
	umount /mnt/ram && rmmod brd
fi
# Leave the machine as the next test expects it.
echo $huge_was > /proc/sys/vm/nr_hugepages
if [ -n "${thp_was:-}" ]; then
	echo $thp_was > $thp/enabled
	echo $defrag_was > $thp/defrag
fi

if [ $smoke -eq 0 ]; then
	echo "# bench done, $(wc -l < /tmp/bench.fails) failures"
	exit 0
fi

# Smoke: every benchmark gave a well-formed row in every mode that ran.
echo "KTAP version 1"
set -- $BENCHES fio_libaio fio_uring_fixed latency_uring pin_4k_held_few \
	pin_4k_held_many
echo "1..$(($# + 1))"
n=0
for b in "$@"; do
	n=$((n + 1))
	rows=$(awk -v b=$b '$1 == "bench" && $4 == b &&
		$5 ~ /^[0-9]+$/ && $5 > 0 && $6 ~ /^[0-9]+$/ && $6 > 0 &&
		$7 ~ /^[0-9]+$/' $OUT | wc -l)
	want=$(sort -u /tmp/bench.modes | wc -l)
	case $b in pin_4k_held_*) want=1 ;; esac
	if [ "$rows" -ge $want ]; then
		echo "ok $n $b: $rows well-formed rows"
	else
		echo "not ok $n $b: $rows well-formed rows, want $want"
	fi
done
n=$((n + 1))
if awk '$1 == "stat" && $3 ~ /^[0-9]+$/ && $3 > 0' $OUT | grep -q memory_bytes_many &&
	[ ! -s /tmp/bench.fails ]; then
	echo "ok $n stats rows and no failed run"
else
	echo "not ok $n stats rows and no failed run ($(wc -l < /tmp/bench.fails) failures)"
fi
# Leave the module as the next test expects it: loaded, observing.
grep -q '^gup_track ' /proc/modules || insmod $MOD
echo observe > $PARAMS/policy
exit 0
