-- IFC models and their element index. Element boxes are in the model's own IFC frame (metres, Z up): they are not
-- geographic, so they are plain geometry without an SRID; spatial queries within one model run on them.
CREATE TABLE models (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  file_name text NOT NULL,
  file_bytes bigint NOT NULL DEFAULT 0,
  source_kind text NOT NULL DEFAULT 'ifc',
  status text NOT NULL,
  stage text NOT NULL,
  progress_pct real NOT NULL DEFAULT 0,
  schema text,
  georef jsonb,
  report jsonb,
  error jsonb,
  tree jsonb,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX models_project_idx ON models (project_id, created_at);
CREATE INDEX models_status_idx ON models (status);

CREATE TABLE elements (
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  global_id text NOT NULL,
  express_id integer NOT NULL,
  ifc_class text NOT NULL,
  name text,
  predefined_type text,
  storey_id text,
  storey_name text,
  psets jsonb NOT NULL DEFAULT '{}',
  bbox geometry,
  has_geometry boolean NOT NULL DEFAULT true,
  PRIMARY KEY (model_id, global_id)
);
CREATE INDEX elements_class_idx ON elements (model_id, ifc_class);
CREATE INDEX elements_storey_idx ON elements (model_id, storey_id);
CREATE INDEX elements_bbox_gix ON elements USING gist (bbox gist_geometry_ops_nd);
