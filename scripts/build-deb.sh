#!/usr/bin/env bash
# Builds the Debian packages (lxmgr, libnss-lxmgr) from the current tree: the files git
# tracks, as they are in the work tree (uncommitted edits included, untracked files and
# build products left out), copied to a temporary directory, where dpkg-buildpackage
# builds in place. Nothing is written into the checkout.
# Usage: build-deb.sh [--outdir DIR] [-- DPKG-BUILDPACKAGE-ARGS...]
#   DIR (default: the checkout's parent, where dpkg-buildpackage would put them) receives
#   the .deb files, the .changes and the .buildinfo; their paths are printed on stdout, the
#   build's output goes to stderr. DEB_BUILD_OPTIONS is passed on (nocheck skips the unit
#   tests of the build).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
outdir=$(dirname "$src")
while [ $# -gt 0 ]; do
    case $1 in
    --outdir) outdir=${2:?--outdir needs a directory}; shift 2 ;;
    --) shift; break ;;
    *)
        echo "build-deb: unknown argument '$1' (usage: build-deb.sh [--outdir DIR] [-- ARGS])" >&2
        exit 2
        ;;
    esac
done

git -C "$src" rev-parse --git-dir >/dev/null 2>&1 ||
    { echo "build-deb: $src is not a git checkout (the files to package are git's)" >&2; exit 1; }
command -v dpkg-checkbuilddeps >/dev/null ||
    { echo "build-deb: dpkg-dev is not installed (bash scripts/install-deps.sh)" >&2; exit 1; }
# The changelog names the version; configure.ac's AC_INIT is the version: they must agree.
version=$(sed -n 's/^AC_INIT(\[lxmgr\], *\[\([^]]*\)\].*/\1/p' "$src/configure.ac")
deb_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
if [ "${deb_version%%-*}" != "$version" ]; then
    echo "build-deb: debian/changelog is at $deb_version, configure.ac's AC_INIT at $version:" \
        "add a changelog entry for it (dch -v $version, from devscripts, or by hand)" >&2
    exit 1
fi
(cd "$src" && dpkg-checkbuilddeps) ||
    { echo "build-deb: install the build dependencies above (bash scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxmgr-deb.XXXXXX")
trap 'rm -rf --one-file-system "$tmp"' EXIT
# Tracked files that exist in the work tree (a deleted one is left out), symlinks as such.
mkdir "$tmp/lxmgr-$version"
(cd "$src" && git ls-files -z | while IFS= read -r -d '' f; do
    if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
done | tar --null --no-recursion -T - -cf -) | tar -xf - -C "$tmp/lxmgr-$version"
# Under `make check` or `make deb`, make's command-line variables (TESTS=...) reach the
# package's own make through MAKEFLAGS: the build starts from a clean make environment.
(cd "$tmp/lxmgr-$version" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    dpkg-buildpackage -us -uc -b -j"$(nproc)" "$@") >&2

changes=$tmp/lxmgr_${deb_version}_$(dpkg-architecture -qDEB_HOST_ARCH).changes
[ -f "$changes" ] || { echo "build-deb: no $changes after the build" >&2; exit 1; }
# The files the .changes lists, plus the .changes itself.
for f in $(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* //p' "$changes") \
    "$(basename "$changes")"; do
    mv -f "$tmp/$f" "$outdir/"
    echo "$outdir/$f"
done
