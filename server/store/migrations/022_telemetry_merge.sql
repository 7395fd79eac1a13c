-- Merges jsonb objects in the aggregate's order, later keys winning: the latest state of a device from the readings
-- of one ingest batch (`telemetry_merge_agg(vals ORDER BY time, seq)`), so a batch and its latest-state move are one
-- statement (one round trip) instead of a transaction of several.
CREATE AGGREGATE telemetry_merge_agg(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}');
-- `latest` rows are rewritten on every batch: room on each page keeps those updates HOT (no index churn).
ALTER TABLE latest SET (fillfactor = 50);
