#!/usr/bin/env bash
# Proves: where the store's file system enforces no project quotas (ext4 without the
# 'project' and 'quota' features, tmpfs), limits.disk is refused in one line naming what it
# lacks, at config set (file untouched) and at start (nothing made), max and unset are
# accepted, and info shows the space used (counted like du); the loop store is removed.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/loopstore.sh"
setup_store

cleanup() {
    lx stop dq1 --kill >/dev/null 2>&1
    lx gc >/dev/null 2>&1
    loop_cleanup
    umount "$T_ROOT/tmpfs" 2>/dev/null
    teardown_store
}
trap cleanup EXIT
loop_store 1G "" "" "$T_ROOT" || skip_all "cannot make and mount a loop ext4 image"
mkdir -p "$T_ROOT/etc"
printf '[net]\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"

# refused EXIT_STATUS PATTERN DESCRIPTION CMD...: fails with that status and one line matching.
refused() {
    local want=$1 pattern=$2 desc=$3 out rc
    shift 3
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" = "$want" ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out =~ $pattern ]]; then
        ok "$desc"
    else
        not_ok "$desc" "exit $rc (want $want), output: $out"
    fi
}

check "create on a plain ext4 store" new_debian dq1 --net none
base=$(uid_base_of dq1)
before=$(md5sum <"$T_ROOT/lib/dq1/config")
lacks="^lxmgr: config dq1: quota: limits.disk needs project quotas: $T_ROOT/lib is ext4 without the 'project' and 'quota' features \(tune2fs -O project,quota"
refused 1 "$lacks" "config set limits.disk on ext4 without project quotas" \
    lx config dq1 set limits.disk 1G
check_eq "the refused set left the config file untouched" "$before" "$(md5sum <"$T_ROOT/lib/dq1/config")"
refused 1 "config: limits.disk: invalid size 'lots'" "an invalid size is refused" \
    lx config dq1 set limits.disk lots
refused 1 "config: limits.disk: invalid size '512K'" "a size under 1M is refused" \
    lx config dq1 set limits.disk 512K
check "limits.disk max (no limit) is accepted" lx config dq1 set limits.disk max
check "unset is accepted" lx config dq1 unset limits.disk

# A limit from the store's defaults reaches start, which refuses before making anything.
printf '[limits]\ndisk = 2G\n' >>"$T_ROOT/etc/lxmgr.conf"
refused 1 "^lxmgr: start dq1: quota: limits.disk needs project quotas: $T_ROOT/lib is ext4 without" \
    "start with limits.disk on ext4 without project quotas" lx start dq1
check_eq "the refused start made no runtime files" "" "$(ls -A "$T_ROOT/run/dq1" 2>/dev/null)"
check_eq "the refused start made no cgroup" "" "$(host_cgroups_of dq1)"
printf '[net]\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"

# Usage without a quota: a walk, within 5% of du's count of the same tree.
used=$(lx info dq1 --json | grep -o '"disk_bytes": [0-9]*' | grep -o '[0-9]*$')
du_bytes=$(du -sB1 "$T_ROOT/lib/dq1" | cut -f1)
if [ -n "$used" ] && [ "$used" -ge $((du_bytes * 95 / 100)) ] && [ "$used" -le $((du_bytes * 105 / 100)) ]; then
    ok "info --json shows the space used ($used bytes; du: $du_bytes)"
else
    not_ok "info --json shows the space used" "disk_bytes: '$used', du: $du_bytes"
fi
check_match "info --json shows no limit" '"disk_limit_bytes": 0' "$(lx info dq1 --json)"
check_match "info shows the space used" "^Disk: +1[0-9][0-9]\.[0-9]M used$" "$(lx info dq1 | grep '^Disk:')"
check "start without limits.disk" lx start dq1
check_match "systemd inside comes up" "^(running|degraded)$" "$(wait_running dq1)"
check "stop" lx stop dq1
check_host_clean_loop() {
    check_eq "$1: no cgroup left" "" "$(host_cgroups_of dq1)"
    check_eq "$1: no process of its id range left" "" "$(host_procs_in_range "$base" | tr '\n' ' ')"
    check_eq "$1: no runtime files left" "" "$(ls -A "$T_ROOT/run/dq1" 2>/dev/null)"
    check_eq "$1: no mount under the store" "0" "$(grep -c " $T_ROOT/" /proc/self/mountinfo)"
}
check_host_clean_loop "after stop"
check "destroy" lx destroy dq1

# tmpfs keeps no project quotas at all.
mkdir -p "$T_ROOT/tmpfs"
mount -t tmpfs -o size=600M lxmgr-test-dq "$T_ROOT/tmpfs" || skip_all "cannot mount a tmpfs"
mkdir -p "$T_ROOT/tmpfs/etc"
printf '[net]\ndns = local\n' >"$T_ROOT/tmpfs/etc/lxmgr.conf"
lx --root "$T_ROOT/tmpfs" create dq2 --rootfs "$(debian_rootfs)" --net none >/dev/null 2>&1
refused 1 "^lxmgr: config dq2: quota: limits.disk needs project quotas: $T_ROOT/tmpfs/lib is tmpfs, which has no project quotas$" \
    "config set limits.disk on a tmpfs store" "$LXMGR" --root "$T_ROOT/tmpfs" config dq2 set limits.disk 1G
"$LXMGR" --root "$T_ROOT/tmpfs" destroy dq2 >/dev/null 2>&1
umount "$T_ROOT/tmpfs"

loop_cleanup
check_eq "the loop store is unmounted" "0" "$(grep -c " $T_ROOT" /proc/self/mountinfo)"
check_eq "no loop device is left" "" "$(loop_leftovers)"
done_testing
