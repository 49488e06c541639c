DROP TABLE batch_items;
DROP TABLE batches;
DROP TABLE serial_counters;
