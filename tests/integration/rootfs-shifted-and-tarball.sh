#!/usr/bin/env bash
# Proves: the create-time ownership shift (the fallback where a filesystem cannot be
# idmapped, forced here with --shift) boots as the idmapped rootfs does, with files owned by
# root inside and by the container's range on disk, setuid bits and file capabilities kept;
# and a rootfs tarball imports with numeric owners and boots.
. "$(dirname "$0")/lib/common.sh"
setup_store

rootfs=$(debian_rootfs)
new_debian sh1 --shift
base=$(uid_base_of sh1)
check_eq "config records the shift" "yes" "$(lx config sh1 get rootfs.shifted)"
check_eq "on disk the rootfs belongs to the container's range" "$base" \
    "$(stat -c %u "$T_ROOT/lib/sh1/rootfs/etc/sudo.conf")"
check_eq "setuid of sudo survives the shift" "4755" "$(stat -c %a "$T_ROOT/lib/sh1/rootfs/usr/bin/sudo")"
check "start the shifted rootfs" lx start sh1
check_eq "it reaches running" "running" "$(wait_running sh1)"
check_eq "/etc/sudo.conf reads as 0 0 inside" "0 0" "$(lx exec sh1 -- stat -c '%u %g' /etc/sudo.conf)"
check_eq "no rootfs file reads as nobody" "" \
    "$(lx exec sh1 -- find / -xdev -uid 65534 ! -path /proc ! -path /sys)"
check "useradd inside" lx exec sh1 -- useradd -m bob
check_eq "a file made inside is owned by the range on disk" "$((base + 1000))" \
    "$(stat -c %u "$T_ROOT/lib/sh1/rootfs/home/bob")"
check "stop" lx stop sh1
check_host_clean sh1 "$base"

tarball=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/debian-bookworm.tar.gz
if [ ! -s "$tarball" ]; then
    tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$rootfs" -czf "$tarball.tmp" . &&
        mv "$tarball.tmp" "$tarball"
fi
T_NAMES+=(tb1)
check "create from a tarball" lx create tb1 --tarball "$tarball"
check_eq "the tarball is recorded as the source" "tarball $(realpath "$tarball")" "$(lx config tb1 get rootfs.source)"
check_eq "numeric owners kept" "0 0" "$(stat -c '%u %g' "$T_ROOT/lib/tb1/rootfs/etc/sudo.conf")"
check "start the imported rootfs" lx start tb1
check_eq "it reaches running" "running" "$(wait_running tb1)"
check "stop" lx stop tb1
check_host_clean tb1 "$(uid_base_of tb1)"
done_testing
