#!/usr/bin/env bash
# Proves, without the RPM and Alpine mirrors (unreachable from the build hosts): the dnf
# templates (rocky, alma, fedora, centos-stream) write their release's repository
# definitions and call dnf --installroot with them, and the alpine template calls apk.static
# with its repositories and keys; their finishing steps leave the distribution's own repo
# file, no machine-id, no package cache, OpenRC's boot services and DHCP on eth0; lxmgr
# caches the result and detects its init and stop signal; bad releases and architectures are
# refused in one line; a second create of an entry being built waits and copies it. dnf and
# apk.static are stand-ins (lib/template-stubs) that lay down a
# few files of a real install; nothing here is booted.
. "$(dirname "$0")/lib/common.sh"
setup_store
unset LXMGR_TEMPLATE_CACHE
export PATH=$TESTS_DIR/integration/lib/template-stubs:$PATH
export LXMGR_STUB_DIR=$T_ROOT/stub
mkdir -p "$LXMGR_STUB_DIR"
arch=$(uname -m)
[ "$arch" = x86_64 ] || skip_all "the expectations are written for x86_64"
[ -x /bin/busybox ] || skip_all "busybox-static is not installed"

# ---- rocky: the default mirror list ----
T_NAMES+=(r9 al9 cs9 a320)
out=$(lx create r9 -t rocky -r 9 --net none 2>&1)
rc=$?
check_eq "create -t rocky -r 9" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
check_match "step: the repository definitions" "template: writing the rocky 9 repository definitions" "$out"
check "without -v its own output is not shown" test "${out/Complete!/}" = "$out"
check_match "but kept in the log" "Complete!" "$(cat "$T_ROOT/log/templates/rocky-9-$arch.log")"
args=$(cat "$LXMGR_STUB_DIR/dnf.args")
check_match "dnf --installroot is the cache's build directory" \
    "--installroot=$T_ROOT/cache/rocky/9/\.$arch\.build-[A-Za-z0-9]+/rootfs " "$args"
check_match "dnf reads only the repository files the template wrote" \
    "--setopt=reposdir=$T_ROOT/cache/rocky/9/\.$arch\.build-[A-Za-z0-9]+/rootfs/etc/yum.repos.d " "$args"
check_match "--releasever and --forcearch" "--releasever=9 --forcearch=$arch " "$args"
check_match "the package set" "install rocky-release dnf systemd passwd sudo iproute procps-ng rootfiles$" "$args"
repo=$(cat "$LXMGR_STUB_DIR/repos/lxmgr-rocky.repo")
check_match "BaseOS from Rocky's mirror list" \
    'mirrorlist=https://mirrors.rockylinux.org/mirrorlist\?arch=\$basearch&repo=BaseOS-\$releasever' "$repo"
check_match "AppStream too" 'repo=AppStream-\$releasever' "$repo"
check_match "signed, with Rocky 9's key" 'gpgcheck=1.gpgkey=https://dl.rockylinux.org/pub/rocky/RPM-GPG-KEY-Rocky-9' \
    "$(tr '\n' '.' <<<"$repo")"
rootfs=$T_ROOT/lib/r9/rootfs
check "finish removed the bootstrap repo file: the release package's own is there" \
    test ! -e "$rootfs/etc/yum.repos.d/lxmgr-rocky.repo" -a -e "$rootfs/etc/yum.repos.d/rocky.repo"
check_eq "no machine-id is kept" "0" "$(stat -c %s "$rootfs/etc/machine-id")"
check_eq "no dnf cache is kept" "" "$(ls -A "$rootfs/var/cache/dnf")"
check "the build was cached" test -f "$T_ROOT/cache/rocky/9/$arch/built"
check_eq "init detected: systemd" "systemd" "$(lx config r9 get container.init_kind)"
check_eq "its version, from libsystemd-shared" "252" "$(lx config r9 get container.systemd_version)"
check_eq "stop signal" "SIGRTMIN+3" "$(lx config r9 get container.stop_signal)"
check_eq "cgroup layout" "unified" "$(lx config r9 get container.cgroup_layout)"

list=$(lx templates)
check_eq "every template answers --describe" "" "$(grep -F -- '--describe failed' <<<"$list")"
check_match "lxmgr templates: rocky, its default release, cached, its options" \
    "rocky +9 +yes +rocky through dnf --installroot.*"$'\n'" +--mirror URL" "$list"
check_match "lxmgr templates: the cache's entry, with when it was built" \
    "  rocky 9 $arch  \(built [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC\)" "$list"

# ---- alma with --mirror; centos-stream's metalink ----
check "create -t alma --mirror" lx create al9 -t alma -r 9 --mirror http://127.0.0.1:9/almalinux/ --net none
check_match "--mirror becomes baseurl=" \
    'baseurl=http://127.0.0.1:9/almalinux/\$releasever/BaseOS/\$basearch/os/' \
    "$(cat "$LXMGR_STUB_DIR/repos/lxmgr-alma.repo")"
out=$(lx create cs9 -t centos-stream -v --net none 2>&1)
check_eq "create -t centos-stream -v" 0 "$?"
check "-v shows the template's own output (dnf's last line)" grep -qx "Complete!" <<<"$out"
check_match "centos-stream: the default release 9, a metalink" \
    'metalink=https://mirrors.centos.org/metalink\?repo=centos-baseos-\$releasever-stream' \
    "$(cat "$LXMGR_STUB_DIR/repos/lxmgr-centos-stream.repo")"
check_match "and --releasever=9" "--releasever=9 " "$(cat "$LXMGR_STUB_DIR/dnf.args")"

# ---- two creates of one entry at once: one builds, the other waits and copies ----
rm -f "$LXMGR_STUB_DIR/dnf.args"
LXMGR_STUB_SLEEP=5 "$LXMGR" --root "$T_ROOT" create f1 -t fedora --net none >"$T_ROOT/f1.out" 2>&1 &
f1=$!
# Until f1's dnf runs: the entry is being built.
for _ in $(seq 1 300); do [ -e "$LXMGR_STUB_DIR/dnf.args" ] && break; sleep 0.1; done
LXMGR_STUB_SLEEP=5 "$LXMGR" --root "$T_ROOT" create f2 -t fedora --net none >"$T_ROOT/f2.out" 2>&1
rc2=$?
wait "$f1"
rc1=$?
T_NAMES+=(f1 f2)
check_eq "both creates succeed" "0 0" "$rc1 $rc2"
check_eq "exactly one built the entry" "1" "$(cat "$T_ROOT/f1.out" "$T_ROOT/f2.out" | grep -c 'built in')"
check_match "the second waited for the first" "waiting for another create that builds fedora 42 $arch" \
    "$(cat "$T_ROOT/f2.out")"
check_match "and copied the entry" "fedora 42 $arch from the cache" "$(cat "$T_ROOT/f2.out")"

# ---- alpine ----
mkdir -p "$T_ROOT/keys"
echo "-----BEGIN PUBLIC KEY-----" >"$T_ROOT/keys/alpine-devel@lists.alpinelinux.org-test.rsa.pub"
export LXMGR_APK_KEYS=$T_ROOT/keys
out=$(lx create a320 -t alpine -r 3.20 --mirror http://127.0.0.1:9/alpine --net none 2>&1)
rc=$?
check_eq "create -t alpine -r 3.20" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
check_match "step: apk add" "template: apk add alpine-base \(3.20, x86_64\) from http://127.0.0.1:9/alpine" "$out"
args=$(cat "$LXMGR_STUB_DIR/apk.args")
check_match "apk.static --root the build directory, --initdb, add alpine-base" \
    "^--root $T_ROOT/cache/alpine/3.20/\.$arch\.build-[A-Za-z0-9]+/rootfs --arch x86_64 --initdb .* add alpine-base$" "$args"
check_eq "the repositories: main and community of v3.20" \
    "http://127.0.0.1:9/alpine/v3.20/main http://127.0.0.1:9/alpine/v3.20/community" \
    "$(tr '\n' ' ' <"$LXMGR_STUB_DIR/repositories" | sed 's/ $//')"
rootfs=$T_ROOT/lib/a320/rootfs
check "the signing keys are in the rootfs" test -s "$rootfs/etc/apk/keys/alpine-devel@lists.alpinelinux.org-test.rsa.pub"
check_eq "OpenRC's boot services" "bootmisc hostname networking syslog" \
    "$(ls "$rootfs/etc/runlevels/boot" | tr '\n' ' ' | sed 's/ $//')"
check_match "DHCP on eth0" "iface eth0 inet dhcp" "$(cat "$rootfs/etc/network/interfaces")"
check_eq "no apk cache is kept" "" "$(ls -A "$rootfs/var/cache/apk")"
check_eq "init detected: OpenRC (busybox init running /sbin/openrc)" "openrc" \
    "$(lx config a320 get container.init_kind)"
check_eq "stop signal" "SIGUSR2" "$(lx config a320 get container.stop_signal)"

# ---- refused in one line, nothing made or cached ----
one_line() { # one_line DESCRIPTION REGEX ARGS...
    local desc=$1 re=$2 out
    shift 2
    if out=$(lx create "$@" 2>&1); then
        not_ok "$desc" "succeeded: $out"
    elif [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out =~ $re ]]; then
        ok "$desc"
    else
        not_ok "$desc" "output: $out"
    fi
}
rm -f "$LXMGR_STUB_DIR/dnf.args" "$LXMGR_STUB_DIR/apk.args"
one_line "rocky: a release that is no number" "template: rocky: unknown release 'nine'" b1 -t rocky -r nine
one_line "rocky: an architecture it has no packages for" \
    "template: rocky: no rocky packages for the architecture 'i686'" b2 -t rocky --arch i686
one_line "fedora rawhide is a release, for fedora only" "template: alma: unknown release 'rawhide'" \
    b3 -t alma -r rawhide
one_line "alpine: a bad release" "template: alpine: unknown release '3.x'" b4 -t alpine -r 3.x
one_line "the dnf script under its own name" "template: dnf: run it as rocky, alma, fedora or centos-stream" \
    b5 -t dnf
check "neither dnf nor apk.static was run" test ! -e "$LXMGR_STUB_DIR/dnf.args" -a ! -e "$LXMGR_STUB_DIR/apk.args"
check_eq "nothing else was made in the store" "a320 al9 cs9 f1 f2 r9" "$(ls -A "$T_ROOT/lib" | tr '\n' ' ' | sed 's/ $//')"
check_eq "nothing was cached for the refused ones" "alma alpine centos-stream fedora rocky" \
    "$(ls -A "$T_ROOT/cache" | tr '\n' ' ' | sed 's/ $//')"
done_testing
