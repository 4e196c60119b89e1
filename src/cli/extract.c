/* extract.c (cli): `polis extract --type pdf|docx|html|text FILE`, not listed in the help. The
 * server runs it as a child under resource limits to read uploaded documents (see
 * library/extract.h); by hand it shows what text search would index. */
#include "cli/cli.h"
#include "library/extract.h"

int cmd_extract(int argc, char **argv)
{
    return extract_main(argc, argv);
}
