#!/usr/bin/env bash
# Proves: etc/lxmgr.bash-completion completes what the binary really offers: every verb of
# `lxmgr --help`, a verb's options from `lxmgr VERB --help`, and the container names of the
# store given with --root (from `lxmgr list`), and template names after create -t (from
# `lxmgr templates`).
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
lxmgr=${LXMGR:-$src/lxmgr/lxmgr}
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; echo "# $2"; }

[ -r /usr/share/bash-completion/bash_completion ] || { echo "1..0 # SKIP bash-completion is not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
ln -s "$lxmgr" "$tmp/bin/lxmgr"
PATH=$tmp/bin:$PATH
# A store of two stopped containers (list needs only their config).
for name in alpha beta; do
    mkdir -p "$tmp/store/lib/$name"
    printf '[container]\nname = %s\nuuid = 15db2026-9f9b-41dc-b7ea-14137ff574f0\n' "$name" \
        >"$tmp/store/lib/$name/config"
    printf '[idmap]\nuid_base = 1048576\ngid_base = 1048576\n' >>"$tmp/store/lib/$name/config"
done

# shellcheck source=/dev/null # the system's bash-completion, not ours to check
source /usr/share/bash-completion/bash_completion
# shellcheck source=../etc/lxmgr.bash-completion
source "$src/etc/lxmgr.bash-completion"

# complete WORDS...: the candidates for the last word of the command line WORDS.
complete_line() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _lxmgr lxmgr "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

expect() { # expect DESCRIPTION EXPECTED WORDS...
    local desc=$1 want=$2 got
    shift 2
    got=$(complete_line "$@")
    if [ "$got" = "$want" ]; then ok "$desc"; else not_ok "$desc" "expected '$want', got '$got'"; fi
}

verbs=$("$lxmgr" --help | awk '/^Verbs:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' |
    sort | tr '\n' ' ')
expect "an empty verb completes to every verb of --help" "$verbs" lxmgr ""
expect "a prefix completes to the verbs it starts" "start stop " lxmgr st
expect "an option of create completes from create --help" "--rootfs " lxmgr create --roo
expect "launch completes create's options" "--rootfs " lxmgr launch --roo
expect "launch's NAME is new: no container names" " " lxmgr --root "$tmp/store" launch ""
expect "a global option completes" "--root " lxmgr --roo
expect "container names come from the --root store" "alpha beta " lxmgr --root "$tmp/store" start ""
expect "a name prefix completes to that container" "beta " lxmgr --root "$tmp/store" exec b
# Snapshot names come from `lxmgr snapshot list NAME`.
mkdir -p "$tmp/store/lib/beta/snapshots/before"
printf 'x\n' >"$tmp/store/lib/beta/snapshots/before/stack"
expect "snapshot delete NAME completes its snapshots" "before " lxmgr --root "$tmp/store" snapshot delete beta ""
expect "restore NAME completes its snapshots" "before " lxmgr --root "$tmp/store" restore beta b
expect "snapshot completes its operations" "create delete list " lxmgr snapshot ""
expect "copy NAME completes container names" "alpha " lxmgr --root "$tmp/store" copy a
expect "move's options come from move --help" "--remote-lxmgr --remote-root " lxmgr move --rem
# copy NAME HOST: ssh's known hosts (bash-completion's), here from a known_hosts of our own.
mkdir -p "$tmp/home/.ssh"
printf 'host2.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE9v\n' >"$tmp/home/.ssh/known_hosts"
HOME=$tmp/home COMP_KNOWN_HOSTS_WITH_HOSTFILE='' \
    expect "copy NAME completes a host of ~/.ssh/known_hosts (after options)" "host2.example " \
    lxmgr --root "$tmp/store" copy alpha -o Port=22 host2
# Template names come from `lxmgr templates` (the templates of the source tree here).
export LXMGR_TEMPLATE_DIR=$src/templates
expect "create -t completes template names" "debian devuan " lxmgr create x -t de
expect "launch -t completes template names" "debian devuan " lxmgr launch x -t de
expect "create -t completes the image template" "image " lxmgr create x -t im
# Image aliases come from the Images list of `lxmgr templates` (publish's stamp).
mkdir -p "$tmp/store/cache/image/web1/x86_64"
printf 'source=alpha\npublished=1\n' >"$tmp/store/cache/image/web1/x86_64/published"
expect "publish --delete completes the images" "web1 " lxmgr --root "$tmp/store" publish --delete ""
expect "create -t image -r completes the images" "web1 " lxmgr --root "$tmp/store" create x -t image -r w
echo "1..$n"
exit $failed
