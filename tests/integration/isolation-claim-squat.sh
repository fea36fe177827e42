#!/usr/bin/env bash
# Proves: nobody but root can stall root's starts by holding the claim on id ranges. The
# claim was an abstract unix socket name, which any process in the host's network namespace
# can bind: root inside a `--net host` container (or any local user) bound it first and every
# `lxmgr start` on the host then waited 90 s and failed ("wait for another start to claim its
# ids"). It is now a flock on /run/lxmgr-idmap-claim.lock, 0600 root: the same squat, from
# root inside a booted container and from an unprivileged host user, changes nothing.
. "$(dirname "$0")/lib/common.sh"
setup_store

squat_perl='use Socket; socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_un("\0lxmgr-idmap-claim")) or die "bind: $!";
$| = 1; print "bound\n"; sleep 600;'
squatters=()
end_squatters() {
    local pid
    for pid in "${squatters[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${squatters[@]}"; do wait "$pid" 2>/dev/null; done
    squatters=()
}
trap 'end_squatters; teardown_store' EXIT

# Waits until the squatter's output file says it holds the name.
wait_bound() {
    local i
    for i in $(seq 1 100); do
        grep -q '^bound$' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

new_debian sq1 --net host
new_debian sq2 --net none
new_debian sq3 --net none
base1=$(uid_base_of sq1)
base2=$(uid_base_of sq2)
base3=$(uid_base_of sq3)
check "start sq1 (--net host: the host's network namespace)" lx start sq1
check_eq "sq1 boots" "running" "$(wait_running sq1)"

# The attack from root inside the booted container.
# (lxmgr itself in the background, not the lx function's subshell: the kill below reaches
# exec, which passes it on to perl inside.)
"$LXMGR" --root "$T_ROOT" exec sq1 -T -- perl -e "$squat_perl" >"$T_ROOT/squat1.out" 2>&1 &
squatters+=($!)
check "root inside sq1 binds the old claim's abstract name" wait_bound "$T_ROOT/squat1.out"
check "start sq2 meanwhile (no wait on the squatted name)" timeout 30 "$LXMGR" --root "$T_ROOT" start sq2
check_eq "sq2 boots" "running" "$(wait_running sq2)"

# The same from an unprivileged host user (once the container let the name go).
end_squatters
name_held() { ss -xl 2>/dev/null | grep -q '@lxmgr-idmap-claim'; }
for _ in $(seq 1 100); do name_held || break; sleep 0.1; done
check_fails "perl inside sq1 ended with its exec, and let the name go" name_held
setpriv --reuid=65534 --regid=65534 --clear-groups perl -e "$squat_perl" >"$T_ROOT/squat2.out" 2>&1 &
squatters+=($!)
check "an unprivileged host user binds it too" wait_bound "$T_ROOT/squat2.out"
check "start sq3 meanwhile" timeout 30 "$LXMGR" --root "$T_ROOT" start sq3
check_eq "sq3 boots" "running" "$(wait_running sq3)"

check_eq "the claim's lock file is root's, mode 600" "0:600" \
    "$(stat -c %u:%a /run/lxmgr-idmap-claim.lock 2>&1)"
check_fails "an unprivileged user cannot open it (so cannot lock it)" \
    setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec 9</run/lxmgr-idmap-claim.lock'

end_squatters
for n in sq1 sq2 sq3; do
    check "stop $n" lx stop "$n"
done
check_host_clean sq1 "$base1"
check_host_clean sq2 "$base2"
check_host_clean sq3 "$base3"
done_testing
