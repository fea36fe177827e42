#!/usr/bin/env bash
# Shared by the guest-*.sh tests: the shared guest tarballs, timing, local test packages.

# The tarballs live next to the checkout (../shared/guests from the repository root). Sets
# GUEST_TARBALL; skips the whole test (a failure under LXMGR_TEST_MUST_RUN=1) when missing.
guest_tarball() {
    GUEST_TARBALL="$(cd "$TESTS_DIR/../.." 2>/dev/null && pwd)/shared/guests/$1"
    [ -r "$GUEST_TARBALL" ] || skip_all "guest tarball $GUEST_TARBALL is missing"
}

# Milliseconds since the epoch.
now_ms() {
    date +%s%3N
}

# Waits (up to $2 seconds) until CMD inside NAME succeeds; returns its status.
wait_inside() {
    local name=$1 secs=$2 _
    shift 2
    for _ in $(seq 1 $((secs * 10))); do
        lx exec "$name" -- "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# Copies a host file into the container through exec (no bind mount needed).
copy_in() {
    local name=$1 src=$2 dst=$3
    lx exec "$name" -- sh -c "cat >'$dst'" <"$src"
}

# Memory of the container's cgroup, in MiB (from `lxmgr info --json`).
memory_mib() {
    lx info "$1" --json 2>/dev/null | sed -n 's/.*"memory_bytes": *\([0-9]*\).*/\1/p' |
        awk '{ printf "%.1f", $1 / 1048576 }'
}

# One line of figures for the README table, as a TAP comment.
report_figures() {
    echo "# figures: $1 boot_ms=$2 stop_ms=$3 memory_mib=$4"
}

# The stop timeout guest tests set: a stop that takes longer was a kill, not a shutdown.
STOP_TIMEOUT=20

# Waits (up to $3 seconds) until the console log of NAME holds TEXT.
wait_console() {
    local name=$1 text=$2 secs=$3 _
    for _ in $(seq 1 $((secs * 10))); do
        tail -c 4000 "$T_ROOT/log/$name/console.log" 2>/dev/null | grep -qF "$text" && return 0
        sleep 0.1
    done
    return 1
}

# check_clean_stop NAME MS: init shut down by itself, well before the kill at the timeout.
check_clean_stop() {
    if [ "$2" -lt $(((STOP_TIMEOUT - 5) * 1000)) ]; then
        ok "$1: stop is clean (init ended by itself in $2 ms)"
    else
        not_ok "$1: stop is clean" "took $2 ms: init was killed at the ${STOP_TIMEOUT}s timeout"
    fi
}

# A check that cannot run on this guest, with the reason (TAP SKIP, counted as a pass).
skip_one() {
    T_NUM=$((T_NUM + 1))
    echo "ok $T_NUM - $1 # SKIP $2"
}


# wait_running without --wait, which systemd 219 does not know: polls for up to $2 seconds.
wait_settled() {
    local name=$1 secs=$2 state _
    for _ in $(seq 1 $((secs * 5))); do
        state=$(lx exec "$name" -- systemctl is-system-running 2>/dev/null)
        case $state in running | degraded | maintenance | stopping) break ;; esac
        sleep 0.2
    done
    echo "${state:-unknown}"
}

# apt installs a dependency-free .deb, built here, from a file:// repository copied in.
guest_apt_install() {
    local n=$1 repo=$T_ROOT/repo
    mkdir -p "$repo/pkg/DEBIAN" "$repo/pkg/usr/share/lxtest"
    echo "from the host" >"$repo/pkg/usr/share/lxtest/hello"
    printf 'Package: lxtest\nVersion: 1.0\nArchitecture: all\nMaintainer: lxmgr tests <t@localhost>\nDescription: lxmgr test package\n' \
        >"$repo/pkg/DEBIAN/control"
    dpkg-deb --root-owner-group -b "$repo/pkg" "$repo/lxtest_1.0_all.deb" >/dev/null
    (cd "$repo" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages)
    check "make the repository inside" lx exec "$n" -- mkdir -p /srv/repo
    check "copy the .deb in" copy_in "$n" "$repo/lxtest_1.0_all.deb" /srv/repo/lxtest_1.0_all.deb
    check "copy the index in" copy_in "$n" "$repo/Packages" /srv/repo/Packages
    check "add the file:// source" lx exec "$n" -- sh -c \
        'echo "deb [trusted=yes] file:/srv/repo ./" >/etc/apt/sources.list.d/lxtest.list'
    check "apt-get update" lx exec "$n" -- apt-get update -q -o Dir::Etc::sourcelist=/dev/null
    check "apt-get install lxtest" lx exec "$n" --env DEBIAN_FRONTEND=noninteractive -- \
        apt-get install -y -q lxtest
    check_eq "the package's file is there" "from the host" "$(lx exec "$n" -- cat /usr/share/lxtest/hello)"
}

# guest_create NAME tarball FILE | NAME rootfs DIR: creates guest NAME from FILE among the
# shared guest tarballs (skips the whole test when it is missing) or from the tree DIR,
# with the stop timeout a clean stop must beat and loopback only (these tests are about
# the guest, not the network).
guest_create() {
    local n=$1 kind=$2 src=$3
    if [ "$kind" = tarball ]; then
        guest_tarball "$src"
        T_NAMES+=("$n")
        check "create from the tarball" lx create "$n" --tarball "$GUEST_TARBALL"
    else
        T_NAMES+=("$n")
        check "create" lx create "$n" --rootfs "$src"
    fi
    check "a stop timeout the clean stop must beat" lx config "$n" set container.stop_timeout "$STOP_TIMEOUT"
    check "loopback only: this test is about the guest, not the network" lx config "$n" set net.mode none
}

# guest_layout_refused NAME BAD GOOD REGEX: with container.cgroup_layout forced to BAD,
# start refuses in one line matching REGEX and makes nothing on the host; then back to GOOD.
guest_layout_refused() {
    local n=$1 bad=$2 good=$3 out
    case $bad in
        unified) check "force cgroup2 alone" lx config "$n" set container.cgroup_layout unified ;;
        *) check "force a v1 layout" lx config "$n" set container.cgroup_layout "$bad" ;;
    esac
    out=$(lx start "$n" 2>&1)
    check_match "start refuses it, saying why and what to set" "$4" "$out"
    check_eq "one line" "1" "$(echo "$out" | wc -l)"
    check_eq "nothing was made on the host" "" "$(host_cgroups_of "$n")"
    check "back to $good" lx config "$n" set container.cgroup_layout "$good"
}

# guest_boot NAME systemd | NAME systemd-poll SECS | NAME console SECS: starts NAME and waits
# until systemd is running (`--wait`, or polled for up to SECS where systemd 219 lacks it) or
# the console shows a login prompt (up to SECS). Sets BOOT_MS.
guest_boot() {
    local n=$1 how=$2 secs=${3:-} t0
    t0=$(now_ms)
    check "start" lx start "$n"
    case $how in
        systemd) check_eq "is-system-running" "running" "$(wait_running "$n")" ;;
        systemd-poll) check_eq "is-system-running" "running" "$(wait_settled "$n" "$secs")" ;;
        console) check "the console shows a login prompt" wait_console "$n" "$n login:" "$secs" ;;
    esac
    BOOT_MS=$(($(now_ms) - t0))
}

# guest_sudo_user NAME [adduser]: user alice made inside (useradd, or busybox's adduser) with
# a sudoers drop-in can sudo.
guest_sudo_user() {
    local n=$1
    if [ "${2:-useradd}" = adduser ]; then
        check "adduser inside" lx exec "$n" -- adduser -D -s /bin/sh alice
    else
        check "useradd inside" lx exec "$n" -- useradd -m -s /bin/bash -G sudo alice
    fi
    check "sudoers drop-in" lx exec "$n" -- sh -c 'echo "alice ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/alice'
    check_eq "alice can sudo" "0" "$(lx exec "$n" --user alice -- sudo id -u)"
}

# guest_stop NAME LABEL [CHECK REGEX [BYTES]]: stops NAME, timed; the stop is clean, the last
# BYTES (400) of the console log match REGEX (when given, checked as CHECK), nothing is left on
# the host; then the figures line for LABEL (boot BOOT_MS, memory taken before the stop).
guest_stop() {
    local n=$1 label=$2 mem base t0 stop_ms
    mem=$(memory_mib "$n")
    base=$(uid_base_of "$n")
    t0=$(now_ms)
    check "stop" lx stop "$n"
    stop_ms=$(($(now_ms) - t0))
    check_clean_stop "$n" "$stop_ms"
    [ $# -ge 4 ] && check_match "$3" "$4" "$(tail -c "${5:-400}" "$T_ROOT/log/$n/console.log")"
    check_host_clean "$n" "$base"
    report_figures "$label" "$BOOT_MS" "$stop_ms" "$mem"
}
