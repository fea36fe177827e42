#!/usr/bin/env bash
# Proves: a bridged container reaches an "upstream" network namespace through NAT: upstream
# sees the host's address, never the container's; the masquerade rule sits in lxmgr's own nft
# table and leaves with the last container, and rules of other tables are not touched.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store
trap 'teardown_store; nft delete table inet lxt_foreign_$$ 2>/dev/null; net_cleanup' EXIT
net_upstream || skip_all "cannot create a network namespace"
# A table that is not lxmgr's: it must be there, unchanged, at the end.
nft add table inet "lxt_foreign_$$"
nft add chain inet "lxt_foreign_$$" c '{ type filter hook forward priority 10; policy accept; }'
nft add rule inet "lxt_foreign_$$" c counter accept
foreign_before=$(nft list table inet "lxt_foreign_$$" | grep -v packets)

new_debian nat1
ip1=$(lx config nat1 get net.ip)
check "start nat1" lx start nat1
br=$(store_bridge)
rules=$(nft list table ip "lxmgr-$br")
check_match "lxmgr's table masquerades the pool" "ip saddr ${ip1%.*}.0/24 ip daddr != ${ip1%.*}.0/24 masquerade" "$rules"
check_eq "forwarding is on while a container needs it" "1" "$(cat /proc/sys/net/ipv4/ip_forward)"
peer=$(connect_and_report nat1 "$NET_UP_PREFIX.2" 9101)
check_eq "upstream sees the host's address (source rewritten)" "$NET_UP_PREFIX.1" "$peer"
check_fails "upstream cannot reach the container's private address" \
    ip netns exec "$NET_UP_NS" busybox ping -c1 -W1 "$ip1"
check "stop nat1" lx stop nat1
check_bridge_gone "$br"
check_eq "the foreign table is untouched" "$foreign_before" \
    "$(nft list table inet "lxt_foreign_$$" | grep -v packets)"
check_ip_forward_restored
done_testing
