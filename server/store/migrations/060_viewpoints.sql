-- Saved BIM workspace viewpoints (camera, section planes, hidden elements), per project; body validated by
-- models/WorkspaceViewpoint.ts. Dropped with their model or project.
CREATE TABLE workspace_viewpoints (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  name text NOT NULL,
  body jsonb NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX workspace_viewpoints_project_idx ON workspace_viewpoints (project_id, created_at);
