/* push: an image of the store to a registry reference: every blob its
 * manifest names (upload.h: skipped when the registry has it, mounted
 * from the repository the image was pulled from when that is on the same
 * registry), then the manifest itself, byte for byte with its media type,
 * under the reference's tag. A pulled image keeps its manifest digest. */
#ifndef BK_PUSH_H
#define BK_PUSH_H

#include "image/pull.h"

#include <stdint.h>

struct bk_push_opts {
	const char *store;
	const char *creds, *insecure, *ca_file;   /* as a pull's (registry.h) */
	long timeout;
	unsigned parallel;
	uint64_t chunk;           /* the largest PATCH */
	bk_pull_notify notify;    /* START, then per layer EXISTS, MOUNTED, SENDING, PUSHED */
	void *notify_arg;
};

/* Under the store's shared lock; *digest gets the manifest's digest. */
int bk_push(const char *image, const char *ref, const struct bk_push_opts *o, char **digest);

#endif
