#!/usr/bin/env bash
# Helpers of the net-*.sh tests: an "upstream" network namespace of the test's own, a static
# busybox in a container (ping, nc), and the checks that a store's network objects are gone.
# Nothing here sends traffic anywhere but to namespaces and links the test made itself.

NET_UP_NS=
NET_UP_LINK=
NET_UP_PREFIX=

# The store's bridge, as lxmgr names it.
store_bridge() {
    lx net show | awk 'NR == 2 { print $1 }'
}

# net_upstream: a namespace "upstream" with 172.31.X.2/24, joined to the host's 172.31.X.1
# by a veth pair; X depends on our pid so that concurrent tests do not share it.
net_upstream() {
    local x=$(( ($$ % 200) + 20 ))
    NET_UP_NS=lxt-up-$$
    NET_UP_LINK=lxtu$$
    NET_UP_PREFIX=172.31.$x
    ip netns add "$NET_UP_NS" || return 1
    ip link add "$NET_UP_LINK" type veth peer name eth0 netns "$NET_UP_NS" || return 1
    ip addr add "$NET_UP_PREFIX.1/24" dev "$NET_UP_LINK"
    ip link set "$NET_UP_LINK" up
    ip -n "$NET_UP_NS" addr add "$NET_UP_PREFIX.2/24" dev eth0
    ip -n "$NET_UP_NS" link set eth0 up
    ip -n "$NET_UP_NS" link set lo up
}

net_cleanup() {
    [ -n "$NET_UP_NS" ] && ip netns pids "$NET_UP_NS" 2>/dev/null | xargs -r kill 2>/dev/null
    [ -n "$NET_UP_NS" ] && ip netns del "$NET_UP_NS" 2>/dev/null
    [ -n "$NET_UP_LINK" ] && ip link del "$NET_UP_LINK" 2>/dev/null
    return 0
}

# Copies the host's static busybox into a container's rootfs (for ping and nc inside).
add_busybox() {
    local bb
    bb=$(command -v busybox) || skip_all "needs a static busybox on the host (busybox-static)"
    [[ $(ldd "$bb" 2>&1) == *"not a dynamic"* ]] || skip_all "busybox is not statically linked"
    install -m 0755 "$bb" "$T_ROOT/lib/$1/rootfs/usr/local/bin/busybox"
}

# Peer addresses of established TCP connections to PORT in the upstream namespace.
upstream_peers() {
    ip netns exec "$NET_UP_NS" ss -Htn state established "( sport = :$1 )" \
        | awk '{ sub(/:[0-9]+$/, "", $4); gsub(/^\[(::ffff:)?|\]$/, "", $4); print $4 }' | sort -u
}

# connect_and_report NAME IP PORT: the container opens a TCP connection to IP:PORT and holds
# it while the upstream side reports who it sees; prints the peer address seen upstream.
connect_and_report() {
    local name=$1 ip=$2 port=$3 peers
    # nc ends a connection at the end of its input: keep that open while we look. Generous
    # waits (listening, connecting, seeing the peer): a loaded host may take seconds for each.
    ip netns exec "$NET_UP_NS" sh -c "sleep 20 | busybox nc -l -p $port" >/dev/null 2>&1 &
    local listener=$!
    for _ in $(seq 1 50); do
        [ -n "$(ip netns exec "$NET_UP_NS" ss -Hltn "( sport = :$port )")" ] && break
        sleep 0.1
    done
    lx exec "$name" -- bash -c "exec 3<>/dev/tcp/$ip/$port && sleep 3" >/dev/null 2>&1 &
    local client=$!
    for _ in $(seq 1 100); do
        peers=$(upstream_peers "$port")
        [ -n "$peers" ] && break
        sleep 0.1
    done
    wait "$client" 2>/dev/null
    kill "$listener" 2>/dev/null
    wait "$listener" 2>/dev/null
    echo "$peers"
}

# What lxmgr may have left of a bridge: the link, its nft table, routes through it.
check_bridge_gone() {
    local br=$1
    check_fails "bridge $br removed" ip link show dev "$br"
    check_fails "nft table ip lxmgr-$br removed" nft list table ip "lxmgr-$br"
    check_eq "no route through $br" "" "$(ip route show dev "$br" 2>/dev/null)"
}

# After every lxmgr container of the host is gone, ip_forward is back to what lxmgr found.
# Looked at under lxmgr's host lock: other tests may be starting containers meanwhile.
check_ip_forward_restored() {
    local verdict
    verdict=$(flock /run/lxmgr-net/lock sh -c '
        if ip -o link | grep -q "alias lxmgr:"; then echo busy
        elif [ -e /run/lxmgr-net/ip_forward.saved ]; then echo left
        else echo restored; fi')
    if [ "$verdict" = busy ]; then
        ok "ip_forward: other lxmgr containers run on this host, not checked # SKIP"
        return
    fi
    check_eq "no saved ip_forward left (lxmgr restored what it changed)" restored "$verdict"
}
