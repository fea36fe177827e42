#!/usr/bin/env bash
# Proves: every bad input gets one clear line naming what was wrong, a non-zero exit, and
# loses nothing: names, a rootfs without init, a non-tarball, no free id range, config typos
# and bad values (file untouched), a second start, stop of a stopped container, create over
# an existing name, Ctrl-C during create, destroy of a running container.
. "$(dirname "$0")/lib/common.sh"
setup_store


rootfs=$(debian_rootfs)
refused 1 "invalid container name 'a/b'" "a name with a slash" lx create a/b --rootfs "$rootfs"
refused 1 "invalid container name '\.\.'" "the name .." lx create .. --rootfs "$rootfs"
refused 1 "invalid container name ''" "an empty name" lx create "" --rootfs "$rootfs"
refused 1 "invalid container name" "a name of 65 characters" lx create "$(printf 'a%.0s' $(seq 65))" --rootfs "$rootfs"
refused 1 "invalid container name" "a non-ASCII name" lx create "caf$(printf '\xc3\xa9')" --rootfs "$rootfs"
rule="use 1-63 letters, digits and '-', starting and ending with a letter or digit \(a hostname label\)"
for n in a..b a.b a_b x- "$(printf 'a%.0s' $(seq 64))"; do
    refused 1 "^lxmgr: create $n: create: invalid container name '$n': $rule\$" \
        "the name '$n' is refused once, with the rule" lx create "$n" --rootfs "$rootfs" --net none
done
refused 2 "^lxmgr: create: unknown option '-s' " "an unknown letter in a cluster is named" \
    lx create -secdash
refused 2 "^lxmgr: clone: unknown option '-q' " "an unknown letter after the names is named" \
    lx clone a b -q
refused 1 "create hx: config: container.hostname: invalid hostname 'bad name'" \
    "a bad hostname, before anything is copied" lx create hx --rootfs "$rootfs" --hostname "bad name"
check_eq "the bad hostname left nothing in the store" "" "$(ls -A "$T_ROOT/lib" 2>/dev/null)"
refused 2 "give one of -t TEMPLATE, --rootfs DIR or --tarball FILE" "create without a source" lx create x1
refused 2 "unknown option '--bogus'" "an unknown option" lx create x1 --bogus
refused 2 "unknown verb 'frobnicate'" "an unknown verb" lx frobnicate
refused 1 "no container named 'ghost'" "an unknown container" lx start ghost

mkdir -p "$T_ROOT/noinit/etc"
refused 1 "has no executable /sbin/init" "a rootfs without an init" lx create x1 --rootfs "$T_ROOT/noinit"
echo "not a tarball" >"$T_ROOT/junk.tar.gz"
refused 1 "is not a tar archive" "a tarball that is not one" lx create x1 --tarball "$T_ROOT/junk.tar.gz"
check_eq "nothing was left by the refused creates" "" "$(ls -A "$T_ROOT/lib" 2>/dev/null)"

# No free subordinate id range: every id of root's only range is taken by a running one.
new_debian ok1
base=$(uid_base_of ok1)
printf 'root:%s:65536\n' "$base" >"$T_ROOT/subuid"
cp "$T_ROOT/subuid" "$T_ROOT/subgid"
refused 1 "has no free range of 65536 ids for root" "no free subuid range" \
    env LXMGR_SUBUID="$T_ROOT/subuid" LXMGR_SUBGID="$T_ROOT/subgid" "$LXMGR" --root "$T_ROOT" \
    create x2 --rootfs "$rootfs"
check_eq "no half-made container after the id failure" "ok1" "$(ls "$T_ROOT/lib")"

refused 1 "a container named 'ok1' exists already" "create over an existing name" lx create ok1 --rootfs "$rootfs"

cfg=$T_ROOT/lib/ok1/config
sum=$(sha256sum <"$cfg")
refused 1 "config: .*ok1/config: limits.memroy: unknown key" "a typo'd key" lx config ok1 set limits.memroy 1G
refused 1 "limits.memory: invalid size 'lots'" "a bad value" lx config ok1 set limits.memory lots
# What lxmgr recorded of how the container was made breaks it when changed by hand.
for kv in "rootfs.storage btrfs" "rootfs.snapshot_of ok2" "rootfs.shifted yes" "container.name ok9"; do
    key=${kv% *}
    refused 1 "^lxmgr: config ok1: config: $key is lxmgr's record of how ok1 was made: changed by hand it breaks the container, so config set refuses it\$" \
        "config set $key: refused in one line" lx config ok1 set "$key" "${kv#* }"
done
refused 1 "rootfs.storage is lxmgr's record of how ok1 was made: .*config unset refuses it" \
    "config unset rootfs.storage: refused" lx config ok1 unset rootfs.storage
check_eq "the config file was not rewritten" "$sum" "$(sha256sum <"$cfg")"
# Edited by hand all the same: the start refuses it before any pool image is made.
sed -i 's/^storage = .*/storage = btrfs/' "$cfg"
refused 1 "rootfs.storage is btrfs, but .*/ok1/rootfs is no subvolume of the pool" \
    "a config edited by hand to rootfs.storage btrfs: start refused in one line" lx start ok1
check_eq "and no btrfs pool image was made or mounted" "0 0" \
    "$(ls -A "$T_ROOT/lib/.storage" 2>/dev/null | wc -l) $(grep -c "$T_ROOT/lib/.storage" /proc/self/mountinfo)"
sed -i 's/^storage = btrfs$/storage = dir/' "$cfg"
check_eq "the config is back as it was" "$sum" "$(sha256sum <"$cfg")"
check "a good value is accepted" lx config ok1 set limits.memory 512M
check_eq "and reads back" "512M" "$(lx config ok1 get limits.memory)"
cp "$cfg" "$T_ROOT/config.good"
sed -i 's/^\[limits\]/[limits]\nmemroy = 1G/' "$cfg"
line=$(grep -n memroy "$cfg" | cut -d: -f1)
refused 1 "ok1/config:$line: limits.memroy: unknown key" "a typo in the file names file, line and key" lx start ok1
cp "$T_ROOT/config.good" "$cfg"

check "start" lx start ok1
refused 1 "container is already running" "a second start" lx start ok1
refused 1 "container is running \(stop it first, or use --force\)" "destroy of a running container" lx destroy ok1
check "stop" lx stop ok1
refused 1 "container is not running" "stop of a stopped container" lx stop ok1
refused 1 "container is not running" "exec in a stopped container" lx exec ok1 -- true
check "destroy a stopped container" lx destroy ok1
check_eq "destroy removed it" "" "$(ls -A "$T_ROOT/lib")"

# Ctrl-C in the middle of create: SIGINT while the rootfs is being copied.
"$LXMGR" --root "$T_ROOT" create int1 --rootfs "$rootfs" 2>"$T_ROOT/int.err" &
pid=$!
for _ in $(seq 1 200); do
    [ -n "$(ls -A "$T_ROOT/lib" 2>/dev/null)" ] && break
    sleep 0.01
done
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" != 0 ] && ok "an interrupted create fails (status $rc)" || not_ok "an interrupted create fails"
check_match "and says so" "interrupted: nothing was created" "$(cat "$T_ROOT/int.err")"
check_eq "leaving nothing in the store" "" "$(ls -A "$T_ROOT/lib")"
out=$(lx -q create quiet1 --rootfs "$rootfs" --net none 2>&1)
check_eq "create -q prints nothing, not even progress" "" "$out"
check "and made the container" lx destroy quiet1
done_testing
