#!/usr/bin/env bash
# Prints figures, asserts nothing: the same Debian 12 rootfs (the one
# tests/integration/lib/debian-rootfs.sh caches), packed once as a tarball, created, booted to
# running and exec'd into by root and by an ordinary user (rootless: the user's own subuid
# range through newuidmap, the login session's cgroups as pam_cgfs gives them on this host),
# side by side, --net none for both. Every figure is the median of N runs; root and the user
# take turns within each run. The user, its range and its session cgroups are made here and
# removed at the end.
# Usage: bench/rootless-bench.sh [-n RUNS] [-e EXECS]      (as root; see bench/README.md)
# Environment: LXMGR (binary, default ./lxmgr/lxmgr of this checkout).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# shellcheck source=../tests/integration/lib/rootless-session.sh
. "$top/tests/integration/lib/rootless-session.sh"

runs=3
execs=100
runs_execs_opts "$@"
need_root
for h in newuidmap newgidmap; do
    [ -u "/usr/bin/$h" ] || { log "/usr/bin/$h is not setuid root (Debian package uidmap)"; exit 1; }
done
bench_rootfs

boot_timeout=90
user=lxbench$$
# Two blocks, far from root's range and from the tests' users' ranges.
range_base=2013265920
range_end=$((range_base + 2 * 65536 - 1))
tmp=$(mktemp -d /tmp/rootless-bench.XXXXXX)
chmod 755 "$tmp"

cleanup() {
    local rc=$? left=() pid
    for ((i = 1; i <= runs; i++)); do
        as_root destroy --force "b$i" >/dev/null 2>&1 || true
    done
    for pid in $(session_procs "$user") $(pgrep -u "$user" 2>/dev/null); do
        [ "$pid" != "$$" ] && kill -9 "$pid" 2>/dev/null
    done
    sleep 0.3
    session_cgroups_remove || left+=("session cgroups of $user")
    if id "$user" >/dev/null 2>&1; then
        usermod --del-subuids "$range_base-$range_end" --del-subgids "$range_base-$range_end" "$user"
        userdel -r "$user" >/dev/null 2>&1
    fi
    rm -rf --one-file-system "$tmp"
    [ -z "$(pgrep -u "$range_base" 2>/dev/null)" ] || left+=("processes of the user's range")
    [ ! -e "$tmp" ] || left+=("$tmp")
    cleanup_report "$rc" "user $user, its range and $tmp removed" "${left[@]}"
}
trap cleanup EXIT

useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -m -d "$tmp/home" -s /bin/bash "$user"
usermod --add-subuids "$range_base-$range_end" --add-subgids "$range_base-$range_end" "$user"
uid=$(id -u "$user")
mkdir -m 700 "$tmp/run" "$tmp/tmp" && chown "$user:" "$tmp/run" "$tmp/tmp"
cp "$lxmgr_src" "$tmp/lxmgr" && chmod 755 "$tmp/lxmgr"
session_cgroups_make "$user"
log "packing $rootfs"
tar -C "$rootfs" --numeric-owner --xattrs -cf "$tmp/rootfs.tar" . && chmod 644 "$tmp/rootfs.tar"

as_root() { "$tmp/lxmgr" --root "$tmp/root" -q "$@"; }
# run_user CMD...: CMD as the user, in its login session's cgroups.
run_user() {
    (
        session_cgroups_enter "$user"
        exec setpriv --reuid="$uid" --regid="$uid" --init-groups \
            env -i HOME="$tmp/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            XDG_RUNTIME_DIR="$tmp/run" TMPDIR="$tmp/tmp" "$@"
    )
}
as_user() { run_user "$tmp/lxmgr" -q "$@"; }

# The median (µs) of EXECS runs of CMD, timed by the shell that runs them (the user's own).
exec_loop='n=$1; shift; l=
for ((i = 0; i < n; i++)); do
    t=${EPOCHREALTIME/./}
    "$@" >/dev/null 2>&1 || exit 1
    l+="$((${EPOCHREALTIME/./} - t)) "
done
printf "%s\n" $l | sort -n | awk "{ v[NR] = \$1 } END { print v[int((NR + 1) / 2)] }"'

declare -A samples=()
add() { samples["$1 $2"]+="$3 "; }

# one WHO NAME: create, boot to running, execs, stop and destroy, as root or as the user.
one() {
    local who=$1 name=$2 t0 state lxmgr=(as_root) loop=(bash -c "$exec_loop" _ "$execs")
    [ "$who" = user ] && lxmgr=(as_user)
    t0=$(now_us)
    "${lxmgr[@]}" create "$name" --tarball "$tmp/rootfs.tar" --net none >/dev/null
    add "$who" create "$(($(now_us) - t0))"
    t0=$(now_us)
    "${lxmgr[@]}" start "$name"
    while :; do
        state=$("${lxmgr[@]}" exec "$name" -- systemctl is-system-running 2>/dev/null) || true
        case $state in running | degraded | maintenance) break ;; esac
        [ $((($(now_us) - t0) / 1000000)) -lt "$boot_timeout" ] ||
            { log "$who: $name did not settle ($state)"; exit 1; }
        sleep 0.01
    done
    add "$who" boot "$(($(now_us) - t0))"
    [ "$state" = running ] || log "$who: $name settled $state"
    if [ "$who" = user ]; then
        add user exec "$(run_user "${loop[@]}" "$tmp/lxmgr" -q exec "$name" -- true)"
    else
        add root exec "$("${loop[@]}" "$tmp/lxmgr" --root "$tmp/root" -q exec "$name" -- true)"
    fi
    t0=$(now_us)
    "${lxmgr[@]}" stop "$name"
    add "$who" stop "$(($(now_us) - t0))"
    "${lxmgr[@]}" destroy "$name"
}

for ((run = 1; run <= runs; run++)); do
    log "run $run of $runs"
    one root "b$run"
    one user "b$run"
done

fmt() { # FIGURE UNIT: the median as s (create, boot, stop) or ms (exec)
    local m
    m=$(median "${samples["$1 $2"]}")
    case $2 in
        exec) awk -v us="$m" 'BEGIN { printf "%.1f ms", us / 1000 }' ;;
        *) awk -v us="$m" 'BEGIN { printf "%.2f s", us / 1e6 }' ;;
    esac
}
ratio() { awk -v a="$(median "${samples["user $1"]}")" -v b="$(median "${samples["root $1"]}")" \
    'BEGIN { printf "%.2fx", a / b }'; }
echo "rootless-bench: $runs runs, $execs execs each, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-28s | %-9s | %-9s | %-9s |\n' figure root user user/root
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" "-----------" "-----------" "-----------"
for f in "create create --tarball" "boot start to running" "exec exec -- true" "stop stop"; do
    read -r key label <<<"$f"
    printf '| %-28s | %-9s | %-9s | %-9s |\n' "$label" "$(fmt root "$key")" "$(fmt user "$key")" \
        "$(ratio "$key")"
done
