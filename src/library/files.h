/* files.h: the content-addressed file store. A file lives at <root>/<ab>/<cd>/<sha256>, named
 * only by the lowercase hex SHA-256 of its bytes, so equal files are stored once and no name
 * a client chose ever reaches the filesystem. Files arrive as temp files in <root>/tmp and are
 * moved in atomically (fsync, rename, fsync of the directory). Which files are still referenced
 * is the caller's business (the library module counts editions in SQL). */
#ifndef POLIS_LIBRARY_FILES_H
#define POLIS_LIBRARY_FILES_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FILES_SHA256_HEX  64   /* hex digits of a digest, without the NUL */
#define FILES_HEAD_BYTES  512  /* first bytes kept for type detection */
#define FILES_PATH_MAX    1024 /* room for any path this module builds */
#define FILES_DIR_ENV     "POLIS_FILES"
#define FILES_DIR_DEFAULT ".files" /* appended to the SQLite database path */

/* A stored or about-to-be-stored file: its digest, size and first bytes. */
struct files_blob {
    char sha256[FILES_SHA256_HEX + 1];
    uint64_t size_bytes;
    unsigned char head[FILES_HEAD_BYTES];
    size_t head_len;
};

/* Chooses the store's root, process-wide, before any other call (not thread-safe: call it
 * at start-up): dir_flag when given (--files), else $POLIS_FILES, else db_path + ".files"
 * (polis.db -> polis.db.files). A PostgreSQL URL has no such sibling, so it needs one of the
 * first two. Creates the root and <root>/tmp (mode 0700) when missing, and sweeps stale temp
 * files. P_EINVAL when no root can be chosen, P_EIO when it cannot be created. */
MUST_CHECK int files_configure(const char *dir_flag, const char *db_path, p_error *err);

/* Temp files older than this are leftovers of uploads a crash cut short. */
#define FILES_TMP_MAX_AGE_S 86400

/* Removes regular files in the temp directory last modified more than max_age_s ago;
 * returns how many. files_configure does this with FILES_TMP_MAX_AGE_S. */
int files_sweep_tmp(long max_age_s);

/* The configured root and its temp directory, or NULL before files_configure. */
const char *files_root(void);
const char *files_tmp_dir(void);

/* True when s is exactly 64 lowercase hex digits: the only strings that form paths here. */
bool files_sha256_valid(const char *s);

/* Writes <root>/<ab>/<cd>/<sha256> into out. P_EINVAL for a digest that is not valid hex,
 * P_EIO when unconfigured or out is too small. The file may or may not exist. */
MUST_CHECK int files_path(const char *sha256_hex, char *out, size_t size, p_error *err);

/* Creates an empty temp file (mode 0600) in the store's temp directory; its path goes to
 * path_out and an open read-write descriptor, which the caller closes, to *fd_out. */
MUST_CHECK int files_tmp_create(char *path_out, size_t size, int *fd_out, p_error *err);

/* Moves the finished temp file tmp_path (whose SHA-256 the caller computed) into the store:
 * fsyncs it, creates the shard directories, renames it to its final name and fsyncs the
 * directory. When the store already holds that digest the temp file is removed and
 * *existed (may be NULL) is set. A temp file on another filesystem is copied in. On any
 * failure the temp file is removed too, so the caller never cleans up after this call. */
MUST_CHECK int files_put_temp(const char *tmp_path, const char *sha256_hex, bool *existed,
                              p_error *err);

/* Copies the file at src_path into the store (for imports from the command line): hashes it
 * while copying to a temp file, refuses it with P_ETOOBIG beyond limit_bytes (0: no limit),
 * then files_put_temp. Fills *out with its digest, size and first bytes. */
MUST_CHECK int files_put_copy(const char *src_path, uint64_t limit_bytes, struct files_blob *out,
                              bool *existed, p_error *err);

/* Opens a stored file read-only. *fd_out is closed by the caller; *size_out (may be NULL) gets
 * its size. P_ENOTFOUND when the store does not hold it. */
MUST_CHECK int files_open(const char *sha256_hex, int *fd_out, uint64_t *size_out, p_error *err);

/* True when the store holds the digest. */
bool files_exists(const char *sha256_hex);

/* Removes a stored file; the caller has checked that nothing references it any more.
 * Removing a file that is not there is not an error. */
MUST_CHECK int files_remove(const char *sha256_hex, p_error *err);

#endif
