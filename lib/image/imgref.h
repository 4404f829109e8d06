/* imgref: parse an image reference ("busybox", "ghcr.io/o/n:tag",
 * "localhost:5000/x@sha256:...") with Docker's normalisation rules
 * (docker.io, library/, :latest) into registry, repository, tag, digest. */
#ifndef BK_IMGREF_H
#define BK_IMGREF_H

struct bk_imgref {
	char *registry;  /* "docker.io", "localhost:5000" */
	char *repo;      /* "library/busybox" */
	char *tag;       /* "latest"; NULL when only a digest was given */
	char *digest;    /* "sha256:<64 hex>" or NULL */
};

/* Returns 0, or -1 with "invalid reference 'S': why" recorded. */
int bk_imgref_parse(const char *s, struct bk_imgref *ref);
void bk_imgref_free(struct bk_imgref *ref);
/* "docker.io/library/busybox:latest" (tag and/or @digest). malloc'd. */
char *bk_imgref_string(const struct bk_imgref *ref);
/* Host to talk to: registry-1.docker.io for docker.io, else registry. */
const char *bk_imgref_api_host(const struct bk_imgref *ref);
/* The tag or digest to ask the manifests endpoint for. */
const char *bk_imgref_lookup(const struct bk_imgref *ref);
/* "sha256:" + 64 lowercase hex digits. */
int bk_digest_valid(const char *digest);

#endif
