#!/usr/bin/env bash
# Proves: two running containers never share a host id, even when they come from different
# stores (--root) whose configs hold the same range: the second start, or either of two
# simultaneous starts, moves to a free range and records it; a shifted rootfs, which cannot
# move, is refused in one line and leaves nothing behind.
source "$(dirname "$0")/lib/common.sh"
setup_store

ROOT2=$(mktemp -d /tmp/lxmgr-test.XXXXXX)
cp -a "$T_ROOT/etc" "$ROOT2/"
lx2() { "$LXMGR" --root "$ROOT2" "$@"; }
cleanup2() {
    lx2 stop id2 --kill >/dev/null 2>&1
    lx2 stop id3 --kill >/dev/null 2>&1
    lx2 gc >/dev/null 2>&1
    rm -rf --one-file-system "$ROOT2"
    teardown_store
}
trap cleanup2 EXIT

new_debian id1 --net none
lx2 create id2 --rootfs "$(debian_rootfs)" --net none >/dev/null 2>&1
lx2 create id3 --rootfs "$(debian_rootfs)" --net none >/dev/null 2>&1
base1=$(uid_base_of id1)
own3=$(lx2 config id3 get idmap.uid_base)
own3g=$(lx2 config id3 get idmap.gid_base)
# One container of a store per range: config set refuses another's (id3 takes it below).
lx2 config id2 set idmap.uid_base "$base1"
lx2 config id2 set idmap.gid_base "$base1"
check_eq "the second store's container holds the same range" "$base1" "$(lx2 config id2 get idmap.uid_base)"

check "id1 starts" lx start id1
out=$(lx2 -v start id2 2>&1)
check_eq "id2 starts beside it" 0 $?
check_match "the start says it moved the range" "ids $base1-[0-9]+ are mapped by a running user namespace: moved to" "$out"
base2=$(lx2 config id2 get idmap.uid_base)
check_match "id2 records a new uid range" '^[0-9]+$' "$base2"
[ "$base2" != "$base1" ] && ok "the new range differs from id1's" || not_ok "the new range differs from id1's" "both $base1"
gbase2=$(lx2 config id2 get idmap.gid_base)
[ "$gbase2" != "$base1" ] && ok "the gid range moved too" || not_ok "the gid range moved too" "still $base1"
pid2=$(lx2 info id2 --json | grep -o '"init_pid": *[0-9]*' | grep -o '[0-9]*$')
check_eq "id2's init runs as its new range's root on the host" "$base2" "$(ps -o uid= -p "$pid2" | tr -d ' ')"
check_eq "root inside id2 is still root" "0" "$(lx2 exec id2 -- id -u)"
check_eq "files of id2's rootfs still read as root's inside" "0 0" "$(lx2 exec id2 -- stat -c '%u %g' /etc/sudo.conf)"
check_eq "its /dev/console belongs to root and tty inside (not nobody)" "0 5" \
    "$(lx2 exec id2 -- stat -c '%u %g' /dev/console)"
check "id2 stops" lx2 stop id2

# A shifted rootfs cannot move: refused, nothing made. id2 has moved off id1's range, so
# id3 of the same store may take it.
lx2 config id3 set idmap.uid_base "$base1"
lx2 config id3 set idmap.gid_base "$base1"
sed -i "s/^shifted = .*/shifted = yes/" "$ROOT2/lib/id3/config" # by hand: config set refuses it
out=$(lx2 start id3 2>&1)
check_eq "a shifted rootfs on a range in use is refused" 1 $?
check_match "the refusal names the ids and the fix" "lxmgr: start id3: idmap: ids $base1-[0-9]+ are mapped by a running user namespace .*shifted to them: stop that one first" "$out"
check_eq "the refusal leaves the config's range" "$base1" "$(lx2 config id3 get idmap.uid_base)"
check_eq "and no runtime files" "" "$(ls -A "$ROOT2/run/id3" 2>/dev/null)"
sed -i "s/^shifted = .*/shifted = no/" "$ROOT2/lib/id3/config"
lx2 config id3 set idmap.uid_base "$own3"
lx2 config id3 set idmap.gid_base "$own3g"
check "id1 stops" lx stop id1

# Two starts at once, from two stores, on one range: they end on different ranges.
lx2 config id2 set idmap.uid_base "$base1"
lx2 config id2 set idmap.gid_base "$base1"
lx start id1 & p1=$!
lx2 start id2 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "both simultaneous starts succeed" "0 0" "$r1 $r2"
b1=$(uid_base_of id1)
b2=$(lx2 config id2 get idmap.uid_base)
[ "$b1" != "$b2" ] && ok "simultaneous starts end on different ranges" || not_ok "simultaneous starts end on different ranges" "both $b1"
overlap=$(comm -12 <(host_procs_in_range "$b1" | sort) <(host_procs_in_range "$b2" | sort) | wc -l)
check_eq "no process is in both ranges" 0 "$overlap"
check "id1 stops" lx stop id1
check "id2 stops" lx2 stop id2
check_host_clean id1 "$b1"
left=$(host_procs_in_range "$b2" | tr '\n' ' ')
check_eq "id2: no process of its id range left" "" "$left"
done_testing
