/* nss-lxmgr.c: the glibc NSS entry points of libnss_lxmgr.so.2: pack what hosts.c finds into
 * the caller's buffer. Loaded into every process of the host: no allocation that outlives a
 * call, no global state, errno kept unless an error is reported through *errnop. */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "hosts.h"
#include "network/netdir.h"
#include "nss-lxmgr.h"

#define NSS_EXPORT __attribute__((visibility("default")))
#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The caller's buffer, handed out front to back. */
struct buf {
	char *p;
	size_t left;
};

/* size bytes of b aligned to align (a power of two), or NULL when b is too small. */
static void *buf_take(struct buf *b, size_t size, size_t align)
{
	size_t pad = (size_t)(-(uintptr_t)b->p & (align - 1));
	void *r;

	if (pad > b->left || size > b->left - pad)
		return NULL;
	r = b->p + pad;
	b->p += pad + size;
	b->left -= pad + size;
	return r;
}

static char *buf_strdup(struct buf *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *r = buf_take(b, n, 1);

	return r ? memcpy(r, s, n) : NULL;
}

/* Not ours or no such entry: the next source answers. errno as the caller had it. */
static enum nss_status not_found(int herr, int *h_errnop, int saved_errno)
{
	*h_errnop = herr;
	errno = saved_errno;
	return NSS_STATUS_NOTFOUND;
}

/* ERANGE: glibc calls again with a bigger buffer. Anything else: unavailable. */
static enum nss_status failed(int err, int *errnop, int *h_errnop)
{
	*errnop = err;
	*h_errnop = err == ERANGE ? NETDB_INTERNAL : NO_RECOVERY;
	return err == ERANGE ? NSS_STATUS_TRYAGAIN : NSS_STATUS_UNAVAIL;
}

static enum nss_status found(int *h_errnop, int saved_errno)
{
	*h_errnop = NETDB_SUCCESS;
	errno = saved_errno;
	return NSS_STATUS_SUCCESS;
}

/* After no address of af: NO_DATA if the name has one of the other family. */
static int why_not_found(const char *dir, const char *name)
{
	struct hosts_addr any;
	char canon[HOSTS_NAME_MAX];

	return hosts_find_name(dir, name, AF_UNSPEC, &any, 1, canon) > 0 ? NO_DATA : HOST_NOT_FOUND;
}

enum nss_status lxmgr_nss_byname4(const char *dir, const char *name, struct gaih_addrtuple **pat,
				  char *buffer, size_t buflen, int *errnop, int *h_errnop,
				  int32_t *ttlp)
{
	struct hosts_addr addrs[HOSTS_MAX_ADDRS];
	char canon[HOSTS_NAME_MAX];
	struct buf b = {buffer, buflen};
	struct gaih_addrtuple *t;
	int saved_errno = errno, n;
	char *hname;

	if (!hosts_name_is_ours(name))
		return not_found(HOST_NOT_FOUND, h_errnop, saved_errno);
	n = hosts_find_name(dir, name, AF_UNSPEC, addrs, N_ELEMENTS(addrs), canon);
	if (n < 0)
		return failed(-n, errnop, h_errnop);
	if (n == 0)
		return not_found(HOST_NOT_FOUND, h_errnop, saved_errno);
	hname = buf_strdup(&b, canon);
	t = buf_take(&b, (size_t)n * sizeof(*t), alignof(struct gaih_addrtuple));
	if (!hname || !t)
		return failed(ERANGE, errnop, h_errnop);
	for (int i = 0; i < n; i++) {
		t[i] = (struct gaih_addrtuple){.next = i + 1 < n ? &t[i + 1] : NULL,
					       .name = hname,
					       .family = addrs[i].family};
		memcpy(t[i].addr, addrs[i].addr, addrs[i].family == AF_INET ? 4 : 16);
	}
	/* The caller may hand in a tuple of its own to fill. */
	if (*pat)
		**pat = t[0];
	else
		*pat = t;
	if (ttlp)
		*ttlp = 0;
	return found(h_errnop, saved_errno);
}

/* Packs name and the addresses of af into host, in b. false when b is too small. */
static bool pack_hostent(struct buf *b, const char *name, int af, const struct hosts_addr *addrs,
			 size_t n, struct hostent *host)
{
	size_t alen = af == AF_INET ? 4 : 16;
	char *hname = buf_strdup(b, name);
	char **aliases = buf_take(b, sizeof(char *), alignof(char *));
	char **list = buf_take(b, (n + 1) * sizeof(char *), alignof(char *));
	char *data = buf_take(b, n * alen, alignof(uint32_t));

	if (!hname || !aliases || !list || !data)
		return false;
	aliases[0] = NULL;
	for (size_t i = 0; i < n; i++) {
		list[i] = memcpy(data + i * alen, addrs[i].addr, alen);
	}
	list[n] = NULL;
	*host = (struct hostent){.h_name = hname,
				 .h_aliases = aliases,
				 .h_addrtype = af,
				 .h_length = (int)alen,
				 .h_addr_list = list};
	return true;
}

enum nss_status lxmgr_nss_byname3(const char *dir, const char *name, int af, struct hostent *host,
				  char *buffer, size_t buflen, int *errnop, int *h_errnop,
				  int32_t *ttlp, char **canonp)
{
	struct hosts_addr addrs[HOSTS_MAX_ADDRS];
	char canon[HOSTS_NAME_MAX];
	struct buf b = {buffer, buflen};
	int saved_errno = errno, n;

	if (!hosts_name_is_ours(name))
		return not_found(HOST_NOT_FOUND, h_errnop, saved_errno);
	if (af != AF_INET && af != AF_INET6)
		return failed(EAFNOSUPPORT, errnop, h_errnop);
	n = hosts_find_name(dir, name, af, addrs, N_ELEMENTS(addrs), canon);
	if (n < 0)
		return failed(-n, errnop, h_errnop);
	if (n == 0)
		return not_found(why_not_found(dir, name), h_errnop, saved_errno);
	if (!pack_hostent(&b, canon, af, addrs, (size_t)n, host))
		return failed(ERANGE, errnop, h_errnop);
	if (ttlp)
		*ttlp = 0;
	if (canonp)
		*canonp = host->h_name;
	return found(h_errnop, saved_errno);
}

enum nss_status lxmgr_nss_byaddr2(const char *dir, const void *addr, socklen_t len, int af,
				  struct hostent *host, char *buffer, size_t buflen, int *errnop,
				  int *h_errnop, int32_t *ttlp)
{
	struct hosts_addr a = {.family = af};
	char name[HOSTS_NAME_MAX];
	struct buf b = {buffer, buflen};
	int saved_errno = errno, r;

	if (af != AF_INET && af != AF_INET6)
		return failed(EAFNOSUPPORT, errnop, h_errnop);
	if (!addr || len != (socklen_t)(af == AF_INET ? 4 : 16))
		return failed(EINVAL, errnop, h_errnop);
	memcpy(a.addr, addr, len);
	r = hosts_find_addr(dir, af, addr, name);
	if (r < 0)
		return failed(-r, errnop, h_errnop);
	if (r == 0)
		return not_found(HOST_NOT_FOUND, h_errnop, saved_errno);
	if (!pack_hostent(&b, name, af, &a, 1, host))
		return failed(ERANGE, errnop, h_errnop);
	if (ttlp)
		*ttlp = 0;
	return found(h_errnop, saved_errno);
}

NSS_EXPORT enum nss_status _nss_lxmgr_gethostbyname4_r(const char *name,
						       struct gaih_addrtuple **pat, char *buffer,
						       size_t buflen, int *errnop, int *h_errnop,
						       int32_t *ttlp)
{
	return lxmgr_nss_byname4(LXMGR_NET_DIR, name, pat, buffer, buflen, errnop, h_errnop, ttlp);
}

NSS_EXPORT enum nss_status _nss_lxmgr_gethostbyname3_r(const char *name, int af,
						       struct hostent *host, char *buffer,
						       size_t buflen, int *errnop, int *h_errnop,
						       int32_t *ttlp, char **canonp)
{
	return lxmgr_nss_byname3(LXMGR_NET_DIR, name, af, host, buffer, buflen, errnop, h_errnop,
				 ttlp, canonp);
}

NSS_EXPORT enum nss_status _nss_lxmgr_gethostbyname2_r(const char *name, int af,
						       struct hostent *host, char *buffer,
						       size_t buflen, int *errnop, int *h_errnop)
{
	return lxmgr_nss_byname3(LXMGR_NET_DIR, name, af, host, buffer, buflen, errnop, h_errnop,
				 NULL, NULL);
}

NSS_EXPORT enum nss_status _nss_lxmgr_gethostbyname_r(const char *name, struct hostent *host,
						      char *buffer, size_t buflen, int *errnop,
						      int *h_errnop)
{
	return lxmgr_nss_byname3(LXMGR_NET_DIR, name, AF_INET, host, buffer, buflen, errnop,
				 h_errnop, NULL, NULL);
}

NSS_EXPORT enum nss_status _nss_lxmgr_gethostbyaddr2_r(const void *addr, socklen_t len, int af,
						       struct hostent *host, char *buffer,
						       size_t buflen, int *errnop, int *h_errnop,
						       int32_t *ttlp)
{
	return lxmgr_nss_byaddr2(LXMGR_NET_DIR, addr, len, af, host, buffer, buflen, errnop,
				 h_errnop, ttlp);
}

NSS_EXPORT enum nss_status _nss_lxmgr_gethostbyaddr_r(const void *addr, socklen_t len, int af,
						      struct hostent *host, char *buffer,
						      size_t buflen, int *errnop, int *h_errnop)
{
	return lxmgr_nss_byaddr2(LXMGR_NET_DIR, addr, len, af, host, buffer, buflen, errnop,
				 h_errnop, NULL);
}
