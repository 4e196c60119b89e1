/* raw.c (community benchmark): the ceilings bench/community.sh sets the API's figures
 * against, on plain SQLite with the settings of polis's store (WAL, synchronous=FULL):
 * durable inserts of a concern's three rows (concern, 'received' event, audit entry) one
 * concern a transaction, or several a transaction (what group commit would give), and the
 * citizen's view by tracking code read with the same two queries as concerns.c. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { MAX_CODES = 4096, CODE_LEN = 10 };

static const char pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                              "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                              "PRAGMA mmap_size=2147418112; PRAGMA cache_size=-32768;";

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
           (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "raw: %s: %s\n", what, db ? sqlite3_errmsg(db) : "cannot open");
    return 1;
}

static int open_db(const char *path, sqlite3 **db)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) return fail(*db, path);
    sqlite3_busy_timeout(*db, 5000);
    if (sqlite3_exec(*db, pragmas, NULL, NULL, NULL) != SQLITE_OK) return fail(*db, "pragmas");
    return 0;
}

static int run(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(db, what);
}

/* A text of n characters made of hex digits of x: hashes and the audit's JSON stand-in. */
static void filler(char *out, size_t n, uint64_t x)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        out[i] = hex[(x >> 60) & 15];
    }
    out[n] = '\0';
}

/* insert DB SECONDS PER_TX TAG: concerns for SECONDS, PER_TX of them a transaction. */
static int insert(const char *path, double seconds, int per_tx, const char *tag)
{
    sqlite3 *db = NULL;
    if (open_db(path, &db)) return 1;
    static const char *const sql[] = {
        "INSERT INTO concerns(tracking_code, client_id, channel, service_code, address,"
        " description, status, received_at, due_at, updated_at, created_by)"
        " VALUES (?1, ?2, 'station', 'water', 'Chui Avenue 10', ?3, 'received', ?4,"
        " '2099-01-01T00:00:00Z', ?4, (SELECT id FROM users WHERE login = 'coordinator'))",
        "INSERT INTO concern_events(concern_id, at, actor, kind, status, public, note)"
        " VALUES (?1, ?2, 'coordinator', 'received', 'received', 1, '')",
        "INSERT INTO audit(at, actor, action, entity, entity_id, before, after, client,"
        " prev_hash, hash) VALUES (?1, 'coordinator', 'create', 'concern', ?2, NULL, ?3,"
        " '127.0.0.1', ?4, ?5)",
    };
    sqlite3_stmt *st[3];
    for (int i = 0; i < 3; i++)
        if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st[i], NULL) !=
            SQLITE_OK)
            return fail(db, "prepare");
    char code[CODE_LEN + 1], client[96], at[32], after[701], prev[65], hash[65];
    const char *description = "Street lights out on the corner by the school since Monday;"
                              " children walk there after dark";
    filler(prev, 64, 0);
    time_t t = time(NULL);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    /* Codes "R" and nine digits from the table's last id on: unique, whatever ran before. */
    sqlite3_stmt *last;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE(max(id), 0) FROM concerns", -1, &last, NULL) !=
            SQLITE_OK ||
        sqlite3_step(last) != SQLITE_ROW)
        return fail(db, "last id");
    uint64_t base = (uint64_t)sqlite3_column_int64(last, 0);
    sqlite3_finalize(last);
    uint64_t n = 0;
    double t0 = now_ms(), c0 = cpu_ms(), end = t0 + seconds * 1e3;
    while (now_ms() < end) {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "begin");
        for (int k = 0; k < per_tx; k++, n++) {
            snprintf(code, sizeof code, "R%09llu", (unsigned long long)(base + n + 1));
            snprintf(client, sizeof client, "raw-%s-%d-%llu", tag, per_tx, (unsigned long long)n);
            filler(after, 700, n * 2 + 2);
            filler(hash, 64, n * 2 + 3);
            sqlite3_bind_text(st[0], 1, code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[0], 2, client, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[0], 3, description, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[0], 4, at, -1, SQLITE_STATIC);
            if (run(db, st[0], "insert concern")) return 1;
            sqlite3_bind_int64(st[1], 1, sqlite3_last_insert_rowid(db));
            sqlite3_bind_text(st[1], 2, at, -1, SQLITE_STATIC);
            if (run(db, st[1], "insert event")) return 1;
            sqlite3_bind_text(st[2], 1, at, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[2], 2, code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[2], 3, after, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[2], 4, prev, -1, SQLITE_STATIC);
            sqlite3_bind_text(st[2], 5, hash, -1, SQLITE_STATIC);
            if (run(db, st[2], "insert audit")) return 1;
            memcpy(prev, hash, sizeof prev);
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) return fail(db, "commit");
    }
    double ms = now_ms() - t0, cpu = cpu_ms() - c0;
    printf("concerns %llu ms %.0f cpu_ms %.0f rate %.0f\n", (unsigned long long)n, ms, cpu,
           (double)n * 1e3 / ms);
    for (int i = 0; i < 3; i++)
        sqlite3_finalize(st[i]);
    sqlite3_close(db);
    return 0;
}

/* codes DB N: up to N tracking codes of the API's concerns (not the raw ones), one a line. */
static int codes(const char *path, int n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st;
    if (open_db(path, &db)) return 1;
    if (sqlite3_prepare_v2(db,
                           "SELECT tracking_code FROM concerns WHERE client_id IS NULL"
                           " OR client_id NOT LIKE 'raw-%' ORDER BY random() LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, "prepare");
    sqlite3_bind_int(st, 1, n);
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("%s\n", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* select DB CODES_FILE SECONDS: the citizen's view (concerns.c's load() with its public
 * events) of each code in turn, for SECONDS on one connection. */
static int select_codes(const char *path, const char *codes_file, double seconds)
{
    static char list[MAX_CODES][CODE_LEN + 2];
    int n = 0;
    FILE *f = fopen(codes_file, "r");
    if (!f) return fail(NULL, codes_file);
    while (n < MAX_CODES && fgets(list[n], sizeof list[n], f)) {
        list[n][strcspn(list[n], "\n")] = '\0';
        if (strlen(list[n]) == CODE_LEN) n++;
    }
    fclose(f);
    if (n == 0) return fail(NULL, "no codes");
    sqlite3 *db = NULL;
    if (open_db(path, &db)) return 1;
    sqlite3_stmt *one, *events;
    if (sqlite3_prepare_v2(
            db,
            "SELECT c.id, c.tracking_code, c.channel, c.service_code, sv.name, a.code, si.code,"
            " ab.code, c.lat, c.lon, c.address, c.description, c.anonymous, c.contact_name,"
            " c.contact_phone, c.contact_email, c.status, f.code, c.agency, c.received_at,"
            " c.due_at, c.updated_at, c.resolved_at, sv.conduct"
            " FROM concerns c JOIN services sv ON sv.code = c.service_code"
            " LEFT JOIN areas a ON a.id = c.area_id LEFT JOIN sites si ON si.id = c.site_id"
            " LEFT JOIN sites ab ON ab.id = c.about_site_id LEFT JOIN forums f ON"
            " f.id = c.forum_id WHERE c.tracking_code = ?",
            -1, &one, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT at, kind, status, note, public, actor FROM concern_events"
                           " WHERE concern_id = ? AND public = 1 ORDER BY id",
                           -1, &events, NULL) != SQLITE_OK)
        return fail(db, "prepare");
    size_t cap = 1 << 20, done = 0, found = 0;
    double *lat = malloc(cap * sizeof *lat);
    if (!lat) return fail(NULL, "out of memory");
    double t0 = now_ms(), end = t0 + seconds * 1e3;
    while (done < cap) {
        double q0 = now_ms();
        if (q0 >= end) break;
        sqlite3_bind_text(one, 1, list[done % (size_t)n], -1, SQLITE_STATIC);
        if (sqlite3_step(one) == SQLITE_ROW) {
            found++;
            sqlite3_bind_int64(events, 1, sqlite3_column_int64(one, 0));
            while (sqlite3_step(events) == SQLITE_ROW)
                (void)sqlite3_column_text(events, 3);
            sqlite3_reset(events);
        }
        sqlite3_reset(one);
        lat[done++] = now_ms() - q0;
    }
    double ms = now_ms() - t0;
    qsort(lat, done, sizeof *lat, cmp_double);
    printf("lookups %zu found %zu ms %.0f rate %.0f p50_ms %.4f p99_ms %.4f\n", done, found, ms,
           (double)done * 1e3 / ms, done ? lat[done / 2] : 0.0, done ? lat[done * 99 / 100] : 0.0);
    free(lat);
    sqlite3_finalize(one);
    sqlite3_finalize(events);
    sqlite3_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "insert") == 0)
        return insert(argv[2], strtod(argv[3], NULL), atoi(argv[4]) > 0 ? atoi(argv[4]) : 1,
                      argv[5]);
    if (argc == 4 && strcmp(argv[1], "codes") == 0) return codes(argv[2], atoi(argv[3]));
    if (argc == 5 && strcmp(argv[1], "select") == 0)
        return select_codes(argv[2], argv[3], strtod(argv[4], NULL));
    fputs("usage: polis-bench-community insert DB SECONDS PER_TX TAG\n"
          "       polis-bench-community codes DB N\n"
          "       polis-bench-community select DB CODES_FILE SECONDS\n",
          stderr);
    return 2;
}
