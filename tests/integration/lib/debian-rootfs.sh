#!/usr/bin/env bash
# Proves nothing: builds (once) the Debian root filesystems the integration tests boot,
# cached outside the checkout so that a rerun takes seconds.
# Usage: debian-rootfs.sh [SUITE [INIT]]   prints the path of the cached rootfs on stdout.
#   INIT: systemd (default), sysvinit (sysvinit-core as PID 1) or openrc (sysvinit's init
#   running OpenRC), or systemd-host (systemd plus machined, dbus and the libraries lxmgr links
#   against: the outer container of tests/systemd-host), or ssh (systemd plus openssh-server,
#   for the SSH host keys of clones), or ansible-host (systemd-host's packages plus
#   openssh-server, python3 and python3-apt: the second host of tests/ansible-two-hosts and
#   the machines its playbook makes), or usermgr-host (systemd-host's packages plus
#   dbus-user-session, libpam-systemd and uidmap: a host where a user's systemd user manager
#   runs, for tests/rootless-user-manager). Each variant has its own cache.
set -euo pipefail

suite=${1:-bookworm}
init=${2:-systemd}
cache=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}
common=sudo,iproute2,procps
exclude=
case $init in
systemd)
    dest="$cache/debian-$suite"
    include=systemd,systemd-sysv,dbus,$common
    ;;
ssh)
    dest="$cache/debian-$suite-ssh"
    include=systemd,systemd-sysv,dbus,openssh-server,$common
    ;;
systemd-host | ansible-host | usermgr-host)
    dest="$cache/debian-$suite-$init"
    include=systemd,systemd-sysv,dbus,systemd-container,libnl-route-3-200,libnftables1
    include=$include,libuuid1,libseccomp2,libiniparser1,libcrypt1,libsystemd0,$common
    [ "$init" = ansible-host ] && include=$include,openssh-server,python3,python3-apt
    [ "$init" = usermgr-host ] && include=$include,dbus-user-session,libpam-systemd,uidmap
    ;;
sysvinit | openrc)
    dest="$cache/debian-$suite-$init"
    # init's first alternative is systemd-sysv: name the other one and keep systemd out.
    include=sysvinit-core,sysv-rc,initscripts,orphan-sysvinit-scripts,$common
    exclude=systemd,systemd-sysv
    ;;
*)
    echo "debian-rootfs: unknown init '$init' (systemd, systemd-host, ansible-host, usermgr-host, ssh, sysvinit, openrc)" >&2
    exit 2
    ;;
esac

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
tmp=$(mktemp -d "$cache/.${dest##*/}.XXXXXX")
trap 'rm -rf --one-file-system "$tmp"' EXIT
echo "debian-rootfs: debootstrap $suite ($init) into $dest (one time, about a minute)" >&2
debootstrap --variant=minbase --include="$include" ${exclude:+--exclude="$exclude"} \
    "$suite" "$tmp" "$(apt_mirror)" \
    | sed -u 's/^/debootstrap: /' >&2
# debootstrap takes initscripts' first alternative, sysv-rc, which conflicts with openrc:
# apt inside swaps them.
if [ "$init" = openrc ]; then
    DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get install -y -q --no-install-recommends \
        openrc 2>&1 | sed -u 's/^/apt: /' >&2
    chroot "$tmp" apt-get clean
fi
# Tests boot this tree many times; leave apt's downloaded packages out of it.
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages
chmod 0755 "$tmp"
rm -rf --one-file-system "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
