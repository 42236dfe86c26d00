# Helpers for the guest's shell tests: . /tests/gtlib.sh
# shellcheck shell=sh

# Print why kernel module $1 cannot be used here and succeed, or fail when
# it can. mkinitramfs.sh names in /lib/modules/absent the optional modules
# this kernel does not ship; a loaded module is never absent, and a shipped
# module that did not load is a failure for the test to report, not a skip.
gt_absent() {
	[ -d "/sys/module/$1" ] && return 1
	awk -v m="$1" '$1 == m {
		sub(/^[^ \t]+[ \t]+/, "")
		print m ": " $0
		found = 1
		exit
	} END { exit !found }' /lib/modules/absent 2>/dev/null
}

# The same for soft-RoCE over the emulated NIC: every module it needs.
gt_rxe_absent() {
	gt_absent rdma_rxe || gt_absent ib_uverbs || gt_absent e1000
}
