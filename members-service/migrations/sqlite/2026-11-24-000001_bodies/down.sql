DROP TABLE bodies;
