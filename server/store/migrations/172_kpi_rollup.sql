-- City KPI rollups (issue 18: city KPIs < 100 ms at 1,000 projects), kept by the telemetry write itself: the same
-- statement that moves `latest` folds the batch's new readings into these tables (server/store/kpiRollup.ts), so the
-- KPIs read a few rows per device or project instead of scanning the day's telemetry.

-- Where the rollups are complete: readings at or after `since` (a local day start at `utc_offset_min`) are all in
-- them. Rows before were written by code without rollups and are not backfilled (the KPIs scan raw telemetry there).
CREATE TABLE kpi_rollup_meta (
  since bigint NOT NULL,
  utc_offset_min integer NOT NULL
);
INSERT INTO kpi_rollup_meta (since, utc_offset_min)
SELECT CASE WHEN EXISTS (SELECT 1 FROM telemetry)
            THEN ((extract(epoch FROM now()) * 1000)::bigint + 28800000 - 2 * 86400000) / 86400000 * 86400000 - 28800000
            ELSE 0 END,
       480;

-- Per device and UTC hour (`time / 3600000`): the maxima of the dust and noise fields of its readings. Maxima only
-- grow, so a repeat or a late reading folds in the same way whenever it comes; limits are applied when read (a
-- changed limit applies to the whole day at once, as with the raw scan). Only readings carrying one of the fields.
CREATE TABLE telemetry_hourly (
  device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  hour bigint NOT NULL,
  pm10 float8,
  pm25 float8,
  tsp float8,
  noise float8,
  PRIMARY KEY (device_id, hour)
);
-- Rows are updated in place while an hour's maxima still grow: room on each page keeps those updates HOT.
ALTER TABLE telemetry_hourly SET (fillfactor = 70);

-- The last gate event of each worker per project and local day (`day_start`, epoch ms of the local midnight), with
-- the event it replaced (prev_*), read back by the same statement to move the running counts below.
CREATE TABLE gate_worker_day (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  day_start bigint NOT NULL,
  worker_id text NOT NULL,
  time bigint NOT NULL,
  seq bigint,
  event text,
  trade text,
  prev_event text,
  prev_trade text,
  PRIMARY KEY (project_id, day_start, worker_id)
);
ALTER TABLE gate_worker_day SET (fillfactor = 70);

-- Running count of workers on site per project, local day and trade ('(unknown)' when the event names none), and
-- the newest gate event time behind it.
CREATE TABLE gate_on_site (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  day_start bigint NOT NULL,
  trade text NOT NULL,
  n integer NOT NULL,
  newest bigint,
  PRIMARY KEY (project_id, day_start, trade)
);
CREATE INDEX gate_on_site_day_idx ON gate_on_site (day_start);

-- Backfill from `since` (nothing on a new store).
INSERT INTO telemetry_hourly (device_id, hour, pm10, pm25, tsp, noise)
SELECT t.device_id, t.time / 3600000,
       max(CASE WHEN jsonb_typeof(t.vals -> 'pm10Ugm3') = 'number' THEN (t.vals ->> 'pm10Ugm3')::float8 END),
       max(CASE WHEN jsonb_typeof(t.vals -> 'pm25Ugm3') = 'number' THEN (t.vals ->> 'pm25Ugm3')::float8 END),
       max(CASE WHEN jsonb_typeof(t.vals -> 'tspUgm3') = 'number' THEN (t.vals ->> 'tspUgm3')::float8 END),
       max(CASE WHEN jsonb_typeof(t.vals -> 'noiseDb') = 'number' THEN (t.vals ->> 'noiseDb')::float8 END)
  FROM telemetry t JOIN devices d ON d.id = t.device_id
 WHERE t.time >= (SELECT since FROM kpi_rollup_meta) AND t.vals ?| ARRAY['pm10Ugm3', 'pm25Ugm3', 'tspUgm3', 'noiseDb']
 GROUP BY 1, 2;

INSERT INTO gate_worker_day (project_id, day_start, worker_id, time, seq, event, trade)
SELECT DISTINCT ON (d.project_id, x.day, t.vals ->> 'workerId') d.project_id, x.day, t.vals ->> 'workerId', t.time, t.seq,
       t.vals ->> 'event', t.vals ->> 'trade'
  FROM telemetry t JOIN devices d ON d.id = t.device_id
 CROSS JOIN LATERAL (SELECT (t.time + 28800000) / 86400000 * 86400000 - 28800000 AS day) x
 WHERE d.kind = 'gate' AND jsonb_typeof(t.vals -> 'workerId') = 'string' AND t.time >= (SELECT since FROM kpi_rollup_meta)
 ORDER BY d.project_id, x.day, t.vals ->> 'workerId', t.time DESC, coalesce(t.seq, -1) DESC;

INSERT INTO gate_on_site (project_id, day_start, trade, n, newest)
SELECT project_id, day_start, coalesce(trade, '(unknown)'), count(*) FILTER (WHERE event = 'enter'), max(time)
  FROM gate_worker_day GROUP BY 1, 2, 3;
