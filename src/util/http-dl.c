// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The functions of libcurl and libmicrohttpd that lden calls, defined
 * here under their own names (hidden: never exported, so the libraries
 * never bind to them) and forwarded to the library loaded with dlopen()
 * when a sink needs it.  See http-dl.h.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* curl.h must not turn curl_easy_setopt() into its type-checking macro */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <microhttpd.h>

#include "http-dl.h"

#define HIDDEN __attribute__((visibility("hidden")))

struct dl_lib {
	const char *soname;
	const char *package;	/* the Debian package with the library */
	pthread_once_t once;
	void *handle;
	char err[300];
};

static struct dl_lib curl_lib = {
	LDEN_CURL_SONAME, "libcurl4", PTHREAD_ONCE_INIT, NULL, ""
};
static struct dl_lib mhd_lib = {
	LDEN_MHD_SONAME, "libmicrohttpd12", PTHREAD_ONCE_INIT, NULL, ""
};

/* Every forwarded function: return type, name, parameters, arguments. */
#define CURL_FUNCS(X, V) \
	X(CURLcode, curl_global_init, (long flags), (flags)) \
	X(CURL *, curl_easy_init, (void), ()) \
	X(CURLcode, curl_easy_perform, (CURL *h), (h)) \
	V(curl_easy_cleanup, (CURL *h), (h)) \
	X(const char *, curl_easy_strerror, (CURLcode rc), (rc)) \
	V(curl_free, (void *p), (p)) \
	X(struct curl_slist *, curl_slist_append, \
	  (struct curl_slist *l, const char *s), (l, s)) \
	V(curl_slist_free_all, (struct curl_slist *l), (l)) \
	X(CURLU *, curl_url, (void), ()) \
	V(curl_url_cleanup, (CURLU *u), (u)) \
	X(CURLUcode, curl_url_get, \
	  (CURLU *u, CURLUPart what, char **part, unsigned int flags), \
	  (u, what, part, flags)) \
	X(CURLUcode, curl_url_set, \
	  (CURLU *u, CURLUPart what, const char *part, unsigned int flags), \
	  (u, what, part, flags))

#define MHD_FUNCS(X, V) \
	X(enum MHD_Result, MHD_add_response_header, \
	  (struct MHD_Response *r, const char *h, const char *c), (r, h, c)) \
	X(struct MHD_Response *, MHD_create_response_from_buffer, \
	  (size_t size, void *buf, enum MHD_ResponseMemoryMode mode), \
	  (size, buf, mode)) \
	V(MHD_destroy_response, (struct MHD_Response *r), (r)) \
	X(const char *, MHD_lookup_connection_value, \
	  (struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key), \
	  (c, kind, key)) \
	X(enum MHD_Result, MHD_queue_response, \
	  (struct MHD_Connection *c, unsigned int status, \
	   struct MHD_Response *r), (c, status, r)) \
	V(MHD_stop_daemon, (struct MHD_Daemon *d), (d)) \
	X(char *, MHD_basic_auth_get_username_password, \
	  (struct MHD_Connection *c, char **password), (c, password)) \
	V(MHD_free, (void *p), (p)) \
	X(int, MHD_get_connection_values, \
	  (struct MHD_Connection *c, enum MHD_ValueKind kind, \
	   MHD_KeyValueIterator it, void *it_cls), (c, kind, it, it_cls)) \
	X(enum MHD_Result, MHD_queue_basic_auth_fail_response, \
	  (struct MHD_Connection *c, const char *realm, \
	   struct MHD_Response *r), (c, realm, r))

/* the variadic ones, forwarded by hand below */
#define VARIADIC_FUNCS(X) \
	X(CURLcode, curl_easy_setopt, (CURL *, CURLoption, ...)) \
	X(CURLcode, curl_easy_getinfo, (CURL *, CURLINFO, ...)) \
	X(const union MHD_ConnectionInfo *, MHD_get_connection_info, \
	  (struct MHD_Connection *, enum MHD_ConnectionInfoType, ...)) \
	X(struct MHD_Daemon *, MHD_start_daemon_va, \
	  (unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *, \
	   MHD_AccessHandlerCallback, void *, va_list))

#define POINTER(ret, name, params, args) static ret(*p_##name) params;
#define VPOINTER(name, params, args) static void(*p_##name) params;
#define VARPOINTER(ret, name, params) static ret(*p_##name) params;
CURL_FUNCS(POINTER, VPOINTER)
MHD_FUNCS(POINTER, VPOINTER)
VARIADIC_FUNCS(VARPOINTER)

static void *resolve(struct dl_lib *l, const char *name)
{
	void *f = dlsym(l->handle, name);

	if (!f && !l->err[0])
		snprintf(l->err, sizeof(l->err), "%s has no %s (too old?)",
			 l->soname, name);
	return f;
}

#define RESOLVE(ret, name, params, args) \
	p_##name = (ret(*) params)resolve(lib, #name);
#define VRESOLVE(name, params, args) \
	p_##name = (void(*) params)resolve(lib, #name);
#define VARRESOLVE(ret, name, params) \
	p_##name = (ret(*) params)resolve(lib, #name);

static void open_lib(struct dl_lib *l)
{
	/* RTLD_LOCAL: their symbols never reach the rest of lden */
	l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!l->handle)
		snprintf(l->err, sizeof(l->err), "cannot load %s (Debian package %s): %s",
			 l->soname, l->package, dlerror());
}

static void load_curl(void)
{
	struct dl_lib *lib = &curl_lib;

	open_lib(lib);
	if (!lib->handle)
		return;
	CURL_FUNCS(RESOLVE, VRESOLVE)
	p_curl_easy_setopt = (CURLcode(*)(CURL *, CURLoption, ...))
		resolve(lib, "curl_easy_setopt");
	p_curl_easy_getinfo = (CURLcode(*)(CURL *, CURLINFO, ...))
		resolve(lib, "curl_easy_getinfo");
}

static void load_mhd(void)
{
	struct dl_lib *lib = &mhd_lib;

	open_lib(lib);
	if (!lib->handle)
		return;
	MHD_FUNCS(RESOLVE, VRESOLVE)
	p_MHD_get_connection_info = (const union MHD_ConnectionInfo *(*)(
			struct MHD_Connection *, enum MHD_ConnectionInfoType,
			...))resolve(lib, "MHD_get_connection_info");
	p_MHD_start_daemon_va = (struct MHD_Daemon *(*)(unsigned int, uint16_t,
			MHD_AcceptPolicyCallback, void *,
			MHD_AccessHandlerCallback, void *, va_list))
		resolve(lib, "MHD_start_daemon_va");
}

static int load(struct dl_lib *l, void (*fn)(void), char *err, size_t errlen)
{
	pthread_once(&l->once, fn);
	if (l->err[0]) {
		if (err)
			snprintf(err, errlen, "%s", l->err);
		return -1;
	}
	return 0;
}

int lden_http_dl__curl(char *err, size_t errlen)
{
	return load(&curl_lib, load_curl, err, errlen);
}

int lden_http_dl__mhd(char *err, size_t errlen)
{
	return load(&mhd_lib, load_mhd, err, errlen);
}

/* A call before its library was loaded is a bug in lden, not the user's. */
static void need(struct dl_lib *l, const char *name)
{
	if (l->handle && !l->err[0])
		return;
	fprintf(stderr, "lden: internal error: %s() called but %s is not loaded%s%s\n",
		name, l->soname, l->err[0] ? ": " : "", l->err);
	abort();
}

#define FORWARD(lib, ret, name, params, args) \
	HIDDEN ret name params; \
	HIDDEN ret name params \
	{ \
		need(lib, #name); \
		return p_##name args; \
	}
#define VFORWARD(lib, name, params, args) \
	HIDDEN void name params; \
	HIDDEN void name params \
	{ \
		need(lib, #name); \
		p_##name args; \
	}
#define CURL_DEF(ret, name, params, args) \
	FORWARD(&curl_lib, ret, name, params, args)
#define CURL_VDEF(name, params, args) VFORWARD(&curl_lib, name, params, args)
#define MHD_DEF(ret, name, params, args) \
	FORWARD(&mhd_lib, ret, name, params, args)
#define MHD_VDEF(name, params, args) VFORWARD(&mhd_lib, name, params, args)
CURL_FUNCS(CURL_DEF, CURL_VDEF)
MHD_FUNCS(MHD_DEF, MHD_VDEF)

/*
 * The option's number says the type of its argument (curl.h,
 * CURLOPTTYPE_*), as libcurl itself reads it: fetched as that type, so
 * the call is right on every ABI.
 */
HIDDEN CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc;
	va_list ap;

	need(&curl_lib, "curl_easy_setopt");
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = p_curl_easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = p_curl_easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = p_curl_easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = p_curl_easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = p_curl_easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* every CURLINFO_* argument is a pointer to where the answer goes */
HIDDEN CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;

	need(&curl_lib, "curl_easy_getinfo");
	va_start(ap, info);
	rc = p_curl_easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* the option list goes on as a va_list: libmicrohttpd has that entry */
HIDDEN struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
					   MHD_AcceptPolicyCallback apc,
					   void *apc_cls,
					   MHD_AccessHandlerCallback dh,
					   void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	need(&mhd_lib, "MHD_start_daemon");
	va_start(ap, dh_cls);
	d = p_MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/* the kinds of information lden asks for take no further argument */
HIDDEN const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *c,
			enum MHD_ConnectionInfoType type, ...)
{
	need(&mhd_lib, "MHD_get_connection_info");
	return p_MHD_get_connection_info(c, type);
}
