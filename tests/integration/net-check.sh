#!/usr/bin/env bash
# Proves: when another nft table's forward chain drops by policy (as Docker's FORWARD does),
# `lxmgr net check` names it with the fix in one line and exits 1, and `start` of a bridged
# container warns once; the container's forwarded traffic is indeed dropped until the table
# goes; lxmgr never touches that table; without it, net check reports nothing about it.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store
fw=lxmgr-test-fw
trap 'teardown_store; nft delete table inet "$fw" 2>/dev/null; net_cleanup' EXIT
net_upstream || skip_all "cannot create a network namespace"
nft list table inet "$fw" >/dev/null 2>&1 && skip_all "a table inet $fw already exists"

out=$(lx net check 2>&1)
check_eq "net check reports nothing about $fw before it exists" "" "$(grep "$fw" <<<"$out")"
if [ -z "$out" ]; then
    check "net check exits 0 on a host without problems" lx net check
fi

nft add table inet "$fw"
nft add chain inet "$fw" forward '{ type filter hook forward priority 0; policy drop; }'
fw_before=$(nft list table inet "$fw")
out=$(lx net check 2>&1)
rc=$?
check_eq "net check exits 1" 1 "$rc"
check_match "net check names table, chain and policy" \
    "^forwarded traffic of containers is dropped by table inet $fw chain forward policy drop; fix: nft insert rule inet $fw forward iifname [^ ]+ accept" \
    "$(grep "$fw" <<<"$out")"
check_eq "one line for it" 1 "$(grep -c "$fw" <<<"$out")"
refused 2 "^lxmgr: net: unexpected argument 'extra'" "a bad argument is refused" lx net check extra

new_debian chk1
add_busybox chk1
err=$(lx start chk1 2>&1)
check_eq "start succeeded" 0 "$?"
br=$(store_bridge)
check_match "start warns once, naming the container's bridge" \
    "dropped by table inet $fw chain forward policy drop; fix: .*iifname $br accept" \
    "$(grep "$fw" <<<"$err")"
check_eq "exactly one warning line for it" 1 "$(grep -c "$fw" <<<"$err")"
# A listener upstream, so that only the drop can make the connection fail (bounded: a
# dropped SYN is retried for two minutes).
ip netns exec "$NET_UP_NS" sh -c "sleep 6 | busybox nc -l -p 9201" >/dev/null 2>&1 &
listener=$!
sleep 0.3
check_fails "the container's traffic upstream is dropped meanwhile" \
    lx exec chk1 -- timeout 3 bash -c "exec 3<>/dev/tcp/$NET_UP_PREFIX.2/9201"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
check_eq "lxmgr did not touch $fw" "$fw_before" "$(nft list table inet "$fw")"
# The fix the line gives works: run it, and the container gets through.
fix=$(lx net check 2>/dev/null | grep "$fw" | sed 's/.*; fix: //')
IFS=';' read -r -a cmds <<<"$fix"
for c in "${cmds[@]}"; do
    read -r -a words <<<"$c"
    nft "${words[@]:1}"
done
check_eq "the suggested fix lets the container through" "$NET_UP_PREFIX.1" \
    "$(connect_and_report chk1 "$NET_UP_PREFIX.2" 9203)"

nft delete table inet "$fw"
check_eq "net check forgets it once the table is gone" "" "$(lx net check 2>&1 | grep "$fw")"
check_eq "the container reaches upstream again" "$NET_UP_PREFIX.1" \
    "$(connect_and_report chk1 "$NET_UP_PREFIX.2" 9202)"
check "stop chk1" lx stop chk1
check_bridge_gone "$br"
done_testing
