#!/usr/bin/env bash
# Proves: import and create --tarball, which unpack with GNU tar as host root, write nothing
# and link nothing outside the new container from a crafted archive: a member ../escape, an
# absolute /PATH member, a symlink pointing out followed by a file written through it (an
# absolute and a relative one), a symlink pointing out then a plain file of the same name, a
# hard link to the host's /etc/shadow (absolute and ../ relative), a character and a block
# device node. Each archive that fails is refused in one line and leaves nothing in the store;
# the host's files (a victim file beside the store, /etc/shadow: content, inode, link count)
# are unchanged; those that unpack (absolute names, a hard link to the archive's own
# etc/shadow) keep everything inside the container's rootfs.
. "$(dirname "$0")/lib/common.sh"
setup_store

command -v python3 >/dev/null || skip_all "needs python3 to craft the archives"
command -v zstd >/dev/null || skip_all "needs zstd"

out=$T_ROOT/outside
mkdir -p "$out/dir" "$T_ROOT/arch"
echo "victim" >"$out/victim"
host_state() {
    echo "$(sha256sum </etc/shadow) $(stat -c '%i %h' /etc/shadow) $(find "$out" | sort | xargs) $(cat "$out/victim")"
}
before=$(host_state)

# mkarchive FILE KIND FORMAT: FORMAT rootfs (create --tarball) or export (import: the
# config, then every rootfs member under rootfs/), zstd-compressed for export.
mkarchive() {
    python3 - "$@" "$out" <<'EOF'
import io, sys, tarfile
path, kind, fmt, out = sys.argv[1:5]
p = "rootfs/" if fmt == "export" else ""
buf = io.BytesIO()
t = tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT)
def add(name, type=tarfile.REGTYPE, data=b"pwned\n", link="", dev=None, mode=0o644):
    i = tarfile.TarInfo(name); i.type = type; i.mode = mode; i.linkname = link
    if dev: i.devmajor, i.devminor = dev
    if type == tarfile.REGTYPE:
        i.size = len(data); t.addfile(i, io.BytesIO(data))
    else:
        t.addfile(i)
if fmt == "export":
    add("lxmgr-export.conf", data=b"[net]\nmode = none\n", mode=0o600)
    add("rootfs", tarfile.DIRTYPE, mode=0o755)
for d in ("sbin", "etc", "dev"):
    add(p + d, tarfile.DIRTYPE, mode=0o755)
add(p + "sbin/init", data=b"#!/bin/sh\n", mode=0o755)
up = "../" * 12
if kind == "dotdot": add(p + up + out.lstrip("/") + "/escape")
if kind == "absolute": add("/" + p + out.lstrip("/") + "/abs")
if kind == "symlink":
    add(p + "link", tarfile.SYMTYPE, link=out + "/dir"); add(p + "link/through")
if kind == "symlink-rel":
    add(p + "link", tarfile.SYMTYPE, link=up + out.lstrip("/") + "/dir"); add(p + "link/through")
if kind == "symlink-file":
    add(p + "victim", tarfile.SYMTYPE, link=out + "/victim"); add(p + "victim", data=b"over\n")
if kind == "hardlink": add(p + "hl", tarfile.LNKTYPE, link="/etc/shadow")
if kind == "hardlink-rel": add(p + "hl", tarfile.LNKTYPE, link=up + "etc/shadow")
if kind == "hardlink-own":
    add(p + "etc/shadow", data=b"root:*:1::::::\n", mode=0o640)
    add(p + "hl", tarfile.LNKTYPE, link="/" + p + "etc/shadow")
if kind == "chardev": add(p + "mem", tarfile.CHRTYPE, dev=(1, 1))
if kind == "blockdev": add(p + "disk", tarfile.BLKTYPE, dev=(8, 0))
if kind == "devnode-in-dev": add(p + "dev/null", tarfile.CHRTYPE, dev=(1, 3))
t.close()
open(path, "wb").write(buf.getvalue())
EOF
    if [ "$3" = export ]; then zstd -q --rm -f "$1" -o "$1.zst"; fi
}

store_empty() { find "$T_ROOT/lib" -mindepth 1 -maxdepth 1 -printf "%f " 2>/dev/null | sed "s/ $//"; }

declare -A why=(
    [dotdot]="Member name contains '\.\.'"
    [symlink]="link/through: Cannot open: Not a directory"
    [symlink-rel]="link/through: Cannot open: Not a directory"
    [hardlink]="hl: Cannot hard link to .etc/shadow.: No such file"
    [hardlink-rel]="hl: Cannot hard link to .etc/shadow.: No such file"
    [chardev]="mem: Cannot mknod: Operation not permitted"
    [blockdev]="disk: Cannot mknod: Operation not permitted"
)
for kind in dotdot symlink symlink-rel hardlink hardlink-rel chardev blockdev; do
    mkarchive "$T_ROOT/arch/$kind.tar" "$kind" rootfs
    refused 1 "^lxmgr: create h1: create: .*$kind\.tar .*: tar: .*${why[$kind]}" \
        "create --tarball refuses the $kind archive in one line" \
        lx create h1 --tarball "$T_ROOT/arch/$kind.tar" --net none
    check_eq "... and leaves nothing in the store" "" "$(store_empty)"
    check_eq "... nor outside it: the host's files are unchanged" "$before" "$(host_state)"
    mkarchive "$T_ROOT/arch/$kind.tar" "$kind" export
    refused 1 "^lxmgr: import h2: export: .*$kind\.tar\.zst is truncated or damaged: tar: .*${why[$kind]}" \
        "import refuses the $kind export in one line" \
        lx import "$T_ROOT/arch/$kind.tar.zst" h2
    check_eq "... and leaves nothing in the store" "" "$(store_empty)"
    check_eq "... nor outside it" "$before" "$(host_state)"
done

refused 1 "^lxmgr: import h3: export: /dev/stdin is truncated or damaged: tar: rootfs/mem: Cannot mknod" \
    "import - (a pipe, as copy's far side) refuses a device node too" \
    lx import - h3 <"$T_ROOT/arch/chardev.tar.zst"
check_eq "... and leaves nothing" "" "$(store_empty)"

# Archives that unpack: what they hold stays inside the rootfs.
for fmt in rootfs export; do
    mkarchive "$T_ROOT/arch/abs-$fmt.tar" absolute "$fmt"
    mkarchive "$T_ROOT/arch/sf-$fmt.tar" symlink-file "$fmt"
    mkarchive "$T_ROOT/arch/own-$fmt.tar" hardlink-own "$fmt"
    mkarchive "$T_ROOT/arch/dev-$fmt.tar" devnode-in-dev "$fmt"
done
T_NAMES+=(ha hb hc hd he hf hg hh)
check "create --tarball of an archive with an absolute name" \
    lx create ha --tarball "$T_ROOT/arch/abs-rootfs.tar" --net none
check_eq "... writes it inside the rootfs" "pwned" "$(cat "$T_ROOT/lib/ha/rootfs$out/abs" 2>&1)"
check "import of the same" lx import "$T_ROOT/arch/abs-export.tar.zst" hb
check_eq "... writes it inside the rootfs" "pwned" "$(cat "$T_ROOT/lib/hb/rootfs$out/abs" 2>&1)"
check "a symlink out, then a plain file of that name (create)" \
    lx create hc --tarball "$T_ROOT/arch/sf-rootfs.tar" --net none
check_eq "... nothing was written through the link" "victim" "$(cat "$out/victim")"
check "the same (import)" lx import "$T_ROOT/arch/sf-export.tar.zst" hd
check_eq "... nothing was written through the link" "victim" "$(cat "$out/victim")"
check "a hard link to /etc/shadow with the archive's own etc/shadow (create)" \
    lx create he --tarball "$T_ROOT/arch/own-rootfs.tar" --net none
check_eq "... links to the rootfs's etc/shadow, not the host's" \
    "$(stat -c '%d %i' "$T_ROOT/lib/he/rootfs/etc/shadow") 2" "$(stat -c '%d %i %h' "$T_ROOT/lib/he/rootfs/hl" 2>&1)"
check "the same (import)" lx import "$T_ROOT/arch/own-export.tar.zst" hf
check_eq "... links to the rootfs's etc/shadow, not the host's" \
    "$(stat -c '%d %i' "$T_ROOT/lib/hf/rootfs/etc/shadow") 2" "$(stat -c '%d %i %h' "$T_ROOT/lib/hf/rootfs/hl" 2>&1)"
check "a rootfs tarball with dev/null (a node lxmgr's /dev replaces) unpacks" \
    lx create hg --tarball "$T_ROOT/arch/dev-rootfs.tar" --net none
check_eq "... without the node" "" "$(ls -A "$T_ROOT/lib/hg/rootfs/dev")"
check "so does an export with rootfs/dev/null" lx import "$T_ROOT/arch/dev-export.tar.zst" hh
check_eq "... without the node" "" "$(ls -A "$T_ROOT/lib/hh/rootfs/dev")"
check_eq "no device node anywhere in the imported trees" "" \
    "$(find "$T_ROOT/lib" -xdev \( -type b -o -type c \) 2>&1)"
check_eq "the host's files are unchanged after all of it" "$before" "$(host_state)"
for n in ha hb hc hd he hf hg hh; do lx destroy "$n" >/dev/null 2>&1; done
check_eq "destroy leaves an empty store" "" "$(store_empty)"
check_eq "nothing under the store was mounted" "0" "$(grep -c "$T_ROOT" /proc/self/mountinfo)"
done_testing
