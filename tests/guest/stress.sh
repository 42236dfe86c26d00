#!/bin/sh
# The stress suite: every pinning workload at once, on all vCPUs, while the
# policy flips between off, observe and enforce and gup_track is unloaded
# and reloaded under the load at least 20 times. When the load stops:
#   - our FOLL_PIN totals equal the kernel's since the last load;
#   - no hook missed a call;
#   - no pin is left in the table, and the reconciler's worker alone (views
#     told not to reconcile) has expired every unconfirmed reference within
#     two of its intervals;
#   - the module unloads.
# The kernel log is judged by /init for the whole run.
#
# usage: stress.sh DIR     (DIR on ext4)
# Kernel command line: gtt.stress=SECONDS (default 60), gtt.reloads=N
# (default 20).
. /tests/gtlib.sh
DIR=$1
KO=/lib/gup_track/gup_track.ko
GT=/sys/kernel/debug/gup_track
PARAMS=/sys/module/gup_track/parameters
OUT=/tmp/stress
cmdline() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^gtt\.$1=//p"; }
SECONDS_WANTED=$(cmdline stress)
SECONDS_WANTED=${SECONDS_WANTED:-60}
RELOADS=$(cmdline reloads)
RELOADS=${RELOADS:-20}
RECONCILE_MS=1000

rm -rf $OUT
mkdir -p $OUT
n=0
result() {	# result OK NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
stat() { awk -v k="$1" '$1 == k { print $2 }' $GT/stats; }
# Each load's event ring, kept before it is unloaded.
keep_events() { tail -n +2 $GT/events >> $OUT/events 2> /dev/null; }
# Orphans reported soon, so that a teardown taken for a leak would show.
ORPHAN_S=5
echo $ORPHAN_S > $PARAMS/orphan_s

echo "KTAP version 1"
echo "1..8"

# The workloads, each until told to stop.
pids=""
start() {	# start NAME COMMAND...
	name=$1
	shift
	"$@" > $OUT/$name.out 2> $OUT/$name.err &
	pids="$pids $!"
	echo "$name" >> $OUT/started
}
FIO="fio --time_based --runtime=3600 --size=4m --bs=4k --iodepth=32 \
	--direct=1 --rw=randrw --norandommap --output-format=terse"
if command -v fio > /dev/null; then
	# fio maps its buffer file but does not size it.
	for b in b d; do
		dd if=/dev/zero of=$DIR/fio-$b.buf bs=1M count=1 2> /dev/null
	done
	start fio-libaio-anon $FIO --name=a --ioengine=libaio \
		--filename=$DIR/fio-a.dat --iomem=malloc
	start fio-libaio-file $FIO --name=b --ioengine=libaio \
		--filename=$DIR/fio-b.dat --iomem=mmapshared:$DIR/fio-b.buf
	start fio-uring-fixed-anon $FIO --name=c --ioengine=io_uring \
		--fixedbufs --filename=$DIR/fio-c.dat --iomem=malloc
	# Fixed buffers in page cache are refused by the kernel (EFAULT or
	# EOPNOTSUPP); shmem is the page cache they may live in, where the
	# kernel allows it (6.12 does, 6.1 refuses SysV shm too).
	if fio --name=probe --ioengine=io_uring --fixedbufs --size=64k \
		--bs=4k --direct=1 --filename=$DIR/fio-e.dat --iomem=shm \
		> $OUT/probe.out 2>&1; then
		start fio-uring-fixed-shm $FIO --name=e --ioengine=io_uring \
			--fixedbufs --filename=$DIR/fio-e.dat --iomem=shm
	else
		echo "# io_uring fixed buffers in shmem refused by this kernel: $(grep -m1 -i err $OUT/probe.out)"
	fi
	start fio-uring-file $FIO --name=d --ioengine=io_uring \
		--filename=$DIR/fio-d.dat --iomem=mmapshared:$DIR/fio-d.buf
else
	echo "# fio is not in this initramfs: its workloads are missing"
fi
start iouring /tests/stress_load 3600 iouring $DIR
start pvm /tests/stress_load 3600 pvm
start vmsplice /tests/stress_load 3600 vmsplice $DIR
start odirect /tests/stress_load 3600 odirect $DIR 4
start driver /tests/stress_load 3600 driver
if why=$(gt_rxe_absent); then
	echo "# no RDMA workload: $why"
else
	/tests/rdma.sh true || echo "# soft-RoCE did not come up"
	start rdma /tests/rdma.sh /tests/stress_rdma 3600 $DIR
fi
# The views, read while everything moves.
( while [ ! -e $OUT/stop ]; do
	cat $GT/pages $GT/stats $GT/tasks $GT/stacks > /dev/null 2>&1
	sleep 1
done ) &
reader=$!

# Unload and reload under the load, flipping the policy in between. This
# shell goes ahead of the load: under TCG, a fair share of two busy vCPUs
# makes attaching an ftrace ops take 15 s instead of 1.
renice -n -20 $$ > /dev/null
begin=$(date +%s)
reloads=0
flips=0
while [ $reloads -lt $RELOADS ] ||
      [ $(($(date +%s) - begin)) -lt $SECONDS_WANTED ]; do
	case $((RANDOM % 3)) in
	0) mode=off ;;
	1) mode=observe ;;
	*) mode=enforce ;;
	esac
	echo $mode > $PARAMS/policy 2> /dev/null && flips=$((flips + 1))
	sleep 1
	keep_events
	# An open view holds the module for a moment: rmmod says EAGAIN.
	tries=0
	t0=$(cut -d' ' -f1 /proc/uptime)
	until rmmod gup_track 2> /dev/null || [ $tries -ge 50 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	if insmod $KO policy=$mode reconcile_ms=$RECONCILE_MS \
		orphan_s=$ORPHAN_S; then
		t2=$(cut -d' ' -f1 /proc/uptime)
		echo "# reload $((reloads + 1)): rmmod $(echo "$t1 $t0" | awk '{ print $1 - $2 }')s, insmod $(echo "$t2 $t1" | awk '{ print $1 - $2 }')s, settled $(stat load_settle_ms)ms, unfollowed $(stat load_calls_unfollowed), base exact $(stat load_base_exact), release looks $(stat load_release_looks), CPUs stopped $(stat load_stopped_us)us"
		reloads=$((reloads + 1))
	else
		echo "# reload $((reloads + 1)) failed"
		break
	fi
done
elapsed=$(($(date +%s) - begin))

touch $OUT/stop
# shellcheck disable=SC2086
kill -INT $pids 2> /dev/null
# shellcheck disable=SC2086
wait $pids
wait $reader

# What the load did: every workload must have done something.
idle=0
for w in $(cat $OUT/started); do
	unit=operations
	ops=$(tail -n 1 $OUT/$w.out | awk '{ print $NF }')
	case $w in
	fio-*)	# terse v3: field 6 is KiB read, 47 KiB written
		unit=KiB
		ops=$(awk -F';' 'NF > 47 { print $6 + $47 }' $OUT/$w.out) ;;
	esac
	echo "# workload $w: ${ops:-0} $unit $(head -c 200 $OUT/$w.err | tr '\n' ' ')"
	[ "${ops:-0}" -gt 0 ] 2> /dev/null || idle=$((idle + 1))
done
result $idle "every workload ran ($(wc -l < $OUT/started) of them, ${elapsed}s)"
ok=1
[ $reloads -ge $RELOADS ] && ok=0
result $ok "gup_track reloaded $reloads times under load, policy set $flips times"

# A ring or MR of an exited process is torn down by a worker, later.
waited=0
until [ "$(stat active_pins)" = 0 ] || [ $waited -ge 20 ]; do
	sleep 0.5
	waited=$((waited + 1))
done
echo 1 > /proc/sys/vm/stat_refresh
echo "# stats at the end of the stress:"
sed 's/^/#   /' $GT/stats
echo "# hooks:"
sed 's/^/#   /' $GT/hooks
acq=$(stat ours_foll_pin_acquired)
kacq=$(stat kernel_foll_pin_acquired)
rel=$(stat ours_foll_pin_released)
krel=$(stat kernel_foll_pin_released)
ok=1
[ -n "$acq" ] && [ "$acq" = "$kacq" ] && [ "$rel" = "$krel" ] &&
	[ "$(stat load_base_exact)" = 1 ] && ok=0
result $ok "FOLL_PIN since the last load: kernel +$kacq/-$krel, gup_track +$acq/-$rel"
ok=1
[ "$(stat hooks_missed)" = 0 ] &&
	! awk 'NR > 1 && $5 != "-" && $5 != 0' $GT/hooks | grep -q . && ok=0
result $ok "no hook missed a call ($(stat hooks_missed))"
echo "# kernel pins outstanding: $(($(stat kernel_foll_pin_acquired) - $(stat kernel_foll_pin_released)))"
ok=1
[ "$(stat active_pins)" = 0 ] && ok=0
result $ok "no pin left in the table ($(stat active_pins), after $((waited / 2))s)"

# The worker alone: views stop reconciling, then two intervals pass.
echo N > $PARAMS/reconcile_on_read
sleep $((2 * RECONCILE_MS / 1000 + 1))
left=$(stat active_gets_unconfirmed)
echo "# after $((2 * RECONCILE_MS / 1000 + 1))s: $left unconfirmed, worker expired $(stat gets_expired_worker)"
echo Y > $PARAMS/reconcile_on_read
ok=1
[ "$left" = 0 ] && ok=0
result $ok "no unconfirmed reference outlives two reconcile intervals"

# Misuse, leaks and frees of pinned pages are mistakes the load never made.
sleep $ORPHAN_S
keep_events
bad=$(awk '$3 ~ /^(misuse_put|unpin_unpinned|freed_pinned|orphaned)$/' $OUT/events | wc -l)
awk '{ print $3 }' $OUT/events | sort | uniq -c | sed 's/^/# events: /'
awk '$3 ~ /^(misuse_put|unpin_unpinned|freed_pinned|orphaned)$/' $OUT/events | head -n 5 | sed 's/^/# false event: /'
ok=1
[ "$bad" = 0 ] && ok=0
result $ok "no misuse_put, unpin_unpinned, freed_pinned or orphaned event under the stress ($bad)"

ok=1
rmmod gup_track && insmod $KO && ok=0
result $ok "gup_track unloads after the stress"
rm -f $DIR/fio-* $DIR/stress-*
