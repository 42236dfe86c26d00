#!/bin/sh
# Bring up soft-RoCE on the emulated NIC, then run an RDMA test program.
# Memory registration needs no IP address; loopback traffic uses the
# IPv6 link-local GID the kernel gives eth0. A kernel that does not ship
# soft-RoCE or the NIC's driver skips the whole program, saying which.
# usage: rdma.sh PROGRAM ARGS...
. /tests/gtlib.sh
if why=$(gt_rxe_absent); then
	echo "KTAP version 1"
	echo "1..0 # SKIP $why"
	exit 0
fi
ip link set eth0 up || exit 1
rdma link show 2>/dev/null | grep -q "rxe0/" ||
	rdma link add rxe0 type rxe netdev eth0 || exit 1
exec "$@"
