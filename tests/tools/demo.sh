#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# make demo: vswd on the embedded default (no config file, no hugepages,
# state in the default run dir), driven with vswctl.
#  1. a network, two ports, two vhost-user VNICs plugged into them; restart;
#     everything is still there.
#  2. the tour: two networks, four "VMs" (dpdk-testpmd, whose virtio-net
#     driver is net_virtio_user on a vhost-user VNIC), two per network;
#     traffic within a network is delivered, traffic across networks is not;
#     `vswctl stats`.
# Everything it creates or starts is removed or stopped (by PID) at the end,
# also when it fails. About 20-40 s; fits 2 CPUs (the VMs share CPU 0,
# vswd's worker has CPU 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
VSWD=$PWD/$BUILD/control/vswd
VSWCTL=$PWD/$BUILD/control/vswctl
TESTPMD=${TESTPMD:-dpdk-testpmd}
WORK=$(mktemp -d /tmp/vsw-demo.XXXXXX)
LOG=$WORK/vswd.log
if [ "$(id -u)" -eq 0 ]; then EAL_RUN=/var/run/dpdk; else EAL_RUN=${XDG_RUNTIME_DIR:-/tmp}/dpdk; fi
pid=""
# A VM that died must not kill the demo through SIGPIPE on its FIFO.
trap '' PIPE
FRAMES=128          # per sending step: 4 bursts of 32

# The VMs: name -> network, MAC; and, once started, PID, stdin fd, log, prefix.
VMS=(red-1 red-2 blue-1 blue-2)
declare -A VM_NET=([red-1]=demo-red [red-2]=demo-red [blue-1]=demo-blue [blue-2]=demo-blue)
declare -A VM_MAC=([red-1]=02:de:00:00:01:01 [red-2]=02:de:00:00:01:02
		   [blue-1]=02:de:00:00:02:01 [blue-2]=02:de:00:00:02:02)
declare -A VM_PID=() VM_FD=() VM_LOG=() VM_PREFIX=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show_cmd() { # the command line, quoted where the shell needs it
	local a line='$ vswctl'
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./:=@,-]*) line+=" '$a'" ;;
		*) line+=" $a" ;;
		esac
	done
	printf '%s\n' "$line"
}
run() { show_cmd "$@"; "$VSWCTL" "$@"; }
run_q() { show_cmd "$@"; "$VSWCTL" "$@" >/dev/null; }
quiet() { "$VSWCTL" "$@" >/dev/null 2>&1 || true; }
die() { echo "demo: $*" >&2; exit 1; }

stop_vswd() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
}

start_vswd() {
	"$VSWD" >>"$LOG" 2>&1 &
	pid=$!
	for _ in $(seq 200); do
		"$VSWCTL" info >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$LOG"; die "vswd exited"; }
		sleep 0.1
	done
	cat "$LOG"; die "vswd did not come up"
}

# --- the VMs: dpdk-testpmd in interactive mode, commands through a FIFO ---

start_vm() { # name
	local vm=$1 fifo=$WORK/$1.in fd
	VM_PREFIX[$vm]=vsw-demo-$vm-$$
	VM_LOG[$vm]=$WORK/$vm.log
	mkfifo "$fifo"
	# stdbuf: line-buffered output, so stats can be read while it runs.
	stdbuf -oL -eL "$TESTPMD" --no-huge -m 128 --no-pci --file-prefix "${VM_PREFIX[$vm]}" \
		--lcores 0@0,1@0 --log-level lib.eal:notice \
		--vdev "net_virtio_user0,path=$WORK/$vm.sock,server=0,queues=1,queue_size=1024,mac=${VM_MAC[$vm]}" \
		-- -i --nb-cores=1 --total-num-mbufs=4096 --no-mlockall --forward-mode=rxonly \
		<"$fifo" >"${VM_LOG[$vm]}" 2>&1 &
	VM_PID[$vm]=$!
	exec {fd}>"$fifo"
	VM_FD[$vm]=$fd
}

vm_cmd() { # name command
	printf '%s\n' "$2" >&"${VM_FD[$1]}"
}

wait_vm_prompt() { # name
	for _ in $(seq 300); do
		grep -q 'testpmd> ' "${VM_LOG[$1]}" 2>/dev/null && return 0
		kill -0 "${VM_PID[$1]}" 2>/dev/null || { tail -20 "${VM_LOG[$1]}"; die "VM $1 exited"; }
		sleep 0.1
	done
	tail -20 "${VM_LOG[$1]}"; die "VM $1 did not start"
}

# Prints "RX TX" packets of the VM's port, from testpmd's 'show port stats'.
vm_counts() { # name
	local log=${VM_LOG[$1]} n
	n=$(grep -c 'Tx-pps:' "$log" || true)
	vm_cmd "$1" "show port stats 0"
	for _ in $(seq 100); do
		[ "$(grep -c 'Tx-pps:' "$log" || true)" -gt "$n" ] && break
		sleep 0.05
	done
	awk '/NIC statistics for port/ { f = 1 }
	     f && /RX-packets:/ { rx = $2 } f && /TX-packets:/ { tx = $2 }
	     /Tx-pps:/ { f = 0 } END { print rx, tx }' "$log"
}

stop_vm() { # name
	local vm=$1 p=${VM_PID[$1]:-}
	[ -n "$p" ] || return 0
	vm_cmd "$vm" "quit" 2>/dev/null || true
	eval "exec ${VM_FD[$vm]}>&-"
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -TERM "$p" 2>/dev/null || true
	for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	rm -rf "${EAL_RUN:?}/${VM_PREFIX[$vm]}"
	unset "VM_PID[$vm]"
}

stop_vms() {
	local vm
	for vm in "${!VM_PID[@]}"; do stop_vm "$vm"; done
}

wait_status() { # status vnic...
	local want=$1 v
	shift
	for v in "$@"; do
		for _ in $(seq 200); do
			"$VSWCTL" --json vnic show "$v" 2>/dev/null | grep -q "\"status\": \"$want\"" && continue 2
			sleep 0.1
		done
		die "vnic $v not $want"
	done
}

# Tour objects: removed at the end, and first too (leftovers of a run that
# was killed would make the names ambiguous).
remove_tour_objects() {
	local vm
	for vm in "${VMS[@]}"; do quiet vnic unplug "vm-$vm"; quiet vnic delete "vm-$vm"; done
	for vm in "${VMS[@]}"; do quiet port delete "$vm"; done
	quiet network delete demo-red
	quiet network delete demo-blue
}

# Part 3 (as root): two namespace "VMs" on two subnets, a router, DHCP.
NS=(); VETH=()
remove_namespaces() {
	local x
	for x in "${NS[@]}"; do ip netns del "$x" 2>/dev/null || true; done
	for x in "${VETH[@]}"; do ip link del "$x" 2>/dev/null || true; done
	NS=(); VETH=()
}

# A namespace whose NIC (one end of a veth pair) is a VNIC plugged into a
# new port of network $2; prints nothing, sets NS_IP to its DHCP lease.
ns_vm() { # name network
	local name=$1 net=$2 ns="vswdemo-$1-$$" root="vd$1$$" mac
	ip netns add "$ns"; NS+=("$ns")
	ip link add "$root" type veth peer name eth0 netns "$ns"; VETH+=("$root")
	ip link set "$root" up
	sysctl -qw "net.ipv6.conf.$root.disable_ipv6=1"
	ip netns exec "$ns" ip link set eth0 up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
	mac=$(ip netns exec "$ns" cat /sys/class/net/eth0/address)
	run_q port create --network "$net" --name "$name" --mac "$mac"
	run_q vnic create --name "vm-$name" --type dpdk --devargs "net_af_packet_$name,iface=$root"
	run_q vnic plug "vm-$name" "$name"
	printf '$ ip netns exec %s busybox udhcpc -i eth0 -q -n\n' "$ns"
	NS_IP=$(ip netns exec "$ns" busybox udhcpc -i eth0 -q -n -t 5 -s /bin/true 2>&1 |
		sed -n 's/.*lease of \([0-9.]*\) obtained.*/\1/p')
	[ -n "$NS_IP" ] || die "$name got no DHCP lease"
	echo "   lease: $NS_IP"
}

# Every object of a kind with a name (a failed earlier run may have left
# some behind in the durable state), by id.
purge() { # kind name
	local id
	for id in $("$VSWCTL" --json "$1" list --name "$2" 2>/dev/null |
		    sed -n 's/^ *"id": "\([0-9a-f-]*\)".*/\1/p'); do
		[ "$1" = vnic ] && quiet vnic unplug "$id"
		quiet "$1" delete "$id"
	done
}

remove_routing_objects() {
	local x
	for x in green yellow; do purge vnic "vm-$x"; purge port "$x"; done
	quiet router remove-interface demo-router green4
	quiet router remove-interface demo-router yellow4
	purge router demo-router
	purge network demo-green
	purge network demo-yellow
}

routing_part() {
	local gw_a=10.1.0.1 gw_b=10.2.0.1 ip_a ip_b
	remove_routing_objects
	say "routing (as root): networks green and yellow, a router, DHCP from the switch"
	run_q network create --name demo-green
	run_q network create --name demo-yellow
	run_q subnet create --network demo-green --name green4 --ip-version 4 --cidr 10.1.0.0/24 --enable-dhcp true
	run_q subnet create --network demo-yellow --name yellow4 --ip-version 4 --cidr 10.2.0.0/24 --enable-dhcp true
	run_q router create --name demo-router
	run_q router add-interface demo-router green4
	run_q router add-interface demo-router yellow4
	ns_vm green demo-green; ip_a=$NS_IP
	ns_vm yellow demo-yellow; ip_b=$NS_IP
	ip netns exec "vswdemo-green-$$" ip addr add "$ip_a/24" dev eth0
	ip netns exec "vswdemo-green-$$" ip route add default via $gw_a
	ip netns exec "vswdemo-yellow-$$" ip addr add "$ip_b/24" dev eth0
	ip netns exec "vswdemo-yellow-$$" ip route add default via $gw_b
	say "green pings yellow through the router; TTL 1 gets 'Time to live exceeded' from the gateway"
	ip netns exec "vswdemo-green-$$" ping -c 3 -W 2 "$ip_b" | tail -2
	# No echo reply comes back (ping exits 1): the ICMP error is the point.
	{ ip netns exec "vswdemo-green-$$" ping -c 1 -W 2 -t 1 "$ip_b" || true; } | sed -n 2p
	run router list
	run router show demo-router
	say "clean up part 3"
	for x in green yellow; do run_q vnic unplug "vm-$x"; run_q vnic delete "vm-$x"; run_q port delete "$x"; done
	run_q router remove-interface demo-router green4
	run_q router remove-interface demo-router yellow4
	run_q router delete demo-router
	run_q network delete demo-green
	run_q network delete demo-yellow
	remove_namespaces
}

cleanup() {
	local rc=$?
	remove_namespaces
	stop_vms
	stop_vswd
	if [ "$rc" -ne 0 ]; then
		echo "demo failed; logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

command -v "$TESTPMD" >/dev/null || die "$TESTPMD not found (Debian package dpdk)"
if "$VSWCTL" info >/dev/null 2>&1; then
	die "a vswd already answers on the default socket; stop it first"
fi

say "vswd on the embedded default (log: $LOG)"
start_vswd
run info

for v in demo-vm1 demo-vm2; do quiet vnic unplug $v; quiet vnic delete $v; done
for p in demo-port1 demo-port2; do quiet port delete $p; done
quiet network delete demo-net
remove_tour_objects

say "a network, two ports, two vhost-user VNICs (vm1: vsw connects, QEMU listens; vm2: vsw listens)"
run network create --name demo-net
run port create --network demo-net --name demo-port1
run port create --network demo-net --name demo-port2
run vnic create --name demo-vm1 --type vhost-user --socket "$WORK/demo-vm1.sock"
run vnic create --name demo-vm2 --type vhost-user --socket "$WORK/demo-vm2.sock" --mode server --queues 2
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

say "clean up part 1"
run vnic unplug demo-vm1
run vnic unplug demo-vm2
run vnic delete demo-vm1
run vnic delete demo-vm2
run port delete demo-port1
run port delete demo-port2
run network delete demo-net

say "the tour: two networks, two VMs on each"
run network create --name demo-red
run network create --name demo-blue
# Port security stays on: testpmd's txonly frames come from 198.18.0.1,
# which each port allows (ports have no fixed IPs without subnets).
for vm in "${VMS[@]}"; do
	run_q port create --network "${VM_NET[$vm]}" --name "$vm" --mac "${VM_MAC[$vm]}" \
		--allowed-address-pairs '[{"ip_address": "198.18.0.0/15"}]'
	run_q vnic create --name "vm-$vm" --type vhost-user --socket "$WORK/$vm.sock" --mode server
	run_q vnic plug "vm-$vm" "$vm"
done
run port list

say "four VMs: dpdk-testpmd, virtio-user on each VNIC's socket"
for vm in "${VMS[@]}"; do start_vm "$vm"; done
for vm in "${VMS[@]}"; do wait_vm_prompt "$vm"; done
wait_status ACTIVE vm-red-1 vm-red-2 vm-blue-1 vm-blue-2
run vnic list
for vm in "${VMS[@]}"; do vm_cmd "$vm" "start"; done   # every VM receives

declare -A RX=()
show_vms() {
	local vm c
	printf '   %-7s %-10s %-18s %8s %8s\n' VM network MAC RX TX
	for vm in "${VMS[@]}"; do
		c=$(vm_counts "$vm")
		RX[$vm]=${c% *}
		printf '   %-7s %-10s %-18s %8s %8s\n' "$vm" "${VM_NET[$vm]}" "${VM_MAC[$vm]}" ${c}
	done
}

send() { # from to-MAC
	vm_cmd "$1" "stop"
	vm_cmd "$1" "set eth-peer 0 $2"
	vm_cmd "$1" "start tx_first $((FRAMES / 32))"
	sleep 1.5
}

say "red-1 sends $FRAMES frames to red-2 (same network): delivered"
send red-1 "${VM_MAC[red-2]}"
show_vms
[ "${RX[red-2]}" -eq "$FRAMES" ] || die "red-2 received ${RX[red-2]}, expected $FRAMES"

say "red-1 sends $FRAMES frames to blue-2's MAC (other network): not delivered"
echo "   (red does not know that MAC: the frames are flooded within red only)"
send red-1 "${VM_MAC[blue-2]}"
show_vms
[ "${RX[blue-2]}" -eq 0 ] || die "blue-2 received ${RX[blue-2]} frames from red"
[ "${RX[red-2]}" -eq $((2 * FRAMES)) ] || die "red-2 received ${RX[red-2]}"

say "blue-1 sends $FRAMES frames to blue-2: delivered; nothing reaches red"
send blue-1 "${VM_MAC[blue-2]}"
show_vms
[ "${RX[blue-2]}" -eq "$FRAMES" ] || die "blue-2 received ${RX[blue-2]}, expected $FRAMES"
[ "${RX[red-2]}" -eq $((2 * FRAMES)) ] || die "red-2 received blue's frames"
[ "${RX[red-1]}" -eq 0 ] && [ "${RX[blue-1]}" -eq 0 ] || die "a sender received frames"

say "vsw's counters"
run stats

say "the VMs leave: their VNICs go DOWN"
stop_vms
wait_status DOWN vm-red-1 vm-red-2 vm-blue-1 vm-blue-2
run vnic list

say "clean up"
for vm in "${VMS[@]}"; do run_q vnic unplug "vm-$vm"; run vnic delete "vm-$vm"; done
for vm in "${VMS[@]}"; do run port delete "$vm"; done
run network delete demo-red
run network delete demo-blue
if [ "$(id -u)" -eq 0 ] && command -v busybox >/dev/null && command -v ip >/dev/null; then
	routing_part
else
	say "routing part skipped: it needs root (network namespaces), ip and busybox"
fi
stop_vswd
echo "demo done"
