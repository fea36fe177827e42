#!/usr/bin/env bash
# Proves: the oci template makes a container from an OCI image (skopeo copy, umoci unpack):
# an image built here with umoci from the Alpine 3.20 guest tarball, named as the OCI layout
# DIR:TAG, keeps its owners and boots with busybox init; an image without an init, a
# missing --image and a reference that is no layout nor transport fail in one line and
# leave nothing.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
guest_tarball alpine-3.20.tar.gz
command -v skopeo >/dev/null && command -v umoci >/dev/null ||
    skip_all "skopeo and umoci are not installed"

img=$T_ROOT/img
check "umoci: a layout with an empty image" sh -c "umoci init --layout '$img' && umoci new --image '$img:base'"
check "umoci: the Alpine tree as a layer of image alpine" sh -c "umoci unpack --image '$img:base' '$T_ROOT/bundle' &&
    tar -xzf '$GUEST_TARBALL' -C '$T_ROOT/bundle/rootfs' && umoci repack --image '$img:alpine' '$T_ROOT/bundle'"
rm -rf "$T_ROOT/bundle"

T_NAMES+=(o1)
out=$(lx create o1 -t oci --image "$img:alpine" --net none 2>&1)
rc=$?
check_eq "create -t oci --image DIR:TAG" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
check_match "skopeo copied it as oci:DIR:TAG" "template: copying oci:$img:alpine" "$out"
check "no cache was made" test ! -e "$T_ROOT/cache/oci"
rootfs=$T_ROOT/lib/o1/rootfs
check_eq "owners kept: /etc/shadow is root:shadow (0:42) and 0640" "0:42 640" \
    "$(stat -c '%u:%g %a' "$rootfs/etc/shadow")"
check_eq "the working copy of the image is gone" "" "$(find "$T_ROOT/lib" -mindepth 1 -maxdepth 1 ! -name o1)"
check_eq "detected: busybox init" "busybox" "$(lx config o1 get container.init_kind)"
check "start" lx start o1
check "the console shows a login prompt" wait_console o1 "o1 login:" 30
base=$(uid_base_of o1)
check "stop" lx stop o1
check_host_clean o1 "$base"

one_line() { # one_line DESCRIPTION REGEX ARGS...
    local desc=$1 re=$2 out
    shift 2
    if out=$(lx create "$@" 2>&1); then
        not_ok "$desc" "succeeded: $out"
    elif [ "$(printf '%s\n' "$out" | grep -cv ': template: \(copying\|unpacking\)')" = 1 ] &&
        [[ $out =~ $re ]]; then
        ok "$desc"
    else
        not_ok "$desc" "output: $out"
    fi
}
one_line "an image without /sbin/init" "create o2: template: oci: the result has no /sbin/init \(log: " \
    o2 -t oci --image "$img:base"
one_line "no --image" "create o3: template: oci: needs --image REF" o3 -t oci
one_line "neither a layout nor a transport" "no OCI layout there, and no skopeo transport" \
    o4 -t oci --image "$T_ROOT/nothing:x"
check_eq "nothing else was made" "o1" "$(ls -A "$T_ROOT/lib" | tr '\n' ' ' | sed 's/ $//')"
done_testing
