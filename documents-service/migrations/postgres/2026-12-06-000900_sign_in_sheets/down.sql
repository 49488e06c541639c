ALTER TABLE documents DROP CONSTRAINT documents_kind_check;
ALTER TABLE documents ADD CONSTRAINT documents_kind_check CHECK (kind IN ('appointment_certificate',
    'dismissal_notice', 'lapse_notice', 'resignation_acceptance', 'commendation_certificate', 'meeting_notice',
    'roster'));
