#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# make demo: vswd on the embedded default (no config file, no hugepages,
# state in the default run dir), driven with vswctl: a network, two ports,
# two vhost-user VNICs plugged into them; restart; everything is still there.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
VSWD=$PWD/$BUILD/control/vswd
VSWCTL=$PWD/$BUILD/control/vswctl
LOG=$(mktemp /tmp/vswd-demo.XXXXXX.log)
pid=""

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ vswctl %s\n' "$*"; "$VSWCTL" "$@"; }

stop_vswd() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
}
trap 'stop_vswd' EXIT

start_vswd() {
	"$VSWD" >>"$LOG" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		"$VSWCTL" info >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$LOG"; echo "vswd exited"; exit 1; }
		sleep 0.1
	done
	cat "$LOG"; echo "vswd did not come up"; exit 1
}

if "$VSWCTL" info >/dev/null 2>&1; then
	echo "a vswd already answers on the default socket; stop it first"; exit 1
fi

say "vswd on the embedded default (log: $LOG)"
start_vswd
run info

# Leftovers of an interrupted demo would make the names ambiguous.
for v in demo-vm1 demo-vm2; do "$VSWCTL" vnic unplug $v >/dev/null 2>&1 || true; "$VSWCTL" vnic delete $v >/dev/null 2>&1 || true; done
for p in demo-port1 demo-port2; do "$VSWCTL" port delete $p >/dev/null 2>&1 || true; done
"$VSWCTL" network delete demo-net >/dev/null 2>&1 || true

say "a network, two ports, two vhost-user VNICs (vsw is the socket client: QEMU listens)"
run network create --name demo-net
run port create --network demo-net --name demo-port1
run port create --network demo-net --name demo-port2
run vnic create --name demo-vm1 --type vhost-user --socket /tmp/vsw-demo-vm1.sock
run vnic create --name demo-vm2 --type vhost-user --socket /tmp/vsw-demo-vm2.sock --mode server --queues 2
run vnic plug demo-vm1 demo-port1
run vnic plug demo-vm2 demo-port2
run network list
run port list
run vnic list

say "restart vswd: the state is durable"
stop_vswd
start_vswd
run port list
run vnic list
run stats

say "clean up"
run vnic unplug demo-vm1
run vnic unplug demo-vm2
run vnic delete demo-vm1
run vnic delete demo-vm2
run port delete demo-port1
run port delete demo-port2
run network delete demo-net
stop_vswd
rm -f "$LOG"
echo "demo done"
