#!/usr/bin/env bash
# Installs every Debian package lxmgr needs to build, run and be tested (Debian 12, as root).
set -euo pipefail

build=(build-essential autoconf automake libtool pkg-config
    libsystemd-dev libnl-3-dev libnl-route-3-dev libiniparser-dev uuid-dev
    libseccomp-dev libcmocka-dev libcrypt-dev libnftables-dev
    debhelper dh-nss)
run=(tar xz-utils zstd bzip2 gzip nftables dnsmasq-base debootstrap curl
    uidmap passt mmdebstrap btrfs-progs)
test=(debootstrap clang-format dpkg-dev procps busybox-static tmux rpm createrepo-c clang groff-base bash-completion shellcheck
    skopeo umoci
    iptables iputils-ping python3 acl libcap2-bin
    lintian git ansible-core openssh-client yamllint pycodestyle prometheus
    qemu-system-x86 e2fsprogs)

missing=()
for p in "${build[@]}" "${run[@]}" "${test[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
