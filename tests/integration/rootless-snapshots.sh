#!/usr/bin/env bash
# Proves: an ordinary user's snapshots of a shifted rootfs: a stopped guest's snapshot (its
# layer sealed by renames) and a running one's (copied inside a user namespace of the
# container's block, whiteouts included); restore puts the files back and the guest boots on
# the overlay of its own layers (mounted in the user's namespace, userxattr); delete removes a
# snapshot's layer; kill -9 in a running snapshot, then gc: nothing left, the guest thawed;
# full clones of a snapshot and of the guest on its layers get the merged tree in blocks of
# their own and boot; a snapshot clone of a snapshot shares the guest's block and runs beside
# it (a user namespace made inside the guest notwithstanding); export of the running guest and
# of the stopped snapshot clone, read as root of the block (the archive holds the guest's own
# ids); the clone's archive imported by root boots, and root's export of that imported by the
# user boots in a block of the user's (and one from stdin); an archive with snapshots is
# refused to the user; destroy removes every layer; nothing of the user is left.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rootless-session.sh"
setup_store

for h in newuidmap newgidmap; do
    [ -u "/usr/bin/$h" ] || skip_all "/usr/bin/$h is not setuid root (Debian package uidmap)"
done
[ "$(cat /proc/sys/user/max_user_namespaces)" != 0 ] || skip_all "user namespaces are disabled"

RL_USER=lxrs$$
RL_DIR=$(mktemp -d /tmp/lxmgr-rootless-snap.XXXXXX)
chmod 755 "$RL_DIR"
# Far from root's range and from the other rootless tests' ranges: three blocks.
RL_BASE=1979711488
RL_END=$((RL_BASE + 3 * 65536 - 1))

rl_cleanup() {
    local pid
    for pid in $(session_procs "$RL_USER") $(pgrep -u "$RL_USER" 2>/dev/null); do
        [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && kill -9 "$pid" 2>/dev/null
    done
    sleep 0.3
    session_cgroups_remove
    if id "$RL_USER" >/dev/null 2>&1; then
        usermod --del-subuids "$RL_BASE-$RL_END" --del-subgids "$RL_BASE-$RL_END" "$RL_USER" 2>/dev/null
        userdel -r "$RL_USER" >/dev/null 2>&1
    fi
    rm -rf --one-file-system "$RL_DIR"
    teardown_store
}
trap rl_cleanup EXIT

useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -m -d "$RL_DIR/home" -s /bin/bash "$RL_USER" ||
    skip_all "useradd failed"
usermod --add-subuids "$RL_BASE-$RL_END" --add-subgids "$RL_BASE-$RL_END" "$RL_USER"
RL_UID=$(id -u "$RL_USER")
mkdir -m 700 "$RL_DIR/run" "$RL_DIR/tmp" && chown "$RL_USER:" "$RL_DIR/run" "$RL_DIR/tmp"
cp "$LXMGR" "$RL_DIR/lxmgr" && chmod 755 "$RL_DIR/lxmgr"
session_cgroups_make "$RL_USER"
store="$RL_DIR/home/.local/share/lxmgr"

# as_user -- lxmgr ARGS: the user's lxmgr in its login session.
as_user() {
    shift
    (
        session_cgroups_enter "$RL_USER"
        exec setpriv --reuid="$RL_UID" --regid="$RL_UID" --init-groups \
            env -i HOME="$RL_DIR/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            XDG_RUNTIME_DIR="$RL_DIR/run" TMPDIR="$RL_DIR/tmp" "$RL_DIR/lxmgr" "$@"
    )
}
user_procs_named() {
    ps -o pid=,stat=,comm= -u "$RL_USER" 2>/dev/null | awk '$2 !~ /^Z/ { printf "%s(%s) ", $1, $3 }'
}
# What a killed snapshot, restore or delete may leave in g's directory (the remover of .trash
# runs detached: waited for).
leftovers() {
    local d=$store/g
    for _ in $(seq 1 300); do
        compgen -G "$d/.trash-*" >/dev/null || break
        sleep 0.1
    done
    ls -d "$d"/overlay.next "$d"/rootfs.old "$d"/snapshot.frozen "$d"/layers/.tmp-* \
        "$d"/snapshots/.tmp-* "$d"/snapshots/.del-* "$d"/.trash-* 2>/dev/null
}
snaps() { as_user -- snapshot list g | awk 'NR > 1 { printf "%s ", $1 }'; }
boot() {
    check "user: g starts ($1)" as_user -- start g --wait
    check_eq "g: running ($1)" "running" "$(as_user -- exec g -- systemctl is-system-running --wait 2>&1)"
}

tar -C "$(debian_rootfs)" --numeric-owner --xattrs -cf "$RL_DIR/rootfs.tar" . &&
    chmod 644 "$RL_DIR/rootfs.tar"
check "user: create g --tarball" as_user -- create g --tarball "$RL_DIR/rootfs.tar" --net none
boot "first"
check "g: write /srv/f (one)" as_user -- exec g -- sh -c 'echo one >/srv/f'
check "user: g stops" as_user -- stop g

# --- a stopped guest: its rootfs sealed as a layer by renames ---
check "user: snapshot create g s1 (stopped)" as_user -- snapshot create g s1
check_eq "s1 is listed" "s1 " "$(snaps)"
check_eq "one sealed layer, of g's block" "$RL_BASE" \
    "$(stat -c %u "$store"/g/layers/*/etc/passwd 2>&1)"
boot "on its overlay"
check_eq "g: /srv/f is still one" "one" "$(as_user -- exec g -- cat /srv/f)"
check "g: change /srv/f, remove /etc/issue (a whiteout)" \
    as_user -- exec g -- sh -c 'echo two >/srv/f && rm /etc/issue && mkdir -p /srv/d/e'

# --- a running guest: frozen while its upper layer is copied inside g's block namespace ---
check "user: snapshot create g s2 (running)" as_user -- snapshot create g s2
check_eq "g: still running" "running" "$(as_user -- exec g -- systemctl is-system-running 2>&1)"
check_eq "s2's layer has the whiteout of /etc/issue" "character special file 0,0" \
    "$(stat -c '%F %t,%T' "$store/g/layers/$(head -1 "$store/g/snapshots/s2/stack")/etc/issue" 2>&1)"

# --- kill -9 in a running snapshot, then gc ---
# An upper layer that takes a while to copy (a copy of /usr made inside, some 100 MB), so
# that the kill lands in the copy, with the guest frozen.
check "g: a large upper layer" as_user -- exec g -- cp -a /usr /srv/usr
as_user -- snapshot create g killed >/dev/null 2>&1 &
# The kill lands once the copy has begun (its layer in the making), not after a fixed time.
for _ in $(seq 1 500); do
    compgen -G "$store/g/layers/.tmp-*" >/dev/null && break
    sleep 0.01
done
# Its own processes (outside and inside the user's namespace), not the guest's monitor.
for pid in $(pgrep -u "$RL_USER" -f "lxmgr snapshot create g killed"); do
    kill -9 "$pid"
done
wait
echo "# the killed snapshot left: $(leftovers | tr '\n' ' ') ($(ls "$store/g/snapshots"))"
check "user: gc after the killed snapshot" as_user -- gc
check_eq "it left nothing" "" "$(leftovers)"
check_eq "no snapshot 'killed'" "s1 s2 " "$(snaps)"
check_eq "g: thawed" "running" "$(as_user -- exec g -- systemctl is-system-running 2>&1)"
check "g: remove the large files" as_user -- exec g -- rm -rf /srv/usr
check "g: write /srv/f (three)" as_user -- exec g -- sh -c 'echo three >/srv/f'
check "user: g stops" as_user -- stop g

# --- restore ---
check "user: restore g s1" as_user -- restore g s1
boot "restored to s1"
check_eq "g: /srv/f is s1's" "one" "$(as_user -- exec g -- cat /srv/f)"
check "g: /etc/issue is back" as_user -- exec g -- test -f /etc/issue
check "user: g stops" as_user -- stop g
check "user: restore g s2" as_user -- restore g s2
boot "restored to s2"
check_eq "g: /srv/f is s2's" "two" "$(as_user -- exec g -- cat /srv/f)"
check_fails "g: /etc/issue is gone again" as_user -- exec g -- test -e /etc/issue
check "g: /srv/d/e is there" as_user -- exec g -- test -d /srv/d/e
check "g: write /srv/g (four), in its own upper layer" as_user -- exec g -- sh -c 'echo four >/srv/g'
check "user: g stops" as_user -- stop g

# --- full clones: of a snapshot (its sealed layers) and of g (its upper over them), read
# through overlayfs in g's block and shifted into blocks of their own ---
check "user: clone g@s2 g2 (a full copy of the snapshot)" as_user -- clone g@s2 g2
b2=$(as_user -- config g2 get idmap.uid_base)
check_eq "g2: its root's files belong to its own block" "$b2 $b2" \
    "$(stat -c '%u %g' "$store/g2/rootfs/srv/f" 2>&1)"
check_eq "g2: /srv/f is s2's" "two" "$(cat "$store/g2/rootfs/srv/f" 2>&1)"
check_eq "g2: no /etc/issue (s2's whiteout), no /srv/g (after s2)" "" \
    "$(ls -d "$store/g2/rootfs/etc/issue" "$store/g2/rootfs/srv/g" 2>/dev/null)"
check_eq "g2: a plain rootfs, no layers" "" "$(as_user -- config g2 get rootfs.snapshot_of)"
check "user: g2 starts" as_user -- start g2 --wait
check_eq "g2: running" "running" "$(as_user -- exec g2 -- systemctl is-system-running --wait 2>&1)"
check "user: destroy g2 (running: --force)" as_user -- destroy g2 --force
check "user: clone g g3 (a full copy of g on its layers)" as_user -- clone g g3
check_eq "g3: /srv/f and /srv/g as g has them" "two four" \
    "$(cat "$store/g3/rootfs/srv/f" "$store/g3/rootfs/srv/g" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check "user: destroy g3" as_user -- destroy g3

# --- a snapshot clone of s1: on s1's sealed layers, in g's own block (an unprivileged user
# cannot idmap them), running beside g while g runs and changes ---
check "user: g starts again" as_user -- start g --wait
check "g: a user namespace of its own inside (its map is g's ids)" \
    as_user -- exec g -- sh -c 'setsid -f unshare -U -r sleep 600 </dev/null >/dev/null 2>&1'
nested=$(pgrep -u "$RL_BASE" -f "sleep 600" | head -n1)
check_match "g's inner namespace maps one id of g's block" "^ +0 +$RL_BASE +1\$" \
    "$(cat "/proc/${nested:-0}/uid_map" 2>&1)"
check "user: clone g@s1 g4 --snapshot" as_user -- clone g@s1 g4 --snapshot
check_eq "g4: g's block" "$(as_user -- config g get idmap.uid_base)" \
    "$(as_user -- config g4 get idmap.uid_base)"
check_eq "g4: stands on g@s1" "g@s1" "$(as_user -- config g4 get rootfs.snapshot_of)"
check_eq "g4: an upper layer of its new identity only (etc/)" "etc" "$(ls -A "$store/g4/overlay/upper" 2>&1)"
check "user: g4 starts while g runs" as_user -- start g4 --wait
check_eq "g4: running" "running" "$(as_user -- exec g4 -- systemctl is-system-running --wait 2>&1)"
check_eq "g4: /srv/f is s1's" "one" "$(as_user -- exec g4 -- cat /srv/f)"
check_eq "g4: its own hostname" "g4" "$(as_user -- exec g4 -- hostname)"
check_fails "g4: a machine-id of its own" test "$(as_user -- exec g4 -- cat /etc/machine-id)" = \
    "$(as_user -- exec g -- cat /etc/machine-id)"
check "g: changes /srv/f while g4 runs" as_user -- exec g -- sh -c 'echo five >/srv/f'
check "g4: writes /srv/h" as_user -- exec g4 -- sh -c 'echo six >/srv/h'
check_eq "g4: /srv/f is still s1's" "one" "$(as_user -- exec g4 -- cat /srv/f)"
check_fails "g: does not see g4's /srv/h" as_user -- exec g -- test -e /srv/h
# --- export, read as root of g's block: the archive holds the guest's own ids, as root's ---
check "user: export g while it runs (its temporary snapshot)" \
    as_user -- export g "$RL_DIR/home/g.tar.zst"
members() {
    tar --zstd -tvf "$1" --numeric-owner "${@:2}" 2>&1 | awk '{ print $2, $6 }' | LC_ALL=C sort | tr '\n' ' '
}
check_eq "g's archive: config, /srv/f and /etc/shadow as the guest's root and shadow group" \
    "0/0 lxmgr-export.conf 0/0 rootfs/srv/f 0/42 rootfs/etc/shadow " \
    "$(members "$RL_DIR/home/g.tar.zst" lxmgr-export.conf rootfs/srv/f rootfs/etc/shadow)"
check_eq "g's archive: /srv/f as g has it now" "five" \
    "$(tar --zstd -xOf "$RL_DIR/home/g.tar.zst" rootfs/srv/f 2>&1)"
check_eq "g: still running after the export" "running" \
    "$(as_user -- exec g -- systemctl is-system-running 2>&1)"
check_eq "the export left no temporary snapshot, layer or stage" "s1 s2 |" \
    "$(snaps)|$(ls -d "$store"/g/layers/.tmp-* "$store"/.g.export.* 2>/dev/null)"
check "user: export g --snapshots" as_user -- export g --snapshots "$RL_DIR/home/gs.tar.zst"
check_match "its archive holds s1 and s2" "snapshots/s1/stack.*snapshots/s2/stack|snapshots/s2/stack.*snapshots/s1/stack" \
    "$(tar --zstd -tf "$RL_DIR/home/gs.tar.zst" 2>&1 | grep '/stack$' | tr '\n' ' ')"
refused 1 "a rootless import of an archive with snapshots is not done yet" \
    "user: import of an archive with snapshots: refused in one line" \
    as_user -- import "$RL_DIR/home/gs.tar.zst" g8
check_eq "the refused import left nothing" "" "$(ls -d "$store"/g8 "$store"/.g8.* 2>/dev/null)"
rm -f "$RL_DIR/home/gs.tar.zst"
check_eq "g4's write is in its upper layer, of g's block" "$RL_BASE" \
    "$(stat -c %u "$store/g4/overlay/upper/srv/h" 2>&1)"
refused 1 "snapshot g@s1 is the lower layer of snapshot clone g4" "delete s1 under g4: refused in one line" as_user -- snapshot delete g s1
check "user: g stops while g4 runs" as_user -- stop g
check "user: g starts again while g4 runs" as_user -- start g --wait
check "user: g4 stops" as_user -- stop g4
check "user: export g4 (stopped, on g@s1 and its upper layer)" \
    as_user -- export g4 "$RL_DIR/home/g4.tar.zst"
check_eq "g4's archive: s1's /srv/f, its own /srv/h" "one six" \
    "$(tar --zstd -xOf "$RL_DIR/home/g4.tar.zst" rootfs/srv/f rootfs/srv/h 2>&1 | tr '\n' ' ' | sed 's/ $//')"
# A rootless machine moved to root's store: imported there, it boots with its files.
check "root: import g4's archive as gr" lx import "$RL_DIR/home/g4.tar.zst" gr
check_eq "gr: /srv/h is the guest's root's" "0 0" "$(stat -c '%u %g' "$T_ROOT/lib/gr/rootfs/srv/h" 2>&1)"
check "root: gr starts" lx start gr --wait
check_eq "gr: running" "running" "$(lx exec gr -- systemctl is-system-running --wait 2>&1)"
check_eq "gr: /srv/h and /etc/shadow as in g4" "six 0 42" \
    "$(lx exec gr -- sh -c 'cat /srv/h; stat -c "%u %g" /etc/shadow' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check "root: export gr" lx export gr "$RL_DIR/home/gr.tar.zst"
chmod 644 "$RL_DIR/home/gr.tar.zst"
check "root: destroy gr" lx destroy gr --force
# And back: root's archive imported by the user, its rootfs unpacked in a block of the user's.
check "user: import root's archive of gr as g6" as_user -- import "$RL_DIR/home/gr.tar.zst" g6
b6=$(as_user -- config g6 get idmap.uid_base)
check_eq "g6: /srv/h belongs to the root of its own block" "$b6 $b6" \
    "$(stat -c '%u %g' "$store/g6/rootfs/srv/h" 2>&1)"
check_eq "g6: /etc/shadow to its block's shadow group" "$b6 $((b6 + 42))" \
    "$(stat -c '%u %g' "$store/g6/rootfs/etc/shadow" 2>&1)"
check "user: g6 starts" as_user -- start g6 --wait
check_eq "g6: running" "running" "$(as_user -- exec g6 -- systemctl is-system-running --wait 2>&1)"
check_eq "g6: /srv/h" "six" "$(as_user -- exec g6 -- cat /srv/h 2>&1)"
check "user: destroy g6 (running: --force)" as_user -- destroy g6 --force
check "user: import g's archive from stdin as g7" as_user -- import - g7 <"$RL_DIR/home/g.tar.zst"
check_eq "g7: /srv/f as g had it" "five" "$(cat "$store/g7/rootfs/srv/f" 2>&1)"
check_eq "g7's import left no stage" "" "$(ls -d "$store"/.g7.* 2>/dev/null)"
check "user: destroy g7" as_user -- destroy g7
check "user: destroy g4" as_user -- destroy g4
check_eq "g4 is gone" "" "$(ls -d "$store/g4" 2>/dev/null)"
check "user: g stops" as_user -- stop g
refused 1 "runs on the layers of its snapshots" \
    "clone g --snapshot (g on its own layers): refused in one line" as_user -- clone g g5 --snapshot
refused 1 "a rootless publish is not done yet" "publish: refused in one line" \
    as_user -- publish g img1

# --- delete ---
n=$(ls "$store/g/layers" | wc -l)
check "user: snapshot delete g s2" as_user -- snapshot delete g s2
check_eq "s2 is gone from the list" "s1 " "$(snaps)"
check_eq "g still runs on s2's layer: no layer removed" "$n" "$(ls "$store/g/layers" | wc -l)"
check "user: restore g s1" as_user -- restore g s1
check "user: snapshot delete g s1" as_user -- snapshot delete g s1
check_eq "no snapshot left" "" "$(snaps)"
check_eq "only the layer g runs on is left" "1" "$(ls "$store/g/layers" | wc -l)"
check_eq "nothing left over" "" "$(leftovers)"
check "user: snapshot create g s3" as_user -- snapshot create g s3

# --- destroy removes every layer ---
check "user: destroy g --force (it has snapshots)" as_user -- destroy g --force
check_eq "the user's store is empty" "" "$(ls -A "$store")"
check_eq "no process of the user is left" "" "$(user_procs_named)"
check_eq "no cgroup of g is left on the host" "" "$(host_cgroups_of g)"
check_eq "no host mount under the user's directory" "0" "$(grep -c "$RL_DIR" /proc/self/mountinfo)"

rl_cleanup
trap - EXIT
check_eq "the test user is gone" "" "$(getent passwd "$RL_USER")"
check_eq "its subordinate range is gone" "" "$(grep "^$RL_USER:" /etc/subuid /etc/subgid)"
check_eq "no process of its range is left" "" "$(host_procs_in_range "$RL_BASE" | tr '\n' ' ')"
check_eq "its directory is gone" "" "$(ls -d "$RL_DIR" 2>/dev/null)"
done_testing
