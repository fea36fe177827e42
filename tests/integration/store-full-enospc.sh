#!/usr/bin/env bash
# Proves: on a store whose file system is full, start and clone --snapshot fail with one line
# saying "No space left on device" (not "Operation canceled" or "Input/output error"), leave
# no runtime files, cgroup, mount or half clone behind, and start works once space is back.
. "$(dirname "$0")/lib/common.sh"
setup_store

# The store is a small tmpfs of its own, so that filling it touches nothing else.
cleanup() {
    lx stop full1 --kill >/dev/null 2>&1
    lx gc >/dev/null 2>&1
    umount "$T_ROOT" 2>/dev/null
    teardown_store
}
trap cleanup EXIT
mount -t tmpfs -o size=400M,mode=0755 lxmgr-test-full "$T_ROOT" || skip_all "cannot mount a tmpfs"
mkdir -p "$T_ROOT/etc"
printf '[net]\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"

check "a container is created in the roomy store" new_debian full1 --net none
base=$(uid_base_of full1)
dd if=/dev/zero of="$T_ROOT/filler" bs=1M >/dev/null 2>&1
check_eq "the store's file system is full" "0" "$(df --output=avail "$T_ROOT" | tail -1 | tr -d ' ')"

# refused_full DESCRIPTION CMD...: fails with one line naming ENOSPC.
refused_full() {
    local desc=$1 out rc
    shift
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
        [[ $out =~ No\ space\ left\ on\ device ]]; then
        ok "$desc"
    else
        not_ok "$desc" "exit $rc, output: $out"
    fi
}

# Nothing of a failed start: no runtime files, cgroup, process or mount under the store.
check_nothing_left() {
    check_eq "$1: no cgroup left" "" "$(host_cgroups_of full1)"
    check_eq "$1: no process of its id range left" "" "$(host_procs_in_range "$base" | tr '\n' ' ')"
    check_eq "$1: no runtime files left" "" "$(ls -A "$T_ROOT/run/full1" 2>/dev/null)"
    check_eq "$1: no mount under the store" "0" "$(grep -c " $T_ROOT/" /proc/self/mountinfo)"
}

refused_full "start on a full store says ENOSPC" lx start full1
check_nothing_left "after the failed start"
check_eq "the container is still stopped" "stopped" "$(lx list | awk '$1 == "full1" { print $2 }')"

refused_full "clone --snapshot on a full store says ENOSPC" lx clone full1 snap1 --snapshot
check_eq "no half clone is left in the store" "full1" "$(ls -A "$T_ROOT/lib")"
check_nothing_left "after the failed clone"

rm -f "$T_ROOT/filler"
check "start works once the filler is gone" lx start full1
state=$(wait_running full1)
check_match "systemd inside comes up" "^(running|degraded)$" "$state"
check "stop" lx stop full1
check_nothing_left "after stop"
done_testing
