# shellcheck shell=bash disable=SC2034
# lib.sh: what every template shares; sourced, not run (the interface: README.md here).
# Output: progress lines "STEP: text" on stdout, errors "ERROR: text" on stderr; everything
# else a template prints is kept in lxmgr's log and shown with -v.
set -eEu -o pipefail

# Every failure names the command that failed; set -e then ends the template with status 1.
trap 'echo "ERROR: ${LXMGR_TEMPLATE_NAME:-template}: command failed (exit $?): $BASH_COMMAND" >&2; exit 1' ERR

step() { echo "STEP: $*"; }
# A failure of the build: exit 1.
die() {
    echo "ERROR: $TEMPLATE: $*" >&2
    exit 1
}
# Bad input (release, arch, option): exit 2, before anything was made.
bad_input() {
    echo "ERROR: $TEMPLATE: $*" >&2
    exit 2
}
need_cmd() { # need_cmd COMMAND PACKAGE
    command -v "$1" >/dev/null || die "$1 is not installed (install the package $2)"
}

# The name the template was run under (a symlink name such as ubuntu or rocky).
TEMPLATE=${LXMGR_TEMPLATE_NAME:-$(basename "$0")}
ROOTFS=${LXMGR_TEMPLATE_ROOTFS:-}
RELEASE=${LXMGR_RELEASE:-}
MIRROR=${LXMGR_MIRROR:-}
ARCH=${LXMGR_ARCH:-$(uname -m)}
WORKDIR=${LXMGR_TEMPLATE_TMPDIR:-${TMPDIR:-/tmp}}

need_rootfs() {
    [ -n "$ROOTFS" ] || bad_input "LXMGR_TEMPLATE_ROOTFS is not set"
    [ -d "$ROOTFS" ] || bad_input "LXMGR_TEMPLATE_ROOTFS=$ROOTFS is not a directory"
}

# fetch URL FILE: HTTP(S) download; a missing file (HTTP 4xx/5xx) is exit status 22.
fetch() {
    curl -fsSL --retry 2 --connect-timeout 20 -o "$2" "$1"
}

# What every rootfs gets last: no identity of the build machine is kept (an empty
# machine-id is filled by systemd from the container's uuid; SSH host keys are made at
# first boot), no package downloads, and a root directory that others can traverse.
finish_rootfs() {
    need_rootfs
    [ -e "$ROOTFS/etc/machine-id" ] && : >"$ROOTFS/etc/machine-id"
    if [ -f "$ROOTFS/var/lib/dbus/machine-id" ] && [ ! -L "$ROOTFS/var/lib/dbus/machine-id" ]; then
        rm -f "$ROOTFS/var/lib/dbus/machine-id"
    fi
    rm -f "$ROOTFS"/etc/ssh/ssh_host_*
    chmod 0755 "$ROOTFS"
    [ -x "$ROOTFS/sbin/init" ] || [ -L "$ROOTFS/sbin/init" ] || die "the result has no /sbin/init"
}
