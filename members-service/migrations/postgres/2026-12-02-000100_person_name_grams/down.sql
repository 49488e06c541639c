DROP TABLE person_name_grams;
