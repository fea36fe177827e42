#!/usr/bin/env bash
# Proves: every shell script git tracks (tests, scripts, shell templates, hook examples,
# bench, .ci/run, the bash completion) passes shellcheck at its default severity, with the
# repository's .shellcheckrc (what `make shellcheck` runs). A script is a tracked file, not a
# symlink, named *.sh or whose first line is a #! of sh, bash or dash. Skips outside a git
# checkout (a dist tarball) and without shellcheck.
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
command -v shellcheck >/dev/null || { echo "1..0 # SKIP shellcheck is not installed"; exit 0; }
tracked=$(git -C "$src" ls-files -s 2>/dev/null) || { echo "1..0 # SKIP not a git checkout"; exit 0; }
[ -n "$tracked" ] || { echo "1..0 # SKIP not a git checkout"; exit 0; }

# shell_scripts: the tracked shell scripts, one a line, relative to $src.
shell_scripts() {
    local mode path
    while read -r mode _ _ path; do
        [ "$mode" = 120000 ] && continue # a symlink: its target is checked
        case $path in
        *.sh) echo "$path" ;;
        etc/lxmgr.bash-completion) echo "$path" ;; # sourced by bash: a shell directive says so
        *) head -n1 "$src/$path" 2>/dev/null | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$path" ;;
        esac
    done <<<"$tracked"
}

mapfile -t files < <(shell_scripts)
if [ "${#files[@]}" -lt 50 ]; then
    echo "not ok 1 - shellcheck: found only ${#files[@]} shell scripts, the list is broken"
    echo "1..1"
    exit 1
fi
if out=$(cd "$src" && shellcheck -f gcc "${files[@]}" 2>&1); then
    echo "ok 1 - shellcheck: every tracked shell script is clean (${#files[@]} scripts)"
    echo "1..1"
else
    echo "not ok 1 - shellcheck: every tracked shell script is clean"
    printf '%s\n' "$out" | head -40 | sed 's/^/# /'
    echo "1..1"
    exit 1
fi
