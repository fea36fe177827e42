#!/usr/bin/env bash
# Proves: net.forward / --forward publishes a container's port on the host through DNAT in
# lxmgr's own nft table: it answers on the host's address from the host itself, on the host's
# 127.0.0.1, from another network namespace and from the container itself (hairpin); the
# container cannot reach the host's loopback services through route_localnet; a port another
# container already forwards is refused before anything is made; bad values are refused; stop
# leaves no rule behind and turns route_localnet off again; a monitor killed with SIGKILL
# leaves a forward table that gc removes.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store
trap 'teardown_store; net_cleanup' EXIT
net_upstream || skip_all "cannot create a network namespace"
port=$(( 20000 + $$ % 20000 ))
# http_get [NETNS] IP PORT: the body's last line of GET /index.html (bash's /dev/tcp: the
# static busybox's wget crashes on some hosts).
http_get() {
    local ns=()
    [ $# = 3 ] && { ns=(ip netns exec "$1"); shift; }
    timeout 4 "${ns[@]}" bash -c "exec 3<>/dev/tcp/$1/$2 && \
        printf 'GET /index.html HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2>/dev/null | tail -n 1
}
uport=$(( port + 1 ))
host_ip=$NET_UP_PREFIX.1

# Bad values, each refused at create and at config set.
for bad in tcp:0:80 sctp:1:2 tcp:8080 tcp:8080:80:1 tcp:70000:80 "tcp:1:2 tcp:1:3"; do
    refused 1 "^lxmgr: create bad$$: net: --forward .* is not PROTO:HOSTPORT:PORT" \
        "--forward '$bad' refused" lx create "bad$$" --rootfs "$(debian_rootfs)" --forward "$bad"
done
refused 1 "^lxmgr: create bad$$: net: --forward needs --net bridge or pasta\$" "--forward with --net none refused" \
    lx create "bad$$" --rootfs "$(debian_rootfs)" --net none --forward "tcp:$port:80"
check_eq "a refused create leaves no container" "" "$(lx list 2>/dev/null | grep "bad$$")"

new_debian fw1 --forward "tcp:$port:80" --forward "udp:$uport:53"
check_eq "both --forward are recorded" "tcp:$port:80 udp:$uport:53" \
    "$(lx config fw1 get net.forward)"
refused 1 "^lxmgr: config fw1: config: .*net.forward: invalid port forwards 'tcp:1'" \
    "config set of a bad net.forward refused" lx config fw1 set net.forward tcp:1
add_busybox fw1
ip1=$(lx config fw1 get net.ip)
check "start fw1" lx start fw1
veth=$(awk -F= '$1 == "net_forward" { print $2 }' "$T_ROOT/run/fw1/state")
check_match "the forward table is journalled" "^lxmgr-fwd-" "$veth"
rules=$(nft list table ip "$veth" 2>&1)
check_match "DNAT from other hosts" "prerouting.*fib daddr type local tcp dport $port dnat to $ip1:80" \
    "$(echo "$rules" | tr '\n' ' ')"
check_match "DNAT from the host itself" "output.*fib daddr type local tcp dport $port dnat to $ip1:80" \
    "$(echo "$rules" | tr '\n' ' ')"
check_match "udp forwarded too" "udp dport $uport dnat to $ip1:53" "$rules"

lx exec fw1 -- sh -c "mkdir -p /srv/www && echo hello-fw1-$$ >/srv/www/index.html && \
    busybox httpd -p 80 -h /srv/www" >/dev/null 2>&1
got=""
for _ in $(seq 1 20); do
    got=$(http_get "$host_ip" "$port")
    [ -n "$got" ] && break
    sleep 0.2
done
check_eq "the forwarded port answers from the host (host address $host_ip)" "hello-fw1-$$" "$got"
check_eq "and from another namespace" "hello-fw1-$$" \
    "$(http_get "$NET_UP_NS" "$host_ip" "$port")"
check_eq "the forwarded port answers on the host's 127.0.0.1" "hello-fw1-$$" \
    "$(http_get 127.0.0.1 "$port")"
br=$(store_bridge)
check_eq "route_localnet is on for the bridge while a forward is up" 1 \
    "$(cat "/proc/sys/net/ipv4/conf/$br/route_localnet")"
check_eq "hairpin: the container reaches its own forwarded port on the host's address" \
    "hello-fw1-$$" "$(lx exec fw1 -- bash -c "exec 3<>/dev/tcp/$host_ip/$port && \
        printf 'GET /index.html HTTP/1.0\r\n\r\n' >&3 && timeout 4 cat <&3" 2>/dev/null | tail -n 1)"
# The guard: a SYN of the container for the host's 127.0.0.1, sent through the gateway (its
# own local 127/8 routes removed), must not reach a service that listens on loopback only
# (route_localnet would deliver it: CVE-2020-8558). A SYN that arrives leaves a SYN-RECV.
lport=$(( port + 3 ))
mkdir -p "$T_ROOT/lo-www"
busybox httpd -f -p "127.0.0.1:$lport" -h "$T_ROOT/lo-www" &
lo_listener=$!
sleep 0.3
gw=$(lx exec fw1 -- ip -4 route show default | awk '{ print $3 }')
check_match "the container routes 127.0.0.1 through the gateway" "via $gw dev eth0" \
    "$(lx exec fw1 -- sh -c "ip route del local 127.0.0.0/8 dev lo table local; \
        ip route del local 127.0.0.1 dev lo table local; \
        ip route add 127.0.0.1/32 via $gw dev eth0; ip route get 127.0.0.1" 2>&1)"
lx exec fw1 -- timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$lport" >/dev/null 2>&1
check_eq "the container's SYN never reached the host's loopback-only service" "" \
    "$(ss -Htn state syn-recv "( sport = :$lport )")"
kill "$lo_listener" 2>/dev/null
wait "$lo_listener" 2>/dev/null
check_eq "the container's own port 80 is not published as such" "" \
    "$(http_get "$NET_UP_NS" "$host_ip" 80)"
check_eq "a port that is not forwarded does not answer" "" \
    "$(http_get "$NET_UP_NS" "$host_ip" $(( port + 2 )))"

# Another container asking for the same host port: refused before anything is made.
new_debian fw2 --forward "tcp:$port:80"
refused 1 "^lxmgr: start fw2: .*tcp port $port is already forwarded.*$veth" \
    "start of fw2 with the same port refused, naming the port and the table" lx start fw2
check_fails "fw2 left no veth" sh -c "ip -o link | grep -q 'alias lxmgr:veth:.*/fw2\$'"
check_eq "fw2 left no forward table" "1" "$(nft list tables ip | grep -c lxmgr-fwd-)"

check "stop fw1" lx stop fw1
check_fails "the forward table is gone" nft list table ip "$veth"
check_eq "no rule for the port left" "" "$(nft list ruleset | grep -E "dport ($port|$uport) ")"
check_bridge_gone "$br"
check_eq "the port no longer answers" "" "$(http_get "$NET_UP_NS" "$host_ip" "$port")"
check "fw2 starts once fw1 released the port" lx start fw2
table2=$(awk -F= '$1 == "net_forward" { print $2 }' "$T_ROOT/run/fw2/state")
check "fw2's forward table exists" nft list table ip "$table2"
kill -9 "$(awk -F= '$1 == "monitor_pid" { print $2 }' "$T_ROOT/run/fw2/state")"
for _ in $(seq 1 100); do
    [ -z "$(host_procs_in_range "$(uid_base_of fw2)")" ] && break
    sleep 0.05
done
check "the killed monitor left the forward table" nft list table ip "$table2"
check "gc" lx gc
check_fails "gc removed the forward table" nft list table ip "$table2"
check_eq "nothing of lxmgr-fwd left" "" "$(nft list tables | grep "lxmgr-fwd-")"
check_bridge_gone "$br"
check_fails "no saved route_localnet left" test -e "/run/lxmgr-net/route_localnet-$br.saved"
done_testing
