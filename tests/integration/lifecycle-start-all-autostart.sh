#!/usr/bin/env bash
# Proves: `start --autostart` boots exactly the stopped containers whose config says
# autostart = yes (what a boot script runs on a host without systemd); `start --all` boots
# every other stopped container but leaves running ones alone and keeps the lower layer of a
# snapshot clone stopped; one container that cannot start does not keep the others from
# starting (exit 1, its reason in one line); bad combinations are refused in one line; stop
# --all leaves nothing on the host.
. "$(dirname "$0")/lib/common.sh"
setup_store

state_of() { lx list | awk -v n="$1" '$1 == n { print $2 }'; }

new_debian sa1 --net none 2>/dev/null
new_debian sa2 --net none 2>/dev/null
new_debian sa3 --net none 2>/dev/null
T_NAMES+=(sa3snap)
check "a snapshot clone of sa3" lx clone sa3 sa3snap --snapshot
# Written into the file rather than through `config set`, which on a host where systemd
# is PID 1 would also enable lxmgr@sa1.service for the real store.
sed -i 's/^autostart = no$/autostart = yes/' "$T_ROOT/lib/sa1/config"
check_match "list shows sa1 as autostart" "sa1 +stopped .* yes " "$(lx list)"

check "start --autostart" lx start --autostart
check_eq "it started sa1" "running" "$(state_of sa1)"
check_eq "and not sa2" "stopped" "$(state_of sa2)"
check_eq "nor sa3snap" "stopped" "$(state_of sa3snap)"
init_pid() { lx info "$1" --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p'; }
pid1=$(init_pid sa1)
check "start --autostart again: nothing to do, exit 0" lx start --autostart
check_eq "sa1 keeps running with the same init" "$pid1" "$(init_pid sa1)"

# sa2 gets an init its rootfs does not have: its start fails, the others' do not.
check "a broken init for sa2" lx config sa2 set container.init /sbin/no-such-init
out=$(lx start --all 2>&1)
check_eq "start --all exits 1 when one start failed" 1 "$?"
check_eq "naming the one that failed, in one line" \
    "lxmgr: start sa2: control: the rootfs has no executable /sbin/no-such-init (container.init)" "$out"
check_eq "the snapshot clone started" "running" "$(state_of sa3snap)"
check_eq "its lower layer stayed stopped" "stopped" "$(state_of sa3)"
check_eq "sa1 was left alone" "$pid1" "$(init_pid sa1)"
check_eq "sa1 reaches running" "running" "$(wait_running sa1)"
check_eq "sa3snap reaches running" "running" "$(wait_running sa3snap)"
check "sa2's init back" lx config sa2 set container.init /sbin/init
check "start --all --wait now starts sa2 and waits for it" lx start --all --wait
check_eq "sa2 is running" "running" "$(state_of sa2)"

one_line() {
    local desc=$1 want=$2 out
    shift 2
    out=$(lx "$@" 2>&1)
    check_eq "$desc: exit 2" 2 "$?"
    check_eq "$desc: one line" "$want" "$out"
}
one_line "--all with a NAME" \
    "lxmgr: start: --all goes with no NAME (see 'lxmgr start --help')" start --all sa1
one_line "--all and --autostart" \
    "lxmgr: start: --all and --autostart exclude each other (see 'lxmgr start --help')" \
    start --all --autostart
one_line "--all --console" \
    "lxmgr: start: --console and --foreground take one NAME (see 'lxmgr start --help')" \
    start --all --console
one_line "stop --autostart" \
    "lxmgr: stop: unknown option '--autostart' (see 'lxmgr stop --help')" stop --autostart

check "stop --all" lx stop --all
for n in sa1 sa2 sa3snap; do
    check_eq "$n is stopped" "stopped" "$(state_of "$n")"
    check_host_clean "$n" "$(uid_base_of "$n")"
done
done_testing
