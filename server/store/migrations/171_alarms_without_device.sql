-- Alarms about a project rather than one of its devices (issue 16: an overdue rectification notice anchored to no
-- device still escalates to the wall). At most one such alarm per (project, rule) is not cleared at a time.
ALTER TABLE alarms ALTER COLUMN device_id DROP NOT NULL;
CREATE UNIQUE INDEX alarms_open_project_key ON alarms (project_id, rule) WHERE device_id IS NULL AND cleared_at IS NULL;
