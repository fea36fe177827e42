#!/usr/bin/env bash
# Proves: root inside a container cannot get out: the chroot escape ends in the container's
# own root, open_by_handle_at, module loading, kexec, raw devices, block mounts, the host's
# clock, host processes and the host's cgroup tree are all out of reach; lxmgr's masks and
# read-only parts of /proc and /sys are locked (no umount, move, remount read-write, bare
# bind, fresh proc or sysfs, also from a nested mount or user namespace), and what they
# cover stays refused by the kernel itself.
. "$(dirname "$0")/lib/common.sh"
setup_store

escape=${LXMGR_ESCAPE:-$(dirname "$LXMGR")/../tests/escape/escape}
[ -x "$escape" ] || skip_all "the escape probe is not built ($escape)"
new_debian esc1
base=$(uid_base_of esc1)
marker=$(mktemp /tmp/lxmgr-escape-marker.XXXXXX)
touch "$T_ROOT/lib/esc1/rootfs/etc/lxmgr-escape-inside"
check "start" lx start esc1
check_eq "running" "running" "$(wait_running esc1)"
check "copy the probe in" sh -c "\"$LXMGR\" --root \"$T_ROOT\" exec esc1 -- sh -c 'cat >/tmp/escape && chmod 0755 /tmp/escape' <\"$escape\""
monitor=$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/esc1/state")
host_mounts=$(sort /proc/self/mountinfo | md5sum)
out=$(lx exec esc1 -- /tmp/escape "$marker" "$monitor")
status=$?
check_eq "the host's mount table is untouched by the probe" "$host_mounts" "$(sort /proc/self/mountinfo | md5sum)"
# Relay the probe's own TAP lines as ours.
while IFS= read -r line; do
    case $line in
    "ok "*) ok "inside: ${line#ok * - }" ;;
    "not ok "*) not_ok "inside: ${line#not ok * - }" ;;
    esac
done <<<"$out"
check_eq "the probe reports no escape" "0" "$status"
check_eq "the chroot escape wrote inside the container, not on the host" "yes no" \
    "$([ -e "$T_ROOT/lib/esc1/rootfs/escaped-by-chroot" ] && echo yes || echo no) $([ -e /escaped-by-chroot ] && echo yes || echo no)"
check_eq "the host's hostname is untouched" "$(hostname)" "$(cat /proc/sys/kernel/hostname)"
case $(cat /proc/sys/kernel/core_pattern) in
*escape*) not_ok "the host's core_pattern is untouched" ;;
*) ok "the host's core_pattern is untouched" ;;
esac
# Under the idmapped mount, files keep the ids they have inside (unshifted on disk); only
# the container's range can reach them as their owner.
lx exec esc1 -- sh -c 'touch /var/tmp/owned && chown 1000:1000 /var/tmp/owned'
check_eq "a file made inside is stored unshifted under the idmapped mount" "1000" \
    "$(stat -c %u "$T_ROOT/lib/esc1/rootfs/var/tmp/owned")"
check_eq "the container sees only its own processes" "0" \
    "$(lx exec esc1 -- sh -c 'ls /proc | grep -c "^$0$"' "$monitor")"
check "stop" lx stop esc1
check_host_clean esc1 "$base"
rm -f "$marker"
done_testing
