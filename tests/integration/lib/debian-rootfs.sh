#!/usr/bin/env bash
# Proves nothing: builds (once) the Debian 12 root filesystem the integration tests boot,
# cached outside the checkout so that a rerun takes seconds.
# Usage: debian-rootfs.sh [SUITE]   prints the path of the cached rootfs on stdout.
set -euo pipefail

suite=${1:-bookworm}
cache=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}
dest="$cache/debian-$suite"
include=systemd,systemd-sysv,dbus,sudo,iproute2,procps

# The mirror is the one apt on this host already uses, so nothing here names a host.
apt_mirror() {
    local uri
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
        | grep -v security | head -n1 | awk '{print ($1 == "deb") ? $2 : $2}')
    [ -n "$uri" ] || { echo "debian-rootfs: no Debian mirror in the apt sources" >&2; exit 1; }
    echo "$uri"
}

# The rename below is the last step: a tree at $dest is complete.
if [ -x "$dest/sbin/init" ]; then
    echo "$dest"
    exit 0
fi

command -v debootstrap >/dev/null || { echo "debian-rootfs: debootstrap is not installed" >&2; exit 1; }
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.debian-$suite.XXXXXX")
trap 'rm -rf --one-file-system "$tmp"' EXIT
echo "debian-rootfs: debootstrap $suite into $dest (one time, about a minute)" >&2
debootstrap --variant=minbase --include="$include" "$suite" "$tmp" "$(apt_mirror)" \
    | sed -u 's/^/debootstrap: /' >&2
# Tests boot this tree many times; leave apt's downloaded packages out of it.
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages
chmod 0755 "$tmp"
rm -rf --one-file-system "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
