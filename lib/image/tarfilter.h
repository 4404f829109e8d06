/* tarfilter: what one tar entry of a layer becomes, decided from its name
 * and hard link target alone (no I/O, so it can be fuzzed on its own):
 * refused when it could land outside the layer (".." components, absolute
 * paths, a hard link to nowhere, a path longer than the store can remove),
 * skipped (the layer root, aufs bookkeeping), an OCI whiteout ".wh.NAME",
 * an opaque marker ".wh..wh..opq", or an entry at its cleaned path. */
#ifndef BK_TARFILTER_H
#define BK_TARFILTER_H

#define BK_TAR_PATH_MAX 3072

enum bk_tar_action { BK_TAR_SKIP, BK_TAR_ENTRY, BK_TAR_WHITEOUT, BK_TAR_OPAQUE };

struct bk_tar_entry {
	enum bk_tar_action action;
	/* ENTRY: the cleaned path; WHITEOUT: the path it hides; OPAQUE: the
	 * directory it marks ("" for the layer root). */
	char path[BK_TAR_PATH_MAX + 1];
	char link[BK_TAR_PATH_MAX + 1];   /* ENTRY: cleaned hard link target, or "" */
};

/* hardlink may be NULL. Returns 0, or -1 with "'NAME': why" recorded. */
int bk_tar_filter(const char *name, const char *hardlink, struct bk_tar_entry *out);

#endif
