#!/usr/bin/env bash
# The body of guest-debian-12-sysvinit.sh and guest-debian-12-openrc.sh: Debian 12 with
# sysvinit-core as PID 1 (running sysv-rc or OpenRC), from a cached debootstrap variant.

debian_sysv_test() {
    local variant=$1 n=dv rootfs mem base t0 boot_ms stop_ms
    setup_store
    command -v dpkg-scanpackages >/dev/null || skip_all "dpkg-scanpackages (dpkg-dev) is not installed"
    rootfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm "$variant") ||
        skip_all "debootstrap of the $variant variant failed"

    T_NAMES+=("$n")
    check "create" lx create $n --rootfs "$rootfs"
    check_eq "detected: sysvinit" "sysvinit" "$(lx config $n get container.init_kind)"
    check_eq "stop signal: SIGPWR" "SIGPWR" "$(lx config $n get container.stop_signal)"
    check "a stop timeout the clean stop must beat" lx config "$n" set container.stop_timeout "$STOP_TIMEOUT"
    check "loopback only: this test is about the guest, not the network" lx config "$n" set net.mode none

    t0=$(now_ms)
    check "start" lx start $n
    check "the console shows a login prompt" wait_console $n "$n login:" 30
    boot_ms=$(($(now_ms) - t0))
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

    check "useradd inside" lx exec $n -- useradd -m -s /bin/bash -G sudo alice
    check "sudoers drop-in" lx exec $n -- sh -c 'echo "alice ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/alice'
    check_eq "alice can sudo" "0" "$(lx exec $n --user alice -- sudo id -u)"
    guest_apt_install $n

    mem=$(memory_mib $n)
    base=$(uid_base_of $n)
    t0=$(now_ms)
    check "stop" lx stop $n
    stop_ms=$(($(now_ms) - t0))
    check_clean_stop $n "$stop_ms"
    check_match "SIGPWR went through runlevel 0 to a halt" "Will now halt|halt" \
        "$(tail -c 600 "$T_ROOT/log/$n/console.log")"
    check_host_clean $n "$base"
    report_figures "debian-12-$variant" "$boot_ms" "$stop_ms" "$mem"
    done_testing
}
