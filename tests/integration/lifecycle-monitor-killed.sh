#!/usr/bin/env bash
# Proves: a monitor killed with SIGKILL does not leave an unmanaged container: init dies with
# it (PR_SET_PDEATHSIG), the next command reports the true state, and gc (or the next
# start, or stop / stop --all) removes its cgroups and runtime files; gc also removes the
# temporary file of a writer killed between its write and its rename.
. "$(dirname "$0")/lib/common.sh"
setup_store

# start_then_kill START-CHECK RUNNING-CHECK: starts mk1, checks that it runs, then kills its
# monitor with SIGKILL and waits (up to 5 s) until the container's processes are gone.
start_then_kill() {
    check "$1" lx start mk1
    check_eq "$2" "running" "$(wait_running mk1)"
    kill -9 "$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/mk1/state")"
    for _ in $(seq 1 100); do
        [ -z "$(host_procs_in_range "$base")" ] && break
        sleep 0.05
    done
}

new_debian mk1
base=$(uid_base_of mk1)
start_then_kill "start" "running"
check_eq "every process of the container died with its monitor" "" "$(host_procs_in_range "$base" | tr '\n' ' ')"
check_match "list reports it stopped" "mk1 +stopped" "$(lx list)"
refused 1 "^lxmgr: exec mk1: " "exec refuses a container whose monitor is gone" lx exec mk1 -- true
# A writer killed between its write and its rename leaves NAME.tmp-PID (4194305 is above
# PID_MAX_LIMIT: never alive); one of a live process (this shell) is its, and stays.
echo x >"$T_ROOT/lib/mk1/config.tmp-4194305"
echo x >"$T_ROOT/lib/mk1/config.tmp-$$"
check "gc removes what the dead monitor left" lx gc
check_host_clean mk1 "$base"
check_eq "gc removed the dead writer's temporary file" "" "$(ls "$T_ROOT/lib/mk1/config.tmp-4194305" 2>/dev/null)"
check "and kept a live one's" test -e "$T_ROOT/lib/mk1/config.tmp-$$"
rm -f "$T_ROOT/lib/mk1/config.tmp-$$"

start_then_kill "start again" "running again"
check "the next start cleans up by itself" lx start mk1
check_eq "and boots" "running" "$(wait_running mk1)"
check_eq "one cgroup per hierarchy, no leftovers with new names" \
    "$(find /sys/fs/cgroup -maxdepth 1 -mindepth 1 -type d | while read -r h; do
        [ -d "$h/lxmgr.slice" ] && echo x; done | wc -l)" "$(host_cgroups_of mk1 | wc -l)"
check "stop" lx stop mk1
check_host_clean mk1 "$base"

for how in "stop mk1" "stop --all"; do
    start_then_kill "start for: kill -9, then $how" "running"
    check_match "the dead monitor left its cgroups" "lxmgr-.*-mk1.scope" "$(host_cgroups_of mk1)"
    # shellcheck disable=SC2086 # $how is a verb and its arguments
    check "$how removes what it left, and succeeds" lx $how
    check_host_clean mk1 "$base"
done
refused 1 "^lxmgr: stop mk1: control: container is not running\$" \
    "a second stop of the clean, stopped container is refused" lx stop mk1
done_testing
