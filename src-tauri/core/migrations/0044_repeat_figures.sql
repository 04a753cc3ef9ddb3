-- The reporting window counts repeated requests by the time they were merged.
CREATE INDEX ticket_merges_by_time ON ticket_merges(merged_at) WHERE split_at IS NULL;
