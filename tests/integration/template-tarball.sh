#!/usr/bin/env bash
# Proves: the tarball template makes a container from a local archive (--file) and from a
# download (--url, from an HTTP server on 127.0.0.1 of this test), keeps no cache, and the
# Alpine 3.20 guest it makes boots; a missing file or a non-HTTP URL is refused in one line.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
guest_tarball alpine-3.20.tar.gz
tarball=$GUEST_TARBALL
command -v python3 >/dev/null || skip_all "python3 is not installed (the local HTTP server)"

T_NAMES+=(tf tu)
out=$(lx create tf -t tarball --file "$tarball" --net none 2>&1)
rc=$?
check_eq "create -t tarball --file" 0 "$rc"
check_eq "the template and its file are recorded" "template tarball $(realpath "$tarball")" "$(lx config tf get rootfs.source)"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
check_match "its step line names the archive" "template: unpacking alpine-3.20.tar.gz" "$out"
check_eq "detected: busybox init" "busybox" "$(lx config tf get container.init_kind)"
check "the rootfs has Alpine's release file" test -f "$T_ROOT/lib/tf/rootfs/etc/alpine-release"
check "no cache was made" test ! -e "$T_ROOT/cache/tarball"
check_match "the template's output is kept in its log" "STEP: unpacking alpine-3.20.tar.gz" \
    "$(cat "$T_ROOT/log/templates/tf-tarball.log" 2>&1)"
check "start" lx start tf
check "the console shows a login prompt" wait_console tf "tf login:" 30
check_eq "PID 1 is busybox init" "/bin/busybox" "$(lx exec tf -- readlink /proc/1/exe)"
base=$(uid_base_of tf)
check "stop" lx stop tf
check_host_clean tf "$base"

# --url: a server on the loopback address only, on a port the kernel picks.
dir=$(dirname "$tarball")
python3 -c '
import http.server, socketserver, sys, os
os.chdir(sys.argv[1])
h = http.server.SimpleHTTPRequestHandler
h.log_message = lambda *a: None
s = socketserver.TCPServer(("127.0.0.1", 0), h)
print(s.server_address[1], flush=True)
s.serve_forever()' "$dir" >"$T_ROOT/http.port" &
HTTP_PID=$!
trap 'kill "$HTTP_PID" 2>/dev/null; teardown_store' EXIT
for _ in $(seq 1 50); do [ -s "$T_ROOT/http.port" ] && break; sleep 0.1; done
port=$(cat "$T_ROOT/http.port")
out=$(lx create tu -t tarball --url "http://127.0.0.1:$port/alpine-3.20.tar.gz" --net none 2>&1)
rc=$?
check_eq "create -t tarball --url http://127.0.0.1:PORT/..." 0 "$rc"
check_eq "the URL is recorded" "template tarball http://127.0.0.1:$port/alpine-3.20.tar.gz" "$(lx config tu get rootfs.source)"
[ "$rc" = 0 ] || printf '#   %s\n' "$out"
check_match "it downloaded" "template: downloading http://127.0.0.1:$port/alpine-3.20.tar.gz" "$out"
check "the downloaded rootfs is Alpine" test -f "$T_ROOT/lib/tu/rootfs/etc/alpine-release"
check "no download is left in the store" test -z "$(find "$T_ROOT/lib" -name rootfs.tar)"
out=$(lx create tx -t tarball --url "http://127.0.0.1:$port/nosuch.tar.gz" 2>&1)
check_eq "a URL the server does not have fails" 1 "$?"
check_match "naming the command that failed" "create tx: template: tarball: command failed \(exit 22\): curl" "$out"
check_match "after the end of the template's output (curl's error)" "  curl: \(22\) The requested URL returned error: 404" "$out"
kill "$HTTP_PID"

one_line() { # one_line DESCRIPTION REGEX ARGS...: lx create ARGS is refused in one line.
    local desc=$1 re=$2
    shift 2
    refused 1 "$re" "$desc" lx create "$@"
}
one_line "a missing file: one line" "create t1: template: tarball: cannot read the archive /nonexistent" \
    t1 -t tarball --file /nonexistent
one_line "a file: URL: one line" "only http, https and ftp URLs" t2 -t tarball --url file:///etc/passwd
one_line "neither --file nor --url: one line" "needs --file FILE or --url URL" t3 -t tarball
check_eq "nothing else was made" "tf tu" "$(ls -A "$T_ROOT/lib" | tr '\n' ' ' | sed 's/ $//')"
done_testing
