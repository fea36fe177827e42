#!/usr/bin/env bash
# Proves: every guest boots to its init's "up" state on a pure cgroup2 host with systemd as
# PID 1 too, not only on this machine's v1+v2 hybrid: a Debian 12 systemd host booted by
# lxmgr (create --ids --nesting, its /sys/fs/cgroup cgroup2 only) with the freshly built lxmgr
# installed in it boots, one after the other, Ubuntu 24.04 (systemd 255), Debian 13 (systemd
# 257), Alpine 3.13 (OpenRC), Alpine 3.20 (busybox init), Debian 12 with sysvinit and with
# OpenRC; each stops cleanly and leaves no cgroup in the host. (CentOS 7's systemd 219 on a
# pure cgroup2 host: systemd-host-unit-machined.sh.)
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store

builddir=$(cd "$(dirname "$LXMGR")/.." && pwd)
[ -f "$builddir/Makefile" ] || skip_all "needs the build tree of \$LXMGR for make install"
hostfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm systemd-host) ||
    skip_all "cannot build the systemd host rootfs"
guests=${LXMGR_GUESTS:-$(cd "$TESTS_DIR/../.." && pwd)/shared/guests}
for t in ubuntu-24.04.tar.xz alpine-3.13-openrc.tar.xz alpine-3.20.tar.gz; do
    [ -r "$guests/$t" ] || skip_all "guest tarball $guests/$t is missing"
done
for suite in "trixie systemd" "bookworm sysvinit" "bookworm openrc"; do
    # shellcheck disable=SC2086
    bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" $suite >/dev/null ||
        skip_all "cannot build the Debian $suite rootfs"
done

in_host() { lx exec pv2 -- "$@"; }
# Polls (100 ms) until CMD's output matches REGEX, at most S seconds; prints the last output.
poll() {
    local end=$((SECONDS + $1)) re=$2 out
    shift 2
    while :; do
        out=$("$@" 2>/dev/null)
        [[ $out =~ $re ]] && break
        [ "$SECONDS" -lt "$end" ] || break
        sleep 0.1
    done
    echo "$out"
}

T_NAMES+=(pv2)
check "create the systemd host (--ids 131072 --nesting, no network)" \
    lx create pv2 --rootfs "$hostfs" --ids 131072 --nesting --net none
rootfs=$T_ROOT/lib/pv2/rootfs
check "make install DESTDIR=its rootfs" make -s -C "$builddir" install DESTDIR="$rootfs"
check "start it" lx start pv2
check_eq "its systemd is running" "running" "$(wait_running pv2)"
check_eq "it is a pure cgroup2 host" "cgroup2fs" "$(in_host stat -f -c %T /sys/fs/cgroup)"
check_eq "with no v1 hierarchy" "" "$(in_host awk '$3 == "cgroup"' /proc/self/mounts)"

# guest_tar NAME FILE: a plain tar of the guest at /root/NAME.tar inside the host.
guest_tar() {
    case $2 in
    *.tar.xz) xz -dc "$2" >"$rootfs/root/$1.tar" ;;
    *.tar.gz) gzip -dc "$2" >"$rootfs/root/$1.tar" ;;
    *) tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$2" -cf "$rootfs/root/$1.tar" . ;;
    esac
}

# boot NAME SOURCE UP-COMMAND UP-REGEX: create inside from SOURCE, start, wait up to 90 s for
# UP-COMMAND inside the guest to print UP-REGEX, stop, and check the host is clean.
boot() {
    local n=$1 src=$2 up=$3 re=$4 t0 ms out
    guest_tar "$n" "$src"
    check "$n: create inside (--net none)" in_host lxmgr create "$n" --tarball "/root/$n.tar" --net none
    rm -f "$rootfs/root/$n.tar"
    t0=$(now_ms)
    check "$n: start" in_host lxmgr start "$n"
    out=$(poll 90 "$re" in_host lxmgr exec "$n" -- sh -c "$up")
    ms=$(($(now_ms) - t0))
    check_match "$n: up on pure cgroup2 ($up)" "$re" "$out"
    check "$n: stop" in_host lxmgr stop "$n"
    check_eq "$n: no cgroup of it left in the host" "" \
        "$(in_host sh -c "find /sys/fs/cgroup -name 'lxmgr-*$n.scope'")"
    check "$n: destroy" in_host lxmgr destroy "$n"
    echo "# figures: pure-cgroup2 $n up_ms=$ms"
}

boot ubuntu "$guests/ubuntu-24.04.tar.xz" \
    'systemctl is-system-running; systemctl --failed --no-legend | wc -l' '^running.0$'
boot trixie "$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" trixie systemd)" \
    'systemctl is-system-running; systemctl --failed --no-legend | wc -l' '^running.0$'
boot alpine313 "$guests/alpine-3.13-openrc.tar.xz" 'rc-status --runlevel' '^default$'
boot alpine320 "$guests/alpine-3.20.tar.gz" \
    'readlink /proc/1/exe; pgrep getty >/dev/null && echo getty' '^/bin/busybox.getty$'
boot sysvinit "$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm sysvinit)" \
    'runlevel' '^N 2$'
boot openrc "$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm openrc)" \
    'runlevel; rc-status --runlevel' '^N 2.default$'

check "stop the systemd host" lx stop pv2
check_host_clean pv2 "$(uid_base_of pv2)"
done_testing
