#!/bin/bash
# Judge one VM run. Prints one line per test:
#   PASS|FAIL|SKIP <kernel> <program>: <test>[ # SKIP <reason>]
# from the KTAP the guest wrote (a program that skipped as a whole is one
# "SKIP <kernel> <program>: <reason>"), plus FAIL lines for a console that
# shows a kernel problem, a guest that did not finish, or results that are
# missing.
#
# usage: verdict.sh KERNEL RUNDIR
set -uo pipefail

kernel=$1 run=$2
ktap=$run/ktap.log
console=$run/console.log
# The debug kernel's reports (tests/host/check-debug.sh) mostly come as
# BUG:/WARNING: lines; their own words are matched too, in case a report
# comes without one: KASAN, ODEBUG (debug objects), and lockdep's.
BAD='BUG:|WARNING:|Oops|Call Trace|general protection|Kernel panic|KASAN|ODEBUG|possible circular locking|possible recursive locking|inconsistent lock state|Invalid wait context|suspicious RCU usage|sleeping function called from invalid context'
guest=$(dirname "$0")/../guest

# The job never got to boot (check.sh writes why).
if [ -f "$run/setup.error" ]; then
	echo "FAIL $kernel $(cat "$run/setup.error")"
	exit 0
fi

tr -d '\r' <"$ktap" 2>/dev/null | awk -v k="$kernel" '
	/^1\.\.[0-9]+$/ { planned = substr($0, 4) + 0; next }
	/^# running [^ ]+: / { cur = substr($3, 1, length($3) - 1); next }
	/^# [^ ]+: / { why[$2] = substr($0, length($2) + 4) }
	/^    (not )?ok [0-9]+ / {
		line = substr($0, 5)
		fail = (line ~ /^not ok/)
		sub(/^(not )?ok [0-9]+ /, "", line)
		skip = (line ~ / # SKIP/)
		if (fail) { leaf_fail++ }
		printf "%s %s %s: %s\n", fail ? "FAIL" : (skip ? "SKIP" : "PASS"), k, cur, line
		next
	}
	/^(not )?ok [0-9]+ / {
		done++
		prog = ($1 == "not") ? $4 : $3
		# A program that skipped everything: "ok N prog # SKIP reason".
		if ($1 == "ok" && $0 ~ / # SKIP /) {
			reason = $0
			sub(/^[^#]*# SKIP /, "", reason)
			printf "SKIP %s %s: %s\n", k, prog, reason
		}
		if ($1 == "not" && !leaf_fail)
			printf "FAIL %s %s: %s\n", k, prog, why[prog ":"]
		leaf_fail = 0
		next
	}
	/^GUP_TRACK_GUEST_DONE$/ { finished = 1 }
	END {
		if (!finished)
			printf "FAIL %s guest did not finish (panic, crash or timeout)\n", k
		else if (done < planned)
			printf "FAIL %s only %d of %d test programs reported\n", k, done, planned
	}
'

rc=$(cat "$run/qemu.rc" 2>/dev/null || echo missing)
[ "$rc" = 0 ] || echo "FAIL $kernel qemu exited with status $rc (124: timeout)"

tr -d '\r' <"$console" 2>/dev/null |
	awk -v allow="$guest/expected-warnings" -f "$guest/kfilter.awk" |
	grep -E "$BAD" | head -n 5 |
	sed "s/^/FAIL $kernel console: /"
exit 0
