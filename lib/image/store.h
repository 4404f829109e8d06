/* store: the store directory as a whole — its layout (blobs/sha256,
 * layers/sha256, images, uploads: where a push keeps what it needs to
 * resume; oci-layout and index.json are layout.h's), its locks, and the
 * sweep of what a killed imgpull left under a temp name.
 *
 * The lock is flock(2) on STORE/store.lock: a pull (any source) holds it
 * shared for its whole run, so pulls run side by side and each sees the
 * objects it finds stay put; rm and gc hold it exclusively. Every object
 * is written under a ".tmp-" name and renamed when whole, so whoever
 * holds the lock exclusively knows every ".tmp-" object is stale.
 *
 * index.json (layout.h) is read, changed and replaced by holders of the
 * shared lock too (a pull naming its image): that read-modify-write
 * takes the index lock, flock(2) LOCK_EX on STORE/index.lock, always
 * inside the store lock and only for as long as it lasts. */
#ifndef BK_STORE_H
#define BK_STORE_H

#include <stdbool.h>

enum bk_store_lock { BK_STORE_SHARED, BK_STORE_EXCLUSIVE };

struct bk_store {
	char *path;      /* absolute */
	int lockfd;      /* holds the flock; -1 when closed */
};

/* Open STORE and lock it. With create, a missing STORE is made (its
 * parent must exist) with its layout. A shared opener that finds the
 * store idle sweeps it first. */
int bk_store_open(struct bk_store *s, const char *path, bool create, enum bk_store_lock mode);
/* Release the lock. */
void bk_store_close(struct bk_store *s);

/* Remove every ".tmp-" object (exclusive holders only). */
int bk_store_sweep(const struct bk_store *s);

/* A temp name for a new object in STORE/DIR: "STORE/DIR/.tmp-PID-XXXXXX"
 * (a template for mkstemp/mkdtemp; DIR "" for STORE itself). malloc'd. */
char *bk_store_tmpname(const char *store, const char *dir);

/* Take the index lock (held by the caller of the store lock); the fd
 * returned holds it until closed. */
int bk_store_lock_index(const char *store);

#endif
