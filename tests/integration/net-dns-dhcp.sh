#!/usr/bin/env bash
# Proves: a bridge's dnsmasq, started by lxmgr with its first container and listening only on
# the gateway, gives each container's DHCP client its recorded address and answers NAME.lxmgr
# for the host and the neighbours; with net.dns = local it forwards nothing upstream; the
# container's /etc/resolv.conf points at it (the guest's own is kept); it stops with the
# last container and leaves no process or file.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store
# A zombie waiting for its reaper is not alive.
alive() {
    [ -r "/proc/$1/stat" ] && ! awk '{ exit $3 == "Z" ? 0 : 1 }' "/proc/$1/stat"
}
mkdir -p "$T_ROOT/etc"
# Tests never let a query leave the machine: no upstream servers.
printf '[net]\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"

new_debian dd1
new_debian dd2
add_busybox dd1
orig=$(cat "$T_ROOT/lib/dd1/rootfs/etc/resolv.conf" 2>/dev/null)
ip1=$(lx config dd1 get net.ip)
ip2=$(lx config dd2 get net.ip)
gw=${ip1%.*}.1
check "start dd1" lx start dd1
check "start dd2" lx start dd2
br=$(store_bridge)
pidfile=/run/lxmgr-net/dnsmasq-$br.pid
pid=$(cat "$pidfile" 2>/dev/null)
check_match "a dnsmasq runs for the bridge" "^dnsmasq" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
check_match "it forwards nothing (no upstream servers)" "--no-resolv" "$(tr '\0' ' ' <"/proc/$pid/cmdline")"
listen=$(ss -Hlntup | grep "pid=$pid," | awk '{ print $5 }' | sort -u | tr '\n' ' ')
check_match "it listens on the gateway" "$gw:53" "$listen"
check_eq "and nowhere else for DNS" "" "$(tr ' ' '\n' <<<"$listen" | grep ':53$' | grep -v "^$gw:53$" || true)"
check_eq "resolv.conf inside points at it" "nameserver $gw" \
    "$(lx exec dd1 -- grep '^nameserver' /etc/resolv.conf)"
check_eq "the guest's own resolv.conf is kept" "$orig" \
    "$(lx exec dd1 -- cat /etc/resolv.conf.lxmgr-orig)"
check_eq "dd1 resolves dd2.lxmgr" "$ip2" "$(lx exec dd1 -- getent hosts dd2.lxmgr | awk '{ print $1 }')"
check_eq "the host resolves dd1.lxmgr through it" "$ip1" \
    "$(busybox nslookup -type=a dd1.lxmgr "$gw" 2>/dev/null | awk '/^Address/ && !/#|:53/ { print $2 }' | tail -1)"
check_fails "a name outside lxmgr is not resolved (nothing forwarded)" \
    lx exec dd1 -- getent hosts lxmgr-test.invalid
out=$(lx exec dd1 -- busybox udhcpc -i eth0 -n -q -t 3 -s /bin/true 2>&1)
check_match "dd1's DHCP client gets its recorded address" "lease of $ip1 obtained from $gw" "$out"
check "stop dd1" lx stop dd1
check_fails "dd1.lxmgr is gone from DNS" busybox nslookup -type=a dd1.lxmgr "$gw"
check "dnsmasq stays while dd2 runs" alive "$pid"
check "stop dd2" lx stop dd2
check_fails "no dnsmasq left" alive "$pid"
check_eq "no dnsmasq file of the bridge left" "" "$(find /run/lxmgr-net -name "dnsmasq-$br.*")"
check_bridge_gone "$br"
done_testing
