#!/usr/bin/env bash
# Proves: rootless limits apply for real through the systemd user manager on a pure cgroup2
# systemd host, which this CI machine (a v1+v2 hybrid whose cgroup2 has hugetlb only) cannot
# be, nor can a container on it: a Debian 12 VM (qemu, TCG) boots with systemd on cgroup2
# only and a lingering user with a subuid range; as that user, lxmgr (this build, installed
# in the VM) creates the Debian 12 guest from a tarball with limits.memory 256M and
# limits.pids 64 and boots it; the user manager's scope is Delegate=yes with the memory and
# pids controllers, the payload gets memory.max and pids.max, a 512M allocation inside is
# OOM-killed, 100 background sleeps hit pids.max, and after stop no lxmgr unit or cgroup is
# left in the VM (scripts/vm-rootless-limits.sh does the VM's side).
. "$(dirname "$0")/lib/common.sh"

command -v qemu-system-x86_64 >/dev/null ||
    skip_all "qemu-system-x86_64 is missing (Debian package qemu-system-x86)"
command -v debugfs >/dev/null || skip_all "debugfs is missing (Debian package e2fsprogs)"
builddir=$(cd "$(dirname "$LXMGR")/.." && pwd)
[ -f "$builddir/Makefile" ] || skip_all "needs the build tree of \$LXMGR for make install"

# The VM's root tree is built once (debootstrap with a kernel) and kept with the test rootfs;
# a second run of the suite at the same time waits for the first one's VM.
work=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/vm-rootless
mkdir -p "$work"
exec 9>"$work/.lock"
flock 9
log=$(mktemp /tmp/lxmgr-vm-limits.XXXXXX)
t0=$SECONDS
bash "$TESTS_DIR/../scripts/vm-rootless-limits.sh" "$builddir" "$work" >"$log" 2>&1
status=$?
echo "# the VM's run took $((SECONDS - t0)) s (exit $status)"
result() { sed -n "s/^RESULT $1: //p" "$log" | head -n1; }
if [ "$status" != 0 ] || ! grep -q '^RESULT stop:' "$log"; then
    not_ok "the VM ran the test to its end" "exit $status; the script's last lines, then the console's:"
    tail -n 20 "$log" | sed 's/^/#   /'
    tail -n 15 "$work/console.log" 2>/dev/null | sed 's/^/#   /'
fi

check_eq "the VM's cgroups are cgroup2 only" "cgroup2fs" "$(result 'cgroup fs')"
check_eq "user: start --wait with limits" "exit 0" "$(result 'start --wait')"
scope=$(result scope)
check_match "the user manager's scope is active" 'ActiveState=active' "$scope"
check_match "the user manager's scope has Delegate=yes" 'Delegate=yes' "$scope"
check_match "the scope has the memory and pids controllers" 'controllers: .*memory.* pids' "$scope"
check_eq "the payload's memory.max and pids.max" "memory.max=268435456 pids.max=64" \
    "$(result payload)"
check_match "a 512M allocation inside is OOM-killed" '^exit [1-9][0-9]* \(oom_kill [1-9]' \
    "$(result '512M allocation')"
check_match "100 sleeps hit pids.max" '^exit [1-9][0-9]*; .* max [1-9]' "$(result '100 sleeps')"
check_match "info names the OOM kill as the last event" 'Last event: +oom' \
    "$(sed -n 's/^RESULT info: //p' "$log")"
check_eq "user: stop" "exit 0" "$(result stop)"
check_eq "no lxmgr unit of the user manager is left" "[]" "$(result 'units after stop')"
check_eq "no lxmgr cgroup is left in the VM" "[]" "$(result 'cgroups after stop')"

rm -f "$log" "$work/disk.img"
check_eq "no qemu of this test is left" "" "$(pgrep -f "file=$work/disk.img" 2>/dev/null)"
done_testing
