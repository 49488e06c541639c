-- Public "check this file" (issue 12) finds a document by the SHA-256 of its PDF.
CREATE INDEX documents_content_hash ON documents (content_hash);
