-- Readings are kept field by field: a refused field is kept here with its raw value and reason (issue 15), and the
-- device's units / scale settings (applied at ingest) live on the device.
ALTER TABLE devices ADD COLUMN units jsonb;
ALTER TABLE devices ADD COLUMN scale jsonb;

-- One row per refused field of a reading. A device resend (same device, time, seq) finds its rows already here:
-- the unique key makes recording idempotent, as the telemetry's own keys make the reading's.
CREATE TABLE telemetry_rejections (
  device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  time bigint NOT NULL,
  seq bigint,
  field text NOT NULL,
  raw jsonb,
  code text NOT NULL,
  reason text NOT NULL,
  transport text NOT NULL,
  received_at bigint NOT NULL
);
CREATE UNIQUE INDEX telemetry_rejections_key ON telemetry_rejections (device_id, time, coalesce(seq, -1), field);
CREATE INDEX telemetry_rejections_recent_idx ON telemetry_rejections (device_id, received_at DESC);

-- Per device: the last reading that had a refused field, as received (HJ 212 frame or JSON), and when a reading was
-- last refused whole (nothing of it stored): newer than the device's latest state = the device sends only refused data.
CREATE TABLE device_quality (
  device_id uuid PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  last_refused_at bigint NOT NULL,
  last_refused_transport text NOT NULL,
  last_refused_raw text NOT NULL,
  last_whole_refusal_at bigint
);
