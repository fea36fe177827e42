#!/usr/bin/env bash
# Proves: the network objects of a container whose monitor was killed with SIGKILL (veth,
# bridge, nft table) are recorded in its runtime state and removed by gc or by the next
# start, with the stale temporary files a killed writer leaves in /run/lxmgr-net; nothing of
# the store's network is left afterwards.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store

new_debian nk1
ip1=$(lx config nk1 get net.ip)
check "start" lx start nk1
br=$(store_bridge)
state=$(cat "$T_ROOT/run/nk1/state")
veth=$(sed -n 's/^net_veth=//p' <<<"$state")
check_match "the runtime state records the veth" "^lx-" "$veth"
check_eq "the runtime state records the bridge" "$br" "$(sed -n 's/^net_bridge=//p' <<<"$state")"
check_eq "the runtime state records the nft table" "lxmgr-$br" "$(sed -n 's/^net_nat=//p' <<<"$state")"
kill -9 "$(sed -n 's/^monitor_pid=//p' <<<"$state")"
for _ in $(seq 1 100); do
    [ -z "$(host_procs_in_range "$(uid_base_of nk1)")" ] && break
    sleep 0.05
done
check "the dead monitor left the bridge" ip link show dev "$br"
# What a process killed between write_file_atomic_at's write and rename leaves behind.
stale=/run/lxmgr-net/dnsmasq-$br.hosts.tmp-$$
printf 'stale\n' >"$stale"
check "gc" lx gc
check_fails "gc removed a stale temporary file of /run/lxmgr-net" test -e "$stale"
check_bridge_gone "$br"
check_fails "no veth left" ip link show dev "$veth"

check "start again" lx start nk1
mon=$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/nk1/state")
kill -9 "$mon"
sleep 0.5
check "the next start cleans up by itself" lx start nk1
check_eq "with the same address" "$ip1" "$(lx config nk1 get net.ip)"
check_match "and a working eth0" "inet $ip1/" "$(lx exec nk1 -- ip -4 addr show eth0)"
check_eq "one veth of this container" "1" "$(ip -o link show dev "$veth" | wc -l)"
check "stop" lx stop nk1
check_bridge_gone "$br"
check_ip_forward_restored
done_testing
