#!/usr/bin/env bash
# Proves: every C file git tracks is formatted as .clang-format says (what `make format-check`
# runs), so that a change cannot land unformatted. Skips outside a git checkout (a dist
# tarball) and without clang-format.
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
command -v clang-format >/dev/null || { echo "1..0 # SKIP clang-format is not installed"; exit 0; }
files=$(git -C "$src" ls-files '*.[ch]' 2>/dev/null) || { echo "1..0 # SKIP not a git checkout"; exit 0; }
[ -n "$files" ] || { echo "1..0 # SKIP not a git checkout"; exit 0; }
if out=$(cd "$src" && printf '%s\n' "$files" | xargs clang-format --dry-run --Werror 2>&1); then
    echo "ok 1 - clang-format: every tracked C file is formatted"
    echo "1..1"
else
    echo "not ok 1 - clang-format: every tracked C file is formatted"
    printf '%s\n' "$out" | grep 'warning:' | head -20 | sed 's/^/# /'
    echo "1..1"
    exit 1
fi
