-- Alarms (issue 6). One row per alarm episode of a (device, rule): raised, maybe escalated and acknowledged, cleared.
-- `level` holds the worst level reached while open. Collision risks between two cranes are stored on the crane with
-- the smaller id, with the other crane in the rule name (`crane.collision:<id>`).
CREATE TABLE alarms (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  rule text NOT NULL,
  quantity text NOT NULL,
  level text NOT NULL CHECK (level IN ('prewarning', 'alarm')),
  value float8 NOT NULL,
  threshold float8 NOT NULL,
  message text NOT NULL,
  details jsonb,
  state text NOT NULL CHECK (state IN ('open', 'acknowledged', 'cleared')),
  raised_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  acknowledged_at bigint,
  acknowledged_by text,
  ack_comment text,
  cleared_at bigint,
  CONSTRAINT alarms_cleared_state CHECK ((cleared_at IS NULL) = (state <> 'cleared'))
);
-- At most one not-cleared alarm per condition: two app nodes evaluating the same reading raise it once.
CREATE UNIQUE INDEX alarms_open_key ON alarms (device_id, rule) WHERE cleared_at IS NULL;
CREATE INDEX alarms_project_raised_idx ON alarms (project_id, raised_at DESC);
CREATE INDEX alarms_raised_idx ON alarms (raised_at DESC);

-- Per-project overrides of the alarm lines (the defaults come from the project's jurisdiction, in code).
CREATE TABLE alarm_thresholds (
  project_id uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  overrides jsonb NOT NULL,
  updated_at bigint NOT NULL
);
