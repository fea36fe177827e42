#!/usr/bin/env bash
# Proves: limits.disk holds root inside a booted container to its project quota: on a store
# made by the test (a loop ext4 with the 'project' and 'quota' features, mounted prjquota),
# dd past the limit fails with EDQUOT while the store keeps its free space, info shows the
# usage and the limit, destroy lifts the limit, and the loop device and mount are removed.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/loopstore.sh"
setup_store

cleanup() {
    lx stop dq1 --kill >/dev/null 2>&1
    lx gc >/dev/null 2>&1
    loop_cleanup
    teardown_store
}
trap cleanup EXIT
# Project quotas need the kernel's quota format (CONFIG_QFMT_V2); without it the mount fails.
loop_store 2G "-O project,quota" prjquota "$T_ROOT" ||
    skip_kernel "cannot mount ext4 with project quotas (kernel without CONFIG_QFMT_V2)"
mkdir -p "$T_ROOT/etc"
printf '[net]\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"

check "create on a project-quota store" new_debian dq1 --net none
base=$(uid_base_of dq1)
check "config set limits.disk 300M" lx config dq1 set limits.disk 300M
check_eq "every file of the tree has the project id (uid_base)" "" \
    "$(lsattr -p -R "$T_ROOT/lib/dq1" 2>/dev/null | awk -v id="$base" '$1 != id && NF > 2' | head -3)"
check "start" lx start dq1
check_match "systemd inside comes up" "^(running|degraded)$" "$(wait_running dq1)"

avail_before=$(df --output=avail -B1 "$T_ROOT" | tail -1 | tr -d ' ')
# Root inside has no CAP_SYS_RESOURCE in the host's user namespace, so the limit holds.
out=$(lx exec dq1 -- dd if=/dev/zero of=/var/tmp/fill bs=1M count=400 conv=fsync 2>&1)
rc=$?
[ "$rc" != 0 ] && ok "dd of 400M as root inside fails" || not_ok "dd of 400M as root inside fails" "exit $rc: $out"
check_match "with EDQUOT" "Disk quota exceeded" "$out"
size=$(stat -c %s "$T_ROOT/lib/dq1/rootfs/var/tmp/fill" 2>/dev/null || echo 0)
[ "$size" -lt $((300 << 20)) ] && ok "the file stopped under the limit ($size bytes)" ||
    not_ok "the file stopped under the limit" "size $size"
avail_after=$(df --output=avail -B1 "$T_ROOT" | tail -1 | tr -d ' ')
[ "$avail_after" -gt $((avail_before - (300 << 20))) ] && [ "$avail_after" -gt $((1 << 30)) ] &&
    ok "the store keeps its free space ($avail_after bytes)" ||
    not_ok "the store keeps its free space" "before $avail_before, after $avail_after"
json=$(lx info dq1 --json)
check_match "info --json shows the limit" '"disk_limit_bytes": 314572800' "$json"
used=$(grep -o '"disk_bytes": [0-9]*' <<<"$json" | grep -o '[0-9]*$')
[ "${used:-0}" -gt $((250 << 20)) ] && [ "$used" -le $((300 << 20)) ] &&
    ok "info --json shows the usage near the limit ($used bytes)" ||
    not_ok "info --json shows the usage near the limit" "disk_bytes: '$used'"
check_match "info shows usage and limit" "^Disk: +[0-9.]+M used of 300\.0M \(project quota\)$" \
    "$(lx info dq1 | grep '^Disk:')"
check "a file removed inside gives the space back" lx exec dq1 -- rm -f /var/tmp/fill
check "writing below the limit works again" lx exec dq1 -- dd if=/dev/zero of=/var/tmp/small bs=1M count=10
check "stop" lx stop dq1
check_eq "after stop: no cgroup left" "" "$(host_cgroups_of dq1)"
check_eq "after stop: no process of its id range left" "" "$(host_procs_in_range "$base" | tr '\n' ' ')"
check_eq "after stop: no runtime files left" "" "$(ls -A "$T_ROOT/run/dq1" 2>/dev/null)"
check_eq "after stop: no mount under the store" "0" "$(grep -c " $T_ROOT/" /proc/self/mountinfo)"
check "destroy" lx destroy dq1
if command -v repquota >/dev/null; then
    check_eq "destroy lifted the limit of project $base" "" \
        "$(repquota -P -n "$T_ROOT" | awk -v id="#$base" '$1 == id && $5 != 0')"
else
    ok "destroy lifted the limit # SKIP repquota (package quota) is not installed"
fi

loop_cleanup
check_eq "the loop store is unmounted" "0" "$(grep -c " $T_ROOT" /proc/self/mountinfo)"
check_eq "no loop device is left" "" "$(loop_leftovers)"
done_testing
