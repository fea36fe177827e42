#!/usr/bin/env bash
# Proves: a container's id range is checked against the rules LXC applies. `config set
# idmap.uid_base 1000` (host uid 1000, a real user's, outside root's /etc/subuid) is refused
# in one line naming the key, the range and the rule, and so is another container's range; a
# config file edited by hand to uid_base 1000 is refused at start, before any process runs as
# host uid 1000; doctor names it. A free range inside root's ranges is accepted and init runs
# as it. Regression test for issue 15, hole 6 (the container ran with host uid 1000 as root).
. "$(dirname "$0")/lib/common.sh"
setup_store

# refused PATTERN DESCRIPTION CMD...: exit 1 and one line matching.
refused() {
    local pattern=$1 desc=$2 out rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out =~ $pattern ]]; then
        ok "$desc"
    else
        not_ok "$desc" "exit $rc (want 1), output: $out"
    fi
}
init_uid() {
    local pid
    pid=$(sed -n 's/^init_pid=//p' "$T_ROOT/run/$1/state" 2>/dev/null)
    [ -n "$pid" ] && ps -o uid= -p "$pid" | tr -d ' '
}

new_debian ic1 --net none
new_debian ic2 --net none
base=$(uid_base_of ic1)
base2=$(uid_base_of ic2)
cfg=$T_ROOT/lib/ic1/config
cp "$cfg" "$T_ROOT/config.good"
sum=$(sha256sum <"$cfg")

# The attack: root of ic1 as host uid 1000, a real user's (cloudsdk on the test host).
refused "^lxmgr: config ic1: idmap: idmap.uid_base 1000: 1000-66535 is not inside root's ranges in /etc/subuid \([0-9]+-[0-9]+" \
    "config set idmap.uid_base 1000 is refused, naming key, range and rule" \
    lx config ic1 set idmap.uid_base 1000
check_eq "the config file was not rewritten" "$sum" "$(sha256sum <"$cfg")"

# Edited by hand: refused at start, before anything runs.
sed -i "s/^uid_base = .*/uid_base = 1000/" "$cfg"
check_eq "the edited file says uid_base 1000" "1000" "$(lx config ic1 get idmap.uid_base 2>&1)"
refused "^lxmgr: start ic1: idmap: idmap.uid_base 1000: 1000-66535 is not inside root's ranges in /etc/subuid" \
    "start refuses a config edited to uid_base 1000" lx start ic1
sleep 1
check_eq "ic1's init does not run as host uid 1000" "" "$(init_uid ic1)"
out=$(lx doctor ic1 2>&1)
check_match "doctor names the bad range" \
    "FAIL +ic1: idmap.uid_base 1000: 1000-66535 is not inside root's ranges in /etc/subuid" "$out"
lx stop ic1 --kill >/dev/null 2>&1
check_host_clean ic1 "$base"
cp "$T_ROOT/config.good" "$cfg"

# The other rules, each from the good file.
refused "idmap.gid_base 1000: 1000-66535 is not inside root's ranges in /etc/subgid" \
    "config set idmap.gid_base 1000 is refused" lx config ic1 set idmap.gid_base 1000
cp "$T_ROOT/config.good" "$cfg"
refused "idmap.uid_base $base2: $base2-$((base2 + 65535)) overlaps the uids $base2-$((base2 + 65535)) of container ic2" \
    "another container's range is refused" lx config ic1 set idmap.uid_base "$base2"
cp "$T_ROOT/config.good" "$cfg"
refused "idmap.uid_base $base: $base-$((base + 4294967295 - 1048576)) is not inside root's ranges" \
    "a size that runs past root's ranges is refused" lx config ic1 set idmap.size $((4294967295 - 1048576 + 1))
cp "$T_ROOT/config.good" "$cfg"

# A free range inside root's ranges is accepted, and init runs as it.
check_match "doctor is content again" "ic1: ids $base-$((base + 65535)) and" "$(lx doctor ic1 2>&1)"
free=$((base2 + 65536))
while [ "$free" = "$base" ] || grep -rqs "_base = $free$" "$T_ROOT"/lib/*/config; do
    free=$((free + 65536))
done
check "config set idmap.uid_base $free (free, inside root's ranges) is accepted" \
    lx config ic1 set idmap.uid_base "$free"
check_eq "and recorded" "$free" "$(lx config ic1 get idmap.uid_base)"
check "it starts" lx start ic1
check_match "it boots" "running|degraded" "$(wait_running ic1)"
# The claim at start may move it on if another store's running container maps it now.
now=$(lx config ic1 get idmap.uid_base)
check_eq "init runs as host uid $now, its config's range" "$now" "$(init_uid ic1)"
check "it stops" lx stop ic1
check_host_clean ic1 "$now"

done_testing
