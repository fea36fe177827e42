#!/usr/bin/env bash
# Proves: `systemctl reboot` inside restarts the container in place (new init, same
# monitor), `systemctl poweroff` inside stops it and removes everything, two containers run
# at once with disjoint id ranges, and restart and kill work from the host.
. "$(dirname "$0")/lib/common.sh"
setup_store

state_of() { sed -n "s/^$2=//p" "$T_ROOT/run/$1/state" 2>/dev/null; }
# Waits (up to 10 s) until NAME's runtime state file is gone: the container stopped.
wait_state_gone() {
    local _
    for _ in $(seq 1 200); do
        [ -e "$T_ROOT/run/$1/state" ] || break
        sleep 0.05
    done
}

new_debian rb1
new_debian rb2
check "start rb1" lx start rb1
check "start rb2" lx start rb2
check_eq "rb1 running" "running" "$(wait_running rb1)"
check_eq "rb2 running" "running" "$(wait_running rb2)"
b1=$(uid_base_of rb1)
b2=$(uid_base_of rb2)
if [ "$b1" -ge $((b2 + 65536)) ] || [ "$b2" -ge $((b1 + 65536)) ]; then
    ok "the two id ranges are disjoint ($b1, $b2)"
else
    not_ok "the two id ranges are disjoint" "rb1 $b1, rb2 $b2"
fi
check_eq "the two containers see different pid 1s" "1 1" \
    "$(lx exec rb1 -- cat /proc/1/stat | cut -d' ' -f1) $(lx exec rb2 -- cat /proc/1/stat | cut -d' ' -f1)"

mon=$(state_of rb1 monitor_pid)
init=$(state_of rb1 init_pid)
lx exec rb1 -- systemctl reboot >/dev/null 2>&1
for _ in $(seq 1 200); do
    new=$(state_of rb1 init_pid)
    [ -n "$new" ] && [ "$new" != "$init" ] && [ "$(state_of rb1 state)" = running ] && break
    sleep 0.05
done
check_eq "reboot inside comes back under the same monitor" "$mon" "$(state_of rb1 monitor_pid)"
check_match "with a new init" "^[0-9]+$" "$new"
[ "$new" != "$init" ] && ok "init pid changed ($init -> $new)" || not_ok "init pid changed"
check_eq "the reboot was counted" "1" "$(state_of rb1 reboots)"
check_eq "and systemd reaches running again" "running" "$(wait_running rb1)"

lx exec rb1 -- systemctl poweroff >/dev/null 2>&1
wait_state_gone rb1
check_match "poweroff inside stops the container" "rb1 +stopped" "$(lx list)"
check_host_clean rb1 "$b1"
check_match "rb2 is untouched by rb1's power-off" "rb2 +running" "$(lx list)"

check "restart from the host" lx restart rb2
check_eq "rb2 running after restart" "running" "$(wait_running rb2)"
check "kill sends SIGKILL to init by default" lx kill rb2
wait_state_gone rb2
check_match "killed container is stopped" "rb2 +stopped" "$(lx list)"
check_host_clean rb2 "$b2"
refused 2 "^lxmgr: kill: unknown signal 'SIGFOO'" "kill with an unknown signal is a usage error" \
    lx kill rb2 SIGFOO
done_testing
