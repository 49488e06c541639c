DROP TABLE election_results;
DROP TABLE election_rounds;
