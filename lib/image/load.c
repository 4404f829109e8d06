/* load: archives into the store (load.h). */
#include "image/load.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "image/imgref.h"
#include "image/layout.h"
#include "image/names.h"
#include "image/ocisrc.h"
#include "image/store.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUFSZ (256u << 10)

struct load {
	const struct bk_pull_opts *o;
	const char *store;
	const char *what;            /* the file, or "-" */
	char *spool, *dir;           /* temps in the store */
	const char *file;            /* the archive on disk */
	char **ids;
	size_t n;
};

/* Standard input (or a pipe) into a temp file of the store. */
static int spool(struct load *l, int in)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!(l->spool = bk_store_tmpname(l->store, "")))
		return -1;
	if ((fd = mkostemp(l->spool, O_CLOEXEC)) < 0) {
		free(l->spool);
		l->spool = NULL;
		return bk_fail_errno(errno, "load: create a temp file in %s", l->store);
	}
	if (!(buf = malloc(BUFSZ)))
		return bk_fail("out of memory");
	BK_TRACE("spool the archive into %s", l->spool);
	while ((n = read(in, buf, BUFSZ)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bk_fail_errno(errno, "load: read %s", l->what);
		if (bk_write_all(fd, buf, (size_t)n) < 0)
			return bk_fail_errno(errno, "load: write %s", l->spool);
	}
	l->file = l->spool;
	return 0;
}

/* What a layout member may be: oci-layout, index.json, blobs/sha256/HEX. */
static bool layout_member(const char *name)
{
	char digest[80];

	if (!strcmp(name, "oci-layout") || !strcmp(name, "index.json"))
		return true;
	if (strncmp(name, "blobs/sha256/", 13) || strlen(name) != 13 + 64)
		return false;
	snprintf(digest, sizeof(digest), "sha256:%s", name + 13);
	return bk_digest_valid(digest);
}

/* Which form the archive is: 1 a layout, 0 docker's manifest.json. */
static int kind_of(const struct load *l)
{
	struct archive *a = bk_tar_open(l->file);
	struct archive_entry *e;
	bool layout = false, index = false, docker = false;
	int r;

	if (!a)
		return bk_fail_wrap("load %s", l->what);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *n = bk_tar_entry_name(e);
		layout |= !strcmp(n, "oci-layout");
		index |= !strcmp(n, "index.json");
		docker |= !strcmp(n, "manifest.json");
	}
	if (r != ARCHIVE_EOF)
		bk_fail("load %s: %s", l->what, archive_error_string(a));
	archive_read_free(a);
	if (r != ARCHIVE_EOF)
		return -1;
	if (layout && index)
		return 1;
	return docker ? 0 : bk_fail("load %s: neither an OCI layout nor a docker save archive", l->what);
}

/* The layout's members into a temp dir of the store; nothing else. */
static int unpack_layout(struct load *l)
{
	_cleanup_free_ char *blobs = NULL;
	struct archive *a;
	struct archive_entry *e;
	int r, rc = 0;

	if (!(l->dir = bk_store_tmpname(l->store, "")))
		return -1;
	if (!mkdtemp(l->dir)) {
		free(l->dir);
		l->dir = NULL;
		return bk_fail_errno(errno, "load: create a temp dir in %s", l->store);
	}
	if (!(a = bk_tar_open(l->file)))
		return -1;
	if (asprintf(&blobs, "%s/blobs/sha256", l->dir) < 0 || bk_mkdir_p(blobs, 0755) < 0) {
		archive_read_free(a);
		return blobs ? -1 : bk_fail("out of memory");
	}
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		_cleanup_free_ char *path = NULL;
		_cleanup_close_ int fd = -1;
		const char *n = bk_tar_entry_name(e);
		if (archive_entry_filetype(e) != AE_IFREG || !layout_member(n))
			continue;   /* directories, and what a layout does not hold */
		if (asprintf(&path, "%s/%s", l->dir, n) < 0)
			rc = bk_fail("out of memory");
		else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
			rc = bk_fail_errno(errno, "load: %s", n);
		else if (archive_read_data_into_fd(a, fd) != ARCHIVE_OK)
			rc = bk_fail("load %s: %s: %s", l->what, n, archive_error_string(a));
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = bk_fail("load %s: %s", l->what, archive_error_string(a));
	archive_read_free(a);
	return rc;
}

static int add_id(struct load *l, char *id)
{
	char **v = realloc(l->ids, (l->n + 2) * sizeof(*v));

	if (!v) {
		free(id);
		return bk_fail("out of memory");
	}
	l->ids = v;
	v[l->n++] = id;
	v[l->n] = NULL;
	return 0;
}

/* Pull source (the image at position i) under name, if it is one. */
static int pull_one(struct load *l, const char *source, const char *name)
{
	_cleanup_free_ char *norm = name ? bk_name_normalise(name) : NULL, *origin = NULL;
	struct bk_pull_opts o = *l->o;
	char *id = NULL;

	if (asprintf(&origin, "load:%s", l->what) < 0)
		return bk_fail("out of memory");
	if (name && !norm)
		BK_TRACE("load: not naming an image '%s': %s", name, bk_error());
	o.tag = norm ? norm : l->o->tag;
	o.origin = origin;
	if (bk_pull(source, &o, &id) < 0)
		return -1;
	return add_id(l, id);
}

/* TEXT as JSON; what a hostile archive carries is refused with its place. */
static json_t *parse_json(const char *what, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root)
		bk_fail("%s: %s", what, jerr.text);
	return root;
}

static int load_layout(struct load *l)
{
	_cleanup_free_ char *text = NULL;
	json_t *root, *list, *d;
	size_t i, len;
	int r = 0;

	if (unpack_layout(l) < 0 || bk_oci_index_read(l->dir, &text, &len) < 0 ||
	    !(root = parse_json("index.json", text, len)))
		return bk_fail_wrap("load %s", l->what);
	list = json_object_get(root, "manifests");
	json_array_foreach(list, i, d) {
		_cleanup_free_ char *src = NULL;
		const char *name = json_string_value(json_object_get(json_object_get(d, "annotations"),
								     BK_REF_NAME));
		if (asprintf(&src, "oci:%s:@%zu", l->dir, i) < 0 || (r = pull_one(l, src, name)) < 0)
			break;
	}
	json_decref(root);
	return r < 0 ? bk_fail_wrap("load %s", l->what) : 0;
}

/* docker's manifest.json: each image, named by its RepoTags. */
static int load_docker(struct load *l)
{
	_cleanup_free_ char *text = NULL;
	json_t *root, *img;
	size_t i, len;
	int r;

	if (bk_darchive_manifest(l->file, &text, &len) < 0 ||
	    !(root = parse_json("manifest.json", text, len)))
		return bk_fail_wrap("load %s", l->what);
	if (!json_is_array(root)) {
		json_decref(root);
		return bk_fail("load %s: manifest.json is not a docker save manifest", l->what);
	}
	r = 0;
	json_array_foreach(root, i, img) {
		_cleanup_free_ char *src = NULL;
		json_t *tags = json_object_get(img, "RepoTags"), *t;
		size_t k;
		if (asprintf(&src, "docker-archive:%s:@%zu", l->file, i) < 0 ||
		    (r = pull_one(l, src, json_string_value(json_array_get(tags, 0)))) < 0)
			break;
		json_array_foreach(tags, k, t)   /* the other names too */
			if (k > 0 && (r = bk_image_tag(l->store, l->ids[l->n - 1], json_string_value(t))) < 0)
				break;
		if (r < 0)
			break;
	}
	json_decref(root);
	return r < 0 ? bk_fail_wrap("load %s", l->what) : 0;
}

int bk_load(const char *file, const struct bk_pull_opts *o, char ***ids, size_t *n)
{
	struct load l = { .o = o, .what = file ? file : "-", .file = file };
	struct bk_store store;
	struct stat st;
	int r, kind;

	/* held across the pulls: no sweep takes the temps below meanwhile */
	if (bk_store_open(&store, o->store, true, BK_STORE_SHARED) < 0)
		return -1;
	l.store = store.path;
	if (!file || (stat(file, &st) == 0 && !S_ISREG(st.st_mode))) {
		int in = file ? open(file, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		r = in < 0 ? bk_fail_errno(errno, "load %s", file) : spool(&l, in);
		if (file && in >= 0)
			close(in);
	} else {
		r = 0;
	}
	if (r == 0 && (kind = kind_of(&l)) < 0)
		r = -1;
	if (r == 0)
		r = kind ? load_layout(&l) : load_docker(&l);
	if (l.dir)
		bk_undo_rm_rf(l.dir);
	if (l.spool)
		unlink(l.spool);
	free(l.dir);
	free(l.spool);
	bk_store_close(&store);
	if (r < 0) {
		bk_strvfreep(&l.ids);
		return -1;
	}
	*ids = l.ids;
	*n = l.n;
	return 0;
}
