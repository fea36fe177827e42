#!/usr/bin/env bash
# Proves: the lxmgr.lxmgr Ansible collection (ansible/) passes its unit tests (argument and
# output handling of the module and both plugins), ansible-doc renders each plugin's
# documentation, and `ansible-test sanity` passes every check that runs offline. The checks
# that ansible-test can only run in a virtualenv it fills from PyPI (ansible-doc, import, pep8,
# pylint, runtime-metadata, validate-modules, yamllint) are skipped; pep8 and yamllint are run
# directly with Debian's pycodestyle and yamllint instead, with ansible-test's settings.
# Skips without Debian's ansible-core.
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
py=/usr/bin/python3
n=0
failed=0
if ! command -v ansible-test >/dev/null || [ ! -x "$py" ]; then
    echo "1..0 # SKIP needs Debian's ansible-core (ansible-test, /usr/bin/python3)"
    exit 0
fi
t() {
    local desc=$1 out
    shift
    n=$((n + 1))
    if out=$("$@" 2>&1); then
        echo "ok $n - $desc"
    else
        failed=$((failed + 1))
        echo "not ok $n - $desc"
        printf '%s\n' "$out" | tail -30 | sed 's/^/# /'
    fi
}

# ansible-test wants the collection at ansible_collections/NAMESPACE/NAME: a copy of it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
coll=$tmp/ansible_collections/lxmgr/lxmgr
mkdir -p "${coll%/*}"
cp -r "$src/ansible" "$coll"
rm -rf "$coll/tests/output"
export ANSIBLE_COLLECTIONS_PATH=$tmp ANSIBLE_LOCAL_TEMP=$tmp/ansible-tmp HOME=$tmp

t "unit tests of the module, connection and inventory plugins" \
    "$py" -m unittest discover -s "$coll/tests/unit/plugins" -p "test_*.py"
t "ansible-doc lxmgr.lxmgr.container" ansible-doc -t module lxmgr.lxmgr.container
t "ansible-doc -t connection lxmgr.lxmgr.lxmgr" ansible-doc -t connection lxmgr.lxmgr.lxmgr
t "ansible-doc -t inventory lxmgr.lxmgr.lxmgr" ansible-doc -t inventory lxmgr.lxmgr.lxmgr
venv_tests="ansible-doc import pep8 pylint runtime-metadata validate-modules yamllint"
skips=()
for s in $venv_tests; do skips+=(--skip-test "$s"); done
pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
sanity() { cd "$coll" && ansible-test sanity --color no --python "$pyver" "$@"; }
t "ansible-test sanity (the offline checks; without: $venv_tests)" sanity "${skips[@]}"
if command -v pycodestyle >/dev/null; then
    t "pep8 (pycodestyle with ansible-test's settings)" \
        pycodestyle --max-line-length 160 --ignore E402,W503,W504,E741 "$coll/plugins" "$coll/tests"
fi
if command -v yamllint >/dev/null; then
    t "yamllint of the collection's YAML" \
        yamllint -d '{extends: default, rules: {line-length: {max: 160}, truthy: disable, document-start: disable}}' \
        "$coll/galaxy.yml" "$coll/meta" "$coll/examples"
fi
echo "1..$n"
[ "$failed" = 0 ]
