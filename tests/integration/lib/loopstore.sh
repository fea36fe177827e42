#!/usr/bin/env bash
# Sourced by the limits-disk-* tests: a store on a loop-mounted image made by the test, and
# its removal. Needs common.sh first.

LOOP_IMAGES=()
LOOP_MOUNTS=()

# loop_store SIZE MKFS_OPTIONS MOUNT_OPTIONS DIR: DIR becomes a fresh ext4 of SIZE; fails when
# the kernel cannot mount it so (the caller decides whether that skips).
loop_store() {
    local size=$1 mkfs_opts=$2 mount_opts=$3 dir=$4 img
    img=$(mktemp /var/tmp/lxmgr-test-loop.XXXXXX.img) || return 1
    LOOP_IMAGES+=("$img")
    truncate -s "$size" "$img" || return 1
    # shellcheck disable=SC2086 # a list of options
    mkfs.ext4 -q -F $mkfs_opts "$img" || return 1
    mkdir -p "$dir"
    mount -o "loop${mount_opts:+,$mount_opts}" "$img" "$dir" 2>/dev/null || return 1
    LOOP_MOUNTS+=("$dir")
}

# Unmounts every loop store (the loop device goes with it: mount -o loop sets autoclear).
loop_cleanup() {
    local m img
    for m in "${LOOP_MOUNTS[@]}"; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    for img in "${LOOP_IMAGES[@]}"; do
        rm -f "$img"
    done
}

# Loop devices still backed by one of our images.
loop_leftovers() {
    local img
    for img in "${LOOP_IMAGES[@]}"; do
        losetup -j "$img" 2>/dev/null
    done
}
