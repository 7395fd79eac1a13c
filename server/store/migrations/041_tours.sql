-- Saved tours: a city tour (project_id NULL) or a project's tour; viewpoints kept as validated JSON (models/Tour.ts).
CREATE TABLE tours (
  id uuid PRIMARY KEY,
  project_id uuid REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  body jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX tours_project_idx ON tours (project_id, created_at);
