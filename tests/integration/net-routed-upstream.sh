#!/usr/bin/env bash
# Proves: a routed container is reachable from the uplink's network without NAT (the host
# routes its /32 and answers ARP for it on the uplink), sees upstream with its own address,
# and leaves no route, proxy ARP entry or veth behind; routed input errors are refused.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store
trap 'teardown_store; net_cleanup' EXIT
net_upstream || skip_all "cannot create a network namespace"
ip=$NET_UP_PREFIX.10

refused 1 "^lxmgr: create rbad: net: routed mode needs the container's address" \
    "routed without --ip is refused" new_debian rbad --net routed --uplink "$NET_UP_LINK"
refused 1 "^lxmgr: create rbad: net: --uplink needs --net routed\$" "--uplink without routed is refused" \
    new_debian rbad --uplink "$NET_UP_LINK"
check "create a routed container" new_debian rt1 --net routed --ip "$ip" --uplink "$NET_UP_LINK"
add_busybox rt1
check "start rt1" lx start rt1
veth=$(lx info rt1 | awk '/^Host veth:/ { print $3 }')
check_match "info shows the address and the uplink" "Uplink: +$NET_UP_LINK" "$(lx info rt1)"
check_match "the host routes the /32 to the veth" "^$ip dev $veth" "$(ip route show "$ip")"
check_match "the host answers ARP for it on the uplink" "$ip dev $NET_UP_LINK proxy" \
    "$(ip neigh show proxy)"
check_match "inside, the default route is the link-local gateway" "default via 169.254.0.1 dev eth0" \
    "$(lx exec rt1 -- ip route)"
check "upstream reaches the container directly" \
    ip netns exec "$NET_UP_NS" busybox ping -c1 -W3 "$ip"
peer=$(connect_and_report rt1 "$NET_UP_PREFIX.2" 9102)
check_eq "upstream sees the container's own address (no NAT)" "$ip" "$peer"
check "stop rt1" lx stop rt1
check_eq "no route to the container left" "" "$(ip route show "$ip")"
check_eq "no proxy ARP entry left" "" "$(ip neigh show proxy | grep -F "$ip " || true)"
check_fails "the veth is gone" ip link show dev "$veth"
check_ip_forward_restored
done_testing
