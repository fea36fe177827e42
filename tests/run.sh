#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine, as root: installs what it needs,
# builds, runs unit and integration tests (booting real containers), and ends with one line
# "N passed, N failed, N skipped" counting both together.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    autoreconf -fi || { echo "0 passed, 1 failed"; exit 1; }
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
    ./configure --enable-werror --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
        --runstatedir=/run >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
make -j"$(nproc)" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
# Build the test rootfs once, up front, with its progress visible.
bash tests/integration/lib/debian-rootfs.sh bookworm >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

export LXMGR_TEST_MUST_RUN=${LXMGR_TEST_MUST_RUN:-${CI:+1}}
make check
status=$?
# Print failing logs so that a CI run explains itself.
while read -r log; do
    echo "==== ${log%.trs}.log"
    tail -n 60 "${log%.trs}.log"
done < <(find tests -name '*.trs' -exec grep -l -E '^:test-result: (FAIL|ERROR)' {} + 2>/dev/null)
results=$(find tests -name '*.trs' -exec cat {} + 2>/dev/null | grep '^:test-result:')
passed=$(grep -c -E ': (PASS|XFAIL)$' <<<"$results")
failed=$(grep -c -E ': (FAIL|XPASS|ERROR)$' <<<"$results")
skipped=$(grep -c -E ': SKIP$' <<<"$results")
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" = 0 ] && [ "$failed" = 0 ]
