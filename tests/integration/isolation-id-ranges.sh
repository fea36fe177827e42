#!/usr/bin/env bash
# Proves: across 20 creates, clones (copy and snapshot) and destroys, with the ranges of
# destroyed containers handed out again, no two containers of a store share a host uid or
# gid: every live container's [base, base+size) is disjoint from every other's and lies in
# root's /etc/subuid and /etc/subgid ranges. Running side by side, each container's
# processes run as its own range, and a file it makes is owned on the host by its own range
# (a shifted rootfs) or stored unshifted under the idmapped mount (where only that
# container's map turns it into an owner).
. "$(dirname "$0")/lib/common.sh"
setup_store
tarball=${LXMGR_ALPINE:-$TESTS_DIR/../../shared/guests/alpine-3.20.tar.gz}
[ -r "$tarball" ] || skip_all "the Alpine 3.20 tarball is missing ($tarball)"

declare -A uid gid size
live=()
ops=0
seen=" "
reused=0

record() {
    local n=$1
    uid[$n]=$(lx config "$n" get idmap.uid_base)
    gid[$n]=$(lx config "$n" get idmap.gid_base)
    size[$n]=$(lx config "$n" get idmap.size)
    case $seen in *" ${uid[$n]} "*) reused=$((reused + 1)) ;; esac
    seen="$seen${uid[$n]} "
    live+=("$n")
}
forget() {
    local n=$1 keep=() x
    for x in "${live[@]}"; do [ "$x" != "$n" ] && keep+=("$x"); done
    live=("${keep[@]}")
}
op() {
    local what=$1 out
    shift
    ops=$((ops + 1))
    if ! out=$(lx "$@" 2>&1); then
        not_ok "$what" "lxmgr $*" "${out:0:300}"
        return 1
    fi
}
create() { T_NAMES+=("$1"); op "create $1" create "$1" --tarball "$tarball" --net none "${@:2}" && record "$1"; }
clone() { T_NAMES+=("$2"); op "clone $1 $2" clone "$1" "$2" "${@:3}" && record "$2"; }
destroy() { op "destroy $1" destroy "$1" && forget "$1"; }

# Whether every pair of live containers has disjoint uid and gid ranges; prints offenders.
overlaps() {
    local i j a b
    for ((i = 0; i < ${#live[@]}; i++)); do
        for ((j = i + 1; j < ${#live[@]}; j++)); do
            a=${live[i]} b=${live[j]}
            if ((uid[$a] < uid[$b] + size[$b] && uid[$b] < uid[$a] + size[$a])); then
                echo "uid $a ${uid[$a]} / $b ${uid[$b]}"
            fi
            if ((gid[$a] < gid[$b] + size[$b] && gid[$b] < gid[$a] + size[$a])); then
                echo "gid $a ${gid[$a]} / $b ${gid[$b]}"
            fi
        done
    done
}
# Whether [base, base+size) lies in one of root's entries of the subid file.
in_subid() {
    awk -F: -v b="$1" -v s="$2" '$1 == "root" && b >= $2 && b + s <= $2 + $3 { f = 1 } END { exit !f }' "$3"
}
check_ranges() {
    local n bad=
    for n in "${live[@]}"; do
        in_subid "${uid[$n]}" "${size[$n]}" "${LXMGR_SUBUID:-/etc/subuid}" || bad="$bad $n:uid"
        in_subid "${gid[$n]}" "${size[$n]}" "${LXMGR_SUBGID:-/etc/subgid}" || bad="$bad $n:gid"
    done
    check_eq "after $ops operations: no two of ${#live[@]} containers share an id ($1)" "" \
        "$(overlaps)$bad"
}

for n in a1 a2 a3 a4 a5 a6 a7 a8; do create "$n"; done
check_ranges "8 creates"
destroy a2
destroy a5
create a9
create a10
check_ranges "2 destroyed, 2 created"
clone a1 k1
clone a3 k2 --snapshot
check_ranges "a copy and a snapshot clone"
destroy a9
clone a4 k3
create a11
destroy k3
create a12 --shift
create a13
check_ranges "more destroys, a clone, a shifted create"
check_eq "20 operations ran" "20" "$ops"
[ "$reused" -gt 0 ] && ok "ranges of destroyed containers were handed out again ($reused times)" ||
    not_ok "ranges of destroyed containers were handed out again" "no range was reused"

# Side by side: an idmapped container, a shifted one and a snapshot clone.
check_eq "a12 is shifted, a1 is not" "yes no" "$(lx config a12 get rootfs.shifted) $(lx config a1 get rootfs.shifted)"
for n in a1 a12 k2; do
    check "start $n" lx start "$n"
done
for n in a1 a12 k2; do
    b=${uid[$n]}
    init=$(sed -n 's/^init_pid=//p' "$T_ROOT/run/$n/state")
    check_eq "$n: init runs as its own root on the host ($b)" "$b" "$(stat -c %u "/proc/$init")"
    scope=$(basename "$(sed -n 's/^cgroup=//p' "$T_ROOT/run/$n/state")")
    tag=${scope%"$n.scope"}
    bad=$(ps -eo uid=,pid= | awk -v b="$b" -v s="${size[$n]}" '$1 >= b && $1 < b + s { print $2 }' |
        while read -r p; do
            c=$(sed -n 's/^0:://p' "/proc/$p/cgroup" 2>/dev/null)
            [[ $c == *"/$tag"* ]] && [[ $c != *"/$scope"* ]] && echo "$p $c"
        done)
    check_eq "$n: no process of another container of this store runs in its range" "" "$bad"
    lx exec "$n" -- sh -c 'touch /root/made-by-root && touch /tmp/x && chown 1000:1000 /tmp/x && mv /tmp/x /root/made-by-1000'
    check_eq "$n: inside, the files are owned by 0 and 1000" "0 1000" \
        "$(lx exec "$n" -- stat -c %u /root/made-by-root) $(lx exec "$n" -- stat -c %u /root/made-by-1000)"
done
# On the host: the shifted rootfs holds its own range's ids; the idmapped one the ids as
# inside; the snapshot's upper layer as inside too (under its idmapped overlay).
check_eq "a12 (shifted): owned by its own range on the host" "${uid[a12]} $((uid[a12] + 1000))" \
    "$(stat -c %u "$T_ROOT/lib/a12/rootfs/root/made-by-root") $(stat -c %u "$T_ROOT/lib/a12/rootfs/root/made-by-1000")"
check_eq "a1 (idmapped): stored unshifted on the host" "0 1000" \
    "$(stat -c %u "$T_ROOT/lib/a1/rootfs/root/made-by-root") $(stat -c %u "$T_ROOT/lib/a1/rootfs/root/made-by-1000")"
upper=$(find "$T_ROOT/lib/k2" -path '*/root/made-by-1000' -not -path '*/rootfs/*' | head -n1)
check_eq "k2 (snapshot): stored unshifted in its own layer" "1000" "$(stat -c %u "$upper" 2>/dev/null)"
check_eq "and not in the source's rootfs" "no" "$([ -e "$T_ROOT/lib/a3/rootfs/root/made-by-1000" ] && echo yes || echo no)"
for n in a1 a12 k2; do
    check "stop $n" lx stop "$n"
    check_host_clean "$n" "${uid[$n]}"
done
done_testing
