/* nss-lxmgr.h: the glibc NSS module libnss_lxmgr.so.2 ("hosts: files lxmgr dns" in
 * /etc/nsswitch.conf): NAME.lxmgr of every running bridged container, and the reverse, from
 * the hosts files lxmgr writes in LXMGR_NET_DIR for each bridge's dnsmasq. Every other name
 * and address is NSS_STATUS_NOTFOUND, so the next source answers it.
 *
 * The lxmgr_nss_* functions are the entry points with the directory as a parameter (the
 * unit test points them at its own); the _nss_lxmgr_* ones are glibc's, on LXMGR_NET_DIR. */
#pragma once

#include <netdb.h>
#include <nss.h>
#include <stdint.h>
#include <sys/socket.h>

enum nss_status lxmgr_nss_byname4(const char *dir, const char *name, struct gaih_addrtuple **pat,
				  char *buffer, size_t buflen, int *errnop, int *h_errnop,
				  int32_t *ttlp);
enum nss_status lxmgr_nss_byname3(const char *dir, const char *name, int af, struct hostent *host,
				  char *buffer, size_t buflen, int *errnop, int *h_errnop,
				  int32_t *ttlp, char **canonp);
enum nss_status lxmgr_nss_byaddr2(const char *dir, const void *addr, socklen_t len, int af,
				  struct hostent *host, char *buffer, size_t buflen, int *errnop,
				  int *h_errnop, int32_t *ttlp);

/* What glibc looks up in libnss_lxmgr.so.2 (the only symbols it exports). */
enum nss_status _nss_lxmgr_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					    char *buffer, size_t buflen, int *errnop, int *h_errnop,
					    int32_t *ttlp);
enum nss_status _nss_lxmgr_gethostbyname3_r(const char *name, int af, struct hostent *host,
					    char *buffer, size_t buflen, int *errnop, int *h_errnop,
					    int32_t *ttlp, char **canonp);
enum nss_status _nss_lxmgr_gethostbyname2_r(const char *name, int af, struct hostent *host,
					    char *buffer, size_t buflen, int *errnop,
					    int *h_errnop);
enum nss_status _nss_lxmgr_gethostbyname_r(const char *name, struct hostent *host, char *buffer,
					   size_t buflen, int *errnop, int *h_errnop);
enum nss_status _nss_lxmgr_gethostbyaddr2_r(const void *addr, socklen_t len, int af,
					    struct hostent *host, char *buffer, size_t buflen,
					    int *errnop, int *h_errnop, int32_t *ttlp);
enum nss_status _nss_lxmgr_gethostbyaddr_r(const void *addr, socklen_t len, int af,
					   struct hostent *host, char *buffer, size_t buflen,
					   int *errnop, int *h_errnop);
