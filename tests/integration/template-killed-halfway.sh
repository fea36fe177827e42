#!/usr/bin/env bash
# Proves: a create whose template is running leaves neither a container nor a cache entry
# when lxmgr is killed with SIGKILL (the template's processes and mounts die with it, and
# gc removes the unfinished directories) or stopped with SIGTERM (it cleans up itself,
# saying so, as for SIGINT and SIGHUP; a non-interactive shell starts background jobs with
# SIGINT ignored, so the test sends SIGTERM). The template here is the real debian one (debootstrap against
# deb.debian.org), in this test's own cache so that the shared one is never touched.
. "$(dirname "$0")/lib/common.sh"
setup_store
command -v debootstrap >/dev/null || skip_all "debootstrap is not installed"
unset LXMGR_TEMPLATE_CACHE
base=$T_ROOT/cache/debian/bookworm
log=$T_ROOT/log/templates/debian-bookworm-$(uname -m).log

# Waits until debootstrap is at work in the build directory; prints lxmgr's pid.
start_create() {
    local name=$1
    "$LXMGR" --root "$T_ROOT" create "$name" -t debian -r bookworm --net none \
        >"$T_ROOT/$name.out" 2>&1 &
    CREATE_PID=$!
    for _ in $(seq 1 600); do
        grep -q '^I: Retrieving' "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# Processes whose command line names the store (debootstrap, wget, dpkg of the build).
store_procs() {
    local p
    for p in /proc/[0-9]*; do
        { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "$T_ROOT" && echo "${p#/proc/}"
    done
}

# ---- SIGKILL ----
start_create k1
check_eq "the template is running (debootstrap retrieves packages)" 0 "$?"
check_match "debootstrap's processes are there before the kill" "[0-9]" "$(store_procs)"
check "kill -9 of lxmgr" kill -KILL "$CREATE_PID"
wait "$CREATE_PID" 2>/dev/null
sleep 0.5
check_eq "no process of the template is left" "" "$(store_procs | tr '\n' ' ')"
check_eq "no mount under the store is left" "0" "$(grep -c "$T_ROOT" /proc/self/mountinfo)"
check_eq "no container k1" "" "$(lx list | awk 'NR > 1 { print $1 }')"
check "no cache entry" test ! -e "$base/$(uname -m)"
check_match "the unfinished build is there, unlocked, until gc" "^\.$(uname -m)\.build-" "$(ls -A "$base")"
check "gc" lx gc
check_eq "gc removed the unfinished build" "" "$(ls -A "$base")"
check_eq "gc removed the unfinished container directory" "" "$(ls -A "$T_ROOT/lib")"

# ---- SIGTERM: lxmgr cleans up itself ----
rm -f "$log"
start_create k2
check_eq "the template is running again" 0 "$?"
check "SIGTERM to lxmgr" kill -TERM "$CREATE_PID"
wait "$CREATE_PID"
rc=$?
# It cleans up, then ends by the signal it held (143), as a shell does.
check_match "create fails (1, or 143: the held SIGTERM after the cleanup)" "^(1|143)$" "$rc"
check_match "and says nothing was created" "create k2: .*interrupted: nothing was created" \
    "$(cat "$T_ROOT/k2.out")"
check_eq "no process of the template is left" "" "$(store_procs | tr '\n' ' ')"
check_eq "no build directory left, without gc" "" "$(ls -A "$base" 2>/dev/null)"
check_eq "no container directory left, without gc" "" "$(ls -A "$T_ROOT/lib")"
done_testing
