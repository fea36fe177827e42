#!/usr/bin/env bash
# Proves: limits.memory, limits.pids and limits.cpu are applied to the container's cgroups
# (cgroup2 where the controllers are there, v1 on a hybrid host), change live on a running
# container, and a fork bomb inside stops at pids.max while the host stays usable.
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian lim1
check "set limits.memory" lx config lim1 set limits.memory 512M
check "set limits.pids" lx config lim1 set limits.pids 300
check "set limits.cpu" lx config lim1 set limits.cpu 0.5
check "start" lx start lim1
check_eq "running" "running" "$(wait_running lim1)"
state=$T_ROOT/run/lim1/state
mem=$(sed -n 's/^cgroup_memory=//p' "$state")
pids=$(sed -n 's/^cgroup_pids=//p' "$state")
cpu=$(sed -n 's/^cgroup_cpu=//p' "$state")
v2=$(sed -n 's/^cgroup=//p' "$state")
if [ -n "$mem" ]; then
    check_eq "memory limit in the v1 memory cgroup" "536870912" "$(cat "$mem/memory.limit_in_bytes")"
    check_eq "pids limit in the v1 pids cgroup" "300" "$(cat "$pids/pids.max")"
    check_eq "cpu quota in the v1 cpu cgroup" "50000" "$(cat "$cpu/cpu.cfs_quota_us")"
else
    check_eq "memory.max on cgroup2" "536870912" "$(cat "$v2/memory.max")"
    check_eq "pids.max on cgroup2" "300" "$(cat "$v2/pids.max")"
    check_eq "cpu.max on cgroup2" "50000 100000" "$(cat "$v2/cpu.max")"
fi
check "change the pids limit live" lx config lim1 set limits.pids 200
if [ -n "$pids" ]; then
    check_eq "the new pids limit is in force" "200" "$(cat "$pids/pids.max")"
else
    check_eq "the new pids limit is in force" "200" "$(cat "$v2/pids.max")"
fi
# A bounded fork bomb: 400 sleepers against a limit of 200.
lx exec lim1 -- sh -c 'for i in $(seq 400); do sleep 30 & done 2>/dev/null; wait' >/dev/null 2>&1 &
bomb=$!
sleep 2
n=$(if [ -n "$pids" ]; then cat "$pids/pids.current"; else cat "$v2/pids.current"; fi)
[ "$n" -le 200 ] && ok "the fork bomb stops at pids.max ($n tasks)" || not_ok "fork bomb contained" "$n tasks"
check "the host and lxmgr still work beside the bomb" lx list
check "stop with the bomb inside" lx stop lim1 --timeout 5
wait "$bomb" 2>/dev/null
check_host_clean lim1 "$(uid_base_of lim1)"
done_testing
