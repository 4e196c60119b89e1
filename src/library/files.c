/* files.c: the content-addressed file store (see files.h): paths built from digests only,
 * atomic moves into place with the fsyncs that make them survive a crash, deduplication by
 * digest. */
#include "library/files.h"
#include "core/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[FILES_PATH_MAX - 200];
static char tmp_dir[FILES_PATH_MAX - 180];

const char *files_root(void)
{
    return root[0] ? root : NULL;
}

const char *files_tmp_dir(void)
{
    return tmp_dir[0] ? tmp_dir : NULL;
}

bool files_sha256_valid(const char *s)
{
    if (!s) return false;
    size_t n = 0;
    for (; s[n]; n++) {
        if (n >= FILES_SHA256_HEX) return false;
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return false;
    }
    return n == FILES_SHA256_HEX;
}

static int mkdir_if_missing(const char *path, p_error *err)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return P_OK;
        return p_fail(err, P_EIO, "files", "%s exists and is not a directory", path);
    }
    return p_fail(err, P_EIO, "files", "cannot create %s: %s", path, strerror(errno));
}

/* fsync of a directory, so a rename or creation inside it is durable. */
static int sync_dir(const char *path, p_error *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return p_fail(err, P_EIO, "files", "cannot open %s: %s", path, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0) return p_fail(err, P_EIO, "files", "cannot sync %s: %s", path, strerror(e));
    return P_OK;
}

int files_configure(const char *dir_flag, const char *db_path, p_error *err)
{
    const char *env = getenv(FILES_DIR_ENV);
    char chosen[sizeof root];
    int n;
    if (dir_flag && *dir_flag) {
        n = snprintf(chosen, sizeof chosen, "%s", dir_flag);
    } else if (env && *env) {
        n = snprintf(chosen, sizeof chosen, "%s", env);
    } else if (db_path && *db_path && !strstr(db_path, "://")) {
        n = snprintf(chosen, sizeof chosen, "%s%s", db_path, FILES_DIR_DEFAULT);
    } else {
        return p_fail(err, P_EINVAL, "files",
                      "no directory for uploaded files: give --files DIR or set %s", FILES_DIR_ENV);
    }
    if (n < 0 || (size_t)n >= sizeof chosen)
        return p_fail(err, P_EINVAL, "files", "the files directory path is too long");
    while (n > 1 && chosen[n - 1] == '/')
        chosen[--n] = '\0';
    int rc = mkdir_if_missing(chosen, err);
    if (rc != P_OK) return rc;
    char tmp[sizeof tmp_dir];
    snprintf(tmp, sizeof tmp, "%s/tmp", chosen);
    rc = mkdir_if_missing(tmp, err);
    if (rc != P_OK) return rc;
    memcpy(root, chosen, sizeof root);
    memcpy(tmp_dir, tmp, sizeof tmp_dir);
    files_sweep_tmp(FILES_TMP_MAX_AGE_S);
    return P_OK;
}

int files_sweep_tmp(long max_age_s)
{
    if (!tmp_dir[0]) return 0;
    int dfd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return 0;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 0;
    }
    time_t now = time(NULL);
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISREG(st.st_mode) && now - st.st_mtime > max_age_s &&
            unlinkat(dfd, e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

int files_path(const char *sha256_hex, char *out, size_t size, p_error *err)
{
    if (!files_sha256_valid(sha256_hex))
        return p_fail(err, P_EINVAL, "sha256", "not a SHA-256 digest in lowercase hex");
    if (!root[0]) return p_fail(err, P_EIO, "files", "the file store is not configured");
    int n = snprintf(out, size, "%s/%.2s/%.2s/%s", root, sha256_hex, sha256_hex + 2, sha256_hex);
    if (n < 0 || (size_t)n >= size) return p_fail(err, P_EIO, "files", "path buffer too small");
    return P_OK;
}

int files_tmp_create(char *path_out, size_t size, int *fd_out, p_error *err)
{
    if (!tmp_dir[0]) return p_fail(err, P_EIO, "files", "the file store is not configured");
    int n = snprintf(path_out, size, "%s/up-XXXXXX", tmp_dir);
    if (n < 0 || (size_t)n >= size) return p_fail(err, P_EIO, "files", "path buffer too small");
    int fd = mkostemp(path_out, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        path_out[0] = '\0';
        return p_fail(err, P_EIO, "files", "cannot create a temp file: %s", strerror(e));
    }
    *fd_out = fd;
    return P_OK;
}

/* Copies src into a fresh temp file inside the store's temp directory, for a temp file
 * that lives on another filesystem (rename cannot cross). */
static int copy_into_tmp(const char *src, char *tmp_out, size_t size, p_error *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return p_fail(err, P_EIO, "files", "cannot open %s: %s", src, strerror(errno));
    int out = -1;
    int rc = files_tmp_create(tmp_out, size, &out, err);
    if (rc != P_OK) {
        close(in);
        return rc;
    }
    char chunk[65536];
    for (;;) {
        ssize_t got = read(in, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = p_fail(err, P_EIO, "files", "cannot read %s: %s", src, strerror(errno));
            break;
        }
        if (got == 0) break;
        for (ssize_t off = 0; off < got;) {
            ssize_t w = write(out, chunk + off, (size_t)(got - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                rc = p_fail(err, P_EIO, "files", "cannot write a temp file: %s", strerror(errno));
                break;
            }
            off += w;
        }
        if (rc != P_OK) break;
    }
    close(in);
    if (rc == P_OK && fsync(out) != 0)
        rc = p_fail(err, P_EIO, "files", "cannot sync a temp file: %s", strerror(errno));
    close(out);
    if (rc != P_OK) unlink(tmp_out);
    return rc;
}

int files_put_temp(const char *tmp_path, const char *sha256_hex, bool *existed, p_error *err)
{
    if (existed) *existed = false;
    char final[FILES_PATH_MAX];
    int rc = files_path(sha256_hex, final, sizeof final, err);
    if (rc != P_OK) goto fail;
    if (access(final, F_OK) == 0) {
        if (existed) *existed = true;
        unlink(tmp_path);
        return P_OK;
    }
    int fd = open(tmp_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = p_fail(err, P_EIO, "files", "cannot open the temp file: %s", strerror(errno));
        goto fail;
    }
    int s = fsync(fd);
    int e = errno;
    close(fd);
    if (s != 0) {
        rc = p_fail(err, P_EIO, "files", "cannot sync the temp file: %s", strerror(e));
        goto fail;
    }
    /* The shard directories: <root>/ab, <root>/ab/cd; each creation made durable in its
     * parent before anything is renamed under it. */
    char shard1[sizeof root + 4], shard2[sizeof root + 8];
    snprintf(shard1, sizeof shard1, "%s/%.2s", root, sha256_hex);
    snprintf(shard2, sizeof shard2, "%s/%.2s", shard1, sha256_hex + 2);
    bool made1 = access(shard1, F_OK) != 0, made2 = access(shard2, F_OK) != 0;
    if ((rc = mkdir_if_missing(shard1, err)) != P_OK) goto fail;
    if ((rc = mkdir_if_missing(shard2, err)) != P_OK) goto fail;
    if (made1 && (rc = sync_dir(root, err)) != P_OK) goto fail;
    if (made2 && (rc = sync_dir(shard1, err)) != P_OK) goto fail;

    char copied[FILES_PATH_MAX] = "";
    const char *from = tmp_path;
    if (rename(from, final) != 0) {
        if (errno != EXDEV) {
            rc = p_fail(err, P_EIO, "files", "cannot move the file into the store: %s",
                        strerror(errno));
            goto fail;
        }
        rc = copy_into_tmp(tmp_path, copied, sizeof copied, err);
        if (rc != P_OK) goto fail;
        unlink(tmp_path);
        from = copied;
        if (rename(from, final) != 0) {
            rc = p_fail(err, P_EIO, "files", "cannot move the file into the store: %s",
                        strerror(errno));
            unlink(copied);
            return rc;
        }
    }
    /* rename(2) replaces atomically, so two uploads of the same bytes racing here both
     * succeed and leave one complete file. */
    return sync_dir(shard2, err);
fail:
    unlink(tmp_path);
    return rc;
}

int files_put_copy(const char *src_path, uint64_t limit_bytes, struct files_blob *out,
                   bool *existed, p_error *err)
{
    memset(out, 0, sizeof *out);
    if (existed) *existed = false;
    int in = open(src_path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return p_fail(err, P_EIO, "file", "cannot open %s: %s", src_path, strerror(errno));
    char tmp[FILES_PATH_MAX];
    int fd = -1;
    int rc = files_tmp_create(tmp, sizeof tmp, &fd, err);
    if (rc != P_OK) {
        close(in);
        return rc;
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char chunk[65536];
    for (;;) {
        ssize_t got = read(in, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            rc = p_fail(err, P_EIO, "file", "cannot read %s: %s", src_path, strerror(errno));
            break;
        }
        if (got == 0) break;
        if (limit_bytes && out->size_bytes + (uint64_t)got > limit_bytes) {
            rc = p_fail(err, P_ETOOBIG, "file", "%s is larger than %llu bytes", src_path,
                        (unsigned long long)limit_bytes);
            break;
        }
        if (out->head_len < FILES_HEAD_BYTES) {
            size_t take = FILES_HEAD_BYTES - out->head_len;
            if (take > (size_t)got) take = (size_t)got;
            memcpy(out->head + out->head_len, chunk, take);
            out->head_len += take;
        }
        crypto_hash_sha256_update(&st, chunk, (unsigned long long)got);
        out->size_bytes += (uint64_t)got;
        for (ssize_t off = 0; off < got;) {
            ssize_t w = write(fd, chunk + off, (size_t)(got - off));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
                rc = p_fail(err, P_EIO, "file", "cannot write a temp file: %s", strerror(errno));
                break;
            }
            off += w;
        }
        if (rc != P_OK) break;
    }
    close(in);
    close(fd);
    if (rc != P_OK) {
        unlink(tmp);
        return rc;
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    text_hex(digest, sizeof digest, out->sha256);
    return files_put_temp(tmp, out->sha256, existed, err);
}

int files_open(const char *sha256_hex, int *fd_out, uint64_t *size_out, p_error *err)
{
    char path[FILES_PATH_MAX];
    int rc = files_path(sha256_hex, path, sizeof path, err);
    if (rc != P_OK) return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return p_fail(err, P_ENOTFOUND, "file", "the file is not stored");
        return p_fail(err, P_EIO, "file", "cannot open a stored file: %s", strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return p_fail(err, P_EIO, "file", "a stored file is not a regular file");
    }
    if (size_out) *size_out = (uint64_t)st.st_size;
    *fd_out = fd;
    return P_OK;
}

bool files_exists(const char *sha256_hex)
{
    char path[FILES_PATH_MAX];
    p_error err;
    if (files_path(sha256_hex, path, sizeof path, &err) != P_OK) return false;
    return access(path, F_OK) == 0;
}

int files_remove(const char *sha256_hex, p_error *err)
{
    char path[FILES_PATH_MAX];
    int rc = files_path(sha256_hex, path, sizeof path, err);
    if (rc != P_OK) return rc;
    if (unlink(path) != 0 && errno != ENOENT)
        return p_fail(err, P_EIO, "file", "cannot remove a stored file: %s", strerror(errno));
    return P_OK;
}
