-- Issued documents (certificates and notices); the PDF bytes arrive with the documents issue.
CREATE TABLE documents (
    id BIGSERIAL PRIMARY KEY,
    serial TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('appointment_certificate', 'dismissal_notice', 'lapse_notice',
        'resignation_acceptance', 'commendation_certificate', 'meeting_notice', 'roster')),
    status TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked', 'superseded')),
    person_name TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL
);
