-- Device registry (telemetry core). A device belongs to a project and stands at a point or at an IFC element.
-- Secrets are stored hashed: the API key (random, sha256 + salt) and the HJ 212 PW (often a vendor default, scrypt).
CREATE TABLE devices (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  kind text NOT NULL,
  name text NOT NULL,
  code text,
  location geography(PointZ, 4326),
  ifc_global_id text,
  params jsonb NOT NULL DEFAULT '{}',
  api_key_hash text NOT NULL,
  hj212_mn text UNIQUE,
  hj212_pw_hash text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CONSTRAINT devices_placed CHECK (location IS NOT NULL OR ifc_global_id IS NOT NULL)
);
CREATE INDEX devices_project_idx ON devices (project_id);
CREATE INDEX devices_location_gix ON devices USING gist (location);
