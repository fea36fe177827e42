#!/usr/bin/env bash
# Proves: bridged containers (the default for new containers) get distinct addresses from the
# store's pool, a MAC derived from their uuid and eth0 ready before init; they reach each
# other and the host; their addresses survive stop/start; bad input is refused before
# anything is made; after the last stop no veth, bridge, route or nft table of theirs is left.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store

new_debian nb1
new_debian nb2 --net bridge
add_busybox nb1
add_busybox nb2
ip1=$(lx config nb1 get net.ip)
ip2=$(lx config nb2 get net.ip)
check_eq "the default mode of a new container is bridge" "bridge" "$(lx config nb1 get net.mode)"
check_match "nb1 has an address from the pool" '^10\.[0-9]+\.[0-9]+\.2$' "$ip1"
check_match "nb2 has the next one" '^10\.[0-9]+\.[0-9]+\.3$' "$ip2"
check "start nb1" lx start nb1
check "start nb2" lx start nb2
br=$(store_bridge)
check_match "the store's bridge exists" "^lxbr-" "$br"
gw=$(ip -4 -o addr show dev "$br" | awk '{ print $4 }')
check_eq "the bridge holds the pool's gateway" "${ip1%.*}.1/24" "$gw"
info=$(lx info nb1)
mac=$(awk '/^MAC:/ { print $2 }' <<<"$info")
veth1=$(awk '/^Host veth:/ { print $3 }' <<<"$info")
check_match "info shows the address" "Address: +$ip1/24" "$info"
check_eq "eth0 inside has the MAC info shows" "$mac" \
    "$(lx exec nb1 -- cat /sys/class/net/eth0/address)"
check_match "eth0 inside has the address" "inet $ip1/24" "$(lx exec nb1 -- ip -4 addr show eth0)"
check_match "the default route goes through the gateway" "default via ${ip1%.*}.1 dev eth0" \
    "$(lx exec nb1 -- ip route)"
check_match "lo is up inside" "UP" "$(lx exec nb1 -- ip -o link show lo)"
check_match "the host veth is on the bridge" "master $br" "$(ip -o link show dev "$veth1")"
check "nb1 pings nb2" lx exec nb1 -- busybox ping -c1 -W3 "$ip2"
check "nb2 pings nb1" lx exec nb2 -- busybox ping -c1 -W3 "$ip1"
check "nb1 pings the host (the gateway)" lx exec nb1 -- busybox ping -c1 -W3 "${ip1%.*}.1"
check "the host pings nb2" busybox ping -c1 -W3 "$ip2"
check_match "net show lists who holds which address" "nb2 +bridge +$ip2 " "$(lx net show)"

# Refused before anything is made: no directory, no link.
refused 1 "^lxmgr: create bad1: net: .*192\.168\.250\.7" "an address outside the pool is refused" \
    new_debian bad1 --ip 192.168.250.7
refused 1 "^lxmgr: create bad2: net: .*$ip1" "an address in use is refused" new_debian bad2 --ip "$ip1"
refused 1 "^lxmgr: create bad3: net: " "the gateway address is refused" new_debian bad3 --ip "${ip1%.*}.1"
refused 1 "^lxmgr: create bad4: net: unknown network mode 'bridged'" "an unknown mode is refused" \
    new_debian bad4 --net bridged
refused 1 "^lxmgr: create bad5: net: routed mode needs the host interface" \
    "routed without an uplink is refused" new_debian bad5 --net routed --ip 10.9.9.9
refused 1 "^lxmgr: create bad6: net: net.uplink lxt-nosuch0: no such interface on the host\$" \
    "routed with a missing uplink is refused" \
    new_debian bad6 --net routed --ip 10.9.9.9 --uplink lxt-nosuch0
out=$(lx create bad7 --rootfs "$(debian_rootfs)" --ip 192.168.250.7 2>&1)
check_match "the error names the address and the pool" "192.168.250.7 is outside the pool" "$out"
check_eq "nothing was created by refused creates" "nb1 nb2" "$(ls "$T_ROOT/lib" | tr '\n' ' ' | sed 's/ $//')"
check "config set net.bridge to a link that is not a bridge" lx config nb1 set net.bridge lo
lx stop nb1 >/dev/null 2>&1
out=$(lx start nb1 2>&1)
check_match "start refuses a bridge that is not a bridge" "net.bridge lo exists and is not a bridge" "$out"
check "config unset net.bridge" lx config nb1 unset net.bridge

check "restart nb1" lx start nb1
check_eq "nb1 keeps its address across stop/start" "$ip1" "$(lx config nb1 get net.ip)"
check_match "and holds it inside" "inet $ip1/24" "$(lx exec nb1 -- ip -4 addr show eth0)"
check "nb2 still pings nb1" lx exec nb2 -- busybox ping -c1 -W3 "$ip1"

check "stop nb1" lx stop nb1
check_fails "nb1's veth is gone" ip link show dev "$veth1"
check "the bridge stays while nb2 runs" ip link show dev "$br"
check "stop nb2" lx stop nb2
check_bridge_gone "$br"
check_eq "no veth of this store left" "" "$(ip -o link show type veth | grep -F -e "$veth1" || true)"
check_ip_forward_restored
done_testing
