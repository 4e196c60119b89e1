/* import_documents.c (cli): `polis import documents --db FILE --meta META.json DIR` loads
 * documents and their editions' files into the library, checked whole first. */
#include "app.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/config.h"
#include "library/files.h"
#include "library/import.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: polis import documents --db FILE --meta META.json [--files DIR] DIR\n"
    "\n"
    "Adds the documents META.json describes to the library, with their editions' files\n"
    "from DIR:\n"
    "  {\"documents\": [{\"title\": ..., \"year\": ..., \"series\": ..., \"volume\": ...,\n"
    "    \"priorities\": [...], \"abstract\": ...,\n"
    "    \"editions\": {\"en\": {\"title\": ..., \"file\": \"path/in/DIR.pdf\"}, ...}}]}\n"
    "Everything is checked before anything is written: members and codes, languages, and\n"
    "that each file lies inside DIR, is no larger than the upload limit and is a PDF, DOCX,\n"
    "HTML or plain-text file by its content. A document whose title and year are already\n"
    "in the library is skipped. Texts are extracted before the command returns.\n"
    "Files go to --files DIR, $POLIS_FILES, or FILE.files.\n"
    "Environment: POLIS_DB, POLIS_FILES, POLIS_UPLOAD_LIMIT.\n"
    "Exit codes: 0 imported, 1 failed, 2 usage, 4 refused.\n";

int cmd_import_documents(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"meta", required_argument, 0, 'm'},
                                         {"files", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = NULL, *meta = NULL, *files = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'm':
            meta = optarg;
            break;
        case 'f':
            files = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    db = cli_db_path(db);
    if (!db || !meta || argc - optind != 1) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    p_error err;
    p_error_clear(&err);
    buf text = BUF_INIT;
    FILE *fp = fopen(meta, "rb");
    if (!fp) {
        fprintf(stderr, "polis: cannot open %s\n", meta);
        return EXIT_FAIL;
    }
    char chunk[65536];
    size_t n;
    int rc = P_OK;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (text.len + n > ((size_t)16 << 20)) {
            rc = p_fail(&err, P_ETOOBIG, "meta", "%s is larger than 16 MB", meta);
            break;
        }
        buf_append(&text, chunk, n);
    }
    fclose(fp);
    store *s = NULL;
    if (rc == P_OK) rc = app_open_db(db, &s, &err);
    if (rc == P_OK) rc = files_configure(files, store_is_url(db) ? NULL : db, &err);
    struct library_import_result r;
    struct actor by = {"cli", ""};
    if (rc == P_OK)
        rc = library_import(s, buf_str(&text), text.len, argv[optind],
                            config_get()->upload_limit_bytes, &by, &r, &err);
    buf_free(&text);
    if (s) store_close(s);
    if (rc != P_OK) return cli_report(&err);
    printf("polis: imported %d documents (%d already there), %d editions, %d files; %d texts "
           "extracted, %d editions without text in the library\n",
           r.documents, r.skipped, r.editions, r.files, r.extracted, r.unavailable);
    return EXIT_OK;
}
