#!/usr/bin/env bash
# Proves: publish makes a running Debian guest (a marker file, a changed config key, SSH host
# keys of its own) into a local image without its identity (no machine-id, no SSH host keys,
# no uuid or name in its config) while the guest keeps running, not frozen, with no snapshot
# left; create and launch -t image -r ALIAS make containers of it that boot at once, each
# with its own uuid, machine-id and SSH host keys, the marker and the config key; templates
# lists the image with its source; republishing is refused without --force and done with it;
# a bad alias is refused in one line; a kill -9 in the middle of a publish leaves nothing
# that gc does not remove (a frozen source thawed); publish --delete removes the image.
. "$(dirname "$0")/lib/common.sh"
setup_store

rootfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm ssh) ||
    skip_all "cannot build the Debian rootfs with openssh-server"
fp() { lx exec "$1" -- ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub | awk '{ print $2 }'; }
images=$T_ROOT/cache/image

T_NAMES+=(pubsrc pub1 pub2)
check "create the source" lx create pubsrc --rootfs "$rootfs" --net none
echo published >"$T_ROOT/lib/pubsrc/rootfs/root/marker"
check "change a config key" lx config pubsrc set limits.pids 777
check "start it" lx start pubsrc
check_eq "it reaches running" "running" "$(wait_running pubsrc)"
src_mid=$(lx exec pubsrc -- cat /etc/machine-id)
src_fp=$(fp pubsrc)
check_match "the source has an SSH host key of its own" '^SHA256:' "$src_fp"

check "publish it while it runs" lx publish pubsrc web
check_eq "it still runs, not frozen" "running" "$(lx list --json | python3 -c 'import json, sys
print([c["state"] for c in json.load(sys.stdin) if c["name"] == "pubsrc"][0])')"
check_eq "no temporary snapshot or layer is left" "" \
    "$(find "$T_ROOT/lib/pubsrc/snapshots" "$T_ROOT/lib/pubsrc/layers" -mindepth 1 -maxdepth 1 2>/dev/null)"
entry=$(compgen -G "$images/web/*")
check_eq "the image has no SSH host keys" "" "$(compgen -G "$entry/rootfs/etc/ssh/ssh_host_*")"
check_eq "and an empty machine-id" "0" "$(stat -c %s "$entry/rootfs/etc/machine-id")"
check_eq "its config has no name, uuid, ids or MAC" "" \
    "$(grep -E '^ *(name|uuid|uid_base|gid_base|mac|hostname) *=' "$entry/config")"
check_match "but the changed key" "pids = 777" "$(cat "$entry/config")"
check_match "templates lists it with its source" "web [a-z0-9_]+  \(from pubsrc, published [0-9-]+ " \
    "$(lx templates)"

refused 1 "publish pubsrc: publish: an image 'web' exists already: publish --force replaces it" \
    "republishing without --force" lx publish pubsrc web
refused 1 "publish pubsrc: publish: invalid image alias 'we/b'" "a bad alias" lx publish pubsrc we/b
refused 1 "create pubx: image: no image 'nope'" "create from a missing image" \
    lx create pubx -t image -r nope --net none
refused 1 "create pubx: image: -t image needs -r ALIAS" "-t image without -r" \
    lx create pubx -t image --net none

check "create from the image" lx create pub1 -t image -r web --net none
check "launch from the image" lx launch pub2 -t image -r web --net none
check "start the first" lx start pub1
check_eq "the first reaches running" "running" "$(wait_running pub1)"
check_eq "the second too" "running" "$(wait_running pub2)"
check_eq "the source runs beside them" "running" "$(wait_running pubsrc)"
check_match "info names the image" "Source: +image web" "$(lx info pub1)"
for n in pub1 pub2; do
    check_eq "$n: the marker came along" "published" "$(lx exec $n -- cat /root/marker)"
    check_eq "$n: the changed key too" "777" "$(lx config $n get limits.pids)"
done
check_eq "three uuids" "3" "$(for n in pubsrc pub1 pub2; do lx config $n get container.uuid; done | sort -u | grep -c .)"
check_eq "three machine-ids" "3" "$(printf '%s\n' "$src_mid" "$(lx exec pub1 -- cat /etc/machine-id)" \
    "$(lx exec pub2 -- cat /etc/machine-id)" | sort -u | grep -c .)"
fp1=$(fp pub1)
fp2=$(fp pub2)
check_match "pub1 made an SSH host key at boot" '^SHA256:' "$fp1"
check_eq "three SSH host keys: none shared with the source" "3" \
    "$(printf '%s\n' "$src_fp" "$fp1" "$fp2" | sort -u | grep -c .)"

# kill -9 in the middle of a publish of the running source (frozen for its copy), then gc.
"$LXMGR" --root "$T_ROOT" publish pubsrc killed &
pid=$!
sleep 1
kill -9 "$pid"
wait "$pid" 2>/dev/null
check_match "the kill left its build behind" "build-" "$(compgen -G "$images/killed/.*.build-*")"
check "gc after a killed publish" lx gc
check_eq "no image, build or directory of it is left" "web" "$(ls -A "$images" | tr '\n' ' ' | sed 's/ $//')"
check_eq "nothing is left in web's directory but the image" "1" "$(find "$images/web" -mindepth 1 -maxdepth 1 | wc -l)"
check_eq "no temporary snapshot of the source is left" "" \
    "$(find "$T_ROOT/lib/pubsrc/snapshots" "$T_ROOT/lib/pubsrc/layers" -mindepth 1 -maxdepth 1 2>/dev/null)"
check_eq "the source runs, thawed" "running" "$(lx exec pubsrc -- systemctl is-system-running)"

for n in pub1 pub2 pubsrc; do
    base=$(uid_base_of $n)
    check "stop $n" lx stop $n
    check_host_clean $n "$base"
done
check "republish --force from the stopped source" lx publish pubsrc web --force
check_eq "still one image web" "1" "$(lx templates | grep -c '^  web ')"
check "publish --delete" lx publish --delete web
check_eq "templates no longer lists it" "0" "$(lx templates | grep -c '^  web ')"
check_eq "nothing of it is left in the cache" "" "$(ls -A "$images")"
refused 1 "no image 'web'" "deleting it again" lx publish --delete web
done_testing
