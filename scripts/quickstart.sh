#!/usr/bin/env bash
# Quick start on a fresh Debian 12 machine, as root: installs the packages lxmgr needs,
# builds and installs it, and launches the container "demo" from lxmgr's own Debian 12
# template with a user "demo" that logs in over SSH with root's key.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var --runstatedir=/run
make -j"$(nproc)"
make install
# A key to log in with, if root has none yet.
key=$HOME/.ssh/id_ed25519
# shellcheck disable=SC2174 # $HOME exists: -p makes .ssh alone, the directory -m is meant for
mkdir -p -m 0700 "$HOME/.ssh"
[ -f "$key.pub" ] || ssh-keygen -q -t ed25519 -N "" -f "$key"
if ! lxmgr info demo >/dev/null 2>&1; then
    # lxmgr's own Debian template (debootstrap, cached), a user with the key and sudo; launch
    # boots it until systemd is up and says how to connect.
    lxmgr launch demo -t debian -r bookworm --user demo --ssh-key "$key.pub" --sudo
fi
lxmgr info demo | grep -q '^State: *running' || lxmgr start demo --wait
lxmgr list
echo
echo "The container demo is running. Log in with:  ssh demo@$(lxmgr config demo get net.ip)"
echo "(or: lxmgr shell demo --user demo)"
# lxmgr never edits /etc/nsswitch.conf (docs/networking.md): only say what to add.
if ! grep -Eq '^hosts:.*[[:space:]]lxmgr([[:space:]]|$)' /etc/nsswitch.conf 2>/dev/null; then
    echo "To resolve demo.lxmgr on this host too, add 'lxmgr' to the hosts: line of"
    echo "/etc/nsswitch.conf, before 'dns' (e.g. hosts: files lxmgr mymachines dns)."
fi
