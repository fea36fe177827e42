#!/usr/bin/env bash
# Proves: the man pages stay complete and clean. Every verb `lxmgr --help` lists has an
# entry (.SS VERB) under VERBS in man/lxmgr.1, with every option its `lxmgr VERB --help`
# lists; every global option is under OPTIONS; every key of the table in lxmgr/store/config-keys.c
# has an entry (.TP, then .B KEY) in man/lxmgr.conf.5; groff reports no warning on either.
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
lxmgr=${LXMGR:-$src/lxmgr/lxmgr}
man1=$src/man/lxmgr.1
man5=$src/man/lxmgr.conf.5
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
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

for f in "$man1" "$man5"; do
    [ -r "$f" ] || { echo "Bail out! $f is missing"; exit 1; }
done
[ -x "$lxmgr" ] || { echo "Bail out! $lxmgr is not built"; exit 1; }

# A page's text with roff escapes made plain: \- -> -, font changes and \& dropped.
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$1"; }
# The lines of section .SH NAME (up to the next .SH) of a page.
sh_section() { plain "$1" | awk -v s="$2" '/^\.SH/ { on = ($2 == s) ; next } on'; }
# The lines of subsection .SS VERB of VERBS in lxmgr.1 (up to the next .SS or .SH).
verb_entry() {
    sh_section "$man1" VERBS |
        awk -v v="$1" '/^\.SS/ { gsub(/"/, ""); on = ($2 == v); next } on'
}

# ---- verbs and their options ----
verbs=$("$lxmgr" --help | awk '/^Verbs:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[ -n "$verbs" ] || { echo "Bail out! no verbs in 'lxmgr --help'"; exit 1; }
entries=$(sh_section "$man1" VERBS | awk '/^\.SS/ { gsub(/"/, ""); print $2 }')
for v in $verbs; do
    if ! grep -qx -- "$v" <<<"$entries"; then
        not_ok "lxmgr.1: verb '$v' has an entry under VERBS" "no '.SS $v' under .SH VERBS"
        continue
    fi
    ok "lxmgr.1: verb '$v' has an entry under VERBS"
    entry=$(verb_entry "$v")
    # Options of the verb: "--name" and "-x" words of its usage and Options lines.
    opts=$("$lxmgr" "$v" --help | grep -oE '(^|[ [(,])--?[a-z][a-z-]*' | sed 's/^[ [(,]//' |
        sort -u)
    missing=()
    for o in $opts; do
        grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" <<<"$entry" || missing+=("$o")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        ok "lxmgr.1: every option of '$v' is in its entry"
    else
        not_ok "lxmgr.1: every option of '$v' is in its entry" "missing: ${missing[*]}"
    fi
done
for v in $entries; do
    grep -qx -- "$v" <<<"$verbs" ||
        not_ok "lxmgr.1: entry '$v' names a verb of 'lxmgr --help'" "no verb '$v'"
done

# ---- global options, exit status, environment ----
options=$(sh_section "$man1" OPTIONS)
globals=$("$lxmgr" --help | awk '/^Global options:/ { on = 1; next } on && /^$/ { exit } on' |
    grep -oE '(^|[ ;])--?[a-z][a-z-]*' | sed 's/^[ ;]//' | sort -u)
missing=()
for o in $globals; do
    grep -qE -- "^\.(TP|B|BR|BI) .*$o([^a-z-]|$)|^$o([^a-z-]|$)" <<<"$options" || missing+=("$o")
done
if [ ${#missing[@]} -eq 0 ]; then
    ok "lxmgr.1: every global option of 'lxmgr --help' is under OPTIONS"
else
    not_ok "lxmgr.1: every global option of 'lxmgr --help' is under OPTIONS" "missing: ${missing[*]}"
fi
env=$(sh_section "$man1" ENVIRONMENT)
missing=()
for e in LXMGR_ROOT LXMGR_SUBUID LXMGR_SUBGID; do
    grep -qx "\.B $e" <<<"$env" || missing+=("$e")
done
# Every variable the code reads from the environment.
for e in $(grep -ohE 'getenv\("LXMGR_[A-Z_]+"' "$src"/lxmgr/*.c | grep -oE 'LXMGR_[A-Z_]+' | sort -u); do
    grep -qx "\.B $e" <<<"$env" || missing+=("$e")
done
if [ ${#missing[@]} -eq 0 ]; then
    ok "lxmgr.1: every LXMGR_* variable is under ENVIRONMENT"
else
    not_ok "lxmgr.1: every LXMGR_* variable is under ENVIRONMENT" "missing: ${missing[*]}"
fi

# ---- configuration keys ----
# Rows of the table: {"section.key", ... or a family {"section.*", ... (keys section.NAME),
# documented as .B section.\fINAME\fP (any upper-case placeholder).
keys=$(grep -oE '^[[:space:]]*\{"[a-z_]+\.([a-z_0-9]+|\*)"' "$src/lxmgr/store/config-keys.c" |
    grep -oE '[a-z_]+\.([a-z_0-9]+|\*)')
[ -n "$keys" ] || { echo "Bail out! no keys found in lxmgr/store/config-keys.c"; exit 1; }
key_entries=$(sh_section "$man5" KEYS | awk 'tp && /^\.B / { print $2 } { tp = /^\.TP/ }')
for k in $keys; do
    if [ "${k#*.}" = "*" ]; then
        pattern="${k%%.*}\.[A-Z]+"
        shown="${k%%.*}.NAME"
    else
        pattern="${k//./\\.}"
        shown=$k
    fi
    if grep -qxE -- "$pattern" <<<"$key_entries"; then
        ok "lxmgr.conf.5: key '$shown' has an entry under KEYS"
    else
        not_ok "lxmgr.conf.5: key '$shown' has an entry under KEYS" "no '.TP' + '.B $shown' under .SH KEYS"
    fi
done
for k in $key_entries; do
    if [[ $k =~ ^([a-z_]+)\.[A-Z]+$ ]]; then
        grep -qxF -- "${BASH_REMATCH[1]}.*" <<<"$keys" && continue
    else
        grep -qxF -- "$k" <<<"$keys" && continue
    fi
    not_ok "lxmgr.conf.5: entry '$k' names a key of lxmgr/store/config-keys.c" "no key '$k'"
done

# ---- formatting ----
if ! command -v groff >/dev/null; then
    if [ "${LXMGR_TEST_MUST_RUN:-0}" = 1 ]; then
        not_ok "groff is installed (groff-base)"
    else
        n=$((n + 1))
        echo "ok $n # SKIP groff is not installed (groff-base)"
    fi
else
    for f in "$man1" "$man5"; do
        for dev in utf8 ascii; do
            out=$(LC_ALL=C.UTF-8 groff -man -ww -z -T"$dev" "$f" 2>&1)
            if [ -z "$out" ]; then
                ok "groff -man -ww -T$dev: no warning in ${f#"$src"/}"
            else
                not_ok "groff -man -ww -T$dev: no warning in ${f#"$src"/}" "$out"
            fi
        done
        if command -v man >/dev/null; then
            out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
            if [ -z "$out" ]; then
                ok "man --warnings -l: no warning in ${f#"$src"/}"
            else
                not_ok "man --warnings -l: no warning in ${f#"$src"/}" "$out"
            fi
        fi
    done
fi

echo "1..$n"
exit "$failed"
