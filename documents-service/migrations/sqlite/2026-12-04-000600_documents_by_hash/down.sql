DROP INDEX documents_content_hash;
