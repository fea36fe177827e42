#!/usr/bin/env bash
# Proves: SIGKILL of the monitor at random points of start, stop and a running life (20
# tries) never leaves an unmanaged container: the next command reports the true state and
# gc or the next start removes every cgroup, runtime file and process the dead one left;
# 30 start/stop cycles leave no growth in host mounts or the monitor's descriptors, and no
# cgroup of the container behind.
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian rel1
base=$(uid_base_of rel1)
mounts_before=$(wc -l </proc/self/mountinfo)

leftovers=0
for try in $(seq 1 20); do
    # A random moment: during start (0-150 ms), while running, or during stop.
    phase=$((try % 3))
    delay=$(awk -v s="$RANDOM" 'BEGIN { printf "%.3f", (s % 150) / 1000 }')
    lx start rel1 >/dev/null 2>&1 &
    starter=$!
    if [ "$phase" = 0 ]; then
        sleep "$delay"
    else
        wait "$starter"
        [ "$phase" = 2 ] && { lx stop rel1 >/dev/null 2>&1 & sleep "$delay"; }
        [ "$phase" = 1 ] && sleep "$delay"
    fi
    mon=$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/rel1/state" 2>/dev/null)
    [ -n "$mon" ] && kill -9 "$mon" 2>/dev/null
    wait 2>/dev/null
    for _ in $(seq 1 100); do
        [ -z "$(host_procs_in_range "$base")" ] && break
        sleep 0.02
    done
    state=$(lx info rel1 --json | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p')
    if [ -n "$(host_procs_in_range "$base")" ] && [ "$state" = stopped ]; then
        leftovers=$((leftovers + 1))
        echo "# try $try (phase $phase, ${delay}s): stopped but processes remain:" \
            "$(ps -o pid=,stat=,uid=,comm= -p "$(host_procs_in_range "$base" | paste -sd,)" | xargs)"
    fi
    lx stop rel1 --kill >/dev/null 2>&1
    lx gc >/dev/null 2>&1
    if [ -n "$(host_cgroups_of rel1)" ] || [ -e "$T_ROOT/run/rel1" ]; then
        leftovers=$((leftovers + 1))
        echo "# try $try (phase $phase, ${delay}s): left $(host_cgroups_of rel1) $(ls "$T_ROOT/run" 2>/dev/null)"
    fi
done
check_eq "20 monitors killed at random points: nothing left after gc" "0" "$leftovers"
check_host_clean rel1 "$base"

check "start after the killings" lx start rel1
fds=$(ls "/proc/$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/rel1/state")/fd" | wc -l)
check "stop" lx stop rel1
for _ in $(seq 1 30); do
    lx start rel1 >/dev/null && lx stop rel1 >/dev/null || break
done
check "start for the descriptor count" lx start rel1
fds_after=$(ls "/proc/$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/rel1/state")/fd" | wc -l)
check_eq "the monitor holds as many descriptors as before the cycles" "$fds" "$fds_after"
check "stop" lx stop rel1
check_eq "host mounts after 30 cycles are as before" "$mounts_before" "$(wc -l </proc/self/mountinfo)"
check_host_clean rel1 "$base"
done_testing
