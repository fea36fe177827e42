#!/usr/bin/env bash
# Proves: with the NSS module (libnss_lxmgr.so.2, "hosts: lxmgr ..." in nsswitch.conf) the
# host itself resolves NAME.lxmgr of running bridged containers, through glibc, without asking
# dnsmasq: getent hosts/ahosts, any case and a trailing dot, the reverse of an address, ping by
# name, also as an unprivileged user; a stopped container's name and address are gone; names
# not lxmgr's fall through to the next source (files). The host's own /etc/nsswitch.conf and
# /etc/hosts are never touched: each lookup runs in a private mount namespace over which
# modified copies are bind-mounted, with LD_LIBRARY_PATH at the freshly built module.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"

module=$(cd "$(dirname "$LXMGR")/../nss" 2>/dev/null && pwd)/libnss_lxmgr.so.2
[ -f "$module" ] || skip_all "the NSS module is not built ($module)"
command -v ping >/dev/null || skip_all "needs ping (iputils-ping)"
command -v unshare >/dev/null || skip_all "needs unshare (util-linux)"
setup_store
# A directory nobody can read: the unprivileged lookup loads the module from it.
NSS_LIB=$(mktemp -d /tmp/lxmgr-nss.XXXXXX)
trap 'rm -rf "$NSS_LIB"; teardown_store' EXIT
chmod 0755 "$NSS_LIB"
install -m 0644 "$module" "$NSS_LIB/"

a=nh$$a
b=nh$$b
other=other$$.lxmgr
# lxmgr first: a name it does not know must reach files.
{ grep -v '^hosts:' /etc/nsswitch.conf; echo 'hosts: lxmgr files'; } >"$T_ROOT/nsswitch.conf"
{ cat /etc/hosts; echo "192.0.2.77 $other"; } >"$T_ROOT/hosts"
{ grep -v '^hosts:' /etc/nsswitch.conf; echo 'hosts: files'; } >"$T_ROOT/nsswitch-files"
chmod 0644 "$T_ROOT/nsswitch.conf" "$T_ROOT/hosts" "$T_ROOT/nsswitch-files"

# nss_run NSSWITCH CMD...: CMD in a private mount namespace that sees NSSWITCH as
# /etc/nsswitch.conf and the test's hosts file as /etc/hosts, the module on LD_LIBRARY_PATH.
nss_run() {
    local conf=$1
    shift
    unshare -m --propagation private sh -c '
        mount --bind "$1" /etc/nsswitch.conf && mount --bind "$2" /etc/hosts || exit 99
        shift 2
        exec env LD_LIBRARY_PATH="$NSS_LIB" "$@"' nss_run "$conf" "$T_ROOT/hosts" "$@"
}
lookup() {
    nss_run "$T_ROOT/nsswitch.conf" "$@"
}
export NSS_LIB

new_debian "$a"
new_debian "$b"
ip_a=$(lx config "$a" get net.ip)
ip_b=$(lx config "$b" get net.ip)
check "start $a" lx start "$a"
check "start $b" lx start "$b"
br=$(store_bridge)
hosts=/run/lxmgr-net/dnsmasq-$br.hosts

check_eq "getent hosts $a.lxmgr" "$ip_a $a.lxmgr" \
    "$(lookup getent hosts "$a.lxmgr" | awk '{ print $1, $2 }')"
check_eq "getent ahosts $b.lxmgr (getaddrinfo)" "$ip_b" \
    "$(lookup getent ahostsv4 "$b.lxmgr" | awk '{ print $1 }' | sort -u)"
check_match "getent ahosts $b.lxmgr names it" "^$ip_b +STREAM $b.lxmgr" \
    "$(lookup getent ahosts "$b.lxmgr")"
check_eq "any case and a trailing dot" "$ip_a" \
    "$(lookup getent hosts "${a^^}.LXMGR." | awk '{ print $1 }')"
check_eq "the reverse of $ip_b is $b.lxmgr" "$ip_b $b.lxmgr" \
    "$(lookup getent hosts "$ip_b" | awk '{ print $1, $2 }')"
loaded=$(lookup env LD_DEBUG=libs getent hosts "$a.lxmgr" 2>&1 >/dev/null |
    grep -o "calling init: [^ ]*libnss_lxmgr.so.2" | awk '{ print $3 }')
check_eq "glibc loaded the module just built" "$NSS_LIB/libnss_lxmgr.so.2" "$loaded"
out=$(lookup ping -c1 -W2 "$a.lxmgr" 2>&1)
check_match "the host pings $a.lxmgr" "^PING $a.lxmgr \($ip_a\).* 1 received" "$(tr '\n' ' ' <<<"$out")"
check_eq "the bridge's hosts file is world-readable" "644" "$(stat -c %a "$hosts")"
check_eq "and so is its directory" "755" "$(stat -c %a /run/lxmgr-net)"
check_eq "an unprivileged user resolves $a.lxmgr" "$ip_a" \
    "$(lookup setpriv --reuid=65534 --regid=65534 --clear-groups \
        getent hosts "$a.lxmgr" | awk '{ print $1 }')"
check_fails "without lxmgr in nsswitch.conf the host does not resolve it" \
    nss_run "$T_ROOT/nsswitch-files" getent hosts "$a.lxmgr"
check_eq "a .lxmgr name lxmgr does not know falls through to files" "192.0.2.77" \
    "$(lookup getent hosts "$other" | awk '{ print $1 }')"
check_match "localhost falls through to files" "^(127\.0\.0\.1|::1) " \
    "$(lookup getent hosts localhost)"
check_fails "a name nobody knows is not found" lookup getent hosts "nosuch$$.lxmgr"

check "stop $b" lx stop "$b"
check_fails "the stopped $b.lxmgr no longer resolves" lookup getent hosts "$b.lxmgr"
check_fails "nor does its address" lookup getent hosts "$ip_b"
check_eq "$a.lxmgr still does" "$ip_a" "$(lookup getent hosts "$a.lxmgr" | awk '{ print $1 }')"
check "stop $a" lx stop "$a"
check_fails "after the last stop nothing resolves" lookup getent hosts "$a.lxmgr"
check_host_clean "$a" "$(uid_base_of "$a")"
check_host_clean "$b" "$(uid_base_of "$b")"
check_bridge_gone "$br"
done_testing
