#!/bin/sh
# Bring up soft-RoCE on the emulated NIC, then run the RDMA tracking test.
# No IP address is needed for memory registration.
ip link set eth0 up || exit 1
rdma link show rxe0 >/dev/null 2>&1 ||
	rdma link add rxe0 type rxe netdev eth0 || exit 1
exec /tests/track_rdma "$@"
