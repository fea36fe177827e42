#!/usr/bin/env bash
# Proves: net.mode none gives a network namespace with loopback only (up), host shares the
# host's namespace and info warns about it, and a config without net.mode (written before
# bridge mode existed) keeps loopback only; none of them makes a host network object.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store

new_debian iso --net none
new_debian raw --net host
new_debian old --net bridge
# An old config: no net.mode key at all.
sed -i '/^mode = /d; /^ip = /d' "$T_ROOT/lib/old/config"
check_eq "a config without net.mode means none" "none" "$(lx config old get net.mode)"
check_eq "none has no address" "" "$(lx config iso get net.ip)"
check "start iso" lx start iso
check "start raw" lx start raw
check "start old" lx start old
check_eq "iso has only lo" "lo" "$(lx exec iso -- ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')"
check_match "and lo is up" "LOOPBACK,UP" "$(lx exec iso -- ip -o link show lo)"
check_eq "old has only lo" "lo" "$(lx exec old -- ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')"
pid=$(sed -n 's/^init_pid=//p' "$T_ROOT/run/raw/state")
check_eq "host shares the host's network namespace" "$(readlink /proc/self/ns/net)" \
    "$(readlink "/proc/$pid/ns/net")"
check_match "info warns about host mode" "warning: shares the host's network" "$(lx info raw)"
check_eq "no host link was made for the store" "0" "$(ip -o link | grep -c "alias lxmgr:veth:$T_ROOT/")"
check "stop all" bash -c "'$LXMGR' --root '$T_ROOT' stop iso && '$LXMGR' --root '$T_ROOT' stop raw && '$LXMGR' --root '$T_ROOT' stop old"
check_eq "net show lists no bridge" "BRIDGE" "$(lx net show | awk 'NR <= 2 { print $1 }' | tr -d '\n')"
done_testing
