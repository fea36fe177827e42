/* netdir.h: where lxmgr keeps the host's network state (the host lock, the saved sysctls, each
 * bridge's dnsmasq files). Host-wide whatever the store or the prefix lxmgr was built with, so
 * that every lxmgr on the host (and the NSS module, nss/) agrees on it. Depends on nothing. */
#pragma once

#define LXMGR_NET_DIR "/run/lxmgr-net"
