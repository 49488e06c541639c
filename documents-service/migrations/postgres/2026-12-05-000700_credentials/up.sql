-- A certificate's verifiable credential (VC-JOSE JWT, issue 12), signed before its PDF is rendered;
-- NULL for notices and for certificates issued before credentials existed.
ALTER TABLE documents ADD COLUMN credential TEXT;
