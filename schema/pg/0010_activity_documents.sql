-- Links from activities to the library's documents (the guidebooks an activity used or
-- produced). A document's deletion removes its links.
CREATE TABLE activity_documents (
    activity_id BIGINT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    document_id BIGINT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, document_id)
);
CREATE INDEX activity_documents_document ON activity_documents(document_id, activity_id);
