/* extract.c: the sandbox around text extraction (see extract.h). The parent forks and at once
 * execs this same binary (/proc/self/exe) as `polis extract`, so no library state of the
 * threaded server is ever used in the child; between fork and exec the child only sets its
 * limits and descriptors, with async-signal-safe calls. The parent reads the child's output
 * under a wall-clock deadline and a byte budget, and kills it when either runs out. */
#include "library/extract.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define EXTRACT_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXTRACT_UNDER_ASAN 1
#endif
#endif
#ifndef EXTRACT_UNDER_ASAN
#define EXTRACT_UNDER_ASAN 0
#endif

/* The tail of the child's standard error kept for the error message: libraries (poppler)
 * write their own warnings there before the child's one-line "polis: reason" at the end. */
#define STDERR_KEEP_BYTES 1024

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs in the forked child before exec: only async-signal-safe calls. Never returns. */
static void child_exec(int devnull, int out_w, int err_w, const struct extract_limits *lim,
                       char *const argv[], char *const envp[])
{
    if (dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0) _exit(127);
    /* Every other descriptor the server holds (sockets, the database) is closed. */
    if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0) {
        for (int fd = 3; fd < 4096; fd++)
            close(fd);
    }
    struct rlimit r;
    r.rlim_cur = lim->cpu_seconds;
    r.rlim_max = lim->cpu_seconds + 1; /* SIGXCPU at the soft limit, SIGKILL at the hard */
    if (setrlimit(RLIMIT_CPU, &r) != 0) _exit(127);
    r.rlim_cur = r.rlim_max = EXTRACT_FILE_SIZE;
    if (setrlimit(RLIMIT_FSIZE, &r) != 0) _exit(127);
    r.rlim_cur = r.rlim_max = 0;
    if (setrlimit(RLIMIT_CORE, &r) != 0) _exit(127);
    r.rlim_cur = r.rlim_max = 64;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0) _exit(127);
    if (!EXTRACT_UNDER_ASAN) {
        /* AddressSanitizer reserves terabytes of virtual memory for its shadow, so the
         * address-space cap only applies to builds without it. */
        r.rlim_cur = r.rlim_max = EXTRACT_ADDRESS_SPACE;
        if (setrlimit(RLIMIT_AS, &r) != 0) _exit(127);
    }
    /* The server blocks its stop signals and ignores SIGPIPE; the child starts clean. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, NULL);
    execve("/proc/self/exe", argv, envp);
    _exit(127);
}

/* Reads what is ready on fd into b, keeping at most cap bytes: the first ones (*over set
 * when more came), or with keep_tail the last ones. Returns false at end of file. */
static bool drain(int fd, buf *b, size_t cap, bool keep_tail, bool *over)
{
    char chunk[65536];
    ssize_t got = read(fd, chunk, sizeof chunk);
    if (got < 0) return errno == EINTR || errno == EAGAIN;
    if (got == 0) return false;
    size_t n = (size_t)got;
    if (keep_tail) {
        const char *from = chunk;
        if (n > cap) {
            from += n - cap;
            n = cap;
        }
        if (b->len + n > cap) { /* drop the oldest bytes */
            size_t drop = b->len + n - cap;
            memmove(b->data, b->data + drop, b->len - drop);
            b->len -= drop;
        }
        buf_append(b, from, n);
        return true;
    }
    size_t room = b->len < cap ? cap - b->len : 0;
    size_t keep = n < room ? n : room;
    buf_append(b, chunk, keep);
    if (keep < n && over) *over = true;
    return true;
}

/* Cuts b to at most max bytes without splitting a UTF-8 sequence. */
static void cut_utf8(buf *b, size_t max)
{
    if (b->len <= max) return;
    size_t n = max;
    while (n > 0 && ((unsigned char)b->data[n] & 0xC0) == 0x80)
        n--;
    b->len = n;
    b->data[n] = '\0';
}

/* Drops a UTF-8 sequence that a cut left incomplete at the end of s. */
static void cut_utf8_str(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need) s[i - 1] = '\0';
}

/* The child's own reason (its last "polis: " line, without the prefix), else its last
 * line of complaint, cleaned to UTF-8 and cut short. Written into out. */
static void complaint(buf *errs, char *out, size_t size)
{
    buf_putc(errs, '\0'); /* a terminator for the searches below */
    char *s = errs->data, *mine = NULL, *last = NULL;
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (*line) last = line;
        if (strncmp(line, "polis: ", 7) == 0) mine = line + 7;
        line = nl ? nl + 1 : NULL;
    }
    const char *pick = mine ? mine : last ? last : "no reason given";
    buf clean = BUF_INIT;
    extract_utf8_clean(pick, strlen(pick), &clean);
    snprintf(out, size, "%s", clean.data ? clean.data : "");
    cut_utf8_str(out);
    buf_free(&clean);
}

int extract_text_limited(const char *path, enum file_type type, const struct extract_limits *limits,
                         char **text_out, size_t *len_out, p_error *err)
{
    *text_out = NULL;
    *len_out = 0;
    struct extract_limits lim = {EXTRACT_CPU_SECONDS, EXTRACT_WALL_MS, EXTRACT_MAX_TEXT_BYTES};
    if (limits) lim = *limits;
    const char *tname = file_type_name(type);
    if (!*tname) return p_fail(err, P_EINVAL, "type", "no extractor for this file type");

    /* Everything the child needs is prepared before fork: it must not allocate. */
    char *argv[] = {"polis", "extract", "--type", (char *)tname, "--", (char *)path, NULL};
    char asan[512];
    const char *parent_asan = getenv("ASAN_OPTIONS");
    /* Libraries keep caches they never free; a leak report must not fail the extraction. */
    snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%sdetect_leaks=0", parent_asan ? parent_asan : "",
             parent_asan && *parent_asan ? ":" : "");
    char *envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", asan, NULL};

    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        int e = errno;
        if (devnull >= 0) close(devnull);
        for (int i = 0; i < 2; i++) {
            if (out_pipe[i] >= 0) close(out_pipe[i]);
            if (err_pipe[i] >= 0) close(err_pipe[i]);
        }
        return p_fail(err, P_EIO, "file", "cannot start text extraction: %s", strerror(e));
    }
    pid_t pid = fork();
    if (pid == 0) child_exec(devnull, out_pipe[1], err_pipe[1], &lim, argv, envp);
    int fork_errno = errno;
    close(devnull);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return p_fail(err, P_EIO, "file", "cannot start text extraction: %s", strerror(fork_errno));
    }

    buf text = BUF_INIT, errs = BUF_INIT;
    bool cut = false, timed_out = false;
    int64_t deadline = monotonic_ms() + lim.wall_ms;
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        int64_t left = deadline - monotonic_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        int ready = poll(fds, 2, (int)(left > 1000 ? 1000 : left));
        if (ready < 0 && errno != EINTR) break;
        for (int i = 0; ready > 0 && i < 2; i++) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            bool more = i == 0 ? drain(fds[i].fd, &text, lim.max_text_bytes + 4, false, &cut)
                               : drain(fds[i].fd, &errs, STDERR_KEEP_BYTES, true, NULL);
            if (!more) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
        if (cut) break; /* enough text: the rest is not wanted */
    }
    if (open_fds > 0) kill(pid, SIGKILL);
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0) close(fds[i].fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }

    int rc = P_OK;
    if (timed_out) {
        rc = p_fail(err, P_EUNPROC, "file", "text extraction took longer than %u s",
                    lim.wall_ms / 1000);
    } else if (cut || text.len > lim.max_text_bytes) {
        cut = true; /* a cut text is still the file's text */
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL)
            rc = p_fail(err, P_EUNPROC, "file", "text extraction used more than %u s of CPU",
                        lim.cpu_seconds);
        else
            rc = p_fail(err, P_EUNPROC, "file", "the text extractor failed on this file (%s)",
                        strsignal(sig));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char why[160];
        complaint(&errs, why, sizeof why);
        rc = p_fail(err, P_EUNPROC, "file", "no text could be extracted: %s", why);
    }
    if (rc == P_OK) {
        buf clean = BUF_INIT;
        extract_utf8_clean(text.data ? text.data : "", text.len, &clean);
        cut_utf8(&clean, lim.max_text_bytes);
        *text_out = buf_steal(&clean, len_out);
    }
    buf_free(&text);
    buf_free(&errs);
    return rc;
}

int extract_text(const char *path, enum file_type type, char **text_out, size_t *len_out,
                 p_error *err)
{
    return extract_text_limited(path, type, NULL, text_out, len_out, err);
}

static const char usage[] = "usage: polis extract --type pdf|docx|html|text FILE\n"
                            "\n"
                            "Writes the text of FILE to standard output. Used by the server,\n"
                            "which runs it under resource limits; exit 4 when the file cannot be\n"
                            "read as its type.\n";

int extract_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"type", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    enum file_type type = FILE_TYPE_NONE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 't') {
            type = file_type_parse(optarg);
        } else if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (type == FILE_TYPE_NONE || optind != argc - 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = argv[optind];
    p_error err;
    p_error_clear(&err);
    buf out = BUF_INIT;
    int rc;
    switch (type) {
    case FILE_TYPE_PDF:
        rc = extract_pdf_file(path, EXTRACT_MAX_TEXT_BYTES, &out, &err);
        break;
    case FILE_TYPE_DOCX:
        rc = extract_docx_file(path, EXTRACT_MAX_TEXT_BYTES, &out, &err);
        break;
    case FILE_TYPE_HTML:
        rc = extract_html_file(path, EXTRACT_MAX_TEXT_BYTES, &out, &err);
        break;
    default:
        rc = extract_text_file(path, EXTRACT_MAX_TEXT_BYTES, &out, &err);
        break;
    }
    if (rc != P_OK) {
        fprintf(stderr, "polis: %s\n", err.message);
        buf_free(&out);
        return rc == P_EIO ? 1 : 4;
    }
    size_t len = out.len;
    bool ok = len == 0 || fwrite(out.data, 1, len, stdout) == len;
    ok = fflush(stdout) == 0 && ok;
    buf_free(&out);
    return ok ? 0 : 1;
}
