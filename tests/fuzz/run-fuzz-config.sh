#!/usr/bin/env bash
# Proves: the config parser survives a bounded run of coverage-guided fuzzing (libFuzzer
# with AddressSanitizer and UBSan) and every input in the corpus, including past crashes.
set -uo pipefail
src=${LXMGR_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
seconds=${LXMGR_FUZZ_SECONDS:-30}
if ! command -v clang >/dev/null; then
    if [ "${LXMGR_TEST_MUST_RUN:-0}" = 1 ]; then
        echo "Bail out! clang is not installed"
        exit 1
    fi
    echo "1..0 # SKIP clang is not installed"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/autoconfig.h" <<'H'
#define _GNU_SOURCE 1
#define PACKAGE_VERSION "fuzz"
H
# The parser is built instrumented; what it calls (util, net/ value parsers) comes from the
# library make already built.
lib=${LXMGR_BUILDDIR:-$PWD}/liblxmgr.a
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -include "$work/autoconfig.h" \
    -I"$src/lxmgr" -I"$src" $(pkg-config --cflags libnl-3.0 libnl-route-3.0) \
    "$src/tests/fuzz/fuzz-config.c" "$src/lxmgr/store/config.c" "$src/lxmgr/store/config-keys.c" "$lib" \
    $(pkg-config --libs libnl-3.0 libnl-route-3.0 libnftables libseccomp uuid libsystemd) \
    -liniparser -lcrypt -o "$work/fuzz-config" 2>"$work/build.log"; then
    echo "not ok 1 - build the fuzz target"
    sed 's/^/# /' "$work/build.log" | head -20
    echo "1..1"
    exit 1
fi
echo "ok 1 - build the fuzz target"
mkdir -p "$work/corpus"
cp "$src"/tests/fuzz/corpus-config/* "$work/corpus/"
if "$work/fuzz-config" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
    "$work/corpus" >"$work/fuzz.log" 2>&1; then
    echo "ok 2 - no crash in $seconds s of fuzzing ($(grep -o 'Done [0-9]* runs' "$work/fuzz.log"))"
    echo "1..2"
else
    echo "not ok 2 - the fuzzer found a crash (add the input to tests/fuzz/corpus-config)"
    grep -E 'ERROR|SUMMARY|Test unit written' "$work/fuzz.log" | sed 's/^/# /' | head -20
    echo "1..2"
    exit 1
fi
