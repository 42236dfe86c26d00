# Drop from a kernel log the warnings a test provokes on purpose, so the
# checks for BUG/WARNING/Call Trace see everything else.
#
#   awk -v allow=EXPECTED -f kfilter.awk LOG
#
# EXPECTED has "<test> <regex>" lines: while <test> runs (between the
# "gtt: begin <test>" and "gtt: end <test>" marks /init logs), a warning
# block whose "WARNING:" line matches <regex> is replaced by one line
# saying it was expected. Nothing else is dropped.
BEGIN {
	while ((getline line < allow) > 0) {
		if (line ~ /^#/ || line ~ /^[ \t]*$/)
			continue
		t = line
		sub(/[ \t].*/, "", t)
		sub(/^[^ \t]+[ \t]+/, "", line)
		if (t in seen)
			rx[t] = rx[t] "|" line
		else
			rx[t] = line
		seen[t] = 1
	}
}
/gtt: begin / { cur = $NF }
/gtt: end / { cur = "" }
/-+\[ cut here \]-+/ { inblk = 1; n = 0; w = "" }
inblk {
	blk[n++] = $0
	if ($0 ~ /WARNING:/)
		w = $0
	if ($0 ~ /---\[ end trace/) {
		inblk = 0
		if (cur != "" && (cur in rx) && w ~ rx[cur]) {
			sub(/WARNING:/, "warning", w)
			print "# expected by " cur ": " w
		} else
			for (i = 0; i < n; i++)
				print blk[i]
	}
	next
}
{ print }
END {
	if (inblk)
		for (i = 0; i < n; i++)
			print blk[i]
}
