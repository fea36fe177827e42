#!/usr/bin/env bash
# Proves: clone --snapshot makes an overlayfs clone of a stopped container at once, without
# changing anything of the source; the snapshot boots to running with its own uuid, id
# range, address, MAC and machine-id; what root creates inside is stored in its upper layer
# as uid 0 (the distribution's ids); the source can neither start nor be destroyed while
# the snapshot exists; a running source, a snapshot of a snapshot and a shifted source are
# refused in one line; a stale marker of a host view (a killed lxmgr) does not block it; a
# full clone of a snapshot copies its merged tree; stop leaves nothing on the host.
. "$(dirname "$0")/lib/common.sh"
setup_store

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# Every entry of the source's rootfs with size, mode, owner and mtime: a change shows.
manifest() {
    (cd "$T_ROOT/lib/clsrc/rootfs" && find . -xdev -printf '%p %s %m %u %g %T@ %y\n' |
        LC_ALL=C sort | sha256sum)
}

new_debian clsrc
t0=$(date +%s%N)
check "start the source" lx start clsrc
check_eq "the source reaches running" "running" "$(wait_running clsrc)"
boot_src=$(ms_since "$t0")
mid_src=$(lx exec clsrc -- cat /etc/machine-id)
check "stop the source" lx stop clsrc
before=$(manifest)
stamp=$T_ROOT/stamp
touch "$stamp"
sleep 1

T_NAMES+=(clsnap)
t0=$(date +%s%N)
check "clone --snapshot" lx clone clsrc clsnap --snapshot
check_match "info shows the snapshot's source" "Source: +snapshot of clsrc" "$(lx info clsnap)"
snap_ms=$(ms_since "$t0")
echo "# figures: clone --snapshot of the Debian rootfs: ${snap_ms} ms (whole lxmgr command)"
check_eq "the snapshot records its source" "clsrc" "$(lx config clsnap get rootfs.snapshot_of)"
check_eq "its rootfs directory is empty until it runs" "" "$(ls -A "$T_ROOT/lib/clsnap/rootfs")"
check_match "info --json names its source" '"snapshot_of": "clsrc"' "$(lx info clsnap --json)"
check_match "info names it" "overlay/upper over clsrc's rootfs" "$(lx info clsnap)"
out=$(lx start clsrc 2>&1)
check_match "the source cannot start while the snapshot exists" \
    "start clsrc: clone: clsrc is the read-only lower layer of 1 snapshot clone \(clsnap\)" "$out"
out=$(lx destroy clsrc 2>&1)
check_match "nor be destroyed, naming the snapshot" "destroy clsrc: clone: .*\(clsnap\)" "$out"
out=$(lx clone clsnap clsnap2 --snapshot 2>&1)
check_match "a snapshot of a snapshot is refused" "clsnap is itself a snapshot of clsrc" "$out"

marker=$T_ROOT/lib/clsnap/overlay/work/work/incompat/volatile
check_fails "the clone's overlay view left no volatile marker" test -e "$marker"
# As a view of a killed lxmgr would leave it: overlayfs refuses the layers while it exists.
mkdir -p "$marker/dirty"
t0=$(date +%s%N)
check "start the snapshot" lx start clsnap
check_eq "the snapshot reaches running" "running" "$(wait_running clsnap)"
boot_snap=$(ms_since "$t0")
echo "# figures: start until running: source ${boot_src} ms, snapshot ${boot_snap} ms"
check_eq "systemctl --failed is empty" "" "$(lx exec clsnap -- systemctl --failed --no-legend --plain)"
check_eq "hostname inside is the clone's name" "clsnap" "$(lx exec clsnap -- hostname)"
mid_snap=$(lx exec clsnap -- cat /etc/machine-id)
check_match "the snapshot has a machine-id" '^[0-9a-f]{32}$' "$mid_snap"
[ "$mid_snap" != "$mid_src" ] && ok "its machine-id differs from the source's" ||
    not_ok "its machine-id differs from the source's" "both: $mid_src"
for key in container.uuid idmap.uid_base net.ip; do
    a=$(lx config clsrc get $key)
    b=$(lx config clsnap get $key)
    [ -n "$b" ] && [ "$a" != "$b" ] && ok "$key differs ($a, $b)" ||
        not_ok "$key differs" "clsrc: $a" "clsnap: $b"
done
mac_src=$(lx info clsrc | awk '/^MAC:/ { print $2 }')
mac_snap=$(lx exec clsnap -- cat /sys/class/net/eth0/address)
[ -n "$mac_snap" ] && [ "$mac_src" != "$mac_snap" ] && ok "its MAC differs ($mac_snap)" ||
    not_ok "its MAC differs" "clsrc: $mac_src" "clsnap: $mac_snap"
check_eq "files of the lower layer read as root inside" "0 0" \
    "$(lx exec clsnap -- stat -c '%u %g' /etc/sudo.conf)"
check "root writes a new file and changes one of the lower layer" \
    lx exec clsnap -- sh -c 'echo inside >/root/made-inside && echo x >>/etc/sudo.conf && rm /etc/issue'
check_eq "the new file is stored in upper as 0 0" "0 0" \
    "$(stat -c '%u %g' "$T_ROOT/lib/clsnap/overlay/upper/root/made-inside")"
check_eq "the copied-up file keeps 0 0 in upper" "0 0" \
    "$(stat -c '%u %g' "$T_ROOT/lib/clsnap/overlay/upper/etc/sudo.conf")"
check_match "a removed file is a whiteout in upper" "^character special file 0,0$" \
    "$(stat -c '%F %t,%T' "$T_ROOT/lib/clsnap/overlay/upper/etc/issue")"
out=$(lx clone clsnap clsnap3 2>&1)
check_match "a running source is refused" "clone clsnap: clone: clsnap is running: stop it first" "$out"
base=$(uid_base_of clsnap)
check "stop the snapshot" lx stop clsnap
check_host_clean clsnap "$base"
check_eq "the source's rootfs is unchanged (names, sizes, modes, owners, mtimes)" \
    "$before" "$(manifest)"
check_eq "no file of the source is newer than the clone" "" \
    "$(find "$T_ROOT/lib/clsrc/rootfs" -xdev -newer "$stamp" | head -5)"
check "the source still holds /etc/issue" test -f "$T_ROOT/lib/clsrc/rootfs/etc/issue"

T_NAMES+=(clfull)
check "a full clone of the snapshot" lx clone clsnap clfull
check_eq "it has the snapshot's files" "inside" "$(cat "$T_ROOT/lib/clfull/rootfs/root/made-inside")"
check_fails "and none of the removed ones" test -e "$T_ROOT/lib/clfull/rootfs/etc/issue"
check_eq "and is no snapshot" "" "$(lx config clfull get rootfs.snapshot_of)"
check_eq "no mount is left on the host by the clone" "0" "$(grep -c "$T_ROOT" /proc/self/mountinfo)"

# A shifted container (here a minimal tree with a shell-script init) cannot be a lower layer.
mkdir -p "$T_ROOT/tiny/sbin" "$T_ROOT/tiny/etc"
printf '#!/bin/sh\nexec sleep 1000\n' >"$T_ROOT/tiny/sbin/init"
chmod 755 "$T_ROOT/tiny/sbin/init"
check "create a shifted container" lx create clshift --rootfs "$T_ROOT/tiny" --shift --net none
out=$(lx clone clshift s2 --snapshot 2>&1)
check_match "a shifted source is refused" "clshift has a shifted rootfs \(rootfs.shifted = yes\)" "$out"
check_fails "nothing was made of refused clones" test -e "$T_ROOT/lib/s2" -o -e "$T_ROOT/lib/clsnap2" \
    -o -e "$T_ROOT/lib/clsnap3"

check "destroy the snapshot" lx destroy clsnap
check "then the source can be destroyed" lx destroy clsrc
done_testing
