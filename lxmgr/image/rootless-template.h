/* rootless-template.h: a rootless create -t debian through mmdebstrap --mode=unshare (Debian
 * package mmdebstrap): debootstrap needs root. */
#pragma once

struct lxmgr_ctx;
struct template_choice;

/* The Debian template's rootfs as a tar archive whose owners count from 0, built by
 * mmdebstrap --mode=unshare as the user (in a user namespace of its own first subordinate
 * range) and kept in CACHE/debian/RELEASE/ARCH/rootfs.tar (CACHE: XDG_CACHE_HOME/lxmgr),
 * rebuilt with --refresh; the caller unpacks it as --tarball. Other templates are refused in
 * one line. Reports failures itself; 0 and *ret_path (malloc'd), or -errno. */
int rootless_template_tarball(const struct lxmgr_ctx *ctx, const struct template_choice *t,
			      char **ret_path);
