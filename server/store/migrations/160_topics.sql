-- Topics (issue 16): issues on the twin, BCF topics, optionally carrying a rectification notice. body = the fields of
-- models/Topic.ts not kept in columns (title, description, priority, labels, dueDate, assignee, anchors, viewpoints,
-- notice, authors). The notice's number, state and deadline are columns too: unique, and the overdue scan uses them.
CREATE TABLE topics (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  topic_type text NOT NULL,
  topic_status text NOT NULL,
  notice_number text,
  notice_state text,
  notice_deadline bigint,
  body jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX topics_project_idx ON topics (project_id, created_at);
CREATE UNIQUE INDEX topics_notice_number_key ON topics (notice_number) WHERE notice_number IS NOT NULL;
CREATE INDEX topics_notice_waiting_idx ON topics (notice_deadline) WHERE notice_state IN ('issued', 'sent_back');

CREATE TABLE topic_comments (
  id uuid PRIMARY KEY,
  topic_id uuid NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  at bigint NOT NULL,
  author text NOT NULL,
  body text NOT NULL,
  viewpoint_guid uuid,
  modified_at bigint
);
CREATE INDEX topic_comments_topic_idx ON topic_comments (topic_id, at);

-- Photos and BCF snapshots (PNG / JPEG, size-limited by the route), with what their EXIF said.
CREATE TABLE topic_attachments (
  id uuid PRIMARY KEY,
  topic_id uuid NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  file_name text NOT NULL,
  mime text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at bigint NOT NULL,
  taken_at text,
  lon double precision,
  lat double precision,
  height double precision,
  data bytea NOT NULL
);
CREATE INDEX topic_attachments_topic_idx ON topic_attachments (topic_id, uploaded_at);

-- The last notice number given per region and year (ZG-<region>-<year>-<seq>).
CREATE TABLE notice_counters (
  region_code text NOT NULL,
  year integer NOT NULL,
  last integer NOT NULL,
  PRIMARY KEY (region_code, year)
);
