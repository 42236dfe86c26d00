#!/bin/sh
# Bring up soft-RoCE on the emulated NIC, then run an RDMA test program.
# Memory registration needs no IP address; loopback traffic uses the
# IPv6 link-local GID the kernel gives eth0.
# usage: rdma.sh PROGRAM ARGS...
ip link set eth0 up || exit 1
rdma link show 2>/dev/null | grep -q "rxe0/" ||
	rdma link add rxe0 type rxe netdev eth0 || exit 1
exec "$@"
