#!/usr/bin/env bash
# Proves: limits.memory, limits.pids and limits.cpu are applied to the container's cgroups
# (cgroup2 where the controllers are there, v1 on a hybrid host), change live on a running
# container, and contain what runs inside: a memory hog is OOM-killed inside the container
# while the container, its monitor and the host go on; a busy loop gets no more than its cpu
# share (measured from the cgroup's own cpu time); a fork bomb stops at pids.max while exec
# into a neighbour container still answers within a second.
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian lim1
check "set limits.memory" lx config lim1 set limits.memory 512M
check "set limits.pids" lx config lim1 set limits.pids 300
check "set limits.cpu" lx config lim1 set limits.cpu 0.5
check "start" lx start lim1
# The neighbour: the Alpine minirootfs when it is there (small, fast), else Debian.
alpine=$TESTS_DIR/../../shared/guests/alpine-3.20.tar.gz
T_NAMES+=(nb)
if [ -r "$alpine" ]; then
    check "create the neighbour (Alpine)" lx create nb --tarball "$alpine"
else
    check "create the neighbour (Debian)" lx create nb --rootfs "$(debian_rootfs)"
fi
check "the neighbour needs no network" lx config nb set net.mode none
check "start the neighbour" lx start nb
check_eq "running" "running" "$(wait_running lim1)"
state=$T_ROOT/run/lim1/state
mem=$(sed -n 's/^cgroup_memory=//p' "$state")
pids=$(sed -n 's/^cgroup_pids=//p' "$state")
cpu=$(sed -n 's/^cgroup_cpu=//p' "$state")
v2=$(sed -n 's/^cgroup=//p' "$state")
monitor=$(sed -n 's/^monitor_pid=//p' "$state")
init=$(sed -n 's/^init_pid=//p' "$state")
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

# Memory: a hog past 512M is killed by the OOM killer of the container's cgroup.
oom_kills() {
    if [ -n "$mem" ]; then
        awk '/^oom_kill / { print $2 }' "$mem/memory.oom_control"
    else
        awk '/^oom_kill / { print $2 }' "$v2/memory.events"
    fi
}
kills0=$(oom_kills)
lx exec lim1 -- tail /dev/zero >/dev/null 2>&1
status=$?
check_eq "the memory hog is killed by SIGKILL" "137" "$status"
check_eq "by the OOM killer of the container's cgroup" "$((kills0 + 1))" "$(oom_kills)"
check "the monitor lives on" kill -0 "$monitor"
check "the container's init lives on" kill -0 "$init"
check_eq "the container still runs" "running" "$(wait_running lim1)"

# cpu: two busy loops against a quota of half a core, measured by the cgroup's cpu time
# (cgroup2's cpu.stat, there on a hybrid host too) over 3 s of wall clock.
usage() {
    awk '/^usage_usec / { print $2 }' "$v2/cpu.stat"
}
throttled() {
    if [ -n "$cpu" ]; then awk '/^nr_throttled / { print $2 }' "$cpu/cpu.stat"; else
        awk '/^nr_throttled / { print $2 }' "$v2/cpu.stat"; fi
}
for _ in 1 2; do
    lx exec lim1 -- timeout 8 sh -c 'while :; do :; done' >/dev/null 2>&1 &
done
sleep 2
u0=$(usage) t0=$(date +%s%6N) th0=$(throttled)
sleep 3
u1=$(usage) t1=$(date +%s%6N) th1=$(throttled)
cores=$(awk -v u=$((u1 - u0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", u / t }')
echo "# two busy loops under limits.cpu = 0.5: $cores cores over $(((t1 - t0) / 1000)) ms"
awk -v c="$cores" 'BEGIN { exit !(c < 0.7) }' && ok "the busy loops get at most their share ($cores < 0.7 cores)" ||
    not_ok "the busy loops get at most their share" "$cores cores"
awk -v c="$cores" 'BEGIN { exit !(c > 0.1) }' && ok "and they did run ($cores > 0.1 cores)" ||
    not_ok "the busy loops ran" "$cores cores"
[ "$th1" -gt "$th0" ] && ok "the quota throttled them ($th0 -> $th1 periods)" ||
    not_ok "the quota throttled them" "nr_throttled $th0 -> $th1"
wait

# pids: a real fork bomb against pids.max = 200: every copy forks copies of itself for ever
# (bash retries a refused fork and goes on, so the copies stay).
pids_dir=${pids:-$v2}
refused0=$(awk '/^max / { print $2 }' "$pids_dir/pids.events")
lx exec lim1 -- bash -c 'b() { while :; do b & done; }; b' >/dev/null 2>&1 &
sleep 3
n=$(cat "$pids_dir/pids.current")
refused=$(($(awk '/^max / { print $2 }' "$pids_dir/pids.events") - refused0))
echo "# fork bomb: $n tasks, $refused forks refused at pids.max"
[ "$n" -le 200 ] && [ "$n" -ge 150 ] && ok "the fork bomb fills the container up to pids.max ($n tasks)" ||
    not_ok "the fork bomb stops at pids.max" "$n tasks"
[ "$refused" -gt 0 ] && ok "and the kernel refuses it more ($refused forks)" ||
    not_ok "the kernel refuses forks past pids.max" "pids.events max grew by $refused"
best=
for _ in 1 2 3; do
    t0=$(date +%s%3N)
    lx exec nb -- true >/dev/null 2>&1 || t0=0
    ms=$(($(date +%s%3N) - t0))
    [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
echo "# exec into the neighbour beside the bomb: best of 3 took $best ms"
[ "$best" -lt 1000 ] && ok "exec into the neighbour works within a second ($best ms)" ||
    not_ok "exec into the neighbour works within a second" "$best ms"
check "the host and lxmgr still work beside the bomb" lx list
base_lim1=$(uid_base_of lim1)
base_nb=$(uid_base_of nb)
echo "# id ranges: lim1 $base_lim1, nb $base_nb"
check "stop with the bomb inside" lx stop lim1 --timeout 5
wait
check "stop the neighbour" lx stop nb
check_host_clean lim1 "$base_lim1"
check_host_clean nb "$base_nb"
done_testing
