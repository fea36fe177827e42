#!/usr/bin/env bash
# Proves: device.NAME binds a host character device into the container's /dev at the same
# path (/dev/net/tun, /dev/fuse), refuses what is not a character device with one line, and
# that the node is usable inside exactly when its host mode lets "other" use it: the node is
# owned by the host's root, which a user namespace shows as nobody, and the kernel does not
# let root inside override the permissions of an unmapped owner (devtmpfs cannot be
# idmapped). lxmgr changes nothing on the host node. Stop leaves nothing behind.
. "$(dirname "$0")/lib/common.sh"
setup_store
[ -c /dev/net/tun ] && [ -c /dev/fuse ] || skip_all "the host has no /dev/net/tun or /dev/fuse"

new_debian dv1
cfg=$T_ROOT/lib/dv1/config
before=$(cat "$cfg")
block=$(find /dev -maxdepth 1 -type b | head -n 1)
if [ -n "$block" ]; then
    out=$(lx config dv1 set device.blk "$block" 2>&1)
    check_fails "a block device is refused" test $? = 0
    check_match "with one line naming it" "^lxmgr: .*device.blk: $block is not a character device\$" "$out"
fi
check_fails "a path outside /dev is refused" lx config dv1 set device.x /etc/passwd
check_fails "a missing node is refused" lx config dv1 set device.x /dev/lxmgr-nonexistent
check_fails "a directory is refused" lx config dv1 set device.x /dev/net
check_eq "the config is untouched" "$before" "$(cat "$cfg")"

host_tun=$(stat -c '%a %u %g %t:%T' /dev/net/tun)
host_fuse=$(stat -c '%a %u %g %t:%T' /dev/fuse)
check "set device.tun" lx config dv1 set device.tun /dev/net/tun
check "set device.fuse" lx config dv1 set device.fuse /dev/fuse
check_match "info lists the devices" "Device: +tun: /dev/net/tun" "$(lx info dv1)"
check "start" lx start dv1
check_eq "it boots" "running" "$(wait_running dv1)"
check "/dev/net/tun is a character device inside" lx exec dv1 -- test -c /dev/net/tun
check "/dev/fuse is a character device inside" lx exec dv1 -- test -c /dev/fuse
check_eq "with the host's major:minor" "$(stat -c '%t:%T' /dev/net/tun)" \
    "$(lx exec dv1 -- stat -c '%t:%T' /dev/net/tun)"
check_fails "a device not declared is absent" lx exec dv1 -- test -e /dev/kvm
out=$(lx exec dv1 -- ip tuntap add dev tap0 mode tap 2>&1)
rc=$?
case $(stat -c '%a' /dev/net/tun) in
*6)
    check_eq "ip tuntap add works (the host node is world-usable)" "0" "$rc"
    check "and tap0 exists inside" lx exec dv1 -- ip link show tap0
    ;;
*)
    echo "# /dev/net/tun is mode $(stat -c '%a' /dev/net/tun) on this host: refused inside: $out"
    check_match "ip tuntap add is refused by the host node's mode" "Permission denied" "$out"
    check_eq "the node reads as nobody's inside" "65534" \
        "$(lx exec dv1 -- stat -c '%u' /dev/net/tun)"
    ;;
esac
base=$(uid_base_of dv1)
check "stop" lx stop dv1
check_host_clean dv1 "$base"
check_eq "the host's tun node is unchanged" "$host_tun" "$(stat -c '%a %u %g %t:%T' /dev/net/tun)"
check_eq "the host's fuse node is unchanged" "$host_fuse" "$(stat -c '%a %u %g %t:%T' /dev/fuse)"
done_testing
