#!/usr/bin/env bash
# A yum repository on the host for the RPM guests' tests: one dependency-free noarch package,
# lxtest-1.0-1 (it installs /usr/share/lxtest/hello), built with rpmbuild and indexed with
# createrepo_c in formats CentOS 7's rpm 4.11 and yum read (gzip payload, sha256 digests).

# make_rpm_repo TOP: TOP/repo holds the package and its repodata; fails when a tool does.
make_rpm_repo() {
    local top=$1
    mkdir -p "$top/SPECS" "$top/repo" || return 1
    cat >"$top/SPECS/lxtest.spec" <<'SPEC'
Name: lxtest
Version: 1.0
Release: 1
Summary: lxmgr test package
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
lxmgr test package.
%install
mkdir -p %{buildroot}/usr/share/lxtest
echo "from the host" >%{buildroot}/usr/share/lxtest/hello
%files
/usr/share/lxtest/hello
SPEC
    rpmbuild --quiet -bb --define "_topdir $top" \
        --define '_binary_payload w9.gzdio' --define '_binary_filedigest_algorithm 8' \
        --define '_build_id_links none' "$top/SPECS/lxtest.spec" &&
        cp "$top"/RPMS/noarch/lxtest-1.0-1.noarch.rpm "$top/repo/" &&
        createrepo_c -q --no-database --general-compress-type=gz "$top/repo"
}
