/* pull: bring one image into the store from any source — a registry
 * reference, oci:DIR[:TAG], docker-archive:FILE, or dir:DIR (optionally on
 * top of a parent image) — and write its record. Every blob is verified,
 * layers already extracted or blobs already stored are not fetched again,
 * and everything new is staged (stage.h): on any failure the store is left
 * as it was, and what succeeds is on disk before it is visible. */
#ifndef BK_PULL_H
#define BK_PULL_H

#include <stddef.h>
#include <stdint.h>

enum bk_pull_event {
	BK_EV_START,      /* n layers; i unused */
	BK_EV_CACHED,     /* layer i already extracted */
	BK_EV_PRESENT,    /* blob of layer i already stored, to extract */
	BK_EV_BYTES,      /* blob of layer i: now of total bytes */
	BK_EV_FETCHED,    /* blob of layer i downloaded and verified */
	BK_EV_EXTRACTED,  /* layer i extracted */
	/* a push's */
	BK_EV_EXISTS,     /* the registry has blob i already */
	BK_EV_MOUNTED,    /* blob i mounted from another repository */
	BK_EV_SENDING,    /* blob i: now of total bytes sent */
	BK_EV_PUSHED,     /* blob i uploaded */
};

typedef void (*bk_pull_notify)(void *arg, enum bk_pull_event ev, size_t i, size_t n,
			       const char *digest, uint64_t now, uint64_t total);

struct bk_pull_opts {
	const char *store;      /* created if missing (its parent must exist) */
	const char *platform;   /* "os/arch[/variant]" or NULL for the host's */
	const char *tag;        /* name the image this (normalised) */
	const char *origin;     /* record this as where it came from, not the source */
	const char *parent;     /* dir: only: image the new layer goes on top of */
	const char *flatten;    /* also merge the layers into this dir */
	const char *creds;      /* "user:pass" or NULL */
	const char *insecure;   /* registry allowed over http / without TLS checks */
	const char *ca_file;
	long timeout;
	unsigned parallel;
	bk_pull_notify notify;
	void *notify_arg;
};

/* Under the store's shared lock (store.h); *id gets "img_<12 hex>". */
int bk_pull(const char *source, const struct bk_pull_opts *o, char **id);

#endif
