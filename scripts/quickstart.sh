#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine, as root: installs the packages lxmgr needs,
# builds and installs it, makes a Debian 12 root filesystem with debootstrap and boots it
# as the container "demo".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var --runstatedir=/run
make -j"$(nproc)"
make install
rootfs=$(LXMGR_TEST_CACHE=/var/cache/lxmgr/rootfs bash tests/integration/lib/debian-rootfs.sh bookworm)
if ! lxmgr info demo >/dev/null 2>&1; then
    lxmgr create demo --rootfs "$rootfs"
fi
lxmgr info demo | grep -q '^State: *running' || lxmgr start demo --wait
lxmgr list
echo
echo "The container demo is running. Enter it with:  lxmgr exec demo -- bash -l"
# lxmgr never edits /etc/nsswitch.conf (docs/networking.md): only say what to add.
if ! grep -Eq '^hosts:.*[[:space:]]lxmgr([[:space:]]|$)' /etc/nsswitch.conf 2>/dev/null; then
    echo "To resolve demo.lxmgr on this host too, add 'lxmgr' to the hosts: line of"
    echo "/etc/nsswitch.conf, before 'dns' (e.g. hosts: files lxmgr mymachines dns)."
fi
