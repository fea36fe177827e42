#!/usr/bin/env bash
# Proves: when another process holds port 53 on the bridge's gateway address, the start that
# needs the bridge's dnsmasq fails in one line naming that process (pid and command), and
# leaves no veth of the failed container; once the port is free, the start succeeds.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; teardown_store' EXIT
command -v python3 >/dev/null || skip_all "needs python3 to hold a port"

# dh1 brings the bridge up without a dnsmasq.
new_debian dh1
lx config dh1 set net.dns off
check "start dh1 (no dnsmasq)" lx start dh1
br=$(store_bridge)
gw=$(ip -4 -o addr show dev "$br" | awk '{ sub(/\/.*/, "", $4); print $4 }')
check_match "the bridge has its gateway" "^10\." "$gw"

python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
time.sleep(120)' "$gw" &
holder=$!
for _ in $(seq 1 20); do
    grep -q ":0035 " /proc/net/udp && break
    sleep 0.1
done
new_debian dh2
out=$(lx start dh2 2>&1)
check_fails "start of dh2 fails while port 53 is held" test $? = 0
check_match "the error names the holder" \
    "dnsmasq for $br failed to start .*: udp port 53 of $br is held by pid $holder \\(" "$out"
check_eq "one line about it" 1 "$(grep -c "held by" <<<"$out")"
check_fails "no veth of dh2 left" sh -c "ip -o link | grep -q 'alias lxmgr:veth:.*/dh2\$'"

kill "$holder"
wait "$holder" 2>/dev/null
holder=
check "dh2 starts once the port is free" lx start dh2
check "stop dh2" lx stop dh2
check "stop dh1" lx stop dh1
check_bridge_gone "$br"
done_testing
