-- R10, R19: election results recorded at a held plenary with an election on its agenda, once per
-- activity; each candidate's numbers are sent to members-service (event election.results, written
-- in the same transaction), where they move the application to elected or not_elected.
CREATE TABLE election_rounds (
    activity_id BIGINT PRIMARY KEY REFERENCES activities (id),
    voters_present INTEGER NOT NULL CHECK (voters_present > 0),
    -- "more than numerator/denominator of those present"; both NULL: more than half (R10).
    threshold_numerator INTEGER,
    threshold_denominator INTEGER,
    event_id TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    CHECK ((threshold_numerator IS NULL) = (threshold_denominator IS NULL)),
    CHECK (threshold_numerator IS NULL OR (threshold_numerator > 0 AND threshold_numerator < threshold_denominator))
);

CREATE TABLE election_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id BIGINT NOT NULL REFERENCES election_rounds (activity_id),
    application_id BIGINT NOT NULL,
    votes_for INTEGER NOT NULL CHECK (votes_for >= 0),
    votes_against INTEGER NOT NULL CHECK (votes_against >= 0),
    abstentions INTEGER NOT NULL CHECK (abstentions >= 0),
    UNIQUE (activity_id, application_id)
);
CREATE INDEX election_results_application ON election_results (application_id);
