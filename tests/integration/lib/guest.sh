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
