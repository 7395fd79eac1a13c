-- Readings, range-partitioned on time (epoch ms UTC), one partition per calendar month, created on demand by
-- telemetry_ensure_partition before a batch lands there (no default partition: rows parked in one would block the
-- creation of their month's partition later).
-- Dedupe: (device_id, time) when seq is NULL, unique on the parent; (device_id, seq) when seq is given. A unique index
-- on a partitioned table must contain the partition key, so the seq key is unique per monthly partition (a device
-- retry lands in the same month; a repeat across a month boundary is the one case it does not catch).
CREATE TABLE telemetry (
  device_id uuid NOT NULL,
  time bigint NOT NULL,
  seq bigint,
  received_at bigint NOT NULL,
  vals jsonb NOT NULL
) PARTITION BY RANGE (time);
CREATE INDEX telemetry_device_time_idx ON telemetry (device_id, time);
CREATE UNIQUE INDEX telemetry_time_key ON telemetry (device_id, time) WHERE seq IS NULL;

CREATE FUNCTION telemetry_ensure_partition(t bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m timestamptz := date_trunc('month', to_timestamp(t / 1000.0), 'UTC');
  lo bigint := (extract(epoch FROM m) * 1000)::bigint;
  hi bigint := (extract(epoch FROM (m AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC') * 1000)::bigint;
  part text := 'telemetry_' || to_char(m AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
  -- Two writers may meet a new month at once: serialise the check-and-create.
  PERFORM pg_advisory_xact_lock(7150021);
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF telemetry FOR VALUES FROM (%s) TO (%s)', part, lo, hi);
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (device_id, seq) WHERE seq IS NOT NULL', part || '_seq_key', part);
  END IF;
  RETURN part;
END $$;

-- Latest state per device: the newest reading's values merged over the older ones (monitors often send only what
-- changed), updated in the ingest transaction and only by a newer reading.
CREATE TABLE latest (
  device_id uuid PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  time bigint NOT NULL,
  seq bigint,
  received_at bigint NOT NULL,
  vals jsonb NOT NULL
);
