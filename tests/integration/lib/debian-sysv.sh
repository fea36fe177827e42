#!/usr/bin/env bash
# The body of guest-debian-12-sysvinit.sh and guest-debian-12-openrc.sh: Debian 12 with
# sysvinit-core as PID 1 (running sysv-rc or OpenRC), from a cached debootstrap variant.

debian_sysv_test() {
    local variant=$1 n=dv rootfs
    setup_store
    command -v dpkg-scanpackages >/dev/null || skip_all "dpkg-scanpackages (dpkg-dev) is not installed"
    rootfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm "$variant") ||
        skip_all "debootstrap of the $variant variant failed"

    guest_create $n rootfs "$rootfs"
    check_eq "detected: sysvinit" "sysvinit" "$(lx config $n get container.init_kind)"
    check_eq "stop signal: SIGPWR" "SIGPWR" "$(lx config $n get container.stop_signal)"

    guest_boot $n console 30
    check_match "PID 1 is sysvinit" "^(/usr)?/sbin/init$" "$(lx exec $n -- readlink /proc/1/exe)"
    check_eq "runlevel 2 reached" "N 2" "$(lx exec $n -- runlevel)"
    check_match "a getty runs on the console" "getty.* console" "$(lx exec $n -- ps -eo args)"
    check_eq "no getty respawns on absent ttys" "" \
        "$(grep -a -i "tty[1-6].*\(no such\|respawning too fast\)" "$T_ROOT/log/$n/console.log")"
    check_match "the guest's inittab is kept" "1:2345:respawn:/sbin/getty" \
        "$(cat "$T_ROOT/lib/$n/rootfs/etc/inittab.lxmgr-orig")"
    if [ "$variant" = openrc ]; then
        local status
        # The runlevels a boot goes through (single and off hold stopped services by design).
        status=$(for l in sysinit boot default; do lx exec $n -- rc-status $l; done)
        check_eq "OpenRC sees an LXC-type container" "LXC" "$(lx exec $n -- openrc --sys)"
        check_eq "no crashed, stopped or failed service in sysinit, boot, default" "" \
            "$(echo "$status" | grep -E 'crashed|stopped|failed|starting')"
    fi

    guest_sudo_user $n
    guest_apt_install $n

    guest_stop $n "debian-12-$variant" "SIGPWR went through runlevel 0 to a halt" "Will now halt|halt" 600
    done_testing
}
