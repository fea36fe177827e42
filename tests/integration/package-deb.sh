#!/usr/bin/env bash
# Proves: the Debian packages build from a clean copy of the tree (scripts/build-deb.sh,
# what `make deb` runs) without writing into the checkout; lintian finds no error; the lxmgr
# package holds the binary, units, tmpfiles, man pages, completion, templates and hooks and
# libnss-lxmgr the NSS module; in a booted Debian 12 without network, apt installs both
# with the dependencies they declare (resolved against the guest's dpkg status and fetched
# on the host from Debian's archive into a cache, once); the binary runs, systemd loads the
# units and enables none, the NSS module resolves NAME.lxmgr through the hosts line the
# package added to nsswitch.conf; remove and purge take out what the packages own (the
# template cache and logs, /run/lxmgr, the nsswitch entry) while the containers in
# /var/lib/lxmgr, their logs and the administrator's hooks stay.
. "$(dirname "$0")/lib/common.sh"
setup_store

src=$(cd "$TESTS_DIR/.." && pwd)
for tool in dpkg-buildpackage dpkg-checkbuilddeps lintian apt-get git; do
    command -v "$tool" >/dev/null || skip_all "$tool is not installed (bash scripts/install-deps.sh)"
done
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || skip_all "$src is not a git checkout"
(cd "$src" && dpkg-checkbuilddeps 2>/dev/null) ||
    skip_all "the build dependencies of debian/control are missing (bash scripts/install-deps.sh)"
version=$(sed -n 's/^AC_INIT(\[lxmgr\], *\[\([^]]*\)\].*/\1/p' "$src/configure.ac")
arch=$(dpkg --print-architecture)
ms() { date +%s%3N; }
t_start=$(ms)

check_eq "debian/changelog is at configure.ac's version" "$version" \
    "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)"

# The host as found: nothing of this test may change it.
host_nss=$(md5sum </etc/nsswitch.conf)
host_pkgs=$(dpkg-query -W -f='${Package} ${Status}\n' lxmgr libnss-lxmgr 2>/dev/null)
touch "$T_ROOT/marker"

# The build runs while the guest is created and boots (one is CPU, the other disk).
out=$T_ROOT/out
mkdir -p "$out" "$T_ROOT/tmp"
TMPDIR=$T_ROOT/tmp bash "$src/scripts/build-deb.sh" --outdir "$out" >"$T_ROOT/built" \
    2>"$T_ROOT/build.log" &
build_pid=$!

new_debian pkg1 --net none
base=$(uid_base_of pkg1)
check "start the guest" lx start pkg1
check_eq "the guest runs" "running" "$(wait_running pkg1)"

wait "$build_pid"
check_eq "scripts/build-deb.sh builds the packages" "0" "$?"
t_built=$(ms)
[ -s "$T_ROOT/built" ] || sed 's/^/#   build: /' "$T_ROOT/build.log" | tail -30
deb=$out/lxmgr_${version}_${arch}.deb
nss=$out/libnss-lxmgr_${version}_${arch}.deb
check "lxmgr_${version}_${arch}.deb is built" test -s "$deb"
check "libnss-lxmgr_${version}_${arch}.deb is built" test -s "$nss"
check_eq "the build printed the paths of what it built" \
    "$(printf '%s\n' "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo | sort)" "$(sort "$T_ROOT/built")"
check_eq "the build left nothing in the checkout" "" \
    "$(find "$src" -path "$src/.git" -prune -o -newer "$T_ROOT/marker" \
        \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' -o -path '*/debian/*' \
        -o -name 'lxmgr-deb.*' \) -print)"
check_eq "the build's copy of the tree is gone" "" "$(ls -A "$T_ROOT/tmp")"

# lintian: no error; its warnings are shown.
lintian_out=$(lintian --fail-on error "$out/lxmgr_${version}_${arch}.changes" 2>&1)
check_eq "lintian exits 0 (no error)" "0" "$?"
check_eq "lintian reports no error" "" "$(grep '^E:' <<<"$lintian_out")"
grep '^[WI]:' <<<"$lintian_out" | sed 's/^/# lintian: /'
t_lintian=$(ms)

# What each package holds.
lists() { grep -qxE -- "$1" <<<"$2"; }
deb_files=$(dpkg -c "$deb" | awk '{ print $6 }')
nss_files=$(dpkg -c "$nss" | awk '{ print $6 }')
for f in ./usr/bin/lxmgr ./etc/lxmgr/lxmgr.conf ./lib/systemd/system/lxmgr@.service \
    ./lib/systemd/system/lxmgr.target ./usr/lib/tmpfiles.d/lxmgr.conf \
    ./usr/share/man/man1/lxmgr.1.gz ./usr/share/man/man5/lxmgr.conf.5.gz \
    ./usr/share/bash-completion/completions/lxmgr ./usr/share/lxmgr/templates/debian \
    ./usr/share/lxmgr/templates/lib.sh ./usr/share/doc/lxmgr/examples/hooks/README.md \
    ./usr/share/doc/lxmgr/examples/hooks/pre-start.d/10-log ./etc/lxmgr/hooks/pre-start.d/; do
    check "dpkg -c lxmgr lists $f" lists "${f//./\\.}" "$deb_files"
done
check "dpkg -c libnss-lxmgr lists the NSS module" \
    lists '\./usr/lib/[a-z0-9_]+-linux-gnu/libnss_lxmgr\.so\.2' "$nss_files"
check_eq "the NSS module is in libnss-lxmgr only" "" "$(grep libnss_lxmgr <<<"$deb_files")"
check_eq "the packages ship nothing under /run or /var" "" \
    "$(printf '%s\n' "$deb_files" "$nss_files" | grep -E '^\./(run|var)/')"
depends=$(dpkg-deb -f "$deb" Depends)
for p in dnsmasq-base libnftables1 libnl-route-3-200 libseccomp2 libiniparser1 libuuid1; do
    check_match "lxmgr depends on $p" "(^|, )$p( |,|$)" "$depends"
done
check_match "libnss-lxmgr depends on lxmgr of its version" "(^|, )lxmgr \(= $version\)" \
    "$(dpkg-deb -f "$nss" Depends)"

# The dependencies the guest lacks, as apt resolves them against the guest's dpkg status:
# fetched from Debian's archive once, then taken from the cache (offline).
status=$T_ROOT/lib/pkg1/rootfs/var/lib/dpkg/status
cache=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/deb-deps
mkdir -p "$cache/partial"
apt_guest() {
    apt-get -o Dir::State::status="$status" -o Dir::Cache::archives="$cache" \
        -o Debug::NoLocking=1 --no-install-recommends -q "$@" "$deb" "$nss"
}
check "apt fetches the dependencies the guest lacks" apt_guest -y --download-only install
mkdir -p "$T_ROOT/debs"
cp "$deb" "$nss" "$T_ROOT/debs/"
while read -r name ver; do
    case $name in lxmgr | libnss-lxmgr) continue ;; esac
    f=$(find "$cache" -maxdepth 1 -name "${name}_${ver//:/%3a}_*.deb" | head -n1)
    if [ -z "$f" ] || ! cp "$f" "$T_ROOT/debs/"; then
        not_ok "the cache has $name $ver"
    fi
done < <(apt_guest -s install 2>/dev/null | sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) .*/\1 \3/p')
check "copy the packages into the guest" lx exec pkg1 -- mkdir /tmp/debs
for f in "$T_ROOT"/debs/*.deb; do
    lx exec pkg1 -- sh -c "cat >'/tmp/debs/${f##*/}'" <"$f" || not_ok "copy ${f##*/} in"
done
g() { lx exec pkg1 --env DEBIAN_FRONTEND=noninteractive -- "$@"; }
guest_nss=$(g cat /etc/nsswitch.conf)
t0=$(ms)
install_out=$(g sh -c 'apt-get install -y -q --no-install-recommends /tmp/debs/*.deb' 2>&1)
check_eq "apt installs both packages in the guest, offline" "0" "$?"
t_install=$(($(ms) - t0))
[ "$(g dpkg-query -W -f='${Status}' lxmgr)" = "install ok installed" ] ||
    sed 's/^/#   apt: /' <<<"$install_out" | tail -20
check_eq "both are installed" "install ok installed|install ok installed" \
    "$(g dpkg-query -W -f='${Status}|' lxmgr libnss-lxmgr | sed 's/|$//')"

# Installed: it runs and finds its templates, and the system knows its files.
check_eq "the installed lxmgr runs" "lxmgr $version" "$(g lxmgr --version 2>&1)"
check_match "it finds its templates in /usr/share/lxmgr/templates" $'\n''debian +' \
    "$(g lxmgr templates 2>&1)"
check_eq "systemd loads lxmgr@.service and lxmgr.target" "loaded loaded" \
    "$(g systemctl show -p LoadState --value lxmgr@dev1.service lxmgr.target | xargs)"
check_eq "the installation enables no unit (lxmgr enable does)" "disabled" \
    "$(g systemctl is-enabled lxmgr.target 2>&1)"
check_eq "tmpfiles made /run/lxmgr and /run/lxmgr-net" "755 755" \
    "$(g stat -c %a /run/lxmgr /run/lxmgr-net 2>&1 | xargs)"
check "the man pages are installed" \
    g test -s /usr/share/man/man1/lxmgr.1.gz -a -s /usr/share/man/man5/lxmgr.conf.5.gz
check "the bash completion is installed" g test -s /usr/share/bash-completion/completions/lxmgr
check_match "libnss-lxmgr put lxmgr on the hosts line, before dns" '^hosts:.* lxmgr( .*)? dns' \
    "$(g grep '^hosts:' /etc/nsswitch.conf)"
g sh -c 'echo "10.250.0.7 web.lxmgr web" >/run/lxmgr-net/dnsmasq-lxtest0.hosts'
check_eq "getent resolves NAME.lxmgr through the NSS module" "10.250.0.7" \
    "$(g getent hosts web.lxmgr | awk '{ print $1 }')"
g rm -f /run/lxmgr-net/dnsmasq-lxtest0.hosts

# What purge must keep (a container, its log, an administrator's hook, a running
# container's record) and what it must remove (the template cache and its logs).
g sh -c 'mkdir -p /var/lib/lxmgr/box/rootfs /var/log/lxmgr/box /var/log/lxmgr/templates \
    /var/cache/lxmgr/debian/bookworm/x86_64/rootfs /etc/lxmgr/hooks/pre-start.d /run/lxmgr/box &&
    echo "[container]" >/var/lib/lxmgr/box/config && echo boot >/var/log/lxmgr/box/console.log &&
    echo log >/var/log/lxmgr/templates/debian-bookworm-x86_64.log &&
    touch /var/cache/lxmgr/debian/bookworm/x86_64/built /run/lxmgr/box/state /run/lxmgr-net/lock &&
    printf "#!/bin/sh\n" >/etc/lxmgr/hooks/pre-start.d/10-mine &&
    chmod 0755 /etc/lxmgr/hooks/pre-start.d/10-mine'
check "apt-get purge lxmgr libnss-lxmgr" g apt-get purge -y -q lxmgr libnss-lxmgr
left=$(g sh -c 'for p in /var/lib/lxmgr/box/config /var/lib/lxmgr/box/rootfs \
    /var/log/lxmgr/box/console.log /etc/lxmgr/hooks/pre-start.d/10-mine /run/lxmgr/box/state \
    /var/cache/lxmgr /var/log/lxmgr/templates /etc/lxmgr/lxmgr.conf /usr/bin/lxmgr \
    /lib/systemd/system/lxmgr@.service /usr/lib/tmpfiles.d/lxmgr.conf; do
    [ -e "$p" ] && echo "$p"; done')
keep="/var/lib/lxmgr/box/config /var/lib/lxmgr/box/rootfs /var/log/lxmgr/box/console.log"
keep+=" /etc/lxmgr/hooks/pre-start.d/10-mine /run/lxmgr/box/state"
check_eq "purge keeps what is the administrator's and removes what lxmgr made" "$keep" \
    "$(xargs <<<"$left")"
check_eq "purge takes lxmgr off nsswitch.conf, which is as it was" "$guest_nss" \
    "$(g cat /etc/nsswitch.conf)"
check_eq "dpkg knows neither package any more" "" \
    "$(g dpkg-query -W -f='${Package} ${Status}\n' lxmgr libnss-lxmgr 2>/dev/null | grep -v not-installed)"

# Again once the container stopped: install, remove (the conffile stays), purge (/run goes).
g rm -rf /run/lxmgr/box
check "reinstall after a purge" g sh -c 'apt-get install -y -q --no-install-recommends /tmp/debs/*.deb'
check_match "the hosts line has lxmgr again" '^hosts:.* lxmgr ' "$(g grep '^hosts:' /etc/nsswitch.conf)"
check "apt-get remove lxmgr libnss-lxmgr" g apt-get remove -y -q lxmgr libnss-lxmgr
check_eq "remove keeps the conffile and takes lxmgr off nsswitch.conf" "yes $guest_nss" \
    "$(g test -e /etc/lxmgr/lxmgr.conf && echo yes) $(g cat /etc/nsswitch.conf)"
check "dpkg --purge" g dpkg --purge lxmgr libnss-lxmgr
check_eq "purge with no container running removes /run/lxmgr and /run/lxmgr-net" "" \
    "$(g sh -c 'ls -d /run/lxmgr /run/lxmgr-net /etc/lxmgr/lxmgr.conf 2>/dev/null')"
check "the container store is still there" g test -s /var/lib/lxmgr/box/config

check "stop the guest" lx stop pkg1
check_host_clean pkg1 "$base"
check_eq "the host's nsswitch.conf is untouched" "$host_nss" "$(md5sum </etc/nsswitch.conf)"
check_eq "the host's lxmgr packages are as they were" "$host_pkgs" \
    "$(dpkg-query -W -f='${Package} ${Status}\n' lxmgr libnss-lxmgr 2>/dev/null)"
t_end=$(ms)
echo "# figures: package build $(((t_built - t_start) / 1000)) s (while the guest booted)," \
    "lintian $(((t_lintian - t_built) / 1000)) s, apt install in the guest $((t_install / 1000)) s," \
    "whole test $(((t_end - t_start) / 1000)) s"
done_testing
