#!/usr/bin/env bash
# Proves: snapshot create of a running Debian guest (frozen for the copy, thawed after) is a
# restore point of its files and its package state: files changed and a package installed
# (dpkg -i) after it are gone after restore, and the guest boots; three snapshots, the middle
# one deleted, the others restore; clone NAME@SNAP --snapshot boots beside its running
# source; restore of a running container, a duplicate or bad name, destroy without --force
# and deleting a snapshot a clone stands on are refused in one line; kill -9 in the middle
# of snapshot and restore, then gc: nothing left, the container intact and bootable. Prints
# the time of snapshot and restore against cp -a of a guest holding 1 GiB.
. "$(dirname "$0")/lib/common.sh"
setup_store

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
state_of() { lx info "$1" --json | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
marker() { lx exec "$1" -- cat /root/marker 2>&1; }
# Nothing of an interrupted snapshot, restore or delete in the container's directory (what a
# swap moved out, .trash-*, is removed in the background: given 60 s).
leftovers() {
    local d=$T_ROOT/lib/$1 i
    for i in $(seq 1 600); do
        compgen -G "$d/.trash-*" >/dev/null || break
        sleep 0.1
    done
    ls -d "$d"/overlay.next "$d"/rootfs.old "$d"/snapshot.frozen "$d"/layers/.tmp-* \
        "$d"/snapshots/.tmp-* "$d"/snapshots/.del-* "$d"/.trash-* 2>/dev/null
}
# A verb in the background as lxmgr's own process (not a subshell), killed after $1 s.
kill_after() {
    local delay=$1 pid
    shift
    "$LXMGR" --root "$T_ROOT" "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# A tiny local package, built on the host.
pkg=$T_ROOT/pkg
mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/lxtest"
printf 'Package: lxtest\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\nDescription: test\n' \
    >"$pkg/DEBIAN/control"
echo hello >"$pkg/usr/share/lxtest/hello"
dpkg-deb --build "$pkg" "$T_ROOT/lxtest.deb" >/dev/null || skip_all "dpkg-deb failed"

new_debian snp --net none
base=$(uid_base_of snp)
check "start" lx start snp
check_eq "it reaches running" "running" "$(wait_running snp)"
lx exec snp -- sh -c 'echo before >/root/marker'
check "snapshot create of the running guest" lx snapshot create snp before
check_eq "it runs on, thawed" "running" "$(state_of snp)"
check_match "snapshot list names it" "^before +[0-9-]+ [0-9:]+ +1$" "$(lx snapshot list snp | tail -n1)"
check_match "info lists it" "Snapshots: +before \(" "$(lx info snp)"
check_match "info --json lists it" '"snapshots": \[\{"name": "before", "created": "[0-9T:Z-]+", "layers": 1\}\]' \
    "$(lx info snp --json)"
refused 1 "snp already has a snapshot before" "a second snapshot of that name" lx snapshot create snp before
refused 1 "invalid snapshot name 'a/b'" "a bad snapshot name" lx snapshot create snp a/b

lx exec snp -T -- sh -c 'cat >/root/lxtest.deb' <"$T_ROOT/lxtest.deb"
check "dpkg -i of a local package inside" lx exec snp -- dpkg -i /root/lxtest.deb
check_match "it is installed" "install ok installed" "$(lx exec snp -- dpkg -s lxtest)"
lx exec snp -- sh -c 'echo after >/root/marker; rm /etc/motd'
refused 1 "snp is running: stop it first" "restore of a running container" lx restore snp before
check "stop" lx stop snp
t0=$(date +%s%N)
check "restore" lx restore snp before
echo "# figures: restore of the Debian guest: $(ms_since "$t0") ms (whole lxmgr command)"
check "start the restored guest" lx start snp
check_eq "it reaches running" "running" "$(wait_running snp)"
check_eq "the changed file is the snapshot's" "before" "$(marker snp)"
check "the removed file is back" lx exec snp -- test -f /etc/motd
check_fails "the package is not installed" lx exec snp -- dpkg -s lxtest
check_fails "its files are gone" lx exec snp -- test -e /usr/share/lxtest/hello
check_fails "the copied .deb is gone" lx exec snp -- test -e /root/lxtest.deb

# Three more, while it runs: each copies only what changed since the restore.
for s in one two three; do
    lx exec snp -- sh -c "echo $s >/root/marker"
    t0=$(date +%s%N)
    check "snapshot $s of the running guest" lx snapshot create snp "$s"
    echo "# figures: snapshot $s of the running guest (layered: copies its changes): $(ms_since "$t0") ms"
done
check "delete the middle one" lx snapshot delete snp two
check_eq "the list is the others, oldest first" "before one three" \
    "$(lx snapshot list snp | awk 'NR > 1 { printf "%s%s", sep, $1; sep = " " }')"

T_NAMES+=(snpc)
check "clone snp@one --snapshot while snp runs" lx clone snp@one snpc --snapshot
check "start the clone beside its running source" lx start snpc
check_eq "the clone reaches running" "running" "$(wait_running snpc)"
check_eq "the clone holds snapshot one's files" "one" "$(marker snpc)"
lx exec snp -- sh -c 'echo moved-on >/root/marker'
check_eq "the source changes on, the clone does not see it" "one" "$(marker snpc)"
refused 1 "snapshot snp@one is the lower layer of snapshot clone snpc" \
    "deleting the snapshot a clone stands on" lx snapshot delete snp one
refused 1 "snp's snapshots are the lower layers of 1 snapshot clone \(snpc\)" \
    "destroying the source of a snapshot clone" lx destroy snp --force
check_eq "which left it running" "running" "$(state_of snp)"
check "stop the clone" lx stop snpc
check "destroy the clone" lx destroy snpc

check "stop" lx stop snp
check_host_clean snp "$base"
refused 1 "snp has no snapshot two" "restore of the deleted one" lx restore snp two
for s in one three; do
    check "restore $s" lx restore snp "$s"
    check "start" lx start snp
    check_eq "it holds snapshot $s's files" "$s" "$(marker snp)"
    check "stop" lx stop snp
done
refused 1 "snp has 3 snapshots: destroy --force removes them too" "destroy without --force" lx destroy snp
check_eq "no leftovers" "" "$(leftovers snp)"

# 1 GiB in a few large files: cp -a against snapshot and restore.
new_debian big --net none
for i in 1 2 3 4; do
    dd if=/dev/zero of="$T_ROOT/lib/big/rootfs/srv/blob$i" bs=1M count=256 status=none
done
sum=$(cat "$T_ROOT"/lib/big/rootfs/srv/blob* "$T_ROOT/lib/big/rootfs/etc/os-release" | md5sum)
sync
t0=$(date +%s%N)
cp -a "$T_ROOT/lib/big/rootfs" "$T_ROOT/cpa"
cp_ms=$(ms_since "$t0")
rm -rf "$T_ROOT/cpa"
sync

# kill -9 in the middle of a running snapshot (a plain rootfs: the whole 1 GiB is copied).
bigbase=$(uid_base_of big)
check "start the 1 GiB guest" lx start big
kill_after 0.4 snapshot create big killed
check "gc after the killed snapshot" lx gc
check_eq "it left nothing" "" "$(leftovers big)$(lx snapshot list big | tail -n +2)"
check_eq "no layer is left" "" "$(ls -A "$T_ROOT/lib/big/layers" 2>/dev/null)"
check_eq "the guest was thawed" "running" "$(state_of big)"
check "and works" lx exec big -- true
check "stop it" lx stop big
check_host_clean big "$bigbase"

t0=$(date +%s%N)
check "snapshot of the stopped 1 GiB guest" lx snapshot create big s1
snap_ms=$(ms_since "$t0")
t0=$(date +%s%N)
check "restore of the 1 GiB guest" lx restore big s1
restore_ms=$(ms_since "$t0")
echo "# figures: 1 GiB guest: cp -a ${cp_ms} ms; snapshot ${snap_ms} ms ($(awk -v a="$snap_ms" -v b="$cp_ms" 'BEGIN { printf "%.3f", a / b }')x); restore ${restore_ms} ms ($(awk -v a="$restore_ms" -v b="$cp_ms" 'BEGIN { printf "%.3f", a / b }')x)"

# kill -9 at several points of snapshot and restore of a stopped guest; after gc each time
# the container is whole: one state or the other, never half.
for delay in 0.001 0.003 0.006 0.01 0.02; do
    kill_after "$delay" snapshot create big "k$delay"
    lx gc >/dev/null 2>&1
    kill_after "$delay" restore big s1
    lx gc >/dev/null 2>&1
    [ -n "$(leftovers big)" ] && break
done
check_eq "kill -9 of snapshot and restore, then gc: nothing left" "" "$(leftovers big)"
check "every layer a snapshot names exists" bash -c \
    "cd '$T_ROOT/lib/big' && for f in snapshots/*/stack overlay/stack; do while read -r l; do test -d layers/\$l || exit 1; done <\$f; done"
check "restore s1" lx restore big s1
check "the guest boots" lx start big
check_eq "its files are intact" "$sum" "$(lx exec big -- sh -c 'cat /srv/blob* /etc/os-release' | md5sum)"
check "stop" lx stop big
check "destroy --force removes it and its snapshots" lx destroy big --force
check_eq "nothing of it is left" "" "$(compgen -G "$T_ROOT/lib/*big*")"
check_host_clean big "$bigbase"
check "destroy --force snp" lx destroy snp --force
done_testing
