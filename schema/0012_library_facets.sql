-- One compact row per indexed edition with what a search's facets and filters read: the
-- edition's language, its document's series and year, and the document's thematic
-- priorities as " CODE CODE " (sorted, space-padded, so "contains code" is one instr()).
-- src/library/index.c keeps it in step with editions, documents and document_priorities
-- in the same transaction as each change, beside the edition's full-text row: a search
-- then reads one narrow row per match instead of an edition, a document and its
-- priorities. Filled here from what is already indexed.

CREATE TABLE library_facets (
    edition_id INTEGER PRIMARY KEY,
    lang       TEXT NOT NULL,
    series     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    priorities TEXT NOT NULL
);
INSERT INTO library_facets(edition_id, lang, series, year, priorities)
SELECT e.id, e.lang, d.series, d.year,
       ' ' || COALESCE((SELECT group_concat(code, ' ') FROM
                          (SELECT priority_code AS code FROM document_priorities
                           WHERE document_id = d.id ORDER BY priority_code)), '') || ' '
FROM editions e JOIN documents d ON d.id = e.document_id;
