#!/usr/bin/env bash
# Proves: README.md and docs/*.md point at what exists. Every relative link names a file of
# the tree (and, for a #anchor, a heading of that page); every `lxmgr VERB ...` they show in
# code is a verb of `lxmgr --help`, with options that `lxmgr VERB --help` lists; every
# `NAME.sh` they name is a script of the tree; docs/testing.md names every integration test
# of Makefile.am; docs/security.md names every system call, ioctl and capability that
# lxmgr's seccomp filter and bounding set refuse.
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
lxmgr=${LXMGR:-$src/lxmgr/lxmgr}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    failed=1
    echo "not ok $n - $1"
    [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/# /'
    return 0
}
# result DESCRIPTION PROBLEMS: ok when PROBLEMS is empty, else not ok listing them.
result() { if [ -z "$2" ]; then ok "$1"; else not_ok "$1" "${2%$'\n'}"; fi; }

[ -x "$lxmgr" ] || { echo "Bail out! $lxmgr is not built"; exit 1; }
pages=("$src/README.md")
for f in "$src"/docs/*.md; do [ -e "$f" ] && pages+=("$f"); done
[ ${#pages[@]} -gt 1 ] || { echo "Bail out! no docs/*.md beside README.md"; exit 1; }

# The anchors of a Markdown page, as GitHub makes them from its headings: lower case, only
# letters, digits, spaces, - and _ kept, spaces made -, a repeated one suffixed -1, -2...
anchors() {
    grep -E '^#{1,6} ' "$1" | sed -E 's/^#+ +//' | tr '[:upper:]' '[:lower:]' |
        sed -E -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g' |
        awk '{ if (seen[$0]++) print $0 "-" seen[$0] - 1; else print }'
}
# A page without its inline code spans (a link there is an example, not a link).
# shellcheck disable=SC2016 # the backquotes are Markdown's
prose() { sed -E 's/`[^`]*`//g' "$1"; }
# The inline code spans of a page, one a line, and its indented code lines (commands joined
# over a trailing backslash).
# shellcheck disable=SC2016
code() {
    grep -oE '`[^`]+`' "$1" | tr -d '`'
    grep -E '^    ' "$1" | sed -E 's/^ +//' | sed -e ':a' -e '/\\$/N; s/\\\n */ /; ta'
}

# ---- relative links ----
for page in "${pages[@]}"; do
    rel=${page#"$src"/}
    dir=$(dirname "$page")
    problems=
    links=$(prose "$page" | grep -oE '\]\([^)[:space:]]+\)' | sed -E 's/^\]\((.*)\)$/\1/')
    for link in $links; do
        case $link in [a-z]*:*) continue ;; esac # http:, https:, mailto:
        file=${link%%#*}
        anchor=
        [[ $link == *"#"* ]] && anchor=${link#*#}
        target=$page
        if [ -n "$file" ]; then
            target=$dir/$file
            if [ ! -e "$target" ]; then
                problems+="$link: no file ${target#"$src"/}"$'\n'
                continue
            fi
        fi
        if [ -n "$anchor" ] && [[ $target == *.md ]] && ! anchors "$target" | grep -qxF -- "$anchor"; then
            problems+="$link: no heading #$anchor in ${target#"$src"/}"$'\n'
        fi
    done
    result "$rel: every relative link points at a file (and heading) that exists" "$problems"
done

# ---- verbs and their options in code ----
verbs=$("$lxmgr" --help | awk '/^Verbs:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ -n "$verbs" ] || { echo "Bail out! no verbs in 'lxmgr --help'"; exit 1; }
declare -A verb_help
for page in "${pages[@]}"; do
    rel=${page#"$src"/}
    problems=
    seen=0
    while IFS= read -r line; do
        # Each command of the line that starts with the word lxmgr: at the start, or after
        # sudo, =, (, a pipe or a command separator (not "hosts: files lxmgr dns").
        while [[ $line =~ (^|[=\(]|sudo\ |\;\ |\&\&\ |\|\ )lxmgr\ +(.*)$ ]]; do
            rest=${BASH_REMATCH[2]}
            line=$rest
            read -ra words <<<"${rest%%[#|;&>]*}"
            i=0
            # Global options before the verb.
            while [ $i -lt ${#words[@]} ]; do
                case ${words[i]} in
                --root) i=$((i + 2)) ;;
                --root=* | -q | -v | -vv | --quiet | --verbose) i=$((i + 1)) ;;
                *) break ;;
                esac
            done
            verb=${words[i]:-}
            verb=${verb%%[),.:]}
            # --help, --version, and placeholders such as VERB or [--root DIR].
            case $verb in [a-z]*) ;; *) continue ;; esac
            seen=$((seen + 1))
            if ! grep -qxF -- "$verb" <<<"$verbs"; then
                problems+="lxmgr $rest: '$verb' is no verb of lxmgr --help"$'\n'
                continue
            fi
            [ -n "${verb_help[$verb]:-}" ] || verb_help[$verb]=$("$lxmgr" "$verb" --help 2>&1)
            for w in "${words[@]:i+1}"; do
                [ "$w" = -- ] && break
                [[ $w =~ ^(--?[a-zA-Z][a-zA-Z0-9-]*) ]] || continue
                opt=${BASH_REMATCH[1]}
                grep -qE -- "(^|[^a-zA-Z0-9-])$opt([^a-zA-Z0-9-]|$)" <<<"${verb_help[$verb]}" ||
                    problems+="lxmgr $rest: '$opt' is not in lxmgr $verb --help"$'\n'
            done
        done
    done < <(code "$page")
    if [ "$rel" = README.md ] && [ "$seen" -lt 10 ]; then
        problems+="only $seen lxmgr commands found in README.md's code: is the tour there?"$'\n'
    fi
    result "$rel: every lxmgr command shown is a verb of lxmgr --help, with its options" "$problems"
done

# ---- scripts named ----
for page in "${pages[@]}"; do
    rel=${page#"$src"/}
    problems=
    for s in $(code "$page" | grep -oE '[A-Za-z0-9_./-]+\.sh\b' | grep -v '\*' | sort -u); do
        found=
        for d in "" tests/ tests/integration/ tests/integration/lib/ tests/fuzz/ bench/ scripts/ templates/; do
            [ -e "$src/$d$s" ] && found=1 && break
        done
        [ -n "$found" ] || problems+="$s: no such script"$'\n'
    done
    result "$rel: every script named is in the tree" "$problems"
done

# ---- the test list ----
if [ -r "$src/docs/testing.md" ]; then
    problems=
    while read -r t; do
        grep -qF -- "$t" "$src/docs/testing.md" || problems+="$t is not in docs/testing.md"$'\n'
    done < <(sed -n '/^INTEGRATION_TESTS =/,/^$/p' "$src/Makefile.am" | grep -oE '[a-z0-9.-]+\.sh')
    result "docs/testing.md names every integration test of Makefile.am" "$problems"
fi

# ---- the seccomp filter and the bounding set ----
if [ -r "$src/docs/security.md" ]; then
    sec=$(grep -rlF 'security_denied_syscalls[] = {' "$src/lxmgr" --include='*.c' | head -1)
    if [ -z "$sec" ]; then
        not_ok "the seccomp table is found in lxmgr's sources" "no security_denied_syscalls[] = {"
    else
        problems=
        names=$(sed -n '/security_denied_syscalls\[\] = {/,/^};/p' "$sec" | grep -oE '\{"[a-z0-9_]+"' | tr -d '{"')
        names+=$'\n'$(sed -n '/security_denied_ioctls\[\] = {/,/};/p' "$sec" | grep -oE 'TIOC[A-Z]+')
        names+=$'\n'$(sed -n '/security_dropped_caps\[\] = {/,/^};/p' "$sec" | grep -oE 'CAP_[A-Z_]+')
        [ "$(wc -w <<<"$names")" -gt 20 ] || problems+="too few names read from ${sec#"$src"/}"$'\n'
        for s in $names; do
            grep -qE -- "\`$s\`" "$src/docs/security.md" || problems+="$s is not in docs/security.md"$'\n'
        done
        result "docs/security.md names every refused call, ioctl and dropped capability of ${sec#"$src"/}" "$problems"
    fi
fi

echo "1..$n"
exit "$failed"
