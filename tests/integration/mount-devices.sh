#!/usr/bin/env bash
# Proves: device.NAME hands a host character device in at the same path (/dev/net/tun,
# /dev/fuse) as a node of the container's own (the host's number and mode, owned by root
# inside: the host node is 0600 root, which a user namespace shows as nobody), refuses what is
# not a character device with one line, and changes nothing on the host node; the devices
# cgroup allows exactly the standard nodes and the declared ones: v1 devices.list is that
# list, and nodes planted in the rootfs by the host (block 7:0, loop-control) cannot be
# opened inside; the cgroup2 BPF program alone and the v1 rules alone each deny them (a host
# process joined to one side only); `ip tuntap add` works and a FUSE file system (a static
# libfuse-less server) mounts inside, serves a file and unmounts. Stop leaves nothing behind.
. "$(dirname "$0")/lib/common.sh"
setup_store
[ -c /dev/net/tun ] && [ -c /dev/fuse ] || skip_all "the host has no /dev/net/tun or /dev/fuse"

new_debian dv1
cfg=$T_ROOT/lib/dv1/config
before=$(cat "$cfg")
block=$(find /dev -maxdepth 1 -type b | head -n 1)
if [ -n "$block" ]; then
    refused 1 "^lxmgr: .*device.blk: $block is not a character device\$" \
        "a block device is refused, in one line naming it" lx config dv1 set device.blk "$block"
fi
refused 1 "^lxmgr: config dv1: config: .*device.x: invalid device '/etc/passwd'" \
    "a path outside /dev is refused" lx config dv1 set device.x /etc/passwd
refused 1 "^lxmgr: config dv1: config: .*device.x: device /dev/lxmgr-nonexistent: No such file" \
    "a missing node is refused" lx config dv1 set device.x /dev/lxmgr-nonexistent
refused 1 "^lxmgr: config dv1: config: .*device.x: /dev/net is not a character device\$" \
    "a directory is refused" lx config dv1 set device.x /dev/net
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
check_eq "the nodes are root's inside, with the host's mode" \
    "$(stat -c '%a' /dev/net/tun) 0 0 $(stat -c '%a' /dev/fuse) 0 0" \
    "$(lx exec dv1 -- stat -c '%a %u %g' /dev/net/tun /dev/fuse | tr '\n' ' ' | sed 's/ $//')"
check "ip tuntap add works" lx exec dv1 -- ip tuntap add dev tap0 mode tap
check "and tap0 exists inside" lx exec dv1 -- ip link show tap0

# FUSE: a static server speaking /dev/fuse itself.
fuse=${LXMGR_FUSE_HELLO:-$(dirname "$LXMGR")/../tests/fuse/fuse-hello}
if [ -x "$fuse" ]; then
    check "copy the FUSE server in" sh -c "\"$LXMGR\" --root \"$T_ROOT\" exec dv1 -- sh -c 'cat >/usr/local/bin/fuse-hello && chmod 0755 /usr/local/bin/fuse-hello' <\"$fuse\""
    check "a FUSE file system mounts inside" lx exec dv1 -- sh -c 'mkdir -p /mnt/fuse && fuse-hello /mnt/fuse'
    check_eq "it is a fuse mount" "fuse.hello" "$(lx exec dv1 -- findmnt -no FSTYPE /mnt/fuse)"
    check_eq "its file reads" "hello from fuse" "$(lx exec dv1 -- cat /mnt/fuse/hello)"
    check "it unmounts" lx exec dv1 -- umount /mnt/fuse
    # The server sees ENODEV once the kernel has torn the connection down: give it a moment.
    for _ in $(seq 1 40); do
        lx exec dv1 -- pgrep -x fuse-hello >/dev/null || break
        sleep 0.05
    done
    check_fails "its server is gone" lx exec dv1 -- pgrep -x fuse-hello
else
    not_ok "the FUSE server is built" "missing: $fuse"
fi

# The devices cgroup: the standard nodes and the declared ones, nothing else.
want=$(printf '%s\n' "c 1:3 rwm" "c 1:5 rwm" "c 1:7 rwm" "c 1:8 rwm" "c 1:9 rwm" "c 5:0 rwm" \
    "c 5:1 rwm" "c 5:2 rwm" "c 136:* rwm" "c 10:200 rwm" "c 10:229 rwm" | sort)
v1dir=$(find /sys/fs/cgroup/devices -maxdepth 2 -type d -name "lxmgr-*-dv1.scope" 2>/dev/null)
if [ -n "$v1dir" ]; then
    check_eq "v1 devices.list is exactly those" "$want" "$(sort "$v1dir/devices.list")"
fi
rootfs=$T_ROOT/lib/dv1/rootfs
mknod "$rootfs/root/blk" b 7 0
mknod "$rootfs/root/loopctl" c 10 237
mknod "$rootfs/root/fuse" c 10 229
out=$(lx exec dv1 -- sh -c 'exec 3</root/blk' 2>&1)
check_match "a planted block device node cannot be opened" "Operation not permitted" "$out"
out=$(lx exec dv1 -- sh -c 'exec 3<>/root/loopctl' 2>&1)
check_match "a planted loop-control node cannot be opened" "Operation not permitted" "$out"
check "a planted node of an allowed number opens" lx exec dv1 -- sh -c 'exec 3<>/root/fuse'
check "the standard nodes work" lx exec dv1 -- sh -c 'head -c 8 /dev/urandom >/dev/null && : >/dev/null'
out=$(lx exec dv1 -- mknod /root/blk2 b 7 0 2>&1)
check_match "mknod inside is refused" "Operation not permitted" "$out"

# Each side on its own: a host process in only the container's cgroup2 leaf (BPF program),
# then in only its v1 devices cgroup, opens the host's /dev/loop-control.
init=$(lx info dv1 | sed -n 's/^Init PID: *//p')
leaf=$(sed -n 's/^0:://p' "/proc/$init/cgroup")
unified=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
# shellcheck disable=SC2016 # expanded by the probe's own shell
probe='echo $$ >"$1/cgroup.procs" || exit 9
true 3<>/dev/loop-control && echo loopctl-opened
true 4<>/dev/null && echo null-opened'
out=$(sh -c "$probe" probe "$unified$leaf" 2>&1)
check_match "cgroup2 BPF alone: loop-control is denied" "loop-control: Operation not permitted" "$out"
check_match "cgroup2 BPF alone: /dev/null is allowed" "null-opened" "$out"
if [ -n "$v1dir" ]; then
    out=$(sh -c "$probe" probe "$v1dir" 2>&1)
    check_match "v1 devices alone: loop-control is denied" "loop-control: Operation not permitted" "$out"
    check_match "v1 devices alone: /dev/null is allowed" "null-opened" "$out"
fi
base=$(uid_base_of dv1)
check "stop" lx stop dv1
ps -eo uid=,pid=,stat=,comm=,cgroup= | awk -v b="$base" '$1 >= b && $1 < b + 65536' | sed "s/^/# left: /"
check_host_clean dv1 "$base"
check_eq "the host's tun node is unchanged" "$host_tun" "$(stat -c '%a %u %g %t:%T' /dev/net/tun)"
check_eq "the host's fuse node is unchanged" "$host_fuse" "$(stat -c '%a %u %g %t:%T' /dev/fuse)"
done_testing
