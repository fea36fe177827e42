#!/usr/bin/env bash
# Proves: `lxmgr net check` also sees an iptables-legacy FORWARD policy DROP (x_tables, which
# nft does not list), for IPv4 and IPv6, names it with the fix in one line and exits 1, and
# doctor reports it; the fix it prints lets bridged traffic through while the policy stays
# DROP; with the policy ACCEPT it says nothing. All of it in private network namespaces: the
# host's firewall is never touched.
. "$(dirname "$0")/lib/common.sh"
setup_store
command -v busybox >/dev/null || skip_all "needs busybox (ping)"
command -v iptables-legacy >/dev/null || skip_all "needs iptables-legacy (package iptables)"
ns=lxt-leg-$$
trap 'teardown_store; for n in "$ns" "$ns-a" "$ns-b"; do ip netns del "$n" 2>/dev/null; done' EXIT
host_tables=$(cat /proc/net/ip_tables_names 2>/dev/null; cat /proc/net/ip6_tables_names 2>/dev/null)
for n in "$ns" "$ns-a" "$ns-b"; do
    ip netns add "$n" || skip_all "cannot create a network namespace"
done
in_ns() { ip netns exec "$ns" "$@"; }

check_eq "net check in a fresh namespace reports nothing" "" "$(in_ns "$LXMGR" --root "$T_ROOT" net check 2>&1)"
check "and exits 0" in_ns "$LXMGR" --root "$T_ROOT" net check

in_ns iptables-legacy -P FORWARD DROP
out=$(in_ns "$LXMGR" --root "$T_ROOT" net check 2>&1)
rc=$?
check_eq "net check exits 1 on a legacy FORWARD policy DROP" 1 "$rc"
check_eq "one line for it" 1 "$(grep -c 'iptables-legacy' <<<"$out")"
check_match "the line names the table, the chain, the policy and the fix" \
    "^forwarded traffic of containers is dropped by iptables-legacy table filter chain FORWARD policy DROP; fix: iptables-legacy -I FORWARD -i [^ ]+ -j ACCEPT; iptables-legacy -I FORWARD -o [^ ]+ -j ACCEPT$" \
    "$out"
br=$(sed -n 's/.*-I FORWARD -i \([^ ]*\) -j ACCEPT;.*/\1/p' <<<"$out")
check_match "the bridge it names is the test store's own (lxbr-TAG)" "^lxbr-[0-9a-f]+$" "$br"
check_match "doctor names it too" \
    "^FAIL firewall: iptables-legacy's FORWARD policy drops forwarded traffic" \
    "$(in_ns "$LXMGR" --root "$T_ROOT" doctor 2>/dev/null | grep firewall)"
in_ns ip6tables-legacy -P FORWARD DROP
check_match "IPv6's legacy policy too" \
    "by ip6tables-legacy table filter chain FORWARD policy DROP; fix: ip6tables-legacy -I FORWARD -i $br -j ACCEPT" \
    "$(in_ns "$LXMGR" --root "$T_ROOT" net check 2>&1)"
in_ns ip6tables-legacy -P FORWARD ACCEPT

# Traffic through a bridge of that name in the namespace: client "a" on the bridge, server
# "b" behind a routed link; the policy drops it until the printed fix is applied.
in_ns sysctl -qw net.ipv4.ip_forward=1
in_ns ip link add "$br" type bridge
in_ns ip addr add 10.99.0.1/24 dev "$br"
in_ns ip link set "$br" up
ip -n "$ns" link add va type veth peer name eth0 netns "$ns-a"
in_ns ip link set va master "$br" up
ip -n "$ns-a" addr add 10.99.0.2/24 dev eth0
ip -n "$ns-a" link set eth0 up
ip -n "$ns-a" route add default via 10.99.0.1
ip -n "$ns" link add vb type veth peer name eth0 netns "$ns-b"
ip -n "$ns" addr add 192.0.2.1/24 dev vb
ip -n "$ns" link set vb up
ip -n "$ns-b" addr add 192.0.2.2/24 dev eth0
ip -n "$ns-b" link set eth0 up
ip -n "$ns-b" route add default via 192.0.2.1
check "the bridge's gateway answers (not forwarded)" ip netns exec "$ns-a" busybox ping -c1 -W2 10.99.0.1
check_fails "forwarded traffic is dropped by the legacy policy" \
    ip netns exec "$ns-a" busybox ping -c1 -W2 192.0.2.2
# shellcheck disable=SC2001 # per line of a multi-line output
fix=$(sed 's/.*; fix: //' <<<"$out")
IFS=';' read -r -a cmds <<<"$fix"
for c in "${cmds[@]}"; do
    read -r -a words <<<"$c"
    in_ns "${words[@]}"
done
check "the printed fix lets it through" ip netns exec "$ns-a" busybox ping -c1 -W2 192.0.2.2
check_eq "the policy itself is still DROP" "-P FORWARD DROP" "$(in_ns iptables-legacy -S FORWARD | head -n 1)"

in_ns iptables-legacy -P FORWARD ACCEPT
check_eq "with the policy ACCEPT net check says nothing" "" "$(in_ns "$LXMGR" --root "$T_ROOT" net check 2>&1)"
check_eq "the host's own legacy tables are as they were" "$host_tables" \
    "$(cat /proc/net/ip_tables_names 2>/dev/null; cat /proc/net/ip6_tables_names 2>/dev/null)"
done_testing
