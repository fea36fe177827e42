#!/usr/bin/env bash
# Proves: a Debian guest on the btrfs pool (a store on ext4: subvolumes in a loop-mounted
# image) boots; a snapshot taken while it runs (frozen for the instant) is a restore point:
# files changed after it are the snapshot's again after restore, and it boots; clone
# NAME@SNAP --snapshot is a subvolume snapshot that runs beside its running source and does
# not hold the snapshot (it can be deleted); a full clone of the snapshot into the dir pool
# is a copy; export, then import into the dir pool, boots;
# limits.disk is a qgroup limit (a write past it fails inside, and succeeds once it is
# unset); a bad --storage is refused in one line; kill -9 during snapshot and
# restore, then gc: no unnamed subvolume; destroy and gc leave no subvolume, no loop device
# and no mount. Prints snapshot and restore time against cp -a of a guest holding 1 GiB.
. "$(dirname "$0")/lib/common.sh"
setup_store

grep -qw btrfs /proc/filesystems || modprobe btrfs 2>/dev/null
grep -qw btrfs /proc/filesystems || skip_kernel "no btrfs file system"
command -v mkfs.btrfs >/dev/null || skip_all "mkfs.btrfs missing (btrfs-progs)"

LIB=$T_ROOT/lib
POOL=$LIB/.storage/btrfs
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
state_of() { lx info "$1" --json | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
marker() { lx exec "$1" -- cat /root/marker 2>&1; }
pool_mounted() { grep -c " $POOL " /proc/self/mountinfo; }
loops_of_store() { losetup -a | grep -c "$T_ROOT/"; }
subvolumes() { find "$POOL/containers" "$POOL/snapshots" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# Subvolumes of the pool that no link of the store names.
unnamed() {
    local s
    for s in "$POOL"/containers/* "$POOL"/snapshots/*; do
        [ -d "$s" ] || continue
        find "$LIB" -maxdepth 4 -type l -lname "*${s#"$POOL"/}/rootfs" | grep -q . || echo "$s"
    done
}
kill_after() {
    local delay=$1 pid
    shift
    "$LXMGR" --root "$T_ROOT" "$@" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
# A failed run must not leave the pool mounted: its containers go, then gc unmounts it.
cleanup_pool() {
    local n
    for n in "${T_NAMES[@]}"; do
        lx destroy "$n" --force >/dev/null 2>&1
    done
    lx gc >/dev/null 2>&1
    grep -q " $POOL " /proc/self/mountinfo && umount "$POOL"
    teardown_store
}
trap cleanup_pool EXIT

refused 2 "--storage 'zfs': expected dir or btrfs" "a bad --storage value" \
    lx create bad --rootfs "$(debian_rootfs)" --storage zfs
refused 2 "--storage 'ext4': expected dir or btrfs" "a bad --storage value for clone" \
    lx clone a b --storage ext4
check_eq "the store is on ext4 here (the loop image path)" "ext2/ext3" \
    "$(stat -f -c %T "$T_ROOT")"

new_debian bt --net none --storage btrfs
check_eq "create on the btrfs pool" "0" "$?"
base=$(uid_base_of bt)
check_match "info shows the pool" "Storage: +btrfs \(subvolumes in the loop-mounted image $LIB/.storage/btrfs.img\)" \
    "$(lx info bt)"
check_match "info --json too" '"storage": "btrfs"' "$(lx info bt --json)"
check_eq "the pool is mounted" "1" "$(pool_mounted)"
check_eq "through one loop device" "1" "$(loops_of_store)"
check_eq "the rootfs is a subvolume" "256" "$(stat -c %i "$(readlink -f "$LIB/bt/rootfs")/..")"

check "start" lx start bt
check_eq "it reaches running" "running" "$(wait_running bt)"
check_match "its root is the idmapped subvolume" "btrfs +rw,.*idmapped" \
    "$(lx exec bt -- findmnt -n -o FSTYPE,OPTIONS /)"
lx exec bt -- sh -c 'echo before >/root/marker'
t0=$(date +%s%N)
check "snapshot create while it runs" lx snapshot create bt s1
echo "# figures: snapshot of the running Debian guest: $(ms_since "$t0") ms (whole lxmgr command)"
check_eq "it runs on, thawed" "running" "$(state_of bt)"
check_match "snapshot list names it" "^s1 +[0-9-]+ [0-9:]+ +0$" "$(lx snapshot list bt | tail -n1)"
check_match "a read-only subvolume" "ro=true" \
    "$(btrfs property get "$(readlink -f "$LIB/bt/snapshots/s1/rootfs")/.." ro 2>&1 | sed 's/ //g')"

lx exec bt -- sh -c 'echo after >/root/marker; echo new >/root/new; rm /etc/motd'
T_NAMES+=(btc)
check "clone bt@s1 --snapshot while bt runs" lx clone bt@s1 btc --snapshot
check_match "the clone is in the pool" '"storage": "btrfs"' "$(lx info btc --json)"
check_match "and stands on nothing" '"snapshot_of": ""' "$(lx info btc --json)"
check "start the clone beside its running source" lx start btc
check_eq "the clone reaches running" "running" "$(wait_running btc)"
check_eq "the clone holds the snapshot's files" "before" "$(marker btc)"
check_eq "the source holds its own" "after" "$(marker bt)"

refused 1 "bt is running: stop it first" "restore of a running container" lx restore bt s1
check "stop" lx stop bt
t0=$(date +%s%N)
check "restore" lx restore bt s1
echo "# figures: restore of the Debian guest: $(ms_since "$t0") ms (whole lxmgr command)"
check "start the restored guest" lx start bt
check_eq "it reaches running" "running" "$(wait_running bt)"
check_eq "the changed file is the snapshot's" "before" "$(marker bt)"
check_fails "the new file is gone" lx exec bt -- test -e /root/new
check "the removed file is back" lx exec bt -- test -f /etc/motd
T_NAMES+=(btd)
check "clone bt@s1 into the dir pool (a copy)" lx clone bt@s1 btd --storage dir
check_eq "which holds the snapshot's files in a plain directory" "before" \
    "$(cat "$LIB/btd/rootfs/root/marker")"
refused 1 "clone --snapshot stays in bt's pool \(btrfs\)" "clone --snapshot into another pool" \
    lx clone bt@s1 bto --snapshot --storage dir
check "destroy the copy" lx destroy btd
check "a snapshot its clone was made of can be deleted" lx snapshot delete bt s1
check_eq "the clone runs on" "before" "$(marker btc)"
refused 1 "export of a container on the btrfs pool while it runs is not done yet: stop it first" \
    "export of a running btrfs container is refused in one line" \
    lx export btc "$T_ROOT/btc-running.tar.zst"
check_fails "and leaves no archive" test -e "$T_ROOT/btc-running.tar.zst"
check "stop the clone" lx stop btc
refused 1 "export of a container on the btrfs pool with --snapshots is not done yet" \
    "export --snapshots of a btrfs container is refused in one line" \
    lx export btc "$T_ROOT/btc-snaps.tar.zst" --snapshots

T_NAMES+=(imp)
check "export the clone" lx export btc "$T_ROOT/btc.tar.zst"
check_match "the archive holds the tree, not the pool's symlink" "^drwx" \
    "$(tar --zstd -tvf "$T_ROOT/btc.tar.zst" rootfs 2>&1 | head -1)"
check "import it into the dir pool" lx import "$T_ROOT/btc.tar.zst" imp --storage dir
check_match "which is a plain directory" "Storage: +dir[[:space:]]" "$(lx info imp)"
check "the import boots" lx start imp
check_eq "with the export's files" "before" "$(marker imp)"
check "stop it" lx stop imp
check "destroy it" lx destroy imp
check "stop bt" lx stop bt
check_eq "no mount under the store but the pool's" "0" \
    "$(grep "$T_ROOT" /proc/self/mountinfo | grep -vc " $POOL ")"

# kill -9 in the middle of snapshot and restore; gc names or deletes each subvolume.
for delay in 0.002 0.01 0.05; do
    kill_after "$delay" snapshot create bt "k${delay#0.}"
    kill_after "$delay" restore bt "k${delay#0.}"
done
check "gc after the killed verbs" lx gc
check_eq "no subvolume is left that nothing names" "" "$(unnamed)"
check "bt still boots" lx start bt
check_eq "with its files" "before" "$(marker bt)"
check "stop" lx stop bt

# 1 GiB in a few large files: snapshot and restore against cp -a of the rootfs into the
# store (ext4, the same disk as the pool's image; no reflinks there).
new_debian big --net none --storage btrfs
for i in 1 2 3 4; do
    dd if=/dev/zero of="$LIB/big/rootfs/srv/blob$i" bs=1M count=256 status=none
done
sync
t0=$(date +%s%N)
cp -a "$LIB/big/rootfs/." "$T_ROOT/cpa"
sync
cp_ms=$(ms_since "$t0")
rm -rf "$T_ROOT/cpa"
t0=$(date +%s%N)
check "snapshot of the 1 GiB guest" lx snapshot create big s1
snap_ms=$(ms_since "$t0")
t0=$(date +%s%N)
check "restore of the 1 GiB guest" lx restore big s1
restore_ms=$(ms_since "$t0")
echo "# figures: btrfs pool, 1 GiB guest: cp -a ${cp_ms} ms; snapshot ${snap_ms} ms ($(ratio "$snap_ms" "$cp_ms")x); restore ${restore_ms} ms ($(ratio "$restore_ms" "$cp_ms")x)"

# limits.disk: a qgroup limit on the subvolume (quotas enabled on the pool at the first).
check "limits.disk on the btrfs pool (the store's ext4 has no project quotas)" \
    lx config bt set limits.disk 300M
check "start" lx start bt
check_match "a write past it inside fails" "Disk quota exceeded" \
    "$(lx exec bt -- dd if=/dev/zero of=/root/fill bs=1M count=300 2>&1)"
lx exec bt -- rm -f /root/fill
check "unset it" lx config bt unset limits.disk
check "then the same write succeeds" lx exec bt -- dd if=/dev/zero of=/root/fill bs=1M count=300
lx exec bt -- rm -f /root/fill
refused 1 "invalid size" "a bad limits.disk" lx config bt set limits.disk lots
check "stop" lx stop bt

refused 1 "big has 1 snapshot: destroy --force removes it too" "destroy without --force" \
    lx destroy big
for n in big btc bt; do
    check "destroy --force $n" lx destroy "$n" --force
done
check_eq "no subvolume is left" "0" "$(subvolumes)"
check_eq "the empty pool is unmounted" "0" "$(pool_mounted)"
check_eq "no loop device of the store is left" "0" "$(loops_of_store)"
check "gc" lx gc
check_host_clean bt "$base"
done_testing
