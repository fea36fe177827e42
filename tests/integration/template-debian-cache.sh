#!/usr/bin/env bash
# Proves: `create -t debian -r bookworm` builds the rootfs with debootstrap once into the
# template cache and the container boots to running; a second create copies the cache entry
# (timed), is provisioned with --user --sudo and boots too; --refresh rebuilds the entry and
# swaps it in, with sources.list holding bookworm, bookworm-updates and bookworm-security
# (their updates applied) and ca-certificates; the cache keeps no machine identity; bad template names, releases and
# options are refused in one line, leaving nothing. The cache is kept across runs in /var/cache/lxmgr-test/templates.
. "$(dirname "$0")/lib/common.sh"
setup_store
command -v debootstrap >/dev/null || skip_all "debootstrap is not installed"
export LXMGR_TEMPLATE_CACHE=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/templates
base=$LXMGR_TEMPLATE_CACHE/debian/bookworm
entry=$base/$(uname -m)
ms() { date +%s%3N; }

# ---- first create: from the cache when an earlier run built it, else built now ----
T_NAMES+=(t1 t2 t3)
t0=$(ms)
out=$(lx create t1 -t debian -r bookworm --net none 2>&1)
rc=$?
check_eq "create -t debian -r bookworm succeeds" 0 "$rc"
check_eq "the template, release and architecture are recorded" "template debian bookworm $(uname -m)" "$(lx config t1 get rootfs.source)"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
printf '%s\n' "$out" | sed 's/^/# /'
echo "# figures: first create -t debian: $(($(ms) - t0)) ms"
check "the cache entry is complete: its stamp and /sbin/init" \
    test -f "$entry/built" -a -x "$entry/rootfs/sbin/init"
check_eq "no build directory is left in the cache" "" "$(find "$base" -maxdepth 1 -name '.*.build-*')"
check_eq "the cached rootfs keeps no machine-id" "0" "$(stat -c %s "$entry/rootfs/etc/machine-id")"

# ---- second create: a copy of the entry, provisioned as the issue's first example ----
stamp=$(cat "$entry/built")
t0=$(ms)
out=$(lx create t2 -t debian -r bookworm --user alice --sudo --net none 2>&1)
rc=$?
t2_ms=$(($(ms) - t0))
check_eq "a second create succeeds" 0 "$rc"
check_match "it says it came from the cache" "template: debian bookworm $(uname -m) from the cache" "$out"
check_eq "the entry was not rebuilt" "$stamp" "$(cat "$entry/built")"
echo "# figures: second create -t debian (from the cache, with --user --sudo, which boots it once): $t2_ms ms"
check_eq "t2 runs systemd, detected at create" "systemd" "$(lx config t2 get container.init_kind)"
check_eq "t2's stop signal" "SIGRTMIN+3" "$(lx config t2 get container.stop_signal)"
check "t2 starts" lx start t2
check_eq "t2 boots to running" "running" "$(wait_running t2)"
check_eq "sudo is there (in the template's package set)" "/usr/bin/sudo" \
    "$(lx exec t2 -- sh -c 'command -v sudo')"
check_eq "the provisioned user sudoes without a password" "root" \
    "$(lx exec t2 --user alice -- sudo -n id -un 2>&1)"
machine_id=$(lx exec t2 -- cat /etc/machine-id)
check_eq "t2's machine-id derives from its uuid" \
    "$(lx config t2 get container.uuid | tr -d -)" "$machine_id"
base_t2=$(uid_base_of t2)
check "t2 stops" lx stop t2
check_host_clean t2 "$base_t2"

# ---- --refresh: a new build, swapped in; the new tree boots ----
t0=$(ms)
out=$(lx create t3 -t debian -r bookworm --refresh --net none 2>&1)
rc=$?
check_eq "create --refresh succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
echo "# figures: create -t debian --refresh (debootstrap): $(($(ms) - t0)) ms"
check_match "it rebuilt with debootstrap" "template: debootstrap bookworm" "$out"
check_match "and cached the new build" "built in [0-9]+ s and cached in $entry" "$out"
check "the stamp is new" test "$stamp" != "$(cat "$entry/built")"
check_eq "no build directory is left in the cache" "" "$(find "$base" -maxdepth 1 -name '.*.build-*')"
check "t3 starts" lx start t3
check_eq "t3 (fresh from debootstrap) boots to running" "running" "$(wait_running t3)"
check_eq "sources.list: the release, -updates and -security, as Debian's installer writes it" \
    "deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://security.debian.org/debian-security bookworm-security main" \
    "$(lx exec t3 -- cat /etc/apt/sources.list)"
check_eq "ca-certificates is installed" "install ok installed" \
    "$(lx exec t3 -- dpkg-query -W -f='${Status}' ca-certificates 2>&1)"
check_match "the build applied the updates" "template: applying the updates and security updates of bookworm" "$out"
check "no policy-rc.d is left behind" test ! -e "$T_ROOT/lib/t3/rootfs/usr/sbin/policy-rc.d"
base_t3=$(uid_base_of t3)
check "t3 stops" lx stop t3
check_host_clean t3 "$base_t3"

# ---- refused in one line, nothing made ----
# refused_create DESCRIPTION REGEX ARGS...: lx create ARGS is refused (1, or 2 for a usage
# error) in one line matching REGEX.
refused_create() {
    local desc=$1 re=$2
    shift 2
    refused '1|2' "$re" "$desc" lx create "$@"
}
refused_create "an unknown template" "^lxmgr: create b1: template: no template 'nosuch' in .*lxmgr templates" \
    b1 -t nosuch
refused_create "an unknown release" "^lxmgr: create b2: template: debian: unknown release 'nosuch'" \
    b2 -t debian -r nosuch
refused_create "a release that is no directory name" "invalid release '\.\./x'" b3 -t debian -r ../x
refused_create "an unknown architecture" "unknown architecture 'sparc'" b4 -t debian --arch sparc
refused_create "an architecture the host cannot run" "cannot run s390x programs" b4 -t debian --arch s390x
refused_create "an option the template does not take" "the template debian takes no --file" \
    b5 -t debian --file /dev/null
refused_create "a release for a template without releases" "tarball has no releases" \
    b6 -t tarball -r 1 --file /dev/null
refused_create "--refresh of a template without a cache" "tarball keeps no cache" \
    b7 -t tarball --refresh --file /dev/null
refused_create "-r without -t" "^lxmgr: create: -r, --arch.*go with -t TEMPLATE" b8 -r bookworm --rootfs /
check_eq "nothing was made in the store" "t1 t2 t3" "$(ls -A "$T_ROOT/lib" | tr '\n' ' ' | sed 's/ $//')"
check "no cache directory for the refused release" test ! -e "$LXMGR_TEMPLATE_CACHE/debian/nosuch"
check_eq "no log file of the refused release" "" "$(find "$T_ROOT/log/templates" -mindepth 1 -maxdepth 1 -name '*nosuch*' -printf '%f\n' 2>/dev/null)"
done_testing
