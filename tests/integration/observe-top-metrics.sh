#!/usr/bin/env bash
# Proves: lxmgr top --once and lxmgr metrics report each running container's figures as its
# cgroup files, host veth and kernel counters give them (cpu, memory and its limit, pids,
# block I/O, network bytes, OOM kills) on this host's cgroup layout; an OOM kill inside is
# counted, recorded as the last event and shown by info, and so is a crash of init; the
# output passes promtool check metrics, and --listen serves the same over loopback HTTP
# (GET /metrics only); the live top renders under a real terminal, a key sorts it by memory,
# and q quits with the terminal as it was.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tmux.sh"
setup_store
tmux_setup
command -v promtool >/dev/null || skip_all "needs promtool (package prometheus; install-deps.sh)"
command -v curl >/dev/null || skip_all "needs curl"

# oa: memory-limited, no network; ob: on the store's bridge, for network bytes.
new_debian oa --net none
new_debian ob
check "set oa's memory limit" lx config oa set limits.memory 256M
check "start oa" lx start oa
check "start ob" lx start ob
check_eq "oa runs" "running" "$(wait_running oa)"
check_eq "ob runs" "running" "$(wait_running ob)"

state=$T_ROOT/run/oa/state
v2=$(sed -n 's/^cgroup=//p' "$state")
mem=$(sed -n 's/^cgroup_memory=//p' "$state")
pids=$(sed -n 's/^cgroup_pids=//p' "$state")
blkio=$(sed -n 's/^cgroup_blkio=//p' "$state")
memfile() { if [ -f "$v2/memory.current" ]; then cat "$v2/memory.current"; else cat "$mem/memory.usage_in_bytes"; fi; }
pidsfile() { if [ -f "$v2/pids.current" ]; then cat "$v2/pids.current"; else cat "$pids/pids.current"; fi; }
oomfile() {
    if [ -f "$v2/memory.events" ]; then awk '/^oom_kill / { print $2 }' "$v2/memory.events"; else
        awk '/^oom_kill / { print $2 }' "$mem/memory.oom_control"; fi
}
wrfile() {
    if [ -f "$v2/io.stat" ]; then
        awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/) { sub(/wbytes=/, "", $i); s += $i } } END { print s + 0 }' "$v2/io.stat"
    else awk '$2 == "Write" { s += $3 } END { print s + 0 }' "$blkio/blkio.throttle.io_service_bytes"; fi
}
# metric FILE NAME CONTAINER: the sample's value.
metric() {
    awk -v m="$2{name=\"$3\"}" '$1 == m { print $2 }' "$1"
}
# between DESC LOW VALUE HIGH (integers or decimals)
between() {
    if awk -v l="$2" -v v="$3" -v h="$4" 'BEGIN { exit !(v != "" && l <= v && v <= h) }'; then
        ok "$1 ($2 <= $3 <= $4)"
    else
        not_ok "$1" "expected $2 <= '$3' <= $4"
    fi
}

# Work for the counters: ob holds 96 MiB in its tmpfs (charged to its cgroup, so it is the
# larger), oa writes 8 MiB past the page cache, the host pings ob, a hog in oa meets the limit.
check "ob fills 96 MiB of /dev/shm" lx exec ob -- dd if=/dev/zero of=/dev/shm/fill bs=1M count=96
check "oa writes to its disk" lx exec oa -- dd if=/dev/zero of=/var/tmp/w bs=1M count=8 oflag=direct
ip=$(lx config ob get net.ip)
check "the host reaches ob" busybox ping -c3 -W3 "$ip"
oom0=$(oomfile)
lx exec oa -- tail /dev/zero >/dev/null 2>&1
check_eq "the memory hog in oa is killed" "137" "$?"
check_eq "by oa's OOM killer" "$((oom0 + 1))" "$(oomfile)"

# metrics against the files, read before and after (counters in between, gauges near).
veth=$(sed -n 's/^net_veth=//p' "$T_ROOT/run/ob/state")
cpu0=$(awk '/^usage_usec / { print $2 / 1e6 }' "$v2/cpu.stat") m0=$(memfile) p0=$(pidsfile)
w0=$(wrfile) tx0=$(cat "/sys/class/net/$veth/statistics/tx_bytes")
check "lxmgr metrics" sh -c "'$LXMGR' --root '$T_ROOT' metrics >'$T_ROOT/m.txt'"
cpu1=$(awk '/^usage_usec / { print $2 / 1e6 }' "$v2/cpu.stat") m1=$(memfile) p1=$(pidsfile)
w1=$(wrfile) tx1=$(cat "/sys/class/net/$veth/statistics/tx_bytes")
m=$T_ROOT/m.txt
between "cpu seconds of oa as cpu.stat's usage_usec" "$cpu0" \
    "$(metric "$m" lxmgr_container_cpu_seconds_total oa)" "$cpu1"
lo=$((m0 < m1 ? m0 : m1)) hi=$((m0 > m1 ? m0 : m1))
between "memory of oa as its cgroup's (within 2 MiB)" $((lo - 2097152)) \
    "$(metric "$m" lxmgr_container_memory_bytes oa)" $((hi + 2097152))
check_eq "oa's memory limit" "268435456" "$(metric "$m" lxmgr_container_memory_limit_bytes oa)"
check_eq "ob has no memory limit sample" "" "$(metric "$m" lxmgr_container_memory_limit_bytes ob)"
between "pids of oa as pids.current (within 2)" $((p0 - 2)) \
    "$(metric "$m" lxmgr_container_pids oa)" $((p1 + 2))
check_eq "the OOM kill of oa is counted" "$((oom0 + 1))" \
    "$(metric "$m" lxmgr_container_oom_kills_total oa)"
check_eq "ob had none" "0" "$(metric "$m" lxmgr_container_oom_kills_total ob)"
between "oa's block writes as its cgroup's" "$w0" \
    "$(metric "$m" lxmgr_container_block_write_bytes_total oa)" "$w1"
between "ob received what its host veth sent" "$tx0" \
    "$(metric "$m" lxmgr_container_network_receive_bytes_total ob)" "$tx1"
between "and at least the pings (3 x 84 bytes)" 252 \
    "$(metric "$m" lxmgr_container_network_receive_bytes_total ob)" 1e15
check_eq "oa (net none) sent nothing" "0" \
    "$(metric "$m" lxmgr_container_network_transmit_bytes_total oa)"
check_match "oa's state is running" 'lxmgr_container_state\{name="oa",state="running"\} 1' "$(cat "$m")"
check_match "ob's failed units come from its systemd" \
    'lxmgr_container_failed_units\{name="ob"\} [0-9]+' "$(cat "$m")"
check_eq "boot time is oa's start" "$(sed -n 's/^started_at=//p' "$state")" \
    "$(metric "$m" lxmgr_container_boot_time_seconds oa)"
check_eq "two containers run" "2" "$(awk '$1 == "lxmgr_containers_running" { print $2 }' "$m")"
check "promtool check metrics passes" sh -c "promtool check metrics <'$m'"

# The last event: the OOM, in info and --json.
check_match "info shows the OOM as the last event" "Last event: oom at .*OOM killer ended 1 process" \
    "$(lx info oa)"
check_match "info --json too" '"last_event": \{"event": "oom"' "$(lx info oa --json)"

# top --once: the same figures in a table, sorted by the column asked for.
top=$(lx top --once --sort memory)
while IFS= read -r line; do echo "# $line"; done <<<"$top"
check_match "top --once has its header" "NAME +STATE +CPU% +MEMORY +LIMIT +PIDS" "$top"
check_match "oa's row: running, limit 256M, one OOM" "oa +running +[0-9.]+ +[0-9.]+[KMG] +256\.0M +[0-9]+ .* 1$" "$top"
toppids=$(awk '$1 == "oa" { print $6 }' <<<"$top")
between "top's pids of oa as pids.current" $((p1 - 2)) "$toppids" $((p1 + 2))
check_eq "sorted by memory: ob (96 MiB of tmpfs) first" "ob oa" "$(awk 'NR > 2 { printf "%s%s", s, $1; s = " " }' <<<"$top")"
check_eq "sorted by name: oa first" "oa ob" \
    "$(lx top --once --sort name | awk 'NR > 2 { printf "%s%s", s, $1; s = " " }')"
check_fails "an unknown sort column is refused" lx top --once --sort colour
check_fails "the live view needs a terminal" lx top </dev/null

# --listen: the same format over loopback HTTP, nothing else.
port=$((20000 + RANDOM % 20000))
"$LXMGR" --root "$T_ROOT" metrics --listen "127.0.0.1:$port" &
srv=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
check_eq "GET /metrics answers 200 in the exposition format" "200 text/plain; version=0.0.4; charset=utf-8" \
    "$(curl -s -o "$T_ROOT/scrape.txt" -w '%{http_code} %{content_type}' "http://127.0.0.1:$port/metrics")"
check "the scrape passes promtool" sh -c "promtool check metrics <'$T_ROOT/scrape.txt'"
names() { grep -v '^#' "$1" | sed 's/[{ ].*//' | sort -u; }
check_eq "the scrape has the same metrics as the printed output" "$(names "$m")" "$(names "$T_ROOT/scrape.txt")"
check_eq "another path is 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")"
check_eq "another method is 405" "405" \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics")"
# After scrapes (each execs into the guests for failed units) SIGTERM still ends it.
kill "$srv"
for _ in $(seq 50); do kill -0 "$srv" 2>/dev/null || break; sleep 0.1; done
check_fails "the server ends on SIGTERM" kill -0 "$srv"
kill -9 "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
check_fails "a bad --listen address is refused" lx metrics --listen nowhere

# The live view in a real terminal: a frame, sort keys, q restores the terminal.
tmux_open top 150 20
tmux_type top "stty -g >$T_ROOT/stty.before; $LXMGR --root $T_ROOT top"
check "a frame renders" tmux_wait top "NAME +STATE +CPU%" 15
tx send-keys -t top a
check "a sorts by name" tmux_wait top "sorted by name" 5
order() { tmux_screen top | awk '$1 == "oa" || $1 == "ob" { printf "%s%s", s, $1; s = " " }'; }
check_eq "oa is above ob by name" "oa ob" "$(order)"
tx send-keys -t top m
check "m sorts by memory" tmux_wait top "sorted by memory" 5
check_eq "ob (the larger) is above oa by memory" "ob oa" "$(order)"
tx send-keys -t top q
check "q quits back to the shell" tmux_wait top 'host\$ $' 5
tmux_type top "stty -g >$T_ROOT/stty.after; echo stty-saved"
check "the shell answers" tmux_wait top "^stty-saved" 5
check_eq "the terminal settings are restored" "$(cat "$T_ROOT/stty.before")" "$(cat "$T_ROOT/stty.after")"
check_fails "the view's table is gone (alternate screen left)" sh -c \
    "tmux -L '$TMUX_SOCK' capture-pane -p -t top | grep -q 'sorted by memory'"

# A crash of init is an event too; a stop is one.
base_oa=$(uid_base_of oa)
base_ob=$(uid_base_of ob)
check "kill oa's init" lx kill oa
for _ in $(seq 50); do [ -e "$T_ROOT/run/oa/state" ] || break; sleep 0.1; done
check_match "info shows the crash" "Last event: crash at .*init ended by signal 9" "$(lx info oa)"
check "stop ob" lx stop ob
check_match "info shows the stop" "Last event: stop at .*stopped" "$(lx info ob)"
check_host_clean oa "$base_oa"
check_host_clean ob "$base_ob"
done_testing
